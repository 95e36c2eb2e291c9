r"""§ 5 Tanh Function — the hyperbolic tangent, its symmetry, its link to sigmoid, its derivative.

The notes give only the formula; the standard facts below are additions.

Main declarations:

* ``mlp.tanh-definition`` — the notes' :math:`(1 - \exp(-2x)) / (1 + \exp(-2x))` is
  :math:`\tanh x`, checked against mpmath across each dtype's range;
* ``mlp.tanh-odd-range`` — :math:`\tanh(-x) = -\tanh x` and :math:`-1 < \tanh x < 1`;
* ``mlp.tanh-sigmoid-relation`` — :math:`\tanh x = 2\sigma(2x) - 1`;
* ``mlp.tanh-derivative`` — :math:`\tanh' x = 1 - \tanh^2 x`.
"""

from __future__ import annotations

import sympy as sp
import torch

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.mlp.claims._support import (
    activation_inputs,
    check_derivative,
    exact,
    float_arrays,
    grad_of,
    mp_tanh,
    mp_tanh_derivative,
)

SECTION = Section("mlp", "5 Tanh Function")

_x = sp.Symbol("x", real=True)
_NOTES_TANH = (1 - sp.exp(-2 * _x)) / (1 + sp.exp(-2 * _x))

tanh_definition = SECTION.claim(
    "tanh-definition",
    title="Tanh",
    statement=r"\tanh(x) = \frac{1 - \exp(-2x)}{1 + \exp(-2x)}",
    kind=Kind.DEFINITION,
    code=("tanh",),
)


@tanh_definition.symbolic_leg(scope="every real $x$")
def _() -> Derivation:
    standard = (sp.exp(_x) - sp.exp(-_x)) / (sp.exp(_x) + sp.exp(-_x))
    return Derivation(
        steps=[
            Step("The notes' formula", equation(sp.Symbol(r"\tanh(x)"), _NOTES_TANH)),
            Step(
                r"Multiply numerator and denominator by $e^{x}$: the hyperbolic tangent",
                equation(_NOTES_TANH, standard),
            ),
        ],
        residuals=[_NOTES_TANH - sp.tanh(_x).rewrite(sp.exp)],
        compared=[r"the notes' formula minus $\tanh x$ written with exponentials"],
    )


@tanh_definition.numeric_leg(
    oracle="mpmath.tanh at 50 digits (error in eps) across the dtype's range, tiny and "
    "subnormal inputs included; torch.tanh; infinities and NaN"
)
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=7)
    for z in (x, x.reshape(2, -1), x[3]):
        got = impl.tanh(z)
        assert got.dtype == dtype and got.device == z.device and got.shape == z.shape
        assert_accurate(got, exact(mp_tanh, z), msg="tanh vs mpmath")
    assert_close(impl.tanh(x), torch.tanh(x.double()), dtype=dtype)
    specials = torch.tensor([float("inf"), -float("inf"), float("nan")], dtype=dtype, device=device)
    got = impl.tanh(specials).tolist()
    assert got[:2] == [1.0, -1.0] and got[2] != got[2], f"tanh(inf, -inf, nan) = {got}"


@tanh_definition.property_leg(
    r"`tanh` is within 16 eps of mpmath's $\tanh x$, relative to the value, for floats across "
    r"the float64 range (where $1 - e^{-2x}$ would cancel, near 0, too)"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        return is_accurate(impl.tanh(x), exact(mp_tanh, x))

    return ForAll(float_arrays(), holds, names=("x",))


tanh_odd_range = SECTION.claim(
    "tanh-odd-range",
    title="Tanh is odd and maps into (-1, 1)",
    statement=r"\tanh(-x) = -\tanh(x), \qquad -1 < \tanh(x) < 1",
    kind=Kind.THEOREM,
    code=("tanh",),
    note=r"Addition. In floating point $\tanh x$ rounds to $\pm 1$ for large $|x|$, so the legs "
    r"check $|\tanh x| \le 1$, with strict inequality for $|x| < 1$.",
)


@tanh_odd_range.symbolic_leg(scope="every real $x$")
def _() -> Derivation:
    flipped = _NOTES_TANH.subs(_x, -_x)
    above = sp.factor(sp.simplify(1 - _NOTES_TANH))
    below = sp.factor(sp.simplify(1 + _NOTES_TANH))
    return Derivation(
        steps=[
            Step(
                r"$\tanh(-x)$ from the notes' formula", equation(sp.Symbol(r"\tanh(-x)"), flipped)
            ),
            Step(r"$1 - \tanh x$", equation(1 - sp.Symbol(r"\tanh x"), above)),
            Step(r"$1 + \tanh x$", equation(1 + sp.Symbol(r"\tanh x"), below)),
        ],
        residuals=[sp.simplify(flipped + _NOTES_TANH), above.is_positive, below.is_positive],
        compared=[r"$\tanh(-x) + \tanh(x)$", r"$1 - \tanh x > 0$", r"$1 + \tanh x > 0$"],
    )


@tanh_odd_range.numeric_leg(oracle="the identity tanh(-x) = -tanh(x), and the bounds -1 and 1")
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=8)
    got = impl.tanh(x)
    assert_close(impl.tanh(-x), -got.double(), dtype=dtype, msg="tanh(-x) vs -tanh(x)")
    assert bool((got.abs() <= 1).all()), f"|tanh| > 1: {got}"
    inner = got[x.abs() < 1]
    assert bool((inner.abs() < 1).all()), "tanh reached +-1 for |x| < 1"


@tanh_odd_range.property_leg(
    r"$\tanh(-x) = -\tanh(x)$ and $|\tanh x| \le 1$ for floats across the float64 range"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        t = impl.tanh(x)
        return is_close(impl.tanh(-x), -t) and bool((t.abs() <= 1).all())

    return ForAll(float_arrays(), holds, names=("x",))


tanh_sigmoid_relation = SECTION.claim(
    "tanh-sigmoid-relation",
    title="Tanh is a rescaled sigmoid",
    statement=r"\tanh(x) = 2\,\sigma(2x) - 1",
    kind=Kind.IDENTITY,
    code=("tanh", "sigmoid"),
    note="Addition. The legs evaluate the two sides with the two reference functions and "
    "compare them with an absolute tolerance where they cross 0.",
)


@tanh_sigmoid_relation.symbolic_leg(scope="every real $x$")
def _() -> Derivation:
    rhs = 2 / (1 + sp.exp(-2 * _x)) - 1
    return Derivation(
        steps=[
            Step(r"$2\sigma(2x) - 1$", equation(2 * sp.Symbol(r"\sigma(2x)") - 1, rhs)),
            Step("Over a common denominator", equation(rhs, sp.together(rhs))),
        ],
        residuals=[_NOTES_TANH - rhs],
        compared=[r"$\tanh x - (2\sigma(2x) - 1)$"],
    )


@tanh_sigmoid_relation.numeric_leg(
    oracle="the identity, both sides in float64 from the results in the dtype",
    # 2 sigma(2x) - 1 cancels near x = 0: in float16/bfloat16 sigma(2x) ~ 1/2 carries half an
    # ulp of 1/2 (2.4e-4 in float16), more than the table's atol allows after the cancellation.
    # Each side's accuracy in those dtypes is checked against mpmath by mlp.tanh-definition and
    # mlp.sigmoid-definition.
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=9)
    x = x[x.abs() <= torch.finfo(dtype).max / 2]  # 2x must not overflow
    rhs = 2 * impl.sigmoid(2 * x).double() - 1
    assert_close(impl.tanh(x), rhs, dtype=dtype, msg="tanh(x) vs 2 sigmoid(2x) - 1")


@tanh_sigmoid_relation.property_leg(
    r"`tanh(x)` equals `2 * sigmoid(2 * x) - 1` within float64 tolerance (absolute near 0), "
    r"for $|x| \le 10^{300}$"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        return is_close(impl.tanh(x), 2 * impl.sigmoid(2 * x) - 1)

    return ForAll(float_arrays(), holds, names=("x",))


tanh_derivative = SECTION.claim(
    "tanh-derivative",
    title="The derivative of tanh, in terms of tanh",
    statement=r"\frac{d}{dx}\tanh(x) = 1 - \tanh^2(x)",
    kind=Kind.THEOREM,
    code=("tanh",),
    note="Addition. The reference's backward pass evaluates it as "
    r"$4e^{-2|x|}/(1 + e^{-2|x|})^2$, which keeps its relative accuracy where "
    r"$\tanh x$ rounds to $\pm 1$.",
)


@tanh_derivative.symbolic_leg(scope="every real $x$")
def _() -> Derivation:
    derivative = sp.diff(_NOTES_TANH, _x)
    return Derivation(
        steps=[
            Step(
                "Differentiate the notes' formula",
                equation(sp.Derivative(_NOTES_TANH, _x), derivative),
            ),
        ],
        residuals=[derivative - (1 - _NOTES_TANH**2)],
        compared=[r"$\tanh' x - (1 - \tanh^2 x)$"],
    )


@tanh_derivative.numeric_leg(
    oracle="mpmath 1 - tanh^2 at 50 digits (error in eps) across the dtype's range; autograd "
    "of torch.tanh; torch.autograd.gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=10)
    # torch's backward cancels beyond |x| ~ 10: compare with it only there
    check_derivative(impl.tanh, torch.tanh, mp_tanh_derivative, x, moderate=10)


@tanh_derivative.property_leg(
    r"the autograd gradient of `tanh` is within 16 eps of $1 - \tanh^2 x$ by mpmath, for "
    r"$|x| \le 350$"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        return is_accurate(grad_of(impl.tanh, x), exact(mp_tanh_derivative, x))

    return ForAll(float_arrays(magnitude=350.0), holds, names=("x",))
