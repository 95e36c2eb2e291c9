r"""What the sequence claims share: a real text, exact n-gram oracles, joint distributions of
short sequences, strategies.

* :data:`TEXT` — the opening of H. G. Wells, *The Time Machine* (1895, public domain; the text
  the notes' source trains its language models on), as sentences of lower-case words;
  :func:`text_tokens` gives them as token-id tensors and the vocabulary (one extra id that
  never occurs stands for nltk's unknown-word label, so the vocabularies agree).
* Exact oracles with :class:`fractions.Fraction` and :class:`collections.Counter` — counting
  and arithmetic share nothing with the torch code under test.
* Joint distributions of :math:`T` tokens over :math:`m` symbols as tables of shape
  :math:`(m,)^T`, with their conditionals computed from marginal sums.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from fractions import Fraction

import mpmath
import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core import strategies as dst

TEXT = (
    "The Time Traveller (for so it will be convenient to speak of him) was expounding a "
    "recondite matter to us. His grey eyes shone and twinkled, and his usually pale face was "
    "flushed and animated. The fire burned brightly, and the soft radiance of the incandescent "
    "lights in the lilies of silver caught the bubbles that flashed and passed in our glasses. "
    "Our chairs, being his patents, embraced and caressed us rather than submitted to be sat "
    "upon, and there was that luxurious after-dinner atmosphere when thought roams gracefully "
    "free of the trammels of precision."
)

#: mpmath precision of the exact oracles
DPS = 50


def sentences() -> list[list[str]]:
    """:data:`TEXT` as sentences of lower-case words (letters only)."""
    return [re.findall(r"[a-z]+", s.lower()) for s in TEXT.split(".") if s.strip()]


def text_tokens() -> tuple[list[torch.Tensor], list[str]]:
    """The sentences as int64 token-id tensors, and the vocabulary (sorted words, then the
    never-seen ``"<UNK>"``): ``vocab_size = len(vocabulary)``."""
    words = sorted({w for s in sentences() for w in s})
    vocabulary = [*words, "<UNK>"]
    index = {w: k for k, w in enumerate(vocabulary)}
    tensors = [torch.tensor([index[w] for w in s], dtype=torch.int64) for s in sentences()]
    return tensors, vocabulary


def ngram_counter(seqs: list[list[int]], order: int) -> Counter:
    """``Counter`` of the n-grams inside each sequence (tuples of ids)."""
    counts: Counter = Counter()
    for s in seqs:
        for start in range(len(s) - order + 1):
            counts[tuple(s[start : start + order])] += 1
    return counts


def exact_unigram(unigrams: Counter, m: int, eps: Fraction) -> list[Fraction]:
    r""":math:`(n(x) + \epsilon/m)/(n + \epsilon)` in exact rationals."""
    total = sum(unigrams.values())
    return [(unigrams[(x,)] + eps / m) / (total + eps) for x in range(m)]


def exact_conditional(
    ngrams: Counter,
    backoff: list[Fraction],
    m: int,
    eps: Fraction,
    order: int,
    *,
    context_counts: Counter | None = None,
    contexts=None,
) -> dict[tuple[int, ...], list[Fraction]]:
    r""":math:`(n(c, x) + \epsilon \hat P(x))/(N(c) + \epsilon)` for the ``contexts`` :math:`c`
    (default: all :math:`m^{order - 1}`).

    ``N(c)`` is ``context_counts[c]`` when given (the notes' :math:`n(x)` or :math:`n(x, x')`),
    else the number of n-grams that start with :math:`c` (the corrected denominator).
    """
    starts: Counter = Counter()
    for gram, count in ngrams.items():
        starts[gram[:-1]] += count
    if contexts is None:
        contexts = itertools.product(range(m), repeat=order - 1)
    out = {}
    for context in contexts:
        denominator = starts[context] if context_counts is None else context_counts[context]
        out[context] = [
            (ngrams[(*context, x)] + eps * backoff[x]) / (denominator + eps) for x in range(m)
        ]
    return out


def as_fraction(value: float) -> Fraction:
    return Fraction(value)


# --- joint distributions of short sequences -----------------------------------------------


def conditionals_from_joint(joint: np.ndarray) -> list[np.ndarray]:
    r"""``[P(x_1), P(x_2 | x_1), ..., P(x_T | x_1..x_{T-1})]`` from a joint table
    ``(m,)^T`` (entry ``t`` has shape ``(m,)^(t+1)``; contexts of probability 0 get uniform
    rows)."""
    T = joint.ndim
    out = []
    for t in range(1, T + 1):
        prefix = joint.sum(axis=tuple(range(t, T))) if t < T else joint
        context = prefix.sum(axis=-1, keepdims=True)
        uniform = np.full_like(prefix, 1.0 / joint.shape[0])
        safe = np.where(context > 0, context, 1.0)
        out.append(np.where(context > 0, prefix / safe, uniform))
    return out


def sequences_of(m: int, T: int) -> list[tuple[int, ...]]:
    return list(itertools.product(range(m), repeat=T))


def mp_log(value: float) -> float:
    with mpmath.workdps(DPS):
        return float(mpmath.log(mpmath.mpf(value))) if value > 0 else float("-inf")


@st.composite
def joints(draw, *, max_m: int = 3, max_t: int = 3, allow_zeros: bool = False):
    """Joint distributions of ``T`` tokens over ``m`` symbols, as ``(m,)^T`` float64 tensors."""
    m = draw(st.integers(2, max_m))
    T = draw(st.integers(2, max_t))
    flat = draw(dst.probability_vectors(size=m**T, allow_zeros=allow_zeros, min_positive=1e-3))
    return flat.reshape((m,) * T)


@st.composite
def markov_chains(draw, *, max_m: int = 3, max_t: int = 4):
    """``(initial (m,), transitions (T - 1, m, m), T)``: a time-inhomogeneous Markov chain."""
    m = draw(st.integers(1, max_m))
    T = draw(st.integers(1, max_t))
    pi = draw(dst.probability_vectors(size=m))
    steps = max(T - 1, 1)
    A = draw(dst.probability_vectors(size=m, batch_shape=(steps, m)))
    return pi, A, T


@st.composite
def token_texts(draw, *, max_m: int = 4, max_sentences: int = 3, max_len: int = 6):
    """``(sentences, m)``: a few short sentences of token ids in ``[0, m)``."""
    m = draw(st.integers(1, max_m))
    count = draw(st.integers(1, max_sentences))
    sents = [
        draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=max_len)) for _ in range(count)
    ]
    return sents, m


def epsilons() -> st.SearchStrategy[float]:
    """Smoothing constants from 1e-6 to 1e6, spread over the decades."""
    return st.integers(-6, 5).flatmap(lambda e: st.floats(10.0**e, 10.0 ** (e + 1)))


def count_tables(order: int, *, max_m: int = 4) -> st.SearchStrategy:
    """``(counts, unigram_counts)``: arbitrary nonnegative integer tables ``(m,)^order``."""

    @st.composite
    def build(draw):
        m = draw(st.integers(1, max_m))
        counts = draw(hnp.arrays(np.int64, (m,) * order, elements=st.integers(0, 50)))
        unigram = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, 50)))
        return torch.from_numpy(counts.copy()), torch.from_numpy(unigram.copy())

    return build()
