"""Stacks against PyTorch: nn.RNN/LSTM/GRU with num_layers 1 to 3, one or two
directions, batch_first either way, give rnnbook.stacked_forward's states and
every gradient of stacked_backward, to 1e-10 in float64.

Gradients are read from PyTorch's own parameter names (``weight_ih_l1_reverse``
...) and rows, independently of rnnbook.interop's conversion, which these tests
check too (from_torch, to_torch and the stack states' layout).
"""

import numpy as np
import pytest

import rnnbook
from rnnbook import interop

torch = pytest.importorskip(
    "torch",
    reason="PyTorch not installed; nox installs torch==2.13.0 from a local CPU wheel "
    "when one exists",
)

pytestmark = pytest.mark.torch

TOL = {"rtol": 0, "atol": 1e-10}
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
TORCH_GATES = {"lstm": ["i", "f", "c", "o"], "gru": ["r", "z", "c"]}
DIFFERENCES = {}


def make_module(kind, n_x, n_a, L, bidirectional, batch_first, seed):
    generator = torch.Generator().manual_seed(seed)
    module = MODULES[kind](
        n_x,
        n_a,
        num_layers=L,
        bidirectional=bidirectional,
        batch_first=batch_first,
        dtype=torch.float64,
    )
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.rand(p.shape, generator=generator, dtype=torch.float64) * 1.2 - 0.6)
    return module


def directions(entry):
    return list(entry) if isinstance(entry, tuple) else [entry]


def torch_gradient(module, kind, grads, suffix):
    """(rnnbook name, rnnbook gradient, torch gradient) for one layer and direction."""
    n_a = module.hidden_size
    W_ih = getattr(module, "weight_ih" + suffix).grad.numpy()
    W_hh = getattr(module, "weight_hh" + suffix).grad.numpy()
    b_ih = getattr(module, "bias_ih" + suffix).grad.numpy()
    b_hh = getattr(module, "bias_hh" + suffix).grad.numpy()
    if kind == "rnn":
        # ba stands for b_ih + b_hh: its gradient is each of theirs.
        return [
            ("dWax", grads["dWax"], W_ih),
            ("dWaa", grads["dWaa"], W_hh),
            ("dba", grads["dba"][:, 0], b_ih),
            ("dba", grads["dba"][:, 0], b_hh),
        ]
    pairs = []
    for k, gate in enumerate(TORCH_GATES[kind]):
        rows = slice(k * n_a, (k + 1) * n_a)
        dW = grads["dW" + gate]
        pairs += [("dW" + gate, dW[:, :n_a], W_hh[rows]), ("dW" + gate, dW[:, n_a:], W_ih[rows])]
        pairs.append(("db" + gate, grads["db" + gate][:, 0], b_ih[rows]))
        if kind == "gru" and gate == "c":
            pairs.append(("dbca", grads["dbca"][:, 0], b_hh[rows]))  # b_hn apart
        else:
            pairs.append(("db" + gate, grads["db" + gate][:, 0], b_hh[rows]))
    return pairs


CASES = [
    pytest.param(kind, L, bi, bf, id=f"{kind}-L{L}-{'bi' if bi else 'uni'}-{'bf' if bf else 'sf'}")
    for kind in ("rnn", "lstm", "gru")
    for L in (1, 2, 3)
    for bi in (False, True)
    for bf in (False, True)
]


@pytest.mark.parametrize("kind, L, bidirectional, batch_first", CASES)
def test_stack_equals_torch(kind, L, bidirectional, batch_first):
    n_x, n_a, m, T_x = 3, 4, 2, 5
    module = make_module(kind, n_x, n_a, L, bidirectional, batch_first, seed=L)
    layers = interop.from_torch(module)
    if L == 1 and not bidirectional:
        assert isinstance(layers, dict)  # one layer: the chapters' parameter dict
        layers = [layers]
    assert len(layers) == L
    rng = np.random.default_rng(L)
    D = 2 if bidirectional else 1
    x = rng.standard_normal((n_x, m, T_x))
    h0 = torch.from_numpy(rng.standard_normal((L * D, m, n_a))).requires_grad_()
    c0 = torch.from_numpy(rng.standard_normal((L * D, m, n_a))).requires_grad_()
    a0_list = interop.stack_state_from_torch(h0.detach(), L, bidirectional)
    c0_list = interop.stack_state_from_torch(c0.detach(), L, bidirectional)

    a, caches = rnnbook.stacked_forward(
        x,
        layers,
        kind,
        bidirectional=bidirectional,
        a0=a0_list,
        c0=c0_list if kind == "lstm" else None,
    )
    xt = interop.x_to_torch(x, batch_first).requires_grad_()
    output, final = module(xt, (h0, c0) if kind == "lstm" else h0)
    h_n = final[0] if kind == "lstm" else final
    differences = {"a": np.abs(a - interop.a_from_torch(output, batch_first)).max()}
    np.testing.assert_allclose(a, interop.a_from_torch(output, batch_first), **TOL)
    # h_n holds each layer's and direction's last state: the forward direction's
    # at step T_x, the backward one's at step 1 (its last, in its own order).
    last = interop.stack_state_from_torch(h_n.detach(), L, bidirectional)
    top = directions(last[-1])
    np.testing.assert_allclose(top[0], a[:n_a, :, -1], **TOL)
    if bidirectional:
        np.testing.assert_allclose(top[1], a[n_a:, :, 0], **TOL)

    G = rng.standard_normal(a.shape)
    dx, grads = rnnbook.stacked_backward(G, caches)
    (output * interop.a_to_torch(G, batch_first)).sum().backward()
    worst = np.abs(dx - interop.x_from_torch(xt.grad, batch_first)).max()
    np.testing.assert_allclose(dx, interop.x_from_torch(xt.grad, batch_first), **TOL)
    dh0 = interop.stack_state_from_torch(h0.grad, L, bidirectional)
    if kind == "lstm":
        dc0 = interop.stack_state_from_torch(c0.grad, L, bidirectional)
    for i in range(L):
        for d, g in enumerate(directions(grads[i])):
            suffix = f"_l{i}" + ("_reverse" if d else "")
            checked = {"da0"}
            pairs = torch_gradient(module, kind, g, suffix)
            pairs.append(("da0", g["da0"], directions(dh0[i])[d]))
            if kind == "lstm":
                pairs.append(("dc0", g["dc0"], directions(dc0[i])[d]))
            for name, ours, theirs in pairs:
                np.testing.assert_allclose(ours, theirs, **TOL, err_msg=f"{suffix} {name}")
                worst = max(worst, np.abs(ours - theirs).max())
                checked.add(name)
            assert checked == set(g), set(g) - checked  # every gradient compared
    differences["grads"] = worst
    DIFFERENCES[(kind, L, bidirectional, batch_first)] = differences


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_to_torch_gives_the_stack_back(kind, bidirectional):
    module = make_module(kind, 3, 4, 2, bidirectional, False, seed=9)
    layers = interop.from_torch(module)
    rebuilt = interop.to_torch(layers, kind, batch_first=True)
    assert (rebuilt.num_layers, rebuilt.bidirectional, rebuilt.batch_first) == (
        2,
        bidirectional,
        True,
    )
    assert "weight_ih_l1_reverse" in dict(rebuilt.named_parameters()) or not bidirectional
    again = interop.from_torch(rebuilt)
    for entry, entry_again in zip(layers, again):
        for p, q in zip(directions(entry), directions(entry_again)):
            assert set(p) == set(q)
            for name in p:
                np.testing.assert_array_equal(p[name], q[name])
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((2, 5, 3)))
    np.testing.assert_allclose(
        rebuilt(x)[0].detach().numpy(),
        module(x.transpose(0, 1))[0].detach().numpy().transpose(1, 0, 2),
        rtol=0,
        atol=1e-12,
    )


def test_stack_conversion_errors():
    module = make_module("lstm", 3, 4, 2, True, False, seed=1)
    with pytest.raises(ValueError, match="linear goes with a one-layer unidirectional module"):
        interop.from_torch(module, torch.nn.Linear(8, 2, dtype=torch.float64))
    layers = interop.from_torch(module)
    with pytest.raises(ValueError, match=r"layer 1 \(layers\[1\]\).*backward direction is missing"):
        interop.to_torch([layers[0], layers[1][0]], "lstm")
    with pytest.raises(ValueError, match=r"h has shape \(3, 2, 4\).*num_layers = 2, D = 2"):
        interop.stack_state_from_torch(torch.zeros(3, 2, 4, dtype=torch.float64), 2, True)


def test_largest_differences_are_reported():
    """Prints the largest difference from torch per case (run with -s)."""
    if not DIFFERENCES:
        pytest.skip("the torch comparisons did not run in this session")
    for case, diff in sorted(DIFFERENCES.items()):
        print(case, f"states {diff['a']:.1e}  gradients {diff['grads']:.1e}")
    assert max(max(d.values()) for d in DIFFERENCES.values()) < 1e-10
