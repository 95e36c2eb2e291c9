r"""§ 11 Queries, Keys, and Values — attention pooling and the notes' four kinds of weights.

Main declarations:

* ``attention.attention-pooling-definition`` — :math:`\operatorname{Attention}(\mathbf{q},
  \mathcal{D}) = \sum_i \alpha(\mathbf{q}, \mathbf{k}_i)\mathbf{v}_i`;
* ``attention.nonnegative-weights-convex-cone`` — nonnegative weights give a point of the
  convex cone spanned by the values;
* ``attention.convex-weights-convex-hull`` — a convex combination gives a point of their
  convex hull;
* ``attention.one-hot-weights-lookup`` — a one-hot row returns the value it selects, exactly;
* ``attention.uniform-weights-average-pooling`` — weights :math:`1/m` give the average;
* ``attention.softmax-weights-convex-combination`` — softmax weights are a convex combination
  (citing ``classification.softmax-nonnegative`` and ``classification.softmax-sums-to-one``).
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.attention.claims._support import (
    BATCHES,
    arrays,
    mp_pool,
    mp_softmax,
    pool_scale,
    sample,
)
from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input, simplex
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close

SECTION = Section("attention", "11 Queries, Keys, and Values")

m = sp.Symbol("m", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
alpha = sp.IndexedBase(r"\alpha", real=True)
v = sp.IndexedBase("v", real=True)
a = sp.IndexedBase("a", real=True)


def _mp_pooled(w: torch.Tensor, vals: torch.Tensor):
    """Exact pooled rows and their rounding scales for ``w`` ``(n, m)``, ``vals`` ``(m, v)``."""
    ws, vs = oracle_input(w).tolist(), oracle_input(vals).tolist()
    return [mp_pool(row, vs) for row in ws], [pool_scale(row, vs) for row in ws]


attention_pooling_definition = SECTION.claim(
    "attention-pooling-definition",
    title="Attention pooling is a weighted sum of the values",
    statement=r"\operatorname{Attention}(\mathbf{q}, \mathcal{D}) \stackrel{\text{def}}{=} "
    r"\sum_{i=1}^{m} \alpha(\mathbf{q}, \mathbf{k}_i)\, \mathbf{v}_i",
    kind=Kind.DEFINITION,
    code=("attention_pool",),
    symbolic=NotApplicable("a definition; the special cases below are derived from it"),
)


@attention_pooling_definition.numeric_leg(
    oracle="the sum by mpmath at 50 digits (error in eps of the sum of |terms|); "
    "gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    # real weights of either sign: the sum may cancel, so its error is measured against
    # sum_i |alpha_i| |v_i|, the accuracy a rounded sum can reach
    w = sample(4, 6, seed=1, dtype=dtype, device=device)
    vals = sample(6, 3, seed=2, dtype=dtype, device=device)
    exact, scale = _mp_pooled(w, vals)
    got = impl.attention_pool(w, vals)
    assert got.shape == (4, 3) and got.dtype == dtype and got.device == w.device
    assert_accurate(got, exact, scale=scale, msg="(n, m) weights, (m, v) values")
    one = impl.attention_pool(w[1], vals)  # a single query (m,)
    assert_accurate(one, exact[1], scale=scale[1], msg="one query")
    scalar = impl.attention_pool(w, vals[:, 0].contiguous())  # scalar values (m,)
    assert_accurate(scalar, [r[0] for r in exact], scale=[s[0] for s in scale], msg="scalars")
    batched_v = torch.stack([vals, vals.flip(0)])  # (2, m, v) against (n, m): broadcast
    got = impl.attention_pool(w, batched_v)
    assert got.shape == (2, 4, 3)
    flipped, flipped_scale = _mp_pooled(w, vals.flip(0))
    assert_accurate(got, [exact, flipped], scale=[scale, flipped_scale], msg="broadcast batch")
    if dtype == torch.float64:
        wl, vl = w.clone().requires_grad_(), vals.clone().requires_grad_()
        assert torch.autograd.gradcheck(impl.attention_pool, (wl, vl), fast_mode=True)
        assert torch.autograd.gradgradcheck(impl.attention_pool, (wl, vl), fast_mode=True)


@attention_pooling_definition.property_leg(
    r"for real weights and values (batched, broadcast), the output equals "
    r"$\sum_i \alpha_i \mathbf{v}_i$ evaluated by mpmath"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        batch = draw(BATCHES)
        n, m_, c = draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 3))
        return draw(arrays((*batch, n, m_), 1e3)), draw(arrays((*batch, m_, c), 1e3))

    def holds(case) -> bool:
        w, vals = case
        got = impl.attention_pool(w, vals).reshape(-1, w.shape[-2], vals.shape[-1])
        ws = w.reshape(-1, *w.shape[-2:])
        vs = vals.reshape(-1, *vals.shape[-2:])
        for out, wb, vb in zip(got, ws, vs, strict=True):
            exact, scale = _mp_pooled(wb, vb)
            if not is_accurate(out, exact, scale=scale):
                return False
        return True

    return ForAll(cases(), holds, names=("alpha", "V"))


nonnegative_weights_convex_cone = SECTION.claim(
    "nonnegative-weights-convex-cone",
    title="Nonnegative weights give a point of the convex cone of the values",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}_i) \ge 0\ \forall i \Rightarrow "
    r"\operatorname{Attention}(\mathbf{q}, \mathcal{D}) \in "
    r"\operatorname{cone}\{\mathbf{v}_1, \dots, \mathbf{v}_m\} = "
    r"\{\textstyle\sum_i c_i \mathbf{v}_i : c_i \ge 0\}",
    kind=Kind.THEOREM,
    code=("attention_pool",),
    symbolic=NotApplicable(
        "immediate from the definition of the cone; the legs check that the code's output has "
        "nonnegative coefficients found independently (scipy.optimize.nnls)"
    ),
)


def _in_cone(values: np.ndarray, point: np.ndarray, dtype: torch.dtype) -> bool:
    """Nonnegative coefficients reproduce ``point`` (to the dtype's tolerance)."""
    coeffs, _ = scipy.optimize.nnls(values.T, point)
    return is_close(point, values.T @ coeffs, dtype=dtype)


@nonnegative_weights_convex_cone.numeric_leg(
    oracle="scipy.optimize.nnls finds nonnegative coefficients reproducing the output"
)
def _(impl, device, dtype) -> None:
    # 3 values in R^5 span a thin cone: most points of R^5 are outside it
    vals = sample(3, 5, seed=3, dtype=dtype, device=device)
    w = sample(6, 3, seed=4, dtype=dtype, device=device).abs()
    out = impl.attention_pool(w, vals)
    values = oracle_input(vals)
    for row in oracle_input(out):
        assert _in_cone(values, row, dtype), f"{row} is outside the cone of the values"
    # a negative weight leaves the cone: the check can tell
    outside = oracle_input(impl.attention_pool(-w[:1].abs() - 0.5, vals))[0]
    assert not _in_cone(values, outside, torch.float64), "nnls cannot tell inside from outside"


@nonnegative_weights_convex_cone.property_leg(
    r"for nonnegative weights, nonnegative least squares reproduces the output from the "
    r"values with nonnegative coefficients"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        m_, c = draw(st.integers(1, 4)), draw(st.integers(1, 5))
        w = draw(arrays((m_,), 1e3)).abs()
        return w, draw(arrays((m_, c), 1e3))

    def holds(case) -> bool:
        w, vals = case
        return _in_cone(vals.numpy(), impl.attention_pool(w, vals).numpy(), torch.float64)

    return ForAll(cases(), holds, names=("alpha", "V"))


convex_weights_convex_hull = SECTION.claim(
    "convex-weights-convex-hull",
    title="Convex weights give a point of the convex hull of the values",
    statement=r"\sum_i \alpha(\mathbf{q}, \mathbf{k}_i) = 1,\ \alpha(\mathbf{q}, \mathbf{k}_i) "
    r"\ge 0 \Rightarrow \operatorname{Attention}(\mathbf{q}, \mathcal{D}) \in "
    r"\operatorname{conv}\{\mathbf{v}_1, \dots, \mathbf{v}_m\}",
    kind=Kind.THEOREM,
    code=("attention_pool",),
    symbolic=NotApplicable(
        "immediate from the definition of the convex hull; the legs find the convex "
        "coefficients independently"
    ),
)


def _in_hull(values: np.ndarray, point: np.ndarray, dtype: torch.dtype) -> bool:
    """Coefficients on the simplex reproduce ``point``: nonnegative least squares with the
    constraint :math:`\\sum_i c_i = 1` as a heavily weighted extra equation."""
    rho = 1e3 * max(1.0, float(np.abs(values).max()))
    system = np.vstack([values.T, np.full((1, values.shape[0]), rho)])
    coeffs, _ = scipy.optimize.nnls(system, np.append(point, rho))
    return is_close(point, values.T @ coeffs, dtype=dtype) and is_close(
        coeffs.sum(), 1.0, dtype=dtype
    )


@convex_weights_convex_hull.numeric_leg(
    oracle="constrained nonnegative least squares (scipy.optimize.nnls) finds convex "
    "coefficients reproducing the output"
)
def _(impl, device, dtype) -> None:
    vals = sample(4, 3, seed=5, dtype=dtype, device=device, scale=3.0)
    w = simplex(7, 4, seed=6, zeros=0.3).to(dtype).to(device)
    out = impl.attention_pool(w, vals)
    values = oracle_input(vals)
    for row in oracle_input(out):
        assert _in_hull(values, row, dtype), f"{row} is outside the convex hull of the values"
    # nonnegative weights summing to 2 leave the hull: the check can tell
    doubled = oracle_input(impl.attention_pool(2 * w[:1], vals))[0]
    assert not _in_hull(values, doubled, torch.float64), "the hull check cannot tell"


@convex_weights_convex_hull.property_leg(
    r"for weights on the simplex (exact zeros and near-one-hot rows included), convex "
    r"coefficients reproduce the output"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        m_, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        return draw(dst.probability_vectors(size=m_)), draw(arrays((m_, c), 1e3))

    def holds(case) -> bool:
        w, vals = case
        return _in_hull(vals.numpy(), impl.attention_pool(w, vals).numpy(), torch.float64)

    return ForAll(cases(), holds, names=("alpha", "V"))


one_hot_weights_lookup = SECTION.claim(
    "one-hot-weights-lookup",
    title="One-hot weights look up a single value",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}_i) = [i = j] \Rightarrow "
    r"\operatorname{Attention}(\mathbf{q}, \mathcal{D}) = \mathbf{v}_j",
    kind=Kind.THEOREM,
    code=("attention_pool",),
    note="The notes liken this case to a traditional database query. In floating point the "
    "lookup is exact: the other terms are exact zeros.",
)


@one_hot_weights_lookup.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    pooled = sp.Sum(sp.KroneckerDelta(i, j) * v[i], (i, 1, m))
    evaluated = resolve_in_range(pooled.doit(), j, 1, m)
    return Derivation(
        steps=[
            Step(r"Pooling with the one-hot weights $\alpha_i = [i = j]$", pooled),
            Step(r"Only the term $i = j$ survives ($1 \le j \le m$)", equation(pooled, evaluated)),
        ],
        residuals=[evaluated - v[j]],
        compared=[r"the pooled value minus $\mathbf{v}_j$"],
    )


@one_hot_weights_lookup.numeric_leg(oracle="the selected row itself (bitwise equality)")
def _(impl, device, dtype) -> None:
    vals = sample(5, 4, seed=7, dtype=dtype, device=device, scale=1e3)
    picks = torch.tensor([4, 0, 2, 2], device=device)
    w = F.one_hot(picks, 5).to(dtype)
    assert torch.equal(impl.attention_pool(w, vals), vals[picks]), "one-hot pooling is not exact"


@one_hot_weights_lookup.property_leg(
    r"a one-hot weight vector returns exactly the value it selects"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        m_, c = draw(st.integers(1, 6)), draw(st.integers(1, 4))
        return draw(st.integers(0, m_ - 1)), draw(arrays((m_, c), 1e300))

    def holds(case) -> bool:
        pick, vals = case
        w = F.one_hot(torch.tensor(pick), vals.shape[0]).to(vals.dtype)
        return torch.equal(impl.attention_pool(w, vals), vals[pick])

    return ForAll(cases(), holds, names=("j", "V"))


uniform_weights_average_pooling = SECTION.claim(
    "uniform-weights-average-pooling",
    title="Uniform weights give average pooling",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}_i) = \tfrac{1}{m} \Rightarrow "
    r"\operatorname{Attention}(\mathbf{q}, \mathcal{D}) = \frac{1}{m}\sum_{i=1}^m \mathbf{v}_i",
    kind=Kind.THEOREM,
    code=("attention_pool",),
)


@uniform_weights_average_pooling.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    pooled = sp.Sum(v[i] / m, (i, 1, m))
    average = sp.Sum(v[i], (i, 1, m)) / m
    return Derivation(
        steps=[
            Step(r"Pooling with $\alpha_i = 1/m$", pooled),
            Step(r"$1/m$ does not depend on $i$: take it out", equation(pooled, average)),
        ],
        residuals=[pooled.doit() - average.doit()],
        compared=["the pooled value minus the average"],
    )


@uniform_weights_average_pooling.numeric_leg(
    oracle="torch.nn.functional.avg_pool1d over the whole database (float64)"
)
def _(impl, device, dtype) -> None:
    for seed, size in enumerate((4, 5, 8)):
        vals = sample(2, size, 3, seed=8 + seed, dtype=dtype, device=device)
        w = torch.full((2, 1, size), 1 / size, dtype=dtype, device=device)
        got = impl.attention_pool(w, vals).squeeze(-2)
        want = F.avg_pool1d(vals.double().transpose(1, 2), size).squeeze(-1)
        assert_close(got, want, msg=f"uniform weights over m = {size}")


@uniform_weights_average_pooling.property_leg(
    r"weights $1/m$ give `torch.mean` of the values (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        return draw(arrays((draw(st.integers(1, 6)), draw(st.integers(1, 3))), 1e3))

    def holds(vals) -> bool:
        w = torch.full((vals.shape[0],), 1 / vals.shape[0], dtype=vals.dtype)
        return is_close(impl.attention_pool(w, vals), vals.mean(0))

    return ForAll(cases(), holds, names=("V",))


softmax_weights_convex_combination = SECTION.claim(
    "softmax-weights-convex-combination",
    title="Softmax attention weights are a convex combination",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}_i) = \frac{\exp(a(\mathbf{q}, \mathbf{k}_i))}"
    r"{\sum_j \exp(a(\mathbf{q}, \mathbf{k}_j))} \Rightarrow \alpha(\mathbf{q}, \mathbf{k}_i) "
    r"\ge 0,\ \sum_i \alpha(\mathbf{q}, \mathbf{k}_i) = 1",
    kind=Kind.THEOREM,
    code=("masked_softmax",),
    uses=("classification.softmax-nonnegative", "classification.softmax-sums-to-one"),
    note=r"So softmax-weighted pooling is the second of the notes' cases, and its output lies "
    r"in the convex hull of the values (attention.convex-weights-convex-hull).",
)


@softmax_weights_convex_combination.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    notes = sp.exp(a[i]) / sp.Sum(sp.exp(a[j]), (j, 1, m))
    o = sp.IndexedBase("o", real=True)
    softmax = sp.exp(o[i]) / sp.Sum(sp.exp(o[j]), (j, 1, m))  # classification's, q = m
    renamed = softmax.subs(o, a)
    return Derivation(
        steps=[
            Step(r"The notes' weights, scores $a_i = a(\mathbf{q}, \mathbf{k}_i)$", notes),
            Step(
                r"They are the softmax of the scores ($o_i = a_i$, $q = m$ classes)",
                equation(notes, renamed),
            ),
            Step(
                r"so they are nonnegative and sum to 1",
                sp.And(sp.Ge(alpha[i], 0), sp.Eq(sp.Sum(alpha[i], (i, 1, m)), 1)),
                cites=("classification.softmax-nonnegative", "classification.softmax-sums-to-one"),
            ),
        ],
        residuals=[notes - renamed],
        compared=["the notes' weight minus the softmax of the scores"],
    )


@softmax_weights_convex_combination.numeric_leg(
    oracle="mpmath softmax (error in eps); torch.softmax (float64), every layout"
)
def _(impl, device, dtype) -> None:
    for seed, shape in enumerate(((7,), (3, 6), (2, 4, 5))):
        scores = sample(*shape, seed=20 + seed, dtype=dtype, device=device, scale=8.0)
        got = impl.masked_softmax(scores)
        assert got.dtype == dtype and (got >= 0).all()
        rows = oracle_input(scores).reshape(-1, shape[-1]).tolist()
        exact = torch.tensor(
            [[float(x) for x in mp_softmax(r)] for r in rows], dtype=torch.float64
        ).reshape(shape)
        assert_accurate(got, exact, msg=f"softmax weights, shape {shape}")
        total = got.double().sum(-1)
        assert_close(total, torch.ones_like(total), dtype=dtype, msg="weights sum to 1")
        assert_close(got, torch.softmax(scores.double(), -1), dtype=dtype)


@softmax_weights_convex_combination.property_leg(
    r"for scores up to $10^{300}$ in magnitude, the weights are nonnegative, sum to 1 and equal "
    r"`torch.softmax` (float64)"
)
def _(impl) -> ForAll:
    def holds(scores) -> bool:
        w = impl.masked_softmax(scores)
        total = w.sum(-1)
        return (
            bool((w >= 0).all())
            and is_close(total, torch.ones_like(total))
            and is_close(w, torch.softmax(scores, -1))
        )

    return ForAll(dst.logits(magnitude=1e300, batch_shape=BATCHES), holds, names=("a",))
