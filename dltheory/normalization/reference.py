r"""Reference implementations for batch normalization, layer normalization and residual blocks
(section 8 of the notes).

Written from the formulas: the statistics are ours (the corrected two-pass algorithm of
:mod:`dltheory.normalization._statistics`), and the only built-in normalization kernel used is
``torch.native_layer_norm``, which :func:`layer_norm` hands the rows whose mean lies within
their spread, and for the others the deviations from the rounded mean (exact, with a mean
that is only the mean's rounding error); ``F.batch_norm`` is never called. mpmath is the
independent oracle of the claims; ``F.batch_norm`` is compared with as well, and
``F.layer_norm`` in float32 (in float64 it is, on ordinary rows, the kernel
:func:`layer_norm` calls). Conventions follow ``torch.nn.functional``:

* :func:`batch_norm` takes ``x`` of shape ``(N, C)`` (a fully connected layer: one statistic
  per feature) or ``(N, C, d_1, ..., d_k)`` (a convolutional layer: one statistic per channel,
  over ``N`` and every spatial position); the scale and shift have shape ``(C,)``. It never
  updates running statistics in place: it *returns* the new ones.
* :func:`layer_norm` normalizes each example over its trailing ``normalized_shape``
  dimensions.
* :func:`residual_block` is the basic ResNet block: two "same" convolutions with batch
  normalization, plus a shortcut (the identity, or a :math:`1 \times 1` convolution).

Every function keeps the caller's dtype and device, never mutates its inputs, and is
differentiable with respect to every floating-point tensor argument. float16 and bfloat16
inputs are computed in float32 and rounded once at the end. Statistics are computed in two
corrected passes (the mean, then the deviations from it, whose mean is the first's rounding
error, and their squares), which keeps every output accurate to a few eps of itself when the
mean is large compared with the spread; when a statistic overflows, the slice is rescaled by a
power of two and normalized again, so the output is finite for every finite input.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

from dltheory.core.validation import (
    check_floating,
    check_int,
    check_real,
    check_same_device,
    has_values,
    in_dtype,
    opmath_dtype,
)
from dltheory.normalization._statistics import (
    _affine,
    _centered_layer_norm,
    _pow2_scale,
    _standardize,
)

__all__ = ["batch_norm", "layer_norm", "residual_block"]


class BatchNormOutput(NamedTuple):
    """What :func:`batch_norm` returns: the output and the running statistics after the call
    (new tensors in training mode, the given ones in evaluation mode, ``None`` if none were
    given)."""

    output: torch.Tensor
    running_mean: torch.Tensor | None
    running_var: torch.Tensor | None


def _check_param(name: str, p: object, shape: tuple[int, ...], x: torch.Tensor) -> None:
    """``p`` must be ``None`` or a floating tensor of exactly ``shape`` on ``x``'s device."""
    if p is None:
        return
    if not isinstance(p, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor or None, got {type(p).__name__}")
    if not p.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {p.dtype}")
    if tuple(p.shape) != shape:
        raise ValueError(f"{name} must have shape {shape}, got {tuple(p.shape)}")
    check_same_device(name, p, "x", x)


def batch_norm(
    x: torch.Tensor,
    gamma: torch.Tensor | None = None,
    beta: torch.Tensor | None = None,
    eps: float = 1e-5,
    training: bool = True,
    running_mean: torch.Tensor | None = None,
    running_var: torch.Tensor | None = None,
    momentum: float = 0.1,
) -> BatchNormOutput:
    r"""Batch normalization, per feature or per channel.

    In training mode, with :math:`\mathcal{B}` the values of one channel across the batch
    (and every spatial position),

    .. math:: \mathrm{BN}(\mathbf{x}) = \boldsymbol{\gamma} \odot
        \frac{\mathbf{x} - \hat{\boldsymbol{\mu}}_\mathcal{B}}
        {\hat{\boldsymbol{\sigma}}_\mathcal{B}}
        + \boldsymbol{\beta}, \qquad
        \hat{\boldsymbol{\mu}}_\mathcal{B} = \frac{1}{|\mathcal{B}|}\sum_{\mathbf{x}\in\mathcal{B}}
        \mathbf{x}, \qquad
        \hat{\boldsymbol{\sigma}}^2_\mathcal{B} = \frac{1}{|\mathcal{B}|}
        \sum_{\mathbf{x}\in\mathcal{B}} (\mathbf{x} - \hat{\boldsymbol{\mu}}_\mathcal{B})^2
        + \epsilon,

    and the running statistics become :math:`(1 - m)\,\bar\mu + m\,\hat\mu_\mathcal{B}` and
    :math:`(1 - m)\,\bar\sigma^2 + m\,\frac{|\mathcal{B}|}{|\mathcal{B}| - 1}
    (\hat\sigma^2_\mathcal{B} - \epsilon)` (the unbiased variance, as ``torch.nn.BatchNorm``
    stores it). In evaluation mode the running statistics replace the batch's:
    :math:`\boldsymbol{\gamma} \odot (\mathbf{x} - \bar\mu)/\sqrt{\bar\sigma^2 + \epsilon}
    + \boldsymbol{\beta}`, a fixed affine map of each example.

    NaN and inf: a NaN or infinite value in a channel makes that channel's batch statistics,
    its whole output and its new running statistics NaN (other channels are unaffected); in
    evaluation mode they stay per element. Finite inputs always give finite outputs.

    Args:
        x: ``(N, C)`` or ``(N, C, d_1, ..., d_k)``, floating point.
        gamma: scale, shape ``(C,)``; ``None`` means 1.
        beta: shift, shape ``(C,)``; ``None`` means 0.
        eps: :math:`\epsilon > 0`, added to the variance.
        training: use the batch statistics (and return updated running statistics) or the
            running ones.
        running_mean, running_var: shape ``(C,)``, both or neither; required when
            ``training=False``. Never modified.
        momentum: :math:`m \in [0, 1]`, the weight of the new batch in the running averages.

    Returns:
        :class:`BatchNormOutput` ``(output, running_mean, running_var)``: the output in
        ``x``'s shape, dtype and device; in training, new running statistics (``None`` when
        none were given); in evaluation, the given running statistics.

    Raises:
        TypeError: ``x``, ``gamma``, ``beta`` or the running statistics are not floating
            tensors; ``training`` is not a bool; ``eps`` or ``momentum`` is not a number.
        ValueError: ``x`` has fewer than 2 dimensions or an empty dimension; a parameter's
            shape is not ``(C,)``; ``eps <= 0``; ``momentum`` outside ``[0, 1]``; only one
            running statistic given, or none with ``training=False``; a single value per
            channel in training mode (a batch of one: its output would be ``beta``
            whatever ``x`` is); tensors on different devices.

    Example:
        >>> out, mean, var = batch_norm(
        ...     torch.tensor([[1.0], [3.0]]),
        ...     running_mean=torch.zeros(1),
        ...     running_var=torch.ones(1),
        ... )
        >>> out.squeeze(1), mean, var
        (tensor([-1.0000,  1.0000]), tensor([0.2000]), tensor([1.1000]))
    """
    check_floating("x", x)
    if x.dim() < 2:
        raise ValueError(f"x must have shape (N, C, ...) with at least 2 dimensions, got {x.dim()}")
    if 0 in x.shape:
        raise ValueError(f"x has an empty dimension (shape {tuple(x.shape)})")
    channels = x.shape[1]
    _check_param("gamma", gamma, (channels,), x)
    _check_param("beta", beta, (channels,), x)
    eps = check_real("eps", eps, low=0.0, low_open=True)
    momentum = check_real("momentum", momentum, low=0.0, high=1.0)
    if not isinstance(training, bool):
        raise TypeError(f"training must be a bool, got {type(training).__name__}")
    if (running_mean is None) != (running_var is None):
        missing = "running_var" if running_var is None else "running_mean"
        raise ValueError(f"{missing} is missing: pass both running statistics or neither")
    _check_param("running_mean", running_mean, (channels,), x)
    _check_param("running_var", running_var, (channels,), x)
    count = x.numel() // channels
    if training and count < 2:
        raise ValueError(
            f"x has a single value per channel (shape {tuple(x.shape)}): in training mode a "
            "batch of one normalizes every input to beta; pass at least two values per channel"
        )
    if not training and running_mean is None:
        raise ValueError("running_mean and running_var are required when training=False")

    t = opmath_dtype(x.dtype)
    x3 = in_dtype(x, t).reshape(x.shape[0], channels, -1)
    shape3 = (1, channels, 1)
    g = None if gamma is None else in_dtype(gamma, t).reshape(shape3)
    b = None if beta is None else in_dtype(beta, t).reshape(shape3)
    if training:
        d, delta, r, mean, var = _standardize(x3, (0, 2), count, eps)
    else:
        assert running_mean is not None and running_var is not None
        d = x3 - running_mean.to(t).reshape(shape3)
        r = torch.rsqrt(running_var.to(t).reshape(shape3) + eps)
        delta = d.new_zeros(())
    output = _affine(d, delta, r, g, b).reshape(x.shape).to(x.dtype)

    if not training or running_mean is None:
        return BatchNormOutput(output, running_mean, running_var)
    assert running_var is not None
    with torch.no_grad():
        rt = opmath_dtype(running_mean.dtype)
        # (1 - m) mu + m mu_B and (1 - m) var + m n/(n - 1) var_B, each m-term one fused step
        new_mean = (in_dtype(running_mean, rt) * (1 - momentum)).add_(
            in_dtype(mean.detach().reshape(channels), rt), alpha=momentum
        )
        new_var = (in_dtype(running_var, rt) * (1 - momentum)).add_(
            in_dtype(var.detach().reshape(channels), rt), alpha=momentum * count / (count - 1)
        )
    return BatchNormOutput(
        output, in_dtype(new_mean, running_mean.dtype), in_dtype(new_var, running_var.dtype)
    )


def _normalized_shape(normalized_shape: object, x: torch.Tensor) -> tuple[int, ...]:
    if isinstance(normalized_shape, int) and not isinstance(normalized_shape, bool):
        shape: tuple[int, ...] = (normalized_shape,)
    elif isinstance(normalized_shape, list | tuple | torch.Size):
        shape = tuple(normalized_shape)
    else:
        raise TypeError(
            "normalized_shape must be an int or a sequence of ints, got "
            f"{type(normalized_shape).__name__}"
        )
    for side in shape:
        check_int("normalized_shape", side, minimum=1)
    if not shape or tuple(x.shape[x.dim() - len(shape) :]) != shape or len(shape) > x.dim():
        raise ValueError(
            f"normalized_shape {shape} must be nonempty and match the trailing dimensions of "
            f"x (shape {tuple(x.shape)})"
        )
    return shape


def layer_norm(
    x: torch.Tensor,
    normalized_shape: int | tuple[int, ...] | list[int] | torch.Size,
    gamma: torch.Tensor | None = None,
    beta: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> torch.Tensor:
    r"""Layer normalization: each example standardized over its own trailing dimensions.

    .. math:: \mathrm{LN}(\mathbf{x}) = \boldsymbol{\gamma} \odot
        \frac{\mathbf{x} - \mu}{\sqrt{\sigma^2 + \epsilon}} + \boldsymbol{\beta}, \qquad
        \mu = \frac{1}{D}\sum_{i=1}^{D} x_i, \qquad
        \sigma^2 = \frac{1}{D}\sum_{i=1}^{D} (x_i - \mu)^2,

    where the :math:`D` entries are those of the trailing ``normalized_shape`` dimensions.
    Unlike :func:`batch_norm` it uses no other example of the batch, so training and
    evaluation agree and a batch of one is fine.

    The fused ``torch.native_layer_norm`` computes each row whose mean lies within its
    spread (:math:`|\mu| \le \sigma`, from the kernel's own statistics); there its rounding
    of the mean costs at most about half an eps of each output. A row whose mean lies farther
    above its spread, where the kernel on :math:`\mathbf{x}` is off by about
    :math:`\varepsilon|\mu|/\sigma`, is centered on its rounded mean and the deviations
    handed to the kernel instead: they are exact, and their mean (the rounding error of the
    first) is small against their spread, so every output is within a few eps of itself.
    The output does not depend on that shift, so the gradient, and the second derivatives,
    are the kernel's own backward passes. A row whose statistics overflow (or that holds NaN
    or inf) is computed by the corrected two-pass algorithm of :func:`batch_norm` instead,
    rescaled by a power of two; every row's result is the same whatever the other rows are.

    NaN and inf: a NaN or infinite entry makes its own example's output NaN (every entry of
    that slice); other examples are unaffected. Finite inputs always give finite outputs.

    Args:
        x: floating point, shape ``(*, *normalized_shape)``.
        normalized_shape: the trailing dimensions to normalize over (an int for the last one).
        gamma: scale of shape ``normalized_shape``; ``None`` means 1.
        beta: shift of shape ``normalized_shape``; ``None`` means 0.
        eps: :math:`\epsilon > 0`, added to the variance.

    Returns:
        A tensor of ``x``'s shape, dtype and device.

    Raises:
        TypeError: ``x``, ``gamma`` or ``beta`` is not a floating tensor; ``normalized_shape``
            is not an int or a sequence of ints; ``eps`` is not a number.
        ValueError: ``normalized_shape`` is empty, has a side < 1 or does not match ``x``'s
            trailing dimensions; ``gamma``/``beta`` have another shape; ``eps <= 0``;
            tensors on different devices.

    Example:
        >>> layer_norm(torch.tensor([[1.0, 3.0], [10.0, 10.0]]), 2, eps=1e-12)
        tensor([[-1.,  1.],
                [ 0.,  0.]])
    """
    check_floating("x", x)
    shape = _normalized_shape(normalized_shape, x)
    _check_param("gamma", gamma, shape, x)
    _check_param("beta", beta, shape, x)
    eps = check_real("eps", eps, low=0.0, low_open=True)
    t = opmath_dtype(x.dtype)
    size = math.prod(shape)
    x2 = x.reshape(-1, size)
    g = None if gamma is None else gamma.to(t).reshape(size)
    b = None if beta is None else beta.to(t).reshape(size)
    out, usable = _centered_layer_norm(x2, size, g, b, eps, t)
    if usable is not None:  # a statistic overflowed, or a slice holds NaN or inf: those rows
        rows = (~usable).squeeze(1).nonzero().squeeze(1)
        d, delta, r, _, _ = _standardize(x2.index_select(0, rows).to(t), (1,), size, eps)
        out = out.index_put((rows,), _affine(d, delta, r, g, b))
    return out.reshape(x.shape).to(x.dtype)


def _check_conv_weight(name: str, w: object, x: torch.Tensor) -> torch.Tensor:
    if not isinstance(w, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(w).__name__}")
    if not w.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {w.dtype}")
    if w.dim() != 4 or w.shape[2] != w.shape[3] or w.shape[2] % 2 == 0 or 0 in w.shape:
        raise ValueError(
            f"{name} must have shape (out_channels, in_channels / groups, k, k) with an odd k, "
            f"got {tuple(w.shape)}"
        )
    check_same_device(name, w, "x", x)
    return w


def residual_block(
    x: torch.Tensor,
    weight1: torch.Tensor,
    weight2: torch.Tensor,
    *,
    gamma1: torch.Tensor | None = None,
    beta1: torch.Tensor | None = None,
    gamma2: torch.Tensor | None = None,
    beta2: torch.Tensor | None = None,
    shortcut_weight: torch.Tensor | None = None,
    shortcut_bias: torch.Tensor | None = None,
    stride: int = 1,
    groups: int = 1,
    eps: float = 1e-5,
) -> torch.Tensor:
    r"""The basic residual block of ResNet: :math:`\operatorname{ReLU}(f(\mathbf{x}) +
    \operatorname{shortcut}(\mathbf{x}))`.

    .. math:: f(\mathbf{x}) = \mathrm{BN}_2\bigl(W_2 \star
        \operatorname{ReLU}(\mathrm{BN}_1(W_1 \star_s \mathbf{x}))\bigr)

    with "same" padding :math:`(k - 1)/2` for the :math:`k \times k` kernels (:math:`k` odd),
    stride :math:`s` in the first convolution, batch normalization with batch statistics
    (training mode) and no convolution biases (batch normalization removes them). The
    shortcut is the identity, or the :math:`1 \times 1` convolution ``shortcut_weight`` with
    stride :math:`s` when the shape changes. ``groups`` splits both :math:`k \times k`
    convolutions into that many independent channel groups (the ResNeXt variant).

    NaN and inf: a NaN or infinite input reaches, through the batch statistics, every output
    of the channels it feeds. Finite inputs give finite outputs, also where a :math:`k \times
    k` convolution overflows (its operands are then rescaled by powers of two, which the batch
    normalization after it does not see); the :math:`1 \times 1` shortcut is computed as it
    is, so where its sums overflow the output is :math:`\pm\infty` (or NaN, from
    :math:`\infty - \infty`).

    Args:
        x: ``(N, C_in, H, W)``, floating point.
        weight1: ``(C_out, C_in / groups, k, k)``.
        weight2: ``(C_out, C_out / groups, k, k)``.
        gamma1, beta1, gamma2, beta2: batch-norm scales and shifts, shape ``(C_out,)``.
        shortcut_weight: ``(C_out, C_in, 1, 1)``, or ``None`` for the identity (needs
            ``C_in == C_out`` and ``stride == 1``).
        shortcut_bias: ``(C_out,)`` bias of the :math:`1 \times 1` convolution.
        stride: stride of the first convolution and of the shortcut, at least 1.
        groups: number of channel groups of the :math:`k \times k` convolutions.
        eps: batch-norm :math:`\epsilon > 0`.

    Returns:
        ``(N, C_out, \lfloor (H - 1)/s \rfloor + 1, \lfloor (W - 1)/s \rfloor + 1)`` in
        ``x``'s dtype and device.

    Raises:
        TypeError: a tensor argument is not a floating tensor; ``stride`` or ``groups`` is
            not an int.
        ValueError: ``x`` is not 4-D; a weight's shape does not fit ``x``, ``groups`` or the
            other weight; the identity shortcut with a change of shape; ``stride < 1``;
            ``groups < 1``; ``eps <= 0``; a single value per channel; different devices.

    Example:
        >>> x = torch.ones(2, 1, 3, 3)
        >>> residual_block(x, torch.ones(1, 1, 3, 3), torch.zeros(1, 1, 3, 3)).shape
        torch.Size([2, 1, 3, 3])
    """
    check_floating("x", x)
    if x.dim() != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {tuple(x.shape)}")
    stride = check_int("stride", stride, minimum=1)
    groups = check_int("groups", groups, minimum=1)
    eps = check_real("eps", eps, low=0.0, low_open=True)
    w1 = _check_conv_weight("weight1", weight1, x)
    w2 = _check_conv_weight("weight2", weight2, x)
    c_in, c_out = x.shape[1], w1.shape[0]
    if c_in % groups or c_out % groups or w1.shape[1] * groups != c_in:
        raise ValueError(
            f"weight1 of shape {tuple(w1.shape)} does not fit x with {c_in} channels in "
            f"{groups} group(s): expected ({c_out}, {c_in // groups}, k, k), both channel "
            "counts divisible by groups"
        )
    if w2.shape[0] != c_out or w2.shape[1] * groups != c_out:
        raise ValueError(
            f"weight2 must have shape ({c_out}, {c_out // groups}, k, k), got {tuple(w2.shape)}"
        )
    for name, p in (("gamma1", gamma1), ("beta1", beta1), ("gamma2", gamma2), ("beta2", beta2)):
        _check_param(name, p, (c_out,), x)
    if shortcut_weight is None:
        if c_in != c_out or stride != 1:
            raise ValueError(
                f"the identity shortcut needs C_in == C_out and stride 1 (got {c_in} -> "
                f"{c_out}, stride {stride}); pass shortcut_weight, a 1x1 convolution"
            )
        if shortcut_bias is not None:
            raise ValueError("shortcut_bias needs shortcut_weight (the identity has no bias)")
    else:
        _check_param("shortcut_weight", shortcut_weight, (c_out, c_in, 1, 1), x)
        _check_param("shortcut_bias", shortcut_bias, (c_out,), x)

    t = opmath_dtype(x.dtype)
    work = x.to(t)

    def bn(y: torch.Tensor, gamma, beta, eps: float | torch.Tensor) -> torch.Tensor:
        count = y.numel() // y.shape[1]
        if count < 2:
            raise ValueError(
                f"x of shape {tuple(x.shape)} leaves a single value per channel after the "
                "first convolution; batch statistics need at least two"
            )
        y3 = y.reshape(y.shape[0], y.shape[1], -1)
        d, delta, r, _, _ = _standardize(y3, (0, 2), count, eps)
        g = None if gamma is None else gamma.to(t).reshape(1, -1, 1)
        b = None if beta is None else beta.to(t).reshape(1, -1, 1)
        return _affine(d, delta, r, g, b).reshape(y.shape)

    def conv(inp: torch.Tensor, w: torch.Tensor, **kw) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(conv2d(inp * c1, w * c2), c1 * c2)``: unscaled (``None``) unless the convolution
        of finite operands overflows; then both are scaled by powers of two (exact) to at most
        1 in magnitude, so that no sum can overflow."""
        y = F.conv2d(inp, w, **kw)
        if not has_values(y) or bool(torch.isfinite(y).all()):
            return y, None
        a_in, a_w = inp.detach().abs().amax(), w.detach().abs().amax()
        if not bool(torch.isfinite(a_in) & torch.isfinite(a_w)):
            return y, None  # a non-finite operand: its NaN stands
        s_in, s_w = _pow2_scale(a_in), _pow2_scale(a_w)
        return F.conv2d(inp * s_in, w * s_w, **kw), s_in * s_w

    def conv_bn(inp: torch.Tensor, w: torch.Tensor, gamma, beta, **kw) -> torch.Tensor:
        # batch normalization of c y with eps c^2 is that of y with eps: the scale drops out
        y, c = conv(inp, w, **kw)
        scaled_eps = eps if c is None else (eps * c * c).clamp_min(torch.finfo(t).tiny)
        return bn(y, gamma, beta, scaled_eps)

    # every stride >= max(H, W) samples position 0 alone: the same result, and a stride torch
    # can hold (a huge int is an error there)
    stride = min(stride, max(x.shape[2], x.shape[3], 1))
    k1, k2 = w1.shape[2] // 2, w2.shape[2] // 2
    y = torch.relu(conv_bn(work, w1.to(t), gamma1, beta1, stride=stride, padding=k1, groups=groups))
    y = conv_bn(y, w2.to(t), gamma2, beta2, padding=k2, groups=groups)
    if shortcut_weight is None:
        skip = work
    else:
        bias = None if shortcut_bias is None else shortcut_bias.to(t)
        skip = F.conv2d(work, shortcut_weight.to(t), bias, stride=stride)
    return torch.relu(y + skip).to(x.dtype)
