"""Attention: additive (Bahdanau) and dot-product (Luong) attention, forward and backward.

At each decoder step the previous decoder state ``s_prev`` is compared with
every encoder state ``h<t>``; the comparison scores become weights ``alpha``
by a softmax over the source positions, and the context vector is the
weighted sum of the encoder states.

==================  ===================  ==========================================
name                shape                role
==================  ===================  ==========================================
``s_prev``          ``(n_s, m)``         the decoder state before this step
``h``               ``(n_h, m, T_x)``    the encoder states, one per source step
``mask``            ``(m, T_x)``         optional: True (or 1) at a real source
                                         position, False (0) at padding
``Wa``              ``(n_e, n_s)``       additive form: the decoder state's map
``Ua``              ``(n_e, n_h)``       additive form: the encoder states' map
``va``              ``(n_e, 1)``         additive form: scores from the tanh layer
``alpha``           ``(m, T_x)``         the weights; each row sums to 1
``context``         ``(n_h, m)``         sum over t of alpha<t> h<t>
==================  ===================  ==========================================

Scores:

- additive (Bahdanau et al. 2015): ``e<t> = va^T tanh(Wa s_prev + Ua h<t>)``;
- dot-product (Luong et al. 2015), scaled as in Vaswani et al. 2017:
  ``e<t> = s_prev . h<t> / sqrt(n_h)``, which needs ``n_s = n_h``.  The scale
  keeps the spread of the scores from growing with the state size (a sum of
  n_h products of unit-size entries has a standard deviation of sqrt(n_h)),
  so the softmax is not saturated from the start; Luong's unscaled ``dot`` is
  the same model with ``s_prev`` multiplied by sqrt(n_h).

A padded position gets the score -inf before the softmax, hence the weight
exactly 0, and its encoder state receives exactly zero gradient.
"""

import numpy as np

from rnnbook import validate
from rnnbook.activations import softmax


def masked_softmax(e, mask=None):
    """Softmax of the scores over the source positions, with padding left out.

    Arguments:
        e: scores, (m, T_x): one row per sample.
        mask: None, or (m, T_x) booleans, True at a real position.  The
            attention forwards check it (every row needs a True).

    Returns:
        alpha: (m, T_x), each row sums to 1, exactly 0 where mask is False.
    """
    if mask is not None:
        e = np.where(mask, e, -np.inf)  # exp(-inf) = 0: no weight on padding
    # rnnbook's softmax works on columns; here each row is a sample.
    return softmax(e.T).T


def attention_forward(s_prev, h, parameters, mask=None):
    """Additive (Bahdanau) attention for one decoder step.

    Arguments:
        s_prev: the previous decoder state, (n_s, m).
        h: the encoder states, (n_h, m, T_x).
        parameters: dict with Wa (n_e, n_s), Ua (n_e, n_h), va (n_e, 1).
        mask: None, or (m, T_x) of bools or 0/1, True (1) at a real source
            position; padded positions get weight exactly 0.

    Returns:
        context: sum over t of alpha<t> h<t>, (n_h, m).
        alpha: the attention weights, (m, T_x), each row sums to 1.
        cache: (s_prev, h, E, alpha, parameters) for attention_backward,
            where E = tanh(Wa s_prev + Ua h<t>) is (n_e, m, T_x).
    """
    mask = validate.attention_inputs(s_prev, h, parameters, mask)
    Wa, Ua, va = parameters["Wa"], parameters["Ua"], parameters["va"]

    # The decoder state once, (n_e, m); every encoder state at once,
    # (n_e, m, T_x).
    Ws = Wa @ s_prev
    Uh = np.einsum("eh,hmt->emt", Ua, h)
    E = np.tanh(Ws[:, :, None] + Uh)
    e = np.einsum("e,emt->mt", va[:, 0], E)  # scores, (m, T_x)

    alpha = masked_softmax(e, mask)
    context = np.einsum("hmt,mt->hm", h, alpha)

    cache = (s_prev, h, E, alpha, parameters)
    return context, alpha, cache


def attention_backward(dcontext, cache):
    """Backward through additive attention.

    Arguments:
        dcontext: the gradient with respect to the context, (n_h, m).
        cache: the cache that attention_forward returned.

    Returns:
        dict with ds_prev (n_s, m), dh (n_h, m, T_x), dWa, dUa, dva.
    """
    s_prev, h, E, alpha, parameters = validate.attention_cache(
        cache, "additive", dcontext
    )
    Wa, Ua, va = parameters["Wa"], parameters["Ua"], parameters["va"]

    # context = sum_t alpha<t> h<t>: one path to h, one to the weights.
    dh = dcontext[:, :, None] * alpha[None, :, :]
    dalpha = np.einsum("hm,hmt->mt", dcontext, h)

    # The softmax's Jacobian:
    # de<t> = alpha<t> (dalpha<t> - sum_k alpha<k> dalpha<k>).
    de = alpha * (dalpha - np.sum(alpha * dalpha, axis=1, keepdims=True))

    # e<t> = va^T E<t>, then E = tanh(z) with z = Wa s_prev + Ua h<t>.
    dva = np.einsum("emt,mt->e", E, de)[:, None]
    dz = va[:, :, None] * de[None, :, :] * (1 - E**2)

    # Wa s_prev enters every position t: sum dz over t.
    dz_s = dz.sum(axis=2)
    dWa = dz_s @ s_prev.T
    ds_prev = Wa.T @ dz_s
    # Ua is shared by every position and every sample: sum over both.
    dUa = np.einsum("emt,hmt->eh", dz, h)
    dh = dh + np.einsum("eh,emt->hmt", Ua, dz)

    return {"ds_prev": ds_prev, "dh": dh, "dWa": dWa, "dUa": dUa, "dva": dva}


def dot_attention_forward(s_prev, h, mask=None):
    """Scaled dot-product (Luong) attention for one decoder step.

    Arguments:
        s_prev: the previous decoder state, (n_h, m): the same size as h's.
        h: the encoder states, (n_h, m, T_x).
        mask: as for attention_forward.

    Returns:
        context: (n_h, m).
        alpha: (m, T_x), each row sums to 1.
        cache: (s_prev, h, alpha) for dot_attention_backward.
    """
    mask = validate.dot_attention_inputs(s_prev, h, mask)
    n_h = h.shape[0]

    # e<t> = s_prev . h<t> / sqrt(n_h): a Python float keeps float32 float32.
    e = np.einsum("hm,hmt->mt", s_prev, h) * n_h**-0.5
    alpha = masked_softmax(e, mask)
    context = np.einsum("hmt,mt->hm", h, alpha)

    cache = (s_prev, h, alpha)
    return context, alpha, cache


def dot_attention_backward(dcontext, cache):
    """Backward through scaled dot-product attention.

    Arguments:
        dcontext: the gradient with respect to the context, (n_h, m).
        cache: the cache that dot_attention_forward returned.

    Returns:
        dict with ds_prev (n_h, m) and dh (n_h, m, T_x).
    """
    s_prev, h, alpha = validate.attention_cache(cache, "dot", dcontext)
    n_h = h.shape[0]

    dh = dcontext[:, :, None] * alpha[None, :, :]
    dalpha = np.einsum("hm,hmt->mt", dcontext, h)
    de = alpha * (dalpha - np.sum(alpha * dalpha, axis=1, keepdims=True))

    # e<t> = s_prev . h<t> / sqrt(n_h)
    de = de * n_h**-0.5
    ds_prev = np.einsum("mt,hmt->hm", de, h)
    dh = dh + s_prev[:, :, None] * de[None, :, :]

    return {"ds_prev": ds_prev, "dh": dh}
