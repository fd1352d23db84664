"""Every page read as a reader reads it, at 390 px (a phone) and 1280 px, in
the light and the dark palette:

- axe-core (tools/npm, pinned; WCAG 2.0/2.1/2.2 A and AA and best practice)
  finds no violation;
- no page scrolls sideways, and no equation number is drawn over its
  formula (tools/build_math.py renders the math; docs/stylesheets/extra.css
  puts the number after the formula, or under it on a phone);
- every chapter has previous/next links at its foot.

Pages load two at a time in parallel contexts of one browser; each is read
at both widths in the same tab (the viewport resized), once per palette.
"""

import pathlib

import pytest
from conftest import unavailable

AXE = pathlib.Path(__file__).resolve().parents[2] / "tools" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# The dark palette changes colours and nothing else (the same HTML, the same
# layout), so in it axe runs the rules about colour; in the light palette it
# runs every rule of AXE_TAGS.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
AXE_RUN = """async (runOnly) => (await axe.run(document, {
  runOnly, resultTypes: ["violations"]
})).violations.map(v => `${v.id} (${v.impact}, ${v.nodes.length}): ` +
  v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))"""

# For each display equation with a number: do the number's box and the
# formula's boxes (KaTeX's .base pieces) overlap?  Also how far the page
# scrolls sideways.
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
  const root = document.scrollingElement;
  // the header's title (the site's name) shown whole, not cut with an ellipsis
  const title = document.querySelector(".md-header__topic > .md-ellipsis");
  const titleCut = !!title && (title.scrollWidth > title.clientWidth + 1 ||
                               title.scrollHeight > title.clientHeight + 1);
  return {overlaps, titleCut, sideways: root.scrollWidth - root.clientWidth,
          tags: document.querySelectorAll(".md-content .katex-display .katex-tag").length};
}"""
WIDTHS = (1280, 390)
PARALLEL = 2  # pages at a time: axe is CPU-bound, and CI has two cores


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.is_file():
        unavailable(f"axe-core is not installed at {AXE} (nox -s browser runs npm ci in tools/npm)")
    return AXE.read_text(encoding="utf-8")


def batches(items, size=PARALLEL):
    for first in range(0, len(items), size):
        yield items[first:first + size]


def is_print_edition(path):
    return path.rstrip("/").endswith("/print")


def read_at(page, width, scheme, path, axe_source):
    """Problems of one page at one width (the page already loaded)."""
    problems = []
    where = f"{path} at {width} px, {scheme}"
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    # docs/javascripts/a11y.js re-checks the scrolling regions 150 ms after a resize
    page.wait_for_timeout(400)
    if scheme == "light":  # the geometry is the same in both palettes
        geometry = page.evaluate(GEOMETRY)
        if geometry["sideways"] > 0:
            problems.append(f"{where}: the page scrolls sideways by {geometry['sideways']} px")
        if geometry["titleCut"]:
            problems.append(f"{where}: the header's title is cut off")
        if geometry["overlaps"]:
            problems.append(f"{where}: equation numbers drawn over their formula: "
                            f"{', '.join(geometry['overlaps'])}")
    # The print edition is every chapter's HTML again on one page (185,000
    # elements, several minutes of axe per view); its chapters are checked
    # here one by one, and tests/site checks what the print hook changes.
    if not is_print_edition(path):
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(content=axe_source)
        run_only = ({"type": "tag", "values": AXE_TAGS} if scheme == "light"
                    else {"type": "rule", "values": COLOUR_RULES})
        problems += [f"{where}: axe: {v}" for v in page.evaluate(AXE_RUN, run_only)]
    return problems, geometry["tags"] if scheme == "light" else 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_reads_cleanly(start_visit_at, page_paths, axe_source, scheme):
    """Each page loads once per palette and is read at 1280 px, then at 390 px."""
    problems, tags = [], 0
    # the print edition is read once, for its layout (see read_at)
    paths = [p for p in page_paths if scheme == "light" or not is_print_edition(p)]
    for batch in batches(paths):
        records = [start_visit_at(path, scheme) for path in batch]  # at 1280 px
        try:
            for path, record in zip(batch, records):
                record.finish()
                for width in WIDTHS:
                    found, seen = read_at(record.page, width, scheme, path, axe_source)
                    problems += found
                    tags += seen
                problems += [f"{path}, {scheme}: {problem}" for problem in record.problems()]
        finally:
            for record in records:
                record.context.close()
    if scheme == "light":
        assert tags > 600, f"only {tags} numbered equations seen: is the math rendered?"
    assert not problems, "\n".join(problems)


def test_chapters_link_to_the_previous_and_the_next(visit):
    for path, previous, following in (("/rnn/bptt/", "/rnn/forward/", "/gated/lstm/"),
                                      ("/en/rnn/bptt/", "/en/rnn/forward/", "/en/gated/lstm/")):
        page = visit(path).page
        links = page.eval_on_selector_all(
            "nav.md-footer__inner a.md-footer__link",
            "links => links.map(a => [a.classList.contains('md-footer__link--prev'), "
            "new URL(a.href).pathname, a.innerText.replace(/\\s+/g, ' ').trim()])")
        found = {("previous" if is_previous else "next"): url for is_previous, url, _ in links}
        assert found.get("previous", "").endswith(previous), f"{path}: footer links {links}"
        assert found.get("next", "").endswith(following), f"{path}: footer links {links}"
        labels = " ".join(text for _, _, text in links)
        assert ("上一页" in labels or "下一页" in labels) if not path.startswith("/en/") else (
            "Previous" in labels or "Next" in labels), f"{path}: footer labels {labels!r}"
