r"""Reference implementations for linear classification (section 4 of the notes).

Speed and accuracy together: the fused ``torch`` kernels do the bulk of the work where
they are as accurate as the formula allows, and the entries they get wrong are recomputed.
:func:`softmax` is ``torch.softmax``; :func:`log_softmax`, :func:`logsumexp` and
:func:`cross_entropy` call the built-in and recompute only the entries whose value is close to
0, where ``log`` of a rounded sum near 1 has lost its relative accuracy (a confident
prediction), by ``log1p`` of the sum of the other terms. The claims therefore check these
functions against oracles that do not go through ``torch``'s kernels (mpmath, SciPy), and
the gradients against an independent closed form. Conventions follow
``torch.nn.functional``:

* :func:`softmax`, :func:`log_softmax` and :func:`logsumexp` reduce over ``dim`` (default
  the last one);
* :func:`cross_entropy` and :func:`cross_entropy_grad` take logits of shape ``(C,)``,
  ``(N, C)`` or ``(N, C, d_1, ..., d_k)`` with classes on dimension 1 (0 for 1-D input), and
  targets as class indices (integer tensor without the class dimension) or as class
  probabilities (floating tensor of the input's shape).

Every function keeps the caller's dtype and device, never mutates its inputs, and is
differentiable. float16 and bfloat16 inputs are computed in float32 and rounded once at the
end. Logits are shifted by their maximum before exponentiating, so results are finite
whenever the true value is (logits up to ``1e4`` in float32, ``1e300`` in float64).

NaN and infinite logits follow ``torch.softmax``: a NaN or a ``+inf`` anywhere in a slice
makes the whole slice NaN (``+inf`` has no limit to take when several entries diverge),
except :func:`logsumexp`, which is ``+inf`` there; a ``-inf`` logit gets exactly zero weight,
and a slice of only ``-inf`` has no distribution (NaN; :func:`logsumexp` gives ``-inf``).
Tensors on the ``meta`` device give ``meta`` results: value checks are skipped for them.
"""

from __future__ import annotations

from typing import Literal

import torch

from dltheory.classification._accurate import (
    accurate_log_softmax,
    accurate_logsumexp,
    index_losses,
    index_losses_and_probs,
)
from dltheory.core.validation import (
    check_bool,
    check_floating,
    check_int,
    check_probabilities,
    check_reduction,
    check_same_device,
    describe,
    has_values,
    in_compute_dtype,
    in_dtype,
    normalize_dim,
    opmath_dtype,
)

__all__ = ["cross_entropy", "cross_entropy_grad", "log_softmax", "logsumexp", "one_hot", "softmax"]

Reduction = Literal["none", "mean", "sum"]
_HALF = (torch.float16, torch.bfloat16)


def one_hot(
    labels: torch.Tensor, num_classes: int = -1, *, dtype: torch.dtype = torch.int64
) -> torch.Tensor:
    r"""One-hot encode class indices.

    .. math:: \operatorname{one\_hot}(y)_{\dots, j} = [\,y_{\dots} = j\,], \quad j = 0, \dots, C-1

    NaN and inf: labels are integers and cannot hold them; the result holds only 0 and 1.

    Args:
        labels: integer tensor of class indices, any shape.
        num_classes: :math:`C`; ``-1`` infers ``labels.max() + 1``.
        dtype: dtype of the result (``torch.int64`` as in ``torch.nn.functional.one_hot``;
            pass a float dtype to use the result as cross-entropy targets).

    Returns:
        Tensor of shape ``labels.shape + (C,)`` on ``labels.device``. On the ``meta``
        device (no values) ``num_classes`` must be given; labels are not range-checked.

    Raises:
        TypeError: ``labels`` is not an integer tensor; ``num_classes`` is not an ``int``
            (``True`` is rejected); ``dtype`` is not a ``torch.dtype``.
        ValueError: ``num_classes`` is not ``-1`` or positive, or too large for int64;
            ``labels`` is empty or on the ``meta`` device with ``num_classes=-1``; a label
            lies outside ``[0, C)``.

    Example:
        >>> one_hot(torch.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"labels must be a torch.Tensor, got {type(labels).__name__}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(f"labels must be an integer tensor, got dtype {labels.dtype}")
    check_int("num_classes", num_classes)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype, got {type(dtype).__name__}")
    if (num_classes < 1 and num_classes != -1) or num_classes > torch.iinfo(torch.int64).max:
        raise ValueError(f"num_classes must be a positive int or -1, got {describe(num_classes)}")
    if num_classes == -1 and labels.numel() == 0:
        raise ValueError("labels is empty, so num_classes cannot be inferred; pass it")
    if num_classes == -1 and not has_values(labels):
        raise ValueError("labels is on the meta device, so num_classes cannot be inferred; pass it")
    if labels.numel() and has_values(labels):
        lo, hi = int(labels.min()), int(labels.max())
        if num_classes == -1:
            num_classes = hi + 1
        if lo < 0 or hi >= num_classes:
            bad = lo if lo < 0 else hi
            raise ValueError(f"labels contains {bad}, outside [0, {num_classes})")
    out = torch.zeros((*labels.shape, num_classes), dtype=dtype, device=labels.device)
    return out.scatter_(-1, labels.unsqueeze(-1).to(torch.int64), 1)


class _IndexCrossEntropy(torch.autograd.Function):
    r"""Cross-entropy with class indices. The backward pass is the closed form of
    ``classification.softmax-ce-gradient``, :math:`\operatorname{softmax}(\mathbf{o}) -
    \mathbf{e}_c` times the incoming gradient, with the target's entry
    :math:`p_c - 1 = \operatorname{expm1}(-l)` taken from the loss :math:`l`, so that it keeps
    its relative accuracy when :math:`p_c` is close to 1. A large call keeps the softmax its
    forward pass computed the losses from (an input-sized tensor held until the backward
    pass, as the built-in keeps its log-probabilities), so the backward pass is one
    multiplication and the targets' entries; a small one recomputes it. With
    ``create_graph=True`` the same formula is built from differentiable operations on the
    logits.
    """

    @staticmethod
    def forward(ctx, x, index, cdim: int, reduction: str):
        loss, probs = index_losses_and_probs(x, index, cdim)
        ctx.save_for_backward(x, index, loss, probs)
        ctx.cdim, ctx.reduction, ctx.count = cdim, reduction, max(loss.numel(), 1)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, index, loss, probs = ctx.saved_tensors
        cdim = ctx.cdim
        c = index.unsqueeze(cdim)
        scale = grad.unsqueeze(cdim) if ctx.reduction == "none" else grad
        if ctx.reduction == "mean":
            scale = scale / ctx.count
        if torch.is_grad_enabled():  # a graph of the gradient itself is being built
            xc = x.gather(cdim, c)
            loss = torch.log1p(torch.exp(x - xc).scatter(cdim, c, 0.0).sum(cdim, keepdim=True))
            target_entry = torch.expm1(-loss)
            return torch.softmax(x, cdim).scatter(cdim, c, target_entry) * scale, None, None, None
        target_entry = torch.expm1(-loss.unsqueeze(cdim))
        if probs is None:  # a small call kept none
            probs = torch.softmax(x, cdim)
        # a saved softmax stays as it is (a retained graph may run this again)
        return (probs * scale).scatter_(cdim, c, target_entry * scale), None, None, None


class _LogSumExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, dim: int):
        ctx.dim = dim
        ctx.save_for_backward(x)
        return accurate_logsumexp(in_compute_dtype(x), dim).to(x.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        # d logsumexp / d o_j = softmax(o)_j, from the logits: exp(o_j - lse) with lse
        # already rounded loses every digit of log s next to a large m (1e300 + 0.69)
        (x,) = ctx.saved_tensors
        w = in_compute_dtype(x)
        return (in_compute_dtype(grad) * torch.softmax(w, ctx.dim)).to(x.dtype), None


def softmax(input: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Softmax along ``dim``.

    .. math:: \operatorname{softmax}(\mathbf{o})_i = \frac{\exp(o_i - m)}{\sum_k \exp(o_k - m)},
        \qquad m = \max_k o_k

    The shift by :math:`m` changes nothing mathematically (softmax is invariant to adding a
    constant) but keeps every exponent :math:`\le 0`, so nothing overflows.

    NaN and inf: as ``torch.softmax``. A ``-inf`` logit gets probability exactly 0; a NaN or
    a ``+inf`` in a slice makes the slice NaN, and so does a slice of only ``-inf``.

    Args:
        input: floating-point logits.
        dim: the dimension that holds the classes.

    Returns:
        Probabilities of ``input``'s shape, dtype and device; each slice along ``dim`` is
        nonnegative and sums to 1.

    Raises:
        TypeError: ``input`` is not a floating-point tensor.
        ValueError: ``input`` is 0-d, ``dim`` is out of range, or dimension ``dim`` is empty.

    Example:
        >>> softmax(torch.tensor([0.0, 0.0, 1000.0]))
        tensor([0., 0., 1.])
    """
    check_floating("input", input)
    dim = normalize_dim("input", input, dim)
    if input.dtype in _HALF:
        return torch.softmax(input, dim, dtype=torch.float32).to(input.dtype)
    return torch.softmax(input, dim)


def log_softmax(input: torch.Tensor, dim: int = -1) -> torch.Tensor:
    r"""Logarithm of the softmax along ``dim``, computed without forming the softmax.

    .. math:: \log\operatorname{softmax}(\mathbf{o})_i = (o_i - m)
        - \log \sum_k \exp(o_k - m), \qquad m = \max_k o_k

    NaN and inf: as ``torch.log_softmax``. A ``-inf`` logit gives ``-inf``; a NaN or a
    ``+inf`` in a slice makes the slice NaN, and so does a slice of only ``-inf``.

    Args:
        input: floating-point logits.
        dim: the dimension that holds the classes.

    Returns:
        Log-probabilities (all :math:`\le 0`) of ``input``'s shape, dtype and device.

    Raises:
        TypeError: ``input`` is not a floating-point tensor.
        ValueError: ``input`` is 0-d, ``dim`` is out of range, or dimension ``dim`` is empty.

    Example:
        >>> log_softmax(torch.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """
    check_floating("input", input)
    dim = normalize_dim("input", input, dim)
    if input.dtype in _HALF:
        return accurate_log_softmax(input.float(), dim).to(input.dtype)
    return accurate_log_softmax(input, dim)


def logsumexp(input: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    r"""Log of the sum of exponentials along ``dim``, without overflow.

    .. math:: \operatorname{logsumexp}(\mathbf{o}) = m + \log \sum_k \exp(o_k - m),
        \qquad m = \max_k o_k

    Its gradient is :math:`\operatorname{softmax}(\mathbf{o})`.

    NaN and inf: as ``torch.logsumexp``. A NaN in a slice gives NaN; otherwise a ``+inf``
    gives ``+inf``, ``-inf`` entries count as :math:`e^{-\infty} = 0`, and a slice of only
    ``-inf`` gives ``-inf``. The gradient is :func:`softmax`, with its policy.

    Args:
        input: floating-point tensor.
        dim: the dimension to reduce.
        keepdim: keep the reduced dimension with size 1.

    Returns:
        The reduced tensor, in ``input``'s dtype and device. ``-inf`` if every entry of a
        slice is ``-inf``; ``+inf`` if any is ``+inf``.

    Raises:
        TypeError: ``input`` is not a floating-point tensor.
        ValueError: ``input`` is 0-d, ``dim`` is out of range, or dimension ``dim`` is empty.

    Example:
        >>> logsumexp(torch.tensor([1000.0, 1000.0]))
        tensor(1000.6932)
    """
    check_floating("input", input)
    dim = normalize_dim("input", input, dim)
    check_bool("keepdim", keepdim)
    if torch.is_grad_enabled() and input.requires_grad:
        out = _LogSumExp.apply(input, dim)
    else:
        out = accurate_logsumexp(in_compute_dtype(input), dim).to(input.dtype)
    return out if keepdim else out.squeeze(dim)


def _class_dim(input: torch.Tensor) -> int:
    return 0 if input.dim() == 1 else 1


def _check_target(input: torch.Tensor, target: object, validate: bool) -> bool:
    """Validate ``target`` against ``input``; return True for class-index targets."""
    check_bool("validate", validate)
    if not isinstance(target, torch.Tensor):
        raise TypeError(f"target must be a torch.Tensor, got {type(target).__name__}")
    check_same_device("target", target, "input", input)
    cdim = _class_dim(input)
    num_classes = input.shape[cdim]
    if target.dtype == torch.bool or target.is_complex():
        raise TypeError(
            f"target must hold class indices (integer) or probabilities (float), got {target.dtype}"
        )
    if not target.is_floating_point():
        expected = input.shape[:cdim] + input.shape[cdim + 1 :]
        if target.shape != expected:
            raise ValueError(
                f"target of class indices has shape {tuple(target.shape)}, but input of shape "
                f"{tuple(input.shape)} needs {tuple(expected)}"
            )
        if validate and target.numel() and has_values(target):
            if target.numel() <= 256:  # a small call: one copy to Python beats two reductions
                values = target.reshape(-1).tolist()
                lo, hi = min(values), max(values)
            else:
                lo, hi = int(target.min()), int(target.max())
            if lo < 0 or hi >= num_classes:
                bad = lo if lo < 0 else hi
                raise ValueError(f"target contains class index {bad}, outside [0, {num_classes})")
        return True
    if target.shape != input.shape:
        raise ValueError(
            f"target of class probabilities has shape {tuple(target.shape)}, "
            f"but must match input's shape {tuple(input.shape)}"
        )
    if validate:
        check_probabilities("target", target, dim=cdim)
    return False


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction != "none" and loss.dim() == 0:  # reduced already (a single sample's loss)
        return loss
    if reduction != "none" and loss.numel() == 1:  # the sum and the mean of one loss: itself
        return loss.reshape(())
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss


def _weighted_log_probs(y: torch.Tensor, log_p: torch.Tensor) -> torch.Tensor:
    r""":math:`y_j \log p_j` with the convention :math:`0 \cdot \log 0 = 0`."""
    return torch.where(y == 0, torch.zeros((), dtype=y.dtype, device=y.device), y * log_p)


def _softmax_minus_target(
    probs: torch.Tensor, target: torch.Tensor, cdim: int, is_index: bool
) -> torch.Tensor:
    r""":math:`\operatorname{softmax}(\mathbf{o}) \sum_j y_j - \mathbf{y}` from the softmax
    ``probs``: the gradient of one sample's loss (``softmax - y`` when :math:`\sum_j y_j = 1`)."""
    if is_index:
        index = target.unsqueeze(cdim).to(torch.int64)
        minus_one = torch.full_like(index, -1, dtype=probs.dtype)
        return probs.scatter_add(cdim, index, minus_one)
    y = target.to(probs.dtype)
    return probs * y.sum(dim=cdim, keepdim=True) - y


class _CrossEntropy(torch.autograd.Function):
    r"""Cross-entropy with probability targets, whose backward is the closed-form gradient of
    ``classification.softmax-ce-gradient``: :math:`\operatorname{softmax}(\mathbf{o})
    \textstyle\sum_j y_j - \mathbf{y}` times the incoming gradient (which is
    :math:`\operatorname{softmax}(\mathbf{o}) - \mathbf{y}` for targets on the simplex), and
    :math:`-\log\operatorname{softmax}(\mathbf{o})_j` with respect to :math:`y_j`, also where
    :math:`y_j = 0` (the loss is linear in :math:`\mathbf{y}`). When a higher-order graph is
    requested (``create_graph=True``) the same formulas are evaluated from the saved logits
    with differentiable operations.
    """

    @staticmethod
    def forward(ctx, x, target, cdim: int, reduction: str):
        t = opmath_dtype(x.dtype)
        log_p = accurate_log_softmax(x.to(t), cdim)
        loss = -_weighted_log_probs(target.to(t), log_p).sum(dim=cdim)
        ctx.save_for_backward(x, target, log_p)
        ctx.cdim, ctx.reduction = cdim, reduction
        ctx.count = max(loss.numel(), 1)
        return _reduce(loss, reduction).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, target, log_p = ctx.saved_tensors
        cdim, t = ctx.cdim, opmath_dtype(x.dtype)
        scale = grad.to(t)
        if ctx.reduction == "none":
            scale = scale.unsqueeze(cdim)
        elif ctx.reduction == "mean":
            scale = scale / ctx.count
        if torch.is_grad_enabled():  # a graph of the gradient itself is being built
            log_p = accurate_log_softmax(x.to(t), cdim)
        grad_x = _softmax_minus_target(log_p.exp(), target, cdim, False) * scale
        grad_target = None
        if ctx.needs_input_grad[1]:
            grad_target = (-log_p * scale).to(target.dtype)
        return grad_x.to(x.dtype), grad_target, None, None


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    reduction: Reduction = "mean",
    validate: bool = True,
) -> torch.Tensor:
    r"""Cross-entropy between targets and the softmax of logits.

    .. math:: l(\mathbf{y}, \mathbf{o}) = -\sum_j y_j \log\operatorname{softmax}(\mathbf{o})_j
        = \log\sum_k \exp(o_k) - \sum_j y_j o_j \quad (\textstyle\sum_j y_j = 1)

    For a class index :math:`c` (one-hot :math:`\mathbf{y}`) this is
    :math:`-\log\operatorname{softmax}(\mathbf{o})_c`. Terms with :math:`y_j = 0` contribute
    exactly 0, even where :math:`\log\operatorname{softmax}(\mathbf{o})_j = -\infty`.

    NaN and inf: in ``input``, as ``torch.nn.functional.cross_entropy``: a NaN or ``+inf``
    logit, or a slice of only ``-inf``, makes that sample's loss NaN; a ``-inf`` logit has
    probability 0, so a target on it gives ``+inf`` and a zero probability target on it
    contributes 0. A NaN or infinite probability target is a ``ValueError`` (with
    ``validate=False`` it propagates as NaN or :math:`\pm\infty`).

    Args:
        input: logits, shape ``(C,)``, ``(N, C)`` or ``(N, C, d_1, ..., d_k)``.
        target: class indices (integer, shape of ``input`` without dimension 1) or class
            probabilities (floating, ``input``'s shape, summing to 1 over the classes).
        reduction: ``"none"`` (one loss per sample), ``"mean"`` or ``"sum"`` over samples.
        validate: check index ranges and that probability targets lie on the simplex
            (within the dtype's tolerance). Costs a device sync; pass ``False`` in hot loops.

    Returns:
        The loss in ``input``'s dtype and device.

    Raises:
        TypeError: ``input`` is not floating point; ``target`` is not a tensor or is bool.
        ValueError: an empty class dimension; ``target``'s shape does not fit ``input``;
            a class index out of range; probabilities negative or not summing to 1;
            an unknown ``reduction``; tensors on different devices.

    Example:
        >>> cross_entropy(torch.tensor([[0.0, 0.0]]), torch.tensor([1]))
        tensor(0.6931)
    """
    check_floating("input", input)
    check_reduction(reduction)
    cdim = normalize_dim("input", input, _class_dim(input))
    is_index = _check_target(input, target, validate)
    if is_index:
        index = target if target.dtype == torch.int64 else target.to(torch.int64)
        work = in_compute_dtype(input)
        if torch.is_grad_enabled() and input.requires_grad:
            return _IndexCrossEntropy.apply(work, index, cdim, reduction).to(input.dtype)
        summed = reduction != "none" and index.numel() == 1  # one sample: its loss, 0-d
        losses = index_losses(work, index, cdim, summed=summed)
        return in_dtype(_reduce(losses, reduction), input.dtype)
    return _CrossEntropy.apply(input, target, cdim, reduction)


def cross_entropy_grad(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    reduction: Reduction = "mean",
    validate: bool = True,
) -> torch.Tensor:
    r"""Gradient of :func:`cross_entropy` with respect to the logits, in closed form.

    .. math:: \frac{\partial l}{\partial o_j} = \operatorname{softmax}(\mathbf{o})_j - y_j

    for targets on the simplex (proved in ``classification.softmax-ce-gradient``); for
    weights that do not sum to 1 (``validate=False``) it is the exact gradient
    :math:`\operatorname{softmax}(\mathbf{o})_j \sum_k y_k - y_j`, the same formula the
    backward pass of :func:`cross_entropy` uses. With ``reduction="mean"`` the result is
    divided by the number of samples; with ``"none"`` row :math:`i` is the gradient of the
    :math:`i`-th sample's own loss.

    NaN and inf: a NaN or ``+inf`` logit, or a slice of only ``-inf``, makes that sample's row
    NaN; a ``-inf`` logit has gradient :math:`0 - y_j`. Targets as for :func:`cross_entropy`.

    Args:
        input, target, reduction, validate: as for :func:`cross_entropy`.

    Returns:
        A tensor of ``input``'s shape, dtype and device.

    Raises:
        TypeError, ValueError: as for :func:`cross_entropy`.

    Example:
        >>> cross_entropy_grad(torch.tensor([[0.0, 0.0]]), torch.tensor([1]))
        tensor([[ 0.5000, -0.5000]])
    """
    check_floating("input", input)
    check_reduction(reduction)
    cdim = normalize_dim("input", input, _class_dim(input))
    is_index = _check_target(input, target, validate)
    t = opmath_dtype(input.dtype)
    grad = _softmax_minus_target(torch.softmax(input.to(t), cdim), target, cdim, is_index)
    if reduction == "mean":
        grad = grad / max(input.numel() // input.shape[cdim], 1)
    return grad.to(input.dtype)
