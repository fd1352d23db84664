"""Cross-references name what exists, and the home page lists every chapter.

Every "第 N 章 / chapter N", "N.M 节 / §N.M" and "式 (N.M) / equation (N.M)" on
a page or in a notebook's Markdown cells, in both languages, names an existing
chapter, a numbered heading of that chapter's page, or a \\tag{} of it; a
reference written as a link points at that chapter's page.  The numbers are
read from the nav and the pages (bookrefs.py), never written down here.
"""

import re

import pytest
from bookrefs import (
    book_pages,
    chapter_sources,
    chapters,
    link_target,
    links,
    references,
    references_in,
    zh_name,
)
from booksource import DOCS, REPO, is_english

PAGES = book_pages()


def rel(path):
    return str(path.relative_to(REPO))


def page_id(path):
    return str(path.relative_to(DOCS))


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_chapters_are_numbered_in_nav_order(english):
    """Chapter N is the N-th page of the nav's 章节, and its first heading says N."""
    found = chapters(english)
    assert found, "mkdocs.yml's nav has no 章节 section with pages"
    wrong = [f"{rel(c.path)}: first heading numbered {c.title_number!r}, nav position {c.number}"
             for c in found if c.title_number != str(c.number)]
    assert not wrong, "\n".join(wrong)
    # one separator in every chapter title, notebooks included: 第 N 章　(an
    # ideographic space) in Chinese, "N " in English
    form = re.compile(r"^\d+ \S" if english else r"^第 \d+ 章\u3000\S")
    odd = [f"{rel(c.path)}: {c.title!r}" for c in found if not form.match(c.title)]
    assert not odd, "chapter titles written another way:\n" + "\n".join(odd)
    for c in found:
        stray = sorted(s for s in c.sections if s.split(".")[0] != str(c.number))
        assert not stray, f"{rel(c.path)} (chapter {c.number}) has sections {stray}"


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_references_name_what_exists(path):
    book = {c.number: c for c in chapters(is_english(path))}
    wrong = []
    for ref in references(path):
        chapter = book.get(ref.chapter)
        if chapter is None:
            wrong.append(f"{ref.where()}: the book has chapters 1-{len(book)}")
        elif ref.kind == "section" and ref.number not in chapter.sections:
            wrong.append(f"{ref.where()}: {rel(chapter.path)} has no section {ref.number}")
        elif ref.kind == "equation" and ref.number not in chapter.tags:
            wrong.append(f"{ref.where()}: {rel(chapter.path)} tags no equation ({ref.number})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_a_reference_written_as_a_link_points_at_its_chapter(path):
    book = {c.number: zh_name(c.path) for c in chapters(is_english(path))}
    wrong = []
    for line, text, target in links(path):
        refs = references_in(text, is_english(path))
        page = link_target(path, target)
        if not refs or page is None:
            continue
        wanted = book.get(int(refs[0][1].split(".")[0]))
        if page != wanted:
            shown = rel(wanted) if wanted else "no chapter"
            wrong.append(f"{rel(path)}:{line}: [{text}]({target}) should point at {shown}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_the_home_page_lists_every_chapter_in_order(english):
    """Each chapter of the nav has a link on the home page whose text names its
    number, and the chapters are first linked in the nav's order.  The links may
    stand anywhere on the page (the call to action, the cards of the book's
    parts): they are Markdown links all the same, inside md_in_html blocks too."""
    home = DOCS / ("index.en.md" if english else "index.md")
    order = [zh_name(DOCS / src) for src in chapter_sources()]
    linked = []
    named = set()
    for _, text, target in links(home):
        page = link_target(home, target)
        if page in order:
            if page not in linked:
                linked.append(page)
            number = order.index(page) + 1
            if any(kind == "chapter" and int(n) == number
                   for kind, n, _, _ in references_in(text, english)):
                named.add(page)
    assert linked == order, (
        f"{rel(home)} links the chapters in the order {[rel(p) for p in linked]},\n"
        f"the nav has {[rel(p) for p in order]}")
    unnamed = [rel(p) for p in order if p not in named]
    assert not unnamed, f"{rel(home)}: no link naming its chapter number points at {unnamed}"


# ---- the checks check something -------------------------------------------

def test_the_reference_patterns_find_what_the_book_writes():
    zh = "见第 3 章、3.4.1 节和式 (3.9)、(3.11)；第 4、5 章；式 (2.6)–(2.8)"
    found = [(kind, number) for kind, number, _, _ in references_in(zh, False)]
    assert found == [("chapter", "3"), ("chapter", "4"), ("chapter", "5"),
                     ("section", "3.4.1"), ("equation", "3.9"), ("equation", "3.11"),
                     ("equation", "2.6"), ("equation", "2.8")]
    en = "chapter 3, §3.4 and section 2.3.2; chapters 4 and 5; equations (2.6)-(2.8)"
    found = [(kind, number) for kind, number, _, _ in references_in(en, True)]
    assert found == [("chapter", "3"), ("chapter", "4"), ("chapter", "5"),
                     ("section", "3.4"), ("section", "2.3.2"),
                     ("equation", "2.6"), ("equation", "2.8")]
    # another work's sections are not the book's
    assert references_in("原笔记第 1.2 节（本书 2.1 节）", False) == [
        ("section", "2.1", "2.1 节", 14)]
    assert not references_in("D2L §9.7 and section 1.2 of the notes", True)
