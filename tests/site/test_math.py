"""The math is rendered when the site is built (tools/build_math.py): no page
leaves a formula for JavaScript, every formula carries MathML for screen
readers and its TeX for copy-tex, and no page loads KaTeX's renderer."""

import html
import re

from conftest import LANGUAGES

ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.{0,40})', re.S)
NOTEBOOK_CELL = re.compile(r'<div class="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>(.*?)</div>', re.S)
CODE = re.compile(r"<(code|pre)\b.*?</\1>", re.S)
KATEX = re.compile(r'<span class="katex">(.*?)</annotation>', re.S)
RENDERER = re.compile(r'<script[^>]+src="[^"]*(katex(\.min)?\.js|auto-render[^"]*)"')


def pages(site_dir):
    for path in sorted(site_dir.rglob("*.html")):
        yield path, path.read_text(encoding="utf-8")


def test_every_formula_is_rendered_at_build_time(site_dir):
    formulas = 0
    for path, text in pages(site_dir):
        where = path.relative_to(site_dir)
        for match in ARITHMATEX.finditer(text):
            assert match.group(2).startswith('<span class="katex'), (
                f"{where}: a formula left for the browser: {match.group(0)!r}")
            formulas += 1
        for cell in NOTEBOOK_CELL.findall(text):
            prose = re.sub(r"<[^>]+>", "", CODE.sub("", KATEX.sub("", cell)))
            assert "$" not in prose and "\\(" not in prose and "\\[" not in prose, (
                f"{where}: TeX left in a notebook's Markdown cell: {prose.strip()[:120]!r}")
        assert "katex-error" not in text, f"{where}: KaTeX wrote an error into the page"
        assert not RENDERER.search(text), f"{where} loads KaTeX's renderer"
    assert formulas > 2000, f"only {formulas} formulas found: is arithmatex still in use?"


def test_formulas_carry_mathml_and_their_tex(site_dir):
    """Screen readers read the MathML; copy-tex copies the annotation."""
    for language, prefix in LANGUAGES.items():
        page = site_dir / prefix / "rnn" / "bptt" / "index.html"
        text = page.read_text(encoding="utf-8")
        rendered = KATEX.findall(text)
        assert len(rendered) > 100, page
        for body in rendered:
            assert "<math" in body and '<annotation encoding="application/x-tex">' in body
        annotations = [html.unescape(a) for a in re.findall(
            r'<annotation encoding="application/x-tex">(.*?)</annotation>', text, re.S)]
        assert any("\\tag{3.1}" in a for a in annotations), f"{page}: equation (3.1) is not there"
        assert "contrib/copy-tex.min.js" in text, f"{page} does not load copy-tex"


def test_notebook_plots_are_files_not_base64(site_dir):
    """tools/notebook_images.py: a plot is a lazy-loaded file with its size,
    not a data: URL in the page's HTML."""
    plots = 0
    for path, text in pages(site_dir):
        where = path.relative_to(site_dir)
        if "print" in where.parts:
            continue  # the print edition pastes the notebook pages
        assert 'src="data:image/' not in text, f"{where}: an image inlined as base64"
        for tag in re.findall(r'<img [^>]*src="fig-[0-9a-f]{16}\.png"[^>]*>', text):
            plots += 1
            assert 'loading="lazy"' in tag and re.search(r'width="\d+" height="\d+"', tag), tag
            name = re.search(r'src="(fig-[0-9a-f]{16}\.png)"', tag).group(1)
            assert (path.parent / name).is_file(), f"{where}: {name} is not beside the page"
    assert plots >= 8, f"only {plots} notebook plots found as files"


PRELOAD = re.compile(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin>')


def test_pages_with_math_fetch_its_faces_early_and_show_formulas_at_once(site_dir):
    """A page with formulas preloads KaTeX's Main face (tools/build_math.py),
    the file is there, and no KaTeX face is declared font-display: block
    (formulas would stay invisible until their fonts arrive)."""
    css = (site_dir / "assets" / "katex" / "katex.min.css").read_text("utf-8")
    assert "font-display:block" not in css and "font-display:swap" in css
    with_math = 0
    for path, text in pages(site_dir):
        where = path.relative_to(site_dir)
        preloads = PRELOAD.findall(text)
        for href in preloads:
            assert (path.parent / href).resolve().is_file(), f"{where}: preloads {href}, missing"
        if '<span class="katex">' in text:
            with_math += 1
            assert any(h.endswith("KaTeX_Main-Regular.woff2") for h in preloads), where
        else:
            assert not preloads, f"{where}: no math but preloads {preloads}"
    assert with_math > 30, with_math
