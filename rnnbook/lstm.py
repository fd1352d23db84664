"""The LSTM: gates on the stacked [a_prev; xt], forward and backward through time.

Parameters live in a dict; every gate's weight acts on the column stack
``[a_prev; xt]`` of height ``n_a + n_x``:

==================  ===================  ==================================
key                 shape                role
==================  ===================  ==================================
``Wf``, ``bf``      ``(n_a, n_a+n_x)``,  forget gate f
                    ``(n_a, 1)``
``Wi``, ``bi``      same                 input (update) gate i
``Wc``, ``bc``      same                 candidate cell c~ (tanh)
``Wo``, ``bo``      same                 output gate o
``Wy``, ``by``      ``(n_y, n_a)``,      output layer (optional, together)
                    ``(n_y, 1)``
==================  ===================  ==================================
"""

import numpy as np

from rnnbook import validate
from rnnbook.activations import sigmoid, softmax
from rnnbook.loss import output_layer_loss


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One LSTM step.

    Arguments:
        xt: the input at this step, (n_x, m).
        a_prev: the previous hidden state, (n_a, m).
        c_prev: the previous cell state, (n_a, m).
        parameters: dict with Wf, bf, Wi, bi, Wc, bc, Wo, bo and optionally Wy,
                    by.

    Returns:
        a_next: the new hidden state, (n_a, m).
        c_next: the new cell state, (n_a, m).
        yt_pred: the softmax prediction, (n_y, m), or None without an output
                 layer.
        cache: (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt,
               parameters).
    """
    validate.lstm_cell_inputs(xt, a_prev, c_prev, parameters)

    # Every gate reads the previous state and the input, stacked in one column.
    concat = np.concatenate([a_prev, xt], axis=0)

    ft = sigmoid(parameters["Wf"] @ concat + parameters["bf"])  # forget gate
    it = sigmoid(parameters["Wi"] @ concat + parameters["bi"])  # input gate
    cct = np.tanh(parameters["Wc"] @ concat + parameters["bc"])  # candidate
    ot = sigmoid(parameters["Wo"] @ concat + parameters["bo"])  # output gate

    # Keep part of the old memory, write part of the candidate.
    c_next = ft * c_prev + it * cct
    # Show part of the squashed memory as the hidden state.
    a_next = ot * np.tanh(c_next)

    yt_pred = None
    if "Wy" in parameters:
        yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])

    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
    return a_next, c_next, yt_pred, cache


def lstm_forward(x, a0, parameters, c0=None):
    """Run the LSTM cell over all T_x steps.

    Arguments:
        x: inputs, (n_x, m, T_x).
        a0: the initial hidden state, (n_a, m).
        parameters: as for lstm_cell_forward.
        c0: the initial cell state, (n_a, m); None means zeros.

    Returns:
        a: every hidden state, (n_a, m, T_x).
        y_pred: every prediction, (n_y, m, T_x), or None without an output
                layer.
        c: every cell state, (n_a, m, T_x).
        caches: (list of the T_x cell caches, x).
    """
    validate.lstm_sequence_inputs(x, a0, c0, parameters)
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]

    a = np.zeros((n_a, m, T_x), dtype=x.dtype)
    c = np.zeros((n_a, m, T_x), dtype=x.dtype)
    y_pred = None
    if "Wy" in parameters:
        n_y = parameters["Wy"].shape[0]
        y_pred = np.zeros((n_y, m, T_x), dtype=x.dtype)

    caches = []
    a_next = a0
    c_next = np.zeros_like(a0) if c0 is None else c0
    for t in range(T_x):
        a_next, c_next, yt_pred, cache = lstm_cell_forward(
            x[:, :, t], a_next, c_next, parameters
        )
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        if y_pred is not None:
            y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, c, (caches, x)


def lstm_cell_backward(da_next, dc_next, cache):
    """Backward through one LSTM cell.

    Arguments:
        da_next: the gradient with respect to a_next, (n_a, m).
        dc_next: the gradient with respect to c_next, (n_a, m).
        cache: the cache that lstm_cell_forward returned.

    Returns:
        dict with dxt (n_x, m), da_prev (n_a, m), dc_prev (n_a, m) and
        dWf, dbf, dWi, dbi, dWc, dbc, dWo, dbo.
    """
    validate.cell_cache(cache, "lstm")
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters = cache
    validate.upstream("da_next", da_next, "a_next", a_next)
    validate.upstream("dc_next", dc_next, "c_next", c_next)
    n_a = a_next.shape[0]
    tanh_c = np.tanh(c_next)

    # a_next = ot * tanh(c_next): the output gate gets da * tanh(c_next), and
    # c_next gets da * ot * tanh'(c_next) on top of what reaches it directly.
    dot = da_next * tanh_c
    dc = dc_next + da_next * ot * (1 - tanh_c**2)

    # c_next = ft * c_prev + it * cct: each factor's gradient is dc times the
    # other.
    dft = dc * c_prev
    dit = dc * cct
    dcct = dc * it
    dc_prev = dc * ft

    # Through each gate's nonlinearity to its pre-activation s = W [a_prev; xt]
    # + b.
    dsf = dft * ft * (1 - ft)
    dsi = dit * it * (1 - it)
    dsc = dcct * (1 - cct**2)
    dso = dot * ot * (1 - ot)

    concat = np.concatenate([a_prev, xt], axis=0)
    grads = {"dc_prev": dc_prev}
    dconcat = 0
    for gate, ds in (("f", dsf), ("i", dsi), ("c", dsc), ("o", dso)):
        grads["dW" + gate] = ds @ concat.T
        grads["db" + gate] = ds.sum(axis=1, keepdims=True)
        dconcat = dconcat + parameters["W" + gate].T @ ds

    # Split the stacked gradient back into its two parts.
    grads["da_prev"] = dconcat[:n_a]
    grads["dxt"] = dconcat[n_a:]
    return grads


def lstm_backward(da, caches):
    """Backpropagation through time for the LSTM.

    Arguments:
        da: the gradient with respect to every hidden state, from outside the
            recurrence (the outputs), (n_a, m, T_x).
        caches: what lstm_forward returned.

    Returns:
        dict with dx (n_x, m, T_x), da0 (n_a, m), dc0 (n_a, m) and
        dWf, dbf, dWi, dbi, dWc, dbc, dWo, dbo.
    """
    cell_caches, x = validate.sequence_backward_inputs(da, caches, "lstm")
    n_a, m, T_x = da.shape
    parameters = cell_caches[0][-1]

    grads = {"dx": np.zeros_like(x)}
    for gate in "fico":
        grads["dW" + gate] = np.zeros_like(parameters["W" + gate])
        grads["db" + gate] = np.zeros_like(parameters["b" + gate])
    da_prevt = np.zeros((n_a, m), dtype=da.dtype)
    dc_prevt = np.zeros((n_a, m), dtype=da.dtype)

    for t in reversed(range(T_x)):
        # a<t> feeds the output at t and the step after; c<t> only the step
        # after.
        step = lstm_cell_backward(
            da[:, :, t] + da_prevt, dc_prevt, cell_caches[t]
        )
        grads["dx"][:, :, t] = step["dxt"]
        da_prevt, dc_prevt = step["da_prev"], step["dc_prev"]
        for gate in "fico":
            grads["dW" + gate] += step["dW" + gate]
            grads["db" + gate] += step["db" + gate]

    grads["da0"] = da_prevt
    grads["dc0"] = dc_prevt
    return grads


def lstm_loss_and_grads(x, y, a0, parameters, c0=None):
    """Softmax cross-entropy of a labelled batch and the gradient of every parameter.

    Arguments:
        x: inputs, (n_x, m, T_x).
        y: integer labels, (m, T_x).
        a0, c0: initial hidden and cell states, (n_a, m); c0=None means zeros.
        parameters: the gates' W*, b* and the output layer Wy, by (required).

    Returns:
        loss (summed over time, averaged over the batch) and a dict with the
        gradient of every parameter (dWf ... dbo, dWy, dby), dx, da0 and dc0.
    """
    validate.parameter_dict(parameters, validate.LSTM_PARAMETERS + validate.GATED_OUTPUT, ())
    a, _, _, caches = lstm_forward(x, a0, parameters, c0)
    loss, da, dWy, dby = output_layer_loss(a, y, parameters["Wy"], parameters["by"])
    grads = lstm_backward(da, caches)
    grads.update(dWy=dWy, dby=dby)
    return loss, grads
