#!/usr/bin/env python3
"""Draw the figures of chapter 11 (attention) as small, language-neutral SVG files.

    python tools/draw_seq2seq_figures.py            # rewrite docs/figures/attention-*.svg
    python tools/draw_seq2seq_figures.py --out DIR  # write the same files into DIR

Self-contained: the standard library and numpy only.  The drawing primitives
(SVG elements, math labels, boxes and arrows) are those of
tools/draw_figures.py, copied so that the two scripts can change apart and
the figures still look alike.  Every label is mathematics, never a word, so
one file serves both languages; the captions are translated in the Markdown.
The output is deterministic: coordinates are rounded to two decimals,
attributes are written in sorted order, nothing depends on the clock, the
platform or the current directory.  tests/book/test_figures.py redraws the
figures into a temporary directory and compares them byte for byte with
docs/figures/.

Labels use the markup of tools/draw_figures.py: ``a_b`` is a subscript and
``a^b`` a superscript, where b is ``{...}``, an angle-bracket group ``<...>``
written with the characters U+27E8/U+27E9, or a run of letters and digits.
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np

SCRIPT = "tools/draw_seq2seq_figures.py"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "figures"

# ---------------------------------------------------------------------------
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
UPRIGHT_WORDS = {"tanh", "softmax", "context", "RNN", "LSTM", "GRU"}

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
# The figures.
# ---------------------------------------------------------------------------


def fig_attention_step():
    """Fig 11.1: one decoder step reads a weighted sum of every encoder state."""
    fig = Figure("attention-step", 760, 440)
    y_h, y_sum, y_dec = 375, 200, 58
    xs = [100, 220, 340, None, 560]  # None: the ellipsis between h<3> and h<T_x>
    labels = ["1", "2", "3", None, "T_x"]
    boxes = []
    for cx, t in zip(xs, labels):
        if cx is None:
            boxes.append(None)
            continue
        boxes.append(node(fig, cx, y_h, f"h^⟨{t}⟩", "encoder", min_w=64))
    # The encoder reads left to right; its states are all kept.
    for left, right in zip(boxes[:2], boxes[1:3]):
        arrow(fig, [left.right, right.left], "input")
    arrow(fig, [boxes[2].right, (430, y_h)], "input")
    ellipsis(fig, 450, y_h)
    arrow(fig, [(470, y_h), boxes[4].left], "input")

    total = circle(fig, 330, y_sum, 22, "op", "Σ", size=20)
    for box, t in zip(boxes, labels):
        if box is None:
            continue
        end = total.toward(box.top)
        arrow(fig, [box.top, end], "line")
        # the weight on the line, nearer the state it weighs
        f = 0.42
        lx, ly = box.cx + f * (end[0] - box.cx), box.top[1] + f * (end[1] - box.top[1])
        text(fig, lx, ly, f"α^⟨t,{t}⟩", 15, halo=True)
    text(fig, total.cx + 34, total.cy + 2, "(11.3)", 13, anchor="start", colour="muted")

    s_prev = node(fig, 100, y_dec, "s^⟨t−1⟩", "decoder", min_w=76)
    s_next = node(fig, 450, y_dec, "s^⟨t⟩", "decoder", min_w=76)
    arrow(fig, [s_prev.right, s_next.left], "output")
    ellipsis(fig, 24, y_dec)
    arrow(fig, [(40, y_dec), s_prev.left], "output")
    # The context enters the decoder cell beside y<t-1>.
    arrow(fig, [total.top, (total.cx, 130), (s_next.cx - 18, 130), s_next.at_x(s_next.cx - 18,
                                                                               "bottom")], "line")
    text(fig, total.cx + 8, 112, "context^⟨t⟩", 15, anchor="start", halo=True)
    y_prev = node(fig, 600, 150, "y^⟨t−1⟩", "output", min_w=76)
    arrow(fig, [y_prev.top, (y_prev.cx, 130), (s_next.cx + 18, 130),
                s_next.at_x(s_next.cx + 18, "bottom")], "output")
    y_hat = node(fig, 660, y_dec, "ŷ^⟨t⟩", "output", min_w=60)
    arrow(fig, [s_next.right, y_hat.left], "output")
    # s<t-1> and each h<t'> decide the weights (eq. 11.1, 11.2; figure 11.2).
    curve_arrow(fig, s_prev.bottom, (s_prev.cx, 190), (150, 250), (178, 282), "muted",
                dashed=True)
    text(fig, 128, 200, "(11.1), (11.2)", 13, anchor="start", colour="muted")
    return fig


def fig_attention_score():
    """Fig 11.2: additive attention as a computation graph, with the shapes."""
    fig = Figure("attention-score", 800, 400)
    y_s, y_mid, y_h, y_sum = 70, 140, 210, 330

    def shape(x, y, label):
        text(fig, x, y, label, 13, colour="muted", halo=True)

    s_prev = node(fig, 62, y_s, "s^⟨t−1⟩", "decoder", min_w=76)
    h = node(fig, 62, y_h, "h^⟨t′⟩", "encoder", min_w=76)
    shape(62, y_s - 30, "(n_s, m)")
    shape(62, y_h + 30, "(n_h, m, T_x)")
    Wa = node(fig, 170, y_s, "W_a", "param")
    Ua = node(fig, 170, y_h, "U_a", "param")
    arrow(fig, [s_prev.right, Wa.left], "output")
    arrow(fig, [h.right, Ua.left], "input")
    plus = op(fig, 250, y_mid, "+")
    arrow(fig, [Wa.right, (222, y_s), plus.toward((222, y_s))], "line")
    arrow(fig, [Ua.right, (222, y_h), plus.toward((222, y_h))], "line")
    shape(236, y_s - 22, "(n_e, m)")
    shape(236, y_h + 22, "(n_e, m, T_x)")
    tanh = node(fig, 330, y_mid, "tanh", "op")
    arrow(fig, [plus.right, tanh.left], "line")
    E = node(fig, 425, y_mid, "E", "hidden")
    arrow(fig, [tanh.right, E.left], "hidden")
    shape(425, y_mid + 30, "(n_e, m, T_x)")
    va = node(fig, 510, y_mid, "v_a^⊤", "param")
    arrow(fig, [E.right, va.left], "line")
    e = node(fig, 600, y_mid, "e^⟨t,t′⟩", "hidden", min_w=70)
    arrow(fig, [va.right, e.left], "line")
    shape(600, y_mid - 30, "(m, T_x)")
    text(fig, 600, y_mid + 32, "(11.1)", 13, colour="muted")
    soft = node(fig, 720, y_mid, "softmax_t′", "op")
    arrow(fig, [e.right, soft.left], "line")
    alpha = node(fig, 720, 235, "α^⟨t,t′⟩", "hidden", min_w=70)
    arrow(fig, [soft.bottom, alpha.top], "hidden")
    text(fig, 772, 188, "(11.2)", 13, colour="muted")
    total = circle(fig, 600, y_sum, 20, "op", "Σ_t′", size=17)
    arrow(fig, [alpha.bottom, (alpha.cx, y_sum), total.right], "hidden")
    # Each h<t'> is also what the weights average.
    dot(fig, 110, y_h, "input")
    arrow(fig, [(110, y_h), (110, y_sum), total.left], "input", hop=True)
    text(fig, 600, y_sum + 36, "(11.3)", 13, colour="muted")
    shape(668, 270, "(m, T_x)")
    context = node(fig, 420, y_sum + 42, "context^⟨t⟩", "hidden", min_w=110)
    arrow(fig, [total.toward((420, y_sum + 42)), context.right], "hidden")
    shape(310, y_sum + 42, "(n_h, m)")
    return fig


FIGURES = {
    "attention-step.svg": fig_attention_step,
    "attention-score.svg": fig_attention_score,
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
