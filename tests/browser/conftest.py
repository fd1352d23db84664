"""Headless Chromium (Debian's, never a downloaded build) against the built site.

The site directory comes from $RNNBOOK_SITE_DIR (set by `nox -s browser`,
which builds the site into a temporary folder); a session-scoped fixture
serves it on 127.0.0.1 at a free port the way GitHub Pages will
(tools/pages_server.py): below the path of site_url, gzip-compressed, with
404.html for a missing page.  Every page is opened in a context that records
each request and response, aborts any request that would leave 127.0.0.1, and
collects console errors and uncaught exceptions.

Without Chromium or Playwright the tests are skipped with the reason, except
under CI (the CI variable set), where that is a failure.
"""

import concurrent.futures
import contextlib
import dataclasses
import os
import pathlib
import sys
import urllib.parse

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))

import page_reader  # noqa: E402 - beside this file
import pages_server  # noqa: E402 - tools/ is not a package

CHROMIUM = os.environ.get("RNNBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOST = pages_server.HOST
ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


def site_pages(site_dir):
    """Every page of the built site, as a URL path ('/', '/rnn/model/', '/en/...')."""
    pages = []
    for index in sorted(pathlib.Path(site_dir).rglob("index.html")):
        relative = index.parent.relative_to(site_dir).as_posix()
        pages.append("/" if relative == "." else f"/{relative}/")
    return pages


def pytest_generate_tests(metafunc):
    if "page_path" in metafunc.fixturenames:
        site = os.environ.get("RNNBOOK_SITE_DIR")
        pages = site_pages(site) if site and pathlib.Path(site).is_dir() else []
        metafunc.parametrize("page_path", pages or ["(no built site)"])


@pytest.fixture(scope="session")
def page_paths(site_dir):
    """Every page of the built site ('/', '/rnn/model/', '/en/...')."""
    return site_pages(site_dir)


@pytest.fixture(scope="session")
def server(site_dir):
    """The site's URL without the trailing slash ('http://127.0.0.1:PORT/rnnbook'):
    the built site served like GitHub Pages for the whole session."""
    with pages_server.serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def site_path(server):
    """site_path(url) -> the URL's path below the site ('/en/rnn/model/')."""
    base = urllib.parse.urlsplit(server).path

    def path_of(url):
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        return "/" + path[len(base):].lstrip("/") if path.startswith(base) else path

    return path_of


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, driven by a Playwright of its own: one per thread
    that uses it (Playwright's sync API serves the thread that started it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (nox -s browser installs it)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def browser():
    with chromium() as browser:
        yield browser


@dataclasses.dataclass
class Visit:
    """One page opened in a fresh context, with what happened on the way."""

    page: object
    context: object = None
    status: int = None  # of the page itself
    requests: list = dataclasses.field(default_factory=list)
    responses: list = dataclasses.field(default_factory=list)
    outside: list = dataclasses.field(default_factory=list)
    console_errors: list = dataclasses.field(default_factory=list)
    page_errors: list = dataclasses.field(default_factory=list)
    failed: list = dataclasses.field(default_factory=list)  # (HTTP status, url)
    broken: list = dataclasses.field(default_factory=list)  # (network error, url)

    def finish(self):
        """Wait until the page has loaded and its network is idle (the search
        worker has fetched the index: its bytes count in the transfer)."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_load_state("networkidle")
        return self

    def problems(self):
        """Everything that must not happen on a page of the book."""
        found = [f"request leaving {LOCAL_HOST}: {url}" for url in self.outside]
        found += [f"uncaught exception: {error}" for error in self.page_errors]
        found += [f"HTTP {status}: {url}" for status, url in self.failed]
        # net::ERR_ABORTED: a load cut short because the test moved on to the
        # next page (the search worker's files, say), not a failure
        found += [f"request failed ({error}): {url}" for error, url in self.broken
                  if url not in self.outside and error != "net::ERR_ABORTED"]
        found += [f"console error: {text} ({url})" for text, url in self.console_errors]
        return found

    def transfer(self):
        """[(bytes sent, bytes after decoding, url)] of every response.  Bytes sent
        are the body as it came over the wire (gzip-compressed where the server
        compresses); where Chromium reports no size, the decoded body counts."""
        rows = []
        for response in self.responses:
            try:
                decoded = len(response.body())
            except Exception:  # a redirect or an aborted load has no body
                decoded = 0
            try:
                sent = response.request.sizes()["responseBodySize"]
            except Exception:
                sent = -1
            rows.append((sent if sent > 0 else decoded, decoded, response.url))
        return rows


def is_local(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST


def start_visit(browser, url, color_scheme="light"):
    """Open url in a fresh context and return its Visit as soon as the
    response has begun to arrive: pages started one after another load in
    parallel, and Visit.finish waits for each."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=color_scheme
    )
    record = Visit(page=None, context=context)

    def route(route):
        url = route.request.url
        record.requests.append(url)
        if is_local(url):
            route.continue_()
        else:
            record.outside.append(url)
            route.abort()

    context.route("**/*", route)
    # the context's responses include those of the search worker
    context.on("response", lambda response: record.responses.append(response))
    page = context.new_page()
    record.page = page
    page.on(
        "console",
        lambda message: message.type == "error"
        and record.console_errors.append((message.text, message.location.get("url"))),
    )
    page.on("pageerror", lambda error: record.page_errors.append(str(error)))
    context.on("requestfailed",
               lambda request: record.broken.append((request.failure, request.url)))
    page.on(
        "response",
        lambda response: response.status >= 400
        and record.failed.append((response.status, response.url)),
    )
    response = page.goto(url, wait_until="commit")
    record.status = response.status if response else None
    return record


@pytest.fixture(scope="session")
def start_visit_at(browser, server):
    """start_visit_at(path, color_scheme="light") -> Visit, the page still loading."""
    return lambda path, color_scheme="light": start_visit(browser, server + path, color_scheme)


@pytest.fixture(scope="session")
def axe_source():
    if not page_reader.AXE.is_file():
        unavailable(f"axe-core is not installed at {page_reader.AXE} "
                    "(nox -s browser runs npm ci in tools/npm)")
    return page_reader.AXE.read_text(encoding="utf-8")


def pytest_collection_modifyitems(items):
    """The tests that need the pass over every page (page_reads) run last: the
    pass starts with the session (page_pass) and the others run meanwhile."""
    items.sort(key=lambda item: "page_reads" in item.fixturenames)


@pytest.fixture(scope="session", autouse=True)
def page_pass(request, server, page_paths, site_dir):
    """The pass over every page (page_reader.read_pages: each page loaded once
    and read in four views, PARALLEL pages at a time, each in a Chromium of
    its own) started in a thread when the session's first test starts, so
    that the tests run before those that need it keep the cores busy beside
    it.  A Future of its {path: Read}; None when no selected test needs it."""
    if not any("page_reads" in item.fixturenames for item in request.session.items):
        yield None
        return
    try:
        axe_source = request.getfixturevalue("axe_source")
    except BaseException as reason:  # no axe-core: skip (fail under CI) only the pass's tests
        missing = concurrent.futures.Future()
        missing.set_exception(reason)
        yield missing
        return
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="page-pass") as pool:
        yield pool.submit(page_reader.read_pages, chromium,
                          lambda browser, path: start_visit(browser, server + path),
                          page_paths, site_dir, axe_source)


@pytest.fixture(scope="session")
def page_reads(page_pass):
    """{path: page_reader.Read} of every page: each loaded once and read in
    four views (tests/browser/page_reader.py)."""
    reads = page_pass.result()
    # where the time went, page by page: artifacts/browser-read-seconds.txt
    steps = list(dict.fromkeys(step for read in reads.values() for step in read.seconds))
    lines = ["  ".join(f"{step:>16}" for step in steps) + "  page"]
    for path, read in sorted(reads.items(), key=lambda item: -sum(item[1].seconds.values())):
        lines.append("  ".join(f"{read.seconds.get(step, 0):16.1f}" for step in steps)
                     + f"  {path}")
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "browser-read-seconds.txt").write_text("\n".join(lines) + "\n", "utf-8")
    return reads


@pytest.fixture
def visit(browser, server, request):
    """visit(path, color_scheme="light") -> Visit, the page loaded and idle."""
    contexts = []

    def open_page(path, color_scheme="light"):
        record = start_visit(browser, server + path, color_scheme)
        contexts.append(record.context)
        return record.finish()

    yield open_page
    for context in contexts:
        context.close()


# A screenshot with something drawn on it is larger than this; one taken on a
# busy machine before the screen's tiles were painted is the background
# colour alone, a few KB.
DRAWN_BYTES = 10_000
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


@pytest.fixture(scope="session")
def screenshot(screenshots):
    """screenshot(page, name) -> artifacts/screenshots/name, a PNG of what the
    page shows; taken again after the next frame while nothing is drawn."""

    def take(page, name):
        target = screenshots / name
        for _ in range(20):
            page.screenshot(path=str(target))
            if target.stat().st_size > DRAWN_BYTES:
                break
            page.evaluate(NEXT_FRAME)
        assert target.stat().st_size > DRAWN_BYTES, f"{name}: nothing drawn"
        return target

    return take


@pytest.fixture(scope="session")
def screenshots():
    """artifacts/screenshots/, emptied of an earlier run's pictures."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS
