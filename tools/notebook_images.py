"""A notebook's plots as files beside its page, not base64 in its HTML (an MkDocs hook).

nbconvert writes every image output into the page as a ``data:`` URL: the
character-model page was 850 KB of HTML, downloaded and parsed before the
reader saw its first line, with every plot on it whether the reader scrolls
to it or not.  Here each such image becomes ``fig-<sha256 prefix>.png`` in
the page's folder, named by its bytes (so the zh and en twins, and rebuilds,
agree), and the ``<img>`` gets ``loading="lazy"``, ``decoding="async"`` and
its width and height (read from the PNG header), so the browser reserves its
space and fetches it when it comes near the screen.
"""

import base64
import hashlib
import os
import re
import struct

DATA_IMAGE = re.compile(
    r'<img(?P<before>[^>]*?)\ssrc="data:image/(?P<kind>png|jpeg);base64,(?P<data>[A-Za-z0-9+/=\s]+)"'
    r'(?P<after>[^>]*)>')
SUFFIX = {"png": ".png", "jpeg": ".jpg"}

_pending = {}  # page's abs_dest_path -> {file name: bytes}


def png_size(data):
    """(width, height) from a PNG's IHDR chunk, or None."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def extract(content):
    """(content with file names for the data: images, {file name: bytes})."""
    files = {}

    def replace(match):
        data = base64.b64decode(re.sub(r"\s+", "", match["data"]))
        name = "fig-" + hashlib.sha256(data).hexdigest()[:16] + SUFFIX[match["kind"]]
        files[name] = data
        size = png_size(data) if match["kind"] == "png" else None
        attributes = f' width="{size[0]}" height="{size[1]}"' if size else ""
        return (f'<img{match["before"]} src="{name}"{attributes} loading="lazy" '
                f'decoding="async"{match["after"]}>')

    return DATA_IMAGE.sub(replace, content), files


def on_page_content(content, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return content
    content, images = extract(content)
    if images:
        _pending[page.file.abs_dest_path] = images
    return content


def on_post_page(output, page, config):
    images = _pending.pop(page.file.abs_dest_path, None) or {}
    folder = os.path.dirname(page.file.abs_dest_path)
    for name, data in images.items():
        path = os.path.join(folder, name)
        os.makedirs(folder, exist_ok=True)
        with open(path, "wb") as file:
            file.write(data)
    return output
