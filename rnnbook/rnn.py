"""The vanilla RNN: equations (1.1) and (1.2), forward and backward through time.

Shapes follow the notes: ``x`` is ``(n_x, m, T_x)``, a hidden state is
``(n_a, m)``, biases are columns.  Parameters live in a dict:

===========  ==============  ==========================================
key          shape           role
===========  ==============  ==========================================
``Wax``      ``(n_a, n_x)``  multiplies the input ``x<t>``
``Waa``      ``(n_a, n_a)``  multiplies the previous state ``a<t-1>``
``ba``       ``(n_a, 1)``    hidden bias
``Wya``      ``(n_y, n_a)``  output layer (optional, with ``by``)
``by``       ``(n_y, 1)``    output bias (optional, with ``Wya``)
===========  ==============  ==========================================
"""

import numpy as np

from rnnbook import validate
from rnnbook.activations import softmax
from rnnbook.loss import output_layer_loss


def rnn_cell_forward(xt, a_prev, parameters):
    """One step of the RNN, equations (1.1) and (1.2).

    Arguments:
        xt: the input at this step, (n_x, m).
        a_prev: the previous hidden state, (n_a, m).
        parameters: dict with Wax, Waa, ba and optionally Wya, by.

    Returns:
        a_next: the new hidden state, (n_a, m).
        yt_pred: the softmax prediction, (n_y, m), or None without an output
                 layer.
        cache: (a_next, a_prev, xt, parameters), what the backward step needs.
    """
    validate.rnn_cell_inputs(xt, a_prev, parameters)
    Wax, Waa, ba = parameters["Wax"], parameters["Waa"], parameters["ba"]

    # Equation (1.1): the new state mixes the previous state and the input.
    a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)

    # Equation (1.2): a prediction, if the parameters hold an output layer.
    yt_pred = None
    if "Wya" in parameters:
        yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])

    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache


def rnn_forward(x, a0, parameters):
    """Run the RNN cell over all T_x steps of a batch of sequences.

    Arguments:
        x: inputs, (n_x, m, T_x).
        a0: the initial hidden state, (n_a, m).
        parameters: as for rnn_cell_forward.

    Returns:
        a: every hidden state, (n_a, m, T_x).
        y_pred: every prediction, (n_y, m, T_x), or None without an output
                layer.
        caches: (list of the T_x cell caches, x).
    """
    validate.rnn_sequence_inputs(x, a0, parameters)
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]

    a = np.zeros((n_a, m, T_x), dtype=x.dtype)
    y_pred = None
    if "Wya" in parameters:
        n_y = parameters["Wya"].shape[0]
        y_pred = np.zeros((n_y, m, T_x), dtype=x.dtype)

    caches = []
    a_next = a0
    for t in range(T_x):
        # The state leaving step t is the state entering step t + 1.
        a_next, yt_pred, cache = rnn_cell_forward(
            x[:, :, t], a_next, parameters
        )
        a[:, :, t] = a_next
        if y_pred is not None:
            y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_cell_backward(da_next, cache):
    """Backward through one RNN cell.

    Arguments:
        da_next: the gradient of the loss with respect to a_next, (n_a, m).
        cache: the cache that rnn_cell_forward returned.

    Returns:
        dict with dxt (n_x, m), da_prev (n_a, m), dWax (n_a, n_x),
        dWaa (n_a, n_a) and dba (n_a, 1).
    """
    validate.cell_cache(cache, "rnn")
    a_next, a_prev, xt, parameters = cache
    validate.upstream("da_next", da_next, "a_next", a_next)
    Wax, Waa = parameters["Wax"], parameters["Waa"]

    # a_next = tanh(s), and tanh'(s) = 1 - tanh(s)^2 = 1 - a_next^2.
    ds = da_next * (1 - a_next**2)

    # s = Waa a_prev + Wax xt + ba: each factor's gradient is ds times the
    # other.
    dxt = Wax.T @ ds
    da_prev = Waa.T @ ds
    dWax = ds @ xt.T
    dWaa = ds @ a_prev.T
    # ba was added to every column (sample), so its gradient sums over them.
    dba = ds.sum(axis=1, keepdims=True)
    return {
        "dxt": dxt,
        "da_prev": da_prev,
        "dWax": dWax,
        "dWaa": dWaa,
        "dba": dba,
    }


def rnn_backward(da, caches):
    """Backpropagation through time for the whole sequence.

    Arguments:
        da: the gradient of the loss with respect to every hidden state,
            coming from outside the recurrence (the outputs), (n_a, m, T_x).
        caches: what rnn_forward returned.

    Returns:
        dict with dx (n_x, m, T_x), da0 (n_a, m), dWax, dWaa, dba.
    """
    cell_caches, x = validate.sequence_backward_inputs(da, caches, "rnn")
    n_a, m, T_x = da.shape
    parameters = cell_caches[0][3]

    dx = np.zeros_like(x)
    dWax = np.zeros_like(parameters["Wax"])
    dWaa = np.zeros_like(parameters["Waa"])
    dba = np.zeros_like(parameters["ba"])
    da_prevt = np.zeros((n_a, m), dtype=da.dtype)

    for t in reversed(range(T_x)):
        # a<t> reaches the loss twice: through the output at step t (da[:, :,
        # t])
        # and through a<t+1> (da_prevt, carried back from the step after).
        grads = rnn_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])
        dx[:, :, t] = grads["dxt"]
        da_prevt = grads["da_prev"]
        # The same weights act at every step, so their gradients add up.
        dWax += grads["dWax"]
        dWaa += grads["dWaa"]
        dba += grads["dba"]

    return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_loss_and_grads(x, y, a0, parameters):
    """Softmax cross-entropy of a labelled batch and the gradient of every parameter.

    Arguments:
        x: inputs, (n_x, m, T_x).
        y: integer labels, (m, T_x).
        a0: the initial hidden state, (n_a, m).
        parameters: Wax, Waa, ba, Wya, by (the output layer is required).

    Returns:
        loss (summed over time, averaged over the batch) and a dict with
        dWax, dWaa, dba, dWya, dby, dx and da0.
    """
    validate.parameter_dict(parameters, validate.RNN_PARAMETERS + validate.RNN_OUTPUT, ())
    a, _, caches = rnn_forward(x, a0, parameters)
    loss, da, dWya, dby = output_layer_loss(a, y, parameters["Wya"], parameters["by"])
    grads = rnn_backward(da, caches)
    grads.update(dWya=dWya, dby=dby)
    return loss, grads
