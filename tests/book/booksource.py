"""Reading the book's sources (docs/) for the book tests.

Markdown is read line by line the way the tools that matter read it: fences
open with three or more backticks or tildes at any indentation (inside
admonitions and tabs too) and close with a run of the same character at least
as long; the pytest-codeblocks directives (HTML comments) that precede a fence
belong to it, as pytest-codeblocks itself attaches them.
"""

import ast
import dataclasses
import json
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
STUB_MARKER = "<!-- stub -->"

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\s*<!--[-\s]*((?:pytest-codeblocks:|pytest\.mark\.).*?)[-\s]*-->\s*$")
# an info string that names Python in any spelling: py, python3, pycon,
# {.python title="x"}, " python", "python linenums=1", ...
PYTHON_INFO = re.compile(r"^\s*\{?\s*\.?(?:i?py(?:thon)?[23]?|pycon)(?![\w-])", re.I)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
SECTION_NUMBER = re.compile(r"^(?:第\s*)?(\d+(?:\.\d+)*)(?![\d.]*\d)")
TAG = re.compile(r"\\tag\*?\{([^}]*)\}")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.I)


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
        return f"{self.path.relative_to(REPO)}:{self.line}"


def read_lines(path):
    return pathlib.Path(path).read_text(encoding="utf-8").splitlines()


def is_stub(path):
    lines = read_lines(path)
    return bool(lines) and lines[0].strip() == STUB_MARKER


def fences(path):
    """Every fenced block of a Markdown file, in order."""
    path = pathlib.Path(path)
    lines = read_lines(path)
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


def prose_lines(path):
    """(line number, text) of the lines outside fenced blocks."""
    inside = set()
    lines = read_lines(path)
    for fence in fences(path):
        end = fence.line + fence.code.count("\n") + 1
        inside.update(range(fence.line, end + 1))
    return [(n, text) for n, text in enumerate(lines, 1) if n not in inside]


def section_number(title):
    match = SECTION_NUMBER.match(title.strip())
    return match.group(1) if match else None


def headings(lines):
    """[(level, section number or None, title)] of Markdown text lines."""
    found = []
    for text in lines:
        match = HEADING.match(text)
        if match:
            title = re.sub(r"\s*\{[^}]*\}\s*$", "", match.group(2))  # attr_list
            found.append((len(match.group(1)), section_number(title), title))
    return found


def page_headings(path):
    return headings(text for _, text in prose_lines(path))


INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


def without_inline_code(text):
    """Text with its `inline code` spans removed (they show syntax, not content)."""
    return INLINE_CODE.sub("", text)


def equation_tags(text):
    return TAG.findall(without_inline_code(text))


def image_targets(text):
    targets = []
    for line in without_inline_code(text).splitlines():
        spans = sorted(
            [(m.start(), m.group(1)) for m in IMAGE.finditer(line)]
            + [(m.start(), m.group(1)) for m in HTML_IMAGE.finditer(line)]
        )
        targets += [target for _, target in spans]
    return targets


def prose(path):
    return "\n".join(text for _, text in prose_lines(path))


def markdown_pages():
    """Every Markdown page of the book, zh and en, sorted."""
    return sorted(path for path in DOCS.rglob("*.md") if "assets" not in path.parts)


def notebooks():
    return sorted(
        path for path in DOCS.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts
    )


def notebook_cells(path):
    notebook = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    return [(cell["cell_type"], "".join(cell["source"])) for cell in notebook["cells"]]


def english_twin(path):
    """docs/a/b.md -> docs/a/b.en.md (also for .ipynb)."""
    path = pathlib.Path(path)
    return path.with_name(path.stem + ".en" + path.suffix)


def is_english(path):
    return pathlib.Path(path).stem.endswith(".en")


def without_docstrings(tree):
    """The tree with every module, class and function docstring removed."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return tree


def normalized(code):
    """ast.dump of Python source without docstrings (comments are not in the AST)."""
    return ast.dump(without_docstrings(ast.parse(code)))


def unparsed(code):
    return ast.unparse(without_docstrings(ast.parse(code)))
