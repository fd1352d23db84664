"""Reading the book's Markdown the way the tools that run it read it.

Shared by the book tests (tests/book/booksource.py) and the build
(tools/chapter_code.py), so that the chapter downloads hold exactly the
blocks that ``nox -s book`` runs.  Standard library only.

Fences open with three or more backticks or tildes at any indentation (inside
admonitions and tabs too) and close with a run of the same character at least
as long; the pytest-codeblocks directives (HTML comments) that precede a fence
belong to it, as pytest-codeblocks itself attaches them.

:func:`python_chains` groups the Python blocks of a page into what
pytest-codeblocks 0.18 runs as one test: a block and the blocks that continue
it (``<!--pytest-codeblocks:cont-->``), with the marks (skip, xfail, ...) that
apply to the chain.  tests/book/test_chapter_code.py checks it against
pytest-codeblocks' own reading of every page.
"""

import dataclasses
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[1]

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\s*<!--[-\s]*((?:pytest-codeblocks:|pytest\.mark\.).*?)[-\s]*-->\s*$")
# an info string that names Python in any spelling: py, python3, pycon,
# {.python title="x"}, " python", "python linenums=1", ...
PYTHON_INFO = re.compile(r"^\s*\{?\s*\.?(?:i?py(?:thon)?[23]?|pycon)(?![\w-])", re.I)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
SECTION_NUMBER = re.compile(r"^(?:第\s*)?(\d+(?:\.\d+)*)(?![\d.]*\d)")


@dataclasses.dataclass
class Fence:
    """A fenced block of a Markdown page."""

    path: pathlib.Path
    line: int  # 1-based line of the opening fence
    indent: str
    marker: str  # ``` or ~~~ (or longer)
    info: str  # what follows the marker, unstripped
    code: str  # the body, de-indented like pytest-codeblocks does
    directives: list  # pytest-codeblocks directives since the previous fence
    directive_gap: bool  # prose between the directives and this fence

    @property
    def looks_like_python(self):
        return bool(PYTHON_INFO.match(self.info))

    @property
    def is_exact_python(self):
        """Written ```python: the only form pytest-codeblocks 0.18 runs."""
        return self.marker == "```" and self.info == "python"

    @property
    def continues(self):
        return any(d.strip("- ") == "pytest-codeblocks:cont" for d in self.directives)

    def where(self):
        try:
            return f"{self.path.relative_to(REPO)}:{self.line}"
        except ValueError:
            return f"{self.path}:{self.line}"


def read_lines(path):
    return pathlib.Path(path).read_text(encoding="utf-8").splitlines()


def fences(path, text=None):
    """Every fenced block of a Markdown file (or of its text, if given), in order."""
    path = pathlib.Path(path)
    lines = read_lines(path) if text is None else text.splitlines()
    found = []
    directives, gap = [], False
    i = 0
    while i < len(lines):
        line = lines[i]
        match = FENCE.match(line)
        if match and not (match["fence"][0] == "`" and "`" in match["info"]):
            marker, indent = match["fence"], match["indent"]
            body = []
            j = i + 1
            while j < len(lines):
                stripped = lines[j].strip()
                if stripped.startswith(marker) and set(stripped) == {marker[0]}:
                    break
                body.append(lines[j])
                j += 1
            width = len(indent)
            code = "".join(
                text[min(width, len(text) - len(text.lstrip())):] + "\n" for text in body
            )
            found.append(
                Fence(path, i + 1, indent, marker, match["info"].rstrip(), code, directives, gap)
            )
            directives, gap = [], False
            i = j + 1
            continue
        directive = DIRECTIVE.match(line)
        if directive:
            directives = directives + [directive.group(1).strip()]
            gap = False
        elif line.strip() and directives:
            gap = True
        i += 1
    return found


def prose_lines(path, text=None):
    """(line number, text) of the lines outside fenced blocks."""
    inside = set()
    lines = read_lines(path) if text is None else text.splitlines()
    for fence in fences(path, text):
        end = fence.line + fence.code.count("\n") + 1
        inside.update(range(fence.line, end + 1))
    return [(n, line) for n, line in enumerate(lines, 1) if n not in inside]


def section_number(title):
    match = SECTION_NUMBER.match(title.strip())
    return match.group(1) if match else None


def heading_of(line):
    """(level, section number or None, title) of a Markdown heading line, or None."""
    match = HEADING.match(line)
    if not match:
        return None
    title = re.sub(r"\s*\{[^}]*\}\s*$", "", match.group(2))  # attr_list
    return len(match.group(1)), section_number(title), title


def headings(lines):
    """[(level, section number or None, title)] of Markdown text lines."""
    return [found for found in map(heading_of, lines) if found]


def page_headings(path):
    return headings(text for _, text in prose_lines(path))


@dataclasses.dataclass
class Chain:
    """What pytest-codeblocks runs as one test: a block and its continuations."""

    syntax: str
    blocks: list  # the Fences, the first one and those that continue it
    marks: list  # "pytest.mark.skip", "pytest.mark.xfail", ... as pytest-codeblocks makes them
    importorskip: str = None
    expected_output: str = None  # what the chain prints, as the page shows it
    output: Fence = None  # the fence that shows it (after <!--pytest-codeblocks:expected-output-->)

    @property
    def code(self):
        return "".join(block.code for block in self.blocks)

    @property
    def line(self):
        return self.blocks[0].line

    @property
    def output_after(self):
        """The block that the shown output follows (blocks after it print nothing)."""
        if self.output is None:
            return None
        return [block for block in self.blocks if block.line < self.output.line][-1]

    @property
    def skipped(self):
        """The book's tests do not run it (skip, skipif, importorskip)."""
        return self.importorskip is not None or any(
            mark.startswith("pytest.mark.skip") for mark in self.marks)

    @property
    def expects_error(self):
        """The book's tests expect it to raise (xfail, expect-exception)."""
        return any(mark.startswith("pytest.mark.xfail") for mark in self.marks)


def chains(path, text=None):
    """Every chain of a page in order, as pytest-codeblocks 0.18 collects them.

    Only backtick fences count (pytest-codeblocks sees no others).  A directive
    applies to the next fence; marks pile up until a block starts a chain, so a
    mark written above a continuation applies to the next chain, as there.
    Returns [] for a page that starts with ``<!--pytest-codeblocks:skipfile-->``.
    """
    lines = read_lines(path) if text is None else text.splitlines()
    if lines and lines[0].strip() == "<!--pytest-codeblocks:skipfile-->":
        return []
    found, marks, importorskip = [], [], None
    for fence in fences(path, text):
        if not fence.marker.startswith("`"):
            continue
        continued = expected = None
        for directive in fence.directives:
            if directive.startswith("pytest.mark."):
                marks.append(directive)
                continue
            keyword = directive[len("pytest-codeblocks:"):].strip("- ")
            if keyword == "cont":
                continued = found[-1] if found else None
            elif keyword in ("expected-output", "expected-output-ignore-whitespace"):
                expected = found[-1] if found else None
            elif keyword == "skip":
                marks.append("pytest.mark.skip")
            elif keyword.startswith("skipif"):
                marks.append(f"pytest.mark.skipif{keyword[len('skipif'):]}")
            elif keyword.startswith("importorskip"):
                importorskip = keyword[len("importorskip("):-1]
            elif keyword in ("expect-exception", "expect-error"):
                marks.append("pytest.mark.xfail")
            else:
                raise ValueError(f"{fence.where()}: unknown directive {directive!r}")
        if continued is not None:
            continued.blocks.append(fence)
        elif expected is not None:
            expected.expected_output, expected.output = fence.code, fence
        else:
            found.append(Chain(fence.info.strip(), [fence], marks, importorskip))
            marks, importorskip = [], None
    return found


def python_chains(path, text=None):
    """The chains that ``nox -s book`` runs as Python: those that start ```python."""
    return [chain for chain in chains(path, text) if chain.syntax == "python"]
