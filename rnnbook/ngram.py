"""A character n-gram model with interpolated Kneser–Ney smoothing: the counting
baseline that the recurrent character models are measured against.

An n-gram model predicts a character from the n - 1 characters before it,
with probabilities read off counts in the training text.  Interpolated
Kneser–Ney (Kneser & Ney 1995; Chen & Goodman 1999) takes a discount D off
every count and hands the mass it frees to the next shorter context:

    P_k(w | u) = max(c_k(u w) - D_k, 0) / c_k(u .)
                 + D_k N_k(u .) / c_k(u .) * P_{k-1}(w | u')

where u is a context of k - 1 characters, u' is u without its first
character, c_k(u .) is the sum of c_k(u w) over w, and N_k(u .) is the number
of different characters w with c_k(u w) > 0.  The counts are

- at the highest order n, how often the n-gram u w occurs in the text;
- at every lower order, its *continuation count*: how many different
  characters precede u w in the text.  A lower order is only asked when the
  longer context says little, and what it should say then is how readily w
  follows new contexts, not how frequent w is ("Francisco" is frequent but
  follows almost only "San").

Below order 1 is the uniform distribution over the vocabulary, 1 / V, so a
character of the vocabulary that never occurred in the training text still
has a probability above 0, and so does every character after a context never
seen (its counts are all 0: the level passes its whole mass down).  Every
character the model is asked about must be in the vocabulary; give the
vocabulary of the text it will be scored on (as the character models do).

A text is one stream: its first characters are predicted from the shorter
contexts that exist (the first from order 1 alone), with no start symbol.
"""

import math
from collections import Counter, defaultdict

import numpy as np

from rnnbook.data import Vocabulary


def _positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class KneserNey:
    """An interpolated Kneser–Ney character n-gram model.

    Arguments:
        vocab: a rnnbook.data.Vocabulary (or a string of its characters): the
            V characters the model gives probabilities to.
        order: n, the length of the longest n-gram (n - 1 characters of context).
        discount: D, a number in (0, 1] taken off every count at every order;
            or None, to estimate each order's D_k = n1 / (n1 + 2 n2) from the
            number n1 of its n-grams counted once and n2 counted twice (Ney,
            Essen & Kneser 1994).

    Call fit(text) before anything else.
    """

    def __init__(self, vocab, order=3, discount=0.75):
        if isinstance(vocab, str):
            vocab = Vocabulary(vocab)
        if not isinstance(vocab, Vocabulary):
            raise TypeError(f"vocab must be a Vocabulary or a string, got {type(vocab).__name__}")
        _positive_int("order", order)
        if discount is not None:
            if isinstance(discount, bool) or not isinstance(discount, (int, float, np.floating)):
                raise TypeError(f"discount must be a number in (0, 1] or None, got {discount!r}")
            if not 0 < discount <= 1:
                raise ValueError(
                    f"discount must be in (0, 1], got {discount!r}: at 0 an unseen character "
                    "after a seen context gets probability 0, above 1 the probabilities "
                    "no longer sum to 1"
                )
        self.vocab, self.order, self.discount = vocab, int(order), discount
        self.levels = None  # levels[k - 1]: context (tuple) -> {w: count}, order k
        self.discounts = None  # D_k for k = 1 .. n

    def __repr__(self):
        state = "fitted" if self.levels is not None else "not fitted"
        return (f"KneserNey(order={self.order}, discount={self.discount!r}, "
                f"vocabulary={len(self.vocab)}, {state})")

    def _ids(self, name, text):
        """A str (encoded with the vocabulary) or a 1-D integer array of ids in [0, V)."""
        if isinstance(text, str):
            try:
                return self.vocab.encode(text)
            except ValueError as err:
                raise ValueError(f"{name}: {err}") from None
        if isinstance(text, np.ma.MaskedArray) or not isinstance(text, np.ndarray):
            raise TypeError(f"{name} must be a str or a numpy array of character ids, "
                            f"got {type(text).__name__}")
        if not np.issubdtype(text.dtype, np.integer):
            raise TypeError(f"{name} must hold integer character ids, got dtype {text.dtype}")
        if text.ndim != 1:
            raise ValueError(f"{name} has shape {text.shape}, but it needs one axis of ids")
        V = len(self.vocab)
        if text.size and (text.min() < 0 or text.max() >= V):
            raise ValueError(f"{name} holds ids outside [0, V) = [0, {V}): "
                             f"min {text.min()}, max {text.max()}")
        return text

    def fit(self, text):
        """Count the n-grams of ``text`` (a str, or a 1-D array of ids); return self."""
        ids = self._ids("text", text).tolist()
        if not ids:
            raise ValueError("text is empty; the model needs at least one character to count")
        n = self.order
        # The n-grams of the highest order, counted as they occur.
        top = Counter(zip(*(ids[i:] for i in range(n))))
        counts = {n: top}
        # Every lower order: how many different characters precede each k-gram,
        # read off the distinct (k + 1)-grams.
        for k in range(n - 1, 0, -1):
            distinct = set(zip(*(ids[i:] for i in range(k + 1))))
            counts[k] = Counter(gram[1:] for gram in distinct)
        self.levels, self.discounts = [], []
        for k in range(1, n + 1):
            level = defaultdict(dict)
            for gram, count in counts[k].items():
                level[gram[:-1]][gram[-1]] = count
            # Per context: its counts, their sum c(u .) and how many there are, N(u .).
            self.levels.append(
                {u: (following, sum(following.values()), len(following))
                 for u, following in level.items()}
            )
            self.discounts.append(self._discount(counts[k]))
        return self

    def _discount(self, counter):
        if self.discount is not None:
            return float(self.discount)
        of = Counter(counter.values())
        n1, n2 = of.get(1, 0), of.get(2, 0)
        # n1 = 0 leaves nothing to estimate from: a middle value keeps every
        # probability above 0.
        return n1 / (n1 + 2 * n2) if n1 else 0.5

    def _fitted(self):
        if self.levels is None:
            raise RuntimeError("the model has not been fitted; call fit(text) first")

    def probabilities(self, context=""):
        """The distribution of the next character after ``context``, a (V,) array.

        Arguments:
            context: a str or a 1-D array of ids; only its last n - 1
                characters count (fewer at the start of a text).

        Returns:
            (V,) float64 probabilities, every one > 0, summing to 1.
        """
        self._fitted()
        ids = tuple(self._ids("context", context).tolist())
        V = len(self.vocab)
        p = np.full(V, 1.0 / V)  # below order 1: uniform
        for k in range(1, min(self.order, len(ids) + 1) + 1):
            u = ids[len(ids) - (k - 1):] if k > 1 else ()
            entry = self.levels[k - 1].get(u)
            if entry is None:
                continue  # a context never seen passes its whole mass down
            following, total, types = entry
            D = self.discounts[k - 1]
            counts = np.zeros(V)
            counts[list(following)] = list(following.values())
            p = np.maximum(counts - D, 0) / total + D * types / total * p
        return p

    def log_probs(self, text):
        """log P(each character | up to n - 1 characters before it in ``text``).

        Arguments:
            text: a str or a 1-D array of ids.

        Returns:
            (len(text),) float64 natural logarithms; entry i is conditioned on
            text[max(0, i - n + 1):i], so entry 0 is order 1 alone.
        """
        self._fitted()
        ids = self._ids("text", text).tolist()
        V = len(self.vocab)
        out = np.empty(len(ids))
        for i, w in enumerate(ids):
            context = ids[max(0, i - self.order + 1):i]
            p = 1.0 / V
            for k in range(1, len(context) + 2):
                u = tuple(context[len(context) - (k - 1):]) if k > 1 else ()
                entry = self.levels[k - 1].get(u)
                if entry is None:
                    continue
                following, total, types = entry
                D = self.discounts[k - 1]
                p = max(following.get(w, 0) - D, 0) / total + D * types / total * p
            out[i] = math.log(p)
        return out

    def log_prob(self, char, context=""):
        """log P(char | context), natural logarithm; char is one character or one id."""
        self._fitted()
        if isinstance(char, str):
            if len(char) != 1:
                raise ValueError(f"char must be one character, got {char!r}")
            char = int(self._ids("char", char)[0])
        elif not isinstance(char, (int, np.integer)) or isinstance(char, bool):
            raise TypeError(f"char must be one character or an integer id, got {char!r}")
        elif not 0 <= char < len(self.vocab):
            raise ValueError(f"char is id {char}, outside [0, V) = [0, {len(self.vocab)})")
        return float(np.log(self.probabilities(context)[char]))

    def cross_entropy(self, text):
        """Nats per character over ``text``: the mean of -log P over every
        character but the first (which has no context), as a character model
        that reads the text is scored.  Needs at least two characters."""
        logs = self.log_probs(text)
        if len(logs) < 2:
            raise ValueError("text needs at least two characters (the first has no context)")
        return float(-logs[1:].mean())
