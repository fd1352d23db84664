"""tools/build_math.py: formulas become KaTeX's HTML and MathML when the site
is built; bad TeX stops the build and says where; code is never math."""

import pathlib
import sys
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import build_math  # noqa: E402 - tools/ is not a package

pytest.importorskip("mkdocs", reason="nox -s docs installs mkdocs")
from mkdocs.exceptions import PluginError  # noqa: E402


@pytest.fixture(scope="module")
def katex():
    renderer = build_math.Katex(ROOT)
    yield renderer
    renderer.close()


def page(name="rnn/model.md"):
    return types.SimpleNamespace(file=types.SimpleNamespace(src_uri=name))


def test_arithmatex_inline_and_display(katex):
    content = ('<p>The state <span class="arithmatex">\\(a^{\\langle t \\rangle} &lt; 1\\)</span>.</p>'
               '<div class="arithmatex">\\[\\mathcal{L} = \\sum_t \\mathcal{L}^{\\langle t \\rangle}'
               ' \\tag{2.7}\\]</div>')
    out = build_math.render_page(content, page(), katex)
    assert '\\(' not in out and '\\[' not in out
    assert out.count('<span class="katex">') == 2
    assert out.count('<span class="katex-display">') == 1
    assert "(2.7)" in out  # the tag is drawn
    # the TeX rides along, unescaped, for copy-tex and screen readers
    assert '<annotation encoding="application/x-tex">a^{\\langle t \\rangle} &lt; 1</annotation>' in out


def test_notebook_cells_math_but_not_code(katex):
    cell = ('<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">'
            '<p>For $T = 10$ and</p><p>$$\\frac{1}{12}$$</p>'
            '<pre><code>cost = "$5" + "$6"</code></pre><div>nested $x$</div></div>'
            '<div class="jp-OutputArea"><pre>$ not math $</pre></div>')
    out = build_math.render_page(cell, page("practice/longrange.ipynb"), katex)
    assert out.count('<span class="katex">') == 3
    assert out.count('<span class="katex-display">') == 1
    assert 'cost = "$5" + "$6"' in out and "<pre>$ not math $</pre>" in out


def test_bad_tex_names_the_page_and_the_formula(katex):
    content = '<span class="arithmatex">\\(\\frac{1}{\\)</span>'
    with pytest.raises(PluginError) as error:
        build_math.render_page(content, page("gated/lstm.md"), katex)
    message = str(error.value)
    assert "gated/lstm.md" in message and "\\\\frac{1}{" in message and "inline" in message


def test_a_page_without_math_is_left_alone(katex):
    content = "<p>No formulas, only $5 and $6 in prose.</p>"
    assert build_math.render_page(content, page(), katex) == content


def test_pages_with_math_preload_the_faces_their_formulas_use(katex):
    head = '<link rel="stylesheet" href="../../assets/katex/katex.min.css">'
    inline = build_math.render_page(
        '<p><span class="arithmatex">\\(x\\)</span></p>', page(), katex)
    out = build_math.preload_faces(head + inline)
    for face in ("KaTeX_Main-Regular", "KaTeX_Math-Italic"):
        link = f'<link rel="preload" href="../../assets/katex/fonts/{face}.woff2" as="font"'
        assert link in out and out.index(link) < out.index(head), face
    # digits only: no italic letter, no Math-Italic
    digits = build_math.render_page('<p><span class="arithmatex">\\(2\\)</span></p>', page(), katex)
    out = build_math.preload_faces(head + digits)
    assert "KaTeX_Main-Regular" in out and "KaTeX_Math-Italic" not in out
    assert build_math.preload_faces(head + "<p>no math</p>") == head + "<p>no math</p>"
