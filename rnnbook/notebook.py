"""Helpers for the book's notebooks: shared results, and plots in Chinese.

The book's notebooks come in twins, Chinese and English.  Their code is the
same except for one cell, tagged ``labels``, that holds the strings of the
page's language (plot titles, axis labels, legends).  The heavy work of a
notebook (training nine models, say) is the same in both, so it is written

    runs = remember("runs", lambda: train_everything())

On a reader's machine ``remember`` simply calls the function: nothing is
stored, nothing is read.  When the book is built, tools/notebook_cache.py
executes each twin with the environment variable ``RNNBOOK_REMEMBER`` naming a
folder whose name is a digest of the notebook's code cells *without* the
``labels`` cell, of the rnnbook sources, of the pinned versions and of the
Python version.  Both twins get the same folder: the first to run computes
the result and stores it there, the second loads it.  So each heavy
computation runs once per build, and a change to the code or to rnnbook
leads to a new folder, where it runs again.  Whatever a notebook prints or
plots comes after ``remember`` returns, from the result, so both twins show
the same numbers.

``plot_language("zh")`` makes matplotlib draw Chinese text with a CJK font
that fontconfig knows (the build installs WenQuanYi Micro Hei, Debian's
``fonts-wqy-microhei``); ``cjk_font()`` names that font, for the few Chinese
characters of an English plot.
"""

import os
import pathlib
import pickle
import re
import tempfile
import warnings

REMEMBER_ENV = "RNNBOOK_REMEMBER"
# Fonts with Simplified Chinese glyphs, most likely first: the one the build
# installs (Debian, Ubuntu), then those of common desktops.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def remember(name, compute):
    """``compute()``, computed once per build and shared by a notebook's twins.

    Without ``RNNBOOK_REMEMBER`` in the environment (a reader's machine) this
    is just ``compute()``.  With it, the result is loaded from
    ``$RNNBOOK_REMEMBER/<name>.pickle`` if that file exists, and otherwise
    computed and stored there.  ``name`` tells the results of one notebook
    apart: letters, digits, ``_``, ``.`` and ``-``.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"name must be letters, digits, '_', '.' or '-' (a file name), got {name!r}"
        )
    if not callable(compute):
        raise TypeError(f"compute must be a function of no arguments, got {type(compute).__name__}")
    folder = os.environ.get(REMEMBER_ENV)
    if not folder:
        return compute()
    path = pathlib.Path(folder) / f"{name}.pickle"
    if path.is_file():
        # written by this same build (tools/notebook_cache.py), never downloaded
        return pickle.loads(path.read_bytes())
    result = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    # written under another name, then renamed: a build that stops half-way
    # leaves no truncated file that a later one would load
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
    return result


def _cjk_font_files():
    """(family, path) of the CJK_FAMILIES fonts installed on this machine."""
    from matplotlib import font_manager

    found = []
    for path in font_manager.findSystemFonts():
        try:
            family = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
        if family in CJK_FAMILIES:
            found.append((family, path))
    return sorted(found, key=lambda item: CJK_FAMILIES.index(item[0]))


def cjk_font():
    """The family of an installed font with Chinese glyphs, or None.

    The first of CJK_FAMILIES that is installed, registered with matplotlib
    (even when its font cache predates the font).  For Chinese text in a plot
    whose other words are English, pass it as ``fontfamily`` to the texts that
    need it; plot_language("zh") makes it the font of every text.
    """
    from matplotlib import font_manager

    fonts = _cjk_font_files()
    if not fonts:
        return None
    family, path = fonts[0]
    if all(entry.fname != path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return family


def plot_language(language):
    """Set matplotlib up to draw text in ``language`` ("zh" or "en").

    For "zh", the first font of CJK_FAMILIES that is installed goes first in
    the sans-serif list (registered with matplotlib even when its font cache
    predates the font), and the minus sign is drawn as a hyphen, which every
    CJK font has.  Returns the family used, or None for "en".  When no CJK
    font is installed, warns (the labels would be drawn as empty boxes) and
    returns None.
    """
    if language not in ("zh", "en"):
        raise ValueError(f'language must be "zh" or "en", got {language!r}')
    if language == "en":
        return None
    from matplotlib import rcParams

    family = cjk_font()
    if family is None:
        warnings.warn(
            "no Chinese font found for the plots (install one of "
            + ", ".join(CJK_FAMILIES)
            + "; on Debian: apt-get install fonts-wqy-microhei)",
            stacklevel=2,
        )
        return None
    rcParams["font.sans-serif"] = [family] + [
        name for name in rcParams["font.sans-serif"] if name != family
    ]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
    return family
