r"""§ 9.2 Language Models: Laplace Smoothing — the notes' three estimates, when they are
probability distributions, and their limits.

Main declarations:

* ``sequences.laplace-unigram`` — :math:`\hat P(x) = (n(x) + \epsilon_1/m)/(n + \epsilon_1)` is
  a probability vector for every count table and :math:`\epsilon_1 > 0` (nltk's ``Lidstone``
  with :math:`\gamma = \epsilon_1/m` on a real text);
* errata ``sequences.laplace-bigram-as-written`` and ``sequences.laplace-trigram-as-written`` —
  with the denominators as the notes write them, :math:`n(x)` and :math:`n(x, x')` counted in
  the text, the estimates do not sum to 1 for a context that ends the text (it starts no
  n-gram); corrected by ``sequences.laplace-bigram`` and ``sequences.laplace-trigram``, whose
  denominators count the n-grams that start with the context;
* ``sequences.laplace-smoothing-limits`` — :math:`\epsilon \to 0` gives the relative frequencies,
  :math:`\epsilon \to \infty` the uniform distribution (unigram) or the backoff
  :math:`\hat P(x')` (bigram, trigram).
"""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.sequences.claims._support import (
    count_tables,
    epsilons,
    exact_conditional,
    exact_unigram,
    ngram_counter,
    text_tokens,
    token_texts,
)

SECTION = Section("sequences", "9.2 Language Models: Laplace Smoothing")

m = sp.Symbol("m", integer=True, positive=True)
x = sp.Symbol("x", integer=True)
c = sp.IndexedBase("n", nonnegative=True)  # counts n(x) (or n(context, x))
p_hat = sp.IndexedBase(r"\hat{P}", nonnegative=True)
eps = sp.Symbol(r"\epsilon", positive=True)

#: the smoothing constants of the numeric legs (exact in binary, so the exact oracle sees
#: the same value as the code)
EPSILONS = (0.5, 1.0, 16.0)


def _exact_rows(order: int, seqs, m_: int, eps1: float, eps_n: float, contexts, notes=False):
    """Exact n-gram estimates (Fractions) for the given contexts: ``{context: row}``."""
    backoff = exact_unigram(ngram_counter(seqs, 1), m_, Fraction(eps1))
    grams = ngram_counter(seqs, order)
    context_counts = ngram_counter(seqs, order - 1) if notes else None
    return exact_conditional(
        grams, backoff, m_, Fraction(eps_n), order, context_counts=context_counts, contexts=contexts
    )


def _some_contexts(seqs, order: int, m_: int) -> list[tuple[int, ...]]:
    """Up to 15 contexts that occur in ``seqs`` (sentence ends included) and one that never
    does."""
    seen = sorted(ngram_counter(seqs, order - 1))
    unseen = next(c for c in itertools.product(range(m_), repeat=order - 1) if c not in seen)
    ends = sorted({tuple(s[len(s) - order + 1 :]) for s in seqs if len(s) >= order - 1})
    return sorted(set(seen[:12] + ends[:3] + [unseen]))


def _as_float(table) -> torch.Tensor:
    def conv(t):
        return [conv(v) for v in t] if isinstance(t, list) else float(t)

    return torch.tensor(conv(table), dtype=torch.float64)


def _call(impl, order: int, **kwargs):
    name = {1: "laplace_unigram", 2: "laplace_bigram", 3: "laplace_trigram"}[order]
    if order == 1:
        kwargs.pop("eps1", None)
        kwargs["eps"] = kwargs.pop("eps_n")
    if order > 1 and "eps_n" in kwargs:
        kwargs[f"eps{order}"] = kwargs.pop("eps_n")
    return getattr(impl, name)(**kwargs)


def _nltk_check(impl, order: int, dtype, device) -> None:
    """Against nltk's ``Lidstone`` on the text, where it applies: its estimate adds
    :math:`\\gamma` to every count, which is the notes' :math:`\\epsilon/m` times a *uniform*
    backoff (for bigrams and trigrams: ``unigram_counts`` all zero)."""
    if dtype not in (torch.float64, torch.float32):
        return  # (low precision: checked against the exact rationals below, not again here)
    from nltk.lm import Lidstone  # imported here: nltk takes a second to import
    from nltk.util import ngrams

    seqs, vocabulary = text_tokens()
    m_ = len(vocabulary)
    words = [[vocabulary[k] for k in s.tolist()] for s in seqs]
    counts = torch.zeros((m_,) * order, dtype=dtype, device=device)
    for gram, count in ngram_counter([s.tolist() for s in seqs], order).items():
        counts[gram] = count
    for e in EPSILONS:
        model = Lidstone(e / m_, order)
        model.fit([list(ngrams(w, order)) for w in words], [w for s in words for w in s])
        assert len(model.vocab) == m_, "nltk's vocabulary includes its unknown-word label"
        kwargs = {"counts": counts, "eps1": 1.0, "eps_n": e}
        if order > 1:
            kwargs["unigram_counts"] = torch.zeros(m_, dtype=dtype, device=device)
        got = _call(impl, order, **kwargs)
        # the contexts that occur, and one that never does
        contexts = sorted({g[:-1] for g in ngram_counter([s.tolist() for s in seqs], order)})
        contexts = [*contexts[:12], (m_ - 1,) * (order - 1)]
        for context in contexts if order > 1 else [()]:
            text_context = [vocabulary[k] for k in context]
            want = [model.score(w, text_context) for w in vocabulary[:-1]]
            assert_close(got[context][:-1], want, dtype=dtype, msg=f"nltk Lidstone, {context}")


laplace_unigram = SECTION.claim(
    "laplace-unigram",
    title="The Laplace-smoothed unigram estimate is a probability distribution",
    statement=r"\hat{P}(x) = \frac{n(x) + \epsilon_1/m}{n + \epsilon_1} > 0,\quad "
    r"\sum_{x=1}^{m}\hat{P}(x) = 1 \quad (n = \textstyle\sum_x n(x),\ \epsilon_1 > 0)",
    kind=Kind.THEOREM,
    code=("laplace_unigram",),
    note=r"$m$ is the vocabulary size. Every token, seen or not, gets a positive probability.",
)


@laplace_unigram.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    total = sp.Sum(c[x], (x, 1, m))
    numerators = sp.Sum(c[x] + eps / m, (x, 1, m))
    evaluated = numerators.expand().doit()
    return Derivation(
        steps=[
            Step(r"Sum of the numerators", equation(numerators, evaluated)),
            Step(r"$= n + \epsilon_1$, the denominator", equation(evaluated, total + eps)),
            Step(r"each term is positive", (c[x] + eps / m) / (total + eps) > 0),
        ],
        residuals=[evaluated - (total + eps), ((c[x] + eps / m) / (total + eps)).is_positive],
        compared=[r"the numerators' sum minus $n + \epsilon_1$", r"$\hat P(x) > 0$"],
    )


@laplace_unigram.numeric_leg(
    oracle="nltk.lm.Lidstone(gamma = eps/m) on the opening of The Time Machine; exact "
    "rationals (error in eps); gradcheck and gradgradcheck in the counts (float64)"
)
def _(impl, device, dtype) -> None:
    _nltk_check(impl, 1, dtype, device)
    seqs, vocabulary = text_tokens()
    lists = [s.tolist() for s in seqs]
    for e in EPSILONS:
        got = impl.laplace_unigram(
            [s.to(device) for s in seqs], vocab_size=len(vocabulary), eps=e, dtype=dtype
        )
        assert got.dtype == dtype and got.shape == (len(vocabulary),)
        exact = exact_unigram(ngram_counter(lists, 1), len(vocabulary), Fraction(e))
        assert_accurate(got, _as_float(exact), msg=f"tokens, eps {e}")
        assert_close(got.double().sum(), torch.tensor(1.0, dtype=torch.float64), dtype=dtype)
    if dtype == torch.float64:
        counts = torch.tensor([3.0, 0.25, 1.5, 2.0], dtype=dtype, requires_grad=True)
        assert torch.autograd.gradcheck(
            lambda a: impl.laplace_unigram(counts=a, eps=0.7), (counts,)
        )
        assert torch.autograd.gradgradcheck(
            lambda a: impl.laplace_unigram(counts=a, eps=0.7), (counts,)
        )


@laplace_unigram.property_leg(
    r"for random count tables and $\epsilon_1 \in [10^{-6}, 10^6]$, the estimate equals the "
    r"exact rational value and sums to 1",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (counts, _), e = case
        got = impl.laplace_unigram(counts=counts, eps=e, dtype=torch.float64)
        unigrams = Counter({(k,): int(v) for k, v in enumerate(counts.tolist())})
        exact = exact_unigram(unigrams, counts.shape[0], Fraction(e))
        ok_sum = is_close(got.sum(), torch.tensor(1.0, dtype=torch.float64))
        return is_accurate(got, _as_float(exact)) and ok_sum and bool((got > 0).all())

    return ForAll(st.tuples(count_tables(1), epsilons()), holds, names=("counts", "eps"))


def _erratum_symbolic(order: int) -> Derivation:
    """The row sum of the notes' estimate for a context that ends the text."""
    starts = sp.Symbol("n_c", nonnegative=True)  # n-grams that start with the context
    written = (starts + eps) / (starts + 1 + eps)  # the notes count the final context once more
    context = "x" if order == 2 else "x, x'"
    gram = "bigram" if order == 2 else "trigram"
    return Derivation(
        steps=[
            Step(
                rf"For the last context $({context})$ of a text, $n({context}) = n_c + 1$: it "
                r"ends the text and starts no n-gram",
                equation(sp.Symbol(rf"n({context})"), starts + 1),
            ),
            Step(
                r"The numerators sum to $n_c + \epsilon\sum\hat P = n_c + \epsilon$",
                equation(sp.Symbol(r"\sum \hat P"), written),
                cites=("sequences.laplace-unigram",),
            ),
        ],
        residuals=[sp.simplify(written - 1)],
        witness={starts: 0, eps: 1},
        witness_symbols={
            "n_c": rf"the number of {gram}s that start with the context $({context})$, which "
            rf"ends the text, so $n({context}) = n_c + 1$",
            "\\epsilon": rf"the smoothing constant $\epsilon_{order}$ of the {gram} estimate",
        },
        compared=["the row sum minus 1"],
    )


def _erratum_property(impl, order: int) -> ForAll:
    def as_written(case) -> bool:
        (sents, m_), e = case
        backoff = impl.laplace_unigram(
            [torch.tensor(s) for s in sents], vocab_size=m_, eps=e, dtype=torch.float64
        )
        grams = ngram_counter(sents, order)
        contexts = ngram_counter(sents, order - 1)  # n(x) or n(x, x') as counted in the text
        for context in contexts:
            total = sum(
                (grams[(*context, k)] + e * float(backoff[k])) / (contexts[context] + e)
                for k in range(m_)
            )
            if not is_close(torch.tensor(total), torch.tensor(1.0, dtype=torch.float64)):
                return False
        return True

    # small texts and a few epsilons: the refutation needs only a context that ends a text
    texts = token_texts(max_m=3, max_sentences=2, max_len=4)
    return ForAll(st.tuples(texts, st.sampled_from(EPSILONS)), as_written, names=("text", "eps"))


def _corrected_numeric(impl, order: int, device, dtype) -> None:
    _nltk_check(impl, order, dtype, device)
    seqs, vocabulary = text_tokens()
    lists, m_ = [s.tolist() for s in seqs], len(vocabulary)
    contexts = _some_contexts(lists, order, m_)
    ends = {tuple(s[len(s) - order + 1 :]) for s in lists}
    for e in EPSILONS:
        got = _call(
            impl,
            order,
            tokens=[s.to(device) for s in seqs],
            vocab_size=m_,
            eps1=2.0,
            eps_n=e,
            dtype=dtype,
        )
        assert got.dtype == dtype and got.shape == (m_,) * order
        sums = got.double().sum(-1)
        assert_close(sums, torch.ones_like(sums), dtype=dtype, msg="rows sum to 1")
        exact = _exact_rows(order, lists, m_, 2.0, e, contexts)
        notes = _exact_rows(order, lists, m_, 2.0, e, contexts, notes=True)
        for context in contexts:
            assert_accurate(got[context], _as_float(exact[context]), msg=f"{context}, eps {e}")
            if context not in ends:  # there the notes' denominator is the same count
                assert_accurate(got[context], _as_float(notes[context]), msg="notes' formula")
    if dtype == torch.float64:
        counts = torch.rand(
            (3,) * order, generator=torch.Generator().manual_seed(order), dtype=dtype
        ).requires_grad_()
        unigram = torch.tensor([1.0, 0.5, 2.5], dtype=dtype, requires_grad=True)

        def fn(a, b):
            return _call(impl, order, counts=a, unigram_counts=b, eps1=0.5, eps_n=1.5)

        assert torch.autograd.gradcheck(fn, (counts, unigram))
        assert torch.autograd.gradgradcheck(fn, (counts, unigram))


def _corrected_property(impl, order: int) -> ForAll:
    def holds(case) -> bool:
        (counts, unigram), e1, e = case
        got = _call(
            impl,
            order,
            counts=counts,
            unigram_counts=unigram,
            eps1=e1,
            eps_n=e,
            dtype=torch.float64,
        )
        m_ = counts.shape[0]
        unigrams = Counter({(k,): int(v) for k, v in enumerate(unigram.tolist())})
        backoff = exact_unigram(unigrams, m_, Fraction(e1))
        grams = Counter(
            {tuple(idx.tolist()): int(counts[tuple(idx.tolist())]) for idx in torch.nonzero(counts)}
        )
        rows = exact_conditional(grams, backoff, m_, Fraction(e), order)
        want = torch.stack([_as_float(rows[ctx]) for ctx in sorted(rows)]).reshape(got.shape)
        sums = got.sum(-1)
        return is_accurate(got, want) and is_close(sums, torch.ones_like(sums))

    tables = st.tuples(count_tables(order), epsilons(), epsilons())
    return ForAll(tables, holds, names=("counts, unigram_counts", "eps1", f"eps{order}"))


laplace_bigram_as_written = SECTION.claim(
    "laplace-bigram-as-written",
    title="The bigram estimate with the denominator n(x) as written",
    statement=r"\hat{P}(x' \mid x) = \frac{n(x, x') + \epsilon_2 \hat{P}(x')}{n(x) + \epsilon_2}"
    r",\quad \sum_{x'} \hat{P}(x' \mid x) = 1",
    kind=Kind.ERRATUM,
    corrects="sequences.laplace-bigram",
    uses=("sequences.laplace-unigram",),
    code=("laplace_unigram",),
    note=r"With $n(x)$ the count of $x$ in the text, the numerators sum to $n(x, \cdot) + "
    r"\epsilon_2$ where $n(x, \cdot) = \sum_{x'} n(x, x')$ counts the bigrams *starting* with "
    r"$x$: one less than $n(x)$ if $x$ ends the text (or a sentence). The row of that token "
    r"sums to less than 1.",
    numeric=NotApplicable("the corrected claim, sequences.laplace-bigram, checks the estimate"),
)


@laplace_bigram_as_written.symbolic_leg(scope="disproved for a context that ends the text")
def _() -> Derivation:
    return _erratum_symbolic(2)


@laplace_bigram_as_written.property_leg(
    r"Hypothesis searches short texts and $\epsilon_2$ for a context $x$ whose row, with the "
    r"denominator $n(x)$ counted in the text, does not sum to 1",
)
def _(impl) -> ForAll:
    return _erratum_property(impl, 2)


def _numerator_sum():
    r""":math:`\sum_{x'} (n(x, x') + \epsilon\hat P(x'))`, split, :math:`\epsilon` taken out."""
    split = sp.Sum(c[x] + eps * p_hat[x], (x, 1, m)).expand()
    return split.replace(lambda e: isinstance(e, sp.Sum), sp.factor_terms)


laplace_bigram = SECTION.claim(
    "laplace-bigram",
    title="The Laplace-smoothed bigram estimate, normalized by the bigrams that start with x",
    statement=r"\hat{P}(x' \mid x) = \frac{n(x, x') + \epsilon_2 \hat{P}(x')}{n(x, \cdot) + "
    r"\epsilon_2},\quad n(x, \cdot) = \sum_{x'} n(x, x'),\quad \sum_{x'} \hat{P}(x' \mid x) = 1",
    kind=Kind.THEOREM,
    code=("laplace_bigram",),
    uses=("sequences.laplace-unigram",),
    note=r"A distribution for every count table and $\epsilon_1, \epsilon_2 > 0$; it equals the "
    r"notes' formula for every context that does not end a sentence, and an unseen context "
    r"gets the backoff $\hat P(x')$.",
)


@laplace_bigram.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    numerators = _numerator_sum()
    with_unigram = numerators.subs(sp.Sum(p_hat[x], (x, 1, m)), 1)
    return Derivation(
        steps=[
            Step(r"Sum of the numerators over $x'$", numerators),
            Step(
                r"$\sum_{x'} \hat P(x') = 1$",
                equation(numerators, with_unigram),
                cites=("sequences.laplace-unigram",),
            ),
        ],
        residuals=[with_unigram - (sp.Sum(c[x], (x, 1, m)) + eps)],
        compared=[r"the numerators' sum minus the denominator $n(x, \cdot) + \epsilon_2$"],
    )


@laplace_bigram.numeric_leg(
    oracle="nltk.lm.Lidstone (order 2, gamma = eps2/m, uniform backoff) on the text; exact "
    "rationals (error in eps), also against the notes' formula where n(x) = n(x, .); gradcheck"
)
def _(impl, device, dtype) -> None:
    _corrected_numeric(impl, 2, device, dtype)


@laplace_bigram.property_leg(
    r"for random bigram and unigram count tables and $\epsilon_1, \epsilon_2 \in [10^{-6}, "
    r"10^6]$, every row equals the exact rational value and sums to 1",
)
def _(impl) -> ForAll:
    return _corrected_property(impl, 2)


laplace_trigram_as_written = SECTION.claim(
    "laplace-trigram-as-written",
    title="The trigram estimate with the denominator n(x, x') as written",
    statement=r"\hat{P}(x'' \mid x, x') = \frac{n(x, x', x'') + \epsilon_3 \hat{P}(x'')}"
    r"{n(x, x') + \epsilon_3},\quad \sum_{x''} \hat{P}(x'' \mid x, x') = 1",
    kind=Kind.ERRATUM,
    corrects="sequences.laplace-trigram",
    uses=("sequences.laplace-unigram",),
    code=("laplace_unigram",),
    note=r"The same slip one order up: the bigram $(x, x')$ that ends the text is counted in "
    r"$n(x, x')$ but starts no trigram, so its row sums to less than 1.",
    numeric=NotApplicable("the corrected claim, sequences.laplace-trigram, checks the estimate"),
)


@laplace_trigram_as_written.symbolic_leg(scope="disproved for a context that ends the text")
def _() -> Derivation:
    return _erratum_symbolic(3)


@laplace_trigram_as_written.property_leg(
    r"Hypothesis searches short texts and $\epsilon_3$ for a context $(x, x')$ whose row, with "
    r"the denominator $n(x, x')$ counted in the text, does not sum to 1",
)
def _(impl) -> ForAll:
    return _erratum_property(impl, 3)


laplace_trigram = SECTION.claim(
    "laplace-trigram",
    title="The Laplace-smoothed trigram estimate, normalized by the trigrams that start with "
    "(x, x')",
    statement=r"\hat{P}(x'' \mid x, x') = \frac{n(x, x', x'') + \epsilon_3 \hat{P}(x'')}"
    r"{n(x, x', \cdot) + \epsilon_3},\quad \sum_{x''} \hat{P}(x'' \mid x, x') = 1",
    kind=Kind.THEOREM,
    code=("laplace_trigram",),
    uses=("sequences.laplace-bigram",),
    note=r"The bigram argument with the context $(x, x')$; the backoff is the unigram "
    r"$\hat P(x'')$, as in the notes.",
)


@laplace_trigram.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    numerators = _numerator_sum()
    return Derivation(
        steps=[
            Step(
                r"The rows have the bigram's form with the context $(x, x')$",
                numerators,
                cites=("sequences.laplace-bigram",),
            ),
        ],
        residuals=[
            numerators.subs(sp.Sum(p_hat[x], (x, 1, m)), 1) - (sp.Sum(c[x], (x, 1, m)) + eps)
        ],
        compared=[r"the numerators' sum minus $n(x, x', \cdot) + \epsilon_3$"],
    )


@laplace_trigram.numeric_leg(
    oracle="nltk.lm.Lidstone (order 3, gamma = eps3/m, uniform backoff) on the text; exact "
    "rationals (error in eps), also against the notes' formula where it applies; gradcheck"
)
def _(impl, device, dtype) -> None:
    _corrected_numeric(impl, 3, device, dtype)


@laplace_trigram.property_leg(
    r"for random trigram and unigram count tables and $\epsilon_1, \epsilon_3$, every row "
    r"equals the exact rational value and sums to 1",
)
def _(impl) -> ForAll:
    return _corrected_property(impl, 3)


laplace_smoothing_limits = SECTION.claim(
    "laplace-smoothing-limits",
    title="Laplace smoothing between relative frequencies and the backoff",
    statement=r"\lim_{\epsilon_1 \to 0}\hat P(x) = \frac{n(x)}{n},\ "
    r"\lim_{\epsilon_1 \to \infty}\hat P(x) = \frac1m;\quad "
    r"\lim_{\epsilon_2 \to 0}\hat P(x' \mid x) = \frac{n(x, x')}{n(x, \cdot)},\ "
    r"\lim_{\epsilon_2 \to \infty}\hat P(x' \mid x) = \hat P(x')",
    kind=Kind.THEOREM,
    code=("laplace_unigram", "laplace_bigram", "laplace_trigram"),
    note=r"For $n > 0$ and $n(x, \cdot) > 0$ (a seen context); the trigram likewise. Small "
    r"$\epsilon$ trusts the counts, large $\epsilon$ the coarser estimate.",
)


@laplace_smoothing_limits.symbolic_leg(scope="general counts")
def _() -> Derivation:
    count, total = sp.symbols("n_x n", positive=True)
    backoff = sp.Symbol(r"\hat{P}'", positive=True)
    unigram = (count + eps / m) / (total + eps)
    bigram = (count + eps * backoff) / (total + eps)
    limits = [
        sp.limit(unigram, eps, 0),
        sp.limit(unigram, eps, sp.oo),
        sp.limit(bigram, eps, 0),
        sp.limit(bigram, eps, sp.oo),
    ]
    return Derivation(
        steps=[
            Step(r"Unigram, $\epsilon \to 0$ and $\infty$", sp.Tuple(limits[0], limits[1])),
            Step(
                r"Bigram (and trigram), $\epsilon \to 0$ and $\infty$",
                sp.Tuple(limits[2], limits[3]),
            ),
        ],
        residuals=[
            limits[0] - count / total,
            limits[1] - 1 / m,
            limits[2] - count / total,
            limits[3] - backoff,
        ],
        compared=[
            "unigram limit at 0",
            "unigram limit at infinity",
            "bigram limit at 0",
            "bigram limit at infinity",
        ],
    )


@laplace_smoothing_limits.numeric_leg(
    oracle="the exact limits (rationals): at eps = 1e-20 the relative frequencies, at 1e20 the "
    "uniform distribution or the backoff, within the dtype's budget"
)
def _(impl, device, dtype) -> None:
    # at these eps the estimate differs from its limit by < 1e-19 relative: below every eps
    seqs, vocabulary = text_tokens()
    lists, m_ = [s.tolist() for s in seqs], len(vocabulary)
    tokens = [s.to(device) for s in seqs]
    unigrams = ngram_counter(lists, 1)
    total = sum(unigrams.values())
    frequencies = torch.tensor([unigrams[(k,)] / total for k in range(m_)], dtype=torch.float64)
    got = impl.laplace_unigram(tokens, vocab_size=m_, eps=1e-20, dtype=dtype)
    seen = frequencies > 0  # an unseen token keeps its (vanishing) share eps/m / (n + eps)
    assert_accurate(got[seen], frequencies[seen], msg="eps -> 0: relative frequencies")
    tiny = exact_unigram(unigrams, m_, Fraction(1e-20))
    assert_accurate(got[~seen], _as_float(tiny)[~seen], msg="eps -> 0: unseen tokens")
    got = impl.laplace_unigram(tokens, vocab_size=m_, eps=1e20, dtype=dtype)
    assert_accurate(got, torch.full((m_,), 1 / m_, dtype=torch.float64), msg="eps -> oo")
    backoff = _as_float(exact_unigram(unigrams, m_, Fraction(1)))
    for order, fn in ((2, impl.laplace_bigram), (3, impl.laplace_trigram)):
        kw = {f"eps{order}": 1e20}
        far = fn(tokens, vocab_size=m_, eps1=1.0, dtype=dtype, **kw)
        assert_accurate(far, backoff.expand((m_,) * order), msg=f"order {order}: eps -> oo")
        kw = {f"eps{order}": 1e-20}
        near = fn(tokens, vocab_size=m_, eps1=1.0, dtype=dtype, **kw)
        grams = ngram_counter(lists, order)
        starts: Counter = Counter()
        for gram, count in grams.items():
            starts[gram[:-1]] += count
        for gram in sorted(starts)[:10]:
            freq = torch.tensor(
                [grams[(*gram, k)] / starts[gram] for k in range(m_)], dtype=torch.float64
            )
            hit = freq > 0
            assert_accurate(near[gram][hit], freq[hit], msg=f"order {order}: eps -> 0, {gram}")


@laplace_smoothing_limits.property_leg(
    r"for random texts, the unigram estimate at $\epsilon_1 = 10^{-20}$ equals the relative "
    r"frequencies and at $10^{20}$ the uniform $1/m$ (float64 budget)",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        sents, m_ = case
        tokens = [torch.tensor(s) for s in sents]
        total = sum(len(s) for s in sents)
        freq = torch.tensor(
            [sum(s.count(k) for s in sents) / total for k in range(m_)], dtype=torch.float64
        )
        near = impl.laplace_unigram(tokens, vocab_size=m_, eps=1e-20, dtype=torch.float64)
        seen = freq > 0
        far = impl.laplace_unigram(tokens, vocab_size=m_, eps=1e20, dtype=torch.float64)
        big = impl.laplace_bigram(tokens, vocab_size=m_, eps1=1.0, eps2=1e20, dtype=torch.float64)
        huge = impl.laplace_trigram(tokens, vocab_size=m_, eps1=1.0, eps3=1e20, dtype=torch.float64)
        unigrams = ngram_counter(sents, 1)
        backoff = _as_float(exact_unigram(unigrams, m_, Fraction(1)))
        return (
            is_accurate(near[seen], freq[seen])
            and is_accurate(far, torch.full((m_,), 1 / m_, dtype=torch.float64))
            and is_accurate(big, backoff.expand(m_, m_))
            and is_accurate(huge, backoff.expand(m_, m_, m_))
        )

    return ForAll(token_texts(), holds, names=("text",))
