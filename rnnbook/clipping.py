"""Gradient clipping, the two ways readers meet it."""

import numpy as np


def clip_elementwise(grads, max_value):
    """Clip every entry of every gradient to [-max_value, max_value].

    This is what min-char-rnn (with 5) and the deeplearning.ai course do.  It
    is cheap, but it changes the direction of a gradient whose entries are
    clipped by different amounts.
    """
    if not max_value > 0:
        raise ValueError(f"max_value must be positive, got {max_value!r}")
    return {name: np.clip(g, -max_value, max_value) for name, g in grads.items()}


def global_norm(grads):
    """The Euclidean norm of all gradients taken together as one long vector."""
    return float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads.values())))


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by min(1, max_norm / ||g||), ||g|| their global norm.

    The direction of the whole gradient is kept; only its length is capped.
    This is what most frameworks do (for example torch.nn.utils.clip_grad_norm_).
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm!r}")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: g * np.asarray(scale, dtype=g.dtype) for name, g in grads.items()}
