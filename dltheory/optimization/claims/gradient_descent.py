r"""§ 12.3 Gradient Descent — the first-order expansion, and (additions) why a small step descends.

The notes give only the expansion; the rest of the section's standard results are added.

Main declarations:

* ``optimization.taylor-first-order`` — :math:`f(x + \epsilon) = f(x) + \epsilon f'(x) +
  \mathcal{O}(\epsilon^2)`;
* ``optimization.gradient-step-decreases`` (addition) — with :math:`\epsilon = -\eta f'(x)`,
  :math:`f(x - \eta f'(x)) = f(x) - \eta f'(x)^2 + \mathcal{O}(\eta^2)`: a small enough step
  decreases :math:`f`;
* ``optimization.descent-lemma-learning-rate`` (addition) — for an :math:`L`-smooth :math:`f`
  and :math:`0 < \eta < 2/L`: :math:`f(\mathbf{x}^+) \le f(\mathbf{x}) - \eta(1 - L\eta/2)
  \|\nabla f(\mathbf{x})\|^2`;
* ``optimization.gradient-descent-iterates`` — the iterates on a quadratic in closed form;
* ``optimization.gradient-descent-diverges`` (addition) — on :math:`\tfrac{L}{2}x^2` the
  iterates are :math:`(1 - \eta L)^t x_0`: they diverge iff :math:`\eta > 2/L`.
"""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.optimization.claims._support import DPS, family, functions, tensors

SECTION = Section("optimization", "12.3 Gradient Descent")

x, eps, eta = sp.symbols(r"x \epsilon \eta", real=True)
f = sp.Function("f")

#: smooth functions of one variable: torch, mpmath, and mpmath's derivative
_SMOOTH = {
    "exp(x/2)": (lambda u: torch.exp(u / 2), lambda u: mpmath.exp(u / 2)),
    "sin(2x)": (lambda u: torch.sin(2 * u), lambda u: mpmath.sin(2 * u)),
    "x^4 - x": (lambda u: u**4 - u, lambda u: u**4 - u),
    "log(1 + e^x)": (lambda u: torch.log1p(torch.exp(u)), lambda u: mpmath.log1p(mpmath.exp(u))),
}


def _mp_step(name: str, start: float, lr: float) -> tuple[float, float]:
    """:math:`x - \\eta f'(x)` by mpmath and its rounding size :math:`|x| + \\eta|f'(x)|`."""
    mp_f = _SMOOTH[name][1]
    with mpmath.workdps(DPS):
        slope = mpmath.diff(mp_f, mpmath.mpf(start))
        return float(start - lr * slope), float(abs(start) + lr * abs(slope))


taylor_first_order = SECTION.claim(
    "taylor-first-order",
    title="First-order Taylor expansion",
    statement=r"f(x + \epsilon) = f(x) + \epsilon f'(x) + \mathcal{O}(\epsilon^2)",
    kind=Kind.THEOREM,
    code=("gradient_descent",),
    note=r"For twice differentiable $f$; the remainder over $\epsilon^2$ tends to "
    r"$f''(x)/2$. Gradient descent uses the first-order term: one step of size $\eta$ moves "
    r"$x$ by $-\eta f'(x)$, which the legs check against mpmath's derivative.",
)


@taylor_first_order.symbolic_leg(scope="general $f \\in C^2$")
def _() -> Derivation:
    first = sp.series(f(x + eps), eps, 0, 2).removeO().doit()
    second = sp.series(f(x + eps), eps, 0, 3).removeO().doit()
    remainder = second - f(x) - eps * sp.diff(f(x), x)
    return Derivation(
        steps=[
            Step("The series to first order", equation(f(x + eps), first + sp.O(eps**2))),
            Step(r"The remainder, to second order", equation(sp.Symbol("R"), remainder)),
        ],
        residuals=[
            first - f(x) - eps * sp.diff(f(x), x),
            sp.simplify(remainder / eps**2 - sp.diff(f(x), x, 2) / 2),
        ],
        compared=[
            r"the first-order series minus $f(x) + \epsilon f'(x)$",
            r"the remainder over $\epsilon^2$ minus $f''(x)/2$ "
            r"(so it is bounded: $\mathcal{O}(\epsilon^2)$)",
        ],
    )


@taylor_first_order.numeric_leg(oracle=r"$x - \eta f'(x)$ with mpmath's derivative (error in eps)")
def _(impl, device, dtype) -> None:
    for name, (torch_f, _) in _SMOOTH.items():
        for start in (-1.5, -0.25, 0.5, 2.0):
            x0 = torch.tensor(start, dtype=dtype, device=device)
            got = impl.gradient_descent(torch_f, x0, 0.125, 1)[1]
            want, size = _mp_step(name, float(x0), 0.125)
            assert_accurate(got, want, scale=size, msg=f"{name}: one step from {start}")


@taylor_first_order.property_leg(
    r"for $x \in [-3, 3]$ and $\eta \in (0, 1]$, one gradient step equals $x - \eta f'(x)$ "
    r"with mpmath's derivative"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        name, start, lr = case
        got = impl.gradient_descent(
            _SMOOTH[name][0], torch.tensor(start, dtype=torch.float64), lr, 1
        )[1]
        want, size = _mp_step(name, start, lr)
        return is_accurate(got, want, scale=size)

    cases = st.tuples(st.sampled_from(tuple(_SMOOTH)), st.floats(-3.0, 3.0), st.floats(1e-3, 1.0))
    return ForAll(cases, holds, names=("f", "x", "eta"))


gradient_step_decreases = SECTION.claim(
    "gradient-step-decreases",
    title="A small gradient step decreases f (addition)",
    statement=r"f(x - \eta f'(x)) = f(x) - \eta f'(x)^2 + \mathcal{O}(\eta^2) < f(x) "
    r"\text{ for small } \eta > 0 \text{ if } f'(x) \ne 0",
    kind=Kind.THEOREM,
    code=("gradient_descent",),
    uses=("optimization.taylor-first-order",),
    note=r"Addition: the step the notes' expansion prepares. The first-order decrease "
    r"$\eta f'(x)^2$ dominates the $\mathcal{O}(\eta^2)$ remainder once $\eta$ is small. In "
    r"$\mathbb{R}^d$ the same holds with $\|\nabla f(\mathbf{x})\|^2$.",
)


@gradient_step_decreases.symbolic_leg(scope="general $f \\in C^2$")
def _() -> Derivation:
    expansion = f(x) + eps * sp.diff(f(x), x)
    stepped = expansion.subs(eps, -eta * sp.diff(f(x), x))
    return Derivation(
        steps=[
            Step(
                "The first-order expansion",
                equation(f(x + eps), expansion + sp.O(eps**2)),
                cites=("optimization.taylor-first-order",),
            ),
            Step(
                r"Substitute $\epsilon = -\eta f'(x)$",
                equation(f(x - eta * sp.diff(f(x), x)), stepped),
            ),
        ],
        residuals=[sp.expand(stepped - (f(x) - eta * sp.diff(f(x), x) ** 2))],
        compared=[r"the substituted expansion minus $f(x) - \eta f'(x)^2$"],
    )


@gradient_step_decreases.numeric_leg(
    oracle=r"mpmath: $f(x_1) < f(x_0)$, and $(f(x_0) - f(x_1))/(\eta f'(x_0)^2) \to 1$",
    dtypes=("float64",),
)
def _(impl, device, dtype) -> None:
    for name, (torch_f, mp_f) in _SMOOTH.items():
        start = 0.7
        with mpmath.workdps(DPS):
            slope2 = mpmath.diff(mp_f, mpmath.mpf(start)) ** 2
        ratios = []
        for lr in (1e-1, 1e-2, 1e-3):
            x1 = impl.gradient_descent(
                torch_f, torch.tensor(start, dtype=dtype, device=device), lr, 1
            )[1]
            with mpmath.workdps(DPS):
                drop = mp_f(mpmath.mpf(start)) - mp_f(mpmath.mpf(float(x1)))
            assert drop > 0, f"{name}: the step of size {lr} does not decrease f"
            ratios.append(abs(float(drop / (lr * slope2)) - 1))
        assert ratios[2] < ratios[0] and ratios[2] < 0.05, f"{name}: first-order decrease {ratios}"


@gradient_step_decreases.property_leg(
    r"for members of the smooth families (convex or not) and points where "
    r"$\|\nabla f\| > 10^{-3}$, some step size $2^{-k}$, $k \le 40$, decreases $f$ (mpmath)"
)
def _(impl) -> ForAll:
    names = ("sum of squares", "exp of affine", "log-sum-exp", "sine", "concave quadratic", "cube")

    @st.composite
    def cases(draw):
        g = draw(functions(names))
        return g, draw(tensors((g.d,), 3.0))

    def holds(case) -> bool:
        g, start = case
        point = start.clone().requires_grad_()
        (gradient,) = torch.autograd.grad(g.torch(point), point)
        if gradient.norm() <= 1e-3:  # (nearly) stationary: no descent to expect
            return True
        before = g.mp(start.tolist())
        for k in range(41):
            x1 = impl.gradient_descent(g.torch, start, 2.0**-k, 1)[1]
            if g.mp(x1.tolist()) < before:
                return True
        return False

    return ForAll(cases(), holds, names=("f", "x"))


descent_lemma_learning_rate = SECTION.claim(
    "descent-lemma-learning-rate",
    title="The learning-rate bound for an L-smooth f (addition)",
    statement=r"\|\nabla f(\mathbf{x}) - \nabla f(\mathbf{y})\| \le L\|\mathbf{x} - \mathbf{y}\|,"
    r"\ 0 < \eta < \tfrac{2}{L} \Rightarrow f(\mathbf{x} - \eta\nabla f(\mathbf{x})) \le "
    r"f(\mathbf{x}) - \eta\left(1 - \tfrac{L\eta}{2}\right)\|\nabla f(\mathbf{x})\|^2",
    kind=Kind.THEOREM,
    code=("gradient_descent",),
    note=r"Addition. $L$-smoothness gives the quadratic upper bound $f(\mathbf{y}) \le "
    r"f(\mathbf{x}) + \nabla f(\mathbf{x})^\top(\mathbf{y} - \mathbf{x}) + \tfrac{L}{2}"
    r"\|\mathbf{y} - \mathbf{x}\|^2$; at $\mathbf{y} = \mathbf{x} - \eta\nabla f(\mathbf{x})$ "
    r"it is the bound stated, a strict decrease for $0 < \eta < 2/L$ unless "
    r"$\nabla f(\mathbf{x}) = 0$. $\eta = 1/L$ gives the largest guaranteed decrease.",
)


@descent_lemma_learning_rate.symbolic_leg(scope="general $L$, $\\eta$, gradient")
def _() -> Derivation:
    L, g2, fx = sp.symbols(r"L \|\nabla{f}\|^2 f(\mathbf{x})", positive=True)
    step = sp.Symbol(r"\eta", positive=True)
    upper = fx + (-step * g2) + L / 2 * step**2 * g2  # the quadratic bound at y = x - eta g
    s = sp.Symbol("s", positive=True)  # eta = (2/L) * s/(1+s): every eta in (0, 2/L)
    factor = step * (1 - L * step / 2)
    return Derivation(
        steps=[
            Step(
                r"The quadratic upper bound at "
                r"$\mathbf{y} = \mathbf{x} - \eta\nabla f(\mathbf{x})$: "
                r"$\nabla f^\top(\mathbf{y} - \mathbf{x}) = -\eta\|\nabla f\|^2$, "
                r"$\|\mathbf{y} - \mathbf{x}\|^2 = \eta^2\|\nabla f\|^2$",
                upper,
            ),
            Step("Collect the gradient terms", equation(upper, fx - factor * g2)),
            Step(
                r"$\eta(1 - L\eta/2) > 0$ for $\eta = \tfrac{2}{L}\tfrac{s}{1+s} \in (0, 2/L)$",
                sp.factor(factor.subs(step, 2 / L * s / (1 + s))),
            ),
        ],
        residuals=[
            sp.expand(upper - (fx - factor * g2)),
            factor.subs(step, 2 / L * s / (1 + s)).is_positive,
        ],
        compared=[
            r"the bound minus $f(\mathbf{x}) - \eta(1 - L\eta/2)\|\nabla f\|^2$",
            "the factor is positive",
        ],
    )


def _check_descent(impl, g, start: torch.Tensor, lr: float, smooth: float, steps: int) -> bool:
    """Every step of gradient descent satisfies the descent lemma (float64, to rounding)."""
    iterates = impl.gradient_descent(g, start, lr, steps).double()
    for before, after in itertools.pairwise(iterates):
        point = before.clone().requires_grad_()
        (gradient,) = torch.autograd.grad(g(point), point)
        bound = g(before) - lr * (1 - smooth * lr / 2) * gradient.square().sum()
        value = g(after)
        if not (value <= bound or is_close(value, bound)):
            return False
    return True


@descent_lemma_learning_rate.numeric_leg(
    oracle="the bound evaluated with autograd gradients (float64) at each iterate",
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    B = randn(3, 3, seed=370)
    A = B @ B.T + 0.1 * torch.eye(3, dtype=torch.float64)
    quadratic_L = float(torch.linalg.eigvalsh(A).max())
    lse = family("log-sum-exp", randn(4, 3, seed=371), randn(4, seed=372))
    for g, smooth in (
        (lambda z: 0.5 * z @ A.to(z) @ z, quadratic_L),
        (lse.torch, lse.smoothness or 1.0),
    ):
        for ratio in (0.5, 1.0, 1.9):
            start = randn(3, seed=373, scale=2.0).to(dtype).to(device)
            assert _check_descent(impl, g, start, ratio / smooth, smooth, 25), f"eta = {ratio}/L"


@descent_lemma_learning_rate.property_leg(
    r"for sums of squares and log-sum-exp of affine maps ($L = 2\|A\|_2^2$, $\|A\|_2^2$), "
    r"starts in $[-3, 3]^d$ and $\eta = \tfrac{2}{L}r$, $r \in (0, 1)$: every one of 8 steps "
    r"satisfies the bound"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        g = draw(functions(("sum of squares", "log-sum-exp")))
        return g, draw(tensors((g.d,), 3.0)), draw(st.floats(0.01, 0.99))

    def holds(case) -> bool:
        g, start, ratio = case
        smooth = max(g.smoothness or 0.0, 1e-6)
        return _check_descent(impl, g.torch, start, 2 * ratio / smooth, smooth, 8)

    return ForAll(cases(), holds, names=("f", "x0", "eta L / 2"))


def _quadratic_iterates(A: np.ndarray, b: np.ndarray, x0: np.ndarray, lr: float, steps: int):
    r"""Gradient descent on :math:`\tfrac12 x^\top A x - b^\top x` in closed form: in the
    eigenbasis of :math:`A`, :math:`z_t = (1 - \eta\lambda)^t z_0 + \big(1 - (1 -
    \eta\lambda)^t\big) c/\lambda` (:math:`t\eta c` where :math:`\lambda = 0`)."""
    lam, Q = np.linalg.eigh(A)
    z0, c = Q.T @ x0, Q.T @ b
    rows = [x0]
    for t in range(1, steps + 1):
        factor = (1 - lr * lam) ** t
        # 1 - (1 - eta lam)^t, as -expm1(t log1p(-eta lam)) where eta lam is small: no
        # cancellation for tiny eigenvalues
        small = np.abs(lr * lam) < 0.5
        grown = np.where(small, -np.expm1(t * np.log1p(-lr * np.where(small, lam, 0))), 1 - factor)
        safe = np.where(lam == 0, 1.0, lam)
        drift = np.where(lam == 0, t * lr * c, grown * c / safe)
        rows.append(Q @ (factor * z0 + drift))
    return np.stack(rows)


gradient_descent_iterates = SECTION.claim(
    "gradient-descent-iterates",
    title="Gradient descent on a quadratic, in closed form",
    statement=r"\mathbf{x}_{t+1} = \mathbf{x}_t - \eta\nabla f(\mathbf{x}_t),\ f = \tfrac12 "
    r"\mathbf{x}^\top A\mathbf{x} - \mathbf{b}^\top\mathbf{x} \Rightarrow "
    r"\mathbf{x}_t = Q\big[(I - \eta\Lambda)^t Q^\top\mathbf{x}_0 + (I - (I - "
    r"\eta\Lambda)^t)\Lambda^{-1} Q^\top\mathbf{b}\big]",
    kind=Kind.DEFINITION,
    code=("gradient_descent",),
    note=r"$A = Q\Lambda Q^\top$ symmetric; where an eigenvalue is 0 the drift is "
    r"$t\eta\,(Q^\top\mathbf{b})_i$. The definition of the iteration, checked through its "
    r"closed form (every iterate, with autograd gradients and with a given one).",
    symbolic=NotApplicable(
        "the closed form of one eigendirection is derived in optimization.gradient-descent-diverges"
    ),
)


@gradient_descent_iterates.numeric_leg(
    oracle="the closed form through numpy.linalg.eigh (float64); gradcheck / gradgradcheck "
    "in the start and the learning rate (float64)"
)
def _(impl, device, dtype) -> None:
    B = randn(3, 2, seed=380)
    A = B @ B.T  # rank 2: one eigenvalue is 0
    b, x0 = randn(3, seed=381), randn(3, seed=382)
    A_, b_, x_ = (v.to(dtype).to(device) for v in (A, b, x0))
    lr = 0.5 / float(torch.linalg.eigvalsh(A).max())

    def f(z):
        return 0.5 * z @ A_.to(z.dtype) @ z - b_.to(z.dtype) @ z

    An, bn, xn = (v.double().cpu().numpy() for v in (A_, b_, x_))
    want = _quadratic_iterates(An, bn, xn, lr, 12)
    got = impl.gradient_descent(f, x_, lr, 12)
    assert got.shape == (13, 3) and got.dtype == dtype
    assert_close(got, want, msg="autograd gradients")
    given = impl.gradient_descent(f, x_, lr, 12, grad=lambda z: z @ A_.to(z.dtype) - b_.to(z.dtype))
    assert_close(given, want, msg="a given gradient")
    if dtype == torch.float64:
        start = x_.clone().requires_grad_()
        rate = torch.tensor(lr, dtype=dtype, device=device, requires_grad=True)
        assert torch.autograd.gradcheck(
            lambda s, r: impl.gradient_descent(f, s, r, 4), (start, rate), fast_mode=True
        )
        assert torch.autograd.gradgradcheck(
            lambda s, r: impl.gradient_descent(f, s, r, 3), (start, rate), fast_mode=True
        )


@gradient_descent_iterates.property_leg(
    r"for positive semidefinite $A$ ($d \le 3$), any $\mathbf{b}$, start and "
    r"$\eta \in (0, 1.9/\lambda_{\max}]$, the 8 iterates equal the closed form"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        d = draw(st.integers(1, 3))
        B = draw(tensors((d, d), 2.0))
        return (
            B @ B.T,
            draw(tensors((d,), 3.0)),
            draw(tensors((d,), 3.0)),
            draw(st.floats(0.01, 0.95)),
        )

    def holds(case) -> bool:
        A, b, x0, ratio = case
        top = float(torch.linalg.eigvalsh(A).max())
        lr = 2 * ratio / top if top > 1e-6 else 0.5

        def f(z):
            return 0.5 * z @ A @ z - b @ z

        want = _quadratic_iterates(A.numpy(), b.numpy(), x0.numpy(), lr, 8)
        return is_close(impl.gradient_descent(f, x0, lr, 8), want)

    return ForAll(cases(), holds, names=("A", "b", "x0", "eta lambda_max / 2"))


gradient_descent_diverges = SECTION.claim(
    "gradient-descent-diverges",
    title="Too large a learning rate diverges (addition)",
    statement=r"f(x) = \tfrac{L}{2}x^2:\quad x_t = (1 - \eta L)^t x_0,\qquad |x_t| \to \infty "
    r"\iff \eta > \tfrac{2}{L} \quad (x_0 \ne 0)",
    kind=Kind.THEOREM,
    code=("gradient_descent",),
    note=r"Addition: the bound $\eta < 2/L$ of optimization.descent-lemma-learning-rate is "
    r"sharp. For $\eta < 2/L$ the iterates converge to 0 (oscillating when $\eta > 1/L$); at "
    r"$\eta = 2/L$ they alternate $\pm x_0$; beyond it they grow geometrically.",
)


@gradient_descent_diverges.symbolic_leg(scope="general $L$, $\\eta$, $t$")
def _() -> Derivation:
    L, step, x0 = sp.symbols(r"L \eta x_0", positive=True)
    t = sp.Symbol("t", integer=True, nonnegative=True)
    u = sp.Function("x")
    iterates = sp.rsolve(u(t + 1) - (u(t) - step * L * u(t)), u(t), {u(0): x0})
    s = sp.Symbol("s", positive=True)  # s = eta L
    growing = sp.solveset(sp.Abs(1 - s) > 1, s, sp.Interval.open(0, sp.oo))
    return Derivation(
        steps=[
            Step(r"$x_{t+1} = x_t - \eta L x_t$, solved", equation(u(t), iterates)),
            Step(r"$|1 - \eta L| > 1$ for $\eta L \in$", equation(sp.Symbol("S"), growing)),
        ],
        residuals=[
            iterates - x0 * (1 - step * L) ** t,
            sp.Eq(growing, sp.Interval.open(2, sp.oo)),
        ],
        compared=[
            r"the solution minus $x_0(1 - \eta L)^t$",
            r"the growth set of $\eta L$ is $(2, \infty)$: $\eta > 2/L$",
        ],
    )


@gradient_descent_diverges.numeric_leg(oracle=r"the closed form $(1 - \eta L)^t x_0$ (float64)")
def _(impl, device, dtype) -> None:
    L = 4.0
    x0 = torch.tensor(0.75, dtype=dtype, device=device)
    t = torch.arange(16, dtype=torch.float64)
    for ratio in (0.25, 0.75, 1.0, 1.25):  # eta = ratio * 2 / L
        lr = ratio * 2 / L
        got = impl.gradient_descent(lambda z: L / 2 * z * z, x0, lr, 15)
        assert_close(got, float(x0) * (1 - lr * L) ** t, msg=f"eta = {ratio} * 2/L")
        grows = bool(got[-1].abs() > 10 * got[0].abs())
        assert grows == (ratio > 1), f"eta = {ratio} * 2/L: growth {grows}"


@gradient_descent_diverges.property_leg(
    r"for $L \in [0.1, 10]$, $x_0 \ne 0$ and $\eta L/2 \notin [0.99, 1.01]$: $|x_{20}| > "
    r"|x_0|$ iff $\eta > 2/L$"
)
def _(impl) -> ForAll:
    ratios = st.one_of(st.floats(0.01, 0.99), st.floats(1.01, 2.0))
    starts = st.one_of(st.floats(-10.0, -1e-3), st.floats(1e-3, 10.0))

    def holds(case) -> bool:
        L, ratio, start = case
        lr = 2 * ratio / L
        got = impl.gradient_descent(
            lambda z: L / 2 * z * z, torch.tensor(start, dtype=torch.float64), lr, 20
        )
        return bool(got[-1].abs() > got[0].abs()) == (ratio > 1)

    return ForAll(
        st.tuples(st.floats(0.1, 10.0), ratios, starts), holds, names=("L", "eta L / 2", "x0")
    )
