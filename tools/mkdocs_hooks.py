"""MkDocs hooks for the book (registered under ``hooks:`` in mkdocs.yml).

1. Notebooks are pages.  mkdocs-static-i18n rebuilds every file as a plain
   ``File``, dropping the wrapper with which mkdocs-jupyter marks ``.ipynb``
   files as documentation pages, so the notebooks would be copied as raw JSON
   (mkdocs-static-i18n issue 198).  Here ``File.is_documentation_page`` says
   yes to ``.ipynb`` before the files are collected, so both plugins, and
   MkDocs itself, treat ``notebooks/x.ipynb`` and ``notebooks/x.en.ipynb`` as
   the zh and en versions of one page, with the language switcher between them.

2. Notebook pages load nothing from the network.  nbconvert's template adds a
   MathJax loader and a Mermaid loader that point at a CDN; they are removed,
   and tools/build_math.py renders the math in the notebook's Markdown cells
   at build time instead.  A download button for the ``.ipynb``
   (copied next to the page by ``include_source``) is added at the top, and
   the alt text that nbconvert gives every output image ("No description has
   been provided for this image") is replaced by one in the page's language.
   Headings get ids from the site's own slugify (mkdocs.yml, toc), and the
   page's table of contents links to them: nbconvert's ids drop every
   non-ASCII character, so a Chinese heading had id="" while the table of
   contents pointed at "#_1".

3. Chinese search terms.  Material segments Chinese text with jieba when it
   builds the search index.  jieba's dictionary splits some of the book's
   central terms (反向/传播, 梯度/消失, 遗忘/门); they are added as words so
   that each is one token in the index.

4. The language selector.  mkdocs-static-i18n points it at each page's twin,
   except on the two home pages (absolute "/" and "/en/", wrong below a path)
   and on 404.html (the last page's twins); both are set right here.  The
   English build also writes site/404.html last; the Chinese one is kept.
"""

import copy
import html
import os
import re

from markdown.extensions.toc import slugify as markdown_slugify
from markdown.extensions.toc import unique
from mkdocs.structure.files import File

NOTEBOOK_SUFFIX = ".ipynb"

# Compound terms that jieba would otherwise split and that a reader searches
# for as a whole.  Keep to terms whose parts are too generic to search for.
SEARCH_WORDS_ZH = [
    "反向传播",
    "前向传播",
    "梯度消失",
    "梯度爆炸",
    "梯度裁剪",
    "梯度检验",
    "隐藏状态",
    "时间步",
    # the gates of chapters 4 and 5 (jieba gives 遗忘/门, 输入/门, ...)
    "遗忘门",
    "输入门",
    "输出门",
    "更新门",
    "重置门",
]

DOWNLOAD_LABEL = {"zh": "下载此 notebook", "en": "Download this notebook"}
OUTPUT_IMAGE_ALT = {"zh": "notebook 代码单元输出的图像", "en": "Image output by a notebook code cell"}
NBCONVERT_ALT = 'alt="No description has been provided for this image"'
DOWNLOAD_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    '<path d="M5 20h14v-2H5m14-9h-4V3H9v6H5l7 7z"/></svg>'
)

# nbconvert's <script> blocks that fetch from a CDN: the MathJax 2 loader (its
# src is a remote URL, or empty when mkdocs-jupyter has no custom URL), the
# MathJax configuration that goes with it, and the Mermaid module loader.
_REMOTE_SCRIPTS = [
    re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S),
    re.compile(r"<script[^>]*\bsrc=\"(?:https?:)?//[^\"]*\"[^>]*>\s*</script>", re.S),
    re.compile(r"<script type=\"module\">(?:(?!</script>).)*?mermaid.*?</script>", re.S),
]


# A notebook's code cell is highlighted by Pygments with the same token classes
# as the book's code blocks, inside <div class="highlight-ipynb hl-python">,
# which the notebook theme colours its own way.  Renamed to Material's
# "highlight", it takes the book's colours in both palettes (docs/stylesheets/
# extra.css sets the cell's background and font to match).
_NOTEBOOK_CODE_CLASS = 'class="highlight-ipynb hl-'
_BOOK_CODE_CLASS = 'class="highlight rnnbook-notebook-code hl-'

# a heading of a notebook's Markdown cell as nbconvert (through mkdocs-jupyter) writes it
_NOTEBOOK_HEADING = re.compile(
    r'<h(?P<level>[1-6]) id="[^"]*">(?P<inner>.*?)'
    r'<a class="anchor-link" href="#[^"]*">(?P<mark>.*?)</a></h(?P=level)>',
    re.S,
)


def _is_notebook_path(path):
    return path.endswith(NOTEBOOK_SUFFIX)


def _patch_file_class():
    original = File.is_documentation_page
    if getattr(original, "_rnnbook_notebooks", False):
        return  # already patched (mkdocs serve reloads the config)

    def is_documentation_page(self):
        return _is_notebook_path(self.src_uri) or original(self)

    is_documentation_page._rnnbook_notebooks = True
    File.is_documentation_page = is_documentation_page


def _add_search_words():
    try:
        import jieba
    except ImportError:
        return
    for word in SEARCH_WORDS_ZH:
        jieba.add_word(word)


def on_config(config):
    _patch_file_class()
    _add_search_words()
    return config


def _strip_remote_scripts(content):
    for pattern in _REMOTE_SCRIPTS:
        content = pattern.sub("", content)
    return content


def _download_button(page, language):
    source = os.path.basename(page.file.abs_src_path)
    # quickstart.en.ipynb is offered as quickstart.ipynb: the language is in
    # the notebook's prose, not in its name.
    stem = source[: -len(NOTEBOOK_SUFFIX)].split(".")[0]
    label = html.escape(DOWNLOAD_LABEL.get(language, DOWNLOAD_LABEL["en"]))
    return (
        f'<a href="{html.escape(source)}" download="{html.escape(stem)}{NOTEBOOK_SUFFIX}" '
        f'class="md-content__button md-icon rnnbook-notebook-download" '
        f'title="{label}" aria-label="{label}">{DOWNLOAD_ICON}</a>'
    )


def on_page_context(context, page, config, nav):
    """Point the language selector of every page at that page's twin.

    mkdocs-static-i18n does so for every page but the two home pages, whose
    links it leaves absolute ("/", "/en/"), which breaks when the book is
    served below a path.  The twins' URLs are relative, like everywhere else.
    """
    alternates = getattr(page.file, "alternates", None)
    if not alternates:
        return context
    # The plugin keeps the site-wide list as the item extra["alternate"] and
    # sets a per-page copy as the attribute extra.alternate, which is what the
    # templates read; only that copy is changed.
    for alternate in getattr(config.extra, "alternate", None) or []:
        twin = alternates.get(alternate.get("lang"))
        if twin is not None:
            alternate["link"] = twin.url or "./"
    return context


def on_template_context(context, template_name, config):
    """404.html: the language selector leads to the home pages.

    The per-page links of the last page rendered would otherwise stay in place
    (mkdocs-static-i18n sets them for pages only).
    """
    site_wide = config.extra.get("alternate")
    if template_name == "404.html" and site_wide and hasattr(config.extra, "alternate"):
        config.extra.alternate = copy.deepcopy(site_wide)
    return context


_default_404 = {}


def on_post_template(output, template_name, config):
    """Keep the site's 404.html in the default language.

    Every language's build writes site/404.html; the English one, built last,
    would replace the Chinese page (lang="en" under /).
    """
    if template_name != "404.html":
        return output
    i18n = config.plugins.get("i18n")
    default = getattr(i18n, "default_language", None)
    if default is None or config.theme.get("language") == default:
        _default_404["output"] = output
        return output
    return _default_404.get("output", output)


def _toc_items(items):
    for item in items:
        yield item
        yield from _toc_items(item.children)


def _notebook_heading_ids(content, page, config):
    """Headings with the site's slugs as ids, and the page's toc pointing at them."""
    slugify = (config.mdx_configs.get("toc") or {}).get("slugify") or markdown_slugify
    used, headings = set(), []

    def heading(match):
        text = html.unescape(re.sub(r"<[^>]+>", "", match["inner"])).strip()
        slug = unique(slugify(text, "-") or "section", used)
        headings.append((text, slug))
        level, inner, mark = match["level"], match["inner"], match["mark"]
        return (f'<h{level} id="{slug}">{inner}<a class="anchor-link" href="#{slug}">'
                f"{mark}</a></h{level}>")

    content = _NOTEBOOK_HEADING.sub(heading, content)

    def words(text):
        # the toc's title and the heading's text may space differently (a
        # full-width space U+3000 in a zh title)
        return " ".join(text.split())

    position = 0
    for item in _toc_items(page.toc or []):
        for index in range(position, len(headings)):
            if words(headings[index][0]) == words(item.title):
                item.id, position = headings[index][1], index + 1
                break
    return content


def on_page_content(content, page, config, files):
    if not _is_notebook_path(page.file.src_uri):
        return content
    content = _notebook_heading_ids(content, page, config)
    content = _strip_remote_scripts(content)
    language = config.theme.get("language") or "en"
    alt = html.escape(OUTPUT_IMAGE_ALT.get(language, OUTPUT_IMAGE_ALT["en"]), quote=True)
    content = content.replace(NBCONVERT_ALT, f'alt="{alt}"')
    content = content.replace(_NOTEBOOK_CODE_CLASS, _BOOK_CODE_CLASS)
    return _download_button(page, language) + content
