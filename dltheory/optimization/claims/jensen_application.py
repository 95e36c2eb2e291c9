r"""§ 12.2 Jensen's Inequality (application) — bounding :math:`-\log P(X)`.

Main declarations:

* ``optimization.jensen-negative-log-likelihood`` — :math:`E_{Y \sim P(Y)}[-\log P(X \mid Y)]
  \ge -\log P(X)`; the gap is :math:`\operatorname{KL}(P(Y) \,\|\, P(Y \mid X))`;
* erratum ``optimization.jensen-bound-with-any-guess`` — with :math:`Y` drawn from a guess
  :math:`Q` of its distribution (the notes: ":math:`P(Y)` is the best guess"), the bound fails;
* ``optimization.evidence-lower-bound`` — for any :math:`Q`: :math:`-\log P(X) \le
  E_Q[-\log P(X \mid Y)] + \operatorname{KL}(Q \,\|\, P(Y))`, with gap
  :math:`\operatorname{KL}(Q \,\|\, P(Y \mid X))`.

:math:`Y` is discrete here (the notes' clustering example): :math:`\pi_i = P(Y = i)`,
:math:`p_i = P(X \mid Y = i)`, :math:`P(X) = \sum_i \pi_i p_i`. The KL divergences are proved
nonnegative here by Jensen's inequality; they are information.kl-nonnegative of the
information chapter, which these claims would cite once it is registered.
"""

from __future__ import annotations

import mpmath
import scipy.special
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input, simplex
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.optimization.claims._support import DPS

SECTION = Section("optimization", "12.2 Jensen's Inequality")

n = sp.Symbol("n", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True)
prior = sp.IndexedBase(r"\pi", positive=True)  # P(Y = i)
like = sp.IndexedBase("p", positive=True)  # P(X | Y = i)
guess = sp.IndexedBase("q", positive=True)  # Q(Y = i)
evidence = sp.Sum(prior[j] * like[j], (j, 1, n))  # P(X)


def _neg_log(t: torch.Tensor) -> torch.Tensor:
    return -torch.log(t)


def _mp_terms(weights, likelihoods, priors):
    r""":math:`E_w[-\log p]`, :math:`\log P(X)` and the size :math:`\sum_i w_i|\log p_i| +
    |\log P(X)|` of their rounding errors, at :data:`DPS` digits."""
    with mpmath.workdps(DPS):
        w = [mpmath.mpf(v) for v in weights]
        p = [mpmath.mpf(v) for v in likelihoods]
        pr = [mpmath.mpf(v) for v in priors]
        expected = mpmath.fsum(-a * mpmath.log(b) for a, b in zip(w, p, strict=True) if a)
        log_evidence = mpmath.log(mpmath.fsum(a * b for a, b in zip(pr, p, strict=True)))
        size = mpmath.fsum(abs(a * mpmath.log(b)) for a, b in zip(w, p, strict=True) if a)
        return expected, log_evidence, float(size + abs(log_evidence))


def _mp_neg_log_gap(points, weights) -> tuple[float, float]:
    r"""The exact ``jensen_gap`` of :math:`-\log` at these (rounded) points and weights,
    :math:`\sum_i w_i(-\log r_i) + \log\sum_i w_i r_i`, and the size of its rounding error
    :math:`\sum_i w_i (|\log r_i| + 1) + |\log\sum_i w_i r_i|`."""
    with mpmath.workdps(DPS):
        r = [mpmath.mpf(float(v)) for v in points]
        w = [mpmath.mpf(float(v)) for v in weights]
        log_mean = mpmath.log(mpmath.fsum(a * b for a, b in zip(w, r, strict=True)))
        terms = [(b, -mpmath.log(a)) for a, b in zip(r, w, strict=True) if b]
        exact = mpmath.fsum(b * t for b, t in terms) + log_mean
        size = mpmath.fsum(b * (abs(t) + 1) for b, t in terms) + abs(log_mean)
        return float(exact), float(size)


def _kl(a: torch.Tensor, b: torch.Tensor) -> float:
    """KL(a || b) by ``scipy.special.rel_entr`` (float64)."""
    return float(scipy.special.rel_entr(oracle_input(a), oracle_input(b)).sum())


@st.composite
def _discrete_model(draw, *, full_guess: bool = False):
    """``(prior, likelihoods, guess)``: two distributions of :math:`Y` on ``k`` values (the
    guess without zeros if ``full_guess``) and likelihoods in :math:`[10^{-300}, 1]`."""
    k = draw(st.integers(1, 4))
    prior = draw(dst.probability_vectors(size=k, allow_zeros=False, min_positive=1e-6))
    q = draw(dst.probability_vectors(size=k, allow_zeros=not full_guess, min_positive=1e-6))
    likes = draw(st.lists(st.floats(1e-300, 1.0), min_size=k, max_size=k))
    return prior, torch.tensor(likes, dtype=torch.float64), q


jensen_negative_log_likelihood = SECTION.claim(
    "jensen-negative-log-likelihood",
    title="Jensen bounds the negative log-likelihood of partly observed data",
    statement=r"E_{Y \sim P(Y)}[-\log P(X \mid Y)] \ge -\log(E_{Y \sim P(Y)}[P(X \mid Y)]) = "
    r"-\log \int P(Y)P(X \mid Y)\, dY = -\log P(X)",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.jensen-expectation", "optimization.second-derivative-criterion"),
    note=r"The gap is $\operatorname{KL}(P(Y) \,\|\, P(Y \mid X))$, zero exactly when the "
    r"observation leaves the distribution of $Y$ unchanged. It is `jensen_gap` with "
    r"$f = -\log$, the points $P(X \mid Y = i)$ and the weights $P(Y = i)$.",
)


@jensen_negative_log_likelihood.symbolic_leg(scope="general $n$ (discrete $Y$)")
def _() -> Derivation:
    t = sp.Symbol("t", positive=True)
    expected = sp.Sum(-prior[i] * sp.log(like[i]), (i, 1, n))
    gap = expected + sp.log(evidence)
    posterior = prior[i] * like[i] / evidence
    kl = sp.Sum(prior[i] * sp.log(prior[i] / posterior), (i, 1, n))
    kl_expanded = sp.factor_terms(sp.expand(sp.expand_log(kl, force=True)))
    return Derivation(
        steps=[
            Step(
                r"$-\log$ is convex: $(-\log t)'' = 1/t^2 > 0$",
                sp.diff(-sp.log(t), t, 2) > 0,
                cites=("optimization.second-derivative-criterion",),
            ),
            Step(
                r"Jensen with $f = -\log$ and the random variable $P(X \mid Y)$",
                sp.Ge(expected, -sp.log(evidence)),
                cites=("optimization.jensen-expectation",),
            ),
            Step(r"$E_Y[P(X \mid Y)] = \sum_i \pi_i p_i$ is the marginal $P(X)$", evidence),
            Step(
                r"The gap is $\operatorname{KL}(\pi \,\|\, P(Y \mid X))$, "
                r"$P(Y = i \mid X) = \pi_i p_i / P(X)$",
                equation(kl, kl_expanded),
            ),
        ],
        residuals=[
            sp.diff(-sp.log(t), t, 2).is_positive,
            sp.simplify(
                (kl_expanded - sp.factor_terms(sp.expand(gap))).subs(sp.Sum(prior[i], (i, 1, n)), 1)
            ),
        ],
        compared=[r"$(-\log)'' > 0$", r"the KL divergence minus the gap, at $\sum_i \pi_i = 1$"],
    )


@jensen_negative_log_likelihood.numeric_leg(
    oracle="mpmath at 50 digits (error in eps of the sum of |terms|); the KL divergence by "
    "scipy.special.rel_entr (float64)"
)
def _(impl, device, dtype) -> None:
    prior = simplex(7, seed=300, zeros=0.3)
    likes = (
        torch.rand(7, generator=torch.Generator().manual_seed(301), dtype=torch.float64) * 0.9 + 0.1
    )
    likes = torch.where(prior == 0, 0.0, likes)  # an impossible observation where Y cannot be
    pr, lk = prior.to(dtype).to(device), likes.to(dtype).to(device)
    got = impl.jensen_gap(_neg_log, lk, pr, validate=False)
    expected, log_evidence, size = _mp_terms(oracle_input(pr), oracle_input(lk), oracle_input(pr))
    assert_accurate(got, float(expected + log_evidence), scale=size, msg="E[-log p] + log P(X)")
    assert got >= 0
    posterior = pr.double() * lk.double() / (pr.double() * lk.double()).sum()
    assert_close(got, _kl(pr.double(), posterior), dtype=dtype, msg="the gap is KL(P(Y) || P(Y|X))")


@jensen_negative_log_likelihood.property_leg(
    r"for priors on up to 4 values and likelihoods in $[10^{-300}, 1]$, the gap is $\ge 0$ and "
    r"equals $E[-\log p] + \log P(X)$ by mpmath"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        prior, likes, _ = case
        got = impl.jensen_gap(_neg_log, likes, prior)
        expected, log_evidence, size = _mp_terms(prior.tolist(), likes.tolist(), prior.tolist())
        return bool(got >= 0 or is_accurate(got.clamp(max=0), 0.0, scale=size)) and is_accurate(
            got, float(expected + log_evidence), scale=size
        )

    return ForAll(_discrete_model(), holds, names=("P(Y)", "P(X|Y)", "Q"))


jensen_bound_with_any_guess = SECTION.claim(
    "jensen-bound-with-any-guess",
    title="The bound with Y drawn from a guess of its distribution",
    statement=r"E_{Y \sim Q}[-\log P(X \mid Y)] \ge -\log P(X), \quad Q \text{ ``the best guess "
    r"of how } Y \text{ might be distributed''}",
    kind=Kind.ERRATUM,
    corrects="optimization.evidence-lower-bound",
    note=r"The notes call $P(Y)$ 'the best guess of how it might be distributed' and point to "
    r"variational methods, where the expectation is over a guess $Q$. The bound holds only "
    r"for $Q = P(Y)$, the distribution $P(X) = \sum_y P(y)P(X \mid y)$ integrates against; for "
    r"another $Q$ a term $\operatorname{KL}(Q \,\|\, P(Y))$ is missing: a $Q$ that favours the "
    r"values of $Y$ under which $X$ is likely makes the left side smaller than $-\log P(X)$.",
    numeric=NotApplicable(
        "the property leg refutes it; the corrected bound is checked in "
        "optimization.evidence-lower-bound"
    ),
)


@jensen_bound_with_any_guess.symbolic_leg(
    scope=r"disproved at $P(Y) = (\frac12, \frac12)$, $p = (1, \frac12)$, $Q = (1, 0)$"
)
def _() -> Derivation:
    q1, q2, p1, p2, r1, r2 = sp.symbols("q_1 q_2 p_1 p_2 \\pi_1 \\pi_2", positive=True)
    left = -(q1 * sp.log(p1) + q2 * sp.log(p2))
    right = -sp.log(r1 * p1 + r2 * p2)
    return Derivation(
        steps=[
            Step(r"$E_Q[-\log P(X \mid Y)]$ for two values of $Y$", left),
            Step(r"$-\log P(X)$", right),
        ],
        residuals=[sp.Ge(left, right)],
        witness={
            q1: 1,
            q2: 0,
            p1: 1,
            p2: sp.Rational(1, 2),
            r1: sp.Rational(1, 2),
            r2: sp.Rational(1, 2),
        },
        witness_symbols={
            "q_1": r"the guessed probability $Q(Y = y_1)$ of the first of the two values of $Y$",
            "q_2": r"the guessed probability $Q(Y = y_2)$",
            "p_1": r"the likelihood $P(X \mid Y = y_1)$ of the observation $X$",
            "p_2": r"the likelihood $P(X \mid Y = y_2)$",
            "\\pi_1": r"the prior probability $P(Y = y_1)$",
            "\\pi_2": r"the prior probability $P(Y = y_2)$",
        },
        compared=[r"$E_Q[-\log P(X \mid Y)] \ge -\log P(X)$ ($0 \ge \log\frac43$ at the witness)"],
    )


@jensen_bound_with_any_guess.property_leg(
    r"for priors, guesses on up to 4 values and likelihoods in $[10^{-300}, 1]$: "
    r"$E_Q[-\log p] \ge -\log P(X)$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        prior, likes, q = case
        expected, log_evidence, _ = _mp_terms(q.tolist(), likes.tolist(), prior.tolist())
        return float(expected + log_evidence) >= 0 or is_close(
            float(expected), float(-log_evidence)
        )

    return ForAll(_discrete_model(), holds, names=("P(Y)", "P(X|Y)", "Q"))


evidence_lower_bound = SECTION.claim(
    "evidence-lower-bound",
    title="The evidence lower bound, for any distribution Q of Y",
    statement=r"-\log P(X) = E_{Q}[-\log P(X \mid Y)] + \operatorname{KL}(Q \,\|\, P(Y)) - "
    r"\operatorname{KL}(Q \,\|\, P(Y \mid X)) \le E_{Q}[-\log P(X \mid Y)] + "
    r"\operatorname{KL}(Q \,\|\, P(Y))",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.jensen-finite",),
    note=r"The variational bound the notes allude to. With $Q = P(Y)$ the KL term vanishes and "
    r"it is optimization.jensen-negative-log-likelihood. "
    r"$\operatorname{KL}(Q \,\|\, R) \ge 0$ is Jensen's inequality for $-\log$: it is "
    r"`jensen_gap(-log, R/Q, Q)` when $Q > 0$.",
)


@evidence_lower_bound.symbolic_leg(scope="general $n$ (discrete $Y$)")
def _() -> Derivation:
    posterior = prior[i] * like[i] / evidence
    expected = sp.Sum(-guess[i] * sp.log(like[i]), (i, 1, n))
    kl_prior = sp.Sum(guess[i] * sp.log(guess[i] / prior[i]), (i, 1, n))
    kl_posterior = sp.Sum(guess[i] * sp.log(guess[i] / posterior), (i, 1, n))
    identity = expected + kl_prior - kl_posterior + sp.log(evidence)
    expanded = sp.factor_terms(sp.expand(sp.expand_log(identity, force=True)))
    r = sp.IndexedBase("r", positive=True)
    ratio_mean = sp.Sum(guess[i] * (r[i] / guess[i]), (i, 1, n))
    return Derivation(
        steps=[
            Step(
                r"$E_Q[-\log p] + \operatorname{KL}(Q\|\pi) - \operatorname{KL}(Q\|P(Y \mid X)) "
                r"+ \log P(X)$, logarithms expanded",
                equation(identity, expanded),
            ),
            Step(
                r"$\operatorname{KL}(Q\|R) = E_Q[-\log(R/Q)] \ge -\log E_Q[R/Q] = -\log\sum_i r_i "
                r"= 0$",
                equation(ratio_mean, sp.Sum(r[i], (i, 1, n))),
                cites=("optimization.jensen-finite",),
            ),
        ],
        residuals=[
            sp.simplify(expanded.subs(sp.Sum(guess[i], (i, 1, n)), 1)),
            sp.simplify(ratio_mean - sp.Sum(r[i], (i, 1, n))),
        ],
        compared=[
            r"the identity's two sides differ by 0 at $\sum_i q_i = 1$",
            r"$E_Q[R/Q]$ minus $\sum_i r_i$",
        ],
    )


@evidence_lower_bound.numeric_leg(
    oracle="KL divergences by scipy.special.rel_entr (float64); the identity by mpmath"
)
def _(impl, device, dtype) -> None:
    prior = simplex(6, seed=310)
    q = simplex(6, seed=311)
    likes = (
        torch.rand(6, generator=torch.Generator().manual_seed(312), dtype=torch.float64) * 0.9 + 0.1
    )
    posterior = prior * likes / (prior * likes).sum()
    for target, name in ((posterior, "KL(Q || P(Y|X))"), (prior, "KL(Q || P(Y))")):
        ratio, weights = (target / q).to(dtype).to(device), q.to(dtype).to(device)
        got = impl.jensen_gap(_neg_log, ratio, weights, validate=False)
        exact, size = _mp_neg_log_gap(oracle_input(ratio), oracle_input(weights))
        assert_accurate(got, exact, scale=size, msg=name)
        assert_close(got, _kl(q, target), dtype=dtype, msg=f"{name} vs scipy")
    expected, log_evidence, _ = _mp_terms(q.tolist(), likes.tolist(), prior.tolist())
    elbo = float(expected) + _kl(q, prior)
    assert_close(elbo - _kl(q, posterior), float(-log_evidence), msg="the ELBO identity")


@evidence_lower_bound.property_leg(
    r"for priors, guesses without zeros and likelihoods in $[10^{-300}, 1]$: "
    r"$E_Q[-\log p] + \operatorname{KL}(Q\|P(Y)) \ge -\log P(X)$ with the KL computed by "
    r"`jensen_gap`, and the gap equals `jensen_gap` for $\operatorname{KL}(Q\|P(Y \mid X))$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        prior, likes, q = case
        posterior = prior * likes / (prior * likes).sum()
        kl_prior = impl.jensen_gap(_neg_log, prior / q, q)  # KL(Q || P(Y)), by Jensen's gap
        kl_post = impl.jensen_gap(_neg_log, posterior / q, q)  # KL(Q || P(Y | X))
        expected, log_evidence, size = _mp_terms(q.tolist(), likes.tolist(), prior.tolist())
        slack = float(expected + log_evidence) + float(kl_prior)  # the bound's slack
        exact, kl_size = _mp_neg_log_gap((posterior / q).tolist(), q.tolist())
        bound_holds = slack >= 0 or is_accurate(min(slack, 0.0), 0.0, scale=size + kl_size)
        return bound_holds and is_accurate(kl_post, exact, scale=kl_size)

    return ForAll(_discrete_model(full_guess=True), holds, names=("P(Y)", "P(X|Y)", "Q"))
