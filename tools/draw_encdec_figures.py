#!/usr/bin/env python3
"""Draw the figures of chapter 10 (encoder–decoder) as small, language-neutral SVG.

    python tools/draw_encdec_figures.py            # rewrite docs/figures/encdec-*.svg
    python tools/draw_encdec_figures.py --out DIR  # write the same files into DIR

Self-contained: the standard library, numpy and rnnbook only (the beam-search
figure runs a tiny seeded model through rnnbook's decoder).  Labels are
mathematics or tokens, never words, so one file serves both languages; the
captions are translated in the Markdown.  The output is deterministic:
coordinates are rounded to two decimals, attributes are sorted, nothing
depends on the clock or the platform.  tests/book/test_figures.py redraws the
figures and compares them byte for byte with docs/figures/.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

SCRIPT = "tools/draw_encdec_figures.py"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "figures"

INK, LINE, MUTED, EDGE = "#2d3748", "#4a5568", "#718096", "#cbd5e0"
KINDS = {  # fill, stroke
    "input": ("#ebf4ff", "#2b6cb0"),
    "encoder": ("#ebf4ff", "#2b6cb0"),
    "decoder": ("#fff1e6", "#c05621"),
    "output": ("#fff1e6", "#c05621"),
    "kept": ("#e6f4ea", "#2f855a"),
    "pruned": ("#f7fafc", "#a0aec0"),
    "ended": ("#f3ebff", "#6b46c1"),
}


def num(value):
    """A coordinate as text: at most two decimals, no trailing zeros, no -0."""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def element(tag, attrs, content=None):
    """One element on one line, its attributes sorted by name."""
    parts = [tag]
    for key in sorted(attrs):
        value = attrs[key]
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            value = num(value)
        parts.append(f'{key}="{escape(str(value))}"')
    if content is None:
        return "<" + " ".join(parts) + "/>"
    return "<" + " ".join(parts) + ">" + content + f"</{tag}>"


class Figure:
    def __init__(self, name, width, height):
        self.name, self.width, self.height = name, width, height
        self.lines, self.markers = [], {}

    def add(self, tag, attrs, content=None):
        self.lines.append("  " + element(tag, attrs, content))

    def marker(self, colour):
        marker_id = f"{self.name}-arrow-{colour.lstrip('#')}"
        self.markers[marker_id] = colour
        return marker_id

    def svg(self):
        head = [
            f"<!-- Drawn by {SCRIPT} ({self.name}.svg); edit the script, not this file. -->",
            element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": self.width,
                            "height": self.height, "font-family": "serif",
                            "viewBox": f"0 0 {num(self.width)} {num(self.height)}"}
                    ).replace("/>", ">"),
        ]
        if self.markers:
            head.append("  <defs>")
            for marker_id in sorted(self.markers):
                arrowhead = element("path", {"d": "M0,0 L10,4 L0,8 Z",
                                             "fill": self.markers[marker_id]})
                head.append("    " + element(
                    "marker", {"id": marker_id, "markerHeight": 8, "markerWidth": 10,
                               "markerUnits": "userSpaceOnUse", "orient": "auto", "refX": 7,
                               "refY": 4, "viewBox": "0 0 10 8"}, arrowhead))
            head.append("  </defs>")
        head.append("  " + element("rect", {"x": 0.5, "y": 0.5, "width": self.width - 1,
                                            "height": self.height - 1, "rx": 14,
                                            "fill": "#ffffff", "stroke": "#e2e8f0"}))
        return "\n".join(head + self.lines + ["</svg>"]) + "\n"


# --- drawing pieces ------------------------------------------------------------------


def label(fig, x, y, runs, size=16, colour=INK, anchor="middle"):
    """Text from runs (text, style): style "i" italic, "r" upright, "sup"/"sub" raised
    or lowered and smaller, "supsub" a subscript inside a superscript, "hat" an
    italic letter with a circumflex above it."""
    spans, shift = [], 0.0
    for text, style in runs:
        attrs = {}
        target = {"sup": -0.42 * size, "sub": 0.25 * size, "supsub": -0.25 * size}.get(style, 0.0)
        if target != shift:
            attrs["dy"] = target - shift
            shift = target
        if style in ("sup", "sub", "supsub"):
            attrs["font-size"] = (0.5 if style == "supsub" else 0.7) * size
        if style in ("i", "hat", "supsub"):
            attrs["font-style"] = "italic"
        if style == "hat":
            text += "\u0302"  # combining circumflex: y-hat
        spans.append(element("tspan", attrs, escape(text)))
    fig.add("text", {"x": x, "y": y + 0.33 * size, "font-size": size, "fill": colour,
                     "text-anchor": anchor}, "".join(spans))


def box(fig, cx, cy, w, h, kind, dashed=False):
    fill, stroke = KINDS[kind]
    attrs = {"x": cx - w / 2, "y": cy - h / 2, "width": w, "height": h, "rx": 8,
             "fill": fill, "stroke": stroke, "stroke-width": 1.5}
    if dashed:
        attrs["stroke-dasharray"] = "5 4"
    fig.add("rect", attrs)


def arrow(fig, points, colour=LINE, dashed=False, width=1.6):
    d = " ".join(("M" if i == 0 else "L") + f"{num(x)},{num(y)}"
                 for i, (x, y) in enumerate(points))
    attrs = {"d": d, "fill": "none", "stroke": colour, "stroke-width": width,
             "marker-end": f"url(#{fig.marker(colour)})"}
    if dashed:
        attrs["stroke-dasharray"] = "5 4"
    fig.add("path", attrs)


def step(symbol, t):
    """symbol⟨t⟩ as runs."""
    return [(symbol, "i"), ("\u27e8" + t + "\u27e9", "sup")]


# --- figure 10.1: the encoder–decoder unrolled ---------------------------------------


def fig_encoder_decoder():
    fig = Figure("encdec-unrolled", 820, 300)
    y_cell, y_in, y_out = 150, 250, 52
    encoder_x = [70, 170, 270, 370]
    decoder_x = [520, 630, 740]
    for i, x in enumerate(encoder_x, 1):
        box(fig, x, y_cell, 64, 40, "encoder")
        for symbol, y in (("h", y_cell), ("x", y_in)):
            if i < len(encoder_x):
                label(fig, x, y, step(symbol, str(i)))
            else:  # symbol<T_x>: the subscript x sits inside the superscript
                label(fig, x, y, [(symbol, "i"), ("\u27e8T", "sup"), ("x", "supsub"),
                                  ("\u27e9", "sup")])
        arrow(fig, [(x, y_in - 14), (x, y_cell + 24)], colour=KINDS["input"][1])
        if i > 1:
            arrow(fig, [(encoder_x[i - 2] + 32, y_cell), (x - 36, y_cell)],
                  colour=KINDS["encoder"][1])
    # s<0> = h<T_x>: the only road from the source to the target.
    arrow(fig, [(encoder_x[-1] + 32, y_cell), (decoder_x[0] - 36, y_cell)], colour=INK,
          width=2.4)
    label(fig, 445, y_cell - 20, step("s", "0"), size=15)
    inputs = [[("\u27e8bos\u27e9", "r")], step("y", "1"), step("y", "2")]
    for i, x in enumerate(decoder_x, 1):
        box(fig, x, y_cell, 64, 40, "decoder")
        label(fig, x, y_cell, step("s", str(i)))
        label(fig, x, y_in, inputs[i - 1])
        arrow(fig, [(x, y_in - 14), (x, y_cell + 24)], colour=KINDS["decoder"][1])
        arrow(fig, [(x, y_cell - 20), (x, y_out + 20)], colour=KINDS["output"][1])
        label(fig, x, y_out, [("y", "hat"), ("\u27e8" + str(i) + "\u27e9", "sup")])
        if i > 1:
            arrow(fig, [(decoder_x[i - 2] + 32, y_cell), (x - 36, y_cell)],
                  colour=KINDS["decoder"][1])
        if i < 3:
            # teacher forcing: the label of step i is the input of step i + 1
            arrow(fig, [(x + 14, y_out + 8), (decoder_x[i] - 24, y_in - 12)], colour=MUTED,
                  dashed=True, width=1.2)
    return fig


# --- figure 10.2: a beam of two, three steps ------------------------------------------


def beam_tree(seed=5, beam_width=2, steps=3):
    """The candidates of each step of beam search on a tiny random model.

    Returns a list per step of (parent index in the previous step's kept list,
    token, cumulative log p, kept?).  The model reads one source of length 3;
    its target vocabulary is PAD, BOS, EOS and the tokens a, b.
    """
    import rnnbook
    from rnnbook.activations import log_softmax
    from rnnbook.seq2seq import BOS, EOS, decoder_step, encode, one_hot

    rng = np.random.default_rng(seed)
    parameters = rnnbook.init_seq2seq_parameters("gru", 5, 5, 4, seed=seed)
    parameters = {part: {name: value + rng.standard_normal(value.shape)
                         for name, value in layer.items()}
                  for part, layer in parameters.items()}
    kind, h, state, x_mask = encode(np.array([[3, 4, 3]]), np.array([3]), parameters)
    prefixes, log_probs, levels = [[BOS]], np.zeros(1), []
    for _ in range(steps):
        k = len(prefixes)
        y_prev = one_hot(np.array([p[-1] for p in prefixes]), 5)
        state, logits, _, _ = decoder_step(kind, y_prev, state, np.repeat(h, k, axis=1),
                                           np.repeat(x_mask, k, axis=0), parameters)
        log_p = log_softmax(logits)
        candidates = [(parent, token, log_probs[parent] + log_p[token, parent])
                      for parent in range(k) for token in (EOS, 3, 4)]
        order = sorted(range(len(candidates)), key=lambda i: -candidates[i][2])[:beam_width]
        level = [(parent, token, score, i in order) for i, (parent, token, score)
                 in enumerate(candidates)]
        levels.append(level)
        kept = [c for c in level if c[3] and c[1] != EOS]
        if not kept:
            break
        prefixes = [prefixes[parent] + [token] for parent, token, _, _ in kept]
        log_probs = np.array([score for _, _, score, _ in kept])
        state = tuple(part[:, [parent for parent, _, _, _ in kept]] for part in state)
    return levels


def fig_beam_search():
    from rnnbook.seq2seq import EOS

    levels = beam_tree()
    names = {EOS: "\u27e8eos\u27e9", 3: "a", 4: "b"}
    rows = max(len(level) for level in levels)
    fig = Figure("encdec-beam", 820, 70 + 52 * rows)
    column_x = [60] + [60 + 220 * (i + 1) for i in range(len(levels))]
    box(fig, column_x[0], 40 + 52 * (rows - 1) / 2 + 16, 84, 34, "kept")
    label(fig, column_x[0], 40 + 52 * (rows - 1) / 2 + 16, [("\u27e8bos\u27e9", "r")])
    parents_y = [40 + 52 * (rows - 1) / 2 + 16]
    for step_index, level in enumerate(levels):
        x = column_x[step_index + 1]
        top = 40 + 52 * (rows - len(level)) / 2 + 16
        kept_y = []
        for row, (parent, token, score, kept) in enumerate(level):
            y = top + 52 * row
            ended = token == EOS
            kind = ("ended" if ended else "kept") if kept else "pruned"
            box(fig, x, y, 130, 34, kind, dashed=not kept)
            colour = INK if kept else MUTED
            label(fig, x - 34, y, [(names[token], "r" if ended else "i")], colour=colour)
            label(fig, x + 28, y, [(f"{score:.2f}".replace("-", "\u2212"), "r")], size=14,
                  colour=colour)
            arrow(fig, [(column_x[step_index] + (42 if step_index == 0 else 65),
                         parents_y[parent]), (x - 69, y)],
                  colour=KINDS["kept"][1] if kept else EDGE, dashed=not kept, width=1.3)
            if kept and not ended:
                kept_y.append(y)
        parents_y = kept_y
    return fig


FIGURES = [fig_encoder_decoder, fig_beam_search]


def write_figures(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for draw in FIGURES:
        fig = draw()
        path = out_dir / f"{fig.name}.svg"
        path.write_text(fig.svg(), encoding="utf-8")
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the SVGs")
    args = parser.parse_args(argv)
    for path in write_figures(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
