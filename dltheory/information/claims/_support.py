r"""What the information-theory claims share: SymPy objects, sample inputs, oracles, strategies.

**Symbols.** Discrete distributions are ``IndexedBase`` objects indexed from 1 over a symbolic
alphabet size (:math:`n` outcomes of :math:`X`, :math:`m` of :math:`Y`). Sums run over the
*support*: by the convention :math:`0 \log 0 = 0` outcomes of probability 0 contribute nothing,
so the indexed probabilities are declared positive. Where a statement needs the mass of
:math:`q` *outside* the support of :math:`p`, the alphabet has :math:`n + k` outcomes with
:math:`k \ge 0` (``k_out``; :math:`k = 0` is full support).

**Sums.** :func:`reduce_sums` applies the finite-sum rules the derivations use (linearity,
Fubini, :math:`\sum_{j=1}^m P_{ij} = p_X(i)`, :math:`\sum_{i=1}^n p_i = 1`), each only over the
exact range it holds for; the residual of an identity is its left minus its right side after
these rules and must come out as exactly 0.

**Numeric inputs** are built in float64 from fixed seeds and rounded to the dtype under test;
oracles see the rounded values. Rounding to float16/bfloat16 makes a distribution sum to 1 only
within the dtype's tolerance, so the oracles evaluate the same *unnormalized* functional the
reference computes.

**Exact oracles** (``mp_*``) evaluate at :data:`DPS` digits with mpmath; numbers read from
float64 are exact binary fractions, so only the implementation's own error is measured.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import mpmath
import numpy as np
import scipy.special
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.samples import oracle_input, simplex
from dltheory.core.tolerances import assert_close, tolerance

# --- SymPy objects -----------------------------------------------------------------------------

n, m = sp.symbols("n m", integer=True, positive=True)
i, j, t = sp.symbols("i j t", integer=True)
p = sp.IndexedBase("p", positive=True)
q = sp.IndexedBase("q", positive=True)
P = sp.IndexedBase("P", positive=True)  # the joint table p_{X,Y}(i, j) on its support
p_x = sp.IndexedBase("p_X", positive=True)
p_y = sp.IndexedBase("p_Y", positive=True)
x = sp.Symbol("x", positive=True)
s = sp.Symbol("s", positive=True)
LIM_I = (i, 1, n)
LIM_J = (j, 1, m)
#: outcomes of the alphabet outside the support of p: n + k in all, k >= 0 (0: full support)
k_out = sp.Symbol("k", integer=True, nonnegative=True)
#: q on the whole alphabet, which may vanish off the support of p
q_all = sp.IndexedBase("q", nonnegative=True)

#: g(x) = x - 1 - log x, the gap in log x <= x - 1 (information.log-le-x-minus-one)
G = sp.Function("g", nonnegative=True)

#: the entropies and mutual information of a joint table P on its support
H_XY = -sp.Sum(P[i, j] * sp.log(P[i, j]), LIM_J, LIM_I)
H_X = -sp.Sum(p_x[i] * sp.log(p_x[i]), LIM_I)
H_Y = -sp.Sum(p_y[j] * sp.log(p_y[j]), LIM_J)
H_Y_GIVEN_X = -sp.Sum(P[i, j] * sp.log(P[i, j] / p_x[i]), LIM_J, LIM_I)
H_X_GIVEN_Y = -sp.Sum(P[i, j] * sp.log(P[i, j] / p_y[j]), LIM_J, LIM_I)
PMI = sp.log(P[i, j] / (p_x[i] * p_y[j]))
MI = sp.Sum(P[i, j] * PMI, LIM_J, LIM_I)

#: summing the table over j = 1..m gives p_X(i); over i = 1..n gives p_Y(j)
JOINT_MARGINALS = {LIM_J: (P[i, j], p_x[i]), LIM_I: (P[i, j], p_y[j])}
#: summands whose sum over exactly this range is 1 (p over its support, the marginals)
JOINT_TOTALS = {LIM_I: (p_x[i], p[i]), LIM_J: (p_y[j],)}


def gap(value):
    r""":math:`g(v) = v - 1 - \log v`."""
    return value - 1 - sp.log(value)


def _split_sum(term):
    """``c * Sum(...)`` -> ``(c, Sum)``; ``(term, None)`` if ``term`` has no single Sum factor."""
    factors, sums = [], []
    for f in sp.Mul.make_args(term):
        (sums if isinstance(f, sp.Sum) else factors).append(f)
    return (sp.Mul(*factors), sums[0]) if len(sums) == 1 else (term, None)


def _independent(limits) -> bool:
    """No range's bounds mention another range's index (so sums may be reordered or dropped)."""
    names = {lim[0] for lim in limits}
    return not any((lim[1].free_symbols | lim[2].free_symbols) & names for lim in limits)


def _reduce_term(term, limits, marginals, totals):
    if not limits:
        return term
    coefficient, inner = _split_sum(term)
    if inner is not None:  # c * sum_L1 g, summed over L2  ->  sum over L1 then L2 of c * g
        return sp.Add(
            *[
                _reduce_term(
                    sp.expand(coefficient * part), [*inner.limits, *limits], marginals, totals
                )
                for part in sp.Add.make_args(sp.expand(inner.function))
            ]
        )
    names = [lim[0] for lim in limits]
    if _independent(limits):
        for lim in limits:
            var, key = lim[0], tuple(lim)
            const, rest = term.as_independent(var, as_Add=False)
            others = [other for other in limits if other[0] != var]
            if key in marginals and rest == marginals[key][0]:
                return _reduce_term(const * marginals[key][1], others, marginals, totals)
            if rest in totals.get(key, ()):
                return _reduce_term(const, others, marginals, totals)
        order = {j: 0, i: 1}
        limits = sorted(limits, key=lambda lim: order.get(lim[0], 2))
    const, rest = term.as_independent(*names, as_Add=False)
    return const * sp.Sum(rest, *limits)


def reduce_sums(
    expr,
    marginals: Mapping[tuple, tuple] = JOINT_MARGINALS,
    totals: Mapping[tuple, Iterable] = JOINT_TOTALS,
):
    r"""Normal form of an expression built from finite sums, under the rules:

    * logs of products and quotients are expanded (all quantities positive on the support),
      and every sum of terms is split into a sum of sums (linearity);
    * nested sums are merged and, when no range depends on another, put in a fixed order
      (Fubini, for finite sums);
    * constants are taken out: :math:`\sum_{j=1}^m c_i P_{ij} = c_i\, p_X(i)` (``marginals``,
      keyed by the range ``(j, 1, m)`` it holds for), and :math:`\sum_{i=1}^n c\, p_i = c` for
      a summand that sums to 1 over exactly that range (``totals``, keyed the same way).

    A rule applies only over the range it is declared for: :math:`\sum_{i=1}^{n+k} p_i` is left
    alone when the rule says :math:`\sum_{i=1}^{n} p_i = 1`. Two expressions built from the
    same objects are equal if their difference reduces to 0.
    """
    marginals = {tuple(key): value for key, value in marginals.items()}
    totals = {tuple(key): tuple(summands) for key, summands in totals.items()}

    def one(total):
        return sp.Add(
            *[
                _reduce_term(part, list(total.limits), marginals, totals)
                for part in sp.Add.make_args(sp.expand(total.function))
            ]
        )

    expr = sp.expand(sp.expand_log(expr, force=True))
    while True:
        new = expr.replace(lambda e: isinstance(e, sp.Sum), one)
        new = sp.expand(sp.expand_log(new, force=True))
        if new == expr:
            return new
        expr = new


def stats_expectation(k: int, function) -> tuple:
    r"""For a :math:`k`-point random variable :math:`X` (a sympy.stats ``FiniteRV``) with
    symbolic pmfs :math:`p` and :math:`q` on :math:`\{1, \dots, k\}`, the expectation
    :math:`\mathbb{E}_{X \sim P}[f(p(X), q(X))]` as sympy.stats computes it.

    Returns ``(expectation, ps, qs)`` with the pmfs' values (the last one is 1 minus the
    others, so each pmf sums to 1).
    """
    from sympy import stats

    ps = list(sp.symbols(f"p_1:{k}", positive=True))
    ps.append(1 - sum(ps))
    qs = list(sp.symbols(f"q_1:{k}", positive=True))
    qs.append(1 - sum(qs))
    X = stats.FiniteRV(f"X_{k}", {v + 1: ps[v] for v in range(k)})
    pmf_p = sp.Piecewise(*[(ps[v], sp.Eq(X, v + 1)) for v in range(k - 1)], (ps[-1], True))
    pmf_q = sp.Piecewise(*[(qs[v], sp.Eq(X, v + 1)) for v in range(k - 1)], (qs[-1], True))
    return stats.E(function(pmf_p, pmf_q)), ps, qs


# --- numeric inputs (float64, rounded to the dtype under test by the legs) ---------------------

#: rows with exact zeros, nearly deterministic rows and tiny entries (k = 4), float64
EXTREME = torch.tensor(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.25, 0.25, 0.25, 0.25],
        [0.5, 0.5, 0.0, 0.0],
        [1.0 - 3e-12, 1e-12, 1e-12, 1e-12],
        [1.0, 1e-30, 1e-30, 0.0],
        [1.0, 1e-150, 0.0, 1e-300],
        [0.7, 0.2, 0.1, 0.0],
        [0.75, 0.25, 0.0, 0.0],
    ],
    dtype=torch.float64,
)

#: a second set of rows, paired with EXTREME: equal rows, q = 0 < p (KL = inf), tiny q, a
#: subnormal q under p = 3/4 (p/q overflows)
EXTREME_Q = torch.tensor(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.1, 0.2, 0.3, 0.4],
        [0.5, 0.0, 0.5, 0.0],
        [1e-12, 1.0 - 3e-12, 1e-12, 1e-12],
        [1e-30, 1.0, 0.0, 1e-30],
        [1e-150, 1.0, 1e-300, 0.0],
        [0.7, 0.2, 0.1, 0.0],
        [1e-310, 0.5, 0.5, 0.0],
    ],
    dtype=torch.float64,
)


def on(value: torch.Tensor, dtype: torch.dtype, device: str) -> torch.Tensor:
    return value.to(dtype).to(device)


#: An implementation may compute a call of a few entries differently from a large one
#: (dltheory's own do: a tensor operation costs a microsecond whatever its size, so small calls
#: are computed in Python floats and NumPy). Every input set below therefore holds a batch of
#: more than LARGE entries beside the small ones, so that each check reaches both paths.
LARGE = 1024


def large(batch: torch.Tensor) -> torch.Tensor:
    """``batch`` repeated along its first dimension until it holds more than ``LARGE``
    entries (the oracles' values repeat with it)."""
    copies = LARGE // batch.numel() + 1
    return batch.repeat(copies, *([1] * (batch.dim() - 1)))


def vectors(dtype: torch.dtype, device: str) -> list[torch.Tensor]:
    """Batches of distributions along the last dimension: random, with exact zeros, extremes,
    and the extremes repeated into a large batch."""
    batches = [simplex(5, 7, seed=11, zeros=0.3), simplex(2, 3, 4, seed=12), EXTREME]
    return [on(b, dtype, device) for b in (*batches, large(EXTREME))]


def pairs(dtype: torch.dtype, device: str) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``(p, q)`` batches: random with exact zeros (some rows have q = 0 < p), extremes, and
    the extremes repeated into a large batch."""
    random = (simplex(6, 5, seed=21, zeros=0.3), simplex(6, 5, seed=22, zeros=0.3))
    dense = (simplex(3, 9, seed=23), simplex(3, 9, seed=24))
    extremes = (EXTREME, EXTREME_Q)
    return [
        (on(a, dtype, device), on(b, dtype, device))
        for a, b in (random, dense, extremes, (large(EXTREME), large(EXTREME_Q)))
    ]


def joints(dtype: torch.dtype, device: str) -> list[torch.Tensor]:
    """Joint tables (last two dims): random with zeros, batched, structured extremes, and a
    large batch of them."""
    f64 = torch.float64
    diagonal = torch.diag(torch.tensor([0.5, 0.3, 0.2, 0.0], dtype=f64))
    independent = torch.outer(
        torch.tensor([0.6, 0.4, 0.0], dtype=f64), torch.tensor([0.2, 0.3, 0.5], dtype=f64)
    )
    deterministic = torch.tensor([[1.0 - 2e-20, 1e-20], [1e-20, 0.0]], dtype=f64)
    random = simplex(4, 12, seed=31, zeros=0.3).reshape(4, 3, 4)
    tables = [random, simplex(15, seed=32).reshape(5, 3), diagonal, independent, deterministic]
    padded = [  # 4 x 4, the missing rows and columns empty
        torch.nn.functional.pad(t, (0, 4 - t.shape[-1], 0, 4 - t.shape[-2]))
        for t in (random[0], diagonal, independent, deterministic)
    ]
    tables.append(large(torch.stack(padded)))
    return [on(table, dtype, device) for table in tables]


def total(value: torch.Tensor, axis=-1) -> np.ndarray:
    """The float64 sum of the rounded values: 1 only up to the dtype's rounding.

    Inequalities are checked for the rounded input itself: with ``s = total(p)`` and
    ``t = total(q)``, ``H(p) = s H(p/s) - s log s``, ``sum p log(p/q) = s KL(p/s || q/t) +
    s log(s/t)`` and ``I(T) = s I(T/s) - s log s``, so the bounds shift by these terms (which
    vanish in float64 and are below the comparison tolerance in float32).
    """
    return oracle_input(value).sum(axis=axis)


def as_numpy(value: torch.Tensor) -> np.ndarray:
    """A result as a float64 NumPy array (to combine with oracle arrays)."""
    return value.detach().to("cpu", torch.float64).numpy()


def check_gradients(fn, *inputs: torch.Tensor) -> None:
    """``torch.autograd.gradcheck`` and ``gradgradcheck`` of ``fn`` at float64 copies of
    ``inputs`` (finite differences are the oracle). The inputs must have every entry well inside
    ``(0, 1]``: the measures are not differentiable where an entry is 0."""
    leaves = tuple(x.detach().to(torch.float64).clone().requires_grad_() for x in inputs)
    assert torch.autograd.gradcheck(fn, leaves), "gradient differs from finite differences"
    assert torch.autograd.gradgradcheck(fn, leaves), "second derivative differs"


#: strictly positive distributions and tables for the gradient checks (entries >= ~0.01)
POSITIVE = simplex(3, 5, seed=71) * 0.9 + 0.02
POSITIVE_Q = simplex(3, 5, seed=72) * 0.9 + 0.02
POSITIVE_TABLE = (simplex(2, 12, seed=73) * 0.9 + 1 / 60).reshape(2, 3, 4)


def entr_sum(values: np.ndarray, axis=-1) -> np.ndarray:
    r""":math:`-\sum p \log p` by ``scipy.special.entr``."""
    return scipy.special.entr(values).sum(axis=axis)


def marginals_np(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:math:`p_X` as a column and :math:`p_Y` as a row (NumPy, batched)."""
    return table.sum(-1, keepdims=True), table.sum(-2, keepdims=True)


def assert_le(a, b, dtype: torch.dtype, msg: str) -> None:
    """``a <= b`` at ``dtype``'s comparison tolerance (elementwise; ``inf <= inf`` holds)."""
    tol = tolerance(dtype)
    a, b = torch.as_tensor(a).double().cpu(), torch.as_tensor(b).double().cpu()
    slack = torch.where(torch.isfinite(b), tol.atol + tol.rtol * b.abs(), torch.zeros_like(b))
    assert bool(((a <= b + slack) | (a == b)).all()), f"{msg}: {a.tolist()} > {b.tolist()}"


# --- exact oracles (mpmath) --------------------------------------------------------------------

#: significant digits of the mpmath oracles: far beyond float64's 16, cheap at these sizes
DPS = 40


def rows_of(value) -> list[list[float]]:
    """The distributions along the last dimension of a tensor or array, as lists of floats."""
    array = oracle_input(value) if isinstance(value, torch.Tensor) else np.asarray(value)
    return array.reshape(-1, array.shape[-1]).tolist()


with mpmath.workdps(DPS):
    #: :math:`\ln 2` rounded to float64
    LN2 = float(mpmath.log(2))


def mp_entropy(value, base: float | None = None) -> list[float]:
    r""":math:`-\sum_{i:\,p_i > 0} p_i \log_b p_i` of each row, exactly."""
    with mpmath.workdps(DPS):
        unit = 1 if base is None else mpmath.log(base)
        return [
            float(-mpmath.fsum(mpmath.mpf(a) * mpmath.log(a) for a in row if a > 0) / unit)
            for row in rows_of(value)
        ]


def mp_cross_entropy(p_value, q_value) -> list[float]:
    r""":math:`-\sum_{i:\,p_i > 0} p_i \log q_i` of each pair of rows (:math:`+\infty` where
    :math:`q_i = 0 < p_i`), exactly."""
    out = []
    with mpmath.workdps(DPS):
        for rp, rq in zip(rows_of(p_value), rows_of(q_value), strict=True):
            terms = [
                mpmath.mpf(a) * mpmath.log(b) if b > 0 else -mpmath.inf
                for a, b in zip(rp, rq, strict=True)
                if a > 0
            ]
            out.append(float(-mpmath.fsum(terms)))
    return out


def mp_kl(p_value, q_value) -> tuple[list[float], list[float]]:
    r""":math:`\sum_{i:\,p_i > 0} p_i \log(p_i/q_i)` of each pair of rows, exactly, and its
    condition scale :math:`\sum_i |p_i \log(p_i/q_i)|`.

    The terms have both signs, so where :math:`q \approx p` the sum is far smaller than its
    terms; no evaluation that rounds the terms can then be relatively accurate, and the
    comparison is made relative to the scale instead.
    """
    values, scales = [], []
    with mpmath.workdps(DPS):
        for rp, rq in zip(rows_of(p_value), rows_of(q_value), strict=True):
            terms = [
                mpmath.inf if b == 0 else mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / b)
                for a, b in zip(rp, rq, strict=True)
                if a > 0
            ]
            values.append(float(mpmath.fsum(terms)))
            scales.append(float(mpmath.fsum(abs(term) for term in terms)))
    return values, scales


class TableValues(NamedTuple):
    """Exact information measures of one joint table (mpmath, rounded to float64)."""

    h_xy: float
    h_x: float
    h_y: float
    h_y_given_x: float
    h_x_given_y: float
    mi: float
    #: :math:`1 + \sum_{x, y} |p(x, y)\,\mathrm{pmi}(x, y)|`: a relative change of eps in the
    #: entries (or in the marginals any evaluation must sum) moves each log-ratio by about eps,
    #: so measures built from log-ratios are accurate to eps times this, not relative to
    #: themselves when they are near 0
    scale: float
    pmi: list[list[float]]


def mp_table(table) -> TableValues:
    """Every information measure of a 2-D joint table (float64 values), exactly."""
    values = table.tolist() if hasattr(table, "tolist") else table
    return _mp_table(tuple(tuple(row) for row in values))


def _mp_measure(name: str, cells: list[list[mpmath.mpf]]) -> mpmath.mpf:
    """The measure ``name`` (``"mi"``, ``"h_y_given_x"``, ``"h_x_given_y"``) of a table of mpmath
    numbers (not necessarily normalized), its marginals summed from it, unrounded."""
    rows = [mpmath.fsum(row) for row in cells]
    cols = [mpmath.fsum(col) for col in zip(*cells, strict=True)]
    log_denominator = {
        "mi": lambda a, b: mpmath.log(rows[a]) + mpmath.log(cols[b]),
        "h_y_given_x": lambda a, b: mpmath.log(rows[a]),
        "h_x_given_y": lambda a, b: mpmath.log(cols[b]),
    }[name]
    sign = 1 if name == "mi" else -1
    return sign * mpmath.fsum(
        v * (mpmath.log(v) - log_denominator(a, b))
        for a, row in enumerate(cells)
        for b, v in enumerate(row)
        if v > 0
    )


@functools.lru_cache(maxsize=4096)  # the property legs of a chapter draw the same tables
def _mp_table(values: tuple[tuple[float, ...], ...]) -> TableValues:
    with mpmath.workdps(DPS):
        cells = [[mpmath.mpf(v) for v in row] for row in values]
        rows = [mpmath.fsum(row) for row in cells]
        cols = [mpmath.fsum(col) for col in zip(*cells, strict=True)]

        def h(probabilities):
            return -mpmath.fsum(v * mpmath.log(v) for v in probabilities if v > 0)

        pmi = [
            [
                mpmath.log(v) - mpmath.log(rows[a]) - mpmath.log(cols[b]) if v > 0 else -mpmath.inf
                for b, v in enumerate(row)
            ]
            for a, row in enumerate(cells)
        ]
        occurring = [
            (cells[a][b], pmi[a][b], a, b)
            for a, b in itertools.product(range(len(rows)), range(len(cols)))
            if cells[a][b] > 0
        ]
        h_xy = h(v for v, _, _, _ in occurring)
        return TableValues(
            h_xy=float(h_xy),
            h_x=float(h(rows)),
            h_y=float(h(cols)),
            h_y_given_x=float(_mp_measure("h_y_given_x", cells)),
            h_x_given_y=float(_mp_measure("h_x_given_y", cells)),
            mi=float(_mp_measure("mi", cells)),
            scale=float(1 + mpmath.fsum(abs(v * w) for v, w, _, _ in occurring)),
            pmi=[[float(w) for w in row] for row in pmi],
        )


def mp_one_sided_slope(name: str, table: Sequence[Sequence[float]], cell: tuple[int, int]):
    r"""The one-sided derivative :math:`\lim_{\varepsilon \to 0^+} (m(P + \varepsilon e) -
    m(P)) / \varepsilon` of the measure ``name`` (``"mi"``, ``"h_y_given_x"``,
    ``"h_x_given_y"``) of the unnormalized table :math:`P`, the marginals summed from it, at
    ``cell``: difference quotients by mpmath at 80 digits, :math:`\varepsilon = 10^{-40}` and
    :math:`10^{-20}`. Where the quotient grows like :math:`\log(1/\varepsilon)` (by more than
    40 between the two) the slope is :math:`\pm\infty`."""
    with mpmath.workdps(80):
        cells = [[mpmath.mpf(v) for v in row] for row in table]
        base = _mp_measure(name, cells)
        quotients = []
        for eps in (mpmath.mpf(10) ** -20, mpmath.mpf(10) ** -40):
            moved = [list(row) for row in cells]
            moved[cell[0]][cell[1]] += eps
            quotients.append((_mp_measure(name, moved) - base) / eps)
        growth = quotients[1] - quotients[0]
        if abs(growth) > 40:
            return math.copysign(math.inf, growth)
        return float(quotients[1])


#: a table with an empty row, an empty column and an empty cell inside the support of both
#: marginals: the gradient at its zeros is finite, -inf or +inf depending on which marginals vanish
EMPTY_CELLS = ((0.3, 0.0, 0.0), (0.2, 0.5, 0.0), (0.0, 0.0, 0.0))


def check_slopes_at_empty_cells(fn, name: str, dtype: torch.dtype, device: str) -> None:
    """The gradient of ``fn`` (a measure of a joint table) at :data:`EMPTY_CELLS` against
    :func:`mp_one_sided_slope` of the measure ``name``, entry by entry (infinities exactly)."""
    leaf = torch.tensor(EMPTY_CELLS, dtype=dtype, device=device, requires_grad=True)
    (grad,) = torch.autograd.grad(fn(leaf), leaf)
    values = oracle_input(leaf.detach()).tolist()
    want = [
        [mp_one_sided_slope(name, values, (a, b)) for b in range(len(row))]
        for a, row in enumerate(values)
    ]
    assert_close(
        grad,
        torch.tensor(want, dtype=torch.float64),
        dtype=dtype,
        msg=f"gradient at empty cells (one-sided derivatives along the table, {name})",
    )


def mp_tables(joint: torch.Tensor) -> list[TableValues]:
    """:func:`mp_table` of every table of a batch (the last two dimensions)."""
    values = oracle_input(joint)
    return [mp_table(table) for table in values.reshape(-1, *values.shape[-2:])]


def exact_measures(joint: torch.Tensor, *names: str) -> tuple[torch.Tensor, ...]:
    """The named :class:`TableValues` of every table of a batch (mpmath), each a float64
    tensor of the batch shape ``joint.shape[:-2]``."""
    tables = mp_tables(joint)
    return tuple(
        torch.tensor([getattr(v, name) for v in tables], dtype=torch.float64).reshape(
            joint.shape[:-2]
        )
        for name in names
    )


# --- strategies and float64 comparisons for the property legs ----------------------------------

TOL = tolerance(torch.float64)
SIZES = st.integers(1, 6)
BATCHES = st.sampled_from([(), (2,), (2, 3)])


@functools.cache  # building a composite strategy is costly; draws reuse the same objects
def distributions(size=SIZES, batch_shape=()) -> st.SearchStrategy[torch.Tensor]:
    """Probability vectors with exact zeros, tiny entries (down to 1e-300) and ordinary ones."""
    return dst.mixed_probability_vectors(size=size, batch_shape=batch_shape)


def distribution_pairs() -> st.SearchStrategy[tuple[torch.Tensor, torch.Tensor]]:
    """``(p, q)`` over the same outcomes."""

    @st.composite
    def build(draw):
        k = draw(SIZES)
        return draw(distributions(k)), draw(distributions(k))

    return build()


def joint_tables(batch: bool = False) -> st.SearchStrategy[torch.Tensor]:
    """Joint tables ``rows x cols`` (1 to 4 each), optionally with a batch dimension."""

    @st.composite
    def build(draw):
        rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        shape = draw(st.sampled_from([(), (2,), (3,)])) if batch else ()
        flat = draw(distributions(rows * cols, batch_shape=shape))
        return flat.reshape(*shape, rows, cols)

    return build()


def close(actual, expected) -> bool:
    """:func:`dltheory.core.tolerances.is_close` at float64 tolerance, without the cost of
    ``torch.testing``: same shapes, ``|a - b| <= atol + rtol |b|``, infinities equal, NaN never."""
    a = torch.as_tensor(actual, dtype=torch.float64)
    b = torch.as_tensor(expected, dtype=torch.float64)
    return a.shape == b.shape and bool(torch.isclose(a, b, rtol=TOL.rtol, atol=TOL.atol).all())


def le(a, b) -> bool:
    """``a <= b`` up to the float64 comparison tolerance (``+inf <= +inf`` holds)."""
    a = torch.as_tensor(a, dtype=torch.float64)
    b = torch.as_tensor(b, dtype=torch.float64)
    slack = torch.where(torch.isfinite(b), TOL.atol + TOL.rtol * b.abs(), torch.zeros_like(b))
    return bool(((a <= b + slack) | (a == b)).all())


def l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a - b).abs().sum(-1)


def marginals(joint: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return joint.sum(-1), joint.sum(-2)


def scalar(value: float) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64)


def log_base(base) -> float:
    return 1.0 if base is None else math.log(base)
