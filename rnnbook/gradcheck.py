"""Numerical gradients by central differences, to check backward functions."""

import numpy as np


def numerical_gradient(f, array, eps=1e-5):
    """d f() / d array, one entry at a time: (f(x + eps) - f(x - eps)) / (2
    eps).

    ``f`` takes no arguments and reads ``array``, which is changed in place and
    restored.  Use float64: in float32 the rounding error swamps the difference.
    """
    if not (
        isinstance(array, np.ndarray)
        and np.issubdtype(array.dtype, np.floating)
    ):
        what = (
            array.dtype
            if isinstance(array, np.ndarray)
            else type(array).__name__
        )
        raise TypeError(
            "array must be a float numpy array that f reads "
            f"(changed in place), got {what}"
        )
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + eps
        f_plus = f()
        array[index] = old - eps
        f_minus = f()
        array[index] = old
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """||analytic - numeric|| / (||analytic|| + ||numeric||), 0 when both are 0.
    """
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"analytic has shape {analytic.shape} "
            f"but numeric has shape {numeric.shape}"
        )
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def gradient_check(f, arrays, grads, eps=1e-5):
    """Compare analytic gradients with numerical ones.

    Arguments:
        f: a function of no arguments returning the scalar loss, reading ``arrays``.
        arrays: dict name -> array the loss depends on (changed and restored).
        grads: dict name -> analytic gradient; the key for ``arrays[name]`` is
            ``"d" + name``, as in the backward functions' dicts.

    Returns:
        dict name -> relative error.
    """
    errors = {}
    for name, array in arrays.items():
        if "d" + name not in grads:
            raise ValueError(f"grads has no 'd{name}' to compare with arrays[{name!r}]")
        errors[name] = relative_error(grads["d" + name], numerical_gradient(f, array, eps))
    return errors
