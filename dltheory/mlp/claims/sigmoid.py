r"""§ 5 Sigmoid Function — the logistic sigmoid, its range, symmetry and derivative.

The notes give only the formula; the standard facts below are additions.

Main declarations:

* ``mlp.sigmoid-definition`` — :math:`\sigma(x) = 1 / (1 + \exp(-x))`, checked against mpmath
  across each dtype's range;
* ``mlp.sigmoid-range`` — :math:`0 < \sigma(x) < 1`, increasing;
* ``mlp.sigmoid-symmetry`` — :math:`\sigma(-x) = 1 - \sigma(x)`;
* ``mlp.sigmoid-derivative`` — :math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`.
"""

from __future__ import annotations

import sympy as sp
import torch

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.mlp.claims._support import (
    activation_inputs,
    check_derivative,
    exact,
    float_arrays,
    grad_of,
    mp_sigmoid,
    mp_sigmoid_derivative,
)

SECTION = Section("mlp", "5 Sigmoid Function")

_x = sp.Symbol("x", real=True)
_SIGMOID = 1 / (1 + sp.exp(-_x))

sigmoid_definition = SECTION.claim(
    "sigmoid-definition",
    title="Sigmoid",
    statement=r"\operatorname{sigmoid}(x) = \sigma(x) = \frac{1}{1 + \exp(-x)}",
    kind=Kind.DEFINITION,
    code=("sigmoid",),
    symbolic=NotApplicable("a definition; its properties are derived in the claims below"),
)


@sigmoid_definition.numeric_leg(
    oracle="mpmath at 50 digits (error in eps) across the dtype's range; torch.sigmoid; "
    "infinities and NaN"
)
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=3)
    for z in (x, x.reshape(2, -1), x[5]):
        got = impl.sigmoid(z)
        assert got.dtype == dtype and got.device == z.device and got.shape == z.shape
        assert_accurate(got, exact(mp_sigmoid, z), msg="sigmoid vs mpmath")
    assert_close(impl.sigmoid(x), torch.sigmoid(x.double()), dtype=dtype)
    specials = torch.tensor([float("inf"), -float("inf"), float("nan")], dtype=dtype, device=device)
    got = impl.sigmoid(specials).tolist()
    assert got[:2] == [1.0, 0.0] and got[2] != got[2], f"sigmoid(inf, -inf, nan) = {got}"


@sigmoid_definition.property_leg(
    r"`sigmoid` is within 16 eps of $1/(1 + e^{-x})$ evaluated by mpmath, for floats across "
    "the float64 range (relative to the value; tiny values included)"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        return is_accurate(impl.sigmoid(x), exact(mp_sigmoid, x))

    return ForAll(float_arrays(), holds, names=("x",))


sigmoid_range = SECTION.claim(
    "sigmoid-range",
    title="Sigmoid maps onto (0, 1), increasingly",
    statement=r"0 < \sigma(x) < 1, \qquad x < y \Rightarrow \sigma(x) < \sigma(y)",
    kind=Kind.THEOREM,
    code=("sigmoid",),
    uses=("mlp.sigmoid-derivative",),
    note=r"Addition. In floating point the bounds are reached: $\sigma(x)$ rounds to 1 for "
    r"large $x$ and underflows to 0 far left of 0, so the legs check $0 \le \sigma \le 1$ and "
    "that the computed values never decrease.",
)


@sigmoid_range.symbolic_leg(scope="every real $x$")
def _() -> Derivation:
    complement = sp.simplify(1 - _SIGMOID)
    derivative = _SIGMOID * complement
    return Derivation(
        steps=[
            Step(r"$\sigma(x) > 0$: a positive numerator over $1 + e^{-x} > 1$", _SIGMOID),
            Step(r"$1 - \sigma(x) > 0$", equation(1 - _SIGMOID, complement)),
            Step(
                r"$\sigma'(x) = \sigma(x)(1 - \sigma(x)) > 0$: strictly increasing",
                equation(sp.Symbol(r"\sigma'(x)"), derivative),
                cites=("mlp.sigmoid-derivative",),
            ),
        ],
        residuals=[_SIGMOID.is_positive, complement.is_positive, derivative.is_positive],
        compared=[r"$\sigma(x) > 0$", r"$1 - \sigma(x) > 0$", r"$\sigma'(x) > 0$"],
    )


@sigmoid_range.numeric_leg(oracle="the bounds 0 and 1, and the order of sorted inputs")
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=4).sort().values
    got = impl.sigmoid(x)
    assert bool(((got >= 0) & (got <= 1)).all()), f"sigmoid outside [0, 1]: {got}"
    assert bool((got[1:] >= got[:-1]).all()), "sigmoid decreases somewhere on sorted inputs"
    middle = got[(x.abs() < 1) & (x != 0)]
    assert bool(((middle > 0) & (middle < 1)).all()), "sigmoid reached a bound near 0"


@sigmoid_range.property_leg(
    r"$0 \le \sigma(x) \le 1$, and $x \le y \Rightarrow \sigma(x) \le \sigma(y)$ for floats across "
    "the float64 range"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        s = impl.sigmoid(x.sort().values)
        return bool(((s >= 0) & (s <= 1)).all() and (s[1:] >= s[:-1]).all())

    return ForAll(float_arrays(min_size=2), holds, names=("x",))


sigmoid_symmetry = SECTION.claim(
    "sigmoid-symmetry",
    title="Sigmoid is symmetric about (0, 1/2)",
    statement=r"\sigma(-x) = 1 - \sigma(x)",
    kind=Kind.IDENTITY,
    code=("sigmoid",),
    note="Addition. The reference function uses this symmetry to evaluate the left half "
    r"without overflow, as $e^{-|x|}/(1 + e^{-|x|})$.",
)


@sigmoid_symmetry.symbolic_leg(scope="every real $x$")
def _() -> Derivation:
    left = _SIGMOID.subs(_x, -_x)
    return Derivation(
        steps=[
            Step(r"$\sigma(-x)$", equation(sp.Symbol(r"\sigma(-x)"), left)),
            Step(r"$1 - \sigma(x)$", equation(1 - _SIGMOID, sp.simplify(1 - _SIGMOID))),
        ],
        residuals=[left - (1 - _SIGMOID)],
        compared=[r"$\sigma(-x) - (1 - \sigma(x))$"],
    )


@sigmoid_symmetry.numeric_leg(
    oracle="the identity: sigmoid(-x) + sigmoid(x) summed in float64 against 1"
)
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=5)
    total = impl.sigmoid(-x).double() + impl.sigmoid(x).double()
    # each term is within half an ulp of the dtype at values <= 1, so the sum is within the
    # dtype's relative tolerance of 1
    assert_close(total, torch.ones_like(total), dtype=dtype, msg="sigmoid(-x) + sigmoid(x)")


@sigmoid_symmetry.property_leg(
    r"$\sigma(-x) = 1 - \sigma(x)$ within float64 tolerance for floats across the float64 range"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        return is_close(impl.sigmoid(-x), 1 - impl.sigmoid(x))

    return ForAll(float_arrays(), holds, names=("x",))


sigmoid_derivative = SECTION.claim(
    "sigmoid-derivative",
    title="The derivative of sigmoid, in terms of sigmoid",
    statement=r"\frac{d}{dx}\sigma(x) = \frac{\exp(-x)}{(1 + \exp(-x))^2} = "
    r"\sigma(x)(1 - \sigma(x))",
    kind=Kind.THEOREM,
    code=("sigmoid",),
    note="Addition. The reference's backward pass evaluates the middle form from "
    r"$e^{-|x|}$, which keeps its relative accuracy where $\sigma(x)$ rounds to 1 and "
    r"$1 - \sigma(x)$ would cancel.",
)


@sigmoid_derivative.symbolic_leg(scope="every real $x$")
def _() -> Derivation:
    derivative = sp.diff(_SIGMOID, _x)
    return Derivation(
        steps=[
            Step("Differentiate", equation(sp.Derivative(_SIGMOID, _x), derivative)),
            Step(
                r"Write it with $\sigma$",
                equation(derivative, sp.Symbol(r"\sigma") * (1 - sp.Symbol(r"\sigma"))),
            ),
        ],
        residuals=[derivative - _SIGMOID * (1 - _SIGMOID)],
        compared=[r"$\sigma'(x) - \sigma(x)(1 - \sigma(x))$"],
    )


@sigmoid_derivative.numeric_leg(
    oracle="mpmath sigma(1 - sigma) at 50 digits (error in eps) across the dtype's range; "
    "autograd of torch.sigmoid; torch.autograd.gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=6)
    # torch's backward cancels beyond |x| ~ 20: compare with it only there
    check_derivative(impl.sigmoid, torch.sigmoid, mp_sigmoid_derivative, x, moderate=20)


@sigmoid_derivative.property_leg(
    r"the autograd gradient of `sigmoid` is within 16 eps of $\sigma(x)(1 - \sigma(x))$ by "
    r"mpmath, for $|x| \le 700$ (beyond, both underflow towards 0)"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        return is_accurate(grad_of(impl.sigmoid, x), exact(mp_sigmoid_derivative, x))

    return ForAll(float_arrays(magnitude=700.0), holds, names=("x",))
