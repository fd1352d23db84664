"""Two optimisers, SGD and Adam, on a plain dict of parameter arrays.

Both have one method, ``step(parameters, grads)``: ``parameters`` maps a name
to an array (``"Waa"``), ``grads`` maps ``"d" + name`` to its gradient
(``"dWaa"``), the way every backward function in rnnbook returns them.  Each
parameter is updated in place, in its own dtype; entries of ``grads`` that
are not parameters (``dx``, ``da0``) are ignored.
"""

import numpy as np


def _positive(name, value, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    low_ok = value >= 0 if allow_zero else value > 0
    if not (np.isfinite(value) and low_ok):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} finite number, got {value!r}")


def _below_one(name, value):
    _positive(name, value, allow_zero=True)
    if not value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def _pairs(parameters, grads):
    """(name, parameter, gradient) for every parameter, checking that they match."""
    for name, value in parameters.items():
        key = "d" + name
        if key not in grads:
            raise ValueError(f"grads has no {key!r} for parameters[{name!r}]")
        grad = grads[key]
        if np.shape(grad) != value.shape:
            raise ValueError(
                f"grads[{key!r}] has shape {np.shape(grad)}, but parameters[{name!r}] "
                f"has shape {value.shape}"
            )
        yield name, value, grad


class SGD:
    """Stochastic gradient descent, optionally with momentum.

    Without momentum: p <- p - lr g.  With momentum mu: v <- mu v + g and
    p <- p - lr v (the form PyTorch uses).
    """

    def __init__(self, lr=0.1, momentum=0.0):
        _positive("lr", lr)
        _below_one("momentum", momentum)
        self.lr = lr
        self.momentum = momentum
        self.velocity = {}

    def step(self, parameters, grads):
        pairs = list(_pairs(parameters, grads))  # check everything before changing anything
        for name, value, grad in pairs:
            if self.momentum:
                v = self.velocity.get(name)
                if v is None:
                    v = self.velocity[name] = np.zeros_like(value)
                v *= value.dtype.type(self.momentum)
                v += grad
                grad = v
            value -= value.dtype.type(self.lr) * grad.astype(value.dtype, copy=False)


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction.

    For every parameter, with g its gradient at step t = 1, 2, ...:

        m <- beta1 m + (1 - beta1) g           (a running mean of g)
        v <- beta2 v + (1 - beta2) g^2         (a running mean of g^2)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps),
             m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)

    The corrections undo the pull of m and v towards their zero start; on the
    first step m_hat = g and v_hat = g^2, so every entry moves by about lr.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        _positive("lr", lr)
        _below_one("beta1", beta1)
        _below_one("beta2", beta2)
        _positive("eps", eps)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m = {}
        self.v = {}

    def step(self, parameters, grads):
        pairs = list(_pairs(parameters, grads))  # check everything before changing anything
        self.t += 1
        correction1 = 1 - self.beta1**self.t
        correction2 = 1 - self.beta2**self.t
        for name, value, grad in pairs:
            if name not in self.m:
                self.m[name] = np.zeros_like(value)
                self.v[name] = np.zeros_like(value)
            m, v = self.m[name], self.v[name]
            dtype = value.dtype.type
            grad = grad.astype(value.dtype, copy=False)
            m *= dtype(self.beta1)
            m += dtype(1 - self.beta1) * grad
            v *= dtype(self.beta2)
            v += dtype(1 - self.beta2) * np.square(grad)
            denominator = np.sqrt(v / dtype(correction2))
            denominator += dtype(self.eps)
            value -= dtype(self.lr / correction1) * m / denominator
