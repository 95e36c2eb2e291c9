"""Contracts of ``dltheory.information.reference``: samples, errors, NaN/inf policy."""

from __future__ import annotations

import mpmath
import torch
import torch.distributions as D

from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from dltheory.information import reference as R
from tests.contracts._support import F64, normal, per_dtype, simplex, t

INF, NAN = float("inf"), float("nan")
UNCHECKED = {"validate": False}


def _subnormal_rows(fi: torch.finfo) -> torch.Tensor:
    """Distributions with subnormal entries (the large entry absorbs them: it rounds to 0.5)."""
    s = fi.smallest_normal / 4
    return t([[0.5, 0.5 - s, s], [s, 0.5, 0.5 - s]])


# --- one distribution: entropy ---------------------------------------------------------------

_P_ERRORS = (
    ErrorInput(Sample(([0.5, 0.5],)), TypeError, r"must be a torch\.Tensor", "p"),
    ErrorInput(Sample((t([0, 1], dtype=torch.int64),)), TypeError, "must be a floating", "p"),
    ErrorInput(Sample((t([True], dtype=torch.bool),)), TypeError, "must be a floating", "p"),
    ErrorInput(Sample((t(1.0),)), ValueError, "must have at least one dim", "p"),
    ErrorInput(Sample((t([1.5, -0.5]),)), ValueError, "has a negative entry", "p"),
    ErrorInput(Sample((t([0.5, 0.6]),)), ValueError, "must sum to 1", "p"),
    ErrorInput(Sample((torch.zeros(3, dtype=F64),)), ValueError, "must sum to 1", "p"),
    ErrorInput(Sample((t([NAN, 1.0]),)), ValueError, "contains NaN", "p"),
    ErrorInput(Sample((t([INF, 1.0]),)), ValueError, "contains an infinite entry", "p"),
    ErrorInput(Sample((torch.zeros(2, 0),)), ValueError, "has an empty dimension", "p"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"dim": 1}), ValueError, "out of range for p", "dim"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"dim": 0.0}), TypeError, "must be an int", "dim"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"base": 1}), ValueError, "finite positive", "base"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"base": 0}), ValueError, "finite positive", "base"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"base": -2}), ValueError, "finite positive", "base"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"base": INF}), ValueError, "finite positive", "base"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"base": -(10**400)}), ValueError, "positive", "base"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"base": "2"}), TypeError, "real number", "base"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"base": True}), TypeError, "real number", "base"),
    ErrorInput(Sample((t([0.5, 0.5]),), {"keepdim": 1}), TypeError, "must be a bool", "keepdim"),
)

ENTROPY = FunctionContract(
    R.entropy,
    samples=(
        Sample((simplex(3, 5),), name="random distributions"),
        Sample((simplex(7, seed=1),), name="1-D"),
        Sample((simplex(16, 30, seed=2),), name="random, 30 outcomes"),
        Sample((simplex(4, 3, seed=3).T.contiguous(),), {"dim": 0}, name="dim 0"),
        Sample((simplex(2, 3, 4, seed=4),), {"dim": -1, "keepdim": True}, name="keepdim"),
        Sample((simplex(3, 5, seed=5),), {"base": 2}, name="bits"),
        Sample((simplex(3, 5, seed=6),), {"base": 10**400}, name="a huge int base"),
        Sample((simplex(3, 6, seed=7, zeros=0.4),), name="exact zeros", gradcheck=False),
        Sample((t([[0.0, 1.0, 0.0]]),), name="one-hot", gradcheck=False),
        Sample((t([[1.0]]),), name="a single outcome", gradcheck=False),
        *per_dtype("subnormal entries", lambda fi: ((_subnormal_rows(fi),), {}), gradcheck=False),
    ),
    error_inputs=_P_ERRORS,
    differentiable=("p",),
    nan_policy=NanPolicy(raises=("p",)),
    unchecked=UNCHECKED,
)


# --- two distributions: cross-entropy, KL divergence -----------------------------------------


def _pair_samples() -> tuple[Sample, ...]:
    p_zero = t([[0.5, 0.5, 0.0], [0.25, 0.25, 0.5]])
    q_zero = t([[0.5, 0.0, 0.5], [0.5, 0.5, 0.0]])
    return (
        Sample((simplex(3, 5), simplex(3, 5, seed=1)), name="random pairs"),
        Sample((simplex(6, seed=2), simplex(6, seed=3)), name="1-D"),
        Sample((simplex(16, 30, seed=4), simplex(16, 30, seed=5)), name="random, 30 outcomes"),
        Sample(
            (simplex(4, 3, seed=6).T.contiguous(), simplex(4, 3, seed=7).T.contiguous()),
            {"dim": 0, "keepdim": True},
            name="dim 0, keepdim",
        ),
        Sample((simplex(2, 2, 4, seed=8), simplex(2, 2, 4, seed=9)), {"base": 2}, name="bits"),
        Sample((simplex(4, seed=10), simplex(4, seed=10)), name="p = q"),
        Sample((p_zero, simplex(2, 3, seed=11)), name="zeros of p", gradcheck=False),
        Sample((p_zero, q_zero), name="q = 0 < p: +inf", gradcheck=False),
        Sample((t([[0.5, 0.5, 0.0]]), t([[0.5, 0.5, 0.0]])), name="p = q = 0", gradcheck=False),
        *per_dtype(
            "subnormal entries",
            lambda fi: ((_subnormal_rows(fi), _subnormal_rows(fi).flip(-1)), {}),
            gradcheck=False,
        ),
    )


def _valid_q(p: object) -> torch.Tensor:
    """A uniform q of p's shape, so that the error found is p's own."""
    if isinstance(p, torch.Tensor) and p.is_floating_point() and p.dim():
        return torch.full_like(p, 1 / max(p.shape[-1], 1))
    return t([0.5, 0.5]) if not isinstance(p, torch.Tensor) or p.dim() else t(0.5)


_PQ_ERRORS = (
    *(
        ErrorInput(
            Sample((e.sample.args[0], _valid_q(e.sample.args[0])), e.sample.kwargs),
            e.exception,
            e.match,
            e.argument,
        )
        for e in _P_ERRORS
    ),
    ErrorInput(
        Sample((t([0.5, 0.5]), t([1 / 3] * 3))),
        ValueError,
        r"q has shape \(3,\) but p has shape \(2,\)",
        "q",
    ),
    ErrorInput(Sample((t([0.5, 0.5]), [0.5, 0.5])), TypeError, r"must be a torch\.Tensor", "q"),
    ErrorInput(Sample((t([0.5, 0.5]), t([0, 1], dtype=torch.int64))), TypeError, "floating", "q"),
    ErrorInput(Sample((t([0.5, 0.5]), t([1.5, -0.5]))), ValueError, "has a negative", "q"),
    ErrorInput(Sample((t([0.5, 0.5]), t([0.5, 0.6]))), ValueError, "must sum to 1", "q"),
    ErrorInput(Sample((t([0.5, 0.5]), t([NAN, 0.5]))), ValueError, "contains NaN", "q"),
    ErrorInput(
        Sample((t([0.5, 0.5]), t([0.5, 0.5]).to("meta"))),
        ValueError,
        "q is on meta but p is on cpu",
        "q",
    ),
)


def _pair(function) -> FunctionContract:
    return FunctionContract(
        function,
        samples=_pair_samples(),
        error_inputs=_PQ_ERRORS,
        differentiable=("p", "q"),
        nan_policy=NanPolicy(raises=("p", "q")),
        unchecked=UNCHECKED,
    )


# --- joint tables ----------------------------------------------------------------------------

_J = t([[0.25, 0.25], [0.25, 0.25]])
_JOINT_ERRORS = (
    ErrorInput(Sample((t([0.5, 0.5]),)), ValueError, "must have at least 2 dim", "joint"),
    ErrorInput(Sample((torch.zeros(2, 0),)), ValueError, "has an empty dimension", "joint"),
    ErrorInput(Sample((_J * 2,)), ValueError, r"must sum to 1 along dim \(-2, -1\)", "joint"),
    ErrorInput(Sample((t([[1.5, -0.5]]),)), ValueError, "has a negative", "joint"),
    ErrorInput(Sample((t([[0.5, NAN]]),)), ValueError, "contains NaN", "joint"),
    ErrorInput(Sample((t([[0.5, INF]]),)), ValueError, "contains an infinite entry", "joint"),
    ErrorInput(Sample((torch.ones(1, 1, dtype=torch.int64),)), TypeError, "floating", "joint"),
    ErrorInput(Sample(([[1.0]],)), TypeError, r"must be a torch\.Tensor", "joint"),
    ErrorInput(Sample((_J,), {"base": 1}), ValueError, "finite positive", "base"),
    ErrorInput(Sample((_J,), {"validate": None}), TypeError, "must be a bool", "validate"),
)


def _joint_samples(**kwargs) -> tuple[Sample, ...]:
    def table(*shape, seed, zeros=0.0):
        return simplex(*shape, seed=seed, zeros=zeros, dims=(-2, -1))

    return (
        Sample((table(3, 4, seed=0),), kwargs, name="random table"),
        Sample((table(2, 3, 4, seed=1),), kwargs, name="a batch of tables"),
        Sample((table(8, 6, seed=2),), kwargs, name="random, 8 x 6"),
        Sample((table(1, 1, seed=3),), kwargs, name="a single cell"),
        Sample((table(3, 4, seed=4),), {**kwargs, "base": 2}, name="bits"),
        Sample((t([[0.5, 0.0], [0.0, 0.5]]),), kwargs, name="diagonal", gradcheck=False),
        Sample(
            (t([[0.5, 0.0, 0.0], [0.0, 0.5, 0.0]]),), kwargs, name="a zero column", gradcheck=False
        ),
        *per_dtype(
            "subnormal cells", lambda fi: ((_subnormal_rows(fi) / 2,), kwargs), gradcheck=False
        ),
        *per_dtype(  # 1/p - 1/p_x - 1/p_y overflows term by term: inf - inf
            "a subnormal cell alone in its row and column",
            lambda fi: ((t([[fi.smallest_normal / 8, 0.0], [0.0, 1.0]]),), kwargs),
            gradcheck=False,
        ),
    )


def _joint(function, samples=None, errors=()) -> FunctionContract:
    return FunctionContract(
        function,
        samples=samples or _joint_samples(),
        error_inputs=(*_JOINT_ERRORS, *errors),
        differentiable=("joint",),
        nan_policy=NanPolicy(raises=("joint",)),
        unchecked=UNCHECKED,
    )


CONDITIONAL_ENTROPY = _joint(
    R.conditional_entropy,
    samples=(*_joint_samples(), *_joint_samples(given="y")[:2]),
    errors=(ErrorInput(Sample((_J,), {"given": "z"}), ValueError, "'x' or 'y'", "given"),),
)


# --- closed forms ----------------------------------------------------------------------------


def _positive(*shape, seed):
    return normal(*shape, seed=seed, scale=1.0).exp()


def _limit(expression):
    """An elementwise float64 oracle evaluated in mpmath, whose arithmetic follows the limits
    (``1/inf = 0``, ``log(0) = -inf``, ``inf - inf = nan``)."""

    def oracle(*args, dim=None, base=None, validate=True):
        values = torch.broadcast_tensors(*(torch.as_tensor(a, dtype=F64) for a in args))
        flat = [v.flatten().tolist() for v in values]
        out = [float(expression(*(mpmath.mpf(x) for x in xs))) for xs in zip(*flat, strict=True)]
        result = torch.tensor(out, dtype=F64).reshape(values[0].shape)
        return result if dim is None else result.sum(dim)

    return oracle


def _kl_limit(mu_p, s_p, mu_q, s_q):
    r = s_p / s_q
    scale_term = mpmath.inf if r in (0, mpmath.inf) else (r * r - 1) / 2 - mpmath.log(r)
    return scale_term + ((mu_p - mu_q) / s_q) ** 2 / 2


def _param_errors(*args: float) -> tuple[ErrorInput, ...]:
    return (
        ErrorInput(Sample(args, {"base": 1}), ValueError, "finite positive", "base"),
        ErrorInput(Sample(args, {"base": "e"}), TypeError, "real number", "base"),
        ErrorInput(Sample(args, {"validate": 0}), TypeError, "must be a bool", "validate"),
    )


UNIFORM = FunctionContract(
    R.uniform_differential_entropy,
    samples=(
        Sample((normal(3, 4), normal(3, 4) + _positive(3, 4, seed=1)), name="random intervals"),
        Sample((normal(3, 1, seed=2), normal(3, 1, seed=2) + t([0.5, 2.0])), name="broadcast"),
        Sample((0.0, _positive(5, seed=3)), name="a number and a tensor"),
        Sample((normal(4, seed=4), normal(4, seed=4) + 1), {"base": 2}, name="bits"),
        *per_dtype(
            "widest interval", lambda fi: ((t([-fi.max]), t([fi.max])), {}), gradcheck=False
        ),
        *per_dtype(
            "subnormal width",
            lambda fi: ((t([0.0]), t([fi.smallest_normal / 4])), {}),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        ErrorInput(Sample((1.0, 1.0)), ValueError, "greater than low", "high"),
        ErrorInput(Sample((t([NAN]), 1.0)), ValueError, "contains NaN", "low"),
        ErrorInput(Sample((False, 1.0)), TypeError, "tensor or a real number", "low"),
        ErrorInput(Sample((0.0, "1")), TypeError, "tensor or a real number", "high"),
        ErrorInput(
            Sample((t([0], dtype=torch.int64), 1.0)), TypeError, "floating-point tensor", "low"
        ),
        ErrorInput(
            Sample((torch.zeros(2), torch.ones(3))),
            ValueError,
            r"high has shape \(3,\), which does not broadcast with low's shape \(2,\)",
            "low",
        ),
        ErrorInput(Sample((0, 10**400)), ValueError, "does not fit in", "high"),
        ErrorInput(Sample((0.0, 1e39)), ValueError, "does not fit in torch.float32", "high"),
        *_param_errors(0.0, 1.0),
    ),
    differentiable=("low", "high"),
    nan_policy=NanPolicy(
        raises=("low", "high"),
        special=(Sample((t([-INF, 0.0, -INF]), t([0.0, INF, INF])), name="infinite ends"),),
        oracle=lambda low, high, **kw: D.Uniform(low, high, validate_args=False).entropy(),
    ),
    unchecked=UNCHECKED,
)

GAUSSIAN_ENTROPY = FunctionContract(
    R.gaussian_differential_entropy,
    samples=(
        Sample((_positive(3, 4, seed=0),), name="random scales"),
        Sample((_positive(2, 5, seed=1),), {"dim": -1}, name="diagonal, dim -1"),
        Sample((_positive(5, 2, seed=2),), {"dim": 0}, name="diagonal, dim 0"),
        Sample((2.0,), name="a number: the default dtype", dtypes=(torch.get_default_dtype(),)),
        Sample((_positive(4, seed=3),), {"base": 2}, name="bits"),
        *per_dtype(
            "extreme scales",
            lambda fi: ((t([fi.max, fi.smallest_normal / 4]),), {}),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        *_param_errors(1.0),
        ErrorInput(Sample((t([1.0, 0.0]),)), ValueError, "must be positive, found 0", "scale"),
        ErrorInput(Sample((NAN,)), ValueError, "must be positive, found nan", "scale"),
        ErrorInput(Sample((t([1], dtype=torch.int64),)), TypeError, "must be a floating", "scale"),
        ErrorInput(Sample((torch.ones(2),), {"dim": 1}), ValueError, "out of range", "dim"),
        ErrorInput(Sample((10**400,)), ValueError, "does not fit in", "scale"),
        ErrorInput(Sample(("1",)), TypeError, "tensor or a real number", "scale"),
    ),
    differentiable=("scale",),
    nan_policy=NanPolicy(
        raises=("scale",),
        special=(Sample((t([INF, 1.0]),), name="infinite scale"),),
        oracle=lambda scale, **kw: D.Normal(0.0, scale, validate_args=False).entropy(),
    ),
    unchecked=UNCHECKED,
)


def _gaussians(n: int, seed: int):
    return (
        normal(n, seed=seed),
        _positive(n, seed=seed + 1),
        normal(n, seed=seed + 2),
        _positive(n, seed=seed + 3),
    )


GAUSSIAN_KL = FunctionContract(
    R.gaussian_kl_divergence,
    samples=(
        Sample(_gaussians(5, seed=0), name="random parameters"),
        Sample(
            (normal(3, 1, seed=4), _positive(1, 2, seed=5), 0.5, _positive(2, seed=6)),
            name="broadcast, with a number",
        ),
        Sample(_gaussians(6, seed=7), {"dim": 0}, name="diagonal"),
        Sample(_gaussians(4, seed=8), {"base": 2}, name="bits"),
        Sample((t([0.3, -1.0]), t([1.0, 2.0]), t([0.3, -1.0]), t([1.0, 2.0])), name="P = Q"),
        Sample(
            (t([0.0, 1.0]), t([1.0, 3.0]), t([0.0, 1.0]), t([1.0 + 1e-7, 3.0 - 1e-9])),
            name="scales nearly equal",
        ),
        *per_dtype(
            "huge means",
            lambda fi: ((t([fi.max]), t([1.0]), t([-fi.max]), t([fi.max])), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "scale ratio beyond the range",
            lambda fi: (
                (
                    t([0.0, 0.0]),
                    t([fi.max / 2, fi.smallest_normal]),
                    t([0.0, 0.0]),
                    t([fi.smallest_normal, fi.max / 2]),
                ),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal scales",
            lambda fi: (
                (
                    t([fi.smallest_normal / 4, 0.0]),
                    t([fi.smallest_normal / 4] * 2),
                    t([0.0, 0.0]),
                    t([fi.smallest_normal / 4, fi.smallest_normal / 8]),
                ),
                {},
            ),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        *_param_errors(0.0, 1.0, 0.0, 1.0),
        ErrorInput(Sample((0.0, 1.0, 0.0, -1.0)), ValueError, "must be positive", "scale_q"),
        ErrorInput(Sample((0.0, 0.0, 0.0, 1.0)), ValueError, "must be positive", "scale_p"),
        ErrorInput(Sample(("0", 1.0, 0.0, 1.0)), TypeError, "tensor or a real number", "loc_p"),
        ErrorInput(Sample((10**400, 1.0, 0.0, 1.0)), ValueError, "does not fit in", "loc_p"),
        ErrorInput(
            Sample((torch.zeros(2), torch.ones(3), 0.0, 1.0)),
            ValueError,
            "does not broadcast with loc_p's shape",
            "scale_p",
        ),
        ErrorInput(
            Sample((torch.zeros(2), 1.0, 0.0, 1.0), {"dim": 1}), ValueError, "out of range", "dim"
        ),
    ),
    differentiable=("loc_p", "scale_p", "loc_q", "scale_q"),
    nan_policy=NanPolicy(
        raises=("scale_p", "scale_q"),
        special=(
            Sample(
                (
                    t([INF, 0.0, INF, 0.0, 0.0, 0.0]),
                    t([1.0, INF, 1.0, 1.0, INF, 1.0]),
                    t([0.0, 0.0, INF, -INF, 0.0, INF]),
                    t([1.0, 1.0, 1.0, INF, INF, INF]),
                ),
                name="infinite means and scales",
            ),
        ),
        oracle=_limit(_kl_limit),
    ),
    unchecked=UNCHECKED,
)

CONTRACTS = (
    ENTROPY,
    _pair(R.cross_entropy),
    _pair(R.kl_divergence),
    _joint(R.joint_entropy),
    CONDITIONAL_ENTROPY,
    _joint(R.mutual_information),
    _joint(R.pointwise_mutual_information),
    UNIFORM,
    GAUSSIAN_ENTROPY,
    GAUSSIAN_KL,
)
