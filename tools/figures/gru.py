"""Chapter 5 (docs/gated/gru.md): the GRU cell."""

from .primitives import Figure, arrow, cell_frame, dot, line, node, op, text


def fig_gru_cell(theme):
    """Figure 5.1: the GRU, a<t> = z ⊙ a<t-1> + (1 - z) ⊙ c~, reset before W_c
    (equations (5.1)-(5.4))."""
    fig = Figure("gru-cell", 780, 550, theme)
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


FIGURES = {
    "gru-cell": fig_gru_cell,
}
