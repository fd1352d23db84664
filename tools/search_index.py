"""One search index per language, holding prose only (an MkDocs hook).

Material's search plugin and mkdocs-static-i18n write one index for the whole
site, both languages together (1.4 MB), which every page of either language
downloads, and a Chinese reader searching "forget gate" gets English pages.
Here:

- The search plugin reads each page without its formulas and code, so a
  result's snippet is prose: no TeX, no rendered math's glyph soup, no whole
  code block.  Headings, which name the functions and the ideas, stay
  searchable.  (Material's own ``data-search-exclude`` cannot do it: its
  parser matches elements by tag name, so the first nested ``</span>`` ends
  the exclusion.)  The page itself keeps everything.
- After the build, ``site/search/search_index.json`` is split: the Chinese
  pages' entries stay there, the English pages' go to
  ``site/en/search/search_index.json`` with their locations made relative
  to ``/en/``; each index lists only its own language for lunr.
- English pages are told that their search lives under ``/en/``: their
  ``__config.base`` (which Material's search worker and result links are
  resolved against, and nothing else while navigation.instant is off) gains
  ``/en/``.
- Queries are read the way the index was written.  Material's search worker
  (9.8.2) splits a run of Chinese characters into the words of the index, but
  its loop never tries the whole run, so 反向传播 — one word in the index
  (tools/mkdocs_hooks.py adds it to jieba) — was searched as 反向 + 传 and
  ranked §4.6 "梯度能传多远" first; and it joins the words with OR, so any
  one of them was enough.  The site ships a copy of the worker with those two
  spots changed (the whole run is tried; every word is required, as in a
  book's index), made at build time from the pinned theme's own file; if the
  theme's code ever differs, the build fails and says so.
- The index costs nothing until the reader searches.  Material fetches it as
  every page loads (on http; only file: pages waited for the search box to
  open), 130 KB gzip of a chapter's 410 KB, and on a slow phone connection
  that fetch competed with the page's own fonts and figures.  The site ships a
  copy of the theme's bundle, made the same way, in which the index is
  fetched when search is first opened (the search box focused, the search
  icon tapped, "/" or "s" pressed), or when a page opened from a search result
  highlights the words searched for.
"""

import json
import logging
import os
import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.search_index")

# what must not reach the index: rendered math (tools/build_math.py), code
# blocks, a notebook's code cells and outputs
UNSEARCHED = re.compile(
    r'<(?P<tag>span|div)\b[^>]*?\sclass="(?:arithmatex|[^"]*\bhighlight\b[^"]*|jp-InputArea\b[^"]*'
    r'|jp-OutputArea\b[^"]*)"')
CONFIG_BASE = re.compile(r'(<script id="__config" type="application/json">\{"annotate": [^,]*, "base": ")([^"]*)"')


WORKER = "assets/javascripts/workers/search.a7633da7.min.js"
BOOK_WORKER = "assets/javascripts/workers/search.rnnbook.min.js"
# (what Material's worker says, what the book's copy says instead)
WORKER_PATCHES = [
    # fe(): the longest word of the index starting at s, now up to the run's end
    ("for(let o=s+1;o<t.length;o++)t.slice(s,o)in e",
     "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"),
    # ue(): every term required (+term*), not any one of them (term*)
    ("r=>/(^[+-]|[~^]\\d+$)/.test(r)?r:`${r}*`",
     "r=>/(^[+-]|[~^]\\d+$)/.test(r)?r:`+${r}*`"),
]


BUNDLE = "assets/javascripts/bundle.a5f9d56c.min.js"
BOOK_BUNDLE = "assets/javascripts/bundle.rnnbook.min.js"
BUNDLE_PATCHES = [
    # Ei(): the search setup waited for "not file:" (true at once on http) or
    # the search toggle; now for the toggle only
    ('L($(location.protocol!=="file:"),Je("search")).pipe(Re(o=>o),b(()=>t))',
     'Je("search").pipe(Re(o=>o),b(()=>t))'),
    # Ai() (search.highlight): the index was subscribed to on every page and
    # used only with ?h= in the address; now only once that is there
    ('z([t,r.pipe(Q(we()),g(o=>!!o.searchParams.get("h")))]).pipe(m(([o,n])=>',
     'r.pipe(Q(we()),g(o=>!!o.searchParams.get("h")),b(n=>t.pipe(m(o=>[o,n])))).pipe(m(([o,n])=>'),
]


def patched(source, patches, what):
    """source with each (before, after) of patches applied; each must apply once."""
    for before, after in patches:
        if source.count(before) != 1:
            raise PluginError(f"search_index: Material's {what} has changed: "
                              f"{before!r} found {source.count(before)} times, expected once "
                              f"(re-check the patches against the theme)")
        source = source.replace(before, after)
    return source


def book_worker(source):
    """Material's search worker with WORKER_PATCHES applied."""
    return patched(source, WORKER_PATCHES, "search worker")


def book_bundle(source):
    """Material's bundle with BUNDLE_PATCHES applied."""
    return patched(source, BUNDLE_PATCHES, "bundle")


def _language_prefix(config):
    """'en/' for the English build, '' for the default language."""
    i18n = config.plugins.get("i18n")
    default = getattr(i18n, "default_language", None)
    language = config.theme.get("language")
    return "" if language in (None, default) else f"{language}/"


def prose_only(content):
    """The page's HTML without the elements UNSEARCHED finds (nesting counted)."""
    out, position = [], 0
    for opening in UNSEARCHED.finditer(content):
        if opening.start() < position:
            continue  # inside an element already removed
        tag = re.compile(rf"<(/?){opening['tag']}\b[^>]*>")
        depth = 1
        for match in tag.finditer(content, opening.end()):
            depth += -1 if match.group(1) else 1
            if depth == 0:
                out.append(content[position:opening.start()])
                position = match.end()
                break
    out.append(content[position:])
    return "".join(out)


@event_priority(100)  # before the search plugin indexes the page
def on_page_context(context, page, config, nav):
    search = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(search, "search_index", None)
    if index is None or getattr(index, "rnnbook_prose_only", False):
        return context
    add_entry = index.add_entry_from_context

    def add_prose(page):
        full = page.content
        page.content = prose_only(full)
        try:
            add_entry(page)
        finally:
            page.content = full

    index.add_entry_from_context = add_prose
    index.rnnbook_prose_only = True
    return context


def on_post_page(output, page, config):
    output = output.replace(WORKER + '"', BOOK_WORKER + '"', 1)
    output = output.replace(BUNDLE + '"', BOOK_BUNDLE + '"', 1)
    prefix = _language_prefix(config)
    if not prefix:
        return output
    # with its trailing slash: the worker resolves "search/search_index.json" against it
    return CONFIG_BASE.sub(
        lambda m: f'{m.group(1)}{m.group(2).rstrip("/")}/{prefix}"', output, count=1)


def split(index, languages):
    """{prefix: index} from one index of all languages; prefixes like 'en/' ('' = default)."""
    others = [p for p in languages if p]
    parts = {}
    for prefix in languages:
        docs = []
        for doc in index["docs"]:
            location = doc["location"]
            owner = next((p for p in others if location.startswith(p)), "")
            if owner == prefix:
                docs.append({**doc, "location": location[len(prefix):]})
        language = prefix.rstrip("/") or languages[prefix]
        parts[prefix] = {**index, "config": {**index["config"], "lang": [language]},
                         "docs": docs}
    return parts


def write_copies(site_dir):
    """The book's copies of the theme's search worker and bundle."""
    for theirs, ours, make in ((WORKER, BOOK_WORKER, book_worker),
                               (BUNDLE, BOOK_BUNDLE, book_bundle)):
        with open(os.path.join(site_dir, theirs), encoding="utf-8") as file:
            source = file.read()
        with open(os.path.join(site_dir, ours), "w", encoding="utf-8") as file:
            file.write(make(source))


@event_priority(-200)  # after mkdocs-static-i18n (-100) has written the merged index
def on_post_build(config):
    write_copies(config.site_dir)
    path = os.path.join(config.site_dir, "search", "search_index.json")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as file:
        index = json.load(file)
    i18n = config.plugins.get("i18n")
    if getattr(i18n, "building", False):
        return  # an inner build of one language: the merged index comes last
    languages = {"": getattr(i18n, "default_language", "zh")}
    for language in getattr(i18n, "build_languages", []) or []:
        if language != languages[""]:
            languages[f"{language}/"] = language
    if len(index["config"].get("lang", [])) < 2 or not any(
            d["location"].startswith(tuple(p for p in languages if p)) for d in index["docs"]):
        return  # already split
    for prefix, part in split(index, languages).items():
        target = os.path.join(config.site_dir, prefix, "search", "search_index.json")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as file:
            json.dump(part, file, ensure_ascii=False, separators=(",", ":"))
        log.info(f"search index {prefix or '/'}: {len(part['docs'])} entries, "
                 f"{os.path.getsize(target) // 1024} KB")
