"""Reading the book's sources (docs/) for the book tests.

Fences, pytest-codeblocks directives and headings are read by
tools/book_markdown.py, which the build uses too (the chapter downloads of
tools/chapter_code.py); this module re-exports them beside what only the tests
need.
"""

import ast
import json
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
STUB_MARKER = "<!-- stub -->"

sys.path.insert(0, str(REPO / "tools"))
from book_markdown import (  # noqa: E402,F401 - tools/ is not a package
    DIRECTIVE,
    FENCE,
    HEADING,
    PYTHON_INFO,
    SECTION_NUMBER,
    Fence,
    chains,
    fences,
    headings,
    page_headings,
    prose_lines,
    python_chains,
    read_lines,
    section_number,
)

TAG = re.compile(r"\\tag\*?\{([^}]*)\}")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.I)


def is_stub(path):
    lines = read_lines(path)
    return bool(lines) and lines[0].strip() == STUB_MARKER


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
