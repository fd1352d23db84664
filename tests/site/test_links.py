"""Links, anchors and assets of the built site resolve; external links are
listed and well-formed, never fetched.

Every URL a page links to or loads (``<a href>``, ``<link href>``,
``<script src>``, ``<img src>``, downloads, ...) that stays on the site must
name a file of the built site, and its ``#anchor`` an id on that page.  URLs
on the site are relative, absolute below the path of site_url (404.html,
which is served at any depth), or full URLs starting with site_url (the
canonical links).  The same holds for the sitemap's URLs, the search index's
locations and the url(...) references of the site's stylesheets.

Other URLs are external: each must parse (urllib.parse) as http(s) with a
host, or mailto with an address.  Their list, with the pages citing each, is
written to artifacts/links/external-links.txt.
"""

import ipaddress
import json
import pathlib
import posixpath
import re
import urllib.parse

import pytest
from sitehtml import base_path, read_page, site_pages, site_url, sitemap_locations

REPO = pathlib.Path(__file__).resolve().parents[2]
EXTERNAL_LIST = REPO / "artifacts" / "links" / "external-links.txt"
NOT_LINKS = ("javascript:", "data:", "blob:", "about:")
HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.S)


@pytest.fixture(scope="module")
def pages(site_dir):
    return site_pages(site_dir)


@pytest.fixture(scope="module")
def site(site_dir):
    return Site(site_dir)


class Site:
    """Resolves URLs against the built site."""

    def __init__(self, site_dir):
        self.dir = pathlib.Path(site_dir)
        self.url = site_url(site_dir)
        self.base = base_path(site_dir)

    def classify(self, url, from_path):
        """('internal', site path, fragment) / ('external', url, None) /
        ('skip', url, None) for a URL found at site path from_path."""
        url = url.strip()
        if url.lower().startswith(NOT_LINKS):
            return "skip", url, None
        if url.startswith(self.url):
            url = self.base + url[len(self.url):]
        parts = urllib.parse.urlsplit(url)
        if parts.scheme or parts.netloc:
            return "external", url, None
        if parts.path.startswith("/"):
            if not parts.path.startswith(self.base):
                return "internal", None, f"{url} is outside the site's path {self.base}"
            path = parts.path[len(self.base):]
        else:
            path = posixpath.join(posixpath.dirname(from_path), parts.path) if parts.path \
                else from_path
        path = posixpath.normpath(urllib.parse.unquote(path)) + (
            "/" if path.endswith("/") and path not in ("", "/") else "")
        if path in (".", "./"):
            path = ""
        if path.startswith("../") or path == "..":
            return "internal", None, f"{url} leads above the site's root"
        return "internal", path, urllib.parse.unquote(parts.fragment)

    def file(self, path):
        """The file a site path is served from, or None."""
        target = self.dir / path
        if path == "" or path.endswith("/") or target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def check(self, url, from_path):
        """None if url (found at from_path) resolves, else the problem."""
        kind, path, fragment = self.classify(url, from_path)
        if kind != "internal":
            return None
        if path is None:
            return fragment  # the reason
        target = self.file(path)
        if target is None:
            return f"{url} -> /{path}: no such file"
        if fragment and target.suffix == ".html":
            ids = set(read_page(target, self.dir).ids)
            if fragment not in ids:
                return f"{url} -> /{path}: no id {fragment!r} there"
        return None


def test_internal_links_and_assets_resolve(pages, site):
    problems, checked = [], 0
    for page in pages:
        for link in page.links:
            checked += 1
            problem = site.check(link.url, page.url_path or "index.html")
            if problem:
                problems.append(f"{page.relative}: <{link.tag} {link.attribute}> {problem}")
    assert checked > 100, f"only {checked} links found: the parser sees too little"
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems)


def test_anchors_within_pages_resolve(pages, site):
    """The content's own #anchors (table of contents, footnotes, equations) are
    among the checked links, and resolve."""
    anchors = [(page, link) for page in pages for link in page.links
               if link.url.startswith("#") and len(link.url) > 1]
    assert len(anchors) > 50, f"only {len(anchors)} in-page anchors found"


def test_sitemap_urls_resolve(site_dir, site):
    problems = []
    for loc, alternates in sitemap_locations(site_dir):
        for url in [loc, *alternates.values()]:
            if not url.startswith(site.url):
                problems.append(f"{url} does not start with site_url {site.url}")
            else:
                problem = site.check(url, "sitemap.xml")
                if problem:
                    problems.append(problem)
    assert not problems, "\n".join(problems)


def test_search_index_locations_resolve(site_dir, site):
    index = json.loads((site_dir / "search" / "search_index.json").read_text("utf-8"))
    problems = [problem for entry in index["docs"]
                if (problem := site.check(entry["location"] or "./", "index.html"))]
    assert not problems, "search results that lead nowhere:\n" + "\n".join(problems)


def test_stylesheet_references_resolve(site_dir, site):
    problems = []
    for css in sorted(site_dir.rglob("*.css")):
        relative = css.relative_to(site_dir).as_posix()
        for match in CSS_URL.finditer(css.read_text(encoding="utf-8")):
            url = match.group(2).strip()
            if not url or url.startswith("#") or url.lower().startswith(NOT_LINKS):
                continue
            problem = site.check(url, relative)
            if problem:
                problems.append(f"{relative}: url({url}): {problem}")
    assert not problems, "\n".join(problems)


def external_problem(url):
    """None if an external URL is well-formed, else what is wrong with it."""
    if any(character.isspace() for character in url):
        return "contains white space"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "mailto":
        return None if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", parts.path) else "bad address"
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} (http, https or mailto expected)"
    try:
        hostname, _ = parts.hostname, parts.port
    except ValueError as error:
        return str(error)
    if not hostname:
        return "no host"
    try:
        ipaddress.ip_address(hostname)
        return None
    except ValueError:
        pass
    if hostname != "localhost" and not HOST.match(hostname):
        return f"host {hostname!r}"
    return None


def test_external_links_are_listed_and_well_formed(pages, site):
    cited = {}
    for page in pages:
        for link in page.links:
            kind, url, _ = site.classify(link.url, page.url_path)
            if kind == "external":
                cited.setdefault(url, set()).add(page.relative)
    EXTERNAL_LIST.parent.mkdir(parents=True, exist_ok=True)
    EXTERNAL_LIST.write_text(
        "".join(f"{url}\n" + "".join(f"    {where}\n" for where in sorted(cited[url]))
                for url in sorted(cited)),
        encoding="utf-8",
    )
    problems = [f"{url} ({problem}), on {sorted(cited[url])[:3]}"
                for url in sorted(cited) if (problem := external_problem(url))]
    assert not problems, "malformed external links:\n" + "\n".join(problems)


@pytest.mark.parametrize("url, ok", [
    ("https://creativecommons.org/licenses/by-sa/4.0/", True),
    ("http://example.org:8080/a?b#c", True),
    ("mailto:someone@example.org", True),
    ("https://exa mple.org/", False),
    ("https:///path-only", False),
    ("ftp://example.org/file", False),
    ("https://example.org:99999/", False),
    ("mailto:nobody", False),
    ("http://127.0.0.1:8000", True),
    ("http://-bad-.example/", False),
])
def test_external_link_syntax_check(url, ok):
    assert (external_problem(url) is None) == ok, external_problem(url)
