#!/usr/bin/env python3
"""Draw the book's figures as small, language-neutral SVG files.

    python tools/draw_figures.py            # rewrite docs/figures/*.svg
    python tools/draw_figures.py --out DIR  # write the same files into DIR

Every label is mathematics (x^<t>, W_aa, tanh, ...), never a word in Chinese
or English, so one file serves both languages; the captions are translated in
the Markdown.  The script uses the standard library, numpy and rnnbook only,
and its output is deterministic: coordinates are rounded to two decimals,
attributes are written in sorted order, nothing depends on the clock, the
platform or the current directory.  A test regenerates the figures into a
temporary directory and compares them byte for byte with docs/figures/.

Labels use a tiny markup: ``a_b`` is a subscript and ``a^b`` a superscript,
where b is ``{...}``, an angle-bracket group ``<...>`` written with the
characters U+27E8/U+27E9, or a run of letters and digits (optionally signed).
So ``x^⟨t⟩``, ``W_aa``, ``a^⟨T_x−1⟩`` and ``10^−12`` all work.  Latin letters
are set in italic, except function names such as tanh and softmax.
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np

import rnnbook
import rnnbook.gradient_flow

SCRIPT = "tools/draw_figures.py"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "figures"

# ---------------------------------------------------------------------------
# Palette.  Strokes are saturated enough for a white background; every figure
# sits on its own white rounded rectangle, so it also reads on a dark page.
# ---------------------------------------------------------------------------

COLOURS = {
    "ink": "#2d3748",  # text
    "line": "#4a5568",  # forward arrows, operation outlines
    "input": "#2b6cb0",  # x
    "hidden": "#2f855a",  # a, c
    "output": "#c05621",  # y hat, y
    "loss": "#6b46c1",  # L
    "grad": "#c53030",  # gradients (dashed)
    "muted": "#718096",  # equation tags, ellipses
    "edge": "#cbd5e0",  # MLP edges, grid lines
    "frame": "#a0aec0",  # the outline of a cell
}
FILLS = {
    "input": "#ebf4ff",
    "hidden": "#e6f4ea",
    "output": "#fff1e6",
    "loss": "#f3ebff",
    "op": "#f7fafc",
    "param": "#edf2f7",
    "cell": "#f7fafc",
    "encoder": "#ebf4ff",
    "decoder": "#fff1e6",
}
STROKES = {
    "input": COLOURS["input"],
    "hidden": COLOURS["hidden"],
    "output": COLOURS["output"],
    "loss": COLOURS["loss"],
    "op": COLOURS["line"],
    "param": COLOURS["muted"],
    "cell": COLOURS["line"],
    "encoder": COLOURS["input"],
    "decoder": COLOURS["output"],
}
BACKGROUND = "#ffffff"
BACKGROUND_EDGE = "#e2e8f0"

# Function names are set upright; every other Latin letter is italic.
UPRIGHT_WORDS = {"tanh", "softmax", "RNN", "LSTM", "GRU"}

# ---------------------------------------------------------------------------
# SVG writing: numbers, attributes, elements.
# ---------------------------------------------------------------------------


def num(value):
    """A coordinate as text: at most two decimals, no trailing zeros, no -0."""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def escape(text):
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def element(tag, attrs, content=None):
    """One element on one line, its attributes sorted by name."""
    parts = [tag]
    for key in sorted(attrs):
        value = attrs[key]
        if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
            value = num(value)
        parts.append(f'{key}="{escape(str(value))}"')
    if content is None:
        return "<" + " ".join(parts) + "/>"
    return "<" + " ".join(parts) + ">" + content + f"</{tag}>"


def points_path(points):
    return " ".join(
        ("M" if i == 0 else "L") + f"{num(x)},{num(y)}" for i, (x, y) in enumerate(points)
    )


class Figure:
    """An SVG document under construction: a list of lines and the markers used."""

    def __init__(self, name, width, height):
        self.name = name
        self.width = width
        self.height = height
        self.lines = []
        self.depth = 1
        self.markers = {}

    def add(self, tag, attrs, content=None):
        self.lines.append("  " * self.depth + element(tag, attrs, content))

    def open_group(self, **attrs):
        self.lines.append("  " * self.depth + element("g", attrs).replace("/>", ">"))
        self.depth += 1

    def close_group(self):
        self.depth -= 1
        self.lines.append("  " * self.depth + "</g>")

    def marker(self, colour):
        """The id of the arrowhead marker in this colour, defining it on first use."""
        marker_id = f"{self.name}-arrow-{colour}"
        self.markers[marker_id] = COLOURS[colour]
        return marker_id

    def svg(self):
        head = [
            f"<!-- Drawn by {SCRIPT} ({self.name}.svg); edit the script, not this file. -->",
            element(
                "svg",
                {
                    "xmlns": "http://www.w3.org/2000/svg",
                    "width": self.width,
                    "height": self.height,
                    "viewBox": f"0 0 {num(self.width)} {num(self.height)}",
                    "font-family": "serif",
                },
            ).replace("/>", ">"),
        ]
        if self.markers:
            head.append("  <defs>")
            for marker_id in sorted(self.markers):
                # The tip lies 3 units beyond the end of the path (see arrow()).
                head.append(
                    "    "
                    + element(
                        "marker",
                        {
                            "id": marker_id,
                            "markerHeight": 8,
                            "markerUnits": "userSpaceOnUse",
                            "markerWidth": 10,
                            "orient": "auto",
                            "refX": 7,
                            "refY": 4,
                            "viewBox": "0 0 10 8",
                        },
                        element(
                            "path", {"d": "M0,0 L10,4 L0,8 Z", "fill": self.markers[marker_id]}
                        ),
                    )
                )
            head.append("  </defs>")
        head.append(
            "  "
            + element(
                "rect",
                {
                    "x": 0.5,
                    "y": 0.5,
                    "width": self.width - 1,
                    "height": self.height - 1,
                    "rx": 14,
                    "fill": BACKGROUND,
                    "stroke": BACKGROUND_EDGE,
                },
            )
        )
        return "\n".join(head + self.lines + ["</svg>"]) + "\n"


# ---------------------------------------------------------------------------
# Math text: a label becomes a <text> with one <tspan> per run of style.
# ---------------------------------------------------------------------------

SUP, SUB = "sup", "sub"


def _script_argument(s, i):
    """The argument of ^ or _ starting at s[i]; returns (text, next index)."""
    if s[i] == "{":
        depth = 0
        for j in range(i, len(s)):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 1 : j], j + 1
        raise ValueError(f"unbalanced braces in {s!r}")
    if s[i] == "⟨":
        depth = 0
        for j in range(i, len(s)):
            depth += {"⟨": 1, "⟩": -1}.get(s[j], 0)
            if depth == 0:
                return s[i : j + 1], j + 1
        raise ValueError(f"unbalanced angle brackets in {s!r}")
    j = i + 1 if s[i] in "−-" else i
    while j < len(s) and (s[j].isalnum() or s[j] in "⊤′"):
        j += 1
    if j == i:
        raise ValueError(f"empty script in {s!r}")
    return s[i:j], j


def parse_math(s, level=()):
    """Split a label into (text, level) pieces; level is a tuple of SUP/SUB."""
    pieces, plain, i = [], "", 0
    while i < len(s):
        if s[i] in "^_":
            if plain:
                pieces.append((plain, level))
                plain = ""
            kind = SUP if s[i] == "^" else SUB
            inner, i = _script_argument(s, i + 1)
            pieces.extend(parse_math(inner, level + (kind,)))
            continue
        plain += s[i]
        i += 1
    if plain:
        pieces.append((plain, level))
    return pieces


def _split_italic(text):
    """Split text into (run, italic) so that Latin words are italic, function names upright."""
    runs, word = [], ""

    def flush_word():
        if word:
            runs.append((word, word not in UPRIGHT_WORDS))

    for ch in text:
        if ch.isascii() and ch.isalpha():
            word += ch
        else:
            flush_word()
            word = ""
            # Combining marks (the tilde of c̃) stay with the letter before them.
            if ch == "\u0303" and runs:
                runs[-1] = (runs[-1][0] + ch, runs[-1][1])
            else:
                runs.append((ch, False))
    flush_word()
    merged = []
    for run, italic in runs:
        if merged and merged[-1][1] == italic:
            merged[-1] = (merged[-1][0] + run, italic)
        else:
            merged.append((run, italic))
    return merged


def _level_metrics(level, size):
    """(baseline shift, font size) of a script level; positive shift is downwards."""
    shift = 0.0
    for kind in level:
        shift += -0.42 * size if kind == SUP else 0.24 * size
        size *= 0.7
    return shift, size


def math_runs(label, size):
    """The label as (text, shift, size, italic) runs."""
    runs = []
    for text, level in parse_math(label):
        shift, run_size = _level_metrics(level, size)
        for run, italic in _split_italic(text):
            if runs and runs[-1][1:] == (shift, run_size, italic):
                runs[-1] = (runs[-1][0] + run, shift, run_size, italic)
            else:
                runs.append((run, shift, run_size, italic))
    return runs


def _char_width(ch):
    if ch == "\u0303":
        return 0.0
    if ch == " ":
        return 0.27
    if ch.isascii() and ch.islower():
        return 0.5
    if ch.isascii() and ch.isupper():
        return 0.68
    if ch.isdigit():
        return 0.52
    if ch in "⟨⟩()[]|":
        return 0.36
    if ch in ".,;:":
        return 0.27
    if ch in "=+−≠×←→":
        return 0.78
    if ch in "‖":
        return 0.45
    return 0.62


def text_width(label, size):
    """An estimate of the rendered width, for sizing boxes around labels."""
    return sum(
        _char_width(ch) * run_size for text, _, run_size, _ in math_runs(label, size) for ch in text
    )


SPACE = 0.27  # the width of a space, in ems


def text(
    fig, x, y, label, size=16, anchor="middle", colour="ink", halo=False, rotate=None, italic=True
):
    """A math label whose visual centre line is at height y.

    Renderers disagree about a space at the start or end of a <tspan> (some
    drop it), so such spaces become a horizontal offset dx of the next run.
    italic=False sets every letter upright.
    """
    attrs = {"x": x, "y": y + 0.33 * size, "font-size": size, "fill": COLOURS[colour]}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    if halo:
        # A white outline under the glyphs keeps the label legible on lines.
        attrs.update(
            {
                "stroke": BACKGROUND,
                "stroke-width": 4,
                "stroke-linejoin": "round",
                "paint-order": "stroke",
            }
        )
    if rotate is not None:
        attrs["transform"] = f"rotate({num(rotate)} {num(x)} {num(y)})"
    parts, current, pending = [], 0.0, 0.0
    for run, shift, run_size, run_italic in math_runs(label, size):
        stripped = run.lstrip(" ")
        pending += (len(run) - len(stripped)) * SPACE * size
        trailing = len(stripped) - len(stripped.rstrip(" "))
        stripped = stripped.rstrip(" ")
        if not stripped:
            continue
        span = {}
        if pending:
            span["dx"] = pending
        if shift != current:
            span["dy"] = shift - current
            current = shift
        if run_size != size:
            span["font-size"] = run_size
        if run_italic and italic:
            span["font-style"] = "italic"
        parts.append(element("tspan", span, escape(stripped)) if span else escape(stripped))
        pending = trailing * SPACE * size
    fig.add("text", attrs, "".join(parts))


# ---------------------------------------------------------------------------
# Shapes.  Nodes know their boundary so that arrows can stop on it.
# ---------------------------------------------------------------------------


class Box:
    def __init__(self, cx, cy, w, h):
        self.cx, self.cy, self.w, self.h = cx, cy, w, h

    @property
    def left(self):
        return (self.cx - self.w / 2, self.cy)

    @property
    def right(self):
        return (self.cx + self.w / 2, self.cy)

    @property
    def top(self):
        return (self.cx, self.cy - self.h / 2)

    @property
    def bottom(self):
        return (self.cx, self.cy + self.h / 2)

    def toward(self, point):
        """Where the ray from the centre to point leaves the box."""
        dx, dy = point[0] - self.cx, point[1] - self.cy
        scale = min(
            self.w / 2 / abs(dx) if dx else math.inf, self.h / 2 / abs(dy) if dy else math.inf
        )
        return (self.cx + dx * scale, self.cy + dy * scale)

    def at_y(self, y, side):
        """The point on the left or right side at height y."""
        return (self.cx + (self.w / 2 if side == "right" else -self.w / 2), y)

    def at_x(self, x, side):
        """The point on the top or bottom side at abscissa x."""
        return (x, self.cy + (self.h / 2 if side == "bottom" else -self.h / 2))


class Circle:
    def __init__(self, cx, cy, r):
        self.cx, self.cy, self.r = cx, cy, r

    left = property(lambda self: (self.cx - self.r, self.cy))
    right = property(lambda self: (self.cx + self.r, self.cy))
    top = property(lambda self: (self.cx, self.cy - self.r))
    bottom = property(lambda self: (self.cx, self.cy + self.r))

    def toward(self, point):
        dx, dy = point[0] - self.cx, point[1] - self.cy
        d = math.hypot(dx, dy)
        return (self.cx + self.r * dx / d, self.cy + self.r * dy / d)

    def at_y(self, y, side):
        dx = math.sqrt(max(self.r**2 - (y - self.cy) ** 2, 0.0))
        return (self.cx + (dx if side == "right" else -dx), y)

    def at_x(self, x, side):
        dy = math.sqrt(max(self.r**2 - (x - self.cx) ** 2, 0.0))
        return (x, self.cy + (dy if side == "bottom" else -dy))


def rect(fig, cx, cy, w, h, kind="op", rx=8, dashed=False, stroke_width=1.5):
    attrs = {
        "x": cx - w / 2,
        "y": cy - h / 2,
        "width": w,
        "height": h,
        "rx": rx,
        "fill": FILLS[kind],
        "stroke": STROKES[kind],
        "stroke-width": stroke_width,
    }
    if dashed:
        attrs["stroke-dasharray"] = "5 4"
    fig.add("rect", attrs)
    return Box(cx, cy, w, h)


def node(fig, cx, cy, label, kind, size=16, h=32, min_w=0, dashed=False):
    """A rounded box around a label: variables, weight matrices, activations."""
    w = max(text_width(label, size) + 20, h + 6, min_w)
    box = rect(fig, cx, cy, w, h, kind, dashed=dashed)
    text(fig, cx, cy, label, size)
    return box


def circle(fig, cx, cy, r, kind="op", label=None, size=18, colour="ink", stroke_width=1.5):
    fig.add(
        "circle",
        {
            "cx": cx,
            "cy": cy,
            "r": r,
            "fill": FILLS[kind],
            "stroke": STROKES[kind],
            "stroke-width": stroke_width,
        },
    )
    if label is not None:
        text(fig, cx, cy - 1, label, size, colour=colour)
    return Circle(cx, cy, r)


def op(fig, cx, cy, symbol, r=14):
    """An element-wise operation: ⊙, +, 1 −."""
    return circle(fig, cx, cy, r, "op", symbol, size=18 if len(symbol) == 1 else 14)


def dot(fig, cx, cy, colour="line", r=3.5):
    fig.add("circle", {"cx": cx, "cy": cy, "r": r, "fill": COLOURS[colour]})


def line(fig, points, colour="line", width=1.6, dashed=False, hop=False):
    """A polyline; hop=True draws a white band under it, so it seems to pass over others."""
    if hop:
        fig.add(
            "path",
            {
                "d": points_path(points),
                "fill": "none",
                "stroke": BACKGROUND,
                "stroke-width": width + 6,
            },
        )
    attrs = {
        "d": points_path(points),
        "fill": "none",
        "stroke": COLOURS[colour],
        "stroke-width": width,
    }
    if dashed:
        attrs["stroke-dasharray"] = "6 4"
    fig.add("path", attrs)


def arrow(fig, points, colour="line", width=1.6, dashed=False, hop=False):
    """A polyline ending in an arrowhead whose tip touches the last point."""
    points = [tuple(p) for p in points]
    (x0, y0), (x1, y1) = points[-2], points[-1]
    d = math.hypot(x1 - x0, y1 - y0)
    # The marker's tip sits 3 units past the path's end (refX=7 of 10).
    points[-1] = (x1 - 3 * (x1 - x0) / d, y1 - 3 * (y1 - y0) / d)
    if hop:
        fig.add(
            "path",
            {
                "d": points_path(points),
                "fill": "none",
                "stroke": BACKGROUND,
                "stroke-width": width + 6,
            },
        )
    attrs = {
        "d": points_path(points),
        "fill": "none",
        "stroke": COLOURS[colour],
        "stroke-width": width,
        "marker-end": f"url(#{fig.marker(colour)})",
    }
    if dashed:
        attrs["stroke-dasharray"] = "6 4"
    fig.add("path", attrs)


def grad_arrow(fig, points):
    """A gradient: red and dashed, against the direction of the forward pass."""
    arrow(fig, points, "grad", width=1.8, dashed=True)


def curve_arrow(fig, start, c1, c2, end, colour="line", width=1.4, dashed=False):
    """A cubic Bézier ending in an arrowhead (the tangent at the end is c2 -> end)."""
    d = math.hypot(end[0] - c2[0], end[1] - c2[1])
    tip = (end[0] - 3 * (end[0] - c2[0]) / d, end[1] - 3 * (end[1] - c2[1]) / d)
    attrs = {
        "d": f"M{num(start[0])},{num(start[1])} C"
        + " ".join(f"{num(px)},{num(py)}" for px, py in (c1, c2, tip)),
        "fill": "none",
        "stroke": COLOURS[colour],
        "stroke-width": width,
        "marker-end": f"url(#{fig.marker(colour)})",
    }
    if dashed:
        attrs["stroke-dasharray"] = "5 4"
    fig.add("path", attrs)


def cell_frame(fig, x0, y0, x1, y1):
    """The outline of a cell: a large, quiet rounded rectangle."""
    fig.add(
        "rect",
        {
            "x": x0,
            "y": y0,
            "width": x1 - x0,
            "height": y1 - y0,
            "rx": 18,
            "fill": "#fbfcfd",
            "stroke": COLOURS["frame"],
            "stroke-width": 1.5,
        },
    )


def ellipsis(fig, x, y, vertical=False, size=20):
    text(fig, x, y, "⋮" if vertical else "⋯", size, colour="muted")


# ---------------------------------------------------------------------------
# Experiments whose numbers the charts plot (the chapters cite the same setup).
# ---------------------------------------------------------------------------


def rnn_gradient_norm_experiment():
    """Figure 3.3: how the norm of dL/da<k> changes with the scale of W_aa.

    A vanilla RNN with n_x = 4, n_a = 32 reads one random sequence of T_x = 60
    steps from a zero state.  W_aa is s Q for an orthogonal Q (all singular
    values s), the other weights come from init_rnn_parameters(seed=1).  A
    random unit error at a<60> is carried back to every step.

    Returns {s: norms} for s in (0.5, 1.0, 1.5, 2.0); norms[k - 1] is
    ||dL/da<k>||, k = 1 ... 60, and norms[59] = 1.
    """
    rng = np.random.default_rng(0)
    n_x, n_a, m, T_x = 4, 32, 1, 60
    x = rng.standard_normal((n_x, m, T_x))
    a0 = np.zeros((n_a, m))
    Q = np.linalg.qr(np.random.default_rng(2).standard_normal((n_a, n_a)))[0]
    results = {}
    for scale in (0.5, 1.0, 1.5, 2.0):
        parameters = rnnbook.init_rnn_parameters(n_x, n_a, seed=1)
        parameters["Waa"] = scale * Q
        results[scale] = rnnbook.gradient_flow.rnn_gradient_norms(x, a0, parameters, seed=0)
    return results


def lstm_gradient_norm_experiment():
    """Figure 4.2: the same measurement for a vanilla RNN and an LSTM, T_x = 100.

    The input is rng = default_rng(0), x = rng.standard_normal((4, 1, 100)),
    a0 = 0, n_a = 32.  The RNN keeps init_rnn_parameters(4, 32, seed=1); the
    LSTMs use init_lstm_parameters(4, 32, seed=1) with the forget-gate bias at
    1 (the default) and at 0.  For the LSTM the norm is that of the stacked
    [dL/da<k>; dL/dc<k>].

    Returns {"rnn": norms, "lstm_forget_bias_1": norms, "lstm_forget_bias_0": norms}.
    """
    rng = np.random.default_rng(0)
    n_x, n_a, m, T_x = 4, 32, 1, 100
    x = rng.standard_normal((n_x, m, T_x))
    a0 = np.zeros((n_a, m))
    flow = rnnbook.gradient_flow
    return {
        "rnn": flow.rnn_gradient_norms(
            x, a0, rnnbook.init_rnn_parameters(n_x, n_a, seed=1), seed=0
        ),
        "lstm_forget_bias_1": flow.lstm_gradient_norms(
            x, a0, rnnbook.init_lstm_parameters(n_x, n_a, seed=1), seed=0
        ),
        "lstm_forget_bias_0": flow.lstm_gradient_norms(
            x, a0, rnnbook.init_lstm_parameters(n_x, n_a, seed=1, forget_bias=0.0), seed=0
        ),
    }


# ---------------------------------------------------------------------------
# A small log-scale line chart.
# ---------------------------------------------------------------------------


def log_chart(fig, series, x_label, y_label, x_ticks, plot=(92, 24, 700, 372), legend_at=None):
    """Plot series = [(label, ys, colour, dash)] against k = 1 ... len(ys), y on log10.

    plot is the (left, top, right, bottom) of the plotting area in user units.
    """
    left, top, right, bottom = plot
    n = max(len(ys) for _, ys, _, _ in series)
    logs = [np.log10(np.asarray(ys, dtype=float)) for _, ys, _, _ in series]
    lo = math.floor(min(float(v.min()) for v in logs))
    hi = math.ceil(max(float(v.max()) for v in logs))
    span = hi - lo
    step = next(s for s in (1, 2, 3, 4, 5, 6, 10) if span / s <= 8)
    lo, hi = step * math.floor(lo / step), step * math.ceil(hi / step)

    def sx(k):
        return left + (k - 1) / (n - 1) * (right - left)

    def sy(v):
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    # Grid: a faint line every decade, a stronger one with a label every step.
    for decade in range(lo, hi + 1):
        major = (decade - lo) % step == 0
        fig.add(
            "line",
            {
                "x1": left,
                "x2": right,
                "y1": sy(decade),
                "y2": sy(decade),
                "stroke": "#e2e8f0" if major else "#f1f4f8",
                "stroke-width": 1,
            },
        )
        if major:
            label = (
                "1"
                if decade == 0
                else ("10" if decade == 1 else f"10^{{{decade}}}".replace("-", "−"))
            )
            text(fig, left - 8, sy(decade), label, 14, anchor="end")
    for k in x_ticks:
        fig.add(
            "line",
            {
                "x1": sx(k),
                "x2": sx(k),
                "y1": top,
                "y2": bottom,
                "stroke": "#f1f4f8",
                "stroke-width": 1,
            },
        )
        fig.add(
            "line",
            {"x1": sx(k), "x2": sx(k), "y1": bottom, "y2": bottom + 5, "stroke": COLOURS["line"]},
        )
        text(fig, sx(k), bottom + 17, str(k), 14)
    fig.add(
        "path",
        {
            "d": points_path([(left, top), (left, bottom), (right, bottom)]),
            "fill": "none",
            "stroke": COLOURS["line"],
            "stroke-width": 1.2,
        },
    )
    text(fig, (left + right) / 2, bottom + 40, x_label, 16)
    text(fig, left - 58, (top + bottom) / 2, y_label, 16, rotate=-90)

    for (_, _, colour, dash), v in zip(series, logs):
        attrs = {
            "d": points_path([(sx(k + 1), sy(y)) for k, y in enumerate(v)]),
            "fill": "none",
            "stroke": colour,
            "stroke-width": 2.2,
            "stroke-linejoin": "round",
        }
        if dash:
            attrs["stroke-dasharray"] = dash
        fig.add("path", attrs)

    # Legend in a white box.
    width = max(text_width(label, 15) for label, _, _, _ in series) + 64
    lx, ly = legend_at if legend_at else (right - width - 14, bottom - 24 * len(series) - 26)
    fig.add(
        "rect",
        {
            "x": lx,
            "y": ly,
            "width": width,
            "height": 24 * len(series) + 12,
            "rx": 6,
            "fill": BACKGROUND,
            "stroke": "#e2e8f0",
        },
    )
    for i, (label, _, colour, dash) in enumerate(series):
        y = ly + 18 + 24 * i
        attrs = {
            "x1": lx + 10,
            "x2": lx + 44,
            "y1": y,
            "y2": y,
            "stroke": colour,
            "stroke-width": 2.2,
        }
        if dash:
            attrs["stroke-dasharray"] = dash
        fig.add("line", attrs)
        text(fig, lx + 52, y, label, 15, anchor="start")


def linear_chart(fig, series, x_label, y_label, xs, y_max, plot=(92, 24, 700, 372)):
    """Plot series = [(label, [(x, y), ...], colour, dash)] on linear axes from 0 to
    y_max (y) and over the ticks xs (x); a legend in the lower right corner, below
    lines that rise from left to right."""
    left, top, right, bottom = plot
    x_lo, x_hi = min(xs), max(xs)

    def sx(x):
        return left + (x - x_lo) / (x_hi - x_lo) * (right - left)

    def sy(y):
        return bottom - y / y_max * (bottom - top)

    y_step = next(s for s in (0.25, 0.5, 1, 2, 4, 5, 10) if y_max / s <= 8)
    for k in range(int(round(y_max / y_step)) + 1):
        y = k * y_step
        fig.add("line", {"x1": left, "x2": right, "y1": sy(y), "y2": sy(y),
                         "stroke": "#e2e8f0", "stroke-width": 1})
        text(fig, left - 8, sy(y), f"{y:g}", 14, anchor="end")
    for x in xs:
        fig.add("line", {"x1": sx(x), "x2": sx(x), "y1": bottom, "y2": bottom + 5,
                         "stroke": COLOURS["line"]})
        text(fig, sx(x), bottom + 17, str(x), 14)
    fig.add("path", {"d": points_path([(left, top), (left, bottom), (right, bottom)]),
                     "fill": "none", "stroke": COLOURS["line"], "stroke-width": 1.2})
    text(fig, (left + right) / 2, bottom + 40, x_label, 16)
    text(fig, left - 58, (top + bottom) / 2, y_label, 16, rotate=-90)
    for _, points, colour, dash in series:
        attrs = {"d": points_path([(sx(x), sy(y)) for x, y in points]), "fill": "none",
                 "stroke": colour, "stroke-width": 2.2, "stroke-linejoin": "round"}
        if dash:
            attrs["stroke-dasharray"] = dash
        fig.add("path", attrs)
        for x, y in points:
            fig.add("circle", {"cx": sx(x), "cy": sy(y), "r": 3, "fill": colour})
    width = max(text_width(label, 15) for label, _, _, _ in series) + 64
    lx, ly = right - width - 14, bottom - 24 * len(series) - 26
    fig.add("rect", {"x": lx, "y": ly, "width": width, "height": 24 * len(series) + 12,
                     "rx": 6, "fill": BACKGROUND, "stroke": "#e2e8f0"})
    for i, (label, _, colour, dash) in enumerate(series):
        y = ly + 18 + 24 * i
        attrs = {"x1": lx + 10, "x2": lx + 44, "y1": y, "y2": y, "stroke": colour,
                 "stroke-width": 2.2}
        if dash:
            attrs["stroke-dasharray"] = dash
        fig.add("line", attrs)
        text(fig, lx + 52, y, label, 15, anchor="start")


# ---------------------------------------------------------------------------
# The figures.
# ---------------------------------------------------------------------------


def fig_rnn_unrolled():
    """Fig 1.1: the RNN unrolled over time, a<0> -> cell -> ... -> cell."""
    fig = Figure("rnn-unrolled", 760, 300)
    y_out, y_cell, y_in = 48, 150, 252
    slots = [(170, "1", "1"), (340, "2", "2"), None, (600, "T_x", "T_y")]
    a0 = node(fig, 58, y_cell, "a^⟨0⟩", "hidden")
    previous, prev_label = a0, None
    boxes = []
    for slot in slots:
        if slot is None:
            ellipsis(fig, 470, y_cell, size=26)
            ellipsis(fig, 470, y_in)
            ellipsis(fig, 470, y_out)
            arrow(fig, [previous.right, (446, y_cell)], "hidden")
            text(fig, (previous.right[0] + 446) / 2, y_cell - 16, "a^⟨2⟩", 16)
            previous = Box(470, y_cell, 48, 0)
            prev_label = "a^⟨T_x−1⟩"
            continue
        cx, t_in, t_out = slot
        cell = rect(fig, cx, y_cell, 78, 58, "cell", rx=10)
        boxes.append(cell)
        arrow(fig, [previous.right, cell.left], "hidden")
        if prev_label:
            text(fig, (previous.right[0] + cell.left[0]) / 2, y_cell - 16, prev_label, 16)
        x = node(fig, cx, y_in, f"x^⟨{t_in}⟩", "input")
        arrow(fig, [x.top, cell.bottom], "input")
        y = node(fig, cx, y_out, f"ŷ^⟨{t_out}⟩", "output")
        arrow(fig, [cell.top, y.bottom], "output")
        previous, prev_label = cell, "a^⟨1⟩"
    arrow(fig, [boxes[-1].right, (736, y_cell)], "hidden")
    text(fig, (boxes[-1].right[0] + 736) / 2, y_cell - 16, "a^⟨T_x⟩", 16)
    return fig


def fig_mlp():
    """Fig 1.2: a fully connected network, inputs x, hidden a, outputs y."""
    fig = Figure("mlp", 700, 380)
    columns = [
        (120, ["x_1", "x_2", "x_3", None, "x_n"], "input"),
        (350, ["a_1", "a_2", None, "a_k"], "hidden"),
        (580, ["y_1", None, "y_j"], "output"),
    ]
    spacing, mid, r = 66, 190, 22
    layers = []
    for cx, labels, kind in columns:
        top = mid - spacing * (len(labels) - 1) / 2
        layers.append([(cx, top + spacing * i, label, kind) for i, label in enumerate(labels)])
    # Edges first, so that the nodes cover their ends.
    for here, there in zip(layers, layers[1:]):
        for x0, y0, l0, _ in here:
            for x1, y1, l1, _ in there:
                if l0 and l1:
                    a, b = Circle(x0, y0, r), Circle(x1, y1, r)
                    line(fig, [a.toward((x1, y1)), b.toward((x0, y0))], "edge", width=1.2)
    for layer in layers:
        for cx, cy, label, kind in layer:
            if label is None:
                ellipsis(fig, cx, cy, vertical=True, size=24)
            else:
                circle(fig, cx, cy, r, kind, label, size=17)
    return fig


def fig_rnn_from_mlp():
    """Fig 1.3: the MLP turned upright (x below, a, y hat above), repeated over t."""
    fig = Figure("rnn-from-mlp", 780, 380)
    y_out, y_hid, y_in = 72, 190, 308
    offsets, r, frame_w, frame_h = (-34, 0, 34), 10, 120, 34
    steps = [(160, "t−1", "t−2"), (390, "t", "t−1"), (620, "t+1", "t")]
    frames = []
    for cx, t, _ in steps:
        rows = {}
        for y, kind in ((y_in, "input"), (y_hid, "hidden"), (y_out, "output")):
            rows[kind] = rect(fig, cx, y, frame_w, frame_h, kind, rx=17)
        for y0, y1 in ((y_in, y_hid), (y_hid, y_out)):
            for d0 in offsets:
                for d1 in offsets:
                    a, b = Circle(cx + d0, y0, r), Circle(cx + d1, y1, r)
                    line(fig, [a.toward((b.cx, b.cy)), b.toward((a.cx, a.cy))], "edge", width=1.1)
        for y, kind in ((y_in, "input"), (y_hid, "hidden"), (y_out, "output")):
            for d in offsets:
                fig.add(
                    "circle",
                    {
                        "cx": cx + d,
                        "cy": y,
                        "r": r,
                        "fill": BACKGROUND,
                        "stroke": STROKES[kind],
                        "stroke-width": 1.4,
                    },
                )
        text(fig, cx, y_in + 36, f"x^⟨{t}⟩", 17)
        text(fig, cx, y_out - 36, f"ŷ^⟨{t}⟩", 17)
        text(fig, cx + 48, (y_in + y_hid) / 2, "W_ax", 15, anchor="start")
        text(fig, cx + 48, (y_hid + y_out) / 2, "W_ya", 15, anchor="start")
        frames.append(rows["hidden"])
    # The recurrence: each hidden layer feeds the next one through W_aa.
    ends = [(16, None)] + [(f.right[0], f) for f in frames]
    targets = [f.left[0] for f in frames] + [764]
    labels = ["t−2"] + [t for _, t, _ in steps]
    for (x0, _), x1, t in zip(ends, targets, labels):
        arrow(fig, [(x0, y_hid), (x1, y_hid)], "hidden", width=2)
        text(fig, (x0 + x1) / 2, y_hid - 15, f"a^⟨{t}⟩", 15)
        text(fig, (x0 + x1) / 2, y_hid + 16, "W_aa", 15)
    return fig


def rnn_cell_layout(ox=0, oy=0):
    """Positions shared by the forward cell (Fig 1.4) and its backward pass (Fig 3.1)."""
    return {
        "frame": (ox + 130, oy + 84, ox + 610, oy + 396),
        "row": oy + 272,
        "a_prev": (ox + 58, oy + 272),
        "Waa": (ox + 212, oy + 272),
        "plus": (ox + 320, oy + 272),
        "Wax": (ox + 320, oy + 350),
        "x": (ox + 320, oy + 440),
        "ba": (ox + 320, oy + 196),
        "tanh": (ox + 430, oy + 272),
        "branch": (ox + 530, oy + 272),
        "Wya": (ox + 530, oy + 200),
        "softmax": (ox + 530, oy + 128),
        "y_hat": (ox + 530, oy + 42),
        "a_next": (ox + 690, oy + 272),
    }


def draw_rnn_cell(fig, p, tags=True):
    """Equations (1.1) and (1.2) as a computation graph; returns the nodes."""
    cell_frame(fig, *p["frame"])
    n = {}
    n["a_prev"] = node(fig, *p["a_prev"], "a^⟨t−1⟩", "hidden")
    n["Waa"] = node(fig, *p["Waa"], "W_aa", "param", min_w=58)
    n["plus"] = op(fig, *p["plus"], "+", r=15)
    n["Wax"] = node(fig, *p["Wax"], "W_ax", "param", min_w=58)
    n["x"] = node(fig, *p["x"], "x^⟨t⟩", "input")
    n["ba"] = node(fig, *p["ba"], "b_a", "param")
    n["tanh"] = node(fig, *p["tanh"], "tanh", "op", min_w=58)
    n["Wya"] = node(fig, *p["Wya"], "W_ya a^⟨t⟩ + b_y", "param")
    n["softmax"] = node(fig, *p["softmax"], "softmax", "op")
    n["y_hat"] = node(fig, *p["y_hat"], "ŷ^⟨t⟩", "output")
    n["a_next"] = node(fig, *p["a_next"], "a^⟨t⟩", "hidden")
    arrow(fig, [n["a_prev"].right, n["Waa"].left], "hidden")
    arrow(fig, [n["Waa"].right, n["plus"].left])
    arrow(fig, [n["x"].top, n["Wax"].bottom], "input")
    arrow(fig, [n["Wax"].top, n["plus"].bottom])
    arrow(fig, [n["ba"].bottom, n["plus"].top])
    arrow(fig, [n["plus"].right, n["tanh"].left])
    arrow(fig, [n["tanh"].right, n["a_next"].left], "hidden")
    dot(fig, *p["branch"], "hidden")
    arrow(fig, [p["branch"], n["Wya"].bottom], "hidden")
    arrow(fig, [n["Wya"].top, n["softmax"].bottom])
    arrow(fig, [n["softmax"].top, n["y_hat"].bottom], "output")
    if tags:
        text(fig, p["tanh"][0], p["row"] + 32, "(1.1)", 14, colour="muted")
        text(
            fig,
            n["softmax"].left[0] - 10,
            p["softmax"][1],
            "(1.2)",
            14,
            anchor="end",
            colour="muted",
        )
    return n


def fig_rnn_cell():
    """Fig 1.4: one cell, a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a), y hat = softmax(...)."""
    fig = Figure("rnn-cell", 740, 470)
    draw_rnn_cell(fig, rnn_cell_layout())
    return fig


def fig_rnn_cell_backward():
    """Fig 3.1: the backward pass through one cell, over the faint forward graph."""
    fig = Figure("rnn-cell-backward", 760, 500)
    p = rnn_cell_layout(10, 10)
    fig.open_group(opacity=0.35)
    n = draw_rnn_cell(fig, p, tags=False)
    fig.close_group()
    d = 12  # the red arrows run this far below / right of the forward ones
    row = p["row"] + d
    bx = p["branch"][0] + d
    merge = circle(fig, bx, row, 11, "op", "+", size=15, colour="grad")
    fig.add(
        "circle",
        {
            "cx": bx,
            "cy": row,
            "r": 11,
            "fill": "none",
            "stroke": COLOURS["grad"],
            "stroke-width": 1.5,
        },
    )
    # The two terms of dL/da<t>: from the next step, and from this step's output.
    grad_arrow(fig, [(n["a_next"].left[0] - 4, row), merge.right])
    text(
        fig,
        (n["a_next"].left[0] + bx) / 2 + 2,
        row + 18,
        "W_aa^⊤ ds^⟨t+1⟩",
        15,
        colour="grad",
        halo=True,
    )
    grad_arrow(fig, [n["y_hat"].at_x(bx, "bottom"), n["softmax"].at_x(bx, "top")])
    grad_arrow(fig, [n["softmax"].at_x(bx, "bottom"), n["Wya"].at_x(bx, "top")])
    grad_arrow(fig, [n["Wya"].at_x(bx, "bottom"), merge.top])
    text(
        fig,
        bx + 10,
        (p["softmax"][1] + p["Wya"][1]) / 2,
        "ŷ^⟨t⟩ − y^⟨t⟩",
        15,
        "start",
        "grad",
        halo=True,
    )
    text(
        fig,
        bx + 10,
        (p["Wya"][1] + p["row"]) / 2 + 2,
        "∂L^⟨t⟩/∂a^⟨t⟩",
        15,
        "start",
        "grad",
        halo=True,
    )
    # Through tanh: ds<t>.
    grad_arrow(fig, [merge.left, n["tanh"].at_y(row, "right")])
    text(
        fig,
        (merge.left[0] + n["tanh"].right[0]) / 2,
        row + 18,
        "∂L/∂a^⟨t⟩",
        15,
        colour="grad",
        halo=True,
    )
    grad_arrow(fig, [n["tanh"].at_y(row, "left"), n["plus"].at_y(row, "right")])
    text(
        fig,
        n["tanh"].left[0] - 28,
        row + 46,
        "ds^⟨t⟩ = ∂L/∂a^⟨t⟩ ⊙ (1 − (a^⟨t⟩)^2)",
        15,
        "start",
        "grad",
        halo=True,
    )
    # From the sum node ds<t> goes to each of its three inputs.
    px = p["plus"][0] + d
    grad_arrow(fig, [n["plus"].at_y(row, "left"), n["Waa"].at_y(row, "right")])
    grad_arrow(fig, [n["plus"].at_x(px, "top"), n["ba"].at_x(px, "bottom")])
    text(fig, n["ba"].right[0] + 8, p["ba"][1], "∂L/∂b_a", 15, "start", "grad", halo=True)
    grad_arrow(fig, [n["plus"].at_x(px, "bottom"), n["Wax"].at_x(px, "top")])
    # W_aa: its gradient, and what flows on to a<t-1>.
    wx = p["Waa"][0]
    grad_arrow(fig, [n["Waa"].top, (wx, p["row"] - 58)])
    text(fig, wx, p["row"] - 72, "∂L/∂W_aa", 15, colour="grad", halo=True)
    grad_arrow(fig, [n["Waa"].at_y(row, "left"), n["a_prev"].at_y(row, "right")])
    text(
        fig,
        (n["Waa"].left[0] + n["a_prev"].right[0]) / 2,
        row + 18,
        "W_aa^⊤ ds^⟨t⟩",
        15,
        colour="grad",
        halo=True,
    )
    # W_ax: its gradient, and the gradient of the input.
    grad_arrow(fig, [n["Wax"].right, (n["Wax"].right[0] + 46, p["Wax"][1])])
    text(fig, n["Wax"].right[0] + 52, p["Wax"][1], "∂L/∂W_ax", 15, "start", "grad", halo=True)
    grad_arrow(fig, [n["Wax"].at_x(px, "bottom"), n["x"].at_x(px, "top")])
    text(
        fig,
        px + 10,
        (n["Wax"].bottom[1] + n["x"].top[1]) / 2,
        "∂L/∂x^⟨t⟩ = W_ax^⊤ ds^⟨t⟩",
        15,
        "start",
        "grad",
        halo=True,
    )
    return fig


def mini_chain(fig, x0, y_cell, spacing, slots, size=16, a0=True):
    """A small unrolled RNN for Fig 2.1.

    slots: list of dicts with keys x (input label or None), y (output label
    or None), feed (True: the input is the previous output), kind ("cell",
    "encoder", "decoder") or dots=True for an ellipsis.
    """
    w, h, gap = 38, 30, 46
    y_out, y_in = y_cell - gap - 6, y_cell + gap + 6
    previous = None
    if a0:
        previous = Box(x0 - spacing * 0.55, y_cell, 0, 0)
        text(fig, previous.cx - 4, y_cell, "a^⟨0⟩", size, anchor="end")
    out_points = []
    for i, slot in enumerate(slots):
        cx = x0 + i * spacing
        if slot.get("dots"):
            ellipsis(fig, cx, y_cell, size=18)
            if previous is not None:
                arrow(fig, [previous.right, (cx - 12, y_cell)], "hidden", width=1.4)
            if slot.get("x"):
                ellipsis(fig, cx, y_in, size=16)
            if slot.get("y"):
                ellipsis(fig, cx, y_out, size=16)
                out_points.append((cx + 8, y_out + 4))
            else:
                out_points.append(None)
            previous = Box(cx, y_cell, 24, 0)
            continue
        cell = rect(fig, cx, y_cell, w, h, slot.get("kind", "cell"), rx=6)
        if previous is not None:
            arrow(fig, [previous.right, cell.left], "hidden", width=1.4)
        if slot.get("x"):
            text(fig, cx, y_in, slot["x"], size)
            arrow(fig, [(cx, y_in - 12), cell.bottom], "input", width=1.4)
        if slot.get("feed") and out_points and out_points[-1] is not None:
            start = out_points[-1]
            mid_x = cx - spacing / 2
            end = (cx, cell.bottom[1])
            curve_arrow(
                fig,
                start,
                (mid_x, start[1] + 2),
                (cx, y_in + 18),
                end,
                "output",
                width=1.2,
                dashed=True,
            )
        if slot.get("y"):
            text(fig, cx, y_out, slot["y"], size)
            arrow(fig, [cell.top, (cx, y_out + 12)], "output", width=1.4)
            out_points.append((cx + 14, y_out + 6))
        else:
            out_points.append(None)
        previous = cell


def fig_rnn_io_kinds():
    """Fig 2.1: the four input/output shapes, each labelled by its condition."""
    fig = Figure("rnn-io-kinds", 800, 440)
    panels = [  # (left, top, right, bottom, letter, condition)
        (10, 10, 395, 215, "(a)", "T_x = T_y"),
        (405, 10, 790, 215, "(b)", "T_y = 1"),
        (10, 225, 370, 430, "(c)", "T_x = 1"),
        (380, 225, 790, 430, "(d)", "T_x ≠ T_y"),
    ]
    for left, top, right, bottom, letter, condition in panels:
        fig.add(
            "rect",
            {
                "x": left,
                "y": top,
                "width": right - left,
                "height": bottom - top,
                "rx": 10,
                "fill": "none",
                "stroke": BACKGROUND_EDGE,
            },
        )
        text(fig, left + 14, top + 22, letter, 16, anchor="start", italic=False)
        text(fig, left + 44, top + 22, condition, 16, anchor="start")
    y1, y2 = 122, 337

    def slot(**kw):
        return kw

    # (a) one output per input.
    mini_chain(
        fig,
        105,
        y1,
        84,
        [
            slot(x="x^⟨1⟩", y="ŷ^⟨1⟩"),
            slot(x="x^⟨2⟩", y="ŷ^⟨2⟩"),
            slot(dots=True, x=True, y=True),
            slot(x="x^⟨T_x⟩", y="ŷ^⟨T_y⟩"),
        ],
    )
    # (b) only the last cell emits.
    mini_chain(
        fig,
        500,
        y1,
        84,
        [
            slot(x="x^⟨1⟩"),
            slot(x="x^⟨2⟩"),
            slot(dots=True, x=True),
            slot(x="x^⟨T_x⟩", y="ŷ"),
        ],
    )
    # (c) one input; each output is fed to the next cell.
    mini_chain(
        fig,
        100,
        y2,
        82,
        [
            slot(x="x", y="ŷ^⟨1⟩"),
            slot(feed=True, y="ŷ^⟨2⟩"),
            slot(dots=True, y=True),
            slot(feed=True, y="ŷ^⟨T_y⟩"),
        ],
    )
    # (d) an encoder reads the whole input, then a decoder writes the output.
    mini_chain(
        fig,
        460,
        y2,
        61,
        [
            slot(x="x^⟨1⟩", kind="encoder"),
            slot(dots=True, x=True),
            slot(x="x^⟨T_x⟩", kind="encoder"),
            slot(y="ŷ^⟨1⟩", kind="decoder"),
            slot(dots=True, y=True),
            slot(y="ŷ^⟨T_y⟩", kind="decoder"),
        ],
    )
    return fig


def fig_rnn_loss():
    """Fig 2.2: each y hat<t> and y<t> give L<t>; L is their sum."""
    fig = Figure("rnn-loss", 760, 450)
    y_sum, y_loss, y_out, y_cell, y_in = 42, 136, 222, 314, 408
    slots = [(150, "1", "1"), (320, "2", "2"), None, (580, "T_x", "T_y")]
    total = node(fig, 380, y_sum, "L = Σ_t L^⟨t⟩", "loss", size=17, h=36)
    previous = node(fig, 46, y_cell, "a^⟨0⟩", "hidden")
    prev_label, last = None, None
    for slot in slots:
        if slot is None:
            for yy in (y_cell, y_in, y_out, y_loss):
                ellipsis(fig, 450, yy, size=26 if yy == y_cell else 20)
            arrow(fig, [previous.right, (426, y_cell)], "hidden")
            text(fig, (previous.right[0] + 426) / 2, y_cell - 16, "a^⟨2⟩", 16)
            previous, prev_label = Box(450, y_cell, 48, 0), "a^⟨T_x−1⟩"
            continue
        cx, t_in, t_out = slot
        cell = rect(fig, cx, y_cell, 76, 56, "cell", rx=10)
        arrow(fig, [previous.right, cell.left], "hidden")
        if prev_label:
            text(fig, (previous.right[0] + cell.left[0]) / 2, y_cell - 16, prev_label, 16)
        x = node(fig, cx, y_in, f"x^⟨{t_in}⟩", "input")
        arrow(fig, [x.top, cell.bottom], "input")
        y_hat = node(fig, cx, y_out, f"ŷ^⟨{t_out}⟩", "output")
        arrow(fig, [cell.top, y_hat.bottom], "output")
        loss = node(fig, cx, y_loss, f"L^⟨{t_out}⟩", "loss")
        arrow(fig, [y_hat.top, loss.bottom], "output")
        target = node(fig, cx + 82, y_loss, f"y^⟨{t_out}⟩", "output", dashed=True)
        arrow(fig, [target.left, loss.right], "output")
        arrow(fig, [loss.toward((total.cx, total.cy)), total.toward((cx, y_loss))], "loss")
        previous, prev_label, last = cell, "a^⟨1⟩", cell
    arrow(fig, [last.right, (736, y_cell)], "hidden")
    text(fig, (last.right[0] + 736) / 2, y_cell - 16, "a^⟨T_x⟩", 16)
    return fig


def fig_bptt():
    """Fig 3.2: backpropagation through time over four steps."""
    fig = Figure("bptt", 760, 420)
    y_loss, y_a, y_x = 56, 196, 310
    xs = [170, 330, 490, 650]
    r, d = 26, 9
    a0 = node(fig, 52, y_a, "a^⟨0⟩", "hidden")
    hidden = []
    for t, cx in enumerate(xs, start=1):
        loss = node(fig, cx, y_loss, f"L^⟨{t}⟩", "loss")
        a = circle(fig, cx, y_a, r, "hidden")
        hidden.append((a, loss))
    chain = [a0] + [a for a, _ in hidden]
    # The forward pass, faint: x<t> -> a<t> -> L<t>, and a<t-1> -> a<t>.
    fig.open_group(opacity=0.4)
    for t, (a, loss) in enumerate(hidden, start=1):
        x = node(fig, a.cx, y_x, f"x^⟨{t}⟩", "input")
        arrow(fig, [x.top, a.bottom], "input")
        arrow(fig, [a.at_x(a.cx - d, "top"), loss.at_x(a.cx - d, "bottom")], "loss")
    for left, right in zip(chain, chain[1:]):
        arrow(fig, [left.at_y(y_a - d, "right"), right.at_y(y_a - d, "left")], "hidden")
    fig.close_group()
    for t, (a, _) in enumerate(hidden, start=1):
        text(fig, a.cx, y_a, f"a^⟨{t}⟩", 17)
    # Red: each L<t> sends a term down to a<t> ...
    for t, (a, loss) in enumerate(hidden, start=1):
        grad_arrow(fig, [loss.at_x(a.cx + d, "bottom"), a.at_x(a.cx + d, "top")])
        text(
            fig,
            a.cx + d + 8,
            (y_loss + y_a) / 2,
            f"∂L^⟨{t}⟩/∂a^⟨{t}⟩",
            15,
            "start",
            "grad",
            halo=True,
        )
    # ... and each a<t+1> sends one back along the chain.
    for t, (left, right) in enumerate(zip(chain, chain[1:])):
        grad_arrow(fig, [right.at_y(y_a + d, "left"), left.at_y(y_a + d, "right")])
        text(
            fig,
            (left.right[0] + right.left[0]) / 2,
            y_a + 28,
            f"W_aa^⊤ ds^⟨{t + 1}⟩",
            14,
            colour="grad",
            halo=True,
        )
    text(fig, 380, 362, "∂L/∂a^⟨t⟩ = ∂L^⟨t⟩/∂a^⟨t⟩ + W_aa^⊤ ds^⟨t+1⟩", 17)
    text(fig, 380, 394, "ds^⟨t⟩ = ∂L/∂a^⟨t⟩ ⊙ (1 − (a^⟨t⟩)^2)", 17)
    return fig


def fig_gradient_norms():
    """Fig 3.3: ||dL/da<k>|| for W_aa = s Q, s = 0.5, 1, 1.5, 2."""
    fig = Figure("gradient-norms", 740, 440)
    results = rnn_gradient_norm_experiment()
    styles = {
        0.5: (COLOURS["input"], None),
        1.0: (COLOURS["hidden"], "8 4"),
        1.5: (COLOURS["output"], "2 3"),
        2.0: (COLOURS["loss"], "10 3 2 3"),
    }
    series = [(f"W_aa = {s:.1f} Q", norms, *styles[s]) for s, norms in results.items()]
    log_chart(fig, series, "k", "‖∂L/∂a^⟨k⟩‖", [1, 10, 20, 30, 40, 50, 60], plot=(96, 24, 712, 372))
    return fig


def fig_lstm_gradient_norms():
    """Fig 4.2: the RNN against the LSTM with forget bias 1 and 0, T_x = 100."""
    fig = Figure("lstm-gradient-norms", 740, 440)
    results = lstm_gradient_norm_experiment()
    series = [
        ("RNN", results["rnn"], COLOURS["line"], None),
        ("LSTM, b_f = 1", results["lstm_forget_bias_1"], COLOURS["hidden"], None),
        ("LSTM, b_f = 0", results["lstm_forget_bias_0"], COLOURS["output"], "8 4"),
    ]
    log_chart(
        fig,
        series,
        "k",
        "‖∂L/∂a^⟨k⟩‖,  ‖[∂L/∂a^⟨k⟩; ∂L/∂c^⟨k⟩]‖",
        [1, 20, 40, 60, 80, 100],
        plot=(96, 24, 712, 372),
    )
    return fig


BENCH = Path(__file__).resolve().parent.parent / "docs" / "data" / "bench.json"


def fig_thread_speedup():
    """Fig 7.1: the speed-up over one thread of rnnbook.fast (threads=p) and of
    torch (p threads), at the medium size in float32, from the harness's thread
    sweep in docs/data/bench.json; the dotted line is the ideal, p."""
    import json

    sweep = json.loads(BENCH.read_text(encoding="utf-8"))["thread_sweep"]
    rows = [r for r in sweep["rows"] if r["size"] == "medium" and r["dtype"] == "float32"]
    counts = sorted({r["threads"] for r in rows})
    fig = Figure("thread-speedup", 740, 440)
    series = [("p", [(p, p) for p in counts], COLOURS["muted"], "2 4")]
    styles = {"rnn": COLOURS["input"], "lstm": COLOURS["hidden"], "gru": COLOURS["output"]}
    for library, dash in (("fast", None), ("torch", "8 4")):
        for model, colour in styles.items():
            own = {r["threads"]: r["seconds"][library] for r in rows if r["model"] == model}
            if library not in rows[0]["seconds"] or 1 not in own:
                continue
            name = "rnnbook.fast" if library == "fast" else "torch"
            series.append((f"{model.upper()}  {name}",
                           [(p, own[1] / own[p]) for p in counts], colour, dash))
    top = max(y for _, points, _, _ in series for _, y in points)
    linear_chart(fig, series, "p", "t_1 / t_p", counts, y_max=math.ceil(top * 2) / 2,
                 plot=(96, 24, 712, 372))
    return fig


def fig_lstm_cell():
    """Fig 4.1: the LSTM cell with its cell state along the top."""
    fig = Figure("lstm-cell", 780, 500)
    y_c, y_mid, y_gate, y_bus, y_x = 130, 214, 300, 382, 458
    cell_frame(fig, 110, 84, 640, 420)
    c_prev = node(fig, 50, y_c, "c^⟨t−1⟩", "hidden")
    a_prev = node(fig, 50, y_bus, "a^⟨t−1⟩", "hidden")
    x = node(fig, 168, y_x, "x^⟨t⟩", "input")
    c_next = node(fig, 728, y_c, "c^⟨t⟩", "hidden")
    a_next = node(fig, 728, y_bus, "a^⟨t⟩", "hidden")

    gx = {"f": 230, "i": 322, "c": 410, "o": 500}
    forget = op(fig, gx["f"], y_c, "⊙")
    plus = op(fig, gx["c"], y_c, "+")
    write = op(fig, gx["c"], y_mid, "⊙")
    show = op(fig, 580, y_gate, "⊙")
    squash = node(fig, 580, y_mid, "tanh", "op")
    gates = {
        "f": node(fig, gx["f"], y_gate, "σ", "op", size=18, min_w=44),
        "i": node(fig, gx["i"], y_gate, "σ", "op", size=18, min_w=44),
        "c": node(fig, gx["c"], y_gate, "tanh", "op", min_w=44),
        "o": node(fig, gx["o"], y_gate, "σ", "op", size=18, min_w=44),
    }
    # The cell state: c<t-1> -> (⊙ f) -> (+ i ⊙ c~) -> c<t>, and a tap down to tanh.
    arrow(fig, [c_prev.right, forget.left], "hidden", width=2)
    arrow(fig, [forget.right, plus.left], "hidden", width=2)
    arrow(fig, [plus.right, c_next.left], "hidden", width=2)
    dot(fig, 580, y_c, "hidden")
    arrow(fig, [(580, y_c), squash.top], "hidden")
    arrow(fig, [squash.bottom, show.top])
    # The stacked input [a<t-1>; x<t>] runs along the bottom and feeds the four gates.
    join = (168, y_bus)
    line(fig, [a_prev.right, join], "hidden")
    line(fig, [x.top, join], "input")
    line(fig, [join, (gx["o"], y_bus)], "line", width=2)
    dot(fig, *join, "line", r=4.5)
    for gate, x_gate in gx.items():
        if gate != "o":  # the bus ends at the last gate: no junction dot there
            dot(fig, x_gate, y_bus, "line", r=3)
        arrow(fig, [(x_gate, y_bus), gates[gate].bottom])
        text(
            fig, x_gate + 7, (y_bus + gates[gate].bottom[1]) / 2, f"W_{gate}", 13, "start", "muted"
        )
    text(fig, join[0] + 12, y_bus + 20, "[a^⟨t−1⟩; x^⟨t⟩]", 15, "start")
    # Gate outputs.
    arrow(fig, [gates["f"].top, forget.bottom])
    text(fig, gx["f"] - 8, (y_c + y_gate) / 2 + 6, "f^⟨t⟩", 16, "end")
    arrow(fig, [gates["i"].top, (gx["i"], y_mid), write.left])
    text(fig, gx["i"] - 8, (y_mid + y_gate) / 2 + 4, "i^⟨t⟩", 16, "end")
    arrow(fig, [gates["c"].top, write.bottom])
    text(fig, gx["c"] + 8, (y_mid + y_gate) / 2 + 4, "c\u0303^⟨t⟩", 16, "start")
    arrow(fig, [write.top, plus.bottom])
    arrow(fig, [gates["o"].right, show.left])
    text(fig, (gates["o"].right[0] + show.left[0]) / 2, y_gate - 14, "o^⟨t⟩", 16)
    # The new hidden state leaves to the right, and up through softmax to y hat.
    arrow(fig, [show.bottom, (580, y_bus), a_next.left], "hidden", width=2)
    branch = (680, y_bus)
    dot(fig, *branch, "hidden")
    softmax = node(fig, 680, 300, "softmax", "op")
    y_hat = node(fig, 680, 222, "ŷ^⟨t⟩", "output")
    arrow(fig, [branch, softmax.bottom], "hidden")
    arrow(fig, [softmax.top, y_hat.bottom], "output")
    return fig


def fig_gru_cell():
    """Fig 5.1: the GRU, a<t> = z ⊙ a<t-1> + (1 - z) ⊙ c~, reset before W_c."""
    fig = Figure("gru-cell", 780, 550)
    y_main, y_mid, y_reset, y_gate, y_bus, y_xbus, y_x = 112, 186, 268, 350, 420, 466, 516
    cell_frame(fig, 96, 66, 672, 484)
    a_prev = node(fig, 46, y_main, "a^⟨t−1⟩", "hidden")
    a_next = node(fig, 728, y_main, "a^⟨t⟩", "hidden")
    x = node(fig, 186, y_x, "x^⟨t⟩", "input")
    left_x, join_x, r_x, z_x, s2_x, c_x = 126, 186, 256, 344, 530, 616

    keep = op(fig, z_x, y_main, "⊙")
    plus = op(fig, c_x, y_main, "+")
    mix = op(fig, c_x, y_mid, "⊙")
    one_minus = op(fig, 440, y_mid, "1 −", r=17)
    reset = op(fig, r_x, y_reset, "⊙")
    z_gate = node(fig, z_x, y_gate, "σ", "op", size=18, min_w=44)
    r_gate = node(fig, r_x, y_gate, "σ", "op", size=18, min_w=44)
    cand = node(fig, c_x, y_reset, "tanh", "op", min_w=44)

    # a<t-1> along the top: kept in proportion z<t>, then added to (1 - z<t>) ⊙ c~<t>.
    arrow(fig, [a_prev.right, keep.left], "hidden", width=2)
    arrow(fig, [keep.right, plus.left], "hidden", width=2)
    arrow(fig, [plus.right, a_next.left], "hidden", width=2)
    # a<t-1> down the left side: into the reset product and into the gates' stack.
    dot(fig, left_x, y_main, "hidden")
    line(fig, [(left_x, y_main), (left_x, y_bus), (join_x, y_bus)], "hidden")
    dot(fig, left_x, y_reset, "hidden")
    arrow(fig, [(left_x, y_reset), reset.left], "hidden")
    # x<t> from below: into the gates' stack and, along the bottom, into W_c's stack.
    line(fig, [x.top, (join_x, y_bus)], "input")
    dot(fig, join_x, y_xbus, "input")
    line(fig, [(join_x, y_xbus), (s2_x, y_xbus), (s2_x, y_reset)], "input")
    # The stack [a<t-1>; x<t>] feeds both gates.
    line(fig, [(join_x, y_bus), (z_x, y_bus)], "line", width=2)
    dot(fig, join_x, y_bus, "line", r=4.5)
    dot(fig, r_x, y_bus, "line", r=3)
    text(fig, join_x + 10, y_bus + 22, "[a^⟨t−1⟩; x^⟨t⟩]", 15, "start")
    for gate, gate_node, gx in (("r", r_gate, r_x), ("z", z_gate, z_x)):
        arrow(fig, [(gx, y_bus), gate_node.bottom])
        text(fig, gx + 7, (y_bus + gate_node.bottom[1]) / 2, f"W_{gate}", 13, "start", "muted")
    # The update gate: z<t> to the top product, 1 - z<t> to the candidate's product.
    arrow(fig, [z_gate.top, keep.bottom])
    text(fig, z_x - 8, (y_reset + y_gate) / 2 + 4, "z^⟨t⟩", 16, "end")
    dot(fig, z_x, y_mid, "line")
    arrow(fig, [(z_x, y_mid), one_minus.left])
    arrow(fig, [one_minus.right, mix.left])
    text(fig, (one_minus.right[0] + mix.left[0]) / 2, y_mid - 15, "1 − z^⟨t⟩", 15)
    # The reset gate scales a<t-1> before W_c (Cho et al. 2014); x<t> joins it.
    arrow(fig, [r_gate.top, reset.bottom])
    text(fig, r_x - 8, (y_reset + y_gate) / 2 + 4, "r^⟨t⟩", 16, "end")
    line(fig, [reset.right, (s2_x, y_reset)], hop=True)
    text(fig, (z_x + s2_x) / 2 + 8, y_reset - 14, "r^⟨t⟩ ⊙ a^⟨t−1⟩", 15)
    dot(fig, s2_x, y_reset, "line", r=4.5)
    arrow(fig, [(s2_x, y_reset), cand.left], "line", width=2)
    text(fig, (s2_x + cand.left[0]) / 2, y_reset - 13, "W_c", 13, colour="muted")
    # The candidate and the mix.
    arrow(fig, [cand.top, mix.bottom])
    text(fig, c_x + 8, (y_mid + y_reset) / 2, "c\u0303^⟨t⟩", 16, "start")
    arrow(fig, [mix.top, plus.bottom])
    return fig


# ---------------------------------------------------------------------------
# Chapter 6: deep and bidirectional networks.
# ---------------------------------------------------------------------------


def deep_grid(fig, xs, ys, y_x, labels=True):
    """Circles a[layer]<t> at (xs[t], ys[layer]) with inputs x<t> below; returns the circles.

    ys runs from the bottom layer up.  The forward arrows: along each row
    (through time) and up each column (from a layer to the one above).
    """
    grid = []
    for layer, cy in enumerate(ys, start=1):
        row = []
        for t, cx in enumerate(xs, start=1):
            row.append(circle(fig, cx, cy, 27, "hidden"))
        grid.append(row)
    for t, cx in enumerate(xs, start=1):
        x = node(fig, cx, y_x, f"x^⟨{t}⟩", "input")
        arrow(fig, [x.top, grid[0][t - 1].bottom], "input")
        for below, above in zip(grid, grid[1:]):
            arrow(fig, [below[t - 1].top, above[t - 1].bottom], "hidden")
    for row in grid:
        for left, right in zip(row, row[1:]):
            arrow(fig, [left.right, right.left], "hidden")
    if labels:
        for layer, row in enumerate(grid, start=1):
            for t, a in enumerate(row, start=1):
                text(fig, a.cx, a.cy, f"a^{{[{layer}]⟨{t}⟩}}", 15)
    return grid


def fig_deep_grid():
    """Fig 6.1: three layers over four steps; each layer reads the states of the one below."""
    fig = Figure("deep-grid", 760, 470)
    xs, ys, y_x, y_out = [200, 350, 500, 650], [330, 222, 114], 420, 40
    for layer, cy in enumerate(ys, start=1):
        zero = node(fig, 66, cy, f"a^{{[{layer}]⟨0⟩}}", "hidden")
        arrow(fig, [zero.right, (xs[0] - 27, cy)], "hidden")
    grid = deep_grid(fig, xs, ys, y_x)
    for t, a in enumerate(grid[-1], start=1):
        y = node(fig, a.cx, y_out, f"ŷ^⟨{t}⟩", "output")
        arrow(fig, [a.top, y.bottom], "output")
    return fig


def fig_deep_backward():
    """Fig 6.2: the gradient of a[l]<t> comes from above (layer l+1) and from the right (t+1)."""
    fig = Figure("deep-backward", 760, 430)
    xs, ys, y_x = [170, 350, 530, 710], [300, 170], 390
    fig.open_group(opacity=0.35)
    grid = deep_grid(fig, xs[:3], ys, y_x, labels=False)
    fig.close_group()
    for layer, row in enumerate(grid, start=1):
        for t, a in enumerate(row, start=1):
            text(fig, a.cx, a.cy, f"a^{{[{layer}]⟨{t}⟩}}", 15)
    d = 9
    top = grid[-1]
    # From the loss into the top layer.
    for t, a in enumerate(top, start=1):
        grad_arrow(fig, [(a.cx + d, 52), a.at_x(a.cx + d, "top")])
        text(fig, a.cx + d + 6, 40, f"∂L^⟨{t}⟩/∂a^{{[2]⟨{t}⟩}}", 14, "start", "grad", halo=True)
    # Back through time along each row ...
    for row in grid:
        for left, right in zip(row, row[1:]):
            grad_arrow(fig, [right.at_y(right.cy + d, "left"), left.at_y(left.cy + d, "right")])
    # ... and down each column, through the layer above's input weights.
    for t, (below, above) in enumerate(zip(grid[0], grid[1]), start=1):
        grad_arrow(fig, [above.at_x(above.cx + d, "bottom"), below.at_x(below.cx + d, "top")])
        text(
            fig,
            below.cx + d + 6,
            (below.cy + above.cy) / 2,
            f"dx^{{[2]⟨{t}⟩}}",
            14,
            "start",
            "grad",
            halo=True,
        )
    # ... and on into x: the gradient with respect to the input.
    for t, a in enumerate(grid[0], start=1):
        grad_arrow(fig, [a.at_x(a.cx + d, "bottom"), (a.cx + d, y_x - 16)])
    text(fig, 620, 170, "da^{[2]}", 15, "start", "grad")
    text(fig, 620, 300, "da^{[1]} = dx^{[2]}", 15, "start", "grad")
    return fig


def fig_bidirectional():
    """Fig 6.3: a forward and a backward direction over the same inputs, concatenated."""
    fig = Figure("bidirectional", 760, 450)
    xs = [190, 340, 490, 640]
    y_out, y_cat, y_back, y_fwd, y_x = 40, 118, 218, 318, 410
    forward, backward = [], []
    for t, cx in enumerate(xs, start=1):
        f = circle(fig, cx, y_fwd, 26, "hidden")
        b = circle(fig, cx, y_back, 26, "hidden")
        forward.append(f)
        backward.append(b)
        x = node(fig, cx, y_x, f"x^⟨{t}⟩", "input")
        arrow(fig, [x.top, f.bottom], "input")
        # x<t> also reaches the backward direction, passing beside the forward circle.
        branch = y_x - 34
        dot(fig, cx, branch, "input")
        arrow(
            fig,
            [
                (cx, branch),
                (cx - 40, branch),
                (cx - 40, y_back + 32),
                b.toward((cx - 40, y_back + 32)),
            ],
            "input",
            hop=True,
        )
        cat = node(fig, cx, y_cat, f"[a⃗^⟨{t}⟩; a⃖^⟨{t}⟩]", "hidden", size=15)
        arrow(fig, [(cx + 40, f.cy), (cx + 40, cat.bottom[1])], "hidden", hop=True)
        line(fig, [f.right, (cx + 40, f.cy)], "hidden")
        arrow(fig, [b.top, cat.bottom], "hidden")
        y = node(fig, cx, y_out, f"ŷ^⟨{t}⟩", "output")
        arrow(fig, [cat.top, y.bottom], "output")
    for left, right in zip(forward, forward[1:]):
        arrow(fig, [(left.right[0] + 14, left.cy), right.left], "hidden")
    for left, right in zip(backward, backward[1:]):
        arrow(fig, [right.left, left.right], "hidden")
    for t, (f, b) in enumerate(zip(forward, backward), start=1):
        text(fig, f.cx, f.cy, f"a⃗^⟨{t}⟩", 16)
        text(fig, b.cx, b.cy, f"a⃖^⟨{t}⟩", 16)
    zero_f = node(fig, 64, y_fwd, "a⃗^⟨0⟩", "hidden")
    arrow(fig, [zero_f.right, forward[0].left], "hidden")
    zero_b = node(fig, 716, y_back, "a⃖^⟨5⟩", "hidden")
    arrow(fig, [zero_b.left, backward[-1].right], "hidden")
    return fig


FIGURES = {
    "rnn-unrolled.svg": fig_rnn_unrolled,
    "mlp.svg": fig_mlp,
    "rnn-from-mlp.svg": fig_rnn_from_mlp,
    "rnn-cell.svg": fig_rnn_cell,
    "rnn-io-kinds.svg": fig_rnn_io_kinds,
    "rnn-loss.svg": fig_rnn_loss,
    "rnn-cell-backward.svg": fig_rnn_cell_backward,
    "bptt.svg": fig_bptt,
    "gradient-norms.svg": fig_gradient_norms,
    "lstm-cell.svg": fig_lstm_cell,
    "gru-cell.svg": fig_gru_cell,
    "lstm-gradient-norms.svg": fig_lstm_gradient_norms,
    "deep-grid.svg": fig_deep_grid,
    "deep-backward.svg": fig_deep_backward,
    "bidirectional.svg": fig_bidirectional,
    "thread-speedup.svg": fig_thread_speedup,
}


def render_all():
    """{file name: SVG text} for every figure."""
    return {name: draw().svg() for name, draw in FIGURES.items()}


def write_figures(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, svg in render_all().items():
        path = out_dir / name
        # newline="\n": the same bytes on every platform.
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(svg)
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="directory to write into (default: docs/figures)",
    )
    args = parser.parse_args(argv)
    for path in write_figures(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
