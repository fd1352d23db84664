"""The built book in headless Chromium, as a reader uses it: every page in
both languages loads cleanly and offline, renders its math and stays under
the transfer budget; the language switcher leads to the twin page; search
finds the chapters' terms in both languages; the dark palette toggles and
stays on from page to page; a missing page gets the 404 page.  Screenshots of
three pages go to artifacts/screenshots/."""

import json
import re

import pytest
from page_reader import PALETTE_TOGGLE, SCHEME, SCHEMES

STUB_MARKER = "<!-- stub -->"
# What one page may transfer, everything it loads included (the HTML, styles,
# scripts, KaTeX and its fonts; the search index waits until search is
# opened): bytes as sent by a server that compresses text like GitHub Pages
# does.
TRANSFER_BUDGET = 2_000_000
LANGUAGE_PREFIX = {"zh": "/", "en": "/en/"}

RAW_MATH = ("$$", "\\(", "\\[")
INLINE_DOLLARS = re.compile(r"\$[^$\s][^$\n]*\$")


def notebook_formulas(notebook_path):
    """How many $$...$$ and $...$ the Markdown cells of a notebook hold."""
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    count = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        source = re.sub(r"`[^`]*`", "", source)  # inline code is not math
        display = re.findall(r"\$\$.+?\$\$", source, re.S)
        count += len(display)
        source = re.sub(r"\$\$.+?\$\$", "", source, flags=re.S)
        count += len(INLINE_DOLLARS.findall(source))
    return count


@pytest.fixture(scope="session")
def transfer_report(screenshots):
    """Collects each page's transfer; written to artifacts/transfer-sizes.txt."""
    rows = {}
    yield rows
    lines = [f"{'sent':>10} {'decoded':>10}  page (budget {TRANSFER_BUDGET} bytes sent)"]
    lines += [f"{sent:>10} {decoded:>10}  {path}" for path, (sent, decoded) in sorted(rows.items())]
    (screenshots.parent / "transfer-sizes.txt").write_text("\n".join(lines) + "\n", "utf-8")


def check_page(read, site_dir, site_path):
    """(problems, bytes sent, bytes decoded) of a page read by page_reader."""
    state = read.math
    problems = list(read.problems)

    if read.status != 200:
        problems.append(f"HTTP {read.status}")
    if state["arithmatex"] != state["rendered"] or state["failed"]:
        problems.append(
            f"{state['rendered']} of {state['arithmatex']} formulas rendered, "
            f"{state['failed']} failed"
        )
    if state["tags"] != state["tagsWritten"]:
        problems.append(f"{state['tags']} equation tags shown, {state['tagsWritten']} written")
    raw = [marker for marker in RAW_MATH if marker in state["text"]]
    if raw:
        problems.append(f"raw math delimiters left in the text: {raw}")
    if state["notebook"]:
        sources = [site_dir / site_path(href).lstrip("/") for href in state["downloads"]]
        if not sources or not all(source.is_file() for source in sources):
            problems.append(f"notebook page without a downloadable .ipynb ({state['downloads']})")
        else:
            expected = sum(notebook_formulas(source) for source in sources)
            if state["notebookMath"] != expected:
                problems.append(
                    f"notebook: {state['notebookMath']} formulas rendered, {expected} in the cells"
                )
        leftover = INLINE_DOLLARS.findall(state["text"])
        if leftover:
            problems.append(f"notebook math left raw: {leftover[:5]}")

    rows = read.transfer
    sent = sum(row[0] for row in rows)
    if sent > TRANSFER_BUDGET:
        biggest = sorted(rows, reverse=True)[:5]
        problems.append(f"transfers {sent} bytes, over the budget of {TRANSFER_BUDGET}: "
                        + ", ".join(f"{url} {size}" for size, _, url in biggest))
    if not read.scripts:
        problems.append("no script was loaded: the request log sees nothing")
    if read.index_requested:
        problems.append("the search index was fetched as the page loaded, before search opened")
    skipped, paragraphs = read.skippable
    if skipped != paragraphs:
        problems.append(f"{paragraphs - skipped} of {paragraphs} paragraphs are laid out even "
                        "far from the screen (content-visibility)")
    return problems, sent, sum(row[1] for row in rows)


@pytest.fixture(scope="session")
def page_checks(page_reads, site_dir, site_path, transfer_report):
    """check_page of every page of the site (each read once by page_reader)."""
    results = {}
    for path, read in page_reads.items():
        results[path] = check_page(read, site_dir, site_path)
        transfer_report[path] = results[path][1:]
    return results


def test_page_loads_offline_renders_its_math_within_budget(page_checks, page_path):
    assert page_path in page_checks, f"{page_path} was not opened"
    problems = page_checks[page_path][0]
    assert not problems, f"{page_path}:\n" + "\n".join(problems)


def test_every_page_is_visited_in_both_languages(nav_pages, page_paths):
    missing = [prefix + url for _, url in nav_pages for prefix in LANGUAGE_PREFIX.values()
               if prefix + url not in page_paths]
    assert not missing, f"pages of the nav that the browser tests do not open: {missing}"


def test_language_switcher_links_every_page_to_its_twin(page_reads, nav_pages, site_path):
    """On every page of the nav in both languages, as Chromium shows it, the
    selector's English link leads to the English twin and its Chinese link
    to the Chinese one."""
    problems = []
    for _, url in nav_pages:
        twins = {"zh": "/" + url, "en": "/en/" + url}
        for shown in twins.values():
            links = {lang.split("-")[0]: site_path(href)
                     for lang, href in page_reads[shown].languages}
            if links != twins:
                problems.append(f"{shown}: the language links lead to {links}, not {twins}")
    assert not problems, "\n".join(problems)


# Pages whose language links are clicked, one of each kind: the landing
# page, a chapter, a notebook, the API reference, an appendix.
CLICKED = ["", "rnn/bptt/", "practice/charlm/", "api/", "appendix/glossary/"]


def test_language_switcher_lands_on_the_twin(start_visit_at, nav_pages, site_path):
    """The selector's English link, clicked as a reader clicks it (the menu
    opened by hovering), opens the English twin, and its Chinese link leads
    back.  One page of each kind; the links of every page are checked above,
    and in tests/site without a browser."""
    assert set(CLICKED) <= {url for _, url in nav_pages}, CLICKED
    chains = [("/" + url, "/en/" + url) for url in CLICKED]
    problems = []
    records = [start_visit_at(zh) for zh, _ in chains]
    try:
        for record in records:
            record.page.wait_for_load_state("domcontentloaded")
        going = list(zip(chains, records))
        for step, target_lang in ((1, "en"), (0, "zh")):
            for _, record in going:
                record.page.hover(".md-header__option .md-select")
                before = record.page.url
                record.page.click(f"a.md-select__link[hreflang|={target_lang}]",
                                  no_wait_after=True)
                record.left = before
            arrived = []
            for pair, record in going:
                page, left = record.page, record.left
                page.wait_for_url(lambda url, left=left: url != left,
                                  wait_until="domcontentloaded")
                landed = site_path(page.url)
                lang = page.evaluate("document.documentElement.lang")
                if landed != pair[step] or not lang.startswith(target_lang):
                    problems.append(f"{pair[0]}: the {target_lang} link led to {landed} "
                                    f"(lang={lang}), expected {pair[step]}")
                else:
                    arrived.append((pair, record))
            going = arrived
        for record in records:
            record.finish()
            problems += record.problems()
    finally:
        for record in records:
            record.context.close()
    assert not problems, "\n".join(problems)


def search(page, query, site_path):
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # Material searches on keyup; fill() types no key
    page.wait_for_selector(".md-search-result__item a", timeout=15_000)
    return [
        site_path(href)
        for href in page.eval_on_selector_all(
            ".md-search-result__item a", "links => links.map(a => a.href)"
        )
    ]


def is_written(site_dir, url):
    page = site_dir / url.strip("/") / "index.html"
    return page.is_file() and STUB_MARKER not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "start, query, expected",
    [
        ("/rnn/bptt/", "反向传播", "/rnn/bptt/"),
        ("/", "反向传播", "/rnn/bptt/"),
        ("/", "forget gate", "/gated/lstm/"),
        ("/rnn/bptt/", "梯度消失", "/rnn/bptt/"),
        ("/", "遗忘门", "/gated/lstm/"),
        ("/en/rnn/bptt/", "backpropagation", "/en/rnn/bptt/"),
        ("/en/", "forget gate", "/en/gated/lstm/"),
    ],
)
def test_search_finds_the_chapter(visit, site_dir, site_path, start, query, expected):
    if not is_written(site_dir, expected):
        pytest.skip(f"{expected} is still a stub: nothing to search for yet")
    record = visit(start)
    found = search(record.page, query, site_path)
    # the first result is the page itself (its title); the sections follow
    assert found and found[0] == expected, f"searching {query!r} from {start} found {found}"
    language = "/en/" if start.startswith("/en/") else "/"
    others = [url for url in found if url.startswith("/en/") != (language == "/en/")]
    assert not others, f"searching from {start} found pages of the other language: {others}"
    assert not record.problems(), "\n".join(record.problems())


BACKGROUND = "getComputedStyle(document.body).backgroundColor"


def test_dark_palette_toggles_and_persists_across_pages(visit, site_path):
    record = visit("/rnn/model/")
    page = record.page
    assert page.evaluate(SCHEME) == "default"
    light = page.evaluate(BACKGROUND)
    page.click(PALETTE_TOGGLE)
    page.wait_for_function(f"{SCHEME} === 'slate'")
    assert page.evaluate(BACKGROUND) != light
    # to the next chapter through the navigation, as a reader goes
    with page.expect_navigation():
        page.click(".md-sidebar--primary a.md-nav__link[href='../forward/']")
    page.wait_for_load_state("load")
    assert site_path(page.url) == "/rnn/forward/"
    assert page.evaluate(SCHEME) == "slate", "the dark palette is lost on the next page"
    assert page.evaluate(BACKGROUND) != light
    page.goto(page.url.replace("/rnn/forward/", "/gated/lstm/"), wait_until="load")
    assert page.evaluate(SCHEME) == "slate", "the dark palette is lost on another page"
    # and back to light
    page.click(PALETTE_TOGGLE)
    page.wait_for_function(f"{SCHEME} === 'default'")
    page.reload(wait_until="load")
    assert page.evaluate(SCHEME) == "default"
    assert not record.problems(), "\n".join(record.problems())


SCREENSHOTS = [
    # (file, page, palette, what to scroll to)
    ("equations-rnn-bptt.png", "/rnn/bptt/", "light", ".katex-display .katex-tag"),
    ("notebook-quickstart.png", "/en/notebooks/quickstart/", "light", ".jupyter-wrapper .katex"),
    ("dark-gated-lstm.png", "/gated/lstm/", "dark", ".katex-display"),
]


@pytest.mark.parametrize("name, path, scheme, target", SCREENSHOTS, ids=[s[0] for s in SCREENSHOTS])
def test_screenshot(visit, screenshot, name, path, scheme, target):
    """Three pages as a reader sees them: equations, a notebook, the dark palette
    (the reader's system preference chooses it)."""
    record = visit(path, color_scheme=scheme)
    page = record.page
    assert page.evaluate(SCHEME) == SCHEMES[scheme]
    element = page.locator(target).first
    element.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -200)")
    page.evaluate("document.fonts.ready.then(() => true)")
    screenshot(page, name)
    assert not record.problems(), "\n".join(record.problems())


@pytest.mark.parametrize("missing", ["/no/such/page/", "/en/no/such/page/"])
def test_missing_page_gets_the_404_page(visit, site_path, missing):
    record = visit(missing)
    page = record.page
    assert record.status == 404
    title = page.inner_text("article h1")
    assert "404" in title and "Page not found" in title and "找不到" in title
    problems = [problem for problem in record.problems() if missing not in problem]
    assert not problems, "the 404 page is broken:\n" + "\n".join(problems)
    # styled by the site's stylesheet, whatever the depth of the address
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in (
        "sticky", "fixed")
    with page.expect_navigation():
        page.click("article a[hreflang=en]")
    assert site_path(page.url) == "/en/"
    assert page.evaluate("document.documentElement.lang") == "en"
