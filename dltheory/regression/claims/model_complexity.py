r"""§ 3 Model Complexity / Polynomial Curve Fitting — polynomial features, and why the
training error cannot grow with the degree.

The notes' heading "Polynomial Curve Fitting" is empty; these are the standard results it
announces (additions).

Main declarations:

* ``regression.polynomial-features`` — the design matrix :math:`\Phi_{ij} = x_i^{\,j}`,
  :math:`j = 1, \dots, k`, of a polynomial model of degree :math:`k`;
* ``regression.polynomial-training-error-nonincreasing`` — least-squares polynomial models are
  nested, so the training error is nonincreasing in the degree.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input, randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_close
from dltheory.regression.claims._support import W, b, j

SECTION = Section("regression", "3 Model Complexity / Polynomial Curve Fitting")


def _exact_powers(x: torch.Tensor, degree: int) -> torch.Tensor:
    values = [[float(Fraction(v) ** p) for p in range(1, degree + 1)] for v in x.double().tolist()]
    return torch.tensor(values, dtype=torch.float64).reshape(*x.shape, degree)


polynomial_features = SECTION.claim(
    "polynomial-features",
    title="Polynomial features",
    statement=r"\hat y = b + \sum_{j=1}^k w_j x^j = \Phi(\mathbf{x})\mathbf{w} + b, \qquad "
    r"\Phi(\mathbf{x})_{ij} = x_i^{\,j}",
    kind=Kind.DEFINITION,
    code=("polynomial_features",),
    note="Addition: the notes' heading 'Polynomial Curve Fitting' is empty. A polynomial is a "
    "linear model in the features x, x², …, x^k (the constant is the bias).",
    symbolic=NotApplicable("a definition"),
)


@polynomial_features.numeric_leg(
    oracle="torch.vander(increasing=True) and numpy.polynomial.polynomial.polyvander (float64, "
    "on the rounded input), the columns after the constant; exact rational powers (error in eps)"
)
def _(impl, device, dtype) -> None:
    x = (randn(7, seed=110) * 0.8).to(dtype).to(device)
    for degree in (0, 1, 4):
        got = impl.polynomial_features(x, degree)
        assert got.shape == (7, degree) and got.dtype == dtype and got.device == x.device
        if degree:
            assert_close(
                got, torch.vander(x.double(), N=degree + 1, increasing=True)[:, 1:], dtype=dtype
            )
            assert_close(
                got,
                np.polynomial.polynomial.polyvander(oracle_input(x), degree)[:, 1:],
                dtype=dtype,
            )
            assert_accurate(got, _exact_powers(x, degree), msg=f"degree {degree}")
    batched = impl.polynomial_features(torch.stack([x, -x]), 3)
    assert batched.shape == (2, 7, 3)
    assert_accurate(batched[1], _exact_powers(-x, 3), msg="batched")


@polynomial_features.property_leg(
    r"`polynomial_features(x, k)` equals the exact powers $x_i^j$ for $x_i \in [-10, 10]$, $k \le "
    r"8$"
)
def _(impl) -> ForAll:
    from dltheory.core.tolerances import is_accurate

    @st.composite
    def cases(draw):
        size = draw(st.integers(1, 6))
        x = torch.tensor(
            draw(st.lists(st.floats(-10.0, 10.0), min_size=size, max_size=size)),
            dtype=torch.float64,
        )
        return x, draw(st.integers(0, 8))

    def holds(case) -> bool:
        x, degree = case
        return is_accurate(impl.polynomial_features(x, degree), _exact_powers(x, degree))

    return ForAll(cases(), holds, names=("x", "k"))


polynomial_training_error_nonincreasing = SECTION.claim(
    "polynomial-training-error-nonincreasing",
    title="Training error never increases with the polynomial degree",
    statement=r"\min_{\mathbf{w} \in \mathbb{R}^{k+1}, b} L_{k+1}(\mathbf{w}, b) \le "
    r"\min_{\mathbf{w} \in \mathbb{R}^k, b} L_k(\mathbf{w}, b)",
    kind=Kind.THEOREM,
    code=("least_squares", "polynomial_features"),
    note=r"Addition for the empty heading. The degree-$k$ models are the degree-$(k+1)$ models "
    r"with $w_{k+1} = 0$, so the larger family's minimum is over a superset. This is the "
    r"training error only: the notes' point is that the generalization error need not follow "
    r"(it grows once the degree fits the noise).",
)


@polynomial_training_error_nonincreasing.symbolic_leg(scope="general degree $k$")
def _() -> Derivation:
    kk = sp.Symbol("k", integer=True, positive=True)
    x0 = sp.Symbol("x", real=True)
    partial = sp.Sum(W[j] * x0**j, (j, 1, kk))  # the degree-k polynomial, less its bias
    top = sp.difference_delta(partial, kk)  # S_{k+1} - S_k
    larger = b + partial + W[kk + 1] * x0 ** (kk + 1)
    return Derivation(
        steps=[
            Step(
                r"A degree-$(k+1)$ polynomial is the degree-$k$ sum plus its top term: "
                r"$S_{k+1} - S_k = w_{k+1}x^{k+1}$",
                equation(top, W[kk + 1] * x0 ** (kk + 1)),
            ),
            Step(
                r"With $w_{k+1} = 0$ it is the degree-$k$ polynomial: the families are nested, "
                r"and a minimum over a larger set is no larger",
                equation(larger.subs(W[kk + 1], 0), b + partial),
            ),
        ],
        residuals=[top - W[kk + 1] * x0 ** (kk + 1), larger.subs(W[kk + 1], 0) - (b + partial)],
        compared=[
            r"$S_{k+1} - S_k - w_{k+1}x^{k+1}$",
            r"the degree-$(k+1)$ polynomial at $w_{k+1} = 0$ minus the degree-$k$ one",
        ],
    )


def _training_errors(impl, x: torch.Tensor, y: torch.Tensor, degrees) -> list[torch.Tensor]:
    """The mean squared training residual of the least-squares fit of each degree."""
    return [impl.least_squares(impl.polynomial_features(x, k), y)[2] for k in degrees]


@polynomial_training_error_nonincreasing.numeric_leg(
    oracle="numpy.polynomial.polynomial.polyfit's residuals (float64); the order of the "
    "computed training errors, degrees 0 to 8 (0 to 3 below float64)"
)
def _(impl, device, dtype) -> None:
    grid = torch.linspace(-1, 1, 30, dtype=torch.float64)
    y0 = torch.sin(3 * grid) + 0.3 * randn(30, seed=111)
    x, y = grid.to(dtype).to(device), y0.to(dtype).to(device)
    degrees = range(9) if dtype == torch.float64 else range(4)
    errors = _training_errors(impl, x, y, degrees)
    for k, (lower, higher) in enumerate(itertools.pairwise(errors)):
        assert bool(higher <= lower) or is_close(higher, lower), (
            f"degree {k + 1} fits worse than {k}"
        )
    if dtype == torch.float64:
        for k, err in zip(degrees, errors, strict=True):
            coefficients = np.polynomial.polynomial.polyfit(oracle_input(x), oracle_input(y), k)
            fitted = np.polynomial.polynomial.polyval(oracle_input(x), coefficients)
            assert_close(
                err, np.mean((oracle_input(y) - fitted) ** 2), msg=f"degree {k} vs polyfit"
            )


@polynomial_training_error_nonincreasing.property_leg(
    r"for $n \in [7, 12]$ points near an even grid on $[-1, 1]$ (kept apart, so the fits are "
    r"well conditioned) and any targets in $[-10, 10]$, the training error of degrees "
    r"$0, \dots, 5$ never increases (up to rounding)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        size = draw(st.integers(7, 12))
        jitter = draw(st.lists(st.floats(-0.25, 0.25), min_size=size, max_size=size))
        spacing = 2 / (size - 1)
        x = torch.tensor([-1 + spacing * (r + jitter[r]) for r in range(size)], dtype=torch.float64)
        y = torch.tensor(
            draw(st.lists(st.floats(-10.0, 10.0), min_size=size, max_size=size)),
            dtype=torch.float64,
        )
        return x, y

    def holds(case) -> bool:
        x, y = case
        errors = _training_errors(impl, x, y, range(6))
        return all(bool(h <= lo) or is_close(h, lo) for lo, h in itertools.pairwise(errors))

    return ForAll(cases(), holds, names=("x", "y"))
