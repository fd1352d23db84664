"""Shared drawing primitives: SVG written by hand, in two palettes.

Every diagram is drawn once per theme (LIGHT, DARK): the drawing code names
colours by role ("input", "hidden", "grad", ...) and the Figure it draws on
maps each role to the theme's colour.  So the two files of a figure differ in
their colours only, and the page shows the one that matches its palette
(``#only-light`` / ``#only-dark``, see tools/figures/__init__.py).

Output is deterministic: coordinates are rounded to two decimals, attributes
are written in sorted order, nothing depends on the clock, the platform or
the current directory.

Labels use a tiny markup: ``a_b`` is a subscript and ``a^b`` a superscript,
where b is ``{...}``, an angle-bracket group ``<...>`` written with the
characters U+27E8/U+27E9, or a run of letters and digits (optionally signed).
So ``x^⟨t⟩``, ``W_aa``, ``a^⟨T_x−1⟩`` and ``10^−12`` all work.  A subscript
followed by a superscript (``W_aa^⊤``) is stacked, both starting at the same
place after the base, as LaTeX sets ``W_{aa}^{\\mathsf{T}}``.  ``⊤`` is the
transpose as the chapters that write ``\\mathsf{T}`` set it, an upright
sans-serif T; in a chapter that writes ``\\top`` the figures use ``\\top``,
which draws the glyph ⊤ itself (``v_a^{\\top}``).  ``ℒ`` is the loss, the
book's ``\\mathcal{L}``; a ``d`` directly before a letter in ``\\d`` is an
upright differential (``\\da^⟨k⟩`` is d a^⟨k⟩ with an upright d).  A combining
hat or tilde (``y\\u0302``, ``c\\u0303``) stays with the letter before it, so
ŷ written that way is an italic y with a hat, as the chapters' ``\\hat{y}``.
Latin letters are set in italic, except function names such as tanh and
softmax and the words the chapters set upright (``context``, the tokens
``⟨bos⟩`` and ``⟨eos⟩``).
"""

import math

import numpy as np

# ---------------------------------------------------------------------------
# Palettes.  The light one is for Material's default scheme (a white page),
# the dark one for its slate scheme, whose page colour is hsl(225, 15%, 14%);
# each figure's background is the page's own colour, so it sits on the page
# without a panel, and stays legible when opened alone in a browser tab.
# ---------------------------------------------------------------------------

LIGHT = {
    "name": "light",
    "background": "#ffffff",
    "background_edge": "#e2e8f0",
    "colours": {
        "ink": "#2d3748",  # text
        "line": "#4a5568",  # forward arrows, operation outlines
        "input": "#2b6cb0",  # x
        "hidden": "#2f855a",  # a, c
        "output": "#c05621",  # y hat, y
        "loss": "#6b46c1",  # the loss
        "grad": "#c53030",  # gradients (dashed)
        "muted": "#718096",  # equation tags, ellipses
        "edge": "#cbd5e0",  # MLP edges
        "frame": "#a0aec0",  # the outline of a cell
        "grid": "#e2e8f0",  # chart grid lines
    },
    "fills": {
        "input": "#ebf4ff",
        "hidden": "#e6f4ea",
        "output": "#fff1e6",
        "loss": "#f3ebff",
        "op": "#f7fafc",
        "param": "#edf2f7",
        "cell": "#f7fafc",
        "frame": "#fbfcfd",
        "encoder": "#ebf4ff",
        "decoder": "#fff1e6",
    },
}

DARK = {
    "name": "dark",
    "background": "#1e2129",  # hsl(225, 15%, 14%), Material's slate page
    "background_edge": "#2e3340",
    "colours": {
        "ink": "#e2e6ee",
        "line": "#a3adbf",
        "input": "#63b3ed",
        "hidden": "#68d391",
        "output": "#f6ad55",
        "loss": "#b794f4",
        "grad": "#fc8181",
        "muted": "#8d98ab",
        "edge": "#4a5263",
        "frame": "#5d6678",
        "grid": "#323846",
    },
    "fills": {
        "input": "#1c3450",
        "hidden": "#1c3a2b",
        "output": "#46301c",
        "loss": "#33294b",
        "op": "#2a2f3a",
        "param": "#2c3240",
        "cell": "#262b35",
        "frame": "#232730",
        "encoder": "#1c3450",
        "decoder": "#46301c",
    },
}

THEMES = (LIGHT, DARK)

# The outline of a shape of each kind is the colour of this role.
STROKES = {
    "input": "input",
    "hidden": "hidden",
    "output": "output",
    "loss": "loss",
    "op": "line",
    "param": "muted",
    "cell": "line",
    "encoder": "input",
    "decoder": "output",
}

# Function names are set upright; every other Latin letter is italic.
UPRIGHT_WORDS = {"tanh", "softmax", "RNN", "LSTM", "GRU", "out", "context", "bos", "eos"}

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
    """An SVG document under construction in one theme: its lines and markers."""

    def __init__(self, name, width, height, theme):
        self.name = name
        self.width = width
        self.height = height
        self.theme = theme
        self.lines = []
        self.depth = 1
        self.markers = {}

    def colour(self, role):
        return self.theme["colours"][role]

    def fill(self, kind):
        return self.theme["fills"][kind]

    def stroke(self, kind):
        return self.colour(STROKES[kind])

    @property
    def background(self):
        return self.theme["background"]

    def add(self, tag, attrs, content=None):
        self.lines.append("  " * self.depth + element(tag, attrs, content))

    def open_group(self, **attrs):
        self.lines.append("  " * self.depth + element("g", attrs).replace("/>", ">"))
        self.depth += 1

    def close_group(self):
        self.depth -= 1
        self.lines.append("  " * self.depth + "</g>")

    def marker(self, role):
        """The id of the arrowhead marker in this role's colour, defined on first use."""
        marker_id = f"{self.name}-arrow-{role}"
        self.markers[marker_id] = self.colour(role)
        return marker_id

    def svg(self, source):
        """The document; source names the module that draws it (in a comment)."""
        head = [
            f"<!-- Drawn by {source} ({self.name}, {self.theme['name']} palette); "
            "edit the script, not this file. -->",
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
        # The page's own colour, so that the figure needs no panel on the page
        # and is still legible when opened on its own.
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
                    "fill": self.background,
                    "stroke": self.theme["background_edge"],
                },
            )
        )
        return "\n".join(head + self.lines + ["</svg>"]) + "\n"


# ---------------------------------------------------------------------------
# Math text: a label becomes a <text> with one <tspan> per run of style.
# ---------------------------------------------------------------------------

SUP, SUB = "sup", "sub"
KERN = "kern"  # a piece that only moves the pen: (KERN, level, ems of the base size)
TRANSPOSE = "⊤"
DIFFERENTIAL = "\\d"  # markup for an upright d
TOP = "\\top"  # markup for the glyph ⊤ itself (KaTeX's \top), not the sans-serif T
COMBINING = "\u0302\u0303"  # a hat, a tilde: drawn over the letter before them


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


def _pieces_width(pieces):
    """The estimated width of parsed pieces, in ems of the base size."""
    width = 0.0
    for text, level in pieces:
        if text == KERN:
            continue
        scale = 0.7 ** len(level)
        plain = text.replace(DIFFERENTIAL, "d").replace(TOP, TRANSPOSE)
        width += sum(_char_width(ch) for ch in plain) * scale
    return width


def parse_math(s, level=()):
    """Split a label into (text, level) pieces; level is a tuple of SUP/SUB.

    A subscript directly followed by a superscript (or the other way round)
    is stacked: the second starts where the first started, and the text
    after them starts after the wider of the two.  The moves are KERN pieces.
    """
    pieces, plain, i = [], "", 0
    while i < len(s):
        if s[i] in "^_":
            if plain:
                pieces.append((plain, level))
                plain = ""
            kind = SUP if s[i] == "^" else SUB
            inner, i = _script_argument(s, i + 1)
            first = parse_math(inner, level + (kind,))
            pieces.extend(first)
            if i < len(s) and s[i] in "^_" and (s[i] == "^") != (kind == SUP):
                other = SUP if kind == SUB else SUB
                inner, i = _script_argument(s, i + 1)
                second = parse_math(inner, level + (other,))
                w1, w2 = _pieces_width(first), _pieces_width(second)
                pieces.append((KERN, (-w1,)))
                pieces.extend(second)
                if w1 > w2:
                    pieces.append((KERN, (w1 - w2,)))
            continue
        plain += s[i]
        i += 1
    if plain:
        pieces.append((plain, level))
    return pieces


def _split_style(text):
    """Split text into (run, style) runs; style is "italic", "upright" or "sans".

    Latin words are italic, function names and differentials upright, the
    transpose sign an upright sans-serif T.
    """
    runs, word = [], ""

    def flush_word():
        if word:
            runs.append((word, "upright" if word in UPRIGHT_WORDS else "italic"))

    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith(DIFFERENTIAL, i):
            flush_word()
            word = ""
            runs.append(("d", "upright"))
            i += len(DIFFERENTIAL)
            continue
        if text.startswith(TOP, i):
            flush_word()
            word = ""
            runs.append((TRANSPOSE, "upright"))
            i += len(TOP)
            continue
        if ch.isascii() and ch.isalpha():
            word += ch
        else:
            flush_word()
            word = ""
            # Combining marks (the tilde of c̃, the hat of ŷ) stay with the letter
            # before them, in its style.
            if ch in COMBINING and runs:
                runs[-1] = (runs[-1][0] + ch, runs[-1][1])
            elif ch == TRANSPOSE:
                runs.append(("T", "sans"))
            else:
                runs.append((ch, "upright"))
        i += 1
    flush_word()
    merged = []
    for run, style in runs:
        if merged and merged[-1][1] == style:
            merged[-1] = (merged[-1][0] + run, style)
        else:
            merged.append((run, style))
    return merged


def _level_metrics(level, size):
    """(baseline shift, font size) of a script level; positive shift is downwards."""
    shift = 0.0
    for kind in level:
        shift += -0.42 * size if kind == SUP else 0.24 * size
        size *= 0.7
    return shift, size


def math_runs(label, size):
    """The label as (text, shift, size, style, kern) runs; kern moves the pen first."""
    runs, kern = [], 0.0
    for text, level in parse_math(label):
        if text == KERN:
            kern += level[0] * size
            continue
        shift, run_size = _level_metrics(level, size)
        for run, style in _split_style(text):
            if runs and not kern and runs[-1][1:4] == (shift, run_size, style):
                last = runs[-1]
                runs[-1] = (last[0] + run, shift, run_size, style, last[4])
            else:
                runs.append((run, shift, run_size, style, kern))
                kern = 0.0
    return runs


def _char_width(ch):
    if ch in COMBINING:
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
    if ch == TRANSPOSE:
        return 0.6
    return 0.62


def text_width(label, size):
    """An estimate of the rendered width, for sizing boxes around labels."""
    return sum(
        _char_width(ch) * run_size + kern
        for text, _, run_size, _, kern in math_runs(label, size)
        for ch in text
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
    attrs = {"x": x, "y": y + 0.33 * size, "font-size": size, "fill": fig.colour(colour)}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    if halo:
        # An outline in the background's colour keeps the label legible on lines.
        attrs.update(
            {
                "stroke": fig.background,
                "stroke-width": 4,
                "stroke-linejoin": "round",
                "paint-order": "stroke",
            }
        )
    if rotate is not None:
        attrs["transform"] = f"rotate({num(rotate)} {num(x)} {num(y)})"
    parts, current, pending = [], 0.0, 0.0
    for run, shift, run_size, style, kern in math_runs(label, size):
        pending += kern
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
        if style == "italic" and italic:
            span["font-style"] = "italic"
        if style == "sans":
            span["font-family"] = "sans-serif"
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


def rect(fig, cx, cy, w, h, kind="op", rx=8, dashed=False, stroke_width=1.5, stroke=None):
    """A rounded box of a kind; stroke names a colour role for its outline instead of the kind's."""
    attrs = {
        "x": cx - w / 2,
        "y": cy - h / 2,
        "width": w,
        "height": h,
        "rx": rx,
        "fill": fig.fill(kind),
        "stroke": fig.stroke(kind) if stroke is None else fig.colour(stroke),
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


def circle(fig, cx, cy, r, kind="op", label=None, size=18, colour="ink", stroke_width=1.5,
           fill=None):
    """A circle of a kind; fill="background" leaves it the page's colour."""
    fig.add(
        "circle",
        {
            "cx": cx,
            "cy": cy,
            "r": r,
            "fill": fig.background if fill == "background" else fig.fill(kind),
            "stroke": fig.stroke(kind),
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
    fig.add("circle", {"cx": cx, "cy": cy, "r": r, "fill": fig.colour(colour)})


def _hop_band(fig, points, width):
    """A band in the background's colour under a line, so that it seems to pass over others."""
    fig.add(
        "path",
        {"d": points_path(points), "fill": "none", "stroke": fig.background,
         "stroke-width": width + 6},
    )


def line(fig, points, colour="line", width=1.6, dashed=False, hop=False):
    """A polyline; hop=True lets it pass over the lines drawn before it."""
    if hop:
        _hop_band(fig, points, width)
    attrs = {
        "d": points_path(points),
        "fill": "none",
        "stroke": fig.colour(colour),
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
        _hop_band(fig, points, width)
    _arrow_path(fig, points_path(points), colour, width, "6 4" if dashed else None)


def _arrow_path(fig, d, colour, width, dasharray):
    """A stroked path d with the colour's arrowhead at its end."""
    attrs = {
        "d": d,
        "fill": "none",
        "stroke": fig.colour(colour),
        "stroke-width": width,
        "marker-end": f"url(#{fig.marker(colour)})",
    }
    if dasharray:
        attrs["stroke-dasharray"] = dasharray
    fig.add("path", attrs)


def grad_arrow(fig, points):
    """A gradient: red and dashed, against the direction of the forward pass."""
    arrow(fig, points, "grad", width=1.8, dashed=True)


def curve_arrow(fig, start, c1, c2, end, colour="line", width=1.4, dashed=False):
    """A cubic Bézier ending in an arrowhead (the tangent at the end is c2 -> end)."""
    d = math.hypot(end[0] - c2[0], end[1] - c2[1])
    tip = (end[0] - 3 * (end[0] - c2[0]) / d, end[1] - 3 * (end[1] - c2[1]) / d)
    d = (f"M{num(start[0])},{num(start[1])} C"
         + " ".join(f"{num(px)},{num(py)}" for px, py in (c1, c2, tip)))
    _arrow_path(fig, d, colour, width, "5 4" if dashed else None)


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
            "fill": fig.fill("frame"),
            "stroke": fig.colour("frame"),
            "stroke-width": 1.5,
        },
    )


def panel(fig, left, top, right, bottom):
    """A quiet outline around one part of a figure with several."""
    fig.add(
        "rect",
        {
            "x": left,
            "y": top,
            "width": right - left,
            "height": bottom - top,
            "rx": 10,
            "fill": "none",
            "stroke": fig.theme["background_edge"],
        },
    )


def ellipsis(fig, x, y, vertical=False, size=20):
    text(fig, x, y, "⋮" if vertical else "⋯", size, colour="muted")
