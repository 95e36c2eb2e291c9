r"""§ 11 Batch Matrix Multiplication — one matrix product per batch entry.

Main declarations:

* ``attention.batch-matrix-multiplication`` — for :math:`\mathbf{Q} \in \mathbb{R}^{n \times a
  \times b}` and :math:`\mathbf{K} \in \mathbb{R}^{n \times b \times c}`,
  :math:`\operatorname{BMM}(\mathbf{Q}, \mathbf{K}) = [\mathbf{Q}_1\mathbf{K}_1, \dots,
  \mathbf{Q}_n\mathbf{K}_n] \in \mathbb{R}^{n \times a \times c}` (checked through
  ``attention_pool``, whose batched form it is);
* notation note ``attention.bmm-not-elementwise`` — the notes call it an element-wise product.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from dltheory.attention.claims._support import arrays, sample
from dltheory.core.claim import ForAll, Kind, NotApplicable, Section
from dltheory.core.samples import oracle_input
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("attention", "11 Batch Matrix Multiplication")

batch_matrix_multiplication = SECTION.claim(
    "batch-matrix-multiplication",
    title="Batch matrix multiplication",
    statement=r"\mathbf{Q} \in \mathbb{R}^{n \times a \times b},\ \mathbf{K} \in \mathbb{R}^{n "
    r"\times b \times c} \Rightarrow \operatorname{BMM}(\mathbf{Q}, \mathbf{K}) = [\mathbf{Q}_1 "
    r"\mathbf{K}_1, \dots, \mathbf{Q}_n \mathbf{K}_n] \in \mathbb{R}^{n \times a \times c}",
    kind=Kind.DEFINITION,
    code=("attention_pool",),
    note=r"Batched attention pooling is this product: $n$ sequences, $a$ queries, $b$ keys "
    r"and values of size $c$.",
    symbolic=NotApplicable("a definition of the batched product; checked entry by entry"),
)


@batch_matrix_multiplication.numeric_leg(
    oracle="torch.bmm (float64); one numpy.matmul per batch entry"
)
def _(impl, device, dtype) -> None:
    q = sample(4, 3, 5, seed=110, dtype=dtype, device=device)
    k = sample(4, 5, 2, seed=111, dtype=dtype, device=device)
    got = impl.attention_pool(q, k)
    assert got.shape == (4, 3, 2) and got.dtype == dtype
    assert_close(got, torch.bmm(q.double(), k.double()), dtype=dtype, msg="vs torch.bmm")
    qs, ks = oracle_input(q), oracle_input(k)
    for s in range(4):
        assert_close(got[s], qs[s] @ ks[s], dtype=dtype, msg=f"batch entry {s}")


@batch_matrix_multiplication.property_leg(
    r"for every $(n, a, b, c)$, the batched product has shape $(n, a, c)$ and entry $s$ is "
    r"$\mathbf{Q}_s \mathbf{K}_s$ (`numpy.einsum`)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        n, a, b, c = (draw(st.integers(1, 4)) for _ in range(4))
        return draw(arrays((n, a, b), 1e3)), draw(arrays((n, b, c), 1e3))

    def holds(case) -> bool:
        q, k = case
        got = impl.attention_pool(q, k)
        want = np.einsum("sab,sbc->sac", q.numpy(), k.numpy())
        return got.shape == (q.shape[0], q.shape[1], k.shape[2]) and is_close(got, want)

    return ForAll(cases(), holds, names=("Q", "K"))


bmm_not_elementwise = SECTION.claim(
    "bmm-not-elementwise",
    title="Batch matrix multiplication is not an element-wise product",
    statement=r"\text{``the batch matrix multiplication (BMM) computes the element-wise "
    r"product''}",
    kind=Kind.NOTATION,
    corrects="attention.batch-matrix-multiplication",
    note=r"It is the product of matching matrices, batch entry by batch entry: "
    r"$\mathbf{Q}_s\mathbf{K}_s$, a matrix product of $a \times b$ by $b \times c$ for each $s$. "
    r"An element-wise (Hadamard) product would need equal shapes and give "
    r"$n \times a \times b$.",
)
