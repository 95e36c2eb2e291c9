r"""Reference implementations for attention (section 11 of the notes).

Written from the formulas, not by calling
``torch.nn.functional.scaled_dot_product_attention``, which serves as an oracle instead. The
softmax over the valid keys is the fused ``torch.softmax`` of the scores with ``-inf`` at the
padding (exactly zero weight there), with the rows that have nothing to normalize, NaN in the
fused kernel, set to their documented value; the claims check it against mpmath and against
the softmax of each valid prefix alone. Conventions follow ``torch.nn.functional``:

* queries are ``(..., n, d)``, keys ``(..., m, d)`` and values ``(..., m, v)``; the leading
  batch dimensions broadcast; scores and attention weights are ``(..., n, m)``;
* ``valid_lens`` is an integer tensor with one length per sequence (the batch shape of the
  scores, ``(...)``) or one per query (``(..., n)``): key positions ``j >= valid_lens`` are
  padding and get weight exactly 0.

Every function keeps the caller's dtype and device, never mutates its inputs, and is
differentiable in every floating-point argument. float16 and bfloat16 inputs are computed in
float32 and rounded once at the end. Softmax-normalized weights are shifted by the row maximum
before exponentiating, so no score overflows and the Gaussian Nadaraya–Watson weights stay
defined where every :math:`\exp(-\tfrac12\|\mathbf{q} - \mathbf{k}\|^2)` underflows.
"""

from __future__ import annotations

import math
import numbers
from typing import Literal

import torch

from dltheory.attention._softmax import attend, masked_scores, valid_lengths
from dltheory.attention._softmax import masked_softmax as softmax_of_masked
from dltheory.core.validation import (
    check_floating,
    check_real,
    check_same_device,
    check_same_dtype,
    has_values,
    opmath_dtype,
)

__all__ = [
    "additive_attention",
    "attention_pool",
    "masked_softmax",
    "nadaraya_watson",
    "nadaraya_watson_weights",
    "scaled_dot_product_attention",
]

Kernel = Literal["gaussian", "boxcar", "epanechnikov", "triangular"]

#: the kernels :func:`nadaraya_watson` knows (profiles of :math:`u = \|\mathbf{q}-\mathbf{k}\|/h`)
KERNELS: tuple[str, ...] = ("gaussian", "boxcar", "epanechnikov", "triangular")


# --- argument checks --------------------------------------------------------------------------


def _check_matrix(name: str, x: object, rows: str, cols: str) -> torch.Tensor:
    """A floating tensor of at least two dimensions ``(..., rows, cols)``."""
    check_floating(name, x)
    assert isinstance(x, torch.Tensor)
    if x.dim() < 2:
        raise ValueError(
            f"{name} must have shape (..., {rows}, {cols}), got shape {tuple(x.shape)}"
        )
    return x


def _batch_shape(named: list[tuple[str, torch.Tensor]]) -> torch.Size:
    """The broadcast of the leading (batch) dimensions of ``(..., r, c)`` tensors."""
    try:
        return torch.broadcast_shapes(*(t.shape[:-2] for _, t in named))
    except RuntimeError:
        shapes = ", ".join(f"{name} {tuple(t.shape)}" for name, t in named)
        raise ValueError(f"the batch dimensions do not broadcast: {shapes}") from None


# --- masked softmax ---------------------------------------------------------------------------


def masked_softmax(
    scores: torch.Tensor, valid_lens: torch.Tensor | None = None, *, validate: bool = True
) -> torch.Tensor:
    r"""Softmax over the last dimension, restricted to the first ``valid_lens`` positions.

    .. math:: \alpha_{j} = \begin{cases}
        \dfrac{\exp(a_j)}{\sum_{k < l} \exp(a_k)} & j < l \\[1ex] 0 & j \ge l \end{cases}

    where :math:`l` is the valid length of the row (all positions when ``valid_lens`` is
    ``None``). Masked positions get weight exactly 0 in every dtype, whatever their scores
    hold (no :math:`-10^6` fill, which becomes ``-inf`` in float16); the valid weights are the
    softmax of the valid prefix and sum to 1. Computed as ``torch.softmax`` (one fused pass)
    of the scores with ``-inf`` at the masked positions, in float32 for float16 and bfloat16
    inputs; rows with nothing to normalize are then set to 0, and their gradient is 0.

    NaN and inf: masked positions are ignored, even when they hold NaN or inf. Among the valid
    positions, ``-inf`` gets weight 0 (it acts as a mask); ``+inf`` or NaN makes the row NaN.
    A row with nothing to normalize (valid length 0, or every valid score ``-inf``) gets all
    zero weights, so attention over it returns the zero vector (as
    ``torch.nn.functional.scaled_dot_product_attention`` does for a fully masked row).

    Args:
        scores: floating-point attention scores ``(..., n, m)`` (or ``(m,)``).
        valid_lens: ``None``, or an integer tensor of shape ``(...)`` (one length per
            sequence, shared by its ``n`` queries) or ``(..., n)`` (one length per query),
            with values in ``[0, m]``.
        validate: check that the lengths lie in ``[0, m]`` (one read of the lengths, or of
            their extremes, to the host: a device sync; with ``False``, out-of-range lengths
            act as clamped). A second read, of each row's first weight, finds the rows with
            nothing to normalize, whatever ``validate`` says.

    Returns:
        Weights of ``scores``' shape, dtype and device.

    Raises:
        TypeError: ``scores`` is not a floating tensor; ``valid_lens`` is not an integer tensor.
        ValueError: ``scores`` is 0-d or has no key positions; ``valid_lens`` has the wrong
            shape, a negative length or one longer than ``m``, or is on another device.

    Example:
        >>> masked_softmax(torch.zeros(2, 3), torch.tensor([2, 0]))
        tensor([[0.5000, 0.5000, 0.0000],
                [0.0000, 0.0000, 0.0000]])
    """
    check_floating("scores", scores)
    if scores.shape[-1] == 0:
        raise ValueError(f"scores has no key positions (shape {tuple(scores.shape)})")
    lens = valid_lengths(valid_lens, scores.shape, scores.device, validate)
    z, bias = masked_scores(scores, lens)
    return softmax_of_masked(z, 0.0, bias)


# --- attention pooling ---------------------------------------------------------------------


def attention_pool(weights: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    r"""Attention pooling: the weighted sum of the values.

    .. math:: \operatorname{Attention}(\mathbf{q}, \mathcal{D}) = \sum_{i=1}^m
        \alpha(\mathbf{q}, \mathbf{k}_i)\, \mathbf{v}_i

    One row of ``weights`` per query; any real weights are accepted (nonnegative ones give a
    point of the convex cone of the values, a convex combination a point of their convex hull,
    a one-hot row the value it selects, uniform weights :math:`1/m` the average). Batched like
    :func:`torch.matmul`: ``weights`` ``(..., n, m)`` and ``values`` ``(..., m, v)`` give
    ``(..., n, v)``; a 1-D ``weights`` ``(m,)`` is one query, a 1-D ``values`` ``(m,)`` holds
    scalar values.

    NaN and inf: propagate as in a matrix product; a NaN or infinite value contributes NaN even
    where its weight is 0 (:math:`0 \cdot \infty`), so padding must hold finite values.

    Args:
        weights: floating-point attention weights :math:`\alpha(\mathbf{q}, \mathbf{k}_i)`.
        values: floating-point values :math:`\mathbf{v}_i`, the same dtype.

    Returns:
        The pooled values, in their dtype and device.

    Raises:
        TypeError: an argument is not a floating tensor, or the dtypes differ.
        ValueError: an argument is 0-d, the numbers of key positions differ, or the batch
            dimensions do not broadcast.

    Example:
        >>> attention_pool(torch.tensor([0.25, 0.75]), torch.tensor([[0.0, 4.0], [8.0, 0.0]]))
        tensor([6., 1.])
    """
    check_floating("weights", weights)
    check_floating("values", values)
    check_same_dtype("weights", weights, "values", values)
    check_same_device("values", values, "weights", weights)
    m_values = values.shape[-2] if values.dim() >= 2 else values.shape[-1]
    if weights.shape[-1] != m_values:
        raise ValueError(
            f"weights has {weights.shape[-1]} key positions (shape {tuple(weights.shape)}) but "
            f"values has {m_values} (shape {tuple(values.shape)}); they must match"
        )
    if weights.dim() >= 2 and values.dim() >= 2:
        _batch_shape([("weights", weights), ("values", values)])
    t = opmath_dtype(weights.dtype)
    return torch.matmul(weights.to(t), values.to(t)).to(weights.dtype)


# --- Nadaraya–Watson -----------------------------------------------------------------------


def _check_bandwidth(bandwidth: object, d: int, like: torch.Tensor) -> torch.Tensor | float:
    if isinstance(bandwidth, torch.Tensor):
        if not bandwidth.is_floating_point():
            raise TypeError(f"bandwidth must be a floating tensor, got dtype {bandwidth.dtype}")
        if bandwidth.dim() > 1 or (bandwidth.dim() == 1 and bandwidth.shape[0] not in (1, d)):
            raise ValueError(
                f"bandwidth must be a number, a 0-d tensor or a tensor of shape ({d},) (one "
                f"width per coordinate), got shape {tuple(bandwidth.shape)}"
            )
        check_same_device("bandwidth", bandwidth, "queries", like)
        if (
            bandwidth.numel()
            and has_values(bandwidth)
            and not bool((bandwidth > 0).all() & torch.isfinite(bandwidth).all())
        ):
            raise ValueError(f"bandwidth must be positive and finite, got {bandwidth.tolist()}")
        return bandwidth
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, numbers.Real):
        raise TypeError(
            f"bandwidth must be a real number or a tensor, got {type(bandwidth).__name__}"
        )
    return check_real("bandwidth", bandwidth, low=0.0, low_open=True)


def _kernel_weights(
    queries: torch.Tensor, keys: torch.Tensor, kernel: str, bandwidth: object
) -> torch.Tensor:
    """Normalized kernel weights ``(..., n, m)`` in the opmath dtype (validated inputs)."""
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    h = _check_bandwidth(bandwidth, queries.shape[-1], queries)
    t = opmath_dtype(queries.dtype)
    diff = queries.to(t).unsqueeze(-2) - keys.to(t).unsqueeze(-3)  # (..., n, m, d)
    if isinstance(h, torch.Tensor):
        diff = diff / h.to(t)
    elif h != 1.0:
        diff = diff / h
    if diff.requires_grad:
        # a difference that overflows is a key infinitely far away: weight 0 and gradient 0
        # (the limit), not the 0 * inf = NaN of the square's backward
        diff = torch.where(torch.isinf(diff), diff.detach(), diff)
    sq = diff.square().sum(dim=-1)  # u^2 = ||q - k||^2 / h^2
    if kernel == "gaussian":
        return softmax_of_masked(sq.mul(-0.5), math.nan)
    zero = torch.zeros((), dtype=t, device=sq.device)
    if kernel == "boxcar":
        k = (sq <= 1).to(t)
    elif kernel == "epanechnikov":
        k = torch.clamp(1 - sq, min=0)
    else:  # triangular: 1 - u, with the square root kept differentiable at u = 0
        positive = sq > 0
        u = torch.where(positive, torch.sqrt(torch.where(positive, sq, 1)), zero)
        k = torch.clamp(1 - u, min=0)
    k = torch.where(torch.isnan(sq), sq, k)  # a NaN distance is not "far"
    total = k.sum(dim=-1, keepdim=True)
    defined = total > 0
    weights = k / torch.where(defined, total, 1)
    return torch.where(defined | torch.isnan(total), weights, math.nan)


def _check_queries_keys(queries: object, keys: object) -> tuple[torch.Tensor, torch.Tensor]:
    q = _check_matrix("queries", queries, "n", "d")
    k = _check_matrix("keys", keys, "m", "d")
    check_same_dtype("queries", q, "keys", k)
    check_same_device("keys", k, "queries", q)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"queries have {q.shape[-1]} features (shape {tuple(q.shape)}) but keys have "
            f"{k.shape[-1]} (shape {tuple(k.shape)}); they must match"
        )
    if k.shape[-2] == 0:
        raise ValueError(f"keys has no key positions (shape {tuple(k.shape)})")
    _batch_shape([("queries", q), ("keys", k)])
    return q, k


def nadaraya_watson_weights(
    queries: torch.Tensor,
    keys: torch.Tensor,
    *,
    kernel: Kernel = "gaussian",
    bandwidth: float | torch.Tensor = 1.0,
) -> torch.Tensor:
    r"""Normalized kernel weights of the Nadaraya–Watson estimator.

    .. math:: \alpha_{ij} = \frac{K(u_{ij})}{\sum_{l} K(u_{il})}, \qquad
        u_{ij} = \left\| (\mathbf{q}_i - \mathbf{k}_j) / \mathbf{h} \right\|

    with the kernel profiles (constant factors cancel in the ratio)

    * ``"gaussian"``: :math:`K(u) = \exp(-u^2/2)`;
    * ``"boxcar"``: :math:`K(u) = 1` if :math:`u \le 1`, else 0;
    * ``"epanechnikov"``: :math:`K(u) = \max(0, 1 - u^2)` (the Epanechnikov kernel
      :math:`\tfrac34(1-u^2)_+`, up to its constant);
    * ``"triangular"``: :math:`K(u) = \max(0, 1 - u)`, the formula the notes print under the
      name Epanechnikov.

    The bandwidth :math:`\mathbf{h}` is one positive width, or one per coordinate. The
    Gaussian weights are computed as a softmax of :math:`-u^2/2`, so they stay defined when
    every :math:`\exp(-u^2/2)` underflows.

    NaN and inf: a NaN coordinate makes its query's row NaN; a key infinitely far from a query
    gets weight 0. Where every kernel value is 0 (no key within one bandwidth for the compact
    kernels, every key infinitely far for the Gaussian) the estimator is :math:`0/0`: that
    query's row is NaN.

    Args:
        queries: ``(..., n, d)`` floating tensor.
        keys: ``(..., m, d)``, same dtype and device; batch dimensions broadcast.
        kernel: one of :data:`KERNELS`.
        bandwidth: a positive number, or a positive tensor of shape ``()`` or ``(d,)``.

    Returns:
        ``(..., n, m)`` weights in the queries' dtype; each defined row is nonnegative and sums
        to 1.

    Raises:
        TypeError: ``queries`` or ``keys`` is not a floating tensor, their dtypes differ, or
            ``bandwidth`` is not a number or floating tensor.
        ValueError: a tensor has fewer than two dimensions, the feature sizes differ, there
            are no keys, the batch dimensions do not broadcast, the kernel is unknown, or the
            bandwidth is not positive and finite or has the wrong shape.

    Example:
        >>> nadaraya_watson_weights(
        ...     torch.zeros(1, 1), torch.tensor([[0.0], [0.5], [3.0]]), kernel="epanechnikov"
        ... )
        tensor([[0.5714, 0.4286, 0.0000]])
    """
    q, k = _check_queries_keys(queries, keys)
    return _kernel_weights(q, k, kernel, bandwidth).to(q.dtype)


def nadaraya_watson(
    queries: torch.Tensor,
    keys: torch.Tensor,
    values: torch.Tensor,
    *,
    kernel: Kernel = "gaussian",
    bandwidth: float | torch.Tensor = 1.0,
) -> torch.Tensor:
    r"""The Nadaraya–Watson estimator: kernel-weighted average of the values.

    .. math:: f(\mathbf{q}) = \sum_{i=1}^m \mathbf{v}_i
        \frac{K(\|(\mathbf{q} - \mathbf{k}_i)/\mathbf{h}\|)}
        {\sum_{j=1}^m K(\|(\mathbf{q} - \mathbf{k}_j)/\mathbf{h}\|)}

    Regression uses scalar values :math:`v_i = y_i`; classification one-hot values, which
    makes :math:`f(\mathbf{q})` a probability vector. The weights are those of
    :func:`nadaraya_watson_weights` (kernels and bandwidth as there).

    NaN and inf: as for :func:`nadaraya_watson_weights`; a query where every kernel value is
    0 (the estimator is :math:`0/0`) gives NaN, and a NaN or infinite value propagates to every
    query (even one giving it weight 0).

    Args:
        queries: ``(..., n, d)`` floating tensor.
        keys: ``(..., m, d)``, the same dtype and device.
        values: ``(..., m, v)`` (vector values) or ``(..., m)`` (scalar values), with the
            keys' leading shape.
        kernel: one of :data:`KERNELS`.
        bandwidth: a positive number, or a positive tensor of shape ``()`` or ``(d,)``.

    Returns:
        ``(..., n, v)`` or ``(..., n)`` in the queries' dtype.

    Raises:
        TypeError, ValueError: as for :func:`nadaraya_watson_weights`; also ``values`` not a
            floating tensor of the keys' dtype, or whose shape does not fit the keys.

    Example:
        >>> x = torch.tensor([[0.0], [1.0], [2.0]])
        >>> nadaraya_watson(
        ...     torch.tensor([[1.0]]), x, torch.tensor([0.0, 1.0, 4.0]), kernel="boxcar"
        ... )
        tensor([1.6667])
    """
    q, k = _check_queries_keys(queries, keys)
    check_floating("values", values)
    check_same_dtype("values", values, "keys", k)
    check_same_device("values", values, "keys", k)
    scalar = values.shape == k.shape[:-1]
    if not scalar and values.shape[:-1] != k.shape[:-1]:
        raise ValueError(
            f"values has shape {tuple(values.shape)}, but keys of shape {tuple(k.shape)} need "
            f"{tuple(k.shape[:-1])} (scalar values) or {(*k.shape[:-1], 'v')} (vector values)"
        )
    weights = _kernel_weights(q, k, kernel, bandwidth)
    v = values.to(weights.dtype)
    out = torch.matmul(weights, v.unsqueeze(-1)).squeeze(-1) if scalar else weights @ v
    return out.to(q.dtype)


# --- scoring functions -------------------------------------------------------------------------


def _check_qkv(
    queries: object, keys: object, values: object, q_feat: str, k_feat: str
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Size]:
    q = _check_matrix("queries", queries, "n", q_feat)
    k = _check_matrix("keys", keys, "m", k_feat)
    v = _check_matrix("values", values, "m", "v")
    for name, x in (("keys", k), ("values", v)):
        check_same_dtype(name, x, "queries", q)
        check_same_device(name, x, "queries", q)
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"keys has {k.shape[-2]} positions (shape {tuple(k.shape)}) but values has "
            f"{v.shape[-2]} (shape {tuple(v.shape)}); they must match"
        )
    if k.shape[-2] == 0:
        raise ValueError(f"keys has no key positions (shape {tuple(k.shape)})")
    batch = _batch_shape([("queries", q), ("keys", k), ("values", v)])
    return q, k, v, batch


def scaled_dot_product_attention(
    queries: torch.Tensor,
    keys: torch.Tensor,
    values: torch.Tensor,
    valid_lens: torch.Tensor | None = None,
    *,
    scale: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Scaled dot-product attention with an optional valid-length mask.

    .. math:: \operatorname{softmax}\!\left(\frac{\mathbf{Q}\mathbf{K}^\top}{\sqrt{d}}\right)
        \mathbf{V} \in \mathbb{R}^{n \times v}, \qquad
        \mathbf{Q} \in \mathbb{R}^{n \times d},\ \mathbf{K} \in \mathbb{R}^{m \times d},\
        \mathbf{V} \in \mathbb{R}^{m \times v}

    with the softmax taken over the keys by :func:`masked_softmax` (key positions at or
    beyond the valid length get weight exactly 0). The queries are scaled before the product,
    so the :math:`n \times m` scores are formed once; they are formed, normalized and pooled
    in blocks of queries, so that the passes over each block run in cache.

    NaN and inf: as for :func:`masked_softmax` on the scores and :func:`attention_pool` on the
    values: a query whose valid length is 0 gets the zero vector (like
    ``torch.nn.functional.scaled_dot_product_attention`` for a fully masked row).

    Args:
        queries: ``(..., n, d)`` floating tensor.
        keys: ``(..., m, d)``; values: ``(..., m, v)``; same dtype and device, batch
            dimensions broadcast.
        valid_lens: ``None`` or integer lengths of shape ``(...)`` or ``(..., n)``, as for
            :func:`masked_softmax`.
        scale: the factor on :math:`\mathbf{Q}\mathbf{K}^\top`; default :math:`1/\sqrt{d}`.
        validate: check the valid lengths (see :func:`masked_softmax`).

    Returns:
        ``(..., n, v)`` in the queries' dtype and device.

    Raises:
        TypeError: a tensor is not floating point, the dtypes differ, ``scale`` is not a real
            number, or ``valid_lens`` is not an integer tensor.
        ValueError: a tensor has fewer than two dimensions; queries and keys differ in
            :math:`d`; keys and values differ in :math:`m`; no keys; batch dimensions that
            do not broadcast; a non-finite ``scale``; bad valid lengths.

    Example:
        >>> q = torch.tensor([[1.0, 0.0]])
        >>> k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> scaled_dot_product_attention(q, k, torch.eye(2), scale=math.log(3.0))
        tensor([[0.7500, 0.2500]])
    """
    q, k, v, batch = _check_qkv(queries, keys, values, "d", "d")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"queries have d = {q.shape[-1]} (shape {tuple(q.shape)}) but keys have "
            f"d = {k.shape[-1]} (shape {tuple(k.shape)}); they must match"
        )
    if scale is None:
        factor = 1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else 1.0
    else:
        factor = check_real("scale", scale)
    shape = torch.Size((*batch, q.shape[-2], k.shape[-2]))
    lens = valid_lengths(valid_lens, shape, q.device, validate)
    t = opmath_dtype(q.dtype)
    scaled_q, keys_t = q.to(t) * factor, k.to(t).transpose(-1, -2)
    out = attend(lambda rows: torch.matmul(scaled_q[..., rows, :], keys_t), lens, v.to(t), shape)
    return out.to(q.dtype)


def additive_attention(
    queries: torch.Tensor,
    keys: torch.Tensor,
    values: torch.Tensor,
    W_q: torch.Tensor,
    W_k: torch.Tensor,
    w_v: torch.Tensor,
    valid_lens: torch.Tensor | None = None,
    *,
    validate: bool = True,
) -> torch.Tensor:
    r"""Additive (Bahdanau) attention.

    .. math:: a(\mathbf{q}, \mathbf{k}) = \mathbf{w}_v^\top
        \tanh(\mathbf{W}_q \mathbf{q} + \mathbf{W}_k \mathbf{k}), \qquad
        \operatorname{out}_i = \sum_j \operatorname{softmax}_j\big(a(\mathbf{q}_i,
        \mathbf{k}_j)\big)\, \mathbf{v}_j

    with :math:`\mathbf{W}_q \in \mathbb{R}^{h \times d_q}`,
    :math:`\mathbf{W}_k \in \mathbb{R}^{h \times d_k}`, :math:`\mathbf{w}_v \in \mathbb{R}^h`;
    queries and keys may have different sizes. :math:`\mathbf{W}_q\mathbf{q}` is computed once
    per query and :math:`\mathbf{W}_k\mathbf{k}` once per key; the softmax is
    :func:`masked_softmax`.

    NaN and inf: as for :func:`scaled_dot_product_attention` (the scores are bounded by
    :math:`\|\mathbf{w}_v\|_1` for finite parameters).

    Args:
        queries: ``(..., n, d_q)``; keys: ``(..., m, d_k)``; values: ``(..., m, v)``.
        W_q: ``(h, d_q)``; W_k: ``(h, d_k)``; w_v: ``(h,)``. All floating, one dtype and
            device.
        valid_lens: ``None`` or integer lengths of shape ``(...)`` or ``(..., n)``.
        validate: check the valid lengths (see :func:`masked_softmax`).

    Returns:
        ``(..., n, v)`` in the queries' dtype and device.

    Raises:
        TypeError: a tensor is not floating point or the dtypes differ; ``valid_lens`` is not
            an integer tensor.
        ValueError: shapes that do not fit (the message names the argument), no keys, or bad
            valid lengths.

    Example:
        >>> q, k = torch.zeros(1, 2), torch.zeros(3, 5)
        >>> W_q, W_k, w_v = torch.ones(4, 2), torch.ones(4, 5), torch.ones(4)
        >>> additive_attention(q, k, torch.eye(3), W_q, W_k, w_v)
        tensor([[0.3333, 0.3333, 0.3333]])
    """
    q, k, v, batch = _check_qkv(queries, keys, values, "d_q", "d_k")
    for name, w in (("W_q", W_q), ("W_k", W_k), ("w_v", w_v)):
        check_floating(name, w)
        check_same_dtype(name, w, "queries", q)
        check_same_device(name, w, "queries", q)
    if W_q.dim() != 2 or W_q.shape[1] != q.shape[-1]:
        raise ValueError(
            f"W_q must have shape (h, {q.shape[-1]}) for queries with d_q = {q.shape[-1]}, "
            f"got {tuple(W_q.shape)}"
        )
    h = W_q.shape[0]
    if W_k.dim() != 2 or W_k.shape != (h, k.shape[-1]):
        raise ValueError(
            f"W_k must have shape ({h}, {k.shape[-1]}) (h from W_q, d_k from keys), "
            f"got {tuple(W_k.shape)}"
        )
    if w_v.shape != (h,):
        raise ValueError(f"w_v must have shape ({h},) (h from W_q), got {tuple(w_v.shape)}")
    shape = torch.Size((*batch, q.shape[-2], k.shape[-2]))
    lens = valid_lengths(valid_lens, shape, q.device, validate)
    t = opmath_dtype(q.dtype)
    projected_q = torch.matmul(q.to(t), W_q.to(t).T)  # (..., n, h)
    projected_k = torch.matmul(k.to(t), W_k.to(t).T).unsqueeze(-3)  # (..., 1, m, h)
    weights_v = w_v.to(t)

    def scores(rows: slice) -> torch.Tensor:  # (..., rows, m): the n x m x h tanh, in blocks
        return torch.matmul(
            torch.tanh(projected_q[..., rows, :].unsqueeze(-2) + projected_k), weights_v
        )

    return attend(scores, lens, v.to(t), shape, width=W_q.shape[0]).to(q.dtype)
