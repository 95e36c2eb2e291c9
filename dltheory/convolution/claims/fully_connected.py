r"""§ 7.1 From Fully Connected Layers to Convolutions — re-indexing, shared weights, locality.

Main declarations:

* ``convolution.fc-reindexing`` — the fully connected layer on images written with offsets,
  :math:`[\mathbf{V}]_{i,j,a,b} = [\mathbf{W}]_{i,j,i+a,j+b}`, is the same map (general sizes);
* ``convolution.translation-equivariance`` — with weights that do not depend on the location,
  :math:`[\mathbf{H}]_{i,j} = u + \sum_{a,b}[\mathbf{V}]_{a,b}[\mathbf{X}]_{i+a,j+b}`, shifting
  the input shifts the output, exactly, wherever both are defined; with the notation note
  ``convolution.translation-invariance-name`` (the layer is equivariant, not invariant);
* ``convolution.spatial-locality`` — a kernel supported on :math:`|a|, |b| \le \Delta` gives the
  notes' sum over :math:`-\Delta..\Delta`, which is ``corr2d`` with the
  :math:`(2\Delta + 1) \times (2\Delta + 1)` kernel :math:`K_{a+\Delta, b+\Delta} =
  V_{a,b}`: :math:`(2\Delta + 1)^2` parameters instead of :math:`(hw)^2`.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.convolution.claims._support import image, image_and_kernel
from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("convolution", "7.1 From Fully Connected Layers to Convolutions")

_h, _w = sp.symbols("h w", integer=True, positive=True)
_i, _j, _k, _l, _a, _b = sp.symbols("i j k l a b", integer=True)
_X, _V, _W = sp.IndexedBase("X"), sp.IndexedBase("V"), sp.IndexedBase("W")

fc_reindexing = SECTION.claim(
    "fc-reindexing",
    title="A fully connected layer on images, written with offsets",
    statement=r"[\mathbf{H}]_{i,j} = [\mathbf{U}]_{i,j} + \sum_{k}\sum_{l}"
    r"[\mathsf{W}]_{i,j,k,l}[\mathbf{X}]_{k,l} = [\mathbf{U}]_{i,j} + \sum_{a}\sum_{b}"
    r"[\mathsf{V}]_{i,j,a,b}[\mathbf{X}]_{i+a,j+b},\quad "
    r"[\mathsf{V}]_{i,j,a,b} = [\mathsf{W}]_{i,j,i+a,j+b}",
    kind=Kind.IDENTITY,
    note=r"For an $h \times w$ image the offsets range over $-i \le a \le h - 1 - i$ and "
    r"$-j \le b \le w - 1 - j$: every pixel once. The re-indexing changes nothing yet; the "
    r"savings come from the assumptions that follow (V independent of $(i, j)$, then "
    "supported near 0).",
    numeric=NotApplicable("an identity of index sets; the property leg evaluates both sums"),
)


@fc_reindexing.symbolic_leg(scope="general $h$, $w$")
def _() -> Derivation:
    full = sp.Sum(_W[_i, _j, _k, _l] * _X[_k, _l], (_l, 0, _w - 1), (_k, 0, _h - 1))
    offsets = full.change_index(_l, _l - _j, _b).change_index(_k, _k - _i, _a)
    notes = sp.Sum(
        _V[_i, _j, _a, _b] * _X[_i + _a, _j + _b], (_b, -_j, _w - 1 - _j), (_a, -_i, _h - 1 - _i)
    )
    substituted = notes.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == _V,
        lambda e: _W[
            e.indices[0], e.indices[1], e.indices[0] + e.indices[2], e.indices[1] + e.indices[3]
        ],
    )
    return Derivation(
        steps=[
            Step("The fully connected layer over every pixel (k, l)", full),
            Step(r"Substitute $k = i + a$, $l = j + b$", equation(full, offsets)),
            Step(
                r"The notes' form with $[\mathsf{V}]_{i,j,a,b} = [\mathsf{W}]_{i,j,i+a,j+b}$",
                equation(notes, substituted),
            ),
        ],
        residuals=[offsets - substituted],
        compared=["the re-indexed sum minus the notes' sum with V substituted"],
    )


@fc_reindexing.property_leg(
    "for images up to 4 x 4 and random W, the sum over pixels (torch.einsum) equals the sum "
    "over offsets with V[i, j, a, b] = W[i, j, i + a, j + b], evaluated pixel by pixel"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        return tuple(draw(dst.float_tensors((h, w, h, w), (h, w))))

    def holds(case) -> bool:
        weights, x = case
        h, w = x.shape
        direct = torch.einsum("ijkl,kl->ij", weights, x)
        by_offsets = torch.zeros(h, w, dtype=torch.float64)
        for i in range(h):
            for j in range(w):
                for a in range(-i, h - i):
                    for b in range(-j, w - j):
                        v = weights[i, j, i + a, j + b]  # [V]_{i,j,a,b}
                        by_offsets[i, j] += v * x[i + a, j + b]
        return is_close(by_offsets, direct)

    return ForAll(cases(), holds, names=("W", "X"))


translation_equivariance = SECTION.claim(
    "translation-equivariance",
    title="Shifting the input shifts the output of a shared-weight layer",
    statement=r"[\mathbf{H}]_{i,j} = u + \sum_{a}\sum_{b}[\mathbf{V}]_{a,b}[\mathbf{X}]_{i+a,j+b},"
    r"\ [\mathbf{X}']_{k,l} = [\mathbf{X}]_{k-s,\,l-t} \;\Rightarrow\; "
    r"[\mathbf{H}']_{i,j} = [\mathbf{H}]_{i-s,\,j-t}",
    source="7.1 Translation Invariance",
    kind=Kind.THEOREM,
    code=("corr2d",),
    note="On a finite image the identity holds wherever the shifted window stays inside the "
    "image (the interior); at the border the shifted image has new zeros. The layer is "
    "`corr2d` plus the bias u, with the offsets counted from the window's corner.",
)


@translation_equivariance.symbolic_leg(scope="every shift $(s, t)$ and every $\\Delta$")
def _() -> Derivation:
    delta = sp.Symbol(r"\Delta", integer=True, nonnegative=True)
    s, t, u = sp.symbols("s t u", integer=True)

    def layer(i, j, pixel):
        return u + sp.Sum(
            _V[_a, _b] * pixel(i + _a, j + _b), (_b, -delta, delta), (_a, -delta, delta)
        )

    shifted = layer(_i, _j, lambda row, col: _X[row - s, col - t])
    moved = layer(_i - s, _j - t, lambda row, col: _X[row, col])
    return Derivation(
        steps=[
            Step(r"The layer on the shifted image $X'$", equation(sp.Symbol("H'_{i,j}"), shifted)),
            Step(
                r"The layer on $X$ at $(i - s, j - t)$", equation(sp.Symbol("H_{i-s,j-t}"), moved)
            ),
        ],
        residuals=[shifted - moved],
        compared=[r"$H'_{i,j} - H_{i-s,j-t}$"],
    )


def _shift(x: torch.Tensor, s: int, t: int) -> torch.Tensor:
    """``x`` moved down by ``s`` rows and right by ``t`` columns, zeros coming in."""
    out = torch.zeros_like(x)
    out[..., s:, t:] = x[..., : x.shape[-2] - s, : x.shape[-1] - t]
    return out


@translation_equivariance.numeric_leg(
    oracle="the unshifted output of corr2d moved by (s, t); torch.nn.functional.conv2d"
)
def _(impl, device, dtype) -> None:
    x, k = (
        image(2, 9, 11, seed=1, dtype=dtype, device=device),
        image(3, 4, seed=2, dtype=dtype, device=device),
    )
    out = impl.corr2d(x, k)
    assert_close(
        out, F.conv2d(x.double().unsqueeze(1), k.double()[None, None]).squeeze(1), dtype=dtype
    )
    oh, ow = out.shape[-2:]
    for s, t in ((1, 0), (0, 2), (3, 1)):
        moved = impl.corr2d(_shift(x, s, t), k)
        assert_close(moved[..., s:, t:], out[..., : oh - s, : ow - t].double(), dtype=dtype)


@translation_equivariance.property_leg(
    "for images up to 7 x 7, kernels that fit and shifts that keep a window inside, "
    "`corr2d` of the shifted image equals the shifted `corr2d` on the interior (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        x, k = draw(image_and_kernel(max_side=7))
        oh, ow = x.shape[-2] - k.shape[0] + 1, x.shape[-1] - k.shape[1] + 1
        return x, k, draw(st.integers(0, oh - 1)), draw(st.integers(0, ow - 1))

    def holds(case) -> bool:
        x, k, s, t = case
        out, moved = impl.corr2d(x, k), impl.corr2d(_shift(x, s, t), k)
        oh, ow = out.shape[-2:]
        return is_close(moved[..., s:, t:], out[..., : oh - s, : ow - t])

    return ForAll(cases(), holds, names=("X", "K", "s", "t"))


translation_invariance_name = SECTION.claim(
    "translation-invariance-name",
    title="“Translation invariance”: the layer is equivariant",
    statement=r"\textbf{Translation Invariance}\quad [\mathbf{H}]_{i,j} = u + \sum_{a}\sum_{b}"
    r"[\mathbf{V}]_{a,b}[\mathbf{X}]_{i+a,j+b}",
    source="7.1 Translation Invariance",
    kind=Kind.NOTATION,
    corrects="convolution.translation-equivariance",
    note="What is invariant under translation is the weights: V and u no longer depend on the "
    "location (i, j). The layer's output is not invariant (shifting the image moves H); it is "
    "translation-*equivariant*: it moves with the input, convolution.translation-equivariance.",
)


spatial_locality = SECTION.claim(
    "spatial-locality",
    title="A local kernel: (2Δ + 1)² weights",
    statement=r"[\mathbf{V}]_{a,b} = 0 \text{ for } |a| > \Delta \text{ or } |b| > \Delta "
    r"\;\Rightarrow\; [\mathbf{H}]_{i,j} = u + \sum_{a=-\Delta}^{\Delta}\sum_{b=-\Delta}^{\Delta}"
    r"[\mathbf{V}]_{a,b}[\mathbf{X}]_{i+a,j+b} = u + "
    r"\operatorname{corr2d}(\mathbf{X}, \mathbf{K})_{i-\Delta,\,j-\Delta},\ "
    r"[\mathbf{K}]_{a+\Delta,\,b+\Delta} = [\mathbf{V}]_{a,b}",
    source="7.1 Spatial Locality",
    kind=Kind.THEOREM,
    code=("corr2d",),
    note=r"The kernel has $(2\Delta + 1)^2$ entries whatever the image size, against "
    r"$h \cdot w$ per output pixel (so $(hw)^2$ in all) for the fully connected layer.",
)


@spatial_locality.symbolic_leg(scope="every $\\Delta \\ge 0$")
def _() -> Derivation:
    delta = sp.Symbol(r"\Delta", integer=True, nonnegative=True)
    K = sp.IndexedBase("K")
    notes = sp.Sum(_V[_a, _b] * _X[_i + _a, _j + _b], (_b, -delta, delta), (_a, -delta, delta))
    shifted = notes.change_index(_a, _a + delta, _a).change_index(_b, _b + delta, _b)
    corner = sp.Sum(
        K[_a, _b] * _X[(_i - delta) + _a, (_j - delta) + _b], (_b, 0, 2 * delta), (_a, 0, 2 * delta)
    )
    with_k = corner.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == K,
        lambda e: _V[e.indices[0] - delta, e.indices[1] - delta],
    )
    return Derivation(
        steps=[
            Step("The notes' local sum", notes),
            Step(
                r"Count the offsets from the corner: $a \to a - \Delta$", equation(notes, shifted)
            ),
            Step(
                r"corr2d at $(i - \Delta, j - \Delta)$ with $K_{a,b} = V_{a - \Delta, b - \Delta}$",
                equation(corner, with_k),
            ),
        ],
        residuals=[shifted - with_k],
        compared=["the re-indexed local sum minus corr2d with the shifted kernel"],
    )


@spatial_locality.numeric_leg(
    oracle="the notes' sum over -Delta..Delta evaluated pixel by pixel in float64; "
    "corr2d with a larger kernel padded by zeros"
)
def _(impl, device, dtype) -> None:
    delta, reach = 1, 3  # V is supported on |a|, |b| <= 1 inside a 7 x 7 window
    x = image(8, 9, seed=3, dtype=dtype, device=device)
    k = image(2 * delta + 1, 2 * delta + 1, seed=4, dtype=dtype, device=device)
    got = impl.corr2d(x, k)
    assert k.numel() == (2 * delta + 1) ** 2
    xd, kd = x.double().cpu(), k.double().cpu()
    for i in range(delta, x.shape[0] - delta):
        for j in range(delta, x.shape[1] - delta):
            total = sum(
                kd[a + delta, b + delta] * xd[i + a, j + b]
                for a in range(-delta, delta + 1)
                for b in range(-delta, delta + 1)
            )
            assert_close(got[i - delta, j - delta], total, dtype=dtype, msg=f"H[{i}, {j}]")
    wide = F.pad(k, (reach - delta,) * 4)  # the same V on a (2 reach + 1)^2 window
    margin = reach - delta
    inner = got[margin : got.shape[0] - margin, margin : got.shape[1] - margin]
    assert_close(impl.corr2d(x, wide), inner.double(), dtype=dtype, msg="zero weights beyond Delta")


@spatial_locality.property_leg(
    r"for images up to 10 x 10 and $\Delta \le 2$, a kernel on a wider window that is 0 beyond "
    r"$\Delta$ gives the same interior outputs as the $(2\Delta + 1)^2$ kernel (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        delta, extra = draw(st.integers(0, 2)), draw(st.integers(1, 2))
        side = 2 * (delta + extra) + 1
        n_h, n_w = draw(st.integers(side, 10)), draw(st.integers(side, 10))
        x, k = draw(dst.float_tensors((n_h, n_w), (2 * delta + 1, 2 * delta + 1)))
        return x, k, extra

    def holds(case) -> bool:
        x, k, extra = case
        local = impl.corr2d(x, k)
        wide = impl.corr2d(x, F.pad(k, (extra,) * 4))
        return is_close(wide, local[extra : local.shape[0] - extra, extra : local.shape[1] - extra])

    return ForAll(cases(), holds, names=("X", "K", "extra"))
