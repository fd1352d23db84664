"""The package agrees with itself: cells and sequences, float32 and float64,
a batch and its samples one by one; and the helpers (activations, losses,
clipping, initialisers) do what their docstrings say."""

import numpy as np
import pytest

import rnnbook
from rnnbook import clipping
from rnnbook.activations import log_softmax

F32 = {"rtol": 1e-4, "atol": 1e-5}  # float32 against float64
EXACT = {"rtol": 1e-12, "atol": 1e-14}  # the same sums in another order


def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=0, keepdims=True)


def upstream(case, T_x):
    """Random gradients for every hidden state (and cell state) of the sequence."""
    shape = case.a0.shape + (T_x,)
    return case.rng.standard_normal(shape).astype(case.x.dtype)


# --- cells and sequences -----------------------------------------------------------


def test_looping_the_cell_equals_the_sequence(model, make_case):
    T_x = 4
    case = make_case(model, 3, 4, n_y=3, m=2, T_x=T_x, seed=10)
    x, parameters = case.x, case.parameters
    a, y_pred, c, caches = model.forward(x, case.a0, parameters, case.c0)
    assert len(caches[0]) == T_x and caches[1] is x

    a_next, c_next, cell_caches = case.a0, case.c0, []
    for t in range(T_x):
        a_next, c_next, yt_pred, cache = model.cell_forward(x[:, :, t], a_next, c_next, parameters)
        np.testing.assert_array_equal(a_next, a[:, :, t])
        np.testing.assert_array_equal(yt_pred, y_pred[:, :, t])
        if model.has_c:
            np.testing.assert_array_equal(c_next, c[:, :, t])
        cell_caches.append(cache)

    da = upstream(case, T_x)
    grads = model.backward(da, caches)
    da_next = np.zeros_like(case.a0)
    dc_next = np.zeros_like(case.a0) if model.has_c else None
    total = {}
    for t in reversed(range(T_x)):
        step = model.cell_backward(da[:, :, t] + da_next, dc_next, cell_caches[t])
        np.testing.assert_allclose(step["dxt"], grads["dx"][:, :, t], **EXACT)
        da_next, dc_next = step["da_prev"], step.get("dc_prev")
        for name, value in step.items():
            if name not in ("dxt", "da_prev", "dc_prev"):
                total[name] = total.get(name, 0) + value
    np.testing.assert_allclose(da_next, grads["da0"], **EXACT)
    if model.has_c:
        np.testing.assert_allclose(dc_next, grads["dc0"], **EXACT)
    assert set(total) == set(grads) - {"dx", "da0", "dc0"}
    for name, value in total.items():
        np.testing.assert_allclose(value, grads[name], **EXACT, err_msg=name)


def test_lstm_c0_none_means_zeros(models, make_case):
    case = make_case(models["lstm"], 3, 4, n_y=2, m=2, T_x=3, seed=11)
    zeros = np.zeros_like(case.a0)
    a, y_pred, c, _ = rnnbook.lstm_forward(case.x, case.a0, case.parameters)
    a_z, y_pred_z, c_z, _ = rnnbook.lstm_forward(case.x, case.a0, case.parameters, c0=zeros)
    for ours, theirs in ((a, a_z), (y_pred, y_pred_z), (c, c_z)):
        np.testing.assert_array_equal(ours, theirs)
    loss, grads = rnnbook.lstm_loss_and_grads(case.x, case.y, case.a0, case.parameters)
    loss_z, grads_z = rnnbook.lstm_loss_and_grads(case.x, case.y, case.a0, case.parameters, zeros)
    assert loss == loss_z and set(grads) == set(grads_z)
    for name in grads:
        np.testing.assert_array_equal(grads[name], grads_z[name])


def test_gru_forms_agree_when_the_reset_gate_is_open(models, make_case):
    """With r = 1 and bca = 0, resetting before or after the product is the same."""
    case = make_case(models["gru_reset_after"], 3, 4, n_y=2, m=3, T_x=4, seed=12)
    parameters = dict(case.parameters, br=np.full_like(case.parameters["br"], 50.0))
    parameters["bca"] = np.zeros_like(parameters["bca"])

    def without_bca(parameters):  # the reset-before form has no bca, and refuses one
        return {k: v for k, v in parameters.items() if k != "bca"}

    before = rnnbook.gru_forward(case.x, case.a0, without_bca(parameters), reset_after=False)
    after = rnnbook.gru_forward(case.x, case.a0, parameters, reset_after=True)
    np.testing.assert_allclose(before[0], after[0], **EXACT)
    np.testing.assert_allclose(before[1], after[1], **EXACT)
    # ... and only then: with a real reset gate the two forms differ.
    parameters["br"] = case.parameters["br"]
    before = rnnbook.gru_forward(case.x, case.a0, without_bca(parameters), reset_after=False)[0]
    after = rnnbook.gru_forward(case.x, case.a0, parameters, reset_after=True)[0]
    assert np.abs(before - after).max() > 1e-3


# --- one batch, or its samples one at a time ---------------------------------------


def test_a_batch_equals_its_samples_alone(model, make_case):
    m, T_x = 4, 3
    case = make_case(model, 3, 5, n_y=3, m=m, T_x=T_x, seed=13)
    x, y, a0, c0, parameters = case.x, case.y, case.a0, case.c0, case.parameters
    da = upstream(case, T_x)
    a, y_pred, c, caches = model.forward(x, a0, parameters, c0)
    grads = model.backward(da, caches)
    loss, loss_grads = model.loss_and_grads(x, y, a0, parameters, c0)

    weights = [name for name in grads if name not in ("dx", "da0", "dc0")]
    per_sample = {name: 0 for name in weights}
    losses, loss_per_sample = [], {name: 0 for name in loss_grads}
    for i in range(m):
        s = slice(i, i + 1)
        c0_i = None if c0 is None else c0[:, s]
        a_i, y_pred_i, c_i, caches_i = model.forward(x[:, s], a0[:, s], parameters, c0_i)
        np.testing.assert_allclose(a_i, a[:, s], **EXACT)
        np.testing.assert_allclose(y_pred_i, y_pred[:, s], **EXACT)
        if model.has_c:
            np.testing.assert_allclose(c_i, c[:, s], **EXACT)

        grads_i = model.backward(da[:, s], caches_i)
        np.testing.assert_allclose(grads_i["dx"], grads["dx"][:, s], **EXACT)
        np.testing.assert_allclose(grads_i["da0"], grads["da0"][:, s], **EXACT)
        if model.has_c:
            np.testing.assert_allclose(grads_i["dc0"], grads["dc0"][:, s], **EXACT)
        for name in weights:
            per_sample[name] = per_sample[name] + grads_i[name]

        loss_i, loss_grads_i = model.loss_and_grads(x[:, s], y[s], a0[:, s], parameters, c0_i)
        losses.append(loss_i)
        for name in ("dx", "da0", "dc0"):
            if name in loss_grads:
                # The batch loss is the mean over samples, so each sample's
                # input gradient is 1/m of what it is alone.
                np.testing.assert_allclose(loss_grads_i[name] / m, loss_grads[name][:, s], **EXACT)
        for name in loss_grads:
            loss_per_sample[name] = loss_per_sample[name] + loss_grads_i[name] / m

    # sum(a * da) is a sum over samples, so the weights' gradients add up ...
    for name in weights:
        np.testing.assert_allclose(per_sample[name], grads[name], **EXACT, err_msg=name)
    # ... and the loss is their mean, so its gradients average.
    np.testing.assert_allclose(np.mean(losses), loss, **EXACT)
    for name in set(loss_grads) - {"dx", "da0", "dc0"}:
        np.testing.assert_allclose(loss_per_sample[name], loss_grads[name], **EXACT, err_msg=name)


def test_loss_is_summed_over_time_and_averaged_over_the_batch(model, make_case):
    case = make_case(model, 2, 3, n_y=4, m=3, T_x=5, seed=14)
    x, y, a0, c0, parameters = case.x, case.y, case.a0, case.c0, case.parameters
    loss, _ = model.loss_and_grads(x, y, a0, parameters, c0)
    a = model.forward(x, a0, parameters, c0)[0]
    total = 0.0
    for t in range(5):
        p = naive_softmax(parameters[model.output_weight] @ a[:, :, t] + parameters["by"])
        total -= np.log(p[y[:, t], np.arange(3)]).sum()
    np.testing.assert_allclose(loss, total / 3, rtol=1e-13)


def test_inputs_are_not_modified(model, make_case):
    case = make_case(model, 3, 4, n_y=3, m=2, T_x=3, seed=15)
    arrays = {"x": case.x, "a0": case.a0, "y": case.y, **case.parameters}
    if model.has_c:
        arrays["c0"] = case.c0
    before = {name: value.copy() for name, value in arrays.items()}
    da = upstream(case, 3)
    da_before = da.copy()
    _, _, _, caches = model.forward(case.x, case.a0, case.parameters, case.c0)
    model.backward(da, caches)
    model.loss_and_grads(case.x, case.y, case.a0, case.parameters, case.c0)
    for name, value in arrays.items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    np.testing.assert_array_equal(da, da_before)


# --- dtypes ------------------------------------------------------------------------


def everything(model, case):
    """Every array the public functions return for one case, by a descriptive name."""
    x, y, a0, c0, parameters = case.x, case.y, case.a0, case.c0, case.parameters
    T_x = x.shape[2]
    out = {}
    G = np.linspace(-1, 1, a0.size * T_x).reshape(a0.shape + (T_x,)).astype(x.dtype)

    a_next, c_next, yt_pred, cache = model.cell_forward(x[:, :, 0], a0, c0, parameters)
    out.update(a_next=a_next, yt_pred=yt_pred, c_next=c_next)
    step = model.cell_backward(G[:, :, 0], G[:, :, 1] if model.has_c else None, cache)
    out.update({f"cell {name}": value for name, value in step.items()})

    a, y_pred, c, caches = model.forward(x, a0, parameters, c0)
    out.update(a=a, y_pred=y_pred, c=c)
    out.update({f"sequence {name}": value for name, value in model.backward(G, caches).items()})

    loss, grads = model.loss_and_grads(x, y, a0, parameters, c0)
    out["loss"] = np.asarray(loss)
    out.update({f"loss {name}": value for name, value in grads.items()})
    return {name: value for name, value in out.items() if value is not None}


def test_float32_in_float32_out_matching_float64(model, make_case):
    case64 = make_case(model, 3, 4, n_y=3, m=2, T_x=4, seed=16)
    case32 = make_case(model, 3, 4, n_y=3, m=2, T_x=4, seed=16, dtype=np.float32)
    results64, results32 = everything(model, case64), everything(model, case32)
    assert set(results32) == set(results64)
    assert len(results32) > 20
    for name, value in results32.items():
        assert value.dtype == np.float32, f"{name} is {value.dtype}"
        assert results64[name].dtype == np.float64, f"{name} is {results64[name].dtype}"
        np.testing.assert_allclose(value, results64[name], **F32, err_msg=name)


def test_no_output_layer_gives_no_predictions(model, make_case):
    case = make_case(model, 3, 4, n_y=None, m=2, T_x=3, seed=17)
    assert model.output_weight not in case.parameters and "by" not in case.parameters
    assert model.forward(case.x, case.a0, case.parameters, case.c0)[1] is None
    assert model.cell_forward(case.x[:, :, 0], case.a0, case.c0, case.parameters)[2] is None


def test_predictions_are_the_softmax_of_the_output_layer(model, make_case):
    case = make_case(model, 3, 4, n_y=5, m=2, T_x=3, seed=18)
    a, y_pred, _, _ = model.forward(case.x, case.a0, case.parameters, case.c0)
    assert y_pred.shape == (5, 2, 3)
    Wy, by = case.parameters[model.output_weight], case.parameters["by"]
    for t in range(3):
        np.testing.assert_allclose(y_pred[:, :, t], naive_softmax(Wy @ a[:, :, t] + by), **EXACT)
    np.testing.assert_allclose(y_pred.sum(axis=0), 1.0, rtol=1e-14)


# --- activations -------------------------------------------------------------------

HUGE = [0.0, 1e-300, -1e-300, 1.0, -1.0, 30.0, -30.0, 750.0, -750.0, 1e10, -1e10, 1e308, -1e308]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_never_overflows(dtype):
    big = np.finfo(dtype).max
    x = np.array(HUGE + [big, -big], dtype=np.float64).clip(-big, big).astype(dtype)
    with np.errstate(all="raise"):
        s = rnnbook.sigmoid(x)
        s_neg = rnnbook.sigmoid(-x)
    assert s.dtype == dtype
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s + s_neg, 1.0, rtol=np.finfo(dtype).eps * 2)
    order = np.argsort(x)
    assert np.all(np.diff(s[order]) >= 0), "sigmoid is monotone"
    moderate = np.abs(x) < 30
    np.testing.assert_allclose(
        s[moderate], 1 / (1 + np.exp(-x[moderate].astype(np.float64))), rtol=4 * np.finfo(dtype).eps
    )
    assert s[x == big][0] == 1 and s[x == -big][0] == 0


def test_sigmoid_of_integers_is_a_float():
    np.testing.assert_allclose(rnnbook.sigmoid(np.array([0, 2])), [0.5, 1 / (1 + np.exp(-2))])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_never_overflows(dtype):
    big = np.finfo(dtype).max
    z = np.array(
        [[big, 0.0, -3.0, 1e4, 5.0], [-big, 1.0, -3.0, 0.0, 5.0], [0.0, 2.0, -3.0, -1e4, -big]],
        dtype=dtype,
    )
    with np.errstate(all="raise"):
        p = rnnbook.softmax(z)
        log_p = log_softmax(z)
    assert p.dtype == dtype and np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=2 * np.finfo(dtype).eps)
    np.testing.assert_array_equal(p.argmax(axis=0), z.argmax(axis=0))
    np.testing.assert_allclose(p[:, 0], [1, 0, 0])
    np.testing.assert_allclose(p[:, 2], 1 / 3, rtol=2 * np.finfo(dtype).eps)
    np.testing.assert_allclose(
        p[:, 1], naive_softmax(z[:, 1].astype(np.float64)), rtol=4 * np.finfo(dtype).eps
    )
    # log_softmax is finite wherever the scores are within a float's range of the maximum.
    assert np.all(np.isfinite(log_p[:, 1:4]))
    np.testing.assert_allclose(np.exp(log_p[:, 1]), p[:, 1], rtol=4 * np.finfo(dtype).eps)


def test_cross_entropy_of_a_confident_wrong_prediction_is_finite():
    """log_softmax, not log(softmax): a 1e4 gap costs 1e4, not inf."""
    logits = np.array([[1e4], [0.0]])[:, :, None]  # (n_y, m, T_x) = (2, 1, 1)
    # exp(-1e4) underflows to 0, rightly, so only the other three are errors here.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, dlogits = rnnbook.softmax_cross_entropy(logits, np.array([[1]]))
    np.testing.assert_allclose(loss, 1e4)
    np.testing.assert_allclose(dlogits[:, 0, 0], [1, -1])


# --- clipping ----------------------------------------------------------------------


@pytest.fixture
def grads():
    rng = np.random.default_rng(20)
    return {
        "dWax": 4 * rng.standard_normal((4, 3)),
        "dWaa": 4 * rng.standard_normal((4, 4)),
        "dba": 4 * rng.standard_normal((4, 1)),
    }


def test_clip_elementwise(grads):
    before = {name: value.copy() for name, value in grads.items()}
    clipped = clipping.clip_elementwise(grads, 5.0)
    assert set(clipped) == set(grads)
    for name, value in clipped.items():
        g = before[name]
        assert value.shape == g.shape and value.dtype == g.dtype
        assert np.abs(value).max() <= 5.0
        inside = np.abs(g) <= 5.0
        np.testing.assert_array_equal(value[inside], g[inside])
        np.testing.assert_array_equal(value[~inside], 5.0 * np.sign(g[~inside]))
        np.testing.assert_array_equal(grads[name], g)  # the input is left alone
    assert any((np.abs(g) > 5.0).any() for g in before.values()), "the test clips something"


def test_global_norm_is_the_norm_of_everything_together(grads):
    flat = np.concatenate([g.ravel() for g in grads.values()])
    np.testing.assert_allclose(clipping.global_norm(grads), np.linalg.norm(flat), rtol=1e-14)
    # Squaring 1e30 overflows a float32; global_norm squares in float64.
    huge = {name: (g * 1e30).astype(np.float32) for name, g in grads.items()}
    with np.errstate(all="raise"):
        np.testing.assert_allclose(
            clipping.global_norm(huge), 1e30 * np.linalg.norm(flat), rtol=1e-6
        )
    assert clipping.global_norm({"d": np.zeros(3)}) == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_by_global_norm_keeps_the_direction(grads, dtype):
    grads = {name: g.astype(dtype) for name, g in grads.items()}
    norm = clipping.global_norm(grads)
    max_norm = norm / 3
    clipped = clipping.clip_by_global_norm(grads, max_norm)
    np.testing.assert_allclose(clipping.global_norm(clipped), max_norm, rtol=1e-6)
    for name, value in clipped.items():
        assert value.dtype == dtype
        np.testing.assert_allclose(value, grads[name] / 3, rtol=1e-6)


def test_clip_by_global_norm_is_a_no_op_below_the_threshold(grads):
    norm = clipping.global_norm(grads)
    for max_norm in (norm, 2 * norm):
        clipped = clipping.clip_by_global_norm(grads, max_norm)
        for name, value in clipped.items():
            np.testing.assert_array_equal(value, grads[name])
    zeros = {"d": np.zeros((2, 2))}
    np.testing.assert_array_equal(clipping.clip_by_global_norm(zeros, 1.0)["d"], zeros["d"])


@pytest.mark.parametrize("threshold", [0, -1.0, float("nan"), float("inf")])
def test_clipping_thresholds_must_be_positive_and_finite(grads, threshold):
    with pytest.raises(ValueError, match="max_value must be a positive finite number"):
        clipping.clip_elementwise(grads, threshold)
    with pytest.raises(ValueError, match="max_norm must be a positive finite number"):
        clipping.clip_by_global_norm(grads, threshold)


def test_clipping_refuses_nan_gradients(grads):
    grads["dba"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        clipping.clip_by_global_norm(grads, 1.0)


# --- initialisers ------------------------------------------------------------------

INITS = {
    "rnn": (rnnbook.init_rnn_parameters, {"Wax": ("a", "x"), "Waa": ("a", "a"), "ba": ("a", 1)}),
    "lstm": (
        rnnbook.init_lstm_parameters,
        {f"{p}{g}": ("a", "a+x") if p == "W" else ("a", 1) for g in "fico" for p in "Wb"},
    ),
    "gru": (
        rnnbook.init_gru_parameters,
        {f"{p}{g}": ("a", "a+x") if p == "W" else ("a", 1) for g in "zrc" for p in "Wb"},
    ),
}


def expected_shape(symbols, n_x, n_a, n_y):
    sizes = {"a": n_a, "x": n_x, "a+x": n_a + n_x, "y": n_y, 1: 1}
    return tuple(sizes[s] for s in symbols)


@pytest.mark.parametrize("kind", sorted(INITS))
@pytest.mark.parametrize("n_y", [None, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initialiser_shapes_and_dtypes(kind, n_y, dtype):
    init, table = INITS[kind]
    n_x, n_a = 3, 5
    parameters = init(n_x, n_a, n_y, seed=1, dtype=dtype)
    table = dict(table)
    if n_y is not None:
        table.update({("Wya" if kind == "rnn" else "Wy"): ("y", "a"), "by": ("y", 1)})
    assert set(parameters) == set(table)
    for name, symbols in table.items():
        value = parameters[name]
        assert value.shape == expected_shape(symbols, n_x, n_a, n_y), name
        assert value.dtype == dtype, name
        if name.startswith("W"):
            assert np.abs(value).max() <= 1 / np.sqrt(n_a) and np.abs(value).max() > 0, name
            assert np.unique(value).size == value.size, f"{name} is random"
        elif name != "bf":
            assert not value.any(), f"{name} starts at zero"


@pytest.mark.parametrize("kind", sorted(INITS))
def test_initialiser_seeds(kind):
    init, _ = INITS[kind]
    first, again = init(3, 4, 2, seed=7), init(3, 4, 2, seed=7)
    other = init(3, 4, 2, seed=8)
    single = init(3, 4, 2, seed=7, dtype=np.float32)
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
        np.testing.assert_array_equal(single[name], first[name].astype(np.float32))
        if name.startswith("W"):
            assert not np.array_equal(first[name], other[name]), name


def test_lstm_forget_bias():
    assert np.all(rnnbook.init_lstm_parameters(3, 4)["bf"] == 1.0)
    assert np.all(rnnbook.init_lstm_parameters(3, 4, forget_bias=2.5)["bf"] == 2.5)
    assert np.all(rnnbook.init_lstm_parameters(3, 4, forget_bias=0.0)["bf"] == 0.0)
    for gate in "ico":
        assert not rnnbook.init_lstm_parameters(3, 4)["b" + gate].any()


def test_gru_reset_after_adds_bca():
    before = rnnbook.init_gru_parameters(3, 4, 2, seed=3)
    after = rnnbook.init_gru_parameters(3, 4, 2, reset_after=True, seed=3)
    assert set(after) - set(before) == {"bca"}
    assert after["bca"].shape == (4, 1) and not after["bca"].any()
    for name in before:
        np.testing.assert_array_equal(before[name], after[name])


@pytest.mark.parametrize("kind", sorted(INITS))
@pytest.mark.parametrize(
    "sizes, name, exception",
    [
        ((0, 4, None), "n_x", ValueError),
        ((3, -1, None), "n_a", ValueError),
        ((3, 4, 0), "n_y", ValueError),
        ((3.0, 4, None), "n_x", ValueError),
        ((3, True, None), "n_a", ValueError),
    ],
)
def test_initialiser_rejects_bad_sizes(kind, sizes, name, exception):
    with pytest.raises(exception, match=f"{name} must be a positive integer"):
        INITS[kind][0](*sizes)


@pytest.mark.parametrize("kind", sorted(INITS))
@pytest.mark.parametrize("dtype", [np.int64, np.float16, "complex128", "not a dtype"])
def test_initialiser_rejects_other_dtypes(kind, dtype):
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        INITS[kind][0](3, 4, dtype=dtype)
