r"""Closed forms for continuous distributions: the uniform and Gaussian differential entropies
and the KL divergence between Gaussians (re-exported by :mod:`dltheory.information.reference`).

Parameters are tensors or real numbers, broadcast together; the result has the promoted dtype
of the tensor arguments (the default dtype when all are numbers) and their device, computed in
float32 for float16/bfloat16 and rounded once.

Nothing overflows that the answer does not: widths :math:`b - a` and mean differences
:math:`\mu_p - \mu_q` that exceed the dtype's range are halved first, the scale ratio
:math:`\sigma_p/\sigma_q` is taken in log space where it over- or underflows, and
:math:`\tfrac12(r^2 - 1) - \log r` is evaluated near :math:`r = 1` from a series without
cancellation. The gradients of :func:`gaussian_kl_divergence` are written out so that they stay
finite (and exact) at subnormal scales.
"""

from __future__ import annotations

import math
from numbers import Real

import torch

from dltheory.core.validation import (
    as_parameter,
    check_bool,
    check_broadcastable,
    check_log_base,
    check_same_device,
    has_values,
    normalize_dim,
    opmath_dtype,
)

__all__ = [
    "gaussian_differential_entropy",
    "gaussian_kl_divergence",
    "uniform_differential_entropy",
]

_LOG_2PI_E = math.log(2 * math.pi * math.e)
_LN2 = math.log(2)
# 1/(2k + 3), k = 0..7: the series of atanh(w) - w, to 1e-17 relative for |w| < 0.1
_ATANH_SERIES = tuple(1.0 / (2 * k + 3) for k in range(8))


def _parameters(**values: object) -> tuple[list[torch.Tensor], torch.dtype]:
    """Broadcast tensor or real-number parameters; compute in the promoted dtype's opmath."""
    tensors = {}
    for name, value in values.items():
        if isinstance(value, torch.Tensor):
            if not value.is_floating_point():
                raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
            tensors[name] = value
        elif isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a tensor or a real number, got {type(value).__name__}")
    dtype, device = torch.get_default_dtype(), None
    if tensors:
        first_name, first = next(iter(tensors.items()))
        dtype, device = first.dtype, first.device
        for name, t in tensors.items():
            check_same_device(name, t, first_name, first)
            dtype = torch.promote_types(dtype, t.dtype)
        check_broadcastable({name: t.shape for name, t in tensors.items()})
    work = opmath_dtype(dtype)
    out = [as_parameter(name, v, work, device) for name, v in values.items()]
    return list(torch.broadcast_tensors(*out)), dtype


def _reduce(value: torch.Tensor, dim: int | None, name: str) -> torch.Tensor:
    if dim is None:
        return value
    if value.dim() == 0:
        raise ValueError(f"dim={dim} needs {name} with at least one dimension")
    return value.sum(dim=normalize_dim(name, value, dim))


def _check_positive(name: str, x: torch.Tensor) -> None:
    if x.numel() and has_values(x) and not bool((x > 0).all()):
        worst = x.flatten()[(~(x > 0)).flatten().nonzero()[0, 0]].item()
        raise ValueError(f"{name} must be positive, found {worst:.6g}")


def _check_interval(a: torch.Tensor, b: torch.Tensor) -> None:
    if not a.numel() or not has_values(a, b):
        return
    for name, x in (("low", a), ("high", b)):
        if bool(torch.isnan(x).any()):
            raise ValueError(f"{name} contains NaN")
    if not bool((b > a).all()):
        raise ValueError("high must be greater than low (an interval of positive length)")


def _difference(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""``(diff, doubled)``: :math:`a - b`, or :math:`a/2 - b/2` where only the difference
    overflows (``doubled``; the halves are exact there, both numbers being huge). The caller
    applies the factor 2 after dividing or as :math:`\log 2`, so a finite answer stays finite."""
    diff = a - b
    doubled = torch.isinf(diff) & torch.isfinite(a) & torch.isfinite(b)
    return torch.where(doubled, 0.5 * a - 0.5 * b, diff), doubled


def _mean_shift(mu_p: torch.Tensor, mu_q: torch.Tensor, s_q: torch.Tensor) -> torch.Tensor:
    r""":math:`d = (\mu_p - \mu_q)/\sigma_q`, finite wherever the exact value is."""
    diff, doubled = _difference(mu_p, mu_q)
    return diff / s_q * (doubled.to(diff.dtype) + 1)


def _ratio_minus_one(s_p: torch.Tensor, s_q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""``(r, u)``: :math:`r = \sigma_p/\sigma_q` and :math:`u = r - 1`, the latter as
    :math:`(\sigma_p - \sigma_q)/\sigma_q` near :math:`r = 1` (exact to one rounding)."""
    r = s_p / s_q
    close = (r - 1).abs() < 0.5
    return r, torch.where(close, (s_p - s_q) / torch.where(close, s_q, 1.0), r - 1)


def _scale_term(s_p: torch.Tensor, s_q: torch.Tensor) -> torch.Tensor:
    r""":math:`f(r) = \tfrac12(r^2 - 1) - \log r \ge 0` for :math:`r = \sigma_p/\sigma_q`.

    Near :math:`r = 1`, with :math:`w = (r - 1)/(r + 1)` and
    :math:`\log r = 2\operatorname{atanh} w`,
    :math:`f = 2\bigl(w^2(2 - w)/(1 - w)^2 - \sum_{k \ge 1} w^{2k+1}/(2k+1)\bigr)`: two
    terms of different order, no cancellation. Elsewhere :math:`\log r` comes from :math:`r`
    itself, or from :math:`\log\sigma_p - \log\sigma_q` where :math:`r` over- or underflows.
    """
    r, u = _ratio_minus_one(s_p, s_q)
    normal = (r >= torch.finfo(r.dtype).tiny) & torch.isfinite(r)
    log_r = torch.where(normal, torch.log(r), torch.log(s_p) - torch.log(s_q))
    far = torch.where(torch.isposinf(u), u, 0.5 * u * (2 + u) - log_r)  # sigma_p = inf: inf
    w = u / (2 + u)
    v = w * w
    series = torch.zeros_like(w)
    for c in reversed(_ATANH_SERIES):
        series = series * v + c
    near = 2 * (v * (2 - w) / (1 - w) ** 2 - v * w * series)
    return torch.where(w.abs() < 0.1, near, far)


class _GaussianKL(torch.autograd.Function):
    r""":math:`f(\sigma_p/\sigma_q) + \tfrac12 d^2` with :math:`d = (\mu_p - \mu_q)/\sigma_q`;
    the backward pass is the closed-form gradient

    .. math:: \partial_{\mu_p} = d/\sigma_q = -\partial_{\mu_q}, \quad
        \partial_{\sigma_p} = (r^2 - 1)/\sigma_p, \quad
        \partial_{\sigma_q} = -(r^2 - 1 + d^2)/\sigma_q,

    which is 0 (not ``inf - inf``) where :math:`\sigma_p = \sigma_q` are subnormal. It uses
    differentiable operations on the saved inputs, so second derivatives work.
    """

    @staticmethod
    def forward(ctx, mu_p, s_p, mu_q, s_q):
        ctx.save_for_backward(mu_p, s_p, mu_q, s_q)
        d = _mean_shift(mu_p, mu_q, s_q)
        return _scale_term(s_p, s_q) + 0.5 * d * d

    @staticmethod
    def backward(ctx, grad):
        mu_p, s_p, mu_q, s_q = ctx.saved_tensors
        _, u = _ratio_minus_one(s_p, s_q)
        r2_minus_1 = u * (2 + u)
        d = _mean_shift(mu_p, mu_q, s_q)
        g_mu = grad * (d / s_q)
        return g_mu, grad * (r2_minus_1 / s_p), -g_mu, -grad * ((r2_minus_1 + d * d) / s_q)


def uniform_differential_entropy(
    low: torch.Tensor | float,
    high: torch.Tensor | float,
    *,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Differential entropy of the uniform distribution on :math:`[a, b]`.

    .. math:: h(U[a, b]) = -\int_a^b \frac{1}{b - a} \log\frac{1}{b - a}\,dx = \log(b - a)

    Negative when :math:`b - a < 1`: differential entropy is not bounded below by 0. A width
    beyond the dtype's range is halved first (``(-3e38, 3e38)`` in float32 gives 89.29).

    NaN and inf: a NaN end is a ``ValueError`` (with ``validate=False`` the result is NaN);
    an infinite interval gives ``+inf``.

    Args:
        low, high: the interval's ends :math:`a < b` (tensors broadcast together, or numbers).
        base, validate: as for :func:`entropy` (``validate`` checks :math:`a < b`).

    Returns:
        :math:`\log(b - a)` in the promoted dtype of the tensor arguments (the default dtype
        if both are numbers), on their device.

    Raises:
        TypeError: an argument is neither a floating-point tensor nor a real number.
        ValueError: ``high <= low`` somewhere, or an end is NaN; tensors on different devices
            or of shapes that do not broadcast; a number the dtype cannot hold; a bad ``base``.

    Example:
        >>> uniform_differential_entropy(0.0, 0.5)
        tensor(-0.6931)
    """
    log_base = check_log_base(base)
    (a, b), dtype = _parameters(low=low, high=high)
    if check_bool("validate", validate):
        _check_interval(a, b)
    width, doubled = _difference(b, a)
    h = torch.log(width) + doubled.to(width.dtype) * _LN2
    return (h / log_base).to(dtype)


def gaussian_differential_entropy(
    scale: torch.Tensor | float,
    *,
    dim: int | None = None,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Differential entropy of the Gaussian :math:`\mathcal{N}(\mu, \sigma^2)`.

    .. math:: h(\mathcal{N}(\mu, \sigma^2)) = \tfrac12 \log(2 \pi e \sigma^2)

    It does not depend on :math:`\mu`. With ``dim`` the entries along ``dim`` are the standard
    deviations of a Gaussian with diagonal covariance, whose entropy is the sum.

    NaN and inf: a NaN scale is a ``ValueError`` (with ``validate=False`` the result is
    NaN); :math:`\sigma = +\infty` gives ``+inf``.

    Args:
        scale: the standard deviation(s) :math:`\sigma > 0`.
        dim: ``None`` for elementwise univariate entropies, or the dimension holding the
            diagonal of a multivariate Gaussian.
        base, validate: as for :func:`entropy` (``validate`` checks :math:`\sigma > 0`).

    Returns:
        The entropy, in ``scale``'s dtype (the default dtype for a number) and device.

    Raises:
        TypeError: ``scale`` is neither a floating-point tensor nor a real number.
        ValueError: a non-positive (or NaN) ``scale``; ``dim`` out of range; a number the
            dtype cannot hold; a bad ``base``.

    Example:
        >>> gaussian_differential_entropy(1.0)
        tensor(1.4189)
    """
    log_base = check_log_base(base)
    (sigma,), dtype = _parameters(scale=scale)
    if check_bool("validate", validate):
        _check_positive("scale", sigma)
    h = _reduce(torch.log(sigma) + 0.5 * _LOG_2PI_E, dim, "scale")
    return (h / log_base).to(dtype)


def gaussian_kl_divergence(
    loc_p: torch.Tensor | float,
    scale_p: torch.Tensor | float,
    loc_q: torch.Tensor | float,
    scale_q: torch.Tensor | float,
    *,
    dim: int | None = None,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""KL divergence between Gaussians, :math:`D_{\mathrm{KL}}(\mathcal{N}(\mu_p,
    \sigma_p^2) \,\|\, \mathcal{N}(\mu_q, \sigma_q^2))`.

    .. math:: D_{\mathrm{KL}} = \log\frac{\sigma_q}{\sigma_p}
        + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2 \sigma_q^2} - \frac12
        = \underbrace{\tfrac12 (r^2 - 1) - \log r}_{\ge 0} + \tfrac12 d^2,
        \quad r = \frac{\sigma_p}{\sigma_q},\ d = \frac{\mu_p - \mu_q}{\sigma_q}

    Both terms are computed without overflow or cancellation (see the module notes), so the
    result is finite whenever the divergence is (``(3e38, 1, -3e38, 3e38)`` in float32 gives
    90.10) and :math:`+\infty` where it exceeds the dtype's range. With ``dim`` the entries
    along ``dim`` are the means and standard deviations of Gaussians with diagonal
    covariance; the divergence is the sum over ``dim``.

    NaN and inf: a NaN scale is a ``ValueError`` (with ``validate=False`` the result is NaN);
    a NaN mean gives NaN. An infinite mean or scale gives ``+inf``, except where two
    infinities meet (equal infinite means, or both scales infinite, or an infinite mean
    difference over an infinite :math:`\sigma_q`), which gives NaN.

    Args:
        loc_p, scale_p: mean and standard deviation of :math:`P` (broadcast together).
        loc_q, scale_q: mean and standard deviation of :math:`Q`.
        dim: ``None`` (elementwise, univariate) or the dimension of the diagonal.
        base, validate: as for :func:`entropy` (``validate`` checks the scales are positive).

    Returns:
        The divergence, :math:`\ge 0`, in the promoted dtype of the tensor arguments, on
        their device.

    Raises:
        TypeError: an argument is neither a floating-point tensor nor a real number.
        ValueError: a non-positive scale; tensors on different devices or of shapes that do
            not broadcast; ``dim`` out of range; a number the dtype cannot hold; a bad
            ``base``.

    Example:
        >>> gaussian_kl_divergence(0.0, 1.0, 1.0, 1.0)
        tensor(0.5000)
    """
    log_base = check_log_base(base)
    (mu_p, s_p, mu_q, s_q), dtype = _parameters(
        loc_p=loc_p, scale_p=scale_p, loc_q=loc_q, scale_q=scale_q
    )
    if check_bool("validate", validate):
        _check_positive("scale_p", s_p)
        _check_positive("scale_q", s_q)
    kl = _GaussianKL.apply(mu_p, s_p, mu_q, s_q)
    return (_reduce(kl, dim, "the parameters") / log_base).to(dtype)
