r"""§ 7.3 Padding & Stride — the output shape with padding, stride and (an addition) dilation.

One of the derivations the project is known for: proved for general integer sizes in SymPy
and checked against the shapes ``torch.nn.functional.conv2d`` returns on the whole grid
``n <= 9``, ``k <= 5``, total padding ``<= 4`` (odd totals padded asymmetrically), stride
``<= 4``, dilation ``<= 3``.

Main declarations:

* notation note ``convolution.padding-symbols-undefined`` — :math:`p_h, p_w` (and
  :math:`s_h, s_w`) are never defined, and the padded formula is printed twice: :math:`p_h`
  is the *total* padding, twice torch's ``padding=``;
* ``convolution.padded-output-shape`` — :math:`(n_h - k_h + p_h + 1) \times (n_w - k_w + p_w +
  1)`;
* ``convolution.strided-output-shape`` — :math:`\lfloor (n_h - k_h + p_h + s_h)/s_h \rfloor
  \times \lfloor (n_w - k_w + p_w + s_w)/s_w \rfloor`, for a kernel that fits the padded input;
* ``convolution.dilated-output-shape`` (addition) — the same with the dilated kernel's span
  :math:`d(k - 1) + 1`: torch's :math:`\lfloor (n + p - d(k - 1) - 1)/s \rfloor + 1`.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.convolution.claims._support import grid, padded, window_configs
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation

SECTION = Section("convolution", "7.3 Padding & Stride")

_n, _k, _s, _d = sp.symbols("n k s d", integer=True, positive=True)
_p = sp.Symbol("p", integer=True, nonnegative=True)
_m = sp.Symbol("m", integer=True, nonnegative=True)  # n + p - k >= 0: the kernel fits

#: shapes do not depend on the dtype: the shape legs run once
_SHAPE_DTYPES = ("float64",)


def _torch_shape(n: int, k: int, p_total: int, s: int = 1, d: int = 1) -> int:
    """The output height F.conv2d returns for one dimension's configuration (total padding
    split as evenly as possible)."""
    x = padded(torch.zeros(1, 1, n, n, dtype=torch.float64), p_total)
    return F.conv2d(x, torch.zeros(1, 1, k, k, dtype=torch.float64), stride=s, dilation=d).shape[-1]


def _check_grid(impl, formula, dilations=(1,), strides=(1,)) -> None:
    """For every grid configuration: ``formula(n, k, p, s, d)`` equals torch's shape; for
    even total padding also ``conv_output_shape`` and the shape of ``conv2d``."""
    for n, k, p, s, d in grid(dilations=dilations):
        if s not in strides:
            continue
        want = _torch_shape(n, k, p, s, d)
        assert formula(n, k, p, s, d) == want, (
            f"formula vs F.conv2d at n={n} k={k} p={p} s={s} d={d}"
        )
        if p % 2 == 0:
            got = impl.conv_output_shape(n, k, padding=p // 2, stride=s, dilation=d)
            assert got == want, (
                f"conv_output_shape({n}, {k}, {p // 2}, {s}, {d}) = {got}, not {want}"
            )
            if n == 7:  # conv2d itself on one input size per configuration
                x = torch.zeros(1, 1, n, n, dtype=torch.float64)
                w = torch.zeros(1, 1, k, k, dtype=torch.float64)
                assert impl.conv2d(x, w, None, s, p // 2, d).shape[-2:] == (want, want)


def _property(impl, formula, *, strided: bool, dilated: bool) -> ForAll:
    @st.composite
    def configs(draw):
        n, k, p, s, d = draw(window_configs())
        # the sizes are drawn to fit the dilated kernel, so they fit an undilated one too
        return n, k, p, s if strided else (1, 1), d if dilated else (1, 1)

    def holds(config) -> bool:
        n, k, p, s, d = config
        x = torch.zeros(1, 1, *n, dtype=torch.float64)
        w = torch.zeros(1, 1, *k, dtype=torch.float64)
        want = tuple(F.conv2d(x, w, stride=s, padding=p, dilation=d).shape[-2:])
        by_formula = tuple(
            formula(*args) for args in zip(n, k, (2 * q for q in p), s, d, strict=True)
        )
        shape = impl.conv_output_shape(n, k, p, s, d)
        return want == by_formula == shape == tuple(impl.conv2d(x, w, None, s, p, d).shape[-2:])

    return ForAll(configs(), holds, names=("(n, k, padding, stride, dilation)",))


padding_symbols_undefined = SECTION.claim(
    "padding-symbols-undefined",
    title="p_h is the total padding (and the formula is printed twice)",
    statement=r"(n_h - k_h + p_h + 1) \times (n_w - k_w + p_w + 1)",
    kind=Kind.NOTATION,
    corrects="convolution.padded-output-shape",
    note=r"The notes use $p_h, p_w$ and later $s_h, s_w$ without defining them, and print the "
    r"padded shape twice in a row. Read $p_h$ as the total number of rows of padding (top "
    r"plus bottom) and $p_w$ the total columns; torch's ``padding=`` is per side, so "
    r"$p_h = 2\,\text{padding}$, and an odd total needs an explicit asymmetric pad. $s_h, s_w$ "
    "are the vertical and horizontal strides.",
)


padded_output_shape = SECTION.claim(
    "padded-output-shape",
    title="The output shape with padding",
    statement=r"(n_h - k_h + p_h + 1) \times (n_w - k_w + p_w + 1) \quad (k \le n + p)",
    kind=Kind.THEOREM,
    code=("conv_output_shape", "conv2d"),
    uses=("convolution.corr2d-output-shape",),
    note="Padding adds p rows (in total) to the input; the unpadded shape applies to the "
    "padded input.",
)


@padded_output_shape.symbolic_leg(scope="general $n$, $k$, $p$")
def _() -> Derivation:
    padded_size = _n + _p
    return Derivation(
        steps=[
            Step("The padded input has n + p rows", equation(sp.Symbol("n'"), padded_size)),
            Step(
                "The unpadded shape n' - k + 1, applied to it",
                equation(sp.Symbol("o"), padded_size - _k + 1),
                cites=("convolution.corr2d-output-shape",),
            ),
        ],
        residuals=[(padded_size - _k + 1) - (_n - _k + _p + 1)],
        compared=["(n + p) - k + 1 minus the notes' formula"],
    )


def _padded_formula(n, k, p, s=1, d=1):
    return n - k + p + 1


@padded_output_shape.numeric_leg(
    oracle="torch.nn.functional.conv2d's output shape on every (n, k, total p) of the grid "
    "(odd totals padded asymmetrically with F.pad)",
    dtypes=_SHAPE_DTYPES,
)
def _(impl, device, dtype) -> None:
    _check_grid(impl, _padded_formula)


@padded_output_shape.property_leg(
    r"for sizes up to 12, kernels up to 5 and padding up to 3 per side, $n - k + 2p + 1$, "
    "`conv_output_shape`, `conv2d` and torch.nn.functional.conv2d agree in both dimensions"
)
def _(impl) -> ForAll:
    return _property(impl, _padded_formula, strided=False, dilated=False)


strided_output_shape = SECTION.claim(
    "strided-output-shape",
    title="The output shape with padding and stride",
    statement=r"\left\lfloor \frac{n_h - k_h + p_h + s_h}{s_h} \right\rfloor \times "
    r"\left\lfloor \frac{n_w - k_w + p_w + s_w}{s_w} \right\rfloor \quad "
    r"(k_h \le n_h + p_h,\ k_w \le n_w + p_w)",
    kind=Kind.THEOREM,
    code=("conv_output_shape", "conv2d"),
    uses=("convolution.padded-output-shape",),
    note=r"The window's corners are $0, s, 2s, \dots$ and the window fits while "
    r"$is + k \le n + p$. The condition the notes leave out matters: for $k > n + p$ the "
    r"formula gives 0 or a negative number, and torch refuses the input (so does "
    r"``conv_output_shape``). ``ceil_mode=True`` pooling does not follow the formula.",
)


@strided_output_shape.symbolic_leg(
    scope="general integers $n$, $k$, $p \\ge 0$, $s \\ge 1$ with $k \\le n + p$"
)
def _() -> Derivation:
    last = sp.floor(_m / _s)  # the last corner index that fits, m = n + p - k
    frac = sp.frac(_m / _s).rewrite(sp.floor)
    count = sp.floor((_m + _s) / _s)
    notes = count.subs(_m, _n - _k + _p)
    return Derivation(
        steps=[
            Step(
                r"Corner $i$ (rows $is .. is + k - 1$ of the padded input) fits iff $is \le m$, "
                r"$m = n + p - k \ge 0$",
                sp.Le(sp.Symbol("i") * _s, _m),
                cites=("convolution.padded-output-shape",),
            ),
            Step(
                r"Corner $\lfloor m/s \rfloor$ fits: $m - s\lfloor m/s \rfloor = s\,\{m/s\} \ge 0$",
                equation(_m - _s * last, _s * sp.frac(_m / _s)),
            ),
            Step(
                r"the next does not: $s(\lfloor m/s \rfloor + 1) - m = s(1 - \{m/s\}) > 0$",
                equation(_s * (last + 1) - _m, _s * (1 - sp.frac(_m / _s))),
            ),
            Step(
                r"So the corners are $0, \dots, \lfloor m/s \rfloor$: "
                r"$\lfloor m/s \rfloor + 1 = \lfloor (m + s)/s \rfloor$ of them",
                equation(last + 1, count),
            ),
            Step("With m = n - k + p: the notes' formula", equation(sp.Symbol("o"), notes)),
        ],
        residuals=[
            (_m - _s * last) - _s * frac,
            sp.frac(_m / _s) >= 0,
            (_s * (last + 1) - _m) - _s * (1 - frac),
            sp.frac(_m / _s) < 1,
            count - (last + 1),
        ],
        compared=[
            r"$m - s\lfloor m/s\rfloor - s\{m/s\}$",
            r"$\{m/s\} \ge 0$ (the last corner fits)",
            r"$s(\lfloor m/s\rfloor + 1) - m - s(1 - \{m/s\})$",
            r"$\{m/s\} < 1$ (the next corner does not)",
            r"$\lfloor (m + s)/s \rfloor - (\lfloor m/s \rfloor + 1)$",
        ],
    )


def _strided_formula(n, k, p, s, d=1):
    return (n - k + p + s) // s


@strided_output_shape.numeric_leg(
    oracle="torch.nn.functional.conv2d's output shape on every (n, k, total p, s) of the grid; "
    "torch's refusal of kernels larger than the padded input",
    dtypes=_SHAPE_DTYPES,
)
def _(impl, device, dtype) -> None:
    _check_grid(impl, _strided_formula, strides=(1, 2, 3, 4))
    for n, k, p, s in ((2, 3, 0, 1), (1, 4, 1, 2), (3, 9, 2, 3)):  # k > n + 2p: no output
        assert _strided_formula(n, k, 2 * p, s) <= 0
        x, w = torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k)
        for call, args in ((impl.conv_output_shape, (n, k, p, s)), (F.conv2d, (x, w, None, s, p))):
            try:
                call(*args)
            except (ValueError, RuntimeError):
                continue
            raise AssertionError(f"a kernel of {k} on {n} + 2*{p} was accepted by {call}")


@strided_output_shape.property_leg(
    r"for sizes up to 12, kernels up to 5, padding up to 3 per side and strides up to 4, "
    r"$\lfloor (n - k + 2p + s)/s \rfloor$, `conv_output_shape`, `conv2d` and "
    "torch.nn.functional.conv2d agree in both dimensions"
)
def _(impl) -> ForAll:
    return _property(impl, _strided_formula, strided=True, dilated=False)


dilated_output_shape = SECTION.claim(
    "dilated-output-shape",
    title="The output shape with dilation",
    statement=r"\left\lfloor \frac{n - (d(k - 1) + 1) + p + s}{s} \right\rfloor = "
    r"\left\lfloor \frac{n + p - d(k - 1) - 1}{s} \right\rfloor + 1",
    kind=Kind.THEOREM,
    code=("conv_output_shape", "conv2d"),
    uses=("convolution.strided-output-shape",),
    note=r"Addition. A kernel dilated by $d$ spans $d(k - 1) + 1$ rows; the strided formula "
    r"with that span is the formula torch documents ($p$ the total padding, $2\times$ "
    r"torch's ``padding=``).",
)


@dilated_output_shape.symbolic_leg(scope="general integers $n$, $k$, $p$, $s$, $d$")
def _() -> Derivation:
    span = _d * (_k - 1) + 1
    notes = sp.floor((_n - span + _p + _s) / _s)
    documented = sp.floor((_n + _p - _d * (_k - 1) - 1) / _s) + 1
    return Derivation(
        steps=[
            Step("The span of the dilated kernel", equation(sp.Symbol("k'"), span)),
            Step(
                "The strided formula with k' for k",
                equation(sp.Symbol("o"), notes),
                cites=("convolution.strided-output-shape",),
            ),
            Step(r"Take $s/s = 1$ out of the floor", equation(notes, documented)),
        ],
        residuals=[notes - documented],
        compared=["the strided formula with the span minus torch's documented formula"],
    )


def _dilated_formula(n, k, p, s, d):
    return (n + p - d * (k - 1) - 1) // s + 1


@dilated_output_shape.numeric_leg(
    oracle="torch.nn.functional.conv2d's output shape on every (n, k, total p, s, d) of the grid",
    dtypes=_SHAPE_DTYPES,
)
def _(impl, device, dtype) -> None:
    _check_grid(impl, _dilated_formula, dilations=(1, 2, 3), strides=(1, 2, 3, 4))


@dilated_output_shape.property_leg(
    "for sizes up to 12, kernels up to 5, padding up to 3 per side, strides up to 4 and "
    r"dilations up to 3, $\lfloor (n + 2p - d(k - 1) - 1)/s \rfloor + 1$, `conv_output_shape`, "
    "`conv2d` and torch.nn.functional.conv2d agree in both dimensions"
)
def _(impl) -> ForAll:
    return _property(impl, _dilated_formula, strided=True, dilated=True)
