"""The sequence functions again, written to be fast: the same numbers, sooner.

``rnn_forward``, ``rnn_backward``, ``lstm_forward``, ``lstm_backward``,
``gru_forward`` and ``gru_backward`` take the arguments and return the values
of their namesakes in ``rnnbook.rnn``, ``rnnbook.lstm`` and ``rnnbook.gru``
(the same shapes, dtypes and dict keys; ``y_pred`` is None without an output
layer) and check their arguments with the same ``rnnbook.validate`` checks,
once per sequence.  Only the caches differ: a ``Cache`` of buffers, which only
the matching backward here accepts.

Where the time goes, and what is done about it:

- Python runs the loop over the time steps, and every numpy call in it costs
  about a microsecond before any arithmetic starts.  With small matrices that
  is most of the time, so the loop keeps only what depends on the step before
  (the recurrent product and the gates' elementwise updates) and everything
  else is done for many steps at once, before or after the loop.
- The input projection ``W_x x<t>`` does not depend on the state, so the
  products of all ``T_x`` steps are one call before the loop (``np.matmul``
  over the stack of step blocks, its ``T_x`` BLAS calls looped in C).  In the
  backward pass the weight gradients are sums over the steps: they are taken
  a span of steps at a time, as one product whose inner dimension is the
  span's ``L m`` columns instead of a step's ``m`` (BLAS runs such a wide
  product near its peak and a thin one well below it); the input gradient and
  the bias gradients likewise.
- Gates are stacked: one product per step with ``G n_a`` rows instead of ``G``
  products.  The stacked weight is split once into its state part and its
  input part, so nothing is concatenated inside the loop.
- Buffers are time-major: ``Z[t]`` is the ``(G n_a, m)`` block of step ``t``,
  contiguous, and each gate's rows in it are contiguous too.  numpy's ufuncs
  are several times faster on contiguous data than on strided views, and the
  loop writes into these blocks with ``out=`` and in-place operators, so it
  allocates nothing.
- The large buffers come from ``POOL`` and go back to it when the call (or,
  for the forward's buffers, the cache) is done with them, so a training loop
  reuses the same memory on every call instead of asking the operating system
  for hundreds of fresh megabytes each time.
- The sigmoid is ``(1 + tanh(s / 2)) / 2``, an exact identity that cannot
  overflow.  The halving is folded into the sigmoid gates' weights and biases
  (halving is exact in binary floating point), so one ``tanh`` call covers all
  the gates of a step, and two in-place operations turn the sigmoid gates'
  values from tanh into sigmoid.
- The backward's factors that do not depend on the incoming gradient
  (``1 - a^2``, ``sigma (1 - sigma)`` and what multiplies them) are computed
  ahead of its loop, a part of a span at a time (many steps per call when the
  blocks are small, one step when a block fills the cache, so that its data
  stay there from one pass to the next); each step then only multiplies.

The layout within a step is the notes': a column per sample.  The buffers hold
the steps one after the other, ``(T_x, n, m)``; the public arrays keep the
notes' ``(n, m, T_x)``, and the copies between the two are one pass each.
"""

import math
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from rnnbook import validate
from rnnbook.activations import softmax

__all__ = [
    "rnn_forward",
    "rnn_backward",
    "lstm_forward",
    "lstm_backward",
    "gru_forward",
    "gru_backward",
    "Cache",
    "SlicedCache",
    "BufferPool",
    "POOL",
    "batch_parts",
]

# Order of the gates in the stacked LSTM weight: the three sigmoid gates first,
# so that one slice turns them into sigmoids, and f, i, c last, so that one
# broadcast product gives all three of their gradients from dc.
LSTM_STACK = ("o", "f", "i", "c")
LSTM_KEYS = ("f", "i", "c", "o")  # the order of rnnbook.lstm's gradient dict


# --- memory kept between calls ------------------------------------------------------


class BufferPool:
    """Large arrays kept from one call to the next, by shape and dtype.

    An array of many megabytes is fresh memory from the operating system every
    time numpy allocates it, and the system must find, map and zero its pages
    before the first write; in a training loop that is every call.  The pool
    keeps such buffers instead: ``take`` hands out a kept one of the same shape
    and dtype if there is one (its contents are left over: treat it as
    ``np.empty``), ``give`` takes one back.  Arrays smaller than ``min_bytes``
    are left to numpy, which reuses small blocks well on its own.  At most
    ``limit_bytes`` are kept; when a new buffer does not fit, the others are
    let go first, so a change of shapes does not pin old memory.  ``clear``
    lets everything go.
    """

    def __init__(self, limit_bytes=2**30, min_bytes=2**20):
        self.limit_bytes = limit_bytes
        self.min_bytes = min_bytes
        self._free = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def take(self, shape, dtype):
        dtype = np.dtype(dtype)
        shape = tuple(shape)
        if math.prod(shape) * dtype.itemsize < self.min_bytes:
            return np.empty(shape, dtype=dtype)
        with self._lock:
            kept = self._free.get((shape, dtype))
            if kept:
                buffer = kept.pop()
                self._bytes -= buffer.nbytes
                return buffer
        return np.empty(shape, dtype=dtype)

    def give(self, buffer):
        if buffer.nbytes < self.min_bytes or buffer.nbytes > self.limit_bytes:
            return
        with self._lock:
            if self._bytes + buffer.nbytes > self.limit_bytes:
                self._free.clear()
                self._bytes = 0
            self._free.setdefault((buffer.shape, buffer.dtype), []).append(buffer)
            self._bytes += buffer.nbytes

    def clear(self):
        with self._lock:
            self._free.clear()
            self._bytes = 0

    @property
    def nbytes(self):
        """Bytes kept now."""
        return self._bytes


POOL = BufferPool()


def _references_of_a_popped_array():
    """What sys.getrefcount says of an array that only a local name holds,
    counted exactly as Cache.__del__ counts (the number differs between Python
    versions, so it is measured rather than assumed)."""
    owned = {"probe": np.empty(0)}
    buffer = owned.pop("probe")
    return sys.getrefcount(buffer)


UNSHARED = _references_of_a_popped_array()


class Cache:
    """What a fast forward keeps for its backward.

    ``kind`` is "rnn", "lstm" or "gru", ``reset_after`` the GRU's form and
    ``arrays`` a dict of time-major buffers and stacked weights.  The buffers
    named in ``owned`` came from ``POOL``; when the cache is garbage, each goes
    back to the pool, unless something else (an array viewing it, say) still
    holds it.
    """

    __slots__ = ("kind", "reset_after", "arrays", "owned")

    def __init__(self, kind, arrays, reset_after=False, owned=()):
        self.kind = kind
        self.reset_after = reset_after
        self.arrays = arrays
        self.owned = tuple(owned)

    def __repr__(self):
        T_x, n_a, m = self.arrays["H"][1:].shape
        form = f", reset_after={self.reset_after}" if self.kind == "gru" else ""
        return f"<rnnbook.fast.Cache {self.kind}{form}: n_a={n_a}, m={m}, T_x={T_x}>"

    def __del__(self):
        owned = self.arrays
        try:
            for name in self.owned:
                buffer = owned.pop(name)
                # Only if nothing else holds the buffer (a view of it, say).
                if sys.getrefcount(buffer) == UNSHARED:
                    POOL.give(buffer)
        except Exception:  # at interpreter exit the module may already be gone
            pass


# --- layouts ------------------------------------------------------------------------


def step_blocks(x, out=None):
    """x (n, m, T_x) -> a contiguous (T_x, n, m) copy: block [t] is step t.

    The copy goes a few rows of x at a time: each such slab of x stays in the
    cache while its numbers are spread over the T_x blocks, so every number is
    read from memory once.
    """
    n, m, T_x = x.shape
    if out is None:
        out = np.empty((T_x, n, m), dtype=x.dtype)
    for row in range(0, n, 4):
        out[:, row : row + 4] = x[row : row + 4].transpose(2, 0, 1)
    return out


def notes_layout(blocks):
    """(T_x, n, m) blocks -> a new contiguous (n, m, T_x) array, the notes' layout.

    Always a copy: with T_x = 1 (or n = m = 1) the transposed view is already
    contiguous, and returning it would hand the caller the cache's own memory;
    a caller who then changed the states would change the gradients.
    """
    return blocks.transpose(1, 2, 0).copy(order="C")


def as_columns(*stacks, out=None):
    """(L, n, m) block stacks -> one (sum of n, L m) matrix: the steps' columns
    side by side, the stacks' rows one under the other.

    ``out``, if given, is a 1-d buffer of at least that many numbers; the
    matrix is then a view of its first ones.
    """
    L, _, m = stacks[0].shape
    n = sum(blocks.shape[1] for blocks in stacks)
    if out is None:
        out = np.empty(n * L * m, dtype=stacks[0].dtype)
    columns = out[: n * L * m].reshape(n, L, m)
    row = 0
    for blocks in stacks:
        np.copyto(columns[row : row + blocks.shape[1]], blocks.transpose(1, 0, 2))
        row += blocks.shape[1]
    return columns.reshape(n, L * m)


def spread_columns(matrix, out, span):
    """The (n, L m) columns of the L steps of span -> out[:, :, span], the notes' layout."""
    n, m = out.shape[0], out.shape[1]
    out[:, :, span] = matrix.reshape(n, -1, m).transpose(0, 2, 1)


def input_projection(Wx, X, b, out):
    """out[t] = Wx x<t> + b for every step t, in one call before the loop.

    X is (T_x, n_x, m).  np.matmul runs the T_x products in C, one BLAS call
    each; nothing is left for Python's loop.  (One product with T_x m columns
    would need its result moved into the step blocks afterwards, and that
    strided copy costs as much as the product.)
    """
    np.matmul(Wx, X, out=out)
    out += b


def gates(blocks, n_a):
    """The (T_x, n_a, m) views of the gates stacked in the rows of (T_x, G n_a, m) blocks."""
    T_x, rows, m = blocks.shape
    stacked = blocks.reshape(T_x, rows // n_a, n_a, m)
    return [stacked[:, k] for k in range(rows // n_a)]


# The backward goes through the steps in spans of at least SPAN_COLUMNS columns
# (L steps of m samples), and through each span in parts of about CHUNK_BYTES.
SPAN_COLUMNS = 1024
CHUNK_BYTES = 512 * 1024


def runs(start, stop, length):
    """Slices of `length` consecutive steps (the last one may be shorter) from start to stop."""
    return [slice(t, min(t + length, stop)) for t in range(start, stop, length)]


def backward_plan(T_x, m, step_bytes):
    """The order of the backward's work, from the last step to the first.

    A list of (span, parts): after the loop has gone through a span, the
    span's gradients enter the weight, bias and input gradients in one product
    each, with L m >= SPAN_COLUMNS columns.  Within a span, the factors of
    each part, about CHUNK_BYTES of blocks (many steps when the blocks are
    small, one step when a block fills the cache), are computed just before
    the loop reaches it.  Parts are given relative to their span, which is
    also how the span's buffers are indexed.
    """
    span_length = -(-SPAN_COLUMNS // m)
    part_length = min(span_length, max(1, CHUNK_BYTES // step_bytes))
    plan = []
    for span in reversed(runs(0, T_x, span_length)):
        parts = runs(0, span.stop - span.start, part_length)
        plan.append((span, parts[::-1]))
    return plan


def sigmoid_from_tanh(values):
    """Turn tanh(s / 2), in place, into sigmoid(s) = (1 + tanh(s / 2)) / 2."""
    values *= 0.5
    values += 0.5


def halved(rows, n_sigmoid):
    """A copy of stacked ``rows`` whose first ``n_sigmoid`` rows are halved.

    Multiplying by 0.5 is exact, so halved weights give exactly half of the
    pre-activation s, and tanh of it is tanh(s / 2) to the last bit.
    """
    rows = rows.copy()
    rows[:n_sigmoid] *= 0.5
    return rows


def predictions(a, parameters, weight):
    """softmax(Wy a<t> + by) for every step at once, or None without an output layer."""
    if weight not in parameters:
        return None
    n_a, m, T_x = a.shape
    logits = (parameters[weight] @ a.reshape(n_a, m * T_x)).reshape(-1, m, T_x)
    logits += parameters["by"][:, :, None]
    return softmax(logits)


def backward_inputs(da, caches, kind):
    """Check ``da`` against a fast forward's cache and return the cache's arrays.

    The shape and value errors read as those of rnnbook's own backward.
    """
    if not (isinstance(caches, Cache) and caches.kind == kind):
        got = (
            f"the cache of rnnbook.fast.{caches.kind}_forward"
            if isinstance(caches, Cache)
            else type(caches).__name__
        )
        raise TypeError(
            f"caches must be what rnnbook.fast.{kind}_forward returned, got {got} "
            f"(the caches of rnnbook.{kind}_forward go to rnnbook.{kind}_backward)"
        )
    H = caches.arrays["H"]
    n_a, m, T_x = H.shape[1], H.shape[2], H.shape[0] - 1
    validate.hidden_gradient(da, n_a, m, T_x)
    if da.dtype != H.dtype:
        raise TypeError(
            f"da has dtype {da.dtype} but the forward ran in {H.dtype}; "
            "use one float dtype for all arrays"
        )
    return caches.arrays


def give_back(*buffers):
    """Return a call's scratch buffers to POOL (nothing else may hold them)."""
    for buffer in buffers:
        POOL.give(buffer)


# --- the batch's columns on several threads ------------------------------------------
#
# The columns of a batch never meet: every sample's sequence, forward and
# backward, is computed from that sample's own column until the weight
# gradients are summed over the batch.  So the batch can be cut into slices of
# columns, and each slice can run the whole loop over time on a thread of its
# own.  numpy lets go of the GIL inside its ufuncs and its BLAS calls, so the
# threads compute at the same time; only Python's own work between the calls
# (about a microsecond per call) waits its turn.  The time steps cannot be
# split that way: step t needs the state of step t - 1.

# A slice thinner than this many columns is not made: each slice pays Python's
# per-call work for every step, the same as a wide one.  Measured on 2 cores
# (LSTM, n_a = 256, T = 100, float32, forward + backward): two slices of 4
# columns take as long as one thread (x1.03), of 8 x1.08, of 16 x1.40, of 32 x1.48.
MIN_PART_COLUMNS = 8
# threads=None keeps one thread below this many multiply-adds in the recurrent
# products of a call (G n_a (n_a + n_x) m T_x): a thread's start costs tens of
# microseconds, and the slices of a small batch are mostly Python's per-call
# work, which the GIL runs one thread at a time.  2**28 keeps the chapter's
# small size (2e7 for the LSTM) and the practice notebooks' models (at most
# 1.7e8) on one thread, and splits its medium size (5e8 to 2e9) and above.
# Measured on 2 cores (LSTM, float32, forward + backward): at n_a = 64, T = 50
# two threads are slower for every m up to 64 (x0.45 to x0.72, work up to
# 8e7); at n_a = 256, T = 100 they break even at 2.6e8 (m = 8) and pay from
# 5e8 (x1.08 at m = 16, x1.48 at m = 64).
MIN_THREADED_WORK = 2**28
# Weight matrices of shape (n_a, n_a + n_x) per model (the LSTM's four gates, ...).
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def available_cores():
    """The cores this process may run on (its CPU affinity where the system says)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def batch_parts(m, threads, work=0):
    """The slices of the m columns that the threads share, as a list of slices.

    ``threads`` is None (choose: one slice per core when the call's ``work``,
    its multiply-adds, is at least MIN_THREADED_WORK, else one) or a positive
    integer, the most slices to make.  No slice is thinner than
    MIN_PART_COLUMNS columns, so there are never more slices than columns; the
    columns are shared as evenly as they divide.
    """
    if threads is None:
        wanted = available_cores() if work >= MIN_THREADED_WORK else 1
    elif isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads must be None or a positive integer, got {threads!r}")
    elif threads < 1:
        raise ValueError(f"threads must be None or a positive integer, got {threads!r}")
    else:
        wanted = int(threads)
    count = max(1, min(wanted, m // MIN_PART_COLUMNS))
    bounds = [m * k // count for k in range(count + 1)]
    return [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]


class SlicedCache:
    """What a fast forward that ran on several threads keeps for its backward:
    the cache of each slice of columns, and the slices (the backward uses the
    same ones)."""

    __slots__ = ("kind", "reset_after", "parts", "caches")

    def __init__(self, kind, parts, caches, reset_after=False):
        self.kind, self.parts, self.caches, self.reset_after = kind, parts, caches, reset_after

    def __repr__(self):
        T_x, n_a, _ = self.caches[0].arrays["H"][1:].shape
        m = self.parts[-1].stop
        form = f", reset_after={self.reset_after}" if self.kind == "gru" else ""
        return (f"<rnnbook.fast.SlicedCache {self.kind}{form}: n_a={n_a}, m={m}, T_x={T_x}, "
                f"{len(self.parts)} slices>")


_BLAS = None


def one_blas_thread():
    """A context in which BLAS runs on the calling thread alone, restored after.

    Each worker runs its own slice's products; BLAS threads of its own would
    only compete with the other workers for the same cores.  The setting is
    changed through threadpoolctl, which talks to the BLAS library that numpy
    loaded: environment variables such as OPENBLAS_NUM_THREADS are read once,
    when the library loads, and would change every later call of the process.
    """
    global _BLAS
    if _BLAS is None:
        from threadpoolctl import ThreadpoolController

        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


def in_threads(function, items):
    """[function(item) for item in items], each on a thread of its own.

    A worker's exception reaches the caller as it was raised; so does Ctrl-C,
    at once: the other workers are not waited for (their slices finish in the
    background, and their results are dropped).
    """
    executor = ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="rnnbook.fast")
    try:
        with one_blas_thread():
            futures = [executor.submit(function, item) for item in items]
            return [future.result() for future in futures]
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def sliced_forward(states, kind, x, initial, parameters, threads, **options):
    """states(x, *initial, parameters, **options) -> (*outputs, cache), on the
    batch's column slices in threads when there is more than one slice; the
    outputs are joined along the batch axis and the caches kept together."""
    n_x, m, T_x = x.shape
    n_a = initial[0].shape[0]
    work = GATES[kind] * n_a * (n_a + n_x) * m * T_x
    parts = batch_parts(m, threads, work)
    if len(parts) == 1:
        return states(x, *initial, parameters, **options)

    def run(part):
        own = [None if state is None else state[:, part] for state in initial]
        return states(x[:, part], *own, parameters, **options)

    results = in_threads(run, parts)
    outputs = [np.concatenate([result[k] for result in results], axis=1)
               for k in range(len(results[0]) - 1)]
    caches = [result[-1] for result in results]
    return (*outputs, SlicedCache(kind, parts, caches, options.get("reset_after", False)))


# Gradients with a column per sample; the others are sums over the batch.
PER_SAMPLE = ("dx", "da0", "dc0")


def sliced_backward(gradients, da, caches, kind):
    """gradients(da, cache) for each slice of a SlicedCache, in threads; the
    per-sample gradients are joined along the batch axis and the weight
    gradients summed, slice by slice in order, so a result does not depend
    on which thread finished first."""
    if not isinstance(caches, SlicedCache):
        return gradients(da, caches)
    if caches.kind != kind:
        raise TypeError(
            f"caches must be what rnnbook.fast.{kind}_forward returned, got the cache of "
            f"rnnbook.fast.{caches.kind}_forward"
        )
    T_x, n_a, _ = caches.caches[0].arrays["H"][1:].shape
    validate.hidden_gradient(da, n_a, caches.parts[-1].stop, T_x)
    results = in_threads(lambda k: gradients(da[:, caches.parts[k]], caches.caches[k]),
                         range(len(caches.parts)))
    grads = {}
    for name in results[0]:
        if name in PER_SAMPLE:
            grads[name] = np.concatenate([result[name] for result in results], axis=1)
        else:
            total = results[0][name].copy()
            for result in results[1:]:
                total += result[name]
            grads[name] = total
    return grads


# --- the vanilla RNN ----------------------------------------------------------------


def rnn_forward(x, a0, parameters, *, threads=None):
    """rnnbook.rnn_forward, fast: returns (a, y_pred, cache).

    ``threads``: how many threads may share the batch's columns (see
    ``batch_parts``); None chooses from the machine's cores and the work's size.
    """
    validate.rnn_sequence_inputs(x, a0, parameters)
    a, cache = sliced_forward(rnn_states, "rnn", x, (a0,), parameters, threads)
    return a, predictions(a, parameters, "Wya"), cache


def rnn_states(x, a0, parameters):
    """The hidden states of rnn_forward and its cache, on the calling thread."""
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    dtype = x.dtype
    Wax, Waa, ba = parameters["Wax"], parameters["Waa"], parameters["ba"]

    X = step_blocks(x, out=POOL.take((T_x, n_x, m), dtype))
    # H[t] is the state entering step t, H[0] = a0.  The input part of every
    # step's pre-activation goes into H[1:] first, and becomes the state there.
    H = POOL.take((T_x + 1, n_a, m), dtype)
    H[0] = a0
    input_projection(Wax, X, ba, out=H[1:])

    product = np.empty((n_a, m), dtype=dtype)
    for h_prev, h in zip(H[:-1], H[1:]):
        np.matmul(Waa, h_prev, out=product)
        h += product
        np.tanh(h, out=h)

    a = notes_layout(H[1:])
    # The backward reads the weights from the parameters dict, as the textbook
    # backward does, so a parameter changed in place in between is used there too.
    cache = Cache("rnn", {"X": X, "H": H, "parameters": parameters}, owned=("X", "H"))
    return a, cache


def rnn_backward(da, caches):
    """rnnbook.rnn_backward, fast: returns dx, da0, dWax, dWaa, dba."""
    return sliced_backward(rnn_gradients, da, caches, "rnn")


def rnn_gradients(da, caches):
    """rnn_backward for one cache, on the calling thread."""
    arrays = backward_inputs(da, caches, "rnn")
    X, H, parameters = arrays["X"], arrays["H"], arrays["parameters"]
    Wax, Waa = parameters["Wax"], parameters["Waa"]
    T_x, n_a, m = H[1:].shape
    n_x = X.shape[1]
    dtype = H.dtype
    WaaT, WaxT = np.ascontiguousarray(Waa.T), np.ascontiguousarray(Wax.T)

    plan = backward_plan(T_x, m, H[0].nbytes)
    longest = max(span.stop - span.start for span, _ in plan)
    dA = step_blocks(da, out=POOL.take((T_x, n_a, m), dtype))  # added to in place
    dS = POOL.take((longest, n_a, m), dtype)  # a span's ds<t>, its pre-activations' gradients
    columns = POOL.take((n_a * longest * m,), dtype)
    inputs = POOL.take(((n_a + n_x) * longest * m,), dtype)

    dW = np.zeros((n_a, n_a + n_x), dtype=dtype)  # [dWaa | dWax]
    dba = np.zeros((n_a, 1), dtype=dtype)
    dx = np.empty((n_x, m, T_x), dtype=dtype)
    dh = np.zeros((n_a, m), dtype=dtype)  # what reaches a<t> from step t + 1
    for span, parts in plan:
        H_span, dA_span = H[1:][span], dA[span]
        for part in parts:
            # tanh' = 1 - a^2 for the part's steps; each step then scales its
            # block of it, in place, into ds<t>.
            np.square(H_span[part], out=dS[part])
            np.subtract(1, dS[part], out=dS[part])
            for ds, da_t in reversed(list(zip(dS[part], dA_span[part]))):
                da_t += dh
                ds *= da_t
                np.matmul(WaaT, ds, out=dh)
        # The span's share of the weight, bias and input gradients: one product each.
        dS_columns = as_columns(dS[: span.stop - span.start], out=columns)
        dW += dS_columns @ as_columns(H[:-1][span], X[span], out=inputs).T
        dba += dS_columns.sum(axis=1, keepdims=True)
        spread_columns(WaxT @ dS_columns, dx, span)

    give_back(dA, dS, columns, inputs)
    dWaa, dWax = np.ascontiguousarray(dW[:, :n_a]), np.ascontiguousarray(dW[:, n_a:])
    return {"dx": dx, "da0": dh, "dWax": dWax, "dWaa": dWaa, "dba": dba}


# --- the LSTM -----------------------------------------------------------------------


def lstm_forward(x, a0, parameters, c0=None, *, threads=None):
    """rnnbook.lstm_forward, fast: returns (a, y_pred, c, cache).

    ``threads``: as for rnn_forward.
    """
    validate.lstm_sequence_inputs(x, a0, c0, parameters)
    a, c, cache = sliced_forward(
        lstm_states, "lstm", x, (a0, c0), parameters, threads
    )
    return a, predictions(a, parameters, "Wy"), c, cache


def lstm_states(x, a0, c0, parameters):
    """The hidden and cell states of lstm_forward and its cache, on the calling thread."""
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    dtype = x.dtype

    # One stacked weight for the four gates, (4 n_a, n_a + n_x), in the order
    # of LSTM_STACK; o, f and i are sigmoids, so their rows are halved.
    W = np.concatenate([parameters["W" + gate] for gate in LSTM_STACK])
    b = np.concatenate([parameters["b" + gate] for gate in LSTM_STACK])
    W_half, b_half = halved(W, 3 * n_a), halved(b, 3 * n_a)
    Wa_half = np.ascontiguousarray(W_half[:, :n_a])  # the state part, (4 n_a, n_a)

    X = step_blocks(x, out=POOL.take((T_x, n_x, m), dtype))
    # Z[t]: step t's four pre-activations, stacked in rows, then their values.
    Z = POOL.take((T_x, 4 * n_a, m), dtype)
    input_projection(W_half[:, n_a:], X, b_half, out=Z)
    H = POOL.take((T_x + 1, n_a, m), dtype)  # H[t], C[t]: the states entering step t
    C = POOL.take((T_x + 1, n_a, m), dtype)
    H[0] = a0
    C[0] = 0 if c0 is None else c0
    tanh_C = POOL.take((T_x, n_a, m), dtype)  # tanh(c<t>), which the backward needs

    product = np.empty((4 * n_a, m), dtype=dtype)
    written = np.empty((n_a, m), dtype=dtype)
    # Iterating over the buffers hands each step its blocks: no slicing in the loop.
    steps = zip(Z, Z[:, : 3 * n_a], *gates(Z, n_a), H[:-1], H[1:], C[:-1], C[1:], tanh_C)
    for z, sig, o, f, i, cc, h_prev, h, c_prev, c, tanh_c in steps:
        np.matmul(Wa_half, h_prev, out=product)
        z += product
        np.tanh(z, out=z)  # tanh(s / 2) for o, f, i; tanh(s) for the candidate
        sigmoid_from_tanh(sig)
        np.multiply(f, c_prev, out=c)  # keep part of the old memory,
        np.multiply(i, cc, out=written)
        c += written  # write part of the candidate,
        np.tanh(c, out=tanh_c)
        np.multiply(o, tanh_c, out=h)  # and show part of the result.

    a, c_all = notes_layout(H[1:]), notes_layout(C[1:])
    # The backward stacks the weights again from the parameters dict, as the
    # textbook backward reads them then (a change in place in between counts).
    arrays = {"X": X, "H": H, "C": C, "tanh_C": tanh_C, "Z": Z, "parameters": parameters}
    cache = Cache("lstm", arrays, owned=("X", "H", "C", "tanh_C", "Z"))
    return a, c_all, cache


def lstm_factors(Z, C_prev, tanh_C, dS, a_to_c, n_a):
    """The parts of the LSTM's gradients that do not depend on the incoming gradient.

    For the steps of the (T, 4 n_a, m) blocks Z (the gates' values), writes
        ds_o = tanh(c) o (1 - o)      ds_f = c_prev f (1 - f)
        ds_i = cc i (1 - i)           ds_c = i (1 - cc^2)
    into dS (the loop multiplies the first by da, the others by dc), and
    o (1 - tanh(c)^2), which takes the gradient from a<t> on to c<t>, into a_to_c.
    """
    o, f, i, cc = gates(Z, n_a)
    dS_o, dS_f, dS_i, dS_c = gates(dS, n_a)
    sig, d_sig = Z[:, : 3 * n_a], dS[:, : 3 * n_a]
    np.subtract(1, sig, out=d_sig)
    d_sig *= sig
    dS_o *= tanh_C
    dS_f *= C_prev
    dS_i *= cc
    np.square(cc, out=dS_c)
    np.subtract(1, dS_c, out=dS_c)
    dS_c *= i
    np.square(tanh_C, out=a_to_c)
    np.subtract(1, a_to_c, out=a_to_c)
    a_to_c *= o


def lstm_backward(da, caches):
    """rnnbook.lstm_backward, fast: returns dx, da0, dc0 and every gate's dW*,
    db*."""
    return sliced_backward(lstm_gradients, da, caches, "lstm")


def lstm_gradients(da, caches):
    """lstm_backward for one cache, on the calling thread."""
    arrays = backward_inputs(da, caches, "lstm")
    X, H, C, tanh_C, Z = (arrays[k] for k in ("X", "H", "C", "tanh_C", "Z"))
    W = np.concatenate([arrays["parameters"]["W" + gate] for gate in LSTM_STACK])
    T_x, n_a, m = tanh_C.shape
    n_x = X.shape[1]
    dtype = Z.dtype
    WaT = np.ascontiguousarray(W[:, :n_a].T)  # (n_a, 4 n_a)
    WxT = np.ascontiguousarray(W[:, n_a:].T)  # (n_x, 4 n_a)
    f_all = gates(Z, n_a)[1]

    # dS, a span's gradients of the four pre-activations, starts as the factors
    # that do not depend on the incoming gradient (lstm_factors), computed a
    # part at a time just before the loop reaches it.
    plan = backward_plan(T_x, m, Z[0].nbytes)
    longest = max(span.stop - span.start for span, _ in plan)
    dA = step_blocks(da, out=POOL.take((T_x, n_a, m), dtype))
    dS = POOL.take((longest, 4 * n_a, m), dtype)
    a_to_c = POOL.take((longest, n_a, m), dtype)
    columns = POOL.take((4 * n_a * longest * m,), dtype)
    inputs = POOL.take(((n_a + n_x) * longest * m,), dtype)

    dW = np.zeros((4 * n_a, n_a + n_x), dtype=dtype)
    db = np.zeros((4 * n_a, 1), dtype=dtype)
    dx = np.empty((n_x, m, T_x), dtype=dtype)
    dh = np.zeros((n_a, m), dtype=dtype)  # from step t + 1 to a<t>
    dc = np.zeros((n_a, m), dtype=dtype)  # from step t + 1 to c<t>, then all of dc<t>
    through_a = np.empty((n_a, m), dtype=dtype)
    for span, parts in plan:
        Z_span, C_prev, tanh_span = Z[span], C[:-1][span], tanh_C[span]
        dA_span, f_span = dA[span], f_all[span]
        for part in parts:
            ds_part, to_c = dS[part], a_to_c[part]
            lstm_factors(Z_span[part], C_prev[part], tanh_span[part], ds_part, to_c, n_a)
            # f, i and c are all scaled by dc: one broadcast product per step.
            length = part.stop - part.start
            ds_o, ds_fic = ds_part[:, :n_a], ds_part[:, n_a:].reshape(length, 3, n_a, m)
            steps = zip(dA_span[part], ds_part, ds_o, ds_fic, to_c, f_span[part])
            for da_t, ds, ds_o_t, ds_fic_t, to_c_t, f in reversed(list(steps)):
                da_t += dh  # everything that reaches a<t>
                np.multiply(da_t, to_c_t, out=through_a)
                dc += through_a  # everything that reaches c<t>
                ds_o_t *= da_t
                ds_fic_t *= dc
                dc *= f  # on to c<t-1>
                np.matmul(WaT, ds, out=dh)  # on to a<t-1>
        # The span's share of the weight, bias and input gradients: one product each.
        dS_columns = as_columns(dS[: span.stop - span.start], out=columns)
        dW += dS_columns @ as_columns(H[:-1][span], X[span], out=inputs).T
        db += dS_columns.sum(axis=1, keepdims=True)
        spread_columns(WxT @ dS_columns, dx, span)

    give_back(dA, dS, a_to_c, columns, inputs)
    grads = {"dx": dx}
    for gate in LSTM_KEYS:
        k = LSTM_STACK.index(gate)
        grads["dW" + gate] = dW[k * n_a : (k + 1) * n_a]
        grads["db" + gate] = db[k * n_a : (k + 1) * n_a]
    grads["da0"] = dh
    grads["dc0"] = dc
    return grads


# --- the GRU ------------------------------------------------------------------------
#
# The candidate c multiplies the input by Wc[:, n_a:] as z and r do, but the
# state by Wc[:, :n_a] only after (reset_after) or through (reset before) the
# reset gate.  So the input part is stacked in the order c, z, r and the state
# part in the order z, r, c, and a step's block has the slots [c, z, r, ha]:
# the input side uses slots 0-2 and the state side slots 1-3, each a
# contiguous run of rows.  ha = Wc[:, :n_a] a_prev + bca is the reset_after
# form's; the other form has no slot 3.


def gru_weights(parameters, n_a, reset_after):
    """The stacked input part (c, z, r) with its biases, and the state part (z, r[, c])."""
    Wx = np.concatenate([parameters["W" + gate][:, n_a:] for gate in "czr"])
    bx = np.concatenate([parameters["b" + gate] for gate in "czr"])
    state_gates = "zrc" if reset_after else "zr"
    Wa = np.concatenate([parameters["W" + gate][:, :n_a] for gate in state_gates])
    return Wx, bx, Wa


def gru_forward(x, a0, parameters, reset_after=False, *, threads=None):
    """rnnbook.gru_forward, fast (either form): returns (a, y_pred, cache).

    ``threads``: as for rnn_forward.
    """
    validate.gru_sequence_inputs(x, a0, parameters, reset_after)
    a, cache = sliced_forward(gru_states, "gru", x, (a0,), parameters, threads,
                              reset_after=bool(reset_after))
    return a, predictions(a, parameters, "Wy"), cache


def gru_states(x, a0, parameters, reset_after):
    """The hidden states of gru_forward and its cache, on the calling thread."""
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    dtype = x.dtype
    Wx, bx, Wa = gru_weights(parameters, n_a, reset_after)
    # z and r are sigmoids: halve rows n_a to 3 n_a of the input part (c, z, r)
    # and rows 0 to 2 n_a of the state part (z, r, c).
    Wx_half, bx_half = Wx.copy(), bx.copy()
    Wx_half[n_a:] *= 0.5
    bx_half[n_a:] *= 0.5
    Wa_half = halved(Wa, 2 * n_a)

    X = step_blocks(x, out=POOL.take((T_x, n_x, m), dtype))
    Z = POOL.take((T_x, (4 if reset_after else 3) * n_a, m), dtype)
    input_projection(Wx_half, X, bx_half, out=Z[:, : 3 * n_a])
    H = POOL.take((T_x + 1, n_a, m), dtype)
    H[0] = a0

    product = np.empty((Wa.shape[0], m), dtype=dtype)
    scratch = np.empty((n_a, m), dtype=dtype)
    zr_product = product[: 2 * n_a]
    if reset_after:
        bca = parameters["bca"]
        steps = zip(Z[:, n_a : 3 * n_a], *gates(Z, n_a), H[:-1], H[1:])
        for zr, cc, z, r, ha, h_prev, h in steps:
            np.matmul(Wa_half, h_prev, out=product)  # z, r and Wc_a a_prev at once
            zr += zr_product
            np.tanh(zr, out=zr)
            sigmoid_from_tanh(zr)
            np.add(product[2 * n_a :], bca, out=ha)
            np.multiply(r, ha, out=scratch)  # the reset gate scales the product
            cc += scratch
            np.tanh(cc, out=cc)
            # a = z a_prev + (1 - z) cc, computed as cc + z (a_prev - cc)
            np.subtract(h_prev, cc, out=h)
            h *= z
            h += cc
        RH = None
    else:
        Wca = np.ascontiguousarray(parameters["Wc"][:, :n_a])
        RH = POOL.take((T_x, n_a, m), dtype)  # r * a_prev, which dWc needs
        steps = zip(Z[:, n_a:], *gates(Z, n_a), H[:-1], H[1:], RH)
        for zr, cc, z, r, h_prev, h, rh in steps:
            np.matmul(Wa_half, h_prev, out=product)
            zr += product
            np.tanh(zr, out=zr)
            sigmoid_from_tanh(zr)
            np.multiply(r, h_prev, out=rh)  # the reset gate scales the state
            np.matmul(Wca, rh, out=scratch)
            cc += scratch
            np.tanh(cc, out=cc)
            np.subtract(h_prev, cc, out=h)
            h *= z
            h += cc

    a = notes_layout(H[1:])
    # As for the LSTM, the backward reads the weights from the parameters dict.
    arrays = {"X": X, "H": H, "Z": Z, "RH": RH, "parameters": parameters}
    owned = ("X", "H", "Z") if reset_after else ("X", "H", "Z", "RH")
    cache = Cache("gru", arrays, bool(reset_after), owned=owned)
    return a, cache


def gru_factors(Z, H_prev, dS, n_a, reset_after):
    """The parts of the GRU's gradients that do not depend on the incoming gradient.

    For the steps of the blocks Z (slots c, z, r[, ha], their values) and the
    states entering them, writes per unit of the gradient g reaching a<t>
        ds_c = (1 - z)(1 - cc^2)        ds_z = (a_prev - cc) z (1 - z)
    and then, reset_after:   dha = ds_c r,   ds_r = ds_c ha r (1 - r);
    reset before: ds_r = a_prev r (1 - r), which the loop multiplies by
    Wc_a^T ds_c, the gradient reaching r * a_prev.
    """
    cc, z, r = gates(Z, n_a)[:3]
    K_c, K_z, K_r = gates(dS, n_a)[:3]
    np.square(cc, out=K_c)
    np.subtract(1, K_c, out=K_c)
    np.subtract(1, z, out=K_z)
    K_c *= K_z
    K_z *= z
    np.subtract(H_prev, cc, out=K_r)  # K_r holds a_prev - cc for a moment
    K_z *= K_r
    np.subtract(1, r, out=K_r)
    K_r *= r
    if reset_after:
        ha, K_a = gates(Z, n_a)[3], gates(dS, n_a)[3]
        K_r *= ha
        K_r *= K_c
        np.multiply(K_c, r, out=K_a)
    else:
        K_r *= H_prev


def gru_backward(da, caches):
    """rnnbook.gru_backward, fast (either form): returns dx, da0, dW*, db* (and
    dbca)."""
    return sliced_backward(gru_gradients, da, caches, "gru")


def gru_gradients(da, caches):
    """gru_backward for one cache, on the calling thread."""
    arrays = backward_inputs(da, caches, "gru")
    reset_after = caches.reset_after
    X, H, Z, RH, parameters = (arrays[k] for k in ("X", "H", "Z", "RH", "parameters"))
    T_x, n_a, m = H[1:].shape
    Wx, _, Wa = gru_weights(parameters, n_a, reset_after)
    n_x = X.shape[1]
    dtype = Z.dtype
    rows = Z.shape[1]  # 4 n_a slots (c, z, r, ha) or 3 n_a (c, z, r)
    z_all, r_all = gates(Z, n_a)[1:3]
    WaT = np.ascontiguousarray(Wa.T)  # (n_a, 3 n_a): z, r, c; or (n_a, 2 n_a): z, r
    WxT = np.ascontiguousarray(Wx.T)  # (n_x, 3 n_a): c, z, r
    if not reset_after:
        WcaT = np.ascontiguousarray(parameters["Wc"][:, :n_a].T)
        d_rh = np.empty((n_a, m), dtype=dtype)

    # dS, a span's gradients of the pre-activations, starts as the factors of
    # gru_factors, computed a part at a time just before the loop reaches it.
    plan = backward_plan(T_x, m, Z[0].nbytes)
    longest = max(span.stop - span.start for span, _ in plan)
    dA = step_blocks(da, out=POOL.take((T_x, n_a, m), dtype))
    dS = POOL.take((longest, rows, m), dtype)
    K_r = gates(dS, n_a)[2]
    if reset_after:
        scaled = dS.reshape(longest, 4, n_a, m)  # all four slots are scaled by g
    else:
        scaled = dS[:, : 2 * n_a].reshape(longest, 2, n_a, m)  # c and z by g, r by Wc_a^T ds_c
    columns = POOL.take((rows * longest * m,), dtype)
    inputs = POOL.take((max(n_x, n_a) * longest * m,), dtype)

    dWx = np.zeros((3 * n_a, n_x), dtype=dtype)  # rows c, z, r
    dWa = np.zeros((3 * n_a, n_a), dtype=dtype)  # rows z, r, c
    db = np.zeros((rows, 1), dtype=dtype)
    dx = np.empty((n_x, m, T_x), dtype=dtype)
    dh = np.zeros((n_a, m), dtype=dtype)
    scratch = np.empty((n_a, m), dtype=dtype)
    for span, parts in plan:
        Z_span, H_prev, dA_span = Z[span], H[:-1][span], dA[span]
        z_span, r_span = z_all[span], r_all[span]
        for part in parts:
            gru_factors(Z_span[part], H_prev[part], dS[part], n_a, reset_after)
            steps = zip(dA_span[part], dS[part], scaled[part], z_span[part], r_span[part],
                        K_r[part])
            for da_t, ds, ds_scaled, z, r, ds_r in reversed(list(steps)):
                da_t += dh  # g: everything that reaches a<t>
                ds_scaled *= da_t
                if reset_after:
                    np.matmul(WaT, ds[n_a:], out=dh)  # through z, r and ha at once
                else:
                    np.matmul(WcaT, ds[:n_a], out=d_rh)  # back through Wc_a to r * a_prev
                    ds_r *= d_rh
                    np.matmul(WaT, ds[n_a:], out=dh)  # through z and r
                    np.multiply(d_rh, r, out=scratch)
                    dh += scratch
                np.multiply(da_t, z, out=scratch)  # a<t> = z a<t-1> + ...
                dh += scratch
        # The span's share of the weight, bias and input gradients.  The input
        # side is slots 0-2 (c, z, r) in both forms.
        dS_columns = as_columns(dS[: span.stop - span.start], out=columns)
        dWx += dS_columns[: 3 * n_a] @ as_columns(X[span], out=inputs).T
        db += dS_columns.sum(axis=1, keepdims=True)
        spread_columns(WxT @ dS_columns[: 3 * n_a], dx, span)
        H_columns = as_columns(H_prev, out=inputs)
        if reset_after:
            dWa += dS_columns[n_a:] @ H_columns.T  # z, r, c
        else:
            dWa[: 2 * n_a] += dS_columns[n_a:] @ H_columns.T
            dWa[2 * n_a :] += dS_columns[:n_a] @ as_columns(RH[span], out=inputs).T

    give_back(dA, dS, columns, inputs)
    grads = {}
    for k, gate in enumerate("zrc"):
        slot = "czr".index(gate)
        grads["dW" + gate] = np.concatenate(
            [dWa[k * n_a : (k + 1) * n_a], dWx[slot * n_a : (slot + 1) * n_a]], axis=1
        )
        grads["db" + gate] = db[slot * n_a : (slot + 1) * n_a]
    if reset_after:
        grads["dbca"] = db[3 * n_a :]
    grads["dx"] = dx
    grads["da0"] = dh
    return grads


# --- deep and bidirectional stacks -------------------------------------------------

# rnnbook.stacked's stack, run on this module's sequence functions.
FAST = {
    "module": "rnnbook.fast",
    "rnn": (rnn_forward, rnn_backward),
    "lstm": (lstm_forward, lstm_backward),
    "gru": (gru_forward, gru_backward),
}


def stacked_forward(
    x, layers, kind, *, bidirectional=False, reset_after=True, a0=None, c0=None
):
    """rnnbook.stacked_forward, fast: returns (a, caches)."""
    from rnnbook import stacked

    return stacked.stack_forward(
        x, layers, kind, bidirectional, reset_after, a0, c0, FAST
    )


def stacked_backward(da, caches):
    """rnnbook.stacked_backward, fast: returns (dx, grads)."""
    from rnnbook import stacked

    return stacked.stack_backward(da, caches, FAST)
