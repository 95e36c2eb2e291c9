r"""§ 9.3 Recurrent Neural Networks: Gradient Clipping — the notes' heading is empty; the
standard results are filled in as additions.

Main declarations:

* ``sequences.gradient-clipping-definition`` — :math:`\mathbf{g} \leftarrow \min(1,
  \theta/\|\mathbf{g}\|)\,\mathbf{g}` over all gradients together (against
  ``torch.nn.utils.clip_grad_norm_``, which clips in place; ``clip_grad_norm`` does not);
* ``sequences.clipped-norm-at-most-threshold`` — :math:`\|\operatorname{clip}(\mathbf{g})\| =
  \min(\|\mathbf{g}\|, \theta) \le \theta`;
* ``sequences.clipping-keeps-direction`` — the clipped gradient is a positive multiple of the
  gradient;
* ``sequences.clipping-identity-below-threshold`` — nothing changes when
  :math:`\|\mathbf{g}\| \le \theta` (bit for bit).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.sequences.claims._support import DPS

SECTION = Section("sequences", "9.3 Recurrent Neural Networks: Gradient Clipping")

ADDITION = "9.3 Recurrent Neural Networks: Gradient Clipping (addition: the heading is empty)"

theta = sp.Symbol(r"\theta", positive=True)
norm = sp.Symbol(r"\|\mathbf{g}\|", positive=True)


def mp_norm(tensors, p: float = 2.0) -> mpmath.mpf:
    """The exact p-norm of all entries together (mpmath)."""
    with mpmath.workdps(DPS):
        values = [mpmath.mpf(float(v)) for g in tensors for v in g.double().reshape(-1).tolist()]
        if p == math.inf:
            return max((abs(v) for v in values), default=mpmath.mpf(0))
        return mpmath.fsum(abs(v) ** p for v in values) ** (1 / mpmath.mpf(p))


def _grads(seed: int, dtype, device, scale: float = 1.0):
    shapes = [(4, 3), (3,), (2, 2, 2), (1,)]
    return [
        randn(*s, seed=seed + k, scale=scale).to(dtype).to(device) for k, s in enumerate(shapes)
    ]


@st.composite
def gradient_lists(draw, *, magnitude: float = 1e3):
    count = draw(st.integers(1, 3))
    shapes = [
        tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))) for _ in range(count)
    ]
    # zero, or a normal magnitude >= 1e-300: clipped by c >= 1e-7 it stays a normal number
    # (a subnormal product has no relative precision left to keep the direction with)
    magnitudes = st.floats(1e-300, magnitude)
    elements = st.one_of(st.just(0.0), magnitudes, magnitudes.map(lambda v: -v))
    return [
        torch.from_numpy(draw(hnp.arrays(np.float64, s, elements=elements)).copy()) for s in shapes
    ]


gradient_clipping_definition = SECTION.claim(
    "gradient-clipping-definition",
    title="Gradient clipping by the global norm",
    statement=r"\mathbf{g} \leftarrow \min\Bigl(1, \frac{\theta}{\|\mathbf{g}\|}\Bigr)\mathbf{g},"
    r"\qquad \|\mathbf{g}\| = \Bigl(\sum_i \|\mathbf{g}_i\|_p^p\Bigr)^{1/p}",
    kind=Kind.DEFINITION,
    source=ADDITION,
    code=("clip_grad_norm",),
    note=r"Addition. One norm over all parameters' gradients together (usually $p = 2$). "
    r"`torch.nn.utils.clip_grad_norm_` multiplies by $\theta/(\|\mathbf{g}\| + 10^{-6})$ in "
    r"place; the notes' formula, and `clip_grad_norm`, use $\theta/\|\mathbf{g}\|$ and return "
    r"new tensors.",
)


@gradient_clipping_definition.symbolic_leg(scope="general $\\|\\mathbf{g}\\|$, $\\theta$")
def _() -> Derivation:
    coefficient = sp.Min(1, theta / norm)
    return Derivation(
        steps=[
            Step(r"The coefficient", equation(sp.Symbol("c"), coefficient)),
            Step(
                r"is 1 below the threshold and $\theta/\|\mathbf{g}\|$ above it",
                sp.Piecewise((1, norm <= theta), (theta / norm, True)),
            ),
        ],
        residuals=[
            coefficient.subs(norm, theta / 2) - 1,
            coefficient.subs(norm, 2 * theta) - sp.Rational(1, 2),
        ],
        compared=[
            r"the coefficient at $\|\mathbf{g}\| = \theta/2$ minus 1",
            r"at $2\theta$ minus $1/2$",
        ],
    )


@gradient_clipping_definition.numeric_leg(
    oracle="torch.nn.utils.clip_grad_norm_ (foreach and not) on copies, with norms >= 100 so "
    "its +1e-6 is below every tolerance; mpmath norms (error in eps); inputs never modified; "
    "gradcheck and gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    grads = _grads(1000, dtype, device, scale=60.0)  # total 2-norm about 250
    before = [g.clone() for g in grads]
    for p in (2.0, 1.0, 3.0, math.inf):
        for max_norm in (1.0, 50.0):
            clipped, total = impl.clip_grad_norm(grads, max_norm, p)
            assert all(torch.equal(g, b) for g, b in zip(grads, before, strict=True)), "mutated"
            assert all(
                c.dtype == dtype and c.shape == g.shape for c, g in zip(clipped, grads, strict=True)
            )
            exact = mp_norm(grads, p)
            assert_accurate(total, float(exact), msg=f"total {p}-norm")
            for foreach in (True, False):
                params = [torch.nn.Parameter(g.double().clone()) for g in grads]
                for param, g in zip(params, grads, strict=True):
                    param.grad = g.double().clone()
                torch.nn.utils.clip_grad_norm_(params, max_norm, p, foreach=foreach)
                for c, param in zip(clipped, params, strict=True):
                    assert_close(c, param.grad, dtype=dtype, msg=f"p = {p}, max_norm {max_norm}")
    single, total = impl.clip_grad_norm(grads[0], 1.0)
    assert isinstance(single, torch.Tensor) and single.shape == grads[0].shape
    if dtype == torch.float64:
        leaves = [g.clone().requires_grad_() for g in _grads(1010, dtype, device)]

        def fn(*gs):
            return tuple(impl.clip_grad_norm(list(gs), 0.5)[0])

        assert torch.autograd.gradcheck(fn, tuple(leaves))
        assert torch.autograd.gradgradcheck(fn, tuple(leaves))


@gradient_clipping_definition.property_leg(
    r"for random lists of gradients (entries up to $10^3$) and $\theta \in [10^{-3}, 10^3]$, "
    r"each clipped entry equals $\min(1, \theta/\|\mathbf{g}\|) g$ with the norm by mpmath",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        grads, max_norm = case
        clipped, total = impl.clip_grad_norm(grads, max_norm)
        exact = mp_norm(grads)
        with mpmath.workdps(DPS):
            coefficient = min(mpmath.mpf(1), max_norm / exact) if exact > 0 else mpmath.mpf(1)
            wants = [
                [float(coefficient * mpmath.mpf(float(v))) for v in g.reshape(-1).tolist()]
                for g in grads
            ]
        entries_ok = all(
            is_accurate(c.reshape(-1), torch.tensor(w, dtype=torch.float64))
            for c, w in zip(clipped, wants, strict=True)
        )
        return entries_ok and is_accurate(total, float(exact))

    return ForAll(
        st.tuples(gradient_lists(), st.floats(1e-3, 1e3)), holds, names=("grads", "max_norm")
    )


clipped_norm = SECTION.claim(
    "clipped-norm-at-most-threshold",
    title="The clipped gradient's norm is min(‖g‖, θ) ≤ θ",
    statement=r"\Bigl\|\min\Bigl(1, \frac{\theta}{\|\mathbf{g}\|}\Bigr)\mathbf{g}\Bigr\| = "
    r"\min(\|\mathbf{g}\|, \theta) \le \theta",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("clip_grad_norm",),
    note=r"Addition. In floating point the norm of the returned tensors equals "
    r"$\min(\|\mathbf{g}\|, \theta)$ to within a few rounding errors; the leg measures how "
    r"close, in units of eps.",
)


@clipped_norm.symbolic_leg(scope="general")
def _() -> Derivation:
    d = sp.Symbol("d", positive=True)
    scaled = sp.Min(1, theta / norm) * norm  # a norm is absolutely homogeneous, c >= 0
    above = scaled.subs(norm, theta * (1 + d))
    below = scaled.subs(norm, theta / (1 + d))
    return Derivation(
        steps=[
            Step(
                r"$\|c\mathbf{g}\| = c\|\mathbf{g}\|$ for $c \ge 0$",
                equation(sp.Symbol(r"\|c\mathbf{g}\|"), scaled),
            ),
            Step(r"Above the threshold ($\|\mathbf{g}\| = \theta(1 + d)$) it is $\theta$", above),
            Step(r"below it ($\|\mathbf{g}\| = \theta/(1 + d)$) it is $\|\mathbf{g}\|$", below),
        ],
        residuals=[sp.simplify(above - theta), sp.simplify(below - theta / (1 + d))],
        compared=[
            r"the clipped norm above the threshold minus $\theta$",
            r"below it minus $\|\mathbf{g}\|$",
        ],
    )


@clipped_norm.numeric_leg(
    oracle="mpmath: the exact norm of the returned tensors against min(||g||, theta) "
    "(error in eps); extreme gradients (near overflow and underflow) included"
)
def _(impl, device, dtype) -> None:
    big = {torch.float64: 1e300, torch.float32: 1e37, torch.bfloat16: 1e37, torch.float16: 5e3}
    tiny = {torch.float64: 1e-300, torch.float32: 1e-35, torch.bfloat16: 1e-35, torch.float16: 1e-3}
    for scale, max_norm in ((1.0, 0.5), (1.0, 1e3), (big[dtype], 1.0), (tiny[dtype], 1e-36)):
        grads = _grads(1020, dtype, device, scale=scale)
        clipped, _total = impl.clip_grad_norm(grads, max(max_norm, 1e-30))
        exact = mp_norm(grads)
        after = mp_norm(clipped)
        want = min(exact, mpmath.mpf(max(max_norm, 1e-30)))
        # the returned entries are rounded: their norm is within 1 ulp-ish of the target
        assert_accurate(
            torch.tensor(float(after), dtype=dtype),
            float(want),
            msg=f"scale {scale:g}, max_norm {max_norm:g}",
        )
        assert all(torch.isfinite(c).all() for c in clipped), f"non-finite at scale {scale}"


@clipped_norm.property_leg(
    r"for random gradients and $\theta$, the exact norm of the returned tensors is "
    r"$\min(\|\mathbf{g}\|, \theta)$ within the float64 budget",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        grads, max_norm = case
        clipped, _ = impl.clip_grad_norm(grads, max_norm)
        want = min(mp_norm(grads), mpmath.mpf(max_norm))
        return is_accurate(torch.tensor(float(mp_norm(clipped))), float(want))

    return ForAll(
        st.tuples(gradient_lists(), st.floats(1e-3, 1e3)), holds, names=("grads", "max_norm")
    )


clipping_keeps_direction = SECTION.claim(
    "clipping-keeps-direction",
    title="Clipping keeps the gradient's direction",
    statement=r"\operatorname{clip}(\mathbf{g}) = c\,\mathbf{g},\quad c = \min\Bigl(1, "
    r"\frac{\theta}{\|\mathbf{g}\|}\Bigr) \in (0, 1]",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("clip_grad_norm",),
    note=r"Addition. One coefficient for all tensors: the concatenated gradient keeps its "
    r"direction (per-tensor or per-entry clipping would not).",
)


@clipping_keeps_direction.symbolic_leg(scope="general")
def _() -> Derivation:
    c = sp.Min(1, theta / norm)
    return Derivation(
        steps=[Step(r"The coefficient is positive and at most 1", c)],
        residuals=[
            c.is_positive,
            (1 - c).subs(norm, theta / 2),
            (1 - c).subs(norm, 2 * theta).is_positive,
        ],
        compared=[r"$c > 0$", r"$1 - c$ below the threshold", r"$1 - c > 0$ above it"],
    )


@clipping_keeps_direction.numeric_leg(
    oracle="one coefficient for every entry (the ratios, in float64), equal to "
    "min(1, theta/||g||) by mpmath"
)
def _(impl, device, dtype) -> None:
    grads = _grads(1030, dtype, device, scale=10.0)
    clipped, _ = impl.clip_grad_norm(grads, 2.0)
    flat = torch.cat([g.double().reshape(-1) for g in grads])
    out = torch.cat([c.double().reshape(-1) for c in clipped])
    nonzero = flat != 0
    ratios = out[nonzero] / flat[nonzero]
    want = float(2.0 / mp_norm(grads))
    assert_accurate(ratios, torch.full_like(ratios, want), dtype=dtype, msg="one coefficient")
    assert bool((torch.sign(out) == torch.sign(flat)).all()), "a sign changed"


@clipping_keeps_direction.property_leg(
    r"for random gradients and $\theta$, every nonzero entry is multiplied by the same "
    r"$c \in (0, 1]$, $c = \min(1, \theta/\|\mathbf{g}\|)$ (mpmath)",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        grads, max_norm = case
        clipped, _ = impl.clip_grad_norm(grads, max_norm)
        flat = torch.cat([g.reshape(-1) for g in grads])
        out = torch.cat([c.reshape(-1) for c in clipped])
        nonzero = flat != 0
        if not bool(nonzero.any()):
            return bool((out == 0).all())
        exact = mp_norm(grads)
        want = float(min(mpmath.mpf(1), max_norm / exact))
        ratios = out[nonzero] / flat[nonzero]
        return is_accurate(ratios, torch.full_like(ratios, want)) and 0 < want <= 1

    return ForAll(
        st.tuples(gradient_lists(), st.floats(1e-3, 1e3)), holds, names=("grads", "max_norm")
    )


clipping_identity = SECTION.claim(
    "clipping-identity-below-threshold",
    title="Below the threshold clipping changes nothing",
    statement=r"\|\mathbf{g}\| \le \theta \Rightarrow \operatorname{clip}(\mathbf{g}) = \mathbf{g}",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("clip_grad_norm",),
    note=r"Addition. Bit for bit: the coefficient is exactly 1 (new tensors are still returned; "
    r"the inputs are not touched).",
)


@clipping_identity.symbolic_leg(scope="general")
def _() -> Derivation:
    d = sp.Symbol("d", nonnegative=True)
    c = sp.Min(1, theta / norm).subs(norm, theta / (1 + d))
    return Derivation(
        steps=[Step(r"$\|\mathbf{g}\| = \theta/(1 + d) \le \theta$", equation(sp.Symbol("c"), c))],
        residuals=[sp.simplify(c - 1)],
        compared=[r"the coefficient minus 1"],
    )


@clipping_identity.numeric_leg(
    oracle="the gradients themselves, bit for bit; torch.nn.utils.clip_grad_norm_ leaves them "
    "unchanged too"
)
def _(impl, device, dtype) -> None:
    grads = _grads(1040, dtype, device)
    exact = float(mp_norm(grads))
    for max_norm in (exact * 1.01, exact * 100, 1e30 if dtype != torch.float16 else 6e4):
        clipped, _ = impl.clip_grad_norm(grads, max_norm)
        for c, g in zip(clipped, grads, strict=True):
            assert torch.equal(c, g) and c is not g and c.data_ptr() != g.data_ptr()
    params = [torch.nn.Parameter(g.clone()) for g in grads]
    for param, g in zip(params, grads, strict=True):
        param.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(params, exact * 1.01)
    assert all(
        p_.grad is not None and torch.equal(p_.grad, g) for p_, g in zip(params, grads, strict=True)
    )


@clipping_identity.property_leg(
    r"for random gradients and $\theta \ge \|\mathbf{g}\|$ (by a factor up to $10^3$), the "
    r"returned tensors equal the gradients bit for bit",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        grads, factor = case
        max_norm = max(float(mp_norm(grads)) * factor, 1e-300)
        clipped, _ = impl.clip_grad_norm(grads, max_norm)
        return all(torch.equal(c, g) for c, g in zip(clipped, grads, strict=True))

    return ForAll(
        st.tuples(gradient_lists(), st.floats(1.0 + 1e-9, 1e3)), holds, names=("grads", "factor")
    )
