"""``python -m rnnbook``: a tour of the package, and a character model to train.

    python -m rnnbook                      the tour (the same as `demo`)
    python -m rnnbook demo                 every model forward and backward, gradients checked
    python -m rnnbook train-charlm CORPUS  train a character-level model on a UTF-8 text

CORPUS is a path to a UTF-8 text file, or the name of a corpus that needs no
download: ``tang-poems`` (shipped with rnnbook) or ``python-docs`` (the
docstrings of Python's standard library).  An existing file of that name wins.

Bad input (a missing, empty or non-UTF-8 file, a text shorter than one
sequence, a file that is not a saved model) ends with one line on stderr and
exit status 1; a wrong option with argparse's usage message and status 2.
"""

import argparse
import os
import signal
import sys
import threading
import time

import numpy as np

import rnnbook
from rnnbook import charlm, data, fast, recurrent


def demo(out=sys.stdout):
    """Every model's loss and gradients on a small batch, checked numerically.

    Returns the worst relative error between analytic and numerical gradients.
    """
    rng = np.random.default_rng(0)
    n_x, n_a, n_y, m, T_x = 3, 5, 4, 2, 6
    x = rng.standard_normal((n_x, m, T_x))
    y = rng.integers(0, n_y, size=(m, T_x))
    a0 = np.zeros((n_a, m))
    models = [
        ("RNN", rnnbook.init_rnn_parameters, rnnbook.rnn_loss_and_grads),
        ("LSTM", rnnbook.init_lstm_parameters, rnnbook.lstm_loss_and_grads),
        ("GRU (reset before)", rnnbook.init_gru_parameters, rnnbook.gru_loss_and_grads),
        (
            "GRU (reset after)",
            lambda *a, **k: rnnbook.init_gru_parameters(*a, reset_after=True, **k),
            lambda *a: rnnbook.gru_loss_and_grads(*a, reset_after=True),
        ),
    ]
    print(f"x: (n_x, m, T_x) = {x.shape}, labels y: (m, T_x) = {y.shape}", file=out)
    worst_overall = 0.0
    for name, init, loss_and_grads in models:
        parameters = init(n_x, n_a, n_y, seed=1)
        loss, grads = loss_and_grads(x, y, a0, parameters)

        def loss_only():
            return loss_and_grads(x, y, a0, parameters)[0]

        errors = rnnbook.gradient_check(loss_only, parameters, grads)
        worst = max(errors.values())
        worst_overall = max(worst_overall, worst)
        print(f"{name:20s} loss {loss:.4f}  worst gradient relative error {worst:.1e}", file=out)
    return worst_overall


class UsageError(Exception):
    """Bad input to a command: printed as one line, exit status 1."""


def _number(kind, low, high=None, *, low_included=True, zero=False):
    """An argparse type: a ``kind`` number in [low, high] (or (low, high] when
    low is not included, and 0 as well when ``zero``), with a message that
    says the range."""
    if high is not None:
        shown = f"{low:g} to {high:g}" if kind is float else f"{low} to {high:,}"
        wanted = f"a number from {shown}" if low_included else f"a number above {low:g}, up to {high:g}"
    else:
        wanted = f"a number >= {low:g}" if low_included else "a positive number"
    if zero:
        wanted = f"0 or {wanted}"

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        fits = (value >= low if low_included else value > low) and (high is None or value <= high)
        if not ((fits or (zero and value == 0)) and np.isfinite(float(value))):
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


# Ranges of the integer options: wide enough for any real run, and small enough
# that an absurd value is refused at once instead of failing later.
MAX_STEPS = 10**9
MAX_SIZE = 2**20
MAX_SEED = 2**63 - 1


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m rnnbook",
        description="The rnnbook package: a tour, and a character-level model to train.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "demo", help="run every model forward and backward and check its gradients (default)"
    )
    train = commands.add_parser(
        "train-charlm",
        help="train a character-level language model on a UTF-8 text",
        description=(
            "Train a character-level language model (RNN, LSTM or GRU) on a UTF-8 text, "
            "print progress and samples, and optionally save it (.npz, no pickle)."
        ),
        epilog=(
            "CORPUS may also be a corpus that needs no download: "
            + "; ".join(f"{name} ({text})" for name, (_, text) in data.CORPORA.items())
            + ".  --threads splits each batch's sequences among threads, each running "
            "single-threaded BLAS; by default one thread per core once the model and batch "
            "are large enough to pay for it.  Ctrl-C (or SIGTERM) stops training, saves the model if --save is given, and "
            "exits with status 130."
        ),
    )
    train.add_argument("corpus", metavar="CORPUS", help="a UTF-8 text file, or a corpus name")
    train.add_argument("--model", choices=recurrent.KINDS, default="lstm",
                       help="the recurrent layer (default: lstm)")
    train.add_argument("--hidden", type=_number(int, 1, MAX_SIZE), default=128,
                       help="size of the hidden state n_a (default: 128)")
    train.add_argument("--embedding", type=_number(int, 1, MAX_SIZE), default=32,
                       help="size of a character's vector (default: 32)")
    train.add_argument("--steps", type=_number(int, 0, MAX_STEPS), default=500,
                       help="training steps; 0 only samples (default: 500)")
    train.add_argument("--seq-len", type=_number(int, 1, MAX_SIZE), default=64,
                       help="characters per training sequence (default: 64)")
    train.add_argument("--batch", type=_number(int, 1, MAX_SIZE), default=32,
                       help="sequences per step (default: 32)")
    train.add_argument("--lr", type=_number(float, 0, low_included=False), default=3e-3,
                       help="Adam's learning rate (default: 0.003)")
    train.add_argument("--clip", type=_number(float, 0), default=5.0,
                       help="clip the gradients' global norm to this; 0 does not clip (default: 5)")
    train.add_argument("--seed", type=_number(int, 0, MAX_SEED), default=0,
                       help="seeds the initial parameters, the batches and the samples (default: 0)")
    train.add_argument("--threads", type=_number(int, 1, 1024), metavar="N",
                       help="threads that share each batch's sequences (default: chosen from "
                            "the cores and the model's size)")
    train.add_argument("--float64", action="store_true",
                       help="train in float64 instead of float32 (slower)")
    train.add_argument("--log-every", type=_number(int, 1, MAX_STEPS), default=50,
                       help="steps between progress lines (default: 50)")
    train.add_argument("--save", metavar="PATH",
                       help="save the trained model to PATH (.npz is appended when missing); "
                            "an existing file is refused unless --overwrite is given")
    train.add_argument("--overwrite", action="store_true",
                       help="let --save replace an existing model file")
    train.add_argument("--checkpoint-every", type=_number(int, 1, MAX_STEPS), metavar="N",
                       help="also save to the --save path every N steps, so that a run "
                            "killed outright loses at most N steps")
    train.add_argument("--load", metavar="PATH",
                       help="start from a model saved with --save (its size options win)")
    train.add_argument("--sample", type=_number(int, 0, MAX_SIZE), default=300,
                       help="characters to generate after training (default: 300)")
    train.add_argument("--temperature", type=_number(float, charlm.MIN_TEMPERATURE, zero=True), default=0.8,
                       help="sampling temperature, 0 or at least 0.001; 0 always takes the likeliest "
                            "(default: 0.8)")
    train.add_argument("--prime", help="text the sample starts from (default: a new line)")
    return parser


def read_corpus(name):
    """The text of CORPUS: a file if one exists, else a named corpus."""
    if not os.path.exists(name) and name in data.CORPORA:
        return data.corpus_text(name)
    try:
        return data.read_text(name)
    except data.CorpusError as err:
        if not os.path.exists(name):
            raise data.CorpusError(
                f"{err} (the corpora that need no file are {', '.join(data.CORPORA)})"
            ) from None
        raise


def available_memory():
    """Bytes of memory a new allocation can have: MemAvailable on Linux, else the
    physical memory, else None when neither can be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def training_bytes(kind, vocab_size, hidden, embedding, batch, seq_len, itemsize):
    """A generous estimate of the memory one training step needs: the parameters
    five times over (themselves, their gradients, Adam's two moments and the copy
    kept in case a step overflows them) and one batch's activations (the
    recurrent layer's cache and gradients, about ten n_a-sized and one
    n_e-sized number per column and step, and the logits, their softmax and
    their gradient, three vocabulary-sized ones)."""
    parameters = charlm.parameter_count(kind, vocab_size, hidden, embedding)
    columns = batch * seq_len
    activations = columns * (embedding + 10 * hidden + 3 * vocab_size)
    return (5 * parameters + activations) * itemsize


def training_work(model, args):
    """Multiply-adds in the recurrent products of one training step's forward."""
    gates = fast.GATES[model.kind]
    return gates * model.hidden * (model.hidden + model.embedding) * args.batch * args.seq_len


def check_save_target(args):
    """The --save path, checked before anything is trained: writable, not a
    folder, not the corpus, not an existing file unless --overwrite."""
    try:
        path = charlm.check_writable(args.save)
    except OSError as err:
        raise UsageError(f"--save {args.save}: {err}") from None
    if os.path.exists(args.corpus) and os.path.exists(path) and os.path.samefile(path, args.corpus):
        raise UsageError(f"--save {args.save}: that is the corpus; it is never overwritten")
    if os.path.exists(path) and not args.overwrite:
        raise UsageError(
            f"--save {args.save}: {path} exists already; give --overwrite to replace it"
        )
    return path


def train_charlm(args, out, err):
    """Returns the exit status: 0 done, 1 training diverged, 130 interrupted."""
    save_path = check_save_target(args) if args.save else None
    if args.checkpoint_every and not args.save:
        raise UsageError("--checkpoint-every needs --save, the file the checkpoints go to")
    text = read_corpus(args.corpus)
    if args.load:
        model = charlm.CharLM.load(args.load)
        missing = sorted(set(text) - set(model.vocab.chars))
        if missing and args.steps:
            shown = "".join(missing[:10]) + ("..." if len(missing) > 10 else "")
            raise UsageError(
                f"{args.corpus} has {len(missing)} characters that the model loaded from "
                f"{args.load} does not know ({shown!r}); train a new model on it instead"
            )
        vocab, kind, hidden, embedding = model.vocab, model.kind, model.hidden, model.embedding
        dtype = model.dtype
    else:
        model = None
        dtype = np.dtype(np.float64 if args.float64 else np.float32)
        vocab = data.Vocabulary.from_text(text)
        kind, hidden, embedding = args.model, args.hidden, args.embedding
    # Everything that can be checked is checked before the first step.
    if args.sample and args.prime is not None:
        unknown = sorted(set(args.prime) - set(vocab.chars))
        if unknown or not args.prime:
            raise UsageError(
                "--prime must be non-empty text made of the model's characters"
                + (f"; it has {''.join(unknown)!r}, which are not" if unknown else "")
            )
    if args.steps and len(text) < args.seq_len + 1:
        raise data.CorpusError(
            f"{args.corpus}: {len(text)} characters, fewer than one training sequence "
            f"needs (--seq-len {args.seq_len} + 1); use a longer text or a smaller --seq-len"
        )
    batch = args.batch if args.steps else 1
    need = training_bytes(kind, len(vocab), hidden, embedding, batch, args.seq_len,
                          dtype.itemsize)
    have = available_memory()
    if have is not None and need > have:
        raise UsageError(
            f"training needs about {need / 2**30:,.1f} GiB (parameters, Adam's state and one "
            f"batch), more than the {have / 2**30:,.1f} GiB of memory available; "
            "use a smaller --hidden, --embedding, --batch or --seq-len"
        )
    if model is None:
        model = charlm.CharLM(vocab, kind, hidden, embedding, seed=args.seed, dtype=dtype)
        print(f"new {model}", file=out)
    else:
        print(f"loaded {model} from {args.load}", file=out)
    model.threads = args.threads
    if args.steps:
        parts = fast.batch_parts(args.batch, args.threads, training_work(model, args))
        chosen = "" if args.threads else " (chosen for this machine and model)"
        print(f"threads: {len(parts)} of {fast.available_cores()} cores{chosen}", file=out)

    def save(what):
        path = model.save(save_path)
        print(f"{what} {path} (step {model.steps_trained})", file=out, flush=True)

    status = 0
    if args.steps:
        ids = model.vocab.encode(text)
        uniform = np.log(len(model.vocab))
        print(
            f"corpus {args.corpus}: {len(text):,} characters, {len(model.vocab):,} distinct "
            f"(a uniform guess scores {uniform:.3f} nats/char)",
            file=out,
        )
        every = args.checkpoint_every

        def checkpoint(step, model):
            if every and step % every == 0 and step < args.steps:
                save("checkpoint:")

        start = time.perf_counter()
        try:
            charlm.train(model, ids, steps=args.steps, seq_len=args.seq_len, batch=args.batch,
                         lr=args.lr, clip=args.clip, seed=args.seed, log_every=args.log_every,
                         out=out, callback=checkpoint,
                         progress="bar" if _is_terminal(out) else "lines")
        except KeyboardInterrupt:
            print(f"interrupted after {model.steps_trained} steps in all", file=out)
            status = INTERRUPTED
        except charlm.TrainingDiverged as error:
            print(f"rnnbook {args.command}: error: {error}", file=err)
            status = 1
        print(f"trained for {time.perf_counter() - start:.1f} s", file=out)
    if save_path:
        save("saved the model to" if status == 0 else "saved the last finite model to"
             if status == 1 else "saved the model so far to")
    if status:
        return status
    if args.sample:
        sample = model.sample(args.sample, temperature=args.temperature, seed=args.seed,
                              prime=args.prime)
        print(f"--- sample, temperature {args.temperature:g} ---", file=out)
        print((args.prime or "") + sample, file=out)
    return 0


# The exit status of a run stopped by Ctrl-C or SIGTERM, as a shell reports
# one killed by SIGINT (128 + 2), so that a script can tell it from a finished run.
INTERRUPTED = 130


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None, out=None, err=None):
    """Run the command line; returns the exit status."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    args = build_parser().parse_args(argv)
    if args.command in (None, "demo"):
        return 0 if demo(out) < 1e-7 else 1
    # SIGTERM (a scheduler's or `kill`'s stop) is handled as Ctrl-C is: the
    # model is saved and the exit status is 130.  Only the main thread can set it.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return train_charlm(args, out, err)
    except (UsageError, data.CorpusError, charlm.ModelFileError) as error:
        print(f"rnnbook {args.command}: error: {error}", file=err)
        return 1
    except OSError as error:  # e.g. the disk filled up while saving
        print(f"rnnbook {args.command}: error: {error}", file=err)
        return 1
    except KeyboardInterrupt:
        # a second Ctrl-C, while saving or sampling: stop quietly (a save
        # interrupted half-way leaves the file that was there before)
        print("", file=out)
        return INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
