"""Parameter initialisers, one per model, seeded and typed.

Weights are drawn uniformly from [-1/sqrt(n_a), 1/sqrt(n_a)], the range
PyTorch uses for its recurrent layers; biases start at zero, except the
LSTM's forget gate (see init_lstm_parameters).
"""

import numpy as np


def _uniform(rng, shape, n_a, dtype):
    bound = 1 / np.sqrt(n_a)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def _check_dtype(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")


def _check_sizes(dtype, **sizes):
    _check_dtype(dtype)
    for name, value in sizes.items():
        if value is None and name == "n_y":
            continue
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _output_layer(rng, n_a, n_y, dtype, weight):
    if n_y is None:
        return {}
    return {weight: _uniform(rng, (n_y, n_a), n_a, dtype), "by": np.zeros((n_y, 1), dtype)}


def init_rnn_parameters(n_x, n_a, n_y=None, *, seed=0, dtype=np.float64):
    """Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1); Wya, by when n_y is given."""
    _check_sizes(dtype, n_x=n_x, n_a=n_a, n_y=n_y)
    rng = np.random.default_rng(seed)
    parameters = {
        "Wax": _uniform(rng, (n_a, n_x), n_a, dtype),
        "Waa": _uniform(rng, (n_a, n_a), n_a, dtype),
        "ba": np.zeros((n_a, 1), dtype),
    }
    parameters.update(_output_layer(rng, n_a, n_y, dtype, "Wya"))
    return parameters


def init_lstm_parameters(n_x, n_a, n_y=None, *, seed=0, dtype=np.float64, forget_bias=1.0):
    """W* (n_a, n_a + n_x) and b* (n_a, 1) for f, i, c, o; Wy, by when n_y is given.

    The forget gate's bias starts at ``forget_bias`` (1 by default, following
    Gers et al. 2000 and Jozefowicz et al. 2015) so that sigmoid(bf) is about
    0.73 and the cell remembers from the first step of training.
    """
    _check_sizes(dtype, n_x=n_x, n_a=n_a, n_y=n_y)
    rng = np.random.default_rng(seed)
    parameters = {}
    for gate in "fico":
        parameters["W" + gate] = _uniform(rng, (n_a, n_a + n_x), n_a, dtype)
        parameters["b" + gate] = np.zeros((n_a, 1), dtype)
    parameters["bf"] += forget_bias
    parameters.update(_output_layer(rng, n_a, n_y, dtype, "Wy"))
    return parameters


def init_gru_parameters(n_x, n_a, n_y=None, *, reset_after=False, seed=0, dtype=np.float64):
    """W* (n_a, n_a + n_x) and b* (n_a, 1) for z, r, c; bca (n_a, 1) when
    reset_after is True; Wy, by when n_y is given."""
    if not isinstance(reset_after, (bool, np.bool_)):
        raise TypeError(f"reset_after must be True or False, got {reset_after!r}")
    _check_sizes(dtype, n_x=n_x, n_a=n_a, n_y=n_y)
    rng = np.random.default_rng(seed)
    parameters = {}
    for gate in "zrc":
        parameters["W" + gate] = _uniform(rng, (n_a, n_a + n_x), n_a, dtype)
        parameters["b" + gate] = np.zeros((n_a, 1), dtype)
    if reset_after:
        parameters["bca"] = np.zeros((n_a, 1), dtype)
    parameters.update(_output_layer(rng, n_a, n_y, dtype, "Wy"))
    return parameters
