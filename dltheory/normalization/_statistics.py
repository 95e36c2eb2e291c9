r"""The statistics behind :mod:`dltheory.normalization.reference`: the corrected two-pass
algorithm (:func:`_standardize`), its fused form for layer normalization
(:func:`_centered_layer_norm`), the affine step, and the power-of-two rescaling of slices
whose statistics overflow.
"""

from __future__ import annotations

import math

import torch

from dltheory.core.validation import has_values


def _pow2_scale(amax: torch.Tensor) -> torch.Tensor:
    r"""A power of two :math:`s = 2^{-e} \le 1` with :math:`s \cdot \mathrm{amax} \in [1/2, 1)`
    where ``amax`` is at least 1/2, and 1 elsewhere (also where it is not finite): multiplying
    by it is exact. Only large slices overflow, so only they are scaled down; small ones keep
    their own :math:`\epsilon` (scaling them up could overflow :math:`\epsilon s^2`)."""
    _, exponent = torch.frexp(amax)
    ok = torch.isfinite(amax) & (amax > 0)
    exponent = torch.where(ok, exponent, torch.zeros_like(exponent)).clamp(min=0)
    return torch.ldexp(torch.ones_like(amax), -exponent)


def _standardize(
    x3: torch.Tensor, dims: tuple[int, ...], count: int, eps: float | torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""``(d, delta, r, mean, var)`` over ``dims`` of ``x3`` (kept as size-1 dimensions), where
    the standardized values are :math:`(d - \delta) r`: :math:`d = x - \tilde\mu` with
    :math:`\tilde\mu` the rounded mean, :math:`\delta = \frac1n \sum d` its rounding error,
    :math:`r = 1/\sqrt{\hat\sigma^2 + \epsilon}` and :math:`\hat\sigma^2` the biased
    variance.

    The corrected two-pass algorithm: the mean, then the deviations from it and their sum.
    Where the mean is large against the spread (:math:`10^4` with spread :math:`10^{-3}` in
    float32), the rounded mean is off by as much as the deviations themselves; the deviations
    from it are exact (Sterbenz) and :math:`\delta` recovers the error, so
    :math:`\hat\sigma^2 = \frac1n\sum d^2 - \delta^2` and :math:`d - \delta` stay accurate
    to a few eps of each output (without :math:`\delta`, as ``F.layer_norm`` and
    ``F.batch_norm`` normalizing :math:`x` itself, each output is off by about
    :math:`\varepsilon|\mu|/\sigma`: up to half the spread there). The subtraction of
    :math:`\delta` is left to :func:`_affine`, which folds it into the shift: no extra pass
    over the data. Where no gradient is recorded the temporaries are updated in place and the
    squares of a non-contiguous reduction are summed block by block
    (:func:`_blockwise_squares`).

    If a statistic overflows (the sum or the squares exceed the dtype's range), every slice
    with finite values is rescaled by a power of two :math:`s` first, which is exact, and
    normalized with :math:`\epsilon s^2`: standardization is unchanged by that rescaling.
    Slices holding NaN or inf are not rescaled (their NaN stands), and do not stop the others
    from being rescaled.
    """

    def moments(t: torch.Tensor, eps_: float | torch.Tensor):
        # in place on the temporaries where no gradient is recorded (each small call counts
        # µs against a fused kernel)
        free = not (torch.is_grad_enabled() and t.requires_grad)
        # out of place: _sum of slices of one entry is t itself (the caller's tensor)
        rounded_mean = _sum(t, dims) / count
        d = t - rounded_mean
        # NaN where the slice holds an infinity (inf - inf): there d is NaN, and the mean stays
        # the rounded one, +-inf as the policy says
        delta = _sum(d, dims) / count  # d itself for slices of one entry: its NaN stays
        delta = delta.nan_to_num_(**_INF) if free else delta.nan_to_num(**_INF)
        if dims == (t.dim() - 1,):  # a contiguous reduction: one fused pass
            squares = torch.linalg.vecdot(d, d, dim=-1).unsqueeze(-1)
        elif free:  # no full-size temporary for d * d: blocks of whole rows of dimension 0
            squares = _blockwise_squares(d, dims)
        else:
            squares = _sum(d * d, dims)
        var = torch.addcmul(squares.div(count), delta, delta, value=-1).clamp_min(0.0)
        return d, delta, rounded_mean + delta, var, torch.rsqrt(var + eps_)

    d, delta, mean, var, r = moments(x3, eps)
    # one sum for both (a finite mean and variance whose sum overflows only takes the exact
    # rescaled path below); a NaN or infinite statistic makes it non-finite
    if has_values(x3) and not math.isfinite(float((var.detach() + mean.detach()).sum())):
        amax = x3.detach().abs().amax(dim=dims, keepdim=True)
        overflowed = torch.isfinite(amax) & ~torch.isfinite(var.detach() + mean.detach())
        if bool(overflowed.any()):  # finite slices whose statistics overflowed
            s = _pow2_scale(amax)
            # eps s^2 may underflow; the dtype's smallest normal keeps d = 0 at 0 (not 0 * inf)
            d, delta, mean, var, r = moments(
                x3 * s, (eps * s * s).clamp_min(torch.finfo(s.dtype).tiny)
            )
            mean, var = mean / s, var / (s * s)  # may overflow: then inf is the true rounding
    return d, delta, r, mean, var


def _affine(
    d: torch.Tensor,
    delta: torch.Tensor,
    r: torch.Tensor,
    gamma: torch.Tensor | None,
    beta: torch.Tensor | None,
) -> torch.Tensor:
    r""":math:`\gamma ((d - \delta) r) + \beta` with the statistics and ``gamma``/``beta``
    already shaped to broadcast, in place in ``d`` (a temporary) when no gradient is recorded.

    Where ``gamma`` and ``beta`` are per slice like the statistics (batch normalization, or
    none), one pass :math:`d \cdot s + (\beta - \delta s)` with :math:`s = \gamma r`.
    Where they are per entry (layer normalization), :math:`s` and that shift would be two
    full-size temporaries; then :math:`(d - \delta) r`, times :math:`\gamma`, plus
    :math:`\beta`, each in place."""
    inplace = not (
        torch.is_grad_enabled()
        and any(p is not None and p.requires_grad for p in (d, delta, r, gamma, beta))
    )
    if any(p is not None and p.shape != r.shape for p in (gamma, beta)):
        out = d.sub_(delta).mul_(r) if inplace else (d - delta) * r
        if gamma is not None:
            out = out.mul_(gamma) if inplace else out * gamma
        if beta is not None:
            out = out.add_(beta) if inplace else out + beta
        return out
    scale = r if gamma is None else r * gamma
    shift = -delta * scale if beta is None else beta - delta * scale
    if inplace:
        return torch.addcmul(shift, d, scale, out=d)
    return torch.addcmul(shift, d, scale)


_INF = {"nan": 0.0, "posinf": math.inf, "neginf": -math.inf}

#: elements per block of :func:`_blockwise_squares` (1 MiB of float32, within a core's L2:
#: the block's squares stay in cache, and no full-size temporary is allocated)
_BLOCK = 1 << 18


def _blockwise_squares(d: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    r""":math:`\sum d^2` over ``dims`` (which include 0), block by block along dimension 0: the
    squares of one block at a time, summed as :func:`_sum` does and added up."""
    rows = max(1, _BLOCK // max(1, d[0].numel()))
    total: torch.Tensor | None = None
    for block in d.split(rows, dim=0):
        part = _sum(block * block, dims)
        total = part if total is None else total.add_(part)
    assert total is not None
    return total


def _sum(t: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    """Sum over ``dims`` keeping them, innermost first (contiguous reductions are fastest);
    dimensions of size 1 are skipped (summing over one would only copy ``t``)."""
    for dim in sorted(dims, reverse=True):
        if t.shape[dim] != 1:
            t = t.sum(dim=dim, keepdim=True)
    return t


def _centered_layer_norm(
    x2: torch.Tensor,
    size: int,
    gamma: torch.Tensor | None,
    beta: torch.Tensor | None,
    eps: float,
    t: torch.dtype,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    r"""Layer normalization of the rows of ``x2`` (computed in ``t``): by the fused
    ``torch.native_layer_norm`` for the rows whose mean lies within their spread
    (:math:`|\mu| / \sigma \le 1`, read from the kernel's own statistics), the others by
    centering them on their rounded mean :math:`\tilde\mu` and handing the deviations
    :math:`d = x - \tilde\mu` to that kernel. Returns ``(out, usable)``: ``usable`` is
    ``None`` when every row's statistics are finite, else the mask of the rows where they are
    (elsewhere a sum or a square overflowed, or the row holds NaN or inf).

    This is the corrected two-pass algorithm of :func:`_standardize` with its second pass
    fused: the deviations are exact where the mean is far above the spread (Sterbenz), so
    their mean is the rounding error :math:`\delta` of :math:`\tilde\mu` and is small
    against their spread; the kernel's own mean and variance of :math:`d` (Welford) and its
    :math:`(d - \delta) r \gamma + \beta` are then accurate to a few eps of each output,
    where on :math:`x` itself its rounding of the mean costs up to :math:`\epsilon
    |\mu| / \sigma` (4.6e5 eps at mean 1e6 x spread). Layer normalization is unchanged by
    a shift of the row, so :math:`\tilde\mu` is a constant for autograd (detached): the
    kernel's fused backward, and its double backward, are those of the function itself."""
    # the kernel's affine step is vectorized only when it has both weight and bias
    w = torch.ones(size, dtype=t, device=x2.device) if gamma is None else gamma
    b = torch.zeros(size, dtype=t, device=x2.device) if beta is None else beta
    direct, mean, r = torch.native_layer_norm(x2.to(t), (size,), w, b, eps)
    if not has_values(direct):
        return direct, None
    # a row whose mean lies within its spread: mu^2 <= sigma^2, i.e. (mu^2 + eps) r^2 <= 1
    # with r = 1/sqrt(sigma^2 + eps) (finite statistics); the kernel's rounding of the mean
    # then costs at most about eps/2 of each output, and its result stands; decided row by
    # row, so that no row's result depends on the others in the batch
    within = (mean.square().add_(eps).mul_(r.square()) <= 1) & (r > 0)
    if bool(within.all()):
        return direct, None
    out, delta, r_centered = _centered_rows(x2, size, w, b, eps, t)
    # both kernels' statistics finite (r = 0 where a variance overflowed, NaN where a mean is)
    usable = (delta.mul(0.0).add_(r_centered) > 0) & (mean.mul(0.0).add_(r) > 0)
    if bool(usable.all()):
        return torch.where(within, direct, out), None
    # the other rows are the caller's; zeros in their place keep NaN and inf out of the
    # kernels' backward passes, which see them even where torch.where drops their output
    safe = torch.where(usable, x2, torch.zeros((), dtype=x2.dtype, device=x2.device))
    direct = torch.native_layer_norm(safe.to(t), (size,), w, b, eps)[0]
    return torch.where(within, direct, _centered_rows(safe, size, w, b, eps, t)[0]), usable


def _centered_rows(x2: torch.Tensor, size: int, w, b, eps: float, t: torch.dtype):
    """``torch.native_layer_norm`` of the rows of ``x2`` centered on their rounded mean (a
    constant for autograd): ``(out, delta, r)``, ``delta`` the deviations' mean."""
    rounded_mean = x2.detach().sum(dim=1, keepdim=True, dtype=t).div_(size)
    d = x2 - rounded_mean  # in t: a float16/bfloat16 x is promoted in the same pass
    return torch.native_layer_norm(d, (size,), w, b, eps)
