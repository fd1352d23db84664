"""Print the book: rnnbook-zh.pdf and rnnbook-en.pdf from the printable edition.

    python tools/print_pdf.py SITE_DIR OUT_DIR

Serves the built site on 127.0.0.1 (tools/pages_server.py), opens each
language's print page (docs/print.md, assembled by tools/print_edition.py) in
Debian's headless Chromium through Playwright, checks that every formula
arrived rendered (tools/build_math.py typesets them when the site is built),
waits until every font and image has loaded, and prints with Chromium's
own PDF printer (``page.pdf()``, the DevTools call behind ``--print-to-pdf``;
the command-line flag prints at the load event and cannot wait for the fonts),
A4, without header and footer, with bookmarks from the headings.

Exits non-zero, printing nothing, when a formula fails to render, an image is
broken, the page logs an error or a request would leave 127.0.0.1.
"""

import concurrent.futures
import os
import pathlib
import sys
import time
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import pages_server  # noqa: E402 - tools/ is not a package

CHROMIUM = os.environ.get("RNNBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PRINT_PAGES = {"zh": "/print/", "en": "/en/print/"}
MARGIN = {"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}
TIMEOUT_MS = 120_000

READY = """() => {
  const math = [...document.querySelectorAll(".arithmatex")];
  const images = [...document.images];
  return {
    math: math.length,
    typeset: math.filter(e => e.querySelector(".katex")).length,
    failed: document.querySelectorAll(".katex-error").length,
    images: images.length,
    loaded: images.filter(i => i.complete).length,
    broken: images.filter(i => i.complete && i.naturalWidth === 0).map(i => i.src),
    fonts: document.fonts.status,
    chapters: document.querySelectorAll(".rnnbook-print-chapter").length,
  };
}"""


def is_local(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == pages_server.HOST


def print_language(browser, site_url, language, out_path):
    """Open the language's print page in a context of its own, wait until it
    is typeset, print it to out_path; returns its READY state."""
    # about the width of the printed column, so that Chromium need not shrink
    # a wide screen layout onto the page
    context = browser.new_context(viewport={"width": 720, "height": 1000})
    problems = []

    def route(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            problems.append(f"request leaving {pages_server.HOST}: {route.request.url}")
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error"
            and problems.append(f"console error: {message.text} ({message.location.get('url')})"))
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    page.emulate_media(media="print")
    url = site_url + PRINT_PAGES[language]
    response = page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
    if response is None or response.status != 200:
        raise SystemExit(f"{url}: HTTP {response.status if response else 'no response'}")
    page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                  ".forEach(image => { image.loading = 'eager'; })")
    page.wait_for_function(
        f"(() => {{ const s = ({READY})(); return s.typeset + s.failed === s.math"
        " && s.loaded === s.images && s.fonts === 'loaded'; })()",
        timeout=TIMEOUT_MS,
    )
    page.evaluate("document.fonts.ready.then(() => true)")
    state = page.evaluate(READY)
    if state["failed"]:
        problems.append(f"{state['failed']} of {state['math']} formulas failed to render")
    if state["broken"]:
        problems.append(f"broken images: {state['broken']}")
    if not state["chapters"]:
        problems.append("the print page holds no chapter")
    if problems:
        context.close()
        raise SystemExit(f"{url}:\n  " + "\n  ".join(problems))
    page.pdf(
        path=str(out_path),
        format="A4",
        margin=MARGIN,
        print_background=True,
        display_header_footer=False,
        outline=True,
        tagged=True,
    )
    context.close()
    return state


def print_one(site_url, language, out_path):
    """Print one language in a Chromium of its own; returns its READY state."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return print_language(browser, site_url, language, out_path)
        finally:
            browser.close()


def main(site_dir, out_dir):
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with pages_server.serve(site_dir) as site_url:
        started = time.monotonic()
        # The languages print at the same time, each in a thread of its own
        # with its own Playwright (its sync API serves the thread that started
        # it): page.pdf() blocks its caller until the file is written, and in
        # one thread the second language waited for the first to be printed.
        with concurrent.futures.ThreadPoolExecutor(len(PRINT_PAGES)) as pool:
            jobs = {pool.submit(print_one, site_url, language,
                                out_dir / f"rnnbook-{language}.pdf"): language
                    for language in PRINT_PAGES}
            for job in concurrent.futures.as_completed(jobs):
                out_path = out_dir / f"rnnbook-{jobs[job]}.pdf"
                state = job.result()
                print(f"{out_path}: {out_path.stat().st_size} bytes, {state['chapters']} "
                      f"chapters, {state['math']} formulas, {state['images']} images, "
                      f"{time.monotonic() - started:.1f} s since the start")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[1])
    main(sys.argv[1], sys.argv[2])
