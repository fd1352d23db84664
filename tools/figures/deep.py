"""Chapter 6 (docs/gated/deep.md): stacked layers, the gradient in a stack,
and a bidirectional layer."""

from .primitives import Figure, arrow, circle, dot, grad_arrow, line, node, text


def deep_grid(fig, xs, ys, y_x, labels=True):
    """Circles a[layer]<t> at (xs[t], ys[layer]) with inputs x<t> below; returns the circles.

    ys runs from the bottom layer up.  The forward arrows: along each row
    (through time) and up each column (from a layer to the one above).
    """
    grid = []
    for cy in ys:
        grid.append([circle(fig, cx, cy, 27, "hidden") for cx in xs])
    for t, cx in enumerate(xs, start=1):
        x = node(fig, cx, y_x, f"x^⟨{t}⟩", "input")
        arrow(fig, [x.top, grid[0][t - 1].bottom], "input")
        for below, above in zip(grid, grid[1:]):
            arrow(fig, [below[t - 1].top, above[t - 1].bottom], "hidden")
    for row in grid:
        for left, right in zip(row, row[1:]):
            arrow(fig, [left.right, right.left], "hidden")
    if labels:
        for layer, row in enumerate(grid, start=1):
            for t, a in enumerate(row, start=1):
                text(fig, a.cx, a.cy, f"a^{{[{layer}]⟨{t}⟩}}", 15)
    return grid


def fig_deep_grid(theme):
    """Figure 6.1: three layers over four steps; each layer reads the states of the one below."""
    fig = Figure("deep-grid", 760, 470, theme)
    xs, ys, y_x, y_out = [200, 350, 500, 650], [330, 222, 114], 420, 40
    for layer, cy in enumerate(ys, start=1):
        zero = node(fig, 66, cy, f"a^{{[{layer}]⟨0⟩}}", "hidden")
        arrow(fig, [zero.right, (xs[0] - 27, cy)], "hidden")
    grid = deep_grid(fig, xs, ys, y_x)
    for t, a in enumerate(grid[-1], start=1):
        y = node(fig, a.cx, y_out, f"ŷ^⟨{t}⟩", "output")
        arrow(fig, [a.top, y.bottom], "output")
    return fig


def fig_deep_backward(theme):
    """Figure 6.2: the gradient of a[l]<t> comes from above (layer l+1) and from the
    right (t+1), equations (6.4) and (6.5), written with the chapter's upright d."""
    fig = Figure("deep-backward", 760, 430, theme)
    xs, ys, y_x = [170, 350, 530, 710], [300, 170], 390
    fig.open_group(opacity=0.35)
    grid = deep_grid(fig, xs[:3], ys, y_x, labels=False)
    fig.close_group()
    for layer, row in enumerate(grid, start=1):
        for t, a in enumerate(row, start=1):
            text(fig, a.cx, a.cy, f"a^{{[{layer}]⟨{t}⟩}}", 15)
    d = 9
    top = grid[-1]
    # From the loss into the top layer.
    for t, a in enumerate(top, start=1):
        grad_arrow(fig, [(a.cx + d, 52), a.at_x(a.cx + d, "top")])
        text(fig, a.cx + d + 6, 40, f"∂ℒ^⟨{t}⟩/∂a^{{[2]⟨{t}⟩}}", 14, "start", "grad", halo=True)
    # Back through time along each row ...
    for row in grid:
        for left, right in zip(row, row[1:]):
            grad_arrow(fig, [right.at_y(right.cy + d, "left"), left.at_y(left.cy + d, "right")])
    # ... and down each column, through the layer above's input weights.
    for t, (below, above) in enumerate(zip(grid[0], grid[1]), start=1):
        grad_arrow(fig, [above.at_x(above.cx + d, "bottom"), below.at_x(below.cx + d, "top")])
        text(fig, below.cx + d + 6, (below.cy + above.cy) / 2, f"\\dx^{{[2]⟨{t}⟩}}", 14,
             "start", "grad", halo=True)
    # ... and on into x: the gradient with respect to the input.
    for a in grid[0]:
        grad_arrow(fig, [a.at_x(a.cx + d, "bottom"), (a.cx + d, y_x - 16)])
    text(fig, 620, 170, "∂ℒ/∂a^{[2]}", 15, "start", "grad")
    text(fig, 620, 300, "\\da_out^{[1]} = \\dx^{[2]}", 15, "start", "grad")
    return fig


def fig_bidirectional(theme):
    """Figure 6.3: a forward and a backward direction over the same inputs, stacked
    (equations (6.7)-(6.9))."""
    fig = Figure("bidirectional", 760, 450, theme)
    xs = [190, 340, 490, 640]
    y_out, y_cat, y_back, y_fwd, y_x = 40, 118, 218, 318, 410
    forward, backward = [], []
    for t, cx in enumerate(xs, start=1):
        f = circle(fig, cx, y_fwd, 26, "hidden")
        b = circle(fig, cx, y_back, 26, "hidden")
        forward.append(f)
        backward.append(b)
        x = node(fig, cx, y_x, f"x^⟨{t}⟩", "input")
        arrow(fig, [x.top, f.bottom], "input")
        # x<t> also reaches the backward direction, passing beside the forward circle.
        branch = y_x - 34
        dot(fig, cx, branch, "input")
        arrow(fig, [(cx, branch), (cx - 40, branch), (cx - 40, y_back + 32),
                    b.toward((cx - 40, y_back + 32))], "input", hop=True)
        cat = node(fig, cx, y_cat, f"[a⃗^⟨{t}⟩; a⃖^⟨{t}⟩]", "hidden", size=15)
        arrow(fig, [(cx + 40, f.cy), (cx + 40, cat.bottom[1])], "hidden", hop=True)
        line(fig, [f.right, (cx + 40, f.cy)], "hidden")
        arrow(fig, [b.top, cat.bottom], "hidden")
        y = node(fig, cx, y_out, f"ŷ^⟨{t}⟩", "output")
        arrow(fig, [cat.top, y.bottom], "output")
    for left, right in zip(forward, forward[1:]):
        arrow(fig, [(left.right[0] + 14, left.cy), right.left], "hidden")
    for left, right in zip(backward, backward[1:]):
        arrow(fig, [right.left, left.right], "hidden")
    for t, (f, b) in enumerate(zip(forward, backward), start=1):
        text(fig, f.cx, f.cy, f"a⃗^⟨{t}⟩", 16)
        text(fig, b.cx, b.cy, f"a⃖^⟨{t}⟩", 16)
    zero_f = node(fig, 64, y_fwd, "a⃗^⟨0⟩", "hidden")
    arrow(fig, [zero_f.right, forward[0].left], "hidden")
    zero_b = node(fig, 716, y_back, "a⃖^⟨5⟩", "hidden")
    arrow(fig, [zero_b.left, backward[-1].right], "hidden")
    return fig


FIGURES = {
    "deep-grid": fig_deep_grid,
    "deep-backward": fig_deep_backward,
    "bidirectional": fig_bidirectional,
}
