"""Chapter 3 (docs/rnn/bptt.md): backpropagation through time, through one
cell, and the gradient norms of the vanishing/exploding experiment (a plot)."""

import functools

import numpy as np

import rnnbook
import rnnbook.gradient_flow

from .model import draw_rnn_cell, rnn_cell_layout
from .plotting import Chart, log_norm_chart
from .primitives import Figure, arrow, circle, grad_arrow, node, text

def fig_rnn_cell_backward(theme):
    """Figure 3.2: the backward pass through one cell, equations (3.10)-(3.12),
    over the faint forward graph."""
    fig = Figure("rnn-cell-backward", 760, 500, theme)
    p = rnn_cell_layout(10, 10)
    fig.open_group(opacity=0.35)
    n = draw_rnn_cell(fig, p, tags=False)
    fig.close_group()
    d = 12  # the red arrows run this far below / right of the forward ones
    row = p["row"] + d
    bx = p["branch"][0] + d
    merge = circle(fig, bx, row, 11, "op", "+", size=15, colour="grad")
    fig.add("circle", {"cx": bx, "cy": row, "r": 11, "fill": "none",
                       "stroke": fig.colour("grad"), "stroke-width": 1.5})
    # The two terms of ∂ℒ/∂a<t>: from the next step, and from this step's output (3.9).
    grad_arrow(fig, [(n["a_next"].left[0] - 4, row), merge.right])
    text(fig, (n["a_next"].left[0] + bx) / 2 + 2, row + 19, "W_aa^⊤ ∂ℒ/∂s^⟨t+1⟩", 14,
         colour="grad", halo=True)
    grad_arrow(fig, [n["y_hat"].at_x(bx, "bottom"), n["softmax"].at_x(bx, "top")])
    grad_arrow(fig, [n["softmax"].at_x(bx, "bottom"), n["Wya"].at_x(bx, "top")])
    grad_arrow(fig, [n["Wya"].at_x(bx, "bottom"), merge.top])
    text(fig, bx + 10, (p["softmax"][1] + p["Wya"][1]) / 2, "ŷ^⟨t⟩ − y^⟨t⟩", 15, "start",
         "grad", halo=True)
    text(fig, bx + 10, (p["Wya"][1] + p["row"]) / 2 + 2, "∂ℒ^⟨t⟩/∂a^⟨t⟩", 15, "start", "grad",
         halo=True)
    # Through tanh: ∂ℒ/∂s<t>, equation (3.10).
    grad_arrow(fig, [merge.left, n["tanh"].at_y(row, "right")])
    text(fig, (merge.left[0] + n["tanh"].right[0]) / 2, row + 19, "∂ℒ/∂a^⟨t⟩", 15,
         colour="grad", halo=True)
    grad_arrow(fig, [n["tanh"].at_y(row, "left"), n["plus"].at_y(row, "right")])
    text(fig, n["tanh"].left[0] - 34, row + 43, "∂ℒ/∂s^⟨t⟩ = ∂ℒ/∂a^⟨t⟩ ⊙ (1 − (a^⟨t⟩)^2)", 15,
         "start", "grad", halo=True)
    # From the sum node ∂ℒ/∂s<t> goes to each of its three inputs (3.11), (3.12).
    px = p["plus"][0] + d
    grad_arrow(fig, [n["plus"].at_y(row, "left"), n["Waa"].at_y(row, "right")])
    grad_arrow(fig, [n["plus"].at_x(px, "top"), n["ba"].at_x(px, "bottom")])
    text(fig, n["ba"].right[0] + 8, p["ba"][1], "∂ℒ/∂b_a", 15, "start", "grad", halo=True)
    grad_arrow(fig, [n["plus"].at_x(px, "bottom"), n["Wax"].at_x(px, "top")])
    # W_aa: its gradient, and what flows on to a<t-1>.
    wx = p["Waa"][0]
    grad_arrow(fig, [n["Waa"].top, (wx, p["row"] - 58)])
    text(fig, wx, p["row"] - 72, "∂ℒ/∂W_aa", 15, colour="grad", halo=True)
    grad_arrow(fig, [n["Waa"].at_y(row, "left"), n["a_prev"].at_y(row, "right")])
    text(fig, (n["Waa"].left[0] + n["a_prev"].right[0]) / 2, row + 19, "W_aa^⊤ ∂ℒ/∂s^⟨t⟩", 14,
         colour="grad", halo=True)
    # W_ax: its gradient, and the gradient of the input.
    grad_arrow(fig, [n["Wax"].right, (n["Wax"].right[0] + 46, p["Wax"][1])])
    text(fig, n["Wax"].right[0] + 52, p["Wax"][1], "∂ℒ/∂W_ax", 15, "start", "grad", halo=True)
    grad_arrow(fig, [n["Wax"].at_x(px, "bottom"), n["x"].at_x(px, "top")])
    text(fig, px + 10, (n["Wax"].bottom[1] + n["x"].top[1]) / 2, "∂ℒ/∂x^⟨t⟩ = W_ax^⊤ ∂ℒ/∂s^⟨t⟩",
         15, "start", "grad", halo=True)
    return fig


def fig_bptt(theme):
    """Figure 3.1: backpropagation through time over four steps."""
    fig = Figure("bptt", 760, 420, theme)
    y_loss, y_a, y_x = 56, 196, 310
    xs = [170, 330, 490, 650]
    r, d = 26, 9
    a0 = node(fig, 52, y_a, "a^⟨0⟩", "hidden")
    hidden = []
    for t, cx in enumerate(xs, start=1):
        loss = node(fig, cx, y_loss, f"ℒ^⟨{t}⟩", "loss")
        a = circle(fig, cx, y_a, r, "hidden")
        hidden.append((a, loss))
    chain = [a0] + [a for a, _ in hidden]
    # The forward pass, faint: x<t> -> a<t> -> ℒ<t>, and a<t-1> -> a<t>.
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
    # Red: each ℒ<t> sends a term down to a<t> ...
    for t, (a, loss) in enumerate(hidden, start=1):
        grad_arrow(fig, [loss.at_x(a.cx + d, "bottom"), a.at_x(a.cx + d, "top")])
        text(fig, a.cx + d + 8, (y_loss + y_a) / 2, f"∂ℒ^⟨{t}⟩/∂a^⟨{t}⟩", 15, "start", "grad",
             halo=True)
    # ... and each a<t+1> sends one back along the chain.
    for t, (left, right) in enumerate(zip(chain, chain[1:])):
        grad_arrow(fig, [right.at_y(y_a + d, "left"), left.at_y(y_a + d, "right")])
        text(fig, (left.right[0] + right.left[0]) / 2, y_a + 29, f"W_aa^⊤ ∂ℒ/∂s^⟨{t + 1}⟩", 14,
             colour="grad", halo=True)
    text(fig, 380, 362, "∂ℒ/∂a^⟨t⟩ = ∂ℒ^⟨t⟩/∂a^⟨t⟩ + W_aa^⊤ ∂ℒ/∂s^⟨t+1⟩", 17)
    text(fig, 380, 396, "∂ℒ/∂s^⟨t⟩ = ∂ℒ/∂a^⟨t⟩ ⊙ (1 − (a^⟨t⟩)^2)", 17)
    return fig


# ---------------------------------------------------------------------------
# The experiment whose numbers figure 3.3 plots (section 3.6 runs the same).
# ---------------------------------------------------------------------------

SCALES = (0.5, 1.0, 1.5, 2.0)


@functools.cache
def rnn_gradient_norm_experiment():
    """Figure 3.3: how the norm of ∂ℒ/∂a<k> changes with the scale of W_aa.

    A vanilla RNN with n_x = 4, n_a = 32 reads one random sequence of T_x = 60
    steps from a zero state.  W_aa is c Q for an orthogonal Q (all singular
    values c), the other weights come from init_rnn_parameters(seed=1).  A
    random unit error at a<60> is carried back to every step.

    Returns {c: norms} for c in SCALES; norms[k - 1] is ||∂ℒ/∂a<k>||,
    k = 1 ... 60, and norms[59] = 1.
    """
    rng = np.random.default_rng(0)
    n_x, n_a, m, T_x = 4, 32, 1, 60
    x = rng.standard_normal((n_x, m, T_x))
    a0 = np.zeros((n_a, m))
    Q = np.linalg.qr(np.random.default_rng(2).standard_normal((n_a, n_a)))[0]
    results = {}
    for scale in SCALES:
        parameters = rnnbook.init_rnn_parameters(n_x, n_a, seed=1)
        parameters["Waa"] = scale * Q
        results[scale] = rnnbook.gradient_flow.rnn_gradient_norms(x, a0, parameters, seed=0)
    return results


def fig_gradient_norms(theme):
    """Figure 3.3: ||∂ℒ/∂a<k>|| for W_aa = c Q, c = 0.5, 1, 1.5, 2."""
    results = rnn_gradient_norm_experiment()
    styles = {0.5: ("input", None), 1.0: ("hidden", (8, 4)), 1.5: ("output", (2, 3)),
              2.0: ("loss", (10, 3, 2, 3))}
    series = [(rf"$W_{{aa}} = {c:g}\,Q$", norms, *styles[c]) for c, norms in results.items()]
    with Chart("gradient-norms", theme, 740, 440) as chart:
        log_norm_chart(chart, series, "$k$",
                       r"$\Vert \partial \mathcal{L} / \partial a^{\langle k \rangle} \Vert$",
                       [1, 10, 20, 30, 40, 50, 60], legend="lower right")
    return chart


FIGURES = {
    "bptt": fig_bptt,
    "rnn-cell-backward": fig_rnn_cell_backward,
    "gradient-norms": fig_gradient_norms,
}
