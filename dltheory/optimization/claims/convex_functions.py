r"""§ 12.2 Convex Functions — the definition, examples and non-examples.

Main declarations:

* ``optimization.convex-function-definition`` — :math:`\lambda f(x_1) + (1 - \lambda) f(x_2) \ge
  f(\lambda x_1 + (1 - \lambda) x_2)`; its slack is ``jensen_gap`` with two points;
* notation note ``optimization.convex-examples-missing`` — the notes' examples are replaced by a
  stray "Weighted Average!!!";
* ``optimization.convex-function-examples`` (addition) — the standard examples:
  :math:`\tfrac12 x^2` and :math:`e^{x/2}` are convex, :math:`\cos(\pi x)` is not;
* ``optimization.convex-function-families`` — sums of squares, exponentials of affine maps,
  log-sum-exp, 2-norms of affine maps and maxima of affine maps are convex;
* ``optimization.nonconvex-functions`` — a sine, a concave quadratic, a cube and
  :math:`t\cos\pi t` are not: a chord lies below the graph.
"""

from __future__ import annotations

import math

import mpmath
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, Exists, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import is_accurate
from dltheory.optimization.claims._support import (
    CONVEX,
    NONCONVEX,
    check_gap,
    family,
    functions,
    jensen_cases,
    jensen_scale,
    mp_jensen_gap,
    not_below,
    scalar_function,
    strictly_below,
    tensors,
)

SECTION = Section("optimization", "12.2 Convex Functions")

x, u, v = sp.symbols("x u v", real=True)
a, c = sp.symbols("a c", positive=True)
lam = a / (a + c)  # lambda in (0, 1), as a ratio of positive numbers

HALF_SQUARE = scalar_function("x^2/2", lambda t: 0.5 * t * t, lambda t: t * t / 2)
EXP_HALF = scalar_function("exp(x/2)", lambda t: torch.exp(0.5 * t), lambda t: mpmath.exp(t / 2))
COS_PI = scalar_function(
    "cos(pi x)", lambda t: torch.cos(math.pi * t), lambda t: mpmath.cos(mpmath.pi * t)
)


def chord_slack(body, p, q, t):
    """:math:`t f(p) + (1 - t) f(q) - f(t p + (1 - t) q)` for a SymPy expression in ``x``."""
    return t * body.subs(x, p) + (1 - t) * body.subs(x, q) - body.subs(x, t * p + (1 - t) * q)


convex_function_definition = SECTION.claim(
    "convex-function-definition",
    title="Convex functions",
    statement=r"\lambda f(x_1) + (1 - \lambda)f(x_2) \ge f(\lambda x_1 + (1 - \lambda)x_2) "
    r"\quad \forall x_1, x_2 \in \mathcal{X},\ \lambda \in [0, 1]",
    kind=Kind.DEFINITION,
    code=("jensen_gap",),
    note=r"For $f$ on a convex set $\mathcal{X}$. The slack of the inequality is "
    r"`jensen_gap(f, [x_1, x_2], [λ, 1 - λ])`; the legs check it is computed accurately, "
    r"since its sign decides convexity in the claims below.",
    symbolic=NotApplicable("a definition"),
)


@convex_function_definition.numeric_leg(
    oracle="the slack by mpmath at 50 digits (error in eps of its rounding size); gradcheck / "
    "gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    g = torch.Generator().manual_seed(160)
    for seed, name in enumerate((*CONVEX, *NONCONVEX)):
        f = family(name, randn(2, 2, seed=161 + seed), randn(2, seed=171 + seed))
        X = randn(2, 2, seed=181 + seed, scale=1.5)
        t = float(torch.rand((), generator=g, dtype=torch.float64))
        check_gap(impl, f, X, torch.tensor([t, 1 - t], dtype=torch.float64), dtype, "two points")
    if dtype == torch.float64:
        f = family("log-sum-exp", randn(3, 2, seed=190), randn(3, seed=191))
        X = randn(2, 2, seed=192).requires_grad_()
        w = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)

        def gap(X, w):
            return impl.jensen_gap(f.torch, X, w, validate=False)

        assert torch.autograd.gradcheck(gap, (X, w), fast_mode=True)
        assert torch.autograd.gradgradcheck(gap, (X, w), fast_mode=True)


@convex_function_definition.property_leg(
    r"for members of every family (convex or not), two points of $[-3, 3]^d$ and "
    r"$\lambda \in [0, 1]$, `jensen_gap` equals the slack evaluated by mpmath"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        f = draw(functions((*CONVEX, *NONCONVEX)))
        X = draw(tensors((2, f.d), 3.0))
        t = draw(st.floats(0.0, 1.0))
        return f, X, torch.tensor([t, 1 - t], dtype=torch.float64)

    def holds(case) -> bool:
        f, X, w = case
        got = impl.jensen_gap(f.torch, X, w, validate=False)
        return is_accurate(got, mp_jensen_gap(f, X, w), scale=jensen_scale(f, X, w))

    return ForAll(cases(), holds, names=("f", "x", "(lambda, 1 - lambda)"))


convex_examples_missing = SECTION.claim(
    "convex-examples-missing",
    title="The examples of convex functions are missing",
    statement=r"\text{``Consider the following function } f : \mathbb{R} \to \mathbb{R}"
    r"\text{ Weighted Average!!!''}",
    kind=Kind.NOTATION,
    corrects="optimization.convex-function-examples",
    note="The sentence announces examples and breaks off into a stray note. The examples the "
    r"source gives are $f(x) = \tfrac12 x^2$ and $h(x) = e^{x/2}$ (convex) and "
    r"$g(x) = \cos(\pi x)$ (not convex): optimization.convex-function-examples.",
)


convex_function_examples = SECTION.claim(
    "convex-function-examples",
    title="x²/2 and exp(x/2) are convex, cos(πx) is not (addition)",
    statement=r"f(x) = \tfrac12 x^2,\ h(x) = e^{x/2} \text{ convex};\quad g(x) = \cos(\pi x) "
    r"\text{ not convex}",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.second-derivative-criterion",),
    note="Addition: the examples the notes announce and do not give (the source's three).",
)


@convex_function_examples.symbolic_leg(scope="general $x_1, x_2, \\lambda$")
def _() -> Derivation:
    p, q = sp.symbols("x_1 x_2", real=True)
    square = chord_slack(x**2 / 2, p, q, lam)
    closed = lam * (1 - lam) * (p - q) ** 2 / 2
    exp_second = sp.diff(sp.exp(x / 2), x, 2)
    cos_witness = chord_slack(sp.cos(sp.pi * x), -1, 1, sp.Rational(1, 2))
    return Derivation(
        steps=[
            Step(r"Slack of $\tfrac12 x^2$", equation(square, sp.factor(closed))),
            Step(r"$\lambda(1 - \lambda)(x_1 - x_2)^2/2 \ge 0$", sp.factor(closed).is_nonnegative),
            Step(
                r"$(e^{x/2})'' = e^{x/2}/4 > 0$: convex by the second-derivative criterion",
                exp_second > 0,
                cites=("optimization.second-derivative-criterion",),
            ),
            Step(r"$\cos(\pi x)$ at $x_1 = -1$, $x_2 = 1$, $\lambda = \tfrac12$", cos_witness),
        ],
        residuals=[
            sp.simplify(square - closed),
            sp.factor(closed).is_nonnegative,
            exp_second.is_positive,
            cos_witness < 0,
        ],
        compared=[
            r"the slack of $\tfrac12 x^2$ minus $\lambda(1-\lambda)(x_1 - x_2)^2/2$",
            "that slack is nonnegative",
            r"$(e^{x/2})'' > 0$",
            r"the slack of $\cos(\pi x)$ at the witness is negative (it is $-2$)",
        ],
    )


@convex_function_examples.numeric_leg(
    oracle="slack by mpmath at 50 digits; sign: nonnegative for x^2/2 and exp(x/2) on a grid, "
    "negative for cos(pi x) at x = -1, 1"
)
def _(impl, device, dtype) -> None:
    grid = torch.linspace(-4, 4, 9, dtype=torch.float64)
    pairs = torch.cartesian_prod(grid, grid)
    w = torch.tensor([0.25, 0.75], dtype=torch.float64)
    for f in (HALF_SQUARE, EXP_HALF):
        for pair in pairs[::7]:
            exact = check_gap(impl, f, pair.reshape(2, 1), w, dtype, "grid")
            assert exact >= 0
    exact = check_gap(
        impl,
        COS_PI,
        torch.tensor([[-1.0], [1.0]]).double(),
        torch.full((2,), 0.5, dtype=torch.float64),
        dtype,
        "witness",
    )
    assert exact < 0, "cos(pi x): the chord from -1 to 1 lies below the graph"


@convex_function_examples.property_leg(
    r"for $x_1, x_2 \in [-10, 10]$ and $\lambda \in [0, 1]$ the slack of $\tfrac12 x^2$ and "
    r"of $e^{x/2}$ is $\ge 0$ (up to its rounding error)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        p, q, t = case
        X = torch.tensor([[p], [q]], dtype=torch.float64)
        w = torch.tensor([t, 1 - t], dtype=torch.float64)
        return not_below(impl, HALF_SQUARE, X, w) and not_below(impl, EXP_HALF, X, w)

    point = st.floats(-10.0, 10.0)
    return ForAll(st.tuples(point, point, st.floats(0.0, 1.0)), holds, names=("x1", "x2", "lambda"))


convex_function_families = SECTION.claim(
    "convex-function-families",
    title="Sums of squares, exp of affine maps, log-sum-exp, norms, maxima of affine maps",
    statement=r"\|A\mathbf{x} - \mathbf{b}\|^2,\ e^{\mathbf{a}^\top\mathbf{x} + b},\ "
    r"\log\sum_j e^{\mathbf{a}_j^\top\mathbf{x} + b_j},\ \|A\mathbf{x} - \mathbf{b}\|,\ "
    r"\max_j(\mathbf{a}_j^\top\mathbf{x} + b_j) \text{ are convex}",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.second-derivative-criterion", "optimization.hessian-criterion"),
    note="Composition with an affine map keeps convexity: along a segment, "
    r"$\mathbf{x} = \mathbf{x}_2 + \lambda(\mathbf{x}_1 - \mathbf{x}_2)$ is affine in $\lambda$.",
)


@convex_function_families.symbolic_leg(
    scope="squares and exp: any size; log-sum-exp: general $n$; the 2-norm: $d = 2, 3$ "
    "(Lagrange's identity); max of affine maps: not symbolic",
    general=False,
)
def _() -> Derivation:
    # one squared row, with values u and v at x_1 and x_2 (affine along the segment)
    square = lam * u**2 + (1 - lam) * v**2 - (lam * u + (1 - lam) * v) ** 2
    t, al, be = sp.symbols(r"t \alpha \beta", real=True)
    exp_second = sp.diff(sp.exp(al + be * t), t, 2)
    n = sp.Symbol("n", integer=True, positive=True)
    i = sp.Symbol("i", integer=True)
    p, w = sp.IndexedBase("p", nonnegative=True), sp.IndexedBase("v", real=True)
    mean = sp.Symbol(r"\bar v", real=True)
    variance = sp.factor_terms(sp.expand(sp.Sum(p[i] * (w[i] - mean) ** 2, (i, 1, n))).doit())
    quad = variance.subs(sp.Sum(p[i], (i, 1, n)), 1).subs(sp.Sum(p[i] * w[i], (i, 1, n)), mean)
    hessian_form = sp.Sum(p[i] * w[i] ** 2, (i, 1, n)) - mean**2
    lagrange = []
    for dim in (2, 3):
        us, vs = sp.symbols(f"u1:{dim + 1}", real=True), sp.symbols(f"w1:{dim + 1}", real=True)
        gap = (
            sum(a_**2 for a_ in us) * sum(b_**2 for b_ in vs)
            - sum(a_ * b_ for a_, b_ in zip(us, vs, strict=True)) ** 2
        )
        squares = sum(
            (us[k] * vs[m] - us[m] * vs[k]) ** 2 for k in range(dim) for m in range(k + 1, dim)
        )
        lagrange.append(sp.expand(gap - squares))
    return Derivation(
        steps=[
            Step(
                r"A square along a segment: the slack is $\lambda(1-\lambda)(u - v)^2$",
                sp.factor(square),
            ),
            Step(
                r"$e^{\alpha + \beta t}$ has second derivative "
                r"$\beta^2 e^{\alpha + \beta t} \ge 0$",
                exp_second,
                cites=("optimization.second-derivative-criterion",),
            ),
            Step(
                r"log-sum-exp: Hessian $\operatorname{diag}(p) - pp^\top$ ($p$ the softmax); "
                r"its form $\sum_i p_i v_i^2 - \bar v^2$ is the variance "
                r"$\sum_i p_i(v_i - \bar v)^2$",
                equation(hessian_form, sp.Sum(p[i] * (w[i] - mean) ** 2, (i, 1, n))),
                cites=("optimization.hessian-criterion",),
            ),
            Step(
                r"2-norm: $\|u\|^2\|w\|^2 - (u^\top w)^2 = \sum_{k<m}(u_k w_m - u_m w_k)^2$ "
                r"(Cauchy–Schwarz), so $\|\lambda u + (1-\lambda)w\| \le \lambda\|u\| + "
                r"(1-\lambda)\|w\|$",
                sp.Tuple(*lagrange),
            ),
        ],
        residuals=[
            sp.factor(square) - lam * (1 - lam) * (u - v) ** 2,
            (exp_second / sp.exp(al + be * t)).is_nonnegative,
            quad - hessian_form,
            *lagrange,
        ],
        compared=[
            r"the slack of a square minus $\lambda(1-\lambda)(u-v)^2$",
            r"$(e^{\alpha + \beta t})'' / e^{\alpha + \beta t} \ge 0$",
            "the Hessian form of log-sum-exp minus the variance",
            r"Lagrange's identity, $d = 2$",
            r"Lagrange's identity, $d = 3$",
        ],
    )


@convex_function_families.numeric_leg(
    oracle="the gap by mpmath at 50 digits (error in eps of its rounding size), four points "
    "with weights on the simplex; sign nonnegative"
)
def _(impl, device, dtype) -> None:
    w = torch.tensor([0.125, 0.0, 0.625, 0.25], dtype=torch.float64)  # sums to 1 exactly
    for seed, name in enumerate(CONVEX):
        f = family(name, randn(3, 2, seed=200 + seed), randn(3, seed=210 + seed))
        exact = check_gap(impl, f, randn(4, 2, seed=220 + seed, scale=1.5), w, dtype, "family")
        assert exact >= 0, f"{f}: negative Jensen gap {exact}"


@convex_function_families.property_leg(
    r"for members of the five families on $\mathbb{R}^d$ ($d \le 3$), up to four points of "
    r"$[-3, 3]^d$ and weights on the simplex, `jensen_gap` $\ge 0$ up to its rounding error"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        f, X, w = case
        return not_below(impl, f, X, w)

    return ForAll(jensen_cases(CONVEX), holds, names=("f", "x", "w"))


nonconvex_functions = SECTION.claim(
    "nonconvex-functions",
    title="Sine, concave quadratic, cube, t cos(πt): not convex",
    statement=r"\sin t,\ -t^2,\ t^3,\ t\cos(\pi t) \ (t = \mathbf{a}^\top\mathbf{x} + b) "
    r"\text{ are not convex: some chord lies below the graph}",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
)


@nonconvex_functions.symbolic_leg(scope="exact witnesses, one per function")
def _() -> Derivation:
    half = sp.Rational(1, 2)
    witnesses = {
        r"\sin t": chord_slack(sp.sin(x), 0, sp.pi, half),
        r"-t^2": chord_slack(-(x**2), -1, 1, half),
        r"t^3": chord_slack(x**3, -2, 0, half),
        r"t\cos\pi t": chord_slack(x * sp.cos(sp.pi * x), 1, 3, half),
    }
    return Derivation(
        steps=[
            Step(rf"${name}$: the slack at the witness", value) for name, value in witnesses.items()
        ],
        residuals=[value < 0 for value in witnesses.values()],
        compared=[rf"the slack of ${name}$ is negative" for name in witnesses],
    )


@nonconvex_functions.numeric_leg(
    oracle="the gap by mpmath at the symbolic leg's witnesses (error in eps); sign negative"
)
def _(impl, device, dtype) -> None:
    half = torch.tensor([0.5, 0.5], dtype=torch.float64)
    one = torch.ones(1, 1, dtype=torch.float64)
    zero = torch.zeros(1, dtype=torch.float64)
    for name, points in (
        ("sine", (0.0, math.pi)),
        ("concave quadratic", (-1.0, 1.0)),
        ("cube", (-2.0, 0.0)),
        ("t cos(pi t)", (1.0, 3.0)),
    ):
        f = family(name, one, zero)
        exact = check_gap(
            impl, f, torch.tensor(points, dtype=torch.float64).reshape(2, 1), half, dtype, "witness"
        )
        assert exact < 0, f"{name}: the witness chord is not below the graph"


@nonconvex_functions.property_leg(
    "Hypothesis finds, among drawn members of the four families, points and weights whose "
    "Jensen gap is negative beyond rounding"
)
def _(impl) -> Exists:
    def below(case) -> bool:
        f, X, w = case
        return strictly_below(impl, f, X, w)

    cases = jensen_cases(NONCONVEX, min_points=2, max_points=3, allow_zeros=False)
    return Exists(cases, below, names=("f", "x", "w"))
