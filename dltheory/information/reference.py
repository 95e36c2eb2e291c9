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
  every entry is positive.

Written from the formulas, not by calling ``torch.special.entr``, ``torch.xlogy``,
``torch.distributions`` or SciPy, so that those serve as independent oracles in the checks.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Literal

import torch

from dltheory.core.validation import (
    check_floating,
    check_log_base,
    check_probabilities,
    check_same_device,
    check_same_shape,
    normalize_dim,
    opmath_dtype,
)
from dltheory.information._terms import log_ratio, rel_entr, xlogy

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

_LOG_2PI_E = math.log(2 * math.pi * math.e)


def _distribution(name: str, p: torch.Tensor, dim: int, validate: bool) -> int:
    check_floating(name, p)
    dim = normalize_dim(name, p, dim)
    if validate:
        check_probabilities(name, p, dim=dim)
    return dim


def _pair(p: torch.Tensor, q: torch.Tensor, dim: int, validate: bool) -> tuple[int, torch.dtype]:
    check_floating("p", p)
    check_floating("q", q)
    check_same_shape("q", q, "p", p)
    check_same_device("q", q, "p", p)
    dim = _distribution("p", p, dim, validate)
    _distribution("q", q, dim, validate)
    return dim, torch.promote_types(p.dtype, q.dtype)


def _joint(joint: torch.Tensor, validate: bool) -> None:
    check_floating("joint", joint)
    if joint.dim() < 2:
        raise ValueError(
            f"joint must have at least 2 dimensions (X along dim -2, Y along dim -1), "
            f"got shape {tuple(joint.shape)}"
        )
    for dim in (-2, -1):
        normalize_dim("joint", joint, dim)
    if validate:
        check_probabilities("joint", joint, dim=(-2, -1))


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
    dim = _distribution("p", p, dim, validate)
    work = p.to(opmath_dtype(p.dtype))
    h = -xlogy(work, work).sum(dim=dim, keepdim=keepdim)
    return (h / log_base).to(p.dtype)


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
    dim, dtype = _pair(p, q, dim, validate)
    work = opmath_dtype(dtype)
    ce = -xlogy(p.to(work), q.to(work)).sum(dim=dim, keepdim=keepdim)
    return (ce / log_base).to(dtype)


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
    (:math:`q_i` subnormal), and as :math:`\operatorname{log1p}((p_i - q_i)/q_i)` where
    :math:`q_i \approx p_i`, so terms keep their relative accuracy. The value is :math:`\ge 0`
    mathematically; when :math:`q \approx p` the cancellation between positive and negative
    terms can leave the sum a few units in the last place below 0, as with SciPy's and
    torch's KL. Note the argument order: ``kl_divergence(p, q)`` is
    :math:`D_{\mathrm{KL}}(P\|Q)`, unlike ``torch.nn.functional.kl_div(input, target)``.

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
    dim, dtype = _pair(p, q, dim, validate)
    work = opmath_dtype(dtype)
    kl = rel_entr(p.to(work), q.to(work)).sum(dim=dim, keepdim=keepdim)
    return (kl / log_base).to(dtype)


def joint_entropy(
    joint: torch.Tensor, *, base: float | None = None, validate: bool = True
) -> torch.Tensor:
    r"""Joint entropy of :math:`(X, Y)` from their joint probability table.

    .. math:: H(X, Y) = -\mathbb{E}_{(x, y) \sim P}[\log p_{X,Y}(x, y)]
        = -\sum_x \sum_y p_{X,Y}(x, y) \log p_{X,Y}(x, y)

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
    makes equal). Rows with :math:`p_X(x) = 0` contribute 0.

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
    work = joint.to(opmath_dtype(joint.dtype))
    p_x, p_y = _marginals(work)
    condition = p_x if given == "x" else p_y
    h = -rel_entr(work, condition.expand_as(work)).sum(dim=(-2, -1))
    return (h / log_base).to(joint.dtype)


def mutual_information(
    joint: torch.Tensor, *, base: float | None = None, validate: bool = True
) -> torch.Tensor:
    r"""Mutual information of :math:`X` and :math:`Y` from their joint table.

    .. math:: I(X, Y) = \sum_x \sum_y p_{X,Y}(x, y) \log
        \frac{p_{X,Y}(x, y)}{p_X(x)\, p_Y(y)}
        = D_{\mathrm{KL}}(P_{X,Y} \,\|\, P_X P_Y)

    The log-ratio is computed from the marginals' mantissas and exponents, so a product
    :math:`p_X(x)\,p_Y(y)` that underflows (two marginals below :math:`10^{-154}` in float64)
    does not turn a finite term into :math:`+\infty`. :math:`I \ge 0` mathematically; for
    (nearly) independent variables rounding can leave the sum a few units in the last place
    below 0.

    Args:
        joint: the joint table, as for :func:`joint_entropy`.
        base, validate: as for :func:`entropy`.

    Returns:
        :math:`I(X, Y) \in [0, \min(H(X), H(Y))]`, shape ``joint.shape[:-2]``, in
        ``joint``'s dtype and device.

    Raises:
        TypeError: ``joint`` is not a floating-point tensor; ``base`` is not real.
        ValueError: as for :func:`joint_entropy`.

    Example:
        >>> mutual_information(torch.tensor([[0.5, 0.0], [0.0, 0.5]]), base=2)
        tensor(1.)
    """
    log_base = check_log_base(base)
    _joint(joint, validate)
    work = joint.to(opmath_dtype(joint.dtype))
    p_x, p_y = _marginals(work)
    mi = rel_entr(work, p_x.expand_as(work), p_y.expand_as(work)).sum(dim=(-2, -1))
    return (mi / log_base).to(joint.dtype)


def pointwise_mutual_information(
    joint: torch.Tensor, *, base: float | None = None, validate: bool = True
) -> torch.Tensor:
    r"""Pointwise mutual information of every pair :math:`(x, y)`.

    .. math:: \operatorname{pmi}(x, y) = \log \frac{p_{X,Y}(x, y)}{p_X(x)\, p_Y(y)}

    Its expectation under :math:`P_{X,Y}` is :math:`I(X, Y)`. Unlike :math:`I`, it can be
    negative. Pairs with :math:`p_{X,Y}(x, y) = 0` never occur together: their PMI is
    :math:`-\infty` (also where a marginal is 0), never NaN; the gradient at those entries is 0.

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
    work = joint.to(opmath_dtype(joint.dtype))
    p_x, p_y = _marginals(work)
    occurs = work > 0
    one = torch.ones((), dtype=work.dtype, device=work.device)
    # positions that never occur get harmless values, so no NaN reaches the gradient
    value = log_ratio(
        torch.where(occurs, work, one),
        torch.where(occurs, p_x.expand_as(work), one),
        torch.where(occurs, p_y.expand_as(work), one),
    )
    pmi = torch.where(occurs, value, torch.full_like(value, -torch.inf))
    return (pmi / log_base).to(joint.dtype)


# --- continuous distributions: closed forms ------------------------------------------------


def _parameters(**values: object) -> tuple[list[torch.Tensor], torch.dtype]:
    """Broadcast tensor or real-number parameters; compute in the promoted dtype's opmath."""
    tensors = {}
    for name, value in values.items():
        if isinstance(value, torch.Tensor):
            if not value.is_floating_point():
                raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
            tensors[name] = value
        elif isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a tensor or a real number, got {type(value).__name__}")
    dtype, device = torch.get_default_dtype(), None
    if tensors:
        first_name, first = next(iter(tensors.items()))
        dtype, device = first.dtype, first.device
        for name, t in tensors.items():
            check_same_device(name, t, first_name, first)
            dtype = torch.promote_types(dtype, t.dtype)
    work = opmath_dtype(dtype)
    out = [torch.as_tensor(v, dtype=work, device=device) for v in values.values()]
    return list(torch.broadcast_tensors(*out)), dtype


def _reduce(value: torch.Tensor, dim: int | None, name: str) -> torch.Tensor:
    if dim is None:
        return value
    if value.dim() == 0:
        raise ValueError(f"dim={dim} needs {name} with at least one dimension")
    return value.sum(dim=normalize_dim(name, value, dim))


def _check_positive(name: str, x: torch.Tensor) -> None:
    if x.numel() and not bool((x > 0).all()):
        worst = x.flatten()[(~(x > 0)).flatten().nonzero()[0, 0]].item()
        raise ValueError(f"{name} must be positive, found {worst:.6g}")


def uniform_differential_entropy(
    low: torch.Tensor | float,
    high: torch.Tensor | float,
    *,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Differential entropy of the uniform distribution on :math:`[a, b]`.

    .. math:: h(U[a, b]) = -\int_a^b \frac{1}{b - a} \log\frac{1}{b - a}\,dx = \log(b - a)

    Negative when :math:`b - a < 1`: differential entropy is not bounded below by 0.

    Args:
        low, high: the interval's ends :math:`a < b` (tensors broadcast together, or numbers).
        base, validate: as for :func:`entropy` (``validate`` checks :math:`a < b`).

    Returns:
        :math:`\log(b - a)` in the promoted dtype of the tensor arguments (the default dtype
        if both are numbers), on their device.

    Raises:
        TypeError: an argument is neither a floating-point tensor nor a real number.
        ValueError: ``high <= low`` somewhere; tensors on different devices; a bad ``base``.

    Example:
        >>> uniform_differential_entropy(0.0, 0.5)
        tensor(-0.6931)
    """
    log_base = check_log_base(base)
    (a, b), dtype = _parameters(low=low, high=high)
    width = b - a
    if validate and width.numel() and not bool((width > 0).all()):
        raise ValueError("high must be greater than low (an interval of positive length)")
    return (torch.log(width) / log_base).to(dtype)


def gaussian_differential_entropy(
    scale: torch.Tensor | float,
    *,
    dim: int | None = None,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Differential entropy of the Gaussian :math:`\mathcal{N}(\mu, \sigma^2)`.

    .. math:: h(\mathcal{N}(\mu, \sigma^2)) = \tfrac12 \log(2 \pi e \sigma^2)

    It does not depend on :math:`\mu`. With ``dim`` the entries along ``dim`` are the standard
    deviations of a Gaussian with diagonal covariance, whose entropy is the sum.

    Args:
        scale: the standard deviation(s) :math:`\sigma > 0`.
        dim: ``None`` for elementwise univariate entropies, or the dimension holding the
            diagonal of a multivariate Gaussian.
        base, validate: as for :func:`entropy` (``validate`` checks :math:`\sigma > 0`).

    Returns:
        The entropy, in ``scale``'s dtype (the default dtype for a number) and device.

    Raises:
        TypeError: ``scale`` is neither a floating-point tensor nor a real number.
        ValueError: a non-positive (or NaN) ``scale``; ``dim`` out of range; a bad ``base``.

    Example:
        >>> gaussian_differential_entropy(1.0)
        tensor(1.4189)
    """
    log_base = check_log_base(base)
    (sigma,), dtype = _parameters(scale=scale)
    if validate:
        _check_positive("scale", sigma)
    h = _reduce(torch.log(sigma) + 0.5 * _LOG_2PI_E, dim, "scale")
    return (h / log_base).to(dtype)


def gaussian_kl_divergence(
    loc_p: torch.Tensor | float,
    scale_p: torch.Tensor | float,
    loc_q: torch.Tensor | float,
    scale_q: torch.Tensor | float,
    *,
    dim: int | None = None,
    base: float | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""KL divergence between Gaussians, :math:`D_{\mathrm{KL}}(\mathcal{N}(\mu_p,
    \sigma_p^2) \,\|\, \mathcal{N}(\mu_q, \sigma_q^2))`.

    .. math:: D_{\mathrm{KL}} = \log\frac{\sigma_q}{\sigma_p}
        + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2 \sigma_q^2} - \frac12

    With ``dim`` the entries along ``dim`` are the means and standard deviations of
    Gaussians with diagonal covariance; the divergence is the sum over ``dim``.

    Args:
        loc_p, scale_p: mean and standard deviation of :math:`P` (broadcast together).
        loc_q, scale_q: mean and standard deviation of :math:`Q`.
        dim: ``None`` (elementwise, univariate) or the dimension of the diagonal.
        base, validate: as for :func:`entropy` (``validate`` checks the scales are positive).

    Returns:
        The divergence, :math:`\ge 0`, in the promoted dtype of the tensor arguments, on
        their device.

    Raises:
        TypeError: an argument is neither a floating-point tensor nor a real number.
        ValueError: a non-positive scale; tensors on different devices; ``dim`` out of
            range; a bad ``base``.

    Example:
        >>> gaussian_kl_divergence(0.0, 1.0, 1.0, 1.0)
        tensor(0.5000)
    """
    log_base = check_log_base(base)
    (mu_p, s_p, mu_q, s_q), dtype = _parameters(
        loc_p=loc_p, scale_p=scale_p, loc_q=loc_q, scale_q=scale_q
    )
    if validate:
        _check_positive("scale_p", s_p)
        _check_positive("scale_q", s_q)
    ratio = s_p / s_q
    shift = (mu_p - mu_q) / s_q
    kl = 0.5 * (ratio * ratio + shift * shift - 1) - torch.log(ratio)
    return (_reduce(kl, dim, "the parameters") / log_base).to(dtype)
