"""What publishing on GitHub Pages needs from the built site: a sitemap whose
URLs start with site_url, listing every page in both languages with its
twin, and a 404 page that serves both languages from any depth."""

import gzip
import re
import urllib.parse

import pytest
from sitehtml import CJK, read_page, site_url, sitemap_locations

LANGUAGE_PREFIX = {"zh": "", "en": "en/"}
HREFLANG = {"zh": "zh-Hans", "en": "en"}  # the book is in simplified characters


@pytest.fixture(scope="module")
def url(site_dir):
    return site_url(site_dir)


def test_site_url_is_set(url):
    parts = urllib.parse.urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc, f"site_url is {url!r}"
    assert url.endswith("/")


def test_sitemap_lists_every_page_in_both_languages_with_its_twin(site_dir, nav_pages, url):
    entries = dict(sitemap_locations(site_dir))
    for _, page in nav_pages:
        twins = {HREFLANG[language]: url + prefix + page
                 for language, prefix in LANGUAGE_PREFIX.items()}
        for language, loc in twins.items():
            assert loc in entries, f"{loc} is not in sitemap.xml"
            assert entries[loc] == twins, f"{loc}: alternates {entries[loc]}, expected {twins}"


def test_compressed_sitemap_matches(site_dir):
    plain = (site_dir / "sitemap.xml").read_bytes()
    assert gzip.decompress((site_dir / "sitemap.xml.gz").read_bytes()) == plain


def test_404_page_serves_both_languages(site_dir, url):
    path = site_dir / "404.html"
    assert path.is_file(), "no 404.html at the site's root (GitHub Pages serves it)"
    page = read_page(path, site_dir)
    text = path.read_text(encoding="utf-8")
    h1 = [heading.text for heading in page.headings if heading.level == 1]
    assert len(h1) == 1 and "404" in h1[0] and CJK.search(h1[0]) and "not found" in h1[0]
    base = urllib.parse.urlsplit(url).path
    homes = {link.url for link in page.links if link.in_content and link.tag == "a"}
    assert {base, base + "en/"} <= homes, f"404.html links {homes}, not both home pages"
    assert 'lang="en"' in text, "the English text of 404.html is not marked lang=en"


def test_404_page_works_at_any_depth(site_dir, url):
    """Pages serves /404.html for /en/a/b/ too: its links and assets must not be
    relative."""
    base = urllib.parse.urlsplit(url).path
    page = read_page(site_dir / "404.html", site_dir)
    relative = [link.url for link in page.links
                if not re.match(r"^(?:[a-z]+:|/|#)", link.url, re.I)]
    assert not relative, f"relative URLs in 404.html: {relative[:10]}"
    local = [link.url for link in page.links if link.url.startswith("/")]
    assert local and all(link.startswith(base) for link in local), (
        f"404.html links outside {base}: {[u for u in local if not u.startswith(base)]}"
    )
