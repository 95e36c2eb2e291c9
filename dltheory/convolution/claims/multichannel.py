r"""§ 7.4 Multiple Input and Multiple Output Channels — kernel shapes, parameter counts, and
directions in channel space.

Main declarations:

* ``convolution.multi-input-channels`` — with :math:`c_i` input channels the kernel is
  :math:`c_i \times k_h \times k_w` and the output is the sum over channels of the
  per-channel cross-correlations;
* ``convolution.multi-output-channels`` — with :math:`c_o` outputs the kernel is
  :math:`c_o \times c_i \times k_h \times k_w` (plus :math:`c_o` biases), output channel
  :math:`o` using kernel :math:`W_o`; ``conv2d`` against ``torch.nn.functional.conv2d`` for
  every stride, padding and dilation, and the parameter count of ``nn.Conv2d``;
* ``convolution.channel-mixing`` — mixing the output channels by any matrix :math:`Q` is
  the layer with kernel :math:`Q \star W` and bias :math:`Q\mathbf{b}`: a feature is a
  direction in channel space, not necessarily one channel.
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

SECTION = Section("convolution", "7.4 Multiple Input and Multiple Output Channels")

_c_i, _c_o, _k_h, _k_w = sp.symbols("c_i c_o k_h k_w", integer=True, positive=True)
_i, _j, _a, _b, _c, _o, _r = sp.symbols("i j a b c o r", integer=True)
_X, _W = sp.IndexedBase("X"), sp.IndexedBase("W")


def _layer(kernel, o):
    """Output channel ``o`` at (i, j): the sum over input channels and the window."""
    return sp.Sum(
        kernel[o, _c, _a, _b] * _X[_c, _i + _a, _j + _b],
        (_b, 0, _k_w - 1),
        (_a, 0, _k_h - 1),
        (_c, 0, _c_i - 1),
    )


@st.composite
def _layers(draw, *, mixing: bool = False):
    """``(X, W, b[, Q])`` for ``conv2d``: 1 or 2 images, 1 to 3 channels in and out, up to 6 x 6."""
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    k_h, k_w = draw(st.integers(1, h)), draw(st.integers(1, w))
    shapes = [(n, c_in, h, w), (c_out, c_in, k_h, k_w), (c_out,)] + (
        [(c_out, c_out)] if mixing else []
    )
    return tuple(draw(dst.float_tensors(*shapes, magnitude=3.0)))


multi_input_channels = SECTION.claim(
    "multi-input-channels",
    title="Several input channels: one kernel slice per channel, summed",
    statement=r"K \in \mathbb{R}^{c_i \times k_h \times k_w},\quad "
    r"Y = \sum_{c=1}^{c_i}\operatorname{corr2d}(X_c, K_c)",
    kind=Kind.THEOREM,
    code=("conv2d", "corr2d"),
    uses=("convolution.corr2d-definition",),
    note=r"The kernel has $c_i k_h k_w$ weights; the output has a single channel.",
)


@multi_input_channels.symbolic_leg(scope="general $c_i$, $k_h$, $k_w$")
def _() -> Derivation:
    K = sp.IndexedBase("K")
    per_channel = sp.Sum(
        sp.Sum(K[_c, _a, _b] * _X[_c, _i + _a, _j + _b], (_b, 0, _k_w - 1), (_a, 0, _k_h - 1)),
        (_c, 0, _c_i - 1),
    )
    layer = sp.Sum(
        K[_c, _a, _b] * _X[_c, _i + _a, _j + _b],
        (_b, 0, _k_w - 1),
        (_a, 0, _k_h - 1),
        (_c, 0, _c_i - 1),
    )
    count = sp.Sum(1, (_b, 0, _k_w - 1), (_a, 0, _k_h - 1), (_c, 0, _c_i - 1)).doit()
    return Derivation(
        steps=[
            Step(
                "The sum of the channels' cross-correlations",
                equation(sp.Symbol("Y_{i,j}"), per_channel),
                cites=("convolution.corr2d-definition",),
            ),
            Step("One sum over channels and the window", equation(per_channel, layer)),
            Step("The number of weights", equation(sp.Symbol(r"\#K"), count)),
        ],
        residuals=[per_channel - layer, count - _c_i * _k_h * _k_w],
        compared=["per-channel sum minus the layer's sum", r"the count minus $c_i k_h k_w$"],
    )


@multi_input_channels.numeric_leg(
    oracle="torch.nn.functional.conv2d with one output channel; the sum of corr2d over channels"
)
def _(impl, device, dtype) -> None:
    x, k = (
        image(3, 7, 8, seed=1, dtype=dtype, device=device),
        image(3, 2, 3, seed=2, dtype=dtype, device=device),
    )
    got = impl.conv2d(x.unsqueeze(0), k.unsqueeze(0))[0, 0]
    assert_close(got, F.conv2d(x.double()[None], k.double()[None])[0, 0], dtype=dtype)
    if dtype in (torch.float64, torch.float32):  # summing rounded half-precision channels drifts
        channels = sum(impl.corr2d(x[c], k[c]).double() for c in range(3))
        assert_close(got, channels, dtype=dtype, msg="conv2d vs the sum of corr2d over channels")


@multi_input_channels.property_leg(
    "`conv2d` with one output channel equals the sum over input channels of `corr2d` (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, w, _ = case
        got = impl.conv2d(x, w[:1])[:, 0]
        channels = sum(impl.corr2d(x[:, c], w[0, c]) for c in range(x.shape[1]))
        return is_close(got, channels)

    return ForAll(_layers(), holds, names=("X", "W", "b"))


multi_output_channels = SECTION.claim(
    "multi-output-channels",
    title="Several output channels: a kernel per output channel",
    statement=r"W \in \mathbb{R}^{c_o \times c_i \times k_h \times k_w},\quad "
    r"Y_o = b_o + \sum_{c=1}^{c_i}\operatorname{corr2d}(X_c, W_{o,c}),\quad "
    r"\#\text{parameters} = c_o c_i k_h k_w + c_o",
    kind=Kind.THEOREM,
    code=("conv2d",),
    uses=("convolution.multi-input-channels",),
    note="Each output channel is the layer of convolution.multi-input-channels with its own "
    "kernel and bias. The legs check conv2d, with stride, padding, dilation and bias, against "
    "torch.nn.functional.conv2d, and the count against nn.Conv2d.",
)


@multi_output_channels.symbolic_leg(scope="general $c_o$, $c_i$, $k_h$, $k_w$")
def _() -> Derivation:
    count = sp.Sum(_c_i * _k_h * _k_w + 1, (_o, 0, _c_o - 1)).doit()
    return Derivation(
        steps=[
            Step(
                r"Output channel $o$: the multi-input layer with kernel $W_o$, plus $b_o$",
                equation(sp.Symbol("Y_o"), sp.Symbol("b_o") + _layer(_W, _o)),
                cites=("convolution.multi-input-channels",),
            ),
            Step(
                r"Weights and bias per output channel, over $c_o$ channels",
                equation(sp.Symbol(r"\#"), count),
            ),
        ],
        residuals=[count - (_c_o * _c_i * _k_h * _k_w + _c_o)],
        compared=[r"the count minus $c_o c_i k_h k_w + c_o$"],
    )


#: (stride, padding, dilation) of the numeric leg
_HYPER = ((1, 0, 1), (2, 1, 1), ((1, 2), (2, 0), (2, 1)), (3, 2, 2))


@multi_output_channels.numeric_leg(
    oracle="torch.nn.functional.conv2d (every stride, padding, dilation, with and without "
    "bias) and its autograd; torch.autograd.gradcheck / gradgradcheck (float64); the "
    "parameter count of torch.nn.Conv2d"
)
def _(impl, device, dtype) -> None:
    x = image(2, 3, 9, 10, seed=3, dtype=dtype, device=device)
    w, b = (
        image(4, 3, 3, 2, seed=4, dtype=dtype, device=device),
        image(4, seed=5, dtype=dtype, device=device),
    )
    upstream = None
    for stride, padding, dilation in _HYPER:
        for bias in (b, None):
            got = impl.conv2d(x, w, bias, stride, padding, dilation)
            assert got.dtype == dtype and got.device == x.device
            ref_bias = None if bias is None else bias.double()
            want = F.conv2d(x.double(), w.double(), ref_bias, stride, padding, dilation)
            assert_close(
                got, want, dtype=dtype, msg=f"stride {stride} padding {padding} dilation {dilation}"
            )
        upstream = image(*got.shape, seed=6, dtype=dtype, device=device)
        leaves = [t.detach().clone().requires_grad_() for t in (x, w, b)]
        mine = torch.autograd.grad(
            (impl.conv2d(*leaves, stride, padding, dilation) * upstream).sum(), leaves
        )
        ref = [t.detach().double().requires_grad_() for t in (x, w, b)]
        out = F.conv2d(ref[0], ref[1], ref[2], stride, padding, dilation)
        want_grads = torch.autograd.grad((out * upstream.double()).sum(), ref)
        for name, g1, g2 in zip(("input", "weight", "bias"), mine, want_grads, strict=True):
            assert_close(g1, g2, dtype=dtype, msg=f"gradient w.r.t. {name}")
    if dtype == torch.float64:
        small = tuple(t.clone().requires_grad_() for t in (x[:1, :2, :5, :5], w[:2, :2], b[:2]))
        assert torch.autograd.gradcheck(lambda *a: impl.conv2d(*a, 2, 1, 1), small)
        assert torch.autograd.gradgradcheck(lambda *a: impl.conv2d(*a, 2, 1, 1), small)
    # many input channels at stride 1: conv2d's tap-by-tap path (no im2col)
    wide = image(2, 16, 7, 8, seed=7, dtype=dtype, device=device)
    kernel = image(3, 16, 3, 2, seed=8, dtype=dtype, device=device)
    for padding, dilation in ((0, 1), ((1, 2), (2, 1))):
        got = impl.conv2d(wide, kernel, b[:3], 1, padding, dilation)
        want = F.conv2d(wide.double(), kernel.double(), b[:3].double(), 1, padding, dilation)
        assert_close(got, want, dtype=dtype, msg=f"16 channels, padding {padding}")
    layer = torch.nn.Conv2d(3, 4, (3, 2))
    assert sum(p.numel() for p in layer.parameters()) == 4 * 3 * 3 * 2 + 4 == w.numel() + b.numel()


@multi_output_channels.property_leg(
    "`conv2d` equals torch.nn.functional.conv2d for 1 or 2 images of 1 to 3 channels up to "
    "6 x 6, 1 to 3 output channels, kernels that fit, with bias (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, w, b = case
        return is_close(impl.conv2d(x, w, b), F.conv2d(x, w, b))

    return ForAll(_layers(), holds, names=("X", "W", "b"))


channel_mixing = SECTION.claim(
    "channel-mixing",
    title="A direction in channel space is a layer too",
    statement=r"\sum_{r} Q_{o,r}\,\operatorname{conv2d}(X; W, \mathbf{b})_r = "
    r"\operatorname{conv2d}(X; Q \star W, Q\mathbf{b})_o,\quad "
    r"(Q \star W)_{o,c,a,b} = \sum_r Q_{o,r}W_{r,c,a,b}",
    kind=Kind.THEOREM,
    code=("conv2d",),
    uses=("convolution.multi-output-channels",),
    note="The notes: 'some direction in channel space corresponds to detecting edges'. Any "
    "linear combination of the output channels is itself computed by a layer of the same "
    "shape, and for invertible Q the two layers are equivalent: the channel basis a network "
    "learns carries no meaning of its own, so a feature need not sit in one channel.",
)


@channel_mixing.symbolic_leg(scope="general $c_o$, $c_i$, $k_h$, $k_w$")
def _() -> Derivation:
    Q = sp.IndexedBase("Q")
    term = Q[_o, _r] * _W[_r, _c, _a, _b] * _X[_c, _i + _a, _j + _b]
    window = ((_b, 0, _k_w - 1), (_a, 0, _k_h - 1), (_c, 0, _c_i - 1))
    mixed_outputs = sp.Sum(term, *window, (_r, 0, _c_o - 1))  # sum_r Q_or (layer r)
    exchanged = mixed_outputs.reorder((3, 2)).reorder((2, 1)).reorder((1, 0))
    mixed_kernel = sp.Sum(term, (_r, 0, _c_o - 1), *window)  # the layer with kernel Q * W
    return Derivation(
        steps=[
            Step(
                r"Mix the output channels (the biases mix alike: $\sum_r Q_{o,r} b_r$)",
                equation(
                    sp.Symbol(r"\sum_r Q_{o,r} Y_r - (Q\mathbf{b})_o"),
                    sp.Sum(Q[_o, _r] * _layer(_W, _r), (_r, 0, _c_o - 1)),
                ),
                cites=("convolution.multi-output-channels",),
            ),
            Step(r"Take $Q_{o,r}$ into the finite sum", mixed_outputs),
            Step(
                r"Sum over $r$ first: the layer with kernel $\sum_r Q_{o,r}W_{r,c,a,b}$",
                equation(exchanged, mixed_kernel),
            ),
        ],
        residuals=[exchanged - mixed_kernel],
        compared=[
            "the mixed outputs with the sums exchanged, minus the layer with the mixed kernel"
        ],
    )


@channel_mixing.numeric_leg(
    oracle="the identity, both sides in float64 from torch.einsum on the results",
    # mixing rounded half-precision outputs and rounding a mixed kernel differ by more than
    # the half tolerance; conv2d itself is checked in those dtypes by multi-output-channels
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    x = image(2, 3, 8, 8, seed=7, dtype=dtype, device=device)
    w, b = (
        image(4, 3, 3, 3, seed=8, dtype=dtype, device=device),
        image(4, seed=9, dtype=dtype, device=device),
    )
    q = image(4, 4, seed=10, dtype=dtype, device=device)
    mixed = torch.einsum("or,nrhw->nohw", q.double(), impl.conv2d(x, w, b, padding=1).double())
    kernel = torch.einsum("or,rcab->ocab", q, w)
    assert_close(impl.conv2d(x, kernel, q @ b, padding=1), mixed, dtype=dtype)


@channel_mixing.property_leg(
    "mixing the output channels of `conv2d` by a random matrix Q equals `conv2d` with kernel "
    "Q * W and bias Q b (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, w, b, q = case
        mixed = torch.einsum("or,nrhw->nohw", q, impl.conv2d(x, w, b))
        return is_close(impl.conv2d(x, torch.einsum("or,rcab->ocab", q, w), q @ b), mixed)

    return ForAll(_layers(mixing=True), holds, names=("X", "W", "b", "Q"))
