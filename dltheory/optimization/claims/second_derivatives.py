r"""§ 12.2 Convexity and Second Derivatives — the result the heading announces (an addition).

Main declarations:

* notation note ``optimization.second-derivatives-heading-content`` — the theorem printed
  under this heading is the below-set proposition again, word for word;
* ``optimization.second-derivative-criterion`` (addition) — a twice continuously
  differentiable :math:`f : \mathbb{R} \to \mathbb{R}` is convex iff :math:`f'' \ge 0`;
* ``optimization.hessian-criterion`` (addition) — on :math:`\mathbb{R}^d`: convex iff the
  Hessian is positive semidefinite (checked on quadratics, where it is exact, and on
  log-sum-exp).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close
from dltheory.optimization.claims._support import (
    Function,
    family,
    not_below,
    scalar_function,
    strictly_below,
    tensors,
)

SECTION = Section("optimization", "12.2 Convexity and Second Derivatives")

x, y, t, h = sp.symbols("x y t h", real=True)
f = sp.Function("f")

second_derivatives_heading_content = SECTION.claim(
    "second-derivatives-heading-content",
    title="The section on second derivatives repeats the below-set proposition",
    statement=r"\text{``Convexity and Second Derivatives. Theorem. Let } f \text{ be a convex "
    r"function over a convex set } \mathcal{X}\text{. Define a below set} \ldots\text{''}",
    kind=Kind.NOTATION,
    corrects="optimization.second-derivative-criterion",
    note="The theorem and proof under this heading are the previous proposition "
    "(optimization.below-sets-convex) copied again; the section's own result, the "
    r"second-derivative test for convexity ($f'' \ge 0$, or a positive semidefinite Hessian), "
    "is missing. It is stated and checked as an addition: optimization.second-derivative-"
    "criterion and optimization.hessian-criterion.",
)


second_derivative_criterion = SECTION.claim(
    "second-derivative-criterion",
    title="Convex iff the second derivative is nonnegative (addition)",
    statement=r"f \in C^2(\mathcal{X}),\ \mathcal{X} \subseteq \mathbb{R} \text{ an interval}: "
    r"\quad f \text{ convex} \iff f''(x) \ge 0\ \forall x \in \mathcal{X}",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.convex-function-definition",),
    note=r"Addition (the standard result of this section). If: Taylor's formula with integral "
    r"remainder puts $f$ above each tangent, $f(x) \ge f(z) + f'(z)(x - z)$, and averaging the "
    r"tangent inequalities at $z = \lambda x_1 + (1-\lambda)x_2$ gives convexity. Only if: "
    r"$f''(x) = \lim_{h \to 0} (f(x+h) + f(x-h) - 2f(x))/h^2$, a limit of convexity slacks "
    r"(times $2/h^2$) at $\lambda = \tfrac12$.",
)


@second_derivative_criterion.symbolic_leg(scope="general $f \\in C^2$")
def _() -> Derivation:
    remainder = sp.Integral((x - t) * sp.diff(f(t), t, 2), (t, y, x))
    taylor = f(y) + sp.diff(f(y), y) * (x - y) + remainder
    lam, x1, x2 = sp.symbols(r"\lambda x_1 x_2", real=True)
    z = lam * x1 + (1 - lam) * x2
    tangent_average = lam * (x1 - z) + (1 - lam) * (x2 - z)
    second_difference = sp.series(f(x + h) + f(x - h) - 2 * f(x), h, 0, 4).removeO().doit()
    return Derivation(
        steps=[
            Step(
                r"Taylor's formula with integral remainder: both sides agree at $x = y$ and "
                r"have the same derivative in $x$",
                equation(f(x), taylor),
            ),
            Step(
                r"$f'' \ge 0$ makes the remainder $\ge 0$ on either side of $y$: $f$ lies above "
                r"its tangent at $y$",
                sp.Ge(f(x), f(y) + sp.diff(f(y), y) * (x - y)),
            ),
            Step(
                r"Averaging the tangent inequalities at $z$ with weights $\lambda, 1 - \lambda$: "
                r"the tangent terms cancel",
                equation(tangent_average, sp.simplify(tangent_average)),
                cites=("optimization.convex-function-definition",),
            ),
            Step(
                r"Conversely, twice the slack at $\lambda = \tfrac12$, $x \pm h$, is",
                equation(f(x + h) + f(x - h) - 2 * f(x), second_difference + sp.O(h**4)),
            ),
        ],
        residuals=[
            sp.diff(taylor, x).doit() - sp.diff(f(x), x),
            (taylor - f(x)).subs(x, y).doit(),
            sp.simplify(tangent_average),
            sp.simplify(second_difference / h**2 - sp.diff(f(x), x, 2)),
        ],
        compared=[
            r"the $x$-derivative of Taylor's formula minus $f'(x)$",
            r"Taylor's formula minus $f$ at $x = y$",
            "the averaged tangent terms",
            r"the second difference over $h^2$ minus $f''(x)$ (to $O(h^2)$)",
        ],
    )


#: functions of one variable and their second derivatives (mpmath)
_CURVES = (
    (scalar_function("exp", torch.exp, mpmath.exp), lambda v: mpmath.exp(v)),
    (scalar_function("x^4", lambda u: u**4, lambda u: u**4), lambda v: 12 * v**2),
    (scalar_function("softplus", lambda u: torch.log1p(torch.exp(u)),
                     lambda u: mpmath.log1p(mpmath.exp(u))),
     lambda v: mpmath.exp(v) / (1 + mpmath.exp(v)) ** 2),
    (scalar_function("x^3", lambda u: u**3, lambda u: u**3), lambda v: 6 * v),
    (scalar_function("sin", torch.sin, mpmath.sin), lambda v: -mpmath.sin(v)),
    (scalar_function("x cos(pi x)", lambda u: u * torch.cos(math.pi * u),
                     lambda u: u * mpmath.cos(mpmath.pi * u)),
     lambda v: -2 * mpmath.pi * mpmath.sin(mpmath.pi * v)
     - mpmath.pi**2 * v * mpmath.cos(mpmath.pi * v)),
)  # fmt: skip


@second_derivative_criterion.numeric_leg(
    oracle=r"the sign of $f''$ by mpmath, against the sign of the slack at $x \pm h$",
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    step = 2.0**-5  # x and x +- h are exact on the grid of eighths in both dtypes
    half = torch.tensor([0.5, 0.5], dtype=dtype, device=device)
    for curve, second in _CURVES:
        checked = 0
        for k in range(-24, 25):
            centre = k / 8
            values = [second(mpmath.mpf(centre + s * step)) for s in (-1, 0, 1)]
            # skip points where f'' changes sign or is small within [x - h, x + h]: there the
            # slack's sign is the O(h^4) term's or rounding's, not f'''s
            if min(abs(v) for v in values) < 0.05 or len({mpmath.sign(v) for v in values}) > 1:
                continue
            X = torch.tensor([[centre - step], [centre + step]], dtype=dtype, device=device)
            gap = impl.jensen_gap(curve.torch, X, half)
            assert (gap > 0) == (values[1] > 0), f"{curve.name} at {centre}: slack {gap}"
            checked += 1
        assert checked > 10, f"{curve.name}: too few points checked"


@second_derivative_criterion.property_leg(
    r"for polynomials $p$ of degree $\le 4$ and points of $[-2, 2]$: if $p'' \ge 0$ between "
    r"$x_1$ and $x_2$ their slack is $\ge 0$; if $p''(m) < -0.1$ the slack at $m \pm h$ "
    r"(small $h$) is negative"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        coeffs = draw(tensors((5,), 3.0))
        points = draw(tensors((2,), 2.0))
        return coeffs, points, draw(st.floats(0.0, 1.0))

    def holds(case) -> bool:
        coeffs, points, lam = case
        poly = np.polynomial.Polynomial(coeffs.numpy())
        curve = scalar_function(
            str(poly),
            lambda u: sum(c * u**k for k, c in enumerate(coeffs.tolist())),
            lambda u: poly(u),
        )
        second = poly.deriv(2)
        lo, hi = sorted(points.tolist())
        candidates = [lo, hi, *(r.real for r in second.deriv().roots() if lo <= r.real <= hi)]
        convex_here = min(second(v) for v in candidates) >= 0
        w = torch.tensor([lam, 1 - lam], dtype=torch.float64)
        if convex_here and not not_below(impl, curve, points.reshape(2, 1), w):
            return False
        middle = float(points.mean())
        curvature, c4 = second(middle), float(coeffs[4])
        if curvature < -0.1:
            # slack at m +- h is p''(m) h^2 / 2 + c4 h^4 exactly: h with |c4| h^2 < |p''(m)| / 4
            width = min(1.0, math.sqrt(-curvature / (4 * abs(c4)))) if c4 else 1.0
            X = torch.tensor([[middle - width], [middle + width]], dtype=torch.float64)
            return strictly_below(impl, curve, X, torch.tensor([0.5, 0.5], dtype=torch.float64))
        return True

    return ForAll(cases(), holds, names=("coefficients", "(x1, x2)", "lambda"))


hessian_criterion = SECTION.claim(
    "hessian-criterion",
    title="Convex iff the Hessian is positive semidefinite (addition)",
    statement=r"f \in C^2(\mathbb{R}^d): \quad f \text{ convex} \iff \nabla^2 f(\mathbf{x}) "
    r"\succeq 0\ \forall \mathbf{x}",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.second-derivative-criterion",),
    note=r"Addition. Along a line, $g(t) = f(\mathbf{x} + t\mathbf{v})$ has "
    r"$g''(t) = \mathbf{v}^\top \nabla^2 f(\mathbf{x} + t\mathbf{v})\,\mathbf{v}$, and $f$ is "
    r"convex iff every such $g$ is. For a quadratic $\tfrac12\mathbf{x}^\top A\mathbf{x}$ the "
    r"Hessian is $A$ everywhere; for log-sum-exp it is $\operatorname{diag}(\mathbf{p}) - "
    r"\mathbf{p}\mathbf{p}^\top$ with $\mathbf{p}$ the softmax.",
)


@hessian_criterion.symbolic_leg(scope="polynomials of degree $\\le 4$ in $d = 2$", general=False)
def _() -> Derivation:
    x1, x2, v1, v2 = sp.symbols("x_1 x_2 v_1 v_2", real=True)
    coeffs = {(p, q): sp.Symbol(f"c_{{{p}{q}}}") for p in range(5) for q in range(5 - p)}
    poly = sum(c * x1**p * x2**q for (p, q), c in coeffs.items())
    along = poly.subs({x1: x1 + t * v1, x2: x2 + t * v2}, simultaneous=True)
    curvature = sp.diff(along, t, 2).subs(t, 0)
    v = sp.Matrix([v1, v2])
    form = (v.T * sp.hessian(poly, (x1, x2)) * v)[0, 0]
    return Derivation(
        steps=[
            Step(r"$g(t) = f(\mathbf{x} + t\mathbf{v})$ for a general quartic $f$", along),
            Step(
                r"$g''(0) = \mathbf{v}^\top \nabla^2 f(\mathbf{x})\,\mathbf{v}$; by the "
                r"one-dimensional criterion $f$ is convex iff this is $\ge 0$ for all "
                r"$\mathbf{x}, \mathbf{v}$",
                equation(curvature, form),
                cites=("optimization.second-derivative-criterion",),
            ),
        ],
        residuals=[sp.expand(curvature - form)],
        compared=[r"$g''(0)$ minus $\mathbf{v}^\top\nabla^2 f\,\mathbf{v}$"],
    )


def _quadratic(A: torch.Tensor) -> Function:
    def fn(z: torch.Tensor) -> torch.Tensor:
        return 0.5 * ((z @ A.to(z)) * z).sum(-1)

    def mp(point):
        with mpmath.workdps(50):
            p = [mpmath.mpf(v) for v in point]
            rows = A.tolist()
            return (
                mpmath.fsum(p[i] * rows[i][j] * p[j] for i in range(len(p)) for j in range(len(p)))
                / 2
            )

    return Function(f"x^T A x / 2, A = {A.tolist()}", A.shape[0], fn, mp)


@hessian_criterion.numeric_leg(
    oracle="eigenvalues by numpy.linalg.eigvalsh; Hessians by torch.autograd.functional.hessian"
)
def _(impl, device, dtype) -> None:
    for seed in range(3):
        B = randn(3, 3, seed=340 + seed)
        for A in (B @ B.T, B + B.T):  # positive semidefinite; indefinite (almost surely)
            eigenvalues, vectors = np.linalg.eigh(A.numpy())
            f = _quadratic(A)
            X = randn(4, 3, seed=350 + seed).to(dtype).to(device)
            w = torch.full((4,), 0.25, dtype=dtype, device=device)
            if eigenvalues.min() >= 0:
                assert not_below(impl, f, X, w), "PSD Hessian, negative gap"
            else:  # along the eigenvector of the negative eigenvalue: gap = lambda_min / 2
                v = torch.from_numpy(vectors[:, 0])
                along = torch.stack([-v, v]).to(dtype).to(device)
                half = torch.full((2,), 0.5, dtype=dtype, device=device)
                assert impl.jensen_gap(f.torch, along, half) < 0, (
                    "indefinite Hessian, no negative gap"
                )
    A, b = randn(4, 3, seed=360), randn(4, seed=361)
    lse = family("log-sum-exp", A, b)
    point = randn(3, seed=362)
    p = torch.softmax(A @ point + b, -1)
    closed = A.T @ (torch.diag(p) - torch.outer(p, p)) @ A  # PSD: v^T H v = Var_p(A v)
    assert_close(torch.autograd.functional.hessian(lse.torch, point), closed, msg="lse Hessian")
    X = randn(5, 3, seed=363).to(dtype).to(device)
    w = torch.full((5,), 0.2, dtype=dtype, device=device)
    assert not_below(impl, lse, X, w), "log-sum-exp: negative gap"


@hessian_criterion.property_leg(
    r"for symmetric $A$ ($d \le 3$): if $A \succeq 0$ the gaps of $\tfrac12\mathbf{x}^\top A"
    r"\mathbf{x}$ are $\ge 0$; if $\lambda_{\min}(A) < 0$ the gap along its eigenvector is "
    r"negative"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        d = draw(st.integers(1, 3))
        B = draw(tensors((d, d), 3.0))
        shift = draw(st.floats(-2.0, 2.0))
        A = (B + B.T) / 2 + shift * torch.eye(d, dtype=torch.float64)
        return A, draw(tensors((3, d), 3.0)), draw(st.floats(0.0, 1.0))

    def holds(case) -> bool:
        A, X, lam = case
        f = _quadratic(A)
        eigenvalues, vectors = np.linalg.eigh(A.numpy())
        w = torch.tensor([lam / 2, lam / 2, 1 - lam], dtype=torch.float64)
        if eigenvalues.min() >= 0:
            return not_below(impl, f, X, w)
        if eigenvalues.min() > -1e-3:  # nearly PSD: the negative gap would be rounding-sized
            return True
        v = torch.from_numpy(vectors[:, 0])
        return strictly_below(
            impl, f, torch.stack([-v, v]), torch.tensor([0.5, 0.5], dtype=torch.float64)
        )

    return ForAll(cases(), holds, names=("A", "x", "lambda"))
