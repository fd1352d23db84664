"""Chapter 10 (docs/seq2seq/encoder_decoder.md): the encoder–decoder unrolled,
and beam search on a tiny random model (computed with rnnbook)."""

import functools

import numpy as np

import rnnbook
from rnnbook.activations import log_softmax
from rnnbook.seq2seq import BOS, EOS, decoder_step, encode, one_hot

from .primitives import Figure, arrow, node, rect, text

Y_HAT = "y\u0302"  # an italic y with a hat, as the chapter's \hat{y}


def fig_encoder_decoder(theme):
    """Figure 10.1: the encoder's states h<t>, s<0> = h<T_x> (equation (10.4)), the
    decoder's states s<t> reading <bos>, y<1>, y<2>; teacher forcing dashed."""
    fig = Figure("encdec-unrolled", 820, 300, theme)
    y_cell, y_in, y_out = 150, 250, 52
    encoder_x = [70, 170, 270, 370]
    decoder_x = [520, 630, 740]
    steps = ["1", "2", "3", "T_x"]
    encoder = []
    for cx, t in zip(encoder_x, steps):
        h = node(fig, cx, y_cell, f"h^⟨{t}⟩", "encoder", h=40, min_w=64)
        text(fig, cx, y_in, f"x^⟨{t}⟩")
        arrow(fig, [(cx, y_in - 14), h.bottom], "input")
        encoder.append(h)
    for left, right in zip(encoder, encoder[1:]):
        arrow(fig, [left.right, right.left], "input")
    decoder = []
    inputs = ["⟨bos⟩", "y^⟨1⟩", "y^⟨2⟩"]
    for t, (cx, y_prev) in enumerate(zip(decoder_x, inputs), start=1):
        s = node(fig, cx, y_cell, f"s^⟨{t}⟩", "decoder", h=40, min_w=64)
        text(fig, cx, y_in, y_prev)
        arrow(fig, [(cx, y_in - 14), s.bottom], "output")
        arrow(fig, [s.top, (cx, y_out + 20)], "output")
        text(fig, cx, y_out, f"{Y_HAT}^⟨{t}⟩")
        decoder.append(s)
    for left, right in zip(decoder, decoder[1:]):
        arrow(fig, [left.right, right.left], "output")
    # s<0> = h<T_x>: the only road from the source to the target.
    arrow(fig, [encoder[-1].right, decoder[0].left], "ink", width=2.4)
    text(fig, (encoder[-1].right[0] + decoder[0].left[0]) / 2, y_cell - 20, "s^⟨0⟩", 15)
    # Teacher forcing: the label of step t is the decoder's input at step t + 1.
    for cx, next_x in zip(decoder_x, decoder_x[1:]):
        arrow(fig, [(cx + 14, y_out + 8), (next_x - 24, y_in - 12)], "muted", width=1.2,
              dashed=True)
    return fig


def beam_model(seed=5):
    """The tiny random model of figure 10.2 and its source: (x, x_lengths, parameters).

    A GRU encoder-decoder whose source and target vocabularies are PAD, BOS,
    EOS and the tokens a, b; every weight gets standard normal noise, so that
    the model is far from the near-uniform output of the small initial
    weights and the candidates' scores spread out.
    """
    rng = np.random.default_rng(seed)
    parameters = rnnbook.init_seq2seq_parameters("gru", 5, 5, 4, seed=seed)
    parameters = {part: {name: value + rng.standard_normal(value.shape)
                         for name, value in layer.items()}
                  for part, layer in parameters.items()}
    return np.array([[3, 4, 3]]), np.array([3]), parameters


@functools.lru_cache(maxsize=None)
def beam_tree(seed=5, beam_width=2, steps=3):
    """The candidates of each step of beam search on beam_model(seed).

    Returns a tuple per step of (parent index in the previous step's kept list,
    token, cumulative log p, kept?).  Cached: both palettes draw the same
    tree.  tests/book/test_figures.py checks that its best complete output is
    rnnbook.decoding.beam_search's.
    """
    x, x_lengths, parameters = beam_model(seed)
    kind, h, state, x_mask = encode(x, x_lengths, parameters)
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
        level = tuple((parent, token, score, i in order) for i, (parent, token, score)
                      in enumerate(candidates))
        levels.append(level)
        kept = [c for c in level if c[3] and c[1] != EOS]
        if not kept:
            break
        prefixes = [prefixes[parent] + [token] for parent, token, _, _ in kept]
        log_probs = np.array([score for _, _, score, _ in kept])
        state = tuple(part[:, [parent for parent, _, _, _ in kept]] for part in state)
    return tuple(levels)


def fig_beam_search(theme):
    """Figure 10.2: a beam of two over three steps; each candidate with its token and
    cumulative log-probability (equation (10.11)); kept solid, dropped dashed, ended
    in <eos> purple."""
    levels = beam_tree()
    names = {EOS: "⟨eos⟩", 3: "a", 4: "b"}
    rows = max(len(level) for level in levels)
    fig = Figure("encdec-beam", 820, 70 + 52 * rows, theme)
    column_x = [60] + [60 + 220 * (i + 1) for i in range(len(levels))]
    middle = 40 + 52 * (rows - 1) / 2 + 16
    root = rect(fig, column_x[0], middle, 84, 34, "hidden")
    text(fig, root.cx, root.cy, "⟨bos⟩")
    parents = [root]
    for x, level in zip(column_x[1:], levels):
        top = 40 + 52 * (rows - len(level)) / 2 + 16
        kept_boxes = []
        for row, (parent, token, score, kept) in enumerate(level):
            y = top + 52 * row
            ended = token == EOS
            if kept:
                box = rect(fig, x, y, 130, 34, "loss" if ended else "hidden")
            else:
                box = rect(fig, x, y, 130, 34, "op", dashed=True, stroke="frame")
            colour = "ink" if kept else "muted"
            text(fig, x - 34, y, names[token], colour=colour)
            text(fig, x + 28, y, f"{score:.2f}".replace("-", "−"), 14, colour=colour)
            # A dropped candidate's arrow in the colour of its outline: faint, but
            # there on the dark palette too.
            arrow(fig, [parents[parent].right, box.left], "hidden" if kept else "frame",
                  width=1.3, dashed=not kept)
            if kept and not ended:
                kept_boxes.append(box)
        parents = kept_boxes
    return fig


FIGURES = {
    "encdec-unrolled": fig_encoder_decoder,
    "encdec-beam": fig_beam_search,
}
