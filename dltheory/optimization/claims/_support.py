r"""What the optimization claims share: families of convex and non-convex functions, points,
weights, and the accuracy a computed Jensen gap can have.

A :class:`Function` carries the same function three ways: ``torch`` (batched: maps points
``(..., d)`` to values ``(...)``, what :func:`~dltheory.optimization.jensen_gap` and
:func:`~dltheory.optimization.gradient_descent` are given), ``mp`` (one point as a list of
floats, evaluated by mpmath at :data:`DPS` digits: the exact oracle) and a name for reports.
Hypothesis draws members of the families the issue names — sums of squares, the exponential of
an affine map, log-sum-exp, norms, maxima of affine maps — and non-convex ones (a sine, a
concave quadratic, a cube, :math:`t\cos\pi t` along a direction).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import torch
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.tolerances import assert_accurate, is_accurate

#: mpmath precision of the oracles
DPS = 50

CONVEX = ("sum of squares", "exp of affine", "log-sum-exp", "norm", "max of affine")
NONCONVEX = ("sine", "concave quadratic", "cube", "t cos(pi t)")


@dataclass(frozen=True)
class Function:
    name: str
    #: the dimension of the points it takes
    d: int
    torch: Callable[[torch.Tensor], torch.Tensor]
    mp: Callable[[list], mpmath.mpf]
    #: a smoothness constant (gradient Lipschitz constant) where the family has one
    smoothness: float | None = None

    def __repr__(self) -> str:  # what a counterexample shows
        return self.name


def _affine(A: torch.Tensor, b: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return x @ A.to(x).T + b.to(x)


def _mp_affine(A: torch.Tensor, b: torch.Tensor, x: list[float]) -> list[mpmath.mpf]:
    return [
        mpmath.fsum(mpmath.mpf(a) * mpmath.mpf(v) for a, v in zip(row, x, strict=True)) + beta
        for row, beta in zip(A.tolist(), b.tolist(), strict=True)
    ]


def family(name: str, A: torch.Tensor, b: torch.Tensor) -> Function:
    """The member of family ``name`` with parameters ``A`` ``(r, d)`` and ``b`` ``(r,)``."""
    label = f"{name}, A = {A.tolist()}, b = {b.tolist()}"
    d = A.shape[1]
    spectral = float(torch.linalg.matrix_norm(A.double(), ord=2)) ** 2

    def mp(fn):
        def run(x):
            with mpmath.workdps(DPS):
                return fn(_mp_affine(A, b, x))

        return run

    if name == "sum of squares":
        return Function(
            label,
            d,
            lambda x: _affine(A, b, x).square().sum(-1),
            mp(lambda z: mpmath.fsum(t * t for t in z)),
            2 * spectral,
        )
    if name == "exp of affine":
        return Function(
            label, d, lambda x: _affine(A, b, x)[..., 0].exp(), mp(lambda z: mpmath.exp(z[0]))
        )
    if name == "log-sum-exp":
        return Function(
            label,
            d,
            lambda x: torch.logsumexp(_affine(A, b, x), -1),
            mp(lambda z: mpmath.log(mpmath.fsum(mpmath.exp(t) for t in z))),
            spectral,
        )
    if name == "norm":
        return Function(
            label,
            d,
            lambda x: torch.linalg.vector_norm(_affine(A, b, x), dim=-1),
            mp(lambda z: mpmath.sqrt(mpmath.fsum(t * t for t in z))),
        )
    if name == "max of affine":
        return Function(label, d, lambda x: _affine(A, b, x).amax(-1), mp(max))
    if name == "sine":
        return Function(
            label, d, lambda x: _affine(A, b, x)[..., 0].sin(), mp(lambda z: mpmath.sin(z[0]))
        )
    if name == "concave quadratic":
        return Function(
            label,
            d,
            lambda x: -_affine(A, b, x).square().sum(-1),
            mp(lambda z: -mpmath.fsum(t * t for t in z)),
        )
    if name == "cube":
        return Function(label, d, lambda x: _affine(A, b, x)[..., 0] ** 3, mp(lambda z: z[0] ** 3))
    if name == "t cos(pi t)":

        def tcos(x):
            t = _affine(A, b, x)[..., 0]
            return t * torch.cos(math.pi * t)

        return Function(label, d, tcos, mp(lambda z: z[0] * mpmath.cos(mpmath.pi * z[0])))
    raise ValueError(name)


def _floats(magnitude: float) -> st.SearchStrategy[float]:
    return st.floats(-magnitude, magnitude, allow_nan=False, allow_infinity=False)


def tensors(shape: tuple[int, ...], magnitude: float) -> st.SearchStrategy[torch.Tensor]:
    """float64 tensors with entries in ``[-magnitude, magnitude]`` (drawn as a flat list)."""
    size = math.prod(shape)
    return st.lists(_floats(magnitude), min_size=size, max_size=size).map(
        lambda values: torch.tensor(values, dtype=torch.float64).reshape(shape)
    )


@st.composite
def functions(draw, names=CONVEX, *, d: int | None = None, magnitude: float = 2.0):
    """A member of one of the families ``names`` on :math:`\\mathbb{R}^d` (``d`` drawn in
    ``[1, 3]`` unless given), with ``A`` ``(r, d)``, ``r`` in ``[1, 3]``."""
    name = draw(st.sampled_from(names))
    d = d if d is not None else draw(st.integers(1, 3))
    r = draw(st.integers(1, 3))
    return family(name, draw(tensors((r, d), magnitude)), draw(tensors((r,), magnitude)))


@st.composite
def jensen_cases(
    draw, names=CONVEX, *, min_points: int = 1, max_points: int = 4, allow_zeros: bool = True
):
    """``(f, X, w)``: a function of the families ``names``, ``n`` points of
    :math:`[-3, 3]^d` and weights on the simplex (exact zeros included)."""
    f = draw(functions(names))
    d = f.d
    n = draw(st.integers(min_points, max_points))
    X = draw(tensors((n, d), 3.0))
    w = draw(dst.probability_vectors(size=n, allow_zeros=allow_zeros))
    return f, X, w


def mp_jensen_gap(f: Function, X: torch.Tensor, w: torch.Tensor) -> float:
    r""":math:`\sum_i w_i f(x_i) - f(\sum_i w_i x_i)` at :data:`DPS` digits, rounded."""
    with mpmath.workdps(DPS):
        ws = [mpmath.mpf(v) for v in w.double().tolist()]
        points = X.double().reshape(len(ws), -1).tolist()
        columns = range(len(points[0]))
        mean = [
            mpmath.fsum(a * mpmath.mpf(p[c]) for a, p in zip(ws, points, strict=True))
            for c in columns
        ]
        total = mpmath.fsum(a * f.mp(p) for a, p in zip(ws, points, strict=True) if a != 0)
        return float(total - f.mp(mean))


def jensen_scale(f: Function, X: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    r"""The size of the rounding error of a computed Jensen gap (float64):

    .. math:: \sum_i w_i \big(|f(x_i)| + |x_i|^\top|\nabla f(x_i)|\big) + |f(\bar x)|
        + \Big(\sum_i w_i |x_i|\Big)^\top |\nabla f(\bar x)|, \qquad
        \bar x = \sum_i w_i x_i

    Evaluating :math:`f` at a point moves its value by about :math:`\varepsilon |x|^\top
    |\nabla f|` (the point's own rounding) plus :math:`\varepsilon |f|`; the mean is rounded
    to within :math:`\varepsilon \sum_i w_i |x_i|`. The gap itself may be 0 (equal points, an
    affine piece), so its accuracy is judged against this size."""
    X = X.double().reshape(w.shape[0], -1)
    w = w.double()
    mean = (w.unsqueeze(-1) * X).sum(0, keepdim=True)
    spread = (w.unsqueeze(-1) * X.abs()).sum(0, keepdim=True)
    points = torch.cat([X, mean]).requires_grad_()
    with torch.enable_grad():
        values = f.torch(points)
        (grad,) = torch.autograd.grad(values.sum(), points)
    sizes = torch.cat([X.abs(), spread])
    size = values.detach().abs() + (sizes * grad.abs()).sum(-1)
    return (w * size[:-1]).sum() + size[-1]


def scalar_function(name: str, fn, mp_fn, smoothness: float | None = None) -> Function:
    """A function of one variable as a :class:`Function` on points of shape ``(..., 1)``:
    ``fn`` acts elementwise on tensors, ``mp_fn`` on an mpmath number."""

    def mp(point):
        with mpmath.workdps(DPS):
            return mp_fn(mpmath.mpf(point[0]))

    return Function(name, 1, lambda z: fn(z[..., 0]), mp, smoothness)


def not_below(impl, f: Function, X: torch.Tensor, w: torch.Tensor) -> bool:
    """``jensen_gap(f, X, w) >= 0`` up to its rounding error (see ``jensen_scale``)."""
    gap = impl.jensen_gap(f.torch, X, w)
    return bool(gap >= 0) or is_accurate(gap.clamp(max=0), 0.0, scale=jensen_scale(f, X, w))


def strictly_below(impl, f: Function, X: torch.Tensor, w: torch.Tensor) -> bool:
    """``jensen_gap(f, X, w) < 0`` by more than its rounding error."""
    gap = impl.jensen_gap(f.torch, X, w)
    return bool(gap < 0) and not is_accurate(gap, 0.0, scale=jensen_scale(f, X, w))


def check_gap(impl, f: Function, X: torch.Tensor, w: torch.Tensor, dtype, msg: str):
    """``jensen_gap`` in ``dtype`` against mpmath on the rounded inputs (error in eps of the
    gap's rounding size); returns the exact gap."""
    Xd, wd = X.to(dtype), w.to(dtype)  # rounded weights need not sum to 1: validate=False
    got = impl.jensen_gap(f.torch, Xd, wd, validate=False)
    exact = mp_jensen_gap(f, Xd.double(), wd.double())
    assert got.dtype == dtype
    assert_accurate(got, exact, scale=jensen_scale(f, Xd.double(), wd.double()), msg=f"{msg}: {f}")
    return exact
