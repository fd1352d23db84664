"""Figures and the benchmark's tables in Chromium, as a reader meets them.

- Every figure of every page (both languages; the print edition in the
  light palette) shows exactly one image, the file of the page's palette
  (NAME.svg in the light one, NAME-dark.svg in the dark one), loaded, inside
  a link to that same file; the other palette's link is not displayed (no
  invisible stop for the keyboard); the caption is upright and smaller than
  the text.
- Every figure link answers 200 with image/svg+xml, and a tap on a phone
  opens the SVG of the palette in use.
- Chapter 7's tables, their folds opened, fit the column or scroll within
  themselves with their first column held in place, no header cell breaks
  inside a code name such as rnnbook.fast, and the page never scrolls
  sideways, at 390 and 1280 px.

Screenshots of figures in both palettes at both widths go to
artifacts/screenshots/ (figures-*.png).
"""

import pytest

from page_reader import SCHEMES, SETTLED, SHOW_ALL


@pytest.fixture(scope="session")
def figure_pages(page_paths, site_dir):
    """The pages whose HTML has a figure drawn by tools/figures/."""
    found = []
    for path in page_paths:
        html = (site_dir / path.strip("/") / "index.html").read_text(encoding="utf-8")
        if "<figure" in html and "figures/" in html:
            found.append(path)
    assert len(found) >= 14, f"only {len(found)} pages with figures: {found}"
    return found


@pytest.fixture(scope="session")
def figure_states(page_reads, figure_pages):
    """{(page, palette): (figure states, problems)}: each page read in both
    palettes by page_reader (loaded in the light one, then switched), the
    print edition in the light one."""
    states = {}
    for path in figure_pages:
        read = page_reads[path]
        for palette, scheme in SCHEMES.items():
            if palette not in read.figures:  # the print edition: light only
                continue
            problems = []
            if read.palettes.get(palette) != scheme:
                problems.append(f"the page took the palette {read.palettes.get(palette)!r}")
            states[path, palette] = (read.figures[palette], problems)
    return states


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_each_figure_shows_its_palettes_file_inside_a_link_to_it(figure_states, scheme):
    problems, count = [], 0
    suffix = "-dark.svg#only-dark" if scheme == "dark" else ".svg#only-light"
    for (path, shown_in), (figures, visit_problems) in sorted(figure_states.items()):
        if shown_in != scheme:
            continue
        problems += [f"{path}: {problem}" for problem in visit_problems]
        if not figures:
            problems.append(f"{path}: no figure found")
        for figure in figures:
            count += 1
            name = figure["images"][0]
            if len(figure["shown"]) != 1:
                problems.append(f"{path} {name}: {len(figure['shown'])} images shown, not 1")
                continue
            shown = figure["shown"][0]
            if not shown["src"].endswith(suffix) or (
                    scheme == "light" and shown["src"].endswith("-dark.svg#only-light")):
                problems.append(f"{path}: shows {shown['src']} in the {scheme} palette")
            if not shown["loaded"]:
                problems.append(f"{path}: {shown['src']} did not load")
            if shown["link"] != shown["url"]:
                problems.append(f"{path}: {shown['src']} links to {shown['link']}, not itself")
            displayed = [link for link in figure["links"] if link["displayed"]]
            if len(displayed) != 1:
                problems.append(f"{path} {name}: {len(displayed)} links displayed, not 1")
            caption = figure["caption"]
            if caption is None:
                problems.append(f"{path} {name}: no <figcaption>")
            elif caption["italic"] or not caption["smaller"]:
                problems.append(f"{path} {name}: caption {caption['text']!r} is italic "
                                "or not smaller than the text")
    assert count >= 17 * 2, f"only {count} figures seen in the {scheme} palette"
    assert not problems, "\n".join(problems)


def test_every_figure_link_serves_the_svg(figure_states, start_visit_at):
    links = sorted({link["href"] for figures, _ in figure_states.values()
                    for figure in figures for link in figure["links"]})
    assert any(link.endswith("-dark.svg") for link in links), links
    record = start_visit_at("/")
    try:
        record.finish()
        wrong = []
        for link in links:
            response = record.page.request.get(link)
            kind = response.headers.get("content-type", "")
            body = response.body()
            if response.status != 200 or not kind.startswith("image/svg+xml") or b"<svg" not in body:
                wrong.append(f"{link}: HTTP {response.status}, {kind}")
    finally:
        record.context.close()
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_a_tap_on_a_phone_opens_the_figure_full_size(browser, server, site_path, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(server + "/rnn/model/", wait_until="load")
        # figure 1.2, brought on screen first: the browser skips blocks far
        # from it (content-visibility), and Playwright counts them as hidden
        figure = page.locator("article figure").nth(1)
        figure.scroll_into_view_if_needed()
        link = figure.locator("a:visible")
        shown = link.locator("img")
        width = shown.evaluate("i => i.getBoundingClientRect().width")
        natural = shown.evaluate("i => i.naturalWidth")
        assert width < natural, "on a phone the figure is shown smaller than its full size"
        link.scroll_into_view_if_needed()
        with page.expect_navigation() as navigation:
            link.tap()
        response = navigation.value
        expected = "/figures/mlp-dark.svg" if scheme == "dark" else "/figures/mlp.svg"
        assert site_path(page.url) == expected
        assert response.status == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
    finally:
        context.close()


TABLE_STATE = r"""() => {
  const article = document.querySelector("article");
  const column = article.getBoundingClientRect();
  return [...article.querySelectorAll("table")].map(table => {
    let node = table;
    while (node !== article && !(node.scrollWidth > node.clientWidth + 1
           && ["auto", "scroll"].includes(getComputedStyle(node).overflowX))) {
      node = node.parentElement;
    }
    const scroller = node === article ? null : node;
    const first = table.querySelector("tbody tr td");
    const before = first.getBoundingClientRect().left;
    let held = null;
    if (scroller) {
      const left = scroller.getBoundingClientRect().left;
      scroller.scrollLeft = 200;
      held = Math.abs(first.getBoundingClientRect().left - left) <= 1;
      scroller.scrollLeft = 0;
    }
    // a scrolling wrapper may reach into the page's margins, not past the screen
    const box = (scroller || table).getBoundingClientRect();
    return {
      header: table.querySelector("th:last-child").textContent.trim(),
      fits: scroller ? box.left >= -1 && box.right <= innerWidth + 1 : box.right <= column.right + 1,
      scrolls: !!scroller,
      held: held,
      sticky: getComputedStyle(first).position === "sticky",
      broken: [...table.querySelectorAll("th code")]
        .filter(code => code.getClientRects().length > 1).map(code => code.textContent),
      moved: before !== first.getBoundingClientRect().left,
    };
  });
}"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["/fast/", "/en/fast/"])
def test_benchmark_tables_fit_or_scroll_with_their_first_column_held(browser, server, path,
                                                                      width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(server + path, wait_until="load")
        folds = page.locator("article details:has(table)")
        assert folds.count() == 3, "the three long tables are folded"
        figure = page.locator("article figure").first
        figure.scroll_into_view_if_needed()  # a block far down is skipped until then
        assert "bench-ratios" in figure.locator("img:visible").get_attribute("src")
        assert figure.evaluate(
            "(f, d) => !!(f.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_FOLLOWING)",
            folds.first.element_handle()), "the ratio chart does not lead the tables"
        for index in range(folds.count()):
            folds.nth(index).locator("summary").click()
        tables = page.evaluate(TABLE_STATE)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    finally:
        context.close()
    problems = [f"the page scrolls sideways by {overflow} px"] if overflow > 0 else []
    for table in tables:
        name = f"table ending in {table['header']!r}"
        if not table["fits"]:
            problems.append(f"{name} runs out of the column")
        if width >= 1280 and table["scrolls"]:
            problems.append(f"{name} scrolls at {width} px: it should fit the column")
        if table["scrolls"] and not table["held"]:
            problems.append(f"{name} scrolls, and its first column scrolls away with it")
        if not table["sticky"]:
            problems.append(f"{name}: the first column is not held in place")
        if table["broken"]:
            problems.append(f"{name}: header code broken over lines: {table['broken']}")
    assert len(tables) >= 4, tables
    assert not problems, f"{path} at {width} px:\n" + "\n".join(problems)


SHOTS = [("bptt", "/rnn/bptt/", 0), ("fast", "/en/fast/", 0), ("mlp", "/rnn/model/", 1)]
# Whether the figure is on screen, the image its palette shows arrived, and
# in the same place two frames later; if off screen, brings it to the middle
# first.  (The page shows every block first, SHOW_ALL: a block skipped while
# far from the screen (content-visibility) takes its real height when shown,
# and the blocks shown as the page scrolled moved the figure away again.)
FIGURE_ON_SCREEN = """async (index) => {
  const figure = document.querySelectorAll("article figure")[index];
  const frames = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const box = figure.getBoundingClientRect();
  if (box.top < 0 || box.bottom > innerHeight) {
    figure.scrollIntoView({block: "center"});
    await frames();
    return false;
  }
  await frames();
  const image = [...figure.querySelectorAll("img")].find(i => i.getBoundingClientRect().width > 0);
  return !!image && image.complete && image.naturalWidth > 0 &&
         Math.abs(figure.getBoundingClientRect().top - box.top) < 1;
}"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_figures_screenshot(browser, server, screenshot, scheme, width):
    """Three figures as a reader sees them, in both palettes at both widths;
    each fits the column (no sideways scrolling)."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    try:
        page = context.new_page()
        for name, path, index in SHOTS:
            page.goto(server + path, wait_until="load")
            page.evaluate(SHOW_ALL)
            page.wait_for_function(FIGURE_ON_SCREEN, arg=index)
            page.wait_for_function(SETTLED)  # the header's title slides when scrolled
            screenshot(page, f"figures-{name}-{scheme}-{width}.png")
            overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {width} px"
    finally:
        context.close()
