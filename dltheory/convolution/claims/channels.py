r"""§ 7.2 Channels — the layer with input and output channels.

Main declarations:

* ``convolution.multichannel-layer`` — :math:`[\mathsf{H}]_{i,j,d} = \sum_{a,b=-\Delta}^{\Delta}
  \sum_c [\mathsf{V}]_{a,b,c,d}[\mathsf{X}]_{i+a,j+b,c}` is ``conv2d`` with the weight
  :math:`W_{d,c,a+\Delta,b+\Delta} = V_{a,b,c,d}` and padding :math:`\Delta` (channels first);
* notation note ``convolution.channels-heading-placement`` — the heading stands under
  "7.2 Convolutions", but its formula continues the layer of § 7.1 (the offsets
  :math:`-\Delta..\Delta` and the weights :math:`\mathsf{V}`), not the review of convolution.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.convolution.claims._support import image
from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("convolution", "7.2 Channels")


def _notes_layer(x_hwc: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    r"""The notes' formula in float64, pixel by pixel over offsets, for every :math:`(i, j)`
    (zeros outside the image): ``x_hwc`` is :math:`h \times w \times c_i`, ``v`` is
    :math:`(2\Delta + 1) \times (2\Delta + 1) \times c_i \times c_o`."""
    delta = (v.shape[0] - 1) // 2
    x = F.pad(x_hwc.double().permute(2, 0, 1), (delta,) * 4).permute(1, 2, 0)
    h, w = x_hwc.shape[:2]
    out = torch.zeros(h, w, v.shape[3], dtype=torch.float64)
    for a in range(-delta, delta + 1):
        for b in range(-delta, delta + 1):
            window = x[delta + a : delta + a + h, delta + b : delta + b + w]  # X[i + a, j + b, c]
            out += torch.einsum("ijc,cd->ijd", window, v[a + delta, b + delta].double())
    return out


def _as_conv2d(impl, x_hwc: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The same layer through ``conv2d``: channels first, weight (c_o, c_i, k, k), padding."""
    delta = (v.shape[0] - 1) // 2
    out = impl.conv2d(x_hwc.permute(2, 0, 1).unsqueeze(0), v.permute(3, 2, 0, 1), padding=delta)
    return out.squeeze(0).permute(1, 2, 0)


multichannel_layer = SECTION.claim(
    "multichannel-layer",
    title="The convolutional layer with channels",
    statement=r"[\mathsf{H}]_{i,j,d} = \sum_{a=-\Delta}^{\Delta}\sum_{b=-\Delta}^{\Delta}\sum_{c}"
    r"[\mathsf{V}]_{a,b,c,d}[\mathsf{X}]_{i+a,j+b,c}",
    kind=Kind.DEFINITION,
    code=("conv2d",),
    note=r"Height, width, channel order as in the notes; ``conv2d`` stores the same numbers "
    r"channels first, $W_{d,c,a+\Delta,b+\Delta} = V_{a,b,c,d}$, and with padding $\Delta$ "
    r"(zeros outside the image) returns $\mathsf{H}$ at every pixel.",
)


@multichannel_layer.symbolic_leg(scope="every $\\Delta$ and channel counts")
def _() -> Derivation:
    delta = sp.Symbol(r"\Delta", integer=True, nonnegative=True)
    c_in = sp.Symbol("c_i", integer=True, positive=True)
    i, j, a, b, c, d = sp.symbols("i j a b c d", integer=True)
    V, X, W = sp.IndexedBase("V"), sp.IndexedBase("X"), sp.IndexedBase("W")
    notes = sp.Sum(
        V[a, b, c, d] * X[i + a, j + b, c], (c, 0, c_in - 1), (b, -delta, delta), (a, -delta, delta)
    )
    corner = notes.change_index(a, a + delta, a).change_index(b, b + delta, b)
    layer = sp.Sum(
        W[d, c, a, b] * X[i - delta + a, j - delta + b, c],
        (c, 0, c_in - 1),
        (b, 0, 2 * delta),
        (a, 0, 2 * delta),
    )
    stored = layer.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == W,
        lambda e: V[e.indices[2] - delta, e.indices[3] - delta, e.indices[1], e.indices[0]],
    )
    return Derivation(
        steps=[
            Step("The notes' layer", equation(sp.Symbol("H_{i,j,d}"), notes)),
            Step(r"Offsets from the window's corner", equation(notes, corner)),
            Step(
                r"conv2d with padding $\Delta$ at $(i, j)$, "
                r"$W_{d,c,a,b} = V_{a-\Delta,b-\Delta,c,d}$",
                equation(layer, stored),
            ),
        ],
        residuals=[corner - stored],
        compared=["the notes' layer minus conv2d with the stored weight"],
    )


@multichannel_layer.numeric_leg(
    oracle="the notes' sum over offsets and input channels in float64 (torch.einsum per "
    "offset); torch.nn.functional.conv2d"
)
def _(impl, device, dtype) -> None:
    for seed, (delta, c_in, c_out) in enumerate(((1, 3, 4), (2, 2, 5), (0, 4, 2))):
        x = image(7, 8, c_in, seed=10 + seed, dtype=dtype, device=device)
        v = image(
            2 * delta + 1, 2 * delta + 1, c_in, c_out, seed=20 + seed, dtype=dtype, device=device
        )
        got = _as_conv2d(impl, x, v)
        assert got.dtype == dtype and got.shape == (7, 8, c_out)
        assert_close(got, _notes_layer(x.cpu(), v.cpu()), dtype=dtype, msg=f"Delta={delta}")
        builtin = F.conv2d(
            x.double().permute(2, 0, 1)[None], v.double().permute(3, 2, 0, 1), padding=delta
        )
        assert_close(got, builtin[0].permute(1, 2, 0), dtype=dtype)


@multichannel_layer.property_leg(
    r"for images up to 6 x 6 with 1 to 3 input and output channels and $\Delta \le 2$, "
    "`conv2d` (channels first, padding Delta) equals the notes' sum (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        delta, c_in, c_out = (
            draw(st.integers(0, 2)),
            draw(st.integers(1, 3)),
            draw(st.integers(1, 3)),
        )
        h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
        side = 2 * delta + 1
        return tuple(draw(dst.float_tensors((h, w, c_in), (side, side, c_in, c_out))))

    def holds(case) -> bool:
        x, v = case
        return is_close(_as_conv2d(impl, x, v), _notes_layer(x, v))

    return ForAll(cases(), holds, names=("X", "V"))


channels_heading_placement = SECTION.claim(
    "channels-heading-placement",
    title="The Channels formula belongs to § 7.1",
    statement=r"\text{the heading ``Channels'', placed under ``7.2 Convolutions''}",
    kind=Kind.NOTATION,
    corrects="convolution.multichannel-layer",
    note=r"The heading sits after the review of convolution, but its formula extends the "
    r"layer of § 7.1 (offsets $-\Delta..\Delta$, weights $\mathsf{V}$) to channels; it is a "
    "cross-correlation like (7.1.3), not one of the convolutions just reviewed. (In the "
    "source, *Dive into Deep Learning*, it is § 7.1.4 of 'From Fully Connected Layers to "
    "Convolutions'.) Read it as the last step of § 7.1: convolution.multichannel-layer.",
)
