"""Decoding an encoder–decoder: greedy, and beam search with length normalisation.

Both feed the decoder its own previous token, starting from BOS, and stop a
sequence at EOS or after ``max_length`` tokens.  A token's log-probability is
log softmax(Wy s<t> + by) over the whole target vocabulary; PAD and BOS are
never chosen (they are inputs, not outputs), but their share of the
probability is not handed to the other tokens.  The score of a sequence
y<1..T> (EOS included when it ended with one) is

    score = log p(y | x) / T^alpha,  log p(y | x) = sum_t log p(y<t> | y<1..t-1>, x)

alpha = 0 is the plain log-probability; alpha = 1 its mean per token.
"""

import numpy as np

from rnnbook.activations import log_softmax
from rnnbook.seq2seq import BOS, EOS, PAD, decoder_step, encode, one_hot


def _check_count(name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")


def token_log_probs(logits):
    """log p of every token (n_y, k), and the same with PAD and BOS at -inf for choosing."""
    log_p = log_softmax(logits.astype(np.float64))
    choosable = log_p.copy()
    choosable[[PAD, BOS]] = -np.inf
    return log_p, choosable


def greedy_decode(x, x_lengths, parameters, max_length):
    """Take the most probable token at every step.

    Arguments:
        x: source token ids (m, T_x), padded; x_lengths: (m,).
        parameters: an encoder–decoder's (rnnbook.seq2seq).
        max_length: the most tokens a sequence may have, EOS included.

    Returns:
        sequences: a list of m integer arrays (each ends in EOS unless it was
        cut at max_length); scores: their log-probabilities, (m,).
    """
    _check_count("max_length", max_length)
    kind, h, state, x_mask = encode(x, x_lengths, parameters)
    m, n_y = x.shape[0], parameters["output"]["Wy"].shape[0]
    dtype = h.dtype
    y_prev = np.full(m, BOS)
    tokens = np.full((m, max_length), PAD)
    scores, lengths = np.zeros(m), np.zeros(m, dtype=int)
    done = np.zeros(m, dtype=bool)
    for t in range(max_length):
        state, logits, _, _ = decoder_step(kind, one_hot(y_prev, n_y, dtype), state, h, x_mask,
                                           parameters)
        log_p, choosable = token_log_probs(logits)
        y_prev = np.argmax(choosable, axis=0)
        live = ~done
        tokens[live, t] = y_prev[live]
        scores[live] += log_p[y_prev, np.arange(m)][live]
        lengths[live] += 1
        done |= y_prev == EOS
        if done.all():
            break
    return [tokens[i, : lengths[i]] for i in range(m)], scores


def beam_search(x, x_lengths, parameters, beam_width, max_length, alpha=0.0):
    """Keep the beam_width most probable prefixes at every step.

    Arguments:
        x, x_lengths, parameters, max_length: as greedy_decode.
        beam_width: how many prefixes live on from one step to the next.
        alpha: the length normalisation's exponent (module docstring).

    Returns:
        sequences: the best sequence of each source, a list of m integer
        arrays; scores: their scores log p / T^alpha, (m,).
    """
    _check_count("beam_width", beam_width)
    _check_count("max_length", max_length)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise TypeError(f"alpha must be a number, got {alpha!r}")
    if not (np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    encode(x, x_lengths, parameters)  # check every argument before the loop
    best = [beam_search_one(x[i : i + 1], x_lengths[i : i + 1], parameters, beam_width,
                            max_length, alpha) for i in range(x.shape[0])]
    return [tokens for tokens, _ in best], np.array([score for _, score in best])


def beam_search_one(x, x_lengths, parameters, beam_width, max_length, alpha):
    """Beam search for one source, x (1, T_x).

    Returns the best tokens and their score.
    """
    kind, h, state, x_mask = encode(x, x_lengths, parameters)
    n_y = parameters["output"]["Wy"].shape[0]
    prefixes, log_probs = [[]], np.zeros(1)  # the live beam, one column each
    finished = []  # (tokens, log p) of the sequences that ended
    for t in range(max_length):
        k = len(prefixes)
        y_prev = np.array([p[-1] if p else BOS for p in prefixes])
        state, logits, _, _ = decoder_step(
            kind,
            one_hot(y_prev, n_y, h.dtype),
            state,
            np.repeat(h, k, axis=1),
            np.repeat(x_mask, k, axis=0),
            parameters,
        )
        _, choosable = token_log_probs(logits)
        # Every prefix times every token, at index prefix * n_y + token: keep
        # the best beam_width of the k n_y candidates.
        total = (log_probs + choosable).T.ravel()
        chosen = np.argsort(-total, kind="stable")[:beam_width]
        chosen = chosen[np.isfinite(total[chosen])]
        keep, next_prefixes = [], []
        for index in chosen:
            prefix, token = divmod(int(index), n_y)
            tokens = prefixes[prefix] + [token]
            if token == EOS:
                finished.append((tokens, total[index]))
            else:
                keep.append(prefix)
                next_prefixes.append((tokens, total[index]))
        if not next_prefixes:
            break
        prefixes = [tokens for tokens, _ in next_prefixes]
        log_probs = np.array([score for _, score in next_prefixes])
        state = tuple(part[:, keep] for part in state)
    else:
        # max_length reached: the prefixes still alive end here, without EOS.
        finished += list(zip(prefixes, log_probs))
    scores = [log_p / len(tokens) ** alpha for tokens, log_p in finished]
    best = int(np.argmax(scores))
    return np.array(finished[best][0]), float(scores[best])
