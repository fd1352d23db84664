"""train-charlm loses nothing and says what is wrong before it trains.

Checks that can be made before the first step are made then (a run of
100,000 steps must fail within seconds); a model file is never overwritten
unasked, never over the corpus, and never left half-written; Ctrl-C and
SIGTERM save and exit 130; a blow-up stops with one line and keeps the last
finite model; checkpoints bound what a killed run loses.
"""

import io
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from rnnbook import charlm, data
from rnnbook.__main__ import main

SMALL = ["--hidden", "8", "--embedding", "4", "--seq-len", "8", "--batch", "4"]
LONG = ["--steps", "100000"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    status = main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue(), time.perf_counter() - start


def one_line_error(err):
    return err.count("\n") == 1 and err.startswith("rnnbook train-charlm: error: ")


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("a small text of my own, read again and again.\n" * 30, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "options, fragment",
    [
        (["--prime", "xyz\u4e2d"], "--prime must be non-empty text"),
        (["--save", "{tmp}/"], "is a folder"),
        (["--save", "{tmp}"], "is a folder"),
        (["--save", "/proc/m.npz"], "cannot write in /proc"),
        (["--save", "{tmp}/no/such/m.npz"], "does not exist"),
        (["--hidden", "1048576"], "GiB"),
        (["--batch", "1048576", "--seq-len", "1000"], "GiB"),
        (["--checkpoint-every", "10"], "--checkpoint-every needs --save"),
    ],
    ids=["prime", "save-slash", "save-dir", "save-proc", "save-missing", "hidden", "batch",
         "checkpoint"],
)
def test_bad_settings_are_refused_before_the_first_step(tmp_path, text, options, fragment):
    options = [option.format(tmp=tmp_path) for option in options]
    status, out, err, seconds = run(["train-charlm", str(text), *SMALL, *LONG, *options])
    assert status == 1 and one_line_error(err) and fragment in err, err
    assert "step" not in out and seconds < 10  # 100,000 steps would take minutes


def test_the_memory_estimate_is_stated(text):
    status, _, err, _ = run(["train-charlm", str(text), "--hidden", "1048576", *LONG])
    assert status == 1 and "training needs about" in err and "GiB of memory available" in err


def test_an_existing_file_is_kept_unless_overwrite_is_given(tmp_path, text):
    target = tmp_path / "m.npz"
    charlm.CharLM("abc", "rnn", 4, 2).save(target)
    before = target.read_bytes()
    status, out, err, _ = run(["train-charlm", str(text), *SMALL, *LONG, "--save", str(target)])
    assert status == 1 and one_line_error(err) and "exists already" in err
    assert "--overwrite" in err and target.read_bytes() == before
    status, out, err, _ = run(["train-charlm", str(text), *SMALL, "--steps", "2", "--sample", "0",
                               "--save", str(target)[:-4], "--overwrite"])
    assert status == 0, err
    assert charlm.CharLM.load(target).steps_trained == 2


def test_the_corpus_is_never_overwritten(tmp_path):
    corpus = tmp_path / "poems.npz"  # a text that happens to end in .npz
    corpus.write_text("床前明月光，疑是地上霜。\n" * 20, encoding="utf-8")
    before = corpus.read_bytes()
    for extra in ([], ["--overwrite"]):
        status, _, err, _ = run(["train-charlm", str(corpus), *SMALL, "--steps", "1",
                                 "--save", str(corpus), *extra])
        assert status == 1 and one_line_error(err) and "that is the corpus" in err
    assert corpus.read_bytes() == before


def test_help_says_the_suffix_is_appended():
    with pytest.raises(SystemExit):
        main(["train-charlm", "--help"], out=io.StringIO())
    # argparse prints help to sys.stdout, so ask the parser itself
    from rnnbook.__main__ import build_parser

    helptext = build_parser()._subparsers._group_actions[0].choices["train-charlm"].format_help()
    assert ".npz is appended when missing" in " ".join(helptext.split())


@pytest.mark.parametrize(
    "option, value, fragment",
    [
        ("--steps", str(10**23), "from 0 to 1,000,000,000"),
        ("--seed", str(10**23), "from 0 to"),
        ("--temperature", "1e-320", "0 or a number >= 0.001"),
        ("--temperature", "-1", "0 or a number >= 0.001"),
        ("--hidden", "0", "from 1 to"),
    ],
)
def test_out_of_range_numbers_say_the_range(option, value, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        main(["train-charlm", "tang-poems", option, value])
    assert info.value.code == 2
    assert fragment in capsys.readouterr().err


def test_a_blow_up_stops_with_one_line_and_keeps_the_last_finite_model(tmp_path, text):
    target = tmp_path / "m.npz"
    status, out, err, _ = run(["train-charlm", str(text), *SMALL, *LONG, "--lr", "1e308",
                               "--save", str(target)])
    assert status == 1 and one_line_error(err), err
    assert "non-finite at step" in err and "learning rate" in err
    assert "Traceback" not in out + err and "--- sample" not in out
    model = charlm.CharLM.load(target)  # finite, or load would refuse it
    assert model.steps_trained < 100000
    assert all(np.isfinite(value).all() for value in model.parameters.values())


def test_train_raises_diverged_with_the_parameters_before_the_step():
    text = "abcabcabd\n" * 10
    model = charlm.CharLM(data.Vocabulary.from_text(text), "lstm", hidden=5, embedding=3,
                          dtype=np.float32)
    ids = model.vocab.encode(text)
    with pytest.raises(charlm.TrainingDiverged, match="at step 1") as info:
        charlm.train(model, ids, steps=50, seq_len=4, batch=2, lr=1e300, progress=None)
    assert info.value.step == 1 and model.steps_trained == 0
    assert all(np.isfinite(value).all() for value in model.parameters.values())


def start_training(tmp_path, *options):
    return subprocess.Popen(
        [sys.executable, "-m", "rnnbook", "train-charlm", "tang-poems", *SMALL, *LONG,
         "--log-every", "1", "--save", str(tmp_path / "m.npz"), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for(process, prefix):
    for line in process.stdout:
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no line starting with {prefix!r}; stderr: {process.stderr.read()}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_saves_and_exits_130(tmp_path, signum):
    process = start_training(tmp_path)
    wait_for(process, "step ")
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "--- sample" not in out
    assert "saved the model so far to" in out
    assert charlm.CharLM.load(tmp_path / "m.npz").steps_trained >= 1


def test_a_killed_run_loses_at_most_the_checkpoint_interval(tmp_path):
    process = start_training(tmp_path, "--checkpoint-every", "5")
    line = wait_for(process, "checkpoint:")
    process.kill()  # SIGKILL: no handler runs
    process.communicate(timeout=60)
    steps = charlm.CharLM.load(tmp_path / "m.npz").steps_trained
    assert steps >= 5 and steps % 5 == 0 and "(step 5)" in line


def test_checkpoints_are_written_every_n_steps(tmp_path, text):
    target = tmp_path / "m.npz"
    status, out, err, _ = run(["train-charlm", str(text), *SMALL, "--steps", "11",
                               "--checkpoint-every", "4", "--save", str(target), "--sample", "0"])
    assert status == 0, err
    assert [line.split("(step ")[1] for line in out.splitlines()
            if line.startswith("checkpoint:")] == ["4)", "8)"]
    assert charlm.CharLM.load(target).steps_trained == 11


def test_ctrl_c_while_sampling_exits_quietly(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "rnnbook", "train-charlm", "tang-poems", *SMALL,
         "--steps", "0", "--sample", "1000000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    wait_for(process, "new CharLM")
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err == "" and "--- sample" not in out


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_live_progress_bar_from_the_first_step(text):
    out, err = Terminal(), io.StringIO()
    status = main(["train-charlm", str(text), *SMALL, "--steps", "7", "--sample", "0"],
                  out=out, err=err)
    assert status == 0, err.getvalue()
    shown = out.getvalue()
    assert "\r" in shown and "1/7" in shown and "7/7" in shown  # redrawn from step 1
    assert "nats/char" in shown and "chars/s" in shown and "<" in shown  # elapsed<left
    assert "step 7/7" not in shown  # no plain lines on a terminal


def test_batches_are_assembled_in_linear_time(monkeypatch):
    """A batch spanning many epochs of a short text joins the epochs once, not
    once per epoch (which copied the pending starts again every time)."""
    joins = []
    concatenate = np.concatenate

    def counting(arrays, *args, **kwargs):
        joins.append(len(arrays))
        return concatenate(arrays, *args, **kwargs)

    monkeypatch.setattr(data.np, "concatenate", counting)
    ids = np.arange(100) % 7
    inputs, targets = next(data.batches(ids, 9, 5000, seed=0))  # ~450 epochs of 11
    # (numpy's own SeedSequence joins two arrays once in default_rng)
    assert inputs.shape == (5000, 9) and len(joins) <= 2 and max(joins) > 400
    np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
