"""``python -m rnnbook``: the tour by default, and train-charlm on good and bad input.

Most tests call ``main(argv, out, err)`` in-process; one runs the module as a
real subprocess to check what a reader sees: one line on stderr, no traceback.
"""

import io
import re
import subprocess
import sys

import numpy as np
import pytest

from rnnbook import charlm
from rnnbook.__main__ import build_parser, main

SMALL = ["--hidden", "8", "--embedding", "4", "--seq-len", "8", "--batch", "4"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_no_arguments_runs_the_tour():
    status, out, err = run([])
    assert status == 0 and not err
    assert "worst gradient relative error" in out and "LSTM" in out
    assert build_parser().parse_args(["demo"]).command == "demo"  # the same tour, by name


@pytest.fixture
def own_text(tmp_path):
    """A reader's own text file, neither of the shipped corpora."""
    path = tmp_path / "notes.txt"
    path.write_text("A small text of my own, with ünïcode and 汉字.\n" * 20, encoding="utf-8")
    return path


def test_trains_saves_loads_and_samples_a_readers_text(own_text, tmp_path):
    model_path = tmp_path / "notes-model"
    status, out, err = run(["train-charlm", str(own_text), *SMALL, "--steps", "20",
                            "--log-every", "10", "--sample", "40", "--seed", "3",
                            "--save", str(model_path)])
    assert status == 0, err
    assert not err
    progress = re.findall(r"^step +(\d+)/20  loss (\d+\.\d+) nats/char  ([\d,]+) chars/s$",
                          out, re.M)
    assert [p[0] for p in progress] == ["10", "20"]
    assert f"saved the model to {model_path}.npz" in out
    sample = out.split("--- sample, temperature 0.8 ---\n", 1)[1]
    assert len(sample) == 40 + 1  # the sample and print's newline

    model = charlm.CharLM.load(f"{model_path}.npz")
    assert model.kind == "lstm" and model.hidden == 8 and model.steps_trained == 20
    assert model.parameters["Wy"].dtype == np.float32

    # Loading and sampling again with the same seed gives the same text.
    status, out2, err = run(["train-charlm", str(own_text), "--load", f"{model_path}.npz",
                             "--steps", "0", "--sample", "40", "--seed", "3"])
    assert status == 0, err
    assert out2.split("--- sample, temperature 0.8 ---\n", 1)[1] == sample


def test_trains_on_the_shipped_corpus_by_name():
    status, out, err = run(["train-charlm", "tang-poems", "--model", "gru", *SMALL,
                            "--steps", "2", "--sample", "10", "--float64"])
    assert status == 0, err
    assert "1,309 distinct" in out and "kind='gru'" in out


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"", "empty"),
        ("naïve".encode("latin-1"), "not UTF-8"),
        (b"tiny", "fewer than one training sequence"),
    ],
    ids=["missing", "empty", "not-utf8", "too-short"],
)
def test_bad_corpus_is_one_line_and_status_1(tmp_path, content, message):
    path = tmp_path / "corpus.txt"
    if content is not None:
        path.write_bytes(content)
    status, out, err = run(["train-charlm", str(path), "--steps", "5"])
    assert status == 1
    assert err.count("\n") == 1 and err.startswith("rnnbook train-charlm: error: ")
    assert message in err and str(path) in err


def test_other_bad_input_is_one_line_too(tmp_path, own_text):
    (tmp_path / "fake.npz").write_bytes(b"\x80\x04 not a model")
    cases = [
        ["train-charlm", str(tmp_path)],  # a directory
        ["train-charlm", str(own_text), "--load", str(tmp_path / "fake.npz")],
        ["train-charlm", str(own_text), "--load", str(tmp_path / "none.npz")],
        ["train-charlm", str(own_text), "--save", str(tmp_path / "no" / "such" / "m")],
        ["train-charlm", str(own_text), *SMALL, "--steps", "0", "--prime", "Z"],
    ]
    for argv in cases:
        status, _, err = run(argv)
        assert status == 1, argv
        assert err.count("\n") == 1 and err.startswith("rnnbook train-charlm: error: "), err


def test_a_loaded_model_refuses_a_text_with_new_characters(tmp_path, own_text):
    path = charlm.CharLM("abc", "rnn", 4, 2).save(tmp_path / "abc")
    status, _, err = run(["train-charlm", str(own_text), "--load", path, "--steps", "1"])
    assert status == 1 and "does not know" in err and err.count("\n") == 1


def test_wrong_options_are_usage_errors():
    with pytest.raises(SystemExit) as info:
        main(["train-charlm", "tang-poems", "--hidden", "0"], err=io.StringIO())
    assert info.value.code == 2


def test_a_real_process_shows_no_traceback(tmp_path):
    missing = tmp_path / "missing.txt"
    process = subprocess.run(
        [sys.executable, "-m", "rnnbook", "train-charlm", str(missing)],
        capture_output=True, text=True, timeout=60,
    )
    assert process.returncode == 1
    assert process.stderr == f"rnnbook train-charlm: error: {missing}: no such file " \
        "(the corpora that need no file are tang-poems, python-docs)\n"
    assert "Traceback" not in process.stderr + process.stdout
