"""tools/page_styles.py: <style> blocks in a page's article become one shared
file, linked where the first stood; nothing else of the page changes."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))

import page_styles  # noqa: E402 - tools/ is not a package

HEAD = "<html><head><style>h1{color:red}</style></head><body>"
ARTICLE = '<article class="md-content__inner md-typeset">'


def test_the_articles_style_blocks_become_one_linked_file():
    page = (HEAD + ARTICLE + "<p>a</p><style>.x{a:1}</style>\n<script>s()</script>"
            "<style type=\"text/css\">.y{b:2}</style><div>z</div></article>")
    out, files = page_styles.shared(page, lambda name: "../assets/" + name)
    (name, css), = files.items()
    assert css == ".x{a:1}\n.y{b:2}\n"
    assert out == (HEAD + ARTICLE + f'<p>a</p><link rel="stylesheet" href="../assets/{name}">\n'
                   "<script>s()</script><div>z</div></article>")
    # named by the text: another page with the same styles links the same file
    other, again = page_styles.shared(HEAD + ARTICLE + "<style>.x{a:1}</style><style>.y{b:2}"
                                      "</style></article>", lambda name: name)
    assert list(again) == [name]
    # a block repeated (the print edition holds each notebook's) is kept once
    repeated, once = page_styles.shared(HEAD + ARTICLE + "<style>.x{a:1}</style><p>b</p>"
                                        "<style>.x{a:1}</style><style>.y{b:2}</style></article>",
                                        lambda name: name)
    assert list(once) == [name] and repeated.count("<link") == 1


def test_pages_without_styles_in_their_article_are_left_alone():
    for page in (HEAD + ARTICLE + "<p>a</p></article>", HEAD + "<p>no article</p>"):
        assert page_styles.shared(page, lambda name: name) == (page, {})
