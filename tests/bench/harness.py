"""Time one training step's recurrent work: rnnbook, rnnbook.fast and torch.nn.

    python tests/bench/harness.py [--quick] [--json PATH] [--markdown PATH]

For the RNN, the LSTM and the GRU (PyTorch's form, ``reset_after=True``), at
three sizes, in float32 and float64, with one thread and with all cores, this
times the forward pass, the loss ``sum(a * G)`` for a fixed random ``G`` and the
backward pass (every gradient, ``dx`` and the initial states' included) of

- ``rnnbook``: the textbook functions (small and medium sizes only: at the
  large size one call takes many seconds, and it says nothing new),
- ``rnnbook.fast``,
- ``torch.nn.RNN``, ``LSTM`` and ``GRU`` on the CPU, if torch is installed
  (otherwise its columns are missing, and the run says so).

The protocol: all in one process; each implementation is warmed up, then
timed in blocks of repeated calls, the implementations alternating block by
block (ABC, CBA, ABC, ...) so that a slow minute of the machine hits them all
alike; before each block the harness sleeps ``--pause`` seconds (0.25), since
OpenBLAS's and torch's OpenMP worker threads keep spinning for a while after a
call and would otherwise steal the cores from the next block; each figure is
the median of ``--blocks`` (at least 5) blocks.  numpy's BLAS (threadpoolctl)
and torch (``torch.set_num_threads``) get the same number of threads.

It also measures the rate of a large matrix product (2048 x 2048, numpy and
torch) in the same run, and the fast LSTM's rate at the large size (its matrix
products' flops divided by its time) as a fraction of numpy's.

It prints a table of medians and ratios; ``--json`` writes everything
measured, ``--markdown`` the tables the chapter shows.  It never fails
because a machine is slow: timings are reported, not asserted.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy as np
import threadpoolctl

import rnnbook
from rnnbook import fast

try:
    import torch
except ImportError:  # the torch columns are then missing
    torch = None

SIZES = {  # name: (n_x, n_a, m, T)
    "small": (32, 64, 16, 50),
    "medium": (64, 256, 64, 100),
    "large": (128, 512, 128, 100),
}
TEXTBOOK_SIZES = ("small", "medium")
TECHNIQUE_SIZES = ("small", "medium")
MEMORY_SIZES = ("medium", "large")  # row 7.4': the pool against fresh memory
MODELS = ("rnn", "lstm", "gru")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
DTYPES = ("float32", "float64")
IMPLEMENTATIONS = ("textbook", "fast", "torch")
GEMM_N = 2048
# The targets, as (what, ratio name, sizes, bound, "<=" or ">=").
TARGETS = [
    ("fast/torch at the small size", "fast/torch", ("small",), 0.8, "<="),
    ("fast/torch at medium and large", "fast/torch", ("medium", "large"), 1.25, "<="),
    ("textbook/fast at medium", "textbook/fast", ("medium",), 1.5, ">="),
]
LSTM_FRACTION_TARGET = 0.6


def matmul_flops(model, n_x, n_a, m, T):
    """Flops of the matrix products of one forward plus backward pass.

    Forward: the stacked (G n_a, n_a + n_x) weight times a state and an input
    for every sample and step, 2 G n_a (n_a + n_x) m T flops.  The backward
    does it twice more (the gradients of the inputs and of the weights).  The
    GRU's candidate reset adds no product in PyTorch's form.  Elementwise work
    is not counted.
    """
    return 3 * 2 * GATES[model] * n_a * (n_a + n_x) * m * T


# --- the three implementations --------------------------------------------------------


def numpy_case(model, size, dtype, seed=0):
    n_x, n_a, m, T = SIZES[size]
    rng = np.random.default_rng(seed)
    if model == "rnn":
        parameters = rnnbook.init_rnn_parameters(n_x, n_a, seed=seed, dtype=dtype)
    elif model == "lstm":
        parameters = rnnbook.init_lstm_parameters(n_x, n_a, seed=seed, dtype=dtype)
    else:
        parameters = rnnbook.init_gru_parameters(n_x, n_a, reset_after=True, seed=seed,
                                                 dtype=dtype)
    x = rng.standard_normal((n_x, m, T)).astype(dtype)
    a0 = (0.1 * rng.standard_normal((n_a, m))).astype(dtype)
    c0 = (0.1 * rng.standard_normal((n_a, m))).astype(dtype)
    G = rng.standard_normal((n_a, m, T)).astype(dtype)
    return x, a0, c0, parameters, G


def numpy_step(module, model, size, dtype, **options):
    """A function running one forward + loss + backward with ``module``'s functions.

    ``options`` go to the forward (rnnbook.fast's ``threads``).
    """
    x, a0, c0, parameters, G = numpy_case(model, size, dtype)
    if model == "rnn":
        def step():
            a, _, caches = module.rnn_forward(x, a0, parameters, **options)
            loss = float(np.vdot(a, G))
            return loss, module.rnn_backward(G, caches)
    elif model == "lstm":
        def step():
            a, _, _, caches = module.lstm_forward(x, a0, parameters, c0, **options)
            loss = float(np.vdot(a, G))
            return loss, module.lstm_backward(G, caches)
    else:
        def step():
            a, _, caches = module.gru_forward(x, a0, parameters, reset_after=True, **options)
            loss = float(np.vdot(a, G))
            return loss, module.gru_backward(G, caches)
    return step


def torch_step(model, size, dtype):
    n_x, n_a, m, T = SIZES[size]
    torch.manual_seed(0)
    tdtype = getattr(torch, dtype)
    layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[model]
    layer = layer(n_x, n_a, dtype=tdtype)
    x = torch.randn(T, m, n_x, dtype=tdtype, requires_grad=True)
    h0 = (0.1 * torch.randn(1, m, n_a, dtype=tdtype)).requires_grad_()
    c0 = (0.1 * torch.randn(1, m, n_a, dtype=tdtype)).requires_grad_()
    G = torch.randn(T, m, n_a, dtype=tdtype)
    inputs = [x, h0] + ([c0] if model == "lstm" else []) + list(layer.parameters())

    def step():
        state = (h0, c0) if model == "lstm" else h0
        out, _ = layer(x, state)
        loss = (out * G).sum()
        # autograd.grad returns the gradients without accumulating into .grad,
        # so nothing needs zeroing between calls.
        return loss.item(), torch.autograd.grad(loss, inputs)

    return step


# --- timing ---------------------------------------------------------------------------


def timed_blocks(functions, blocks, block_seconds, pause, between=None):
    """Median seconds per call of each function, timed in alternating blocks.

    ``between``, if given, is called (untimed) before every block, after the pause.

    Returns {name: {"median": s, "blocks": [s, ...], "calls_per_block": n}}.
    """
    calls = {}
    for name, function in functions.items():
        function()  # warm-up: first-call allocations, lazy initialisation
        start = time.perf_counter()
        function()
        single = time.perf_counter() - start
        calls[name] = max(1, round(block_seconds / max(single, 1e-9)))
    samples = {name: [] for name in functions}
    order = list(functions)
    for block in range(blocks):
        for name in order if block % 2 == 0 else order[::-1]:
            time.sleep(pause)
            if between is not None:
                between()
            function, n = functions[name], calls[name]
            start = time.perf_counter()
            for _ in range(n):
                function()
            samples[name].append((time.perf_counter() - start) / n)
    return {
        name: {
            "median": statistics.median(values),
            "min": min(values),
            "blocks": values,
            "calls_per_block": calls[name],
        }
        for name, values in samples.items()
    }


def load_average():
    """The 1-minute load average (other processes compete for the cores), or None."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def gemm_functions(dtype):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((GEMM_N, GEMM_N)).astype(dtype)
    B = rng.standard_normal((GEMM_N, GEMM_N)).astype(dtype)
    C = np.empty_like(A)
    functions = {"numpy": lambda: np.matmul(A, B, out=C)}
    if torch is not None:
        tA, tB = torch.from_numpy(A), torch.from_numpy(B)
        tC = torch.empty_like(tA)
        functions["torch"] = lambda: torch.mm(tA, tB, out=tC)
    return functions


def torch_kernels():
    """Which of torch's recurrent kernels each model and dtype runs (from its profiler).

    In float32 the LSTM goes to oneDNN's fused RNN primitive (aten::mkldnn_rnn_layer);
    the others run PyTorch's generic per-step code.
    """
    from torch.profiler import profile

    kernels = {}
    for model in MODELS:
        for dtype in DTYPES:
            step = torch_step(model, "small", dtype)
            with profile() as prof:
                step()
            names = sorted({event.name for event in prof.events()
                            if event.name.startswith("aten::")
                            and any(k in event.name for k in ("rnn", "lstm", "gru"))})
            kernels[f"{model} {dtype}"] = names
    return kernels


class Threads:
    """numpy's BLAS and torch limited to the same number of threads."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.limits = threadpoolctl.threadpool_limits(limits=self.n, user_api="blas")
        if torch is not None:
            self.torch_threads = torch.get_num_threads()
            torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        self.limits.restore_original_limits()
        if torch is not None:
            torch.set_num_threads(self.torch_threads)


# --- the techniques one by one --------------------------------------------------------
#
# Each row of the chapter's technique table times a way A (the plain one) against
# a way B (rnnbook.fast's) of doing one piece of an LSTM's work, at the LSTM's
# shapes, on one thread.  The labels are the chapter's section numbers.


def technique_functions(size, dtype):
    """{label: {"A": f, "B": g}} for one size and dtype."""
    n_x, n_a, m, T = SIZES[size]
    rng = np.random.default_rng(2)

    def r(*shape):
        return (0.1 * rng.standard_normal(shape)).astype(dtype)

    a, W4 = r(n_a, m), r(4 * n_a, n_a)
    separate = [np.ascontiguousarray(W4[k * n_a : (k + 1) * n_a]) for k in range(4)]
    out4, out1 = np.empty((4 * n_a, m), dtype), np.empty((n_a, m), dtype)
    tiny = np.ones(16, dtype)
    Wx, X = r(4 * n_a, n_x), r(T, n_x, m)
    Z, Xcols = np.empty((T, 4 * n_a, m), dtype), fast.as_columns(X)
    rows_layout, blocks_layout = r(m, 4 * n_a), r(4 * n_a, m)
    gate_rows, gate_block = rows_layout[:, n_a : 2 * n_a], blocks_layout[n_a : 2 * n_a]
    other_rows, other_block = r(m, n_a), r(n_a, m)  # c_prev, say, in each layout
    s = r(3 * n_a, m) * 40

    def four_products():
        for W in separate:
            np.matmul(W, a, out=out1)

    def projection_per_step():
        for t in range(T):
            np.matmul(Wx, X[t], out=Z[t])

    def projection_one_product():
        np.copyto(Z.transpose(1, 0, 2), (Wx @ Xcols).reshape(4 * n_a, T, m))

    def tanh_sigmoid():
        half = np.multiply(s, 0.5)  # in rnnbook.fast the halving is in the weights
        np.tanh(half, out=half)
        fast.sigmoid_from_tanh(half)

    return {
        "7.1": {"A": lambda: np.matmul(W4, a, out=out4),
                "B": lambda: np.multiply(tiny, tiny, out=tiny)},
        "7.2": {"A": four_products, "B": lambda: np.matmul(W4, a, out=out4)},
        "7.3": {"A": projection_per_step, "B": lambda: np.matmul(Wx, X, out=Z)},
        "7.3'": {"A": projection_one_product, "B": lambda: np.matmul(Wx, X, out=Z)},
        "7.4": {"A": lambda: np.multiply(gate_rows, other_rows, out=gate_rows),
                "B": lambda: np.multiply(gate_block, other_block, out=gate_block)},
        "7.5": {"A": lambda: rnnbook.sigmoid(s), "B": tanh_sigmoid},
    }


def memory_technique(size, dtype):
    """Row 7.4': the whole fast LSTM step, A with a pool that keeps nothing (every
    call's buffers are fresh memory), B with rnnbook.fast.POOL.  As in the main
    table, torch's LSTM runs in the same process, untimed before every block."""
    lstm_step = numpy_step(fast, "lstm", size, dtype, threads=1)
    keeps_nothing = fast.BufferPool(limit_bytes=0)

    def lstm_step_fresh_memory():
        pool, fast.POOL = fast.POOL, keeps_nothing
        try:
            lstm_step()
        finally:
            fast.POOL = pool

    between = torch_step("lstm", size, dtype) if torch is not None else None
    return {"A": lstm_step_fresh_memory, "B": lstm_step}, between


def techniques(sizes, dtypes, blocks, block_seconds, say):
    rows = []

    def record(label, size, dtype, timing):
        row = {"section": label, "size": size, "dtype": dtype,
               "A": timing["A"]["median"], "B": timing["B"]["median"]}
        row["A/B"] = row["A"] / row["B"]
        rows.append(row)
        say(f"[technique {label:4s} {size:6s} {dtype}] A {1e6 * row['A']:.1f} us, "
            f"B {1e6 * row['B']:.1f} us, A/B {row['A/B']:.2f}")

    with Threads(1):
        for dtype in dtypes:
            for size in sizes:
                if size not in TECHNIQUE_SIZES:
                    continue
                for label, pair in technique_functions(size, dtype).items():
                    # One thread, numpy only: no worker threads to wait for, so a
                    # short pause will do.
                    record(label, size, dtype, timed_blocks(pair, blocks, block_seconds, 0.02))
            for size in sizes:
                if size in MEMORY_SIZES:
                    pair, between = memory_technique(size, dtype)
                    record("7.4'", size, dtype,
                           timed_blocks(pair, blocks, block_seconds, 0.02, between))
    return rows


# --- the thread sweep -----------------------------------------------------------------
#
# rnnbook.fast with threads=p (the batch's columns split into p slices, each on
# its own thread with one BLAS thread) against torch with p threads, for p from
# 1 to the machine's cores, at the sizes where threads are meant to pay.

SWEEP_SIZES = ("medium", "large")


def sweep_counts(cores):
    """1, 2, 4, ... up to the cores, and the cores themselves."""
    counts, p = [], 1
    while p < cores:
        counts.append(p)
        p *= 2
    return counts + [cores]


def thread_sweep(sizes, models, dtypes, counts, blocks, block_seconds, pause, say):
    rows = []
    for dtype in dtypes:
        for size in sizes:
            if size not in SWEEP_SIZES:
                continue
            n_x, n_a, m, T = SIZES[size]
            for model in models:
                for threads in counts:
                    with Threads(threads):
                        functions = {"fast": numpy_step(fast, model, size, dtype,
                                                        threads=threads)}
                        if torch is not None:
                            functions["torch"] = torch_step(model, size, dtype)
                        load_before = load_average()
                        timings = timed_blocks(functions, blocks, block_seconds, pause)
                    row = {
                        "model": model, "size": size, "dtype": dtype, "threads": threads,
                        "slices": len(fast.batch_parts(m, threads)),
                        "seconds": {name: t["median"] for name, t in timings.items()},
                        "blocks": {name: t["blocks"] for name, t in timings.items()},
                        "load_average": [load_before, load_average()],
                    }
                    if "torch" in timings:
                        row["fast/torch"] = row["seconds"]["fast"] / row["seconds"]["torch"]
                    rows.append(row)
                    say(f"[sweep {dtype} {size:6s} {model:4s} p={threads}] " + "  ".join(
                        f"{name} {1e3 * sec:.2f} ms" for name, sec in row["seconds"].items()))
    return rows


# The element-wise passes of the sweep's threads, alone: one product of two
# arrays into a third, cut into p row slices on p threads (as rnnbook.fast cuts
# a batch).  "memory": arrays of the medium LSTM's gate buffer, T 4 n_a m
# numbers, far larger than any cache, so every number comes from main memory;
# its speed-up, next to the GEMM's, tells whether the cores share a bottleneck
# on the way to memory.
PASS_NUMBERS = {"memory": 100 * 1024 * 64}


def element_wise_passes(counts, blocks, block_seconds, pause, say):
    rows = []
    for kind, n in PASS_NUMBERS.items():
        repeats = PASS_NUMBERS["memory"] // n
        rng = np.random.default_rng(3)
        A, B = (rng.standard_normal((n // 64, 64)).astype(np.float32) for _ in range(2))
        C = np.empty_like(A)
        for threads in counts:
            parts = [slice(k * len(A) // threads, (k + 1) * len(A) // threads)
                     for k in range(threads)]

            def one(part):
                for _ in range(repeats):
                    np.multiply(A[part], B[part], out=C[part])

            def run(parts=parts, one=one):
                if len(parts) == 1:
                    one(parts[0])
                else:
                    fast.in_threads(one, parts)

            timing = timed_blocks({"pass": run}, blocks, block_seconds, pause)["pass"]
            moved = 3 * A.nbytes * repeats  # two arrays read, one written
            rows.append({"kind": kind, "threads": threads, "numbers": n, "repeats": repeats,
                         "seconds": timing["median"], "blocks": timing["blocks"],
                         "gbytes_per_second": moved / timing["median"] / 1e9})
            say(f"[pass {kind:6s} p={threads}] {1e3 * timing['median']:.2f} ms, "
                f"{rows[-1]['gbytes_per_second']:.1f} GB/s")
    return rows


def sweep_report(args, say):
    cores = os.cpu_count() or 1
    counts = sweep_counts(cores) if args.sweep_threads is None else args.sweep_threads
    return {
        "environment": environment(),
        "cores": cores,
        "counts": counts,
        "protocol": {"blocks": args.blocks, "block_seconds": args.block_seconds,
                     "pause_seconds": args.pause,
                     "fast": "threads=p: p slices of the batch's columns, one BLAS thread each",
                     "torch": "torch.set_num_threads(p)"},
        "rows": thread_sweep(args.sizes, args.models, args.dtypes, counts, args.blocks,
                             args.block_seconds, args.pause, say),
        "passes": element_wise_passes(counts, args.blocks, args.block_seconds, args.pause, say),
    }


# --- the run --------------------------------------------------------------------------


def environment():
    blas = threadpoolctl.threadpool_info()
    cpu = ""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([pathlib.Path(sys.argv[0]).name] + sys.argv[1:]),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "numpy": np.__version__,
        "threadpoolctl": threadpoolctl.__version__,
        "blas": [
            {k: entry.get(k) for k in ("user_api", "internal_api", "version", "architecture",
                                       "threading_layer", "num_threads", "filepath")}
            for entry in blas
        ],
        "environment": {k: os.environ.get(k) for k in
                        ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                         "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        "rnnbook": rnnbook.__version__,
        "torch": None,
    }
    if torch is not None:
        config = torch.__config__.show()
        info["torch"] = {
            "version": torch.__version__,
            "blas": next((part.split("=", 1)[1] for part in config.replace(",", "\n").split()
                          if part.startswith("BLAS_INFO=")), None),
            "mkldnn": bool(torch.backends.mkldnn.is_available()),
            "parallel": torch.__config__.parallel_info().splitlines()[0:3],
        }
    return info


def run(args):
    sizes = ["small"] if args.quick else args.sizes
    cores = os.cpu_count() or 1
    thread_counts = sorted({1, cores}) if args.threads is None else args.threads
    blocks = args.blocks
    report = {
        "schema": 1,
        "environment": environment(),
        "protocol": {
            "blocks": blocks,
            "block_seconds": args.block_seconds,
            "pause_seconds": args.pause,
            "statistic": "median over blocks of the mean time per call in a block",
            "load_average": "the machine's 1-minute load average before and after each row",
            "order": "alternating, ABC then CBA",
            "loss": "sum(a * G), G fixed and random",
            "gru_form": "reset_after=True (torch.nn.GRU's)",
            "textbook_sizes": list(TEXTBOOK_SIZES),
            "quick": args.quick,
        },
        "sizes": {name: dict(zip(("n_x", "n_a", "m", "T"), SIZES[name])) for name in sizes},
        "gemm": [],
        "results": [],
        "missing": [] if torch is not None else ["torch"],
        "torch_kernels": torch_kernels() if torch is not None else None,
    }
    say = print if not args.silent else (lambda *a, **k: None)
    print_environment(report["environment"], say)
    for threads in thread_counts:
        with Threads(threads):
            for dtype in args.dtypes:
                timings = timed_blocks(gemm_functions(dtype), blocks, args.block_seconds,
                                       args.pause)
                for library, timing in timings.items():
                    report["gemm"].append({
                        "library": library, "dtype": dtype, "threads": threads, "n": GEMM_N,
                        "seconds": timing["median"], "blocks": timing["blocks"],
                        "gflops": 2 * GEMM_N**3 / timing["median"] / 1e9,
                    })
                say(f"[threads={threads} {dtype}] GEMM {GEMM_N}: " + ", ".join(
                    f"{t['library']} {t['gflops']:.1f} GFLOP/s" for t in report["gemm"][-len(
                        timings):]))
                for size in sizes:
                    for model in args.models:
                        functions = {}
                        if size in TEXTBOOK_SIZES:
                            functions["textbook"] = numpy_step(rnnbook, model, size, dtype)
                        # fast's own threads as many as BLAS and torch get
                        functions["fast"] = numpy_step(fast, model, size, dtype,
                                                       threads=threads)
                        if torch is not None:
                            functions["torch"] = torch_step(model, size, dtype)
                        load_before = load_average()
                        timings = timed_blocks(functions, blocks, args.block_seconds,
                                               args.pause)
                        result = make_result(model, size, dtype, threads, timings)
                        result["load_average"] = [load_before, load_average()]
                        report["results"].append(result)
                        say(f"[threads={threads} {dtype}] {size:6s} {model:4s} " + "  ".join(
                            f"{name} {1e3 * t['median']:.2f} ms" for name, t in timings.items())
                            + f"  (load {result['load_average']})")
    report["techniques"] = techniques(sizes, args.dtypes, blocks, args.block_seconds / 4, say)
    report["thread_sweep"] = sweep_report(args, say)
    report["lstm_gemm_fraction"] = lstm_fractions(report)
    report["targets"] = targets(report)
    return report


def make_result(model, size, dtype, threads, timings):
    n_x, n_a, m, T = SIZES[size]
    seconds = {name: (timings[name]["median"] if name in timings else None)
               for name in IMPLEMENTATIONS}
    result = {
        "model": model, "size": size, "n_x": n_x, "n_a": n_a, "m": m, "T": T,
        "dtype": dtype, "threads": threads, "flops": matmul_flops(model, n_x, n_a, m, T),
        "seconds": seconds,
        "min_seconds": {name: t["min"] for name, t in timings.items()},
        "blocks": {name: t["blocks"] for name, t in timings.items()},
        "calls_per_block": {name: t["calls_per_block"] for name, t in timings.items()},
        "ratios": {"textbook/fast": None, "fast/torch": None},
    }
    if seconds["textbook"] is not None:
        result["ratios"]["textbook/fast"] = seconds["textbook"] / seconds["fast"]
    if seconds["torch"] is not None:
        result["ratios"]["fast/torch"] = seconds["fast"] / seconds["torch"]
    return result


def lstm_fractions(report):
    """The fast (and torch) LSTM's rate at the large size against the GEMM rate."""
    fractions = []
    for result in report["results"]:
        if result["model"] != "lstm" or result["size"] != "large":
            continue
        gemm = {g["library"]: g["gflops"] for g in report["gemm"]
                if g["dtype"] == result["dtype"] and g["threads"] == result["threads"]}
        entry = {"dtype": result["dtype"], "threads": result["threads"],
                 "gemm_gflops": gemm.get("numpy"),
                 "fast_gflops": result["flops"] / result["seconds"]["fast"] / 1e9}
        entry["fraction"] = entry["fast_gflops"] / entry["gemm_gflops"]
        if result["seconds"]["torch"] is not None and "torch" in gemm:
            entry["torch_gemm_gflops"] = gemm["torch"]
            entry["torch_gflops"] = result["flops"] / result["seconds"]["torch"] / 1e9
            entry["torch_fraction"] = entry["torch_gflops"] / gemm["torch"]
        fractions.append(entry)
    return fractions


def targets(report):
    checks = []
    for what, ratio, sizes, bound, sense in TARGETS:
        values = [r["ratios"][ratio] for r in report["results"]
                  if r["size"] in sizes and r["ratios"][ratio] is not None]
        if not values:
            continue
        worst = max(values) if sense == "<=" else min(values)
        met = sum((v <= bound) if sense == "<=" else (v >= bound) for v in values)
        checks.append({"target": f"{ratio} {sense} {bound}", "what": what, "worst": worst,
                       "met": met, "of": len(values)})
    fractions = [f["fraction"] for f in report["lstm_gemm_fraction"]]
    if fractions:
        checks.append({
            "target": f"fast LSTM large >= {LSTM_FRACTION_TARGET:.0%} of the GEMM rate",
            "what": "fast LSTM at the large size", "worst": min(fractions),
            "met": sum(f >= LSTM_FRACTION_TARGET for f in fractions), "of": len(fractions),
        })
    return checks


# --- reporting ------------------------------------------------------------------------


def print_environment(env, say=print):
    say(f"rnnbook {env['rnnbook']}, numpy {env['numpy']}, python {env['python']}, "
        f"{env['cores']} cores: {env['cpu']}")
    for entry in env["blas"]:
        if entry["user_api"] == "blas":
            say(f"numpy's BLAS: {entry['internal_api']} {entry['version']}, kernel "
                f"{entry['architecture']}, {entry['threading_layer']} threads, "
                f"{entry['num_threads']} by default")
        else:
            say(f"also loaded: {entry['internal_api']} ({entry['filepath']})")
    coretype = env["environment"].get("OPENBLAS_CORETYPE")
    if coretype:
        say(f"note: OPENBLAS_CORETYPE={coretype} is set, so OpenBLAS runs that kernel "
            "(see the architecture above), not the one it would pick for this processor")
    if env["torch"] is None:
        say("torch is not installed: its columns are missing (pip install torch==2.13.0)")
    else:
        t = env["torch"]
        say(f"torch {t['version']}, BLAS {t['blas']}, oneDNN {t['mkldnn']}")


def fmt_ms(seconds):
    if seconds is None:
        return "—"
    ms = 1e3 * seconds
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"


def fmt_us(seconds):
    us = 1e6 * seconds
    return f"{us:.3g}" if us < 1000 else f"{us:.0f}"


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}"


def table_rows(report):
    order = {name: k for k, name in enumerate(SIZES)}
    results = sorted(report["results"], key=lambda r: (
        r["threads"], r["dtype"], order[r["size"]], MODELS.index(r["model"])))
    for r in results:
        yield r, [
            r["model"].upper(), f"({r['n_x']}, {r['n_a']}, {r['m']}, {r['T']})", r["dtype"],
            str(r["threads"]), fmt_ms(r["seconds"]["textbook"]), fmt_ms(r["seconds"]["fast"]),
            fmt_ms(r["seconds"]["torch"]), fmt_ratio(r["ratios"]["textbook/fast"]),
            fmt_ratio(r["ratios"]["fast/torch"]),
        ]


TEXT_HEADER = ["model", "(n_x, n_a, m, T)", "dtype", "threads", "textbook ms", "fast ms",
               "torch ms", "textbook/fast", "fast/torch"]
# The chapter's tables: the same in both languages (code names and symbols).
# The first column is named as in the text report: a table's headers name
# every column for a screen reader (axe's td-has-header).
MARKDOWN_HEADER = ["model", "$(n_x, n_a, m, T)$", "dtype", "$p$", "`rnnbook`", "`rnnbook.fast`",
                   "`torch.nn`", "`rnnbook` / `fast`", "`fast` / `torch`"]
GEMM_HEADER = ["dtype", "$p$", f"GEMM {GEMM_N}, numpy", f"GEMM {GEMM_N}, torch",
               "`fast` LSTM", "`fast` / GEMM", "`torch` LSTM", "`torch` / GEMM"]


def print_report(report):
    rows = [cells for _, cells in table_rows(report)]
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(TEXT_HEADER)]
    print()
    print("Median time of one forward + loss + backward pass; ratios of the medians")
    print("  ".join(h.rjust(w) for h, w in zip(TEXT_HEADER, widths)))
    for cells in rows:
        print("  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    if "large" in report["sizes"]:
        print("(textbook not timed at the large size: one call takes many seconds)")
    print()
    for g in report["gemm"]:
        print(f"GEMM {g['n']} x {g['n']} {g['dtype']}, {g['threads']} thread(s), "
              f"{g['library']}: {g['gflops']:.1f} GFLOP/s")
    for f in report["lstm_gemm_fraction"]:
        line = (f"fast LSTM, large, {f['dtype']}, {f['threads']} thread(s): "
                f"{f['fast_gflops']:.1f} GFLOP/s = {f['fraction']:.0%} of numpy's GEMM rate")
        if "torch_fraction" in f:
            line += (f" (torch.nn.LSTM {f['torch_gflops']:.1f} GFLOP/s = "
                     f"{f['torch_fraction']:.0%} of torch's)")
        print(line)
    print()
    for check in report["targets"]:
        print(f"target {check['target']:45s} met {check['met']}/{check['of']}, "
              f"worst {check['worst']:.2f}")
    if report["missing"]:
        print("missing: " + ", ".join(report["missing"]) + " (its columns are empty)")


def markdown(report):
    lines = ["| " + " | ".join(MARKDOWN_HEADER) + " |",
             "|" + "|".join(":--" if k < 3 else "--:" for k in range(len(MARKDOWN_HEADER)))
             + "|"]
    for _, cells in table_rows(report):
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def markdown_gemm(report):
    lines = ["| " + " | ".join(GEMM_HEADER) + " |",
             "|" + "|".join(":--" if k < 2 else "--:" for k in range(len(GEMM_HEADER))) + "|"]
    gemm = {(g["library"], g["dtype"], g["threads"]): g["gflops"] for g in report["gemm"]}
    fractions = {(f["dtype"], f["threads"]): f for f in report["lstm_gemm_fraction"]}
    for dtype, threads in sorted({(g["dtype"], g["threads"]) for g in report["gemm"]},
                                 key=lambda k: (k[1], k[0])):
        f = fractions.get((dtype, threads), {})

        def number(value, percent=False):
            if value is None:
                return "—"
            return f"{value:.0%}" if percent else f"{value:.1f}"

        lines.append("| " + " | ".join([
            dtype, str(threads), number(gemm.get(("numpy", dtype, threads))),
            number(gemm.get(("torch", dtype, threads))), number(f.get("fast_gflops")),
            number(f.get("fraction"), True), number(f.get("torch_gflops")),
            number(f.get("torch_fraction"), True),
        ]) + " |")
    return "\n".join(lines) + "\n"


SWEEP_HEADER = ["model", "$(n_x, n_a, m, T)$", "dtype", "$p$", "`fast`", "`torch.nn`",
                "`fast` / `torch`", "`fast` speed-up", "`torch` speed-up"]


def markdown_threads(report):
    """The sweep as a table: times, their ratio, and each one's speed-up over p = 1."""
    sweep = report.get("thread_sweep")
    lines = ["| " + " | ".join(SWEEP_HEADER) + " |",
             "|" + "|".join(":--" if k < 3 else "--:" for k in range(len(SWEEP_HEADER))) + "|"]
    if not sweep:
        return "\n".join(lines) + "\n"
    one = {(r["model"], r["size"], r["dtype"]): r["seconds"] for r in sweep["rows"]
           if r["threads"] == 1}
    for r in sweep["rows"]:
        base = one.get((r["model"], r["size"], r["dtype"]), {})
        cells = [r["model"].upper(), "({}, {}, {}, {})".format(*SIZES[r["size"]]), r["dtype"],
                 str(r["threads"]), fmt_ms(r["seconds"]["fast"]),
                 fmt_ms(r["seconds"].get("torch")), fmt_ratio(r.get("fast/torch"))]
        for name in ("fast", "torch"):
            if name in base and name in r["seconds"]:
                cells.append(f"{base[name] / r['seconds'][name]:.2f}")
            else:
                cells.append("—")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


TECHNIQUE_HEADER = ["§", "$(n_x, n_a, m, T)$", "dtype", "A (µs)", "B (µs)", "A / B"]


def markdown_techniques(report):
    lines = ["| " + " | ".join(TECHNIQUE_HEADER) + " |",
             "|" + "|".join(":--" if k < 3 else "--:" for k in range(len(TECHNIQUE_HEADER)))
             + "|"]
    for row in report["techniques"]:
        shape = "({}, {}, {}, {})".format(*SIZES[row["size"]])
        lines.append("| " + " | ".join([
            row["section"], shape, row["dtype"], fmt_us(row["A"]), fmt_us(row["B"]),
            f"{row['A/B']:.2f}"]) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: the small size only, 3 short blocks")
    parser.add_argument("--json", type=pathlib.Path, help="write everything measured here")
    parser.add_argument("--markdown", type=pathlib.Path, metavar="DIR",
                        help="write the chapter's tables (bench-table.txt, bench-gemm.txt, "
                             "bench-techniques.txt) into DIR")
    parser.add_argument("--blocks", type=int, default=None,
                        help="timed blocks per implementation (default 7, --quick 3)")
    parser.add_argument("--block-seconds", type=float, default=None,
                        help="target length of a block (default 0.2 s, --quick 0.05 s)")
    parser.add_argument("--pause", type=float, default=0.25,
                        help="seconds of sleep before every block (default 0.25)")
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--dtypes", nargs="+", choices=DTYPES, default=list(DTYPES))
    parser.add_argument("--threads", nargs="+", type=int, default=None,
                        help="thread counts (default: 1 and all cores)")
    parser.add_argument("--sweep-threads", nargs="+", type=int, default=None,
                        help="thread counts of the sweep (default: 1, 2, 4, ... and all cores)")
    parser.add_argument("--sweep-only", action="store_true",
                        help="run only the thread sweep and put it into the report that "
                             "--json names (which must exist), leaving the rest as it was")
    parser.add_argument("--passes-only", action="store_true",
                        help="measure only the sweep's element-wise passes and put them into "
                             "the thread sweep of the report that --json names")
    parser.add_argument("--silent", action="store_true", help="print only the final report")
    parser.add_argument("--from-json", type=pathlib.Path, metavar="PATH",
                        help="measure nothing: print (and with --markdown, write) the tables "
                             "of a JSON that an earlier run wrote")
    args = parser.parse_args(argv)
    if args.blocks is None:
        args.blocks = 3 if args.quick else 7
    if args.block_seconds is None:
        args.block_seconds = 0.05 if args.quick else 0.2
    if args.blocks < 5 and not args.quick:
        parser.error("--blocks must be at least 5 (the median of fewer is not worth quoting)")

    if args.passes_only:
        if not (args.json and args.json.is_file()):
            parser.error("--passes-only needs --json naming an earlier run's report")
        report = json.loads(args.json.read_text(encoding="utf-8"))
        sweep = report["thread_sweep"]
        sweep["passes"] = element_wise_passes(sweep["counts"], args.blocks, args.block_seconds,
                                              args.pause, print)
    elif args.sweep_only:
        if not (args.json and args.json.is_file()):
            parser.error("--sweep-only needs --json naming an earlier run's report")
        report = json.loads(args.json.read_text(encoding="utf-8"))
        say = print if not args.silent else (lambda *a, **k: None)
        report["thread_sweep"] = sweep_report(args, say)
    elif args.from_json:
        report = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        report = run(args)
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    if args.markdown:
        args.markdown.mkdir(parents=True, exist_ok=True)
        (args.markdown / "bench-table.txt").write_text(markdown(report), encoding="utf-8")
        (args.markdown / "bench-gemm.txt").write_text(markdown_gemm(report), encoding="utf-8")
        (args.markdown / "bench-techniques.txt").write_text(markdown_techniques(report),
                                                             encoding="utf-8")
        (args.markdown / "bench-threads.txt").write_text(markdown_threads(report),
                                                         encoding="utf-8")
        print(f"wrote bench-table.txt, bench-gemm.txt, bench-techniques.txt and "
              f"bench-threads.txt in {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
