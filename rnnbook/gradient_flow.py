"""How far back does the gradient reach?  Norms of d a<T> / d a<k>-weighted errors.

These functions send one random unit error vector into the last hidden state
and carry it back step by step with the backward cells, recording its norm at
every step.  The vanishing and exploding gradient demonstrations use them.
"""

import numpy as np

from rnnbook.lstm import lstm_cell_backward, lstm_forward
from rnnbook.rnn import rnn_cell_backward, rnn_forward


def _unit_error(shape, seed, dtype):
    g = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return g / np.linalg.norm(g)


def rnn_gradient_norms(x, a0, parameters, seed=0):
    """norms[k] = ||dL/da<k+1>|| when L = g . a<T_x>, g a random unit vector.

    Returns an array of T_x norms; the last one is 1 (the error itself).
    """
    _, _, (caches, _) = rnn_forward(x, a0, parameters)
    T_x = len(caches)
    da = _unit_error(a0.shape, seed, x.dtype)
    norms = np.zeros(T_x)
    for t in reversed(range(T_x)):
        norms[t] = np.linalg.norm(da)
        # Only the last state receives an error from outside; the earlier ones
        # receive only what flows back through the recurrence.
        da = rnn_cell_backward(da, caches[t])["da_prev"]
    return norms


def lstm_gradient_norms(x, a0, parameters, seed=0):
    """The LSTM version: the error travels back through both a<t> and c<t>.

    norms[k] is the norm of the stacked gradient [dL/da<k+1>; dL/dc<k+1>].
    """
    _, _, _, (caches, _) = lstm_forward(x, a0, parameters)
    T_x = len(caches)
    da = _unit_error(a0.shape, seed, x.dtype)
    dc = np.zeros_like(da)
    norms = np.zeros(T_x)
    for t in reversed(range(T_x)):
        norms[t] = np.sqrt(np.sum(da**2) + np.sum(dc**2))
        step = lstm_cell_backward(da, dc, caches[t])
        da, dc = step["da_prev"], step["dc_prev"]
    return norms
