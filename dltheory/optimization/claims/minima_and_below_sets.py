r"""§ 12.2 Jensen's Inequality (propositions) — local minima are global; below sets are convex.

Main declarations:

* ``optimization.local-minima-global`` — a local minimum of a convex function on a convex set
  is a global one (the notes' proof by contradiction);
* notation note ``optimization.local-minimum-proof-slips`` — the proof switches from
  :math:`x_0` to :math:`x'` and names the wrong assumption as contradicted;
* ``optimization.below-sets-convex`` — :math:`S_b = \{x \in \mathcal{X} : f(x) \le b\}` is
  convex;
* notation note ``optimization.below-set-notation`` — :math:`S_b` is a below set of :math:`f`
  (not of :math:`\mathcal{X}`), and the proof's :math:`x, x'` are the :math:`x_1, x_2` it chose.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.tolerances import assert_close, is_accurate, is_close
from dltheory.optimization.claims._support import (
    CONVEX,
    family,
    functions,
    jensen_scale,
    tensors,
)

SECTION = Section("optimization", "12.2 Jensen's Inequality")

a, c = sp.symbols("a c", positive=True)
lam = a / (a + c)  # lambda in (0, 1)


def _strongly_convex(seed: int, d: int = 3):
    r""":math:`\tfrac12\|\mathbf{x}\|^2` plus a log-sum-exp of an affine map: strongly convex
    (modulus 1) and smooth with :math:`L = 1 + \|A\|_2^2`; returns the function and
    :math:`L`."""
    lse = family("log-sum-exp", randn(4, d, seed=seed, scale=0.5), randn(4, seed=seed + 1))

    def f(x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x.square().sum(-1) + lse.torch(x)

    return f, 1 + (lse.smoothness or 0.0)


local_minima_global = SECTION.claim(
    "local-minima-global",
    title="Local minima of convex functions are global",
    statement=r"f \text{ convex on convex } \mathcal{X},\ x^* \text{ a local minimum} "
    r"\Rightarrow f(x^*) \le f(x)\ \forall x \in \mathcal{X}",
    kind=Kind.THEOREM,
    code=("gradient_descent",),
    uses=("optimization.convex-function-definition",),
    note=r"The notes' proof: if $f(x_0) < f(x^*)$, every point $\lambda x^* + (1-\lambda)x_0$ "
    r"with $\lambda \in [0, 1)$ has a smaller value than $x^*$, and for $\lambda$ close to 1 "
    r"it lies within the radius $p$ of local minimality. The legs run gradient descent, which "
    r"stops at a local minimum, from many starts.",
)


@local_minima_global.symbolic_leg(scope="general $x^*, x_0$, $p$")
def _() -> Derivation:
    f_star, p = sp.symbols("f^* p", positive=True)
    drop = sp.Symbol(r"\delta", positive=True)  # f(x*) - f(x0) > 0, the supposed improvement
    mu = c / (a + c)  # 1 - lambda > 0
    chord = lam * f_star + mu * (f_star - drop)
    x_star = sp.Symbol("x^*", real=True)
    far = sp.Symbol("D", positive=True)  # |x_0 - x^*| > p; on the line x_0 = x^* + D (or - D)
    x0 = x_star + far
    point = lam * x_star + mu * x0
    distance = sp.factor(point - x_star)
    choice = 1 - p / far  # the lambda whose point lies at distance p
    return Derivation(
        steps=[
            Step(
                r"Convexity: $f(\lambda x^* + (1-\lambda)x_0) \le \lambda f(x^*) + "
                r"(1-\lambda) f(x_0)$, with $f(x_0) = f(x^*) - \delta$",
                chord,
                cites=("optimization.convex-function-definition",),
            ),
            Step(r"which is below $f(x^*)$ for $\lambda < 1$", sp.factor(f_star - chord)),
            Step(r"The point's distance to $x^*$ is $(1 - \lambda)|x_0 - x^*|$", distance),
            Step(
                r"$\lambda = 1 - p/D$, $D = |x_0 - x^*| > p$, puts it at distance $p$: "
                r"a point within $p$ of $x^*$ with a smaller value — $x^*$ is no local minimum",
                choice,
            ),
        ],
        residuals=[
            sp.factor(f_star - chord).is_positive,
            sp.simplify(distance - mu * (x0 - x_star)),
            sp.simplify((1 - choice) * (x0 - x_star) - p),
        ],
        compared=[
            r"$f(x^*)$ minus the chord is positive",
            r"the distance minus $(1-\lambda)(x_0 - x^*)$",
            r"$|(1 - \lambda)(x_0 - x^*)| - p$ at the chosen $\lambda$",
        ],
    )


@local_minima_global.numeric_leg(
    oracle="scipy.optimize.minimize (BFGS, float64) on strongly convex functions",
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    for seed in (320, 330):
        f, smooth = _strongly_convex(seed)

        def value_and_gradient(z, f=f):
            point = torch.from_numpy(z).requires_grad_()
            value = f(point)
            (gradient,) = torch.autograd.grad(value, point)
            return float(value.detach()), gradient.numpy()

        best = scipy.optimize.minimize(
            value_and_gradient, np.zeros(3), jac=True, method="BFGS", options={"gtol": 1e-12}
        )
        for start in randn(4, 3, seed=seed + 2, scale=3.0):
            x0 = start.to(dtype).to(device)
            end = impl.gradient_descent(f, x0, 1 / smooth, 120)[-1]
            assert_close(f(end.double()), best.fun, dtype=dtype, msg=f"from {start.tolist()}")


@local_minima_global.property_leg(
    r"for strongly convex $\tfrac12\|\mathbf{x}\|^2 + g(\mathbf{x})$ ($g$ from the smooth convex "
    r"families), the point gradient descent reaches from any start is no higher than any other "
    r"drawn point"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        g = draw(functions(("sum of squares", "log-sum-exp"), magnitude=0.5))
        start, other = draw(tensors((g.d,), 3.0)), draw(tensors((g.d,), 3.0))
        return g, start, other

    def holds(case) -> bool:
        g, start, other = case
        smooth = 1 + (g.smoothness or 0.0)

        def f(x: torch.Tensor) -> torch.Tensor:
            return 0.5 * x.square().sum(-1) + g.torch(x)

        # with modulus 1 and lr = 1/L the error contracts by 1 - 1/L per step: e^-40 after 40 L
        end = impl.gradient_descent(f, start, 1 / smooth, int(40 * smooth) + 1)[-1]
        reached, elsewhere = f(end), f(other)
        return bool(reached <= elsewhere) or is_close(reached, elsewhere)

    return ForAll(cases(), holds, names=("g", "x0", "x"))


local_minimum_proof_slips = SECTION.claim(
    "local-minimum-proof-slips",
    title="The proof that local minima are global: a renamed point, a misnamed assumption",
    statement=r"\text{``Choosing any } \lambda \text{ such that } 0 < |\lambda x^* + (1 - \lambda)"
    r"x' - x^*| \le p \text{ will contradict our assumption that } x^* \text{ is not the global "
    r"minimum.''}",
    kind=Kind.NOTATION,
    corrects="optimization.local-minima-global",
    note=r"The point called $x_0$ a line earlier is now $x'$: read $x_0$. And the point so "
    r"found lies within $p$ of $x^*$ with a value below $f(x^*)$, which contradicts that "
    r"$x^*$ is a *local* minimum; the supposition that $x^*$ is not the global minimum is what "
    r"the contradiction refutes.",
)


below_sets_convex = SECTION.claim(
    "below-sets-convex",
    title="Below sets of convex functions are convex",
    statement=r"S_b \stackrel{\text{def}}{=} \{x \mid x \in \mathcal{X} \text{ and } f(x) \le b\} "
    r"\text{ is convex}",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.convex-function-definition",),
    note=r"For $x_1, x_2 \in S_b$: $f(\lambda x_1 + (1-\lambda)x_2) \le \lambda f(x_1) + "
    r"(1-\lambda) f(x_2) \le \lambda b + (1 - \lambda) b = b$. The converse fails: "
    r"$\sqrt{|x|}$ has convex below sets and is not convex.",
    numeric=NotApplicable("sets have no dtype; the property leg draws the points"),
)


@below_sets_convex.symbolic_leg(scope=r"general $b$, $\lambda$")
def _() -> Derivation:
    b = sp.Symbol("b", real=True)
    s1, s2 = sp.symbols("s_1 s_2", nonnegative=True)  # b - f(x_1), b - f(x_2) >= 0
    chord = lam * (b - s1) + (1 - lam) * (b - s2)
    return Derivation(
        steps=[
            Step(
                r"Convexity bounds $f$ at the combination by the chord",
                chord,
                cites=("optimization.convex-function-definition",),
            ),
            Step(
                r"With $f(x_k) = b - s_k$, $s_k \ge 0$, the chord is $b$ minus",
                sp.factor(b - chord),
            ),
            Step(r"and $\lambda b + (1-\lambda) b = b$", sp.simplify(lam * b + (1 - lam) * b)),
        ],
        residuals=[sp.factor(b - chord).is_nonnegative, sp.simplify(lam * b + (1 - lam) * b - b)],
        compared=[r"$b$ minus the chord is $\ge 0$", r"$\lambda b + (1-\lambda)b - b$"],
    )


@below_sets_convex.property_leg(
    r"for members of the convex families, two points, $\lambda \in [0, 1]$ and "
    r"$b = \max(f(x_1), f(x_2))$: $f(\lambda x_1 + (1-\lambda)x_2) \le b$, $f$ at the "
    r"combination computed as the chord minus `jensen_gap`"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        f = draw(functions(CONVEX))
        t = draw(st.floats(0.0, 1.0))
        return f, draw(tensors((2, f.d), 3.0)), torch.tensor([t, 1 - t], dtype=torch.float64)

    def holds(case) -> bool:
        f, X, w = case
        values = f.torch(X)
        b = values.max()
        at_combination = (w * values).sum() - impl.jensen_gap(f.torch, X, w, validate=False)
        below = at_combination - b
        return bool(below <= 0) or is_accurate(below.clamp(min=0), 0.0, scale=jensen_scale(f, X, w))

    return ForAll(cases(), holds, names=("f", "x", "(lambda, 1 - lambda)"))


below_set_notation = SECTION.claim(
    "below-set-notation",
    title="A below set of f, and the proof's points",
    statement=r"\text{``Define a below set of } \mathcal{X} \text{ as } S_b \ldots\text{''};\ "
    r"\text{``for any } x_1, x_2 \in \mathcal{S}_b \ldots \text{ we must show that } \lambda x + "
    r"(1 - \lambda)x' \in \mathcal{S}_b\text{''}",
    kind=Kind.NOTATION,
    corrects="optimization.below-sets-convex",
    note=r"$S_b$ is a below (sublevel) set of the function $f$, a subset of $\mathcal{X}$; and "
    r"the points to combine are the $x_1, x_2$ just chosen: read "
    r"$\lambda x_1 + (1 - \lambda) x_2 \in S_b$.",
)
