"""The encoder–decoder: gradients, padding, the fast backend, and bad input."""

import numpy as np
import pytest

import rnnbook
from rnnbook import seq2seq
from rnnbook.optim import Adam
from rnnbook.seq2seq import EOS, PAD

N_X, N_Y, N_H, N_E = 7, 6, 4, 3
CASES = [(kind, attention) for kind in ("gru", "lstm") for attention in (False, True)]
IDS = [f"{kind}-{'attention' if attention else 'fixed'}" for kind, attention in CASES]


def noisy_parameters(kind, attention, seed=0, dtype=np.float64):
    """Initialised parameters plus N(0, 1) noise: no bias is zero, and the
    attention weights are far from uniform, so every gradient is exercised."""
    rng = np.random.default_rng([seed, 7])
    parameters = seq2seq.init_seq2seq_parameters(
        kind, N_X, N_Y, N_H, attention=attention, n_e=N_E, seed=seed)
    return {part: {name: (value + rng.standard_normal(value.shape)).astype(dtype)
                   for name, value in layer.items()}
            for part, layer in parameters.items()}


def padded_batch(seed=0, x_lengths=(5, 3, 1), y_lengths=(4, 2, 3)):
    """Random sources and targets (ending in EOS), padded with PAD."""
    rng = np.random.default_rng(seed)
    x_lengths, y_lengths = np.array(x_lengths), np.array(y_lengths)
    m = len(x_lengths)
    x = rng.integers(3, N_X, size=(m, x_lengths.max()))
    y = rng.integers(3, N_Y, size=(m, y_lengths.max()))
    for i in range(m):
        x[i, x_lengths[i]:] = PAD
        y[i, y_lengths[i] - 1] = EOS
        y[i, y_lengths[i]:] = PAD
    return x, x_lengths, y, y_lengths


@pytest.mark.parametrize("kind, attention", CASES, ids=IDS)
def test_gradients_match_central_differences(kind, attention, record_error):
    parameters = noisy_parameters(kind, attention)
    x, x_lengths, y, y_lengths = padded_batch()
    _, grads = seq2seq.seq2seq_loss_and_grads(x, x_lengths, y, y_lengths, parameters)
    assert set(grads) == set(parameters)

    def loss():
        return seq2seq.seq2seq_loss_and_grads(x, x_lengths, y, y_lengths, parameters)[0]

    errors = {}
    for part, layer in parameters.items():
        assert set(grads[part]) == {"d" + name for name in layer}
        for name, error in rnnbook.gradient_check(loss, layer, grads[part]).items():
            errors[f"{part}.{name}"] = error
    record_error(f"seq2seq {kind} attention={attention}", errors)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("kind, attention", CASES, ids=IDS)
def test_padding_changes_nothing(kind, attention):
    """The loss of a padded batch is the mean of the losses of its sequences,
    each run alone without padding, and what stands in the padding is ignored."""
    parameters = noisy_parameters(kind, attention, seed=1)
    x, x_lengths, y, y_lengths = padded_batch(seed=1)
    loss, grads = seq2seq.seq2seq_loss_and_grads(x, x_lengths, y, y_lengths, parameters)
    m = len(x_lengths)
    alone = []
    for i in range(m):
        xi, yi = x[i : i + 1, : x_lengths[i]], y[i : i + 1, : y_lengths[i]]
        alone.append(seq2seq.seq2seq_loss_and_grads(
            xi, x_lengths[i : i + 1], yi, y_lengths[i : i + 1], parameters))
    assert loss == pytest.approx(np.mean([loss_i for loss_i, _ in alone]), rel=1e-12)
    for part in grads:
        for name, value in grads[part].items():
            mean = np.mean([g[part][name] for _, g in alone], axis=0)
            np.testing.assert_allclose(value, mean, rtol=1e-10, atol=1e-13)

    other_x, other_y = x.copy(), y.copy()
    other_x[np.logical_not(seq2seq.length_mask(x_lengths, x.shape[1]))] = 4
    other_y[np.logical_not(seq2seq.length_mask(y_lengths, y.shape[1]))] = 5
    assert (other_x != x).any() and (other_y != y).any()
    other_loss, other_grads = seq2seq.seq2seq_loss_and_grads(
        other_x, x_lengths, other_y, y_lengths, parameters)
    assert other_loss == loss
    for part in grads:
        for name in grads[part]:
            np.testing.assert_array_equal(other_grads[part][name], grads[part][name])


def test_the_loss_is_the_teacher_forced_log_probability():
    parameters = noisy_parameters("gru", True, seed=2)
    x, x_lengths, y, y_lengths = padded_batch(seed=2)
    loss, _ = seq2seq.seq2seq_loss_and_grads(x, x_lengths, y, y_lengths, parameters)
    log_p = seq2seq.sequence_log_probs(x, x_lengths, y, y_lengths, parameters)
    assert log_p.shape == (3,) and np.all(log_p < 0)
    assert loss == pytest.approx(-log_p.mean(), rel=1e-12)


@pytest.mark.parametrize("attention", [False, True], ids=["fixed", "attention"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_backend_gives_the_same_numbers(attention, dtype):
    parameters = noisy_parameters("gru", attention, seed=3, dtype=dtype)
    x, x_lengths, y, y_lengths = padded_batch(seed=3)
    loss, grads = seq2seq.seq2seq_loss_and_grads(x, x_lengths, y, y_lengths, parameters)
    fast_loss, fast_grads = seq2seq.seq2seq_loss_and_grads(
        x, x_lengths, y, y_lengths, parameters, backend="fast")
    tolerance = 1e-12 if dtype == np.float64 else 1e-4
    assert fast_loss == pytest.approx(loss, rel=tolerance)
    for part in grads:
        for name, value in grads[part].items():
            assert fast_grads[part][name].dtype == dtype
            np.testing.assert_allclose(fast_grads[part][name], value, rtol=tolerance,
                                       atol=tolerance)


def test_attention_weights_are_a_distribution_over_real_positions():
    parameters = noisy_parameters("lstm", True, seed=4)
    x, x_lengths, y, _ = padded_batch(seed=4)
    logits, alphas, _ = seq2seq.seq2seq_forward(x, x_lengths, y, parameters)
    assert logits.shape == (N_Y, 3, y.shape[1])
    assert alphas.shape == (3, y.shape[1], x.shape[1])
    np.testing.assert_allclose(alphas.sum(axis=2), 1.0, rtol=1e-12)
    padding = np.logical_not(seq2seq.length_mask(x_lengths, x.shape[1]))
    assert np.all(alphas.transpose(1, 0, 2)[:, padding] == 0)


def test_training_learns_to_copy():
    """A few hundred Adam steps on 3-token copies: the loss falls well below
    its start and greedy decoding copies most held-out sources."""
    rng = np.random.default_rng(5)
    parameters = seq2seq.init_seq2seq_parameters("gru", N_X, N_Y, 16, attention=True, seed=5)
    optimisers = {part: Adam(lr=0.02) for part in parameters}

    def batch(m):
        x = rng.integers(3, N_X - 1, size=(m, 3))
        y = np.concatenate([x, np.full((m, 1), EOS)], axis=1)
        return x, np.full(m, 3), y, np.full(m, 4)

    losses = []
    for _ in range(150):
        x, x_lengths, y, y_lengths = batch(32)
        loss, grads = seq2seq.seq2seq_loss_and_grads(
            x, x_lengths, y, y_lengths, parameters, backend="fast")
        losses.append(loss)
        for part in parameters:
            optimisers[part].step(parameters[part], grads[part])
    assert np.mean(losses[-10:]) < 0.25 * np.mean(losses[:10])
    x, x_lengths, y, _ = batch(50)
    decoded, _ = rnnbook.greedy_decode(x, x_lengths, parameters, max_length=6)
    correct = np.mean([list(d) == list(t) for d, t in zip(decoded, y)])
    assert correct > 0.8, correct


def expect(exception, call, *fragments):
    with pytest.raises(exception) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


def test_bad_input_is_named():
    parameters = noisy_parameters("gru", True)
    x, x_lengths, y, y_lengths = padded_batch()

    def run(**changes):
        args = dict(x=x, x_lengths=x_lengths, y=y, y_lengths=y_lengths, parameters=parameters)
        args.update(changes)
        return lambda: seq2seq.seq2seq_loss_and_grads(**args)

    expect(TypeError, run(x=x.astype(float)), "x must hold integer token ids", "float64")
    expect(ValueError, run(x=x + N_X), "x holds token ids outside [0, 7)")
    expect(ValueError, run(x_lengths=x_lengths[:2]), "x_lengths has shape (2,)", "(m,) = (3,)")
    expect(ValueError, run(x_lengths=np.array([6, 3, 1])), "x_lengths holds lengths outside [1, 5]")
    expect(ValueError, run(y_lengths=np.array([0, 2, 3])), "y_lengths holds lengths outside [1, 4]")
    expect(ValueError, run(y=y[:2]), "y has shape (2, 4)", "m = 3")
    expect(ValueError, run(y=y + N_Y), "y holds token ids outside [0, 6)")
    expect(ValueError, run(parameters={"encoder": parameters["encoder"]}),
           "needs 'encoder', 'decoder', 'output'")
    no_attention = {part: parameters[part] for part in ("encoder", "decoder", "output")}
    expect(ValueError, run(parameters=no_attention), "the decoder reads inputs of size 10",
           "y<t-1>, n_y = 6")
    wrong = dict(parameters, output={"Wy": parameters["output"]["Wy"][:, :3],
                                     "by": parameters["output"]["by"]})
    expect(ValueError, run(parameters=wrong), "parameters['output']['Wy'] has shape (6, 3)",
           "(n_y, n_h) = (n_y, 4)")
    wrong = dict(parameters, attention=dict(parameters["attention"], va=np.zeros((2, 1))))
    expect(ValueError, run(parameters=wrong), "parameters['attention']['va'] has shape (2, 1)")
    wrong = dict(parameters, decoder={k: v[:3] for k, v in parameters["decoder"].items()})
    expect(ValueError, run(parameters=wrong), "n_s = 3", "n_h = 4")
    lstm = noisy_parameters("lstm", True)
    expect(ValueError, run(parameters=dict(parameters, decoder=lstm["decoder"])),
           "the encoder is a gru layer but the decoder a lstm layer")
    expect(ValueError, run(parameters=lstm, backend="fast"), "backend='fast' runs GRU models only")
    expect(ValueError, run(backend="torch"), "backend must be one of textbook, fast")
    expect(TypeError, run(parameters=noisy_parameters("gru", True, dtype=np.float32)
                          | {"output": parameters["output"]}), "parameters['output']['Wy']",
           "float64")
