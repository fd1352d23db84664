"""The search indexes (tools/search_index.py) and the theme's frame
(tools/site_chrome.py) as built: one lean index per language, holding prose;
pages that name their language and their search dialog and ask for no
sitemap that does not exist."""

import json
import re

from conftest import LANGUAGES

INDEX_BUDGET = 600_000  # bytes, uncompressed; the one index of both languages was 1.6 MB


def index(site_dir, prefix):
    return json.loads((site_dir / prefix / "search" / "search_index.json").read_text("utf-8"))


def test_one_lean_index_per_language(site_dir):
    for language, prefix in LANGUAGES.items():
        path = site_dir / prefix / "search" / "search_index.json"
        docs = index(site_dir, prefix)["docs"]
        assert index(site_dir, prefix)["config"]["lang"] == [language]
        assert path.stat().st_size < INDEX_BUDGET, f"{path}: {path.stat().st_size} bytes"
        locations = [doc["location"] for doc in docs]
        assert any(loc.startswith("rnn/bptt/") for loc in locations), f"{path}: no BPTT chapter"
        assert any(loc.startswith("api/") for loc in locations), f"{path}: no API reference"
        assert not [loc for loc in locations if loc.startswith(("en/", "print/"))], (
            f"{path} indexes another language or the print edition")


def test_the_index_holds_prose_not_math_or_code(site_dir):
    for prefix in LANGUAGES.values():
        for doc in index(site_dir, prefix)["docs"]:
            # inline code may quote TeX on purpose (the errata quote the notes' source)
            text = re.sub(r"<code>.*?</code>", "", doc["text"], flags=re.S)
            where = f"{prefix}{doc['location']}"
            assert "<pre>" not in text, f"{where}: a code block in the index"
            assert not re.search(r"\\\(|\\\[|\\frac|\\mathcal|\\langle", text), (
                f"{where}: TeX in the index: {text[:200]!r}")
            # rendered math would leave KaTeX's glyphs behind, e.g. the hat of
            # \hat{y} as "y^" followed by a zero-width space
            assert "^\u200b" not in text, f"{where}: rendered math in the index: {text[:200]!r}"


def test_english_pages_search_the_english_index(site_dir):
    page = (site_dir / "en" / "rnn" / "bptt" / "index.html").read_text("utf-8")
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    assert config["base"] == "../../../en/", config["base"]
    assert config["search"].endswith("workers/search.rnnbook.min.js")


def test_the_book_worker_reads_queries_as_the_index_was_written(site_dir):
    worker = (site_dir / "assets" / "javascripts" / "workers" / "search.rnnbook.min.js")
    source = worker.read_text("utf-8")
    assert "o<=t.length;o++)t.slice(s,o)in e" in source  # the whole run of characters
    assert "?r:`+${r}*`" in source  # every term required


def test_pages_fetch_the_index_only_when_search_opens(site_dir):
    """Every page runs the book's copy of the theme's bundle, in which the
    index waits for the search toggle (the browser tests see no request for
    it while a page loads, and search working once opened)."""
    bundle = site_dir / "assets" / "javascripts" / "bundle.rnnbook.min.js"
    assert 'Je("search").pipe(Re(o=>o),b(()=>t))' in bundle.read_text("utf-8")
    for path in sorted(site_dir.rglob("index.html")):
        text = path.read_text("utf-8")
        scripts = re.findall(r'<script src="([^"]*bundle[^"]*)"', text)
        assert len(scripts) == 1 and scripts[0].endswith("bundle.rnnbook.min.js"), (path, scripts)


def test_pages_declare_their_language_and_name_their_search(site_dir):
    for language, prefix in LANGUAGES.items():
        tag = {"zh": "zh-Hans", "en": "en"}[language]
        for path in sorted((site_dir / prefix).glob("*/*/index.html"))[:40] + [
                site_dir / prefix / "index.html"]:
            if language == "zh" and path.relative_to(site_dir).parts[0] == "en":
                continue
            text = path.read_text("utf-8")
            assert f'<html lang="{tag}"' in text, path
            # hreflang pairs live in sitemap.xml: Material fetches a sitemap.xml
            # next to every <link rel="alternate">, a 404 for each page
            assert not re.search(r'<link rel="alternate" href="[^"]*" hreflang', text), path
            assert re.search(r'role="dialog" aria-label="[^"]+"', text), f"{path}: unnamed search"
            current = re.findall(r'hreflang="([^"]+)" class="md-select__link" aria-current="page"',
                                 text)
            assert current == [tag], f"{path}: the language menu marks {current}"
            if language == "zh":
                for english in ("Permanent link", "Copy to Clipboard", "Made with"):
                    assert english not in text, f"{path}: English UI string {english!r}"
    sitemap = (site_dir / "sitemap.xml").read_text("utf-8")
    assert 'hreflang="zh-Hans" href="https://' in sitemap or 'hreflang="zh-Hans" href="http' in sitemap
