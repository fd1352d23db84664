"""Chapter 11 (docs/seq2seq/attention.md): one decoder step reading every encoder
state, and additive attention as a computation graph with its shapes.

The chapter writes the transpose \\top, so v_a's is the glyph ⊤ (markup
``\\top``), and context upright, as its \\mathrm{context}."""

from .primitives import Figure, arrow, circle, curve_arrow, dot, ellipsis, node, op, text

Y_HAT = "y\u0302"  # an italic y with a hat, as the chapter's \hat{y}


def fig_attention_step(theme):
    """Figure 11.1: one decoder step reads a weighted sum of every encoder state
    (equations (11.1)-(11.4))."""
    fig = Figure("attention-step", 760, 440, theme)
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
        # The weight on the line, nearer the state it weighs.
        f = 0.42
        lx, ly = box.cx + f * (end[0] - box.cx), box.top[1] + f * (end[1] - box.top[1])
        text(fig, lx, ly, f"α^⟨t,{t}⟩", 15, halo=True)
    text(fig, total.cx + 34, total.cy + 2, "(11.3)", 13, anchor="start", colour="muted")

    s_prev = node(fig, 100, y_dec, "s^⟨t−1⟩", "decoder", min_w=76)
    s_next = node(fig, 450, y_dec, "s^⟨t⟩", "decoder", min_w=76)
    arrow(fig, [s_prev.right, s_next.left], "output")
    ellipsis(fig, 24, y_dec)
    arrow(fig, [(40, y_dec), s_prev.left], "output")
    # The context enters the decoder cell beside y<t-1> (equation (11.4)).
    arrow(fig, [total.top, (total.cx, 130), (s_next.cx - 18, 130),
                s_next.at_x(s_next.cx - 18, "bottom")], "line")
    text(fig, total.cx + 8, 112, "context^⟨t⟩", 15, anchor="start", halo=True)
    y_prev = node(fig, 600, 150, "y^⟨t−1⟩", "output", min_w=76)
    arrow(fig, [y_prev.top, (y_prev.cx, 130), (s_next.cx + 18, 130),
                s_next.at_x(s_next.cx + 18, "bottom")], "output")
    y_hat = node(fig, 660, y_dec, f"{Y_HAT}^⟨t⟩", "output", min_w=60)
    arrow(fig, [s_next.right, y_hat.left], "output")
    # s<t-1> and each h<t'> decide the weights (equations (11.1), (11.2); figure 11.2).
    curve_arrow(fig, s_prev.bottom, (s_prev.cx, 190), (150, 250), (178, 282), "muted",
                dashed=True)
    text(fig, 128, 200, "(11.1), (11.2)", 13, anchor="start", colour="muted")
    return fig


def fig_attention_score(theme):
    """Figure 11.2: additive attention (equations (11.1)-(11.3)) as a computation
    graph, with the shapes of a batch."""
    fig = Figure("attention-score", 800, 400, theme)
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
    va = node(fig, 510, y_mid, "v_a^{\\top}", "param")
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
    "attention-step": fig_attention_step,
    "attention-score": fig_attention_score,
}
