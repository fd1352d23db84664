"""Math rendered when the site is built, not in the reader's browser (an MkDocs hook).

Every formula of the book becomes KaTeX's HTML (what the eye reads) and
MathML (what screen readers read, with the TeX kept as an annotation, which
KaTeX's copy-tex script puts on the clipboard when a reader copies a
formula).  Pages then carry KaTeX's stylesheet and fonts, not its 270 KB
renderer, and a phone does not spend a second typesetting 400 formulas.

- Markdown pages: pymdownx.arithmatex (generic mode) leaves inline math as
  ``<span class="arithmatex">\\( ... \\)</span>`` and display math as
  ``<div class="arithmatex">\\[ ... \\]</div>``; each is rendered in place.
- Notebook pages (mkdocs-jupyter): the Markdown cells keep ``$...$``,
  ``$$...$$``, ``\\(...\\)`` and ``\\[...\\]`` as text; they are found in the
  cells' text (never in code) and rendered the same way.

The renderer is the KaTeX that the site vendors (``docs/assets/katex/``, see
tools/vendor_katex.sh), run by Node.js through ``tools/katex_render.js``: one
process per build, one round trip per page.  Why Node and not a Python port:
this is KaTeX itself, the exact version whose CSS and fonts the pages load,
so what the build writes is what the browser used to draw; Node comes from
Debian (``nox`` installs it where it is missing) and needs no npm packages.

A page with math asks for the faces nearly every formula is drawn in (KaTeX's
Main and Math italic) together with its stylesheets, instead of once it has
been laid out; the vendored CSS lets formulas show in a fallback face until
they arrive (font-display: swap, tools/vendor_katex.sh).

Bad TeX fails the build, naming the page and the formula.  The print edition
(tools/print_edition.py) pastes pages after this hook has run, so it gets
rendered math too.  A formula already rendered is not rendered again within a
build (or a ``mkdocs serve`` session): the print edition repeats every one.
"""

import html
import json
import logging
import pathlib
import re
import shutil
import subprocess

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.build_math")

SCRIPT = pathlib.Path(__file__).with_name("katex_render.js")
KATEX = pathlib.Path("docs") / "assets" / "katex" / "katex.min.js"

ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.S)
# where a Markdown cell of a notebook starts; it ends where its <div> closes
NOTEBOOK_MARKDOWN = re.compile(r'<div class="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>')
DIV = re.compile(r"<(/?)div\b[^>]*>")
TAG = re.compile(r"(<[^>]+>)")
# as KaTeX's auto-render looks for them in notebooks, display forms first
NOTEBOOK_MATH = re.compile(
    r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|(?<!\\)\$(?P<i1>[^$]+?)(?<!\\)\$|\\\((?P<i2>.+?)\\\)",
    re.S)


class Katex:
    """A Node.js process that renders batches of formulas with the vendored KaTeX."""

    def __init__(self, root):
        node = shutil.which("node") or shutil.which("nodejs")
        if node is None:
            raise PluginError("build_math: Node.js is needed to render the book's math "
                              "(Debian: apt-get install nodejs; `nox` installs it)")
        self.process = subprocess.Popen(
            [node, str(SCRIPT), str(pathlib.Path(root) / KATEX)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self.rendered = {}

    def render(self, formulas):
        """{(tex, display): html} for every formula, rendering only new ones."""
        new = sorted({f for f in formulas if f not in self.rendered})
        if new:
            self.process.stdin.write(json.dumps(new) + "\n")
            self.process.stdin.flush()
            answers = json.loads(self.process.stdout.readline())
            for formula, answer in zip(new, answers):
                self.rendered[formula] = answer
        return {f: self.rendered[f] for f in formulas}

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


_katex = None


def _renderer(config):
    global _katex
    if _katex is None or _katex.process.poll() is not None:
        _katex = Katex(pathlib.Path(config.config_file_path).parent)
    return _katex


def _arithmatex_source(tag, text):
    """The TeX of an arithmatex element and whether it is display math."""
    tex = html.unescape(text).strip()
    if tex.startswith("\\(") and tex.endswith("\\)"):
        return tex[2:-2], False
    if tex.startswith("\\[") and tex.endswith("\\]"):
        return tex[2:-2], True
    return tex, tag == "div"  # an environment written bare


def _notebook_cells(content):
    """(start, end) of the inside of every notebook Markdown cell."""
    for opening in NOTEBOOK_MARKDOWN.finditer(content):
        depth = 1
        for div in DIV.finditer(content, opening.end()):
            depth += -1 if div.group(1) else 1
            if depth == 0:
                yield opening.end(), div.start()
                break


def _notebook_math(cell):
    """Split a cell's HTML into pieces: strings, or (tex, display) where math is.
    Text inside <code> and <pre> is never math."""
    pieces, in_code = [], 0
    for part in TAG.split(cell):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in ("code", "pre"):
                in_code += -1 if part.startswith("</") else 1
            pieces.append(part)
            continue
        if in_code:
            pieces.append(part)
            continue
        position = 0
        for match in NOTEBOOK_MATH.finditer(part):
            pieces.append(part[position:match.start()])
            display = match["d1"] is not None or match["d2"] is not None
            tex = next(g for g in (match["d1"], match["d2"], match["i1"], match["i2"]) if g is not None)
            pieces.append((html.unescape(tex).strip(), display))
            position = match.end()
        pieces.append(part[position:])
    return pieces


def _wrap(answer, formula, page):
    tex, display = formula
    if "error" in answer:
        kind = "display" if display else "inline"
        raise PluginError(f"build_math: {page.file.src_uri}: KaTeX cannot render the "
                          f"{kind} formula {tex!r}: {answer['error']}")
    if display:
        return f'<div class="arithmatex">{answer["html"]}</div>'
    return f'<span class="arithmatex">{answer["html"]}</span>'


def render_page(content, page, katex):
    """The page's HTML with every formula rendered."""
    arithmatex = [(m, _arithmatex_source(m["tag"], m["tex"])) for m in ARITHMATEX.finditer(content)]
    cells = [(span, _notebook_math(content[span[0]:span[1]])) for span in _notebook_cells(content)]
    formulas = [f for _, f in arithmatex]
    formulas += [p for _, pieces in cells for p in pieces if isinstance(p, tuple)]
    if not formulas:
        return content
    rendered = katex.render(formulas)

    # rebuild the page from its pieces, left to right
    edits = [(m.start(), m.end(), _wrap(rendered[f], f, page)) for m, f in arithmatex]
    for (start, end), pieces in cells:
        text = "".join(p if isinstance(p, str) else _wrap(rendered[p], p, page) for p in pieces)
        edits.append((start, end, text))
    out, position = [], 0
    for start, end, text in sorted(edits):
        out.append(content[position:start])
        out.append(text)
        position = end
    out.append(content[position:])
    return "".join(out)


def on_page_content(content, page, config, files):
    return render_page(content, page, _renderer(config))


# (a class KaTeX's HTML uses the face for, the face); "katex" is on every formula
PRELOADED_FACES = (("katex", "KaTeX_Main-Regular"), ("mathnormal", "KaTeX_Math-Italic"))
KATEX_CSS = re.compile(r'<link rel="stylesheet" href="([^"]*)assets/katex/katex\.min\.css">')


def preload_faces(output):
    """The page with <link rel=preload> for the KaTeX faces its formulas use."""
    css = KATEX_CSS.search(output)
    if css is None:
        return output
    links = "".join(
        f'<link rel="preload" href="{css[1]}assets/katex/fonts/{face}.woff2" as="font" '
        'type="font/woff2" crossorigin>'
        for name, face in PRELOADED_FACES
        if re.search(rf'<span class="(?:[^"]* )?{name}[ "]', output))
    return output[:css.start()] + links + output[css.start():]


def on_post_page(output, page, config):
    return preload_faces(output)


def on_shutdown():
    global _katex
    if _katex is not None:
        _katex.close()
        _katex = None
