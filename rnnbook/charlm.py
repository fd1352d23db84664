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
import math
import os
import sys
import tempfile
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


# A model file claims its own sizes; nothing is allocated for it before they are
# checked against each other and against this bound (4 GiB of float64).
MAX_FILE_PARAMETERS = 2**29
# The largest hidden size, embedding size or vocabulary a model file may claim.
MAX_FILE_SIZE = 2**20


class ModelFileError(ValueError):
    """A file that is not a model saved by CharLM.save; the message is one line."""


class TrainingDiverged(ArithmeticError):
    """The loss or a parameter stopped being finite; the model keeps the last
    finite parameters (those before the step named in the message)."""

    def __init__(self, step, what):
        self.step = step
        super().__init__(
            f"the {what} became non-finite at step {step}; the model keeps its parameters "
            f"from before that step (a learning rate that is too large is the usual cause)"
        )


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


# Below this (and above 0) a temperature divides the scores into overflow; 0
# itself means "always the likeliest character".
MIN_TEMPERATURE = 1e-3


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
        # How many threads the fast backend may share a batch's columns among
        # (None: it chooses; see rnnbook.fast.batch_parts).  Not saved with the model.
        self.threads = None
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
        V, n_a = p["Wy"].shape
        self.check_ids("inputs", inputs)
        self.check_ids("targets", targets)
        if targets.shape != inputs.shape:
            raise ValueError(
                f"targets has shape {targets.shape}, but it needs the shape of inputs, "
                f"(m, T_x) = {inputs.shape}"
            )
        m, T_x = inputs.shape
        x = p["E"][:, inputs]  # (n_e, m, T_x): the embedding looked up
        a0 = np.zeros((n_a, m), dtype=self.dtype)
        a, cache = recurrent.forward(self.kind, x, a0, self._layer(), self.backend,
                                     threads=self.threads)

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

    def check_ids(self, name, ids):
        """Character ids must be a 2-D integer array (m, T_x) with 0 <= id < V: a
        negative id would silently pick a character from the end of the
        vocabulary, and a float id cannot name one."""
        V = len(self.vocab)
        if isinstance(ids, np.ma.MaskedArray) or not isinstance(ids, np.ndarray):
            raise TypeError(f"{name} must be a numpy array of character ids, "
                            f"got {type(ids).__name__}")
        if not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"{name} must hold integer character ids, got dtype {ids.dtype}")
        if ids.ndim != 2 or 0 in ids.shape:
            raise ValueError(f"{name} has shape {ids.shape}, but it needs (m, T_x) with "
                             "at least one entry on each axis")
        low, high = int(ids.min()), int(ids.max())
        if low < 0 or high >= V:
            raise ValueError(
                f"{name} holds ids outside [0, V) = [0, {V}): min {low}, max {high}"
            )

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
        if not (np.isfinite(temperature) and (temperature == 0 or temperature >= MIN_TEMPERATURE)):
            raise ValueError(
                f"temperature must be 0 (always the likeliest character) or a finite number "
                f">= {MIN_TEMPERATURE:g}, got {temperature!r}: below that, the scores divided "
                "by it overflow"
            )
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

    def save(self, path, *, overwrite=True):
        """Write the model to ``path`` (numpy's .npz; the suffix is added if missing).

        Returns the path written.  The parameters are stored as they are, so
        a loaded model computes exactly what this one does.  The file is
        written whole or not at all: first to a temporary file in the same
        folder, flushed to the disk, then renamed over ``path`` in one step, so
        an interrupted save (Ctrl-C, a full disk, a killed process) leaves
        whatever was at ``path`` before.  ``overwrite=False`` refuses an
        existing file with FileExistsError.
        """
        path = model_path(path)
        if not overwrite and os.path.exists(path):
            raise FileExistsError(f"{path} exists already")
        config = np.array(json.dumps(self.config(), ensure_ascii=False))
        folder = os.path.dirname(os.path.abspath(path))
        descriptor, temporary = tempfile.mkstemp(
            dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".partial"
        )
        try:
            with os.fdopen(descriptor, "wb") as file:
                np.savez(file, config=config, **self.parameters)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        return path

    @classmethod
    def load(cls, path, backend=recurrent.DEFAULT_BACKEND):
        """A model saved by save(); ModelFileError (one line) for anything else.

        Nothing is allocated before the sizes are known to be sane: the config's
        sizes are checked against MAX_FILE_SIZE, the arrays' shapes are read from
        their .npy headers and compared with the shapes the config implies, and
        only then are the arrays read.  Every entry must be finite.
        """
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise ModelFileError(f"{path}: no such file")
        try:
            return cls._load(path, backend)
        except ModelFileError:
            raise
        except Exception as err:  # zip, zlib, npy and JSON errors of a damaged file
            detail = " ".join(str(err).split()) or type(err).__name__
            raise ModelFileError(
                f"{path}: not a readable model file ({type(err).__name__}: {detail[:200]})"
            ) from None

    @classmethod
    def _load(cls, path, backend):
        def refuse(reason):
            raise ModelFileError(f"{path}: {reason}")

        # An .npz is a zip archive; anything else np.load would try as a pickle.
        if not zipfile.is_zipfile(path):
            refuse("not a model saved by rnnbook (not an .npz archive)")
        with zipfile.ZipFile(path) as archive:
            members = {name[:-4]: name for name in archive.namelist() if name.endswith(".npy")}
            if "config" not in members:
                refuse(f"not a model saved by rnnbook (no {FORMAT} config)")
            config = _read_config(archive, members["config"], refuse)
            model = _model_for_config(cls, config, backend, refuse)
            expected = {name: value.shape for name, value in model.parameters.items()}
            arrays = {name: member for name, member in members.items() if name != "config"}
            if set(arrays) != set(expected):
                refuse(f"its arrays {sorted(arrays)} are not the {sorted(expected)} "
                       f"of a {model.kind} model")
            for name, member in arrays.items():
                shape, dtype = _npy_header(archive, member, refuse)
                if shape != expected[name] or dtype != model.dtype:
                    refuse(f"array {name} is {dtype} {shape}, but its config says "
                           f"{model.dtype} {expected[name]}")
            parameters = {}
            for name, member in arrays.items():
                with archive.open(member) as file:
                    value = np.lib.format.read_array(file, allow_pickle=False)
                if not np.all(np.isfinite(value)):
                    refuse(f"array {name} holds NaN or inf")
                parameters[name] = value
        model.parameters = {name: parameters[name] for name in expected}
        model.steps_trained = config["steps_trained"]
        return model


def model_path(path):
    """The file a model named ``path`` is saved in: ``.npz`` appended when missing."""
    path = os.fspath(path)
    if path.endswith((os.sep, "/")) or os.path.isdir(path):
        raise IsADirectoryError(
            f"{path} is a folder; name the model file, e.g. {path.rstrip('/')}/model.npz"
        )
    return path if path.endswith(".npz") else path + ".npz"


def check_writable(path):
    """Raise OSError unless a model can be written at ``path`` (as model_path names it):
    its folder exists and takes a new file.  Tried for real, with a temporary
    file that is removed at once, since permissions alone do not tell (root, /proc)."""
    path = model_path(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"the folder {folder} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise OSError(f"cannot write in {folder} ({err.strerror or err})") from None
    return path


def _reject_constant(name):
    raise ValueError(f"{name} is not a number a model file may hold")


def _read_config(archive, member, refuse):
    with archive.open(member) as file:
        shape, dtype = _npy_header(archive, member, refuse)
        if shape != () or dtype.kind != "U" or dtype.itemsize > 4 * 2**24:
            refuse(f"not a model saved by rnnbook (its config is {dtype} {shape})")
        text = str(np.lib.format.read_array(file, allow_pickle=False))
    try:
        config = json.loads(text, parse_constant=_reject_constant)
    except ValueError as err:
        refuse(f"its config is not valid JSON ({err})")
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        refuse(f"not a model saved by rnnbook (no {FORMAT} config)")
    if config.get("version") != FORMAT_VERSION:
        refuse(f"saved in format version {config.get('version')}, "
               f"this rnnbook reads version {FORMAT_VERSION}")
    return config


def _model_for_config(cls, config, backend, refuse):
    for name in ("hidden", "embedding"):
        value = config.get(name)
        if not (type(value) is int and 1 <= value <= MAX_FILE_SIZE):
            refuse(f"its config's {name} is {value!r}, not an integer from 1 to {MAX_FILE_SIZE}")
    steps = config.get("steps_trained", 0)
    if not (type(steps) is int and steps >= 0):
        refuse(f"its config's steps_trained is {steps!r}, not an integer >= 0")
    config["steps_trained"] = steps
    vocabulary = config.get("vocabulary")
    if not (isinstance(vocabulary, str) and 1 <= len(vocabulary) <= MAX_FILE_SIZE):
        refuse("its config's vocabulary is not a string of 1 to "
               f"{MAX_FILE_SIZE} characters")
    if config.get("dtype") not in ("float32", "float64"):
        refuse(f"its config's dtype is {config.get('dtype')!r}, not float32 or float64")
    kind = config.get("kind")
    if kind not in recurrent.KINDS:
        refuse(f"its config's kind is {kind!r}, not one of {', '.join(recurrent.KINDS)}")
    count = parameter_count(kind, len(vocabulary), config["hidden"], config["embedding"])
    if count > MAX_FILE_PARAMETERS:
        refuse(f"its config claims {count:,} parameters, more than the "
               f"{MAX_FILE_PARAMETERS:,} a model file may hold")
    try:
        return cls(
            Vocabulary(vocabulary), kind, config["hidden"], config["embedding"],
            dtype=np.dtype(config.get("dtype")), backend=backend,
        )
    except (KeyError, TypeError, ValueError) as err:
        refuse(f"its config is not valid ({err})")


def _npy_header(archive, member, refuse):
    """(shape, dtype) from the .npy header of ``member``, reading nothing else."""
    with archive.open(member) as file:
        version = np.lib.format.read_magic(file)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(file)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(file)
        else:
            refuse(f"{member} has .npy format version {version}, which rnnbook does not write")
    if fortran:
        refuse(f"{member} is stored in Fortran order, which rnnbook does not write")
    if math.prod(shape) > MAX_FILE_PARAMETERS:
        refuse(f"{member} claims shape {shape}, more than {MAX_FILE_PARAMETERS:,} numbers")
    return tuple(shape), dtype


def train(model, ids, *, steps, seq_len=64, batch=32, lr=3e-3, clip=5.0, seed=0,
          log_every=50, out=sys.stdout, callback=None, optimizer=None, progress="lines"):
    """Train ``model`` on a text (its character ids) with Adam and global-norm clipping.

    ``progress`` says how training reports itself on ``out``: "lines", a line
    every ``log_every`` steps with the step, the mean loss in nats per
    character over those steps and the throughput in characters per second;
    "bar", a live progress bar (tqdm) with the elapsed time, the time left,
    the loss and the throughput, updated from the first step; None, nothing.
    ``callback(step, model)``, if given, runs after every step (the notebook
    uses it to take samples during training, the command line to save
    checkpoints).  Pass the ``optimizer`` of an earlier call to go on where it
    stopped.

    A step whose loss, gradient or updated parameters are not finite raises
    TrainingDiverged, and the model keeps the parameters from before that step.

    Returns the loss of every step in nats per character, a list.
    """
    _positive_int("seq_len", seq_len)
    _positive_int("batch", batch)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if progress not in ("lines", "bar", None):
        raise ValueError(f'progress must be "lines", "bar" or None, got {progress!r}')
    optimizer = optimizer if optimizer is not None else Adam(lr=lr)
    stream = batches(np.asarray(ids), seq_len, batch, seed=[seed, model.steps_trained])
    history = []
    report = _Progress(progress, steps, log_every, out)
    try:
        for step in range(1, steps + 1):
            inputs, targets = next(stream)
            # Overflow is checked below and reported as TrainingDiverged, in one
            # line; numpy's warnings about it would only add noise.
            with np.errstate(over="ignore", invalid="ignore"):
                loss, grads = model.loss_and_grads(inputs, targets)
            grads = {"d" + name: grads["d" + name] for name in model.parameters}
            if not (np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())):
                raise TrainingDiverged(step, "loss" if not np.isfinite(loss) else "gradient")
            if clip:
                grads = clip_by_global_norm(grads, clip)
            # Adam updates in place: keep the parameters to put back if the step
            # overflows them (a copy costs far less than the step's products).
            before = {name: value.copy() for name, value in model.parameters.items()}
            with np.errstate(over="ignore", invalid="ignore"):
                optimizer.step(model.parameters, grads)
            if not all(np.isfinite(value).all() for value in model.parameters.values()):
                for name, value in before.items():
                    model.parameters[name][...] = value
                raise TrainingDiverged(step, "parameters")
            model.steps_trained += 1
            history.append(loss / seq_len)
            report.step(step, history, inputs.size)
            if callback is not None:
                callback(step, model)
    finally:
        report.close()
    return history


class _Progress:
    """How train() reports: lines every log_every steps, a tqdm bar, or nothing."""

    def __init__(self, kind, steps, log_every, out):
        self.kind, self.steps, self.log_every, self.out = kind, steps, log_every, out
        self.tick, self.chars = time.perf_counter(), 0
        self.bar = None
        if kind == "bar":
            from tqdm import tqdm  # only the command line's progress bar needs it

            self.bar = tqdm(total=steps, file=out, unit="step", dynamic_ncols=True,
                            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} "
                                       "[{elapsed}<{remaining}{postfix}]")

    def step(self, step, history, chars):
        self.chars += chars
        now = time.perf_counter()
        if self.bar is not None:
            recent = float(np.mean(history[-self.log_every:]))
            rate = self.chars / max(now - self.tick, 1e-9)
            self.bar.set_postfix_str(f"loss {recent:.3f} nats/char, {rate:,.0f} chars/s",
                                     refresh=False)
            self.bar.update(1)
            if step == 1:
                self.bar.refresh()  # show the first step's loss at once, not after 0.1 s
            return
        if self.kind == "lines" and self.log_every and (
            step % self.log_every == 0 or step == self.steps
        ):
            since_last = step % self.log_every or self.log_every
            recent = float(np.mean(history[-since_last:]))
            print(
                f"step {step:{len(str(self.steps))}d}/{self.steps}  loss {recent:.3f} nats/char  "
                f"{self.chars / max(now - self.tick, 1e-9):,.0f} chars/s",
                file=self.out,
                flush=True,
            )
            self.tick, self.chars = now, 0

    def close(self):
        if self.bar is not None:
            self.bar.close()
