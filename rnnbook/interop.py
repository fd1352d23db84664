"""Moving weights and batches between rnnbook and PyTorch.

``import rnnbook.interop`` works without PyTorch; each function imports torch
when it is called, and raises ImportError saying how to install it
(``pip install torch==2.13.0``, the CPU build) when torch is missing.

Weights (one layer, unidirectional, with biases).  PyTorch stacks its gates'
rows: ``weight_ih_l0`` is (G n_a, n_x) and ``weight_hh_l0`` is (G n_a, n_a), with
rows k n_a to (k + 1) n_a for gate k (G = 1, 4, 3 for RNN, LSTM, GRU); likewise
the biases ``bias_ih_l0`` (b_i*) and ``bias_hh_l0`` (b_h*).  rnnbook's gated
weights act on the stack [a_prev; xt], so each is [W_h* | W_i*] side by side:

===========  =====================  =============================================
PyTorch      gate (PyTorch order)   rnnbook
===========  =====================  =============================================
nn.RNN tanh  (one block)            Wax = W_ih, Waa = W_hh, ba = b_ih + b_hh
nn.LSTM      i, f, g, o             Wi, Wf, Wc, Wo = [W_h* | W_i*] (n_a, n_a+n_x);
                                    bi, bf, bc, bo = b_i* + b_h* (n_a, 1)
nn.GRU       r, z                   Wr, Wz = [W_h* | W_i*]; br, bz = b_i* + b_h*
nn.GRU       n                      Wc = [W_hn | W_in], bc = b_in, bca = b_hn
nn.Linear    (output layer)         Wya (RNN) or Wy = weight (n_y, n_a),
                                    by = bias as a column (n_y, 1)
===========  =====================  =============================================

PyTorch's GRU applies the reset gate after the recurrent product, so its
weights are rnnbook's ``reset_after=True`` form; both write the update as
``h' = z * h + (1 - z) * n``.  Where PyTorch has two biases and rnnbook one,
``from_torch`` adds them and ``to_torch`` puts rnnbook's bias in ``bias_ih_l0``
and zeros in ``bias_hh_l0`` (the GRU's ``bca`` goes to ``b_hn``).

Batches (``batch_first`` as in the torch module):

===================  ======================  ============================================
what                 rnnbook                 PyTorch
===================  ======================  ============================================
input sequence       ``x`` (n_x, m, T_x)     (T_x, m, n_x), or (m, T_x, n_x) batch first
hidden states        ``a`` (n_a, m, T_x)     the output, (T_x, m, n_a) or (m, T_x, n_a)
initial/final state  ``a0`` (n_a, m)         ``h0`` / ``h_n`` (1, m, n_a), either way
===================  ======================  ============================================

The LSTM's cell state ``c0`` (n_a, m) moves like ``a0``.

Stacks (``num_layers`` L > 1, ``bidirectional``): layer l's weights are named
``weight_ih_l{i}``, ``weight_hh_l{i}``, ``bias_ih_l{i}``, ``bias_hh_l{i}``,
and the backward direction's add ``_reverse`` (``weight_ih_l1_reverse``);
layer l > 0 reads the layer below's output, so its ``weight_ih`` is
(G n_a, D n_a) with D = 2 directions or 1.  ``from_torch`` gives, and
``to_torch`` takes, the ``layers`` list of ``rnnbook.stacked_forward``.  The
output is the top layer's states, the forward direction's n_a features before
the backward one's: (T_x, m, D n_a).  ``h_n`` (and ``h0``, ``c0``, ``c_n``) is
(L D, m, n_a), index ``i D + d`` for layer i and direction d (0 forward, 1
backward): ``stack_state_to_torch`` and ``stack_state_from_torch`` convert it
from and to the per-layer list that ``stacked_forward`` takes as ``a0``.
"""

import numpy as np

from rnnbook import validate

TORCH_VERSION = "2.13.0"
KINDS = ("rnn", "lstm", "gru")

# Gate order in PyTorch's stacked weights, as rnnbook names the gates.
_TORCH_GATES = {"lstm": ("i", "f", "c", "o"), "gru": ("r", "z", "c")}
_OUTPUT_WEIGHT = {"rnn": "Wya", "lstm": "Wy", "gru": "Wy"}
# The parameters to_torch converts (PyTorch's GRU is the reset_after=True form).
_REQUIRED = {
    "rnn": validate.RNN_PARAMETERS,
    "lstm": validate.LSTM_PARAMETERS,
    "gru": validate.GRU_PARAMETERS + ("bca",),
}


def _torch():
    try:
        import torch
    except ImportError as err:
        raise ImportError(
            "rnnbook.interop needs PyTorch, which is not installed; install it with "
            f"`pip install torch=={TORCH_VERSION}` (CPU build)"
        ) from err
    return torch


def _numpy(tensor):
    return tensor.detach().cpu().numpy().copy()


def _module_kind(torch, module):
    for kind, cls in (("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)):
        if isinstance(module, cls):
            return kind
    raise TypeError(
        f"module must be a torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU, got {type(module).__name__}"
    )


def _check_module(kind, module):
    name = type(module).__name__
    wrong = [("bias", module.bias, True)]
    if kind == "rnn":
        wrong.append(("nonlinearity", module.nonlinearity, "tanh"))
    if kind == "lstm":
        wrong.append(("proj_size", module.proj_size, 0))
    for attribute, got, needed in wrong:
        if got != needed:
            raise ValueError(
                f"{name}.{attribute} is {got!r}, but rnnbook's {kind} needs {attribute}={needed!r} "
                "(layers with biases, tanh, no projection)"
            )


def from_torch(module, linear=None):
    """rnnbook parameters holding the weights of a PyTorch recurrent layer or stack.

    Arguments:
        module: a ``torch.nn.RNN`` (nonlinearity "tanh"), ``torch.nn.LSTM`` or
            ``torch.nn.GRU`` with biases, any ``num_layers``, either
            ``bidirectional``; ``batch_first`` may be either (it does not
            change the weights).
        linear: optional ``torch.nn.Linear(n_a, n_y)`` applied to every hidden
            state of a one-layer unidirectional module; it becomes the output
            layer (``Wya, by`` for the RNN, ``Wy, by`` for the LSTM and GRU; a
            Linear without bias gives zeros).

    Returns:
        for one layer in one direction, a dict of numpy arrays (copies, in the
        module's dtype, float32 or float64) in rnnbook's layout (see the module
        docstring); otherwise the ``layers`` list of ``rnnbook.stacked_forward``:
        one such dict per layer, or a pair (forward, backward) of them per
        layer when the module is bidirectional (PyTorch's ``_reverse`` weights
        are the backward direction).  A GRU gives the parameters of
        ``reset_after=True``.

    Raises:
        TypeError for another kind of module or a dtype rnnbook does not use;
        ValueError naming the attribute rnnbook cannot represent (``bias``,
        ``nonlinearity``, ``proj_size``), a Linear whose ``in_features`` is
        not the hidden size, or a Linear beside a stack.
    """
    torch = _torch()
    kind = _module_kind(torch, module)
    _check_module(kind, module)
    if module.weight_ih_l0.dtype not in (torch.float32, torch.float64):
        raise TypeError(
            f"{type(module).__name__} has dtype {module.weight_ih_l0.dtype}, but rnnbook needs "
            "float32 or float64 (convert it with .double() or .float())"
        )
    stack = module.num_layers > 1 or module.bidirectional
    if stack:
        if linear is not None:
            raise ValueError(
                f"linear goes with a one-layer unidirectional module, but this "
                f"{type(module).__name__} has num_layers={module.num_layers}, "
                f"bidirectional={module.bidirectional}; convert the Linear on its own"
            )
        suffixes = ["", "_reverse"] if module.bidirectional else [""]
        layers = []
        for i in range(module.num_layers):
            directions = [_direction_from_torch(kind, module, f"_l{i}{s}") for s in suffixes]
            layers.append(tuple(directions) if module.bidirectional else directions[0])
        return layers
    parameters = _direction_from_torch(kind, module, "_l0")
    if linear is not None:
        dtype = parameters["ba" if kind == "rnn" else "bc"].dtype
        parameters.update(_linear_from_torch(torch, kind, module, linear, dtype))
    return parameters


def _direction_from_torch(kind, module, suffix):
    """rnnbook's parameters from the weights named ``*{suffix}`` (e.g. ``_l1_reverse``)."""
    W_ih = _numpy(getattr(module, "weight_ih" + suffix))
    W_hh = _numpy(getattr(module, "weight_hh" + suffix))
    b_ih = _numpy(getattr(module, "bias_ih" + suffix))
    b_hh = _numpy(getattr(module, "bias_hh" + suffix))
    n_a = module.hidden_size

    parameters = {}
    if kind == "rnn":
        parameters = {"Wax": W_ih, "Waa": W_hh, "ba": (b_ih + b_hh)[:, None]}
    else:
        blocks = {}
        for k, gate in enumerate(_TORCH_GATES[kind]):
            rows = slice(k * n_a, (k + 1) * n_a)
            weight = np.concatenate([W_hh[rows], W_ih[rows]], axis=1)
            if kind == "gru" and gate == "c":
                # The candidate keeps its two biases apart: b_hn sits inside r * (...).
                blocks[gate] = (weight, b_ih[rows][:, None], b_hh[rows][:, None])
            else:
                blocks[gate] = (weight, (b_ih[rows] + b_hh[rows])[:, None], None)
        for gate in "fico" if kind == "lstm" else "zrc":
            weight, bias, recurrent_bias = blocks[gate]
            parameters["W" + gate], parameters["b" + gate] = weight, bias
            if recurrent_bias is not None:
                parameters["bca"] = recurrent_bias
    return parameters


def _linear_from_torch(torch, kind, module, linear, dtype):
    if not isinstance(linear, torch.nn.Linear):
        raise TypeError(f"linear must be a torch.nn.Linear, got {type(linear).__name__}")
    if linear.in_features != module.hidden_size:
        raise ValueError(
            f"linear.in_features is {linear.in_features}, but it must equal the "
            f"{type(module).__name__}'s hidden_size, {module.hidden_size}"
        )
    weight = _numpy(linear.weight)
    if weight.dtype != dtype:
        raise TypeError(
            f"linear has dtype {weight.dtype} but the {type(module).__name__} has {dtype}; "
            "use one dtype for both"
        )
    if linear.bias is None:
        bias = np.zeros((linear.out_features, 1), dtype)
    else:
        bias = _numpy(linear.bias)[:, None]
    return {_OUTPUT_WEIGHT[kind]: weight, "by": bias}


def to_torch(parameters, kind, *, batch_first=False, dtype=None):
    """A PyTorch recurrent layer (and output layer) holding rnnbook's parameters.

    Arguments:
        parameters: an rnnbook parameter dict for ``kind``; for "gru" it must be
            the ``reset_after=True`` form (with ``bca``), the only one
            ``torch.nn.GRU`` computes.
        kind: "rnn", "lstm" or "gru".
        batch_first: passed to the torch module (it changes the layout of its
            input and output, not its weights).
        dtype: ``torch.float32`` or ``torch.float64`` (or the numpy names);
            None keeps the parameters' dtype.

    Returns:
        the ``torch.nn.RNN`` (tanh), ``torch.nn.LSTM`` or ``torch.nn.GRU``, one
        layer, unidirectional, on the CPU; or ``(module, linear)`` with a
        ``torch.nn.Linear`` when the parameters hold an output layer.  Given a
        ``layers`` list of ``rnnbook.stacked_forward`` instead of a dict (its
        entries pairs for a bidirectional stack, GRU layers in the
        ``reset_after=True`` form), the module has ``num_layers=len(layers)``
        and that ``bidirectional``.
        ``from_torch`` of the result gives ``parameters`` back exactly.

    Creating the modules does not draw from torch's random number generator.
    """
    torch = _torch()
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    if not isinstance(batch_first, (bool, np.bool_)):
        raise TypeError(f"batch_first must be True or False, got {batch_first!r}")
    if isinstance(parameters, (list, tuple)):
        return _stack_to_torch(torch, parameters, kind, batch_first, dtype)
    if kind == "gru" and isinstance(parameters, dict) and "bca" not in parameters:
        raise ValueError(
            "parameters has no 'bca': torch.nn.GRU applies the reset gate after the recurrent "
            "product, so to_torch(kind='gru') needs the reset_after=True parameters (bca is "
            "PyTorch's b_hn); the reset_after=False form has no PyTorch equivalent"
        )
    n_x, n_a, n_y = validate.parameters_alone(kind, parameters, reset_after=(kind == "gru"))
    needed = _REQUIRED[kind]
    unknown = sorted(set(parameters) - set(needed) - {_OUTPUT_WEIGHT[kind], "by"})
    if unknown:
        raise ValueError(
            f"parameters has {', '.join(map(repr, unknown))}, which kind={kind!r} does not use; "
            f"it needs {', '.join(needed)} (and {_OUTPUT_WEIGHT[kind]}, by for an output layer)"
        )
    torch_dtype = _torch_dtype(torch, dtype, parameters[needed[0]].dtype)

    module_class = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    options = {"nonlinearity": "tanh"} if kind == "rnn" else {}
    # Built on the meta device, then given uninitialised memory: every weight is
    # overwritten below, so there is no need to draw random ones.
    module = module_class(
        n_x,
        n_a,
        num_layers=1,
        bias=True,
        batch_first=bool(batch_first),
        dtype=torch_dtype,
        device="meta",
        **options,
    ).to_empty(device="cpu")
    _copy_into(torch, module, _torch_layout(kind, parameters, n_a))
    if n_y is None:
        return module
    linear = torch.nn.Linear(n_a, n_y, dtype=torch_dtype, device="meta").to_empty(device="cpu")
    weights = {"weight": parameters[_OUTPUT_WEIGHT[kind]], "bias": parameters["by"][:, 0]}
    _copy_into(torch, linear, weights)
    return module, linear


def _torch_layout(kind, parameters, n_a, suffix="_l0"):
    """rnnbook's parameters as PyTorch's four stacked arrays (names ending in suffix)."""
    if kind == "rnn":
        ba = parameters["ba"][:, 0]
        return {
            "weight_ih" + suffix: parameters["Wax"],
            "weight_hh" + suffix: parameters["Waa"],
            "bias_ih" + suffix: ba,
            "bias_hh" + suffix: np.zeros_like(ba),
        }
    gates = _TORCH_GATES[kind]
    b_hh = [np.zeros(n_a, parameters["b" + gate].dtype) for gate in gates]
    if kind == "gru":
        b_hh[gates.index("c")] = parameters["bca"][:, 0]  # b_hn, inside r * (...)
    return {
        "weight_ih" + suffix: np.concatenate([parameters["W" + g][:, n_a:] for g in gates]),
        "weight_hh" + suffix: np.concatenate([parameters["W" + g][:, :n_a] for g in gates]),
        "bias_ih" + suffix: np.concatenate([parameters["b" + g][:, 0] for g in gates]),
        "bias_hh" + suffix: np.concatenate(b_hh),
    }


def _stack_to_torch(torch, layers, kind, batch_first, dtype):
    """to_torch for a layers list: one module with num_layers and bidirectional."""
    from rnnbook.stacked import check_layers

    bidirectional = len(layers) > 0 and isinstance(layers[0], (list, tuple))
    checked = check_layers(layers, kind, bidirectional, kind == "gru")
    first = checked[0][0][0]
    n_a = checked[0][0][1]
    n_x = first[_REQUIRED[kind][0]].shape[1] - (0 if kind == "rnn" else n_a)
    if any(directions[0][1] != n_a for directions in checked):
        sizes = [directions[0][1] for directions in checked]
        raise ValueError(
            f"the layers have hidden sizes {sizes}, but a torch module has one hidden_size"
        )
    for i, directions in enumerate(checked):
        for d, (parameters, _) in enumerate(directions):
            unknown = sorted(set(parameters) - set(_REQUIRED[kind]))
            if unknown:
                raise ValueError(
                    f"layer {i} ({'forward backward'.split()[d]} direction) has "
                    f"{', '.join(map(repr, unknown))}, which kind={kind!r} does not use; "
                    f"it needs {', '.join(_REQUIRED[kind])}"
                )
    torch_dtype = _torch_dtype(torch, dtype, first[_REQUIRED[kind][0]].dtype)
    module_class = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    options = {"nonlinearity": "tanh"} if kind == "rnn" else {}
    module = module_class(
        n_x,
        n_a,
        num_layers=len(layers),
        bias=True,
        batch_first=bool(batch_first),
        bidirectional=bidirectional,
        dtype=torch_dtype,
        device="meta",
        **options,
    ).to_empty(device="cpu")
    for i, directions in enumerate(checked):
        for d, (parameters, _) in enumerate(directions):
            suffix = f"_l{i}" + ("_reverse" if d == 1 else "")
            _copy_into(torch, module, _torch_layout(kind, parameters, n_a, suffix))
    return module


def _copy_into(torch, module, arrays):
    with torch.no_grad():
        for name, array in arrays.items():
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(array)))


def _torch_dtype(torch, dtype, default):
    choices = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}
    if dtype is None:
        return choices[np.dtype(default)]
    if dtype in (torch.float32, torch.float64):
        return dtype
    try:
        return choices[np.dtype(dtype)]
    except (TypeError, KeyError):
        raise TypeError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}") from None


# --- batches -----------------------------------------------------------------------


def _to_torch_sequence(name, array, batch_first, features):
    torch = _torch()
    _flag("batch_first", batch_first)
    validate.Shapes()(name, array, (features, "m", "T_x"))
    order = (1, 2, 0) if batch_first else (2, 1, 0)
    return torch.from_numpy(array.transpose(order).copy())


def _from_torch_sequence(torch, name, tensor, batch_first, features):
    _flag("batch_first", batch_first)
    layout = f"(m, T_x, {features})" if batch_first else f"(T_x, m, {features})"
    array = _tensor_to_numpy(torch, name, tensor, 3, layout)
    order = (2, 0, 1) if batch_first else (2, 1, 0)
    return array.transpose(order).copy()


def _tensor_to_numpy(torch, name, tensor, ndim, layout):
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"{name} has dtype {tensor.dtype}, but rnnbook needs float32 or float64")
    if tensor.dim() != ndim:
        raise ValueError(
            f"{name} has shape {tuple(tensor.shape)}, but it needs {ndim} axes {layout}"
        )
    return _numpy(tensor)


def _flag(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def x_to_torch(x, batch_first=False):
    """Inputs (n_x, m, T_x) -> a torch tensor (T_x, m, n_x), or (m, T_x, n_x) batch first.

    The tensor is a copy, in x's dtype; set ``requires_grad_()`` on it to get
    the input gradient from PyTorch.
    """
    return _to_torch_sequence("x", x, batch_first, "n_x")


def x_from_torch(tensor, batch_first=False):
    """A torch input tensor (T_x, m, n_x), or (m, T_x, n_x) batch first -> (n_x, m, T_x).

    Works for the input's gradient (``x.grad``) as well.
    """
    return _from_torch_sequence(_torch(), "tensor", tensor, batch_first, "n_x")


def a_to_torch(a, batch_first=False):
    """Hidden states (n_a, m, T_x) -> the layout of a torch module's output.

    That is (T_x, m, n_a), or (m, T_x, n_a) batch first; useful for an upstream
    gradient ``da`` to pass to ``output.backward``.
    """
    return _to_torch_sequence("a", a, batch_first, "n_a")


def a_from_torch(output, batch_first=False):
    """A torch module's output (T_x, m, n_a), or (m, T_x, n_a) batch first -> (n_a, m, T_x).

    The output of ``torch.nn.RNN/LSTM/GRU`` is every step's hidden state: this
    gives rnnbook's ``a``.
    """
    return _from_torch_sequence(_torch(), "output", output, batch_first, "n_a")


def state_to_torch(a0):
    """One state (n_a, m) -> (1, m, n_a), the ``h0`` (or LSTM ``c0``) torch takes.

    The layer axis comes first whatever ``batch_first`` is.
    """
    torch = _torch()
    validate.Shapes()("a0", a0, ("n_a", "m"))
    return torch.from_numpy(a0.T.copy()[None])


def state_from_torch(h):
    """A torch state (1, m, n_a), such as ``h_n``, ``c_n`` or ``h0.grad`` -> (n_a, m)."""
    torch = _torch()
    array = _tensor_to_numpy(torch, "h", h, 3, "(1, m, n_a)")
    if array.shape[0] != 1:
        raise ValueError(
            f"h has shape {array.shape}, but it needs (1, m, n_a): one layer, one direction"
        )
    return array[0].T.copy()


def stack_state_to_torch(states):
    """Per-layer states -> the (L D, m, n_a) tensor ``h0`` (or ``c0``) of a stack.

    ``states`` is a list with one entry per layer: an (n_a, m) array, or a pair
    (forward, backward) of them for a bidirectional stack (the layout of
    ``stacked_forward``'s ``a0``).  Row ``l D + d`` is layer l, direction d.
    """
    torch = _torch()
    if not isinstance(states, (list, tuple)) or len(states) == 0:
        raise ValueError(f"states must be a non-empty list, one entry per layer, got {states!r}")
    flat = []
    for i, entry in enumerate(states):
        for d, state in enumerate(entry if isinstance(entry, (list, tuple)) else [entry]):
            validate.Shapes()(
                f"states[{i}]" + (f"[{d}]" if isinstance(entry, (list, tuple)) else ""),
                state,
                ("n_a", "m"),
            )
            flat.append(state.T)
    shapes = {array.shape for array in flat}
    if len(shapes) != 1:
        raise ValueError(f"states need one shape (n_a, m) throughout, got {sorted(shapes)}")
    return torch.from_numpy(np.stack(flat).copy())


def stack_state_from_torch(h, num_layers, bidirectional):
    """A stack's (L D, m, n_a) state, such as ``h_n``, ``c_n`` or ``h0.grad`` -> per-layer list.

    Entry l is layer l's (n_a, m) array, or a (forward, backward) pair of them
    when ``bidirectional``: the layout of ``stacked_forward``'s ``a0``.
    """
    torch = _torch()
    _flag("bidirectional", bidirectional)
    D = 2 if bidirectional else 1
    array = _tensor_to_numpy(torch, "h", h, 3, "(num_layers * D, m, n_a)")
    if array.shape[0] != num_layers * D:
        raise ValueError(
            f"h has shape {array.shape}, but it needs (num_layers * D, m, n_a) with "
            f"num_layers = {num_layers}, D = {D}: {num_layers * D} rows on the first axis"
        )
    states = [array[i].T.copy() for i in range(num_layers * D)]
    if bidirectional:
        return [(states[2 * i], states[2 * i + 1]) for i in range(num_layers)]
    return states
