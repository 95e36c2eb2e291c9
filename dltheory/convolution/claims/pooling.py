r"""§ 7.5 Pooling — maximum and average pooling, no parameters, their output shape, and what max
pooling is and is not invariant to.

Main declarations:

* ``convolution.pooling-definition`` — the maximum or the average of each window, against
  ``torch.nn.functional.max_pool2d`` / ``avg_pool2d``;
* ``convolution.pooling-no-parameters`` — pooling has no kernel: average pooling is the
  cross-correlation with the fixed kernel :math:`1/(k_hk_w)`, and max pooling is not linear,
  so no kernel at all computes it;
* ``convolution.pooling-output-shape`` — the window slides as a convolution's does:
  :math:`\lfloor (n - k + p + s)/s \rfloor`, checked on a grid against both built-ins;
* ``convolution.max-pool-permutation-invariant`` — permuting the entries inside each window
  changes nothing;
* ``convolution.max-pool-not-shift-invariant`` — a shift by one pixel can change the output.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.convolution.claims._support import GRID_N, GRID_S, image, window_configs
from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, Exists, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("convolution", "7.5 Pooling")

_BUILTIN: dict[str, Callable[..., torch.Tensor]] = {"max": F.max_pool2d, "avg": F.avg_pool2d}
#: (kernel_size, stride, padding) of the numeric legs; stride None is torch's default
_WINDOWS = ((2, None, 0), (3, 1, 1), ((3, 2), (1, 2), (1, 1)), (2, 1, 1), (3, 2, 0))


@st.composite
def _pooled(draw):
    """``(X, (kernel, stride, padding), mode)``: 1 to 2 images of 1 to 2 channels and a valid
    pooling configuration (padding at most half the window)."""
    n, k, p, s, _ = draw(window_configs(max_n=8, pooling=True))
    lead = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    (x,) = draw(dst.float_tensors((*lead, *n), magnitude=5.0))
    return x, (k, s, p), draw(st.sampled_from(sorted(_BUILTIN)))


pooling_definition = SECTION.claim(
    "pooling-definition",
    title="Maximum and average pooling",
    statement=r"Y_{i,j} = \max_{0 \le a < k_h,\, 0 \le b < k_w} X_{s_hi + a,\, s_wj + b} "
    r"\quad\text{or}\quad Y_{i,j} = \frac{1}{k_hk_w}\sum_{a,b} X_{s_hi + a,\, s_wj + b}",
    kind=Kind.DEFINITION,
    code=("pool2d",),
    note="A fixed-shape window slides over the input by its stride; each position gives the "
    "maximum or the mean of the window. Padding adds -inf (max) or zeros (average, still "
    "divided by the full window size, torch's default).",
    symbolic=NotApplicable("a definition; its properties are derived in the claims below"),
)


@pooling_definition.numeric_leg(
    oracle="torch.nn.functional.max_pool2d / avg_pool2d in float64 (several windows, strides "
    "and paddings, 2-D to 4-D input) and their autograd (no ties); NaN propagation"
)
def _(impl, device, dtype) -> None:
    x = image(2, 3, 9, 8, seed=1, dtype=dtype, device=device)
    for mode, builtin in _BUILTIN.items():
        for kernel, stride, padding in _WINDOWS:
            for z in (x, x[0], x[0, 0].unsqueeze(0)):
                got = impl.pool2d(z, kernel, stride, padding, mode)
                assert got.dtype == dtype and got.device == z.device
                want = builtin(z.double(), kernel, stride, padding)
                assert_close(got, want, dtype=dtype, msg=f"{mode} pool {kernel}/{stride}/{padding}")
            leaf = x.detach().clone().requires_grad_()
            mine = impl.pool2d(leaf, kernel, stride, padding, mode)
            (grad,) = torch.autograd.grad(mine.sum(), leaf)
            ref = x.detach().double().requires_grad_()
            (want_grad,) = torch.autograd.grad(builtin(ref, kernel, stride, padding).sum(), ref)
            assert_close(grad, want_grad, dtype=dtype, msg=f"{mode} pooling gradient")
    nan = torch.tensor([[1.0, float("nan")], [2.0, 3.0]], dtype=dtype, device=device)
    assert bool(impl.pool2d(nan, 2).isnan().all()), "a NaN in the window must give NaN"
    if dtype == torch.float64:
        leaf = x[0, :1, :5, :5].clone().requires_grad_()
        for mode in _BUILTIN:
            assert torch.autograd.gradcheck(lambda z, m=mode: impl.pool2d(z, 2, 1, 1, m), (leaf,))


@pooling_definition.property_leg(
    "`pool2d` equals torch.nn.functional.max_pool2d / avg_pool2d for inputs up to 8 x 8, "
    "windows up to 5, strides up to 4 and padding up to half the window (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, (k, s, p), mode = case
        return is_close(impl.pool2d(x, k, s, p, mode), _BUILTIN[mode](x, k, s, p))

    return ForAll(_pooled(), holds, names=("X", "(kernel, stride, padding)", "mode"))


pooling_no_parameters = SECTION.claim(
    "pooling-no-parameters",
    title="Pooling has no parameters",
    statement=r"\operatorname{avgpool}_{k}(X) = \operatorname{corr2d}\big(X, \tfrac{1}{k_hk_w}"
    r"\mathbf{1}_{k_h \times k_w}\big),\qquad \max(a_1 + b_1, a_2 + b_2) \ne "
    r"\max(a_1, a_2) + \max(b_1, b_2) \text{ in general}",
    kind=Kind.THEOREM,
    code=("pool2d", "corr2d"),
    note="There is nothing to learn: average pooling (stride 1) is a cross-correlation with a "
    "fixed, not learned, kernel; max pooling is not even linear (additive), so no kernel "
    "computes it. torch's pooling modules hold no parameters.",
)


@pooling_no_parameters.symbolic_leg(scope="every window size; non-additivity at a witness")
def _() -> Derivation:
    k_h, k_w = sp.symbols("k_h k_w", integer=True, positive=True)
    i, j, a, b = sp.symbols("i j a b", integer=True)
    X = sp.IndexedBase("X")
    mean = sp.Sum(X[i + a, j + b], (b, 0, k_w - 1), (a, 0, k_h - 1)) / (k_h * k_w)
    correlation = sp.Sum(X[i + a, j + b] / (k_h * k_w), (b, 0, k_w - 1), (a, 0, k_h - 1))
    additive = sp.Max(1 + 0, 0 + 1), sp.Max(1, 0) + sp.Max(0, 1)
    return Derivation(
        steps=[
            Step("The window's mean", equation(sp.Symbol("Y_{i,j}"), mean)),
            Step(r"corr2d with the kernel $1/(k_hk_w)$", equation(mean, correlation)),
            Step(
                r"Max pooling of $a = (1, 0)$, $b = (0, 1)$, summed vs of $a + b$",
                sp.Tuple(*additive),
            ),
        ],
        residuals=[sp.simplify(mean - correlation), sp.Ne(*additive)],
        compared=["the mean minus the cross-correlation", "max(a + b) differs from max a + max b"],
    )


@pooling_no_parameters.numeric_leg(
    oracle="torch.nn.MaxPool2d / AvgPool2d hold no parameters; corr2d with the constant "
    "kernel; torch.nn.functional.avg_pool2d"
)
def _(impl, device, dtype) -> None:
    for module in (torch.nn.MaxPool2d(2), torch.nn.AvgPool2d(3, 1, 1)):
        assert not list(module.parameters()), f"{module} has parameters"
    x = image(2, 7, 9, seed=3, dtype=dtype, device=device)
    for k in ((2, 2), (3, 2)):
        kernel = torch.full(k, 1 / (k[0] * k[1]), dtype=torch.float64).to(dtype).to(device)
        averaged = impl.pool2d(x, k, 1, 0, "avg")
        assert_close(averaged, F.avg_pool2d(x.double(), k, 1), dtype=dtype)
        if dtype in (torch.float64, torch.float32):  # 1/(k_h k_w) itself rounds in half
            assert_close(impl.corr2d(x, kernel), averaged.double(), dtype=dtype)
    a = torch.tensor([[1.0, 0.0]], dtype=dtype, device=device)
    b = torch.tensor([[0.0, 1.0]], dtype=dtype, device=device)
    assert (
        impl.pool2d(a + b, (1, 2)).item()
        != (impl.pool2d(a, (1, 2)) + impl.pool2d(b, (1, 2))).item()
    )


@pooling_no_parameters.property_leg(
    r"average pooling with stride 1 equals `corr2d` with the constant kernel "
    r"$1/(k_hk_w)$, for images up to 6 x 6 and windows that fit (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
        (x,) = draw(dst.float_tensors((h, w), magnitude=5.0))
        return x, (draw(st.integers(1, h)), draw(st.integers(1, w)))

    def holds(case) -> bool:
        x, k = case
        kernel = torch.full(k, 1 / (k[0] * k[1]), dtype=torch.float64)
        return is_close(impl.pool2d(x, k, 1, 0, "avg"), impl.corr2d(x, kernel))

    return ForAll(cases(), holds, names=("X", "window"))


pooling_output_shape = SECTION.claim(
    "pooling-output-shape",
    title="The output shape of pooling",
    statement=r"\left\lfloor \frac{n - k + p + s}{s} \right\rfloor \text{ per dimension};\quad "
    r"s = k,\ p = 0:\ \left\lfloor \frac{n}{k} \right\rfloor",
    kind=Kind.THEOREM,
    code=("pool2d", "conv_output_shape"),
    uses=("convolution.strided-output-shape",),
    note="Addition (the notes give no formula). The pooling window slides exactly as a "
    "convolution kernel does, so the strided "
    "formula applies (p the total padding). torch's default stride is the window size; "
    "``ceil_mode=True`` rounds up instead and does not follow the formula.",
)


@pooling_output_shape.symbolic_leg(scope="general $n$, $k$ (the default stride)")
def _() -> Derivation:
    n, k, s, p = sp.symbols("n k s p", integer=True, positive=True)
    strided = sp.floor((n - k + p + s) / s)
    default = strided.subs({s: k}).subs(p, 0)
    return Derivation(
        steps=[
            Step(
                "The window slides as a kernel does",
                equation(sp.Symbol("o"), strided),
                cites=("convolution.strided-output-shape",),
            ),
            Step("torch's default: stride k, no padding", equation(default, sp.floor(n / k))),
        ],
        residuals=[sp.simplify(default - sp.floor(n / k))],
        compared=[r"the formula at $s = k$, $p = 0$ minus $\lfloor n/k \rfloor$"],
    )


@pooling_output_shape.numeric_leg(
    oracle="the shapes torch.nn.functional.max_pool2d and avg_pool2d return on every (n, k, "
    "padding <= k/2, s) with n <= 9, k <= 5, s <= 4",
    dtypes=("float64",),  # shapes do not depend on the dtype
)
def _(impl, device, dtype) -> None:
    for n, k, s in itertools.product(GRID_N, range(1, 6), GRID_S):
        for p in range(k // 2 + 1):
            if k > n + 2 * p:
                continue
            x = torch.zeros(1, 1, n, n, dtype=dtype, device=device)
            want = (n - k + 2 * p + s) // s
            for mode, builtin in _BUILTIN.items():
                assert builtin(x, k, s, p).shape[-1] == want, f"{mode} pool n={n} k={k} s={s} p={p}"
            assert impl.conv_output_shape(n, k, p, s) == want
            if n == 7:
                assert impl.pool2d(x, k, s, p).shape[-2:] == (want, want)
    ceil = F.max_pool2d(torch.zeros(1, 1, 5, 5), 2, 2, ceil_mode=True).shape[-1]
    assert ceil == 3 != (5 - 2 + 2) // 2, "ceil_mode=True rounds up (documented exception)"


@pooling_output_shape.property_leg(
    r"for inputs up to 8 x 8, windows up to 5, strides up to 4 and padding up to half the "
    r"window, $\lfloor (n - k + 2p + s)/s \rfloor$, `conv_output_shape`, `pool2d` and the "
    "built-in pooling agree in both dimensions"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, (k, s, p), mode = case
        n = x.shape[-2:]
        formula = tuple(
            (ni - ki + 2 * pi + si) // si for ni, ki, pi, si in zip(n, k, p, s, strict=True)
        )
        shape = impl.conv_output_shape(tuple(n), k, p, s)
        got = tuple(impl.pool2d(x, k, s, p, mode).shape[-2:])
        return formula == shape == got == tuple(_BUILTIN[mode](x, k, s, p).shape[-2:])

    return ForAll(_pooled(), holds, names=("X", "(kernel, stride, padding)", "mode"))


max_pool_permutation_invariant = SECTION.claim(
    "max-pool-permutation-invariant",
    title="Max pooling ignores the arrangement inside each window",
    statement=r"\max_{(a,b) \in w}X_{\pi(a,b)} = \max_{(a,b) \in w}X_{a,b} \text{ for every "
    r"permutation } \pi \text{ of each window } w",
    kind=Kind.THEOREM,
    code=("pool2d",),
    note="Addition. With non-overlapping windows (stride = window), entries may move "
    "anywhere inside "
    "their window: a feature detected anywhere in the window is reported the same way. This "
    "is the limited invariance pooling buys.",
)


@max_pool_permutation_invariant.symbolic_leg(
    scope="for a 2 x 2 window (all 24 arrangements)", general=False
)
def _() -> Derivation:
    entries = sp.symbols("x_1:5", real=True)
    arrangements = list(itertools.permutations(entries))
    return Derivation(
        steps=[Step("The maximum of the four entries in every order", sp.Max(*entries))],
        residuals=[sp.Max(*order) - sp.Max(*entries) for order in arrangements],
        compared=[f"arrangement {n + 1}" for n in range(len(arrangements))],
    )


def _shuffle_windows(x: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
    """``x`` (``(*, h, w)``, sides multiples of ``k``) with the entries of every ``k x k``
    window permuted at random."""
    *lead, h, w = x.shape
    blocks = (
        x.reshape(*lead, h // k, k, w // k, k).movedim(-3, -2).reshape(*lead, h // k, w // k, k * k)
    )
    order = torch.rand(blocks.shape, generator=generator).argsort(-1).to(x.device)
    shuffled = blocks.gather(-1, order).reshape(*lead, h // k, w // k, k, k).movedim(-2, -3)
    return shuffled.reshape(*lead, h, w)


@max_pool_permutation_invariant.numeric_leg(oracle="the unshuffled input's pooled output, exactly")
def _(impl, device, dtype) -> None:
    x = image(2, 3, 12, 9, seed=4, dtype=dtype, device=device)
    for k in (2, 3):
        crop = x[..., : 12 // k * k, : 9 // k * k]
        shuffled = _shuffle_windows(crop, k, torch.Generator().manual_seed(k))
        assert not torch.equal(shuffled, crop)
        assert torch.equal(impl.pool2d(shuffled, k), impl.pool2d(crop, k)), f"k={k}"


@max_pool_permutation_invariant.property_leg(
    "max pooling (stride = window) of any input up to 8 x 8 is unchanged when the entries "
    "of every window are permuted at random"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        k = draw(st.integers(1, 3))
        h, w = k * draw(st.integers(1, 3)), k * draw(st.integers(1, 3))
        (x,) = draw(dst.float_tensors((h, w)))
        return x, k, draw(st.integers(0, 2**32 - 1))

    def holds(case) -> bool:
        x, k, seed = case
        shuffled = _shuffle_windows(x, k, torch.Generator().manual_seed(seed))
        return torch.equal(impl.pool2d(shuffled, k), impl.pool2d(x, k))

    return ForAll(cases(), holds, names=("X", "window", "seed"))


max_pool_not_shift_invariant = SECTION.claim(
    "max-pool-not-shift-invariant",
    title="Max pooling is not translation invariant",
    statement=r"\exists X:\ \operatorname{maxpool}_{2}(X') \ne \operatorname{maxpool}_{2}(X),"
    r"\quad X'_{i,j} = X_{i,j-1}",
    kind=Kind.THEOREM,
    code=("pool2d",),
    note="Addition. A shift by one pixel moves a value across a window boundary whenever "
    "it sits at the "
    "window's edge; only shifts that keep each maximum inside its window leave the output "
    "unchanged (convolution.max-pool-permutation-invariant).",
    symbolic=NotApplicable("an existence statement: the legs exhibit witnesses"),
)


def _shift_right(x: torch.Tensor) -> torch.Tensor:
    return F.pad(x, (1, 0))[..., :, : x.shape[-1]]


@max_pool_not_shift_invariant.numeric_leg(
    oracle="a hand-built witness: a single 1 at a window's right edge"
)
def _(impl, device, dtype) -> None:
    x = torch.zeros(4, 4, dtype=dtype, device=device)
    x[0, 1] = 1.0  # right edge of the first 2 x 2 window
    before, after = impl.pool2d(x, 2), impl.pool2d(_shift_right(x), 2)
    assert before[0].tolist() == [1.0, 0.0] and after[0].tolist() == [0.0, 1.0], (before, after)


@max_pool_not_shift_invariant.property_leg(
    "Hypothesis finds an input whose 2 x 2 max pooling changes when the input is shifted one "
    "pixel to the right (zeros entering)"
)
def _(impl) -> Exists:
    def changes(x) -> bool:
        return not torch.equal(impl.pool2d(_shift_right(x), 2), impl.pool2d(x, 2))

    return Exists(dst.float_tensors((4, 4)).map(lambda v: v[0]), changes, names=("X",))
