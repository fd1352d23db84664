"""Every page read as a reader reads it, at 390 px (a phone) and 1280 px, in
the light and the dark palette:

- axe-core (tools/npm, pinned; WCAG 2.0/2.1/2.2 A and AA and best practice)
  finds no violation;
- no page scrolls sideways, and no equation number is drawn over its
  formula (tools/build_math.py renders the math; docs/stylesheets/extra.css
  puts the number after the formula, or under it on a phone);
- every chapter has previous/next links at its foot.

Pages load a few at a time in parallel contexts of one browser.
"""

import pathlib

import pytest
from conftest import unavailable

AXE = pathlib.Path(__file__).resolve().parents[2] / "tools" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN = """async (tags) => (await axe.run(document, {
  runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]
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
  return {overlaps, sideways: root.scrollWidth - root.clientWidth,
          tags: document.querySelectorAll(".md-content .katex-display .katex-tag").length};
}"""
VIEWS = [(390, "light"), (390, "dark"), (1280, "light"), (1280, "dark")]
PARALLEL = 4


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.is_file():
        unavailable(f"axe-core is not installed at {AXE} (nox -s browser runs npm ci in tools/npm)")
    return AXE.read_text(encoding="utf-8")


def batches(items, size=PARALLEL):
    for first in range(0, len(items), size):
        yield items[first:first + size]


@pytest.mark.parametrize("width, scheme", VIEWS, ids=[f"{w}px-{s}" for w, s in VIEWS])
def test_every_page_reads_cleanly(start_visit_at, page_paths, axe_source, width, scheme):
    problems, tags = [], 0
    for batch in batches(page_paths):
        records = [start_visit_at(path, scheme, width) for path in batch]
        try:
            for path, record in zip(batch, records):
                record.finish()
                page = record.page
                where = f"{path} at {width} px, {scheme}"
                if scheme == "light":  # the geometry is the same in both palettes
                    geometry = page.evaluate(GEOMETRY)
                    tags += geometry["tags"]
                    if geometry["sideways"] > 0:
                        problems.append(f"{where}: the page scrolls sideways by "
                                        f"{geometry['sideways']} px")
                    if geometry["overlaps"]:
                        problems.append(f"{where}: equation numbers drawn over their formula: "
                                        f"{', '.join(geometry['overlaps'])}")
                page.add_script_tag(content=axe_source)
                for violation in page.evaluate(AXE_RUN, AXE_TAGS):
                    problems.append(f"{where}: axe: {violation}")
                problems += [f"{where}: {problem}" for problem in record.problems()]
        finally:
            for record in records:
                record.context.close()
    if scheme == "light":
        assert tags > 300, f"only {tags} numbered equations seen: is the math rendered?"
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
