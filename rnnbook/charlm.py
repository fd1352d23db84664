"""A character-level language model: read text, predict the next character.

The model has three layers, applied at every time step t:

    x<t> = E[:, id<t>]                          embedding: a column per character
    a<t> = recurrent layer(x<t>, a<t-1>)        "rnn", "lstm" or "gru"
    y_hat<t> = softmax(Wy a<t> + by)            a distribution over the vocabulary

The embedding is what a one-hot input does anyway: ``Wax @ one_hot(k)`` is
column k of ``Wax``.  Looking the column up costs nothing, whereas the product
with a one-hot vector costs a multiplication per vocabulary entry, and a
vocabulary of Chinese characters has over a thousand.

The loss is rnnbook.loss's softmax cross-entropy: summed over the T_x steps
of a sequence and averaged over the m sequences of a batch.  Summing over time
is what backpropagation through time differentiates in the chapters (L = sum_t
L<t>), and every step's prediction then counts the same whatever the sequence
length; averaging over the batch keeps the size of an update independent of
the batch size.  Progress is reported per character (the loss divided by T_x)
so that runs with different sequence lengths compare: log(vocabulary size)
nats per character is a uniform guess, 0 a perfect one.

Parameters live in one dict: ``E`` (n_e, V), the recurrent layer's own names
(see rnnbook.recurrent), ``Wy`` (V, n_a) and ``by`` (V, 1).  A model saves to
a ``.npz`` file with numpy's own format: one array per parameter and a JSON
string ``config``, read back with ``allow_pickle=False``.
"""

import json
import os
import sys
import time
import zipfile

import numpy as np

from rnnbook import recurrent
from rnnbook.activations import softmax
from rnnbook.clipping import clip_by_global_norm
from rnnbook.data import Vocabulary, batches
from rnnbook.loss import softmax_cross_entropy
from rnnbook.optim import Adam

FORMAT = "rnnbook-charlm"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A file that is not a model saved by CharLM.save; the message is one line."""


def parameter_count(kind, vocab_size, hidden, embedding):
    """Numbers in a model: the embedding, the recurrent layer and the output layer."""
    return (
        embedding * vocab_size
        + recurrent.layer_parameter_count(kind, embedding, hidden)
        + (hidden + 1) * vocab_size
    )


def hidden_for_budget(kind, vocab_size, embedding, budget):
    """The hidden size whose model's parameter count is closest to ``budget``."""
    recurrent.check_kind(kind)
    best, best_gap = 1, None
    for hidden in range(1, 4097):
        gap = abs(parameter_count(kind, vocab_size, hidden, embedding) - budget)
        if best_gap is None or gap < best_gap:
            best, best_gap = hidden, gap
        elif parameter_count(kind, vocab_size, hidden, embedding) > budget:
            break
    return best


def _positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class CharLM:
    """A character-level language model with an RNN, LSTM or GRU layer.

    Arguments:
        vocab: a rnnbook.data.Vocabulary (or a string of its characters).
        kind: "rnn", "lstm" or "gru".
        hidden: n_a, the size of the hidden state.
        embedding: n_e, the size of a character's vector.
        seed: seeds the initial parameters.
        dtype: float32 (the default: fast, and enough for training) or float64.
        backend: "fast" (rnnbook.fast) or "textbook" (the chapters' functions).
    """

    def __init__(self, vocab, kind="lstm", hidden=128, embedding=32, *, seed=0,
                 dtype=np.float32, backend=recurrent.DEFAULT_BACKEND):
        if isinstance(vocab, str):
            vocab = Vocabulary(vocab)
        if not isinstance(vocab, Vocabulary):
            raise TypeError(f"vocab must be a Vocabulary or a string, got {type(vocab).__name__}")
        recurrent.check_kind(kind)
        recurrent.check_backend(backend)
        _positive_int("hidden", hidden)
        _positive_int("embedding", embedding)
        self.vocab, self.kind, self.hidden, self.embedding = vocab, kind, hidden, embedding
        self.dtype = np.dtype(dtype)
        self.backend = backend
        self.steps_trained = 0
        V = len(vocab)
        rng = np.random.default_rng([seed, 7])
        self.parameters = {"E": rng.standard_normal((embedding, V)).astype(self.dtype)}
        self.parameters.update(
            recurrent.init_layer(kind, embedding, hidden, seed=seed, dtype=self.dtype)
        )
        bound = 1 / np.sqrt(hidden)
        self.parameters["Wy"] = rng.uniform(-bound, bound, size=(V, hidden)).astype(self.dtype)
        self.parameters["by"] = np.zeros((V, 1), dtype=self.dtype)

    def __repr__(self):
        return (
            f"CharLM(kind={self.kind!r}, hidden={self.hidden}, embedding={self.embedding}, "
            f"vocabulary={len(self.vocab)}, parameters={self.parameter_count():,})"
        )

    def parameter_count(self):
        return sum(int(value.size) for value in self.parameters.values())

    def _layer(self):
        return recurrent.layer_parameters(self.kind, self.parameters)

    def loss_and_grads(self, inputs, targets):
        """Loss of a batch and the gradient of every parameter.

        Arguments:
            inputs, targets: (m, T_x) integer arrays of character ids; targets
                are the inputs moved on by one character.

        Returns:
            loss: cross-entropy summed over the T_x steps and averaged over the
                m sequences (divide by T_x for nats per character).
            grads: "d" + name for every parameter.
        """
        p = self.parameters
        m, T_x = inputs.shape
        V, n_a = p["Wy"].shape
        x = p["E"][:, inputs]  # (n_e, m, T_x): the embedding looked up
        a0 = np.zeros((n_a, m), dtype=self.dtype)
        a, cache = recurrent.forward(self.kind, x, a0, self._layer(), self.backend)

        # The output layer for all steps at once: one product with m T_x columns.
        a_columns = a.reshape(n_a, m * T_x)
        logits = (p["Wy"] @ a_columns + p["by"]).reshape(V, m, T_x)
        loss, dlogits = softmax_cross_entropy(logits, targets)
        dlogits = dlogits.reshape(V, m * T_x)
        da = (p["Wy"].T @ dlogits).reshape(n_a, m, T_x)

        grads = recurrent.backward(self.kind, da, cache, self.backend)
        grads["dWy"] = dlogits @ a_columns.T
        grads["dby"] = dlogits.sum(axis=1, keepdims=True)
        # Column k of E received the gradient of every step whose input was k.
        dE = np.zeros_like(p["E"])
        np.add.at(dE.T, inputs.reshape(-1), grads["dx"].reshape(self.embedding, -1).T)
        grads["dE"] = dE
        return float(loss), grads

    def sample(self, length, *, temperature=1.0, seed=0, prime=None, count=1):
        """Generate text, one character at a time, each fed back as the next input.

        Arguments:
            length: characters to generate (after the prime).
            temperature: divides the scores before the softmax.  1 samples the
                model's own distribution; below 1 sharpens it towards the most
                likely character (0 takes that character every time, the
                argmax); above 1 flattens it towards uniform.
            seed: seeds the draws, so a sample can be repeated exactly.
            prime: text to read first (its characters must be in the
                vocabulary); by default a newline if the vocabulary has one,
                so that the sample starts as a new line would.
            count: how many independent samples, generated side by side.

        Returns:
            the generated string (without the prime), or a list of ``count``
            strings when count > 1.
        """
        if length < 0:
            raise ValueError(f"length must be >= 0, got {length!r}")
        if not (np.isfinite(temperature) and temperature >= 0):
            raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}")
        _positive_int("count", count)
        if prime is None:
            prime = "\n" if "\n" in self.vocab else self.vocab.chars[0]
        if not prime:
            raise ValueError("prime must have at least one character")
        ids = self.vocab.encode(prime)
        rng = np.random.default_rng(seed)
        p, layer = self.parameters, self._layer()
        state = recurrent.zero_state(self.kind, self.hidden, count, self.dtype)
        for k in ids[:-1]:  # read the prime; its last character is the first input
            state = recurrent.step(self.kind, p["E"][:, [k] * count], state, layer)
        current = np.full(count, ids[-1])
        out = np.empty((count, length), dtype=np.int64)
        for t in range(length):
            state = recurrent.step(self.kind, p["E"][:, current], state, layer)
            scores = (p["Wy"] @ state[0] + p["by"]).astype(np.float64)
            if temperature == 0:
                current = scores.argmax(axis=0)
            else:
                probabilities = softmax(scores / temperature)
                # Inverse-CDF draw, one uniform number per sample.
                cumulative = np.cumsum(probabilities, axis=0)
                u = rng.random(count) * cumulative[-1]
                current = np.minimum((cumulative < u).sum(axis=0), len(self.vocab) - 1)
            out[:, t] = current
        texts = [self.vocab.decode(row) for row in out]
        return texts[0] if count == 1 else texts

    def mean_loss(self, ids, seq_len=64):
        """Nats per character over a whole text, read in windows of seq_len (no training)."""
        ids = np.asarray(ids)
        n = (len(ids) - 1) // seq_len
        if n < 1:
            raise ValueError(f"the text needs more than seq_len = {seq_len} characters")
        starts = seq_len * np.arange(n)
        window = ids[starts[:, None] + np.arange(seq_len + 1)]
        loss, _ = self.loss_and_grads(window[:, :-1], window[:, 1:])
        return loss / seq_len

    # --- saving and loading ---------------------------------------------------------

    def config(self):
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "kind": self.kind,
            "hidden": self.hidden,
            "embedding": self.embedding,
            "dtype": self.dtype.name,
            "vocabulary": self.vocab.to_string(),
            "steps_trained": self.steps_trained,
        }

    def save(self, path):
        """Write the model to ``path`` (numpy's .npz; the suffix is added if missing).

        Returns the path written.  The parameters are stored as they are, so
        a loaded model computes exactly what this one does.
        """
        path = os.fspath(path)
        if not path.endswith(".npz"):
            path += ".npz"
        config = np.array(json.dumps(self.config(), ensure_ascii=False))
        np.savez(path, config=config, **self.parameters)
        return path

    @classmethod
    def load(cls, path, backend=recurrent.DEFAULT_BACKEND):
        """A model saved by save(); ModelFileError (one line) for anything else."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise ModelFileError(f"{path}: no such file")
        # An .npz is a zip archive; anything else np.load would try as a pickle.
        if not zipfile.is_zipfile(path):
            raise ModelFileError(f"{path}: not a model saved by rnnbook (not an .npz archive)")
        try:
            archive = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as err:
            raise ModelFileError(f"{path}: not a model saved by rnnbook ({err})") from None
        with archive:
            try:
                config = json.loads(str(archive["config"]))
                arrays = {name: archive[name] for name in archive.files if name != "config"}
            except (KeyError, ValueError) as err:
                raise ModelFileError(f"{path}: not a model saved by rnnbook ({err})") from None
        if not isinstance(config, dict) or config.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not a model saved by rnnbook (no {FORMAT} config)")
        if config.get("version") != FORMAT_VERSION:
            raise ModelFileError(
                f"{path}: saved in format version {config.get('version')}, "
                f"this rnnbook reads version {FORMAT_VERSION}"
            )
        try:
            model = cls(
                Vocabulary(config["vocabulary"]), config["kind"], config["hidden"],
                config["embedding"], dtype=np.dtype(config["dtype"]), backend=backend,
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ModelFileError(f"{path}: its config is not valid ({err})") from None
        expected = {name: value.shape for name, value in model.parameters.items()}
        got = {name: value.shape for name, value in arrays.items()}
        if expected != got or any(a.dtype != model.dtype for a in arrays.values()):
            raise ModelFileError(f"{path}: its arrays do not match its config")
        model.parameters = arrays
        model.steps_trained = int(config.get("steps_trained", 0))
        return model


def train(model, ids, *, steps, seq_len=64, batch=32, lr=3e-3, clip=5.0, seed=0,
          log_every=50, out=sys.stdout, callback=None, optimizer=None):
    """Train ``model`` on a text (its character ids) with Adam and global-norm clipping.

    Every ``log_every`` steps a line goes to ``out`` with the step, the mean
    loss in nats per character over those steps and the throughput in
    characters per second.  ``callback(step, model)``, if given, runs after
    every step (the notebook uses it to take samples during training).
    Pass the ``optimizer`` of an earlier call to go on where it stopped.

    Returns the loss of every step in nats per character, a list.
    """
    _positive_int("seq_len", seq_len)
    _positive_int("batch", batch)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    optimizer = optimizer if optimizer is not None else Adam(lr=lr)
    stream = batches(np.asarray(ids), seq_len, batch, seed=[seed, model.steps_trained])
    history = []
    tick, chars = time.perf_counter(), 0
    for step in range(1, steps + 1):
        inputs, targets = next(stream)
        loss, grads = model.loss_and_grads(inputs, targets)
        grads = {"d" + name: grads["d" + name] for name in model.parameters}
        if clip:
            grads = clip_by_global_norm(grads, clip)
        optimizer.step(model.parameters, grads)
        model.steps_trained += 1
        history.append(loss / seq_len)
        chars += inputs.size
        if log_every and (step % log_every == 0 or step == steps):
            now = time.perf_counter()
            since_last = step % log_every or log_every
            recent = float(np.mean(history[-since_last:]))
            print(
                f"step {step:{len(str(steps))}d}/{steps}  loss {recent:.3f} nats/char  "
                f"{chars / max(now - tick, 1e-9):,.0f} chars/s",
                file=out,
                flush=True,
            )
            tick, chars = now, 0
        if callback is not None:
            callback(step, model)
    return history
