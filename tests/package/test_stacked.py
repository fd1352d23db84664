"""Deep and bidirectional stacks: gradient checks, the fast version, the errors.

Every parameter of every layer and direction, the input and the initial
states are checked against central differences in float64 (relative error
below 1e-7), for the three kinds, one to three layers, one or two directions.
"""

import numpy as np
import pytest

import rnnbook
from rnnbook import fast
from rnnbook.gradcheck import gradient_check, relative_error

KINDS = ["rnn", "lstm", "gru"]
INIT = {
    "rnn": rnnbook.init_rnn_parameters,
    "lstm": rnnbook.init_lstm_parameters,
    "gru": rnnbook.init_gru_parameters,
}


def make_layers(kind, n_x, n_a, L, bidirectional, seed, reset_after=True):
    """Seeded layers with noise on top of the initialiser, so nothing is zero."""
    rng = np.random.default_rng(seed)
    layers, n_in = [], n_x
    for i in range(L):
        directions = []
        for d in range(2 if bidirectional else 1):
            options = {"reset_after": reset_after} if kind == "gru" else {}
            p = INIT[kind](n_in, n_a, seed=seed + 10 * i + d, **options)
            directions.append({k: v + 0.3 * rng.standard_normal(v.shape) for k, v in p.items()})
        layers.append(tuple(directions) if bidirectional else directions[0])
        n_in = (2 if bidirectional else 1) * n_a
    return layers


def initial_states(n_a, m, L, bidirectional, rng):
    def one():
        return 0.5 * rng.standard_normal((n_a, m))

    return [(one(), one()) if bidirectional else one() for _ in range(L)]


def directions(entry):
    return list(entry) if isinstance(entry, tuple) else [entry]


CASES = [
    pytest.param(kind, L, bi, id=f"{kind}-L{L}-{'bi' if bi else 'uni'}")
    for kind in KINDS
    for L in (1, 2, 3)
    for bi in (False, True)
]


@pytest.mark.parametrize("kind, L, bidirectional", CASES)
def test_stacked_backward_matches_central_differences(kind, L, bidirectional, record_error):
    n_x, n_a, m, T_x = 3, 3, 2, 4
    rng = np.random.default_rng(L + 7 * bidirectional)
    layers = make_layers(kind, n_x, n_a, L, bidirectional, seed=L)
    x = rng.standard_normal((n_x, m, T_x))
    a0 = initial_states(n_a, m, L, bidirectional, rng)
    c0 = initial_states(n_a, m, L, bidirectional, rng) if kind == "lstm" else None
    a, caches = rnnbook.stacked_forward(x, layers, kind, bidirectional=bidirectional, a0=a0, c0=c0)
    assert a.shape == ((2 if bidirectional else 1) * n_a, m, T_x)
    weights = rng.standard_normal(a.shape)  # the loss is sum(weights * a)
    dx, grads = rnnbook.stacked_backward(weights, caches)

    def loss():
        out, _ = rnnbook.stacked_forward(x, layers, kind, bidirectional=bidirectional, a0=a0, c0=c0)
        return float(np.sum(weights * out))

    errors = gradient_check(loss, {"x": x}, {"dx": dx})
    for i in range(L):
        assert isinstance(grads[i], tuple) == bidirectional
        for d, (parameters, g) in enumerate(zip(directions(layers[i]), directions(grads[i]))):
            assert set(g) == {"d" + k for k in parameters} | {"da0"} | (
                {"dc0"} if kind == "lstm" else set()
            )
            states = {"a0": directions(a0[i])[d]}
            if kind == "lstm":
                states["c0"] = directions(c0[i])[d]
            for name, error in gradient_check(loss, {**parameters, **states}, g).items():
                errors[f"layer {i} dir {d} {name}"] = error
    record_error(f"stacked {kind} L={L} {'bi' if bidirectional else 'uni'}", errors)
    assert max(errors.values()) < 1e-7, errors


def test_gru_reset_before_stack_matches_central_differences():
    kind, n_x, n_a, m, T_x = "gru", 2, 3, 2, 3
    layers = make_layers(kind, n_x, n_a, 2, True, seed=3, reset_after=False)
    x = np.random.default_rng(3).standard_normal((n_x, m, T_x))
    a, caches = rnnbook.stacked_forward(x, layers, kind, bidirectional=True, reset_after=False)
    dx, grads = rnnbook.stacked_backward(np.ones_like(a), caches)

    def loss():
        out, _ = rnnbook.stacked_forward(x, layers, kind, bidirectional=True, reset_after=False)
        return float(out.sum())

    grads_flat = {"dx": dx, **grads[1][1]}
    errors = gradient_check(loss, {"x": x, **layers[1][1]}, grads_flat)
    assert max(errors.values()) < 1e-7, errors


def test_a_one_layer_stack_is_the_chapter_model():
    """One unidirectional layer is the sequence model itself; two directions are
    the model over x and over x reversed, stacked."""
    x = np.random.default_rng(0).standard_normal((3, 2, 5))
    (p,) = make_layers("lstm", 3, 4, 1, False, seed=0)
    a, _ = rnnbook.stacked_forward(x, [p], "lstm")
    a_ref, _, _, _ = rnnbook.lstm_forward(x, np.zeros((4, 2)), p)
    np.testing.assert_array_equal(a, a_ref)
    ((pf, pb),) = make_layers("rnn", 3, 4, 1, True, seed=1)
    a, _ = rnnbook.stacked_forward(x, [(pf, pb)], "rnn", bidirectional=True)
    forward, _, _ = rnnbook.rnn_forward(x, np.zeros((4, 2)), pf)
    backward, _, _ = rnnbook.rnn_forward(x[:, :, ::-1], np.zeros((4, 2)), pb)
    np.testing.assert_array_equal(a[:4], forward)
    np.testing.assert_array_equal(a[4:], backward[:, :, ::-1])


FAST_CASES = CASES + [
    pytest.param("gru", L, bi, False, id=f"gru-reset-before-L{L}-{'bi' if bi else 'uni'}")
    for L in (1, 2)
    for bi in (False, True)
]


@pytest.mark.parametrize(
    "kind, L, bidirectional, reset_after",
    [
        pytest.param(*case.values, True, id=case.id) if len(case.values) == 3 else case
        for case in FAST_CASES
    ],
)
def test_fast_stack_equals_textbook(kind, L, bidirectional, reset_after):
    n_x, n_a, m, T_x = 4, 5, 3, 7
    rng = np.random.default_rng(11)
    layers = make_layers(kind, n_x, n_a, L, bidirectional, seed=5, reset_after=reset_after)
    x = rng.standard_normal((n_x, m, T_x))
    a0 = initial_states(n_a, m, L, bidirectional, rng)
    options = {"bidirectional": bidirectional, "reset_after": reset_after, "a0": a0}
    a, caches = rnnbook.stacked_forward(x, layers, kind, **options)
    a_fast, caches_fast = fast.stacked_forward(x, layers, kind, **options)
    assert relative_error(a_fast, a) < 1e-12
    da = rng.standard_normal(a.shape)
    dx, grads = rnnbook.stacked_backward(da, caches)
    dx_fast, grads_fast = fast.stacked_backward(da, caches_fast)
    assert relative_error(dx_fast, dx) < 1e-12
    for entry, entry_fast in zip(grads, grads_fast):
        for g, g_fast in zip(directions(entry), directions(entry_fast)):
            assert set(g) == set(g_fast)
            for name in g:
                assert relative_error(g_fast[name], g[name]) < 1e-12, name


def test_caches_go_to_their_own_backward():
    x = np.ones((2, 1, 3))
    layers = make_layers("rnn", 2, 3, 1, False, seed=0)
    a, caches = rnnbook.stacked_forward(x, layers, "rnn")
    with pytest.raises(TypeError, match="rnnbook.stacked_backward"):
        fast.stacked_backward(a, caches)
    with pytest.raises(
        ValueError, match=r"da has shape \(3, 1, 2\).*\(n_a, m, T_x\) = \(3, 1, 3\)"
    ):
        rnnbook.stacked_backward(a[:, :, :2], caches)


# --- errors ------------------------------------------------------------------------


def error_of(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("module", [rnnbook, fast], ids=["textbook", "fast"])
def test_errors_name_the_layer_the_direction_and_the_shapes(module):
    x = np.ones((3, 2, 4))
    uni = make_layers("lstm", 3, 4, 2, False, seed=0)
    bi = make_layers("lstm", 3, 4, 2, True, seed=0)

    # Layer 1 built for a unidirectional stack reads 4 states, not 2 x 4.
    mixed = [bi[0], tuple(make_layers("lstm", 4, 4, 1, True, seed=1)[0])]
    message = error_of(lambda: module.stacked_forward(x, mixed, "lstm", bidirectional=True))
    assert "layer 1 (forward direction)" in message and "n_x = 4" in message, message
    assert "layer 0 gives 2 x n_a = 2 x 4 states" in message, message

    # Layer 0 against x.
    message = error_of(lambda: module.stacked_forward(np.ones((5, 2, 4)), uni, "lstm"))
    assert "layer 0 (forward direction)" in message and "x has shape (5, 2, 4)" in message

    # A missing direction.
    message = error_of(
        lambda: module.stacked_forward(x, [bi[0], bi[1][0]], "lstm", bidirectional=True)
    )
    assert "layer 1 (layers[1])" in message and "backward direction is missing" in message

    # Pairs without bidirectional=True.
    message = error_of(lambda: module.stacked_forward(x, bi, "lstm"))
    assert "layer 0 (layers[0])" in message and "bidirectional=True" in message

    # A wrong kind: the first layer's backward direction holds LSTM weights.
    gru = make_layers("gru", 3, 4, 1, True, seed=0)
    wrong = [(gru[0][0], bi[0][1])]
    message = error_of(lambda: module.stacked_forward(x, wrong, "gru", bidirectional=True))
    assert message.startswith("layer 0 (backward direction): "), message
    assert "'Wz'" in message, message
    message = error_of(lambda: module.stacked_forward(x, uni, "lsmt"))
    assert "kind must be one of 'rnn', 'lstm', 'gru', got 'lsmt'" in message

    # A broken weight names the layer, the direction and its shape.
    broken = [dict(bi[0][0]), bi[0][1]]
    broken[0]["Wo"] = broken[0]["Wo"][:, :-1]
    message = error_of(
        lambda: module.stacked_forward(x, [tuple(broken)], "lstm", bidirectional=True)
    )
    assert message.startswith("layer 0 (forward direction): ") and "(4, 6)" in message, message

    # Initial states: a wrong shape names the layer, the direction and a0.
    a0 = [(np.zeros((4, 2)), np.zeros((3, 2))), (np.zeros((4, 2)), np.zeros((4, 2)))]
    message = error_of(lambda: module.stacked_forward(x, bi, "lstm", bidirectional=True, a0=a0))
    assert message.startswith("layer 0 (backward direction): a0[0][1] has shape (3, 2)"), message
    assert "(n_a, m) = (4, 2)" in message, message
    message = error_of(lambda: module.stacked_forward(x, uni, "lstm", a0=[np.zeros((4, 2))]))
    assert "one entry per layer (2 layers)" in message

    # An output layer does not belong in a stack.
    with_output = [dict(uni[0], Wy=np.ones((2, 4)), by=np.ones((2, 1))), uni[1]]
    message = error_of(lambda: module.stacked_forward(x, with_output, "lstm"))
    assert "layer 0 (forward direction)" in message and "output layer (Wy, by)" in message
