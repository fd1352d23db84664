"""Reading the built site (site/) for the site tests: each HTML page's links,
ids, content images and headings, and the site's URL from its sitemap.

A page's *content* is its ``<article class="md-content__inner">``: what the
book's Markdown (or notebook) became, without Material's header, navigation
and footer.
"""

import dataclasses
import functools
import html.parser
import os
import pathlib
import re
import urllib.parse

# element -> attributes holding a URL that the page links to or loads
URL_ATTRIBUTES = {
    "a": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "track": ("src",),
    "input": ("src",),
    "form": ("action",),
    "area": ("href",),
}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclasses.dataclass
class Link:
    tag: str
    attribute: str
    url: str
    in_content: bool


@dataclasses.dataclass
class Heading:
    level: int
    text: str


@dataclasses.dataclass
class Image:
    src: str
    alt: str  # None when the attribute is missing


class _PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.ids = []
        self.links = []
        self.images = []
        self.headings = []
        self._article_depth = 0
        self._heading = None

    @property
    def in_content(self):
        return self._article_depth > 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "article":
            classes = (attrs.get("class") or "").split()
            if self._article_depth or "md-content__inner" in classes:
                self._article_depth += 1
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.append(attrs["name"])
        for attribute in URL_ATTRIBUTES.get(tag, ()):
            value = attrs.get(attribute)
            if value is None:
                continue
            urls = [value]
            if attribute == "srcset":
                urls = [part.split()[0] for part in value.split(",") if part.split()]
            self.links += [Link(tag, attribute, url, self.in_content) for url in urls]
        if tag == "img" and self.in_content:
            self.images.append(Image(attrs.get("src") or "", attrs.get("alt")))
        if self.in_content and re.fullmatch(r"h[1-6]", tag):
            self._heading = Heading(int(tag[1]), "")
            self.headings.append(self._heading)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.text += data

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            if self._heading is not None:
                self._heading.text = " ".join(self._heading.text.split()).rstrip("¶ ")
            self._heading = None
        if tag == "article" and self._article_depth:
            self._article_depth -= 1


@dataclasses.dataclass
class Page:
    path: pathlib.Path  # the HTML file
    relative: str  # its path in the site, posix ('en/rnn/model/index.html')
    lang: str
    ids: list
    links: list
    images: list
    headings: list

    @property
    def language(self):
        """The language the page is in, by where it lies: 'en' under en/, else 'zh'."""
        return "en" if self.relative.startswith("en/") else "zh"

    @property
    def url_path(self):
        """The page's path below the site's root ('en/rnn/model/', '404.html')."""
        if self.relative.endswith("index.html"):
            return self.relative[: -len("index.html")]
        return self.relative


@functools.lru_cache(maxsize=None)
def read_page(path, site_dir):
    parser = _PageParser()
    parser.feed(pathlib.Path(path).read_text(encoding="utf-8"))
    parser.close()
    relative = pathlib.Path(path).relative_to(site_dir).as_posix()
    return Page(pathlib.Path(path), relative, parser.lang, parser.ids, parser.links,
                parser.images, parser.headings)


def site_pages(site_dir):
    """Every HTML page of the built site, parsed."""
    site_dir = pathlib.Path(site_dir)
    return [read_page(path, site_dir) for path in sorted(site_dir.rglob("*.html"))]


def sitemap_locations(site_dir):
    """[(loc, {hreflang: href})] of the built sitemap.xml."""
    text = (pathlib.Path(site_dir) / "sitemap.xml").read_text(encoding="utf-8")
    entries = []
    for block in re.findall(r"<url>(.*?)</url>", text, re.S):
        loc = re.search(r"<loc>\s*([^<\s]+)\s*</loc>", block).group(1)
        alternates = dict(re.findall(
            r'<xhtml:link rel="alternate" hreflang="([^"]+)" href="([^"]+)"\s*/>', block))
        entries.append((loc, alternates))
    return entries


def site_url(site_dir):
    """The site_url the site was built with, from its sitemap ('https://host/path/')."""
    locations = [loc for loc, _ in sitemap_locations(site_dir)]
    assert locations, "the sitemap lists no page"
    common = os.path.commonprefix(locations)
    return common[: common.rfind("/") + 1]


def base_path(site_dir):
    """The path of site_url ('/rnnbook/'): where the site lives on its server."""
    return urllib.parse.urlsplit(site_url(site_dir)).path or "/"
