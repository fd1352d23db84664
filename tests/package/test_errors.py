"""Bad input raises, and the message says what is wrong.

Every test asserts the exception type and the message's content: the
argument's name, the shape it has and the shape it needs.  Each model is
called through three entry points: the cell forward ("cell", whose arguments
are xt, a_prev, c_prev), the sequence forward ("sequence": x, a0, c0) and the
loss ("loss": x, y, a0, c0).
"""

import re

import numpy as np
import pytest

import rnnbook

N_X, N_A, N_Y, M, T_X = 3, 4, 3, 2, 5
ENTRIES = ["cell", "sequence", "loss"]


def expect(exception, call, *fragments):
    """Run call(), expect ``exception`` whose message contains every fragment."""
    with pytest.raises(exception) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def names(entry):
    """The argument names an entry point's messages use."""
    if entry == "cell":
        return {"x": "xt", "a0": "a_prev", "c0": "c_prev"}
    return {"x": "x", "a0": "a0", "c0": "c0"}


@pytest.fixture
def case(model, make_case):
    return make_case(model, N_X, N_A, N_Y, m=M, T_x=T_X, seed=30)


def arguments(model, entry, case):
    """The good arguments of an entry point, to be spoiled one at a time."""
    x = case.x[:, :, 0].copy() if entry == "cell" else case.x
    c0 = case.c0 if model.has_c else None
    return {"x": x, "a0": case.a0, "c0": c0, "y": case.y, "parameters": dict(case.parameters)}


def run(model, entry, args):
    if entry == "cell":
        return lambda: model.cell_forward(args["x"], args["a0"], args["c0"], args["parameters"])
    if entry == "sequence":
        return lambda: model.forward(args["x"], args["a0"], args["parameters"], args["c0"])
    return lambda: model.loss_and_grads(
        args["x"], args["y"], args["a0"], args["parameters"], args["c0"]
    )


def first_weight(model):
    return {"rnn": "Wax", "lstm": "Wf", "gru": "Wz"}[model.kind]


def first_bias(model):
    return {"rnn": "ba", "lstm": "bf", "gru": "bz"}[model.kind]


def required(model):
    if model.kind == "rnn":
        return ["Wax", "Waa", "ba"]
    gates = "fico" if model.kind == "lstm" else "zrc"
    keys = [f"{p}{g}" for g in gates for p in "Wb"]
    return keys + (["bca"] if model.reset_after else [])


# --- shapes ------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES)
def test_wrong_rank(model, case, entry):
    args = arguments(model, entry, case)
    x = args["x"]
    needed = "(n_x, m)" if entry == "cell" else "(n_x, m, T_x)"
    for bad in (x[..., None], x[0]):
        args["x"] = bad
        expect(
            ValueError,
            run(model, entry, args),
            f"{names(entry)['x']} has shape {bad.shape}",
            f"needs {x.ndim} axes {needed}",
        )
    args["x"] = x
    args["a0"] = case.a0[:, :, None]
    expect(
        ValueError,
        run(model, entry, args),
        f"{names(entry)['a0']} has shape {args['a0'].shape}",
        "needs 2 axes (n_a, m)",
    )


@pytest.mark.parametrize("entry", ENTRIES)
def test_n_x_of_the_input_and_the_weights_disagree(model, case, entry):
    args = arguments(model, entry, case)
    x = args["x"]
    args["x"] = np.concatenate([x, x[:1]], axis=0)  # n_x + 1 rows
    weight = first_weight(model)
    got = case.parameters[weight].shape
    if model.kind == "rnn":
        needed = f"(n_a, n_x) = ({N_A}, {N_X + 1})"
    else:
        needed = f"(n_a, n_a+n_x) = ({N_A}, {N_A + N_X + 1})"
    expect(
        ValueError,
        run(model, entry, args),
        f"parameters['{weight}'] has shape {got}",
        needed,
        f"n_x = {N_X + 1} from {names(entry)['x']}",
    )


@pytest.mark.parametrize("entry", ENTRIES)
def test_m_of_the_state_and_the_input_disagree(model, case, entry):
    args = arguments(model, entry, case)
    args["a0"] = case.a0[:, :1]  # would broadcast over the batch
    a0 = names(entry)["a0"]
    expect(
        ValueError,
        run(model, entry, args),
        f"{a0} has shape ({N_A}, 1)",
        f"needs (n_a, m) = (n_a, {M})",
        f"m = {M} from {names(entry)['x']}",
    )


@pytest.mark.parametrize("entry", ENTRIES)
def test_n_a_of_the_state_and_the_weights_disagree(model, case, entry):
    args = arguments(model, entry, case)
    args["a0"] = np.concatenate([case.a0, case.a0[:1]])  # n_a + 1 rows
    if model.has_c:
        args["c0"] = np.concatenate([case.c0, case.c0[:1]])
    weight = first_weight(model)
    expect(
        ValueError,
        run(model, entry, args),
        f"parameters['{weight}'] has shape {case.parameters[weight].shape}",
        f"= ({N_A + 1}, ",
        f"n_a = {N_A + 1} from {names(entry)['a0']}",
    )


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("columns", [1, M + 1])
def test_lstm_cell_state_of_the_wrong_shape(models, make_case, entry, columns):
    model = models["lstm"]
    case = make_case(model, N_X, N_A, N_Y, m=M, T_x=T_X, seed=31)
    args = arguments(model, entry, case)
    args["c0"] = np.ones((N_A, columns))
    expect(
        ValueError,
        run(model, entry, args),
        f"{names(entry)['c0']} has shape ({N_A}, {columns})",
        f"needs (n_a, m) = ({N_A}, {M})",
    )


def test_lstm_cell_forward_needs_a_cell_state(models, make_case):
    case = make_case(models["lstm"], N_X, N_A, m=M, T_x=1, seed=32)
    expect(
        TypeError,
        lambda: rnnbook.lstm_cell_forward(case.x[:, :, 0], case.a0, None, case.parameters),
        "c_prev must be a numpy array, got NoneType",
    )


@pytest.mark.parametrize("entry", ["cell", "sequence"])
def test_would_be_broadcasts_raise(model, case, entry):
    """Shapes numpy would happily broadcast into a wrong answer."""
    bias, weight = first_bias(model), model.output_weight
    spoiled = [
        (bias, np.zeros(N_A), f"parameters['{bias}'] has shape ({N_A},)", "needs 2 axes (n_a, 1)"),
        (bias, np.zeros((1, 1)), "has shape (1, 1)", f"(n_a, 1) = ({N_A}, 1)"),
        (bias, np.zeros((N_A, M)), f"has shape ({N_A}, {M})", f"(n_a, 1) = ({N_A}, 1)"),
        ("by", np.zeros(N_Y), f"parameters['by'] has shape ({N_Y},)", "needs 2 axes (n_y, 1)"),
        ("by", np.zeros((1, 1)), "parameters['by'] has shape (1, 1)", f"= ({N_Y}, 1)"),
        # A one-row output weight fixes n_y = 1, and the bias disagrees.
        (
            weight,
            np.zeros((1, N_A)),
            f"parameters['by'] has shape ({N_Y}, 1)",
            f"(n_y, 1) = (1, 1) (n_y = 1 from parameters['{weight}'])",
        ),
        (
            weight,
            np.zeros((N_Y, 1)),
            f"parameters['{weight}'] has shape ({N_Y}, 1)",
            f"(n_y, n_a) = (n_y, {N_A}) (n_a = {N_A} from",
        ),
    ]
    for key, value, *fragments in spoiled:
        args = arguments(model, entry, case)
        args["parameters"][key] = value
        expect(ValueError, run(model, entry, args), *fragments)
    args = arguments(model, entry, case)
    args["x"] = args["x"][:, :1]  # one sample against a state for M
    expect(
        ValueError,
        run(model, entry, args),
        f"{names(entry)['a0']} has shape ({N_A}, {M})",
        f"= (n_a, 1) (m = 1 from {names(entry)['x']})",
    )


@pytest.mark.parametrize("entry", ["sequence", "loss"])
def test_empty_axes_raise(model, case, entry):
    args = arguments(model, entry, case)
    args["x"] = case.x[:, :, :0]
    args["y"] = case.y[:, :0]
    expect(ValueError, run(model, entry, args), "x has shape (3, 2, 0)", "needs at least one entry")


# --- parameters --------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES)
def test_missing_parameter(model, case, entry):
    for key in required(model):
        args = arguments(model, entry, case)
        del args["parameters"][key]
        expect(
            ValueError,
            run(model, entry, args),
            f"parameters is missing '{key}'",
            "this model needs " + ", ".join(required(model)),
        )


@pytest.mark.parametrize("entry", ["cell", "sequence"])
def test_half_an_output_layer(model, case, entry):
    weight = model.output_weight
    for present, absent in ((weight, "by"), ("by", weight)):
        args = arguments(model, entry, case)
        del args["parameters"][absent]
        expect(
            ValueError,
            run(model, entry, args),
            f"parameters has '{present}' but not '{absent}'; the output layer needs both",
        )


def test_the_loss_needs_an_output_layer(model, case):
    args = arguments(model, "loss", case)
    del args["parameters"][model.output_weight], args["parameters"]["by"]
    message = expect(
        ValueError, run(model, "loss", args), f"parameters is missing '{model.output_weight}', 'by'"
    )
    assert "(and  for" not in message
    args = arguments(model, "loss", case)
    del args["parameters"]["by"]
    expect(ValueError, run(model, "loss", args), "parameters is missing 'by'")


@pytest.mark.parametrize("entry", ENTRIES)
def test_parameters_must_be_a_dict(model, case, entry):
    args = arguments(model, entry, case)
    args["parameters"] = list(case.parameters.values())
    expect(TypeError, run(model, entry, args), "parameters must be a dict, got list")


# --- types and values --------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_not_an_array(model, case, entry):
    args = arguments(model, entry, case)
    args["x"] = args["x"].tolist()
    expect(
        TypeError, run(model, entry, args), f"{names(entry)['x']} must be a numpy array, got list"
    )
    args = arguments(model, entry, case)
    args["a0"] = np.asmatrix(case.a0)  # * would be a matrix product
    expect(TypeError, run(model, entry, args), f"{names(entry)['a0']} must be a numpy array")
    args = arguments(model, entry, case)
    weight = first_weight(model)
    args["parameters"][weight] = case.parameters[weight].tolist()
    expect(
        TypeError,
        run(model, entry, args),
        f"parameters['{weight}'] must be a numpy array, got list",
    )


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float16, np.complex128])
def test_not_a_float_array(model, case, entry, dtype):
    args = arguments(model, entry, case)
    args["x"] = args["x"].astype(dtype)
    expect(
        TypeError,
        run(model, entry, args),
        f"{names(entry)['x']} must have dtype float32 or float64, got {np.dtype(dtype)}",
    )
    args = arguments(model, entry, case)
    bias = first_bias(model)
    args["parameters"][bias] = case.parameters[bias].astype(dtype)
    expect(
        TypeError,
        run(model, entry, args),
        f"parameters['{bias}'] must have dtype float32 or float64, got {np.dtype(dtype)}",
    )


@pytest.mark.parametrize("entry", ENTRIES)
def test_mixed_float_dtypes(model, case, entry):
    args = arguments(model, entry, case)
    args["a0"] = case.a0.astype(np.float32)
    expect(
        TypeError,
        run(model, entry, args),
        f"{names(entry)['a0']} has dtype float32 but {names(entry)['x']} has float64",
        "use one float dtype",
    )
    args = arguments(model, entry, case)
    args["parameters"][model.output_weight] = case.parameters[model.output_weight].astype(
        np.float32
    )
    expect(
        TypeError,
        run(model, entry, args),
        f"parameters['{model.output_weight}'] has dtype float32 but",
    )


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_reported(model, case, entry, bad):
    places = ["x", "a0", first_weight(model), "by"] + (["c0"] if model.has_c else [])
    for where in places:
        args = arguments(model, entry, case)
        if where in ("x", "a0", "c0"):
            array, name = args[where].copy(), names(entry)[where]
            args[where] = array
        else:
            array, name = case.parameters[where].copy(), f"parameters['{where}']"
            args["parameters"][where] = array
        index = tuple(size - 1 for size in array.shape)
        array[index] = bad
        kind = "NaN" if np.isnan(bad) else "inf"
        expect(
            ValueError,
            run(model, entry, args),
            f"{name} contains {kind} (1 of {array.size} entries, the first at index {index})",
        )


def test_nan_and_inf_together(models, make_case):
    case = make_case(models["rnn"], N_X, N_A, m=M, T_x=T_X, seed=33)
    x = case.x.copy()
    x[0, 0, 1], x[1, 1, 0] = np.inf, np.nan
    expect(
        ValueError,
        lambda: rnnbook.rnn_forward(x, case.a0, case.parameters),
        "x contains NaN and inf (2 of 30 entries, the first at index (0, 0, 1))",
    )


# --- backward ----------------------------------------------------------------------


def cell_backward_call(model, da_next, dc_next, cache):
    return lambda: model.cell_backward(da_next, dc_next, cache)


def test_cell_backward_upstream_of_the_wrong_shape(model, case):
    _, c_next, _, cache = model.cell_forward(case.x[:, :, 0], case.a0, case.c0, case.parameters)
    good = np.ones((N_A, M))
    dc = good if model.has_c else None
    for bad in (np.ones((N_A, 1)), np.ones((N_A,)), np.ones((N_A + 1, M)), np.ones((N_A, M, 1))):
        expect(
            ValueError,
            cell_backward_call(model, bad, dc, cache),
            f"da_next has shape {bad.shape}",
            f"needs the shape of a_next, (n_a, m) = ({N_A}, {M})",
        )
    expect(TypeError, cell_backward_call(model, 1.0, dc, cache), "da_next must be a numpy array")
    expect(
        TypeError,
        cell_backward_call(model, good.astype(np.float32), dc, cache),
        "da_next has dtype float32 but a_next has float64",
    )
    expect(
        TypeError,
        cell_backward_call(model, good.astype(int), dc, cache),
        "da_next must have dtype float32 or float64, got int",
    )
    if model.has_c:
        expect(
            ValueError,
            cell_backward_call(model, good, np.ones((N_A, 1)), cache),
            f"dc_next has shape ({N_A}, 1)",
            f"needs the shape of c_next, (n_a, m) = ({N_A}, {M})",
        )
        expect(
            TypeError, cell_backward_call(model, good, None, cache), "dc_next must be a numpy array"
        )
    nan = good.copy()
    nan[0, 0] = np.nan
    expect(ValueError, cell_backward_call(model, nan, dc, cache), "da_next contains NaN")


def test_sequence_backward_upstream_of_the_wrong_shape(model, case):
    _, _, _, caches = model.forward(case.x, case.a0, case.parameters, case.c0)
    needed = f"needs the shape of the hidden states, (n_a, m, T_x) = ({N_A}, {M}, {T_X})"
    for shape in ((N_A, M, T_X - 1), (N_A, M), (N_A, 1, T_X), (1, M, T_X), (N_A, M, T_X, 1)):
        expect(
            ValueError,
            lambda shape=shape: model.backward(np.ones(shape), caches),
            f"da has shape {shape}",
            needed,
        )
    good = np.ones((N_A, M, T_X))
    expect(TypeError, lambda: model.backward(good.tolist(), caches), "da must be a numpy array")
    expect(
        TypeError,
        lambda: model.backward(good.astype(np.float32), caches),
        "x (caches[1]) has dtype float64 but da has float32",
    )
    expect(
        TypeError,
        lambda: model.backward(good.astype(np.int64), caches),
        "da must have dtype float32 or float64, got int64",
    )
    good[1, 1, 1] = np.inf
    expect(ValueError, lambda: model.backward(good, caches), "da contains inf")


def test_bad_caches(model, case):
    _, _, _, caches = model.forward(case.x, case.a0, case.parameters, case.c0)
    cells, x = caches
    da = np.ones((N_A, M, T_X))
    pair = "caches must be the (list of cell caches, x) pair that the forward returned"
    bad_pairs = [
        (cells, "got a list of length 5"),
        (cells[0], "got a tuple of length"),
        (([], x), "got a tuple of length 2"),
        ((cells, x, None), "got a tuple of length 3"),
        (None, "got NoneType"),
    ]
    for bad, got in bad_pairs:
        expect(TypeError, lambda bad=bad: model.backward(da, bad), pair, got)
    expect(
        TypeError,
        lambda: model.backward(da, (cells[:2] + ["junk"] + cells[3:], x)),
        "caches[0][2] is not a cell cache like caches[0][0]",
    )
    expect(
        ValueError,
        lambda: model.backward(da, (cells, x[:, :, :2])),
        f"caches[1] (the input x) has shape ({N_X}, {M}, 2)",
        f"the {T_X} cell caches need (n_x, m, T_x) = (n_x, {M}, {T_X})",
    )
    expect(
        ValueError,
        lambda: model.backward(da[:, :, :2], (cells[:2], x)),
        f"caches[1] (the input x) has shape ({N_X}, {M}, {T_X})",
    )


def test_caches_of_another_model(model, models, make_case):
    """Another model's caches have the right structure but not the right items:
    the error says whose they are, at the sequence level and at the cell level."""
    da = np.ones((N_A, M, T_X))
    for other in models.values():
        if other.kind == model.kind:
            continue
        case = make_case(other, N_X, N_A, m=M, T_x=T_X, seed=36)
        caches = other.forward(case.x, case.a0, case.parameters, case.c0)[-1]
        expect(
            TypeError,
            lambda: model.backward(da, caches),
            f"caches must be what {model.kind}_forward returned, "
            f"got the caches of {other.kind}_forward",
        )
        items = {"rnn": 4, "lstm": 10, "gru": 9}[model.kind]
        expect(
            TypeError,
            lambda: model.cell_backward(da[:, :, 0], da[:, :, 0], caches[0][0]),
            f"cache must be the tuple of {items} that {model.kind}_cell_forward returned, "
            f"got the cache of {other.kind}_cell_forward",
        )
    expect(
        TypeError,
        lambda: model.cell_backward(da[:, :, 0], da[:, :, 0], [1, 2]),
        f"{model.kind}_cell_forward returned, got a list of length 2",
    )


# --- labels ------------------------------------------------------------------------


def test_bad_labels(model, case):
    args = arguments(model, "loss", case)
    y = case.y
    spoiled = [
        (y.astype(np.float64), TypeError, "y must hold integer class labels, got dtype float64"),
        (y.astype(bool), TypeError, "y must hold integer class labels, got dtype bool"),
        (y.tolist(), TypeError, "y must be a numpy array of integer labels, got list"),
        (y.T.copy(), ValueError, f"y has shape ({T_X}, {M}), but it needs (m, T_x) = ({M}, {T_X})"),
        (y[:, :1], ValueError, f"y has shape ({M}, 1), but it needs (m, T_x) = ({M}, {T_X})"),
        (y[0], ValueError, f"y has shape ({T_X},), but it needs (m, T_x) = ({M}, {T_X})"),
        (np.full_like(y, N_Y), ValueError, f"y holds labels outside [0, n_y) = [0, {N_Y})"),
        (np.full_like(y, -1), ValueError, "y holds labels outside [0, n_y)", "min -1"),
    ]
    for bad, exception, *fragments in spoiled:
        args["y"] = bad
        expect(exception, run(model, "loss", args), *fragments)


# --- GRU options -------------------------------------------------------------------


@pytest.mark.parametrize("flag", [1, 0, "True", None, np.array(True)])
def test_reset_after_must_be_a_bool(models, make_case, flag):
    case = make_case(models["gru_reset_after"], N_X, N_A, N_Y, m=M, T_x=T_X, seed=34)
    x, y, a0, parameters = case.x, case.y, case.a0, case.parameters
    calls = [
        lambda: rnnbook.gru_cell_forward(x[:, :, 0], a0, parameters, reset_after=flag),
        lambda: rnnbook.gru_forward(x, a0, parameters, reset_after=flag),
        lambda: rnnbook.gru_loss_and_grads(x, y, a0, parameters, reset_after=flag),
        lambda: rnnbook.init_gru_parameters(N_X, N_A, reset_after=flag),
    ]
    for call in calls:
        expect(TypeError, call, f"reset_after must be True or False, got {flag!r}")


def test_reset_after_parameters_need_bca(models, make_case):
    case = make_case(models["gru_reset_before"], N_X, N_A, m=M, T_x=T_X, seed=35)
    expect(
        ValueError,
        lambda: rnnbook.gru_forward(case.x, case.a0, case.parameters, reset_after=True),
        "parameters is missing 'bca'",
    )


def test_reset_before_refuses_bca(models, make_case):
    """bca belongs to the reset_after form; the other form would silently ignore it."""
    case = make_case(models["gru_reset_after"], N_X, N_A, N_Y, m=M, T_x=T_X, seed=37)
    x, y, a0, parameters = case.x, case.y, case.a0, case.parameters
    calls = [
        lambda: rnnbook.gru_cell_forward(x[:, :, 0], a0, parameters, reset_after=False),
        lambda: rnnbook.gru_forward(x, a0, parameters, reset_after=False),
        lambda: rnnbook.gru_loss_and_grads(x, y, a0, parameters, reset_after=False),
        lambda: rnnbook.fast.gru_forward(x, a0, parameters, reset_after=False),
    ]
    for call in calls:
        expect(ValueError, call, "parameters has 'bca', which only the reset_after=True form uses")


# --- the gradient checker ----------------------------------------------------------


def test_gradient_checker_errors():
    array = np.arange(3)
    expect(
        TypeError,
        lambda: rnnbook.numerical_gradient(lambda: 0.0, array),
        "array must be a float numpy array",
        "got int64",
    )
    expect(
        ValueError,
        lambda: rnnbook.relative_error(np.zeros((2, 3)), np.zeros((3, 2))),
        "analytic has shape (2, 3) but numeric has shape (3, 2)",
    )
    expect(
        ValueError,
        lambda: rnnbook.gradient_check(lambda: 0.0, {"W": np.zeros(2)}, {"dV": np.zeros(2)}),
        "grads has no 'dW' to compare with arrays['W']",
    )


def test_messages_do_not_leak_numpy_broadcast_errors(model, case):
    """A mismatch is caught by the checks, before numpy can complain in its own words."""
    args = arguments(model, "sequence", case)
    args["parameters"][first_weight(model)] = case.parameters[first_weight(model)][:, :-1]
    message = expect(ValueError, run(model, "sequence", args), "parameters[")
    assert not re.search(r"operands could not be broadcast|matmul", message)
