r"""§ 11 Masked Softmax Operation — attention over sequences of different lengths.

Main declarations:

* ``attention.masked-softmax`` — positions at or beyond the valid length :math:`l` get weight
  exactly 0, the others the softmax of the valid prefix (summing to 1); lengths per sequence or
  per query; a length of 0 gives no weight at all;
* erratum ``attention.truncated-sum-keeps-weights`` — limiting
  :math:`\sum_{i=1}^n \alpha(\mathbf{q}, \mathbf{k}_i)\mathbf{v}_i` to :math:`i \le l` with the
  same weights is not the masked attention: the weights must be renormalized;
* notation note ``attention.mask-sets-scores-not-weights`` — :math:`-10^6` replaces the
  scores, not the weights;
* erratum ``attention.large-negative-fill-vanishes`` — the :math:`-10^6` fill does not make the
  masked weights vanish for a valid length of 0 (and becomes ``-inf`` in float16);
  ``attention.large-negative-fill-conditions`` states when it does.
"""

from __future__ import annotations

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.attention.claims._support import arrays, lengths, mp_softmax, sample
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import FLOAT_DTYPES, assert_accurate, assert_close, is_close

SECTION = Section("attention", "11 Masked Softmax Operation")

n = sp.Symbol("n", integer=True, positive=True)
l_ = sp.Symbol("l", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True)
a = sp.IndexedBase("a", real=True)

#: the notes' fill value for masked scores
FILL = -1e6


def large_negative_fill(scores: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
    r"""The notes' (and the d2l code's) masked softmax: the scores at positions :math:`\ge l`
    set to :math:`-10^6` by index assignment in the scores' dtype (``-inf`` in float16), then
    ``torch.softmax``."""
    filled = scores.clone()
    filled[~valid_mask(scores, lens)] = FILL
    return torch.softmax(filled, dim=-1)


@st.composite
def scores_and_lengths(draw, *, magnitude: float = 1e3, min_len: int = 0, per_query: bool = True):
    """``(scores, lens)``: scores ``(*B, n, m)`` and valid lengths in ``[min_len, m]``, one per
    sequence ``(*B,)`` or, if ``per_query``, possibly one per query ``(*B, n)``."""
    batch = draw(st.lists(st.integers(1, 2), max_size=1).map(tuple))
    rows, m = draw(st.integers(1, 2)), draw(st.integers(max(min_len, 1), 5))
    scores = draw(arrays((*batch, rows, m), magnitude))
    shape = (*batch, rows) if per_query and draw(st.booleans()) else batch
    count = int(torch.Size(shape).numel())
    lens = draw(st.lists(st.integers(min_len, m), min_size=count, max_size=count))
    return scores, torch.tensor(lens, dtype=torch.int64).reshape(shape)


def valid_mask(scores: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
    """``j < l`` for every score (per-sequence lengths broadcast over the queries)."""
    per = lens.unsqueeze(-1) if lens.dim() == scores.dim() - 1 else lens[..., None, None]
    return (torch.arange(scores.shape[-1], device=scores.device) < per).expand(scores.shape)


def _prefix_softmax(scores: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
    """The oracle: ``torch.softmax`` of each row's valid prefix (float64), zeros after it."""
    rows = scores.double().reshape(-1, scores.shape[-1])
    full = valid_mask(scores, lens).sum(-1)
    out = torch.zeros_like(rows)
    for r, length in enumerate(full.reshape(-1).tolist()):
        if length:
            out[r, :length] = torch.softmax(rows[r, :length], -1)
    return out.reshape(scores.shape)


masked_softmax = SECTION.claim(
    "masked-softmax",
    title="The masked softmax",
    statement=r"\alpha_i = \begin{cases} \dfrac{\exp(a_i)}{\sum_{j=1}^{l}\exp(a_j)} & i \le l "
    r"\\ 0 & i > l \end{cases} \quad\Rightarrow\quad \sum_{i=1}^{n} \alpha_i \mathbf{v}_i = "
    r"\sum_{i=1}^{l} \alpha_i \mathbf{v}_i,\quad \sum_{i=1}^{l} \alpha_i = 1",
    kind=Kind.DEFINITION,
    code=("masked_softmax",),
    uses=("classification.softmax-nonnegative", "classification.softmax-sums-to-one"),
    note=r"The valid length $l$ may differ per sequence or per query. With $l = 0$ there is "
    r"nothing to normalize: the reference gives every position weight 0, so attention over a "
    r"fully padded row is the zero vector (as `torch.nn.functional.scaled_dot_product_attention` "
    r"returns for a fully masked row). Masked scores are never read: they may hold anything.",
)


@masked_softmax.symbolic_leg(scope="general $l$")
def _() -> Derivation:
    valid = sp.exp(a[i]) / sp.Sum(sp.exp(a[j]), (j, 1, l_))
    o = sp.IndexedBase("o", real=True)
    classification = (sp.exp(o[i]) / sp.Sum(sp.exp(o[j]), (j, 1, l_))).subs(o, a)
    return Derivation(
        steps=[
            Step(r"A valid weight, $i \le l$", equation(sp.Symbol(r"\alpha_i"), valid)),
            Step(
                r"It is the softmax of the $l$ valid scores: nonnegative, summing to 1 over "
                r"$i \le l$",
                equation(valid, classification),
                cites=("classification.softmax-nonnegative", "classification.softmax-sums-to-one"),
            ),
            Step(
                r"The terms $i > l$ have $\alpha_i = 0$, so the pooled sum stops at $l$",
                equation(
                    sp.Sum(sp.Symbol(r"\alpha_i \mathbf{v}_i"), (i, 1, n)),
                    sp.Sum(sp.Symbol(r"\alpha_i \mathbf{v}_i"), (i, 1, l_)),
                ),
            ),
        ],
        residuals=[valid - classification],
        compared=["a valid weight minus the softmax of the valid prefix"],
    )


@masked_softmax.numeric_leg(
    oracle="torch.softmax of each valid prefix (float64); mpmath softmax (error in eps); "
    "gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    scores = sample(3, 4, 6, seed=100, dtype=dtype, device=device, scale=6.0)
    garbage = scores.clone()
    garbage[..., -2:] = torch.tensor([float("nan"), float("inf")], dtype=dtype)
    per_sequence = lengths(6, 3, seed=101, device=device)
    per_query = lengths(4, 3, 4, seed=102, device=device)
    for lens in (per_sequence, per_query):
        got = impl.masked_softmax(scores, lens)
        assert got.dtype == dtype and got.shape == scores.shape
        want = _prefix_softmax(scores.cpu(), lens.cpu())
        assert_close(got, want, dtype=dtype, msg=f"lengths of shape {tuple(lens.shape)}")
        assert (got[~valid_mask(scores, lens)] == 0).all(), "masked weights are not exactly 0"
        short = torch.minimum(lens, torch.tensor(4, device=device))
        assert torch.equal(impl.masked_softmax(garbage, short), impl.masked_softmax(scores, short))
    rows = oracle_input(scores[1]).tolist()
    exact = torch.tensor([[float(x) for x in mp_softmax(r)] for r in rows], dtype=torch.float64)
    assert_accurate(impl.masked_softmax(scores[1]), exact, msg="no mask: the softmax")
    _large_calls(impl, device, dtype)
    if dtype == torch.float64:
        leaf = scores.clone().requires_grad_()
        for lens in (per_sequence, per_query):
            assert torch.autograd.gradcheck(
                lambda s, lens=lens: impl.masked_softmax(s, lens), (leaf,), fast_mode=True
            )
            assert torch.autograd.gradgradcheck(
                lambda s, lens=lens: impl.masked_softmax(s, lens), (leaf,), fast_mode=True
            )


def _large_calls(impl, device, dtype) -> None:
    """A call of more than 2**14 scores (an implementation may mask a large call differently
    from a small one): NaN and +inf padding ignored, rows of length 0 all zero, a valid +inf
    row NaN; lengths per sequence and per query."""
    scores = sample(4, 64, 80, seed=103, dtype=dtype, device=device, scale=6.0)
    per_sequence = lengths(80, 4, seed=104, device=device)
    per_query = lengths(80, 4, 64, seed=105, device=device)
    per_query[1, ::4] = 0
    for lens in (per_sequence, per_query):
        drop = ~valid_mask(scores, lens)
        garbage = scores.masked_fill(drop, float("nan"))
        garbage[..., 1::2] = scores[..., 1::2].masked_fill(drop[..., 1::2], float("inf"))
        got = impl.masked_softmax(garbage, lens)
        want = _prefix_softmax(scores.cpu(), lens.cpu())
        shape = tuple(lens.shape)
        assert_close(got, want, dtype=dtype, msg=f"large call, NaN and inf padding, {shape}")
        assert (got[drop] == 0).all(), f"large call: masked weights not exactly 0, {shape}"
    plus = scores.clone()
    plus[2, 5, 0] = float("inf")
    got = impl.masked_softmax(plus, per_query)
    assert bool(torch.isnan(got[2, 5]).all()), "large call: a valid +inf makes its row NaN"
    assert not bool(torch.isnan(got[:2]).any()), "large call: NaN outside the +inf row"


@masked_softmax.property_leg(
    r"for scores up to $10^3$ and lengths per sequence or per query in $[0, m]$: the weights "
    r"are the softmax of the valid prefix and exactly 0 after it (all 0 for $l = 0$)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        scores, lens = case
        got = impl.masked_softmax(scores, lens)
        want = _prefix_softmax(scores, lens)
        return is_close(got, want) and bool((got[~valid_mask(scores, lens)] == 0).all())

    return ForAll(scores_and_lengths(), holds, names=("a", "l"))


truncated_sum_keeps_weights = SECTION.claim(
    "truncated-sum-keeps-weights",
    title="Cutting the pooled sum at the valid length, with the same weights",
    statement=r"\sum_{i=1}^{n} \alpha(\mathbf{q}, \mathbf{k}_i) \mathbf{v}_i \;\to\; "
    r"\sum_{i=1}^{l} \alpha(\mathbf{q}, \mathbf{k}_i) \mathbf{v}_i \quad \text{is the masked "
    r"attention, } \alpha = \operatorname{softmax} \text{ over all } n",
    kind=Kind.ERRATUM,
    code=("masked_softmax",),
    corrects="attention.masked-softmax",
    note=r"The notes: 'we simply need to limit $\sum_{i=1}^{n}$ … to $\sum_{i=1}^{l}$'. Kept as "
    r"they are, the weights of the first $l$ keys sum to less than 1 (they were normalized "
    r"over all $n$ keys, padding included). The masked softmax renormalizes them over the "
    r"valid prefix.",
    numeric=NotApplicable(
        "the property leg refutes it; the renormalized weights are checked in "
        "attention.masked-softmax"
    ),
)


@truncated_sum_keeps_weights.symbolic_leg(scope="disproved at $n = 2$, $l = 1$, $a = (0, 0)$")
def _() -> Derivation:
    a1, a2, v1 = sp.symbols("a_1 a_2 v_1", real=True)
    truncated = sp.exp(a1) / (sp.exp(a1) + sp.exp(a2)) * v1
    masked = sp.exp(a1) / sp.exp(a1) * v1
    return Derivation(
        steps=[
            Step(r"The sum cut at $l = 1$, weights normalized over $n = 2$", truncated),
            Step(r"The masked attention: the weight renormalized over $l = 1$", masked),
        ],
        residuals=[truncated - masked],
        witness={a1: 0, a2: 0, v1: 1},
        witness_symbols={
            "a_1": r"the score $a(\mathbf{q}, \mathbf{k}_1)$ of the one valid key "
            r"($l = 1$ of $n = 2$)",
            "a_2": r"the score $a(\mathbf{q}, \mathbf{k}_2)$ of the padded key",
            "v_1": r"the (scalar) value of the valid key",
        },
        compared=["the truncated sum minus the masked attention"],
    )


@truncated_sum_keeps_weights.property_leg(
    r"for $1 \le l \le n$, the full softmax weights cut at $l$ pool the values to the same "
    r"result as the masked softmax"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):  # one query: a row of m scores, a length, scalar values
        m = draw(st.integers(1, 4))
        return draw(arrays((m,), 10.0)), draw(st.integers(1, m)), draw(arrays((m,), 10.0))

    def holds(case) -> bool:
        scores, length, values = case
        cut = torch.softmax(scores, -1)[:length] @ values[:length]
        return is_close(cut, impl.masked_softmax(scores, torch.tensor(length)) @ values)

    return ForAll(cases(), holds, names=("a", "l", "v"))


mask_sets_scores_not_weights = SECTION.claim(
    "mask-sets-scores-not-weights",
    title="The fill goes into the scores, not the weights",
    statement=r"\text{``we set the attention weights to a large negative number, such as } "
    r"-10^6\text{''}",
    kind=Kind.NOTATION,
    corrects="attention.masked-softmax",
    note=r"Attention weights are the softmax outputs and are never negative; what is set to "
    r"$-10^6$ are the scores $a(\mathbf{q}, \mathbf{k}_i)$, $i > l$, before the softmax, which "
    r"turns them into weights $\approx 0$. Setting the padded values $\mathbf{v}_i$ to 0 as well "
    r"matters only when padding may hold NaN or inf ($0 \cdot \infty$ is NaN).",
)


large_negative_fill_vanishes = SECTION.claim(
    "large-negative-fill-vanishes",
    title="The −10⁶ fill makes the masked weights vanish (as the notes say)",
    statement=r"a_i := -10^6\ (i > l) \Rightarrow \operatorname{softmax}(\mathbf{a})_i = 0 "
    r"\text{ for } i > l, \text{ every } 0 \le l \le n",
    kind=Kind.ERRATUM,
    corrects="attention.large-negative-fill-conditions",
    note=r"With a valid length of 0 every score is $-10^6$ and the softmax is uniform: each "
    r"padded position gets weight $1/n$, so the 'masked' attention averages the padding. In "
    r"float16, $-10^6$ overflows to $-\infty$ and the same row is $0/0 =$ NaN. (bfloat16 holds "
    r"$-999424$.) The property leg evaluates the fill as the notes describe it, with "
    r"`torch.softmax`; no reference function is involved.",
)


@large_negative_fill_vanishes.symbolic_leg(scope="disproved at $l = 0$, any $n$")
def _() -> Derivation:
    fill = sp.Integer(-(10**6))
    weight = sp.exp(fill) / sp.Sum(sp.exp(fill), (j, 1, n)).doit()
    return Derivation(
        steps=[
            Step(r"$l = 0$: every score is $-10^6$", equation(sp.Symbol("a_i"), fill)),
            Step(r"The softmax of $n$ equal scores", equation(sp.Symbol(r"\alpha_i"), weight)),
        ],
        residuals=[weight],
        witness={n: 3},
        witness_symbols={
            "n": r"the number of keys, every one of them padding since the valid length is "
            r"$l = 0$"
        },
        compared=["a padded position's weight (0 if it vanished)"],
    )


@large_negative_fill_vanishes.numeric_leg(
    oracle="the fill evaluated with torch.softmax in each dtype, at l = 0",
)
def _(impl, device, dtype) -> None:
    scores = sample(2, 5, seed=103, dtype=dtype, device=device)
    got = large_negative_fill(scores.cpu(), torch.tensor([0, 3]))
    fill = torch.tensor(FILL, dtype=dtype)
    if dtype == torch.float16:
        assert fill == -torch.inf and torch.isnan(got[0]).all(), "float16: -1e6 is -inf, 0/0"
    else:
        assert_close(got[0], torch.full((5,), 0.2), dtype=dtype, msg="l = 0: uniform weights")
    assert (got[1, 3:] == 0).all(), "with l >= 1 the fill does make the weights 0"


@large_negative_fill_vanishes.property_leg(
    r"for every dtype and $0 \le l \le n$, the weights of the positions $i > l$ filled with "
    r"$-10^6$ are exactly 0"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):  # one row of scores, a length in [0, m], a dtype
        m = draw(st.integers(1, 4))
        dtype = draw(st.sampled_from(FLOAT_DTYPES))
        return draw(arrays((m,), 10.0)), draw(st.integers(0, m)), dtype

    def holds(case) -> bool:
        scores, length, dtype = case
        got = large_negative_fill(scores.to(dtype), torch.tensor(length))
        return bool((got[length:] == 0).all())

    return ForAll(cases(), holds, names=("a", "l", "dtype"))


large_negative_fill_conditions = SECTION.claim(
    "large-negative-fill-conditions",
    title="When the −10⁶ fill gives the masked softmax",
    statement=r"l \ge 1,\ \max_{i \le l} a_i > -10^6 + 746 \Rightarrow \operatorname{softmax}"
    r"(\mathbf{a}^{\text{filled}}) = \operatorname{masked\_softmax}(\mathbf{a}, l) "
    r"\text{ (masked weights exactly 0)}",
    kind=Kind.THEOREM,
    code=("masked_softmax",),
    note=r"A masked weight is $e^{-10^6 - M}/Z$ with $M$ the largest valid score and "
    r"$Z \ge 1$; it rounds to 0 once $e^{-10^6 - M}$ is below half the smallest subnormal: "
    r"$2^{-1075} = e^{-745.1}$ in float64, $2^{-150} = e^{-104.0}$ in float32 (where "
    r"`torch.softmax` computes float16 and bfloat16). In float16 the fill is $-\infty$, which "
    r"gives exact zeros too. The reference needs neither condition.",
)


@large_negative_fill_conditions.symbolic_leg(scope="float64 and float32 rounding thresholds")
def _() -> Derivation:
    return Derivation(
        steps=[
            Step(
                r"float64: $e^{-746}$ is below half the smallest subnormal $2^{-1074}$, so it "
                r"rounds to 0",
                sp.exp(-746) < sp.Rational(1, 2**1075),
            ),
            Step(r"float32: $e^{-105}$ is below $2^{-150}$", sp.exp(-105) < sp.Rational(1, 2**150)),
        ],
        residuals=[sp.exp(-746) < sp.Rational(1, 2**1075), sp.exp(-105) < sp.Rational(1, 2**150)],
        compared=["float64 underflow", "float32 underflow"],
    )


@large_negative_fill_conditions.numeric_leg(
    oracle="the −10⁶ fill evaluated with torch.softmax in the same dtype"
)
def _(impl, device, dtype) -> None:
    scores = sample(3, 4, 7, seed=104, dtype=dtype, device=device, scale=50.0)
    lens = lengths(7, 3, 4, seed=105, device=device).clamp(min=1)
    filled = large_negative_fill(scores.cpu(), lens.cpu())
    assert (filled[~valid_mask(scores.cpu(), lens.cpu())] == 0).all()
    assert_close(impl.masked_softmax(scores, lens), filled, msg="masked_softmax vs the fill")


@large_negative_fill_conditions.property_leg(
    r"for $l \ge 1$ and scores in $[-10^5, 10^5]$ (float64), the fill gives exact zeros and "
    r"equals `masked_softmax`"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        scores, lens = case
        filled = large_negative_fill(scores, lens)
        zeros = bool((filled[~valid_mask(scores, lens)] == 0).all())
        return zeros and is_close(impl.masked_softmax(scores, lens), filled)

    return ForAll(scores_and_lengths(magnitude=1e5, min_len=1), holds, names=("a", "l"))
