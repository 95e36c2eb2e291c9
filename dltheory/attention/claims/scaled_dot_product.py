r"""§ 11 Scaled Dot-Product Attention — the minibatch form.

Main declarations:

* ``attention.scaled-dot-product-attention`` —
  :math:`\operatorname{softmax}(\mathbf{Q}\mathbf{K}^\top/\sqrt d)\mathbf{V} \in
  \mathbb{R}^{n \times v}`, batched and with valid lengths, against
  ``torch.nn.functional.scaled_dot_product_attention``;
* ``attention.attention-output-in-hull`` — each output row lies in the convex hull of the valid
  values (citing the softmax and convex-hull claims).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.attention.claims._support import (
    attention_inputs,
    lengths,
    prefix_mask,
    sample,
    within_valid_values,
)
from dltheory.core.claim import ForAll, Kind, NotApplicable, Section
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("attention", "11 Scaled Dot-Product Attention")


def _builtin(Q, K, V, lens, scale=None) -> torch.Tensor:
    """``F.scaled_dot_product_attention`` in float64 with the valid-length mask."""
    mask = None
    if lens is not None:
        mask = prefix_mask(lens, K.shape[-2], per_sequence=lens.dim() == Q.dim() - 2)
    return F.scaled_dot_product_attention(
        Q.double(), K.double(), V.double(), attn_mask=mask, scale=scale
    )


scaled_dot_product_attention = SECTION.claim(
    "scaled-dot-product-attention",
    title="Scaled dot-product attention",
    statement=r"\operatorname{softmax}\left(\frac{\mathbf{Q}\mathbf{K}^{\top}}{\sqrt{d}}\right)"
    r"\mathbf{V} \in \mathbb{R}^{n \times v},\quad \mathbf{Q} \in \mathbb{R}^{n \times d},\ "
    r"\mathbf{K} \in \mathbb{R}^{m \times d},\ \mathbf{V} \in \mathbb{R}^{m \times v}",
    kind=Kind.DEFINITION,
    code=("scaled_dot_product_attention",),
    note="The softmax runs over the keys (row by row), restricted to each row's valid length "
    "(attention.masked-softmax); batch dimensions broadcast.",
    symbolic=NotApplicable("a definition, compared with the torch built-in"),
)


@scaled_dot_product_attention.numeric_leg(
    oracle="torch.nn.functional.scaled_dot_product_attention (float64, boolean attn_mask); "
    "gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    Q = sample(2, 3, 5, 4, seed=120, dtype=dtype, device=device)
    K = sample(2, 3, 7, 4, seed=121, dtype=dtype, device=device)
    V = sample(2, 3, 7, 6, seed=122, dtype=dtype, device=device)
    per_sequence = lengths(7, 2, 3, seed=123, device=device)
    per_query = lengths(7, 2, 3, 5, seed=124, device=device)
    for lens in (None, per_sequence, per_query):
        got = impl.scaled_dot_product_attention(Q, K, V, lens)
        assert got.shape == (2, 3, 5, 6) and got.dtype == dtype and got.device == Q.device
        shape = None if lens is None else tuple(lens.shape)
        assert_close(got, _builtin(Q, K, V, lens), dtype=dtype, msg=f"valid_lens {shape}")
    got = impl.scaled_dot_product_attention(Q[0, 0], K[0, 0], V[0, 0], scale=0.3)
    assert_close(got, _builtin(Q[0, 0], K[0, 0], V[0, 0], None, 0.3), dtype=dtype, msg="scale")
    broadcast = impl.scaled_dot_product_attention(Q[0], K[0, :1], V[0, :1])  # (3,..) vs (1,..)
    assert_close(broadcast, _builtin(Q[0], K[0, :1], V[0, :1], None), dtype=dtype)
    if dtype == torch.float64:  # small inputs: gradgradcheck's cost grows with their size
        leaves = [x.clone().requires_grad_() for x in (Q[0, 0, :3], K[0, 0, :4], V[0, 0, :4, :2])]
        for lens in (None, torch.tensor([4, 0, 2], device=device)):

            def f(q, k, v, lens=lens):
                return impl.scaled_dot_product_attention(q, k, v, lens)

            assert torch.autograd.gradcheck(f, leaves, fast_mode=True)
            assert torch.autograd.gradgradcheck(f, leaves, fast_mode=True)


@scaled_dot_product_attention.property_leg(
    r"for batched $\mathbf{Q}, \mathbf{K}, \mathbf{V}$ (entries up to 5) with or without valid "
    r"lengths per sequence or per query, the output equals the torch built-in (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        Q, K, V, lens = case
        got = impl.scaled_dot_product_attention(Q, K, V, lens)
        return got.shape == (*Q.shape[:-1], V.shape[-1]) and is_close(got, _builtin(Q, K, V, lens))

    return ForAll(attention_inputs(), holds, names=("Q", "K", "V", "valid_lens"))


attention_output_in_hull = SECTION.claim(
    "attention-output-in-hull",
    title="Each attention output lies in the convex hull of the valid values",
    statement=r"\operatorname{out}_i = \sum_{j \le l} \alpha_{ij}\mathbf{v}_j \in "
    r"\operatorname{conv}\{\mathbf{v}_1, \dots, \mathbf{v}_l\} \quad (l \ge 1)",
    kind=Kind.THEOREM,
    code=("scaled_dot_product_attention",),
    uses=("attention.masked-softmax", "attention.convex-weights-convex-hull"),
    note="In particular each coordinate lies between the smallest and the largest value of that "
    "coordinate over the valid keys: padding never leaks into the output.",
    symbolic=NotApplicable(
        "two cited claims make the proof: the masked weights are a convex combination of the "
        "valid keys (attention.masked-softmax), and a convex combination of the values lies in "
        "their convex hull (attention.convex-weights-convex-hull)"
    ),
)


@attention_output_in_hull.numeric_leg(
    oracle="coordinatewise minimum and maximum of the valid values (torch.amin / amax)"
)
def _(impl, device, dtype) -> None:
    Q = sample(4, 5, 3, seed=125, dtype=dtype, device=device, scale=3.0)
    K = sample(4, 6, 3, seed=126, dtype=dtype, device=device, scale=3.0)
    V = sample(4, 6, 2, seed=127, dtype=dtype, device=device)
    lens = lengths(6, 4, seed=128, device=device).clamp(min=1)
    V_padded = V.clone()
    for s, length in enumerate(lens.tolist()):
        V_padded[s, length:] = 1e3  # padding far outside the hull
    out = impl.scaled_dot_product_attention(Q, K, V_padded, lens).double()
    for s, length in enumerate(lens.tolist()):
        lo = V[s, :length].double().amin(0)
        hi = V[s, :length].double().amax(0)
        assert ((out[s] >= lo) | torch.isclose(out[s], lo)).all(), f"below the hull, row {s}"
        assert ((out[s] <= hi) | torch.isclose(out[s], hi)).all(), f"above the hull, row {s}"


@attention_output_in_hull.property_leg(
    "each output coordinate lies between the smallest and largest valid value of that "
    "coordinate, whatever the padded values hold"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        Q, K, V, _ = draw(attention_inputs(masked=False))
        lens = draw(st.integers(1, K.shape[-2]))
        return Q, K, V, lens, draw(st.floats(-1e6, 1e6))

    def holds(case) -> bool:
        Q, K, V, length, pad = case
        padded = V.clone()
        padded[..., length:, :] = pad
        lens = torch.full(Q.shape[:-2], length, dtype=torch.int64)
        out = impl.scaled_dot_product_attention(Q, K, padded, lens)
        return within_valid_values(out, V, length)

    return ForAll(cases(), holds, names=("Q", "K", "V", "l", "padding"))
