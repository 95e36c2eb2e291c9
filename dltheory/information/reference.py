r"""Reference implementations for information theory (section 13.6 of the notes).

Discrete distributions are probability tensors: a distribution lies along ``dim`` (default
the last dimension) and every other dimension is a batch. A *joint* distribution of
:math:`(X, Y)` is a table over the last two dimensions, :math:`X` along dimension ``-2``
(rows) and :math:`Y` along ``-1`` (columns); leading dimensions are batches.

Conventions, shared by every function:

* :math:`0 \log 0 = 0` and :math:`0 \log(0/q) = 0`: outcomes of probability 0 contribute
  nothing, whatever the other distribution says about them;
* :func:`kl_divergence` and :func:`cross_entropy` are :math:`+\infty` (never NaN) when some
  outcome has :math:`p > 0 = q`;
* ``base`` selects the unit: ``None`` (natural log, nats, the default), ``2`` (bits), or any
  positive number other than 1 — every result is the nats value divided by :math:`\ln b`;
* results keep the inputs' dtype (promoted if ``p`` and ``q`` differ) and device;
  float16/bfloat16 are computed in float32 and rounded once; inputs are never modified;
* gradients are exact wherever the function is differentiable. At an entry that is exactly 0
  it is not (the derivative of :math:`t \log t` tends to :math:`-\infty` at :math:`0^+`): the
  gradient there is a signed infinity (as ``torch.special.entr`` gives), or exactly 0 for an
  entry whose weight is 0 (e.g. :math:`\partial\,\mathrm{CE}/\partial q_i = -p_i/q_i = 0`
  for :math:`p_i = 0`, also at :math:`q_i = 0`) — never NaN. Second derivatives work where
  every entry is positive;
* NaN and infinite probabilities are a ``ValueError`` (they are not probabilities); with
  ``validate=False`` the formula is evaluated as written and they propagate (NaN, or
  :math:`\pm\infty`). Tensors on the ``meta`` device are never value-checked and give
  ``meta`` results. The closed forms for continuous distributions state their own policy.

Written from the formulas, not by calling ``torch.special.entr``, ``torch.xlogy``,
``torch.distributions`` or SciPy, so that those serve as independent oracles in the checks.
"""

from __future__ import annotations

from typing import Literal

import torch

from dltheory.core.validation import (
    check_bool,
    check_floating,
    check_log_base,
    check_probabilities,
    check_same_device,
    check_same_shape,
    in_compute_dtype,
    in_dtype,
    normalize_dim,
    opmath_dtype,
)
from dltheory.information._closed_forms import (
    gaussian_differential_entropy,
    gaussian_kl_divergence,
    uniform_differential_entropy,
)
from dltheory.information._independence import mutual_information_sum
from dltheory.information._small_calls import table_measure, vector_measure
from dltheory.information._terms import (
    conditional_rel_entr,
    kl_sum,
    pointwise_log_ratio,
    xlogy,
)

__all__ = [
    "conditional_entropy",
    "cross_entropy",
    "entropy",
    "gaussian_differential_entropy",
    "gaussian_kl_divergence",
    "joint_entropy",
    "kl_divergence",
    "mutual_information",
    "pointwise_mutual_information",
    "uniform_differential_entropy",
]


def _arguments(
    tensors: dict[str, torch.Tensor], dim: int, keepdim: bool, validate: bool
) -> tuple[int, torch.dtype]:
    """Check the distributions' types, shapes and devices (not their values); return the
    normalized ``dim`` and the promoted dtype."""
    (first_name, first), *others = tensors.items()
    check_floating(first_name, first)
    for name, other in others:
        check_floating(name, other)
        check_same_shape(name, other, first_name, first)
        check_same_device(name, other, first_name, first)
    dim = normalize_dim(first_name, first, dim)
    check_bool("validate", validate)
    check_bool("keepdim", keepdim)
    dtype = first.dtype
    for _, other in others:
        dtype = torch.promote_types(dtype, other.dtype)
    return dim, dtype


def _small_or_checked(
    kind: str,
    tensors: dict[str, torch.Tensor],
    dim: int,
    keepdim: bool,
    log_base: float,
    validate: bool,
    dtype: torch.dtype,
) -> torch.Tensor | None:
    """The small-call result (:func:`vector_measure`), or ``None`` once the distributions are
    validated for the tensor path."""
    small = vector_measure(kind, tuple(tensors.values()), dim, keepdim, log_base, validate, dtype)
    if small is None and validate:
        for name, p in tensors.items():
            check_probabilities(name, p, dim=dim)
    return small


def _joint(joint: torch.Tensor, validate: bool) -> None:
    """Check the joint table's type, dimensions and flag (not its values)."""
    check_floating("joint", joint)
    check_bool("validate", validate)
    if joint.dim() < 2:
        raise ValueError(
            f"joint must have at least 2 dimensions (X along dim -2, Y along dim -1), "
            f"got shape {tuple(joint.shape)}"
        )
    if 0 in joint.shape[-2:]:  # the message of normalize_dim; a small call counts its checks
        for dim in (-2, -1):
            normalize_dim("joint", joint, dim)


def _small_or_checked_joint(
    kind: str, joint: torch.Tensor, log_base: float, validate: bool
) -> torch.Tensor | None:
    """The small-call result (:func:`table_measure`), or ``None`` once the table is validated
    for the tensor path."""
    small = table_measure(kind, joint, log_base, validate)
    if small is None and validate:
        check_probabilities("joint", joint, dim=(-2, -1))
    return small


def entropy(
    p: torch.Tensor,
    dim: int = -1,
    *,
    keepdim: bool = False,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Shannon entropy of discrete distributions along ``dim``.

    .. math:: H(P) = -\mathbb{E}_{x \sim P}[\log p(x)] = -\sum_i p_i \log p_i,
        \qquad 0 \log 0 = 0

    NaN and inf: a NaN or infinite entry of ``p`` is a ``ValueError``. With
    ``validate=False`` a NaN propagates; infinite entries lie outside the formula's domain.

    Args:
        p: probabilities, nonnegative and summing to 1 along ``dim``.
        dim: the dimension that holds the outcomes; the others are batch dimensions.
        keepdim: keep the reduced dimension with size 1.
        base: logarithm base (``None``: natural log, nats; ``2``: bits).
        validate: check that ``p`` lies on the simplex (within the dtype's tolerance).
            Costs a device sync; pass ``False`` if the caller validated already.

    Returns:
        :math:`H(P) \in [0, \log k]` for :math:`k` outcomes, in ``p``'s dtype and device.

    Raises:
        TypeError: ``p`` is not a floating-point tensor; ``base`` is not a real number.
        ValueError: ``p`` is 0-d, ``dim`` is out of range or empty, ``p`` has a negative or
            NaN entry or does not sum to 1, or ``base`` is not positive or is 1.

    Example:
        >>> entropy(torch.tensor([0.5, 0.5, 0.0]), base=2)
        tensor(1.)
    """
    log_base = check_log_base(base)
    tensors = {"p": p}
    dim, dtype = _arguments(tensors, dim, keepdim, validate)
    small = _small_or_checked("entropy", tensors, dim, keepdim, log_base, validate, dtype)
    if small is not None:
        return small
    work = in_compute_dtype(p)
    # entr(p) = -p log p, 0 at p = 0: one fused pass, differentiable twice (d/dp = -log p - 1)
    h = torch.special.entr(work).sum(dim=dim, keepdim=keepdim)
    if log_base != 1.0:
        h = h / log_base
    return in_dtype(h, p.dtype)


def cross_entropy(
    p: torch.Tensor,
    q: torch.Tensor,
    dim: int = -1,
    *,
    keepdim: bool = False,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Cross-entropy of the distribution ``q`` relative to the true distribution ``p``.

    .. math:: \mathrm{CE}(P, Q) = -\mathbb{E}_{x \sim P}[\log q(x)] = -\sum_i p_i \log q_i
        = H(P) + D_{\mathrm{KL}}(P \,\|\, Q)

    This is the distribution form; for logits and class labels use
    :func:`dltheory.classification.cross_entropy`.

    NaN and inf: a NaN or infinite entry of ``p`` or ``q`` is a ``ValueError``. With
    ``validate=False`` a NaN propagates (but an outcome with :math:`p_i = 0` contributes 0,
    whatever :math:`q_i` is); infinite entries lie outside the formula's domain.

    Args:
        p: the true probabilities, summing to 1 along ``dim``.
        q: the model's probabilities, ``p``'s shape.
        dim, keepdim, base, validate: as for :func:`entropy`.

    Returns:
        :math:`\mathrm{CE}(P, Q) \ge H(P)`; :math:`+\infty` where some :math:`p_i > 0 = q_i`.
        dtype: ``p``'s and ``q``'s promoted; device: theirs.

    Raises:
        TypeError: ``p`` or ``q`` is not a floating-point tensor; ``base`` is not real.
        ValueError: ``p`` and ``q`` differ in shape or device; either is not a distribution
            along ``dim``; ``dim`` is out of range or empty; a bad ``base``.

    Example:
        >>> cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0.25, 0.75]), base=2)
        tensor(1.2075)
    """
    log_base = check_log_base(base)
    tensors = {"p": p, "q": q}
    dim, dtype = _arguments(tensors, dim, keepdim, validate)
    small = _small_or_checked("cross_entropy", tensors, dim, keepdim, log_base, validate, dtype)
    if small is not None:
        return small
    work = opmath_dtype(dtype)
    ce = xlogy(in_dtype(p, work), in_dtype(q, work)).sum(dim=dim, keepdim=keepdim).neg_()
    if log_base != 1.0:
        ce = ce / log_base
    return in_dtype(ce, dtype)


def kl_divergence(
    p: torch.Tensor,
    q: torch.Tensor,
    dim: int = -1,
    *,
    keepdim: bool = False,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Kullback-Leibler divergence (relative entropy) of ``p`` from ``q``.

    .. math:: D_{\mathrm{KL}}(P \,\|\, Q) = \mathbb{E}_{x \sim P}\left[\log\frac{p(x)}{q(x)}
        \right] = \sum_{i:\, p_i > 0} p_i \log\frac{p_i}{q_i}

    Each log-ratio is computed without forming :math:`p_i/q_i` where it could overflow
    (:math:`q_i` subnormal). Where :math:`d_i = (q_i - p_i)/p_i` is small the term is split as
    :math:`p_i(d_i - \operatorname{log1p} d_i) - (q_i - p_i)`: the first parts are
    nonnegative and free of cancellation, the differences are exact and summed apart, so
    the divergence of nearly equal distributions keeps its relative accuracy (a few eps in
    float64, where SciPy's ``rel_entr`` summed loses six digits). It is :math:`\ge 0` for
    distributions; inputs that sum to 1 only up to rounding can give a tiny negative value,
    which is the exact divergence of those inputs. Note the argument order:
    ``kl_divergence(p, q)`` is :math:`D_{\mathrm{KL}}(P\|Q)`, unlike
    ``torch.nn.functional.kl_div(input, target)``.

    NaN and inf: a NaN or infinite entry of ``p`` or ``q`` is a ``ValueError``. With
    ``validate=False`` a NaN propagates (but an outcome with :math:`p_i = 0` contributes 0,
    whatever :math:`q_i` is); infinite entries lie outside the formula's domain.

    Args:
        p: the distribution the expectation is taken under, summing to 1 along ``dim``.
        q: the reference (approximating) distribution, ``p``'s shape.
        dim, keepdim, base, validate: as for :func:`entropy`.

    Returns:
        The divergence; :math:`+\infty` where some :math:`p_i > 0 = q_i`. dtype: ``p``'s and
        ``q``'s promoted; device: theirs.

    Raises:
        TypeError: ``p`` or ``q`` is not a floating-point tensor; ``base`` is not real.
        ValueError: ``p`` and ``q`` differ in shape or device; either is not a distribution
            along ``dim``; ``dim`` is out of range or empty; a bad ``base``.

    Example:
        >>> kl_divergence(torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.5]), base=2)
        tensor(1.)
        >>> kl_divergence(torch.tensor([0.5, 0.5]), torch.tensor([1.0, 0.0]))
        tensor(inf)
    """
    log_base = check_log_base(base)
    tensors = {"p": p, "q": q}
    dim, dtype = _arguments(tensors, dim, keepdim, validate)
    small = _small_or_checked("kl_divergence", tensors, dim, keepdim, log_base, validate, dtype)
    if small is not None:
        return small
    work = opmath_dtype(dtype)
    kl = kl_sum(p.to(work), q.to(work), dim, keepdim)
    return (kl / log_base).to(dtype)


def joint_entropy(
    joint: torch.Tensor, *, base: float | None = None, validate: bool = True
) -> torch.Tensor:
    r"""Joint entropy of :math:`(X, Y)` from their joint probability table.

    .. math:: H(X, Y) = -\mathbb{E}_{(x, y) \sim P}[\log p_{X,Y}(x, y)]
        = -\sum_x \sum_y p_{X,Y}(x, y) \log p_{X,Y}(x, y)

    NaN and inf: a NaN or infinite entry of ``joint`` is a ``ValueError``. With
    ``validate=False`` a NaN propagates; infinite entries lie outside the formula's domain.

    Args:
        joint: :math:`p_{X,Y}` with :math:`X` along dimension ``-2`` and :math:`Y` along
            ``-1``, summing to 1 over the last two dimensions; leading dimensions are batches.
        base, validate: as for :func:`entropy`.

    Returns:
        :math:`H(X, Y)`, shape ``joint.shape[:-2]``, in ``joint``'s dtype and device.

    Raises:
        TypeError: ``joint`` is not a floating-point tensor; ``base`` is not real.
        ValueError: ``joint`` has fewer than 2 dimensions or an empty one, is not a joint
            distribution (negative entries, total not 1), or a bad ``base``.

    Example:
        >>> joint_entropy(torch.tensor([[0.25, 0.25], [0.5, 0.0]]), base=2)
        tensor(1.5000)
    """
    log_base = check_log_base(base)
    _joint(joint, validate)
    small = _small_or_checked_joint("joint_entropy", joint, log_base, validate)
    if small is not None:
        return small
    work = joint.to(opmath_dtype(joint.dtype))
    h = -xlogy(work, work).sum(dim=(-2, -1))
    return (h / log_base).to(joint.dtype)


def _marginals(work: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """:math:`p_X` as a column (..., n, 1) and :math:`p_Y` as a row (..., 1, m)."""
    return work.sum(dim=-1, keepdim=True), work.sum(dim=-2, keepdim=True)


def conditional_entropy(
    joint: torch.Tensor,
    *,
    given: Literal["x", "y"] = "x",
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Conditional entropy from a joint table: :math:`H(Y \mid X)`, or :math:`H(X \mid Y)`.

    .. math:: H(Y \mid X) = -\mathbb{E}_{(x, y) \sim P}[\log p(y \mid x)]
        = -\sum_x \sum_y p_{X,Y}(x, y) \log \frac{p_{X,Y}(x, y)}{p_X(x)}

    Computed from this formula directly (not as :math:`H(X, Y) - H(X)`, which the chain rule
    makes equal). Rows with :math:`p_X(x) = 0` contribute 0. The gradient at an empty cell is
    the one-sided derivative along the table (its marginal moves with it): :math:`+\infty`
    where :math:`p_X(x) > 0`, 0 in an empty row (for ``given="x"``; columns for ``"y"``).

    NaN and inf: a NaN or infinite entry of ``joint`` is a ``ValueError``. With
    ``validate=False`` a NaN propagates; infinite entries lie outside the formula's domain.

    Args:
        joint: the joint table, as for :func:`joint_entropy`.
        given: ``"x"`` for :math:`H(Y \mid X)` (condition on the rows), ``"y"`` for
            :math:`H(X \mid Y)` (condition on the columns).
        base, validate: as for :func:`entropy`.

    Returns:
        A value in :math:`[0, H(Y)]` (resp. :math:`[0, H(X)]`), shape ``joint.shape[:-2]``,
        in ``joint``'s dtype and device.

    Raises:
        TypeError: ``joint`` is not a floating-point tensor; ``base`` is not real.
        ValueError: as for :func:`joint_entropy`; ``given`` is not ``"x"`` or ``"y"``.

    Example:
        >>> conditional_entropy(torch.tensor([[0.25, 0.25], [0.5, 0.0]]), base=2)
        tensor(0.5000)
    """
    if given not in ("x", "y"):
        raise ValueError(f"given must be 'x' or 'y', got {given!r}")
    log_base = check_log_base(base)
    _joint(joint, validate)
    small = _small_or_checked_joint(f"conditional_{given}", joint, log_base, validate)
    if small is not None:
        return small
    work = joint.to(opmath_dtype(joint.dtype))
    p_x, p_y = _marginals(work)
    condition, dim = (p_x, -1) if given == "x" else (p_y, -2)
    h = -conditional_rel_entr(work, condition.expand_as(work), dim).sum(dim=(-2, -1))
    return (h / log_base).to(joint.dtype)


def mutual_information(
    joint: torch.Tensor, *, base: float | None = None, validate: bool = True
) -> torch.Tensor:
    r"""Mutual information of :math:`X` and :math:`Y` from their joint table.

    .. math:: I(X, Y) = \sum_x \sum_y p_{X,Y}(x, y) \log
        \frac{p_{X,Y}(x, y)}{p_X(x)\, p_Y(y)}
        = D_{\mathrm{KL}}(P_{X,Y} \,\|\, P_X P_Y)

    Accurate to a few ulps of :math:`I` itself however close to independence the table is
    (:math:`I \approx 10^{-13}` in float64 included), down to an absolute floor of about
    :math:`10^{-32}` per cell: the rounding of the marginals is accounted for exactly,
    :math:`p_X(x) p_Y(y) - p_{X,Y}(x, y)` is formed without rounding the product, and
    :math:`1 - \sum p` nearly exactly (see :mod:`dltheory.information._independence`). The
    arithmetic is float64 for every dtype, rounded once. Log-ratios come from the marginals'
    mantissas and exponents, so a product :math:`p_X(x)\,p_Y(y)` that underflows does not
    turn a finite term into :math:`+\infty`.
    :math:`I \ge 0` for a table that sums to 1; the value is that of the table as given, so
    one whose entries sum to :math:`1 + \delta` (rounding) can be about :math:`|\delta|`
    below 0 when :math:`I` is smaller than that.

    Gradient at an empty cell (:math:`p_{X,Y}(x, y) = 0`): the one-sided derivative along the
    table, where mass put into the cell also raises its marginals: :math:`-\infty` when
    :math:`p_X(x)` and :math:`p_Y(y)` are positive, :math:`-\log p_X(x) - 1` when only
    :math:`p_Y(y) = 0` (and symmetrically), :math:`+\infty` when both are 0.

    NaN and inf: a NaN or infinite entry of ``joint`` is a ``ValueError``. With
    ``validate=False`` a NaN propagates; infinite entries lie outside the formula's domain.

    Args:
        joint: the joint table, as for :func:`joint_entropy`.
        base, validate: as for :func:`entropy`.

    Returns:
        :math:`I(X, Y) \in [0, \min(H(X), H(Y))]` for a table that sums to 1 (up to about
        :math:`|1 - \sum p|` below 0 otherwise), shape ``joint.shape[:-2]``, in ``joint``'s
        dtype and device.

    Raises:
        TypeError: ``joint`` is not a floating-point tensor; ``base`` is not real.
        ValueError: as for :func:`joint_entropy`.

    Example:
        >>> mutual_information(torch.tensor([[0.5, 0.0], [0.0, 0.5]]), base=2)
        tensor(1.)
    """
    log_base = check_log_base(base)
    _joint(joint, validate)
    small = _small_or_checked_joint("mutual_information", joint, log_base, validate)
    if small is not None:
        return small
    mi = mutual_information_sum(joint.to(torch.float64))
    return (mi / log_base).to(joint.dtype)


def pointwise_mutual_information(
    joint: torch.Tensor, *, base: float | None = None, validate: bool = True
) -> torch.Tensor:
    r"""Pointwise mutual information of every pair :math:`(x, y)`.

    .. math:: \operatorname{pmi}(x, y) = \log \frac{p_{X,Y}(x, y)}{p_X(x)\, p_Y(y)}

    Its expectation under :math:`P_{X,Y}` is :math:`I(X, Y)`. Unlike :math:`I`, it can be
    negative. Pairs with :math:`p_{X,Y}(x, y) = 0` never occur together: their PMI is
    :math:`-\infty` (also where a marginal is 0), never NaN, and passes no gradient back.
    The log-ratio is formed from mantissas and exponents, so subnormal entries keep their
    accuracy, and the gradient stays finite where the exact one is (never NaN).

    NaN and inf: a NaN or infinite entry of ``joint`` is a ``ValueError``. With
    ``validate=False`` a NaN propagates to its row and column (its own entry included);
    infinite entries lie outside the formula's domain.

    Args:
        joint: the joint table, as for :func:`joint_entropy`.
        base, validate: as for :func:`entropy`.

    Returns:
        A tensor of ``joint``'s shape, dtype and device.

    Raises:
        TypeError: ``joint`` is not a floating-point tensor; ``base`` is not real.
        ValueError: as for :func:`joint_entropy`.

    Example:
        >>> pointwise_mutual_information(torch.tensor([[0.5, 0.0], [0.25, 0.25]]), base=2)
        tensor([[ 0.4150,    -inf],
                [-0.5850,  1.0000]])
    """
    log_base = check_log_base(base)
    _joint(joint, validate)
    small = _small_or_checked_joint("pointwise", joint, log_base, validate)
    if small is not None:
        return small
    pmi = pointwise_log_ratio(joint.to(opmath_dtype(joint.dtype)))
    return (pmi / log_base).to(joint.dtype)
