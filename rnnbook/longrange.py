"""A recurrent layer with a regression head on its last state, and the adding problem.

The model reads a whole sequence and answers once, at the end:

    y_hat = Wy a<T> + by,        loss = mean over the batch of (y_hat - y)^2

so the gradient enters the recurrence at the last step only and must travel
back through every step to reach the inputs that matter.  That is what the
adding problem (rnnbook.data.adding_problem) tests: the two marked values can
lie up to T steps before the answer.

``mse_head`` is the head's forward and backward; ``regressor_loss_and_grads``
runs the whole model (any of "rnn", "lstm", "gru") and ``train_adding``
trains it on freshly drawn adding problems.
"""

import sys
import time

import numpy as np

from rnnbook import recurrent
from rnnbook.clipping import clip_by_global_norm
from rnnbook.data import adding_problem
from rnnbook.optim import Adam


def mse_head(a_last, y, Wy, by):
    """Linear output on the last hidden state, mean squared error, and gradients.

    Arguments:
        a_last: the last hidden state, (n_a, m).
        y: the targets, (n_y, m).
        Wy: (n_y, n_a); by: (n_y, 1).

    Returns:
        loss: the mean over the m samples (and n_y outputs) of (y_hat - y)^2.
        da_last (n_a, m), dWy (n_y, n_a), dby (n_y, 1).
    """
    n_a, m = a_last.shape
    if Wy.shape[1] != n_a or y.shape != (Wy.shape[0], m) or by.shape != (Wy.shape[0], 1):
        raise ValueError(
            f"mse_head needs a_last (n_a, m), y (n_y, m), Wy (n_y, n_a), by (n_y, 1); got "
            f"{a_last.shape}, {y.shape}, {Wy.shape}, {by.shape}"
        )
    error = Wy @ a_last + by - y
    loss = float(np.mean(np.square(error, dtype=np.float64)))
    # d loss / d y_hat = 2 (y_hat - y) / (number of entries averaged over)
    dy_hat = (2 / error.size) * error
    da_last = Wy.T @ dy_hat
    dWy = dy_hat @ a_last.T
    dby = dy_hat.sum(axis=1, keepdims=True)
    return loss, da_last, dWy, dby


def init_regressor(kind, n_x, n_a, n_y=1, *, seed=0, dtype=np.float32):
    """The recurrent layer's parameters plus the head's Wy (n_y, n_a) and by (n_y, 1)."""
    parameters = recurrent.init_layer(kind, n_x, n_a, seed=seed, dtype=dtype)
    rng = np.random.default_rng([seed, 1])
    bound = 1 / np.sqrt(n_a)
    parameters["Wy"] = rng.uniform(-bound, bound, size=(n_y, n_a)).astype(dtype)
    parameters["by"] = np.zeros((n_y, 1), dtype=dtype)
    return parameters


def regressor_predict(kind, x, parameters, backend=recurrent.DEFAULT_BACKEND):
    """y_hat (n_y, m) for inputs x (n_x, m, T_x), from a zero initial state."""
    layer = recurrent.layer_parameters(kind, parameters)
    n_a, m = parameters["Wy"].shape[1], x.shape[1]
    a, _ = recurrent.forward(kind, x, np.zeros((n_a, m), x.dtype), layer, backend)
    return parameters["Wy"] @ a[:, :, -1] + parameters["by"]


def regressor_loss_and_grads(kind, x, y, parameters, backend=recurrent.DEFAULT_BACKEND):
    """The MSE of the model on (x, y) and the gradient of every parameter.

    Arguments:
        kind: "rnn", "lstm" or "gru".
        x: inputs, (n_x, m, T_x); y: targets, (n_y, m).
        parameters: as init_regressor returns.

    Returns:
        loss and a dict with "d" + name for every parameter (and dx, da0, ...).
    """
    layer = recurrent.layer_parameters(kind, parameters)
    n_a, m = parameters["Wy"].shape[1], x.shape[1]
    a, cache = recurrent.forward(kind, x, np.zeros((n_a, m), x.dtype), layer, backend)
    loss, da_last, dWy, dby = mse_head(a[:, :, -1], y, parameters["Wy"], parameters["by"])
    # Only the last state feeds the loss; BPTT carries this back through time.
    da = np.zeros_like(a)
    da[:, :, -1] = da_last
    grads = recurrent.backward(kind, da, cache, backend)
    grads.update(dWy=dWy, dby=dby)
    return loss, grads


def train_adding(
    kind,
    T,
    *,
    hidden=32,
    steps=1000,
    batch=64,
    lr=1e-2,
    clip=1.0,
    seed=0,
    dtype=np.float32,
    log_every=0,
    test_size=1000,
    backend=recurrent.DEFAULT_BACKEND,
    out=sys.stdout,
):
    """Train a regressor on the adding problem of length T with Adam.

    Every step draws a new batch, so the loss of a batch, measured before the
    step that learns from it, is already a loss on unseen data.

    Returns a dict:
        "mse": the MSE of each step's batch (before the update), a list;
        "test_mse": the MSE on ``test_size`` fresh sequences after training;
        "parameters", "seconds", "kind", "T", "hidden".
    """
    recurrent.check_kind(kind)
    rng = np.random.default_rng(seed)
    parameters = init_regressor(kind, 2, hidden, seed=seed, dtype=dtype)
    optimizer = Adam(lr=lr)
    history = []
    start = time.perf_counter()
    for step in range(1, steps + 1):
        x, y = adding_problem(T, batch, rng, dtype=dtype)
        loss, grads = regressor_loss_and_grads(kind, x, y, parameters, backend)
        history.append(loss)
        # Clip the parameters' gradients only (not dx or da0) by their global norm.
        grads = {"d" + name: grads["d" + name] for name in parameters}
        if clip:
            grads = clip_by_global_norm(grads, clip)
        optimizer.step(parameters, grads)
        if log_every and (step % log_every == 0 or step == steps):
            recent = np.mean(history[-log_every:])
            print(f"{kind} T={T} step {step:5d}  mse {recent:.4f}", file=out)
    seconds = time.perf_counter() - start
    x, y = adding_problem(T, test_size, rng, dtype=dtype)
    error = regressor_predict(kind, x, parameters, backend) - y
    return {
        "kind": kind,
        "T": T,
        "hidden": hidden,
        "mse": history,
        "test_mse": float(np.mean(np.square(error, dtype=np.float64))),
        "parameters": parameters,
        "seconds": seconds,
    }
