"""rnnbook.fast on several threads: the batch's columns split, the same numbers.

threads=N cuts the m columns into at most N slices, each running the whole
loop over time on a thread of its own with single-threaded BLAS; the backward
uses the same slices and sums the weight gradients in a fixed order.  The
results equal threads=1 to 1e-12 (float64), are bit-identical from run to run,
and the BLAS setting is restored afterwards, also after an exception.
"""

import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from rnnbook import fast
from test_fast import TOLERANCE, fast_backward

# (m, threads, T_x): m not divisible by the threads, m below them, T_x = 1, one column
CASES = [(7, 3, 4), (2, 5, 3), (10, 4, 1), (1, 2, 2), (9, 2, 6)]


def forward(model, x, a0, parameters, c0=None, **options):
    """-> (a, y_pred, c or None, cache)"""
    if model.kind == "rnn":
        a, y_pred, cache = fast.rnn_forward(x, a0, parameters, **options)
        return a, y_pred, None, cache
    if model.kind == "lstm":
        return fast.lstm_forward(x, a0, parameters, c0=c0, **options)
    a, y_pred, cache = fast.gru_forward(x, a0, parameters, reset_after=model.reset_after,
                                        **options)
    return a, y_pred, None, cache


@pytest.fixture
def thin_slices(monkeypatch):
    """Let slices be one column wide, so that small tests cut the batch."""
    monkeypatch.setattr(fast, "MIN_PART_COLUMNS", 1)


def run_both_ways(model, case, threads):
    da = np.random.default_rng(4).standard_normal(case.a0.shape + (case.x.shape[2],))
    da = da.astype(case.x.dtype)
    results = []
    for count in (1, threads):
        a, y_pred, c, cache = forward(model, case.x, case.a0, case.parameters, case.c0,
                                      threads=count)
        results.append(({"a": a, "y_pred": y_pred, "c": c}, fast_backward(model, da, cache),
                        cache))
    return results


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("m, threads, T_x", CASES, ids=lambda v: str(v))
def test_threads_compute_what_one_thread_computes(model, make_case, thin_slices, m, threads,
                                                  T_x, dtype):
    case = make_case(model, 3, 5, 2, m=m, T_x=T_x, seed=m + threads, dtype=dtype)
    (outputs1, grads1, cache1), (outputsN, gradsN, cacheN) = run_both_ways(model, case, threads)
    assert isinstance(cache1, fast.Cache)
    if min(m, threads) > 1:
        assert isinstance(cacheN, fast.SlicedCache)
        assert len(cacheN.parts) == min(m, threads)
    for name, value in outputs1.items():
        if value is None:
            assert outputsN[name] is None
            continue
        scale = float(np.abs(value).max())
        np.testing.assert_allclose(outputsN[name], value, rtol=TOLERANCE[dtype],
                                   atol=TOLERANCE[dtype] * scale, err_msg=name)
    assert grads1.keys() == gradsN.keys()
    for name, value in grads1.items():
        assert gradsN[name].dtype == value.dtype and gradsN[name].shape == value.shape
        scale = float(np.abs(value).max())
        np.testing.assert_allclose(gradsN[name], value, rtol=TOLERANCE[dtype],
                                   atol=TOLERANCE[dtype] * scale, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_the_same_threads_give_the_same_bits(model, make_case, thin_slices, dtype):
    case = make_case(model, 4, 6, 3, m=11, T_x=5, seed=2, dtype=dtype)
    first = run_both_ways(model, case, 3)[1]
    for _ in range(3):
        again = run_both_ways(model, case, 3)[1]
        for name, value in first[1].items():
            np.testing.assert_array_equal(again[1][name], value, err_msg=name)
        np.testing.assert_array_equal(again[0]["a"], first[0]["a"])


def test_no_buffer_is_shared_between_slices(make_case, models, thin_slices):
    model = models["lstm"]
    case = make_case(model, 3, 4, None, m=6, T_x=3, seed=1)
    *_, cache = forward(model, case.x, case.a0, case.parameters, case.c0, threads=3)
    buffers = [array for part in cache.caches for name, array in part.arrays.items()
               if isinstance(array, np.ndarray)]
    for i, one in enumerate(buffers):
        for other in buffers[i + 1:]:
            assert not np.shares_memory(one, other)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                        ("2", TypeError), (True, TypeError)])
def test_bad_thread_counts_name_threads(model, make_case, bad, error):
    case = make_case(model, 3, 4, None, m=4, T_x=2)
    with pytest.raises(error, match=rf"threads must be None or a positive integer, got {bad!r}"):
        forward(model, case.x, case.a0, case.parameters, case.c0, threads=bad)


def test_slices_are_even_never_thin_and_never_more_than_asked(monkeypatch):
    monkeypatch.setattr(fast, "MIN_PART_COLUMNS", 8)
    assert fast.batch_parts(64, 3) == [slice(0, 21), slice(21, 42), slice(42, 64)]
    assert len(fast.batch_parts(20, 16)) == 2  # 20 // 8 slices at most
    assert fast.batch_parts(7, 4) == [slice(0, 7)]
    monkeypatch.setattr(fast, "MIN_PART_COLUMNS", 1)
    assert len(fast.batch_parts(3, 10)) == 3  # never more slices than columns
    # None: one slice for small work, one per core for large work
    assert len(fast.batch_parts(1000, None, work=fast.MIN_THREADED_WORK - 1)) == 1
    assert len(fast.batch_parts(1000, None, work=fast.MIN_THREADED_WORK)) == min(
        fast.available_cores(), 1000)


def blas_threads():
    return [entry["num_threads"] for entry in threadpool_info() if entry["user_api"] == "blas"]


def test_blas_runs_one_thread_in_the_workers_and_is_restored(models, make_case, thin_slices,
                                                             monkeypatch):
    model = models["rnn"]
    case = make_case(model, 3, 4, None, m=6, T_x=3)
    seen = []
    states = fast.rnn_states

    def watching(*args, **kwargs):
        seen.append(blas_threads())
        return states(*args, **kwargs)

    monkeypatch.setattr(fast, "rnn_states", watching)
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        fast.rnn_forward(case.x, case.a0, case.parameters, threads=3)
        assert blas_threads() == before
    assert len(seen) == 3 and all(counts == [1] * len(counts) for counts in seen)


def test_a_workers_exception_reaches_the_caller_and_blas_is_restored(models, make_case,
                                                                     thin_slices, monkeypatch):
    model = models["gru_reset_after"]
    case = make_case(model, 3, 4, None, m=6, T_x=3)

    def failing(x, *args, **kwargs):
        raise MemoryError("Unable to allocate 1.00 TiB for an array with shape (9,)")

    monkeypatch.setattr(fast, "gru_states", failing)
    messages = []
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        for threads in (1, 3):
            with pytest.raises(MemoryError) as info:
                fast.gru_forward(case.x, case.a0, case.parameters, reset_after=True,
                                 threads=threads)
            messages.append(str(info.value))
        assert blas_threads() == before
    assert messages[0] == messages[1]


def test_a_sliced_cache_goes_only_to_its_own_backward(models, make_case, thin_slices):
    case = make_case(models["lstm"], 3, 4, None, m=6, T_x=3)
    *_, cache = forward(models["lstm"], case.x, case.a0, case.parameters, case.c0, threads=2)
    with pytest.raises(TypeError, match="got the cache of rnnbook.fast.lstm_forward"):
        fast.rnn_backward(np.ones((4, 6, 3)), cache)
    with pytest.raises(ValueError, match=r"da has shape \(4, 5, 3\)"):
        fast.lstm_backward(np.ones((4, 5, 3)), cache)


INTERRUPTED = textwrap.dedent(
    """
    import numpy as np
    from rnnbook import fast
    x = np.ones((64, 512, 400), dtype=np.float32)
    p = {"Wax": np.full((256, 64), 0.01, np.float32), "Waa": np.eye(256, dtype=np.float32),
         "ba": np.zeros((256, 1), np.float32)}
    print("running", flush=True)
    while True:
        fast.rnn_forward(x, np.zeros((256, 512), np.float32), p, threads=2)
    """
)


def test_ctrl_c_stops_a_threaded_call():
    process = subprocess.Popen([sys.executable, "-c", INTERRUPTED], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "running\n"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0 and "KeyboardInterrupt" in err


def test_train_charlm_takes_threads_and_says_how_many(capsys):
    import io

    from rnnbook.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    status = main(["train-charlm", "tang-poems", "--hidden", "8", "--embedding", "4",
                   "--seq-len", "8", "--batch", "16", "--steps", "2", "--sample", "0",
                   "--threads", "2"], out=out, err=err)
    assert status == 0, err.getvalue()
    assert f"threads: 2 of {fast.available_cores()} cores\n" in out.getvalue()
    with pytest.raises(SystemExit) as info:
        main(["train-charlm", "tang-poems", "--threads", "0"])
    assert info.value.code == 2 and "from 1 to 1,024" in capsys.readouterr().err
