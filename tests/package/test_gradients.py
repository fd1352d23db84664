"""Every backward function against central differences, in float64.

For the cell and sequence backward functions the scalar loss is
L = sum(a * G) (+ sum(c * H) for the LSTM cell) with random G and H, so the
upstream gradients are exactly G and H.  Each check covers every input of the
forward function and every parameter, and asserts the backward function
returns a gradient for each of them and nothing else.
"""

import numpy as np
import pytest

import rnnbook

BOUND = 1e-7
# The central difference (L(w + eps) - L(w - eps)) / (2 eps) carries a rounding
# error of about 1e-16 |L| / eps ~ 1e-11 per entry.  Against a gradient whose
# norm is below SMALL that noise alone can exceed BOUND in relative terms, so
# there the check is absolute: the difference must stay at the noise level.
SMALL = 1e-3
NOISE = 1e-10

# (n_x, n_a, m, T_x): square and not, one sample, one step, one unit.
SHAPES = [
    pytest.param((3, 4, 2, 3), id="nx3-na4-m2-T3"),
    pytest.param((1, 1, 1, 1), id="nx1-na1-m1-T1"),
    pytest.param((2, 5, 1, 4), id="nx2-na5-m1-T4"),
    pytest.param((4, 3, 3, 1), id="nx4-na3-m3-T1"),
]


def check(arrays, grads, loss, record_error, category):
    assert set(grads) == {"d" + name for name in arrays}, "one gradient per input and parameter"
    for name, array in arrays.items():
        assert grads["d" + name].shape == array.shape, name
        assert grads["d" + name].dtype == np.float64, name
    errors = rnnbook.gradient_check(loss, arrays, grads)
    record_error(category, errors)
    for name, error in errors.items():
        if error < BOUND:
            continue
        numeric = rnnbook.numerical_gradient(loss, arrays[name])
        difference = np.linalg.norm(grads["d" + name] - numeric)
        assert np.linalg.norm(numeric) < SMALL and difference < NOISE, (
            f"d{name}: relative error {error:.2e}, |analytic - numeric| = {difference:.2e}, "
            f"|numeric| = {np.linalg.norm(numeric):.2e}"
        )


@pytest.mark.parametrize("shape", SHAPES)
def test_cell_backward(model, make_case, record_error, shape):
    n_x, n_a, m, _ = shape
    case = make_case(model, n_x, n_a, m=m, T_x=1, seed=1)
    xt, a_prev, c_prev, parameters = case.x[:, :, 0].copy(), case.a0, case.c0, case.parameters
    G = case.rng.standard_normal((n_a, m))
    H = case.rng.standard_normal((n_a, m)) if model.has_c else None

    def loss():
        a_next, c_next, _, _ = model.cell_forward(xt, a_prev, c_prev, parameters)
        return np.sum(a_next * G) + (np.sum(c_next * H) if model.has_c else 0.0)

    _, _, yt_pred, cache = model.cell_forward(xt, a_prev, c_prev, parameters)
    assert yt_pred is None
    grads = model.cell_backward(G, H, cache)

    arrays = {"xt": xt, "a_prev": a_prev, **parameters}
    if model.has_c:
        arrays["c_prev"] = c_prev
    check(arrays, grads, loss, record_error, f"{model.name} cell")


@pytest.mark.parametrize("shape", SHAPES)
def test_sequence_backward(model, make_case, record_error, shape):
    n_x, n_a, m, T_x = shape
    case = make_case(model, n_x, n_a, m=m, T_x=T_x, seed=2)
    x, a0, c0, parameters = case.x, case.a0, case.c0, case.parameters
    G = case.rng.standard_normal((n_a, m, T_x))

    def loss():
        return np.sum(model.forward(x, a0, parameters, c0)[0] * G)

    _, y_pred, _, caches = model.forward(x, a0, parameters, c0)
    assert y_pred is None
    grads = model.backward(G, caches)

    arrays = {"x": x, "a0": a0, **parameters}
    if model.has_c:
        arrays["c0"] = c0
    check(arrays, grads, loss, record_error, f"{model.name} sequence")


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("n_y", [2, 5])
def test_loss_and_grads(model, make_case, record_error, shape, n_y):
    n_x, n_a, m, T_x = shape
    case = make_case(model, n_x, n_a, n_y, m=m, T_x=T_x, seed=3)
    x, y, a0, c0, parameters = case.x, case.y, case.a0, case.c0, case.parameters

    def loss():
        return model.loss_and_grads(x, y, a0, parameters, c0)[0]

    value, grads = model.loss_and_grads(x, y, a0, parameters, c0)
    assert np.ndim(value) == 0 and np.isfinite(value) and value >= 0
    assert model.output_weight in parameters and "d" + model.output_weight in grads

    arrays = {"x": x, "a0": a0, **parameters}
    if model.has_c:
        arrays["c0"] = c0
    check(arrays, grads, loss, record_error, f"{model.name} loss_and_grads")


def test_lstm_sequence_backward_with_default_c0(models, make_case, record_error):
    """c0=None means zeros; dc0 is still the gradient with respect to that zero state."""
    case = make_case(models["lstm"], 3, 4, m=2, T_x=3, seed=4)
    x, a0, parameters = case.x, case.a0, case.parameters
    c0 = np.zeros_like(a0)
    G = case.rng.standard_normal(a0.shape + (3,))
    _, _, _, caches = rnnbook.lstm_forward(x, a0, parameters)
    grads = rnnbook.lstm_backward(G, caches)

    def loss():
        return np.sum(rnnbook.lstm_forward(x, a0, parameters, c0=c0)[0] * G)

    check({"x": x, "a0": a0, "c0": c0, **parameters}, grads, loss, record_error, "lstm c0=None")


def test_gradient_check_catches_a_wrong_gradient(models, make_case):
    """The checker can fail: one wrong entry in one gradient is reported."""
    case = make_case(models["rnn"], 3, 4, n_y=3, m=2, T_x=3, seed=5)
    x, y, a0, parameters = case.x, case.y, case.a0, case.parameters
    _, grads = rnnbook.rnn_loss_and_grads(x, y, a0, parameters)
    grads["dWaa"] = grads["dWaa"].copy()
    grads["dWaa"][1, 2] += 1e-3 * np.abs(grads["dWaa"]).max()

    def loss():
        return rnnbook.rnn_loss_and_grads(x, y, a0, parameters)[0]

    errors = rnnbook.gradient_check(loss, {"Waa": parameters["Waa"], "ba": parameters["ba"]}, grads)
    assert errors["Waa"] > 1e-5 > 1e2 * errors["ba"]
