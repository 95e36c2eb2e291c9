r"""Reference implementations for the preliminaries (section 2 of the notes).

Written from the formulas, not by calling the matching ``torch`` built-ins, so that those
built-ins can serve as independent oracles:

* :func:`vector_norm` — the :math:`\ell_p` norms, :math:`p \in (0, \infty]` (and the other
  ``ord`` values ``torch.linalg.vector_norm`` takes), scaled like LAPACK's ``nrm2`` so that a
  representable norm never overflows or underflows;
* :func:`chain_rule` — :math:`\partial y/\partial x_i = \sum_j \partial y/\partial u_j \,
  \partial u_j/\partial x_i` from the two factors;
* :func:`bayes_posterior` — :math:`P(A_k \mid B) = P(B \mid A_k) P(A_k) / P(B)` over a
  partition :math:`A_1, \dots, A_K`, with :math:`P(B) = \sum_j P(B \mid A_j) P(A_j) \ne 0`;
* :func:`expectation`, :func:`variance` — moments of a discrete distribution.

Every function keeps the caller's dtype and device, never mutates its inputs, and is
differentiable. float16 and bfloat16 inputs are computed in float32 and rounded once.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import torch

from dltheory.core.validation import (
    check_bool,
    check_floating,
    check_probabilities,
    check_same_device,
    describe,
    has_values,
    normalize_dim,
    opmath_dtype,
)

__all__ = ["bayes_posterior", "chain_rule", "expectation", "variance", "vector_norm"]

# -- vector_norm ------------------------------------------------------------------------------

#: inputs with more than twice this many elements are squared in chunks of about this many,
#: which stay in cache (no large temporary), for ord = 2 along the last dimension; smaller
#: inputs are squared whole (every chunk costs two more calls, about 10 µs on a CPU)
_CHUNK_ELEMENTS = 1 << 19


def _check_ord(ord: object) -> float:
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real):
        raise TypeError(f"ord must be a real number or ±inf, got {type(ord).__name__}")
    try:
        value = float(ord)
    except OverflowError:  # an int beyond float's range (10**400): not ±inf either
        raise ValueError(f"ord = {describe(ord)} does not fit in a float; use ±math.inf") from None
    if math.isnan(value):
        raise ValueError("ord must be a real number or ±inf, got nan")
    return value


def _check_norm_dims(x: torch.Tensor, dim: int | Sequence[int] | None) -> tuple[int, ...]:
    """The reduced dimensions as sorted nonnegative indices (all of them for ``None``)."""
    if dim is None:
        return tuple(range(x.dim()))
    dims = (dim,) if isinstance(dim, int) and not isinstance(dim, bool) else dim
    if not isinstance(dims, Sequence) or not all(
        isinstance(d, int) and not isinstance(d, bool) for d in dims
    ):
        raise TypeError(f"dim must be an int, a sequence of ints or None, got {dim!r}")
    if x.dim() == 0:
        if all(d in (0, -1) for d in dims):
            return ()
        raise ValueError(f"dim {tuple(dims)} is out of range for a 0-d x")
    out = []
    for d in dims:
        if not -x.dim() <= d < x.dim():
            raise ValueError(f"dim {d} is out of range for x with {x.dim()} dimension(s)")
        out.append(d % x.dim())
    if len(set(out)) != len(out):
        raise ValueError(f"dim {tuple(dims)} names a dimension twice")
    return tuple(sorted(out))


def _sum_of_squares(a: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    r""":math:`\sum a_i^2` over ``dims`` (keepdim), with no large temporary: a BLAS dot for a
    full reduction of a contiguous tensor, cache-sized chunks along the last dimension."""
    if len(dims) == a.dim() and a.is_contiguous():
        flat = a.view(-1)
        total = torch.dot(flat, flat)
        return total.view([1] * a.dim())
    if dims == (a.dim() - 1,) and a.is_contiguous() and a.numel() > 2 * _CHUNK_ELEMENTS:
        rows = a.reshape(-1, a.shape[-1])
        out = torch.empty(rows.shape[0], 1, dtype=a.dtype, device=a.device)
        step = max(1, _CHUNK_ELEMENTS // max(a.shape[-1], 1))
        buffer = torch.empty(min(step, rows.shape[0]), a.shape[-1], dtype=a.dtype, device=a.device)
        for start in range(0, rows.shape[0], step):
            chunk = rows[start : start + step]
            squares = torch.mul(chunk, chunk, out=buffer[: chunk.shape[0]])
            torch.sum(squares, dim=1, keepdim=True, out=out[start : start + step])
        return out.reshape(*a.shape[:-1], 1)
    return torch.mul(a, a).sum(dim=dims, keepdim=True)


_SMALL_CALL = 64  # entries up to which a full p = 2 reduction on the CPU is Python's hypot


def _small_two_norm(x: torch.Tensor) -> torch.Tensor | None:
    r""":math:`\|\mathbf{x}\|_2` of every entry of a small CPU tensor by ``math.hypot`` in
    float64 (within an ulp, scaled internally so nothing over- or underflows), rounded once to
    ``x``'s dtype: a call of a few entries costs its operations, not its arithmetic. NaN
    wherever an entry is NaN (``hypot`` would return inf beside an infinite entry). ``None``
    for a tensor without storage (inside ``torch.func.vmap``)."""
    try:
        values = x.tolist() if x.dim() == 1 else x.reshape(-1).tolist()
    except RuntimeError:
        return None
    norm = math.nan if any(v != v for v in values) else math.hypot(*values)
    return torch.scalar_tensor(norm, dtype=x.dtype)


_SAFE = {
    dtype: (torch.finfo(dtype).tiny / torch.finfo(dtype).eps, torch.finfo(dtype).max)
    for dtype in (torch.float32, torch.float64)
}


def _safe_sums(s: torch.Tensor) -> bool:
    """Every sum of squares lies where neither underflow nor overflow can have touched it
    (NaN counts as unsafe; the caller's scaled path returns it). On the ``meta`` device,
    where there are no values, the unscaled path gives the result's shape."""
    if not has_values(s):
        return True
    low, high = _SAFE[s.dtype]
    if s.numel() == 1:
        value = s.item()
        return low <= value <= high
    smallest, largest = torch.aminmax(s)
    return bool(smallest >= low) and bool(largest <= high)


def _scale(a: torch.Tensor, dims: tuple[int, ...], largest: bool) -> torch.Tensor:
    """The largest (or smallest) entry of ``a`` over ``dims`` where it is finite and positive,
    else 1: dividing by it makes every ratio at most (at least) 1 with one equal to 1."""
    m = (a.amax if largest else a.amin)(dim=dims, keepdim=True)
    usable = torch.isfinite(m) & (m > 0)
    return torch.where(usable, m, torch.ones((), dtype=a.dtype, device=a.device))


def _norm_forward(x: torch.Tensor, p: float, dims: tuple[int, ...]) -> torch.Tensor:
    """The norm over ``dims`` (keepdim) of ``x``, in ``x``'s dtype (the opmath dtype)."""
    if not dims:  # a 0-d tensor: every norm of one number is its absolute value
        return x.abs() if p != 0 else (x != 0).to(x.dtype)
    if any(x.shape[d] == 0 for d in dims):  # an empty sum (p >= 0 here): 0
        return x.abs().sum(dim=dims, keepdim=True)
    if p == 2:
        s = _sum_of_squares(x, dims)  # x_i^2 = |x_i|^2: no pass for the absolute values
        # squares below tiny/eps may have underflowed and squares above max overflowed:
        # such sums are recomputed with the entries scaled by their maximum (as nrm2 does)
        if _safe_sums(s):
            return s.sqrt_()
        a = x.abs()
        m = _scale(a, dims, largest=True)
        scaled = _sum_of_squares(a / m, dims).sqrt_().mul_(m)
        return torch.where(torch.isnan(s), s, scaled)
    a = x.abs()
    if p == math.inf:
        return a.amax(dim=dims, keepdim=True)
    if p == -math.inf:
        return a.amin(dim=dims, keepdim=True)
    if p == 0:
        return (a != 0).sum(dim=dims, keepdim=True).to(a.dtype)
    if p == 1:
        return a.sum(dim=dims, keepdim=True)
    # every other p: ratios to the largest entry (smallest for p < 0) lie in [0, 1]
    # ([1, inf] for p < 0) with one of them equal to 1, so the sum lies in [1, n]
    m = _scale(a, dims, largest=p > 0)
    return (a / m).pow_(p).sum(dim=dims, keepdim=True).pow_(1 / p).mul_(m)


def _norm_backward(
    x: torch.Tensor, norm: torch.Tensor, grad: torch.Tensor, p: float, dims: tuple[int, ...]
) -> torch.Tensor:
    r""":math:`\partial \|x\|_p / \partial x_i = \operatorname{sign}(x_i)
    (|x_i| / \|x\|_p)^{p-1}` times ``grad`` (keepdim shapes), 0 where the norm is 0 or
    :math:`x_i = 0` for :math:`p < 1`; for :math:`p = \pm\infty` split evenly among the
    entries that attain the norm. Written in differentiable operations (double backward)."""
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    if p == 0:
        return torch.zeros_like(x)
    if p in (math.inf, -math.inf):
        hit = (x.abs() == norm).to(x.dtype)
        count = hit.sum(dim=dims, keepdim=True) if dims else hit
        return torch.sgn(x) * hit * (grad / count)
    if p == 1:
        return torch.sgn(x) * grad
    safe = torch.where(norm == 0, torch.ones_like(norm), norm)
    if p == 2:
        return torch.where(norm == 0, zero, x / safe * grad)
    ratio = x.abs() / safe
    if p < 1:  # (|x_i| / N)^{p-1} is infinite at x_i = 0: give those entries 0
        ratio = torch.where(x == 0, torch.ones_like(ratio), ratio)
        weight = torch.where(x == 0, zero, ratio.pow(p - 1))
    else:
        weight = ratio.pow(p - 1)
    return torch.where(norm == 0, zero, torch.sgn(x) * weight * grad)


class _VectorNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, p: float, dims: tuple[int, ...]):
        work = x.to(opmath_dtype(x.dtype))
        norm = _norm_forward(work, p, dims)
        ctx.p, ctx.dims, ctx.in_dtype = p, dims, x.dtype
        ctx.save_for_backward(x, norm)
        return norm.to(x.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, norm = ctx.saved_tensors
        t = opmath_dtype(x.dtype)
        if torch.is_grad_enabled() and x.dtype != t:
            # double backward from float16/bfloat16: the saved norm is a float32 intermediate
            # that autograd does not see as a function of x (in float32 and float64 it is the
            # output itself, which it does), so it is recomputed as one
            norm = _VectorNorm.apply(x.to(t), ctx.p, ctx.dims)
        out = _norm_backward(x.to(t), norm, grad.to(t), ctx.p, ctx.dims)
        return out.to(ctx.in_dtype), None, None


def vector_norm(
    x: torch.Tensor,
    ord: float = 2,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
) -> torch.Tensor:
    r"""The :math:`\ell_p` norm of ``x`` over ``dim``.

    .. math:: \|\mathbf{x}\|_p = \Bigl(\sum_{i=1}^n |x_i|^p\Bigr)^{1/p}, \qquad
        \|\mathbf{x}\|_\infty = \max_i |x_i| = \lim_{p\to\infty} \|\mathbf{x}\|_p

    :math:`p = 1` is the Manhattan norm, :math:`p = 2` the Euclidean length; for
    :math:`p \ge 1` (and :math:`\infty`) this is a norm, for :math:`0 < p < 1` only a
    quasi-norm (the triangle inequality fails). As in ``torch.linalg.vector_norm``,
    ``ord = -inf`` gives :math:`\min_i |x_i|`, ``ord = 0`` the number of nonzero entries and a
    negative ``ord`` the same formula (none of these is a norm).

    The entries are scaled by their largest magnitude before raising them to the power
    :math:`p` (by the smallest for :math:`p < 0`), as LAPACK's ``nrm2`` does, so the result
    neither overflows nor underflows when the norm itself is representable (entries of
    ``1e200`` or ``1e-200`` in float64). For :math:`p = 2` an unscaled sum of squares is
    tried first and kept when it lies safely inside the range; the norm of all of a CPU
    tensor of at most 64 entries that builds no graph is ``math.hypot`` of its values in
    float64, rounded once.

    NaN and inf: a NaN entry makes the result NaN (for ``ord = 0`` it counts as nonzero); an
    infinite entry makes every norm with :math:`p > 0` exactly ``inf`` and contributes 0 for
    :math:`p < 0`.

    Gradient: :math:`\operatorname{sign}(x_i)(|x_i|/\|\mathbf{x}\|_p)^{p-1}`; 0 where the
    norm is 0 (a subgradient), at :math:`x_i = 0` for :math:`p < 1`, and everywhere for
    ``ord = 0``; for ``ord = ±inf`` split evenly among the entries that attain it.

    Args:
        x: real floating-point tensor (0-d allowed).
        ord: :math:`p`, any real number or ``±math.inf``.
        dim: the dimension(s) to reduce; ``None`` reduces all of them.
        keepdim: keep the reduced dimensions with size 1.

    Returns:
        The norms, in ``x``'s dtype and device.

    Raises:
        TypeError: ``x`` is not a real floating-point tensor; ``ord`` is not a real number;
            ``dim`` is not an int, a sequence of ints or ``None``; ``keepdim`` is not a bool.
        ValueError: ``ord`` is NaN or an int too large for a float; ``dim`` is out of range
            or repeated; an empty reduction with ``ord < 0`` or ``ord = ±inf`` (no identity
            element).

    Example:
        >>> vector_norm(torch.tensor([3.0, -4.0]))
        tensor(5.)
        >>> vector_norm(torch.tensor([3.0, -4.0]), ord=1)
        tensor(7.)
        >>> vector_norm(torch.tensor([1e200, 1e200], dtype=torch.float64))
        tensor(1.4142e+200, dtype=torch.float64)
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"x must be a real floating-point tensor, got dtype {x.dtype}")
    p = _check_ord(ord)
    dims = _check_norm_dims(x, dim)
    check_bool("keepdim", keepdim)
    graph = x.requires_grad and torch.is_grad_enabled()
    if p == 2 and not graph and x.is_cpu and 0 < x.numel() <= _SMALL_CALL and len(dims) == x.dim():
        small = _small_two_norm(x) if dims else None
        if small is not None:
            return small.view([1] * x.dim()) if keepdim else small
    empty = any(x.shape[d] == 0 for d in dims) or (dim is None and x.numel() == 0)
    if empty and (p < 0 or math.isinf(p)):
        raise ValueError(
            f"cannot take the ord={ord} norm over an empty dimension (it has no identity)"
        )
    if graph:
        out = _VectorNorm.apply(x, p, dims)
    else:
        work = opmath_dtype(x.dtype)
        out = _norm_forward(x if x.dtype == work else x.to(work), p, dims)
        out = out if out.dtype == x.dtype else out.to(x.dtype)
    if keepdim or not dims:
        return out
    return out.view(()) if len(dims) == x.dim() else out.squeeze(dims)


# -- chain rule -------------------------------------------------------------------------------


def chain_rule(outer_grad: torch.Tensor, inner_jacobian: torch.Tensor) -> torch.Tensor:
    r"""The gradient of :math:`y = f(\mathbf{u})`, :math:`\mathbf{u} = g(\mathbf{x})`, with
    respect to :math:`\mathbf{x}`, from the two factors of the chain rule.

    .. math:: \frac{\partial y}{\partial x_i} = \sum_{j=1}^m
        \frac{\partial y}{\partial u_j}\frac{\partial u_j}{\partial x_i},
        \qquad i = 1, \dots, n

    i.e. the vector–Jacobian product :math:`\nabla_{\mathbf{u}} y^\top J_g`, batched over
    leading dimensions (which broadcast).

    NaN and inf: propagate as in the sums of products (an infinite factor times 0 is NaN).

    Args:
        outer_grad: :math:`\partial y / \partial \mathbf{u}`, shape ``(..., m)``.
        inner_jacobian: :math:`\partial u_j / \partial x_i` at row ``j``, column ``i``,
            shape ``(..., m, n)``.

    Returns:
        :math:`\partial y / \partial \mathbf{x}`, shape ``(..., n)``, in the inputs' dtype
        and device.

    Raises:
        TypeError: an argument is not a floating-point tensor, or their dtypes differ.
        ValueError: ``inner_jacobian`` has fewer than 2 dimensions; its ``m`` does not match
            ``outer_grad``'s; the batch shapes do not broadcast; different devices.

    Example:
        >>> chain_rule(torch.tensor([1.0, 2.0]), torch.tensor([[1.0, 0.0], [3.0, 1.0]]))
        tensor([7., 2.])
    """
    check_floating("outer_grad", outer_grad)
    check_floating("inner_jacobian", inner_jacobian)
    if inner_jacobian.dim() < 2:
        raise ValueError(
            f"inner_jacobian must have shape (..., m, n), got {tuple(inner_jacobian.shape)}"
        )
    if outer_grad.dtype != inner_jacobian.dtype:
        raise TypeError(
            f"outer_grad has dtype {outer_grad.dtype} but inner_jacobian has "
            f"{inner_jacobian.dtype}; they must match"
        )
    check_same_device("outer_grad", outer_grad, "inner_jacobian", inner_jacobian)
    m = outer_grad.shape[-1]
    if inner_jacobian.shape[-2] != m:
        raise ValueError(
            f"inner_jacobian has {inner_jacobian.shape[-2]} rows (one per u_j) but outer_grad "
            f"has m = {m} entries"
        )
    try:
        torch.broadcast_shapes(outer_grad.shape[:-1], inner_jacobian.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"batch shapes {tuple(outer_grad.shape[:-1])} of outer_grad and "
            f"{tuple(inner_jacobian.shape[:-2])} of inner_jacobian do not broadcast"
        ) from None
    t = opmath_dtype(outer_grad.dtype)
    g, jac = outer_grad.to(t), inner_jacobian.to(t)
    return torch.matmul(g.unsqueeze(-2), jac).squeeze(-2).to(outer_grad.dtype)


# -- Bayes' theorem ---------------------------------------------------------------------------


def bayes_posterior(
    likelihood: torch.Tensor, prior: torch.Tensor, dim: int = -1, *, validate: bool = True
) -> torch.Tensor:
    r"""Posterior probabilities of the events :math:`A_1, \dots, A_K` of a partition given
    an event :math:`B`, by Bayes' theorem.

    .. math:: P(A_k \mid B) = \frac{P(B \mid A_k)\,P(A_k)}{P(B)}, \qquad
        P(B) = \sum_{j=1}^K P(B \mid A_j)\,P(A_j) \neq 0

    (the evidence :math:`P(B)` by the law of total probability).

    The likelihoods of each slice are divided by their largest one first (the posterior does
    not change), so subnormal likelihoods neither underflow nor give infinite gradients.

    NaN and inf: with ``validate=True`` NaN inputs are rejected; with ``validate=False`` they
    propagate, and a slice with :math:`P(B) = 0` gives NaN (the posterior is undefined).

    Args:
        likelihood: :math:`P(B \mid A_k)` along ``dim``, each in :math:`[0, 1]`.
        prior: :math:`P(A_k)` along ``dim``, on the probability simplex; broadcasts with
            ``likelihood``.
        dim: the dimension that indexes the events :math:`A_k`.
        validate: check the ranges, the simplex and :math:`P(B) \ne 0` (a device sync).

    Returns:
        :math:`P(A_k \mid B)`, the broadcast shape, in the inputs' dtype and device; each
        slice along ``dim`` sums to 1.

    Raises:
        TypeError: an argument is not a floating-point tensor, or the dtypes differ.
        TypeError: ``validate`` is not a bool.
        ValueError: shapes that do not broadcast; ``dim`` out of range; a likelihood outside
            :math:`[0, 1]` or NaN; a prior that is not a probability vector; :math:`P(B) = 0`
            in some slice.

    Example:
        >>> bayes_posterior(torch.tensor([0.9, 0.2]), torch.tensor([0.1, 0.9]))
        tensor([0.3333, 0.6667])
    """
    check_floating("likelihood", likelihood)
    check_floating("prior", prior)
    if likelihood.dtype != prior.dtype:
        raise TypeError(
            f"likelihood has dtype {likelihood.dtype} but prior has {prior.dtype}; they must match"
        )
    check_same_device("likelihood", likelihood, "prior", prior)
    try:
        shape = torch.broadcast_shapes(likelihood.shape, prior.shape)
    except RuntimeError:
        raise ValueError(
            f"likelihood of shape {tuple(likelihood.shape)} and prior of shape "
            f"{tuple(prior.shape)} do not broadcast"
        ) from None
    lik, pri = likelihood.expand(shape), prior.expand(shape)
    dim = normalize_dim("likelihood", lik, dim)
    check_bool("validate", validate)
    checked = validate and has_values(lik)
    if checked:
        if bool(torch.isnan(lik).any()):
            raise ValueError("likelihood contains NaN; expected probabilities P(B | A_k)")
        if bool(((lik < 0) | (lik > 1)).any()):
            raise ValueError("likelihood must hold probabilities P(B | A_k) in [0, 1]")
        check_probabilities("prior", pri, dim=dim)
    t = opmath_dtype(likelihood.dtype)
    lik_t = lik.to(t)
    # P(A_k | B) is unchanged when every P(B | A_j) is divided by the largest one: subnormal
    # likelihoods then neither underflow in the products nor overflow the gradient (a
    # constant, detached: the result does not depend on it)
    top = lik_t.detach().amax(dim=dim, keepdim=True)
    usable = torch.isfinite(top) & (top > 0)
    joint = lik_t / torch.where(usable, top, 1) * pri.to(t)  # P(B and A_k) / max_j P(B | A_j)
    evidence = joint.sum(dim=dim, keepdim=True)  # P(B) / max_j P(B | A_j), total probability
    if checked and bool((evidence == 0).any()):
        raise ValueError("the evidence P(B) = sum_k P(B | A_k) P(A_k) is 0: P(A | B) is undefined")
    return (joint / evidence).to(likelihood.dtype)


# -- expectations -----------------------------------------------------------------------------


def _moment_inputs(
    values: torch.Tensor, probs: torch.Tensor, dim: int, keepdim: bool, validate: bool
) -> tuple[torch.Tensor, torch.Tensor, int]:
    check_floating("values", values)
    check_floating("probs", probs)
    if values.dtype != probs.dtype:
        raise TypeError(
            f"values has dtype {values.dtype} but probs has {probs.dtype}; they must match"
        )
    check_same_device("values", values, "probs", probs)
    try:
        shape = torch.broadcast_shapes(values.shape, probs.shape)
    except RuntimeError:
        raise ValueError(
            f"values of shape {tuple(values.shape)} and probs of shape {tuple(probs.shape)} "
            "do not broadcast"
        ) from None
    x, p = values.expand(shape), probs.expand(shape)
    dim = normalize_dim("values", x, dim)
    check_bool("keepdim", keepdim)
    check_bool("validate", validate)
    if validate:
        check_probabilities("probs", p, dim=dim)
    t = opmath_dtype(values.dtype)
    return x.to(t), p.to(t), dim


def expectation(
    values: torch.Tensor,
    probs: torch.Tensor,
    dim: int = -1,
    keepdim: bool = False,
    *,
    validate: bool = True,
) -> torch.Tensor:
    r"""Expectation of a discrete random variable.

    .. math:: E[X] = \sum_{i=1}^n p_i\, x_i

    NaN and inf: propagate (an infinite value with probability 0 gives NaN, as
    :math:`0 \cdot \infty` does).

    Args:
        values: the values :math:`x_i` along ``dim``.
        probs: their probabilities :math:`p_i` along ``dim`` (broadcasts with ``values``).
        dim: the dimension that indexes the outcomes.
        keepdim: keep the reduced dimension with size 1.
        validate: check that ``probs`` lies on the simplex (a device sync).

    Returns:
        :math:`E[X]`, in the inputs' dtype and device.

    Raises:
        TypeError: an argument is not a floating-point tensor, or the dtypes differ;
            ``keepdim`` or ``validate`` is not a bool.
        ValueError: shapes that do not broadcast; ``dim`` out of range; ``probs`` negative,
            NaN or not summing to 1.

    Example:
        >>> expectation(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 0.25, 0.25]))
        tensor(1.7500)
    """
    x, p, dim = _moment_inputs(values, probs, dim, keepdim, validate)
    return (p * x).sum(dim=dim, keepdim=keepdim).to(values.dtype)


def variance(
    values: torch.Tensor,
    probs: torch.Tensor,
    dim: int = -1,
    keepdim: bool = False,
    *,
    validate: bool = True,
) -> torch.Tensor:
    r"""Variance of a discrete random variable, by the corrected two-pass formula.

    .. math:: \operatorname{Var}[X] = \sum_{i=1}^n p_i\, (x_i - E[X])^2

    evaluated as :math:`\sum_i p_i d_i^2 - (\sum_i p_i d_i)^2` with
    :math:`d_i = x_i - \hat\mu` and :math:`\hat\mu` the computed mean: the second term removes
    the error of :math:`\hat\mu` (Chan, Golub & LeVeque), so the result stays accurate under a
    large shift of the values, where :math:`E[X^2] - E[X]^2` cancels every digit. Rounding
    cannot make it negative (it is clamped at 0).

    NaN and inf: propagate; an infinite value gives NaN (its deviation from an infinite mean
    is undefined).

    Args:
        values, probs, dim, keepdim, validate: as for :func:`expectation`.

    Returns:
        :math:`\operatorname{Var}[X] \ge 0`, in the inputs' dtype and device.

    Raises:
        TypeError, ValueError: as for :func:`expectation`.

    Example:
        >>> variance(torch.tensor([-1.0, 1.0]), torch.tensor([0.5, 0.5]))
        tensor(1.)
    """
    x, p, dim = _moment_inputs(values, probs, dim, keepdim, validate)
    deviation = x - (p * x).sum(dim=dim, keepdim=True)
    weighted = p * deviation
    spread = (weighted * deviation).sum(dim=dim, keepdim=keepdim)
    correction = weighted.sum(dim=dim, keepdim=keepdim)
    return (spread - correction * correction).clamp_min(0).to(values.dtype)
