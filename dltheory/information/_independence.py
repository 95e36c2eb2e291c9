r"""Mutual information to full relative accuracy, however close to independence.

:math:`I = \sum_{xy} p_{xy} \log \frac{p_{xy}}{a_x b_y}` with the marginals
:math:`a_x = \sum_y p_{xy}` and :math:`b_y = \sum_x p_{xy}`. Near independence each
log-ratio is about :math:`d = (a_x b_y - p_{xy}) / p_{xy}`, tiny, and :math:`I \approx \sum p
d^2 / 2`. Computed term by term from rounded marginals :math:`\hat a, \hat b`, every log-ratio
carries an error of about eps, so :math:`I` carries one of about eps in absolute terms:
at :math:`d \approx 10^{-6}` (:math:`I \approx 10^{-13}`) that is a relative error of
:math:`10^{-3}`. Nothing is lost, however, if the rounding of the marginals is accounted for
exactly. For any positive :math:`\hat a, \hat b` close to the marginals, with
:math:`\hat d = (\hat a_x \hat b_y - p_{xy}) / p_{xy}`, :math:`A = \sum \hat a`,
:math:`B = \sum \hat b` and :math:`S = \sum p`,

.. math:: I = \sum_{p_{xy} > 0} p_{xy} \bigl(\hat d - \operatorname{log1p} \hat d\bigr)
    + \sum_{p_{xy} = 0} \hat a_x \hat b_y + (1 - S) - (A - 1)(B - 1)
    - \sum_x a_x \phi\Bigl(\frac{\hat a_x - a_x}{a_x}\Bigr)
    - \sum_y b_y \phi\Bigl(\frac{\hat b_y - b_y}{b_y}\Bigr),

with :math:`\phi(t) = t - \log(1 + t) \approx t^2/2`: the last two sums are of the order of
eps squared, kept as :math:`\sum (\hat a_x - a_x)^2 / (2 a_x)` (they matter once :math:`I`
is that small). (It is :math:`\sum p \log\frac{p}{\hat a \hat b}` plus
:math:`\sum_x a_x \log\frac{\hat a_x}{a_x}` and the same for :math:`b`, with
:math:`-\log(1 + \hat d) = (\hat d - \operatorname{log1p} \hat d) - \hat d` and
:math:`\sum_{p > 0} p \hat d = AB - S - \sum_{p = 0} \hat a \hat b` exactly.)

Every part is then computed without cancellation:

* :math:`\hat a_x \hat b_y - p_{xy}` by splitting each marginal into two halves of 26 bits
  (Veltkamp), whose four products are exact, and the largest of which lies within a factor 2
  of :math:`p_{xy}`, so that its difference with :math:`p_{xy}` is exact too (Sterbenz);
* :math:`\hat d - \operatorname{log1p} \hat d \ge 0` by the series of
  :func:`~dltheory.information._terms.d_minus_log1p` where :math:`|\hat d| < \tfrac14`, and
  elsewhere as :math:`p \log\frac{p}{\hat a \hat b} + (\hat a \hat b - p)`;
* :math:`1 - S` and :math:`\hat a_x - a_x`: each cell is split into a multiple of
  :math:`2^{-26}`, a multiple of :math:`2^{-52}` and a rest below :math:`2^{-53}`; the first
  two sums are exact, the third is rounded, by at most about :math:`N 2^{-106}` for
  :math:`N` cells (nothing for cells that are multiples of :math:`2^{-53}`).

The result is therefore within a few ulps of the largest of :math:`I`, :math:`|1 - S|` (a
table whose cells do not sum to exactly 1 has its exact :math:`I` moved by about
:math:`1 - S`) and that floor of :math:`N 2^{-106}` (about :math:`10^{-32} N`).

The arithmetic is float64 whatever the input's dtype (the splitting constants are float64's).
:func:`mutual_information_value` is plain arithmetic on tensors or NumPy arrays alike, shared
by the tensor path (:func:`mutual_information_sum`, with its gradient) and the small calls.
"""

from __future__ import annotations

import torch

from dltheory.information._terms import (
    KL_NEAR,
    d_minus_log1p,
    marginal_rel_entr_grads,
    rel_entr_value,
)

__all__ = ["mutual_information_sum", "mutual_information_value", "plain_sum_and_closeness"]

_VELTKAMP = 2.0**27 + 1  # splits a float64 into two halves of at most 26 significant bits
_TO_2_26 = 1.5 * 2.0**26  # x + this - this: x rounded to a multiple of 2^-26 (|x| < 2^25)
_TO_2_52 = 1.5  # the same to a multiple of 2^-52 (|x| < 1/2)
_TINY = 2.0**-1022  # float64's smallest normal
_TABLES = (-2, -1)
_CLOSE = 8.0  # a table whose plain sum is below 1/_CLOSE of its scale takes the exact form


def _halves(x):
    """``x`` as ``hi + lo`` with both halves of at most 26 bits (Dekker, 1971)."""
    c = x * _VELTKAMP
    hi = c - (c - x)
    return hi, x - hi


def product_minus(a, b, p):
    r""":math:`ab - p` where :math:`ab` lies within a factor 2 of :math:`p`, rounded once: the
    product split into four exact partial products; the largest is subtracted from :math:`p`
    exactly (Sterbenz), then the two middle ones are added (their sum is exact too: both are
    multiples of :math:`2^{e_a + e_b - 77}` below :math:`2^{e_a + e_b - 24}`) and last the
    smallest. Elsewhere the result is within a few ulps of :math:`|ab| + |p|`."""
    a_hi, a_lo = _halves(a)
    b_hi, b_lo = _halves(b)
    return ((a_hi * b_hi - p) + (a_hi * b_lo + a_lo * b_hi)) + a_lo * b_lo


def unit_parts(p):
    r"""``p`` (entries below :math:`2^{25}`) as ``hi + mid + lo``: ``hi`` a multiple of
    :math:`2^{-26}`, ``mid`` of :math:`2^{-52}` with :math:`|mid| \le 2^{-27}`, and
    :math:`|lo| \le 2^{-53}`. Sums of ``hi`` and of ``mid`` over up to :math:`2^{26}` cells of
    a probability table are exact in float64."""
    hi = (p + _TO_2_26) - _TO_2_26
    rest = p - hi
    mid = (rest + _TO_2_52) - _TO_2_52
    return hi, mid, rest - mid


def _cell_parts(p, a, b, relative_entropy, where):
    r"""Per cell, :math:`p(\hat d - \operatorname{log1p} \hat d)` where :math:`|\hat d| <
    \tfrac14` (the series), else :math:`p \log(p / (\hat a \hat b)) + (\hat a \hat b - p)`
    from ``relative_entropy`` (0 where :math:`p = 0`, so an empty cell gives
    :math:`\hat a \hat b`)."""
    diff = product_minus(a, b, p)
    near = (p >= _TINY) & (abs(diff) < KL_NEAR * p)
    d = where(near, diff, 0.0) / where(near, p, 1.0)
    return where(near, p * d_minus_log1p(d), relative_entropy + diff)


def _rounding_error(marginal, parts, dim):
    r""":math:`\hat m - m` for the rounded ``marginal`` :math:`\hat m` (``dim`` kept) of the
    table whose :func:`unit_parts` are ``parts``, to a few significant digits; and the exact
    marginal's three parts."""
    hi, mid, lo = (part.sum(dim, keepdims=True) for part in parts)
    return ((marginal - hi) - mid) - lo, (hi, mid, lo)


def _second_order(marginal, error, where):
    r""":math:`\sum m\,\phi(\epsilon) \approx \sum (\hat m - m)^2 / (2m)` over a marginal."""
    positive = marginal > 0
    squares = where(positive, error * error, 0.0) / where(positive, 2 * marginal, 1.0)
    return squares.sum(_TABLES)


def mutual_information_value(p, a, b, relative_entropy, where):
    r""":math:`I(X, Y)` of the float64 tables over the last two dimensions of ``p`` (a tensor
    or a NumPy array), by the module's formula, given the rounded marginals ``a`` (a column,
    ``(..., n, 1)``) and ``b`` (a row, ``(..., 1, m)``), ``relative_entropy``
    (:math:`p \log(p / (\hat a \hat b))` per cell, 0 where :math:`p = 0`) and ``where``
    (``torch.where`` or ``numpy.where``)."""
    terms = _cell_parts(p, a, b, relative_entropy, where).sum(_TABLES)
    parts = unit_parts(p)
    a_error, (hi, mid, lo) = _rounding_error(a, parts, -1)
    b_error, _ = _rounding_error(b, parts, -2)
    one_minus_total = ((1 - hi.sum(_TABLES)) - mid.sum(_TABLES)) - lo.sum(_TABLES)
    # (A - 1)(B - 1) with A - 1 = sum(a_hat - a) - (1 - S): no rounded sum near 1
    excess = (a_error.sum(_TABLES) - one_minus_total) * (b_error.sum(_TABLES) - one_minus_total)
    squares = _second_order(a, a_error, where) + _second_order(b, b_error, where)
    return terms + one_minus_total - excess - squares


def plain_sum_and_closeness(relative_entropy):
    r"""``(I, close)``: :math:`I = \sum p \log(p / (\hat a \hat b))` summed plainly from
    ``relative_entropy``, and where it needs :func:`mutual_information_value`.

    The plain sum's error is about eps times its scale :math:`1 + \sum |p \log(p / (\hat a
    \hat b))|` (half of that, measured against mpmath); where :math:`I` is at least an eighth
    of the scale that is within 4 ulps of :math:`I`, and the table is far enough from
    independence to keep it. Closer to independence the relative error grows without bound
    (:math:`10^{12}` ulps at :math:`I \approx 10^{-13}`), and those tables are ``close``."""
    value = relative_entropy.sum(_TABLES)
    return value, _CLOSE * abs(value) < 1 + abs(relative_entropy).sum(_TABLES)


class _MutualInformation(torch.autograd.Function):
    @staticmethod
    def forward(ctx, p: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(p)
        a, b = p.sum(-1, keepdim=True), p.sum(-2, keepdim=True)
        relative_entropy = rel_entr_value(p, a.expand_as(p), b.expand_as(p))
        value, close = plain_sum_and_closeness(relative_entropy)
        if p.is_meta:  # shapes only
            return value
        if bool(close.all()):  # one table, or all of them close: no indexing
            return mutual_information_value(p, a, b, relative_entropy, torch.where)
        if bool(close.any()):
            value[close] = mutual_information_value(
                p[close], a[close], b[close], relative_entropy[close], torch.where
            )
        return value

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (p,) = ctx.saved_tensors
        a, b = p.sum(-1, keepdim=True).expand_as(p), p.sum(-2, keepdim=True).expand_as(p)
        own, through_a, through_b = marginal_rel_entr_grads(grad[..., None, None], p, (a, b))
        # each marginal is a sum of its row's (column's) cells: its gradient reaches all of them
        return own + through_a.sum(-1, keepdim=True) + through_b.sum(-2, keepdim=True)


def mutual_information_sum(p: torch.Tensor) -> torch.Tensor:
    r""":math:`I(X, Y)` of the float64 tables over the last two dimensions of ``p``, within a
    few ulps of :math:`I` (near independence, of the largest of :math:`I`, :math:`|1 - S|` and
    :math:`N 2^{-106}`: see the module): the plain sum where it is that accurate,
    :func:`mutual_information_value` for the tables :func:`plain_sum_and_closeness` finds close
    to independence. The gradient is that of
    :func:`~dltheory.information._terms.marginal_rel_entr_grads` carried through the marginals:
    :math:`\operatorname{pmi} - 1` at a nonempty cell, its one-sided limit at an empty one."""
    return _MutualInformation.apply(p)
