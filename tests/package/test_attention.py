"""Additive (Bahdanau) and dot-product (Luong) attention: gradients against
central differences in float64, the weights' properties, the mask, dtypes,
errors, and (when PyTorch is installed) the additive form against autograd.

The scalar loss of a gradient check is L = sum(context * G) with a random G,
so the upstream gradient dcontext is exactly G.
"""

import numpy as np
import pytest

import rnnbook
from rnnbook.attention import masked_softmax

# the gradient check and its bounds, shared with every other model
from test_errors import expect  # noqa: E402 - sibling test modules
from test_gradients import check  # noqa: E402

# (n_s, n_h, n_e, m, T_x): general, one of everything, one sample, one step.
SHAPES = [
    pytest.param((3, 4, 5, 2, 6), id="ns3-nh4-ne5-m2-T6"),
    pytest.param((1, 1, 1, 1, 1), id="ns1-nh1-ne1-m1-T1"),
    pytest.param((2, 3, 4, 1, 5), id="ns2-nh3-ne4-m1-T5"),
    pytest.param((4, 2, 3, 3, 1), id="ns4-nh2-ne3-m3-T1"),
]


def make_case(n_s, n_h, n_e, m, T_x, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    parameters = {
        "Wa": rng.standard_normal((n_e, n_s)),
        "Ua": rng.standard_normal((n_e, n_h)),
        "va": rng.standard_normal((n_e, 1)),
    }
    s_prev = rng.standard_normal((n_s, m))
    h = rng.standard_normal((n_h, m, T_x))
    G = rng.standard_normal((n_h, m))
    cast = {k: v.astype(dtype) for k, v in parameters.items()}
    return s_prev.astype(dtype), h.astype(dtype), cast, G.astype(dtype), rng


def padding_mask(m, T_x, rng):
    """Each sample keeps a random prefix of length >= 1 (real tokens, then padding)."""
    lengths = rng.integers(1, T_x + 1, size=m)
    lengths[0] = max(1, T_x - 2)  # at least one sample with padding when T_x > 1
    return np.arange(T_x)[None, :] < lengths[:, None]


# --- gradients -----------------------------------------------------------------------


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "mask"])
@pytest.mark.parametrize("shape", SHAPES)
def test_additive_gradients(shape, masked, record_error):
    s_prev, h, parameters, G, rng = make_case(*shape, seed=1)
    mask = padding_mask(*shape[3:], rng) if masked else None

    def loss():
        return np.sum(rnnbook.attention_forward(s_prev, h, parameters, mask)[0] * G)

    _, _, cache = rnnbook.attention_forward(s_prev, h, parameters, mask)
    grads = rnnbook.attention_backward(G, cache)
    arrays = {"s_prev": s_prev, "h": h, **parameters}
    check(arrays, grads, loss, record_error, "attention additive")


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "mask"])
@pytest.mark.parametrize("shape", SHAPES)
def test_dot_gradients(shape, masked, record_error):
    _, n_h, _, m, T_x = shape
    s_prev, h, _, G, rng = make_case(n_h, n_h, 1, m, T_x, seed=2)
    mask = padding_mask(m, T_x, rng) if masked else None

    def loss():
        return np.sum(rnnbook.dot_attention_forward(s_prev, h, mask)[0] * G)

    _, _, cache = rnnbook.dot_attention_forward(s_prev, h, mask)
    grads = rnnbook.dot_attention_backward(G, cache)
    check({"s_prev": s_prev, "h": h}, grads, loss, record_error, "attention dot")


def test_one_position_gets_all_the_weight():
    # T_x = 1 (or one real position): alpha = 1, the context is that state, and
    # nothing flows to s_prev or the score parameters (the weights cannot move).
    s_prev, h, parameters, G, _ = make_case(3, 4, 5, 2, 1, seed=3)
    context, alpha, cache = rnnbook.attention_forward(s_prev, h, parameters)
    assert np.array_equal(alpha, np.ones((2, 1)))
    np.testing.assert_allclose(context, h[:, :, 0], rtol=0, atol=1e-15)
    grads = rnnbook.attention_backward(G, cache)
    np.testing.assert_allclose(grads["dh"][:, :, 0], G, rtol=0, atol=1e-15)
    for name in ("ds_prev", "dWa", "dUa", "dva"):
        assert np.abs(grads[name]).max() < 1e-15, name


# --- the weights and the mask ----------------------------------------------------------


@pytest.mark.parametrize("form", ["additive", "dot"])
@pytest.mark.parametrize("shape", SHAPES)
def test_weights_are_a_distribution_and_the_context_their_average(form, shape):
    s_prev, h, parameters, _, _ = make_case(*shape, seed=4)
    if form == "additive":
        context, alpha, _ = rnnbook.attention_forward(s_prev, h, parameters)
    else:
        s_prev = make_case(shape[1], *shape[1:], seed=4)[0]
        context, alpha, _ = rnnbook.dot_attention_forward(s_prev, h)
    m, T_x = shape[3:]
    assert alpha.shape == (m, T_x) and context.shape == (shape[1], m)
    assert np.all(alpha >= 0)
    np.testing.assert_allclose(alpha.sum(axis=1), 1, rtol=0, atol=1e-14)
    for i in range(m):
        np.testing.assert_allclose(context[:, i], h[:, i, :] @ alpha[i], rtol=1e-13, atol=1e-14)


def test_additive_scores_by_hand():
    # n_e = 1, Wa = Ua = va = 1: e<t> = tanh(s + h<t>) for scalar states.
    parameters = {"Wa": np.ones((1, 1)), "Ua": np.ones((1, 1)), "va": np.ones((1, 1))}
    s_prev = np.array([[0.5]])
    h = np.array([[[-1.0, 0.0, 2.0]]])
    context, alpha, _ = rnnbook.attention_forward(s_prev, h, parameters)
    e = np.tanh(0.5 + np.array([-1.0, 0.0, 2.0]))
    expected = np.exp(e) / np.exp(e).sum()
    np.testing.assert_allclose(alpha[0], expected, rtol=1e-15)
    np.testing.assert_allclose(context[0, 0], expected @ [-1.0, 0.0, 2.0], rtol=1e-15)


def test_dot_scores_are_scaled_by_root_n_h():
    s_prev = np.array([[1.0], [1.0], [1.0], [1.0]])  # n_h = 4
    h = np.zeros((4, 1, 2))
    h[:, 0, 1] = 1.0  # s . h<1> = 4, scaled by 1/sqrt(4): score 2 against 0
    _, alpha, _ = rnnbook.dot_attention_forward(s_prev, h)
    np.testing.assert_allclose(alpha[0], [1 / (1 + np.exp(2)), 1 / (1 + np.exp(-2))], rtol=1e-15)


@pytest.mark.parametrize("form", ["additive", "dot"])
def test_masked_positions_get_exactly_zero(form):
    s_prev, h, parameters, G, _ = make_case(4, 4, 3, 3, 5, seed=5)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0]], dtype=np.int64)
    # Padding holds garbage (large but finite): it must change nothing.
    h_garbage = h.copy()
    h_garbage[:, ~mask.astype(bool)] = 1e6
    forward = {
        "additive": lambda hh, mm: rnnbook.attention_forward(s_prev, hh, parameters, mm),
        "dot": lambda hh, mm: rnnbook.dot_attention_forward(s_prev, hh, mm),
    }[form]
    backward = {"additive": rnnbook.attention_backward, "dot": rnnbook.dot_attention_backward}
    context, alpha, cache = forward(h_garbage, mask)
    assert np.all(alpha[mask == 0] == 0)
    np.testing.assert_allclose(alpha.sum(axis=1), 1, rtol=0, atol=1e-15)
    grads = backward[form](G, cache)
    assert np.all(grads["dh"][:, mask == 0] == 0)
    # The same as attending over each sample's real positions alone.
    for i, length in enumerate(mask.sum(axis=1)):
        if form == "additive":
            alone = rnnbook.attention_forward(s_prev[:, i : i + 1], h[:, i : i + 1, :length],
                                              parameters)
        else:
            alone = rnnbook.dot_attention_forward(s_prev[:, i : i + 1], h[:, i : i + 1, :length])
        np.testing.assert_allclose(alpha[i, :length], alone[1][0], rtol=1e-13)
        np.testing.assert_allclose(context[:, i], alone[0][:, 0], rtol=1e-13)
    # A boolean mask and a 0/1 float mask give the same result.
    _, alpha_bool, _ = forward(h_garbage, mask.astype(bool))
    _, alpha_float, _ = forward(h_garbage, mask.astype(np.float32))
    assert np.array_equal(alpha_bool, alpha) and np.array_equal(alpha_float, alpha)


def test_all_ones_mask_changes_nothing():
    s_prev, h, parameters, _, _ = make_case(3, 4, 5, 2, 6, seed=6)
    plain = rnnbook.attention_forward(s_prev, h, parameters)
    masked = rnnbook.attention_forward(s_prev, h, parameters, np.ones((2, 6), dtype=bool))
    assert np.array_equal(plain[0], masked[0]) and np.array_equal(plain[1], masked[1])


def test_large_scores_do_not_overflow():
    # Scores of +-1000 (a dot product of large states): the softmax stays finite.
    s_prev = np.full((1, 1), 100.0)
    h = np.array([[[10.0, -10.0, 9.9]]])
    with np.errstate(all="raise"):
        _, alpha, _ = rnnbook.dot_attention_forward(s_prev, h)
    assert np.all(np.isfinite(alpha)) and alpha[0, 1] == 0.0
    np.testing.assert_allclose(alpha.sum(), 1.0, rtol=1e-15)


def test_masked_softmax_rows():
    e = np.array([[1.0, 2.0, 3.0], [5.0, -1.0, 0.0]])
    mask = np.array([[True, True, False], [False, True, True]])
    alpha = masked_softmax(e, mask)
    np.testing.assert_allclose(alpha[0, :2], np.exp([1, 2]) / np.exp([1, 2]).sum(), rtol=1e-15)
    np.testing.assert_allclose(alpha[1, 1:], np.exp([-1, 0]) / np.exp([-1, 0]).sum(), rtol=1e-15)
    assert alpha[0, 2] == 0 and alpha[1, 0] == 0


# --- dtypes ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["additive", "dot"])
@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "mask"])
def test_float32_in_float32_out(form, masked):
    s_prev, h, parameters, G, rng = make_case(4, 4, 3, 2, 5, seed=7, dtype=np.float32)
    mask = padding_mask(2, 5, rng) if masked else None
    if form == "additive":
        context, alpha, cache = rnnbook.attention_forward(s_prev, h, parameters, mask)
        grads = rnnbook.attention_backward(G, cache)
        expected = {"ds_prev": s_prev, "dh": h, **{"d" + k: v for k, v in parameters.items()}}
    else:
        context, alpha, cache = rnnbook.dot_attention_forward(s_prev, h, mask)
        grads = rnnbook.dot_attention_backward(G, cache)
        expected = {"ds_prev": s_prev, "dh": h}
    assert context.dtype == np.float32 and alpha.dtype == np.float32
    assert set(grads) == set(expected)
    for name, like in expected.items():
        assert grads[name].dtype == np.float32, name
        assert grads[name].shape == like.shape, name


# --- errors --------------------------------------------------------------------------------


@pytest.fixture
def good():
    s_prev, h, parameters, G, _ = make_case(3, 4, 5, 2, 6, seed=8)
    return {"s_prev": s_prev, "h": h, "parameters": parameters, "G": G}


def additive(args, mask=None):
    return lambda: rnnbook.attention_forward(args["s_prev"], args["h"], args["parameters"], mask)


def test_error_wrong_rank(good):
    expect(ValueError, additive({**good, "h": good["h"][:, :, 0]}),
           "h has shape (4, 2)", "needs 3 axes (n_h, m, T_x)")
    expect(ValueError, additive({**good, "s_prev": good["s_prev"][:, :, None]}),
           "s_prev has shape (3, 2, 1)", "needs 2 axes (n_s, m)")


def test_error_batch_mismatch(good):
    expect(ValueError, additive({**good, "h": good["h"][:, :1, :]}),
           "h has shape (4, 1, 6)", "(n_h, m, T_x) = (n_h, 2, T_x)", "m = 2 from s_prev")


def test_error_parameter_shapes(good):
    parameters = dict(good["parameters"])
    parameters["Wa"] = parameters["Wa"][:, :2]
    expect(ValueError, additive({**good, "parameters": parameters}),
           "parameters['Wa'] has shape (5, 2)", "(n_e, n_s) = (n_e, 3)", "n_s = 3 from s_prev")
    parameters = dict(good["parameters"])
    parameters["Ua"] = parameters["Ua"][:, :3]
    expect(ValueError, additive({**good, "parameters": parameters}),
           "parameters['Ua'] has shape (5, 3)", "(n_e, n_h) = (5, 4)", "n_h = 4 from h")
    parameters = dict(good["parameters"])
    parameters["va"] = parameters["va"].T
    expect(ValueError, additive({**good, "parameters": parameters}),
           "parameters['va'] has shape (1, 5)", "(n_e, 1) = (5, 1)",
           "n_e = 5 from parameters['Wa']")


def test_error_missing_parameter(good):
    parameters = {k: v for k, v in good["parameters"].items() if k != "va"}
    expect(ValueError, additive({**good, "parameters": parameters}),
           "parameters is missing 'va'", "needs Wa, Ua, va")
    expect(TypeError, additive({**good, "parameters": [1, 2, 3]}),
           "parameters must be a dict, got list")


def test_error_types(good):
    expect(TypeError, additive({**good, "h": good["h"].tolist()}), "h must be a numpy array")
    expect(TypeError, additive({**good, "s_prev": good["s_prev"].astype(np.float32)}),
           "h has dtype float64 but s_prev has float32")
    bad = good["h"].copy()
    bad[0, 1, 2] = np.nan
    expect(ValueError, additive({**good, "h": bad}), "h contains NaN", "(0, 1, 2)")


def test_error_mask(good):
    expect(ValueError, additive(good, np.ones((6, 2), dtype=bool)),
           "mask has shape (6, 2)", "(m, T_x) = (2, 6)")
    expect(ValueError, additive(good, np.ones(6, dtype=bool)), "mask has shape (6,)")
    mask = np.ones((2, 6), dtype=bool)
    mask[1] = False
    expect(ValueError, additive(good, mask), "mask row 1 has no real source position")
    expect(ValueError, additive(good, np.full((2, 6), 0.5)),
           "mask must hold only 0 and 1", "at index (0, 0)")
    expect(TypeError, additive(good, np.full((2, 6), "x")), "mask must hold bools or 0/1")
    expect(TypeError, additive(good, [[1] * 6] * 2), "mask must be a numpy array, got list")


def test_error_dot_sizes(good):
    expect(ValueError, lambda: rnnbook.dot_attention_forward(good["s_prev"], good["h"]),
           "s_prev has shape (3, 2) and h has shape (4, 2, 6)", "needs n_s = n_h",
           "attention_forward")
    s_prev = good["h"][:, :, 0].copy()
    mask = np.zeros((2, 6))
    mask[0, 0] = 1
    expect(ValueError, lambda: rnnbook.dot_attention_forward(s_prev, good["h"], mask),
           "mask row 1 has no real source position")


def test_error_backward(good):
    _, _, cache = additive(good)()
    expect(ValueError, lambda: rnnbook.attention_backward(good["G"][:3], cache),
           "dcontext has shape (3, 2)", "(n_h, m) = (4, 2)")
    expect(TypeError, lambda: rnnbook.attention_backward(good["G"].astype(np.float32), cache),
           "dcontext has dtype float32")
    expect(TypeError, lambda: rnnbook.attention_backward(good["G"], cache[:4]),
           "cache must be the tuple of 5 that attention_forward returned, got a tuple of length 4")
    _, _, dot_cache = rnnbook.dot_attention_forward(good["h"][:, :, 0].copy(), good["h"])
    expect(TypeError, lambda: rnnbook.attention_backward(good["G"], dot_cache),
           "got the cache of dot_attention_forward")
    expect(TypeError, lambda: rnnbook.dot_attention_backward(good["G"], cache),
           "cache must be the tuple of 3 that dot_attention_forward returned",
           "got the cache of attention_forward")
    expect(TypeError, lambda: rnnbook.dot_attention_backward(good["G"], "cache"),
           "got str")


# --- PyTorch autograd ----------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "mask"])
def test_additive_against_torch_autograd(masked):
    torch = pytest.importorskip(
        "torch",
        reason="PyTorch not installed; nox installs torch==2.13.0 from a local CPU wheel "
        "when one exists",
    )
    s_prev, h, parameters, G, rng = make_case(3, 4, 5, 3, 7, seed=9)
    mask = padding_mask(3, 7, rng) if masked else np.ones((3, 7), dtype=bool)
    context, alpha, cache = rnnbook.attention_forward(s_prev, h, parameters, mask)
    grads = rnnbook.attention_backward(G, cache)

    t = {k: torch.tensor(v, requires_grad=True) for k, v in
         {"s_prev": s_prev, "h": h, **parameters}.items()}
    # The same formula in torch's own layout: batch first, time second.
    hb = t["h"].permute(1, 2, 0)  # (m, T_x, n_h)
    sb = t["s_prev"].T  # (m, n_s)
    z = torch.tanh((sb @ t["Wa"].T)[:, None, :] + hb @ t["Ua"].T)  # (m, T_x, n_e)
    e = (z @ t["va"])[:, :, 0]  # (m, T_x)
    e = e.masked_fill(~torch.tensor(mask), float("-inf"))
    a = torch.softmax(e, dim=1)
    c = (a[:, :, None] * hb).sum(dim=1).T  # (n_h, m)
    (c * torch.tensor(G)).sum().backward()

    tol = {"rtol": 0, "atol": 1e-12}
    np.testing.assert_allclose(alpha, a.detach().numpy(), **tol)
    np.testing.assert_allclose(context, c.detach().numpy(), **tol)
    for name, tensor in t.items():
        np.testing.assert_allclose(grads["d" + name], tensor.grad.numpy(), **tol, err_msg=name)
