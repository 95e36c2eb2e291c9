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
    if w.numel() and has_values(w) and not float(w.amin()) >= low:  # NaN: look entrywise
        return w < low
    return None


def _sigmoid_value(w: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    r""":math:`\sigma(w)`: ``torch.sigmoid`` (:math:`1/(1 + e^{-w})` in one fused pass, a few
    ulps wherever :math:`e^{-w}` is finite) and :math:`e^{w}` where :math:`e^{-w}` overflows
    (the built-in gives 0 there). The backward pass needs nothing but :math:`w`."""
    y = torch.sigmoid(w)
    far = _far_left(w)
    return (y if far is None else torch.where(far, torch.exp(w), y)), ()


def _small_side(w: torch.Tensor, scale: float) -> tuple[torch.Tensor, torch.Tensor | None]:
    r"""``(t, far)``: :math:`t = \sigma(-s|w|) \in (0, \frac12]` with ``scale`` :math:`s`,
    relatively accurate (no :math:`1 - \sigma` of a value near 1), and where
    :math:`s|w|` exceeds the log of the largest float (``None`` if nowhere), the mask of the
    entries where ``torch.sigmoid`` would give 0 instead of the subnormal
    :math:`e^{-s|w|}`."""
    a = w.abs()
    far, high = None, math.log(torch.finfo(w.dtype).max) / scale
    if a.numel() and has_values(a) and not float(a.amax()) <= high:  # NaN: look entrywise
        far = a > high
    return a.mul_(-scale).sigmoid_(), far


def _sigmoid_gradient(w: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    r"""``grad`` times :math:`\sigma'(w) = t (1 - t)`, :math:`t = \sigma(-|w|)` (the
    derivative is even): ``torch``'s fused ``sigmoid_backward`` on :math:`t` rather than on
    :math:`\sigma(w)`, whose :math:`1 - \sigma` loses every digit where :math:`\sigma(w)`
    rounds to 1. :math:`t \le \frac12` makes :math:`1 - t` exact or within half an ulp, and
    the product at most :math:`\frac14`; where :math:`e^{|w|}` overflows,
    :math:`\sigma' = e^{-|w|}` to within a factor :math:`1 + e^{-|w|}`."""
    t, far = _small_side(w, 1.0)
    out = torch.ops.aten.sigmoid_backward(grad, t)
    return out if far is None else torch.where(far, grad * torch.exp(-w.abs()), out)


def _tanh_gradient(w: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    r"""``grad`` times :math:`\tanh'(w) = 1 - \tanh^2 w = 4 t (1 - t)`, :math:`t =
    \sigma(-2|w|)`: as :func:`_sigmoid_gradient`, and :math:`4 e^{-2|w|}` where
    :math:`e^{2|w|}` overflows."""
    t, far = _small_side(w, 2.0)
    out = torch.ops.aten.sigmoid_backward(grad, t).mul_(4)
    return out if far is None else torch.where(far, grad * torch.exp(-2 * w.abs()) * 4, out)


def _tanh_value(w: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    r""":math:`\tanh w` by ``torch.tanh`` (within an ulp, odd, :math:`\pm 1` at
    :math:`\pm\infty`); the backward pass needs nothing but :math:`w`."""
    return torch.tanh(w), ()


class _Smooth(torch.autograd.Function):
    """An elementwise function evaluated in the computing dtype and rounded once. Its backward
    takes ``gradient`` (the incoming gradient times the derivative, from the input and what
    the forward pass kept), or, where autograd records the backward (double backward), the
    differentiable formula ``derivative`` of the input."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, value, gradient, derivative):
        ctx.gradient, ctx.derivative = gradient, derivative
        y, kept = value(x.to(opmath_dtype(x.dtype)))
        ctx.save_for_backward(x, *kept)
        return y.to(x.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, *kept = ctx.saved_tensors
        w = x.to(opmath_dtype(x.dtype))
        if _recorded(x) or _recorded(grad):
            return (grad.to(w.dtype) * ctx.derivative(w)).to(x.dtype), None, None, None
        return ctx.gradient(w, grad.to(w.dtype), *kept).to(x.dtype), None, None, None


def _without_graph(x: torch.Tensor, value) -> torch.Tensor:
    """``value`` of ``x`` in the computing dtype, rounded once; no autograd.Function (whose
    call alone costs several times a small built-in call) when no gradient is recorded."""
    return in_dtype(value(in_compute_dtype(x))[0], x.dtype)


def _sigmoid(x: torch.Tensor) -> torch.Tensor:
    if not (x.requires_grad and torch.is_grad_enabled()):
        return _without_graph(x, _sigmoid_value)
    return _Smooth.apply(x, _sigmoid_value, _sigmoid_gradient, _sigmoid_derivative)


def _tanh(x: torch.Tensor) -> torch.Tensor:
    if not (x.requires_grad and torch.is_grad_enabled()):
        return _without_graph(x, _tanh_value)
    return _Smooth.apply(x, _tanh_value, _tanh_gradient, _tanh_derivative)
