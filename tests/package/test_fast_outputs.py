"""What rnnbook.fast hands back can never corrupt what its backward reads.

A reader may change the states a forward returned (``a *= mask``, say) before
calling the backward, or update a parameter in place in between.  The fast
functions must behave exactly as the textbook ones do: the returned arrays are
the caller's own, and the backward reads the parameters as they are when it
runs.  And a masked array is refused by both, since neither honours a mask.
"""

import numpy as np
import pytest

import rnnbook
from test_fast import assert_close, fast_backward, fast_forward

# T_x = 1, m = 1 and n_a = 1 on their own (there the transposed states were a
# view of the cache's memory), all three together, and an ordinary shape.
SHAPES = [
    (3, 4, 2, 2, 1),
    (3, 4, 2, 1, 5),
    (3, 1, 2, 1, 4),
    (2, 1, None, 1, 1),
    (4, 5, 3, 3, 6),
]


def shape_id(shape):
    return "n_x={},n_a={},n_y={},m={},T_x={}".format(*shape)


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_changing_the_returned_arrays_leaves_the_gradients_alone(model, make_case, shape):
    n_x, n_a, n_y, m, T_x = shape
    case = make_case(model, n_x, n_a, n_y, m=m, T_x=T_x, seed=3)
    da = case.rng.standard_normal((n_a, m, T_x))

    *_, cache = fast_forward(model, case.x, case.a0, case.parameters, case.c0)
    reference = fast_backward(model, da, cache)

    returned = fast_forward(model, case.x, case.a0, case.parameters, case.c0)
    *outputs, cache = returned
    for array in outputs:
        if array is not None:
            array *= 0  # what a caller may do with its own arrays
            array += 7
    grads = fast_backward(model, da, cache)
    assert grads.keys() == reference.keys()
    for name in reference:
        np.testing.assert_array_equal(grads[name], reference[name], err_msg=name)


@pytest.mark.parametrize("shape", SHAPES[1:], ids=shape_id)
def test_a_parameter_changed_in_place_is_read_as_the_textbook_reads_it(model, make_case, shape):
    """Between forward and backward every weight is changed in place; the fast
    backward must then give what the textbook backward gives."""
    n_x, n_a, n_y, m, T_x = shape
    case = make_case(model, n_x, n_a, n_y, m=m, T_x=T_x, seed=5)
    da = case.rng.standard_normal((n_a, m, T_x))
    textbook_parameters = {k: v.copy() for k, v in case.parameters.items()}
    fast_parameters = {k: v.copy() for k, v in case.parameters.items()}

    *_, caches = model.forward(case.x, case.a0, textbook_parameters, case.c0)
    *_, cache = fast_forward(model, case.x, case.a0, fast_parameters, case.c0)
    for parameters in (textbook_parameters, fast_parameters):
        for name, value in parameters.items():
            value *= 1.5  # in place: the dicts hold the same arrays as before
    expected = model.backward(da, caches)
    grads = fast_backward(model, da, cache)
    unchanged = fast_backward(model, da, fast_forward(
        model, case.x, case.a0, case.parameters, case.c0)[-1])
    for name in expected:
        assert_close(grads[name], expected[name], np.float64, name)
    # the change does matter, so the comparison above can tell
    assert not np.allclose(unchanged["dx"], grads["dx"])


def masked(array):
    return np.ma.masked_array(array, mask=np.zeros(array.shape, dtype=bool))


@pytest.mark.parametrize("backend", ["textbook", "fast"])
def test_masked_arrays_are_refused(model, make_case, backend):
    case = make_case(model, 3, 4, 2, m=2, T_x=3, seed=1)
    forward = model.forward if backend == "textbook" else (
        lambda *args: fast_forward(model, *args))
    backward = model.backward if backend == "textbook" else (
        lambda *args: fast_backward(model, *args))
    with pytest.raises(TypeError, match=r"x is a masked array \(numpy.ma\)"):
        forward(masked(case.x), case.a0, case.parameters, case.c0)
    with pytest.raises(TypeError, match=r"a0 is a masked array"):
        forward(case.x, masked(case.a0), case.parameters, case.c0)
    parameters = dict(case.parameters)
    name = next(iter(parameters))
    parameters[name] = masked(parameters[name])
    with pytest.raises(TypeError, match=rf"parameters\['{name}'\] is a masked array"):
        forward(case.x, case.a0, parameters, case.c0)
    a, *_, caches = forward(case.x, case.a0, case.parameters, case.c0)
    with pytest.raises(TypeError, match=r"da is a masked array"):
        backward(masked(np.ones_like(a)), caches)


def test_softmax_cross_entropy_refuses_nan_and_empty_batches():
    logits = np.zeros((3, 2, 4))
    y = np.zeros((2, 4), dtype=int)
    logits[1, 0, 2] = np.nan
    with pytest.raises(ValueError, match="logits contains NaN"):
        rnnbook.softmax_cross_entropy(logits, y)
    with pytest.raises(ValueError, match=r"logits has shape \(3, 0, 4\).*at least one entry"):
        rnnbook.softmax_cross_entropy(np.zeros((3, 0, 4)), np.zeros((0, 4), dtype=int))
    with pytest.raises(TypeError, match="masked"):
        rnnbook.softmax_cross_entropy(np.zeros((3, 2, 4)), np.ma.masked_array(y))

