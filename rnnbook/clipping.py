"""Gradient clipping, the two ways readers meet it.

Both functions take a dict of gradients (as the backward functions return)
and return a new dict; the arrays passed in are left unchanged, and each
result keeps its gradient's dtype.
"""

import numpy as np


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def clip_elementwise(grads, max_value):
    """Clip every entry of every gradient to [-max_value, max_value].

    This is what min-char-rnn (with 5) and the deeplearning.ai course do.  It
    is cheap, but it changes the direction of a gradient whose entries are
    clipped by different amounts.
    """
    _positive("max_value", max_value)
    return {
        name: np.clip(g, -max_value, max_value).astype(g.dtype, copy=False)
        for name, g in grads.items()
    }


def global_norm(grads):
    """The Euclidean norm of all gradients taken together as one long vector."""
    # Square in float64: a float32 entry above about 1e19 would overflow when
    # squared.
    return float(
        np.sqrt(
            sum(np.sum(np.square(g, dtype=np.float64)) for g in grads.values())
        )
    )


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by min(1, max_norm / ||g||), ||g|| their global norm.

    The direction of the whole gradient is kept; only its length is capped.
    This is what most frameworks do (for example
    torch.nn.utils.clip_grad_norm_).
    Gradients holding NaN or inf raise ValueError: no scale can repair them.
    """
    _positive("max_norm", max_norm)
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise ValueError(
            "the gradients contain NaN or inf; clipping cannot repair them"
        )
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {
        name: g * np.asarray(scale, dtype=g.dtype) for name, g in grads.items()
    }
