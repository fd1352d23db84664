"""Softmax cross-entropy over a batch of sequences, and the output layer's gradients.

The loss is summed over the time steps, as in the notes (L = sum_t L<t>),
and averaged over the m sequences of the batch, so that the size of a
gradient step does not depend on the batch size.
"""

import numpy as np

from rnnbook import validate
from rnnbook.activations import log_softmax


def softmax_cross_entropy(logits, y):
    """Loss and its gradient with respect to the logits.

    Arguments:
        logits: scores before the softmax, (n_y, m, T_x).
        y: integer labels, (m, T_x).

    Returns:
        loss: sum over t, mean over the batch, of -log softmax(logits)[y].
        dlogits: (n_y, m, T_x); for one sample and step it is softmax -
                 one_hot(y),
            divided by m because of the batch mean.
    """
    n_y, m, T_x = validate.logits(logits)
    validate.labels(y, m, T_x, n_y)
    log_p = log_softmax(logits)
    samples, steps = np.meshgrid(np.arange(m), np.arange(T_x), indexing="ij")
    loss = -log_p[y, samples, steps].sum() / m

    dlogits = np.exp(log_p)
    dlogits[y, samples, steps] -= 1
    return loss, dlogits / m


def output_layer_loss(a, y, Wy, by):
    """The output layer y_hat<t> = softmax(Wy a<t> + by) at every step, with its loss.

    Arguments:
        a: hidden states, (n_a, m, T_x).
        y: integer labels, (m, T_x).
        Wy: (n_y, n_a); by: (n_y, 1).

    Returns:
        loss, da (n_a, m, T_x), dWy (n_y, n_a), dby (n_y, 1).
    """
    shapes = validate.Shapes()
    shapes("a", a, ("n_a", "m", "T_x"))
    shapes("Wy", Wy, ("n_y", "n_a"))
    shapes("by", by, ("n_y", "1"))
    # One product for all steps: contract n_a, keep (m, T_x).
    logits = np.einsum("ya,amt->ymt", Wy, a) + by[:, :, None]
    loss, dlogits = softmax_cross_entropy(logits, y)
    da = np.einsum("ya,ymt->amt", Wy, dlogits)
    dWy = np.einsum("ymt,amt->ya", dlogits, a)
    dby = dlogits.sum(axis=(1, 2))[:, None]
    return loss, da, dWy, dby
