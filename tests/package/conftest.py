"""Shared fixtures: the four models behind one interface, and seeded random cases.

``model`` runs a test once for each of RNN, LSTM, GRU (reset before the
product) and GRU (reset after).  ``make_case`` builds seeded inputs and
parameters; the parameters get random noise on top of the initialiser, so no
bias is zero and every gradient is exercised.
"""

from dataclasses import dataclass

import numpy as np
import pytest

import rnnbook


@dataclass(frozen=True)
class Model:
    """One model's public functions, called through a common signature.

    Everything returns the LSTM's shape of result; the other models give None
    where the LSTM has a cell state.
    """

    name: str
    kind: str  # "rnn", "lstm" or "gru"
    reset_after: bool = False

    @property
    def has_c(self):
        return self.kind == "lstm"

    @property
    def output_weight(self):
        return "Wya" if self.kind == "rnn" else "Wy"

    def init(self, n_x, n_a, n_y=None, *, seed=0, dtype=np.float64):
        if self.kind == "rnn":
            return rnnbook.init_rnn_parameters(n_x, n_a, n_y, seed=seed, dtype=dtype)
        if self.kind == "lstm":
            return rnnbook.init_lstm_parameters(n_x, n_a, n_y, seed=seed, dtype=dtype)
        return rnnbook.init_gru_parameters(
            n_x, n_a, n_y, reset_after=self.reset_after, seed=seed, dtype=dtype
        )

    def cell_forward(self, xt, a_prev, c_prev, parameters):
        """-> (a_next, c_next or None, yt_pred, cache)"""
        if self.kind == "rnn":
            a_next, yt_pred, cache = rnnbook.rnn_cell_forward(xt, a_prev, parameters)
            return a_next, None, yt_pred, cache
        if self.kind == "lstm":
            return rnnbook.lstm_cell_forward(xt, a_prev, c_prev, parameters)
        a_next, yt_pred, cache = rnnbook.gru_cell_forward(
            xt, a_prev, parameters, reset_after=self.reset_after
        )
        return a_next, None, yt_pred, cache

    def forward(self, x, a0, parameters, c0=None):
        """-> (a, y_pred, c or None, caches)"""
        if self.kind == "rnn":
            a, y_pred, caches = rnnbook.rnn_forward(x, a0, parameters)
            return a, y_pred, None, caches
        if self.kind == "lstm":
            return rnnbook.lstm_forward(x, a0, parameters, c0=c0)
        a, y_pred, caches = rnnbook.gru_forward(x, a0, parameters, reset_after=self.reset_after)
        return a, y_pred, None, caches

    def cell_backward(self, da_next, dc_next, cache):
        if self.kind == "rnn":
            return rnnbook.rnn_cell_backward(da_next, cache)
        if self.kind == "lstm":
            return rnnbook.lstm_cell_backward(da_next, dc_next, cache)
        return rnnbook.gru_cell_backward(da_next, cache)

    def backward(self, da, caches):
        if self.kind == "rnn":
            return rnnbook.rnn_backward(da, caches)
        if self.kind == "lstm":
            return rnnbook.lstm_backward(da, caches)
        return rnnbook.gru_backward(da, caches)

    def loss_and_grads(self, x, y, a0, parameters, c0=None):
        if self.kind == "rnn":
            return rnnbook.rnn_loss_and_grads(x, y, a0, parameters)
        if self.kind == "lstm":
            return rnnbook.lstm_loss_and_grads(x, y, a0, parameters, c0=c0)
        return rnnbook.gru_loss_and_grads(x, y, a0, parameters, reset_after=self.reset_after)


MODELS = (
    Model("rnn", "rnn"),
    Model("lstm", "lstm"),
    Model("gru_reset_before", "gru", reset_after=False),
    Model("gru_reset_after", "gru", reset_after=True),
)


@pytest.fixture(params=MODELS, ids=[model.name for model in MODELS])
def model(request):
    return request.param


@dataclass
class Case:
    x: np.ndarray  # (n_x, m, T_x)
    a0: np.ndarray  # (n_a, m)
    c0: np.ndarray | None  # (n_a, m), LSTM only
    y: np.ndarray | None  # (m, T_x) integer labels, when n_y is given
    parameters: dict
    rng: np.random.Generator  # for the test's own draws (upstream gradients)


def perturbed(parameters, rng, scale=0.1):
    """Every parameter plus N(0, scale^2) noise, in its own dtype."""
    return {
        name: (value + scale * rng.standard_normal(value.shape)).astype(value.dtype)
        for name, value in parameters.items()
    }


def build_case(model, n_x=3, n_a=4, n_y=None, m=2, T_x=3, *, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    parameters = perturbed(model.init(n_x, n_a, n_y, seed=seed), rng)
    x = rng.standard_normal((n_x, m, T_x))
    a0 = 0.5 * rng.standard_normal((n_a, m))
    c0 = 0.5 * rng.standard_normal((n_a, m)) if model.has_c else None
    y = rng.integers(0, n_y, size=(m, T_x)) if n_y else None
    return Case(
        x=x.astype(dtype),
        a0=a0.astype(dtype),
        c0=None if c0 is None else c0.astype(dtype),
        y=y,
        parameters={k: v.astype(dtype) for k, v in parameters.items()},
        rng=rng,
    )


@pytest.fixture
def models():
    """The models by name, for tests about one of them."""
    return {model.name: model for model in MODELS}


@pytest.fixture
def make_case():
    """build_case(model, n_x, n_a, n_y, m, T_x, seed=..., dtype=...) -> Case."""
    return build_case


# --- the worst gradient-check errors, shown after the run ----------------------------

# Each check's worst error travels with its test report (user_properties), so
# the summary is complete when the tests run in several processes (nox runs
# them with pytest-xdist): the process that prints it ran none of them.
WORST_ERROR = "worst relative error"
_WORST = {}


@pytest.fixture
def record_error(request):
    """record_error(category, errors_dict): keep the worst relative error per category."""

    def record(category, errors):
        name, value = max(errors.items(), key=lambda item: item[1])
        where = f"{request.node.name} [{name}]"
        request.node.user_properties.append((WORST_ERROR, (category, float(value), where)))

    return record


def pytest_runtest_logreport(report):
    for key, value in report.user_properties:
        if key == WORST_ERROR:
            category, error, where = value
            if error >= _WORST.get(category, (-1.0,))[0]:
                _WORST[category] = (error, where)


def pytest_terminal_summary(terminalreporter):
    if not _WORST:
        return
    terminalreporter.section("worst relative errors")
    for category, (value, where) in sorted(_WORST.items()):
        terminalreporter.write_line(f"{category:32s} {value:.2e}  {where}")
