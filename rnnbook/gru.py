"""The GRU in both published forms, forward and backward through time.

Every gate's weight acts on the stacked column ``[a_prev; xt]`` (height
``n_a + n_x``), as in the LSTM.  The update gate is oriented as in PyTorch:
``a_next = zt * a_prev + (1 - zt) * cct``, so ``zt`` near 1 keeps the old state.

==================  ===================  ==========================================
key                 shape                role
==================  ===================  ==========================================
``Wz``, ``bz``      ``(n_a, n_a+n_x)``,  update gate z
                    ``(n_a, 1)``
``Wr``, ``br``      same                 reset gate r
``Wc``, ``bc``      same                 candidate c~ (tanh); ``Wc[:, :n_a]``
                                         is its recurrent part, ``Wc[:, n_a:]``
                                         its input part
``bca``             ``(n_a, 1)``         ``reset_after=True`` only: the bias of
                                         the recurrent part, inside the reset
                                         product (PyTorch's ``b_hn``)
``Wy``, ``by``      ``(n_y, n_a)``,      output layer (optional, together)
                    ``(n_y, 1)``
==================  ===================  ==========================================

The candidate, in the two forms:

- ``reset_after=False`` (Cho et al. 2014): the reset gate scales the previous
  state before the product, ``cct = tanh(Wc [rt * a_prev; xt] + bc)``.
- ``reset_after=True`` (PyTorch, cuDNN, Keras' default): it scales the product,
  ``cct = tanh(Wc[:, n_a:] xt + bc + rt * (Wc[:, :n_a] a_prev + bca))``.
"""

import numpy as np

from rnnbook import validate
from rnnbook.activations import sigmoid, softmax
from rnnbook.loss import output_layer_loss


def gru_cell_forward(xt, a_prev, parameters, reset_after=False):
    """One GRU step.

    Arguments:
        xt: the input at this step, (n_x, m).
        a_prev: the previous hidden state, (n_a, m).
        parameters: dict with Wz, bz, Wr, br, Wc, bc (and bca when
            reset_after is True), optionally Wy, by.
        reset_after: where the reset gate acts (see the module docstring).

    Returns:
        a_next: the new hidden state, (n_a, m).
        yt_pred: the softmax prediction, (n_y, m), or None without an output
                 layer.
        cache: (a_next, a_prev, xt, zt, rt, cct, ha, parameters, reset_after),
            where ha is Wc[:, :n_a] a_prev + bca (None when reset_after is
            False).
    """
    validate.gru_cell_inputs(xt, a_prev, parameters, reset_after)
    n_a = a_prev.shape[0]
    Wc, bc = parameters["Wc"], parameters["bc"]

    concat = np.concatenate([a_prev, xt], axis=0)
    zt = sigmoid(parameters["Wz"] @ concat + parameters["bz"])  # update gate
    rt = sigmoid(parameters["Wr"] @ concat + parameters["br"])  # reset gate

    if reset_after:
        # Reset the recurrent product: the form that cuDNN can fuse.
        ha = Wc[:, :n_a] @ a_prev + parameters["bca"]
        cct = np.tanh(Wc[:, n_a:] @ xt + bc + rt * ha)
    else:
        # Reset the previous state, then take the product (Cho et al. 2014).
        ha = None
        cct = np.tanh(Wc @ np.concatenate([rt * a_prev, xt], axis=0) + bc)

    # zt near 1 keeps the old state; zt near 0 takes the candidate.
    a_next = zt * a_prev + (1 - zt) * cct

    yt_pred = None
    if "Wy" in parameters:
        yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])

    cache = (a_next, a_prev, xt, zt, rt, cct, ha, parameters, reset_after)
    return a_next, yt_pred, cache


def gru_forward(x, a0, parameters, reset_after=False):
    """Run the GRU cell over all T_x steps.

    Arguments:
        x: inputs, (n_x, m, T_x).
        a0: the initial hidden state, (n_a, m).
        parameters: as for gru_cell_forward.
        reset_after: as for gru_cell_forward.

    Returns:
        a: every hidden state, (n_a, m, T_x).
        y_pred: every prediction, (n_y, m, T_x), or None without an output
                layer.
        caches: (list of the T_x cell caches, x).
    """
    validate.gru_sequence_inputs(x, a0, parameters, reset_after)
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]

    a = np.zeros((n_a, m, T_x), dtype=x.dtype)
    y_pred = None
    if "Wy" in parameters:
        n_y = parameters["Wy"].shape[0]
        y_pred = np.zeros((n_y, m, T_x), dtype=x.dtype)

    caches = []
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = gru_cell_forward(
            x[:, :, t], a_next, parameters, reset_after
        )
        a[:, :, t] = a_next
        if y_pred is not None:
            y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def gru_cell_backward(da_next, cache):
    """Backward through one GRU cell.

    Arguments:
        da_next: the gradient with respect to a_next, (n_a, m).
        cache: the cache that gru_cell_forward returned.

    Returns:
        dict with dxt (n_x, m), da_prev (n_a, m), dWz, dbz, dWr, dbr, dWc, dbc,
        and dbca when the cell ran with reset_after=True.
    """
    validate.cell_cache(cache, "gru")
    a_next, a_prev, xt, zt, rt, cct, ha, parameters, reset_after = cache
    validate.upstream("da_next", da_next, "a_next", a_next)
    n_a = a_prev.shape[0]
    Wc = parameters["Wc"]
    grads = {}

    # a_next = zt * a_prev + (1 - zt) * cct
    da_prev = da_next * zt
    dzt = da_next * (a_prev - cct)
    dsc = da_next * (1 - zt) * (1 - cct**2)  # through the candidate's tanh

    if reset_after:
        # s_c = Wc[:, n_a:] xt + bc + rt * ha, with ha = Wc[:, :n_a] a_prev +
        # bca.
        dha = dsc * rt
        drt = dsc * ha
        grads["dWc"] = np.concatenate([dha @ a_prev.T, dsc @ xt.T], axis=1)
        grads["dbca"] = dha.sum(axis=1, keepdims=True)
        da_prev = da_prev + Wc[:, :n_a].T @ dha
        dxt = Wc[:, n_a:].T @ dsc
    else:
        # s_c = Wc [rt * a_prev; xt] + bc.
        reset_concat = np.concatenate([rt * a_prev, xt], axis=0)
        grads["dWc"] = dsc @ reset_concat.T
        d_reset_concat = Wc.T @ dsc
        drt = d_reset_concat[:n_a] * a_prev
        da_prev = da_prev + d_reset_concat[:n_a] * rt
        dxt = d_reset_concat[n_a:]
    grads["dbc"] = dsc.sum(axis=1, keepdims=True)

    # Through the gates' sigmoids to their pre-activations s = W [a_prev; xt] +
    # b.
    dsz = dzt * zt * (1 - zt)
    dsr = drt * rt * (1 - rt)
    concat = np.concatenate([a_prev, xt], axis=0)
    for gate, ds in (("z", dsz), ("r", dsr)):
        grads["dW" + gate] = ds @ concat.T
        grads["db" + gate] = ds.sum(axis=1, keepdims=True)
    dconcat = parameters["Wz"].T @ dsz + parameters["Wr"].T @ dsr

    grads["da_prev"] = da_prev + dconcat[:n_a]
    grads["dxt"] = dxt + dconcat[n_a:]
    return grads


def gru_backward(da, caches):
    """Backpropagation through time for the GRU (either form).

    Arguments:
        da: the gradient with respect to every hidden state, from outside the
            recurrence (the outputs), (n_a, m, T_x).
        caches: what gru_forward returned.

    Returns:
        dict with dx (n_x, m, T_x), da0 (n_a, m), dWz, dbz, dWr, dbr, dWc, dbc,
        and dbca for the reset_after form.
    """
    cell_caches, x = validate.sequence_backward_inputs(da, caches, "gru")
    n_a, m, T_x = da.shape
    parameters, reset_after = cell_caches[0][-2], cell_caches[0][-1]

    names = ["Wz", "bz", "Wr", "br", "Wc", "bc"] + (
        ["bca"] if reset_after else []
    )
    grads = {"d" + name: np.zeros_like(parameters[name]) for name in names}
    grads["dx"] = np.zeros_like(x)
    da_prevt = np.zeros((n_a, m), dtype=da.dtype)

    for t in reversed(range(T_x)):
        # a<t> feeds the output at step t and the step after.
        step = gru_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])
        grads["dx"][:, :, t] = step["dxt"]
        da_prevt = step["da_prev"]
        for name in names:
            grads["d" + name] += step["d" + name]

    grads["da0"] = da_prevt
    return grads


def gru_loss_and_grads(x, y, a0, parameters, reset_after=False):
    """Softmax cross-entropy of a labelled batch and the gradient of every parameter.

    Arguments:
        x: inputs, (n_x, m, T_x).
        y: integer labels, (m, T_x).
        a0: the initial hidden state, (n_a, m).
        parameters: the gates' W*, b* (bca too when reset_after is True) and
            the output layer Wy, by (required).
        reset_after: which GRU form (see the module docstring).

    Returns:
        loss (summed over time, averaged over the batch) and a dict with the
        gradient of every parameter, dx and da0.
    """
    required = validate.GRU_PARAMETERS + (("bca",) if reset_after else ())
    validate.parameter_dict(parameters, required + validate.GATED_OUTPUT, ())
    a, _, caches = gru_forward(x, a0, parameters, reset_after)
    loss, da, dWy, dby = output_layer_loss(a, y, parameters["Wy"], parameters["by"])
    grads = gru_backward(da, caches)
    grads.update(dWy=dWy, dby=dby)
    return loss, grads
