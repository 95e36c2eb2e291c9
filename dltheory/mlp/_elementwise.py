r"""Elementwise activations of :mod:`dltheory.mlp.reference` as autograd functions: ReLU
with the left derivative at 0, and sigmoid and tanh evaluated in the computing dtype (rounded
once) with derivatives that keep their relative accuracy over the whole range."""

from __future__ import annotations

import math

import torch

from dltheory.core.validation import has_values, in_compute_dtype, in_dtype, opmath_dtype


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor):
        y = x.clamp_min(0)  # max(x, 0); NaN stays NaN
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        # 1 for x > 0, 0 for x < 0, and 0 at x = 0 (the left derivative, as the notes say):
        # the sign of ReLU(x) >= 0 (NaN for NaN)
        (y,) = ctx.saved_tensors
        return grad * y.sign()


def _sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\sigma'(x) = e / (1 + e)^2` with :math:`e = e^{-|x|}`: no cancellation, unlike
    :math:`\sigma(1 - \sigma)` for large :math:`x`."""
    e = torch.exp(-x.abs())
    return e / (1 + e).square()


def _tanh_derivative(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\tanh'(x) = 4e / (1 + e)^2` with :math:`e = e^{-2|x|}` (equals :math:`1 - \tanh^2
    x` without its cancellation near :math:`|\tanh x| = 1`)."""
    e = torch.exp(-2 * x.abs())
    return 4 * e / (1 + e).square()


def _recorded(x: torch.Tensor) -> bool:
    """Whether autograd records operations on ``x`` (double backward): then no in-place."""
    return torch.is_grad_enabled() and x.requires_grad


def _far_left(w: torch.Tensor) -> torch.Tensor | None:
    r"""Where :math:`e^{-x}` overflows (``None`` if nowhere): there :math:`\sigma(x) \approx
    \sigma'(x) \approx e^x`, to within a factor :math:`1 + e^x`."""
    low = -math.log(torch.finfo(w.dtype).max)
    if w.numel() and has_values(w) and float(w.amin()) < low:
        return w < low
    return None


def _sigmoid_value(w: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    r""":math:`\sigma(w)` and, for the backward pass, :math:`(u, \sigma)` with :math:`u =
    e^{-w}`: then :math:`\sigma' = u\sigma^2`, to a few ulps, without another exponential."""
    u = w.neg().exp_()
    y = u.add(1).reciprocal_()  # 1 / (1 + e^{-x}): a few ulps wherever finite
    far = _far_left(w)
    if far is not None:  # e^{-x} overflowed and the quotient collapsed to 0: take e^x there
        y = torch.where(far, torch.exp(w), y)
    return y, (u, y)


def _sigmoid_inference(w: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    r""":math:`\sigma(w)` when no gradient is recorded: ``torch.sigmoid`` (the same
    :math:`1/(1 + e^{-w})` in one fused pass) and :math:`e^{w}` where :math:`e^{-w}` overflows
    (the built-in gives 0 there)."""
    y = torch.sigmoid(w)
    far = _far_left(w)
    return (y if far is None else torch.where(far, torch.exp(w), y)), ()


def _sigmoid_slope(w: torch.Tensor, u: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # e^{-x} / (1 + e^{-x})^2; near x = 0 the rounded product can exceed the exact maximum
    # 1/4 by an ulp (x = 2^-52 gives 0.25 + 2^-54), so it is capped there
    slope = u.mul(y).mul_(y).clamp_(max=0.25)
    far = _far_left(w)
    return slope if far is None else torch.where(far, y, slope)


def _tanh_value(w: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    r""":math:`\tanh w` by ``torch.tanh`` (within an ulp, odd, :math:`\pm 1` at
    :math:`\pm\infty`); the backward pass needs nothing but :math:`w`."""
    return torch.tanh(w), ()


class _Smooth(torch.autograd.Function):
    """An elementwise function evaluated in the computing dtype and rounded once. Its backward
    multiplies by the derivative: from what the forward pass kept (``slope``, in place, one
    new buffer), or, where autograd records the backward (double backward), by the
    differentiable formula ``derivative`` of the input."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, value, slope, derivative):
        ctx.slope, ctx.derivative = slope, derivative
        y, kept = value(x.to(opmath_dtype(x.dtype)))
        ctx.save_for_backward(x, *kept)
        return y.to(x.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, *kept = ctx.saved_tensors
        w = x.to(opmath_dtype(x.dtype))
        if _recorded(x) or _recorded(grad):
            return (grad.to(w.dtype) * ctx.derivative(w)).to(x.dtype), None, None, None
        return ctx.slope(w, *kept).mul_(grad).to(x.dtype), None, None, None


def _without_graph(x: torch.Tensor, value) -> torch.Tensor:
    """``value`` of ``x`` in the computing dtype, rounded once; no autograd.Function (whose
    call alone costs several times a small built-in call) when no gradient is recorded."""
    return in_dtype(value(in_compute_dtype(x))[0], x.dtype)


def _sigmoid(x: torch.Tensor) -> torch.Tensor:
    if not (x.requires_grad and torch.is_grad_enabled()):
        return _without_graph(x, _sigmoid_inference)
    return _Smooth.apply(x, _sigmoid_value, _sigmoid_slope, _sigmoid_derivative)


def _tanh(x: torch.Tensor) -> torch.Tensor:
    if not (x.requires_grad and torch.is_grad_enabled()):
        return _without_graph(x, _tanh_value)
    return _Smooth.apply(x, _tanh_value, _tanh_derivative, _tanh_derivative)
