"""Edit-to-refresh under `mkdocs serve`, measured once (used by `nox -s timings`).

Starts `mkdocs serve` as `nox -s serve` does, waits for the first build, then
appends a line with a unique word to a Markdown page and measures the seconds
until the served page holds that word: what a reader waits for between saving
the page and seeing it in the browser (live reload shows the page as soon as
the server has rebuilt it).  The page is restored afterwards, whatever
happens.  Prints the seconds and writes them to --out when given.

    python tools/serve_refresh.py [--page docs/rnn/model.md] [--out FILE]
"""

import argparse
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIRST_BUILD_TIMEOUT = 900  # seconds: a cold cache executes every notebook
REFRESH_TIMEOUT = 300


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(condition, timeout, server, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"mkdocs serve stopped (exit {server.returncode}) while waiting for {what}")
        if condition():
            return
        time.sleep(0.2)
    sys.exit(f"no {what} within {timeout} s")


def page_url(base, page):
    """http://host:port/rnn/model/ for docs/rnn/model.md (use_directory_urls)."""
    relative = pathlib.Path(page).relative_to("docs").with_suffix("")
    path = "" if relative.name == "index" else relative.as_posix() + "/"
    return base + path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="docs/rnn/model.md")
    parser.add_argument("--out", help="write the seconds to this file")
    args = parser.parse_args()

    # a stopped run (Ctrl-C, nox's SIGTERM) still restores the page
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, RNNBOOK_SITE_URL=base)
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
         "--watch", "rnnbook"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    source = ROOT / args.page
    original = source.read_bytes()
    url = page_url(base, args.page)
    try:
        started = time.monotonic()
        wait_for(lambda: fetch(url) is not None, FIRST_BUILD_TIMEOUT, server, "first build")
        print(f"first build served after {time.monotonic() - started:.1f} s", flush=True)
        time.sleep(2)  # let the watcher settle after the first build
        word = f"rnnbookrefresh{uuid.uuid4().hex}"
        edited = time.monotonic()
        source.write_bytes(original + f"\n\n{word}\n".encode())
        wait_for(lambda: word in (fetch(url) or ""), REFRESH_TIMEOUT, server, "refresh")
        seconds = time.monotonic() - edited
    finally:
        source.write_bytes(original)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"edit-to-refresh: {seconds:.1f} s ({args.page})")
    if args.out:
        pathlib.Path(args.out).write_text(f"{seconds:.1f}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
