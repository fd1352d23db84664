"""MkDocs hook: the printable edition, the whole book on one page per language.

docs/print.md and docs/print.en.md hold the marker ``<!-- rnnbook-print-edition -->``.
When such a page is rendered, every other page of the nav has been converted
already (MkDocs converts all pages before it renders any), so the marker is
replaced with a table of contents and then each page's HTML in nav order,
each in a ``<section class="rnnbook-print-chapter">``.  Printing that page
(the browser's Print, or ``nox -s pdf``) gives the book as one document.

mkdocs-print-site-plugin does this for single-language sites; with
mkdocs-static-i18n 1.3.1 it writes one /print_page/ with the last language
built, so the book has this small hook instead.

Pasting pages together needs three fixes, all done on the pages' HTML:

- Ids would collide (every chapter has footnotes, code-line anchors and
  perhaps the same heading), so each chapter's ids (and the ``for`` and
  ``name`` attributes that refer to them) get the chapter's prefix, as do
  links to ``#id`` within it; and they are made ASCII (``print_id``), which
  Chromium prints many times faster.
- Relative links and images were written for the chapter's URL; they are
  rewritten for the print page's.  A link to another page of the book (or to
  an anchor in it) becomes a link within the print page.
- Collapsed blocks (``??? success`` solutions) are opened, so that they
  print.  (Each notebook brings its stylesheet; tools/page_styles.py keeps
  it once, in the file every notebook page links.)
"""

import hashlib
import html
import posixpath
import re
import urllib.parse

from mkdocs.structure.toc import AnchorLink, TableOfContents

MARKER = "<!-- rnnbook-print-edition -->"
# (not 目录: Material names its table of contents that, and two landmarks of
# one name are two places a screen reader cannot tell apart)
CONTENTS_TITLE = {"zh": "全书目录", "en": "Contents"}
ORIGIN = "http://book.invalid"

# attributes holding an id, or a list of ids, of the chapter
ID_ATTRIBUTE = re.compile(r'(?P<before>\s(?:id|for|name|aria-labelledby|aria-describedby|'
                          r'aria-controls)=")(?P<value>[^"]*)"')
# attributes holding a URL
URL_ATTRIBUTE = re.compile(r'(?P<before>\s(?:href|src|xlink:href|poster|data)=")(?P<value>[^"]*)"')
SVG_URL_REFERENCE = re.compile(r'url\(#(?P<value>[^)"\s]+)\)')
CLOSED_DETAILS = re.compile(r"<details\b(?![^>]*\sopen\b)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def print_id(anchor, value):
    """The id on the print page of the id value of chapter anchor: prefixed
    with the chapter, and ASCII.  An id with other characters (a Chinese
    heading's) keeps its ASCII part and gets a digest of the whole: Chromium
    prints a link to a non-ASCII #fragment after a search through the whole
    page, so the Chinese edition's ~1,000 links to headings made printing it
    take minutes (two chapters: 9.6 s, with ASCII ids 1.7 s)."""
    if value.isascii():
        return f"{anchor}--{value}"
    kept = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9_-]", "-", value)).strip("-")
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]
    return f"{anchor}--{kept}-{digest}" if kept else f"{anchor}--h{digest}"


def chapter_anchor(page, root):
    """'rnn/model/' -> 'rnn-model'; the home page is 'index'."""
    relative = page.url[len(root):] if page.url.startswith(root) else page.url
    return relative.strip("/").replace("/", "-") or "index"


class Book:
    """The pages of one language's nav, and where each lands on the print page."""

    def __init__(self, print_page, nav):
        homepage = nav.homepage
        self.root = homepage.url if homepage is not None and homepage.url != "./" else ""
        self.print_page = print_page
        self.chapters = [page for page in nav.pages
                         if page is not print_page and page.content is not None]
        self.anchors = {page.url: chapter_anchor(page, self.root) for page in self.chapters}

    def anchor_of(self, path):
        """The chapter anchor of a site path ('/en/rnn/model/'), or None."""
        path = path.lstrip("/")
        if path.endswith("index.html"):
            path = path[: -len("index.html")]
        if path in self.anchors:
            return self.anchors[path]
        if path in ("", "./") and self.root in self.anchors:
            return self.anchors[self.root]
        return self.anchors.get(path + "/") if path and not path.endswith("/") else None

    def rewrite_url(self, value, page, anchor):
        if value.startswith("#"):
            fragment = urllib.parse.unquote(value[1:])
            return f"#{print_id(anchor, fragment)}" if fragment else f"#{anchor}"
        if not value or EXTERNAL.match(value):
            return value
        target = urllib.parse.urlsplit(urllib.parse.urljoin(f"{ORIGIN}/{page.url}", value))
        if target.scheme + "://" + target.netloc != ORIGIN:
            return value
        chapter = self.anchor_of(urllib.parse.unquote(target.path))
        if chapter is not None:
            fragment = urllib.parse.unquote(target.fragment)
            return f"#{print_id(chapter, fragment)}" if fragment else f"#{chapter}"
        start = "/" + self.print_page.url
        relative = posixpath.relpath(target.path, start if start.endswith("/") else
                                     posixpath.dirname(start))
        if target.path.endswith("/") and not relative.endswith("/"):
            relative += "/"
        return urllib.parse.urlunsplit(("", "", relative, target.query, target.fragment))

    def chapter_html(self, page, anchor):
        content = ID_ATTRIBUTE.sub(
            lambda m: m["before"] + " ".join(
                html.escape(print_id(anchor, html.unescape(part)), quote=True)
                for part in m["value"].split()) + '"',
            page.content,
        )
        content = URL_ATTRIBUTE.sub(
            lambda m: m["before"] + html.escape(
                self.rewrite_url(html.unescape(m["value"]), page, anchor), quote=True) + '"',
            content,
        )
        content = SVG_URL_REFERENCE.sub(lambda m: f"url(#{print_id(anchor, m['value'])})",
                                        content)
        return CLOSED_DETAILS.sub("<details open", content)

    def contents_html(self, language):
        items = "".join(
            f'<li><a href="#{self.anchors[page.url]}">{html.escape(page.title or "")}</a></li>'
            for page in self.chapters
        )
        title = CONTENTS_TITLE.get(language, CONTENTS_TITLE["en"])
        return (f'<nav class="rnnbook-print-contents" aria-labelledby="rnnbook-print-contents">'
                f'<h2 id="rnnbook-print-contents">{html.escape(title)}</h2>'
                f"<ol>{items}</ol></nav>")

    def html(self, language):
        parts = [self.contents_html(language)]
        for page in self.chapters:
            anchor = self.anchors[page.url]
            body = self.chapter_html(page, anchor)
            parts.append(f'<section class="rnnbook-print-chapter" id="{anchor}">'
                         f"{body}</section>")
        return "\n".join(parts)

    def toc(self, page_toc, language):
        """The print page's table of contents: its title, the contents, each chapter
        with its sections."""
        chapters = []
        for page in self.chapters:
            anchor = self.anchors[page.url]
            link = AnchorLink(page.title or anchor, anchor, 2)
            headings = list(page.toc)
            if len(headings) == 1 and headings[0].level == 1:
                headings = headings[0].children
            link.children = [AnchorLink(h.title, print_id(anchor, h.id), 3) for h in headings]
            chapters.append(link)
        title = CONTENTS_TITLE.get(language, CONTENTS_TITLE["en"])
        contents = AnchorLink(title, "rnnbook-print-contents", 2)
        items = list(page_toc)
        if len(items) == 1 and items[0].level == 1:
            items[0].children = [contents] + chapters
            return TableOfContents(items)
        return TableOfContents([contents] + chapters)


def on_page_context(context, page, config, nav):
    if page.content is None or MARKER not in page.content:
        return context
    language = config.theme.get("language") or "en"
    book = Book(page, nav)
    page.content = page.content.replace(MARKER, book.html(language))
    page.toc = book.toc(page.toc, language)
    return context
