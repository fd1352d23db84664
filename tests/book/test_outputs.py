"""Code that prints shows what it prints, and pytest-codeblocks checks it.

A block whose output the reader is meant to see is followed by that output in
a ```text fence marked ``<!--pytest-codeblocks:expected-output-->``.  How
pytest-codeblocks 0.18 reads it decides the rules checked here:

- The marked fence becomes the expected output of the *chain* before it (a
  block and its ``cont`` continuations), and is compared, exactly, with
  everything the whole chain printed; a chain takes one such fence.  So the
  fence follows the last block of the chain that prints, and blocks that
  continue the chain after it print nothing.
- Only backtick fences count, and only chains that run: a skipped chain's
  output is never compared, so a skipped chain shows none.

Every chain that calls print() shows its output, except the few listed in
VARIES, whose printed numbers legitimately differ from machine to machine.
"""

import re

import pytest
from booksource import REPO, markdown_pages, python_chains

PRINT = re.compile(r"\bprint\(")

# (page, a line of the chain's code) -> why its output is not shown and checked
VARIES = {
    ("gated/deep", 'print({kind: f"{error:.1e}" for kind, error in worst.items()})'):
        "gradient-check errors near 1e-10: rounding, they change with the BLAS kernel",
    ("gated/deep", 'print(f"largest difference from torch.nn.LSTM: {max(differences):.1e}")'):
        "prints another line when PyTorch is not installed; the difference is rounding",
    ("fast", 'print(f"{kind} {form}: {len(pairs)} arrays, largest difference {worst:.1e}")'):
        "differences of a few units in the last place: they change with the BLAS kernel",
    ("fast", 'print(f"largest relative difference of a gradient: {worst:.1e}")'):
        "a rounding difference that changes with the BLAS kernel",
}


def page_key(path):
    name = path.relative_to(REPO / "docs").as_posix()
    return name.removesuffix(".md").removesuffix(".en")


def excused(path, chain):
    lines = {line.strip() for line in chain.code.splitlines()}
    return [why for (page, line), why in VARIES.items()
            if page == page_key(path) and line in lines]


PAGES = markdown_pages()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_code_that_prints_shows_its_output(page):
    missing = [f"{page.relative_to(REPO)}:{chain.line}" for chain in python_chains(page)
               if PRINT.search(chain.code) and not chain.skipped
               and chain.output is None and not excused(page, chain)]
    assert not missing, (
        "chains that print but show no output (add a ```text fence marked "
        "<!--pytest-codeblocks:expected-output--> after the last block that prints):\n"
        + "\n".join(missing))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_output_follows_the_last_block_that_prints(page):
    wrong = []
    for chain in python_chains(page):
        if chain.output is None:
            continue
        where = f"{chain.output.where()}"
        if chain.output.info.strip() != "text" or not chain.output.marker.startswith("```"):
            wrong.append(f"{where}: an output is a ```text fence, not {chain.output.info!r}")
        if chain.skipped or chain.expects_error:
            wrong.append(f"{where}: the chain is skipped or raises; its output is never compared")
        later = [block for block in chain.blocks if block.line > chain.output.line]
        wrong += [f"{block.where()}: prints after the output shown at {where}"
                  for block in later if PRINT.search(block.code)]
        before = [block for block in chain.blocks if block.line < chain.output.line]
        if not before:
            wrong.append(f"{where}: no block of the chain comes before it")
        elif not PRINT.search(before[-1].code):
            wrong.append(f"{where}: follows {before[-1].where()}, which prints nothing")
    assert not wrong, "\n".join(wrong)


def test_every_excuse_is_still_needed():
    used = {(page_key(page), line) for page in PAGES for chain in python_chains(page)
            for (key, line) in VARIES if key == page_key(page)
            and line in map(str.strip, chain.code.splitlines())
            and chain.output is None}
    assert used == set(VARIES), f"VARIES lists chains that no longer need it: {set(VARIES) - used}"


def test_the_book_shows_outputs():
    """Not vacuous: the chapters show outputs, in chains of several blocks too."""
    shown = [chain for page in PAGES for chain in python_chains(page) if chain.output]
    assert len(shown) >= 30
    assert any(len(chain.blocks) > 1 for chain in shown)
