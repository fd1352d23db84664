"""Checks on the built site (site/, or $RNNBOOK_SITE_DIR): run after
`mkdocs build --strict` by `nox -s docs`.

What a strict build does not catch: a resource fetched from outside, a page
missing in one language, a notebook copied as raw JSON instead of rendered,
a wrong <html lang>, a language switcher that leads elsewhere, and a search
index in which the book's Chinese terms are not words.
"""

import functools
import html.parser
import json
import posixpath
import re

import pytest

LANGUAGE_PREFIX = {"zh": "", "en": "en/"}
STUB_MARKER = "<!-- stub -->"

# <link rel=...> values that make the browser fetch the href
FETCHING_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
    "font",
}
# element -> attributes that the browser fetches
FETCHING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "track": ("src",),
    "input": ("src",),
}
REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.S)
CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", re.I)
SCRIPT_FETCH = re.compile(
    r"""(?:\bimport\s*\(|\bimportScripts\s*\(|\bfetch\s*\(|\.src\s*=)\s*['"`](?:https?:)?//""",
    re.I,
)


class _ResourceParser(html.parser.HTMLParser):
    """Collects (what, url) for everything a page makes the browser fetch."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fetched = []
        self.inline = []  # (tag, text) of <style> and <script> bodies
        self._open = None
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & FETCHING_RELS and attrs.get("href"):
                self.fetched.append((f"<link rel={attrs.get('rel')}>", attrs["href"]))
        for name in FETCHING_ATTRIBUTES.get(tag, ()):
            value = attrs.get(name)
            if not value:
                continue
            urls = [part.split()[0] for part in value.split(",") if part.split()]
            if name != "srcset":
                urls = [value]
            for url in urls:
                self.fetched.append((f"<{tag} {name}>", url))
        if attrs.get("style"):
            self.inline.append(("style attribute", attrs["style"]))
        if tag in ("style", "script") and not attrs.get("src"):
            self._open = [tag, ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if self._open is not None and tag == self._open[0]:
            self.inline.append(tuple(self._open))
            self._open = None


@functools.lru_cache(maxsize=None)  # two tests read every page: parse each once
def parse(path):
    parser = _ResourceParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def css_remote_references(css):
    found = []
    for match in CSS_URL.finditer(css):
        url = match.group(2).strip()
        if REMOTE.match(url):
            found.append(f"url({url})")
    for match in CSS_IMPORT.finditer(css):
        if REMOTE.match(match.group(1)):
            found.append(f"@import {match.group(1)}")
    return found


@pytest.fixture(scope="module")
def html_files(site_dir):
    files = sorted(site_dir.rglob("*.html"))
    assert files, f"no HTML in {site_dir}"
    return files


@pytest.fixture(scope="module")
def search_indexes(site_dir):
    """{language: the language's search index} (tools/search_index.py)."""
    indexes = {}
    for language, prefix in LANGUAGE_PREFIX.items():
        path = site_dir / prefix / "search" / "search_index.json"
        assert path.is_file(), f"no search index at {path}"
        indexes[language] = json.loads(path.read_text(encoding="utf-8"))
    return indexes


@pytest.fixture(scope="module")
def search_index(search_indexes):
    return search_indexes["zh"]


def built_page(site_dir, language, url):
    return site_dir / LANGUAGE_PREFIX[language] / url / "index.html"


def test_nothing_is_fetched_from_outside(site_dir, html_files):
    problems = []
    for path in html_files:
        parser = parse(path)
        where = path.relative_to(site_dir)
        for what, url in parser.fetched:
            if REMOTE.match(url):
                problems.append(f"{where}: {what} {url}")
        for tag, text in parser.inline:
            if tag == "script":
                problems += [f"{where}: inline script fetches {m.group(0)!r}"
                             for m in SCRIPT_FETCH.finditer(text)]
            else:
                problems += [f"{where}: inline {tag}: {ref}" for ref in css_remote_references(text)]
    for path in sorted(site_dir.rglob("*.css")):
        problems += [f"{path.relative_to(site_dir)}: {ref}"
                     for ref in css_remote_references(path.read_text(encoding="utf-8"))]
    assert not problems, "the site loads resources from outside:\n" + "\n".join(problems)


def test_measured_tables_are_pasted_in(site_dir):
    """The "making it fast" chapter pastes the harness's tables with
    pymdownx.snippets; without the extension the marker stays as text."""
    for language in LANGUAGE_PREFIX:
        page = built_page(site_dir, language, "fast")
        text = page.read_text(encoding="utf-8")
        assert "--8&lt;--" not in text and "--8<--" not in text, f"{page}: raw snippet marker"
        assert text.count("<table>") >= 3, f"{page}: the measured tables are missing"


def test_theme_fonts_are_off(html_files):
    text = html_files[0].read_text(encoding="utf-8")
    assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_every_nav_page_is_built_in_both_languages(site_dir, nav_pages):
    missing = [
        str(built_page(site_dir, language, url).relative_to(site_dir))
        for _, url in nav_pages
        for language in LANGUAGE_PREFIX
        if not built_page(site_dir, language, url).is_file()
    ]
    assert not missing, f"nav pages not built: {missing}"


def test_html_lang_matches_the_language(site_dir, html_files):
    wrong = []
    for path in html_files:
        relative = path.relative_to(site_dir).as_posix()
        lang = parse(path).lang or ""
        expected = "en" if relative.startswith("en/") else "zh"
        if lang.split("-")[0].lower() != expected:
            wrong.append(f"{relative}: lang={lang!r}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_english_pages_have_english_ui(site_dir, nav_pages):
    for _, url in nav_pages:
        zh = built_page(site_dir, "zh", url).read_text(encoding="utf-8")
        en = built_page(site_dir, "en", url).read_text(encoding="utf-8")
        assert 'placeholder="搜索"' in zh, f"{url}: zh search box not in Chinese"
        assert 'placeholder="Search"' in en, f"{url}: en search box not in English"
        assert "Recurrent neural networks" in en and "循环神经网络" in zh


def alternate_links(text):
    """{lang: href} of the header's language selector."""
    return dict(
        (lang.split("-")[0], href)  # hreflang zh-Hans: the zh pages
        for href, lang in re.findall(
            r'<a href="([^"]*)" hreflang="([^"]*)" class="md-select__link"', text
        )
    )


def test_language_switcher_leads_to_the_twin(site_dir, nav_pages):
    wrong = []
    for _, url in nav_pages:
        for language, prefix in LANGUAGE_PREFIX.items():
            page_path = posixpath.join("/", prefix, url)
            links = alternate_links(built_page(site_dir, language, url).read_text("utf-8"))
            for target, target_prefix in LANGUAGE_PREFIX.items():
                expected = posixpath.join("/", target_prefix, url)
                href = links.get(target)
                resolved = None
                if href is not None:
                    resolved = posixpath.normpath(posixpath.join(page_path, href))
                    resolved += "/" if not resolved.endswith("/") else ""
                if resolved != expected:
                    wrong.append(f"{page_path}: {target} link {href!r} -> {resolved}, "
                                 f"expected {expected}")
    assert not wrong, "\n".join(wrong)


def notebook_pages(nav_pages):
    return [(src, url) for src, url in nav_pages if src.endswith(".ipynb")]


def test_the_nav_has_a_notebook(nav_pages):
    assert notebook_pages(nav_pages), "mkdocs.yml's nav lists no notebook"


def test_notebooks_render_as_html_with_outputs(site_dir, nav_pages):
    for src, url in notebook_pages(nav_pages):
        for language in LANGUAGE_PREFIX:
            page = built_page(site_dir, language, url)
            text = page.read_text(encoding="utf-8")
            assert text.lstrip().lower().startswith("<!doctype html"), f"{page} is not HTML"
            assert 'class="jupyter-wrapper"' in text, f"{page}: no rendered notebook"
            assert "jp-OutputArea-output" in text, f"{page}: the notebook has no outputs"
            assert "Traceback" not in text and "jp-OutputArea-stderr" not in text, (
                f"{page}: a cell failed or wrote to stderr"
            )
            raw = site_dir / LANGUAGE_PREFIX[language] / src
            assert not raw.exists(), f"{raw} was copied raw next to the page"


def test_notebook_code_is_highlighted_like_the_book(site_dir, nav_pages):
    """tools/mkdocs_hooks.py gives notebook code Material's highlight class, so
    it takes the book's colours, not the notebook theme's."""
    for src, url in notebook_pages(nav_pages):
        for language in LANGUAGE_PREFIX:
            text = built_page(site_dir, language, url).read_text(encoding="utf-8")
            assert 'class="highlight-ipynb' not in text, f"{language} {url}: notebook colours"
            assert 'class="highlight rnnbook-notebook-code hl-python"' in text, (
                f"{language} {url}: code cells without the book's highlight class")
            assert 'class="jp-InputPrompt' not in text, f"{language} {url}: In [ ]: prompts"


def test_quickstart_output_is_the_executed_one(site_dir, nav_pages):
    urls = [url for src, url in notebook_pages(nav_pages) if src.endswith("quickstart.ipynb")]
    assert urls, "the quick-start notebook is not in the nav"
    for language in LANGUAGE_PREFIX:
        text = built_page(site_dir, language, urls[0]).read_text(encoding="utf-8")
        assert "(5, 4, 6) (2, 4, 6)" in text, f"{language}: printed shapes not in the page"


def test_notebooks_are_downloadable(site_dir, nav_pages):
    for src, url in notebook_pages(nav_pages):
        for language, suffix in (("zh", ".ipynb"), ("en", ".en.ipynb")):
            name = posixpath.basename(src)[: -len(".ipynb")] + suffix
            page = built_page(site_dir, language, url)
            copy = page.parent / name
            assert copy.is_file(), f"{copy} missing: the notebook cannot be downloaded"
            notebook = json.loads(copy.read_text(encoding="utf-8"))
            assert notebook["nbformat"] == 4 and notebook["cells"]
            assert f'href="{name}"' in page.read_text(encoding="utf-8"), (
                f"{page} has no link to {name}"
            )


def test_katex_is_shipped_with_its_licence_and_fonts(site_dir):
    katex = site_dir / "assets" / "katex"
    for name in ("katex.min.css", "contrib/copy-tex.min.js", "LICENSE"):
        assert (katex / name).is_file(), f"{name} missing from {katex}"
    # the renderer runs when the site is built (tools/build_math.py), not in pages
    assert not (katex / "katex.min.js").exists(), "katex.min.js is shipped but no page needs it"
    css = (katex / "katex.min.css").read_text(encoding="utf-8")
    fonts = re.findall(r"url\((fonts/[^)]+)\)", css)
    assert fonts, "katex.min.css names no fonts"
    missing = sorted({font for font in fonts if not (katex / font).is_file()})
    assert not missing, f"fonts named by katex.min.css but not shipped: {missing}"
    size = sum(path.stat().st_size for path in katex.rglob("*") if path.is_file())
    assert size < 400_000, f"vendored KaTeX is {size} bytes"


def search_tokens(index, entry):
    separator = re.compile(index["config"]["separator"])
    text = re.sub(r"<[^>]+>", " ", entry["title"] + " " + entry["text"])
    return {token.lower() for token in separator.split(text) if token}


def entries_for(index, location_prefix):
    return [
        entry
        for entry in index["docs"]
        if entry["location"].split("#")[0] == location_prefix
    ]


def excluded_from_search(repo_root, src):
    """A page whose front matter says `search: exclude: true` (the print edition,
    which repeats the whole book)."""
    text = (repo_root / "docs" / src).read_text(encoding="utf-8")
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return bool(front and re.search(r"^search:\s*\n\s+exclude:\s*true\s*$", front.group(1), re.M))


def test_search_index_covers_both_languages(search_indexes, nav_pages, repo_root):
    for language, index in search_indexes.items():
        locations = {entry["location"].split("#")[0] for entry in index["docs"]}
        for src, url in nav_pages:
            if excluded_from_search(repo_root, src):
                assert url not in locations, f"{language}: {url} is in the search index"
                continue
            assert url in locations, f"{language}: {url} is not in the search index"
        assert index["config"]["pipeline"] == ["trimmer"]
        assert index["config"]["lang"] == [language]


def test_search_index_has_the_chapters_terms_as_words(site_dir, search_indexes):
    search_index, en_index = search_indexes["zh"], search_indexes["en"]
    page = built_page(site_dir, "zh", "rnn/bptt/")
    if not page.is_file() or STUB_MARKER in page.read_text(encoding="utf-8"):
        pytest.skip("docs/rnn/bptt.md is still a stub: its search terms cannot be checked yet")
    zh_tokens = set().union(*(search_tokens(search_index, e)
                              for e in entries_for(search_index, "rnn/bptt/")))
    for word in ("反向传播", "梯度消失"):
        assert word in zh_tokens, f"{word} is not a token of the bptt page in the search index"
    en_tokens = set().union(*(search_tokens(en_index, e)
                              for e in entries_for(en_index, "rnn/bptt/")))
    assert "backpropagation" in en_tokens


def test_search_index_has_the_gates_as_words(search_indexes):
    search_index, en_index = search_indexes["zh"], search_indexes["en"]
    zh_tokens = set().union(*(search_tokens(search_index, e)
                              for e in entries_for(search_index, "gated/lstm/")))
    assert "遗忘门" in zh_tokens, "遗忘门 is not a token of the LSTM page in the search index"
    en_tokens = set().union(*(search_tokens(en_index, e)
                              for e in entries_for(en_index, "gated/lstm/")))
    assert {"forget", "gate"} <= en_tokens


def test_per_language_search_indexes_agree(site_dir, search_index):
    """Where a language has its own index, it holds the same words."""
    for path in sorted(site_dir.glob("*/search/search_index.json")):
        other = json.loads(path.read_text(encoding="utf-8"))
        assert other["config"]["separator"] == search_index["config"]["separator"]


def test_no_page_carries_a_stylesheet_in_its_text(site_dir):
    """mkdocs-jupyter's 590 KB stylesheet is one shared file that every
    notebook page links (tools/page_styles.py), not text in each page."""
    linked = set()
    for path in sorted(site_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        article = text.find('<article class="md-content__inner')
        if article < 0:
            continue
        assert "<style" not in text[article:], f"{path}: a <style> block in the article"
        for href in re.findall(r'<link rel="stylesheet" href="([^"]*page-[0-9a-f]+\.css)">', text):
            target = (path.parent / href).resolve()
            assert target.is_file(), f"{path}: links {href}, missing"
            linked.add(target)
    assert len(linked) == 1, linked
    assert "jp-Notebook" in linked.pop().read_text(encoding="utf-8")
