r"""§ 9.2 Language Models: Perplexity (continued) — the bounds that relate perplexity to the
vocabulary size :math:`m`.

Main declarations:

* ``sequences.perplexity-at-least-one`` — :math:`\mathrm{PPL} \ge 1` for every model;
* ``sequences.perplexity-exp-cross-entropy`` — a model that predicts a fixed distribution
  :math:`q` has :math:`\mathrm{PPL} = \exp H(\hat p, q)`, with :math:`\hat p` the targets'
  frequencies;
* ``sequences.best-constant-model-beats-uniform`` — the best fixed distribution is
  :math:`\hat p` itself, with :math:`\mathrm{PPL} = \exp H(\hat p) \le m` (equality iff the
  targets are uniform): the notes' "bound that any useful model must beat";
* ``sequences.perplexity-can-exceed-vocabulary-size`` — a model worse than uniform has
  :math:`\mathrm{PPL} > m`: :math:`m` is a baseline, not an upper bound.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, Exists, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, is_accurate
from dltheory.sequences.claims._support import DPS, ngram_counter, text_tokens

SECTION = Section("sequences", "9.2 Language Models: Perplexity")

n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
t, k = sp.symbols("t k", integer=True)
u = sp.IndexedBase("u", nonnegative=True)  # P = 1/(1 + u): 0 < P <= 1
p = sp.IndexedBase(r"\hat{p}", positive=True)
q = sp.IndexedBase("q", positive=True)

# the information chapter's lemmas, proved there once and cited here
_CE_DEFINITION = "information.cross-entropy-definition"
_GIBBS = "information.gibbs-inequality"
_AT_MOST_LOG_K = "information.entropy-at-most-log-k"
_MAX_IFF_UNIFORM = "information.entropy-max-iff-uniform"


def mp_cross_entropy_ppl(freq, q_) -> float:
    r""":math:`\exp(-\sum_x \hat p(x)\log q(x))` by mpmath (terms with :math:`\hat p = 0` are 0)."""
    with mpmath.workdps(DPS):
        total = mpmath.fsum(
            -mpmath.mpf(float(a)) * mpmath.log(mpmath.mpf(float(b)))
            for a, b in zip(freq, q_, strict=True)
            if a > 0
        )
        return float(mpmath.exp(total))


perplexity_at_least_one = SECTION.claim(
    "perplexity-at-least-one",
    title="Perplexity is at least 1",
    statement=r"0 < P(x_t \mid x_{<t}) \le 1 \Rightarrow \mathrm{PPL} \ge 1",
    kind=Kind.THEOREM,
    code=("perplexity",),
    note=r"Every term $-\log P$ is nonnegative, so their mean is and its exponential is "
    r"$\ge 1$ (with a target of probability 0 it is $+\infty$).",
)


@perplexity_at_least_one.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    terms = sp.log(1 + u[t])  # -log P for P = 1/(1 + u)
    mean = sp.Sum(terms, (t, 1, n)) / n
    return Derivation(
        steps=[
            Step(r"With $P = 1/(1 + u_t)$, $u_t \ge 0$: $-\log P = \log(1 + u_t)$", terms),
            Step(r"The mean of nonnegative terms is nonnegative", mean >= 0),
            Step(r"and $\exp$ of a nonnegative number is $\ge 1$", sp.exp(mean) >= 1),
        ],
        residuals=[
            terms.is_nonnegative,
            mean.is_nonnegative,
            sp.exp(0) - 1,
            sp.diff(sp.exp(sp.Symbol("y", real=True)), sp.Symbol("y", real=True)).is_positive,
        ],
        compared=[
            r"$-\log P \ge 0$",
            r"the mean $\ge 0$",
            r"$e^0 - 1$",
            r"$\frac{d}{dy}e^y > 0$: $e^y \ge e^0 = 1$ for $y \ge 0$",
        ],
    )


@perplexity_at_least_one.numeric_leg(
    oracle="the bound itself and mpmath's value, for log-probabilities down to -700 and for "
    "random logits"
)
def _(impl, device, dtype) -> None:
    for scale in (1e-8, 1.0, 5.0):
        lp = -(randn(4, 7, seed=940, scale=scale).abs()).to(dtype).to(device)
        got = impl.perplexity(lp, reduction="none")
        assert bool((got >= 1).all()), f"perplexity below 1: {got}"
    logits = randn(3, 5, 9, seed=941, scale=4.0).to(dtype).to(device)
    targets = torch.randint(9, (3, 5), generator=torch.Generator().manual_seed(942))
    assert impl.perplexity(logits=logits, targets=targets.to(device)) >= 1


@perplexity_at_least_one.property_leg(
    r"for log-probabilities in $[-700, 0]$ (and any logits), the perplexity is $\ge 1$",
)
def _(impl) -> ForAll:
    def holds(lp: torch.Tensor) -> bool:
        return bool(impl.perplexity(lp) >= 1)

    arrays = hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-700, 0))
    return ForAll(arrays.map(torch.from_numpy), holds, names=("log_probs",))


perplexity_exp_cross_entropy = SECTION.claim(
    "perplexity-exp-cross-entropy",
    title="The perplexity of a fixed distribution is exp of a cross-entropy",
    statement=r"P(x_t \mid x_{<t}) = q(x_t) \Rightarrow \mathrm{PPL} = \exp H(\hat p, q),\quad "
    r"H(\hat p, q) = -\sum_{x=1}^m \hat p(x)\log q(x),\ \hat p(x) = \frac{n(x)}{n}",
    kind=Kind.THEOREM,
    code=("perplexity",),
    uses=(_CE_DEFINITION,),
    note=r"Grouping the $n$ terms by token: $-\frac1n\sum_t \log q(x_t) = -\sum_x "
    r"\frac{n(x)}{n}\log q(x)$, the cross-entropy between the targets' empirical distribution "
    r"and the model (the information chapter's cross-entropy, in nats).",
)


@perplexity_exp_cross_entropy.symbolic_leg(
    scope="for every sequence of $n \\le 4$ tokens over $m = 2, 3$ symbols", general=False
)
def _() -> Derivation:
    residuals = []
    for size in (2, 3):
        logs = sp.symbols(f"L_1:{size + 1}", real=True)  # log q(x)
        for length in range(1, 5):
            for seq in np.ndindex(*(size,) * length):
                per_token = -sum(logs[s] for s in seq) / length
                grouped = -sum(sp.Rational(seq.count(x), length) * logs[x] for x in range(size))
                residuals.append(per_token - grouped)
    return Derivation(
        steps=[
            Step(
                r"Per token: $-\frac1n\sum_t \log q(x_t)$; grouped by token: "
                r"$-\sum_x \frac{n(x)}{n}\log q(x)$",
                sp.Symbol("H"),
            ),
            Step(
                r"With $\hat p(x) = n(x)/n$ the grouped sum is the cross-entropy "
                r"$H(\hat p, q)$ of the information chapter, so $\log\mathrm{PPL} = "
                r"H(\hat p, q)$",
                equation(sp.Symbol(r"H(\hat p, q)"), -sp.Sum(p[k] * sp.log(q[k]), (k, 1, m))),
                cites=(_CE_DEFINITION,),
            ),
        ],
        residuals=residuals,
        compared=["per-token mean minus the grouped sum, for each sequence"]
        + [""] * (len(residuals) - 1),
    )


@perplexity_exp_cross_entropy.numeric_leg(
    oracle="exp of the cross-entropy between the text's token frequencies and q, by mpmath "
    "(error in eps of exp's conditioning)"
)
def _(impl, device, dtype) -> None:
    seqs, vocabulary = text_tokens()
    tokens = torch.cat(seqs)
    counts = ngram_counter([tokens.tolist()], 1)
    freq = [counts[(x,)] / tokens.numel() for x in range(len(vocabulary))]
    for seed in (950, 951):
        q_ = torch.softmax(randn(len(vocabulary), seed=seed, scale=2.0), 0)
        log_q = q_.log().to(dtype)  # the dtype rounds log q(x); the oracle takes what it holds
        got = impl.perplexity(log_q[tokens].to(device))
        with mpmath.workdps(DPS):
            entropy = -mpmath.fsum(
                mpmath.mpf(f) * mpmath.mpf(float(v))
                for f, v in zip(freq, log_q.double(), strict=True)
                if f
            )
            want = float(mpmath.exp(entropy))
        assert_accurate(got, want, scale=want * max(1.0, float(np.log(want))))


@perplexity_exp_cross_entropy.property_leg(
    r"for random targets and fixed distributions $q$ over $m \le 6$ tokens, the perplexity of "
    r"$\log q(x_t)$ equals $\exp H(\hat p, q)$ (mpmath)",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        q_ = draw(
            dst.probability_vectors(size=st.integers(1, 6), allow_zeros=False, min_positive=1e-6)
        )
        targets = draw(st.lists(st.integers(0, q_.numel() - 1), min_size=1, max_size=10))
        return q_, torch.tensor(targets)

    def holds(case) -> bool:
        q_, targets = case
        freq = [(targets == x).sum().item() / targets.numel() for x in range(q_.numel())]
        want = mp_cross_entropy_ppl(freq, q_.tolist())
        got = impl.perplexity(q_.log()[targets])
        return is_accurate(got, want, scale=want * max(1.0, float(np.log(want))))

    return ForAll(cases(), holds, names=("q", "targets"))


best_constant_model = SECTION.claim(
    "best-constant-model-beats-uniform",
    title="The targets' own frequencies give perplexity exp H(p̂) ≤ m",
    statement=r"\min_q \exp H(\hat p, q) = \exp H(\hat p) \le m \quad (\text{at } q = \hat p;\ "
    r"= m \iff \hat p \text{ uniform})",
    kind=Kind.THEOREM,
    code=("perplexity",),
    uses=("sequences.perplexity-exp-cross-entropy", _GIBBS, _AT_MOST_LOG_K, _MAX_IFF_UNIFORM),
    note=r"The notes call $m$ the bound any useful model must beat. Among fixed distributions "
    r"the best is the targets' empirical distribution: $H(\hat p, q) \ge H(\hat p)$ (Gibbs' "
    r"inequality, information.gibbs-inequality), and $H(\hat p) \le \log m$ "
    r"(information.entropy-at-most-log-k), with equality iff $\hat p$ is uniform "
    r"(information.entropy-max-iff-uniform). So the uniform model is never better than the "
    r"best fixed distribution, and a model beats it exactly when its perplexity is below $m$.",
)


@best_constant_model.symbolic_leg(
    scope="general $m$ (Gibbs' inequality and $H \\le \\log m$ cited from the information chapter)"
)
def _() -> Derivation:
    log_ppl = sp.Symbol(r"\log\mathrm{PPL}")
    cross = -sp.Sum(p[k] * sp.log(q[k]), (k, 1, m))
    entropy = -sp.Sum(p[k] * sp.log(p[k]), (k, 1, m))
    at_p = cross.subs(q, p)  # the model q = p-hat
    uniform_ce = -sp.Sum(p[k] * sp.log(sp.Integer(1) / m), (k, 1, m))
    h, y = sp.Symbol(r"H(\hat p)"), sp.Symbol("y", real=True)
    return Derivation(
        steps=[
            Step(
                r"Perplexity of a fixed $q$",
                equation(log_ppl, cross),
                cites=("sequences.perplexity-exp-cross-entropy",),
            ),
            Step(r"At $q = \hat p$ it is the entropy: $\log\mathrm{PPL} = H(\hat p)$", at_p),
            Step(
                r"Gibbs' inequality: $H(\hat p) \le H(\hat p, q)$ for every $q$, so no fixed "
                r"distribution beats $q = \hat p$",
                sp.LessThan(h, sp.Symbol(r"H(\hat p, q)"), evaluate=False),
                cites=(_GIBBS,),
            ),
            Step(
                r"The uniform model $q = 1/m$ has $H(\hat p, q) = \log m$: perplexity $m$",
                equation(uniform_ce, sp.expand_log(uniform_ce.doit(), force=True)),
            ),
            Step(
                r"$H(\hat p) \le \log m$",
                sp.LessThan(h, sp.log(m), evaluate=False),
                cites=(_AT_MOST_LOG_K,),
            ),
            Step(
                r"with equality iff $\hat p$ is uniform",
                sp.Eq(h, sp.log(m), evaluate=False),
                cites=(_MAX_IFF_UNIFORM,),
            ),
            Step(
                r"and $\exp$ is increasing: $\exp H(\hat p) \le e^{\log m} = m$",
                sp.LessThan(sp.exp(h), m, evaluate=False),
            ),
        ],
        residuals=[
            at_p - entropy,
            sp.simplify(
                sp.expand_log(uniform_ce.doit(), force=True) - sp.log(m) * sp.Sum(p[k], (k, 1, m))
            ),
            sp.exp(sp.log(m)) - m,
            sp.diff(sp.exp(y), y).is_positive,
        ],
        compared=[
            r"$H(\hat p, \hat p)$ minus $H(\hat p)$",
            r"$H(\hat p, \text{uniform})$ minus $\log m \sum\hat p$",
            r"$e^{\log m}$ minus $m$",
            r"$\frac{d}{dy}e^y > 0$",
        ],
    )


@best_constant_model.numeric_leg(
    oracle="mpmath exp H(p) of the text's token frequencies, against m and against other "
    "fixed distributions"
)
def _(impl, device, dtype) -> None:
    seqs, vocabulary = text_tokens()
    tokens = torch.cat(seqs)
    size = len(vocabulary) - 1  # tokens that occur (the last id is never seen)
    counts = ngram_counter([tokens.tolist()], 1)
    freq = torch.tensor([counts[(x,)] / tokens.numel() for x in range(size)], dtype=torch.float64)
    best = impl.perplexity(freq.log()[tokens].to(dtype).to(device))
    with mpmath.workdps(DPS):
        entropy = -mpmath.fsum(
            mpmath.mpf(float(f)) * mpmath.log(mpmath.mpf(float(f))) for f in freq
        )
        want = float(mpmath.exp(entropy))
    assert_accurate(best, want, scale=want * float(np.log(want)))
    assert want < size, f"exp H(p) = {want} is not below m = {size} (the text is not uniform)"
    for seed in (960, 961, 962):
        q_ = torch.softmax(randn(size, seed=seed, scale=0.5) + freq.log(), 0)
        other = impl.perplexity(q_.log()[tokens].to(dtype).to(device))
        assert other >= best, f"a fixed distribution beat the frequencies: {other} < {best}"


@best_constant_model.property_leg(
    r"for random targets over $m \le 6$ tokens and random $q$: $\exp H(\hat p, q) \ge "
    r"\exp H(\hat p)$ and $\exp H(\hat p) \le m$ (mpmath), with `perplexity` matching both",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        q_ = draw(
            dst.probability_vectors(size=st.integers(1, 6), allow_zeros=False, min_positive=1e-6)
        )
        targets = draw(st.lists(st.integers(0, q_.numel() - 1), min_size=1, max_size=12))
        return q_, torch.tensor(targets)

    def holds(case) -> bool:
        q_, targets = case
        size = q_.numel()
        freq = torch.bincount(targets, minlength=size).double() / targets.numel()
        with mpmath.workdps(DPS):
            h = -mpmath.fsum(
                mpmath.mpf(float(f)) * mpmath.log(mpmath.mpf(float(f))) for f in freq if f > 0
            )
            ce = -mpmath.fsum(
                mpmath.mpf(float(f)) * mpmath.log(mpmath.mpf(float(g)))
                for f, g in zip(freq, q_, strict=True)
                if f > 0
            )
            bounds = ce >= h and h <= mpmath.log(size)
        best = impl.perplexity(freq.log()[targets])
        other = impl.perplexity(q_.log()[targets])
        want_best, want_other = float(mpmath.exp(h)), float(mpmath.exp(ce))
        return (
            bool(bounds)
            and is_accurate(best, want_best, scale=want_best * max(1.0, float(h)))
            and is_accurate(other, want_other, scale=want_other * max(1.0, float(ce)))
        )

    return ForAll(cases(), holds, names=("q", "targets"))


perplexity_can_exceed = SECTION.claim(
    "perplexity-can-exceed-vocabulary-size",
    title="A model worse than uniform has perplexity above m",
    statement=r"\exists\, q, x_1..x_n:\ \mathrm{PPL} > m",
    kind=Kind.THEOREM,
    code=("perplexity",),
    note=r"The uniform model's $m$ is a baseline to beat, not an upper bound on perplexity: a "
    r"model that puts little probability on the tokens that occur does worse, without bound "
    r"(sequences.perplexity-infinite-at-zero-probability).",
    symbolic=NotApplicable("an existence statement: the property leg exhibits a witness"),
    numeric=NotApplicable("an existence statement: the property leg exhibits a witness"),
)


@perplexity_can_exceed.property_leg(
    r"Hypothesis finds a distribution $q$ over $m$ tokens and targets whose perplexity "
    r"exceeds $m$",
)
def _(impl) -> Exists:
    @st.composite
    def cases(draw):
        q_ = draw(
            dst.probability_vectors(size=st.integers(2, 4), allow_zeros=False, min_positive=1e-3)
        )
        targets = draw(st.lists(st.integers(0, q_.numel() - 1), min_size=1, max_size=4))
        return q_, torch.tensor(targets)

    def worse_than_uniform(case) -> bool:
        q_, targets = case
        return bool(impl.perplexity(q_.log()[targets]) > q_.numel())

    return Exists(cases(), worse_than_uniform, names=("q", "targets"))
