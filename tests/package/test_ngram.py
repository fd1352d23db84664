"""The interpolated Kneser–Ney character model against probabilities computed
by hand, its distributions summing to 1, and its errors.

The hand computations use the training text "abaab" over the vocabulary
"abc" (c never occurs) with D = 1/2.

Order 1 alone counts characters: c(a) = 3, c(b) = 2, c(.) = 5, N(.) = 2:
    P(a) = (3 - 1/2)/5 + (1/2)(2/5)(1/3) = 1/2 + 1/15 = 17/30
    P(b) = (2 - 1/2)/5 + 1/15 = 11/30,     P(c) = 1/15 = 2/30.

Order 2.  Bigrams as they occur: ab, ba, aa, ab, so after "a": {b: 2, a: 1}
(c = 3, N = 2), after "b": {a: 1} (c = 1, N = 1).  Order 1 now holds
continuation counts, read off the distinct bigrams {ab, ba, aa}: a follows
two different characters (b, a), b one (a): c(.) = 3, N(.) = 2.
    P1(a) = (2 - 1/2)/3 + (1/2)(2/3)(1/3) = 1/2 + 1/9 = 11/18
    P1(b) = (1 - 1/2)/3 + 1/9 = 5/18,          P1(c) = 1/9 = 2/18
    P(b | a) = (2 - 1/2)/3 + (1/2)(2/3) P1(b) = 1/2 + 5/54 = 16/27
    P(a | a) = (1 - 1/2)/3 + (1/3) P1(a) = 1/6 + 11/54 = 10/27
    P(c | a) = (1/3) P1(c) = 1/27
    P(a | b) = (1 - 1/2)/1 + (1/2)(1/1) P1(a) = 1/2 + 11/36 = 29/36
    P(b | b) = (1/2) P1(b) = 5/36,             P(c | b) = (1/2) P1(c) = 2/36
An unseen context ("c") passes its whole mass down: P(. | c) = P1.

Order 3.  Trigrams: aba, baa, aab, each once.  Order 2 now holds
continuation counts from the distinct trigrams: "ba" follows a (aba), "aa"
follows b (baa), "ab" follows a (aab), so after "a": {a: 1, b: 1} (c = 2,
N = 2), after "b": {a: 1} (c = 1, N = 1).  Order 1 is as above.
    P2(a | a) = (1 - 1/2)/2 + (1/2)(2/2) P1(a) = 1/4 + 11/36 = 20/36
    P2(b | a) = 1/4 + (1/2) P1(b) = 1/4 + 5/36 = 14/36,   P2(c | a) = 2/36
    P2(. | b) = (29, 5, 2)/36 as P(. | b) of order 2
    P(a | ab) = (1 - 1/2)/1 + (1/2) P2(a | b) = 1/2 + 29/72 = 65/72
    P(b | ab) = (1/2) P2(b | b) = 5/72,   P(c | ab) = (1/2) P2(c | b) = 2/72
    P(b | aa) = 1/2 + (1/2) P2(b | a) = 1/2 + 14/72 = 50/72
    P(a | aa) = (1/2) P2(a | a) = 20/72,  P(c | aa) = (1/2) P2(c | a) = 2/72
    P(a | ba) = 1/2 + (1/2) P2(a | a) = 56/72
    P(b | ba) = (1/2) P2(b | a) = 14/72,  P(c | ba) = (1/2) P2(c | a) = 2/72
"""

import math

import numpy as np
import pytest

from rnnbook import data
from rnnbook.ngram import KneserNey

TEXT = "abaab"


def model(order, discount=0.5, text=TEXT, vocab="abc"):
    return KneserNey(vocab, order=order, discount=discount).fit(text)


def close(p, numerators, denominator):
    np.testing.assert_allclose(p, np.array(numerators) / denominator, rtol=1e-14, atol=0)


def test_order_1_by_hand():
    close(model(1).probabilities(""), [17, 11, 2], 30)
    # With no context but a longer one given, order 1 ignores it.
    close(model(1).probabilities("ab"), [17, 11, 2], 30)


def test_order_2_by_hand():
    kn = model(2)
    close(kn.probabilities(""), [11, 5, 2], 18)  # order 1: continuation counts
    close(kn.probabilities("a"), [10, 16, 1], 27)
    close(kn.probabilities("b"), [29, 5, 2], 36)
    close(kn.probabilities("c"), [11, 5, 2], 18)  # never seen: order 1
    close(kn.probabilities("ba"), [10, 16, 1], 27)  # only the last character counts


def test_order_3_by_hand():
    kn = model(3)
    close(kn.probabilities("ab"), [65, 5, 2], 72)
    close(kn.probabilities("aa"), [20, 50, 2], 72)
    close(kn.probabilities("ba"), [56, 14, 2], 72)
    close(kn.probabilities("a"), [20, 14, 2], 36)  # the start of a text: order 2
    close(kn.probabilities("b"), [29, 5, 2], 36)
    close(kn.probabilities("ca"), [20, 14, 2], 36)  # "ca" never seen: order 2 after "a"
    close(kn.probabilities("cc"), [11, 5, 2], 18)
    close(kn.probabilities(""), [11, 5, 2], 18)


def test_log_probs_of_a_text_by_hand():
    kn = model(3)
    # a | -, b | a (order 2), a | ab, c | ba, a | ac (never seen: order 1 alone),
    # b | ca ("ca" never seen: order 2 after "a")
    expected = [11 / 18, 14 / 36, 65 / 72, 2 / 72, 11 / 18, 14 / 36]
    np.testing.assert_allclose(np.exp(kn.log_probs("abacab")), expected, rtol=1e-14)
    assert kn.cross_entropy("abacab") == pytest.approx(-np.mean(np.log(expected[1:])), rel=1e-14)
    assert kn.log_prob("a", "ab") == pytest.approx(math.log(65 / 72), rel=1e-14)
    assert kn.log_prob(0, np.array([0, 1])) == pytest.approx(math.log(65 / 72), rel=1e-14)


def test_ids_and_strings_agree():
    vocab = data.Vocabulary("abc")
    from_ids = KneserNey(vocab, 3, 0.5).fit(vocab.encode(TEXT))
    from_text = model(3)
    for context in ("", "a", "ab", "cb"):
        assert np.array_equal(from_ids.probabilities(vocab.encode(context)),
                              from_text.probabilities(context))
    assert np.array_equal(from_ids.log_probs(vocab.encode("abacab")),
                          from_text.log_probs("abacab"))


@pytest.mark.parametrize("order", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("discount", [0.1, 0.75, 1.0, None])
def test_every_distribution_sums_to_1(order, discount):
    text = data.corpus_text("tang-poems")[:3000]
    vocab = data.Vocabulary.from_text(text + "☃")  # one character never seen
    kn = KneserNey(vocab, order, discount).fit(text)
    rng = np.random.default_rng(0)
    contexts = ["", "☃", "☃☃☃☃☃", text[:1], text[100:105], text[-5:]]
    contexts += [text[s : s + order - 1] for s in rng.integers(0, len(text) - 10, size=20)]
    contexts += [vocab.decode(rng.integers(0, len(vocab), size=order)) for _ in range(10)]
    for context in contexts:
        p = kn.probabilities(context)
        assert p.shape == (len(vocab),)
        assert np.all(p > 0), context
        assert p.sum() == pytest.approx(1.0, abs=1e-12), context
    # log_probs reads the same distributions, one character at a time.
    sample = text[200:260] + "☃" + text[500:520]
    logs = kn.log_probs(sample)
    for i in (0, 1, order - 1, 30, 60, 61, len(sample) - 1):
        context = sample[max(0, i - order + 1) : i]
        p = kn.probabilities(context)[vocab.index[sample[i]]]
        assert logs[i] == pytest.approx(math.log(p), rel=1e-12)


def test_estimated_discounts():
    # Order 2 on "abaab": bigram counts {ab: 2, ba: 1, aa: 1}, n1 = 2, n2 = 1:
    # D2 = 2 / (2 + 2) = 1/2.  Order 1 (continuation counts {a: 2, b: 1}):
    # n1 = 1, n2 = 1, D1 = 1/3.
    kn = KneserNey("abc", order=2, discount=None).fit(TEXT)
    assert kn.discounts == pytest.approx([1 / 3, 1 / 2])
    p = kn.probabilities("a")
    assert p.sum() == pytest.approx(1.0, abs=1e-15) and np.all(p > 0)


def test_more_context_helps_on_real_text():
    text = data.stdlib_docstrings(("argparse", "difflib", "json", "csv", "textwrap", "pathlib"))
    vocab = data.Vocabulary.from_text(text)
    split = int(0.9 * len(text))
    train, heldout = text[:split], text[split:]
    ce = [KneserNey(vocab, n).fit(train).cross_entropy(heldout) for n in (1, 2, 3)]
    assert ce[0] > ce[1] > ce[2]
    assert ce[0] < math.log(len(vocab))  # even counting characters beats a uniform guess


# --- errors ------------------------------------------------------------------------


def expect(exception, call, *fragments):
    with pytest.raises(exception) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {str(info.value)!r}"


def test_constructor_errors():
    expect(ValueError, lambda: KneserNey("abc", order=0), "order must be a positive integer")
    expect(ValueError, lambda: KneserNey("abc", order=2.0), "order must be a positive integer")
    expect(ValueError, lambda: KneserNey("abc", discount=0), "discount must be in (0, 1]")
    expect(ValueError, lambda: KneserNey("abc", discount=1.5), "discount must be in (0, 1]")
    expect(TypeError, lambda: KneserNey("abc", discount="0.5"), "discount must be a number")
    expect(TypeError, lambda: KneserNey(["a", "b"], order=2), "vocab must be a Vocabulary")
    expect(ValueError, lambda: KneserNey("aab"), "distinct")


def test_fit_and_score_errors():
    kn = KneserNey("abc", order=2)
    expect(RuntimeError, lambda: kn.probabilities("a"), "call fit(text) first")
    expect(RuntimeError, lambda: kn.log_probs("ab"), "call fit(text) first")
    expect(ValueError, lambda: kn.fit(""), "text is empty")
    expect(ValueError, lambda: kn.fit("abd"), "text:", "'d' is not in the vocabulary")
    expect(ValueError, lambda: kn.fit(np.array([0, 3])), "text holds ids outside [0, V) = [0, 3)")
    expect(TypeError, lambda: kn.fit(np.array([0.0, 1.0])), "integer character ids")
    expect(TypeError, lambda: kn.fit([0, 1]), "text must be a str or a numpy array")
    expect(ValueError, lambda: kn.fit(np.zeros((2, 2), dtype=int)), "needs one axis")
    kn.fit(TEXT)
    expect(ValueError, lambda: kn.probabilities("ad"), "context:", "'d' is not in the vocabulary")
    expect(ValueError, lambda: kn.log_probs(np.array([-1])), "outside [0, V)")
    expect(ValueError, lambda: kn.log_prob("ab"), "char must be one character")
    expect(ValueError, lambda: kn.log_prob("d"), "'d' is not in the vocabulary")
    expect(ValueError, lambda: kn.log_prob(3), "char is id 3, outside [0, V) = [0, 3)")
    expect(TypeError, lambda: kn.log_prob(1.0), "char must be one character or an integer id")
    expect(ValueError, lambda: kn.cross_entropy("a"), "at least two characters")
