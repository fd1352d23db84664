"""tools/book_markdown.py reads the book's code blocks as pytest-codeblocks does.

The chapter downloads (tools/chapter_code.py) are built from
``book_markdown.python_chains``; here its chains are compared, page by page,
with the blocks pytest-codeblocks 0.18 collects from the same file: the same
code (a chain's blocks joined), starting on the same line, with the same
marks.  (pytest-codeblocks drops the empty lines of an indented fence, which
Python does not miss; they are left out of both sides.)  A page where the two disagree would give a download that does not hold
what ``nox -s book`` runs.
"""

import textwrap

import pytest
from booksource import REPO, chains, markdown_pages, python_chains

pytest_codeblocks = pytest.importorskip("pytest_codeblocks")


def without_empty_lines(code):
    return None if code is None else "".join(
        line for line in code.splitlines(keepends=True) if line.strip())


def collected(path):
    return [(block.syntax, block.lineno, without_empty_lines(block.code), list(block.marks),
             block.importorskip, without_empty_lines(block.expected_output))
            for block in pytest_codeblocks.extract_from_file(path)]


def ours(path, text=None):
    return [(chain.syntax, chain.line, without_empty_lines(chain.code), chain.marks,
             chain.importorskip, without_empty_lines(chain.expected_output))
            for chain in chains(path, text)]


@pytest.mark.parametrize("path", [*markdown_pages(), REPO / "README.md"],
                         ids=lambda path: path.relative_to(REPO).as_posix())
def test_chains_are_what_pytest_codeblocks_collects(path):
    assert ours(path) == collected(path)


def test_the_book_has_continuations_to_read():
    """The comparison above sees chains of several blocks (it is not vacuous)."""
    longest = max(len(chain.blocks) for path in markdown_pages()
                  for chain in python_chains(path))
    assert longest >= 3


SAMPLE = textwrap.dedent("""\
    # Page

    ```python
    a = 1
    ```

    <!--pytest-codeblocks:cont-->
    ```python
    b = a + 1
    ```

    <!--pytest-codeblocks:expected-output-->
    ```text
    2
    ```

    <!--pytest.mark.xfail-->
    ```python
    raise ValueError("a")
    ```

    !!! note

        <!--pytest-codeblocks:skip-->
        ```python
        import not_installed
        ```

        <!--pytest-codeblocks:cont-->
        ```python
        not_installed.run()
        ```

    <!--pytest-codeblocks:importorskip(torch)-->
    ```python
    import torch
    ```

    ```shell
    pip install rnnbook
    ```
    """)


def test_directives_of_every_kind(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(SAMPLE, encoding="utf-8")
    with pytest.warns(DeprecationWarning):
        expected = collected(page)
    assert ours(page) == expected
    found = python_chains(page)
    assert [len(chain.blocks) for chain in found] == [2, 1, 2, 1]
    assert [(chain.skipped, chain.expects_error) for chain in found] == [
        (False, False), (False, True), (True, False), (True, False)]
    assert found[0].expected_output == "2\n"
    assert ours(page, SAMPLE) == expected  # from the text as from the file
