"""No page promises what is not there, and the glossary's terms are the ones used.

- No page or notebook says a part is still being written (正在编写, being
  written, TODO, TBD, coming soon ...): the preface and errata once did, long
  after the chapters were there.
- Where the glossary settles between two words for one thing, the other word
  fails the build: BANNED maps each variant to the book's term, and the term
  must be recorded in the glossary.  Quoted text (「…」, “…”, inline code) and
  the glossary itself, which names the variants, are exempt.
- English keeps one spelling system (-ise, as in "initialise") and writes
  "element-wise".
"""

import re

import pytest
from bookrefs import book_pages, markdown_lines
from booksource import DOCS, REPO, is_english, notebook_cells, read_lines

PAGES = book_pages()
GLOSSARY = {False: DOCS / "appendix" / "glossary.md", True: DOCS / "appendix" / "glossary.en.md"}

STATUS = re.compile(
    r"正在编写|编写中|敬请期待|待补充|尚未写|being written|to be written|coming soon"
    r"|under construction|\bTODO\b|\bTBD\b|\bFIXME\b|\bXXX\b", re.I)

# variant -> the book's term (Chinese)
BANNED_ZH = {
    "批次": "批量",
    "源笔记": "原笔记",
    "原始笔记": "原笔记",
    "得分": "分数",
    "拼接": "叠放",
    "堆叠": "叠放",
    "隐状态": "隐藏状态",
    "向回": "反向传播",
}
BANNED_ZH_PATTERNS = {
    # 拼成 / 拼起来 / 拼回: stacking is 叠放, chaining cells 串联
    re.compile(r"拼(?:成|起|回|在一起)"): "叠放",
    # what travels back in time is the gradient, as in chapter 3
    re.compile(r"误差[^。；]{0,20}?(?:往回|回传|传回|倒传)"): "梯度",
}
# English: -ize spellings, except words whose -ize is not the suffix
IZE = re.compile(r"\b([A-Za-z]+iz(?:e|es|ed|ing|ation|ations|er|ers))\b")
IZE_ALLOWED = {"size", "sizes", "sized", "resize", "resized", "resizes", "resizing",
               "prize", "prizes", "seize", "seized", "capsize", "downsize", "oversized",
               "undersized", "itemsize", "figsize", "maize", "baize"}
BANNED_EN = {"elementwise": "element-wise", "Elementwise": "Element-wise"}

QUOTED = re.compile(r"「[^」]*」|“[^”]*”|\"[^\"\n]*\"|`[^`\n]*`")


def rel(path):
    return str(path.relative_to(REPO))


def page_id(path):
    return str(path.relative_to(DOCS))


def all_text(path):
    if path.suffix == ".ipynb":
        return [line for _, source in notebook_cells(path) for line in source.splitlines()]
    return read_lines(path)


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_no_page_says_it_is_unfinished(path):
    found = [f"{rel(path)}:{n}: {line.strip()[:80]}"
             for n, line in enumerate(all_text(path), 1) if STATUS.search(line)]
    assert not found, "\n".join(found)


def prose_unquoted(path):
    """(line number, text) of prose outside code and quotations."""
    return [(n, QUOTED.sub("", line)) for n, line in enumerate(markdown_lines(path), 1)]


def banned_in(text, english):
    hits = []
    if english:
        hits += [(word, BANNED_EN[word]) for word in BANNED_EN if re.search(rf"\b{word}\b", text)]
        hits += [(word, word.replace("iz", "is", 1)) for word in IZE.findall(text)
                 if word.lower() not in IZE_ALLOWED]
    else:
        hits += [(word, term) for word, term in BANNED_ZH.items() if word in text]
        hits += [(m[0], term) for pattern, term in BANNED_ZH_PATTERNS.items()
                 for m in pattern.finditer(text)]
    return hits


@pytest.mark.parametrize("path", [p for p in PAGES if p not in GLOSSARY.values()], ids=page_id)
def test_banned_variants_are_not_used(path):
    english = is_english(path)
    found = [f"{rel(path)}:{n}: {word!r}, the book's term is {term!r}"
             for n, line in prose_unquoted(path) for word, term in banned_in(line, english)]
    assert not found, "\n".join(found)


def test_every_preferred_term_is_in_the_glossary():
    glossary = GLOSSARY[False].read_text(encoding="utf-8")
    terms = set(BANNED_ZH.values()) | set(BANNED_ZH_PATTERNS.values())
    missing = sorted(term for term in terms if term not in glossary)
    assert not missing, f"terms the build enforces but the glossary does not record: {missing}"
    variants = [v for v in BANNED_ZH if v not in glossary]
    assert not variants, f"the glossary should name the variants it rules out: {variants}"


def test_the_checks_find_what_they_look_for():
    assert banned_in("每个批次的样本", False) == [("批次", "批量")]
    assert banned_in("误差沿时间向回传播", False) == [("向回", "反向传播"), ("误差沿时间向回传", "梯度")]
    assert banned_in("均方误差与相对误差", False) == []
    assert banned_in("we initialize an elementwise product", True) == [
        ("elementwise", "element-wise"), ("initialize", "initialise")]
    assert banned_in("the batch size and figsize", True) == []
    assert STATUS.search("第 4 章（正在编写）") and STATUS.search("Chapter 4 (being written)")
    assert not STATUS.search("the written notes")
