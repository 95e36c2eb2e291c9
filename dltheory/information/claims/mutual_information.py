r"""§ 13.6 Mutual Information — the notes' two formulas for :math:`I(X, Y)`.

Main declarations:

* ``information.mutual-information-entropy-form`` —
  :math:`I(X, Y) = H(X, Y) - H(Y \mid X) - H(X \mid Y) = H(X) + H(Y) - H(X, Y)`;
* ``information.mutual-information-definition`` — :math:`I(X, Y) = \sum_x \sum_y p \log
  \frac{p}{p_X p_Y}`, with the erratum ``information.mutual-information-marginal-expectation``:
  the notes' :math:`\mathbb{E}_x \mathbb{E}_y\{\cdot\}` weights each pair twice when read as
  written.

Measures built from the log-ratios of a table are compared with mpmath relative to
:class:`._support.TableValues` ``scale`` (the marginals any evaluation sums are rounded).
"""

from __future__ import annotations

import math

import hypothesis.strategies as st
import mpmath
import scipy.special
import sympy as sp
import torch

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import nearly_independent, oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.information.claims._support import (
    H_X,
    H_X_GIVEN_Y,
    H_XY,
    H_Y,
    H_Y_GIVEN_X,
    LIM_I,
    LIM_J,
    LN2,
    MI,
    PMI,
    POSITIVE_TABLE,
    P,
    check_gradients,
    check_slopes_at_empty_cells,
    close,
    exact_measures,
    i,
    j,
    joint_tables,
    joints,
    large,
    marginals,
    marginals_np,
    mp_tables,
    on,
    p_x,
    p_y,
    reduce_sums,
)

SECTION = Section("information", "13.6 Mutual Information")

_I = sp.Symbol("I(X, Y)")

mutual_information_entropy_form = SECTION.claim(
    "mutual-information-entropy-form",
    title="Mutual information from joint and conditional entropies",
    statement=r"I(X, Y) = H(X, Y) - H(Y \mid X) - H(X \mid Y)",
    kind=Kind.IDENTITY,
    code=("mutual_information", "joint_entropy", "conditional_entropy"),
    uses=("information.conditional-entropy-chain-rule",),
    note=r"Correct as written: by the chain rule the right side is $H(X) + H(Y) - H(X, Y)$.",
)


@mutual_information_entropy_form.symbolic_leg(scope=r"general $n$, $m$")
def _() -> Derivation:
    form = H_XY - H_Y_GIVEN_X - H_X_GIVEN_Y
    return Derivation(
        steps=[
            Step("The notes' formula", equation(_I, form)),
            Step(
                r"By the chain rule it is $H(X) + H(Y) - H(X, Y)$",
                equation(form, H_X + H_Y - H_XY),
                cites=("information.conditional-entropy-chain-rule",),
            ),
            Step(r"which is the sum of $p \log(p/(p_X p_Y))$", equation(_I, MI)),
        ],
        residuals=[reduce_sums(form - (H_X + H_Y - H_XY)), reduce_sums(form - MI)],
        compared=[
            r"the notes' formula minus $H(X) + H(Y) - H(X, Y)$",
            r"the notes' formula minus $\sum p \log(p/(p_X p_Y))$",
        ],
    )


@mutual_information_entropy_form.numeric_leg(
    oracle="H(X, Y) - H(Y | X) - H(X | Y) and I(X, Y) by mpmath (error in eps, relative to the "
    "table's scale)"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        mi, scale, h_xy, h_y_x, h_x_y = exact_measures(
            joint, "mi", "scale", "h_xy", "h_y_given_x", "h_x_given_y"
        )
        form = h_xy - h_y_x - h_x_y
        got = impl.mutual_information(joint)
        assert_accurate(got, form, scale=scale, msg="I vs H(X,Y) - H(Y|X) - H(X|Y) (mpmath)")
        mine = (
            impl.joint_entropy(joint).double()
            - impl.conditional_entropy(joint, given="x").double()
            - impl.conditional_entropy(joint, given="y").double()
        )
        # a difference of three results, each rounded on its own: measured against the sum
        # of their magnitudes
        magnitude = scale + h_xy + h_y_x + h_x_y
        assert_accurate(mine, mi, dtype=dtype, scale=magnitude, msg="H(X,Y) - H(Y|X) - H(X|Y)")


@mutual_information_entropy_form.property_leg(
    r"`mutual_information(table)` equals mpmath's $H(X, Y) - H(Y \mid X) - H(X \mid Y)$, and "
    r"`joint_entropy - conditional_entropy(given='x') - conditional_entropy(given='y')` equals "
    r"mpmath's $I(X, Y)$, for batches of tables"
)
def _(impl) -> ForAll:
    def holds(joint) -> bool:
        mi, scale, h_xy, h_y_x, h_x_y = exact_measures(
            joint, "mi", "scale", "h_xy", "h_y_given_x", "h_x_given_y"
        )
        form = (
            impl.joint_entropy(joint)
            - impl.conditional_entropy(joint, given="x")
            - impl.conditional_entropy(joint, given="y")
        )
        # the second side is a difference of three computed entropies, each rounded on its
        # own: measured against the sum of their magnitudes
        magnitude = scale + h_xy + h_y_x + h_x_y
        return is_accurate(
            impl.mutual_information(joint), h_xy - h_y_x - h_x_y, scale=scale
        ) and is_accurate(form, mi, scale=magnitude)

    return ForAll(joint_tables(batch=True), holds, names=("P",))


mutual_information_definition = SECTION.claim(
    "mutual-information-definition",
    title="Mutual information as a double sum",
    statement=r"I(X, Y) = \sum_x \sum_y p_{X,Y}(x, y) \log \frac{p_{X,Y}(x, y)}{p_X(x)\,p_Y(y)}"
    r" = \mathbb{E}_{(x,y) \sim P_{X,Y}}\left[\log \frac{p_{X,Y}(x, y)}{p_X(x)\,p_Y(y)}\right]",
    kind=Kind.DEFINITION,
    code=("mutual_information",),
    note=r"The corrected reading of the notes' $\mathbb{E}_x \mathbb{E}_y$ formula: the sums run "
    r"over $x$ and $y$ with weight $p(x, y)$ once (an expectation under the joint distribution "
    r"of the log-ratio alone); for densities, integrals over $x$ and $y$.",
    symbolic=NotApplicable(
        "a definition; its identities are proved in mutual-information-entropy-form and the KL "
        "forms"
    ),
)


def _on_grid(table: torch.Tensor) -> torch.Tensor:
    r"""``table`` (float64, positive, summing to about 1) moved onto the grid of multiples of
    :math:`2^{e - 53}`, :math:`2^e` the power of two above its largest cell, the largest cell
    taking the remainder: every cell stays a float and the cells sum to exactly 1, while
    the marginals (sums of several cells) still round."""
    exponent = math.frexp(float(table.max()))[1]
    units = [round(math.ldexp(v, 53 - exponent)) for v in table.flatten().tolist()]
    largest = max(range(len(units)), key=units.__getitem__)
    units[largest] += 2 ** (53 - exponent) - sum(units)
    cells = [math.ldexp(u, exponent - 53) for u in units]  # exact: every u is below 2^53
    return torch.tensor(cells, dtype=torch.float64).reshape(table.shape)


def _nearly_independent(noise: float, seed: int, exact_total: bool) -> torch.Tensor:
    r"""A 5 x 6 :func:`~dltheory.core.samples.nearly_independent` table (log-ratios about
    ``noise``): renormalized (the cells then sum to 1 only up to rounding, which moves
    :math:`I` by up to eps), or with ``exact_total`` put :func:`_on_grid`."""
    table = nearly_independent(5, 6, noise=noise, seed=seed)
    return _on_grid(table) if exact_total else table


def _nearly_independent_tables() -> st.SearchStrategy[torch.Tensor]:
    r"""Tables :math:`p_X p_Y (1 + 10^{-k} u)` with positive marginals, entries :math:`u \in
    [-1, 1]` and :math:`k` from 3 to 12, :func:`_on_grid` (summing to exactly 1)."""

    @st.composite
    def build(draw):
        rows, cols = draw(st.integers(2, 4)), draw(st.integers(2, 4))
        weights = st.floats(0.05, 1.0)
        f64 = torch.float64
        p_x = torch.tensor(draw(st.lists(weights, min_size=rows, max_size=rows)), dtype=f64)
        p_y = torch.tensor(draw(st.lists(weights, min_size=cols, max_size=cols)), dtype=f64)
        u = draw(st.lists(st.floats(-1.0, 1.0), min_size=rows * cols, max_size=rows * cols))
        noise = 10.0 ** -draw(st.integers(3, 12))
        table = torch.outer(p_x, p_y) * (1 + noise * torch.tensor(u, dtype=f64).reshape(rows, cols))
        return _on_grid(table / table.sum())

    return build()


def _mp_mutual_information(table: torch.Tensor) -> tuple[float, float]:
    r"""``(I, spread)`` of one float64 table by mpmath at 120 digits: :math:`I` in the form free
    of cancellation, :math:`\sum_{p > 0} p (d - \operatorname{log1p} d) - \sum_{p > 0}
    (p_X p_Y - p)` with :math:`d = (p_X p_Y - p) / p`, every sum and product of the table's
    floats exact at that precision; and :math:`\sum |p \operatorname{pmi}|`, by which moving
    every cell by a relative :math:`\epsilon` (the total kept) moves :math:`I` by up to
    :math:`\epsilon` times it. Near independence :math:`I` falls to :math:`10^{-40}` and below
    (exactly 0 for proportional rows), under the absolute error of the 40-digit oracle of the
    other checks and of :math:`\sum p \log(p / (p_X p_Y))` at any fixed precision."""
    with mpmath.workdps(120):
        cells = [[mpmath.mpf(v) for v in row] for row in table.tolist()]
        rows = [mpmath.fsum(row) for row in cells]
        cols = [mpmath.fsum(col) for col in zip(*cells, strict=True)]
        terms, linear, spread = [], [], []
        for a, row in enumerate(cells):
            for b, v in enumerate(row):
                if v > 0:
                    diff = rows[a] * cols[b] - v
                    terms.append(v * (diff / v - mpmath.log1p(diff / v)))
                    linear.append(diff)
                    spread.append(abs(v * mpmath.log1p(diff / v)))
        return float(mpmath.fsum(terms) - mpmath.fsum(linear)), float(mpmath.fsum(spread))


def _check_nearly_independent(impl, dtype: torch.dtype, device: str) -> None:
    r""":math:`I` of nearly independent tables to 16 eps of :math:`I` itself, single, in a
    large batch, and in a batch beside a clearly dependent table (which the plain sum serves):
    log-ratios near 1e-6 (renormalized) and 1e-11 (cells summing to exactly 1) in float64,
    1e-3 in float32. Any evaluation from rounded marginals is off by about eps in absolute
    terms, :math:`10^{3}` relative at :math:`I \approx 10^{-13}`."""
    if dtype == torch.float64:
        tables = [_nearly_independent(1e-6, 80, False), _nearly_independent(1e-11, 81, True)]
    else:
        tables = [_nearly_independent(1e-3, 82, False)]
    # mostly on a diagonal: I ~ 1.2 nats, above an eighth of its scale (the plain sum's)
    dependent = torch.eye(5, 6, dtype=torch.float64) * 0.18 + 0.1 / 30
    for table in tables:
        table = on(table, dtype, device)
        mixed = torch.stack([table, on(dependent, dtype, device)])
        for joint in (table, large(table.unsqueeze(0)), mixed, large(mixed)):
            (exact,) = exact_measures(joint, "mi")
            assert_accurate(impl.mutual_information(joint), exact, msg="nearly independent")


@mutual_information_definition.numeric_leg(
    oracle="mpmath at 40 digits (error in eps, relative to the table's scale; nats and bits); "
    "scipy.special.rel_entr(P, p_X p_Y); gradcheck and gradgradcheck (float64); the gradient "
    "at empty cells against mpmath's one-sided difference quotients (float64, float32); "
    "nearly independent tables to 16 eps of I itself (float64, float32)"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        got = impl.mutual_information(joint)
        assert got.dtype == dtype and got.device == joint.device
        want, scale = exact_measures(joint, "mi", "scale")
        assert_accurate(got, want, scale=scale, msg="vs mpmath")
        bits = impl.mutual_information(joint, base=2)
        assert_accurate(bits, want / LN2, scale=scale / LN2, msg="in bits")
        values = oracle_input(joint)
        rows, cols = marginals_np(values)
        scipy_mi = scipy.special.rel_entr(values, rows * cols).sum(axis=(-2, -1))
        assert_close(got, scipy_mi, msg="vs scipy.special.rel_entr")
    # tiny marginals: p_X(x) p_Y(y) underflows in float64 although the ratio is finite
    tiny = torch.tensor([[1.0, 0.0], [0.0, 1e-200]], dtype=torch.float64)
    tiny = on(tiny / tiny.sum(), dtype, device)
    (table,) = mp_tables(tiny)
    assert_accurate(impl.mutual_information(tiny), table.mi, scale=table.scale, msg="tiny")
    if dtype == torch.float64:
        check_gradients(lambda z: impl.mutual_information(z, validate=False), POSITIVE_TABLE)
    if dtype in (torch.float64, torch.float32):
        # mass put into an empty cell moves its marginals too: finite where one of them is 0
        check_slopes_at_empty_cells(impl.mutual_information, "mi", dtype, device)
        _check_nearly_independent(impl, dtype, device)


@mutual_information_definition.property_leg(
    r"`mutual_information(table)` equals the double sum evaluated by mpmath (error in eps, "
    r"relative to the table's scale), and for nearly independent tables summing to exactly 1 "
    r"(log-ratios down to $10^{-12}$) relative to $I$ itself, or to eps times "
    r"$\sum |p \operatorname{pmi}|$ (the change of $I$ when the cells move by an ulp) when "
    r"that is larger"
)
def _(impl) -> ForAll:
    eps = torch.finfo(torch.float64).eps

    def holds(tables) -> bool:
        joint, near = tables
        (table,) = mp_tables(joint)
        mi, spread = _mp_mutual_information(near)
        # relative to I, unless I is below what rounding the cells by an ulp moves it by
        # (log-ratios at the level of eps: proportional rows, up to the grid)
        return is_accurate(
            impl.mutual_information(joint), table.mi, scale=table.scale
        ) and is_accurate(impl.mutual_information(near), mi, scale=eps * spread)

    return ForAll(st.tuples(joint_tables(), _nearly_independent_tables()), holds, names=("P", "Q"))


mutual_information_marginal_expectation = SECTION.claim(
    "mutual-information-marginal-expectation",
    title="The notes' 'E_x E_y' formula weights each pair twice",
    statement=r"I(X, Y) = \mathbb{E}_x \mathbb{E}_y \left\{ p_{X,Y}(x, y) \log "
    r"\frac{p_{X,Y}(x, y)}{p_X(x)\,p_Y(y)} \right\}",
    kind=Kind.ERRATUM,
    corrects="information.mutual-information-definition",
    code=("pointwise_mutual_information", "mutual_information"),
    note=r"Read literally, $\mathbb{E}_x \mathbb{E}_y$ takes $x \sim p_X$ and $y \sim p_Y$ and "
    r"gives $\sum_x \sum_y p_X(x) p_Y(y) p(x, y) \log(\dots)$, which is not $I(X, Y)$: for the "
    r"table $[[\tfrac12, 0], [0, \tfrac12]]$ it is $\tfrac14 \log 2$ instead of $\log 2$. "
    r"Reading it as one expectation under the joint distribution is also wrong (the weight "
    r"$p(x, y)$ appears twice, giving $\tfrac12 \log 2$). The formula is right only if "
    r"$\mathbb{E}_x \mathbb{E}_y$ stands for plain sums (or integrals) over $x$ and $y$.",
    numeric=NotApplicable("the statement as written has no reference implementation to compare"),
)


@mutual_information_marginal_expectation.symbolic_leg(
    scope=r"$2 \times 2$ tables; witness $[[\tfrac38, \tfrac18], [\tfrac18, \tfrac38]]$, both "
    r"readings"
)
def _() -> Derivation:
    a = sp.Symbol("a", positive=True)
    half = sp.Rational(1, 2)
    # the symmetric 2 x 2 tables [[a, 1/2 - a], [1/2 - a, a]]: both marginals are (1/2, 1/2)
    table = [[a, half - a], [half - a, a]]
    cells = [(u, v) for u in range(2) for v in range(2)]

    def pmi(u, v):
        return sp.log(table[u][v] / (half * half))

    mi = sum(table[u][v] * pmi(u, v) for u, v in cells)
    over_marginals = sum(half * half * table[u][v] * pmi(u, v) for u, v in cells)
    over_joint = sum(table[u][v] * table[u][v] * pmi(u, v) for u, v in cells)
    general = sp.Sum(p_x[i] * p_y[j] * P[i, j] * PMI, LIM_J, LIM_I)
    literal = sp.Symbol(r"\mathbb{E}_x \mathbb{E}_y\{\cdot\}")
    return Derivation(
        steps=[
            Step(
                r"$\mathbb{E}_x \mathbb{E}_y$ over the marginals, read literally: each pair is "
                r"weighted twice",
                equation(literal, general),
            ),
            Step(
                r"The tables $[[a, \tfrac12 - a], [\tfrac12 - a, a]]$ (marginals "
                r"$\tfrac12, \tfrac12$): mutual information",
                equation(_I, mi),
            ),
            Step("the literal reading is a quarter of it", equation(literal, over_marginals)),
            Step(
                r"the reading $\mathbb{E}_{(x,y) \sim P}$ (one factor $p$ too many)",
                equation(sp.Symbol(r"\mathbb{E}_{(x,y)}\{\cdot\}"), over_joint),
            ),
        ],
        residuals=[over_marginals - mi, over_joint - mi],
        compared=[
            r"$\mathbb{E}_x \mathbb{E}_y\{\cdot\}$ over the marginals minus $I(X, Y)$",
            r"$\mathbb{E}_{(x, y)}\{\cdot\}$ minus $I(X, Y)$",
        ],
        witness={a: sp.Rational(3, 8)},
        witness_symbols={
            "a": r"each diagonal entry of the joint table $\begin{pmatrix} a & 1/2 - a \\ "
            r"1/2 - a & a \end{pmatrix}$ of $X, Y$ (both marginals $(\frac12, \frac12)$)"
        },
    )


@mutual_information_marginal_expectation.property_leg(
    r"$\sum_x \sum_y p_X(x) p_Y(y) p(x, y) \operatorname{pmi}(x, y)$ equals "
    r"`mutual_information(table)`",
    latex=r"\mathbb{E}_{x \sim p_X} \mathbb{E}_{y \sim p_Y}\{p\,\mathrm{pmi}\} = I(X, Y)",
)
def _(impl) -> ForAll:
    # the notes' E_x E_y {p(x, y) log(p(x, y) / (p(x) p(y)))} with x ~ p_X and y ~ p_Y
    def as_written(joint) -> bool:
        p_x_, p_y_ = marginals(joint)
        pmi = impl.pointwise_mutual_information(joint)
        weights = torch.outer(p_x_, p_y_) * joint
        literal = torch.where(joint > 0, weights * pmi, torch.zeros_like(pmi)).sum()
        return close(literal, impl.mutual_information(joint))

    return ForAll(joint_tables(), as_written, names=("P",))
