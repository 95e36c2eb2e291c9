r"""§ 3 Normal Distribution and Squared Loss — the likelihood of the data set and its
negative logarithm.

Main declarations:

* ``regression.likelihood-factorizes`` — for independent pairs,
  :math:`P(\mathbf{y} \mid X) = \prod_i P(y^{(i)} \mid \mathbf{x}^{(i)})` and
  :math:`-\log P(\mathbf{y} \mid X) = -\sum_i \log P(y^{(i)} \mid \mathbf{x}^{(i)})`;
* notation note ``regression.nll-missing-p`` — the notes write :math:`-\log(y \mid X)`;
* ``regression.gaussian-nll-formula`` — :math:`-\log P(\mathbf{y} \mid X) = \sum_i
  \frac12\log(2\pi\sigma^2) + \frac{1}{2\sigma^2}(y^{(i)} - \mathbf{w}^\top\mathbf{x}^{(i)} -
  b)^2 = \frac n2 \log(2\pi\sigma^2) + \frac{n}{\sigma^2} L(\mathbf{w}, b)`.
"""

from __future__ import annotations

import math

import mpmath
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.regression.claims._support import (
    i,
    n,
    regression_batches,
    regression_data,
    residual,
    s2,
)

SECTION = Section("regression", "3 Normal Distribution and Squared Loss")


def _mp_minus_log_product(y, mean, var) -> float:
    r""":math:`-\log\prod_i \mathcal{N}(y_i; \mu_i, \sigma^2)`: the product first (mpmath has no
    underflow), then the log, at 50 digits."""
    with mpmath.workdps(50):
        v = mpmath.mpf(float(var))
        product = mpmath.fprod(
            mpmath.npdf(mpmath.mpf(a), mpmath.mpf(m), mpmath.sqrt(v))
            for a, m in zip(y, mean, strict=True)
        )
        return float(-mpmath.log(product))


likelihood_factorizes = SECTION.claim(
    "likelihood-factorizes",
    title="The likelihood of independent examples factorizes",
    statement=r"P(\mathbf{y} \mid X) = \prod_{i=1}^n P(y^{(i)} \mid \mathbf{x}^{(i)}), \qquad "
    r"-\log P(\mathbf{y} \mid X) = -\sum_{i=1}^n \log P(y^{(i)} \mid \mathbf{x}^{(i)})",
    kind=Kind.THEOREM,
    code=("gaussian_nll",),
    note=r"The product is the independence of the pairs $(\mathbf{x}^{(i)}, y^{(i)})$; the log "
    r"turns it into a sum, which is what `gaussian_nll(..., reduction='sum')` computes.",
)


@likelihood_factorizes.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    P = sp.IndexedBase("P", positive=True)  # P(y^(i) | x^(i))
    product = sp.Product(P[i], (i, 1, n))
    expanded = sp.expand_log(-sp.log(product), force=True)
    return Derivation(
        steps=[
            Step(
                "Independent examples: the joint likelihood is the product",
                equation(sp.Symbol(r"P(y|X)"), product),
            ),
            Step(
                "The log of a product is the sum of the logs", equation(-sp.log(product), expanded)
            ),
        ],
        residuals=[expanded + sp.Sum(sp.log(P[i]), (i, 1, n))],
        compared=[r"$-\log\prod_i P_i + \sum_i \log P_i$"],
    )


@likelihood_factorizes.numeric_leg(
    oracle=r"$-\log$ of the product of the densities in mpmath (no underflow; error in eps); "
    "scipy.stats.norm.logpdf summed; the sum and the mean reductions"
)
def _(impl, device, dtype) -> None:
    import scipy.stats

    Xs, y, w, b0 = regression_data(40, 3, seed=60, dtype=dtype, device=device, noise=3.0)
    mean = (Xs.double() @ w.double() + b0.double()).to(dtype)
    var = torch.tensor(0.4, dtype=dtype, device=device)
    total = impl.gaussian_nll(y, mean, var, reduction="sum")
    assert total.dim() == 0 and total.dtype == dtype
    # the product of 40 densities may underflow in float64 arithmetic: mpmath holds it
    want = _mp_minus_log_product(y.double().tolist(), mean.double().tolist(), float(var))
    assert_accurate(total, want, msg="sum of -log p vs -log of the product")
    logpdf = scipy.stats.norm.logpdf(
        y.double().cpu().numpy(), loc=mean.double().cpu().numpy(), scale=float(var) ** 0.5
    )
    assert_close(total, -logpdf.sum(), dtype=dtype)
    assert_close(impl.gaussian_nll(y, mean, var), -logpdf.mean(), dtype=dtype, msg="mean reduction")


@likelihood_factorizes.property_leg(
    r"`gaussian_nll(y, mu, var, reduction='sum')` equals $-\log\prod_i \mathcal{N}(y_i; \mu_i, "
    r"\sigma^2)$ by mpmath, for up to 6 examples, residuals up to $10^3$, $\sigma^2 \in [10^{-3}, "
    r"10^3]$"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        size = draw(st.integers(1, 6))
        values = st.floats(-1e3, 1e3)
        y = torch.tensor(draw(st.lists(values, min_size=size, max_size=size)), dtype=torch.float64)
        mean = torch.tensor(
            draw(st.lists(values, min_size=size, max_size=size)), dtype=torch.float64
        )
        return y, mean, draw(st.floats(1e-3, 1e3))

    def holds(case) -> bool:
        y, mean, var = case
        want = _mp_minus_log_product(y.tolist(), mean.tolist(), var)
        # the sum of the log-normalizers and the squared residuals may cancel: scale by their sizes
        scale = (impl.gaussian_nll(y, mean, var, reduction="none").abs().sum() + 1.0).item()
        return is_accurate(impl.gaussian_nll(y, mean, var, reduction="sum"), want, scale=scale)

    return ForAll(cases(), holds, names=("y", "mu", "sigma^2"))


nll_missing_p = SECTION.claim(
    "nll-missing-p",
    title="The negative log-likelihood is written without P",
    statement=r"-\log(y \mid X) = -\log\Bigl(\prod_{i=1}^n P(\mathbf{y}^{(i)} \mid "
    r"\mathbf{x}^{(i)})\Bigr)",
    kind=Kind.NOTATION,
    corrects="regression.likelihood-factorizes",
    note=r"'$y \mid X$' is an event or a conditioning, not a number, so it has no logarithm: "
    r"read $-\log P(\mathbf{y} \mid X)$, the negative log of the likelihood written just "
    r"above ($\mathbf{y}$ the vector of all labels).",
)


gaussian_nll_formula = SECTION.claim(
    "gaussian-nll-formula",
    title="The Gaussian negative log-likelihood of the data",
    statement=r"-\log P(\mathbf{y} \mid X) = \sum_{i=1}^n \frac12\log(2\pi\sigma^2) + "
    r"\frac{1}{2\sigma^2}\bigl(y^{(i)} - \mathbf{w}^\top\mathbf{x}^{(i)} - b\bigr)^2 = "
    r"\frac n2\log(2\pi\sigma^2) + \frac{n}{\sigma^2} L(\mathbf{w}, b)",
    kind=Kind.THEOREM,
    code=("gaussian_nll", "linear_model"),
    uses=(
        "regression.likelihood-factorizes",
        "regression.gaussian-noise-likelihood",
        "regression.average-loss",
    ),
    note=r"The sum runs over both terms; $L$ is the average squared loss with its $\frac12$.",
)


@gaussian_nll_formula.symbolic_leg(scope="general $n$, $d$")
def _() -> Derivation:
    per_example = -sp.log(sp.exp(-(residual(i) ** 2) / (2 * s2)) / sp.sqrt(2 * sp.pi * s2))
    simplified = sp.log(2 * sp.pi * s2) / 2 + residual(i) ** 2 / (2 * s2)
    nll = sp.Sum(simplified, (i, 1, n))
    average_loss = sp.Sum(residual(i) ** 2 / 2, (i, 1, n)) / n
    closed = n / 2 * sp.log(2 * sp.pi * s2) + n / s2 * average_loss
    return Derivation(
        steps=[
            Step(
                r"$-\log P(\mathbf{y} \mid X) = -\sum_i \log P(y^{(i)} \mid \mathbf{x}^{(i)})$",
                equation(sp.Symbol(r"-\log P(y|X)"), sp.Sum(per_example, (i, 1, n))),
                cites=("regression.likelihood-factorizes",),
            ),
            Step(
                r"Each $P(y^{(i)} \mid \mathbf{x}^{(i)})$ is the normal density at the residual",
                equation(per_example, simplified),
                cites=("regression.gaussian-noise-likelihood",),
            ),
            Step(
                r"Split the sum: $n$ equal log-normalizers, and $n/\sigma^2$ times the average "
                r"loss",
                equation(nll, closed),
                cites=("regression.average-loss",),
            ),
        ],
        residuals=[
            sp.expand_log(per_example - simplified, force=True),
            sp.expand(nll).doit() - sp.expand(closed).doit(),
        ],
        compared=[
            r"$-\log$ of the density minus the two terms",
            r"the sum minus $\frac n2\log(2\pi\sigma^2) + \frac{n}{\sigma^2}L$",
        ],
    )


@gaussian_nll_formula.numeric_leg(
    oracle="torch.nn.functional.gaussian_nll_loss(full=True) (float64, variances above its "
    r"clamp $10^{-6}$); $\frac n2\log(2\pi\sigma^2) + \frac{n}{\sigma^2}L$ from the average "
    "squared residual; autograd of F.gaussian_nll_loss for the gradients in y, mean and var"
)
def _(impl, device, dtype) -> None:
    Xs, y, w, b0 = regression_data(30, 4, seed=70, dtype=dtype, device=device)
    mean = impl.linear_model(Xs, w, b0)
    var = randn(30, seed=71).abs().add(0.1).to(dtype).to(device)
    for reduction in ("none", "mean", "sum"):
        got = impl.gaussian_nll(y, mean, var, reduction=reduction)
        want = F.gaussian_nll_loss(
            mean.double(), y.double(), var.double(), full=True, reduction=reduction
        )
        assert_close(got, want, dtype=dtype, msg=f"vs F.gaussian_nll_loss, {reduction}")
    sigma2 = torch.tensor(0.3, dtype=dtype, device=device)
    total = impl.gaussian_nll(y, mean, sigma2, reduction="sum").double()
    n_ = y.numel()
    rounded = float(sigma2)
    average = ((y.double() - mean.double()) ** 2 / 2).mean()
    closed = n_ / 2 * math.log(2 * math.pi * rounded) + n_ / rounded * average
    assert_close(total, closed, dtype=dtype, msg="n/2 log(2 pi sigma^2) + n L / sigma^2")
    if dtype == torch.float64:
        leaves = [t.clone().requires_grad_() for t in (y, mean, var)]
        ours = torch.autograd.grad(impl.gaussian_nll(*leaves), leaves)
        theirs = torch.autograd.grad(
            F.gaussian_nll_loss(leaves[1], leaves[0], leaves[2], full=True), leaves
        )
        for a, c in zip(ours, theirs, strict=True):
            assert_close(a, c, msg="gradient vs F.gaussian_nll_loss")
        small = tuple(t[:5].clone().requires_grad_() for t in (y, mean, var))
        assert torch.autograd.gradcheck(lambda *a: impl.gaussian_nll(*a), small)
        assert torch.autograd.gradgradcheck(lambda *a: impl.gaussian_nll(*a), small)


@gaussian_nll_formula.property_leg(
    r"`gaussian_nll(y, linear_model(X, w, b), sigma2, 'sum')` equals "
    r"$\frac n2 \log(2\pi\sigma^2) + \frac{1}{2\sigma^2}\sum_i (y^{(i)} - \hat y^{(i)})^2$ "
    "evaluated in mpmath"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Xs, y, w, b0), var = case
        mean = impl.linear_model(Xs, w, b0)
        with mpmath.workdps(50):
            v = mpmath.mpf(var)
            squares = mpmath.fsum(
                (mpmath.mpf(a) - mpmath.mpf(m)) ** 2
                for a, m in zip(y.tolist(), mean.tolist(), strict=True)
            )
            normalizer = y.numel() * mpmath.log(2 * mpmath.pi * v) / 2
            want, scale = (
                float(normalizer + squares / (2 * v)),
                float(abs(normalizer) + squares / (2 * v)),
            )
        return is_accurate(impl.gaussian_nll(y, mean, var, reduction="sum"), want, scale=scale)

    return ForAll(
        st.tuples(regression_batches(), st.floats(1e-2, 1e2)),
        holds,
        names=("(X, y, w, b)", "sigma^2"),
    )
