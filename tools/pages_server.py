"""Serve a built site on 127.0.0.1 the way GitHub Pages serves the book.

Used by the browser tests (tests/browser) and by the PDF printer
(tools/print_pdf.py).  Like Pages serving a project site:

- the site lives under the path of ``site_url`` (``/rnnbook/``), which is
  read from the built sitemap.xml, so links that only work at the server's
  root fail here as they would online;
- ``/x/`` serves ``x/index.html`` and ``/x`` redirects to ``/x/`` when x is a
  folder;
- a missing file gets the site's ``404.html`` with status 404;
- text (HTML, CSS, JavaScript, JSON, SVG, XML) is sent gzip-compressed when
  the browser accepts it, so response sizes are what a reader downloads.

It binds 127.0.0.1 only, and serves nothing outside the site's folder.
"""

import contextlib
import gzip
import http.server
import mimetypes
import os
import pathlib
import re
import threading
import urllib.parse

HOST = "127.0.0.1"
COMPRESSED_SUFFIXES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb", ".map"}
TYPES = {
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ipynb": "application/x-ipynb+json",
    ".js": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}


def base_path(site_dir):
    """The path below which the site is served: that of site_url, as the sitemap
    written by the build gives it ('/rnnbook/'), or '/' without one."""
    sitemap = pathlib.Path(site_dir) / "sitemap.xml"
    if not sitemap.is_file():
        return "/"
    paths = [urllib.parse.urlsplit(loc).path
             for loc in re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", sitemap.read_text("utf-8"))]
    if not paths or not all(path.startswith("/") for path in paths):
        return "/"
    common = os.path.commonprefix(paths)
    return common[: common.rfind("/") + 1] or "/"


class PagesHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD of a static site under a base path (see the module docstring)."""

    site_dir = None  # pathlib.Path, set by serve()
    base = "/"
    _compressed = {}  # path -> gzip bytes, per served site (serve() makes a subclass)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self):  # noqa: N802 - http.server's naming
        self._respond(body=False)

    def do_GET(self):  # noqa: N802
        self._respond(body=True)

    def _file_for(self, url_path):
        """(file, redirect): the file serving url_path, or where to redirect."""
        if not url_path.startswith(self.base):
            return None, None
        relative = urllib.parse.unquote(url_path[len(self.base):])
        parts = [part for part in relative.split("/") if part not in ("", ".")]
        if ".." in parts:
            return None, None
        path = self.site_dir.joinpath(*parts)
        if path.is_dir():
            if not url_path.endswith("/"):
                return None, url_path + "/"
            path = path / "index.html"
        return (path if path.is_file() else None), None

    def _respond(self, body):
        url = urllib.parse.urlsplit(self.path)
        path, redirect = self._file_for(url.path)
        if redirect:
            self.send_response(301)
            self.send_header("Location", redirect + (f"?{url.query}" if url.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 200
        if path is None:
            status, path = 404, self.site_dir / "404.html"
        if path.is_file():
            data = path.read_bytes()
        else:
            data = b"404 Not Found"
        suffix = path.suffix.lower()
        content_type = TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
        content_type = content_type or "application/octet-stream"
        if content_type.startswith("text/") or suffix in (".json", ".svg", ".xml"):
            content_type += "; charset=utf-8"
        encoding = None
        accepts = self.headers.get("Accept-Encoding", "")
        if suffix in COMPRESSED_SUFFIXES and "gzip" in accepts:
            key = str(path)
            if key not in self._compressed:
                self._compressed[key] = gzip.compress(data, compresslevel=6, mtime=0)
            data, encoding = self._compressed[key], "gzip"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)


@contextlib.contextmanager
def serve(site_dir, base=None):
    """Serve site_dir on 127.0.0.1 at a free port; yields the site's URL without
    the trailing slash ('http://127.0.0.1:PORT/rnnbook')."""
    site_dir = pathlib.Path(site_dir).resolve()
    base = base or base_path(site_dir)
    handler = type("Handler", (PagesHandler,),
                   {"site_dir": site_dir, "base": base, "_compressed": {}})
    httpd = http.server.ThreadingHTTPServer((HOST, 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{httpd.server_address[1]}{base.rstrip('/')}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


if __name__ == "__main__":  # python tools/pages_server.py SITE_DIR: serve until Ctrl-C
    import sys

    with serve(sys.argv[1] if len(sys.argv) > 1 else "site") as url:
        print(f"serving {url}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
