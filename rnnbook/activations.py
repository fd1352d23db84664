"""Activation functions that never overflow, for any finite input."""

import numpy as np


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), element-wise, keeping x's dtype.

    exp is only ever taken of a non-positive number, so it cannot overflow:
    for x >= 0 we use 1 / (1 + e^-x), for x < 0 the equal form e^x / (1 + e^x).
    """
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def softmax(x):
    """Softmax over axis 0 (each column is one sample's scores).

    Subtracting each column's maximum leaves the result unchanged and keeps
    every exponent <= 0, so exp cannot overflow.
    """
    x = np.asarray(x)
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def log_softmax(x):
    """log(softmax(x)) over axis 0, computed without taking the log of a zero."""
    x = np.asarray(x)
    shifted = x - x.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
