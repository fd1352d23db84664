"""Every page of the built site read once, as a reader reads it.

The browser tests that look at every page share one pass over the site
(the ``page_reads`` fixture in conftest.py):

- test_site_in_chromium: the page loads offline, its math is rendered, its
  transfer stays in budget;
- test_figures_in_chromium: each figure shows its palette's file;
- test_reading_in_chromium: axe-core finds nothing, no sideways scrolling,
  no equation number over its formula.

Each page is loaded once, in the light palette at 1280 px, read there and at
390 px, switched to the dark palette with the header's toggle (as a reader
switches it), and read at 390 and 1280 px again: four views, one load (the
print edition, every chapter again on one page, in one: PRINT_VIEWS).

What takes seconds, axe-core above all, runs in the page's renderer, one
core each.  PARALLEL threads, each with a Chromium of its own (Playwright's
sync API serves the thread that started it), take the pages one at a time
from one queue, largest first, so that every core stays busy until the last
page: no thread waits for another's page to finish.  conftest.py starts the
pass in the background when the session starts, and the tests that do not
need it run meanwhile.
"""

import collections
import dataclasses
import os
import pathlib
import threading
import time

AXE = (pathlib.Path(__file__).resolve().parents[2]
       / "tools" / "npm" / "node_modules" / "axe-core" / "axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# The dark palette changes colours and nothing else (the same HTML, the same
# layout), so in it axe runs the rules about colour; in the light palette it
# runs every rule of AXE_TAGS.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
AXE_RUN = """async (options) => (await axe.run(document, {
  ...options, resultTypes: ["violations"]
})).violations.map(v => `${v.id} (${v.impact}, ${v.nodes.length}): ` +
  v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))"""

# The views of a page, in the order they are read: (palette, width).
VIEWS = [("light", 1280), ("light", 390), ("dark", 390), ("dark", 1280)]
# The print edition is read in one: every chapter's HTML again on one page
# (185,000 elements: each resize or palette switch takes seconds), whose
# chapters are read in every view one by one; tests/site checks what the
# print hook changes, and nox -s pdf prints it.
PRINT_VIEWS = [("light", 1280)]
SCHEMES = {"light": "default", "dark": "slate"}  # palette -> data-md-color-scheme
PARALLEL = int(os.environ.get("RNNBOOK_READ_PARALLEL", "2"))  # pages at a time: CI has two cores

# The math of a page: how many formulas, how many rendered, the equation
# numbers shown and written, the notebook's downloads, and the text without
# math and code (where no raw delimiter may be left).
MATH_STATE = r"""() => {
  const article = document.querySelector("article") || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll(".katex, pre, code, script, style").forEach(e => e.remove());
  return {
    arithmatex: article.querySelectorAll(".arithmatex").length,
    rendered: article.querySelectorAll(".arithmatex .katex").length,
    failed: article.querySelectorAll(".arithmatex[data-katex=error], .katex-error").length,
    notebook: !!article.querySelector(".jupyter-wrapper"),
    notebookMath: article.querySelectorAll(".jupyter-wrapper .katex").length,
    tags: article.querySelectorAll(".katex .katex-tag, .katex .tag").length,
    tagsWritten: [...article.querySelectorAll(".katex-mathml annotation")]
      .map(a => (a.textContent.match(/\\tag\*?\{/g) || []).length)
      .reduce((x, y) => x + y, 0),
    downloads: [...article.querySelectorAll("a.rnnbook-notebook-download")].map(a => a.href),
    text: clone.textContent,
  };
}"""

# Each figure drawn by tools/figures/: its images, the one shown, its links,
# its caption.
FIGURE_STATE = r"""() => {
  const article = document.querySelector("article");
  const bodySize = parseFloat(getComputedStyle(article.querySelector("p") || article).fontSize);
  return [...article.querySelectorAll("figure")].filter(f => f.querySelector("img")).map(f => {
    const images = [...f.querySelectorAll("img")];
    const shown = images.filter(i => i.getBoundingClientRect().width > 0);
    const caption = f.querySelector("figcaption");
    const style = caption && getComputedStyle(caption);
    return {
      images: images.map(i => i.getAttribute("src")),
      shown: shown.map(i => ({
        src: i.getAttribute("src"), url: i.src.split("#")[0],
        loaded: i.complete && i.naturalWidth > 0,
        link: i.closest("a") && i.closest("a").href,
      })),
      links: [...f.querySelectorAll("a")].map(a => ({
        href: a.href, displayed: getComputedStyle(a).display !== "none",
      })),
      caption: caption && {
        text: caption.textContent.slice(0, 30), italic: style.fontStyle !== "normal",
        smaller: parseFloat(style.fontSize) < bodySize,
      },
    };
  });
}"""

# For each display equation with a number: do the number's box and the
# formula's boxes (KaTeX's .base pieces) overlap?  Which display equations
# are wider than the column?  Does the header's title show whole?  How far
# does the page scroll sideways?
GEOMETRY = """() => {
  const overlaps = [];
  const boxes = (element) => [...element.getClientRects()];
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
                         a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  document.querySelectorAll(".md-content .katex-display .katex-html").forEach(html => {
    const tag = html.querySelector(":scope > .katex-tag");
    if (!tag) return;
    const tagBox = tag.getBoundingClientRect();
    const formula = [...html.querySelectorAll(":scope > .base")].flatMap(boxes);
    if (formula.some(box => meet(box, tagBox))) {
      overlaps.push(tag.textContent.trim());
    }
  });
  // display equations wider than the column (they scroll within their box)
  const wide = [...document.querySelectorAll(".md-content .arithmatex")]
    .filter(box => box.querySelector(".katex-display") && box.scrollWidth > box.clientWidth + 1)
    .map(box => (box.querySelector(".katex-tag") || {}).textContent ||
                box.querySelector("annotation").textContent.slice(0, 40));
  const root = document.scrollingElement;
  const title = document.querySelector(".md-header__topic > .md-ellipsis");
  const titleCut = !!title && (title.scrollWidth > title.clientWidth + 1 ||
                               title.scrollHeight > title.clientHeight + 1);
  return {overlaps, wide, titleCut, sideways: root.scrollWidth - root.clientWidth,
          tags: document.querySelectorAll(".md-content .katex-display .katex-tag").length};
}"""

# A view's reading: the geometry (in the light palette) and axe.
READ_VIEW = f"""async ([axeOptions, measure]) => ({{
  geometry: measure ? ({GEOMETRY})() : null,
  axe: axeOptions ? await ({AXE_RUN})(axeOptions) : null,
}})"""

# The blocks of the text are skipped while far from the screen
# (content-visibility, docs/stylesheets/extra.css), and a skipped block
# measures as a placeholder: geometry and axe see every block shown, as a
# reader sees each one on reaching it, and a11y.js marks the scrolling
# regions again with every block shown (the window's resize event; SCROLLERS_
# MARKED waits for it).  test_reading_in_chromium checks that a block shown by
# scrolling to it gets its regions marked.
SHOW_ALL = """() => {
  if (document.getElementById("rnnbook-show-all")) return;
  const style = document.createElement("style");
  style.id = "rnnbook-show-all";
  style.textContent = "* { content-visibility: visible !important; }";
  document.head.append(style);
  window.rnnbookScrollersWidth = null;
  window.dispatchEvent(new Event("resize"));
}"""
# how many of the text's paragraphs past its first blocks the browser may
# skip, of how many
SKIPPABLE = """() => {
  const paragraphs = [...document.querySelectorAll(".md-content__inner > p:nth-child(n+8)")];
  return [paragraphs.filter(p => getComputedStyle(p).contentVisibility === "auto").length,
          paragraphs.length];
}"""

# docs/javascripts/a11y.js notes the width at which it last marked the
# scrolling regions (it re-checks 150 ms after a resize).
SCROLLERS_MARKED = "() => window.rnnbookScrollersWidth === window.innerWidth"
# after a resize the theme slides its drawer out of view (a CSS transition):
# axe would see it half way
SETTLED = "() => document.getAnimations().every(a => a.playState !== 'running')"
SCHEME = "document.body.getAttribute('data-md-color-scheme')"
PALETTE_TOGGLE = "form[data-md-component=palette] label:not([hidden])"  # the header's
# every figure image the palette shows has arrived
FIGURES_LOADED = """() => [...document.querySelectorAll("article figure img")]
  .filter(i => i.getBoundingClientRect().width > 0).every(i => i.complete)"""


def is_print_edition(path):
    return path.rstrip("/").endswith("/print")


@dataclasses.dataclass
class Read:
    """What one page showed: taken in its light view at 1280 px unless said."""

    path: str
    status: int = None
    problems: list = dataclasses.field(default_factory=list)  # of the visit (Visit.problems)
    math: dict = None  # MATH_STATE
    transfer: list = None  # Visit.transfer() once loaded
    scripts: bool = False  # some .js was requested
    figures: dict = dataclasses.field(default_factory=dict)  # palette -> FIGURE_STATE
    palettes: dict = dataclasses.field(default_factory=dict)  # palette -> data-md-color-scheme
    languages: list = None  # [(hreflang, href)] of the language selector
    index_requested: bool = False  # the search index was fetched while the page loaded
    skippable: list = None  # SKIPPABLE
    views: dict = dataclasses.field(default_factory=dict)  # (palette, width) -> READ_VIEW's result
    seconds: dict = dataclasses.field(default_factory=dict)  # step -> wall time it took:
    # load, then per view its change (resize, palette) and its read (READ_VIEW)


def page_size(site_dir, path):
    page = pathlib.Path(site_dir) / path.strip("/") / "index.html"
    return page.stat().st_size if page.is_file() else 0


def change_view(page, palette, width):
    """Resize the window and click the header's palette toggle (as a reader
    switches palettes) to reach a view; wait_for_view waits for the result."""
    height = 844 if width < 600 else 900
    if page.viewport_size != {"width": width, "height": height}:
        page.set_viewport_size({"width": width, "height": height})
    if page.evaluate(SCHEME) != SCHEMES[palette]:
        page.click(PALETTE_TOGGLE)


def wait_for_view(page, palette):
    page.evaluate(SHOW_ALL)  # once per page: the first view's marks are made again
    page.wait_for_function(f"{SCHEME} === '{SCHEMES[palette]}'")
    page.wait_for_function(SCROLLERS_MARKED)
    page.wait_for_function(SETTLED)
    page.wait_for_function(FIGURES_LOADED)


def axe_rules(path, palette):
    """What axe runs in a view (READ_VIEW's axe options), None for no axe run."""
    if is_print_edition(path):
        # The print edition is every chapter's HTML again on one page (185,000
        # elements), with its collapsed blocks open, which no chapter page
        # shows axe, and a contents list of its own: every rule but the
        # colour ones (they measure every element's place and colours, minutes
        # here; the chapters' colours are checked on their own pages).
        if palette != "light":
            return None
        return {"runOnly": {"type": "tag", "values": AXE_TAGS},
                "rules": {rule: {"enabled": False} for rule in COLOUR_RULES}}
    if palette == "light":
        return {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    return {"runOnly": {"type": "rule", "values": COLOUR_RULES}}


def first_look(record, path, axe_source):
    """The Read of a page just loaded (light palette, 1280 px)."""
    record.finish()
    page = record.page
    read = Read(path=path, status=record.status)
    read.math = page.evaluate(MATH_STATE)
    read.transfer = record.transfer()
    read.scripts = any(url.split("?")[0].endswith(".js") for url in record.requests)
    read.index_requested = any(url.split("?")[0].endswith("search_index.json")
                               for url in record.requests)
    read.skippable = page.evaluate(SKIPPABLE)
    read.palettes["light"] = page.evaluate(SCHEME)
    if axe_rules(path, "light") is not None:
        page.add_script_tag(content=axe_source)
    read.languages = page.eval_on_selector_all(
        "a.md-select__link[hreflang]", "links => links.map(a => [a.hreflang, a.href])")
    return read


def views_of(path):
    return PRINT_VIEWS if is_print_edition(path) else VIEWS


def read_page(record, path, axe_source):
    """The Read of the page that record is loading, read in each of its views."""
    clock = time.perf_counter()
    read = first_look(record, path, axe_source)
    read.seconds["load"] = time.perf_counter() - clock
    page = record.page
    for palette, width in views_of(path):
        view = f"{palette} {width}"
        clock = time.perf_counter()
        change_view(page, palette, width)
        wait_for_view(page, palette)
        read.seconds[f"{view} change"] = time.perf_counter() - clock
        clock = time.perf_counter()
        # the geometry is the same in both palettes
        read.views[palette, width] = page.evaluate(
            READ_VIEW, [axe_rules(path, palette), palette == "light"])
        read.seconds[f"{view} read"] = time.perf_counter() - clock
        if palette not in read.figures:
            read.palettes[palette] = page.evaluate(SCHEME)
            read.figures[palette] = page.evaluate(FIGURE_STATE)
    read.problems = record.problems()
    return read


def read_pages(open_browser, start_visit, paths, site_dir, axe_source, parallel=PARALLEL):
    """{path: Read} of every page of paths, each read in its views.

    open_browser() is a context manager giving a Chromium browser;
    start_visit(browser, path) opens a page in a fresh context of it and
    returns its Visit (conftest.py).  One thread per browser, `parallel` of
    them, takes the pages from one queue, largest first (the longest reads
    start first, so that none is left alone at the end).
    """
    queue = collections.deque(sorted(paths, key=lambda path: (-page_size(site_dir, path), path)))
    reads, failures = {}, []

    def reader():
        try:
            with open_browser() as browser:
                while True:
                    try:
                        path = queue.popleft()  # deque: safe between threads
                    except IndexError:
                        return
                    record = start_visit(browser, path)
                    try:
                        reads[path] = read_page(record, path, axe_source)
                    finally:
                        record.context.close()
        except BaseException as error:  # stops the other readers too
            failures.append(error)
            queue.clear()

    threads = [threading.Thread(target=reader, name=f"page-reader-{n}")
               for n in range(max(1, parallel))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return reads
