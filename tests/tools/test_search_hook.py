"""tools/search_index.py: what reaches the index, how it is split by
language, and the patched copy of Material's search worker."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))

pytest.importorskip("mkdocs", reason="nox -s docs installs mkdocs")
import search_index  # noqa: E402 - tools/ is not a package
from mkdocs.exceptions import PluginError  # noqa: E402


def test_prose_only_drops_math_and_code_with_their_nested_elements():
    page = ('<p>Loss <span class="arithmatex"><span class="katex"><span>L</span></span></span>'
            ' is summed.</p><div id="code-1" class="language-python highlight"><pre><code>'
            '<span>x</span></code></pre></div><p>After <code>rnn_forward</code>.</p>'
            '<div class="jp-InputArea jp-Cell-inputArea"><div><div>cell</div></div></div><p>End</p>')
    assert search_index.prose_only(page) == (
        "<p>Loss  is summed.</p><p>After <code>rnn_forward</code>.</p><p>End</p>")


def test_split_gives_each_language_its_own_entries():
    index = {"config": {"lang": ["zh", "en"], "separator": " "}, "docs": [
        {"location": "", "title": "首页", "text": ""},
        {"location": "rnn/bptt/#31", "title": "3.1", "text": ""},
        {"location": "en/", "title": "Home", "text": ""},
        {"location": "en/rnn/bptt/#31", "title": "3.1", "text": ""},
    ]}
    parts = search_index.split(index, {"": "zh", "en/": "en"})
    assert [d["location"] for d in parts[""]["docs"]] == ["", "rnn/bptt/#31"]
    assert [d["location"] for d in parts["en/"]["docs"]] == ["", "rnn/bptt/#31"]
    assert parts[""]["config"]["lang"] == ["zh"] and parts["en/"]["config"]["lang"] == ["en"]


@pytest.mark.parametrize("patches, make", [
    (search_index.WORKER_PATCHES, search_index.book_worker),
    (search_index.BUNDLE_PATCHES, search_index.book_bundle),
], ids=["worker", "bundle"])
def test_the_theme_patches_apply_once_or_the_build_stops(patches, make):
    source = "a;" + ";".join(before for before, _ in patches) + ";z"
    patched = make(source)
    for before, after in patches:
        assert after in patched and before not in patched
    for before, _ in patches:
        with pytest.raises(PluginError, match="has changed"):
            make(source.replace(before, "other"))
