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
        # 1 for x > 0, 0 for x < 0, and 0 at x = 0 (the left derivative, as the notes say),
        # NaN for NaN
        (y,) = ctx.saved_tensors
        if y.numel() >= _CHECKED_RELU and y.is_cpu and not torch.compiler.is_compiling():
            # the fused threshold_backward (grad where y > 0, else 0) in one pass, unless an
            # entry is NaN, where it passes grad through: a sum of entries >= 0 is NaN only
            # then, and on the CPU its host read costs less than the passes below
            with torch.no_grad():
                clean = not math.isnan(float(y.sum()))
            if clean:
                return torch.ops.aten.threshold_backward(grad, y, 0)
        # ceil(y) at most 1: 1 where y > 0, 0 at 0 and NaN at NaN (torch's sign(NaN) is 0);
        # ceil's derivative is 0, as ReLU's second derivative is
        return grad * y.ceil().clamp_max_(1)


_CHECKED_RELU = 1 << 14  # entries from which one host read beats two more passes (CPU)


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


def _sigmoid_value(w: torch.Tensor) -> torch.Tensor:
    r""":math:`\sigma(w)`: ``torch.sigmoid`` (:math:`1/(1 + e^{-w})` in one fused pass, a few
    ulps wherever :math:`e^{-w}` is finite) and :math:`e^{w}` where :math:`e^{-w}` overflows
    (the built-in gives 0 there)."""
    y = torch.sigmoid(w)
    far = _far_left(w)
    return y if far is None else torch.where(far, torch.exp(w), y)


def _logistic_gradient(w: torch.Tensor, grad: torch.Tensor, scale: float) -> torch.Tensor:
    r"""``grad`` times :math:`s^2 t (1 - t)` with :math:`t = \sigma(-s|w|) \in (0, \frac12]`:
    the derivative of :math:`\sigma` (:math:`s = 1`) and of :math:`\tanh w = 2\sigma(2w) - 1`
    (:math:`s = 2`), both even. ``torch``'s fused ``sigmoid_backward`` on :math:`t` rather
    than on :math:`\sigma(sw)`, whose :math:`1 - \sigma` loses every digit where
    :math:`\sigma` rounds to 1: :math:`t \le \frac12` makes :math:`1 - t` exact or within
    half an ulp, and :math:`t(1 - t)` at most :math:`\frac14`. Where :math:`e^{s|w|}`
    overflows (``torch.sigmoid`` would give :math:`t = 0`, not the subnormal
    :math:`e^{-s|w|}`), :math:`s^2 e^{-s|w|}`, to within a factor :math:`1 + e^{-s|w|}`."""
    a = w.abs()
    far, high = None, math.log(torch.finfo(w.dtype).max) / scale
    if a.numel() and has_values(a) and not float(a.amax()) <= high:  # NaN: look entrywise
        far = a > high
    out = torch.ops.aten.sigmoid_backward(grad, a.mul_(-scale).sigmoid_())
    if scale != 1:
        out.mul_(scale * scale)
    if far is None:
        return out
    return torch.where(far, grad * torch.exp(-scale * w.abs()) * (scale * scale), out)


def _sigmoid_gradient(w: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    return _logistic_gradient(w, grad, 1.0)


def _tanh_gradient(w: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    return _logistic_gradient(w, grad, 2.0)


def _tanh_value(w: torch.Tensor) -> torch.Tensor:
    r""":math:`\tanh w` by ``torch.tanh`` (within an ulp, odd, :math:`\pm 1` at
    :math:`\pm\infty`)."""
    return torch.tanh(w)


class _Smooth(torch.autograd.Function):
    """An elementwise function evaluated in the computing dtype and rounded once. Its backward
    takes ``gradient`` (the incoming gradient times the derivative, from the input alone), or,
    where autograd records the backward (double backward), the differentiable formula
    ``derivative`` of the input."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, value, gradient, derivative):
        ctx.gradient, ctx.derivative = gradient, derivative
        ctx.save_for_backward(x)
        return value(x.to(opmath_dtype(x.dtype))).to(x.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (x,) = ctx.saved_tensors
        w = x.to(opmath_dtype(x.dtype))
        if _recorded(x) or _recorded(grad):
            return (grad.to(w.dtype) * ctx.derivative(w)).to(x.dtype), None, None, None
        return ctx.gradient(w, grad.to(w.dtype)).to(x.dtype), None, None, None


def _without_graph(x: torch.Tensor, value) -> torch.Tensor:
    """``value`` of ``x`` in the computing dtype, rounded once; no autograd.Function (whose
    call alone costs several times a small built-in call) when no gradient is recorded."""
    return in_dtype(value(in_compute_dtype(x)), x.dtype)


def _sigmoid(x: torch.Tensor) -> torch.Tensor:
    if not (x.requires_grad and torch.is_grad_enabled()):
        return _without_graph(x, _sigmoid_value)
    return _Smooth.apply(x, _sigmoid_value, _sigmoid_gradient, _sigmoid_derivative)


def _tanh(x: torch.Tensor) -> torch.Tensor:
    if not (x.requires_grad and torch.is_grad_enabled()):
        return _without_graph(x, _tanh_value)
    return _Smooth.apply(x, _tanh_value, _tanh_gradient, _tanh_derivative)
