"""The three recurrent layers behind one interface, for the training code.

``rnnbook.charlm`` (a character-level language model) and
``rnnbook.longrange`` (the adding problem) put an input layer in front of a
recurrent layer and an output layer behind it, and they should not care which
recurrent layer it is.  This module gives them one set of functions for all
three, keyed by ``kind``:

==========  ===========================================  =======================
kind        parameters (the layer alone, no output)      state carried in time
==========  ===========================================  =======================
``"rnn"``   ``Wax, Waa, ba``                             ``a``
``"lstm"``  ``Wf, bf, Wi, bi, Wc, bc, Wo, bo``           ``a`` and ``c``
``"gru"``   ``Wz, bz, Wr, br, Wc, bc`` (reset before)    ``a``
==========  ===========================================  =======================

The backend is the one switch between the two implementations of the same
mathematics: ``"fast"`` (``rnnbook.fast``, the default for training) and
``"textbook"`` (the functions the chapters print).  Both take and return the
same arrays; only their speed and their caches differ.
"""

import numpy as np

from rnnbook import fast, gru, lstm, rnn, validate
from rnnbook.parameters import init_gru_parameters, init_lstm_parameters, init_rnn_parameters

KINDS = ("rnn", "lstm", "gru")
BACKENDS = ("fast", "textbook")
DEFAULT_BACKEND = "fast"

PARAMETER_NAMES = {
    "rnn": validate.RNN_PARAMETERS,
    "lstm": validate.LSTM_PARAMETERS,
    "gru": validate.GRU_PARAMETERS,
}
# How many weight matrices of shape (n_a, n_a + n_x) and biases (n_a, 1) each has.
_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}

_TEXTBOOK = {"rnn": rnn, "lstm": lstm, "gru": gru}


def check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")


def check_backend(backend):
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")


def _functions(kind, backend):
    check_kind(kind)
    check_backend(backend)
    module = fast if backend == "fast" else _TEXTBOOK[kind]
    return getattr(module, kind + "_forward"), getattr(module, kind + "_backward")


def init_layer(kind, n_x, n_a, *, seed=0, dtype=np.float32):
    """The recurrent layer's parameters alone (no output layer), seeded."""
    check_kind(kind)
    init = {"rnn": init_rnn_parameters, "lstm": init_lstm_parameters, "gru": init_gru_parameters}
    return init[kind](n_x, n_a, seed=seed, dtype=dtype)


def layer_parameter_count(kind, n_x, n_a):
    """Number of numbers in the recurrent layer: G n_a (n_a + n_x + 1), G = 1, 4 or 3.

    Every block (the RNN's one, the LSTM's four gates, the GRU's three) is a
    weight on [a_prev; xt] and a bias.
    """
    check_kind(kind)
    return _BLOCKS[kind] * n_a * (n_a + n_x + 1)


def layer_parameters(kind, parameters):
    """The entries of ``parameters`` that the recurrent layer reads, as a new dict.

    The arrays are shared, not copied.  Passing the layer only its own
    parameters keeps it from computing an output layer of its own.
    """
    check_kind(kind)
    return {name: parameters[name] for name in PARAMETER_NAMES[kind]}


def forward(kind, x, a0, layer, backend=DEFAULT_BACKEND, threads=None):
    """Hidden states for a batch of sequences -> (a (n_a, m, T_x), cache).

    ``layer`` holds only the layer's parameters (see layer_parameters).  The
    LSTM starts from c0 = 0.  ``threads`` goes to the fast backend (see
    rnnbook.fast.batch_parts); the textbook one runs on one thread.
    """
    run, _ = _functions(kind, backend)
    options = {"threads": threads} if backend == "fast" else {}
    outputs = run(x, a0, layer, **options)
    return outputs[0], outputs[-1]


def backward(kind, da, cache, backend=DEFAULT_BACKEND):
    """Gradients from ``da`` (n_a, m, T_x): dW*, db*, dx, da0 (and dc0 for the LSTM).

    ``backend`` must be the one that produced ``cache``.
    """
    _, run = _functions(kind, backend)
    return run(da, cache)


def zero_state(kind, n_a, m, dtype):
    """The state at t = 0: (a0,) or, for the LSTM, (a0, c0), all zeros."""
    check_kind(kind)
    count = 2 if kind == "lstm" else 1
    return tuple(np.zeros((n_a, m), dtype=dtype) for _ in range(count))


def step(kind, xt, state, layer):
    """One time step with the chapters' cell functions: the state after ``xt``.

    Used to generate text one character at a time, where each input depends
    on the output before it.
    """
    check_kind(kind)
    if kind == "rnn":
        a_next, _, _ = rnn.rnn_cell_forward(xt, state[0], layer)
        return (a_next,)
    if kind == "lstm":
        a_next, c_next, _, _ = lstm.lstm_cell_forward(xt, state[0], state[1], layer)
        return (a_next, c_next)
    a_next, _, _ = gru.gru_cell_forward(xt, state[0], layer)
    return (a_next,)
