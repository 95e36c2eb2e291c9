r"""§ 8 Convolutional Layers — batch normalization per channel (the notes' heading is empty; the
content is filled in as an addition).

Main declarations:

* ``normalization.batch-norm-per-channel`` — for an input :math:`(N, C, H, W)` each channel is
  normalized with one mean and one variance over its :math:`N H W` values: batch normalization
  of the :math:`(N H W, C)` matrix whose rows are the pixels;
* notation note ``normalization.parameter-shape-per-channel`` — "the same shape as
  :math:`\mathbf{x}`" holds for fully connected layers; in a convolutional layer
  :math:`\boldsymbol\gamma` and :math:`\boldsymbol\beta` have one entry per channel.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.normalization.claims._support import (
    EPSILONS,
    batch,
    exact_batch_norm,
    finite_floats,
    params,
)

SECTION = Section("normalization", "8 Convolutional Layers")

batch_norm_per_channel = SECTION.claim(
    "batch-norm-per-channel",
    title="Batch normalization in a convolutional layer: one statistic per channel",
    statement=r"\hat\mu_c = \frac{1}{NHW}\sum_{n,h,w} x_{n,c,h,w},\quad "
    r"v_c = \frac{1}{NHW}\sum_{n,h,w}(x_{n,c,h,w} - \hat\mu_c)^2,\quad "
    r"\mathrm{BN}(X)_{n,c,h,w} = \gamma_c\frac{x_{n,c,h,w} - \hat\mu_c}{\sqrt{v_c + \epsilon}} "
    r"+ \beta_c",
    kind=Kind.THEOREM,
    source="8 Convolutional Layers (addition: the heading is empty)",
    code=("batch_norm",),
    note=r"Addition. Every spatial position counts as an example: the minibatch of a channel "
    r"has $|\mathcal{B}| = NHW$ values, and all positions share $\gamma_c$ and $\beta_c$ (as "
    r"the convolution shares its kernel). So it is the fully connected case applied to the "
    r"$(NHW, C)$ matrix of pixels.",
)


@batch_norm_per_channel.symbolic_leg(
    scope="general $N$, $H$, $W$: the channel's sums run over the $NHW$ rows of the pixel matrix"
)
def _() -> Derivation:
    N, H, W = sp.symbols("N H W", integer=True, positive=True)
    k, h, w, r = sp.symbols("k h w r", integer=True)
    X = sp.IndexedBase("x", real=True)
    # pixel r = (k, h, w) of the (NHW, C) matrix is x_{k, c, h, w}: a bijection of index sets
    nested = sp.Sum(X[k, h, w], (w, 1, W), (h, 1, H), (k, 1, N)) / (N * H * W)
    flat_count = sp.Sum(1, (r, 1, N * H * W)).doit()
    nested_count = sp.Sum(1, (w, 1, W), (h, 1, H), (k, 1, N)).doit()
    return Derivation(
        steps=[
            Step(
                r"Channel $c$'s mean over $N$, $H$, $W$", equation(sp.Symbol(r"\hat\mu_c"), nested)
            ),
            Step(
                r"The pixels of channel $c$ are the rows of an $(NHW, C)$ matrix: as many terms",
                equation(nested_count, flat_count),
            ),
        ],
        residuals=[nested_count - flat_count],
        compared=[r"the number of $(n, h, w)$ triples minus the number of rows $NHW$"],
    )


def _as_pixels(t: torch.Tensor) -> torch.Tensor:
    """``(N, C, H, W)`` -> ``(N H W, C)``: one row per pixel."""
    return t.movedim(1, -1).reshape(-1, t.shape[1])


@batch_norm_per_channel.numeric_leg(
    oracle="torch.nn.BatchNorm2d (training, float64); mpmath over each channel's NHW values "
    "(error in eps); gradcheck and gradgradcheck on a 4-D input (float64)"
)
def _(impl, device, dtype) -> None:
    for seed, shape in enumerate([(4, 3, 5, 5), (2, 2, 3, 7), (1, 2, 4, 4)]):
        xs = batch(shape, 200 + seed, dtype, device, loc=seed)
        g, b = params(shape[1], 210 + seed, dtype, device)
        got = impl.batch_norm(xs, g, b).output
        want, scale = exact_batch_norm(xs, 1e-5, g, b)
        assert_accurate(got, want, scale=scale, msg=f"shape {shape}")
        module = torch.nn.BatchNorm2d(shape[1], dtype=torch.float64, device=device).train()
        with torch.no_grad():
            module.weight.copy_(g.double())
            module.bias.copy_(b.double())
        assert_close(got, module(xs.double()), dtype=dtype, msg="vs torch.nn.BatchNorm2d")
        # the same numbers as the fully connected case on the pixel matrix
        pixels = impl.batch_norm(_as_pixels(xs), g, b).output
        assert_close(_as_pixels(got), pixels, dtype=dtype, msg="per channel = pixels as rows")
    if dtype == torch.float64:
        leaf = batch((2, 2, 3, 3), 220, dtype, device).requires_grad_()
        assert torch.autograd.gradcheck(lambda a: impl.batch_norm(a).output, (leaf,))
        assert torch.autograd.gradgradcheck(lambda a: impl.batch_norm(a).output, (leaf,))


@batch_norm_per_channel.property_leg(
    r"for $(N, C, H, W)$ inputs (entries up to $10^6$), the output matches mpmath over each "
    r"channel's $NHW$ values, and equals batch normalization of the $(NHW, C)$ pixel matrix",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        shape = tuple(draw(st.lists(st.integers(1, 3), min_size=4, max_size=4)))
        if shape[0] * shape[2] * shape[3] < 2:
            shape = (2, *shape[1:])
        values = draw(hnp.arrays(np.float64, shape, elements=finite_floats(1e6)))
        return torch.from_numpy(np.ascontiguousarray(values)), draw(EPSILONS)

    def holds(case) -> bool:
        xs, e = case
        got = impl.batch_norm(xs, eps=e).output
        want, scale = exact_batch_norm(xs, e)
        pixels = impl.batch_norm(_as_pixels(xs), eps=e).output
        return is_accurate(got, want, scale=scale) and is_accurate(
            pixels, _as_pixels(want), scale=_as_pixels(scale)
        )

    return ForAll(cases(), holds, names=("x", "eps"))


parameter_shape_per_channel = SECTION.claim(
    "parameter-shape-per-channel",
    title="γ and β have one entry per channel, not the shape of x",
    statement=r"\text{``scale parameter } \boldsymbol\gamma \text{ and shift parameter } "
    r"\boldsymbol\beta \text{ that have the same shape as } \mathbf{x}\text{''}",
    kind=Kind.NOTATION,
    source="8 Batch Normalization",
    corrects="normalization.batch-norm-per-channel",
    note=r"For a fully connected layer an example $\mathbf{x} \in \mathbb{R}^d$ and "
    r"$\boldsymbol\gamma, \boldsymbol\beta \in \mathbb{R}^d$ do share a shape. For a "
    r"convolutional layer an example has shape $(C, H, W)$ but "
    r"$\boldsymbol\gamma, \boldsymbol\beta \in \mathbb{R}^C$: one scale and shift per channel, "
    r"broadcast over the positions (normalization.batch-norm-per-channel; "
    r"`torch.nn.BatchNorm2d.weight` has shape $(C,)$). Read \"the same shape as $\mathbf{x}$\" "
    r"as \"one entry per feature or channel\".",
)
