"""An encoder–decoder (sequence to sequence) built from the book's GRU or LSTM cells.

The encoder reads the source tokens x<1>, ..., x<T_x> and keeps its states
h<t>; the decoder starts from the encoder's state at the last real source
token and, trained with teacher forcing, reads the target shifted right after
a start token:

    h<t> = cell_enc(h<t-1>, x<t>)                     t = 1 ... T_x
    s<0> = h<T_x>                                     (each sequence's own T_x)
    s<t> = cell_dec(s<t-1>, [y<t-1>; c<t>])           t = 1 ... T_y, y<0> = BOS
    y_hat<t> = softmax(Wy s<t> + by)

where c<t> = attention(s<t-1>, h) is the context vector of Bahdanau et al.
(2015) when the model has attention, and is left out when it has not.
Tokens are integers; a cell reads a token as its one-hot column, so the input
part of the cell's weights is the token's embedding.

Tokens 0, 1 and 2 of every vocabulary are PAD (fills a sequence up to the
batch's length), BOS (the decoder's first input) and EOS (ends a target).

The parameters are a dict of dicts:

===============  =====================================  ==============================
key              holds                                   shapes
===============  =====================================  ==============================
``"encoder"``    a GRU or LSTM layer (rnnbook.gru/lstm)  ``(n_h, n_h + n_x)``, ``(n_h, 1)``
``"decoder"``    the same kind of layer                  ``(n_h, n_h + n_y [+ n_h])``
``"output"``     ``Wy``, ``by``                          ``(n_y, n_h)``, ``(n_y, 1)``
``"attention"``  ``Wa``, ``Ua``, ``va`` (optional)       ``(n_e, n_h)``, ``(n_e, n_h)``,
                                                         ``(n_e, 1)``
===============  =====================================  ==============================

and the gradients come back in the same shape, with "d" before each name.
"""

import numpy as np

from rnnbook import fast, validate
from rnnbook.activations import log_softmax
from rnnbook.attention import attention_backward, attention_forward, masked_softmax
from rnnbook.gru import gru_cell_backward, gru_cell_forward
from rnnbook.lstm import lstm_cell_backward, lstm_cell_forward
from rnnbook.parameters import init_gru_parameters, init_lstm_parameters

PAD, BOS, EOS = 0, 1, 2
KINDS = ("gru", "lstm")
BACKENDS = ("textbook", "fast")
PARTS = ("encoder", "decoder", "output", "attention")


# --- parameters and their checks ---------------------------------------------------


def init_seq2seq_parameters(kind, n_x, n_y, n_h, *, attention=False, n_e=None, seed=0,
                            dtype=np.float64):
    """Seeded parameters of an encoder–decoder.

    Arguments:
        kind: "gru" or "lstm", the cell of both the encoder and the decoder.
        n_x, n_y: the sizes of the source and target vocabularies (PAD, BOS
            and EOS included).
        n_h: the size of the encoder's and the decoder's states.
        attention: add the additive attention's Wa, Ua, va (n_e rows each;
            n_e = n_h unless given).
    """
    _check_kind(kind)
    init = init_gru_parameters if kind == "gru" else init_lstm_parameters
    n_in = n_y + (n_h if attention else 0)  # the decoder reads [y<t-1>; c<t>]
    parameters = {
        "encoder": init(n_x, n_h, seed=seed, dtype=dtype),
        "decoder": init(n_in, n_h, seed=seed + 1, dtype=dtype),
    }
    rng = np.random.default_rng([seed, 2])
    bound = 1 / np.sqrt(n_h)

    def uniform(shape):
        return rng.uniform(-bound, bound, size=shape).astype(dtype)

    parameters["output"] = {"Wy": uniform((n_y, n_h)), "by": np.zeros((n_y, 1), dtype)}
    if attention:
        n_e = n_h if n_e is None else n_e
        parameters["attention"] = {
            "Wa": uniform((n_e, n_h)),
            "Ua": uniform((n_e, n_h)),
            "va": uniform((n_e, 1)),
        }
    return parameters


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")


def _layer(parameters, part):
    """(kind, n_in, n_state) of the encoder's or decoder's layer, checked."""
    layer = parameters[part]
    if not isinstance(layer, dict):
        raise TypeError(f"parameters[{part!r}] must be a dict, got {type(layer).__name__}")
    kind = "lstm" if "Wf" in layer else "gru"
    if "Wy" in layer or "by" in layer:
        raise ValueError(
            f"parameters[{part!r}] has an output layer (Wy, by); the encoder–decoder's "
            "output layer is parameters['output']"
        )
    try:
        n_in, n_state, _ = validate.parameters_alone(kind, layer)
    except (ValueError, TypeError) as err:
        raise type(err)(f"parameters[{part!r}]: {err}") from err
    return kind, n_in, n_state


def check_parameters(parameters):
    """Check an encoder–decoder's parameters; return (kind, attention, n_x, n_h, n_y)."""
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    missing = [part for part in PARTS[:3] if part not in parameters]
    unknown = [part for part in parameters if part not in PARTS]
    if missing or unknown:
        raise ValueError(
            f"parameters has the parts {sorted(parameters)}, but an encoder–decoder needs "
            "'encoder', 'decoder', 'output' and, with attention, 'attention'"
        )
    kind, n_x, n_h = _layer(parameters, "encoder")
    decoder_kind, n_in, n_s = _layer(parameters, "decoder")
    if decoder_kind != kind:
        raise ValueError(f"the encoder is a {kind} layer but the decoder a {decoder_kind} layer")
    if n_s != n_h:
        raise ValueError(
            f"the decoder's state has n_s = {n_s} entries and the encoder's n_h = {n_h}; "
            "they must be equal, because s<0> is the encoder's last state"
        )
    shapes = validate.Shapes()
    shapes.sizes["n_h"] = (n_h, "parameters['encoder']")
    output = parameters["output"]
    validate.parameter_dict(output, ("Wy", "by"), ())
    shapes("parameters['output']['Wy']", output["Wy"], ("n_y", "n_h"))
    shapes("parameters['output']['by']", output["by"], ("n_y", "1"))
    n_y = output["Wy"].shape[0]
    attention = "attention" in parameters
    if attention:
        weights = parameters["attention"]
        validate.parameter_dict(weights, ("Wa", "Ua", "va"), ())
        shapes("parameters['attention']['Wa']", weights["Wa"], ("n_e", "n_h"))
        shapes("parameters['attention']['Ua']", weights["Ua"], ("n_e", "n_h"))
        shapes("parameters['attention']['va']", weights["va"], ("n_e", "1"))
    reads = n_y + (n_h if attention else 0)
    if n_in != reads:
        what = "[y<t-1>; c<t>], n_y + n_h" if attention else "y<t-1>, n_y"
        raise ValueError(
            f"the decoder reads inputs of size {n_in}, but it needs {what} = {reads} "
            f"(n_y = {n_y} from parameters['output']['Wy'], n_h = {n_h})"
        )
    dtype = parameters["encoder"]["bc"].dtype
    for part in ("decoder", "output") + (("attention",) if attention else ()):
        for name, value in parameters[part].items():
            if value.dtype != dtype:
                raise TypeError(
                    f"parameters[{part!r}][{name!r}] has dtype {value.dtype} but the encoder "
                    f"has {dtype}; use one float dtype for all parameters"
                )
    return kind, attention, n_x, n_h, n_y


def check_tokens(name, tokens, lengths_name, lengths, n_vocab, m=None):
    """Check a padded batch of token ids (m, T) and its lengths (m,); return (m, T)."""
    validate.plain_array(name, tokens)
    if not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(f"{name} must hold integer token ids, got dtype {tokens.dtype}")
    if tokens.ndim != 2 or 0 in tokens.shape:
        raise ValueError(f"{name} has shape {tokens.shape}, but it needs (m, T) with m, T >= 1")
    if m is not None and tokens.shape[0] != m:
        raise ValueError(f"{name} has shape {tokens.shape}, but the batch has m = {m} sequences")
    if tokens.min() < 0 or tokens.max() >= n_vocab:
        raise ValueError(
            f"{name} holds token ids outside [0, {n_vocab}) (min {tokens.min()}, "
            f"max {tokens.max()}); the vocabulary has {n_vocab} tokens"
        )
    validate.plain_array(lengths_name, lengths)
    if not np.issubdtype(lengths.dtype, np.integer):
        raise TypeError(f"{lengths_name} must hold integers, got dtype {lengths.dtype}")
    m_, T = tokens.shape
    if lengths.shape != (m_,):
        raise ValueError(
            f"{lengths_name} has shape {lengths.shape}, but it needs (m,) = ({m_},), "
            f"one length for each row of {name}"
        )
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(
            f"{lengths_name} holds lengths outside [1, {T}] (min {lengths.min()}, max "
            f"{lengths.max()}); {name} has T = {T} steps"
        )
    return m_, T


# --- small pieces --------------------------------------------------------------------


def one_hot(tokens, n, dtype=np.float64):
    """Token ids of any shape -> one-hot columns, shape (n, *tokens.shape)."""
    return np.eye(n, dtype=dtype)[:, tokens]


def length_mask(lengths, T):
    """(m, T) booleans, True at the real positions t < lengths[i], False at padding."""
    return np.arange(T) < lengths[:, None]


def teacher_forcing_inputs(y):
    """The decoder's inputs in training: BOS, then the target shifted right by one."""
    return np.concatenate([np.full((y.shape[0], 1), BOS, dtype=y.dtype), y[:, :-1]], axis=1)


def cell_step(kind, xt, state, parameters):
    """One step of a GRU or LSTM cell: the next state (a tuple) and the cache."""
    if kind == "gru":
        a_next, _, cache = gru_cell_forward(xt, state[0], parameters)
        return (a_next,), cache
    a_next, c_next, _, cache = lstm_cell_forward(xt, state[0], state[1], parameters)
    return (a_next, c_next), cache


def cell_step_backward(kind, dstate, cache):
    """Backward through cell_step: (dxt, dstate_prev, the parameters' gradients)."""
    if kind == "gru":
        grads = gru_cell_backward(dstate[0], cache)
        return grads.pop("dxt"), (grads.pop("da_prev"),), grads
    grads = lstm_cell_backward(dstate[0], dstate[1], cache)
    return grads.pop("dxt"), (grads.pop("da_prev"), grads.pop("dc_prev")), grads


def add_gradients(total, grads):
    for name, value in grads.items():
        total[name] = total[name] + value if name in total else value.copy()


def masked_cross_entropy(logits, y, mask):
    """Cross-entropy summed over the real target tokens, averaged over the
    batch.

    Arguments:
        logits: (n_y, m, T_y); y: target token ids (m, T_y); mask: (m, T_y),
            False at padding.

    Returns:
        loss = -(1/m) sum_i sum_t mask[i, t] log p[y[i, t], i, t], with
        p = softmax(logits) over the first axis (as
        rnnbook.softmax_cross_entropy: summed over time, averaged over the m
        sequences), and dlogits (n_y, m, T_y), zero at padding.
    """
    m = y.shape[0]
    log_p = log_softmax(logits)
    samples, steps = np.meshgrid(
        np.arange(m), np.arange(y.shape[1]), indexing="ij"
    )
    # A padded position is not a token of the target: it adds no loss.
    loss = -np.sum(log_p[y, samples, steps] * mask) / m
    dlogits = np.exp(log_p)
    dlogits[y, samples, steps] -= 1
    dlogits *= (mask / m).astype(logits.dtype)
    return float(loss), dlogits


# --- the encoder ---------------------------------------------------------------------


def encoder_forward(x, x_lengths, encoder, kind):
    """Run the encoder over one-hot sources x (n_x, m, T_x).

    Returns:
        h: every state, (n_h, m, T_x).
        final: the state at each sequence's last real token, a tuple of (n_h, m)
            arrays (h, and the cell state c for the LSTM).
        caches: the cells' caches.
    """
    m, T_x = x.shape[1:]
    n_h = encoder["bc"].shape[0]
    state = tuple(
        np.zeros((n_h, m), x.dtype) for _ in range(1 if kind == "gru" else 2)
    )
    states, caches = [], []
    for t in range(T_x):
        state, cache = cell_step(kind, x[:, :, t], state, encoder)
        states.append(state)
        caches.append(cache)
    h = np.stack([state[0] for state in states], axis=2)
    # Padding comes after the last real token, so the state there has read the
    # whole sequence and nothing else.
    last, samples = x_lengths - 1, np.arange(m)
    final = tuple(
        np.stack([state[k] for state in states], axis=2)[:, samples, last]
        for k in range(len(state))
    )
    return h, final, caches


def encoder_backward(dh, dfinal, x_lengths, caches, kind):
    """Backpropagation through time in the encoder.

    Arguments:
        dh: the gradient of every state h<t> from the attention (zeros without
            it), (n_h, m, T_x).
        dfinal: the gradient of the state that started the decoder, a tuple
            like encoder_forward's ``final``.

    Returns:
        the encoder's parameter gradients, "d" + name.
    """
    dstate = tuple(np.zeros_like(d) for d in dfinal)
    grads = {}
    for t in reversed(range(dh.shape[2])):
        # s<0> was the state at each sequence's last real step: its gradient
        # enters there, and the steps after it (padding) pass nothing back.
        ends = x_lengths - 1 == t
        dstate = tuple(d + df * ends for d, df in zip(dstate, dfinal))
        dstate = (dstate[0] + dh[:, :, t],) + dstate[1:]
        _, dstate, step = cell_step_backward(kind, dstate, caches[t])
        add_gradients(grads, step)
    return grads


# --- the decoder ---------------------------------------------------------------------


def decoder_step(kind, y_prev, state, h, x_mask, parameters):
    """One step of the decoder.

    Arguments:
        y_prev: the previous token, one-hot, (n_y, m).
        state: the decoder's state s<t-1> (a tuple, as cell_step).
        h: the encoder's states (n_h, m, T_x).
        x_mask: (m, T_x), False at padding.

    Returns:
        state: s<t>; logits: Wy s<t> + by, (n_y, m); alpha: the attention
        weights (m, T_x), or None without attention; cache.
    """
    if "attention" in parameters:
        # Bahdanau: the context for step t is read with the state before it.
        context, alpha, attention_cache = attention_forward(
            state[0], h, parameters["attention"], x_mask
        )
        xt = np.concatenate([y_prev, context], axis=0)
    else:
        alpha = attention_cache = None
        xt = y_prev
    state, cell_cache = cell_step(kind, xt, state, parameters["decoder"])
    logits = parameters["output"]["Wy"] @ state[0] + parameters["output"]["by"]
    return state, logits, alpha, (cell_cache, attention_cache)


def decoder_backward(ds, caches, kind, n_y, dh):
    """Backpropagation through time in the decoder (and its attention).

    Arguments:
        ds: the gradient of every state s<t> from the output layer, (n_s, m, T_y).
        caches: decoder_step's caches, one per step.
        dh: (n_h, m, T_x) zeros; the attention's gradients of h are added to it.

    Returns:
        dstate0: the gradient of s<0> (a tuple), the decoder's gradients and
        the attention's ("d" + name).
    """
    dstate = (np.zeros_like(ds[:, :, 0]),) * (1 if kind == "gru" else 2)
    decoder, attention = {}, {}
    for t in reversed(range(ds.shape[2])):
        cell_cache, attention_cache = caches[t]
        dstate = (dstate[0] + ds[:, :, t],) + dstate[1:]
        dxt, dstate, step = cell_step_backward(kind, dstate, cell_cache)
        add_gradients(decoder, step)
        if attention_cache is not None:
            # The context was the input's rows below y<t-1>.
            step = attention_backward(dxt[n_y:], attention_cache)
            dstate = (dstate[0] + step.pop("ds_prev"),) + dstate[1:]
            dh += step.pop("dh")
            add_gradients(attention, step)
    return dstate, decoder, attention


# --- the whole model -----------------------------------------------------------------


def seq2seq_forward(x, x_lengths, y, parameters, backend="textbook"):
    """The model trained with teacher forcing, forward.

    Arguments:
        x: source token ids (m, T_x), padded; x_lengths: (m,).
        y: target token ids (m, T_y), EOS at the end, padded; the decoder reads
            BOS, y<1>, ..., y<T_y-1>.
        backend: "textbook" (the chapters' cells, step by step) or "fast"
            (GRU only: rnnbook.fast for the encoder, and for the decoder when
            there is no attention; the same numbers, sooner).

    Returns:
        logits (n_y, m, T_y), alphas (m, T_y, T_x) or None, and the cache.
    """
    kind, attention, n_x, n_h, n_y = check_parameters(parameters)
    m, T_x = check_tokens("x", x, "x_lengths", x_lengths, n_x)
    check_tokens("y", y, "y_lengths", np.full(m, y.shape[1]), n_y, m)
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "fast" and kind != "gru":
        raise ValueError("backend='fast' runs GRU models only; use backend='textbook' for LSTM")
    dtype = parameters["output"]["Wy"].dtype
    x_mask = length_mask(x_lengths, T_x)
    x1, y_in = one_hot(x, n_x, dtype), one_hot(teacher_forcing_inputs(y), n_y, dtype)

    if backend == "fast":
        h, _, encoder_cache = fast.gru_forward(x1, np.zeros((n_h, m), dtype), parameters["encoder"])
        final = (h[:, np.arange(m), x_lengths - 1],)
    else:
        h, final, encoder_cache = encoder_forward(x1, x_lengths, parameters["encoder"], kind)

    if backend == "fast" and not attention:
        s, _, decoder_cache = fast.gru_forward(y_in, final[0], parameters["decoder"])
        alphas = None
    elif backend == "fast":
        s, alphas, decoder_cache = fast_attention_decoder_forward(y_in, final[0], h, x_mask,
                                                                  parameters)
    else:
        state, steps, alphas = final, [], []
        for t in range(y.shape[1]):
            state, _, alpha, cache = decoder_step(kind, y_in[:, :, t], state, h, x_mask,
                                                  parameters)
            steps.append((state[0], cache))
            alphas.append(alpha)
        s = np.stack([state for state, _ in steps], axis=2)
        decoder_cache = [cache for _, cache in steps]
        alphas = np.stack(alphas, axis=1) if attention else None
    # One product for all steps: y_hat<t> = softmax(Wy s<t> + by).
    output = parameters["output"]
    logits = np.einsum("ys,smt->ymt", output["Wy"], s) + output["by"][:, :, None]
    cache = (kind, backend, x_lengths, h, s, encoder_cache, decoder_cache, n_y)
    return logits, alphas, cache


def seq2seq_backward(dlogits, cache, parameters):
    """Gradients of every parameter from dlogits (n_y, m, T_y), as a dict of dicts."""
    kind, backend, x_lengths, h, s, encoder_cache, decoder_cache, n_y = cache
    output = parameters["output"]
    grads = {
        "output": {
            "dWy": np.einsum("ymt,smt->ys", dlogits, s),
            "dby": dlogits.sum(axis=(1, 2))[:, None],
        }
    }
    ds = np.einsum("ys,ymt->smt", output["Wy"], dlogits)
    dh = np.zeros_like(h)
    if backend == "fast" and "attention" not in parameters:
        decoder = fast.gru_backward(ds, decoder_cache)
        dfinal = (decoder.pop("da0"),)
        del decoder["dx"]
        attention = {}
    elif backend == "fast":
        dfinal, decoder, attention = fast_attention_decoder_backward(ds, decoder_cache, n_y, dh)
    else:
        dfinal, decoder, attention = decoder_backward(ds, decoder_cache, kind, n_y, dh)
    grads["decoder"] = decoder
    if "attention" in parameters:
        grads["attention"] = attention

    if backend == "fast":
        # The state that started the decoder was h at each sequence's last real step.
        dh[:, np.arange(h.shape[1]), x_lengths - 1] += dfinal[0]
        encoder = fast.gru_backward(dh, encoder_cache)
        del encoder["dx"], encoder["da0"]
    else:
        encoder = encoder_backward(dh, dfinal, x_lengths, encoder_cache, kind)
    grads["encoder"] = encoder
    return grads


def seq2seq_loss_and_grads(x, x_lengths, y, y_lengths, parameters, backend="textbook"):
    """Masked cross-entropy of a batch under teacher forcing, and every gradient.

    Arguments:
        x, x_lengths: source token ids (m, T_x) and their lengths (m,).
        y, y_lengths: target token ids (m, T_y), each ending in EOS, and their
            lengths (m,) counting the EOS; positions from y_lengths on are padding.
        parameters: as init_seq2seq_parameters returns.
        backend: "textbook" or "fast" (see seq2seq_forward).

    Returns:
        loss (summed over real target tokens, averaged over the m sequences)
        and the gradients, {"encoder": {...}, "decoder": {...}, "output": {...}
        [, "attention": {...}]} with "d" + name inside.
    """
    logits, _, cache = seq2seq_forward(x, x_lengths, y, parameters, backend)
    check_tokens("y", y, "y_lengths", y_lengths, logits.shape[0], x.shape[0])
    loss, dlogits = masked_cross_entropy(logits, y, length_mask(y_lengths, y.shape[1]))
    return loss, seq2seq_backward(dlogits, cache, parameters)


def sequence_log_probs(x, x_lengths, y, y_lengths, parameters):
    """log p(y | x) of every target sequence under teacher forcing, (m,).

    The sum of log p(y<t> | y<1..t-1>, x) over t < y_lengths, in float64.
    """
    logits, _, _ = seq2seq_forward(x, x_lengths, y, parameters)
    check_tokens("y", y, "y_lengths", y_lengths, logits.shape[0], x.shape[0])
    log_p = log_softmax(logits.astype(np.float64))
    m, T_y = y.shape
    samples, steps = np.meshgrid(np.arange(m), np.arange(T_y), indexing="ij")
    return np.sum(log_p[y, samples, steps] * length_mask(y_lengths, T_y), axis=1)


def encode(x, x_lengths, parameters):
    """The encoder alone, for decoding: (kind, h, the decoder's first state, x_mask)."""
    kind, _, n_x, _, _ = check_parameters(parameters)
    check_tokens("x", x, "x_lengths", x_lengths, n_x)
    dtype = parameters["output"]["Wy"].dtype
    h, final, _ = encoder_forward(one_hot(x, n_x, dtype), x_lengths, parameters["encoder"], kind)
    return kind, h, final, length_mask(x_lengths, x.shape[1])


# --- the decoder with attention, faster ----------------------------------------------


def fast_attention_decoder_forward(y_in, s0, h, x_mask, parameters):
    """The GRU decoder with additive attention over all T_y steps, as decoder_step
    computes it, with what does not change from step to step taken out of the loop.

    Ua h<t> does not depend on the decoder's step, so it is computed once for
    all steps (attention_forward computes it at every step); the per-step
    products are BLAS matrix products.  Returns s (n_s, m, T_y), alphas
    (m, T_y, T_x) and the cache for fast_attention_decoder_backward.
    """
    decoder, weights = parameters["decoder"], parameters["attention"]
    Wa, Ua, va = weights["Wa"], weights["Ua"], weights["va"]
    n_h, m, T_x = h.shape
    n_e, T_y = Ua.shape[0], y_in.shape[2]
    Uh = (Ua @ h.reshape(n_h, m * T_x)).reshape(n_e, m, T_x)
    h_rows = np.ascontiguousarray(h.transpose(1, 0, 2))  # (m, n_h, T_x): one matrix per sample
    s = np.zeros((n_h, m, T_y), h.dtype)
    alphas = np.zeros((m, T_y, T_x), h.dtype)
    state, steps = s0, []
    for t in range(T_y):
        E = np.tanh((Wa @ state)[:, :, None] + Uh)
        e = (va.T @ E.reshape(n_e, m * T_x)).reshape(m, T_x)
        alpha = masked_softmax(e, x_mask)
        context = np.matmul(h_rows, alpha[:, :, None])[:, :, 0].T
        s_prev = state
        state, _, cell_cache = gru_cell_forward(np.concatenate([y_in[:, :, t], context]),
                                                s_prev, decoder)
        s[:, :, t], alphas[:, t] = state, alpha
        steps.append((s_prev, E, alpha, cell_cache))
    return s, alphas, (h, h_rows, steps, weights)


def fast_attention_decoder_backward(ds, cache, n_y, dh):
    """Backward through fast_attention_decoder_forward: (ds0, decoder's and
    attention's gradients); the gradient of h is added to dh.

    Ua and h are the same at every step, so their shared products
    (dUa = sum_t dz<t> h^T and the Ua^T dz<t> part of dh) are summed over the
    steps first and multiplied once.
    """
    h, h_rows, steps, weights = cache
    Wa, Ua, va = weights["Wa"], weights["Ua"], weights["va"]
    n_h, m, T_x = h.shape
    n_e = Ua.shape[0]
    dstate = np.zeros_like(ds[:, :, 0])
    dz_sum = np.zeros((n_e, m, T_x), h.dtype)
    decoder = {}
    attention = {"dWa": np.zeros_like(Wa), "dva": np.zeros_like(va)}
    for t in reversed(range(ds.shape[2])):
        s_prev, E, alpha, cell_cache = steps[t]
        grads = gru_cell_backward(dstate + ds[:, :, t], cell_cache)
        dcontext = grads.pop("dxt")[n_y:]
        dstate = grads.pop("da_prev")
        add_gradients(decoder, grads)
        # context = sum_t alpha<t> h<t>, then the softmax, then e = va^T tanh(z).
        dh += dcontext[:, :, None] * alpha[None]
        dalpha = np.matmul(dcontext.T[:, None, :], h_rows)[:, 0, :]
        de = alpha * (dalpha - np.sum(alpha * dalpha, axis=1, keepdims=True))
        attention["dva"] += E.reshape(n_e, m * T_x) @ de.reshape(m * T_x, 1)
        dz = va[:, :, None] * de[None] * (1 - E**2)
        dz_s = dz.sum(axis=2)
        attention["dWa"] += dz_s @ s_prev.T
        dstate = dstate + Wa.T @ dz_s
        dz_sum += dz
    dz_flat = dz_sum.reshape(n_e, m * T_x)
    attention["dUa"] = dz_flat @ h.reshape(n_h, m * T_x).T
    dh += (Ua.T @ dz_flat).reshape(n_h, m, T_x)
    return (dstate,), decoder, attention
