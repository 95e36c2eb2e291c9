r"""Least squares with an intercept, re-exported by :mod:`dltheory.regression.reference`.

Solved on centred data scaled by powers of 2 (exactly) by a Householder QR factorization, as
LAPACK's ``gels`` does it, and by the pseudo-inverse where the centred design is rank
deficient (the minimum-norm solution, as ``torch.linalg.lstsq(driver="gelsd")``).
"""

from __future__ import annotations

import math

import torch

from dltheory.core.validation import has_values, opmath_dtype
from dltheory.regression._checks import check_design, same_dtype, tensor_argument

__all__ = ["least_squares"]


def least_squares(
    X: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Maximum-likelihood fit of :math:`y = \mathbf{w}^\top\mathbf{x} + b + \epsilon`,
    :math:`\epsilon \sim \mathcal{N}(0, \sigma^2)`: least squares with an intercept.

    .. math:: (\mathbf{w}^*, b^*) = \arg\min_{\mathbf{w}, b} \sum_{i=1}^n
        (y^{(i)} - \mathbf{w}^\top\mathbf{x}^{(i)} - b)^2, \qquad
        \sigma^{2*} = \frac1n \sum_{i=1}^n (y^{(i)} - \mathbf{w}^{*\top}\mathbf{x}^{(i)} - b^*)^2

    Solved on centred data (for any :math:`\mathbf{w}` the best :math:`b` is
    :math:`\bar y - \bar{\mathbf{x}}^\top\mathbf{w}`; centring also keeps the problem well
    conditioned when the features have large means) by a Householder QR factorization, which
    is backward stable; if the centred ``X`` is rank deficient (fewer than ``d + 1``
    examples, or collinear features) the minimum-norm :math:`\mathbf{w}^*` is returned, from
    an SVD (the pseudo-inverse), as ``torch.linalg.lstsq(driver="gelsd")`` does. Every
    column and the targets are first divided by a power of 2 near their largest magnitude
    (exactly), so features near the dtype's largest value, whose sums overflow, still fit.

    NaN and inf: a NaN or infinite entry gives NaN ``w``, ``b`` and ``var`` for its batch
    element (the others are unaffected).

    Args:
        X: design matrix ``(..., n, d)`` with ``n >= 1`` (``d = 0`` fits only the bias).
        y: targets ``(..., n)``, batch shape broadcastable with ``X``'s.

    Returns:
        ``(w, b, var)`` of shapes ``(..., d)``, ``(...)``, ``(...)`` in ``X``'s dtype and
        device; ``var`` is the mean squared residual (the MLE, divided by :math:`n`).

    Raises:
        TypeError: an argument is not a floating-point tensor, or the dtypes differ.
        ValueError: ``X`` is not ``(..., n, d)``, ``n = 0``, or ``y`` does not have ``n``
            targets; batch shapes that do not broadcast.

    Example:
        >>> least_squares(
        ...     torch.tensor([[0.0], [1.0], [2.0], [3.0]]), torch.tensor([0.0, 1.0, 1.0, 2.0])
        ... )
        (tensor([0.6000]), tensor(0.1000), tensor(0.0500))
    """
    tensor_argument("X", X)
    tensor_argument("y", y)
    dtype = same_dtype(("X", X), ("y", y))
    check_design(X, y)
    if X.shape[-2] == 0:
        raise ValueError("X has no examples (n = 0): nothing to fit")
    try:  # (torch.broadcast_shapes costs 10-30 µs, more than a small fit's arithmetic)
        batch = X.shape[:-2]
        if y.shape[:-1] != batch:
            batch = torch.broadcast_shapes(batch, y.shape[:-1])
    except RuntimeError:
        raise ValueError(
            f"batch shapes of X {tuple(X.shape[:-2])} and y {tuple(y.shape[:-1])} do not broadcast"
        ) from None
    t = opmath_dtype(dtype)
    n, d = X.shape[-2], X.shape[-1]
    Xt = X.to(t).expand(*batch, n, d)
    yt = y.to(t).expand(*batch, n)
    if not has_values(Xt, yt):  # meta: the shapes only (the rank needs values)
        return X.new_empty(*batch, d), X.new_empty(batch), X.new_empty(batch)
    # a NaN or an inf, or data too large (sums of n entries overflow) or too small (all
    # subnormal) for the solver, show in the extremes; then every column and the targets are
    # divided by powers of 2 near their largest magnitudes (exactly), and w, b and the
    # variance scaled back at the end
    fi = torch.finfo(t)
    low, high = fi.tiny / fi.eps, fi.max / (4 * n)
    parts = (Xt, yt) if d else (yt,)
    extremes = torch.stack([e for a in parts for e in torch.aminmax(a)]).tolist()
    largest = [max(abs(extremes[i]), abs(extremes[i + 1])) for i in range(0, len(extremes), 2)]
    Xs, ys, sx, sy, finite = Xt, yt, None, None, None
    in_range = all(low <= v <= high or v == 0 for v in largest)
    if not (in_range and all(math.isfinite(v) for v in extremes)):
        mx, my = _largest(Xt.detach(), -2), _largest(yt.detach(), -1)
        finite = torch.isfinite(mx).all(-1).squeeze(-1) & torch.isfinite(my).squeeze(-1)
        sx, sy = _power_of_two(mx), _power_of_two(my)
        Xs, ys = Xt / sx, yt / sy
    x_bar, y_bar = Xs.mean(-2, keepdim=True), ys.mean(-1, keepdim=True)
    # centred, and laid out column-major as LAPACK's geqrf wants it (no copy there)
    Xc, yc = (Xs.mT - x_bar.mT).mT, ys - y_bar
    if finite is not None:  # NaN results where not finite, and LAPACK sees zeros instead
        Xc, yc = torch.where(finite[..., None, None], Xc, 0), torch.where(finite[..., None], yc, 0)
    if d == 0:
        w, tail = Xt.new_zeros(*batch, 0), None
    else:
        w, tail = _centred_solve(Xc, yc)
    b = (y_bar - torch.matmul(x_bar, w.unsqueeze(-1)).squeeze(-1)).squeeze(-1)
    if tail is None:  # the residual itself (after an SVD, or to carry gradients)
        tail = yc - torch.matmul(Xc, w.unsqueeze(-1)).squeeze(-1)
    if sx is not None and sy is not None:
        tail = tail * sy  # scaled back before squaring: a zero residual has a zero gradient
        w, b = w * sy / sx.squeeze(-2), b * sy.squeeze(-1)
    var = (tail * tail).sum(-1) / n
    if finite is not None:
        w = torch.where(finite.unsqueeze(-1), w, math.nan)
        b, var = torch.where(finite, b, math.nan), torch.where(finite, var, math.nan)
    return w.to(dtype), b.to(dtype), var.to(dtype)


def _largest(a: torch.Tensor, dim: int) -> torch.Tensor:
    """The largest magnitude along ``dim`` (keepdim), NaN if there is one, without a copy."""
    return torch.maximum(a.amax(dim, keepdim=True), a.amin(dim, keepdim=True).neg_())


def _power_of_two(m: torch.Tensor) -> torch.Tensor:
    r""":math:`2^{e-1}` for :math:`m = f\,2^e`, :math:`f \in [\frac12, 1)`: dividing by it is
    exact and brings :math:`m` into :math:`[1, 2)`; 1 where :math:`m` is 0 or not finite."""
    _, exponent = torch.frexp(m)
    power = torch.pow(2.0, (exponent - 1).to(m.dtype))
    return torch.where(torch.isfinite(m) & (m > 0), power, 1.0)


def _centred_solve(Xc: torch.Tensor, yc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    r""":math:`\arg\min \|X_c\mathbf{w} - \mathbf{y}_c\|` and, when it comes for free, a
    vector whose squared norm is the residual sum of squares.

    Householder QR as LAPACK's ``gels`` does it (``geqrf``, :math:`Q^\top\mathbf{y}` by
    ``ormqr`` without forming :math:`Q`, a triangular solve): the residual sum of squares is
    then :math:`\|(Q^\top\mathbf{y})_{d+1:n}\|^2`. When gradients are needed,
    ``torch.linalg.qr`` (differentiable) instead. If some batch element is rank deficient, the
    minimum-norm solution by the pseudo-inverse (an SVD).
    """
    n, d = Xc.shape[-2], Xc.shape[-1]
    eps = torch.finfo(Xc.dtype).eps
    if n > d:
        differentiable = torch.is_grad_enabled() and (Xc.requires_grad or yc.requires_grad)
        if differentiable:
            Q, R = torch.linalg.qr(Xc)
            rotated = torch.matmul(Q.transpose(-2, -1), yc.unsqueeze(-1))
        else:
            packed, tau = torch.geqrf(Xc)
            R = packed[..., :d, :]  # solve_triangular reads only the upper triangle
            rotated = torch.ormqr(packed, tau, yc.unsqueeze(-1), left=True, transpose=True)
        diag = R.diagonal(dim1=-2, dim2=-1).abs()
        cutoff = diag.amax(-1, keepdim=True) * (max(n, d) * eps)  # eps: a power of 2
        if bool((diag > cutoff).all()):
            w = torch.linalg.solve_triangular(R, rotated[..., :d, :], upper=True).squeeze(-1)
            if differentiable:
                return w, None
            return w, rotated[..., d:, 0]
    # the minimum-norm solution; pinv's own derivative (not the SVD's) is finite where
    # singular values repeat, e.g. a centred X that is all zero
    pinv = torch.linalg.pinv(Xc, rtol=max(n, d) * eps)
    return torch.matmul(pinv, yc.unsqueeze(-1)).squeeze(-1), None
