"""Data for the training chapters: text for a character model, and two memory tasks.

- Text: ``read_text`` reads a UTF-8 file (or raises ``CorpusError`` with a
  one-line reason), ``corpus_text`` gives the corpora that need no download
  (Tang poems shipped in ``rnnbook/corpus/``, and docstrings of Python's own
  standard library), ``Vocabulary`` maps characters to integers and back, and
  ``batches`` cuts the integers into training batches.
- Tasks: ``adding_problem`` and ``copy_memory``, the two long-range memory
  benchmarks of Arjovsky, Shah & Bengio (2016), with their baselines.

Every random draw takes a ``seed``: an int, or a ``numpy.random.Generator``
that a training loop passes on so that each call draws new data.
"""

import importlib
import importlib.resources
import inspect
import math

import numpy as np

# --- text -----------------------------------------------------------------------------


class CorpusError(ValueError):
    """A text that cannot be used for training; the message is one line."""


# name -> (file in rnnbook/corpus/, or None when gathered at run time; description)
CORPORA = {
    "tang-poems": ("tang_poems.txt", "Tang poems in simplified Chinese, shipped with rnnbook"),
    "python-docs": (None, "docstrings of Python's standard library, gathered at run time"),
}

# Pure-Python modules of the standard library whose docstrings make the
# "python-docs" corpus, in this order.  Their text differs a little between
# Python versions; it needs no download on any of them.
STDLIB_MODULES = (
    "abc", "argparse", "ast", "base64", "bisect", "calendar", "collections", "colorsys",
    "configparser", "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal",
    "difflib", "enum", "fileinput", "fnmatch", "fractions", "functools", "getopt",
    "gettext", "glob", "gzip", "heapq", "hmac", "html", "inspect", "ipaddress", "json",
    "logging", "mimetypes", "numbers", "operator", "optparse", "pathlib", "pickle",
    "pprint", "queue", "random", "re", "sched", "secrets", "shlex", "shutil", "statistics",
    "string", "tarfile", "tempfile", "textwrap", "threading", "timeit", "tokenize",
    "traceback", "typing", "unittest", "urllib.parse", "uuid", "warnings", "wave",
    "weakref", "zipfile",
)


def read_text(path):
    """The contents of a UTF-8 text file, or CorpusError saying why not.

    A leading byte-order mark is dropped.  A missing file, a directory, an
    unreadable file, bytes that are not UTF-8 and an empty file (or one of
    whitespace only) each raise CorpusError with a one-line message.
    """
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory, not a text file") from None
    except OSError as err:
        raise CorpusError(f"{path}: cannot be read ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CorpusError(
            f"{path}: not UTF-8 text (byte {raw[err.start]:#04x} at offset {err.start}); "
            "save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CorpusError(f"{path}: the file is empty")
    return text


def stdlib_docstrings(modules=STDLIB_MODULES):
    """Docstrings of standard-library modules and of their public classes and functions.

    Each docstring is cleaned by inspect.getdoc and followed by a blank line.
    Modules are visited in the order given, their members by name, so the
    result is the same on every run of the same Python.
    """
    seen = set()
    parts = []

    def add(obj):
        doc = inspect.getdoc(obj)
        if doc and doc not in seen:
            seen.add(doc)
            parts.append(doc.strip())

    for name in modules:
        module = importlib.import_module(name)
        add(module)
        for member_name, member in sorted(vars(module).items()):
            if member_name.startswith("_"):
                continue
            if getattr(member, "__module__", None) != module.__name__:
                continue  # imported from elsewhere
            if inspect.isclass(member) or inspect.isfunction(member):
                add(member)
    return "\n\n".join(parts) + "\n"


def corpus_path(name):
    """The path of a corpus shipped in rnnbook/corpus/ (a Traversable)."""
    if name not in CORPORA or CORPORA[name][0] is None:
        shipped = [key for key, (file, _) in CORPORA.items() if file is not None]
        raise ValueError(f"no shipped corpus {name!r}; the shipped ones are {shipped}")
    return importlib.resources.files("rnnbook") / "corpus" / CORPORA[name][0]


def corpus_text(name):
    """The text of a named corpus: "tang-poems" or "python-docs" (see CORPORA)."""
    if name not in CORPORA:
        raise ValueError(f"no corpus named {name!r}; choose from {', '.join(CORPORA)}")
    if CORPORA[name][0] is None:
        return stdlib_docstrings()
    return corpus_path(name).read_text(encoding="utf-8")


class Vocabulary:
    """The characters of a text, each with an integer id (its rank in sorted order)."""

    def __init__(self, chars):
        chars = list(chars)
        if not chars:
            raise ValueError("a vocabulary needs at least one character")
        if any(not isinstance(ch, str) or len(ch) != 1 for ch in chars):
            raise ValueError("a vocabulary is a sequence of single characters")
        if len(set(chars)) != len(chars):
            raise ValueError("the characters of a vocabulary must be distinct")
        self.chars = chars
        self.index = {ch: i for i, ch in enumerate(chars)}

    @classmethod
    def from_text(cls, text):
        return cls(sorted(set(text)))

    def __len__(self):
        return len(self.chars)

    def __contains__(self, ch):
        return ch in self.index

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and self.chars == other.chars

    def __repr__(self):
        return f"Vocabulary({len(self)} characters)"

    def encode(self, text):
        """A string -> a 1-D int array of ids; ValueError for a character not in it."""
        try:
            return np.array([self.index[ch] for ch in text], dtype=np.int64)
        except KeyError as err:
            raise ValueError(f"the character {err.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids):
        """Ids (any iterable of ints) -> the string they stand for."""
        return "".join(self.chars[int(i)] for i in ids)

    def to_string(self):
        """All characters in id order, one string: what a saved model stores."""
        return "".join(self.chars)


def window_starts(n, seq_len, offset=0):
    """Starts of the non-overlapping windows of seq_len + 1 ids that fit in n ids.

    Window k covers positions offset + k seq_len ... offset + (k + 1) seq_len:
    consecutive windows share one position, the last target of one being the
    first input of the next, so every position after ``offset`` but the last
    few (fewer than seq_len) is a target exactly once.
    """
    count = (n - 1 - offset) // seq_len
    return offset + seq_len * np.arange(max(count, 0), dtype=np.int64)


def batches(ids, seq_len, batch_size, seed=0):
    """Yield (inputs, targets) batches for a character model, forever.

    ``inputs`` and ``targets`` are (batch_size, seq_len) int arrays; row i of
    ``targets`` is row i of ``inputs`` moved on by one character (predict the
    next character).  An epoch is one pass over the windows of window_starts,
    in random order, from a random offset below seq_len (so that windows do
    not always start at the same places); when an epoch runs out the batch is
    filled from the next one.  A text shorter than seq_len + 1 raises
    CorpusError.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise TypeError("ids must be a 1-D integer array")
    for name, value in (("seq_len", seq_len), ("batch_size", batch_size)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    n = len(ids)
    if n < seq_len + 1:
        raise CorpusError(
            f"the text has {n} characters, fewer than one sequence needs "
            f"(seq_len + 1 = {seq_len + 1})"
        )
    rng = np.random.default_rng(seed)
    pending = np.empty(0, dtype=np.int64)
    span = np.arange(seq_len + 1)
    while True:
        if len(pending) < batch_size:
            # Gather whole epochs in a list and join them once: joining after
            # every epoch would copy the pending starts again each time, which
            # is quadratic when a batch spans many epochs of a short text.
            epochs, count = [pending], len(pending)
            while count < batch_size:
                offset = int(rng.integers(0, min(seq_len - 1, n - 1 - seq_len) + 1))
                starts = window_starts(n, seq_len, offset)
                rng.shuffle(starts)
                epochs.append(starts)
                count += len(starts)
            pending = np.concatenate(epochs)
        take, pending = pending[:batch_size], pending[batch_size:]
        chunk = ids[take[:, None] + span]
        yield chunk[:, :-1], chunk[:, 1:]


# --- long-range memory tasks --------------------------------------------------------


def _check_task_sizes(T, batch, T_min):
    for name, value, low in (("T", T, T_min), ("batch", batch, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


ADDING_BASELINE_MSE = 1 / 6


def adding_problem(T, batch, seed=0, dtype=np.float64):
    """The adding problem (Hochreiter & Schmidhuber 1997; here as in Arjovsky et al. 2016).

    Returns:
        x: (2, batch, T).  Row 0 holds values drawn from U[0, 1]; row 1 holds
            markers, 0 everywhere except one 1 in the first half of the
            sequence (steps 0 ... T//2 - 1) and one 1 in the second half.
        y: (1, batch), the sum of the two marked values.

    The sum of two independent U[0, 1] values has mean 1 and variance
    2/12 = 1/6, so a model that ignores its input and always answers 1 scores
    an MSE of 1/6 (ADDING_BASELINE_MSE): that is the level to beat.
    """
    _check_task_sizes(T, batch, 2)
    rng = np.random.default_rng(seed)
    half = T // 2
    values = rng.uniform(0, 1, size=(batch, T))
    first = rng.integers(0, half, size=batch)
    second = rng.integers(half, T, size=batch)
    rows = np.arange(batch)
    markers = np.zeros((batch, T))
    markers[rows, first] = 1
    markers[rows, second] = 1
    x = np.stack([values, markers]).astype(dtype)
    y = (values[rows, first] + values[rows, second])[None, :].astype(dtype)
    return x, y


COPY_SYMBOLS = 8  # data symbols 0 ... 7
COPY_BLANK = 8
COPY_DELIMITER = 9
COPY_CLASSES = 10
COPY_LENGTH = 10  # symbols to remember


def copy_memory(T, batch, seed=0, dtype=np.float64):
    """The copy-memory task of Arjovsky, Shah & Bengio (2016).

    A sequence of T + 20 steps: 10 symbols drawn from 8 (ids 0-7), T - 1
    blanks (id 8), a delimiter (id 9) and 10 more blanks.  The target is
    T + 10 blanks followed by the 10 symbols: after the delimiter, the model
    must replay what it saw T steps (and more) earlier.

    Returns:
        x: one-hot inputs, (10, batch, T + 20).
        y: integer targets, (batch, T + 20), for softmax_cross_entropy.
        (Also the labels of the inputs are x.argmax(axis=0).)

    A model with no memory can do no better than answer "blank" for the first
    T + 10 steps and guess uniformly among 8 symbols for the last 10: see
    copy_memory_baseline.
    """
    _check_task_sizes(T, batch, 1)
    rng = np.random.default_rng(seed)
    length = T + 2 * COPY_LENGTH
    symbols = rng.integers(0, COPY_SYMBOLS, size=(batch, COPY_LENGTH))
    inputs = np.full((batch, length), COPY_BLANK, dtype=np.int64)
    inputs[:, :COPY_LENGTH] = symbols
    inputs[:, T + COPY_LENGTH - 1] = COPY_DELIMITER
    targets = np.full((batch, length), COPY_BLANK, dtype=np.int64)
    targets[:, -COPY_LENGTH:] = symbols
    x = np.eye(COPY_CLASSES, dtype=dtype)[inputs].transpose(2, 0, 1)
    return np.ascontiguousarray(x), targets


def copy_memory_baseline(T):
    """Cross-entropy per step of the memoryless strategy: 10 log 8 / (T + 20).

    Only the last 10 of the T + 20 steps are uncertain for it, each with 8
    equally likely symbols (log 8 nats); the blanks cost nothing.
    """
    _check_task_sizes(T, 1, 1)
    return COPY_LENGTH * math.log(COPY_SYMBOLS) / (T + 2 * COPY_LENGTH)
