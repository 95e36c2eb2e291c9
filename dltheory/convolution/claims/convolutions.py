r"""§ 7.2 Convolutions — convolution in its continuous, 1-D and 2-D forms, and what the layer
computes instead.

Main declarations:

* notation note ``convolution.convolution-functions-unnamed`` — "the convolution between two
  functions (Rudin, 1973), say is defined as": the functions are never named;
* ``convolution.convolution-continuous`` — :math:`(f * g)(x) = \int f(z)g(x - z)\,dz`; the
  substitution :math:`z \to x - u` makes it commutative (any :math:`f, g`), and two exponential
  densities convolve to a Gamma density;
* ``convolution.convolution-discrete`` — the 1-D and 2-D sums, against SciPy and NumPy;
* ``convolution.convolution-commutative`` — full discrete convolution commutes;
* erratum ``convolution.layer-is-convolution`` — "why (7.1.3) is called a convolution": as
  written, the layer's :math:`\sum V_{a,b}X_{i+a,j+b}` is not the convolution
  :math:`\sum V_{a,b}X_{i-a,j-b}`; corrected by
  ``convolution.cross-correlation-is-flipped-convolution``: it is the convolution with the
  flipped kernel (a cross-correlation), which a learned kernel absorbs.
"""

from __future__ import annotations

import numpy as np
import scipy.signal
import sympy as sp

from dltheory.convolution.claims._support import image, image_and_kernel
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("convolution", "7.2 Convolutions")

_i, _j, _a, _b = sp.symbols("i j a b", integer=True)
_X, _V = sp.IndexedBase("X"), sp.IndexedBase("V")

convolution_functions_unnamed = SECTION.claim(
    "convolution-functions-unnamed",
    title="“The convolution between two functions, say is defined as”",
    statement=r"\text{``the convolution between two functions (Rudin, 1973), say is defined as''}",
    kind=Kind.NOTATION,
    corrects="convolution.convolution-continuous",
    note=r"The functions are never introduced. Read: the convolution of two functions "
    r"$f, g: \mathbb{R}^d \to \mathbb{R}$ is defined as $(f * g)(\mathbf{x}) = \int f(\mathbf{z})"
    r"g(\mathbf{x} - \mathbf{z})\,d\mathbf{z}$ (for integrable $f, g$), and for functions on "
    r"$\mathbb{Z}$ or $\mathbb{Z}^2$ the integral becomes a sum.",
)


convolution_continuous = SECTION.claim(
    "convolution-continuous",
    title="Convolution of functions, and its commutativity",
    statement=r"(f * g)(\mathbf{x}) = \int f(\mathbf{z})g(\mathbf{x} - \mathbf{z})\,d\mathbf{z} "
    r"= \int f(\mathbf{x} - \mathbf{u})g(\mathbf{u})\,d\mathbf{u} = (g * f)(\mathbf{x})",
    kind=Kind.THEOREM,
    note="Worked example: two exponential densities with rate lambda convolve to the Gamma(2, "
    "lambda) density lambda^2 x e^(-lambda x), the density of the sum of two independent "
    "exponential waiting times.",
    numeric=NotApplicable(
        "no reference function evaluates integrals; the discrete forms are checked below"
    ),
    property=NotApplicable(
        "no reference function evaluates integrals; the discrete forms are checked below"
    ),
)


@convolution_continuous.symbolic_leg(
    scope="any integrable $f$, $g$ on $\\mathbb{R}$; the example for every rate"
)
def _() -> Derivation:
    x, z, u = sp.symbols("x z u", real=True)
    f, g = sp.Function("f"), sp.Function("g")
    integral = sp.Integral(f(z) * g(x - z), (z, -sp.oo, sp.oo))
    substituted = integral.transform(z, (x - u, u))
    swapped = sp.Integral(f(x - u) * g(u), (u, -sp.oo, sp.oo))
    rate, t = sp.Symbol(r"\lambda", positive=True), sp.Symbol("x", positive=True)
    example = sp.integrate(rate * sp.exp(-rate * z) * rate * sp.exp(-rate * (t - z)), (z, 0, t))
    return Derivation(
        steps=[
            Step("The definition", equation(sp.Symbol("(f*g)(x)"), integral)),
            Step(r"Substitute $z = x - u$", equation(integral, substituted)),
            Step(
                r"Exponential densities $\lambda e^{-\lambda z}$ on $z \ge 0$ (0 elsewhere)",
                equation(sp.Symbol("(f*f)(x)"), example),
            ),
        ],
        residuals=[substituted - swapped, example - rate**2 * t * sp.exp(-rate * t)],
        compared=[
            r"after the substitution, minus $(g * f)(x)$",
            r"the example minus $\lambda^2 x e^{-\lambda x}$",
        ],
    )


convolution_discrete = SECTION.claim(
    "convolution-discrete",
    title="Discrete convolution in one and two dimensions",
    statement=r"(f * g)(i) = \sum_{a} f(a)g(i - a), \qquad "
    r"(f * g)(i, j) = \sum_{a}\sum_{b} f(a, b)g(i - a, j - b)",
    kind=Kind.DEFINITION,
    code=("convolve2d",),
    note="For finitely supported f and g (arrays, zero outside), the sums are finite; a 1-D "
    "convolution is a 2-D one of a single row. `convolve2d(X, K)` is K * X.",
    symbolic=NotApplicable("a definition; its commutativity is derived in the next claim"),
)


@convolution_discrete.numeric_leg(
    oracle="scipy.signal.convolve2d ('full' and 'valid'); numpy.convolve for single rows"
)
def _(impl, device, dtype) -> None:
    x, k = (
        image(2, 6, 7, seed=1, dtype=dtype, device=device),
        image(3, 2, seed=2, dtype=dtype, device=device),
    )
    for mode in ("full", "valid"):
        got = impl.convolve2d(x, k, mode)
        assert got.dtype == dtype and got.device == x.device
        for n in range(2):
            want = scipy.signal.convolve2d(oracle_input(x[n]), oracle_input(k), mode=mode)
            assert_close(got[n], want, msg=f"convolve2d vs scipy, mode {mode}")
    row, taps = (
        image(1, 9, seed=3, dtype=dtype, device=device),
        image(1, 4, seed=4, dtype=dtype, device=device),
    )
    want = np.convolve(oracle_input(row[0]), oracle_input(taps[0]))
    assert_close(impl.convolve2d(row, taps)[0], want, msg="1-D convolution vs numpy.convolve")


@convolution_discrete.property_leg(
    "`convolve2d` equals scipy.signal.convolve2d (mode 'full') for images and kernels up to "
    "6 x 6 of any relative size (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, k = case
        got = impl.convolve2d(x, k)
        images = x.reshape(-1, *x.shape[-2:])
        want = [scipy.signal.convolve2d(im.numpy(), k.numpy()) for im in images]
        return is_close(got.reshape(-1, *got.shape[-2:]), np.stack(want))

    return ForAll(image_and_kernel(kernel_fits=False), holds, names=("X", "K"))


convolution_commutative = SECTION.claim(
    "convolution-commutative",
    title="Full discrete convolution commutes",
    statement=r"\sum_{a} f(a)g(i - a) = \sum_{a} f(i - a)g(a), \qquad f * g = g * f",
    kind=Kind.THEOREM,
    code=("convolve2d",),
    uses=("convolution.convolution-discrete",),
    note="Addition (the notes define convolution, not its properties). For arrays this "
    "needs the 'full' output (every overlap); 'valid' outputs of X * K "
    "and K * X have different shapes unless X and K do.",
)


@convolution_commutative.symbolic_leg(
    scope="finitely supported $f$, $g$ on $\\mathbb{Z}$ and $\\mathbb{Z}^2$"
)
def _() -> Derivation:
    f, g = sp.Function("f"), sp.Function("g")
    one = sp.Sum(f(_a) * g(_i - _a), (_a, -sp.oo, sp.oo))
    two = sp.Sum(f(_a, _b) * g(_i - _a, _j - _b), (_a, -sp.oo, sp.oo), (_b, -sp.oo, sp.oo))
    one_swapped = one.change_index(_a, _i - _a, _a)
    two_swapped = two.change_index(_a, _i - _a, _a).change_index(_b, _j - _b, _b)
    return Derivation(
        steps=[
            Step(
                "1-D",
                equation(sp.Symbol("(f*g)(i)"), one),
                cites=("convolution.convolution-discrete",),
            ),
            Step(r"Substitute $a \to i - a$", equation(one, one_swapped)),
            Step(r"2-D: substitute $a \to i - a$, $b \to j - b$", equation(two, two_swapped)),
        ],
        residuals=[
            one_swapped - sp.Sum(g(_a) * f(_i - _a), (_a, -sp.oo, sp.oo)),
            two_swapped
            - sp.Sum(g(_a, _b) * f(_i - _a, _j - _b), (_a, -sp.oo, sp.oo), (_b, -sp.oo, sp.oo)),
        ],
        compared=["(f * g)(i) - (g * f)(i)", "(f * g)(i, j) - (g * f)(i, j)"],
    )


@convolution_commutative.numeric_leg(
    oracle="the identity, and scipy.signal.convolve2d of the swapped pair"
)
def _(impl, device, dtype) -> None:
    x, k = (
        image(5, 6, seed=5, dtype=dtype, device=device),
        image(3, 2, seed=6, dtype=dtype, device=device),
    )
    swapped = impl.convolve2d(k, x)
    assert_close(impl.convolve2d(x, k), swapped.double(), dtype=dtype, msg="X * K vs K * X")
    assert_close(swapped, scipy.signal.convolve2d(oracle_input(k), oracle_input(x)))


@convolution_commutative.property_leg(
    "`convolve2d(X, K)` equals `convolve2d(K, X)` for single images and kernels up to 6 x 6 "
    "(float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, k = case
        return is_close(impl.convolve2d(x, k), impl.convolve2d(k, x))

    return ForAll(image_and_kernel(kernel_fits=False, batch=False), holds, names=("X", "K"))


layer_is_convolution = SECTION.claim(
    "layer-is-convolution",
    title="The layer (7.1.3) is not the convolution as written",
    statement=r"\sum_{a=-\Delta}^{\Delta}\sum_{b=-\Delta}^{\Delta}[\mathbf{V}]_{a,b}"
    r"[\mathbf{X}]_{i+a,j+b} = (\mathbf{V} * \mathbf{X})(i, j) = \sum_{a}\sum_{b}"
    r"[\mathbf{V}]_{a,b}[\mathbf{X}]_{i-a,j-b}",
    kind=Kind.ERRATUM,
    code=("corr2d", "convolve2d"),
    corrects="convolution.cross-correlation-is-flipped-convolution",
    note="'Let's briefly review why (7.1.3) is called a convolution' followed by the convolution "
    "formulas suggests the layer is the convolution of V and X. It is not: the layer adds the "
    "offsets (i + a), the convolution subtracts them (i - a). Any kernel that is not "
    "point-symmetric tells them apart. The layer is a cross-correlation, the convolution with "
    "the flipped kernel: convolution.cross-correlation-is-flipped-convolution.",
    numeric=NotApplicable("the property leg searches for the counterexample"),
)


@layer_is_convolution.symbolic_leg(
    scope="witness: $\\Delta = 1$, $V_{1,0} = 1$, $X_{1,0} = 1$, else 0"
)
def _() -> Derivation:
    offsets = range(-1, 2)
    layer = sum(_V[a, b] * _X[a, b] for a in offsets for b in offsets)  # at (i, j) = (0, 0)
    convolution = sum(_V[a, b] * _X[-a, -b] for a in offsets for b in offsets)
    witness = {_V[a, b]: int((a, b) == (1, 0)) for a in offsets for b in offsets}
    witness.update({_X[a, b]: int((a, b) == (1, 0)) for a in range(-2, 3) for b in range(-2, 3)})
    return Derivation(
        steps=[
            Step(r"The layer at $(0, 0)$, $\Delta = 1$", layer),
            Step(r"The convolution at $(0, 0)$", convolution),
            Step(
                "At the witness the layer gives 1, the convolution 0",
                sp.Tuple(layer.subs(witness), convolution.subs(witness)),
            ),
        ],
        residuals=[layer - convolution],
        witness=witness,
        witness_symbols={
            "V": r"the kernel of the layer (7.1.3) with $\Delta = 1$; $V[a, b]$ is its entry "
            r"at offset $(a, b)$, $a, b \in \{-1, 0, 1\}$",
            "X": r"the input image; $X[a, b]$ is its entry at offset $(a, b)$ from the output "
            r"position $(i, j) = (0, 0)$",
        },
        compared=["the layer minus the convolution at (0, 0)"],
    )


@layer_is_convolution.property_leg(
    r"`corr2d(X, K)` (the layer) equals `convolve2d(X, K, 'valid')` (the convolution) for "
    "images and kernels up to 3 x 3",
    latex=r"\operatorname{corr2d}(X, K) = (K * X)_\text{valid}",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, k = case
        return is_close(impl.corr2d(x, k), impl.convolve2d(x, k, "valid"))

    return ForAll(image_and_kernel(max_side=3, batch=False), holds, names=("X", "K"))


cross_correlation_is_flipped_convolution = SECTION.claim(
    "cross-correlation-is-flipped-convolution",
    title="Cross-correlation is convolution with the flipped kernel",
    statement=r"\sum_{a}\sum_{b}[\mathbf{V}]_{a,b}[\mathbf{X}]_{i+a,j+b} = "
    r"(\mathbf{V}' * \mathbf{X})(i, j),\quad [\mathbf{V}']_{a,b} = [\mathbf{V}]_{-a,-b};"
    r"\qquad \operatorname{corr2d}(\mathbf{X}, \mathbf{K}) = "
    r"\operatorname{convolve2d}(\mathbf{X}, \operatorname{flip}(\mathbf{K}))_\text{valid}",
    kind=Kind.THEOREM,
    code=("corr2d", "convolve2d"),
    note="Since the kernel is learned, a network of cross-correlations and one of "
    "convolutions compute the same functions (the learned kernels are flips of each other): "
    "the distinction is cosmetic, and deep-learning frameworks compute the cross-correlation.",
)


@cross_correlation_is_flipped_convolution.symbolic_leg(
    scope="every $\\Delta$ (2-D, offsets $-\\Delta..\\Delta$)"
)
def _() -> Derivation:
    delta = sp.Symbol(r"\Delta", integer=True, nonnegative=True)
    flipped = sp.IndexedBase("V'")
    layer = sp.Sum(_V[_a, _b] * _X[_i + _a, _j + _b], (_a, -delta, delta), (_b, -delta, delta))
    substituted = layer.change_index(_a, -_a, _a).change_index(_b, -_b, _b)
    convolution = sp.Sum(
        flipped[_a, _b] * _X[_i - _a, _j - _b], (_a, -delta, delta), (_b, -delta, delta)
    )
    unflipped = convolution.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == flipped,
        lambda e: _V[-e.indices[0], -e.indices[1]],
    )
    return Derivation(
        steps=[
            Step("The layer", layer),
            Step(r"Substitute $a \to -a$, $b \to -b$", equation(layer, substituted)),
            Step(r"The convolution with $V'_{a,b} = V_{-a,-b}$", equation(convolution, unflipped)),
        ],
        residuals=[substituted - unflipped],
        compared=["the substituted layer minus the convolution with the flipped kernel"],
    )


@cross_correlation_is_flipped_convolution.numeric_leg(
    oracle="scipy.signal.correlate2d ('valid'); the two reference functions, computed by "
    "different algorithms (windows gathered vs shifted accumulation)"
)
def _(impl, device, dtype) -> None:
    x, k = (
        image(2, 7, 8, seed=7, dtype=dtype, device=device),
        image(3, 4, seed=8, dtype=dtype, device=device),
    )
    got = impl.corr2d(x, k)
    for n in range(2):
        want = scipy.signal.correlate2d(oracle_input(x[n]), oracle_input(k), mode="valid")
        assert_close(got[n], want, msg="corr2d vs scipy.signal.correlate2d")
    assert_close(impl.convolve2d(x, k.flip(0, 1), "valid"), got.double(), dtype=dtype)


@cross_correlation_is_flipped_convolution.property_leg(
    "`corr2d(X, K)` equals `convolve2d(X, flip(K), 'valid')` for images and kernels up to "
    "6 x 6 (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, k = case
        return is_close(impl.corr2d(x, k), impl.convolve2d(x, k.flip(0, 1), "valid"))

    return ForAll(image_and_kernel(), holds, names=("X", "K"))
