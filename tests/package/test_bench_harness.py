"""The benchmark harness's thread sweep: its thread counts, its rows and its table.

The harness is a benchmark, not a test (it never fails on a slow machine);
these tests only check what it writes, on sizes small enough to run in a blink.
"""

import importlib.util
import json
import pathlib

import pytest

HARNESS = pathlib.Path(__file__).resolve().parents[1] / "bench" / "harness.py"


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location("harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sweep_counts_are_powers_of_two_and_the_cores(harness):
    assert harness.sweep_counts(1) == [1]
    assert harness.sweep_counts(2) == [1, 2]
    assert harness.sweep_counts(12) == [1, 2, 4, 8, 12]
    assert harness.sweep_counts(16) == [1, 2, 4, 8, 16]


def test_a_tiny_sweep_has_a_row_per_model_size_dtype_and_count(harness, monkeypatch):
    monkeypatch.setitem(harness.SIZES, "medium", (3, 4, 16, 3))
    monkeypatch.setattr(harness.fast, "MIN_PART_COLUMNS", 8)
    rows = harness.thread_sweep(["small", "medium"], ["rnn", "gru"], ["float64"], [1, 2, 4],
                                blocks=1, block_seconds=0.001, pause=0, say=lambda *a: None)
    assert [(r["model"], r["threads"]) for r in rows] == [
        ("rnn", 1), ("rnn", 2), ("rnn", 4), ("gru", 1), ("gru", 2), ("gru", 4)]
    assert [r["slices"] for r in rows] == [1, 2, 2] * 2  # 16 columns: at most two slices of 8
    for r in rows:
        assert r["size"] == "medium" and r["seconds"]["fast"] > 0
        assert ("torch" in r["seconds"]) == (harness.torch is not None)
    report = {"thread_sweep": {"rows": rows}}
    table = harness.markdown_threads(report).splitlines()
    assert len(table) == 2 + len(rows)
    assert table[2].split(" | ")[-2] == "1.00"  # fast's speed-up over itself at p = 1


def test_element_wise_passes_time_each_kind_at_each_count(harness, monkeypatch):
    monkeypatch.setattr(harness, "PASS_NUMBERS", {"memory": 64 * 64, "small": 64 * 16})
    rows = harness.element_wise_passes([1, 2], blocks=1, block_seconds=0.001, pause=0,
                                       say=lambda *a: None)
    assert [(r["kind"], r["threads"]) for r in rows] == [
        ("memory", 1), ("memory", 2), ("small", 1), ("small", 2)]
    assert [r["repeats"] for r in rows] == [1, 1, 4, 4]  # the same work for both kinds
    assert all(r["seconds"] > 0 and r["gbytes_per_second"] > 0 for r in rows)


@pytest.mark.parametrize("name, write", [
    ("bench-table.txt", "markdown"), ("bench-gemm.txt", "markdown_gemm"),
    ("bench-threads.txt", "markdown_threads"), ("bench-techniques.txt", "markdown_techniques"),
])
def test_the_chapters_tables_are_what_the_harness_writes_from_its_report(harness, name, write):
    """docs/data/*.txt come from docs/data/bench.json through the harness
    (`nox -s bench -- --json ... --markdown docs/data`), headers included."""
    data = pathlib.Path(__file__).resolve().parents[2] / "docs" / "data"
    report = json.loads((data / "bench.json").read_text(encoding="utf-8"))
    assert getattr(harness, write)(report) == (data / name).read_text(encoding="utf-8")
    header = (data / name).read_text(encoding="utf-8").splitlines()[0]
    assert all(cell.strip() for cell in header.strip("|").split("|")), f"{name}: an unnamed column"
