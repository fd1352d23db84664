"""rnnbook.fast computes what the textbook functions compute.

For every model (RNN, LSTM, both GRU forms), several shapes (T_x = 1 and
m = 1 among them) and both float dtypes: the hidden states, the cell states,
the predictions and every gradient of the fast functions equal the textbook
ones, to 1e-12 in float64 and to float32's precision in float32, each array
measured against its largest entry.  Bad arguments raise what the textbook
functions raise, with the same message.
"""

import numpy as np
import pytest

import rnnbook
from rnnbook import fast

# (n_x, n_a, n_y, m, T_x): T_x = 1 and m = 1 on their own and together, n_a
# smaller and larger than n_x, with and without an output layer.
SHAPES = [
    (3, 4, 3, 2, 5),
    (5, 7, None, 1, 1),
    (4, 6, 2, 3, 1),
    (2, 5, None, 1, 7),
    (6, 3, 4, 5, 4),
    (8, 16, 5, 4, 30),
]
# Relative to each array's largest entry.  float64: sums taken in another
# order, over up to 30 steps.  float32: a few dozen units of float32's epsilon.
TOLERANCE = {np.float64: 1e-12, np.float32: 64 * float(np.finfo(np.float32).eps)}


def fast_forward(model, x, a0, parameters, c0=None):
    """-> (a, y_pred, c or None, cache), like conftest's Model.forward."""
    if model.kind == "rnn":
        a, y_pred, cache = fast.rnn_forward(x, a0, parameters)
        return a, y_pred, None, cache
    if model.kind == "lstm":
        return fast.lstm_forward(x, a0, parameters, c0=c0)
    a, y_pred, cache = fast.gru_forward(x, a0, parameters, reset_after=model.reset_after)
    return a, y_pred, None, cache


def fast_backward(model, da, cache):
    return getattr(fast, f"{model.kind}_backward")(da, cache)


def assert_close(ours, reference, dtype, what):
    assert isinstance(ours, np.ndarray), f"{what}: {type(ours).__name__}"
    assert ours.shape == reference.shape, f"{what}: shape {ours.shape} != {reference.shape}"
    assert ours.dtype == reference.dtype == dtype, f"{what}: dtype {ours.dtype}"
    scale = float(np.abs(reference).max())
    np.testing.assert_allclose(
        ours, reference, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype] * scale, err_msg=what
    )


def shape_id(shape):
    return "n_x={},n_a={},n_y={},m={},T_x={}".format(*shape)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_fast_equals_textbook(model, make_case, shape, dtype):
    n_x, n_a, n_y, m, T_x = shape
    case = make_case(model, n_x, n_a, n_y, m=m, T_x=T_x, seed=sum(shape[:2]) + m, dtype=dtype)
    x, a0, c0, parameters = case.x, case.a0, case.c0, case.parameters
    before = {"x": x.copy(), "a0": a0.copy(), **{k: v.copy() for k, v in parameters.items()}}

    a, y_pred, c, caches = model.forward(x, a0, parameters, c0)
    fa, fy_pred, fc, cache = fast_forward(model, x, a0, parameters, c0)
    assert_close(fa, a, dtype, "a")
    if n_y is None:
        assert fy_pred is None and y_pred is None
    else:
        assert_close(fy_pred, y_pred, dtype, "y_pred")
    if model.has_c:
        assert_close(fc, c, dtype, "c")

    da = case.rng.standard_normal(a.shape).astype(dtype)
    da_before = da.copy()
    grads = model.backward(da, caches)
    fgrads = fast_backward(model, da, cache)
    assert list(fgrads) == list(grads), "the same keys, in the same order"
    for name in grads:
        assert_close(fgrads[name], grads[name], dtype, name)

    # Nothing the caller passed in was changed, and the cache can be used again.
    np.testing.assert_array_equal(da, da_before)
    for name, value in before.items():
        now = x if name == "x" else a0 if name == "a0" else parameters[name]
        np.testing.assert_array_equal(now, value, err_msg=name)
    again = fast_backward(model, da, cache)
    for name in grads:
        np.testing.assert_array_equal(again[name], fgrads[name], err_msg=name)


def test_fast_lstm_c0_none_means_zeros(models, make_case):
    case = make_case(models["lstm"], 3, 4, 2, m=2, T_x=3, seed=5)
    zeros = np.zeros_like(case.a0)
    ours = fast.lstm_forward(case.x, case.a0, case.parameters)
    with_zeros = fast.lstm_forward(case.x, case.a0, case.parameters, c0=zeros)
    for one, other in zip(ours[:3], with_zeros[:3]):
        np.testing.assert_array_equal(one, other)
    da = case.rng.standard_normal(ours[0].shape)
    np.testing.assert_array_equal(
        fast.lstm_backward(da, ours[3])["dc0"], fast.lstm_backward(da, with_zeros[3])["dc0"]
    )


def test_saturated_gates_stay_finite_and_agree(model, make_case):
    """Pre-activations of +-800 overflow a naive exp; tanh(s / 2) does not."""
    case = make_case(model, 3, 4, 2, m=2, T_x=4, seed=6)
    x = case.x * 400
    with np.errstate(all="raise"):
        a, y_pred, c, _ = fast_forward(model, x, case.a0, case.parameters, case.c0)
    reference = model.forward(x, case.a0, case.parameters, case.c0)
    assert np.all(np.isfinite(a))
    assert_close(a, reference[0], np.float64, "a")


def test_every_array_is_a_fresh_contiguous_array(model, make_case):
    case = make_case(model, 3, 4, 3, m=2, T_x=3, seed=7)
    a, y_pred, c, cache = fast_forward(model, case.x, case.a0, case.parameters, case.c0)
    grads = fast_backward(model, np.ones_like(a), cache)
    arrays = {"a": a, "y_pred": y_pred, **grads}
    if c is not None:
        arrays["c"] = c
    for name, value in arrays.items():
        assert value.flags.c_contiguous, name
        assert not np.shares_memory(value, case.x) and not np.shares_memory(value, case.a0), name


# --- bad arguments ------------------------------------------------------------------


def outcome(call):
    """(exception type, message) of call(), or (None, None) when it returns."""
    try:
        call()
    except (TypeError, ValueError) as error:
        return type(error), str(error)
    return None, None


def spoilers(model, case):
    """(what, arguments) pairs, each with one argument spoiled."""
    parameters = dict(case.parameters)
    good = {"x": case.x, "a0": case.a0, "c0": case.c0, "parameters": parameters}
    weight = {"rnn": "Wax", "lstm": "Wf", "gru": "Wz"}[model.kind]

    def without(key):
        return {k: v for k, v in parameters.items() if k != key}

    nan = case.x.copy()
    nan[0, 0, -1] = np.nan
    spoiled = [
        ("x 2-d", {"x": case.x[:, :, 0]}),
        ("x list", {"x": case.x.tolist()}),
        ("x int", {"x": case.x.astype(int)}),
        ("x NaN", {"x": nan}),
        ("a0 shape", {"a0": case.a0[:-1]}),
        ("a0 float32", {"a0": case.a0.astype(np.float32)}),
        ("weight shape", {"parameters": {**parameters, weight: parameters[weight][:, 1:]}}),
        ("weight missing", {"parameters": without(weight)}),
        ("parameters list", {"parameters": list(parameters.values())}),
        ("output half", {"parameters": without("by")}),
    ]
    if model.has_c:
        spoiled.append(("c0 shape", {"c0": case.c0[:, :1]}))
    return [(what, {**good, **change}) for what, change in spoiled]


def test_forward_errors_are_the_textbook_errors(model, make_case):
    case = make_case(model, 3, 4, 2, m=3, T_x=4, seed=8)
    for what, args in spoilers(model, case):
        arguments = (args["x"], args["a0"], args["parameters"], args["c0"])
        ours = outcome(lambda: fast_forward(model, *arguments))
        theirs = outcome(lambda: model.forward(*arguments))
        assert theirs[0] is not None, what
        assert ours == theirs, what


@pytest.mark.parametrize("flag", [1, "yes", None])
def test_gru_reset_after_must_be_a_bool(make_case, models, flag):
    case = make_case(models["gru_reset_before"], 3, 4, None, m=2, T_x=3, seed=9)
    ours = outcome(lambda: fast.gru_forward(case.x, case.a0, case.parameters, reset_after=flag))
    theirs = outcome(
        lambda: rnnbook.gru_forward(case.x, case.a0, case.parameters, reset_after=flag)
    )
    assert ours == theirs and ours[0] is TypeError


def test_backward_errors_read_as_the_textbook_errors(model, make_case):
    case = make_case(model, 3, 4, None, m=2, T_x=3, seed=10)
    a, _, _, caches = model.forward(case.x, case.a0, case.parameters, case.c0)
    _, _, _, cache = fast_forward(model, case.x, case.a0, case.parameters, case.c0)
    nan = np.ones_like(a)
    nan[1, 1, 1] = np.inf
    for what, da in [("shape", a[:, :, :-1]), ("list", a.tolist()), ("inf", nan)]:
        ours = outcome(lambda: fast_backward(model, da, cache))
        theirs = outcome(lambda: model.backward(da, caches))
        assert theirs[0] is not None, what
        assert ours == theirs, what

    kind, message = outcome(lambda: fast_backward(model, np.ones_like(a, dtype=np.float32), cache))
    assert kind is TypeError and "da has dtype float32" in message

    # The textbook's caches are not the fast ones, nor is another model's cache.
    kind, message = outcome(lambda: fast_backward(model, np.ones_like(a), caches))
    assert kind is TypeError and f"rnnbook.fast.{model.kind}_forward" in message
    other = "lstm" if model.kind != "lstm" else "rnn"
    init = {"rnn": rnnbook.init_rnn_parameters, "lstm": rnnbook.init_lstm_parameters}[other]
    other_cache = getattr(fast, f"{other}_forward")(case.x, case.a0, init(3, 4))[-1]
    kind, message = outcome(lambda: fast_backward(model, np.ones_like(a), other_cache))
    assert kind is TypeError and f"rnnbook.fast.{other}_forward" in message


def test_the_cache_says_what_it_holds(models, make_case):
    case = make_case(models["gru_reset_after"], 3, 4, None, m=2, T_x=5, seed=11)
    *_, cache = fast.gru_forward(case.x, case.a0, case.parameters, reset_after=True)
    assert repr(cache) == "<rnnbook.fast.Cache gru, reset_after=True: n_a=4, m=2, T_x=5>"


@pytest.mark.parametrize(
    "span_columns, chunk_bytes",
    [(1, 1), (1, 10**9), (6, 1), (6, 3 * 4 * 6 * 3 * 8), (10**9, 1), (10**9, 3 * 4 * 6 * 3 * 8)],
)
def test_backward_in_spans_and_parts_equals_textbook(
    model, make_case, monkeypatch, span_columns, chunk_bytes
):
    """The backward goes through the steps in spans (one product each for the
    weight gradients) and the spans in parts (one pass each for the factors).

    With m = 3 samples, SPAN_COLUMNS 1 makes every step a span, 6 makes spans
    of two steps and 10**9 one span; CHUNK_BYTES 1 makes every step a part,
    the other values parts of three steps or the whole span.  T_x = 8 leaves
    a shorter span and part at the end.
    """
    monkeypatch.setattr(fast, "SPAN_COLUMNS", span_columns)
    monkeypatch.setattr(fast, "CHUNK_BYTES", chunk_bytes)
    case = make_case(model, 4, 6, None, m=3, T_x=8, seed=12)
    a, _, c, caches = model.forward(case.x, case.a0, case.parameters, case.c0)
    *_, cache = fast_forward(model, case.x, case.a0, case.parameters, case.c0)
    da = case.rng.standard_normal(a.shape)
    grads, fgrads = model.backward(da, caches), fast_backward(model, da, cache)
    for name in grads:
        assert_close(fgrads[name], grads[name], np.float64, name)


def test_backward_plan_covers_every_step_once():
    for T_x, m, step_bytes in [(1, 1, 8), (8, 3, 1), (100, 64, 2**20), (50, 16, 4096), (7, 2000, 1)]:
        plan = fast.backward_plan(T_x, m, step_bytes)
        spans = [span for span, _ in plan]
        # From the last step back, without gaps or overlaps.
        assert [t for span in reversed(spans) for t in range(span.start, span.stop)] == list(
            range(T_x)
        )
        for span, parts in plan:
            length = span.stop - span.start
            assert [t for part in reversed(parts) for t in range(part.start, part.stop)] == list(
                range(length)
            )
            # A span has enough columns for a wide product, unless the sequence ends first.
            assert length * m >= fast.SPAN_COLUMNS or span.start == 0 or span.stop == T_x


# --- the buffer pool ----------------------------------------------------------------


@pytest.fixture
def pool(monkeypatch):
    """A pool of its own for the test, keeping buffers of any size."""
    pool = fast.BufferPool(limit_bytes=2**26, min_bytes=0)
    monkeypatch.setattr(fast, "POOL", pool)
    return pool


def address(array):
    return array.__array_interface__["data"][0]


def test_buffers_come_back_and_leftovers_do_not_leak_into_results(model, make_case, pool):
    case = make_case(model, 4, 6, 3, m=3, T_x=5, seed=13)
    reference = model.forward(case.x, case.a0, case.parameters, case.c0)
    da = case.rng.standard_normal(reference[0].shape)
    reference_grads = model.backward(da, reference[-1])

    *_, cache = fast_forward(model, case.x, case.a0, case.parameters, case.c0)
    fast_backward(model, da, cache)  # its scratch buffers go back to the pool at once
    scratch = pool.nbytes
    assert scratch > 0
    Z = address(cache.arrays["Z"] if "Z" in cache.arrays else cache.arrays["H"])
    del cache  # the forward's buffers go back too
    assert pool.nbytes > scratch
    # Whatever the buffers hold is left over from the last call: spoil it.
    for buffers in pool._free.values():
        for buffer in buffers:
            buffer.fill(np.nan)

    a, y_pred, c, cache = fast_forward(model, case.x, case.a0, case.parameters, case.c0)
    assert address(cache.arrays["Z"] if "Z" in cache.arrays else cache.arrays["H"]) == Z
    grads = fast_backward(model, da, cache)
    assert_close(a, reference[0], np.float64, "a")
    assert_close(y_pred, reference[1], np.float64, "y_pred")
    if c is not None:
        assert_close(c, reference[2], np.float64, "c")
    for name in reference_grads:
        assert_close(grads[name], reference_grads[name], np.float64, name)


def test_a_buffer_still_held_is_not_reused(models, make_case, pool):
    case = make_case(models["lstm"], 4, 6, None, m=3, T_x=5, seed=14)
    *_, cache = fast.lstm_forward(case.x, case.a0, case.parameters)
    kept_states = cache.arrays["H"][1:]  # a view: it keeps H alive
    expected = kept_states.copy()
    H = address(cache.arrays["H"])
    del cache
    assert all(address(b) != H for buffers in pool._free.values() for b in buffers)
    *_, cache = fast.lstm_forward(case.x * 2, case.a0, case.parameters)
    assert address(cache.arrays["H"]) != H
    np.testing.assert_array_equal(kept_states, expected)


def test_pool_take_give_limit_clear():
    pool = fast.BufferPool(limit_bytes=1000, min_bytes=100)
    small = pool.take((4,), np.float64)  # 32 bytes: below min_bytes, never kept
    pool.give(small)
    assert pool.nbytes == 0
    first = pool.take((50,), np.float64)  # 400 bytes
    pool.give(first)
    assert pool.nbytes == 400
    assert pool.take((50,), np.float64) is first  # same shape and dtype: the kept one
    assert pool.take((50,), np.float64) is not first  # and only once
    assert pool.take((50,), np.float32) is not first
    pool.give(first)
    pool.give(np.empty(50))
    assert pool.nbytes == 800
    pool.give(np.empty(60))  # 480 more would pass the limit: the others go first
    assert pool.nbytes == 480
    pool.give(np.empty(200))  # larger than the limit on its own: not kept
    assert pool.nbytes == 480
    pool.clear()
    assert pool.nbytes == 0
