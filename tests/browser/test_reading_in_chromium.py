"""Every page read as a reader reads it, at 390 px (a phone) and 1280 px, in
the light and the dark palette:

- axe-core (tools/npm, pinned; WCAG 2.0/2.1/2.2 A and AA and best practice)
  finds no violation: every rule in the light palette, the colour rules in
  the dark one (it changes colours only);
- no page scrolls sideways, and no equation number is drawn over its
  formula (tools/build_math.py renders the math; docs/stylesheets/extra.css
  puts the number after the formula, or under it on a phone); at 1280 px
  every display equation fits the column (the long ones are broken over
  lines);
- every chapter has previous/next links at its foot.

The pages are read once for all the browser tests (page_reader.py): loaded
in the light palette at 1280 px, read there and at 390 px, switched to the
dark palette with the header's toggle and read at both widths again.  The
print edition, every chapter again on one page with its collapsed blocks
open, is read at 1280 px in the light palette, axe running every rule but the
colour ones there (page_reader.axe_rules).
"""

import pytest
from page_reader import SCROLLERS_MARKED


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_reads_cleanly(page_reads, scheme):
    problems, tags, axe_runs = [], 0, 0
    for path, read in sorted(page_reads.items()):
        for (palette, width), view in read.views.items():
            if palette != scheme:
                continue
            where = f"{path} at {width} px, {scheme}"
            geometry = view["geometry"]
            if geometry:  # measured in the light palette: the layout is the same in both
                tags += geometry["tags"]
                if geometry["sideways"] > 0:
                    problems.append(f"{where}: the page scrolls sideways by "
                                    f"{geometry['sideways']} px")
                if geometry["titleCut"]:
                    problems.append(f"{where}: the header's title is cut off")
                # on a desktop every equation fits the column: the long ones
                # are broken over lines (aligned, gathered); on a phone some scroll
                if width >= 1280 and geometry["wide"]:
                    problems.append(f"{where}: equations wider than the column: "
                                    f"{', '.join(geometry['wide'])}")
                if geometry["overlaps"]:
                    problems.append(f"{where}: equation numbers drawn over their formula: "
                                    f"{', '.join(geometry['overlaps'])}")
            if view["axe"] is None:
                problems.append(f"{where}: axe did not run")
            else:
                axe_runs += 1
                problems += [f"{where}: axe: {violation}" for violation in view["axe"]]
    if scheme == "light":
        assert tags > 600, f"only {tags} numbered equations seen: is the math rendered?"
    assert axe_runs >= 2 * 30, f"axe ran in only {axe_runs} views"
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


# The display equations more than two screens down, tagged once.
TAG_FAR = """() => document.querySelectorAll(".md-content__inner > .arithmatex").forEach(e => {
  if (e.getBoundingClientRect().top > 2 * innerHeight) e.dataset.far = "";
})"""
# Of those: how many, whose block the browser skips (content-visibility),
# shown that scroll sideways, and shown and scrolling but not marked as tab
# stops by docs/javascripts/a11y.js; are those now on the screen laid out?
FAR_EQUATIONS = """() => {
  const far = [...document.querySelectorAll(".md-content__inner > .arithmatex[data-far]")];
  // a skipped block's children are hidden from checkVisibility, not the block
  const laidOut = e => e.firstElementChild.checkVisibility({contentVisibilityAuto: true});
  const scrolls = e => e.scrollWidth > e.clientWidth + 1;
  return {
    count: far.length,
    skipped: far.filter(e => !laidOut(e)).length,
    shownScrolling: far.filter(e => laidOut(e) && scrolls(e)).length,
    unmarked: far.filter(e => laidOut(e) && scrolls(e) && e.tabIndex !== 0)
      .map(e => e.textContent.slice(0, 40)),
    onScreenShown: far.filter(e => Math.abs(e.getBoundingClientRect().top) < innerHeight)
      .every(laidOut),
  };
}"""


def test_a_block_shown_on_scrolling_gets_its_wide_equations_marked(visit):
    """Far down a chapter on a phone, blocks are skipped until the reader
    nears them; as they are shown, a11y.js makes their wide equations tab
    stops (the reading pass checks the marks with every block shown)."""
    page = visit("/rnn/bptt/").page
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(SCROLLERS_MARKED)
    page.evaluate(TAG_FAR)
    before = page.evaluate(FAR_EQUATIONS)
    assert before["count"] >= 10 and before["skipped"] > 0.8 * before["count"], before
    shown = 0
    for fraction in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
        page.evaluate(f"window.scrollTo(0, {fraction} * document.scrollingElement.scrollHeight)")
        page.wait_for_function(
            f"() => (r => r.onScreenShown && !r.unmarked.length)(({FAR_EQUATIONS})())",
            timeout=10_000)
        shown = max(shown, page.evaluate(FAR_EQUATIONS)["shownScrolling"])
    assert shown > 0, "no wide equation far down the chapter was shown by scrolling"
