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
import sys
import time

import numpy as np

import rnnbook
from rnnbook import charlm, data, recurrent


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


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (np.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _non_negative(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (np.isfinite(value) and value >= 0):
            raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


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
            + ".  Small models often train faster with the environment variable "
            "OPENBLAS_NUM_THREADS=1: their matrices are too small for BLAS threads to pay."
        ),
    )
    train.add_argument("corpus", metavar="CORPUS", help="a UTF-8 text file, or a corpus name")
    train.add_argument("--model", choices=recurrent.KINDS, default="lstm",
                       help="the recurrent layer (default: lstm)")
    train.add_argument("--hidden", type=_positive(int), default=128,
                       help="size of the hidden state n_a (default: 128)")
    train.add_argument("--embedding", type=_positive(int), default=32,
                       help="size of a character's vector (default: 32)")
    train.add_argument("--steps", type=_non_negative(int), default=500,
                       help="training steps; 0 only samples (default: 500)")
    train.add_argument("--seq-len", type=_positive(int), default=64,
                       help="characters per training sequence (default: 64)")
    train.add_argument("--batch", type=_positive(int), default=32,
                       help="sequences per step (default: 32)")
    train.add_argument("--lr", type=_positive(float), default=3e-3,
                       help="Adam's learning rate (default: 0.003)")
    train.add_argument("--clip", type=_non_negative(float), default=5.0,
                       help="clip the gradients' global norm to this; 0 does not clip (default: 5)")
    train.add_argument("--seed", type=_non_negative(int), default=0,
                       help="seeds the initial parameters, the batches and the samples (default: 0)")
    train.add_argument("--float64", action="store_true",
                       help="train in float64 instead of float32 (slower)")
    train.add_argument("--log-every", type=_positive(int), default=50,
                       help="steps between progress lines (default: 50)")
    train.add_argument("--save", metavar="PATH", help="save the trained model to PATH (.npz)")
    train.add_argument("--load", metavar="PATH",
                       help="start from a model saved with --save (its size options win)")
    train.add_argument("--sample", type=_non_negative(int), default=300,
                       help="characters to generate after training (default: 300)")
    train.add_argument("--temperature", type=_non_negative(float), default=0.8,
                       help="sampling temperature; 0 always takes the likeliest (default: 0.8)")
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


def train_charlm(args, out):
    if args.save:
        folder = os.path.dirname(os.path.abspath(args.save))
        if not os.path.isdir(folder):
            raise UsageError(f"--save {args.save}: the folder {folder} does not exist")
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
        print(f"loaded {model} from {args.load}", file=out)
    else:
        dtype = np.float64 if args.float64 else np.float32
        vocab = data.Vocabulary.from_text(text)
        model = charlm.CharLM(vocab, args.model, args.hidden, args.embedding,
                              seed=args.seed, dtype=dtype)
        print(f"new {model}", file=out)
    if args.steps:
        if len(text) < args.seq_len + 1:
            raise data.CorpusError(
                f"{args.corpus}: {len(text)} characters, fewer than one training sequence "
                f"needs (--seq-len {args.seq_len} + 1); use a longer text or a smaller --seq-len"
            )
        ids = model.vocab.encode(text)
        uniform = np.log(len(model.vocab))
        print(
            f"corpus {args.corpus}: {len(text):,} characters, {len(model.vocab):,} distinct "
            f"(a uniform guess scores {uniform:.3f} nats/char)",
            file=out,
        )
        start = time.perf_counter()
        try:
            charlm.train(model, ids, steps=args.steps, seq_len=args.seq_len, batch=args.batch,
                         lr=args.lr, clip=args.clip, seed=args.seed,
                         log_every=args.log_every, out=out)
        except KeyboardInterrupt:
            print(f"interrupted after {model.steps_trained} steps in all", file=out)
        print(f"trained for {time.perf_counter() - start:.1f} s", file=out)
    if args.save:
        path = model.save(args.save)
        print(f"saved the model to {path}", file=out)
    if args.sample:
        if args.prime is not None:
            unknown = sorted(set(args.prime) - set(model.vocab.chars))
            if unknown or not args.prime:
                raise UsageError(
                    "--prime must be non-empty text made of the model's characters"
                    + (f"; it has {''.join(unknown)!r}, which are not" if unknown else "")
                )
        sample = model.sample(args.sample, temperature=args.temperature, seed=args.seed,
                              prime=args.prime)
        print(f"--- sample, temperature {args.temperature:g} ---", file=out)
        print((args.prime or "") + sample, file=out)


def main(argv=None, out=None, err=None):
    """Run the command line; returns the exit status."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    args = build_parser().parse_args(argv)
    if args.command in (None, "demo"):
        return 0 if demo(out) < 1e-7 else 1
    try:
        train_charlm(args, out)
    except (UsageError, data.CorpusError, charlm.ModelFileError) as error:
        print(f"rnnbook {args.command}: error: {error}", file=err)
        return 1
    except OSError as error:  # e.g. --save into a folder that does not exist
        print(f"rnnbook {args.command}: error: {error}", file=err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
