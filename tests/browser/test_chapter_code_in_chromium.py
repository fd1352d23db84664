"""A chapter's code in Chromium: the page links its .py and .ipynb beside the
title, both are served, and a continuation block's label is visible and leads
to the block it continues.  Screenshots at a phone's and a desktop's width go
to artifacts/screenshots/ (chapter-code-*.png)."""

import json

import pytest

CHAPTER = {"zh": ("/rnn/bptt/", "接上文"), "en": ("/en/rnn/bptt/", "continues above")}

STATE = r"""() => {
  const title = document.querySelector("article h1").getBoundingClientRect();
  const links = [...document.querySelectorAll("article a.rnnbook-code-download")];
  const labels = [...document.querySelectorAll("article .rnnbook-continues a")];
  return {
    downloads: links.map(a => {
      const box = a.getBoundingClientRect();
      return {href: a.href, name: a.getAttribute("download"), label: a.getAttribute("aria-label"),
              visible: box.width > 0 && box.height > 0,
              besideTitle: box.top < title.bottom && box.bottom > title.top};
    }),
    labels: labels.map(a => ({text: a.textContent, target: a.getAttribute("href"),
                              visible: a.getBoundingClientRect().height > 0})),
  };
}"""


@pytest.mark.parametrize("language", ["zh", "en"])
def test_chapter_links_its_code_and_labels_continuations(visit, language):
    path, label = CHAPTER[language]
    record = visit(path)
    page = record.page
    state = page.evaluate(STATE)
    names = sorted(link["name"] for link in state["downloads"])
    assert names == ["bptt.ipynb", "bptt.py"], state["downloads"]
    for link in state["downloads"]:
        assert link["visible"] and link["besideTitle"], link
        assert link["label"], link
        response = page.request.get(link["href"])
        assert response.status == 200, (link["href"], response.status)
        body = response.body().decode("utf-8")
        if link["name"].endswith(".py"):
            compile(body, link["name"], "exec")  # a Python script, not a page
            assert "rnnbook" in body
        else:
            notebook = json.loads(body)
            assert notebook["nbformat"] == 4
            assert any(cell["cell_type"] == "code" for cell in notebook["cells"])
    assert len(state["labels"]) >= 5
    for found in state["labels"]:
        assert found["text"] == label and found["visible"], found
    # the first label leads to the block before it
    first = state["labels"][0]
    page.click(f'.rnnbook-continues a[href="{first["target"]}"]')
    assert page.evaluate("() => location.hash") == first["target"]
    target = page.locator(first["target"])
    assert target.evaluate("e => e.getBoundingClientRect().top") < 200
    assert not record.problems(), record.problems()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_chapter_code_screenshot(browser, server, screenshots, language, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(server + CHAPTER[language][0], wait_until="networkidle")
        name = f"chapter-code-{language}-{width}"
        page.screenshot(path=str(screenshots / f"{name}-title.png"))
        page.locator(".rnnbook-continues").first.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, -120)")
        page.screenshot(path=str(screenshots / f"{name}-label.png"))
        # on a phone the title and both buttons still fit side by side
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    finally:
        context.close()
