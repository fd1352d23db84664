"""Stylesheets written into a page's text moved to a shared file (an MkDocs hook).

mkdocs-jupyter writes JupyterLab's stylesheet into every notebook page, in
<style> blocks before the notebook: 590 KB of the character-model page's
790 KB of HTML, the same on every notebook page and once per notebook on the
print edition.  A phone downloaded and parsed it again with each notebook
page before showing the page's first line.

Here the <style> blocks inside a page's article become one file,
``assets/stylesheets/page-<sha256 prefix>.css``, each block once (the print
edition repeats every notebook's), named by its text (so every page with the
same styles links the same file, which the browser caches), linked from
where the first block stood: the cascade keeps its order.
"""

import hashlib
import os
import re

ARTICLE = re.compile(r'<article class="md-content__inner[^"]*">')
STYLE_BLOCK = re.compile(r"<style\b[^>]*>(?P<css>.*?)</style>\s*", re.S)
FOLDER = os.path.join("assets", "stylesheets")


def shared(output, href_for):
    """(the page with its article's <style> blocks replaced by one <link>,
    {file name: css}); href_for(name) is the link's address for the page."""
    article = ARTICLE.search(output)
    if article is None:
        return output, {}
    blocks = list(STYLE_BLOCK.finditer(output, article.end()))
    if not blocks:
        return output, {}
    texts = []
    for block in blocks:
        if block["css"].strip() not in texts:
            texts.append(block["css"].strip())
    css = "\n".join(texts) + "\n"
    name = "page-" + hashlib.sha256(css.encode("utf-8")).hexdigest()[:16] + ".css"
    link = f'<link rel="stylesheet" href="{href_for(name)}">\n'
    pieces, position = [], 0
    for index, block in enumerate(blocks):
        pieces.append(output[position:block.start()])
        if index == 0:
            pieces.append(link)
        position = block.end()
    pieces.append(output[position:])
    return "".join(pieces), {name: css}


def on_post_page(output, page, config):
    folder = os.path.join(config.site_dir, FOLDER)
    page_folder = os.path.dirname(page.file.abs_dest_path)

    def href_for(name):
        return os.path.relpath(os.path.join(folder, name), page_folder).replace(os.sep, "/")

    output, files = shared(output, href_for)
    for name, css in files.items():
        path = os.path.join(folder, name)
        if not os.path.exists(path):  # named by its text: the same name, the same file
            os.makedirs(folder, exist_ok=True)
            with open(path, "w", encoding="utf-8") as file:
                file.write(css)
    return output
