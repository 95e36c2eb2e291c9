r"""Reference implementations for linear regression (section 3 of the notes).

Written from the formulas, not by calling the matching ``torch`` built-ins (``F.linear``,
``F.mse_loss``, ``F.gaussian_nll_loss``, ``torch.optim.SGD``, ``torch.linalg.lstsq``,
``torch.vander``), so that those can serve as independent oracles. Conventions:

* a design matrix ``X`` has shape ``(..., n, d)`` (examples by features), targets ``y`` shape
  ``(..., n)``, weights ``w`` shape ``(..., d)`` and the bias ``b`` shape ``(...)``; leading
  batch dimensions broadcast;
* the loss of one example is :math:`\frac12(\hat y - y)^2` (with the notes' :math:`\frac12`),
  and the training objective is its mean over the :math:`n` examples;
* the update functions return new parameters and never touch their inputs.

Every function keeps the caller's dtype and device and is differentiable; float16 and
bfloat16 inputs are computed in float32 and rounded once.
"""

from __future__ import annotations

import math
import numbers
from typing import Literal

import torch

from dltheory.core.validation import check_reduction, check_same_device, opmath_dtype

__all__ = [
    "gaussian_nll",
    "k_fold_splits",
    "least_squares",
    "linear_model",
    "linear_regression_grad",
    "polynomial_features",
    "sgd_step",
    "squared_loss",
    "weight_decay_step",
]

Reduction = Literal["none", "mean", "sum"]

_LOG_2PI = math.log(2 * math.pi)


def _tensor(name: str, value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    return value


def _same_dtype(*named: tuple[str, torch.Tensor]) -> torch.dtype:
    (first, a), *rest = named
    for name, t in rest:
        if t.dtype != a.dtype:
            raise TypeError(
                f"{name} has dtype {t.dtype} but {first} has {a.dtype}; they must match"
            )
        check_same_device(name, t, first, a)
    return a.dtype


def _real(name: str, value: object, *, minimum: float = 0.0) -> float:
    """A finite Python real ``>= minimum`` (``bool`` rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum:g}, got {value!r}")
    return v


def _check_design(X: torch.Tensor, y: torch.Tensor | None = None) -> None:
    if X.dim() < 2:
        raise ValueError(f"X must have shape (..., n, d), got {tuple(X.shape)}")
    if y is not None and (y.dim() < 1 or y.shape[-1] != X.shape[-2]):
        raise ValueError(
            f"y of shape {tuple(y.shape)} needs n = {X.shape[-2]} targets along its last "
            f"dimension (X has shape {tuple(X.shape)})"
        )


def _check_params(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> None:
    if w.dim() < 1 or w.shape[-1] != X.shape[-1]:
        raise ValueError(
            f"w of shape {tuple(w.shape)} needs d = {X.shape[-1]} entries along its last "
            f"dimension (X has shape {tuple(X.shape)})"
        )
    try:
        torch.broadcast_shapes(X.shape[:-2], w.shape[:-1], b.shape)
    except RuntimeError:
        raise ValueError(
            f"batch shapes do not broadcast: X {tuple(X.shape[:-2])}, w {tuple(w.shape[:-1])}, "
            f"b {tuple(b.shape)}"
        ) from None


def _predict(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r""":math:`X\mathbf{w} + b` (shapes already checked, opmath dtype)."""
    return torch.matmul(X, w.unsqueeze(-1)).squeeze(-1) + b.unsqueeze(-1)


def linear_model(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r"""Predictions of the linear model for a batch of examples.

    .. math:: \hat{\mathbf{y}} = X\mathbf{w} + b\mathbf{1}, \qquad
        \hat y^{(i)} = \mathbf{w}^\top \mathbf{x}^{(i)} + b

    NaN and inf: propagate as in the sums of products.

    Args:
        X: design matrix, shape ``(..., n, d)`` (one example per row).
        w: weights, shape ``(..., d)``.
        b: bias, a tensor of shape ``(...)`` (0-d for one model).

    Returns:
        :math:`\hat{\mathbf{y}}`, shape ``(..., n)``, in ``X``'s dtype and device.

    Raises:
        TypeError: an argument is not a floating-point tensor, or the dtypes differ.
        ValueError: ``X`` has fewer than 2 dimensions; ``w`` does not have ``d`` entries;
            batch shapes that do not broadcast; different devices.

    Example:
        >>> linear_model(
        ...     torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([1.0, -1.0]), torch.tensor(0.5)
        ... )
        tensor([-0.5000, -0.5000])
    """
    for name, value in (("X", X), ("w", w), ("b", b)):
        _tensor(name, value)
    dtype = _same_dtype(("X", X), ("w", w), ("b", b))
    _check_design(X)
    _check_params(X, w, b)
    t = opmath_dtype(dtype)
    return _predict(X.to(t), w.to(t), b.to(t)).to(dtype)


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss


def squared_loss(
    y_hat: torch.Tensor, y: torch.Tensor, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""Squared error with the notes' factor :math:`\frac12`.

    .. math:: l^{(i)} = \tfrac12 (\hat y^{(i)} - y^{(i)})^2, \qquad
        L = \frac1n \sum_{i=1}^n l^{(i)} \ (\text{``mean''})

    so :math:`\partial l / \partial \hat y = \hat y - y` (half of ``F.mse_loss``).

    NaN and inf: propagate (an infinite error gives ``inf``).

    Args:
        y_hat: predictions.
        y: targets, the same shape as ``y_hat`` (no broadcasting).
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over all elements.

    Returns:
        The loss in ``y_hat``'s dtype and device.

    Raises:
        TypeError: an argument is not a floating-point tensor, or the dtypes differ.
        ValueError: the shapes differ; an unknown ``reduction``; different devices.

    Example:
        >>> squared_loss(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 1.0]))
        tensor(1.2500)
    """
    _tensor("y_hat", y_hat)
    _tensor("y", y)
    dtype = _same_dtype(("y_hat", y_hat), ("y", y))
    if y_hat.shape != y.shape:
        raise ValueError(
            f"y_hat has shape {tuple(y_hat.shape)} but y has shape {tuple(y.shape)}; "
            "they must match"
        )
    check_reduction(reduction)
    t = opmath_dtype(dtype)
    error = y_hat.to(t) - y.to(t)
    return _reduce(0.5 * error * error, reduction).to(dtype)


def _regression_inputs(X, y, w, b) -> torch.dtype:
    for name, t in (("X", X), ("y", y), ("w", w), ("b", b)):
        _tensor(name, t)
    dtype = _same_dtype(("X", X), ("y", y), ("w", w), ("b", b))
    _check_design(X, y)
    if X.shape[-2] == 0:
        raise ValueError("X has no examples (n = 0): the mean loss is undefined")
    _check_params(X, w, b)
    try:
        torch.broadcast_shapes(X.shape[:-2], y.shape[:-1])
    except RuntimeError:
        raise ValueError(
            f"batch shapes of X {tuple(X.shape[:-2])} and y {tuple(y.shape[:-1])} do not broadcast"
        ) from None
    return dtype


def _gradients(X, y, w, b) -> tuple[torch.Tensor, torch.Tensor]:
    r""":math:`(X^\top\mathbf{r}/n,\ \bar r)`, :math:`\mathbf{r} = X\mathbf{w} + b - \mathbf{y}`."""
    residual = _predict(X, w, b) - y
    n = X.shape[-2]
    grad_w = torch.matmul(residual.unsqueeze(-2), X).squeeze(-2) / n
    return grad_w, residual.mean(-1)


def linear_regression_grad(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Gradient of the mean squared loss :math:`L(\mathbf{w}, b)` over a (mini)batch.

    .. math:: \nabla_{\mathbf{w}} L = \frac1n \sum_{i=1}^n \mathbf{x}^{(i)}
        (\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)}), \qquad
        \frac{\partial L}{\partial b} = \frac1n \sum_{i=1}^n
        (\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})

    NaN and inf: propagate.

    Args:
        X: design matrix ``(..., n, d)``, ``n >= 1``.
        y: targets ``(..., n)``.
        w: weights ``(..., d)``.
        b: bias ``(...)``.

    Returns:
        ``(grad_w, grad_b)`` of the broadcast batch shape, in ``X``'s dtype and device.

    Raises:
        TypeError: an argument is not a floating-point tensor, or the dtypes differ.
        ValueError: shapes that do not fit ``(..., n, d)``, ``n = 0``, batch shapes that do not
            broadcast, different devices.

    Example:
        >>> linear_regression_grad(
        ...     torch.tensor([[1.0], [2.0]]),
        ...     torch.tensor([1.0, 1.0]),
        ...     torch.tensor([1.0]),
        ...     torch.tensor(0.0),
        ... )
        (tensor([1.]), tensor(0.5000))
    """
    dtype = _regression_inputs(X, y, w, b)
    t = opmath_dtype(dtype)
    grad_w, grad_b = _gradients(X.to(t), y.to(t), w.to(t), b.to(t))
    return grad_w.to(dtype), grad_b.to(dtype)


def sgd_step(
    w: torch.Tensor, b: torch.Tensor, X: torch.Tensor, y: torch.Tensor, lr: float
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""One minibatch SGD step on the mean squared loss of the batch ``(X, y)``.

    .. math:: \mathbf{w} \leftarrow \mathbf{w} - \frac{\eta}{|\mathcal{B}|}
        \sum_{i \in \mathcal{B}} \mathbf{x}^{(i)}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)}),
        \qquad b \leftarrow b - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}}
        (\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})

    NaN and inf: propagate from the data; a non-finite ``lr`` is rejected.

    Args:
        w: weights ``(..., d)``.
        b: bias ``(...)``.
        X: the minibatch :math:`\mathcal{B}`, ``(..., |B|, d)``.
        y: its targets ``(..., |B|)``.
        lr: the learning rate :math:`\eta \ge 0`, a finite real.

    Returns:
        ``(w_new, b_new)``: new tensors in ``w``'s dtype and device (the inputs are unchanged).

    Raises:
        TypeError: a tensor argument is not floating point or the dtypes differ; ``lr`` is not
            a real number.
        ValueError: ``lr`` negative or not finite; shapes as for :func:`linear_regression_grad`.

    Example:
        >>> sgd_step(
        ...     torch.tensor([1.0]),
        ...     torch.tensor(0.0),
        ...     torch.tensor([[1.0], [2.0]]),
        ...     torch.tensor([1.0, 1.0]),
        ...     lr=0.1,
        ... )
        (tensor([0.9000]), tensor(-0.0500))
    """
    return weight_decay_step(w, b, X, y, lr, 0.0)


def weight_decay_step(
    w: torch.Tensor,
    b: torch.Tensor,
    X: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    weight_decay: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""One minibatch SGD step on :math:`L(\mathbf{w}, b) + \frac{\lambda}{2}\|\mathbf{w}\|^2`.

    .. math:: \mathbf{w} \leftarrow (1 - \eta\lambda)\,\mathbf{w} - \frac{\eta}{|\mathcal{B}|}
        \sum_{i \in \mathcal{B}} \mathbf{x}^{(i)}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)}),
        \qquad b \leftarrow b - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}}
        (\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})

    The bias is not decayed (as in the notes; pass it to ``torch.optim.SGD`` in a parameter
    group with ``weight_decay=0`` to match).

    NaN and inf: propagate from the data; non-finite ``lr`` or ``weight_decay`` are rejected.

    Args:
        w, b, X, y, lr: as for :func:`sgd_step`.
        weight_decay: :math:`\lambda \ge 0`, a finite real.

    Returns:
        ``(w_new, b_new)``, new tensors in ``w``'s dtype and device.

    Raises:
        TypeError, ValueError: as for :func:`sgd_step`, and for ``weight_decay``.

    Example:
        >>> weight_decay_step(
        ...     torch.tensor([1.0]),
        ...     torch.tensor(0.0),
        ...     torch.tensor([[1.0], [2.0]]),
        ...     torch.tensor([1.0, 1.0]),
        ...     lr=0.1,
        ...     weight_decay=0.5,
        ... )
        (tensor([0.8500]), tensor(-0.0500))
    """
    eta = _real("lr", lr)
    lam = _real("weight_decay", weight_decay)
    dtype = _regression_inputs(X, y, w, b)
    t = opmath_dtype(dtype)
    w_, b_ = w.to(t), b.to(t)
    grad_w, grad_b = _gradients(X.to(t), y.to(t), w_, b_)
    new_w = (1 - eta * lam) * w_ - eta * grad_w if lam else w_ - eta * grad_w
    return new_w.to(dtype), (b_ - eta * grad_b).to(dtype)


def gaussian_nll(
    y: torch.Tensor,
    mean: torch.Tensor,
    var: torch.Tensor | float,
    reduction: Reduction = "mean",
    *,
    validate: bool = True,
) -> torch.Tensor:
    r"""Negative log-likelihood of observations under :math:`\mathcal{N}(\mu, \sigma^2)`,
    with every constant.

    .. math:: -\log p(y) = \frac12 \log(2\pi\sigma^2) + \frac{(y - \mu)^2}{2\sigma^2}

    (``F.gaussian_nll_loss(..., full=True)`` without its clamping of the variance). Evaluated
    as :math:`\frac12(z^2 + \log\sigma^2 + \log 2\pi)` with :math:`z = (y - \mu)/\sigma`, so it
    neither overflows nor underflows where the result is representable.

    NaN and inf: with ``validate=True`` a NaN, zero or negative variance is rejected; with
    ``validate=False`` a zero variance gives the limit, ``inf`` (``-inf`` at :math:`y = \mu`),
    and a negative one NaN. NaN or infinite ``y`` and ``mean`` propagate.

    Args:
        y: observations.
        mean: :math:`\mu`, the same shape as ``y``.
        var: :math:`\sigma^2 > 0`, a tensor broadcastable to ``y``'s shape or a positive real.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over all elements.
        validate: check that the variance is positive (a device sync for tensors).

    Returns:
        The negative log-likelihood in ``y``'s dtype and device.

    Raises:
        TypeError: ``y``/``mean`` not floating-point tensors, dtypes that differ, ``var`` not
            a tensor or real number.
        ValueError: ``mean``'s shape differs from ``y``'s; ``var`` does not broadcast to it;
            a variance that is not positive (or is NaN); an unknown ``reduction``.

    Example:
        >>> gaussian_nll(torch.tensor([0.0]), torch.tensor([0.0]), 1.0)
        tensor(0.9189)
    """
    _tensor("y", y)
    _tensor("mean", mean)
    if isinstance(var, torch.Tensor):
        _tensor("var", var)
        dtype = _same_dtype(("y", y), ("mean", mean), ("var", var))
    else:
        dtype = _same_dtype(("y", y), ("mean", mean))
        if isinstance(var, bool) or not isinstance(var, numbers.Real):
            raise TypeError(f"var must be a tensor or a real number, got {type(var).__name__}")
    if mean.shape != y.shape:
        raise ValueError(f"mean has shape {tuple(mean.shape)} but y has shape {tuple(y.shape)}")
    check_reduction(reduction)
    t = opmath_dtype(dtype)
    v = (
        var.to(t)
        if isinstance(var, torch.Tensor)
        else torch.tensor(float(var), dtype=t, device=y.device)
    )
    try:
        if torch.broadcast_shapes(v.shape, y.shape) != y.shape:
            raise RuntimeError
    except RuntimeError:
        raise ValueError(
            f"var of shape {tuple(v.shape)} does not broadcast to y's shape {tuple(y.shape)}"
        ) from None
    if validate and not bool((v > 0).all()):
        raise ValueError("var must be positive (a variance sigma^2 > 0); got a value <= 0 or NaN")
    difference = y.to(t) - mean.to(t)
    z = difference / v.sqrt()  # scaled before squaring: no overflow where the result is finite
    log_var = v.log()
    if reduction != "none" and validate:
        # reduce the two terms separately: no elementwise sum is formed
        flat = z.reshape(-1)
        count = flat.numel()
        logs = log_var.sum() * (count // max(log_var.numel(), 1))
        total = 0.5 * (torch.dot(flat, flat) + logs + count * _LOG_2PI)
        return (total / max(count, 1) if reduction == "mean" else total).to(dtype)
    loss = z.square_().add_(log_var).add_(_LOG_2PI).mul_(0.5)
    if not validate:  # sigma^2 = 0: the limit, +inf off the mean and -inf on it (not inf - inf)
        loss = torch.where(v == 0, torch.where(difference == 0, -math.inf, math.inf), loss)
    return _reduce(loss, reduction).to(dtype)


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
    an SVD, as ``torch.linalg.lstsq(driver="gelsd")`` does.

    NaN and inf: a non-finite entry gives NaN results.

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
    _tensor("X", X)
    _tensor("y", y)
    dtype = _same_dtype(("X", X), ("y", y))
    _check_design(X, y)
    if X.shape[-2] == 0:
        raise ValueError("X has no examples (n = 0): nothing to fit")
    try:
        batch = torch.broadcast_shapes(X.shape[:-2], y.shape[:-1])
    except RuntimeError:
        raise ValueError(
            f"batch shapes of X {tuple(X.shape[:-2])} and y {tuple(y.shape[:-1])} do not broadcast"
        ) from None
    t = opmath_dtype(dtype)
    n, d = X.shape[-2], X.shape[-1]
    Xt = X.to(t).expand(*batch, n, d)
    yt = y.to(t).expand(*batch, n)
    x_bar, y_bar = Xt.mean(-2, keepdim=True), yt.mean(-1, keepdim=True)
    # centred, and laid out column-major as LAPACK's geqrf wants it (no copy there)
    Xc, yc = (Xt.mT - x_bar.mT).mT, yt - y_bar
    if d == 0:
        w, rss = Xt.new_zeros(*batch, 0), None
    else:
        w, rss = _centred_solve(Xc, yc)
    b = (y_bar - torch.matmul(x_bar, w.unsqueeze(-1)).squeeze(-1)).squeeze(-1)
    if rss is None:  # the residual itself (after an SVD, or to carry gradients)
        residual = yc - torch.matmul(Xc, w.unsqueeze(-1)).squeeze(-1)
        rss = (residual * residual).sum(-1)
    return w.to(dtype), b.to(dtype), (rss / n).to(dtype)


def _centred_solve(Xc: torch.Tensor, yc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    r""":math:`\arg\min \|X_c\mathbf{w} - \mathbf{y}_c\|` and, when it comes for free, the
    residual sum of squares.

    Householder QR as LAPACK's ``gels`` does it (``geqrf``, :math:`Q^\top\mathbf{y}` by
    ``ormqr`` without forming :math:`Q`, a triangular solve): the residual sum of squares is
    then :math:`\|(Q^\top\mathbf{y})_{d+1:n}\|^2`. When gradients are needed,
    ``torch.linalg.qr`` (differentiable) instead. If some batch element is rank deficient, the
    minimum-norm solution by SVD.
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
        cutoff = diag.amax(-1, keepdim=True) * max(n, d) * eps
        if bool((diag > cutoff).all()):
            w = torch.linalg.solve_triangular(R, rotated[..., :d, :], upper=True).squeeze(-1)
            if differentiable:
                return w, None
            tail = rotated[..., d:, 0]
            return w, (tail * tail).sum(-1)
    U, S, Vh = torch.linalg.svd(Xc, full_matrices=False)
    cutoff = S.amax(-1, keepdim=True) * max(n, d) * eps
    kept = cutoff < S
    inverse = torch.where(kept, 1 / torch.where(kept, S, 1), 0)
    coefficients = torch.matmul(U.transpose(-2, -1), yc.unsqueeze(-1)).squeeze(-1) * inverse
    return torch.matmul(Vh.transpose(-2, -1), coefficients.unsqueeze(-1)).squeeze(-1), None


def polynomial_features(x: torch.Tensor, degree: int) -> torch.Tensor:
    r"""The powers :math:`x, x^2, \dots, x^k` of each entry: the design matrix of a
    polynomial model of degree :math:`k` (its constant term is the bias).

    .. math:: \Phi(\mathbf{x})_{ij} = x_i^{\,j}, \qquad j = 1, \dots, k

    NaN and inf: propagate (powers of ``inf`` are ``±inf``).

    Args:
        x: inputs, shape ``(..., n)``.
        degree: :math:`k \ge 0`, an int (``0`` gives ``(..., n, 0)``).

    Returns:
        Shape ``(..., n, degree)``, in ``x``'s dtype and device.

    Raises:
        TypeError: ``x`` is not a floating-point tensor or ``degree`` not an int.
        ValueError: ``x`` is 0-d or ``degree < 0``.

    Example:
        >>> polynomial_features(torch.tensor([2.0, -1.0]), 3)
        tensor([[ 2.,  4.,  8.],
                [-1.,  1., -1.]])
    """
    _tensor("x", x)
    if isinstance(degree, bool) or not isinstance(degree, int):
        raise TypeError(f"degree must be an int, got {type(degree).__name__}")
    if degree < 0:
        raise ValueError(f"degree must be >= 0, got {degree}")
    if x.dim() == 0:
        raise ValueError("x must have shape (..., n), got a 0-d tensor")
    t = opmath_dtype(x.dtype)
    exponents = torch.arange(1, degree + 1, device=x.device, dtype=t)
    return torch.pow(x.to(t).unsqueeze(-1), exponents).to(x.dtype)


def k_fold_splits(
    n: int, k: int, *, shuffle: bool = False, generator: torch.Generator | None = None
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    r"""The :math:`k` training/validation splits of :math:`k`-fold cross-validation.

    The examples :math:`0, \dots, n-1` (after a random permutation if ``shuffle``) are cut
    into :math:`k` consecutive folds; the first :math:`n \bmod k` folds have
    :math:`\lceil n/k \rceil` examples and the others :math:`\lfloor n/k \rfloor` (the layout of
    ``sklearn.model_selection.KFold``). Split :math:`j` validates on fold :math:`j` and trains
    on the other :math:`k - 1`.

    Args:
        n: the number of examples, an int.
        k: the number of folds, an int with :math:`2 \le k \le n`.
        shuffle: permute the examples first.
        generator: the random source of the permutation (``shuffle=True`` only).

    Returns:
        A list of :math:`k` pairs ``(train_indices, validation_indices)`` of int64 tensors,
        each sorted in the order of the (permuted) examples.

    Raises:
        TypeError: ``n`` or ``k`` is not an int; ``generator`` is not a ``torch.Generator``.
        ValueError: ``k < 2`` or ``k > n``; a ``generator`` without ``shuffle=True``.

    Example:
        >>> [v.tolist() for _, v in k_fold_splits(5, 2)]
        [[0, 1, 2], [3, 4]]
    """
    for name, value in (("n", n), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if k < 2:
        raise ValueError(f"k must be at least 2 (one fold to validate, one to train), got {k}")
    if k > n:
        raise ValueError(f"k = {k} folds need at least k examples, but n = {n}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    if generator is not None and not shuffle:
        raise ValueError("a generator is used only with shuffle=True")
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    size, extra = divmod(n, k)
    sizes = [size + 1] * extra + [size] * (k - extra)
    folds = torch.split(order, sizes)
    return [
        (torch.cat([f for m, f in enumerate(folds) if m != j]), fold)
        for j, fold in enumerate(folds)
    ]
