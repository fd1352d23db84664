"""rnnbook.notebook: results shared by a notebook's twins, Chinese plot labels."""

import pytest

from rnnbook import notebook


def counting():
    calls = []

    def compute():
        calls.append(1)
        return {"mse": [0.5, 0.25], "calls": len(calls)}

    return compute, calls


def test_without_the_build_remember_just_computes(monkeypatch):
    monkeypatch.delenv(notebook.REMEMBER_ENV, raising=False)
    compute, calls = counting()
    assert notebook.remember("runs", compute)["calls"] == 1
    assert notebook.remember("runs", compute)["calls"] == 2
    assert len(calls) == 2


def test_under_the_build_the_second_call_loads(monkeypatch, tmp_path):
    monkeypatch.setenv(notebook.REMEMBER_ENV, str(tmp_path / "shared" / "key"))
    compute, calls = counting()
    first = notebook.remember("runs", compute)
    second = notebook.remember("runs", compute)  # the other twin
    assert first == second == {"mse": [0.5, 0.25], "calls": 1} and len(calls) == 1
    assert [p.name for p in (tmp_path / "shared" / "key").iterdir()] == ["runs.pickle"]
    other, other_calls = counting()
    assert notebook.remember("other", other)["calls"] == 1 and len(other_calls) == 1


@pytest.mark.parametrize("name", ["", "../up", "a/b", "with space", 3])
def test_remember_wants_a_file_name(name):
    with pytest.raises(ValueError, match="name must be"):
        notebook.remember(name, lambda: 1)


def test_remember_wants_a_function():
    with pytest.raises(TypeError, match="compute must be a function"):
        notebook.remember("runs", 42)


def test_plot_language():
    pytest.importorskip("matplotlib")
    assert notebook.plot_language("en") is None
    with pytest.raises(ValueError, match='language must be "zh" or "en"'):
        notebook.plot_language("fr")


def test_plot_language_zh_uses_an_installed_cjk_font(monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib import rcParams

    monkeypatch.setattr(notebook, "_cjk_font_files", lambda: [])
    with pytest.warns(UserWarning, match="fonts-wqy-microhei"):
        assert notebook.plot_language("zh") is None
    monkeypatch.undo()
    fonts = notebook._cjk_font_files()
    if not fonts:
        pytest.skip("no Chinese font installed (nox -s docs installs fonts-wqy-microhei)")
    with pytest.MonkeyPatch.context() as patch:
        for key in ("font.sans-serif", "font.family", "axes.unicode_minus"):
            patch.setitem(rcParams, key, rcParams[key])
        family = notebook.plot_language("zh")
        assert family == fonts[0][0] and rcParams["font.sans-serif"][0] == family


def test_cjk_font_names_an_installed_font_that_matplotlib_knows(monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib import font_manager

    monkeypatch.setattr(notebook, "_cjk_font_files", lambda: [])
    assert notebook.cjk_font() is None
    monkeypatch.undo()
    fonts = notebook._cjk_font_files()
    if not fonts:
        pytest.skip("no Chinese font installed (nox -s docs installs fonts-wqy-microhei)")
    family = notebook.cjk_font()
    assert family == fonts[0][0]
    assert family in {entry.name for entry in font_manager.fontManager.ttflist}
