"""Every Python example of the book is one that pytest-codeblocks runs.

pytest-codeblocks 0.18 runs a fence only if it is written exactly ```python;
```py, ``` python, ```python title="..." and the like are silently skipped.
So any fence that names Python in another way fails here, with its file and
line, and the blocks that pytest-codeblocks' own extractor collects are
checked against the ```python fences this test sees.
"""

import pytest
from booksource import REPO, fences, markdown_pages
from pytest_codeblocks import extract_from_file

PAGES = markdown_pages()


def page_id(path):
    return str(path.relative_to(REPO))


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_python_fences_are_written_exactly_python(page):
    wrong = [
        f"{fence.where()}: {fence.indent.strip() and 'indented '}fence "
        f"{fence.marker}{fence.info!r} is not collected by pytest-codeblocks; "
        f"write it ```python"
        for fence in fences(page)
        if fence.looks_like_python and not fence.is_exact_python
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_pytest_codeblocks_collects_every_python_fence(page):
    python = [fence for fence in fences(page) if fence.is_exact_python]
    as_output = [f.where() for f in python if any("expected-output" in d for d in f.directives)]
    assert not as_output, f"```python fences used as expected output (write ```text): {as_output}"
    blocks = extract_from_file(page)
    collected = {block.lineno for block in blocks if block.syntax == "python"}
    # a block after <!--pytest-codeblocks:cont--> is merged into the one before
    merged = {fence.line for fence in python if fence.continues}
    expected = {fence.line for fence in python} - merged
    assert collected == expected, (
        f"{page_id(page)}: pytest-codeblocks collects Python blocks at lines "
        f"{sorted(collected)}, the ```python fences start blocks at {sorted(expected)}"
    )
    # and what a cont block joins must itself be Python (an output shown between
    # the two belongs to the chain, it starts none)
    started = None
    for fence in fences(page):
        shows_output = any("expected-output" in d for d in fence.directives)
        if not fence.continues and not shows_output:
            started = fence
        elif fence.is_exact_python and started is not None:
            assert started.is_exact_python, (
                f"{fence.where()}: continues the {started.info!r} block at "
                f"line {started.line}, not a Python one"
            )
    assert len(python) == len(collected) + len(merged)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_directives_sit_right_above_their_fence(page):
    wrong = [
        f"{fence.where()}: {fence.directives} is separated from its fence by text"
        for fence in fences(page)
        if fence.directives and fence.directive_gap
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_no_block_is_skipped(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    assert not lines or "pytest-codeblocks:skipfile" not in lines[0], (
        f"{page_id(page)} skips all its blocks"
    )
    skipped = [
        f"{fence.where()}: {directive}"
        for fence in fences(page)
        for directive in fence.directives
        if directive.strip("- ") in ("pytest-codeblocks:skip", "pytest.mark.skip")
        or directive.startswith("pytest.mark.skip(")
    ]
    assert not skipped, "blocks skipped unconditionally:\n" + "\n".join(skipped)
