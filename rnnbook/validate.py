"""Argument checks shared by every model.

Each check raises ``ValueError`` (wrong shape, missing parameter, NaN or inf)
or ``TypeError`` (not an array, not a float dtype) with a message that names
the argument, the shape it got and the shape it needs.  The model functions
call one check at their top, so nothing is ever broadcast into a wrong answer.
"""

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# The parameters each model reads, and its optional output layer.
RNN_PARAMETERS = ("Wax", "Waa", "ba")
RNN_OUTPUT = ("Wya", "by")
LSTM_PARAMETERS = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo")
GRU_PARAMETERS = ("Wz", "bz", "Wr", "br", "Wc", "bc")
GATED_OUTPUT = ("Wy", "by")


class Shapes:
    """Checks arrays against symbolic shapes such as ("n_a", "m").

    The first array that mentions a symbol fixes its size; every later array
    must agree, and a mismatch says where the size came from.  A symbol written
    "n_a+n_x" is the sum of two sizes already fixed; "1" is the literal 1.
    """

    def __init__(self):
        self.sizes = {}  # symbol -> (size, name of the argument that fixed it)
        self.dtype = None
        self.dtype_source = None

    def _expected(self, dims):
        out = []
        for dim in dims:
            if dim == "1":
                out.append(1)
            elif "+" in dim:
                parts = [self.sizes.get(p) for p in dim.split("+")]
                out.append(sum(p[0] for p in parts) if all(parts) else None)
            else:
                out.append(self.sizes.get(dim, (None,))[0])
        return out

    def __call__(self, name, value, dims):
        plain_array(name, value)
        if value.dtype not in FLOAT_DTYPES:
            raise TypeError(f"{name} must have dtype float32 or float64, got {value.dtype}")
        if self.dtype is None:
            self.dtype, self.dtype_source = value.dtype, name
        elif value.dtype != self.dtype:
            raise TypeError(
                f"{name} has dtype {value.dtype} but {self.dtype_source} has {self.dtype}; "
                "use one float dtype for all arrays"
            )
        symbolic = "(" + ", ".join(dims) + ")"
        if value.ndim != len(dims):
            raise ValueError(
                f"{name} has shape {value.shape}, but it needs {len(dims)} axes {symbolic}"
            )
        expected = self._expected(dims)
        for dim, want, got in zip(dims, expected, value.shape):
            if want is not None and want != got:
                needed = tuple(w if w is not None else d for w, d in zip(expected, dims))
                sources = "; ".join(
                    f"{p} = {self.sizes[p][0]} from {self.sizes[p][1]}"
                    for p in dim.split("+")
                    if p in self.sizes
                )
                raise ValueError(
                    f"{name} has shape {value.shape}, but it needs {symbolic} = "
                    f"{_fmt(needed)}" + (f" ({sources})" if sources else "")
                )
            if want is None and dim not in self.sizes:
                self.sizes[dim] = (got, name)
        if 0 in value.shape:
            raise ValueError(
                f"{name} has shape {value.shape}, but every axis of {symbolic} needs at "
                "least one entry"
            )
        finite(name, value)


def plain_array(name, value):
    """Raise TypeError unless ``value`` is a plain numpy array.

    np.matrix is an ndarray whose * means a matrix product, and a masked array
    (numpy.ma) is an ndarray whose mask the models' products and ufuncs would
    drop or mix in unseen: both are refused.
    """
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"{name} is a masked array (numpy.ma), whose mask the models would ignore; "
            f"pass a plain array, e.g. {name}.filled(0), and mask the loss instead"
        )
    if not isinstance(value, np.ndarray) or isinstance(value, np.matrix):
        raise TypeError(f"{name} must be a numpy array, got {type(value).__name__}")


def finite(name, value):
    """Raise ValueError when ``value`` holds NaN or inf, saying how many and where."""
    if np.all(np.isfinite(value)):
        return
    bad = ~np.isfinite(value)
    kinds = " and ".join(
        kind for kind, mask in (("NaN", np.isnan(value)), ("inf", np.isinf(value))) if mask.any()
    )
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    raise ValueError(
        f"{name} contains {kinds} ({int(bad.sum())} of {value.size} entries, "
        f"the first at index {first}); every entry must be finite"
    )


def _describe(value):
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return type(value).__name__


def _fmt(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


def parameter_dict(parameters, required, output):
    """Check that ``parameters`` is a dict with every required key.

    The output layer is optional but comes whole: both of its keys or neither.
    Returns True when the output layer is present.
    """
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    missing = [k for k in required if k not in parameters]
    if missing:
        needs = f"this model needs {', '.join(required)}"
        if output:
            needs += f" (and {', '.join(output)} for an output layer)"
        raise ValueError(f"parameters is missing {', '.join(repr(k) for k in missing)}; {needs}")
    present = [k for k in output if k in parameters]
    if len(present) == 1:
        absent = next(k for k in output if k not in parameters)
        raise ValueError(
            f"parameters has {present[0]!r} but not {absent!r}; the output layer needs both"
        )
    return len(present) == len(output)


def _check_output(shapes, parameters, weight, bias):
    shapes(f"parameters[{weight!r}]", parameters[weight], ("n_y", "n_a"))
    shapes(f"parameters[{bias!r}]", parameters[bias], ("n_y", "1"))


def rnn_parameters(shapes, parameters):
    has_output = parameter_dict(parameters, RNN_PARAMETERS, RNN_OUTPUT)
    shapes("parameters['Wax']", parameters["Wax"], ("n_a", "n_x"))
    shapes("parameters['Waa']", parameters["Waa"], ("n_a", "n_a"))
    shapes("parameters['ba']", parameters["ba"], ("n_a", "1"))
    if has_output:
        _check_output(shapes, parameters, "Wya", "by")


def lstm_parameters(shapes, parameters):
    has_output = parameter_dict(parameters, LSTM_PARAMETERS, GATED_OUTPUT)
    for gate in "fico":
        shapes(f"parameters['W{gate}']", parameters[f"W{gate}"], ("n_a", "n_a+n_x"))
        shapes(f"parameters['b{gate}']", parameters[f"b{gate}"], ("n_a", "1"))
    if has_output:
        _check_output(shapes, parameters, "Wy", "by")


def gru_parameters(shapes, parameters, reset_after):
    required = GRU_PARAMETERS + (("bca",) if reset_after else ())
    has_output = parameter_dict(parameters, required, GATED_OUTPUT)
    if not reset_after and "bca" in parameters:
        # bca belongs to the other form: ignoring it would be a silently wrong answer.
        raise ValueError(
            "parameters has 'bca', which only the reset_after=True form uses; "
            "pass reset_after=True, or leave 'bca' out"
        )
    for gate in "zrc":
        shapes(f"parameters['W{gate}']", parameters[f"W{gate}"], ("n_a", "n_a+n_x"))
        shapes(f"parameters['b{gate}']", parameters[f"b{gate}"], ("n_a", "1"))
    if reset_after:
        shapes("parameters['bca']", parameters["bca"], ("n_a", "1"))
    if has_output:
        _check_output(shapes, parameters, "Wy", "by")


def parameters_alone(kind, parameters, reset_after=False):
    """Check a parameter dict with no input beside it; return (n_x, n_a, n_y).

    ``kind`` is "rnn", "lstm" or "gru"; n_a comes from the first bias and n_x
    from the first weight (n_y is None without an output layer).
    """
    required, output, weight, bias = {
        "rnn": (RNN_PARAMETERS, RNN_OUTPUT, "Wax", "ba"),
        "lstm": (LSTM_PARAMETERS, GATED_OUTPUT, "Wf", "bf"),
        "gru": (GRU_PARAMETERS + (("bca",) if reset_after else ()), GATED_OUTPUT, "Wz", "bz"),
    }[kind]
    parameter_dict(parameters, required, output)
    shapes = Shapes()
    shapes(f"parameters[{bias!r}]", parameters[bias], ("n_a", "1"))
    if kind == "rnn":
        rnn_parameters(shapes, parameters)  # Wax fixes n_x
    else:
        # The gates' weights are (n_a, n_a + n_x): n_x is what is left of the width.
        n_a = shapes.sizes["n_a"][0]
        shapes(f"parameters[{weight!r}]", parameters[weight], ("n_a", "n_a+n_x"))
        n_x = parameters[weight].shape[1] - n_a
        if n_x < 1:
            raise ValueError(
                f"parameters[{weight!r}] has shape {parameters[weight].shape}, but it needs "
                f"(n_a, n_a+n_x) with n_a = {n_a} (from parameters[{bias!r}]) and n_x >= 1"
            )
        shapes.sizes["n_x"] = (n_x, f"parameters[{weight!r}]")
        if kind == "lstm":
            lstm_parameters(shapes, parameters)
        else:
            gru_parameters(shapes, parameters, reset_after)
    n_y = shapes.sizes["n_y"][0] if "n_y" in shapes.sizes else None
    return shapes.sizes["n_x"][0], shapes.sizes["n_a"][0], n_y


def _reset_after_flag(reset_after):
    if not isinstance(reset_after, (bool, np.bool_)):
        raise TypeError(f"reset_after must be True or False, got {reset_after!r}")


# --- one check per public function -------------------------------------------------


def rnn_cell_inputs(xt, a_prev, parameters):
    shapes = Shapes()
    shapes("xt", xt, ("n_x", "m"))
    shapes("a_prev", a_prev, ("n_a", "m"))
    rnn_parameters(shapes, parameters)


def rnn_sequence_inputs(x, a0, parameters):
    shapes = Shapes()
    shapes("x", x, ("n_x", "m", "T_x"))
    shapes("a0", a0, ("n_a", "m"))
    rnn_parameters(shapes, parameters)


def lstm_cell_inputs(xt, a_prev, c_prev, parameters):
    shapes = Shapes()
    shapes("xt", xt, ("n_x", "m"))
    shapes("a_prev", a_prev, ("n_a", "m"))
    shapes("c_prev", c_prev, ("n_a", "m"))
    lstm_parameters(shapes, parameters)


def lstm_sequence_inputs(x, a0, c0, parameters):
    shapes = Shapes()
    shapes("x", x, ("n_x", "m", "T_x"))
    shapes("a0", a0, ("n_a", "m"))
    if c0 is not None:
        shapes("c0", c0, ("n_a", "m"))
    lstm_parameters(shapes, parameters)


def gru_cell_inputs(xt, a_prev, parameters, reset_after):
    _reset_after_flag(reset_after)
    shapes = Shapes()
    shapes("xt", xt, ("n_x", "m"))
    shapes("a_prev", a_prev, ("n_a", "m"))
    gru_parameters(shapes, parameters, reset_after)


def gru_sequence_inputs(x, a0, parameters, reset_after):
    _reset_after_flag(reset_after)
    shapes = Shapes()
    shapes("x", x, ("n_x", "m", "T_x"))
    shapes("a0", a0, ("n_a", "m"))
    gru_parameters(shapes, parameters, reset_after)


def upstream(name, value, like_name, like):
    """Check an upstream gradient against the array it is the gradient of."""
    shapes = Shapes()
    dims = tuple(f"d{i}" for i in range(like.ndim))
    shapes(like_name, like, dims)
    shape_names = {2: ("n_a", "m"), 3: ("n_a", "m", "T_x")}.get(like.ndim, dims)
    plain_array(name, value)
    if value.shape != like.shape:
        raise ValueError(
            f"{name} has shape {value.shape}, but it needs the shape of {like_name}, "
            f"({', '.join(shape_names)}) = {_fmt(like.shape)}"
        )
    shapes(name, value, dims)


def hidden_gradient(da, n_a, m, T_x):
    """Check da, the gradient with respect to every hidden state: a float array
    of the hidden states' shape (n_a, m, T_x), every entry finite.  Returns the
    Shapes that now knows n_a, m and T_x, to check further arrays against."""
    plain_array("da", da)
    if da.shape != (n_a, m, T_x):
        raise ValueError(
            f"da has shape {da.shape}, but it needs the shape of the hidden states, "
            f"(n_a, m, T_x) = ({n_a}, {m}, {T_x})"
        )
    shapes = Shapes()
    shapes("da", da, ("n_a", "m", "T_x"))
    return shapes


# What each model's cell forward returns as its cache: a tuple of this many items.
CELL_CACHE_ITEMS = {"rnn": 4, "lstm": 10, "gru": 9}


def _cache_kind(items):
    """The model whose cell caches have that many items, or None."""
    return next((kind for kind, n in CELL_CACHE_ITEMS.items() if n == items), None)


def cell_cache(cache, kind):
    """Check that ``cache`` is what ``{kind}_cell_forward`` returned; return it."""
    items = CELL_CACHE_ITEMS[kind]
    if not (isinstance(cache, tuple) and len(cache) == items):
        other = _cache_kind(len(cache)) if isinstance(cache, tuple) else None
        got = f"the cache of {other}_cell_forward" if other else _describe(cache)
        raise TypeError(
            f"cache must be the tuple of {items} that {kind}_cell_forward returned, got {got}"
        )
    return cache


def sequence_backward_inputs(da, caches, kind):
    """Check (list of cell caches, x) from ``{kind}_forward`` against ``da``.

    Every cell cache starts with that step's a_next, so the hidden states have
    shape (n_a, m, T_x) with T_x the number of caches.  Returns the pair.
    """
    pair = (
        isinstance(caches, tuple)
        and len(caches) == 2
        and isinstance(caches[0], list)
        and len(caches[0]) > 0
    )
    if not pair:
        raise TypeError(
            "caches must be the (list of cell caches, x) pair that the forward returned, "
            f"got {_describe(caches)}"
        )
    cell_caches, x = caches
    first = cell_caches[0]
    for t, cache in enumerate(cell_caches):
        if not (
            isinstance(cache, tuple)
            and len(cache) == len(first)
            and isinstance(cache[0], np.ndarray)
            and cache[0].ndim == 2
            and cache[0].shape == first[0].shape
        ):
            raise TypeError(
                f"caches[0][{t}] is not a cell cache like caches[0][0] (a tuple that starts "
                "with that step's a_next); pass the caches the forward returned, unchanged"
            )
    if len(first) != CELL_CACHE_ITEMS[kind]:
        other = _cache_kind(len(first))
        got = f"the caches of {other}_forward" if other else f"cell caches of {len(first)} items"
        raise TypeError(f"caches must be what {kind}_forward returned, got {got}")
    n_a, m = first[0].shape
    T_x = len(cell_caches)
    shapes = hidden_gradient(da, n_a, m, T_x)
    if not (isinstance(x, np.ndarray) and x.ndim == 3 and x.shape[1:] == (m, T_x)):
        got = f"shape {x.shape}" if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(
            f"caches[1] (the input x) has {got}, but the {T_x} cell caches need "
            f"(n_x, m, T_x) = (n_x, {m}, {T_x}); pass the caches the forward returned, unchanged"
        )
    shapes("x (caches[1])", x, ("n_x", "m", "T_x"))
    return cell_caches, x


def logits(value):
    """Scores before the softmax: a float array (n_y, m, T_x), no axis empty,
    every entry finite (a NaN would make the loss NaN without a word).
    Returns its shape."""
    Shapes()("logits", value, ("n_y", "m", "T_x"))
    return value.shape


def labels(y, m, T_x, n_y):
    """Integer class labels of shape (m, T_x), each in [0, n_y)."""
    if isinstance(y, np.ma.MaskedArray):
        raise TypeError("y is a masked array (numpy.ma), whose mask the loss would ignore; "
                        "pass a plain array of integer labels")
    if not isinstance(y, np.ndarray):
        raise TypeError(f"y must be a numpy array of integer labels, got {type(y).__name__}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    if y.shape != (m, T_x):
        raise ValueError(f"y has shape {y.shape}, but it needs (m, T_x) = ({m}, {T_x})")
    if y.size and (y.min() < 0 or y.max() >= n_y):
        raise ValueError(
            f"y holds labels outside [0, n_y) = [0, {n_y}): min {y.min()}, max {y.max()}"
        )


# --- attention -----------------------------------------------------------------------

ATTENTION_PARAMETERS = ("Wa", "Ua", "va")
# What each attention forward returns as its cache: a tuple of this many items.
ATTENTION_CACHE_ITEMS = {"additive": 5, "dot": 3}
ATTENTION_FORWARD = {"additive": "attention_forward", "dot": "dot_attention_forward"}


def attention_mask(mask, m, T_x):
    """Check a source mask (m, T_x) of bools or 0/1 numbers; return it as bools.

    Every row needs at least one True: a sample with no real source position
    has nothing to attend to (its softmax would be 0/0).
    """
    plain_array("mask", mask)
    if mask.shape != (m, T_x):
        raise ValueError(
            f"mask has shape {mask.shape}, but it needs (m, T_x) = ({m}, {T_x}) "
            "(m and T_x from h)"
        )
    if mask.dtype != np.bool_:
        if not (np.issubdtype(mask.dtype, np.integer) or np.issubdtype(mask.dtype, np.floating)):
            raise TypeError(f"mask must hold bools or 0/1 numbers, got dtype {mask.dtype}")
        stray = ~((mask == 0) | (mask == 1))
        if stray.any():
            first = tuple(int(i) for i in np.argwhere(stray)[0])
            raise ValueError(
                f"mask must hold only 0 and 1 (or bools), got {mask[first]!r} at index {first}"
            )
        mask = mask == 1
    empty = np.flatnonzero(~mask.any(axis=1))
    if empty.size:
        raise ValueError(
            f"mask row {int(empty[0])} has no real source position (every entry is False or 0; "
            f"{empty.size} such row{'s' if empty.size > 1 else ''}): every sample needs "
            "at least one position to attend to"
        )
    return mask


def attention_inputs(s_prev, h, parameters, mask):
    """Check additive attention's arguments; return the mask as bools (or None)."""
    parameter_dict(parameters, ATTENTION_PARAMETERS, ())
    shapes = Shapes()
    shapes("s_prev", s_prev, ("n_s", "m"))
    shapes("h", h, ("n_h", "m", "T_x"))
    shapes("parameters['Wa']", parameters["Wa"], ("n_e", "n_s"))
    shapes("parameters['Ua']", parameters["Ua"], ("n_e", "n_h"))
    shapes("parameters['va']", parameters["va"], ("n_e", "1"))
    return None if mask is None else attention_mask(mask, *h.shape[1:])


def dot_attention_inputs(s_prev, h, mask):
    """Check dot-product attention's arguments; return the mask as bools (or None)."""
    shapes = Shapes()
    shapes("s_prev", s_prev, ("n_s", "m"))
    shapes("h", h, ("n_h", "m", "T_x"))
    if s_prev.shape[0] != h.shape[0]:
        raise ValueError(
            f"s_prev has shape {s_prev.shape} and h has shape {h.shape}: dot-product attention "
            f"needs n_s = n_h (here {s_prev.shape[0]} and {h.shape[0]}); use attention_forward "
            "(additive) for states of different sizes"
        )
    return None if mask is None else attention_mask(mask, *h.shape[1:])


def attention_cache(cache, kind, dcontext):
    """Check what ``attention_forward`` (kind "additive") or ``dot_attention_forward``
    (kind "dot") returned as its cache, and ``dcontext`` (n_h, m) against it.
    Returns the cache."""
    items = ATTENTION_CACHE_ITEMS[kind]
    forward = ATTENTION_FORWARD[kind]
    if not (isinstance(cache, tuple) and len(cache) == items):
        other = None
        if isinstance(cache, tuple):
            other = next((k for k, n in ATTENTION_CACHE_ITEMS.items() if n == len(cache)), None)
        got = f"the cache of {ATTENTION_FORWARD[other]}" if other else _describe(cache)
        raise TypeError(f"cache must be the tuple of {items} that {forward} returned, got {got}")
    s_prev, h = cache[0], cache[1]
    if not (
        isinstance(s_prev, np.ndarray) and s_prev.ndim == 2
        and isinstance(h, np.ndarray) and h.ndim == 3
    ):
        raise TypeError(
            f"cache does not start with (s_prev, h) as {forward}'s cache does; "
            "pass the cache the forward returned, unchanged"
        )
    shapes = Shapes()
    shapes("h (cache[1])", h, ("n_h", "m", "T_x"))
    plain_array("dcontext", dcontext)
    if dcontext.shape != h.shape[:2]:
        raise ValueError(
            f"dcontext has shape {dcontext.shape}, but it needs the shape of the context, "
            f"(n_h, m) = {_fmt(h.shape[:2])}"
        )
    shapes("dcontext", dcontext, ("n_h", "m"))
    return cache
