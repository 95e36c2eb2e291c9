r"""Reference implementations for convolutional networks (section 7 of the notes).

Written from the formulas, not by calling ``torch.nn.functional.conv2d`` or the pooling
functions, so that those built-ins (and SciPy's ``signal.correlate2d`` / ``convolve2d``) can
serve as independent oracles.

* :func:`corr2d` — the two-dimensional cross-correlation a convolutional layer computes
  (``Y[i, j] = sum_{a, b} X[i + a, j + b] K[a, b]``), gathered window by window;
* :func:`convolve2d` — the convolution of the mathematicians (``sum_{a, b} K[a, b]
  X[i - a, j - b]``), accumulated kernel entry by kernel entry (a different algorithm from
  :func:`corr2d`, so that the two can check each other);
* :func:`conv2d` — a convolutional layer with several input and output channels, stride,
  padding and dilation, NCHW, as im2col + one matrix product;
* :func:`conv_output_shape` — the output size :math:`\lfloor (n + 2p - d(k-1) - 1)/s
  \rfloor + 1`;
* :func:`pool2d` — maximum and average pooling.

Every tensor function keeps the caller's dtype and device and never mutates its inputs;
float16 and bfloat16 are computed in float32 and rounded once. Every tensor function is
differentiable (twice) with respect to each tensor argument. ``padding`` means zeros added
on *each* side, as in torch (the notes' :math:`p_h` is the total, :math:`2 \times` padding).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F

from dltheory.core.validation import (
    check_int,
    check_same_device,
    check_same_dtype,
    describe,
    opmath_dtype,
)

__all__ = ["conv2d", "conv_output_shape", "convolve2d", "corr2d", "pool2d"]

IntPair = int | tuple[int, int]


def _pair(name: str, value: object, minimum: int) -> tuple[int, int]:
    """An int or a sequence of two ints, each at least ``minimum``, as a pair."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return (
            check_int(f"{name}[0]", value[0], minimum=minimum),
            check_int(f"{name}[1]", value[1], minimum=minimum),
        )
    number = check_int(name, value, minimum=minimum)
    return number, number


def _check_floating(name: str, x: object, min_dim: int, exact_dim: bool = False) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if (x.dim() != min_dim) if exact_dim else (x.dim() < min_dim):
        what = f"{min_dim}-D" if exact_dim else f"at least {min_dim}-D"
        raise ValueError(f"{name} must be {what}, got shape {tuple(x.shape)}")
    return x


def _check_fits(
    size: tuple[int, int],
    kernel: tuple[int, int],
    dilation: tuple[int, int],
    what: str,
    names: str,
) -> None:
    """The (dilated) kernel must fit inside the (padded) input in both dimensions; ``names``
    are the arguments that set the sizes, for the message."""
    for axis, n, k, d in zip(("height", "width"), size, kernel, dilation, strict=True):
        span = d * (k - 1) + 1
        if span > n:
            raise ValueError(
                f"kernel {axis} {describe(k)}"
                + (f" (dilated to {describe(span)})" if d > 1 else "")
                + f" is larger than the {what} {axis} {describe(n)} (arguments: {names}"
                + (", dilation)" if d > 1 else ")")
            )


#: the largest size a tensor dimension (or a slice step) can have
_INDEX_MAX = torch.iinfo(torch.int64).max


def _check_padded(size: tuple[int, int], padding: tuple[int, int]) -> tuple[int, int]:
    """The padded input's size, which must fit in a tensor dimension."""
    padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1])
    if max(padded) > _INDEX_MAX:
        raise ValueError(
            f"padding {describe(max(padding))} makes the padded input larger than a tensor "
            f"dimension can be ({_INDEX_MAX})"
        )
    return padded


def _clamp_stride(stride: tuple[int, int], padded: tuple[int, int]) -> tuple[int, int]:
    """A stride of at least the padded size gives one output position, as that size does
    (and keeps slice steps within int64)."""
    return (min(stride[0], padded[0]), min(stride[1], padded[1]))


def conv_output_shape(
    n: IntPair, k: IntPair, padding: IntPair = 0, stride: IntPair = 1, dilation: IntPair = 1
) -> int | tuple[int, int]:
    r"""Output size of a convolution or pooling window sliding over an input.

    .. math:: \left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1

    for input size :math:`n`, kernel size :math:`k`, padding :math:`p` on each side, stride
    :math:`s` and dilation :math:`d`. With :math:`d = 1` and the total padding :math:`p_h =
    2p` this is the notes' :math:`\lfloor (n_h - k_h + p_h + s_h)/s_h \rfloor`.

    NaN and inf: not applicable (integer sizes only).

    Args:
        n: input size :math:`\ge 1` (an int, or a pair (height, width)).
        k: kernel size :math:`\ge 1`.
        padding: zeros added on each side, :math:`\ge 0`.
        stride: :math:`\ge 1`.
        dilation: spacing of the kernel's taps, :math:`\ge 1`.

    Returns:
        An int, or a pair when any argument is a pair.

    Raises:
        TypeError: an argument is not an int (or a pair of ints).
        ValueError: an argument is below its minimum, or the dilated kernel
            :math:`d(k - 1) + 1` is larger than the padded input :math:`n + 2p`.

    Example:
        >>> conv_output_shape(224, 3, padding=1, stride=2)
        112
        >>> conv_output_shape((8, 6), (3, 2))
        (6, 5)
    """
    args = (n, k, padding, stride, dilation)
    pairs = [
        _pair(name, value, minimum)
        for name, value, minimum in zip(
            ("n", "k", "padding", "stride", "dilation"), args, (1, 1, 0, 1, 1), strict=True
        )
    ]
    (nh, nw), (kh, kw), (ph, pw), (sh, sw), (dh, dw) = pairs
    _check_fits((nh + 2 * ph, nw + 2 * pw), (kh, kw), (dh, dw), "padded input", "k, padding")
    out = ((nh + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (nw + 2 * pw - dw * (kw - 1) - 1) // sw + 1)
    if any(isinstance(a, Sequence) for a in args):
        return out
    return out[0]


def _taps(x: torch.Tensor, kernel, stride, dilation) -> torch.Tensor:
    """im2col: ``(*, c, k_h * k_w, o_h, o_w)``, the input under each kernel tap, stacked
    (each tap is a strided slice whose rows are copied whole)."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    h, w = x.shape[-2:]
    oh, ow = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
    taps = [
        x[..., a * dh : a * dh + sh * (oh - 1) + 1 : sh, b * dw : b * dw + sw * (ow - 1) + 1 : sw]
        for a in range(kh)
        for b in range(kw)
    ]
    return torch.stack(taps, dim=-3)


def corr2d(input: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    r"""Two-dimensional cross-correlation of the last two dimensions with one kernel.

    .. math:: Y_{i,j} = \sum_{a=0}^{k_h - 1}\sum_{b=0}^{k_w - 1} X_{i + a,\, j + b}\,K_{a,b},
        \qquad Y \in \mathbb{R}^{(n_h - k_h + 1) \times (n_w - k_w + 1)}

    This is what a convolutional layer computes (and what ``torch.nn.functional.conv2d``
    does); the convolution of the mathematicians flips the kernel (:func:`convolve2d`).

    NaN and inf: propagate through the windows that contain them (:math:`0 \cdot \infty` is
    NaN).

    Args:
        input: :math:`X`, floating tensor of shape ``(*, n_h, n_w)`` (leading dimensions are a
            batch).
        kernel: :math:`K`, shape ``(k_h, k_w)``, same dtype and device, no larger than
            :math:`X`.

    Returns:
        :math:`Y`, shape ``(*, n_h - k_h + 1, n_w - k_w + 1)``, in ``input``'s dtype and device.

    Raises:
        TypeError: not floating-point tensors, or different dtypes.
        ValueError: ``input`` has fewer than 2 dimensions, ``kernel`` is not 2-D, the kernel
            is larger than the input, or the tensors are on different devices.

    Example:
        >>> X = torch.arange(9.0).reshape(3, 3)
        >>> corr2d(X, torch.tensor([[0.0, 1.0], [2.0, 3.0]]))
        tensor([[19., 25.],
                [37., 43.]])
    """
    _check_floating("input", input, 2)
    _check_floating("kernel", kernel, 2, exact_dim=True)
    check_same_dtype("kernel", kernel, "input", input)
    check_same_device("kernel", kernel, "input", input)
    size = (kernel.shape[0], kernel.shape[1])
    _check_fits((input.shape[-2], input.shape[-1]), size, (1, 1), "input", "kernel")
    t = opmath_dtype(input.dtype)
    taps = _taps(input.to(t), size, (1, 1), (1, 1))  # (*, k_h * k_w, o_h, o_w)
    return torch.einsum("...kij,k->...ij", taps, kernel.to(t).flatten()).to(input.dtype)


def convolve2d(
    input: torch.Tensor, kernel: torch.Tensor, mode: Literal["full", "valid"] = "full"
) -> torch.Tensor:
    r"""Two-dimensional convolution (the kernel flipped), as in mathematics and SciPy.

    .. math:: (K * X)_{i,j} = \sum_{a}\sum_{b} K_{a,b}\,X_{i - a,\, j - b}

    with :math:`X` zero outside its support. ``"full"`` returns every position where the two
    overlap, shape :math:`(n_h + k_h - 1) \times (n_w + k_w - 1)`, and is commutative:
    ``convolve2d(X, K) == convolve2d(K, X)``; ``"valid"`` only the positions where the kernel
    lies inside :math:`X`, shape :math:`(n_h - k_h + 1) \times (n_w - k_w + 1)`.

    Computed by accumulating :math:`K_{a,b}` times :math:`X` shifted by :math:`(a, b)`, one
    kernel entry at a time.

    NaN and inf: propagate to every output position they are shifted to.

    Args:
        input: :math:`X`, floating tensor ``(*, n_h, n_w)``.
        kernel: :math:`K`, ``(k_h, k_w)``, same dtype and device.
        mode: ``"full"`` or ``"valid"`` (which needs the kernel no larger than the input).

    Returns:
        The convolution in ``input``'s dtype and device.

    Raises:
        TypeError: not floating-point tensors, or different dtypes.
        ValueError: ``input`` has fewer than 2 dimensions, ``kernel`` is not 2-D, an unknown
            ``mode``, a kernel larger than the input with ``mode="valid"``, or tensors on
            different devices.

    Example:
        >>> convolve2d(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 10.0]]))
        tensor([[ 1., 12., 20.]])
    """
    _check_floating("input", input, 2)
    _check_floating("kernel", kernel, 2, exact_dim=True)
    check_same_dtype("kernel", kernel, "input", input)
    check_same_device("kernel", kernel, "input", input)
    if mode not in ("full", "valid"):
        raise ValueError(f"mode must be 'full' or 'valid', got {mode!r}")
    (nh, nw), (kh, kw) = input.shape[-2:], kernel.shape
    if mode == "valid":
        _check_fits((nh, nw), (kh, kw), (1, 1), "input", "kernel")
    t = opmath_dtype(input.dtype)
    x, k = input.to(t), kernel.to(t)
    out = x.new_zeros((*x.shape[:-2], nh + kh - 1, nw + kw - 1))
    for a in range(kh):
        for b in range(kw):
            # out[i, j] += K[a, b] X[i - a, j - b]
            out[..., a : a + nh, b : b + nw] = out[..., a : a + nh, b : b + nw] + k[a, b] * x
    if mode == "valid":
        out = out[..., kh - 1 : nh, kw - 1 : nw]
    return out.to(input.dtype)


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
) -> torch.Tensor:
    r"""A convolutional layer: multichannel cross-correlation plus bias, NCHW.

    .. math:: Y_{n,o,i,j} = b_o + \sum_{c=1}^{c_i}\sum_{a=0}^{k_h-1}\sum_{b=0}^{k_w-1}
        W_{o,c,a,b}\; \tilde X_{n,\,c,\; s_h i + d_h a,\; s_w j + d_w b}

    where :math:`\tilde X` is the input with ``padding`` zeros on each side. The weight has
    shape :math:`c_o \times c_i \times k_h \times k_w`; the output has
    ``conv_output_shape(n, k, padding, stride, dilation)`` rows and columns. Computed as
    im2col (the input under each kernel tap, stacked) followed by one batched matrix product;
    with stride 1 and at least 16 input channels, tap by tap without im2col (one matrix
    product per tap on a shifted view of the padded input).

    NaN and inf: propagate to the outputs whose windows contain them.

    Args:
        input: ``(N, c_i, n_h, n_w)`` floating tensor.
        weight: ``(c_o, c_i, k_h, k_w)``, same dtype and device.
        bias: ``(c_o,)`` or ``None``.
        stride, padding, dilation: ints or pairs (height, width); stride and dilation
            :math:`\ge 1`, padding :math:`\ge 0` (zeros on each side).

    Returns:
        ``(N, c_o, o_h, o_w)`` in ``input``'s dtype and device.

    Raises:
        TypeError: not floating-point tensors, different dtypes, or non-int hyperparameters.
        ValueError: ``input`` or ``weight`` not 4-D; channel counts that differ; ``bias`` of
            the wrong shape; stride or dilation < 1; padding < 0; a (dilated) kernel larger
            than the padded input; tensors on different devices.

    Example:
        >>> X = torch.ones(1, 2, 3, 3)
        >>> conv2d(X, torch.ones(4, 2, 2, 2), torch.arange(4.0), padding=1).shape
        torch.Size([1, 4, 4, 4])
    """
    _check_floating("input", input, 4, exact_dim=True)
    _check_floating("weight", weight, 4, exact_dim=True)
    if bias is not None:
        _check_floating("bias", bias, 1, exact_dim=True)
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None:
            check_same_dtype(name, tensor, "input", input)
            check_same_device(name, tensor, "input", input)
    if weight.shape[1] != input.shape[1]:
        raise ValueError(
            f"input has {input.shape[1]} channels but weight of shape {tuple(weight.shape)} "
            f"expects {weight.shape[1]} (weight is (c_o, c_i, k_h, k_w))"
        )
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise ValueError(
            f"bias must have shape ({weight.shape[0]},), one per output channel, "
            f"got {tuple(bias.shape)}"
        )
    s, p, d = (
        _pair("stride", stride, 1),
        _pair("padding", padding, 0),
        _pair("dilation", dilation, 1),
    )
    kernel = (weight.shape[2], weight.shape[3])
    padded = _check_padded((input.shape[2], input.shape[3]), p)
    _check_fits(padded, kernel, d, "padded input", "weight, padding")
    s = _clamp_stride(s, padded)
    t = opmath_dtype(input.dtype)
    x, w = input.to(t), weight.to(t)
    if s == (1, 1) and input.shape[1] >= _SHIFTED_MIN_CHANNELS:
        out = _conv_shifted(x, w, p, d)
    else:
        out = _conv_im2col(x, w, s, p, d)
    if bias is not None:
        out = out.add_(bias.to(t).reshape(1, -1, 1, 1))  # out is a fresh product
    return out.to(input.dtype)


#: from this many input channels on, a stride-1 convolution is computed tap by tap
_SHIFTED_MIN_CHANNELS = 16


def _conv_im2col(x: torch.Tensor, w: torch.Tensor, s, p, d) -> torch.Tensor:
    """im2col (the input under each kernel tap, stacked) and one batched matrix product."""
    if p != (0, 0):
        x = F.pad(x, (p[1], p[1], p[0], p[0]))
    n, c = x.shape[:2]
    kernel = (w.shape[2], w.shape[3])
    columns = _taps(x, kernel, s, d)  # (N, c_i, k_h * k_w, o_h, o_w)
    oh, ow = columns.shape[-2:]
    weights = w.reshape(w.shape[0], -1).expand(n, -1, -1)
    out = torch.bmm(weights, columns.reshape(n, c * kernel[0] * kernel[1], oh * ow))
    return out.reshape(n, w.shape[0], oh, ow)


def _conv_shifted(x: torch.Tensor, w: torch.Tensor, p, d) -> torch.Tensor:
    r"""Stride 1 without im2col: for each tap :math:`(a, b)`, one matrix product of
    :math:`W_{:,:,a,b}` with the padded input read from offset :math:`(da, db)` as a flat
    run of whole rows (a strided view, no copy), accumulated with ``baddbmm``. The run also
    covers the :math:`d(k_w - 1)` columns past each output row; they are cut off at the end
    (one extra zero row at the bottom keeps the last run inside the buffer)."""
    n, c, h, width = x.shape
    c_out, _, kh, kw = w.shape
    x = F.pad(x, (p[1], p[1], p[0], p[0] + 1))
    rows, cols = h + 2 * p[0], width + 2 * p[1]
    oh, ow = rows - d[0] * (kh - 1), cols - d[1] * (kw - 1)
    flat, run = x.reshape(n, c, x.shape[2] * cols), oh * cols
    out = x.new_zeros(n, c_out, run)
    for a in range(kh):
        for b in range(kw):
            start = a * d[0] * cols + b * d[1]
            tap = w[:, :, a, b].expand(n, -1, -1)
            out = torch.baddbmm(out, tap, flat[:, :, start : start + run])
    return out.reshape(n, c_out, oh, cols)[..., :ow].contiguous()


def pool2d(
    input: torch.Tensor,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    mode: Literal["max", "avg"] = "max",
) -> torch.Tensor:
    r"""Maximum or average pooling over the last two dimensions.

    .. math:: Y_{i,j} = \max_{0 \le a < k_h,\ 0 \le b < k_w} \tilde X_{s_h i + a,\, s_w j + b}
        \quad\text{or}\quad
        Y_{i,j} = \frac{1}{k_h k_w} \sum_{a, b} \tilde X_{s_h i + a,\, s_w j + b}

    with :math:`\tilde X` the input padded by ``padding`` on each side (with
    :math:`-\infty` for max pooling, zeros for average pooling, which divides by
    :math:`k_h k_w` even where the window covers padding, as ``torch.nn.functional.avg_pool2d``
    does by default). Pooling has no parameters. The output size is
    ``conv_output_shape(n, kernel_size, padding, stride)``.

    NaN and inf: a NaN in a window gives NaN; infinities are kept by max pooling and
    propagate through the average. At ties the gradient of max pooling is shared among the
    tied entries (``F.max_pool2d`` sends it to one of them).

    Args:
        input: floating tensor ``(*, n_h, n_w)``; leading dimensions (batch, channels) are
            pooled independently.
        kernel_size: window size, int or pair, :math:`\ge 1`.
        stride: int or pair :math:`\ge 1`; ``None`` means ``kernel_size`` (torch's default).
        padding: int or pair, at least 0 and at most half the window (torch's rule).
        mode: ``"max"`` or ``"avg"``.

    Returns:
        The pooled tensor in ``input``'s dtype and device.

    Raises:
        TypeError: ``input`` not a floating-point tensor; non-int sizes.
        ValueError: ``input`` with fewer than 2 dimensions; sizes below their minimum;
            padding more than half the window; a window larger than the padded input; an
            unknown ``mode``.

    Example:
        >>> pool2d(torch.arange(16.0).reshape(4, 4), 2)
        tensor([[ 5.,  7.],
                [13., 15.]])
    """
    _check_floating("input", input, 2)
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    k = _pair("kernel_size", kernel_size, 1)
    s = k if stride is None else _pair("stride", stride, 1)
    p = _pair("padding", padding, 0)
    for axis, (pad, size) in zip(("height", "width"), zip(p, k, strict=True), strict=True):
        if 2 * pad > size:
            raise ValueError(
                f"padding {pad} is more than half the window {axis} {size}; pooling would "
                "see windows of padding only"
            )
    padded = (input.shape[-2] + 2 * p[0], input.shape[-1] + 2 * p[1])
    _check_fits(padded, k, (1, 1), "padded input", "kernel_size, padding")
    s = _clamp_stride(s, padded)
    t = opmath_dtype(input.dtype)
    x = input.to(t)
    if p != (0, 0):
        fill = float("-inf") if mode == "max" else 0.0
        x = F.pad(x, (p[1], p[1], p[0], p[0]), value=fill)
    h, w = x.shape[-2:]
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    out = None
    for a in range(k[0]):
        for b in range(k[1]):
            tap = x[..., a : a + s[0] * (oh - 1) + 1 : s[0], b : b + s[1] * (ow - 1) + 1 : s[1]]
            if out is None:
                out = tap
            elif mode == "max":
                out = torch.maximum(out, tap)
            else:
                out = out + tap
    assert out is not None
    if mode == "avg":
        out = out / (k[0] * k[1])
    elif k == (1, 1):
        out = out.clone()  # never return a view of the input
    return out.to(input.dtype)
