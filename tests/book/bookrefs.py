"""The book's chapters and what a cross-reference may name, read from the sources.

Nothing here is a hard-coded number: the chapters are the pages of the nav
section 章节 of mkdocs.yml, in order (chapter N is the N-th); a chapter's
sections are the numbered headings of its page, its equations the \\tag{}s in
it.  Insert or move a chapter and every reference is checked against the new
numbering.

mkdocs.yml is read as text (the book tests run without PyYAML): the nav is a
list of "- path" items and "- Section title:" items with their pages indented
below them.
"""

import dataclasses
import pathlib
import re

from booksource import (
    DOCS,
    REPO,
    english_twin,
    equation_tags,
    fences,
    headings,
    is_english,
    markdown_pages,
    notebook_cells,
    notebooks,
    read_lines,
    without_inline_code,
)

CHAPTER_SECTION = "章节"  # the nav section whose pages are the numbered chapters
NAV_ITEM = re.compile(r"^(?P<indent>\s*)-\s+(?P<item>[^#]*?)\s*(?:#.*)?$")


def nav_sections(config=REPO / "mkdocs.yml"):
    """{section title or None (top level): [docs-relative page paths]} of the nav, in order."""
    lines = pathlib.Path(config).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "nav:")
    sections = {None: []}
    current, current_indent = None, None
    for line in lines[start + 1:]:
        if line.strip() and not line[0].isspace() and not line.startswith("#"):
            break  # the next top-level key
        match = NAV_ITEM.match(line)
        if not match:
            continue
        indent, item = len(match["indent"]), match["item"]
        if current is not None and indent <= current_indent:
            current = None
        if item.endswith(":"):
            current, current_indent = item[:-1].strip(), indent
            sections[current] = []
        elif current is not None:
            sections[current].append(item.split(":", 1)[-1].strip())
        else:
            sections[None].append(item.split(":", 1)[-1].strip())
    return sections


def chapter_sources():
    """The docs-relative paths of the chapters' (Chinese) pages, chapter 1 first."""
    return nav_sections()[CHAPTER_SECTION]


def page_path(src, english):
    path = DOCS / src
    return english_twin(path) if english else path


def zh_name(path):
    """docs/a/b.en.md -> docs/a/b.md; a Chinese page stays as it is."""
    path = pathlib.Path(path)
    if path.stem.endswith(".en"):
        return path.with_name(path.stem[: -len(".en")] + path.suffix)
    return path


def page_text(path):
    """The text a reader sees on a page, for finding references: a Markdown page
    whole (code comments and docstrings refer to equations too), a notebook's
    Markdown cells; inline code spans removed (they quote code, not the book)."""
    path = pathlib.Path(path)
    if path.suffix == ".ipynb":
        lines = []
        for kind, source in notebook_cells(path):
            if kind == "markdown":
                lines += source.splitlines() + [""]
    else:
        lines = read_lines(path)
    return [without_inline_code(line) for line in lines]


def markdown_lines(path):
    """The page's lines with fenced code blanked out (headings and links are only
    read outside it); line numbers stay those of the file."""
    path = pathlib.Path(path)
    if path.suffix == ".ipynb":
        return page_text(path)
    inside = set()
    for fence in fences(path):
        inside.update(range(fence.line, fence.line + fence.code.count("\n") + 2))
    return ["" if n in inside else line for n, line in enumerate(read_lines(path), 1)]


@dataclasses.dataclass
class Chapter:
    number: int
    path: pathlib.Path
    title_number: str  # the number in the page's first heading
    title: str  # the page's first heading
    sections: set
    tags: set


def chapters(english):
    found = []
    for number, src in enumerate(chapter_sources(), 1):
        path = page_path(src, english)
        heads = headings(markdown_lines(path))
        first, title = next(((n, t) for level, n, t in heads if level == 1), (None, ""))
        tags = set(equation_tags("\n".join(page_text(path))))
        found.append(Chapter(number, path, first, title,
                             {n for _, n, _ in heads if n and "." in n}, tags))
    return found


def book_pages():
    """Every Markdown page and notebook of the book, zh and en."""
    return markdown_pages() + notebooks()


# ---- references -----------------------------------------------------------

NUMBER = r"\d+(?:\.\d+)+"
EQ = r"\d+\.\d+[a-z]?'?"
ZH_JOIN = r"\s*(?:[、，,和与及或至到~–—-]|\+)?\s*"
EN_JOIN = r"\s*(?:,|and|or|to|through|–|—|-|\+)?\s*"

ZH_PATTERNS = {
    "chapter": re.compile(r"第\s*(\d+(?:\s*[、，,和与及或至到–—~-]\s*(?:第\s*)?\d+)*)\s*章"),
    "section": re.compile(rf"(?:第\s*)?({NUMBER}(?:\s*[、，,和与及或至到–—~-]\s*{NUMBER})*)\s*(?:小)?节"),
    "equation": re.compile(rf"式\s*((?:[（(]\s*{EQ}\s*[)）]{ZH_JOIN})+)"),
}
EN_PATTERNS = {
    "chapter": re.compile(r"\b[Cc]hapters?\s+(\d+(?:\s*(?:,|and|or|to|–|—|-)\s*\d+)*)"),
    "section": re.compile(
        rf"(?:§\s*|\b[Ss]ections?\s+)({NUMBER}(?:\s*(?:,|and|or|to|–|—|-)\s*§?\s*{NUMBER})*)"),
    "equation": re.compile(
        rf"\b(?:[Ee]quations?|[Ee]qs?\.),?\s*((?:\(\s*{EQ}\s*\){EN_JOIN})+)"),
}
# A section of another work (the original notes, the course, D2L) is not one
# of the book's: it is written with the work's name right before it ("原笔记第
# 1.2 节", "D2L §9.7", "the notes' section 1.2") or right after ("section 1.2
# of the notes").
OTHER_WORK_BEFORE = re.compile(
    r"(?:笔记|课程|D2L|d2l|》|英文版|中文版|notes'?|course'?s?|D2L'?s|edition'?s?)"
    r"\s*(?:的)?\s*(?:第|[Ss]ection|§)?\s*$")
OTHER_WORK_AFTER = re.compile(r"^\s*(?:of|in)\s+(?:the\s+)?(?:notes|course|D2L|d2l|Dive into)")
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


@dataclasses.dataclass
class Reference:
    path: pathlib.Path
    line: int
    kind: str  # chapter, section, equation
    number: str
    text: str

    @property
    def chapter(self):
        return int(self.number.split(".")[0])

    def where(self):
        return f"{self.path.relative_to(REPO)}:{self.line}: {self.text!r}"


def references_in(text, english):
    """[(kind, number, matched text, start)] of one line or string."""
    found = []
    patterns = EN_PATTERNS if english else ZH_PATTERNS
    for kind, pattern in patterns.items():
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 16):match.start()]
            after = text[match.end():match.end() + 24]
            if OTHER_WORK_BEFORE.search(before) or OTHER_WORK_AFTER.match(after):
                continue
            numbers = re.findall(EQ if kind == "equation" else r"\d+(?:\.\d+)*", match[1])
            found += [(kind, number, match[0].strip(), match.start()) for number in numbers]
    return found


def references(path):
    english = is_english(path)
    found = []
    for n, line in enumerate(page_text(path), 1):
        for kind, number, text, _ in references_in(line, english):
            found.append(Reference(path, n, kind, number, text))
    return found


def links(path):
    """[(line, link text, target)] of a page's Markdown links (not images)."""
    return [(n, match[1], match[2])
            for n, line in enumerate(markdown_lines(path), 1)
            for match in LINK.finditer(without_inline_code(line))]


def link_target(path, target):
    """The page a relative link points at (zh name), or None for another site."""
    if "://" in target or target.startswith("mailto:"):
        return None
    file = target.split("#", 1)[0]
    if not file:
        return zh_name(path)
    return zh_name((pathlib.Path(path).parent / file).resolve())
