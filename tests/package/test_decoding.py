"""Greedy decoding and beam search, checked against every possible output."""

import itertools

import numpy as np
import pytest

import rnnbook
from rnnbook import seq2seq
from rnnbook.seq2seq import EOS

# A target vocabulary of PAD, BOS, EOS and three letters; at most 4 tokens.
N_X, N_Y, N_H, MAX_LENGTH = 6, 6, 4, 4
LETTERS = range(3, N_Y)
CASES = [(kind, attention) for kind in ("gru", "lstm") for attention in (False, True)]
IDS = [f"{kind}-{'attention' if attention else 'fixed'}" for kind, attention in CASES]


def every_output():
    """Every sequence the decoder can produce: letters then EOS, or MAX_LENGTH letters."""
    ended = [list(c) + [EOS] for n in range(MAX_LENGTH)
             for c in itertools.product(LETTERS, repeat=n)]
    cut = [list(c) for c in itertools.product(LETTERS, repeat=MAX_LENGTH)]
    return ended + cut


def padded(sequences):
    lengths = np.array([len(s) for s in sequences])
    tokens = np.zeros((len(sequences), lengths.max()), dtype=int)
    for i, s in enumerate(sequences):
        tokens[i, : len(s)] = s
    return tokens, lengths


def model(kind, attention, seed):
    rng = np.random.default_rng([seed, 11])
    parameters = seq2seq.init_seq2seq_parameters(kind, N_X, N_Y, N_H, attention=attention,
                                                 seed=seed)
    # Large random weights: sharp, varied distributions, so the best sequence
    # is often not the greedy one.
    return {part: {name: value + rng.standard_normal(value.shape)
                   for name, value in layer.items()} for part, layer in parameters.items()}


def sources(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(3, N_X, size=(4, 5))
    x_lengths = np.array([5, 4, 2, 1])
    return x, x_lengths


def exhaustive(x, x_lengths, parameters, alpha):
    """(best sequence, its score, every score) of each source, by scoring all outputs."""
    outputs = every_output()
    y, y_lengths = padded(outputs)
    best = []
    for i in range(x.shape[0]):
        n = len(outputs)
        log_p = seq2seq.sequence_log_probs(
            np.repeat(x[i : i + 1], n, axis=0), np.repeat(x_lengths[i : i + 1], n), y,
            y_lengths, parameters)
        scores = log_p / y_lengths**alpha
        j = int(np.argmax(scores))
        best.append((outputs[j], scores[j], scores))
    return best


@pytest.mark.parametrize("kind, attention", CASES, ids=IDS)
@pytest.mark.parametrize("alpha", [0.0, 0.7, 1.0])
def test_a_full_beam_finds_the_best_sequence(kind, attention, alpha):
    parameters = model(kind, attention, seed=1)
    x, x_lengths = sources(1)
    full = len(every_output())  # wide enough never to drop a prefix
    sequences, scores = rnnbook.beam_search(x, x_lengths, parameters, full, MAX_LENGTH,
                                            alpha=alpha)
    for i, (best, best_score, _) in enumerate(exhaustive(x, x_lengths, parameters, alpha)):
        assert list(sequences[i]) == best
        assert scores[i] == pytest.approx(best_score, rel=1e-12)


def test_greedy_misses_the_best_sequence_somewhere():
    """Greedy never scores above the best sequence, and across these random
    models it misses the best at least once: the exhaustive test above would
    prove little if greedy were always right."""
    misses = 0
    for seed in range(6):
        for kind, attention in CASES:
            parameters = model(kind, attention, seed)
            x, x_lengths = sources(seed)
            greedy, greedy_scores = rnnbook.greedy_decode(x, x_lengths, parameters, MAX_LENGTH)
            for i, (best, best_score, _) in enumerate(exhaustive(x, x_lengths, parameters, 0)):
                assert greedy_scores[i] <= best_score + 1e-12
                misses += list(greedy[i]) != best
    assert misses > 0


@pytest.mark.parametrize("kind, attention", CASES, ids=IDS)
def test_greedy_is_a_beam_of_one(kind, attention):
    parameters = model(kind, attention, seed=2)
    x, x_lengths = sources(2)
    greedy, greedy_scores = rnnbook.greedy_decode(x, x_lengths, parameters, MAX_LENGTH)
    beam, beam_scores = rnnbook.beam_search(x, x_lengths, parameters, 1, MAX_LENGTH)
    assert [list(s) for s in greedy] == [list(s) for s in beam]
    np.testing.assert_allclose(greedy_scores, beam_scores, rtol=1e-12)


@pytest.mark.parametrize("kind, attention", CASES, ids=IDS)
@pytest.mark.parametrize("beam_width, alpha", [(1, 0.0), (3, 0.0), (3, 1.0), (5, 0.6)])
def test_scores_are_teacher_forced_log_probabilities(kind, attention, beam_width, alpha):
    parameters = model(kind, attention, seed=3)
    x, x_lengths = sources(3)
    sequences, scores = rnnbook.beam_search(x, x_lengths, parameters, beam_width, MAX_LENGTH,
                                            alpha=alpha)
    y, y_lengths = padded(sequences)
    log_p = seq2seq.sequence_log_probs(x, x_lengths, y, y_lengths, parameters)
    np.testing.assert_allclose(scores, log_p / y_lengths**alpha, rtol=1e-12)
    for s in sequences:
        assert 1 <= len(s) <= MAX_LENGTH and EOS not in list(s[:-1])
        assert set(s) <= set(LETTERS) | {EOS}


def test_decoding_stops_at_max_length_and_at_eos():
    parameters = model("gru", True, seed=4)
    x, x_lengths = sources(4)
    for max_length in (1, 2, 7):
        sequences, _ = rnnbook.greedy_decode(x, x_lengths, parameters, max_length)
        for s in sequences:
            assert len(s) == max_length or (len(s) < max_length and s[-1] == EOS)


def test_bad_arguments_are_named():
    parameters = model("gru", False, seed=0)
    x, x_lengths = sources(0)
    with pytest.raises(ValueError, match="beam_width must be at least 1, got 0"):
        rnnbook.beam_search(x, x_lengths, parameters, 0, 4)
    with pytest.raises(TypeError, match="max_length must be an integer"):
        rnnbook.greedy_decode(x, x_lengths, parameters, 2.5)
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        rnnbook.beam_search(x, x_lengths, parameters, 2, 4, alpha=-1.0)
    with pytest.raises(ValueError, match="x_lengths holds lengths outside"):
        rnnbook.beam_search(x, x_lengths + 1, parameters, 2, 4)
