"""The printable edition (docs/print.md, assembled by tools/print_edition.py):
one page per language holding every other page of the nav, in nav order,
pasted together without broken ids or links.  `nox -s pdf` prints it."""

import collections
import posixpath
import re
import urllib.parse

import pytest
from sitehtml import read_page

MARKER = "<!-- rnnbook-print-edition -->"
LANGUAGE_PREFIX = {"zh": "", "en": "en/"}
SECTION = re.compile(r'<section class="rnnbook-print-chapter" id="([^"]+)">')


def anchor(url):
    return url.strip("/").replace("/", "-") or "index"


@pytest.fixture(scope="module")
def print_url(nav_pages, repo_root):
    found = [url for src, url in nav_pages
             if src.endswith(".md") and MARKER in (repo_root / "docs" / src).read_text("utf-8")]
    assert len(found) == 1, f"expected one print page in the nav, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def chapters(nav_pages, print_url):
    return [url for _, url in nav_pages if url != print_url]


def print_page(site_dir, language, print_url):
    path = site_dir / LANGUAGE_PREFIX[language] / print_url / "index.html"
    assert path.is_file(), f"{path} was not built"
    return path


@pytest.mark.parametrize("language", LANGUAGE_PREFIX)
def test_every_page_is_in_the_print_edition_in_nav_order(
        site_dir, language, print_url, chapters):
    text = print_page(site_dir, language, print_url).read_text(encoding="utf-8")
    assert MARKER not in text, "the marker was not replaced: tools/print_edition.py did not run"
    assert SECTION.findall(text) == [anchor(url) for url in chapters]


@pytest.mark.parametrize("language", LANGUAGE_PREFIX)
def test_each_chapter_keeps_its_title(site_dir, language, print_url, chapters):
    page = read_page(print_page(site_dir, language, print_url), site_dir)
    titles = [heading.text for heading in page.headings if heading.level == 1]
    for url in chapters:
        own = site_dir / LANGUAGE_PREFIX[language] / url / "index.html"
        first = next(h.text for h in read_page(own, site_dir).headings if h.level == 1)
        assert first in titles, f"{url}'s title {first!r} is not on the print page"


@pytest.mark.parametrize("language", LANGUAGE_PREFIX)
def test_ids_are_unique_and_ascii(site_dir, language, print_url):
    """Unique, and ASCII: Chromium prints links to non-ASCII ids many times
    slower (tools/print_edition.py, print_id)."""
    page = read_page(print_page(site_dir, language, print_url), site_dir)
    repeated = [name for name, count in collections.Counter(page.ids).items() if count > 1]
    assert not repeated, f"ids used more than once on the print page: {repeated[:20]}"
    other = [name for name in page.ids if not name.isascii()]
    assert not other, f"ids on the print page that are not ASCII: {other[:10]}"
    assert len(page.ids) > 500, f"only {len(page.ids)} ids on the print page"


@pytest.mark.parametrize("language", LANGUAGE_PREFIX)
def test_links_to_the_book_stay_on_the_print_page(site_dir, language, print_url, chapters):
    """A link from one chapter to another (or to one of its sections) leads to
    that chapter on the print page, not away to the chapter's own page."""
    page = read_page(print_page(site_dir, language, print_url), site_dir)
    here = "/" + LANGUAGE_PREFIX[language] + print_url
    book = {"/" + LANGUAGE_PREFIX[language] + url for url in chapters}
    leaving, inside = [], 0
    for link in page.links:
        if not link.in_content or link.tag != "a":
            continue
        parts = urllib.parse.urlsplit(link.url)
        if parts.scheme or parts.netloc:
            continue
        if not parts.path:
            inside += 1
            continue
        target = posixpath.normpath(posixpath.join(here, parts.path))
        target += "/" if not target.endswith("/") else ""
        if target in book:
            leaving.append(link.url)
    assert inside > 100, f"only {inside} links within the print page"
    assert not leaving, f"links from the print page to the book's pages: {leaving[:10]}"


@pytest.mark.parametrize("language", LANGUAGE_PREFIX)
def test_collapsed_blocks_are_open_and_styles_are_not_repeated(site_dir, language, print_url):
    text = print_page(site_dir, language, print_url).read_text(encoding="utf-8")
    closed = re.findall(r"<details\b(?![^>]*\sopen\b)[^>]*>", text)
    assert not closed, f"collapsed blocks that would not print: {closed[:5]}"
    # the notebooks' stylesheets: in one shared file (tools/page_styles.py),
    # each block once: the very file (named by its text) a notebook page links
    styles = collections.Counter(re.findall(r"<style\b[^>]*>.*?</style>", text, re.S))
    assert all(count == 1 for count in styles.values()), "a <style> block is repeated"
    shared = re.findall(r'<link rel="stylesheet" href="[^"]*/(page-[0-9a-f]+\.css)">', text)
    notebook = (site_dir / "practice" / "charlm" / "index.html").read_text(encoding="utf-8")
    assert shared and shared == re.findall(r'href="[^"]*/(page-[0-9a-f]+\.css)"', notebook), shared
    assert "stylesheets/print.css" in text
