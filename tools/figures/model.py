"""Chapter 1 (docs/rnn/model.md): the RNN unrolled, the MLP, the RNN built
from MLPs, and the cell's computation graph (whose layout chapter 3 reuses)."""

from .primitives import (
    Box,
    Circle,
    Figure,
    arrow,
    cell_frame,
    circle,
    dot,
    ellipsis,
    line,
    node,
    op,
    rect,
    text,
)


def fig_rnn_unrolled(theme):
    """Figure 1.1: the RNN unrolled over time, a<0> -> cell -> ... -> cell."""
    fig = Figure("rnn-unrolled", 760, 300, theme)
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


def fig_mlp(theme):
    """Figure 1.2: a fully connected network, x_1 ... x_{n_x}, a_1 ... a_{n_a},
    ŷ_1 ... ŷ_{n_y}, as section 1.1.1 names them."""
    fig = Figure("mlp", 700, 380, theme)
    columns = [
        (120, ["x_1", "x_2", "x_3", None, "x_{n_x}"], "input"),
        (350, ["a_1", "a_2", None, "a_{n_a}"], "hidden"),
        (580, ["ŷ_1", None, "ŷ_{n_y}"], "output"),
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


def fig_rnn_from_mlp(theme):
    """Figure 1.3: the MLP turned upright (x below, a, ŷ above), repeated over t."""
    fig = Figure("rnn-from-mlp", 780, 380, theme)
    y_out, y_hid, y_in = 72, 190, 308
    offsets, r, frame_w, frame_h = (-34, 0, 34), 10, 120, 34
    steps = [(160, "t−1", "t−2"), (390, "t", "t−1"), (620, "t+1", "t")]
    rows = ((y_in, "input"), (y_hid, "hidden"), (y_out, "output"))
    frames = []
    for cx, t, _ in steps:
        boxes = {kind: rect(fig, cx, y, frame_w, frame_h, kind, rx=17) for y, kind in rows}
        for y0, y1 in ((y_in, y_hid), (y_hid, y_out)):
            for d0 in offsets:
                for d1 in offsets:
                    a, b = Circle(cx + d0, y0, r), Circle(cx + d1, y1, r)
                    line(fig, [a.toward((b.cx, b.cy)), b.toward((a.cx, a.cy))], "edge", width=1.1)
        for y, kind in rows:
            for d in offsets:
                circle(fig, cx + d, y, r, kind, stroke_width=1.4, fill="background")
        text(fig, cx, y_in + 36, f"x^⟨{t}⟩", 17)
        text(fig, cx, y_out - 36, f"ŷ^⟨{t}⟩", 17)
        text(fig, cx + 48, (y_in + y_hid) / 2, "W_ax", 15, anchor="start")
        text(fig, cx + 48, (y_hid + y_out) / 2, "W_ya", 15, anchor="start")
        frames.append(boxes["hidden"])
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
    """Positions shared by the forward cell (figure 1.4) and its backward pass (figure 3.2)."""
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
        text(fig, n["softmax"].left[0] - 10, p["softmax"][1], "(1.2)", 14, anchor="end",
             colour="muted")
    return n


def fig_rnn_cell(theme):
    """Figure 1.4: one cell, a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a), ŷ = softmax(...)."""
    fig = Figure("rnn-cell", 740, 470, theme)
    draw_rnn_cell(fig, rnn_cell_layout())
    return fig


FIGURES = {
    "rnn-unrolled": fig_rnn_unrolled,
    "mlp": fig_mlp,
    "rnn-from-mlp": fig_rnn_from_mlp,
    "rnn-cell": fig_rnn_cell,
}
