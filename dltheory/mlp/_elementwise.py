r"""Elementwise activations of :mod:`dltheory.mlp.reference` as autograd functions: ReLU
with the left derivative at 0, and sigmoid and tanh evaluated in the computing dtype (rounded
once) with derivatives that keep their relative accuracy over the whole range."""

from __future__ import annotations

import math

import torch

from dltheory.core.validation import has_values, opmath_dtype


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


def _sigmoid_value(w: torch.Tensor) -> torch.Tensor:
    y = torch.exp(-w).add_(1).reciprocal_()  # 1 / (1 + e^{-x}): a few ulps wherever finite
    # far left of 0, e^{-x} overflows and the quotient collapses to 0 although sigma(x) ~ e^x
    # is still a (subnormal) number: there take e^x, which is sigma(x) to within e^{2x}
    low = -math.log(torch.finfo(w.dtype).max)
    if w.numel() and has_values(w) and bool(w.amin() < low):
        y = torch.where(w < low, torch.exp(w), y)
    return y


def _tanh_value(w: torch.Tensor) -> torch.Tensor:
    m = torch.expm1(w.abs().mul_(-2))  # e^{-2|x|} - 1 in [-1, 0], exact near 0
    return m.div_(m + 2).neg_().copysign_(w)  # (1 - e^{-2|x|}) / (1 + e^{-2|x|}), odd


class _Smooth(torch.autograd.Function):
    """An elementwise function evaluated in the computing dtype and rounded once, whose
    backward multiplies by its derivative evaluated from the input (differentiable, so that
    double backward works)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, value, derivative):
        ctx.derivative = derivative
        ctx.save_for_backward(x)
        return value(x.to(opmath_dtype(x.dtype))).to(x.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (x,) = ctx.saved_tensors
        t = opmath_dtype(x.dtype)
        return (grad.to(t) * ctx.derivative(x.to(t))).to(x.dtype), None, None


def _sigmoid(x: torch.Tensor) -> torch.Tensor:
    return _Smooth.apply(x, _sigmoid_value, _sigmoid_derivative)


def _tanh(x: torch.Tensor) -> torch.Tensor:
    return _Smooth.apply(x, _tanh_value, _tanh_derivative)
