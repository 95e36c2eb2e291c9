r"""Reference implementations for convexity and gradient descent (section 12 of the notes).

* :func:`jensen_gap` — :math:`\sum_i \alpha_i f(x_i) - f(\sum_i \alpha_i x_i)`, the slack in
  Jensen's inequality (:math:`\ge 0` for convex :math:`f`; with two points it is the slack in
  the definition of convexity);
* :func:`gradient_descent` — the iterates :math:`x_{t+1} = x_t - \eta \nabla f(x_t)`.

Both take the function as a Python callable on tensors, keep the caller's dtype and device,
never mutate their inputs and are differentiable (in the points, the weights, the start and
the learning rate). float16 and bfloat16 are computed in float32 and rounded once.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import torch

from dltheory.core.validation import (
    check_bool,
    check_int,
    check_probabilities,
    check_real,
    check_same_device,
    check_same_dtype,
    describe,
    has_values,
    opmath_dtype,
)

__all__ = ["gradient_descent", "jensen_gap"]

#: the most elements a tensor can have (its sizes are int64): a bound on ``steps``
_MAX_NUMEL = 2**63 - 1


def _check_callable(name: str, f: object) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")


def _check_tensor(name: str, x: object) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    return x


def jensen_gap(
    f: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    weights: torch.Tensor,
    *,
    validate: bool = True,
) -> torch.Tensor:
    r"""The gap in Jensen's inequality for the points ``x`` and the weights ``weights``.

    .. math:: \operatorname{gap} = \sum_{i=1}^n \alpha_i f(x_i)
        - f\Big(\sum_{i=1}^n \alpha_i x_i\Big), \qquad \alpha_i \ge 0,\ \sum_i \alpha_i = 1

    It is :math:`\ge 0` for every convex :math:`f` (Jensen's inequality); with two points and
    weights :math:`(\lambda, 1 - \lambda)` it is the slack in the definition of convexity, and
    with the probabilities of a discrete random variable it is
    :math:`E[f(X)] - f(E[X])`.

    The points are indexed by the last dimension of ``weights``: ``x`` has shape
    ``weights.shape + event_shape`` (``event_shape = ()`` for points on the line, ``(d,)`` for
    points of :math:`\mathbb{R}^d`), and leading dimensions of ``weights`` are batch
    dimensions. ``f`` maps a tensor of points ``(..., k, *event_shape)`` to their values
    ``(..., k)``: elementwise for scalar points (``torch.exp``), reducing the last dimension
    for vectors (``lambda z: z.square().sum(-1)``).

    ``f`` is called on tensors of the compute dtype: float32 when ``x`` is float16 or
    bfloat16 (so the mean is not rounded before ``f`` sees it), ``x``'s dtype otherwise.

    NaN and inf: a point of weight exactly 0 contributes nothing, even where :math:`f` is
    infinite or NaN there (e.g. :math:`-\log 0`); otherwise NaN and inf propagate.

    Gradient: by autograd through ``f``; with respect to a weight,
    :math:`f(x_i) - \nabla f(\bar x) \cdot x_i` with :math:`\bar x = \sum_j \alpha_j x_j`,
    also at a weight of 0 (where a non-finite :math:`f(x_i)` counts as 0).

    Args:
        f: the function, applied to batches of points as described.
        x: the points, floating tensor of shape ``weights.shape + event_shape``.
        weights: the weights :math:`\alpha`, same dtype and device, nonnegative and summing
            to 1 along the last dimension.
        validate: check that the weights lie on the simplex (within the dtype's tolerance);
            a device sync, pass ``False`` in hot loops.

    Returns:
        The gap, of shape ``weights.shape[:-1]``, in ``x``'s dtype and device.

    Raises:
        TypeError: ``f`` is not callable; ``x`` or ``weights`` is not a floating tensor, or
            their dtypes differ.
        ValueError: ``weights`` is 0-d or empty, or not a distribution; ``x``'s shape does not
            start with ``weights.shape``; ``f`` returns values of the wrong shape.

    Example:
        >>> jensen_gap(torch.square, torch.tensor([0.0, 2.0]), torch.tensor([0.5, 0.5]))
        tensor(1.)
    """
    _check_callable("f", f)
    _check_tensor("x", x)
    _check_tensor("weights", weights)
    if weights.dim() == 0 or weights.shape[-1] == 0:
        raise ValueError(
            f"weights must have at least one point along its last dimension, "
            f"got shape {tuple(weights.shape)}"
        )
    check_same_dtype("weights", weights, "x", x)
    check_same_device("weights", weights, "x", x)
    k = weights.dim()
    if x.shape[:k] != weights.shape:
        raise ValueError(
            f"x has shape {tuple(x.shape)}, but must start with weights' shape "
            f"{tuple(weights.shape)} (one point per weight)"
        )
    if check_bool("validate", validate):
        check_probabilities("weights", weights, dim=-1)
    t = opmath_dtype(x.dtype)
    event = x.dim() - k
    points = x.to(t)
    w = weights.to(t)
    mean = (w.reshape(*weights.shape, *([1] * event)) * points).sum(dim=k - 1, keepdim=True)
    at_mean = f(mean)
    at_points = f(points)
    for name, value, shape in (
        ("f(x)", at_points, weights.shape),
        ("f(mean)", at_mean, (*weights.shape[:-1], 1)),
    ):
        if not isinstance(value, torch.Tensor) or value.shape != shape:
            got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(
                f"f must map points of shape {tuple(x.shape[k:])} to scalars: {name} should "
                f"have shape {tuple(shape)}, got {got}"
            )
    values = at_points.to(t)
    # a point of weight 0 contributes nothing, even where f is not finite (its finite values
    # stay: they are the derivative with respect to the weight)
    values = torch.where(weights == 0, values.nan_to_num(0.0, 0.0, 0.0), values)
    weighted = (w * values).sum(dim=-1)
    return (weighted - at_mean.to(t).squeeze(-1)).to(x.dtype)


def _check_lr(lr: object, like: torch.Tensor) -> float | torch.Tensor:
    if isinstance(lr, torch.Tensor):
        if not lr.is_floating_point() or lr.dim() != 0:
            raise TypeError(
                f"lr must be a real number or a 0-d floating tensor, got a tensor of dtype "
                f"{lr.dtype} and shape {tuple(lr.shape)}"
            )
        check_same_device("lr", lr, "x0", like)
        if has_values(lr):
            check_real("lr", float(lr.detach()), low=0.0, low_open=True)
        return lr
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"lr must be a real number or a 0-d tensor, got {type(lr).__name__}")
    return check_real("lr", lr, low=0.0, low_open=True)


def gradient_descent(
    f: Callable[[torch.Tensor], torch.Tensor],
    x0: torch.Tensor,
    lr: float | torch.Tensor,
    steps: int,
    *,
    grad: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> torch.Tensor:
    r"""Run gradient descent and return every iterate.

    .. math:: \mathbf{x}_{t+1} = \mathbf{x}_t - \eta \nabla f(\mathbf{x}_t),
        \qquad t = 0, \dots, T - 1

    The gradient is taken by autograd (or given as ``grad``). For an :math:`L`-smooth
    :math:`f` and :math:`0 < \eta < 2/L` every step decreases :math:`f` unless the gradient
    vanishes; for :math:`f(x) = \tfrac{L}{2}x^2` and :math:`\eta > 2/L` the iterates diverge.

    When ``x0`` (or a tensor ``lr``) requires grad, the iterates are differentiable functions
    of it (the gradients are taken with ``create_graph=True``); otherwise each iterate is
    detached.

    NaN and inf: nothing is stopped early; a non-finite gradient makes the later iterates
    non-finite, so divergence shows in the result.

    Args:
        f: the objective; maps a tensor of ``x0``'s shape to a one-element tensor.
        x0: the start, a floating tensor (0-d for a function of one variable).
        lr: the learning rate :math:`\eta > 0`, a number or a 0-d tensor.
        steps: the number of steps :math:`T \ge 0`.
        grad: optional gradient of ``f`` (maps a tensor of ``x0``'s shape to one of the same
            shape); default: autograd.

    Returns:
        ``(steps + 1, *x0.shape)``: :math:`\mathbf{x}_0, \dots, \mathbf{x}_T`, in ``x0``'s
        dtype and device.

    Raises:
        TypeError: ``f`` or ``grad`` is not callable; ``x0`` is not a floating tensor; ``lr``
            is not a real number or 0-d floating tensor; ``steps`` is not an int.
        ValueError: ``lr`` is not positive and finite; ``steps`` is negative; ``f`` does not
            return one value or ``grad`` returns the wrong shape.

    Example:
        >>> gradient_descent(lambda x: x**2, torch.tensor(1.0), lr=0.25, steps=3)
        tensor([1.0000, 0.5000, 0.2500, 0.1250])
    """
    _check_callable("f", f)
    if grad is not None:
        _check_callable("grad", grad)
    _check_tensor("x0", x0)
    eta = _check_lr(lr, x0)
    steps = check_int("steps", steps, minimum=0)
    if (steps + 1) * max(x0.numel(), 1) > _MAX_NUMEL:
        raise ValueError(
            f"steps = {describe(steps)} gives more iterates of shape {tuple(x0.shape)} than a "
            f"tensor can hold"
        )
    t = opmath_dtype(x0.dtype)
    track = torch.is_grad_enabled() and (
        x0.requires_grad or (isinstance(eta, torch.Tensor) and eta.requires_grad)
    )
    step = eta.to(t) if isinstance(eta, torch.Tensor) else eta
    x = x0.to(t)
    if not track:
        x = x.detach()
    iterates = [x]
    for _ in range(int(steps)):
        g = _gradient(f, grad, x, track)
        x = x - step * g
        if not track:
            x = x.detach()
        iterates.append(x)
    return torch.stack(iterates).to(x0.dtype)


def _gradient(
    f: Callable[[torch.Tensor], torch.Tensor],
    grad: Callable[[torch.Tensor], torch.Tensor] | None,
    x: torch.Tensor,
    track: bool,
) -> torch.Tensor:
    if grad is not None:
        g = grad(x)
        if not isinstance(g, torch.Tensor) or g.shape != x.shape:
            got = tuple(g.shape) if isinstance(g, torch.Tensor) else type(g).__name__
            raise ValueError(f"grad must return a tensor of shape {tuple(x.shape)}, got {got}")
        return g.to(x.dtype)
    with torch.enable_grad():
        # an iterate that does not depend on a tracked input is a fresh leaf
        point = x if track and x.requires_grad else x.detach().requires_grad_(True)
        value = f(point)
        if not isinstance(value, torch.Tensor) or value.numel() != 1:
            got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(f"f must return a single value, got {got}")
        if not value.requires_grad:  # f does not depend on x at all
            return torch.zeros_like(x)
        (g,) = torch.autograd.grad(value.sum(), point, create_graph=track, allow_unused=True)
    return torch.zeros_like(x) if g is None else g
