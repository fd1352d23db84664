"""Chapter 2 (docs/rnn/forward.md): the four arrangements of input and output,
and the loss of a sequence as the sum of its steps' losses."""

from .primitives import Box, Figure, arrow, curve_arrow, ellipsis, node, panel, rect, text


def mini_chain(fig, x0, y_cell, spacing, slots, size=16, a0=True):
    """A small unrolled RNN for figure 2.1.

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
            curve_arrow(fig, start, (mid_x, start[1] + 2), (cx, y_in + 18), end, "output",
                        width=1.2, dashed=True)
        if slot.get("y"):
            text(fig, cx, y_out, slot["y"], size)
            arrow(fig, [cell.top, (cx, y_out + 12)], "output", width=1.4)
            out_points.append((cx + 14, y_out + 6))
        else:
            out_points.append(None)
        previous = cell


def fig_rnn_io_kinds(theme):
    """Figure 2.1: the four input/output shapes, each labelled by its condition."""
    fig = Figure("rnn-io-kinds", 800, 440, theme)
    panels = [  # (left, top, right, bottom, letter, condition)
        (10, 10, 395, 215, "(a)", "T_x = T_y"),
        (405, 10, 790, 215, "(b)", "T_y = 1"),
        (10, 225, 370, 430, "(c)", "T_x = 1"),
        (380, 225, 790, 430, "(d)", "T_x ≠ T_y"),
    ]
    for left, top, right, bottom, letter, condition in panels:
        panel(fig, left, top, right, bottom)
        text(fig, left + 14, top + 22, letter, 16, anchor="start", italic=False)
        text(fig, left + 44, top + 22, condition, 16, anchor="start")
    y1, y2 = 122, 337

    def slot(**kw):
        return kw

    # (a) one output per input.
    mini_chain(fig, 105, y1, 84, [
        slot(x="x^⟨1⟩", y="ŷ^⟨1⟩"),
        slot(x="x^⟨2⟩", y="ŷ^⟨2⟩"),
        slot(dots=True, x=True, y=True),
        slot(x="x^⟨T_x⟩", y="ŷ^⟨T_y⟩"),
    ])
    # (b) only the last cell emits.
    mini_chain(fig, 500, y1, 84, [
        slot(x="x^⟨1⟩"),
        slot(x="x^⟨2⟩"),
        slot(dots=True, x=True),
        slot(x="x^⟨T_x⟩", y="ŷ"),
    ])
    # (c) one input; each output is fed to the next cell.
    mini_chain(fig, 100, y2, 82, [
        slot(x="x", y="ŷ^⟨1⟩"),
        slot(feed=True, y="ŷ^⟨2⟩"),
        slot(dots=True, y=True),
        slot(feed=True, y="ŷ^⟨T_y⟩"),
    ])
    # (d) an encoder reads the whole input, then a decoder writes the output.
    mini_chain(fig, 460, y2, 61, [
        slot(x="x^⟨1⟩", kind="encoder"),
        slot(dots=True, x=True),
        slot(x="x^⟨T_x⟩", kind="encoder"),
        slot(y="ŷ^⟨1⟩", kind="decoder"),
        slot(dots=True, y=True),
        slot(y="ŷ^⟨T_y⟩", kind="decoder"),
    ])
    return fig


def fig_rnn_loss(theme):
    """Figure 2.2: each ŷ<t> and y<t> give ℒ<t>; ℒ is their sum, equation (2.7)."""
    fig = Figure("rnn-loss", 760, 450, theme)
    y_sum, y_loss, y_out, y_cell, y_in = 42, 136, 222, 314, 408
    slots = [(150, "1", "1"), (320, "2", "2"), None, (580, "T_x", "T_y")]
    total = node(fig, 380, y_sum, "ℒ = Σ_{t=1}^{T_y} ℒ^⟨t⟩", "loss", size=17, h=40)
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
        loss = node(fig, cx, y_loss, f"ℒ^⟨{t_out}⟩", "loss")
        arrow(fig, [y_hat.top, loss.bottom], "output")
        target = node(fig, cx + 82, y_loss, f"y^⟨{t_out}⟩", "output", dashed=True)
        arrow(fig, [target.left, loss.right], "output")
        arrow(fig, [loss.toward((total.cx, total.cy)), total.toward((cx, y_loss))], "loss")
        previous, prev_label, last = cell, "a^⟨1⟩", cell
    arrow(fig, [last.right, (736, y_cell)], "hidden")
    text(fig, (last.right[0] + 736) / 2, y_cell - 16, "a^⟨T_x⟩", 16)
    return fig


FIGURES = {
    "rnn-io-kinds": fig_rnn_io_kinds,
    "rnn-loss": fig_rnn_loss,
}
