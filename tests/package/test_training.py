"""The training machinery: optimisers, data, the two models' losses, sampling, saving.

Gradient checks run in float64 against central differences; everything that
draws random numbers is seeded, so every assertion here is deterministic.
"""

import math

import numpy as np
import pytest

import rnnbook
from rnnbook import charlm, data, longrange, recurrent
from rnnbook.optim import SGD, Adam

KINDS = recurrent.KINDS

# --- optimisers ---------------------------------------------------------------------


def test_sgd_step_is_minus_lr_times_gradient():
    p = {"W": np.array([[1.0, -2.0]]), "b": np.array([[0.5]])}
    g = {"dW": np.array([[0.25, -1.0]]), "db": np.array([[2.0]]), "dx": np.ones(3)}
    SGD(lr=0.1).step(p, g)
    np.testing.assert_array_equal(p["W"], [[1.0 - 0.025, -2.0 + 0.1]])
    np.testing.assert_array_equal(p["b"], [[0.5 - 0.2]])


def test_sgd_momentum_accumulates_velocity():
    p = {"w": np.array([0.0])}
    opt = SGD(lr=0.5, momentum=0.9)
    opt.step(p, {"dw": np.array([1.0])})  # v = 1, w = -0.5
    opt.step(p, {"dw": np.array([1.0])})  # v = 0.9 + 1 = 1.9, w = -0.5 - 0.95
    np.testing.assert_allclose(p["w"], [-1.45], rtol=1e-15)


def test_adam_matches_a_hand_computation_over_two_steps():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p = {"w": np.array([1.0, -0.5, 0.0])}
    g1, g2 = [0.3, -2.0, 0.0], [0.1, 1.0, 4.0]
    opt = Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    opt.step(p, {"dw": np.array(g1)})
    # Step 1 by hand: m = (1 - b1) g, v = (1 - b2) g^2, so m_hat = g, v_hat = g^2
    # and each entry moves by lr g / (|g| + eps): about lr against the gradient's sign.
    first = [w - lr * g / (abs(g) + eps) for w, g in zip([1.0, -0.5, 0.0], g1)]
    np.testing.assert_allclose(p["w"], first, rtol=1e-14)
    assert p["w"][2] == 0.0  # a zero gradient does not move the parameter
    opt.step(p, {"dw": np.array(g2)})
    expected = []
    for w, ga, gb in zip(first, g1, g2):
        m = b1 * (1 - b1) * ga + (1 - b1) * gb
        v = b2 * (1 - b2) * ga**2 + (1 - b2) * gb**2
        m_hat, v_hat = m / (1 - b1**2), v / (1 - b2**2)
        expected.append(w - lr * m_hat / (math.sqrt(v_hat) + eps))
    np.testing.assert_allclose(p["w"], expected, rtol=1e-13)


def test_adam_keeps_float32_parameters_float32():
    p = {"w": np.ones((2, 2), np.float32)}
    Adam(lr=0.1).step(p, {"dw": np.full((2, 2), 0.5, np.float32)})
    assert p["w"].dtype == np.float32
    np.testing.assert_allclose(p["w"], 0.9, rtol=1e-6)


@pytest.mark.parametrize("optimizer", [SGD(lr=0.1), Adam()], ids=["sgd", "adam"])
def test_optimizers_refuse_missing_or_misshapen_gradients(optimizer):
    p = {"w": np.zeros(3), "b": np.zeros(1)}
    with pytest.raises(ValueError, match="'db'"):
        optimizer.step(p, {"dw": np.ones(3)})
    assert not p["w"].any(), "a failed step must not change any parameter"
    with pytest.raises(ValueError, match="shape"):
        optimizer.step(p, {"dw": np.ones(4), "db": np.ones(1)})
    with pytest.raises(ValueError, match="lr"):
        type(optimizer)(lr=-1.0)


# --- text data ----------------------------------------------------------------------


def test_vocabulary_round_trip():
    text = "床前明月光，疑是地上霜。\nHello, world! — ∑ 😀\t"
    vocab = data.Vocabulary.from_text(text)
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert vocab.decode(ids) == text
    assert len(vocab) == len(set(text))
    assert vocab.chars == sorted(set(text))
    assert data.Vocabulary(vocab.to_string()) == vocab
    with pytest.raises(ValueError, match="'Z'"):
        vocab.encode("Zebra")
    with pytest.raises(ValueError, match="distinct"):
        data.Vocabulary("aa")


def test_batches_cover_every_window_of_an_epoch_once():
    seq_len, count, batch = 5, 12, 4
    n = seq_len * (count + 1)  # (n - 1 - offset) // seq_len == count for every offset < seq_len
    ids = np.arange(n)  # ids equal positions, so a batch shows where it came from
    stream = data.batches(ids, seq_len, batch, seed=3)
    starts = []
    for _ in range(count // batch):  # exactly one epoch
        inputs, targets = next(stream)
        assert inputs.shape == targets.shape == (batch, seq_len)
        np.testing.assert_array_equal(targets, inputs + 1)  # the next character
        np.testing.assert_array_equal(np.diff(inputs, axis=1), 1)  # contiguous text
        starts += list(inputs[:, 0])
    offset = starts[0] % seq_len
    assert sorted(starts) == [offset + seq_len * k for k in range(count)]
    covered = np.concatenate([np.arange(s + 1, s + seq_len + 1) for s in starts])
    assert sorted(covered) == list(range(offset + 1, offset + 1 + count * seq_len))
    # the order is shuffled, and the next epoch goes on drawing full batches
    assert starts != sorted(starts)
    assert next(stream)[0].shape == (batch, seq_len)


def test_batches_are_reproducible_and_work_on_the_shortest_text():
    ids = np.arange(50)
    a = [next(data.batches(ids, 7, 3, seed=1))[0] for _ in range(2)]
    np.testing.assert_array_equal(a[0], a[1])
    shortest = np.arange(9)  # exactly seq_len + 1 ids: one window, repeated
    inputs, targets = next(data.batches(shortest, 8, 3, seed=0))
    np.testing.assert_array_equal(inputs, np.tile(np.arange(8), (3, 1)))
    with pytest.raises(data.CorpusError, match="fewer than one sequence"):
        next(data.batches(np.arange(8), 8, 3))


def test_read_text_errors_are_one_line(tmp_path):
    cases = {
        "missing.txt": None,
        "empty.txt": b"",
        "blank.txt": b" \n\t\n",
        "latin1.txt": "café".encode("latin-1"),
    }
    for name, content in cases.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
        with pytest.raises(data.CorpusError) as info:
            data.read_text(tmp_path / name)
        assert "\n" not in str(info.value) and name in str(info.value)
    with pytest.raises(data.CorpusError, match="directory"):
        data.read_text(tmp_path)
    (tmp_path / "bom.txt").write_bytes("\ufeff春眠".encode("utf-8"))
    assert data.read_text(tmp_path / "bom.txt") == "春眠"


def test_the_shipped_corpus_is_there_and_small():
    text = data.corpus_text("tang-poems")
    assert 5_000 < len(text) and len(text.encode("utf-8")) < 300_000
    assert text.startswith("静夜思　李白\n床前明月光，疑是地上霜。\n")
    readme = data.corpus_path("tang-poems").parent / "README.md"
    assert "public domain" in readme.read_text(encoding="utf-8").lower()


def test_python_docs_corpus_needs_no_download():
    text = data.stdlib_docstrings(("json", "textwrap"))
    assert "JSON" in text and len(text) > 1000
    assert text == data.stdlib_docstrings(("json", "textwrap"))  # the same every time


# --- long-range tasks ---------------------------------------------------------------


def test_adding_problem_layout():
    T, m = 11, 200
    x, y = data.adding_problem(T, m, seed=0)
    assert x.shape == (2, m, T) and y.shape == (1, m)
    values, markers = x
    assert ((values >= 0) & (values <= 1)).all()
    assert set(np.unique(markers)) == {0.0, 1.0}
    half = T // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1)
    np.testing.assert_array_equal(markers[:, half:].sum(axis=1), 1)
    np.testing.assert_allclose(y[0], (values * markers).sum(axis=1), rtol=1e-15)
    x2, y2 = data.adding_problem(T, m, seed=0)
    np.testing.assert_array_equal(x, x2)
    assert not np.array_equal(data.adding_problem(T, m, seed=1)[1], y)
    assert data.adding_problem(T, m, seed=0, dtype=np.float32)[0].dtype == np.float32


def test_adding_problem_baseline_is_one_sixth():
    _, y = data.adding_problem(10, 200_000, seed=0)
    mse_of_always_one = float(np.mean((y - 1.0) ** 2))
    # standard error of this mean is about 0.2 / sqrt(200000) = 0.0005
    assert abs(mse_of_always_one - 1 / 6) < 0.003
    assert data.ADDING_BASELINE_MSE == pytest.approx(0.1667, abs=1e-4)


@pytest.mark.parametrize("T", [1, 5, 30])
def test_copy_memory_layout_and_baseline(T):
    m = 64
    x, y = data.copy_memory(T, m, seed=2)
    length = T + 20
    assert x.shape == (10, m, length) and y.shape == (m, length)
    np.testing.assert_array_equal(x.sum(axis=0), 1)  # one-hot
    inputs = x.argmax(axis=0)
    assert (inputs[:, :10] < 8).all()  # 10 symbols from 8
    assert (inputs[:, 10 : T + 9] == data.COPY_BLANK).all()  # T - 1 blanks
    assert (inputs[:, T + 9] == data.COPY_DELIMITER).all()
    assert (inputs[:, T + 10 :] == data.COPY_BLANK).all()
    assert (y[:, : T + 10] == data.COPY_BLANK).all()
    np.testing.assert_array_equal(y[:, T + 10 :], inputs[:, :10])

    # The memoryless strategy: "blank" for sure, then uniform over the 8 symbols.
    logits = np.full((10, m, length), -1e4)
    logits[data.COPY_BLANK, :, : T + 10] = 0.0
    logits[:8, :, T + 10 :] = 0.0
    loss, _ = rnnbook.softmax_cross_entropy(logits, y)  # summed over time
    per_step = loss / length
    assert per_step == pytest.approx(10 * math.log(8) / (T + 20), rel=1e-12)
    assert data.copy_memory_baseline(T) == pytest.approx(per_step, rel=1e-12)


# --- the regression head and the regressor -------------------------------------------


def test_mse_head_gradients():
    rng = np.random.default_rng(0)
    a_last, y = rng.standard_normal((4, 6)), rng.standard_normal((2, 6))
    Wy, by = rng.standard_normal((2, 4)), rng.standard_normal((2, 1))
    loss, da_last, dWy, dby = longrange.mse_head(a_last, y, Wy, by)
    assert loss == pytest.approx(np.mean((Wy @ a_last + by - y) ** 2), rel=1e-14)
    arrays = {"a_last": a_last, "Wy": Wy, "by": by}
    grads = {"da_last": da_last, "dWy": dWy, "dby": dby}
    errors = rnnbook.gradient_check(lambda: longrange.mse_head(a_last, y, Wy, by)[0],
                                    arrays, grads)
    assert max(errors.values()) < 1e-8, errors


@pytest.mark.parametrize("backend", recurrent.BACKENDS)
@pytest.mark.parametrize("kind", KINDS)
def test_regressor_gradients(kind, backend):
    x, y = data.adding_problem(6, 3, seed=1)
    parameters = longrange.init_regressor(kind, 2, 4, seed=2, dtype=np.float64)
    rng = np.random.default_rng(3)
    for value in parameters.values():
        value += 0.3 * rng.standard_normal(value.shape)

    def loss():
        return longrange.regressor_loss_and_grads(kind, x, y, parameters, backend)[0]

    _, grads = longrange.regressor_loss_and_grads(kind, x, y, parameters, backend)
    errors = rnnbook.gradient_check(loss, parameters, grads)
    assert max(errors.values()) < 1e-7, errors


def test_train_adding_learns_a_short_problem():
    result = longrange.train_adding("gru", 6, hidden=8, steps=150, batch=32, lr=0.02, seed=0)
    assert len(result["mse"]) == 150
    assert result["test_mse"] < 0.5 * data.ADDING_BASELINE_MSE


# --- the character model ------------------------------------------------------------


def small_model(kind, dtype=np.float64, backend="fast", seed=0):
    vocab = data.Vocabulary("abcdefg\n")
    model = charlm.CharLM(vocab, kind, hidden=5, embedding=3, seed=seed, dtype=dtype,
                          backend=backend)
    rng = np.random.default_rng(seed + 10)
    for value in model.parameters.values():
        value += 0.2 * rng.standard_normal(value.shape).astype(dtype)
    return model


@pytest.mark.parametrize("kind", KINDS)
def test_charlm_gradients(kind):
    model = small_model(kind)
    rng = np.random.default_rng(4)
    inputs, targets = rng.integers(0, 8, size=(3, 5)), rng.integers(0, 8, size=(3, 5))
    inputs[0, :3] = 2  # one character several times: its embedding column sums them
    loss, grads = model.loss_and_grads(inputs, targets)
    errors = rnnbook.gradient_check(
        lambda: model.loss_and_grads(inputs, targets)[0], model.parameters, grads
    )
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("kind", KINDS)
def test_charlm_backends_agree(kind):
    rng = np.random.default_rng(5)
    inputs, targets = rng.integers(0, 8, size=(4, 7)), rng.integers(0, 8, size=(4, 7))
    fast_loss, fast_grads = small_model(kind).loss_and_grads(inputs, targets)
    book_loss, book_grads = small_model(kind, backend="textbook").loss_and_grads(inputs, targets)
    assert fast_loss == pytest.approx(book_loss, rel=1e-12)
    for name in small_model(kind).parameters:
        np.testing.assert_allclose(fast_grads["d" + name], book_grads["d" + name],
                                   rtol=1e-10, atol=1e-12, err_msg=name)


def test_charlm_loss_is_summed_over_time_and_averaged_over_the_batch():
    model = small_model("rnn")
    rng = np.random.default_rng(6)
    inputs, targets = rng.integers(0, 8, size=(2, 6)), rng.integers(0, 8, size=(2, 6))
    both, _ = model.loss_and_grads(inputs, targets)
    each = [model.loss_and_grads(inputs[i : i + 1], targets[i : i + 1])[0] for i in range(2)]
    assert both == pytest.approx(np.mean(each), rel=1e-12)
    # A fresh model guesses about uniformly: log(8) nats for each of the 6 steps.
    fresh = charlm.CharLM(model.vocab, "rnn", 5, 3, dtype=np.float64)
    assert fresh.loss_and_grads(inputs, targets)[0] / 6 == pytest.approx(np.log(8), abs=0.3)


def test_parameter_budgets():
    for kind in KINDS:
        model = charlm.CharLM(data.Vocabulary("xyz\n"), kind, hidden=7, embedding=3)
        assert model.parameter_count() == charlm.parameter_count(kind, 4, 7, 3)
    budget = charlm.parameter_count("lstm", 99, 64, 32)
    for kind in KINDS:
        hidden = charlm.hidden_for_budget(kind, 99, 32, budget)
        assert abs(charlm.parameter_count(kind, 99, hidden, 32) / budget - 1) < 0.02
    assert charlm.hidden_for_budget("lstm", 99, 32, budget) == 64


def test_sampling_is_seeded_and_cools_to_the_argmax():
    model = small_model("lstm", dtype=np.float32)
    a = model.sample(40, temperature=1.0, seed=7)
    assert len(a) == 40 and set(a) <= set(model.vocab.chars)
    assert model.sample(40, temperature=1.0, seed=7) == a
    assert model.sample(40, temperature=1.0, seed=8) != a
    greedy = model.sample(40, temperature=0, seed=1)
    assert model.sample(40, temperature=0, seed=2) == greedy  # no randomness left
    # T -> 0 is the argmax: at the floor, 1e-3, once the scores' gaps are well
    # above it (the untrained model's are not, so its scores are scaled up)
    model.parameters["Wy"] *= 1000
    greedy = model.sample(40, temperature=0, seed=1)
    assert model.sample(40, temperature=1e-3, seed=3) == greedy
    # below the floor, scores / T overflow (1e-320 gave a sample of newlines)
    for too_cold in (1e-4, 1e-320, -1.0, float("nan")):
        with pytest.raises(ValueError, match="temperature must be 0"):
            model.sample(5, temperature=too_cold)
    assert model.sample(0) == ""
    several = model.sample(10, seed=1, count=3)
    assert len(several) == 3 and all(len(s) == 10 for s in several)
    with pytest.raises(ValueError, match="'z'"):
        model.sample(5, prime="z")


def test_save_and_load_round_trip_exactly(tmp_path):
    model = small_model("gru", dtype=np.float32)
    model.steps_trained = 12
    path = model.save(tmp_path / "model")
    assert path.endswith("model.npz")
    loaded = charlm.CharLM.load(path)
    assert loaded.config() == model.config()
    assert loaded.parameters.keys() == model.parameters.keys()
    for name, value in model.parameters.items():
        assert loaded.parameters[name].dtype == value.dtype
        np.testing.assert_array_equal(loaded.parameters[name], value)
    assert loaded.sample(50, seed=3) == model.sample(50, seed=3)
    with np.load(path, allow_pickle=False) as archive:  # plain arrays, no pickle
        assert "config" in archive.files


def test_load_refuses_other_files(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    (tmp_path / "text.npz").write_text("not a zip")
    for name, message in (("other.npz", "not a model"), ("text.npz", "not an .npz"),
                          ("absent.npz", "no such file")):
        with pytest.raises(charlm.ModelFileError, match=message):
            charlm.CharLM.load(tmp_path / name)


def test_training_lowers_the_loss():
    text = "the cat sat on the mat. the dog sat on the log.\n" * 8
    vocab = data.Vocabulary.from_text(text)
    model = charlm.CharLM(vocab, "lstm", hidden=24, embedding=8, seed=0)
    lines = []

    class Out:
        def write(self, s):
            lines.append(s)

        def flush(self):
            pass

    seen = []
    history = charlm.train(model, vocab.encode(text), steps=80, seq_len=16, batch=8, lr=0.01,
                           seed=0, log_every=40, out=Out(),
                           callback=lambda step, m: seen.append(step))
    assert len(history) == 80 and seen == list(range(1, 81))
    start, end = np.mean(history[:5]), np.mean(history[-5:])
    assert start == pytest.approx(np.log(len(vocab)), abs=0.3)
    assert end < start - 1.0, (start, end)
    progress = [line for line in "".join(lines).splitlines() if line]
    assert len(progress) == 2 and progress[-1].startswith("step 80/80  loss ")
    assert progress[-1].endswith("chars/s")
    assert model.steps_trained == 80
    # It has learned the text: after a prime, the likeliest continuation is the text's.
    assert model.sample(2, temperature=0, prime="the c") == "at"
    assert model.sample(2, temperature=0, prime="the d") == "og"


def test_charlm_refuses_ids_outside_the_vocabulary():
    """-1 used to wrap silently to the last character; V and float ids gave a
    bare IndexError."""
    model = small_model("gru")
    V = len(model.vocab)
    good = np.zeros((2, 3), dtype=np.int64)
    for bad, error, message in (
        (np.full((2, 3), -1), ValueError, r"inputs holds ids outside \[0, V\)"),
        (np.full((2, 3), V), ValueError, rf"max {V}"),
        (good.astype(float), TypeError, "integer character ids"),
        (good[0], ValueError, r"needs \(m, T_x\)"),
    ):
        with pytest.raises(error, match=message):
            model.loss_and_grads(bad, good[: bad.shape[0]] if bad.ndim == 2 else good)
    with pytest.raises(ValueError, match="targets holds ids outside"):
        model.loss_and_grads(good, np.full((2, 3), -1))
    with pytest.raises(ValueError, match="targets has shape"):
        model.loss_and_grads(good, good[:, :2])
