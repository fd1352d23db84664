"""Chapter 7 (docs/fast.md): the benchmark's ratios at a glance, and the
speed-up over threads (both plots of docs/data/bench.json, which
tests/bench/harness.py writes)."""

import json
import math
import pathlib

from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, NullLocator

from .plotting import PT, Chart

BENCH = pathlib.Path(__file__).resolve().parents[2] / "docs" / "data" / "bench.json"
MODELS = ("rnn", "lstm", "gru")
SIZES = ("small", "medium", "large")
DTYPE_ROLES = {"float32": "input", "float64": "output"}
MONO = {"family": "monospace"}


def bench():
    return json.loads(BENCH.read_text(encoding="utf-8"))


def fig_bench_ratios(theme):
    """Figure 7.1: the two ratios of the main table, textbook / fast and fast / torch,
    for every model, size and dtype, at one thread (filled) and at every core (open)."""
    report = bench()
    results = report["results"]
    threads = sorted({r["threads"] for r in results})
    sizes = report["sizes"]
    # Rows from the top: a heading line, then RNN, LSTM, GRU, for each size.
    row_y = {}
    for g, size in enumerate(SIZES):
        for i, model in enumerate(MODELS):
            row_y[size, model] = g * 4 + 1 + i
    panels = (("textbook/fast", "rnnbook / fast"), ("fast/torch", "fast / torch"))
    markers = {p: ("o", True) if p == threads[0] else ("D", False) for p in threads}
    with Chart("bench-ratios", theme, 760, 470, ncols=2, sharey=True) as chart:
        for ax, (key, title) in zip(chart.axes, panels):
            values = []
            for r in results:
                ratio = r["ratios"].get(key)
                if ratio is None:
                    continue
                values.append(ratio)
                shape, filled = markers[r["threads"]]
                colour = chart.colour(DTYPE_ROLES[r["dtype"]])
                shift = -0.16 if r["dtype"] == "float32" else 0.16
                ax.plot(ratio, row_y[r["size"], r["model"]] + shift, linestyle="none",
                        marker=shape, markersize=7 * PT, markeredgewidth=1.6 * PT,
                        markeredgecolor=colour,
                        markerfacecolor=colour if filled else chart.theme["background"])
            lo = 2.0 ** math.floor(math.log2(min(values) / 1.15))
            hi = 2.0 ** math.ceil(math.log2(max(values) * 1.15))
            ax.set_xscale("log", base=2)
            ax.set_xlim(min(lo, 0.5), max(hi, 2.0))
            ticks = [2.0**k for k in range(round(math.log2(min(lo, 0.5))),
                                           round(math.log2(max(hi, 2.0))) + 1)]
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.set_xticklabels([f"{t:g}" for t in ticks])
            ax.xaxis.set_minor_locator(NullLocator())
            ax.axvline(1.0, color=chart.colour("muted"), linewidth=1.2 * PT,
                       dashes=(4 * PT, 3 * PT), zorder=0)
            ax.grid(True, axis="x")
            ax.set_axisbelow(True)
            ax.set_title(title, fontdict=MONO, fontsize=15 * PT, color=chart.colour("ink"))
        left = chart.axes[0]
        left.set_ylim(len(SIZES) * 4 - 0.4, -0.2)
        left.set_yticks([row_y[key] for key in row_y],
                        [key[1].upper() for key in row_y])
        left.tick_params(axis="y", length=0)
        for g, size in enumerate(SIZES):
            shape = sizes[size]
            tuple_text = ", ".join(str(shape[k]) for k in ("n_x", "n_a", "m", "T"))
            left.text(0.02, g * 4 + 0.05, rf"$(n_x, n_a, m, T) = ({tuple_text})$",
                      transform=left.get_yaxis_transform(), va="center", ha="left",
                      fontsize=14 * PT, color=chart.colour("muted"),
                      # a band of the page's colour, so the line at 1 passes behind it
                      bbox={"boxstyle": "square,pad=0.15", "facecolor": chart.theme["background"],
                            "edgecolor": "none"})
        handles = []
        for dtype, role in DTYPE_ROLES.items():
            for p in threads:
                shape, filled = markers[p]
                colour = chart.colour(role)
                handles.append(Line2D([], [], linestyle="none", marker=shape,
                                      markersize=7 * PT, markeredgewidth=1.6 * PT,
                                      markeredgecolor=colour,
                                      markerfacecolor=colour if filled
                                      else chart.theme["background"],
                                      label=f"{dtype}, $p = {p}$"))
        chart.fig.legend(handles=handles, loc="lower center", ncols=len(handles),
                         frameon=False, handletextpad=0.3, columnspacing=1.4)
        chart.fig.tight_layout(pad=0.6, rect=(0, 0.07, 1, 1))
    return chart


def fig_thread_speedup(theme):
    """Figure 7.2: the speed-up over one thread of rnnbook.fast (threads=p) and of
    torch (p threads), at the medium size in float32, from the harness's thread
    sweep; the dotted line is the ideal, p."""
    sweep = bench()["thread_sweep"]
    rows = [r for r in sweep["rows"] if r["size"] == "medium" and r["dtype"] == "float32"]
    counts = sorted({r["threads"] for r in rows})
    roles = {"rnn": "input", "lstm": "hidden", "gru": "output"}
    with Chart("thread-speedup", theme, 740, 440) as chart:
        ax = chart.axes
        ax.plot(counts, counts, color=chart.colour("muted"), dashes=(2 * PT, 4 * PT),
                label="$p$")
        top = max(counts)
        for library, dashes in (("fast", None), ("torch", (8 * PT, 4 * PT))):
            for model, role in roles.items():
                own = {r["threads"]: r["seconds"][library] for r in rows if r["model"] == model}
                if library not in rows[0]["seconds"] or 1 not in own:
                    continue
                name = "rnnbook.fast" if library == "fast" else "torch"
                speedups = [own[1] / own[p] for p in counts]
                top = max(top, *speedups)
                (drawn,) = ax.plot(counts, speedups, color=chart.colour(role), marker="o",
                                   markersize=6 * PT, label=f"{model.upper()}  {name}")
                if dashes:
                    drawn.set_dashes(dashes)
        ax.set_xticks(counts, [str(p) for p in counts])
        ax.set_xlim(min(counts), max(counts))
        y_max = math.ceil(top * 2) / 2
        y_step = next(s for s in (0.25, 0.5, 1, 2, 4, 5, 10) if y_max / s <= 8)
        y_ticks = [k * y_step for k in range(round(y_max / y_step) + 1)]
        ax.set_ylim(0, y_max)
        ax.set_yticks(y_ticks, [f"{y:g}" for y in y_ticks])
        ax.grid(True, axis="y")
        ax.set_axisbelow(True)
        ax.set_xlabel("$p$")
        ax.set_ylabel("$t_1 / t_p$")
        ax.legend(loc="lower right", handlelength=2.6)
        chart.fig.tight_layout(pad=0.6)
    return chart


FIGURES = {
    "bench-ratios": fig_bench_ratios,
    "thread-speedup": fig_thread_speedup,
}
