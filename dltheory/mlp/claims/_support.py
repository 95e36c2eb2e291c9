r"""What the MLP claims share: sample inputs across a dtype's range, mpmath oracles, strategies,
and the statistical budget of the sampling claims.

Oracles are exact: :func:`mp_sigmoid`, :func:`mp_tanh` and their derivatives evaluate the
formulas of the notes in mpmath at :data:`DPS` digits, so the legs can measure the reference
functions' error in units of eps (:func:`dltheory.core.tolerances.assert_accurate`).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core import strategies as dst
from dltheory.core.samples import randn
from dltheory.core.tolerances import assert_accurate, assert_close

#: mpmath digits for the activation oracles (50 significant digits; exponents are unbounded)
DPS = 50

#: false-alarm probability allowed to one statistical check. A run makes fewer than 10,000 of
#: them (the ``thorough`` profile's 2,000 property examples times a few checks each, plus the
#: numeric legs' dozens), so by the union bound a run raises a false alarm with probability
#: below 1e-6. With the ``ci`` profile's fixed seeds the checks are moreover deterministic.
ALPHA = 1e-10


def hoeffding_halfwidth(span: float, samples: int, alpha: float = ALPHA) -> float:
    r"""Half-width :math:`t` with :math:`P(|\bar X - \mathbb{E} X| \ge t) \le \alpha` for the
    mean of ``samples`` independent values in an interval of length ``span`` (Hoeffding:
    :math:`2 \exp(-2 n t^2 / \text{span}^2) = \alpha`)."""
    return span * math.sqrt(math.log(2 / alpha) / (2 * samples))


def extremes(dtype: torch.dtype) -> torch.Tensor:
    """Float64 values across ``dtype``'s range, exactly representable in it: zeros of both
    signs, the smallest subnormal and normal numbers, values where the activations change
    regime (46 and 360: tanh' = 4 e^{-2|x|} is subnormal in float32 and float64, where
    e^{2|x|} has overflowed), and the largest finite numbers."""
    info = torch.finfo(dtype)
    smallest = info.tiny * info.eps  # the smallest subnormal
    magnitudes = [0.0, smallest, info.tiny, 1e-3, 0.1, 0.5, 1.0, 3.0, 9.0, 20.0, 40.0, 46.0]
    magnitudes += [90.0, 360.0, 750.0, 1e4, info.max]
    values = torch.tensor([m for v in magnitudes for m in (v, -v)], dtype=torch.float64)
    return values.to(dtype).to(torch.float64)  # rounded to dtype, read back exactly


def activation_inputs(dtype: torch.dtype, device: str, seed: int) -> torch.Tensor:
    """64 ordinary values (normal, scale 4) followed by :func:`extremes`, rounded to ``dtype``,
    on ``device`` (1-D)."""
    x = torch.cat([randn(64, seed=seed, scale=4.0), extremes(dtype)])
    return x.to(dtype).to(device)


def mp_sigmoid(v: float) -> float:
    r""":math:`1 / (1 + e^{-v})` at :data:`DPS` digits, rounded to float64."""
    with mpmath.workdps(DPS):
        return float(1 / (1 + mpmath.exp(-mpmath.mpf(v))))


def mp_sigmoid_derivative(v: float) -> float:
    r""":math:`\sigma(v)(1 - \sigma(v))` at :data:`DPS` digits, with :math:`1 - \sigma(v)`
    evaluated as :math:`\sigma(-v)` (equal, and free of the cancellation that would eat the
    digits of :math:`1 - \sigma(v)` for large :math:`v`)."""
    with mpmath.workdps(DPS):
        x = mpmath.mpf(v)
        return float(1 / (1 + mpmath.exp(-x)) / (1 + mpmath.exp(x)))


def mp_tanh(v: float) -> float:
    r""":math:`\tanh v` by ``mpmath.tanh`` at :data:`DPS` digits (an independent evaluation;
    ``mlp.tanh-definition`` proves the notes' formula equal to it)."""
    with mpmath.workdps(DPS):
        return float(mpmath.tanh(mpmath.mpf(v)))


def mp_tanh_derivative(v: float) -> float:
    r""":math:`1 - \tanh^2 v`, evaluated as :math:`\operatorname{sech}^2 v` (equal, without
    the cancellation of :math:`1 - \tanh^2` for large :math:`|v|`) at :data:`DPS` digits."""
    with mpmath.workdps(DPS):
        return float(mpmath.sech(mpmath.mpf(v)) ** 2)


def exact(fn, x: torch.Tensor) -> torch.Tensor:
    """``fn`` (an mpmath oracle of one float) applied to every entry of ``x`` (float64)."""
    values = x.detach().to("cpu", torch.float64)
    return torch.tensor([fn(v) for v in values.flatten().tolist()], dtype=torch.float64).reshape(
        values.shape
    )


def grad_of(fn, x: torch.Tensor) -> torch.Tensor:
    """The elementwise derivative of ``fn`` at ``x`` by autograd, in ``x``'s dtype."""
    leaf = x.detach().clone().requires_grad_()
    (grad,) = torch.autograd.grad(fn(leaf).sum(), leaf)
    return grad


def float_arrays(
    *, magnitude: float = 1e300, max_size: int = 6, min_size: int = 1
) -> st.SearchStrategy[torch.Tensor]:
    """1-D float64 tensors with finite entries in ``[-magnitude, magnitude]``, subnormals and
    signed zeros included."""
    elements = st.floats(-magnitude, magnitude, allow_nan=False, allow_infinity=False)
    sizes = st.integers(min_size, max_size)
    return sizes.flatmap(lambda n: hnp.arrays(np.float64, (n,), elements=elements)).map(
        torch.from_numpy
    )


def integer_arrays(shape, low: int = -3, high: int = 3) -> st.SearchStrategy[torch.Tensor]:
    """Float64 tensors of ``shape`` with integer entries in ``[low, high]`` (sums and products
    of a few of them are exact in every dtype)."""
    return hnp.arrays(np.float64, shape, elements=st.integers(low, high).map(float)).map(
        torch.from_numpy
    )


def resolve_ranges(expr, ranges):
    """Resolve the range ``Piecewise`` objects that summing Kronecker deltas over indexed sums
    leaves, under the explicit assumption that every index in ``ranges`` (index -> (low,
    high)) lies in its range: ``Piecewise((value, cond), (0, True))`` becomes ``value`` when
    ``cond`` is a conjunction of those bounds; any other ``Piecewise`` is left alone (and then
    shows up in the residual).

    The multi-index form of :func:`dltheory.core.symbolic.resolve_in_range`: differentiating
    a sum over two indices (a weight matrix) leaves conditions on both at once.
    """
    import sympy as sp

    bounds = set()
    for index, (low, high) in ranges.items():
        bounds |= {(index >= low).canonical, (index <= high).canonical}

    def resolve(piecewise):
        if len(piecewise.args) != 2 or piecewise.args[1] != (0, True):
            return piecewise
        value, cond = piecewise.args[0]
        parts = cond.args if isinstance(cond, sp.And) else (cond,)
        return value if {p.canonical for p in parts} <= bounds else piecewise

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), resolve)


@st.composite
def networks(draw, *, extra_rows: int = 0, classes_min: int = 1):
    """``(x, [W1, b1, W2, b2], extras)`` for a ``d -> m -> q`` MLP on ``rows`` examples, sizes
    1 to 4 (``q`` from ``classes_min``), and ``extra_rows`` further ``(rows, q)`` tensors
    (targets, output gradients)."""
    d, m, rows = (draw(st.integers(1, 4)) for _ in range(3))
    q = draw(st.integers(classes_min, 4))
    shapes = [(rows, d), (m, d), (m,), (q, m), (q,)] + [(rows, q)] * extra_rows
    x, w1, b1, w2, b2, *extras = draw(dst.float_tensors(*shapes))
    return x, [w1, b1, w2, b2], extras


def sum_deltas(expr, ranges):
    """Sum out the Kronecker deltas that differentiating an indexed sum leaves, and nothing
    else: every ``Sum`` whose summand holds a ``KroneckerDelta`` is evaluated by
    ``sympy.concrete.delta.deltasummation`` (innermost first), its range conditions resolved
    by :func:`resolve_ranges`; the other sums stay as they are. (``Sum.doit`` would also try,
    slowly and in vain, to find closed forms for the sums of unknown weights.)"""
    import sympy as sp
    from sympy.concrete.delta import deltasummation

    def visit(e):
        if not e.args:
            return e
        if isinstance(e, sp.Sum):
            e = sp.Sum(visit(e.function), *e.limits)
            if not e.function.has(sp.KroneckerDelta):
                return e
            out = e.function
            for limit in e.limits:
                out = resolve_ranges(deltasummation(sp.expand(out), limit), ranges)
            return out
        return e.func(*[visit(arg) for arg in e.args])

    return visit(expr)


def check_derivative(fn, builtin, oracle, x: torch.Tensor, *, moderate: float) -> None:
    """The autograd derivative of ``fn`` at ``x`` against the exact ``oracle`` (error in eps),
    against autograd of the torch ``builtin`` where ``|x| < moderate`` (beyond, the built-in's
    backward cancels), and ``gradcheck`` / ``gradgradcheck`` in float64."""
    got = grad_of(fn, x)
    assert got.dtype == x.dtype, f"derivative in {got.dtype}, input {x.dtype}"
    assert_accurate(got, exact(oracle, x), msg="derivative vs mpmath")
    small = x[x.abs() < moderate]
    assert_close(grad_of(fn, small), grad_of(builtin, small.double()), dtype=x.dtype)
    if x.dtype == torch.float64:
        leaf = x[:16].detach().clone().requires_grad_()
        assert torch.autograd.gradcheck(fn, (leaf,))
        assert torch.autograd.gradgradcheck(fn, (leaf,))
