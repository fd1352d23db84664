"""Activation functions that never overflow, for any finite input.

A float32 input gives a float32 result, a float64 input a float64 result.
An exponent that underflows to 0 is the right answer here, so numpy's
underflow (and, for scores more than the largest float apart, overflow in
the subtraction) is silenced: no warning, even under np.errstate(all="raise").
"""

import numpy as np


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), element-wise.

    exp is only ever taken of a non-positive number, so it cannot overflow:
    for x >= 0 we use 1 / (1 + e^-x), for x < 0 the equal form e^x / (1 + e^x).
    """
    x = np.asarray(x)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def softmax(x):
    """Softmax over axis 0 (each column is one sample's scores).

    Subtracting each column's maximum leaves the result unchanged and keeps
    every exponent <= 0, so exp cannot overflow.
    """
    x = np.asarray(x)
    # Scores further apart than the largest float give -inf, and exp(-inf) = 0
    # is right.
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def log_softmax(x):
    """log(softmax(x)) over axis 0, computed without taking the log of a zero.

    The column sum of exp(shifted) is at least 1 (the maximum contributes
    exp(0) = 1), so its log is finite.
    """
    x = np.asarray(x)
    with np.errstate(over="ignore", under="ignore"):
        shifted = x - x.max(axis=0, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
