"""rnnbook against PyTorch: the same weights and inputs give the same states
and the same gradients, to 1e-10 in float64.

The parameter gradients are read from PyTorch's layout directly (rows of the
stacked gate weights), independently of rnnbook.interop's conversion, which
these tests check.
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
KINDS = ["rnn", "lstm", "gru"]
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
# Gate order in torch's stacked weights, named as rnnbook names the gates.
TORCH_GATES = {"lstm": ["i", "f", "c", "o"], "gru": ["r", "z", "c"]}
SHAPES = [
    pytest.param((3, 4, 5, 6), id="nx3-na4-m5-T6"),
    pytest.param((1, 2, 1, 1), id="nx1-na2-m1-T1"),
]


def make_module(kind, n_x, n_a, batch_first, seed, n_y=None, dtype=torch.float64):
    """A torch layer (and Linear) with every weight and bias drawn from U(-0.6, 0.6)."""
    generator = torch.Generator().manual_seed(seed)
    module = MODULES[kind](n_x, n_a, batch_first=batch_first, dtype=dtype)
    linear = torch.nn.Linear(n_a, n_y, dtype=dtype) if n_y else None
    with torch.no_grad():
        for layer in (module, linear):
            for p in layer.parameters() if layer is not None else ():
                p.copy_(torch.rand(p.shape, generator=generator, dtype=dtype) * 1.2 - 0.6)
    assert all(p.abs().min() > 0 for p in module.parameters())
    return module, linear


def rnnbook_forward(kind, x, a0, parameters, c0):
    """-> (a, c or None, caches)"""
    if kind == "rnn":
        a, _, caches = rnnbook.rnn_forward(x, a0, parameters)
        return a, None, caches
    if kind == "lstm":
        a, _, c, caches = rnnbook.lstm_forward(x, a0, parameters, c0=c0)
        return a, c, caches
    a, _, caches = rnnbook.gru_forward(x, a0, parameters, reset_after=True)
    return a, None, caches


def rnnbook_backward(kind, da, caches):
    if kind == "rnn":
        return rnnbook.rnn_backward(da, caches)
    if kind == "lstm":
        return rnnbook.lstm_backward(da, caches)
    return rnnbook.gru_backward(da, caches)


def rnnbook_loss(kind, x, y, a0, parameters, c0):
    if kind == "rnn":
        return rnnbook.rnn_loss_and_grads(x, y, a0, parameters)
    if kind == "lstm":
        return rnnbook.lstm_loss_and_grads(x, y, a0, parameters, c0=c0)
    return rnnbook.gru_loss_and_grads(x, y, a0, parameters, reset_after=True)


def torch_run(module, x, a0, c0, batch_first):
    """Torch forward from numpy inputs, with leaf tensors to collect input gradients."""
    xt = interop.x_to_torch(x, batch_first).requires_grad_()
    h0 = interop.state_to_torch(a0).requires_grad_()
    state = h0
    c0t = None
    if c0 is not None:
        c0t = interop.state_to_torch(c0).requires_grad_()
        state = (h0, c0t)
    output, final = module(xt, state)
    return output, final, {"x": xt, "a0": h0, "c0": c0t}


def check_against_torch(kind, grads, module, leaves, batch_first):
    """Every rnnbook gradient equals torch's, read from torch's own layout."""
    n_a = module.hidden_size
    W_ih, W_hh = module.weight_ih_l0.grad.numpy(), module.weight_hh_l0.grad.numpy()
    b_ih, b_hh = module.bias_ih_l0.grad.numpy(), module.bias_hh_l0.grad.numpy()
    checked = {"dx", "da0"}
    np.testing.assert_allclose(
        grads["dx"], interop.x_from_torch(leaves["x"].grad, batch_first), **TOL
    )
    np.testing.assert_allclose(grads["da0"], interop.state_from_torch(leaves["a0"].grad), **TOL)
    if kind == "lstm":
        np.testing.assert_allclose(grads["dc0"], interop.state_from_torch(leaves["c0"].grad), **TOL)
        checked.add("dc0")
    if kind == "rnn":
        np.testing.assert_allclose(grads["dWax"], W_ih, **TOL)
        np.testing.assert_allclose(grads["dWaa"], W_hh, **TOL)
        # ba stands for b_ih + b_hh: its gradient is each of theirs.
        np.testing.assert_allclose(grads["dba"][:, 0], b_ih, **TOL)
        np.testing.assert_allclose(grads["dba"][:, 0], b_hh, **TOL)
        checked |= {"dWax", "dWaa", "dba"}
    else:
        for k, gate in enumerate(TORCH_GATES[kind]):
            rows = slice(k * n_a, (k + 1) * n_a)
            dW = grads["dW" + gate]
            np.testing.assert_allclose(dW[:, :n_a], W_hh[rows], **TOL, err_msg=gate)
            np.testing.assert_allclose(dW[:, n_a:], W_ih[rows], **TOL, err_msg=gate)
            db = grads["db" + gate][:, 0]
            np.testing.assert_allclose(db, b_ih[rows], **TOL, err_msg=gate)
            if kind == "gru" and gate == "c":
                # The candidate's two biases stay apart: bc is b_in, bca is b_hn.
                np.testing.assert_allclose(grads["dbca"][:, 0], b_hh[rows], **TOL)
                checked.add("dbca")
            else:
                np.testing.assert_allclose(db, b_hh[rows], **TOL, err_msg=gate)
            checked |= {"dW" + gate, "db" + gate}
    return checked


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch_first", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("kind", KINDS)
def test_states_and_gradients_equal_torch(kind, batch_first, shape):
    n_x, n_a, m, T_x = shape
    module, _ = make_module(kind, n_x, n_a, batch_first, seed=40)
    parameters = interop.from_torch(module)
    rng = np.random.default_rng(41)
    x = rng.standard_normal((n_x, m, T_x))
    a0 = rng.standard_normal((n_a, m))
    c0 = rng.standard_normal((n_a, m)) if kind == "lstm" else None
    G = rng.standard_normal((n_a, m, T_x))

    a, c, caches = rnnbook_forward(kind, x, a0, parameters, c0)
    output, final, leaves = torch_run(module, x, a0, c0, batch_first)
    np.testing.assert_allclose(a, interop.a_from_torch(output, batch_first), **TOL)
    if kind == "lstm":
        h_n, c_n = final
        np.testing.assert_allclose(c[:, :, -1], interop.state_from_torch(c_n), **TOL)
    else:
        h_n = final
    np.testing.assert_allclose(a[:, :, -1], interop.state_from_torch(h_n), **TOL)
    assert np.abs(a).max() > 0.1, "the states are not all near zero"

    # L = sum(a * G): the upstream gradient is G in both.
    (output * interop.a_to_torch(G, batch_first)).sum().backward()
    grads = rnnbook_backward(kind, G, caches)
    checked = check_against_torch(kind, grads, module, leaves, batch_first)
    assert checked == set(grads)


@pytest.mark.parametrize("batch_first", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("kind", KINDS)
def test_loss_and_grads_equal_torch_cross_entropy(kind, batch_first):
    n_x, n_a, n_y, m, T_x = 3, 4, 5, 3, 4
    module, linear = make_module(kind, n_x, n_a, batch_first, seed=42, n_y=n_y)
    parameters = interop.from_torch(module, linear)
    rng = np.random.default_rng(43)
    x = rng.standard_normal((n_x, m, T_x))
    y = rng.integers(0, n_y, size=(m, T_x))
    a0 = rng.standard_normal((n_a, m))
    c0 = rng.standard_normal((n_a, m)) if kind == "lstm" else None

    loss, grads = rnnbook_loss(kind, x, y, a0, parameters, c0)

    output, _, leaves = torch_run(module, x, a0, c0, batch_first)
    logits = linear(output)  # (T_x, m, n_y), or (m, T_x, n_y) batch first
    labels = torch.from_numpy(y if batch_first else y.T.copy())
    # rnnbook's loss: summed over time, averaged over the batch.
    torch_loss = (
        torch.nn.functional.cross_entropy(
            logits.reshape(-1, n_y), labels.reshape(-1), reduction="sum"
        )
        / m
    )
    torch_loss.backward()

    np.testing.assert_allclose(loss, torch_loss.item(), rtol=1e-12)
    checked = check_against_torch(kind, grads, module, leaves, batch_first)
    output_weight = "dWya" if kind == "rnn" else "dWy"
    np.testing.assert_allclose(grads[output_weight], linear.weight.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["dby"][:, 0], linear.bias.grad.numpy(), **TOL)
    assert checked | {output_weight, "dby"} == set(grads)


# --- conversions -------------------------------------------------------------------


def rnnbook_parameters(kind, n_y, dtype, seed):
    rng = np.random.default_rng(seed)
    if kind == "rnn":
        parameters = rnnbook.init_rnn_parameters(3, 4, n_y, seed=seed)
    elif kind == "lstm":
        parameters = rnnbook.init_lstm_parameters(3, 4, n_y, seed=seed)
    else:
        parameters = rnnbook.init_gru_parameters(3, 4, n_y, reset_after=True, seed=seed)
    return {
        name: (value + 0.1 * rng.standard_normal(value.shape)).astype(dtype)
        for name, value in parameters.items()
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_y", [None, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_is_exact(kind, n_y, dtype):
    parameters = rnnbook_parameters(kind, n_y, dtype, seed=44)
    state = torch.get_rng_state()
    for batch_first in (False, True):
        converted = interop.to_torch(parameters, kind, batch_first=batch_first)
        if n_y is None:
            module, linear = converted, None
        else:
            module, linear = converted
            assert isinstance(linear, torch.nn.Linear)
            assert (linear.in_features, linear.out_features) == (4, n_y)
        assert isinstance(module, MODULES[kind]) and module.batch_first is batch_first
        assert module.weight_ih_l0.dtype == {np.float32: torch.float32}.get(dtype, torch.float64)
        back = interop.from_torch(module, linear)
        assert list(back) == list(parameters)
        for name, value in parameters.items():
            assert back[name].dtype == dtype, name
            np.testing.assert_array_equal(back[name], value, err_msg=name)
    assert torch.equal(torch.get_rng_state(), state), "to_torch drew random numbers"


@pytest.mark.parametrize("kind", KINDS)
def test_to_torch_of_from_torch_computes_the_same(kind):
    """Biases move between b_ih and b_hh, but the layer computes the same function."""
    module, linear = make_module(kind, 3, 4, False, seed=45, n_y=2)
    again, again_linear = interop.to_torch(interop.from_torch(module, linear), kind)
    x = torch.randn(5, 2, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(46))
    with torch.no_grad():
        expected, actual = linear(module(x)[0]), again_linear(again(x)[0])
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=0, atol=1e-14)
    b_hh = again.bias_hh_l0.detach().numpy()
    zero_rows = 2 * 4 if kind == "gru" else b_hh.size  # the GRU keeps b_hn apart
    assert not b_hh[:zero_rows].any() and b_hh[zero_rows:].all()


def test_to_torch_dtype_option():
    parameters = rnnbook_parameters("lstm", 2, np.float64, seed=47)
    module, linear = interop.to_torch(parameters, "lstm", dtype=torch.float32)
    assert module.weight_ih_l0.dtype == torch.float32 and linear.weight.dtype == torch.float32
    back = interop.from_torch(module, linear)
    for name, value in parameters.items():
        np.testing.assert_array_equal(back[name], value.astype(np.float32), err_msg=name)
    module = interop.to_torch(
        rnnbook_parameters("rnn", None, np.float32, 48), "rnn", dtype=np.float64
    )
    assert module.weight_hh_l0.dtype == torch.float64
    with pytest.raises(TypeError, match="dtype must be torch.float32 or torch.float64"):
        interop.to_torch(parameters, "lstm", dtype=torch.float16)


def test_a_linear_without_bias_gives_a_zero_output_bias():
    module, _ = make_module("rnn", 3, 4, False, seed=49)
    linear = torch.nn.Linear(4, 2, bias=False, dtype=torch.float64)
    parameters = interop.from_torch(module, linear)
    np.testing.assert_array_equal(parameters["Wya"], linear.weight.detach().numpy())
    assert parameters["by"].shape == (2, 1) and not parameters["by"].any()


def test_from_torch_returns_copies():
    module, _ = make_module("rnn", 3, 4, False, seed=50)
    parameters = interop.from_torch(module)
    parameters["Wax"][0, 0] += 1.0
    assert module.weight_ih_l0[0, 0].item() != parameters["Wax"][0, 0]


# --- batches -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_layout_helpers(dtype):
    n, m, T_x = 3, 2, 4
    x = np.arange(n * m * T_x, dtype=dtype).reshape(n, m, T_x)
    seq, batch = interop.x_to_torch(x), interop.x_to_torch(x, batch_first=True)
    assert tuple(seq.shape) == (T_x, m, n) and tuple(batch.shape) == (m, T_x, n)
    assert seq.dtype == {np.float32: torch.float32}.get(dtype, torch.float64)
    for k, i, t in np.ndindex(x.shape):
        assert seq[t, i, k].item() == x[k, i, t] == batch[i, t, k].item()
    np.testing.assert_array_equal(interop.x_from_torch(seq), x)
    np.testing.assert_array_equal(interop.x_from_torch(batch, batch_first=True), x)
    np.testing.assert_array_equal(interop.a_from_torch(interop.a_to_torch(x, True), True), x)
    assert interop.x_from_torch(seq).dtype == dtype
    seq[0, 0, 0] = -1.0
    assert x[0, 0, 0] == 0, "the tensor is a copy"

    a0 = x[:, :, 0]
    h0 = interop.state_to_torch(a0)
    assert tuple(h0.shape) == (1, m, n)
    np.testing.assert_array_equal(h0[0].numpy(), a0.T)
    np.testing.assert_array_equal(interop.state_from_torch(h0), a0)


def test_batch_layout_helper_errors():
    x = np.zeros((3, 2, 4))
    with pytest.raises(ValueError, match=r"x has shape \(3, 2\), but it needs 3 axes"):
        interop.x_to_torch(x[:, :, 0])
    with pytest.raises(TypeError, match="x must have dtype float32 or float64"):
        interop.x_to_torch(x.astype(int))
    with pytest.raises(TypeError, match="batch_first must be True or False"):
        interop.x_to_torch(x, batch_first="yes")
    with pytest.raises(ValueError, match=r"tensor has shape \(4, 3\), but it needs 3 axes"):
        interop.x_from_torch(torch.zeros(4, 3))
    with pytest.raises(TypeError, match="output must be a torch.Tensor, got ndarray"):
        interop.a_from_torch(x)
    with pytest.raises(TypeError, match="has dtype torch.int64"):
        interop.a_from_torch(torch.zeros(4, 2, 3, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"a0 has shape \(3,\), but it needs 2 axes"):
        interop.state_to_torch(x[:, 0, 0])
    with pytest.raises(ValueError, match=r"h has shape \(2, 2, 3\), but it needs \(1, m, n_a\)"):
        interop.state_from_torch(torch.zeros(2, 2, 3))


# --- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, attribute, got",
    [
        (lambda: torch.nn.RNN(3, 4, nonlinearity="relu"), "nonlinearity", "'relu'"),
        (lambda: torch.nn.GRU(3, 4, bias=False), "bias", "False"),
        (lambda: torch.nn.LSTM(3, 4, proj_size=2), "proj_size", "2"),
    ],
    ids=["relu", "no-bias", "projection"],
)
def test_from_torch_refuses_what_rnnbook_cannot_represent(build, attribute, got):
    module = build()
    with pytest.raises(ValueError) as info:
        interop.from_torch(module)
    message = str(info.value)
    assert f"{type(module).__name__}.{attribute} is {got}" in message, message
    assert "needs" in message


def test_from_torch_type_errors():
    with pytest.raises(
        TypeError, match="module must be a torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU, got Linear"
    ):
        interop.from_torch(torch.nn.Linear(3, 4))
    with pytest.raises(TypeError, match="rnnbook needs float32 or float64"):
        interop.from_torch(torch.nn.GRU(3, 4, dtype=torch.float16))
    module, _ = make_module("lstm", 3, 4, False, seed=51)
    with pytest.raises(TypeError, match="linear must be a torch.nn.Linear, got LSTM"):
        interop.from_torch(module, module)
    with pytest.raises(TypeError, match="linear has dtype float32 but the LSTM has float64"):
        interop.from_torch(module, torch.nn.Linear(4, 2))


def test_from_torch_checks_the_linear_size():
    module, _ = make_module("gru", 3, 4, True, seed=52)
    with pytest.raises(ValueError) as info:
        interop.from_torch(module, torch.nn.Linear(5, 2, dtype=torch.float64))
    assert "linear.in_features is 5, but it must equal the GRU's hidden_size, 4" in str(info.value)


def test_to_torch_errors():
    before = rnnbook.init_gru_parameters(3, 4, 2)
    with pytest.raises(ValueError) as info:
        interop.to_torch(before, "gru")
    for fragment in ("no 'bca'", "reset_after=True", "b_hn"):
        assert fragment in str(info.value)
    lstm = rnnbook.init_lstm_parameters(3, 4)
    with pytest.raises(ValueError, match="kind must be one of 'rnn', 'lstm', 'gru', got 'LSTM'"):
        interop.to_torch(lstm, "LSTM")
    with pytest.raises(ValueError, match="parameters is missing 'Wax', 'Waa', 'ba'"):
        interop.to_torch(lstm, "rnn")
    with pytest.raises(ValueError, match="parameters has 'bca', which kind='lstm' does not use"):
        interop.to_torch(dict(lstm, bca=np.zeros((4, 1))), "lstm")
    with pytest.raises(
        ValueError,
        match=r"parameters\['Wi'\] has shape \(4, 6\), but it needs "
        r"\(n_a, n_a\+n_x\) = \(4, 7\)",
    ):
        interop.to_torch(dict(lstm, Wi=np.zeros((4, 6))), "lstm")
    with pytest.raises(ValueError, match=r"parameters\['Wf'\] has shape \(4, 4\).*n_x >= 1"):
        interop.to_torch(dict(lstm, Wf=np.zeros((4, 4))), "lstm")
    with pytest.raises(TypeError, match="batch_first must be True or False"):
        interop.to_torch(lstm, "lstm", batch_first=1)
