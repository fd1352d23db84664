"""Deep (stacked) and bidirectional recurrent networks, built on the chapters' models.

A stack of ``L`` layers runs one sequence model per layer and direction:
layer 0 reads ``x``, layer ``l + 1`` reads the hidden states of layer ``l``
(both directions stacked, the forward one on top, as PyTorch does).  Each
direction of each layer is a call of the chapters' own ``rnn_forward``,
``lstm_forward`` or ``gru_forward`` (``rnnbook.fast``'s in the fast version);
the backward direction runs it on the sequence reversed in time.

``layers`` holds one entry per layer: a parameter dict of the kind, without
an output layer, or a pair ``(forward_parameters, backward_parameters)`` when
``bidirectional``.  ``from rnnbook.interop import from_torch`` gives that list
for a ``torch.nn.RNN/LSTM/GRU`` with any ``num_layers`` and ``bidirectional``.
"""

import numpy as np

from rnnbook import validate
from rnnbook.gru import gru_backward, gru_forward
from rnnbook.lstm import lstm_backward, lstm_forward
from rnnbook.rnn import rnn_backward, rnn_forward

KINDS = ("rnn", "lstm", "gru")
DIRECTIONS = ("forward", "backward")

# The sequence functions a stack is built on, and the name of their module.
TEXTBOOK = {
    "module": "rnnbook",
    "rnn": (rnn_forward, rnn_backward),
    "lstm": (lstm_forward, lstm_backward),
    "gru": (gru_forward, gru_backward),
}


def direction_forward(
    x, parameters, kind, a0, c0, reset_after, reverse, sequences
):
    """One direction of one layer: the kind's sequence forward, over x or x
    reversed.

    Returns the hidden states (n_a, m, T_x) in the order of x, and the cache.
    """
    forward = sequences[kind][0]
    if reverse:
        x = x[:, :, ::-1]  # the backward direction reads the last step first
    if kind == "lstm":
        a, _, _, cache = forward(x, a0, parameters, c0)
    elif kind == "gru":
        a, _, cache = forward(x, a0, parameters, reset_after)
    else:
        a, _, cache = forward(x, a0, parameters)
    if reverse:
        a = a[:, :, ::-1]  # put its states back in the order of x
    return a, cache


def direction_backward(da, cache, kind, reverse, sequences):
    """The backward of direction_forward: the kind's sequence backward, in its
    time order."""
    backward = sequences[kind][1]
    if reverse:
        da = da[:, :, ::-1]
    grads = backward(da, cache)
    if reverse:
        grads["dx"] = grads["dx"][:, :, ::-1]
    return grads


def stack_forward(
    x, layers, kind, bidirectional, reset_after, a0, c0, sequences
):
    """stacked_forward on the sequence functions in ``sequences``."""
    plan = check_stack(x, layers, kind, bidirectional, reset_after, a0, c0)
    inputs = x
    layer_caches = []
    for i, directions in enumerate(plan):
        states, caches = [], []
        for d, (parameters, a0_ld, c0_ld) in enumerate(directions):
            try:
                a, cache = direction_forward(
                    inputs,
                    parameters,
                    kind,
                    a0_ld,
                    c0_ld,
                    reset_after,
                    d == 1,
                    sequences,
                )
            except ValueError as err:
                raise ValueError(
                    f"layer {i} ({DIRECTIONS[d]} direction): {err}"
                ) from err
            states.append(a)
            caches.append(cache)
        # The layer's output: its directions' states one above the other.
        inputs = (
            states[0] if len(states) == 1 else np.concatenate(states, axis=0)
        )
        layer_caches.append(caches)
    return inputs, StackCache(
        sequences["module"], kind, bidirectional, layer_caches, inputs.shape
    )


def stack_backward(da, caches, sequences):
    """stacked_backward on the sequence functions in ``sequences``."""
    check_stack_gradient(da, caches, sequences["module"])
    kind, n_directions = caches.kind, 2 if caches.bidirectional else 1
    grads = [None] * len(caches.layers)
    for i in reversed(range(len(caches.layers))):
        n_a = da.shape[0] // n_directions
        dx = 0
        layer_grads = []
        for d, cache in enumerate(caches.layers[i]):
            # Each direction's states are its own rows of the layer's output.
            direction_grads = direction_backward(
                da[d * n_a : (d + 1) * n_a], cache, kind, d == 1, sequences
            )
            # Both directions read the same input: their gradients add up.
            dx = dx + direction_grads.pop("dx")
            layer_grads.append(direction_grads)
        grads[i] = (
            tuple(layer_grads) if caches.bidirectional else layer_grads[0]
        )
        da = dx  # the input of layer l is the output of layer l - 1
    return da, grads


def stacked_forward(
    x, layers, kind, *, bidirectional=False, reset_after=True, a0=None, c0=None
):
    """A stack of recurrent layers, each one or two directions, over a batch of
    sequences.

    Arguments:
        x: inputs, (n_x, m, T_x).
        layers: a list with one entry per layer: the parameter dict of that
            layer (without an output layer), or, when ``bidirectional``, a pair
            (forward_parameters, backward_parameters).  Layer 0's weights read
            n_x inputs, layer l + 1's read the n_a (or 2 n_a) states of layer l.
        kind: "rnn", "lstm" or "gru".
        bidirectional: whether every layer has a backward direction.
        reset_after: the GRU's form (True is PyTorch's); ignored for the others.
        a0: None (zeros), or a list with one entry per layer: the initial
            hidden state (n_a, m), or a pair of them when ``bidirectional``.
        c0: the LSTM's initial cell states, laid out like ``a0``.

    Returns:
        a: the top layer's hidden states, (n_a, m, T_x), or (2 n_a, m, T_x)
            with the forward direction's on top when ``bidirectional``.
        caches: what stacked_backward needs.
    """
    return stack_forward(
        x, layers, kind, bidirectional, reset_after, a0, c0, TEXTBOOK
    )


def stacked_backward(da, caches):
    """Backpropagation through the layers and through time.

    Arguments:
        da: the gradient with respect to the top layer's hidden states, the
            shape of the ``a`` that stacked_forward returned.
        caches: what stacked_forward returned.

    Returns:
        dx: the gradient with respect to x, (n_x, m, T_x).
        grads: a list mirroring ``layers``: for each layer a dict (or a pair
            of dicts when bidirectional) of the gradients, keyed "d" + name,
            of every parameter and of the initial states (da0, and dc0 for
            the LSTM).
    """
    return stack_backward(da, caches, TEXTBOOK)


# --- the cache and the checks -------------------------------------------------------


class StackCache:
    """What stacked_forward keeps: the sequence caches of every layer and direction."""

    __slots__ = ("module", "kind", "bidirectional", "layers", "shape")

    def __init__(self, module, kind, bidirectional, layers, shape):
        self.module = module
        self.kind = kind
        self.bidirectional = bidirectional
        self.layers = layers
        self.shape = shape

    def __repr__(self):
        form = "bidirectional " if self.bidirectional else ""
        return f"<{self.module} stack: {len(self.layers)} {form}{self.kind} layers>"


def _layer_sizes(kind, parameters, reset_after, i, direction):
    try:
        n_x, n_a, n_y = validate.parameters_alone(
            kind, parameters, reset_after=(kind == "gru" and reset_after)
        )
    except ValueError as err:
        raise ValueError(f"layer {i} ({direction} direction): {err}") from err
    output = {"rnn": "Wya, by"}.get(kind, "Wy, by")
    if n_y is not None:
        raise ValueError(
            f"layer {i} ({direction} direction): the parameters hold an output layer "
            f"({output}); a stacked layer has none, put it on top of the stack's states"
        )
    return n_x, n_a


def _per_layer(name, value, L, bidirectional):
    """a0 or c0 as one tuple of per-direction entries (None for zeros) per layer."""
    if value is None:
        return [(None, None)] * L
    if not isinstance(value, (list, tuple)) or len(value) != L:
        raise ValueError(
            f"{name} must be None or a list with one entry per layer ({L} layers), "
            f"got {validate._describe(value)}"
        )
    entries = []
    for i, entry in enumerate(value):
        if bidirectional:
            if not (isinstance(entry, (list, tuple)) and len(entry) == 2):
                raise ValueError(
                    f"{name}[{i}] (layer {i}) must be a pair (forward, backward) of initial "
                    f"states (n_a, m) when bidirectional, got {validate._describe(entry)}"
                )
            entries.append(tuple(entry))
        else:
            entries.append((entry, None))
    return entries


def _check_state(name, state, i, d, bidirectional, shape):
    """An initial state, if given, must be a (n_a, m) array of its layer."""
    if state is None:
        return
    where = f"{name}[{i}][{d}]" if bidirectional else f"{name}[{i}]"
    if isinstance(state, np.ndarray) and state.shape != shape:
        raise ValueError(
            f"layer {i} ({DIRECTIONS[d]} direction): {where} has shape {state.shape}, but it "
            f"needs (n_a, m) = {shape} (n_a from the layer's parameters, m from x)"
        )


def check_stack(x, layers, kind, bidirectional, reset_after, a0, c0):
    """Check the arguments of stacked_forward; return, per layer, the list of its
    directions' (parameters, a0, c0), zero states filled in."""
    for flag, value in (("bidirectional", bidirectional), ("reset_after", reset_after)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{flag} must be True or False, got {value!r}")
    validate.Shapes()("x", x, ("n_x", "m", "T_x"))
    checked = check_layers(layers, kind, bidirectional, reset_after, x)
    if c0 is not None and kind != "lstm":
        raise ValueError(f"c0 is the LSTM's initial cell state; kind={kind!r} has none")
    a0s = _per_layer("a0", a0, len(layers), bidirectional)
    c0s = _per_layer("c0", c0, len(layers), bidirectional)
    plan = []
    for i, directions in enumerate(checked):
        entries = []
        for d, (parameters, n_a) in enumerate(directions):
            a0_ld, c0_ld = a0s[i][d], c0s[i][d]
            for name, state in (("a0", a0_ld), ("c0", c0_ld)):
                _check_state(name, state, i, d, bidirectional, (n_a, x.shape[1]))
            if a0_ld is None:
                a0_ld = np.zeros((n_a, x.shape[1]), dtype=x.dtype)
            entries.append((parameters, a0_ld, c0_ld))
        plan.append(entries)
    return plan


def check_layers(layers, kind, bidirectional, reset_after, x=None):
    """Check a ``layers`` list (against the input x, if given); return, per layer,
    the list of its directions' (parameters, n_a)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    if not isinstance(layers, (list, tuple)) or len(layers) == 0:
        raise ValueError(
            f"layers must be a non-empty list of layers, got {validate._describe(layers)}"
        )
    n_directions = 2 if bidirectional else 1
    n_in, source = (None, None) if x is None else (x.shape[0], f"x has shape {x.shape}")
    checked = []
    for i, layer in enumerate(layers):
        if bidirectional:
            if not (isinstance(layer, (list, tuple)) and len(layer) == 2):
                raise ValueError(
                    f"layer {i} (layers[{i}]) must be a pair (forward_parameters, "
                    f"backward_parameters) when bidirectional=True, got "
                    f"{validate._describe(layer)}: the backward direction is missing"
                )
            directions = list(layer)
        else:
            if isinstance(layer, (list, tuple)):
                raise ValueError(
                    f"layer {i} (layers[{i}]) is {validate._describe(layer)}, but with "
                    "bidirectional=False each layer is one parameter dict (pass "
                    "bidirectional=True for (forward, backward) pairs)"
                )
            directions = [layer]
        n_a_layer = None
        entries = []
        for d, parameters in enumerate(directions):
            n_x, n_a = _layer_sizes(kind, parameters, reset_after, i, DIRECTIONS[d])
            if n_in is not None and n_x != n_in:
                raise ValueError(
                    f"layer {i} ({DIRECTIONS[d]} direction) reads inputs of size n_x = {n_x}, "
                    f"but its input has {n_in} rows ({source})"
                )
            if n_a_layer is not None and n_a != n_a_layer:
                raise ValueError(
                    f"layer {i} (backward direction) has n_a = {n_a} but its forward direction "
                    f"has n_a = {n_a_layer}; both directions of a layer need one size"
                )
            n_in, n_a_layer = n_x, n_a
            entries.append((parameters, n_a))
        checked.append(entries)
        n_in = n_directions * n_a_layer
        states = "2 x " if bidirectional else ""
        source = f"layer {i} gives {states}n_a = {states}{n_a_layer} states"
    return checked


def check_stack_gradient(da, caches, module):
    """Check that caches come from ``module``'s stacked_forward and da matches them."""
    if not isinstance(caches, StackCache):
        raise TypeError(
            f"caches must be what {module}.stacked_forward returned, got "
            f"{validate._describe(caches)}"
        )
    if caches.module != module:
        raise TypeError(
            f"caches come from {caches.module}.stacked_forward; pass them to "
            f"{caches.module}.stacked_backward, not {module}.stacked_backward"
        )
    if not isinstance(da, np.ndarray):
        raise TypeError(f"da must be a numpy array, got {type(da).__name__}")
    if da.shape != caches.shape:
        rows = "2 n_a" if caches.bidirectional else "n_a"
        raise ValueError(
            f"da has shape {da.shape}, but it needs the shape of the top layer's states, "
            f"({rows}, m, T_x) = {caches.shape}"
        )
