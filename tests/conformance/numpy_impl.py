"""A correct implementation written differently: plain NumPy, wrapped to tensors.

Every value is computed in float64 NumPy from the formulas of the notes and converted back to
the caller's dtype and device. The classification functions get gradients from
``torch.autograd.Function`` classes whose backward passes are NumPy too, so they are
differentiable once (``once_differentiable``), not twice; the information functions return
values only. ``tests/test_check.py`` runs it as a conformance target and lists the claims it
fails with the reason for each.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.autograd.function import once_differentiable


def _np(x: torch.Tensor) -> np.ndarray:
    return x.detach().to("cpu", torch.float64).numpy()


def _tensor(a, like: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(np.asarray(a, dtype=np.float64)).to(like.device, like.dtype)


def _np_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def one_hot(labels, num_classes=-1, *, dtype=torch.int64):
    values = labels.cpu().numpy().astype(np.int64)
    if num_classes == -1:
        num_classes = int(values.max()) + 1
    codes = (values[..., None] == np.arange(num_classes)).astype(np.int64)
    return torch.from_numpy(codes).to(labels.device, dtype)


class _Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim):
        y = np.exp(_np_log_softmax(_np(x), dim))
        ctx.dim, ctx.y = dim, y
        return _tensor(y, x)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        g, y = _np(grad), ctx.y
        return _tensor(y * (g - (g * y).sum(axis=ctx.dim, keepdims=True)), grad), None


class _LogSoftmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim):
        y = _np_log_softmax(_np(x), dim)
        ctx.dim, ctx.y = dim, y
        return _tensor(y, x)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        g = _np(grad)
        return _tensor(g - np.exp(ctx.y) * g.sum(axis=ctx.dim, keepdims=True), grad), None


class _LogSumExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim, keepdim):
        a = _np(x)
        m = a.max(axis=dim, keepdims=True)
        lse = m + np.log(np.exp(a - m).sum(axis=dim, keepdims=True))
        ctx.dim, ctx.keepdim, ctx.p = dim, keepdim, np.exp(a - lse)
        return _tensor(lse if keepdim else np.squeeze(lse, axis=dim), x)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        g = _np(grad)
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.dim)
        return _tensor(g * ctx.p, grad), None, None


def softmax(input, dim=-1):
    return _Softmax.apply(input, dim)


def log_softmax(input, dim=-1):
    return _LogSoftmax.apply(input, dim)


def logsumexp(input, dim=-1, keepdim=False):
    return _LogSumExp.apply(input, dim, keepdim)


def _targets(input: torch.Tensor, target: torch.Tensor) -> tuple[np.ndarray, int]:
    """Probability targets as an array of the input's shape; the class axis."""
    axis = 0 if input.dim() == 1 else 1
    if target.is_floating_point():
        return _np(target), axis
    codes = (target.cpu().numpy()[..., None] == np.arange(input.shape[axis])).astype(np.float64)
    return np.moveaxis(codes, -1, axis), axis


def _reduce(loss: np.ndarray, reduction: str):
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


class _CrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, target, reduction):
        y, axis = _targets(x, target)
        log_p = _np_log_softmax(_np(x), axis)
        per_sample = -np.where(y == 0, 0.0, y * log_p).sum(axis=axis)
        ctx.axis, ctx.reduction, ctx.count = axis, reduction, max(per_sample.size, 1)
        ctx.gradient = np.exp(log_p) * y.sum(axis=axis, keepdims=True) - y
        return _tensor(_reduce(per_sample, reduction), x)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        g = _np(grad)
        if ctx.reduction == "none":
            g = np.expand_dims(g, ctx.axis)
        elif ctx.reduction == "mean":
            g = g / ctx.count
        return _tensor(ctx.gradient * g, grad), None, None


def cross_entropy(input, target, *, reduction="mean", validate=True):
    return _CrossEntropy.apply(input, target, reduction)


def cross_entropy_grad(input, target, *, reduction="mean", validate=True):
    y, axis = _targets(input, target)
    gradient = np.exp(_np_log_softmax(_np(input), axis)) * y.sum(axis=axis, keepdims=True) - y
    if reduction == "mean":
        gradient = gradient / max(gradient.size // input.shape[axis], 1)
    return _tensor(gradient, input)


# -- information theory (values only) -------------------------------------------------------
# `cross_entropy` above is classification's; the distributions' cross-entropy is mapped below.


def _scaled(value, like: torch.Tensor, base) -> torch.Tensor:
    return _tensor(value if base is None else value / np.log(base), like)


def _plogq(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """p log q, with 0 where p = 0 (whatever q is)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * np.log(np.where(p > 0, q, 1.0)), 0.0)


def entropy(p, dim=-1, *, keepdim=False, base=None, validate=True):
    a = _np(p)
    return _scaled(-_plogq(a, a).sum(axis=dim, keepdims=keepdim), p, base)


def information_cross_entropy(p, q, dim=-1, *, keepdim=False, base=None, validate=True):
    like = p if p.dtype == torch.promote_types(p.dtype, q.dtype) else q
    return _scaled(-_plogq(_np(p), _np(q)).sum(axis=dim, keepdims=keepdim), like, base)


def kl_divergence(p, q, dim=-1, *, keepdim=False, base=None, validate=True):
    a, b = _np(p), _np(q)
    with np.errstate(divide="ignore"):
        terms = _plogq(a, np.where(a > 0, a, 1.0) / np.where(a > 0, b, 1.0))
    like = p if p.dtype == torch.promote_types(p.dtype, q.dtype) else q
    return _scaled(terms.sum(axis=dim, keepdims=keepdim), like, base)


def joint_entropy(joint, *, base=None, validate=True):
    a = _np(joint)
    return _scaled(-_plogq(a, a).sum(axis=(-2, -1)), joint, base)


def conditional_entropy(joint, *, given="x", base=None, validate=True):
    a = _np(joint)
    marginal = a.sum(axis=-1 if given == "x" else -2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(a > 0, a / np.where(a > 0, marginal, 1.0), 1.0)
    return _scaled(-_plogq(a, ratio).sum(axis=(-2, -1)), joint, base)


def _pmi(a: np.ndarray) -> np.ndarray:
    # log p - log p_X - log p_Y: the product p_X p_Y would underflow for tiny marginals
    p_x, p_y = a.sum(axis=-1, keepdims=True), a.sum(axis=-2, keepdims=True)
    occurs = a > 0
    logs = [np.log(np.where(occurs, v, 1.0)) for v in np.broadcast_arrays(a, p_x, p_y)]
    return np.where(occurs, logs[0] - logs[1] - logs[2], -np.inf)


def mutual_information(joint, *, base=None, validate=True):
    a = _np(joint)
    with np.errstate(invalid="ignore"):  # 0 * -inf where a cell is 0: masked by the where
        terms = np.where(a > 0, a * _pmi(a), 0.0)
    return _scaled(terms.sum(axis=(-2, -1)), joint, base)


def pointwise_mutual_information(joint, *, base=None, validate=True):
    return _scaled(_pmi(_np(joint)), joint, base)


def _parameters(*values):
    """float64 arrays of the parameters, and a tensor of the promoted dtype and device."""
    tensors = [v for v in values if isinstance(v, torch.Tensor)]
    dtype = torch.get_default_dtype()
    for t in tensors:
        dtype = torch.promote_types(dtype, t.dtype) if t is not tensors[0] else t.dtype
    like = torch.empty(0, dtype=dtype, device=tensors[0].device if tensors else None)
    arrays = [_np(v) if isinstance(v, torch.Tensor) else np.float64(v) for v in values]
    return np.broadcast_arrays(*arrays), like


def uniform_differential_entropy(low, high, *, base=None, validate=True):
    (a, b), like = _parameters(low, high)
    return _scaled(np.log(b - a), like, base)


def gaussian_differential_entropy(scale, *, dim=None, base=None, validate=True):
    (sigma,), like = _parameters(scale)
    h = np.log(sigma) + 0.5 * np.log(2 * np.pi * np.e)
    return _scaled(h if dim is None else h.sum(axis=dim), like, base)


def gaussian_kl_divergence(loc_p, scale_p, loc_q, scale_q, *, dim=None, base=None, validate=True):
    (mu_p, s_p, mu_q, s_q), like = _parameters(loc_p, scale_p, loc_q, scale_q)
    kl = np.log(s_q / s_p) + (s_p**2 + (mu_p - mu_q) ** 2) / (2 * s_q**2) - 0.5
    return _scaled(kl if dim is None else kl.sum(axis=dim), like, base)


DLTHEORY_FUNCTIONS = {"information.cross_entropy": information_cross_entropy}
