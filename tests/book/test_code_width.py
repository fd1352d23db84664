"""Code fits the column: no line of a code block is wider than 80 columns.

At 80 columns nothing is cut off at 1280 px, and the copy button never covers
code.  Width is what a monospace font shows: a Chinese character takes two
columns (East Asian Wide and Fullwidth characters).  Every fenced block of
every page counts, in both languages (code, shown outputs, commands), and
every code cell of every notebook.
"""

import unicodedata

import pytest
from booksource import REPO, fences, markdown_pages, notebook_cells, notebooks

LIMIT = 80


def columns(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wide(lines, where):
    return [f"{where(n)}: {columns(line)} columns: {line.strip()[:60]}"
            for n, line in enumerate(lines) if columns(line) > LIMIT]


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_code_blocks_fit_80_columns(page):
    found = []
    for fence in fences(page):
        found += wide(fence.code.splitlines(),
                      lambda n, f=fence: f"{f.path.relative_to(REPO)}:{f.line + 1 + n}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_notebook_code_fits_80_columns(path):
    found = []
    code = [source for kind, source in notebook_cells(path) if kind == "code"]
    for index, source in enumerate(code, 1):
        found += wide(source.splitlines(),
                      lambda n, i=index: f"{path.relative_to(REPO)} code cell {i} line {n + 1}")
    assert not found, "\n".join(found)


def test_columns_counts_chinese_twice():
    assert columns("a = 1  # 注释") == len("a = 1  # ") + 4
    assert columns("x" * 80) == LIMIT and not wide(["x" * 80], str) and wide(["x" * 81], str)
