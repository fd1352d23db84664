"""``python -m rnnbook``: a short tour of the package that runs in a second.

It builds each model, runs forward and backward on a small random batch and
checks every gradient against central differences.
"""

import sys

import numpy as np

import rnnbook


def demo(out=sys.stdout):
    rng = np.random.default_rng(0)
    n_x, n_a, n_y, m, T_x = 3, 5, 4, 2, 6
    x = rng.standard_normal((n_x, m, T_x))
    y = rng.integers(0, n_y, size=(m, T_x))
    a0 = np.zeros((n_a, m))
    models = [
        ("RNN", rnnbook.init_rnn_parameters, rnnbook.rnn_loss_and_grads),
        ("LSTM", rnnbook.init_lstm_parameters, rnnbook.lstm_loss_and_grads),
        ("GRU (reset before)", rnnbook.init_gru_parameters, rnnbook.gru_loss_and_grads),
        (
            "GRU (reset after)",
            lambda *a, **k: rnnbook.init_gru_parameters(*a, reset_after=True, **k),
            lambda *a: rnnbook.gru_loss_and_grads(*a, reset_after=True),
        ),
    ]
    print(f"x: (n_x, m, T_x) = {x.shape}, labels y: (m, T_x) = {y.shape}", file=out)
    worst_overall = 0.0
    for name, init, loss_and_grads in models:
        parameters = init(n_x, n_a, n_y, seed=1)
        loss, grads = loss_and_grads(x, y, a0, parameters)
        def loss_only():
            return loss_and_grads(x, y, a0, parameters)[0]

        errors = rnnbook.gradient_check(loss_only, parameters, grads)
        worst = max(errors.values())
        worst_overall = max(worst_overall, worst)
        print(f"{name:20s} loss {loss:.4f}  worst gradient relative error {worst:.1e}", file=out)
    return worst_overall


if __name__ == "__main__":
    sys.exit(0 if demo() < 1e-7 else 1)
