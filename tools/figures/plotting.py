"""Shared set-up of the data plots: matplotlib, in the diagrams' palettes, as
deterministic SVG.

The plots (gradient norms, speed-ups, the benchmark's ratios) are drawn with
matplotlib, which the notebooks use too, in each theme of primitives.THEMES.
A test regenerates every figure and compares the bytes, so the SVG must not
change from run to run or from machine to machine:

- no date in the metadata, and a fixed salt for the ids of clip paths;
- text as outlines (svg.fonttype "path"), so no font is needed to show it,
  taken only from the fonts that ship inside matplotlib: a machine's own
  DejaVu Serif may be another version than matplotlib's, with other outlines;
- mathematics in Computer Modern ("cm"), the family of KaTeX's fonts, so that
  a label reads like the same symbol in the text.
"""

import io
import math
import pathlib

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.font_manager as font_manager  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedFormatter, FixedLocator, NullFormatter  # noqa: E402

# Sizes are given in CSS pixels and converted to points, matplotlib's unit:
# an SVG sized in points shows at 96/72 pixels per point.
PT = 72 / 96

_BUNDLED = pathlib.Path(matplotlib.get_data_path()).resolve()


def _only_bundled_fonts():
    """Forget the machine's fonts: only those inside matplotlib are chosen."""
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if _BUNDLED in pathlib.Path(f.fname).parents]
    manager.afmlist = []
    # findfont remembers its answers, which might name a machine's font
    cached = getattr(font_manager.FontManager, "_findfont_cached", None)
    if hasattr(cached, "cache_clear"):
        cached.cache_clear()


def style(theme):
    """matplotlib settings for one theme."""
    colours = theme["colours"]
    return {
        "svg.hashsalt": "rnnbook",
        "svg.fonttype": "path",
        "font.family": "serif",
        "font.serif": ["DejaVu Serif"],
        "mathtext.fontset": "cm",
        "axes.unicode_minus": True,
        "font.size": 14 * PT,
        "axes.labelsize": 16 * PT,
        "xtick.labelsize": 14 * PT,
        "ytick.labelsize": 14 * PT,
        "legend.fontsize": 14 * PT,
        "text.color": colours["ink"],
        "axes.labelcolor": colours["ink"],
        "xtick.color": colours["line"],
        "ytick.color": colours["line"],
        "xtick.labelcolor": colours["ink"],
        "ytick.labelcolor": colours["ink"],
        "axes.edgecolor": colours["line"],
        "axes.linewidth": 1.2 * PT,
        "axes.facecolor": "none",
        "figure.facecolor": theme["background"],
        "savefig.facecolor": theme["background"],
        "grid.color": colours["grid"],
        "grid.linewidth": 1 * PT,
        "legend.facecolor": theme["background"],
        "legend.edgecolor": theme["background_edge"],
        "legend.framealpha": 1,
        "legend.fancybox": True,
        "lines.linewidth": 2.2 * PT,
        "lines.solid_joinstyle": "round",
        "lines.dash_joinstyle": "round",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "lines.scale_dashes": False,
    }


class Chart:
    """A matplotlib figure of width x height CSS pixels in one theme.

    Used as a context manager: inside it matplotlib's settings are the
    theme's (most are read when an artist is made, so everything is drawn
    inside), and on leaving it the figure is saved as SVG::

        with Chart("gradient-norms", theme, 740, 440) as chart:
            chart.axes.plot(...)
        chart.svg("tools/figures/bptt.py")
    """

    def __init__(self, name, theme, width, height, **subplots):
        self.name, self.theme = name, theme
        self.size = (width / 96, height / 96)
        self.subplots = subplots
        self._text = None

    def __enter__(self):
        _only_bundled_fonts()
        self._rc = plt.rc_context(style(self.theme))
        self._rc.__enter__()
        self.fig, self.axes = plt.subplots(figsize=self.size, **self.subplots)
        return self

    def __exit__(self, kind, value, traceback):
        try:
            if kind is None:
                buffer = io.StringIO()
                self.fig.savefig(buffer, format="svg", metadata={"Date": None})
                self._text = buffer.getvalue()
        finally:
            plt.close(self.fig)
            self._rc.__exit__(kind, value, traceback)
        return False

    def colour(self, role):
        return self.theme["colours"][role]

    def svg(self, source):
        """The SVG text, with a comment naming the module that draws it."""
        lines = self._text.splitlines()
        comment = (f"<!-- Drawn by {source} ({self.name}, {self.theme['name']} palette) "
                   "with matplotlib; edit the script, not this file. -->")
        # after the XML declaration, which must come first
        return "\n".join(lines[:1] + [comment] + lines[1:]) + "\n"


def _decade_label(decade):
    return "$1$" if decade == 0 else ("$10$" if decade == 1 else f"$10^{{{decade}}}$")


def log_norm_chart(chart, series, x_label, y_label, x_ticks, legend="lower right"):
    """Plot series = [(label, ys, role, dashes)] against k = 1 ... len(ys), y on a
    log scale: a faint line at every decade, a labelled one every few."""
    ax = chart.axes
    lows = [np.log10(np.min(ys)) for _, ys, _, _ in series]
    highs = [np.log10(np.max(ys)) for _, ys, _, _ in series]
    lo, hi = math.floor(min(lows)), math.ceil(max(highs))
    step = next(s for s in (1, 2, 3, 4, 5, 6, 10) if (hi - lo) / s <= 8)
    lo, hi = step * math.floor(lo / step), step * math.ceil(hi / step)
    for label, ys, role, dashes in series:
        k = np.arange(1, len(ys) + 1)
        (drawn,) = ax.plot(k, ys, color=chart.colour(role), label=label)
        if dashes:
            drawn.set_dashes([d * PT for d in dashes])
    ax.set_yscale("log")
    ax.set_ylim(10.0**lo, 10.0**hi)
    ax.set_xlim(1, max(len(ys) for _, ys, _, _ in series))
    major = list(range(lo, hi + 1, step))
    ax.yaxis.set_major_locator(FixedLocator([10.0**d for d in major]))
    ax.yaxis.set_major_formatter(FixedFormatter([_decade_label(d) for d in major]))
    ax.yaxis.set_minor_locator(FixedLocator([10.0**d for d in range(lo, hi + 1)]))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(x_ticks, [str(k) for k in x_ticks])
    ax.grid(True, which="both", axis="y")
    ax.grid(True, which="major", axis="x")
    ax.tick_params(which="minor", length=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.legend(loc=legend, handlelength=2.6)
    chart.fig.tight_layout(pad=0.6)
