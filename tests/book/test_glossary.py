"""The glossary's two versions list the same pairs of terms, row for row."""

import re

import pytest
from booksource import DOCS, is_stub, prose

ZH = DOCS / "appendix" / "glossary.md"
EN = DOCS / "appendix" / "glossary.en.md"
HAN = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def cells(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)]


def plain(cell):
    return re.sub(r"[*_`]", "", cell).strip()


def term_pairs(path):
    """(Chinese term, English term) of every table row: the first cell with Chinese
    in it, and the first cell after it that has Latin letters and no Chinese."""
    lines = [line for line in prose(path).splitlines()]
    pairs = []
    for index, line in enumerate(lines):
        if not line.strip().startswith("|") or SEPARATOR_ROW.match(line.strip()):
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if SEPARATOR_ROW.match(following):
            continue  # a header row
        row = [plain(cell) for cell in cells(line)]
        zh = next((i for i, cell in enumerate(row) if HAN.search(cell)), None)
        if zh is None:
            continue
        en = next((cell for cell in row[zh + 1:] if LATIN.search(cell) and not HAN.search(cell)),
                  None)
        pairs.append((row[zh], en))
    return pairs


def test_glossary_pair_exists():
    assert ZH.exists() and EN.exists(), "docs/appendix/glossary.md and .en.md are both needed"


def test_glossaries_list_the_same_terms():
    if is_stub(ZH) or is_stub(EN):
        pytest.skip("the glossary is still a stub")
    zh_pairs, en_pairs = term_pairs(ZH), term_pairs(EN)
    assert zh_pairs, "no table rows found in the zh glossary"
    assert len(zh_pairs) == len(en_pairs), (
        f"the zh glossary has {len(zh_pairs)} rows, the en one {len(en_pairs)}"
    )
    only_zh = [pair for pair in zh_pairs if pair not in en_pairs]
    only_en = [pair for pair in en_pairs if pair not in zh_pairs]
    assert not only_zh and not only_en, (
        f"rows only in glossary.md: {only_zh}\nrows only in glossary.en.md: {only_en}"
    )
