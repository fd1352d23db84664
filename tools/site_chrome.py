"""The theme's frame around each page, in the page's language (an MkDocs hook).

Material 9.8 and mkdocs-static-i18n leave a few things that a reader, a
screen reader or a crawler notices; each is set right on the finished page:

- ``<html lang>`` says ``zh-Hans`` on Chinese pages (the book is written in
  simplified characters; plain ``zh`` does not say which script).
- The head's ``<link rel="alternate" hreflang>`` links are dropped.  Material's
  script fetches ``sitemap.xml`` next to the address of every such link, to
  map pages between languages for instant navigation, which the book does not
  use: with a link per page that is two 404s on every page.  The hreflang
  pairs are in ``sitemap.xml`` instead (absolute, from ``site_url``, as search
  engines read them there too), and the language menu links each page's twin.
- The language menu marks the current language (``aria-current`` and a
  check mark drawn by CSS).
- The search dialog has an accessible name.
- English UI strings on Chinese pages: the headings' "Permanent link", the
  notebooks' "Copy to Clipboard" buttons and the footer's "Made with".
- Landmarks and tables that assistive technology would misread: a table of
  contents entry's sub-list is a <nav> named by its heading, and on the API
  page the module ``charlm`` and the class ``CharLM`` gave two landmarks one
  name (names compare without case); the colliding ones are named by their
  anchor (``rnnbook.charlm``) instead.  An empty header cell (the corner of
  a benchmark table) becomes a data cell.  A header cell that holds only a
  formula ($p$, $(n_x, n_a, m, T)$) would have no text for assistive
  technology to name its column by but KaTeX's MathML, which is clipped
  out of sight; there the drawn formula is what is read, and the MathML is
  hidden instead.
"""

import gzip
import os
import re

from mkdocs.plugins import event_priority

LANG_TAG = {"zh": "zh-Hans"}
HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_NAME = {"zh": "搜索本书", "en": "Search the book"}
# English strings of the theme and of mkdocs-jupyter -> the page's language
UI_STRINGS = {
    "zh": {
        'title="Permanent link"': 'title="本节链接"',
        'aria-label="Copy to Clipboard"': 'aria-label="复制到剪贴板"',
        'title="Copy to Clipboard"': 'title="复制到剪贴板"',
        "Made with\n": "本书用\n",
        "Material for MkDocs\n    </a>": "Material for MkDocs\n    </a> 制作",
    },
}
TOC_NAV = re.compile(
    r'(<a href="#(?P<anchor>[^"]+)" class="md-nav__link">(?:(?!</a>).)*</a>\s*'
    r'<nav class="md-nav" aria-label=")(?P<label>[^"]*)(")', re.S)
EMPTY_HEADER = re.compile(r"<th(?P<attributes>[^>]*)>\s*</th>")
MATH_HEADER = re.compile(
    r'(<th[^>]*>\s*<span class="arithmatex"><span class="katex"><span class="katex-mathml")>'
    r'(.*?)<span class="katex-html" aria-hidden="true">', re.S)
LANGUAGE_LINK = re.compile(
    r'<a href="(?P<href>[^"]*)" hreflang="(?P<lang>[^"]*)" class="md-select__link">')


HTML_LANG = re.compile(r'<html lang="([^"]+)"')


def polish(output):
    """The page (or 404.html) with the fixes above, in the language it declares."""
    declared = HTML_LANG.search(output)
    if declared is None:
        return output
    language = declared.group(1)
    tag = LANG_TAG.get(language, language)
    output = output.replace(f'<html lang="{language}"', f'<html lang="{tag}"', 1)
    output = HEAD_ALTERNATE.sub("", output)
    name = SEARCH_NAME.get(language, SEARCH_NAME["en"])
    output = output.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + f' aria-label="{name}">', 1)

    def mark(match):
        hreflang = LANG_TAG.get(match["lang"], match["lang"])
        current = ' aria-current="page"' if match["lang"] == language else ""
        return (f'<a href="{match["href"]}" hreflang="{hreflang}" '
                f'class="md-select__link"{current}>')

    output = LANGUAGE_LINK.sub(mark, output)
    for english, translated in UI_STRINGS.get(language, {}).items():
        output = output.replace(english, translated)
    return empty_headers_as_cells(unique_toc_names(output))


def unique_toc_names(output):
    """Name a table of contents' sub-list by its anchor where its heading's
    name, compared without case, belongs to more than one sub-list."""
    labels = {}
    for match in TOC_NAV.finditer(output):
        labels.setdefault(match["label"].casefold(), set()).add(match["anchor"])
    return TOC_NAV.sub(
        lambda m: m.group(1) + (m["anchor"] if len(labels[m["label"].casefold()]) > 1
                                else m["label"]) + m.group(4),
        output)


def empty_headers_as_cells(output):
    output = EMPTY_HEADER.sub(lambda m: f"<td{m['attributes']}></td>", output)
    return MATH_HEADER.sub(
        lambda m: f'{m.group(1)} aria-hidden="true">{m.group(2)}<span class="katex-html">', output)


def on_post_page(output, page, config):
    return polish(output)


@event_priority(-200)  # after tools/mkdocs_hooks.py has chosen the 404 page's language
def on_post_template(output, template_name, config):
    return polish(output) if template_name == "404.html" else output


@event_priority(-200)  # after mkdocs-static-i18n has written the sitemap
def on_post_build(config):
    """hreflang="zh" -> "zh-Hans" in the sitemap (and its .gz), as on the pages."""
    path = os.path.join(config.site_dir, "sitemap.xml")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as file:
        sitemap = file.read()
    for language, tag in LANG_TAG.items():
        sitemap = sitemap.replace(f'hreflang="{language}"', f'hreflang="{tag}"')
    with open(path, "w", encoding="utf-8") as file:
        file.write(sitemap)
    with open(path + ".gz", "wb") as file:
        file.write(gzip.compress(sitemap.encode("utf-8"), mtime=0))
