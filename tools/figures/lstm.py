"""Chapter 4 (docs/gated/lstm.md): the LSTM cell, and how far the gradient
reaches in an LSTM against a vanilla RNN (a plot)."""

import functools

import numpy as np

import rnnbook
import rnnbook.gradient_flow

from .plotting import Chart, log_norm_chart
from .primitives import Figure, arrow, cell_frame, dot, line, node, op, text


def fig_lstm_cell(theme):
    """Figure 4.1: the LSTM cell, equations (4.2)-(4.8), its cell state along the top."""
    fig = Figure("lstm-cell", 780, 500, theme)
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
        text(fig, x_gate + 7, (y_bus + gates[gate].bottom[1]) / 2, f"W_{gate}", 13, "start",
             "muted")
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
    # The new hidden state leaves to the right, and up through softmax to ŷ.
    arrow(fig, [show.bottom, (580, y_bus), a_next.left], "hidden", width=2)
    branch = (680, y_bus)
    dot(fig, *branch, "hidden")
    softmax = node(fig, 680, 300, "softmax", "op")
    y_hat = node(fig, 680, 222, "ŷ^⟨t⟩", "output")
    arrow(fig, [branch, softmax.bottom], "hidden")
    arrow(fig, [softmax.top, y_hat.bottom], "output")
    return fig


@functools.cache
def lstm_gradient_norm_experiment():
    """Figure 4.2: the measurement of figure 3.3 for a vanilla RNN and an LSTM, T_x = 100.

    The input is rng = default_rng(0), x = rng.standard_normal((4, 1, 100)),
    a0 = 0, n_a = 32.  The RNN keeps init_rnn_parameters(4, 32, seed=1); the
    LSTMs use init_lstm_parameters(4, 32, seed=1) with the forget-gate bias at
    1 (the default) and at 0.  For the LSTM the norm is that of the stacked
    [da<k>; dc<k>].

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


def fig_lstm_gradient_norms(theme):
    """Figure 4.2: the RNN against the LSTM with forget bias 1 and 0, T_x = 100."""
    results = lstm_gradient_norm_experiment()
    series = [
        ("RNN", results["rnn"], "line", None),
        ("LSTM, $b_f = 1$", results["lstm_forget_bias_1"], "hidden", None),
        ("LSTM, $b_f = 0$", results["lstm_forget_bias_0"], "output", (8, 4)),
    ]
    # Section 4.6 writes the gradients with an upright d: da<k>, dc<k>.
    y_label = (r"$\Vert \mathrm{d}a^{\langle k \rangle} \Vert,\ "
               r"\Vert [\mathrm{d}a^{\langle k \rangle}; \mathrm{d}c^{\langle k \rangle}] \Vert$")
    with Chart("lstm-gradient-norms", theme, 740, 440) as chart:
        log_norm_chart(chart, series, "$k$", y_label, [1, 20, 40, 60, 80, 100],
                       legend="lower right")
    return chart


FIGURES = {
    "lstm-cell": fig_lstm_cell,
    "lstm-gradient-norms": fig_lstm_gradient_norms,
}
