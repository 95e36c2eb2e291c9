r"""§ 11 Additive Attention, and The Bahdanau Attention Mechanism.

Main declarations:

* ``attention.additive-attention-score`` — :math:`a(\mathbf{q}, \mathbf{k}) =
  \mathbf{w}_v^\top\tanh(\mathbf{W}_q\mathbf{q} + \mathbf{W}_k\mathbf{k}) \in \mathbb{R}`, fed
  into a softmax;
* ``attention.additive-attention-is-mlp`` — the same score is a one-hidden-layer tanh MLP
  without biases applied to the concatenation :math:`[\mathbf{q}; \mathbf{k}]`;
* notation note ``attention.additive-dimension-letters`` — the notes name the sizes of
  :math:`\mathbf{q}` and :math:`\mathbf{k}` with the letters :math:`q` and :math:`k`;
* ``attention.bahdanau-context`` (addition: the notes' heading is empty) — the Bahdanau context
  :math:`\mathbf{c}_{t'} = \sum_t \alpha(\mathbf{s}_{t'-1}, \mathbf{h}_t)\mathbf{h}_t` is a
  convex combination of the valid encoder states.
"""

from __future__ import annotations

import mpmath
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.attention.claims._support import (
    DPS,
    arrays,
    lengths,
    prefix_mask,
    sample,
    within_valid_values,
)
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close

SECTION = Section("attention", "11 Additive Attention")


def _parameters(h: int, dq: int, dk: int, seed: int, dtype, device):
    return (
        sample(h, dq, seed=seed, dtype=dtype, device=device, scale=0.7),
        sample(h, dk, seed=seed + 1, dtype=dtype, device=device, scale=0.7),
        sample(h, seed=seed + 2, dtype=dtype, device=device),
    )


def _mp_additive(q, k, v, W_q, W_k, w_v, length=None):
    r"""Additive attention of one query ``q`` over keys ``k``/values ``v`` at :data:`DPS`
    digits: scores :math:`\mathbf{w}_v^\top\tanh(\mathbf{W}_q\mathbf{q} + \mathbf{W}_k
    \mathbf{k}_j)`, softmax over the first ``length`` keys, weighted sum. Returns the output
    and :math:`\sum_j \alpha_j |\mathbf{v}_j|` (the size of its rounding error)."""
    with mpmath.workdps(DPS):
        mp = mpmath.mpf
        keep = len(k) if length is None else length
        hq = [mpmath.fsum(mp(a) * mp(b) for a, b in zip(row, q, strict=True)) for row in W_q]
        scores = []
        for key in k[:keep]:
            hk = [mpmath.fsum(mp(a) * mp(b) for a, b in zip(row, key, strict=True)) for row in W_k]
            scores.append(
                mpmath.fsum(mp(c) * mpmath.tanh(x + y) for c, x, y in zip(w_v, hq, hk, strict=True))
            )
        if not scores:
            return [0.0] * len(v[0]), [0.0] * len(v[0])
        top = max(scores)
        e = [mpmath.exp(s - top) for s in scores]
        total = mpmath.fsum(e)
        alpha = [x / total for x in e]
        cols = range(len(v[0]))
        out = [
            float(mpmath.fsum(a * mp(row[c]) for a, row in zip(alpha, v, strict=False)))
            for c in cols
        ]
        size = [
            float(mpmath.fsum(a * abs(mp(row[c])) for a, row in zip(alpha, v, strict=False)))
            for c in cols
        ]
        return out, size


additive_attention_score = SECTION.claim(
    "additive-attention-score",
    title="Additive attention",
    statement=r"a(\mathbf{q}, \mathbf{k}) = \mathbf{w}_v^{\top} \tanh(\mathbf{W}_q \mathbf{q} + "
    r"\mathbf{W}_k \mathbf{k}) \in \mathbb{R},\quad \mathbf{W}_q \in \mathbb{R}^{h \times d_q},\ "
    r"\mathbf{W}_k \in \mathbb{R}^{h \times d_k},\ \mathbf{w}_v \in \mathbb{R}^h",
    kind=Kind.DEFINITION,
    code=("additive_attention",),
    note=r"The scores are fed into a (masked) softmax over the keys, and the weights pool the "
    r"values. Queries and keys may have different sizes $d_q \ne d_k$ — the reason for this "
    r"score.",
    symbolic=NotApplicable("a definition, evaluated exactly by mpmath in the numeric leg"),
)


@additive_attention_score.numeric_leg(
    oracle="mpmath at 50 digits (error in eps of the sum of |terms|); gradcheck / "
    "gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    Q = sample(2, 3, 5, seed=130, dtype=dtype, device=device)
    K = sample(2, 4, 2, seed=131, dtype=dtype, device=device)
    V = sample(2, 4, 3, seed=132, dtype=dtype, device=device)
    W_q, W_k, w_v = _parameters(6, 5, 2, 133, dtype, device)
    lens = torch.tensor([4, 2], device=device)
    got = impl.additive_attention(Q, K, V, W_q, W_k, w_v, lens)
    assert got.shape == (2, 3, 3) and got.dtype == dtype
    W_q_, W_k_, w_v_ = (oracle_input(x).tolist() for x in (W_q, W_k, w_v))
    exact, size = [], []
    for s in range(2):
        k_s, v_s = oracle_input(K[s]).tolist(), oracle_input(V[s]).tolist()
        rows = [
            _mp_additive(q, k_s, v_s, W_q_, W_k_, w_v_, int(lens[s]))
            for q in oracle_input(Q[s]).tolist()
        ]
        exact.append([r[0] for r in rows])
        size.append([r[1] for r in rows])
    # the pooled sum may cancel: its error is measured against sum_j alpha_j |v_j|
    assert_accurate(got, exact, scale=size, msg="additive attention vs mpmath")
    if dtype == torch.float64:
        leaves = [
            x.clone().requires_grad_()
            for x in (Q[0, :2], K[0, :3], V[0, :3], W_q[:3], W_k[:3], w_v[:3])
        ]

        def f(*args):
            return impl.additive_attention(*args, lens[1])

        assert torch.autograd.gradcheck(f, leaves, fast_mode=True)
        assert torch.autograd.gradgradcheck(f, leaves, fast_mode=True)


@additive_attention_score.property_leg(
    r"for drawn sizes $d_q \ne d_k$, hidden size $h$ and valid lengths, the output equals the "
    r"additive attention evaluated by mpmath"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Q, K, V), params, lens = case
        got = impl.additive_attention(Q, K, V, *params, lens)
        p = [x.tolist() for x in params]
        n, m = Q.shape[-2], K.shape[-2]
        rows = zip(
            Q.reshape(-1, n, Q.shape[-1]).tolist(),
            K.reshape(-1, m, K.shape[-1]).tolist(),
            V.reshape(-1, m, V.shape[-1]).tolist(),
            lens.reshape(-1).tolist(),
            strict=True,
        )
        exact, size = [], []
        for qs, ks, vs, length in rows:
            pooled = [_mp_additive(q, ks, vs, p[0], p[1], p[2], length) for q in qs]
            exact.append([r[0] for r in pooled])
            size.append([r[1] for r in pooled])
        shape = got.shape
        exact_t = torch.tensor(exact, dtype=torch.float64).reshape(shape)
        return is_accurate(
            got, exact_t, scale=torch.tensor(size, dtype=torch.float64).reshape(shape)
        )

    return ForAll(_additive_cases(), holds, names=("Q, K, V", "params", "l"))


@st.composite
def _additive_cases(draw):
    batch = draw(st.lists(st.integers(1, 2), max_size=1).map(tuple))
    n, m, dq, dk, h, v = (draw(st.integers(1, 3)) for _ in range(6))
    Q, K, V = (draw(arrays((*batch, a, b), 5.0)) for a, b in ((n, dq), (m, dk), (m, v)))
    params = tuple(draw(arrays(shape, 2.0)) for shape in ((h, dq), (h, dk), (h,)))
    count = int(torch.Size(batch).numel())
    lens = draw(st.lists(st.integers(0, m), min_size=count, max_size=count))
    return (Q, K, V), params, torch.tensor(lens, dtype=torch.int64).reshape(batch)


def _matches(impl, scorer):
    def holds(case) -> bool:
        (Q, K, V), (W_q, W_k, w_v), lens = case
        mask = prefix_mask(lens, K.shape[-2], per_sequence=True)
        scores = scorer(Q, K, W_q, W_k, w_v).masked_fill(~mask, -torch.inf)
        weights = torch.softmax(scores, -1).nan_to_num(0.0)  # a row of length 0: no weight
        got = impl.additive_attention(Q, K, V, W_q, W_k, w_v, lens)
        return is_close(got, weights @ V)

    return holds


additive_attention_is_mlp = SECTION.claim(
    "additive-attention-is-mlp",
    title="Additive attention is an MLP on the concatenated query and key",
    statement=r"\mathbf{w}_v^\top\tanh(\mathbf{W}_q\mathbf{q} + \mathbf{W}_k\mathbf{k}) = "
    r"\mathbf{w}_v^\top\tanh\Big([\mathbf{W}_q\ \mathbf{W}_k]\begin{bmatrix}\mathbf{q} \\ "
    r"\mathbf{k}\end{bmatrix}\Big)",
    kind=Kind.THEOREM,
    code=("additive_attention",),
    note=r"A single hidden layer of width $h$ with tanh, no biases, and a linear output. The "
    r"additive form is the cheaper one: $\mathbf{W}_q\mathbf{q}$ is computed once per query and "
    r"$\mathbf{W}_k\mathbf{k}$ once per key, where the MLP multiplies all $nm$ concatenations.",
)


@additive_attention_is_mlp.symbolic_leg(scope="general sizes $h$, $d_q$, $d_k$")
def _() -> Derivation:
    h, dq, dk = sp.symbols("h d_q d_k", integer=True, positive=True)
    W_q, W_k = sp.MatrixSymbol("W_q", h, dq), sp.MatrixSymbol("W_k", h, dk)
    q, k = sp.MatrixSymbol("q", dq, 1), sp.MatrixSymbol("k", dk, 1)
    concatenated = sp.BlockMatrix([[W_q, W_k]]) * sp.BlockMatrix([[q], [k]])
    collapsed = sp.block_collapse(concatenated)
    return Derivation(
        steps=[
            Step(r"The first layer on the concatenation $[\mathbf{q}; \mathbf{k}]$", concatenated),
            Step("Multiply the blocks", equation(concatenated, collapsed)),
        ],
        residuals=[sp.Eq(collapsed, W_q * q + W_k * k)],
        compared=[r"the block product equals $\mathbf{W}_q\mathbf{q} + \mathbf{W}_k\mathbf{k}$"],
    )


def _mlp_scores(Q, K, W_q, W_k, w_v):
    """The scores of the MLP on every concatenation ``[q_i; k_j]`` (float64): a linear layer
    without bias of weight ``[W_q W_k]``, tanh, and a linear output without bias of weight
    ``w_v`` (``torch.nn.functional.linear``, the function ``torch.nn.Linear`` calls)."""
    n, m = Q.shape[-2], K.shape[-2]
    shape = torch.broadcast_shapes(Q.shape[:-2], K.shape[:-2])
    pairs = torch.cat(
        [
            Q.double().unsqueeze(-2).expand(*shape, n, m, Q.shape[-1]),
            K.double().unsqueeze(-3).expand(*shape, n, m, K.shape[-1]),
        ],
        dim=-1,
    )
    hidden = torch.tanh(F.linear(pairs, torch.cat([W_q, W_k], dim=1).double()))
    return F.linear(hidden, w_v.double().unsqueeze(0)).squeeze(-1)


@additive_attention_is_mlp.numeric_leg(
    oracle="an MLP (torch.nn.functional.linear, tanh, linear; no biases) on [q; k], masked "
    "torch.softmax (float64)"
)
def _(impl, device, dtype) -> None:
    Q = sample(3, 4, 6, seed=140, dtype=dtype, device=device)
    K = sample(3, 5, 3, seed=141, dtype=dtype, device=device)
    V = sample(3, 5, 2, seed=142, dtype=dtype, device=device)
    W_q, W_k, w_v = _parameters(8, 6, 3, 143, dtype, device)
    lens = lengths(5, 3, seed=144, device=device)
    params = tuple(x.double().cpu() for x in (W_q, W_k, w_v))
    case = ((Q.double().cpu(), K.double().cpu(), V.double().cpu()), params, lens.cpu())
    mask = prefix_mask(lens.cpu(), 5, per_sequence=True)
    scores = _mlp_scores(case[0][0], case[0][1], *params).masked_fill(~mask, -torch.inf)
    want = torch.softmax(scores, -1).nan_to_num(0.0) @ case[0][2]
    got = impl.additive_attention(Q, K, V, W_q, W_k, w_v, lens)
    assert_close(got, want, dtype=dtype, msg="additive attention vs the MLP on [q; k]")


@additive_attention_is_mlp.property_leg(
    r"for drawn sizes and valid lengths, the output equals the torch MLP on "
    r"$[\mathbf{q}; \mathbf{k}]$ pooled with a masked softmax"
)
def _(impl) -> ForAll:
    return ForAll(_additive_cases(), _matches(impl, _mlp_scores), names=("Q, K, V", "params", "l"))


additive_dimension_letters = SECTION.claim(
    "additive-dimension-letters",
    title="The sizes of the query and key are named q and k",
    statement=r"\mathbf{q} \in \mathbb{R}^q,\ \mathbf{k} \in \mathbb{R}^k,\ \mathbf{W}_q \in "
    r"\mathbb{R}^{h \times q},\ \mathbf{W}_k \in \mathbb{R}^{h \times k}",
    kind=Kind.NOTATION,
    corrects="attention.additive-attention-score",
    note=r"The letters $q$ and $k$ name both the vectors and their sizes (and a word is missing "
    r"in 'an equivalent interpretation of is'). Read the sizes as $d_q$ and $d_k$: "
    r"$\mathbf{q} \in \mathbb{R}^{d_q}$, $\mathbf{W}_q \in \mathbb{R}^{h \times d_q}$, and so on.",
)


bahdanau_context = SECTION.claim(
    "bahdanau-context",
    title="The Bahdanau context is a convex combination of the encoder states (addition)",
    statement=r"\mathbf{c}_{t'} = \sum_{t=1}^{T} \alpha(\mathbf{s}_{t'-1}, \mathbf{h}_t)\, "
    r"\mathbf{h}_t \in \operatorname{conv}\{\mathbf{h}_1, \dots, \mathbf{h}_T\}",
    source="11 The Bahdanau Attention Mechanism",
    kind=Kind.THEOREM,
    code=("additive_attention",),
    uses=("attention.additive-attention-score", "attention.convex-weights-convex-hull"),
    note=r"Addition: the notes' heading 'The Bahdanau Attention Mechanism' has no content. The "
    r"standard result (Bahdanau et al., 2014): at decoding step $t'$ the decoder's previous "
    r"hidden state $\mathbf{s}_{t'-1}$ is the query and the encoder's hidden states "
    r"$\mathbf{h}_t$ are both keys and values of additive attention; the context "
    r"$\mathbf{c}_{t'}$ is a convex combination of the $T$ valid encoder states, and padded "
    r"states (beyond the source length) get no weight.",
    symbolic=NotApplicable(
        "the cited claims make the proof: additive attention pools with softmax weights, a "
        "convex combination, which lies in the convex hull"
    ),
)


@bahdanau_context.numeric_leg(
    oracle="the context summed by mpmath over the valid states (error in eps); "
    "independence of the padded states (bitwise)"
)
def _(impl, device, dtype) -> None:
    states = sample(2, 6, 4, seed=150, dtype=dtype, device=device)  # encoder h_t, 2 sequences
    decoder = sample(2, 3, 4, seed=151, dtype=dtype, device=device)  # s_{t'-1}, 3 steps
    W_q, W_k, w_v = _parameters(5, 4, 4, 152, dtype, device)
    lens = torch.tensor([6, 3], device=device)
    context = impl.additive_attention(decoder, states, states, W_q, W_k, w_v, lens)
    W_q_, W_k_, w_v_ = (oracle_input(x).tolist() for x in (W_q, W_k, w_v))
    for s in range(2):
        h_s = oracle_input(states[s]).tolist()
        rows = [
            _mp_additive(q, h_s, h_s, W_q_, W_k_, w_v_, int(lens[s]))
            for q in oracle_input(decoder[s]).tolist()
        ]
        assert_accurate(
            context[s], [r[0] for r in rows], scale=[r[1] for r in rows], msg=f"sequence {s}"
        )
    garbage = states.clone()
    garbage[1, 3:] = 7.0  # the padded encoder states of the short sequence
    again = impl.additive_attention(decoder, states, garbage, W_q, W_k, w_v, lens)
    assert torch.equal(again[1], context[1]), "padded encoder states leaked into the context"


@bahdanau_context.property_leg(
    "each context coordinate lies between the smallest and largest value of that coordinate "
    "over the valid encoder states"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        (Q, K, _), params, _ = draw(_additive_cases())
        states = draw(arrays((*K.shape[:-1], Q.shape[-1]), 5.0))  # keys = values = h_t
        size = params[0].shape[1]
        W_k = draw(arrays((params[0].shape[0], size), 2.0))
        return Q, states, (params[0], W_k, params[2]), draw(st.integers(1, states.shape[-2]))

    def holds(case) -> bool:
        Q, H, (W_q, W_k, w_v), length = case
        lens = torch.full(H.shape[:-2], length, dtype=torch.int64)
        context = impl.additive_attention(Q, H, H, W_q, W_k, w_v, lens)
        return within_valid_values(context, H, length)

    return ForAll(cases(), holds, names=("s", "h", "params", "T"))
