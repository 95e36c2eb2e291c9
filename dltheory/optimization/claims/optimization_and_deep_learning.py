r"""§ 12.1 Optimization and Deep Learning — additions: the notes' heading is empty.

The standard results of this section (the challenges of minimizing a non-convex objective),
each labelled as an addition.

Main declarations:

* ``optimization.local-minimum-not-global`` — :math:`f(x) = x\cos(\pi x)` on
  :math:`[-1, 2]` has a local minimum that is not the global one, and gradient descent started
  on its side stays there;
* ``optimization.saddle-points`` — a zero gradient need not be an extremum: :math:`x^3` at 0,
  and :math:`x^2 - y^2` whose Hessian has eigenvalues of both signs (gradient descent moves
  away along :math:`y`);
* ``optimization.vanishing-gradients`` — :math:`\tanh'(x) = 1 - \tanh^2(x) \to 0`: at
  :math:`x = 4` a gradient step moves by :math:`\eta \cdot 0.0013`.
"""

from __future__ import annotations

import math

import mpmath
import scipy.optimize
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, Exists, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close

SECTION = Section("optimization", "12.1 Optimization and Deep Learning")

x, y = sp.symbols("x y", real=True)


def _x_cos(t: torch.Tensor) -> torch.Tensor:
    return t * torch.cos(math.pi * t)


local_minimum_not_global = SECTION.claim(
    "local-minimum-not-global",
    title="A local minimum that is not global (addition)",
    statement=r"f(x) = x\cos(\pi x) \text{ on } [-1, 2]: \text{ a local minimum at } "
    r"x \approx -0.274,\ f \approx -0.179,\ \text{ the global one at } x \approx 1.090,\ "
    r"f \approx -1.047",
    kind=Kind.THEOREM,
    code=("gradient_descent",),
    note="Addition: the notes' section 12.1 has a heading only. The standard example of the "
    "first challenge of non-convex optimization: gradient descent stops at whichever local "
    "minimum its start leads to.",
)


@local_minimum_not_global.symbolic_leg(
    scope="at the two critical points (located by sympy.nsolve to 30 digits)", general=False
)
def _() -> Derivation:
    f = x * sp.cos(sp.pi * x)
    df, d2f = sp.diff(f, x), sp.diff(f, x, 2)
    local = sp.nsolve(df, x, -0.3, prec=30)
    best = sp.nsolve(df, x, 1.1, prec=30)
    return Derivation(
        steps=[
            Step("The derivative", equation(sp.Derivative(f, x), df)),
            Step(r"Critical points near $-0.27$ and $1.09$", sp.Tuple(local, best)),
            Step(
                r"$f'' > 0$ at both: two local minima",
                sp.Tuple(d2f.subs(x, local), d2f.subs(x, best)),
            ),
            Step("The left one is higher", f.subs(x, local) - f.subs(x, best)),
        ],
        residuals=[
            sp.Abs(df.subs(x, local)) < sp.Float("1e-25"),
            sp.Abs(df.subs(x, best)) < sp.Float("1e-25"),
            d2f.subs(x, local) > 0,
            d2f.subs(x, best) > 0,
            f.subs(x, local) > f.subs(x, best),
        ],
        compared=[
            r"$f'$ vanishes at the left point",
            r"$f'$ vanishes at the right point",
            "the left point is a local minimum",
            "the right point is a local minimum",
            "the left minimum is higher",
        ],
    )


@local_minimum_not_global.numeric_leg(
    oracle="scipy.optimize.minimize_scalar on [-1, 0.5] and [0.5, 2] (float64)",
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    for (lo, hi), starts in (((-1.0, 0.5), (-1.0, -0.5, 0.2)), ((0.5, 2.0), (0.7, 1.5, 2.0))):
        best = scipy.optimize.minimize_scalar(
            lambda t: t * math.cos(math.pi * t), bounds=(lo, hi), method="bounded",
            options={"xatol": 1e-12},
        )  # fmt: skip
        for start in starts:  # inside each basin (the local maximum between them is near 0.27)
            x0 = torch.tensor(start, dtype=dtype, device=device)
            # |1 - 0.05 f''| <= 0.75 at both minima: from these starts the iterates are within
            # 1e-13 of the minimum after at most 80 steps (float64), so 120 leave a margin
            end = impl.gradient_descent(_x_cos, x0, 0.05, 120)[-1]
            assert_close(end, best.x, msg=f"from {start}: the minimum of [{lo}, {hi}]")


@local_minimum_not_global.property_leg(
    r"some start in $[-1, 2]$ leads gradient descent ($\eta = 0.05$, 300 steps) to a point at "
    r"least $0.8$ above the global minimum"
)
def _(impl) -> Exists:
    def trapped(start: float) -> bool:
        end = impl.gradient_descent(_x_cos, torch.tensor(start, dtype=torch.float64), 0.05, 300)[-1]
        return float(_x_cos(end)) > -1.0467 + 0.8

    return Exists(st.floats(-1.0, 2.0), trapped, names=("x0",))


saddle_points = SECTION.claim(
    "saddle-points",
    title="A vanishing gradient need not be an extremum (addition)",
    statement=r"(x^3)'|_0 = 0 \text{ but no extremum};\quad \nabla(x^2 - y^2)|_0 = 0,\ "
    r"\nabla^2 = \operatorname{diag}(2, -2): \text{ a saddle point}",
    kind=Kind.THEOREM,
    code=("gradient_descent",),
    note=r"Addition (section 12.1 is empty in the notes): at a point with zero gradient the "
    r"Hessian decides — all eigenvalues positive: a local minimum, all negative: a local "
    r"maximum, mixed signs: a saddle. On $x^2 - y^2$ gradient descent contracts $x$ by "
    r"$1 - 2\eta$ and expands $y$ by $1 + 2\eta$ per step.",
)


@saddle_points.symbolic_leg(scope="general $\\eta$ and number of steps $t$")
def _() -> Derivation:
    cube = x**3
    saddle = x**2 - y**2
    hessian = sp.hessian(saddle, (x, y))
    eta, t0 = sp.symbols(r"\eta x_0", positive=True)
    t = sp.Symbol("t", integer=True, nonnegative=True)
    u = sp.Function("u")
    x_t = sp.rsolve(u(t + 1) - (u(t) - eta * sp.diff(saddle, x).subs(x, u(t))), u(t), {u(0): t0})
    y_t = sp.rsolve(u(t + 1) - (u(t) - eta * sp.diff(saddle, y).subs(y, u(t))), u(t), {u(0): t0})
    return Derivation(
        steps=[
            Step(
                r"$x^3$: $f'(0) = 0$, $f''(0) = 0$, and $f$ changes sign at 0",
                sp.Tuple(sp.diff(cube, x).subs(x, 0), sp.diff(cube, x, 2).subs(x, 0)),
            ),
            Step(
                r"$x^2 - y^2$: the gradient at the origin",
                sp.Matrix([sp.diff(saddle, v) for v in (x, y)]).subs({x: 0, y: 0}),
            ),
            Step("Its Hessian", hessian),
            Step(r"Gradient descent from $(x_0, x_0)$: $x_t$ and $y_t$", sp.Tuple(x_t, y_t)),
        ],
        residuals=[
            sp.diff(cube, x).subs(x, 0),
            sp.And(cube.subs(x, -1) < 0, cube.subs(x, 1) > 0),
            sp.Eq(hessian, sp.diag(2, -2)),
            x_t - t0 * (1 - 2 * eta) ** t,
            y_t - t0 * (1 + 2 * eta) ** t,
        ],
        compared=[
            r"$(x^3)'$ at 0",
            r"$x^3$ takes both signs around 0: no extremum",
            r"the Hessian of $x^2 - y^2$ minus $\operatorname{diag}(2, -2)$",
            r"$x_t$ minus $x_0 (1 - 2\eta)^t$",
            r"$y_t$ minus $x_0 (1 + 2\eta)^t$",
        ],
    )


def _saddle(p: torch.Tensor) -> torch.Tensor:
    return p[..., 0] ** 2 - p[..., 1] ** 2


@saddle_points.numeric_leg(oracle=r"the closed form $(x_0 (1 - 2\eta)^t, y_0 (1 + 2\eta)^t)$")
def _(impl, device, dtype) -> None:
    start = torch.tensor([1.0, 1e-3], dtype=dtype, device=device)
    got = impl.gradient_descent(_saddle, start, 0.125, 20)
    t = torch.arange(21, dtype=torch.float64)
    rounded = start.double().cpu()
    want = torch.stack([rounded[0] * 0.75**t, rounded[1] * 1.25**t], -1)
    assert_close(got, want, msg="gradient descent on x^2 - y^2")
    assert abs(float(got[-1, 1])) > 50 * abs(float(got[0, 1])), "descent did not leave the saddle"
    stuck = impl.gradient_descent(_saddle, torch.zeros(2, dtype=dtype, device=device), 0.125, 5)
    assert (stuck == 0).all(), "at the saddle point itself the gradient is 0: no step"


@saddle_points.property_leg(
    r"from any start, the iterates on $x^2 - y^2$ equal $(x_0(1 - 2\eta)^t, y_0(1 + 2\eta)^t)$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x0, y0, lr = case
        start = torch.tensor([x0, y0], dtype=torch.float64)
        got = impl.gradient_descent(_saddle, start, lr, 10)
        t = torch.arange(11, dtype=torch.float64)
        want = torch.stack([x0 * (1 - 2 * lr) ** t, y0 * (1 + 2 * lr) ** t], -1)
        return is_close(got, want)

    coordinate = st.floats(-10.0, 10.0)
    return ForAll(
        st.tuples(coordinate, coordinate, st.floats(1e-3, 0.4)), holds, names=("x0", "y0", "eta")
    )


vanishing_gradients = SECTION.claim(
    "vanishing-gradients",
    title="Vanishing gradients (addition)",
    statement=r"\tanh'(x) = 1 - \tanh^2(x) \xrightarrow{|x| \to \infty} 0, \qquad "
    r"\tanh'(4) \approx 0.0013",
    kind=Kind.THEOREM,
    code=("gradient_descent",),
    note="Addition (section 12.1 is empty in the notes): far from 0 the gradient of tanh is so "
    r"small that a gradient step barely moves: from $x = 4$ with $\eta = 1$, by $0.0013$.",
)


@vanishing_gradients.symbolic_leg(scope="general $x$")
def _() -> Derivation:
    derivative = sp.diff(sp.tanh(x), x)
    return Derivation(
        steps=[
            Step(r"The derivative of $\tanh$", equation(sp.Derivative(sp.tanh(x), x), derivative)),
            Step(r"It tends to 0 as $x \to \infty$", sp.Limit(derivative, x, sp.oo)),
            Step(r"At $x = 4$", sp.N(derivative.subs(x, 4), 5)),
        ],
        residuals=[
            derivative - (1 - sp.tanh(x) ** 2),
            sp.limit(derivative, x, sp.oo),
            sp.limit(derivative, x, -sp.oo),
            sp.Abs(derivative.subs(x, 4) - sp.Rational(13, 10000)) < sp.Rational(1, 10000),
        ],
        compared=[
            r"$\tanh'$ minus $1 - \tanh^2$",
            r"the limit at $+\infty$",
            r"the limit at $-\infty$",
            r"$\tanh'(4)$ is $0.0013$ to four decimals",
        ],
    )


def _mp_step(start: float, lr: float) -> float:
    with mpmath.workdps(50):
        return float(mpmath.mpf(start) - mpmath.mpf(lr) * mpmath.sech(start) ** 2)


@vanishing_gradients.numeric_leg(
    oracle=r"mpmath: $x_0 - \eta\,\operatorname{sech}^2 x_0$ (error in eps)"
)
def _(impl, device, dtype) -> None:
    for start in (0.0, 1.0, 4.0, 8.0, -6.0):
        x0 = torch.tensor(start, dtype=dtype, device=device)
        step = impl.gradient_descent(torch.tanh, x0, 1.0, 1)[1]
        assert_accurate(step, _mp_step(float(x0), 1.0), msg=f"one step from {start}")
    moved = float(
        impl.gradient_descent(torch.tanh, torch.tensor(4.0, dtype=torch.float64), 1.0, 1)[1]
    )
    assert abs(moved - 4.0) < 0.0014, "the gradient at 4 is not small"


@vanishing_gradients.property_leg(
    r"for $|x_0| \le 20$ and $\eta \in (0, 1]$, one step on $\tanh$ moves by "
    r"$\eta\operatorname{sech}^2 x_0$ (mpmath)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        start, lr = case
        step = impl.gradient_descent(torch.tanh, torch.tensor(start, dtype=torch.float64), lr, 1)[1]
        # the step is x0 minus a tiny number: its error is relative to |x0| + eta sech^2 x0
        return is_accurate(step, _mp_step(start, lr), scale=abs(start) + lr)

    return ForAll(
        st.tuples(st.floats(-20.0, 20.0), st.floats(1e-3, 1.0)), holds, names=("x0", "eta")
    )
