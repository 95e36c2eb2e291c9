r"""The elementwise terms every discrete information measure is built from.

* :func:`xlogy` — :math:`x \log y` with :math:`0 \log y = 0` (entropy, cross-entropy);
* :func:`kl_sum` — :math:`\sum_i p_i \log(p_i / q_i)` with :math:`0 \log(0/\cdot) = 0` and
  :math:`+\infty` where :math:`p_i > 0 = q_i` (KL divergence);
* :func:`rel_entr_value` — :math:`p \log \bigl(p / \prod_k m_k\bigr)` of a joint table and
  its marginals, with :func:`marginal_rel_entr_grads` its gradients (mutual information, in
  :mod:`dltheory.information._independence`), and :func:`conditional_rel_entr` for one
  marginal (conditional entropy);
* :func:`pointwise_log_ratio` — :math:`\log(p_{xy} / (p_x p_y))` of a joint table, with
  :math:`-\infty` where :math:`p_{xy} = 0` (pointwise mutual information).

The terms are ``torch.autograd.Function`` objects with hand-written backward passes, so that the
gradient at exact zeros follows the one-sided derivative of the term and is never NaN:

* :math:`\partial_y (x \log y) = x / y` is exactly ``0`` where :math:`x = 0` (also at
  :math:`y = 0`), and :math:`\partial_x (x \log y) = \log y` is :math:`-\infty` at :math:`y = 0`;
* :math:`\partial_p\, p\log(p/q) = \log(p/q) + 1`, which for a fixed :math:`q` is
  :math:`-\infty` at :math:`p = 0 < q` and :math:`+\infty` at :math:`p \ge 0 = q`; for
  marginals of :math:`p`, which move with it, the limit at :math:`p = 0` depends on how many
  of them are 0 (:func:`marginal_rel_entr_grads`); :math:`\partial_{q_k} = -p/q_k`, exactly ``0``
  where :math:`p = 0`.

The backward passes use differentiable operations on the saved inputs, so second derivatives
work where the terms are smooth. Inputs are expected in the dtype the arithmetic is done in
(the callers upcast float16/bfloat16 to float32 first, and mutual information everything to
float64); shapes must already match.
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "conditional_rel_entr",
    "d_minus_log1p",
    "kl_sum",
    "log_ratio",
    "marginal_rel_entr_grads",
    "pointwise_log_ratio",
    "rel_entr_value",
    "xlogy",
]

LN2 = math.log(2)


def log_ratio(p: torch.Tensor, *qs: torch.Tensor) -> torch.Tensor:
    r""":math:`\log(p / \prod_k q_k)`, accurate near ratio 1 and free of over- and underflow.

    Every number is split as :math:`m 2^e` with :math:`m \in [\tfrac12, 1)` (``torch.frexp``,
    exact also for subnormals), so :math:`\log(p/\prod q) = \log(m_p/\prod m_k) + (e_p -
    \sum e_k) \log 2`: the quotient of mantissas lies in :math:`(\tfrac12, 2^K)` and can
    neither overflow nor underflow, and no large logarithms cancel. When the ratio lies in
    :math:`(\tfrac12, \tfrac32)` and the product :math:`\prod q` is a normal number, the value
    is :math:`\operatorname{log1p}((p - \prod q) / \prod q)` instead: :math:`p - \prod q` is
    exact there, so a ratio near 1 keeps its relative accuracy (the regime of a KL divergence
    close to 0). Exact zeros give the right infinities (:math:`p = 0 < q`: :math:`-\infty`;
    :math:`p > 0 = q`: :math:`+\infty`). Not differentiable: callers use it inside an
    ``autograd.Function`` with its own backward pass.
    """
    if not qs:
        raise TypeError("log_ratio needs at least one denominator")
    quotient, scale = torch.frexp(p)
    product = None
    for q in qs:
        mantissa, exponent = torch.frexp(q)
        quotient = quotient / mantissa
        scale = scale - exponent
        product = q if product is None else product * q
    assert product is not None
    far = torch.log(quotient) + scale.to(p.dtype) * LN2
    near = (product >= torch.finfo(p.dtype).tiny) & ((p - product).abs() < 0.5 * product)
    relative = (p - product) / torch.where(near, product, 1.0)
    return torch.where(near, torch.log1p(relative), far)


class _XLogY(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x, y)
        return torch.xlogy(x, y)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, y = ctx.saved_tensors
        zero = torch.zeros((), dtype=x.dtype, device=x.device)
        grad_x = grad * torch.log(y)
        grad_y = grad * torch.where(x == 0, zero, x / y)
        return grad_x, grad_y


def rel_entr_value(p: torch.Tensor, *qs: torch.Tensor) -> torch.Tensor:
    r""":math:`p \log(p / \prod_k q_k)`, 0 where :math:`p = 0` (no graph: the forward pass)."""
    value = p * log_ratio(p, *qs)
    return torch.where(p == 0, torch.zeros_like(value), value)


def _independent_slope_at_zero(q: torch.Tensor) -> torch.Tensor:
    r""":math:`\partial_p\, p \log(p/q)` at :math:`p = 0` for a fixed :math:`q`: :math:`-\infty`
    where :math:`q > 0`, :math:`+\infty` where :math:`q = 0` (any mass there is infinitely
    unlikely under :math:`q`)."""
    inf = torch.full((), torch.inf, dtype=q.dtype, device=q.device)
    return torch.where(q > 0, -inf, inf)


def _marginal_slope_at_zero(p: torch.Tensor, marginals) -> torch.Tensor:
    r""":math:`\partial_p\, p \log(p / \prod_k m_k)` at :math:`p = 0` where each :math:`m_k` is
    a marginal of the table :math:`p` (a sum that contains :math:`p`).

    Mass :math:`\varepsilon` put into an empty cell raises every marginal that was 0 to exactly
    :math:`\varepsilon`, so the log-ratio tends to :math:`\log(\varepsilon^{1-z} / \prod_{m_k > 0}
    m_k)` with :math:`z` the number of zero marginals: :math:`-\infty` for :math:`z = 0`,
    :math:`-\sum_{m_k > 0} \log m_k` (finite) for :math:`z = 1`, :math:`+\infty` for
    :math:`z \ge 2`. The chain rule through the marginals then adds what they pass back."""
    one = torch.ones((), dtype=p.dtype, device=p.device)
    zeros = sum((m == 0).to(torch.int8) for m in marginals)
    log_positive = sum(torch.log(torch.where(m > 0, m, one)) for m in marginals)
    inf = torch.full((), torch.inf, dtype=p.dtype, device=p.device)
    return torch.where(zeros == 0, -inf, torch.where(zeros == 1, -log_positive, inf))


def _rel_entr_grads(
    grad: torch.Tensor, p: torch.Tensor, qs, at_zero: torch.Tensor
) -> tuple[torch.Tensor, ...]:
    r"""The gradients of :math:`p \log(p / \prod_k q_k)` times ``grad``: with respect to
    :math:`p` (``at_zero`` where :math:`p = 0`) and to each :math:`q_k` (0 where :math:`p = 0`)."""
    zero = torch.zeros((), dtype=p.dtype, device=p.device)
    # log p - sum log q: differentiable (for second derivatives), never overflows, and
    # within eps |log p| of the forward's log_ratio, which frexp makes non-differentiable
    log_p_over_q = torch.log(p)
    for q in qs:
        log_p_over_q = log_p_over_q - torch.log(q)
    grad_p = grad * torch.where(p > 0, log_p_over_q + 1, at_zero)
    grad_qs = [grad * torch.where(p == 0, zero, -p / q) for q in qs]
    return (grad_p, *grad_qs)


def marginal_rel_entr_grads(grad: torch.Tensor, p: torch.Tensor, marginals) -> tuple:
    r"""The gradients of :math:`p \log(p / \prod_k m_k)` times ``grad`` with respect to the
    table and to each marginal :math:`m_k` of it (broadcast to its shape), at an empty cell the
    one-sided limit along the table (:func:`_marginal_slope_at_zero`)."""
    return _rel_entr_grads(grad, p, marginals, _marginal_slope_at_zero(p, marginals))


def xlogy(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r""":math:`x \log y`, with :math:`0 \log y = 0` for every :math:`y` (0 included) but NaN
    (``torch.xlogy``'s value); the gradient with respect to :math:`y` is 0 where :math:`x = 0`
    (autograd of ``torch.xlogy`` gives NaN there at :math:`y = 0`)."""
    if torch.is_grad_enabled() and (x.requires_grad or y.requires_grad):
        return _XLogY.apply(x, y)
    return torch.xlogy(x, y)  # no graph: no autograd.Function call


def _conditional_value(p: torch.Tensor, marginal: torch.Tensor, dim: int) -> torch.Tensor:
    r""":math:`p \log(p / m)` with :math:`m` the sum of :math:`p` along ``dim`` (broadcast to
    its shape), 0 where :math:`p = 0`.

    A cell that holds more than half of its slice (at most one per slice) has a log-ratio
    near 0, where :math:`m` rounded has already cost its relative accuracy; there it is
    :math:`\operatorname{log1p}(-r/m)` with :math:`r` the sum of the slice's other cells,
    accurate to a few ulps however close to 1 the ratio is (a nearly deterministic row)."""
    value = rel_entr_value(p, marginal)
    near = (p > 0.5 * marginal) & (marginal >= torch.finfo(p.dtype).tiny)
    rest = torch.where(near, 0.0, p).sum(dim, keepdim=True)
    one = torch.ones((), dtype=p.dtype, device=p.device)
    return torch.where(near, p * torch.log1p(-rest / torch.where(near, marginal, one)), value)


class _ConditionalRelEntr(torch.autograd.Function):
    @staticmethod
    def forward(ctx, p: torch.Tensor, marginal: torch.Tensor, dim: int) -> torch.Tensor:
        ctx.save_for_backward(p, marginal)
        return _conditional_value(p, marginal, dim)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        p, marginal = ctx.saved_tensors
        at_zero = _marginal_slope_at_zero(p, (marginal,))
        return (*_rel_entr_grads(grad, p, (marginal,), at_zero), None)


def conditional_rel_entr(p: torch.Tensor, marginal: torch.Tensor, dim: int) -> torch.Tensor:
    r""":math:`p \log(p / m)` of a joint table and its marginal :math:`m = \sum_{\text{dim}} p`
    (broadcast to its shape), accurate also for nearly deterministic slices
    (:func:`_conditional_value`), with the gradients of :func:`marginal_rel_entr_grads`."""
    return _ConditionalRelEntr.apply(p, marginal, dim)


class _PointwiseLogRatio(torch.autograd.Function):
    r""":math:`\operatorname{pmi}_{ij} = \log p_{ij} - \log p_X(i) - \log p_Y(j)` of a joint
    table (over the last two dimensions), :math:`-\infty` where :math:`p_{ij} = 0`.

    Backward: with :math:`G_{ij}` the incoming gradient where :math:`p_{ij} > 0` (0 elsewhere:
    a constant :math:`-\infty` has none), :math:`R_k = \sum_j G_{kj}` and
    :math:`C_l = \sum_i G_{il}`,

    .. math:: \frac{\partial}{\partial p_{kl}} = \frac{G_{kl}}{p_{kl}}
        - \frac{R_k}{p_X(k)} - \frac{C_l}{p_Y(l)}.

    At subnormal entries the three terms may overflow and cancel (``inf - inf``); there the
    sum is formed from the table scaled by :math:`2^S` (the terms are homogeneous of degree
    :math:`-1`) and scaled back, so the gradient is finite where the exact one is and
    :math:`\pm\infty` where it overflows, never NaN.
    """

    @staticmethod
    def forward(ctx, p: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(p)
        p_x, p_y = p.sum(dim=-1, keepdim=True), p.sum(dim=-2, keepdim=True)
        occurs = p != 0  # a NaN entry occurs (and propagates)
        one = torch.ones((), dtype=p.dtype, device=p.device)
        value = log_ratio(
            torch.where(occurs, p, one),
            torch.where(occurs, p_x.expand_as(p), one),
            torch.where(occurs, p_y.expand_as(p), one),
        )
        return torch.where(occurs, value, torch.full_like(value, -torch.inf))

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (p,) = ctx.saved_tensors
        occurs = p != 0  # a NaN entry occurs (and propagates)
        g = torch.where(occurs, grad, torch.zeros((), dtype=grad.dtype, device=grad.device))
        rows, cols = g.sum(dim=-1, keepdim=True), g.sum(dim=-2, keepdim=True)

        def terms(table: torch.Tensor) -> torch.Tensor:
            p_x, p_y = table.sum(dim=-1, keepdim=True), table.sum(dim=-2, keepdim=True)
            own = torch.where(occurs, g / torch.where(occurs, table, 1.0), 0.0)
            row = torch.where(p_x > 0, rows / torch.where(p_x > 0, p_x, 1.0), 0.0)
            col = torch.where(p_y > 0, cols / torch.where(p_y > 0, p_y, 1.0), 0.0)
            return own - row - col

        direct = terms(p)
        scale = 2.0 ** (round(-math.log2(torch.finfo(p.dtype).eps)) + 12)  # 2**64 in float64
        return torch.where(torch.isfinite(direct), direct, terms(p * scale) * scale)


def pointwise_log_ratio(joint: torch.Tensor) -> torch.Tensor:
    r""":math:`\log(p_{xy} / (p_x p_y))` over the last two dimensions; :math:`-\infty` where
    :math:`p_{xy} = 0`, with gradient 0 there, and never a NaN gradient."""
    return _PointwiseLogRatio.apply(joint)


# |d| < KL_NEAR: d - log1p(d) by the series in z = d / (2 + d); 9 terms reach 2^-56 there
KL_NEAR = 0.25
KL_SERIES = tuple(1.0 / (2 * k + 1) for k in range(1, 10))  # 1/3, 1/5, ..., 1/19


def d_minus_log1p(d):
    r""":math:`d - \operatorname{log1p}(d)` without cancellation for :math:`|d| < \tfrac14`, for a
    tensor, a NumPy array or a float alike.

    With :math:`z = d / (2 + d)`, :math:`\operatorname{log1p}(d) = 2\operatorname{artanh} z
    = 2(z + z^3/3 + z^5/5 + \dots)` and :math:`d - 2z = dz`, so
    :math:`d - \operatorname{log1p}(d) = dz - 2z^3 \sum_{k \ge 1} z^{2k-2}/(2k+1)`: the
    leading term :math:`dz \approx d^2/2` is computed directly and the series is at most a
    twelfth of it, so nothing cancels.
    """
    z = d / (2 + d)
    w = z * z
    series = KL_SERIES[-1]
    for c in reversed(KL_SERIES[:-1]):
        series = series * w + c
    return d * z - 2 * z * w * series


def _kl_value(p: torch.Tensor, q: torch.Tensor, dim: int, keepdim: bool) -> torch.Tensor:
    r""":math:`\sum_i p_i \log(p_i / q_i)`, accurate also when :math:`q \approx p`.

    Where :math:`d_i = (q_i - p_i)/p_i` is small, :math:`p_i\log(p_i/q_i) = p_i\bigl(d_i -
    \operatorname{log1p}(d_i)\bigr) - (q_i - p_i)`: the first parts are nonnegative and
    summed without cancellation, and the differences :math:`q_i - p_i` (exact there) are
    summed apart; their sum is exact whenever it fits in 53 bits of the smallest ulp among
    them, as it does for distributions close to each other. Elsewhere the term is
    :func:`rel_entr`'s (:math:`+\infty` where :math:`p_i > 0 = q_i`, 0 where :math:`p_i = 0`).
    """
    diff = q - p
    near = (p >= torch.finfo(p.dtype).tiny) & (diff.abs() < KL_NEAR * p)
    d = torch.where(near, diff / p, 0.0)
    terms = torch.where(near, p * d_minus_log1p(d), rel_entr_value(p, q))
    linear = torch.where(near, diff, 0.0)
    return terms.sum(dim=dim, keepdim=keepdim) - linear.sum(dim=dim, keepdim=keepdim)


class _KLSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, p: torch.Tensor, q: torch.Tensor, dim: int, keepdim: bool):
        ctx.save_for_backward(p, q)
        ctx.dim, ctx.keepdim = dim, keepdim
        return _kl_value(p, q, dim, keepdim)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        p, q = ctx.saved_tensors
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        grad_p, grad_q = _rel_entr_grads(grad, p, (q,), _independent_slope_at_zero(q))
        return grad_p, grad_q, None, None


def kl_sum(p: torch.Tensor, q: torch.Tensor, dim: int, keepdim: bool = False) -> torch.Tensor:
    r""":math:`\sum_i p_i \log(p_i/q_i)` along ``dim`` (the KL divergence), with the gradients
    of :func:`rel_entr` and full relative accuracy for nearly equal distributions."""
    return _KLSum.apply(p, q, dim, keepdim)
