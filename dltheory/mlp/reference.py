r"""Reference implementations for multilayer perceptrons (section 5 of the notes).

Written from the formulas, so that the matching ``torch`` built-ins (``torch.relu``,
``F.linear``, ``F.dropout``, ``torch.nn.init.xavier_uniform_``, autograd) can serve as
independent oracles. Two values come from built-ins, for speed: ``tanh`` is ``torch.tanh``'s
value (within an ulp) and ``sigmoid`` without a recorded gradient is ``torch.sigmoid``'s
(except far left of 0, where the built-in gives 0); their claims check those values against
mpmath at 50 digits, in eps, which is the independent oracle there, and the derivatives
(which are this module's own formulas) against mpmath and autograd.

* activations :func:`relu`, :func:`sigmoid`, :func:`tanh`, elementwise on tensors of any shape;
  :func:`sigmoid` and :func:`tanh` are accurate to a few ulps over the whole range of the dtype
  (no overflow, no cancellation near 0), and so are their derivatives;
* :func:`linear` (:math:`\mathbf{x}W^\top + \mathbf{b}`, ``torch.nn.functional.linear``'s
  convention), :func:`mlp_forward` and :func:`mlp_backward` (a one-hidden-layer MLP and its
  gradients by the hand-derived backpropagation equations);
* :func:`dropout` (inverted dropout) and :func:`xavier_uniform` (Glorot initialization).

Every function keeps the caller's dtype and device and never mutates its inputs; float16 and
bfloat16 are computed in float32 and rounded once at the end. Every function of tensors is
differentiable (twice) with respect to each of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import torch

from dltheory.core.validation import (
    check_int,
    check_real,
    check_same_device,
    check_same_dtype,
    opmath_dtype,
)
from dltheory.mlp._elementwise import (
    _ReLU,
    _sigmoid,
    _sigmoid_derivative,
    _tanh,
    _tanh_derivative,
)

__all__ = [
    "dropout",
    "linear",
    "mlp_backward",
    "mlp_forward",
    "relu",
    "sigmoid",
    "tanh",
    "xavier_uniform",
]

Activation = Literal["relu", "sigmoid", "tanh"]
ACTIVATIONS = ("relu", "sigmoid", "tanh")


def _check_tensor(name: str, x: object) -> torch.Tensor:
    """``x`` must be a floating-point tensor (0-d allowed)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    return x


# --- activations (autograd functions in _elementwise) -------------------------------------


def relu(input: torch.Tensor) -> torch.Tensor:
    r"""The rectified linear unit, elementwise.

    .. math:: \operatorname{ReLU}(x) = \max(x, 0), \qquad
        \operatorname{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    ReLU is not differentiable at 0; its gradient there is the left derivative, 0 (the notes'
    convention, and ``torch.relu``'s).

    NaN and inf: NaN gives NaN, and a NaN gradient (``torch.relu`` passes the incoming
    gradient through there); :math:`+\infty \mapsto +\infty`, :math:`-\infty \mapsto 0`.

    Args:
        input: floating-point tensor of any shape (0-d included).

    Returns:
        A tensor of ``input``'s shape, dtype and device.

    Raises:
        TypeError: ``input`` is not a floating-point tensor.

    Example:
        >>> relu(torch.tensor([-1.5, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """
    _check_tensor("input", input)
    return _ReLU.apply(input)


def sigmoid(input: torch.Tensor) -> torch.Tensor:
    r"""The logistic sigmoid, elementwise.

    .. math:: \sigma(x) = \frac{1}{1 + \exp(-x)}

    evaluated as written (``torch.sigmoid``, a few ulps wherever :math:`e^{-x}` is finite),
    and as :math:`e^{x}` (equal to within a factor :math:`1 + e^{x}`) where :math:`e^{-x}`
    would overflow, so the tiny values far left of 0 are not lost (``torch.sigmoid`` gives 0
    there). The gradient :math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))` is evaluated as
    :math:`t(1 - t)` with :math:`t = \sigma(-|x|) \le \frac12` (the derivative is even), by
    ``torch``'s fused sigmoid backward on :math:`t`, so that it keeps its relative accuracy
    where :math:`\sigma(x)` rounds to 1, and as :math:`e^{-|x|}` where :math:`e^{|x|}`
    overflows; under double backward as :math:`e^{-|x|} / (1 + e^{-|x|})^2`.

    NaN and inf: NaN gives NaN; :math:`\sigma(+\infty) = 1`, :math:`\sigma(-\infty) = 0`, with
    gradient 0 at both.

    Args:
        input: floating-point tensor of any shape (0-d included).

    Returns:
        Values in :math:`[0, 1]` of ``input``'s shape, dtype and device.

    Raises:
        TypeError: ``input`` is not a floating-point tensor.

    Example:
        >>> sigmoid(torch.tensor([-1000.0, 0.0, 1000.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    _check_tensor("input", input)
    return _sigmoid(input)


def tanh(input: torch.Tensor) -> torch.Tensor:
    r"""The hyperbolic tangent, elementwise.

    .. math:: \tanh(x) = \frac{1 - \exp(-2x)}{1 + \exp(-2x)}

    The value is ``torch.tanh``'s (within an ulp over the whole range). The gradient
    :math:`1 - \tanh^2 x` is evaluated as :math:`4t(1 - t)` with :math:`t = \sigma(-2|x|)`
    (``torch``'s fused sigmoid backward on :math:`t`; :math:`4e^{-2|x|}` where
    :math:`e^{2|x|}` overflows), which keeps its relative accuracy where :math:`\tanh x`
    rounds to :math:`\pm 1` (there :math:`1 - \tanh^2 x` computed from the rounded value is
    0, and autograd of ``torch.tanh`` with it); under double backward as
    :math:`4e/(1 + e)^2` with :math:`e = e^{-2|x|}`.

    NaN and inf: NaN gives NaN; :math:`\tanh(\pm\infty) = \pm 1` with gradient 0; the sign of
    zero is kept.

    Args:
        input: floating-point tensor of any shape (0-d included).

    Returns:
        Values in :math:`[-1, 1]` of ``input``'s shape, dtype and device.

    Raises:
        TypeError: ``input`` is not a floating-point tensor.

    Example:
        >>> tanh(torch.tensor([-1000.0, 0.0, 0.5]))
        tensor([-1.0000,  0.0000,  0.4621])
    """
    _check_tensor("input", input)
    return _tanh(input)


_ACTIVATION_FUNCTIONS = {"relu": _ReLU.apply, "sigmoid": _sigmoid, "tanh": _tanh}


def _activation_derivative(z: torch.Tensor, activation: str) -> torch.Tensor:
    if activation == "relu":
        return (z > 0).to(z.dtype)
    if activation == "sigmoid":
        return _sigmoid_derivative(z)
    return _tanh_derivative(z)


def _check_activation(activation: object) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return str(activation)


# --- affine layers and a one-hidden-layer MLP ---------------------------------------------


def _check_affine(
    ref: torch.Tensor,
    in_features: int,
    weight: object,
    bias: object,
    names: tuple[str, str, str, str],
) -> None:
    """``weight`` is ``(out, in_features)`` and ``bias`` is ``(out,)`` (or ``None`` where
    allowed), with ``ref``'s dtype and device; ``names`` = (ref, weight, bias, what has the
    ``in_features``) for the messages."""
    ref_name, w_name, b_name, source = names
    _check_tensor(w_name, weight)
    assert isinstance(weight, torch.Tensor)
    check_same_dtype(w_name, weight, ref_name, ref)
    check_same_device(w_name, weight, ref_name, ref)
    if weight.dim() != 2:
        raise ValueError(
            f"{w_name} must be 2-D (out_features, in_features), got shape {tuple(weight.shape)}"
        )
    if weight.shape[1] != in_features:
        raise ValueError(
            f"{w_name} of shape {tuple(weight.shape)} expects {weight.shape[1]} input features, "
            f"but {source} has {in_features}"
        )
    if bias is not None:
        _check_tensor(b_name, bias)
        assert isinstance(bias, torch.Tensor)
        check_same_dtype(b_name, bias, ref_name, ref)
        check_same_device(b_name, bias, ref_name, ref)
        if bias.shape != (weight.shape[0],):
            raise ValueError(
                f"{b_name} must have shape ({weight.shape[0]},) to match {w_name}, "
                f"got {tuple(bias.shape)}"
            )


def _check_input(name: str, x: object) -> torch.Tensor:
    _check_tensor(name, x)
    assert isinstance(x, torch.Tensor)
    if x.dim() == 0:
        raise ValueError(f"{name} must have at least one dimension (the features), got 0-d")
    return x


def _affine(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """:math:`xW^\\top + b` in ``x``'s (computing) dtype, leading dimensions flattened."""
    flat = x.reshape(-1, x.shape[-1])
    out = flat @ weight.mT if bias is None else torch.addmm(bias, flat, weight.mT)
    return out.reshape(*x.shape[:-1], weight.shape[0])


def linear(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None
) -> torch.Tensor:
    r"""An affine map of the last dimension, as ``torch.nn.functional.linear`` computes it.

    .. math:: \mathbf{o} = \mathbf{x} W^\top + \mathbf{b}, \qquad
        o_i = \sum_{j} w_{ij} x_j + b_i

    Args:
        input: floating-point tensor of shape ``(*, in_features)``.
        weight: ``(out_features, in_features)``, same dtype and device.
        bias: ``(out_features,)`` or ``None``.

    Returns:
        A tensor of shape ``(*, out_features)`` in ``input``'s dtype and device.

    NaN and inf: propagate as in the sums they enter (:math:`0 \cdot \infty` gives NaN).

    Raises:
        TypeError: an argument is not a floating-point tensor, or the dtypes differ.
        ValueError: ``input`` is 0-d, ``weight`` is not 2-D, the feature sizes do not
            match, ``bias`` has the wrong shape, or the tensors are on different devices.

    Example:
        >>> linear(torch.tensor([1.0, 2.0]), torch.tensor([[1.0, -1.0]]), torch.tensor([0.5]))
        tensor([-0.5000])
    """
    _check_input("input", input)
    _check_affine(
        input, input.shape[-1], weight, bias, ("input", "weight", "bias", "input's last dimension")
    )
    t = opmath_dtype(input.dtype)
    b = None if bias is None else bias.to(t)
    return _affine(input.to(t), weight.to(t), b).to(input.dtype)


def _check_mlp(
    x: object, w1: object, b1: object, w2: object, b2: object, b2_needed: bool = True
) -> None:
    _check_input("input", x)
    assert isinstance(x, torch.Tensor)
    for name, bias in (("b1", b1), ("b2", b2)):
        if bias is None and (name == "b1" or b2_needed):
            raise TypeError(f"{name} must be a torch.Tensor, got NoneType")
    _check_affine(x, x.shape[-1], w1, b1, ("input", "W1", "b1", "input's last dimension"))
    assert isinstance(w1, torch.Tensor)
    _check_affine(x, w1.shape[0], w2, b2, ("input", "W2", "b2", "the hidden layer (W1's rows)"))


def mlp_forward(
    input: torch.Tensor,
    W1: torch.Tensor,
    b1: torch.Tensor,
    W2: torch.Tensor,
    b2: torch.Tensor,
    *,
    activation: Activation = "relu",
) -> torch.Tensor:
    r"""Forward pass of an MLP with one hidden layer.

    .. math:: Z = X W_1^\top + \mathbf{b}_1, \quad H = \phi(Z), \quad
        O = H W_2^\top + \mathbf{b}_2

    with :math:`\phi` = :func:`relu`, :func:`sigmoid` or :func:`tanh` elementwise.

    Args:
        input: :math:`X`, shape ``(*, d)`` (a batch of examples in the rows).
        W1: ``(m, d)``; b1: ``(m,)`` — the hidden layer of ``m`` units.
        W2: ``(q, m)``; b2: ``(q,)`` — the output layer.
        activation: ``"relu"``, ``"sigmoid"`` or ``"tanh"``.

    Returns:
        :math:`O`, shape ``(*, q)``, in ``input``'s dtype and device.

    NaN and inf: propagate through the affine maps; the activations' policies apply.

    Raises:
        TypeError: a tensor argument is missing, not floating point, or of another dtype.
        ValueError: shapes that do not chain (``d``, ``m``, ``q``), tensors on different
            devices, or an unknown ``activation``.

    Example:
        >>> W1, b1 = torch.tensor([[1.0], [-1.0]]), torch.zeros(2)
        >>> W2, b2 = torch.tensor([[1.0, 1.0]]), torch.zeros(1)
        >>> mlp_forward(torch.tensor([[-3.0], [2.0]]), W1, b1, W2, b2)  # |x|
        tensor([[3.],
                [2.]])
    """
    _check_mlp(input, W1, b1, W2, b2)
    phi = _ACTIVATION_FUNCTIONS[_check_activation(activation)]
    t = opmath_dtype(input.dtype)
    hidden = phi(_affine(input.to(t), W1.to(t), b1.to(t)))
    return _affine(hidden, W2.to(t), b2.to(t)).to(input.dtype)


class MLPGradients(NamedTuple):
    """Gradients of a loss with respect to the input and the parameters of an MLP."""

    input: torch.Tensor
    W1: torch.Tensor
    b1: torch.Tensor
    W2: torch.Tensor
    b2: torch.Tensor


def mlp_backward(
    input: torch.Tensor,
    W1: torch.Tensor,
    b1: torch.Tensor,
    W2: torch.Tensor,
    b2: torch.Tensor | None,
    grad_output: torch.Tensor,
    *,
    activation: Activation = "relu",
) -> MLPGradients:
    r"""Backpropagation through :func:`mlp_forward`, by the hand-derived equations.

    Given :math:`G = \partial L / \partial O` (one row per example), with
    :math:`Z, H` as in :func:`mlp_forward`:

    .. math::
        \frac{\partial L}{\partial W_2} = G^\top H, \quad
        \frac{\partial L}{\partial \mathbf{b}_2} = \mathbf{1}^\top G, \quad
        \Delta = (G W_2) \odot \phi'(Z), \quad
        \frac{\partial L}{\partial W_1} = \Delta^\top X, \quad
        \frac{\partial L}{\partial \mathbf{b}_1} = \mathbf{1}^\top \Delta, \quad
        \frac{\partial L}{\partial X} = \Delta W_1

    For the squared loss :math:`L = \frac{1}{2}\sum \lVert \mathbf{o} - \mathbf{y}\rVert^2`
    pass :math:`G = O - Y`; for softmax cross-entropy :math:`G = \operatorname{softmax}(O) -
    Y` (``dltheory.classification.cross_entropy_grad``). :math:`\phi'` at 0 is 0 for ReLU.

    Args:
        input, W1, b1, W2, b2, activation: as for :func:`mlp_forward`.
        grad_output: :math:`G`, the shape of the output ``(*, q)``.

    Returns:
        ``MLPGradients(input, W1, b1, W2, b2)``, each of its argument's shape, in
        ``input``'s dtype and device (the leading dimensions of ``input`` are summed over
        for the parameters).

    NaN and inf: propagate through the products and sums they enter. ``b2`` enters no
    gradient (it only shifts :math:`O`, whose effect is already in :math:`G`), so it is only
    checked for its shape, may be ``None``, and a NaN there shows in no result.

    Raises:
        TypeError, ValueError: as for :func:`mlp_forward` (``b2`` may be ``None``);
            ``grad_output`` not a floating tensor of the output's shape, dtype and device.

    Example:
        >>> W1, b1 = torch.tensor([[2.0]]), torch.zeros(1)
        >>> W2, b2 = torch.tensor([[3.0]]), torch.zeros(1)
        >>> mlp_backward(torch.tensor([[1.0]]), W1, b1, W2, b2, torch.tensor([[1.0]])).W1
        tensor([[3.]])
    """
    _check_mlp(input, W1, b1, W2, b2, b2_needed=False)
    _check_tensor("grad_output", grad_output)
    check_same_dtype("grad_output", grad_output, "input", input)
    check_same_device("grad_output", grad_output, "input", input)
    expected = (*input.shape[:-1], W2.shape[0])
    if grad_output.shape != expected:
        raise ValueError(
            f"grad_output must have the output's shape {expected}, got {tuple(grad_output.shape)}"
        )
    phi = _check_activation(activation)
    t = opmath_dtype(input.dtype)
    x = input.to(t).reshape(-1, input.shape[-1])
    w1, w2 = W1.to(t), W2.to(t)
    z = torch.addmm(b1.to(t), x, w1.mT)
    h = _ACTIVATION_FUNCTIONS[phi](z)
    g = grad_output.to(t).reshape(-1, W2.shape[0])
    delta = (g @ w2) * _activation_derivative(z, phi)
    grads = MLPGradients(
        input=(delta @ w1).reshape(input.shape),
        W1=delta.mT @ x,
        b1=delta.sum(0),
        W2=g.mT @ h,
        b2=g.sum(0),
    )
    return MLPGradients(*(value.to(input.dtype) for value in grads))


# --- dropout and initialization -----------------------------------------------------------


def _check_generator(generator: object, device: torch.device) -> None:
    if generator is None:
        return
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator)}")
    if generator.device.type != device.type and device.type != "meta":
        raise ValueError(f"generator is on {generator.device} but the result is on {device}")


def dropout(
    input: torch.Tensor,
    p: float = 0.5,
    training: bool = True,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Inverted dropout: zero each entry with probability :math:`p`, rescale the others.

    .. math:: h' = \begin{cases} 0 & \text{with probability } p \\
        \dfrac{h}{1 - p} & \text{otherwise} \end{cases}
        \qquad \mathbb{E}[h'] = h, \quad \operatorname{Var}[h'] = \frac{p}{1 - p} h^2

    Entries are kept independently: entry :math:`i` is kept when :math:`U_i \ge p` for
    :math:`U_i` uniform on :math:`[0, 1)` (drawn in float64 for float64 input, else float32).
    With ``training=False`` or ``p = 0`` the input itself is returned (as
    ``torch.nn.functional.dropout`` does).

    NaN and inf: a kept entry is divided by :math:`1 - p` (NaN stays NaN, :math:`\pm\infty`
    stays :math:`\pm\infty`); a dropped entry is exactly 0 whatever it held (``F.dropout``
    multiplies by the mask and so turns a dropped :math:`\infty` into NaN).

    Args:
        input: floating-point tensor of any shape.
        p: drop probability, :math:`0 \le p < 1`.
        training: apply dropout (``True``) or return ``input`` unchanged (``False``).
        generator: a ``torch.Generator`` on ``input``'s device, for reproducible masks.

    Returns:
        A tensor of ``input``'s shape, dtype and device; differentiable with gradient
        :math:`[\text{kept}] / (1 - p)`.

    Raises:
        TypeError: ``input`` is not a floating-point tensor; ``p`` is not a real number;
            ``training`` is not a bool; ``generator`` is not a ``torch.Generator``.
        ValueError: ``p`` is outside :math:`[0, 1)`; ``generator`` is on another device.

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> dropout(torch.ones(6), p=0.5, generator=g)
        tensor([0., 2., 0., 0., 0., 2.])
    """
    _check_tensor("input", input)
    p = check_real("p", p, low=0.0, high=1.0, high_open=True)
    if not isinstance(training, bool):
        raise TypeError(f"training must be a bool, got {type(training).__name__}")
    _check_generator(generator, input.device)
    if not training or p == 0:
        return input
    t = opmath_dtype(input.dtype)
    u = torch.rand(input.shape, generator=generator, dtype=t, device=input.device)
    kept = torch.div(input.to(t), 1 - p)
    return torch.where(u >= p, kept, torch.zeros((), dtype=t, device=input.device)).to(input.dtype)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def xavier_uniform(
    shape: Sequence[int],
    gain: float = 1.0,
    generator: torch.Generator | None = None,
    *,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    r"""A weight tensor drawn from the Xavier (Glorot) uniform distribution.

    .. math:: w \sim U(-a, a), \qquad a = \text{gain} \cdot
        \sqrt{\frac{6}{n_\text{in} + n_\text{out}}}, \qquad
        \operatorname{Var}[w] = \frac{a^2}{3} = \text{gain}^2
        \frac{2}{n_\text{in} + n_\text{out}}

    so that, with gain 1, :math:`\operatorname{Var}[w]` is the compromise between
    :math:`1/n_\text{in}` (keeps the forward variance) and :math:`1/n_\text{out}` (keeps the
    backward variance). Fans follow torch: for ``shape = (out, in, *kernel)``,
    :math:`n_\text{in} = \text{in} \cdot \prod \text{kernel}` and :math:`n_\text{out} =
    \text{out} \cdot \prod \text{kernel}`. With the same ``generator`` state this draws the
    same values as ``torch.nn.init.xavier_uniform_``; float16/bfloat16 values are drawn in
    float32 and rounded to nearest once (torch's own half-precision sampler instead sends a
    value that rounds up to :math:`a` to :math:`-a`).

    NaN and inf: never produced; ``gain`` must be finite.

    Args:
        shape: the tensor's shape, at least 2-D, every size :math:`\ge 1`.
        gain: scale factor :math:`\ge 0` (e.g. ``5/3`` for tanh layers).
        generator: a ``torch.Generator`` on ``device``, for reproducible draws.
        dtype: a floating dtype (default: ``torch.get_default_dtype()``).
        device: where to create the tensor (default: the CPU).

    Returns:
        A new tensor of ``shape``, ``dtype`` and ``device`` with entries in :math:`[-a, a]`.

    Raises:
        TypeError: ``shape`` is not a sequence of ints; ``gain`` is not a real number;
            ``dtype`` is not floating; ``generator`` is not a ``torch.Generator``.
        ValueError: ``shape`` has fewer than 2 dimensions or a size below 1; ``gain`` is
            negative or not finite; ``generator`` is on another device.

    Example:
        >>> w = xavier_uniform((3, 5), generator=torch.Generator().manual_seed(0))
        >>> bool(w.abs().max() <= (6 / 8) ** 0.5)
        True
    """
    if isinstance(shape, torch.Tensor | str) or not isinstance(shape, Sequence):
        raise TypeError(f"shape must be a sequence of ints, got {type(shape).__name__}")
    sizes = tuple(check_int(f"shape[{i}]", s, minimum=1) for i, s in enumerate(shape))
    if len(sizes) < 2:
        raise ValueError(f"shape must have at least 2 dimensions (out, in), got {sizes}")
    gain = check_real("gain", gain, low=0.0)
    dtype = torch.get_default_dtype() if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype}")
    try:
        where = torch.device("cpu") if device is None else torch.device(device)
    except (RuntimeError, TypeError):
        raise TypeError(f"device must be a torch.device or its name, got {device!r}") from None
    _check_generator(generator, where)
    fan_in, fan_out = _fans(sizes)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    draw = torch.empty(sizes, dtype=opmath_dtype(dtype), device=where)
    return draw.uniform_(-bound, bound, generator=generator).to(dtype)
