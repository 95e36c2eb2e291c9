r"""§ 2 Baye's Theorem — Bayes' theorem, with the condition :math:`P(B) \ne 0`.

Main declarations:

* ``preliminaries.bayes-theorem`` — :math:`P(A \mid B) = P(B \mid A) P(A) / P(B)` when
  :math:`P(B) \ne 0`, with :math:`P(B) = \sum_k P(B \mid A_k) P(A_k)` over a partition;
* notation note ``preliminaries.bayes-heading-spelling`` — "Baye's" for "Bayes'".
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import simplex
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_close

SECTION = Section("preliminaries", "2 Baye's Theorem")


def _from_joint(joint: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""From a table :math:`P(A_k, B)`, :math:`P(A_k, \bar B)` (rows :math:`k`): the
    likelihood :math:`P(B \mid A_k)`, the prior :math:`P(A_k)` and the posterior
    :math:`P(A_k \mid B) = P(A_k, B) / P(B)`, all by the definition of conditional
    probability (never by Bayes' formula)."""
    prior = joint.sum(-1)
    likelihood = torch.where(prior > 0, joint[..., 0] / prior, 0.5)  # any value where P(A_k) = 0
    posterior = joint[..., 0] / joint[..., 0].sum(-1, keepdim=True)
    return likelihood, prior, posterior


def _exact_posterior(likelihood: torch.Tensor, prior: torch.Tensor) -> torch.Tensor:
    r""":math:`P(A_k, B) / \sum_j P(A_j, B)` with :math:`P(A_k, B) = P(B \mid A_k) P(A_k)`,
    in exact rational arithmetic on the values the tensors hold (last dimension)."""
    rows = []
    for lik, pri in zip(likelihood.double().tolist(), prior.double().tolist(), strict=True):
        joint = [Fraction(a) * Fraction(b) for a, b in zip(lik, pri, strict=True)]
        total = sum(joint)
        rows.append([float(v / total) for v in joint])
    return torch.tensor(rows, dtype=torch.float64)


bayes_theorem = SECTION.claim(
    "bayes-theorem",
    title="Bayes' theorem",
    statement=r"P(B) \ne 0 \Rightarrow P(A \mid B) = \frac{P(B \mid A)\,P(A)}{P(B)}, \qquad "
    r"P(B) = \sum_k P(B \mid A_k)\,P(A_k)",
    kind=Kind.THEOREM,
    code=("bayes_posterior",),
    note=r"Both sides come from $P(A \cap B) = P(A \mid B) P(B) = P(B \mid A) P(A)$; dividing by "
    r"$P(B)$ needs $P(B) \ne 0$ (with $P(B) = 0$, $P(A \mid B)$ is undefined, and the "
    r"reference raises or returns NaN). The evidence $P(B)$ over a partition "
    r"$A_1, \dots, A_K$ is the law of total probability.",
)


@bayes_theorem.symbolic_leg(scope=r"general events; general $K$ for the total probability")
def _() -> Derivation:
    both, pa, pb = sp.symbols(r"P(A\cap{}B) P(A) P(B)", positive=True)
    a_given_b, b_given_a = both / pb, both / pa  # the definitions of conditional probability
    K = sp.Symbol("K", integer=True, positive=True)
    k = sp.Symbol("k", integer=True)
    joint, prior = (
        sp.IndexedBase(r"P(B\cap{}A)", nonnegative=True),
        sp.IndexedBase("P(A)", positive=True),
    )
    total = sp.Sum(joint[k], (k, 1, K))
    by_likelihood = sp.Sum((joint[k] / prior[k]) * prior[k], (k, 1, K))
    return Derivation(
        steps=[
            Step(
                r"Definitions: $P(A \mid B) = P(A\cap B)/P(B)$, $P(B \mid A) = P(A \cap B)/P(A)$",
                equation(sp.Symbol(r"P(A|B)"), a_given_b),
            ),
            Step(
                r"Substitute $P(A \cap B) = P(B \mid A) P(A)$ ($P(B) \ne 0$ to divide)",
                equation(a_given_b, b_given_a * pa / pb),
            ),
            Step(
                r"The $A_k$ partition the space: $P(B) = \sum_k P(B \cap A_k) = "
                r"\sum_k P(B \mid A_k) P(A_k)$",
                equation(total, by_likelihood),
            ),
        ],
        residuals=[a_given_b - b_given_a * pa / pb, total - by_likelihood],
        compared=[
            r"$P(A \mid B) - P(B \mid A) P(A) / P(B)$",
            r"$\sum_k P(B \cap A_k) - \sum_k P(B \mid A_k) P(A_k)$",
        ],
    )


@bayes_theorem.numeric_leg(
    oracle=r"$P(A_k, B) / P(B)$ read off joint tables (float64); exact rational arithmetic on "
    r"the rounded inputs (error in eps); $P(B) = 0$ rejected or NaN"
)
def _(impl, device, dtype) -> None:
    joint = simplex(6, 4 * 2, seed=70, zeros=0.2).reshape(6, 4, 2)
    likelihood, prior, posterior = _from_joint(joint)
    if dtype == torch.float64:
        got = impl.bayes_posterior(likelihood.to(device), prior.to(device))
        assert_close(got, posterior, msg="posterior vs the joint table")
    lik, pri = likelihood.to(dtype).to(device), prior.to(dtype).to(device)
    got = impl.bayes_posterior(lik, pri)
    assert got.dtype == dtype and got.device == lik.device
    assert_accurate(got, _exact_posterior(lik, pri), msg="posterior vs exact arithmetic")
    # events along dim 0, and one prior broadcast against a batch of likelihoods
    along0 = impl.bayes_posterior(lik.T.contiguous(), pri.T.contiguous(), dim=0)
    assert_accurate(along0.T, _exact_posterior(lik, pri), msg="dim=0")
    shared = impl.bayes_posterior(lik, pri[0])
    assert_accurate(shared, _exact_posterior(lik, pri[0].expand_as(lik)), msg="broadcast prior")
    never = torch.zeros(4, dtype=dtype, device=device)  # P(B | A_k) = 0 for all k: P(B) = 0
    try:
        impl.bayes_posterior(never, pri[0])
    except ValueError:
        pass
    else:
        raise AssertionError("P(B) = 0 was accepted with validate=True")
    undefined = impl.bayes_posterior(never, pri[0], validate=False)
    assert bool(torch.isnan(undefined).all()), f"P(B) = 0 must give NaN, got {undefined}"


@bayes_theorem.property_leg(
    r"for any joint distribution of $K$ events $A_k$ and $B$ with $P(B) > 0$, the posterior "
    r"from $P(B \mid A_k)$ and $P(A_k)$ equals $P(A_k, B) / P(B)$ read off the table, and "
    "sums to 1"
)
def _(impl) -> ForAll:
    tables = dst.joint_distributions(
        rows=st.integers(1, 5), cols=2, allow_zeros=False, min_positive=1e-6
    )

    def holds(joint) -> bool:
        likelihood, prior, posterior = _from_joint(joint)
        got = impl.bayes_posterior(likelihood, prior)
        return is_close(got, posterior) and is_close(got.sum(), 1.0)

    return ForAll(tables, holds, names=("P(A_k, B)",))


bayes_heading_spelling = SECTION.claim(
    "bayes-heading-spelling",
    title="'Baye's Theorem' for 'Bayes' theorem'",
    statement=r"\text{Baye's Theorem}",
    kind=Kind.NOTATION,
    corrects="preliminaries.bayes-theorem",
    note="The theorem is named after Thomas Bayes: the possessive is 'Bayes'' (or 'Bayes's'); "
    "there is no 'Baye'.",
)
