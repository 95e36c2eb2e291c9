r"""§ 13.6 Joint Entropy — the entropy of a pair, its two extremes and its bounds.

Main declarations:

* ``information.joint-entropy-definition`` — :math:`H(X, Y) = -\sum_x \sum_y p \log p`;
* ``information.joint-entropy-identical-variables`` — :math:`H(X, X) = H(X)` for discrete
  :math:`X`; the erratum ``information.joint-entropy-identical-continuous``: for a continuous
  :math:`X` the pair :math:`(X, X)` has no joint density, and :math:`h(X, X + \varepsilon Z)`
  falls to :math:`-\infty` as :math:`\varepsilon \to 0` instead of reaching :math:`h(X)`;
* ``information.joint-entropy-independent-variables`` — :math:`H(X, Y) = H(X) + H(Y)` for
  independent variables;
* ``information.joint-entropy-bounds`` — :math:`\max(H(X), H(Y)) \le H(X, Y) \le H(X) + H(Y)`
  for discrete variables; the erratum ``information.joint-entropy-lower-bound-continuous``: the
  lower bound fails for differential entropy.
"""

from __future__ import annotations

import mpmath
import numpy as np
import scipy.stats
import sympy as sp
import torch
import torch.distributions as D
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input, simplex
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.information.claims._support import (
    DPS,
    H_X,
    H_X_GIVEN_Y,
    H_XY,
    H_Y,
    H_Y_GIVEN_X,
    LIM_I,
    LIM_J,
    MI,
    POSITIVE_TABLE,
    P,
    as_numpy,
    assert_le,
    check_gradients,
    close,
    distributions,
    entr_sum,
    exact_measures,
    i,
    j,
    joint_tables,
    joints,
    le,
    marginals,
    marginals_np,
    mp_entropy,
    mp_tables,
    n,
    on,
    p,
    p_x,
    p_y,
    reduce_sums,
    scalar,
    total,
    vectors,
)

SECTION = Section("information", "13.6 Joint Entropy")

_NO_REFERENCE = "the statement as written has no reference implementation to compare"

joint_entropy_definition = SECTION.claim(
    "joint-entropy-definition",
    title="Joint entropy",
    statement=r"H(X, Y) = -\mathbb{E}_{(x,y) \sim P}[\log p_{X,Y}(x, y)] = "
    r"-\sum_x \sum_y p_{X,Y}(x, y) \log p_{X,Y}(x, y)",
    kind=Kind.DEFINITION,
    code=("joint_entropy",),
    symbolic=NotApplicable(
        "a definition: the entropy of the pair as one variable; its identities are proved in "
        "the claims below"
    ),
)


@joint_entropy_definition.numeric_leg(
    oracle="mpmath over both dimensions (error in eps; batched); scipy.special.entr in bits; "
    "scipy.stats.entropy of the flattened table (float64, float32); gradcheck and gradgradcheck "
    "(float64)"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        got = impl.joint_entropy(joint)
        assert got.dtype == dtype and got.device == joint.device and got.shape == joint.shape[:-2]
        values = oracle_input(joint)
        flat = values.reshape(*values.shape[:-2], -1)
        assert_accurate(got.reshape(-1), mp_entropy(flat), msg="vs mpmath")
        want_bits = entr_sum(values, axis=(-2, -1)) / np.log(2)
        assert_close(impl.joint_entropy(joint, base=2), want_bits, msg="bits vs scipy")
        if dtype in (torch.float64, torch.float32):  # scipy.stats.entropy renormalizes
            assert_close(got, scipy.stats.entropy(flat, axis=-1), msg="vs scipy.stats.entropy")
    if dtype == torch.float64:
        check_gradients(lambda z: impl.joint_entropy(z, validate=False), POSITIVE_TABLE)


@joint_entropy_definition.property_leg(
    r"`joint_entropy(table)` equals the entropy of the flattened table by mpmath, to 16 eps, for "
    r"batches of $1 \times 1$ to $4 \times 4$ tables with zeros and tiny entries"
)
def _(impl) -> ForAll:
    def holds(joint) -> bool:
        flat = joint.reshape(*joint.shape[:-2], -1)
        return is_accurate(impl.joint_entropy(joint).reshape(-1), mp_entropy(flat))

    return ForAll(joint_tables(batch=True), holds, names=("P",))


joint_entropy_identical_variables = SECTION.claim(
    "joint-entropy-identical-variables",
    title="A discrete variable paired with itself carries no extra information",
    statement=r"X = Y,\ X \text{ discrete} \implies H(X, Y) = H(X) = H(Y)",
    kind=Kind.THEOREM,
    code=("joint_entropy", "entropy"),
    uses=("information.entropy-discrete-form",),
    note=r"The notes state it for every pair, right after defining the differential joint "
    r"entropy; it holds for discrete $X$, whose pair $(X, X)$ has a diagonal table. For a "
    r"continuous $X$ it fails: information.joint-entropy-identical-continuous.",
)


@joint_entropy_identical_variables.symbolic_leg(scope=r"general $n$, every step")
def _() -> Derivation:
    d = sp.Symbol("d", integer=True, nonzero=True)
    table = sp.KroneckerDelta(i, j) * p[i]
    marginal_x = resolve_in_range(sp.Sum(table, (j, 1, n)).doit(), i, 1, n)
    marginal_y = resolve_in_range(sp.Sum(table, (i, 1, n)).doit(), j, 1, n)
    on_diagonal = (table * sp.log(table)).subs(j, i)
    term = sp.KroneckerDelta(i, j) * p[i] * sp.log(p[i])
    inner = resolve_in_range(sp.Sum(term, (j, 1, n)).doit(), i, 1, n)
    joint = -sp.Sum(inner, (i, 1, n))
    u = sp.Symbol("u", positive=True)
    return Derivation(
        steps=[
            Step(r"$X = Y$: the joint table is diagonal", equation(P[i, j], table)),
            Step(
                "Both marginals are the pmf of X, so H(Y) = H(X)",
                sp.Tuple(equation(p_x[i], marginal_x), equation(p_y[j], marginal_y)),
            ),
            Step(
                r"On the diagonal a term $P \log P$ is $p_i \log p_i$",
                equation(sp.Subs(P[i, j] * sp.log(P[i, j]), j, i), on_diagonal),
            ),
            Step(
                r"Off it ($j = i + d$, $d \ne 0$) the entry is 0 and $0 \log 0 = 0$: every term "
                r"is $\delta_{ij}\, p_i \log p_i$",
                sp.Tuple(
                    equation(table.subs(j, i + d), 0),
                    equation(sp.Limit(u * sp.log(u), u, 0, "+"), 0),
                ),
                cites=("information.entropy-discrete-form",),
            ),
            Step(
                r"The sum over $j$ keeps $j = i$: $H(X, Y) = H(X)$",
                equation(sp.Symbol("H(X, Y)"), joint),
            ),
        ],
        residuals=[
            marginal_x - p[i],
            marginal_y - p[j],
            on_diagonal - p[i] * sp.log(p[i]),
            table.subs(j, i + d),
            joint - (-sp.Sum(p[i] * sp.log(p[i]), (i, 1, n))),
        ],
        compared=[
            r"$p_X(i)$ minus $p_i$",
            r"$p_Y(j)$ minus $p_j$",
            r"the diagonal term minus $p_i \log p_i$",
            r"an entry off the diagonal",
            r"$H(X, Y)$ minus $H(X)$",
        ],
    )


@joint_entropy_identical_variables.numeric_leg(oracle="mpmath entropy of p (error in eps)")
def _(impl, device, dtype) -> None:
    for values in vectors(dtype, device):
        exact = mp_entropy(values)
        assert_accurate(
            impl.joint_entropy(torch.diag_embed(values)).reshape(-1), exact, msg="H(X, X)"
        )
        assert_accurate(impl.entropy(values).reshape(-1), exact, msg="H(X)")


@joint_entropy_identical_variables.property_leg(
    r"`joint_entropy(diag(p))` and `entropy(p)` both equal mpmath's $H(p)$ to 16 eps"
)
def _(impl) -> ForAll:
    def holds(values) -> bool:
        exact = mp_entropy(values)[0]
        return is_accurate(impl.joint_entropy(torch.diag(values)), exact) and is_accurate(
            impl.entropy(values), exact
        )

    return ForAll(distributions(), holds, names=("p",))


joint_entropy_identical_continuous = SECTION.claim(
    "joint-entropy-identical-continuous",
    title="For a continuous X, the pair (X, X) does not have the differential entropy h(X)",
    statement=r"X = Y \implies H(X, Y) = H(X) = H(Y) \quad (X \text{ continuous, } H "
    r"\text{ the differential entropy})",
    kind=Kind.ERRATUM,
    corrects="information.joint-entropy-identical-variables",
    code=("gaussian_differential_entropy",),
    note=r"The pair $(X, X)$ lies on the line $y = x$, a set of area 0, so it has no joint "
    r"density and $-\int\!\!\int p \log p$ is not defined. Approaching it by "
    r"$Y_\varepsilon = X + \varepsilon Z$ ($Z$ standard normal, independent) gives "
    r"$h(X, Y_\varepsilon) = h(X) + \tfrac12 \log(2\pi e \varepsilon^2)$, which falls to "
    r"$-\infty$ as $\varepsilon \to 0$ instead of settling at $h(X)$. The statement holds "
    r"for discrete variables.",
    numeric=NotApplicable(_NO_REFERENCE + " (the counterexample uses the closed forms)"),
)


@joint_entropy_identical_continuous.symbolic_leg(
    scope=r"$X \sim \mathcal{N}(0, \sigma^2)$, $Y = X + \varepsilon Z$; the limit "
    r"$\varepsilon \to 0$; witness $\sigma = 1$"
)
def _() -> Derivation:
    sigma, eps = sp.symbols("sigma epsilon", positive=True)
    covariance = sp.Matrix([[sigma**2, sigma**2], [sigma**2, sigma**2 + eps**2]])
    h_pair = sp.log((2 * sp.pi * sp.E) ** 2 * covariance.det()) / 2
    h_x = sp.log(2 * sp.pi * sp.E * sigma**2) / 2
    limit = sp.limit(h_pair, eps, 0, "+")
    return Derivation(
        steps=[
            Step(
                r"$X \sim \mathcal{N}(0, \sigma^2)$ and $Y_\varepsilon = X + \varepsilon Z$: "
                r"a Gaussian pair with this covariance",
                equation(sp.Symbol(r"\Sigma"), covariance),
            ),
            Step(
                r"$h(X, Y_\varepsilon) = \tfrac12 \log((2\pi e)^2 \det \Sigma)$ exceeds $h(X)$ by "
                r"$\tfrac12 \log(2\pi e\varepsilon^2)$",
                equation(
                    sp.Symbol(r"h(X, Y_\varepsilon) - h(X)"),
                    sp.expand_log(h_pair - h_x, force=True),
                ),
            ),
            Step(
                r"As $Y_\varepsilon \to X$ the joint entropy falls to $-\infty$, not to $h(X)$: "
                r"as written, $e^{h(X, X)} - e^{h(X)}$ would be 0",
                equation(sp.Limit(sp.Symbol(r"h(X, Y_\varepsilon)"), eps, 0, "+"), limit),
            ),
        ],
        residuals=[sp.exp(limit) - sp.exp(h_x)],
        compared=[r"$e^{h(X, X)}$ (the limit) minus $e^{h(X)}$"],
        witness={sigma: 1},
        witness_symbols={
            "sigma": r"the standard deviation of $X \sim \mathcal{N}(0, \sigma^2)$, paired "
            r"with $Y_\varepsilon = X + \varepsilon Z$ as $\varepsilon \to 0$"
        },
    )


@joint_entropy_identical_continuous.property_leg(
    r"the continuous reading predicts $h(X, Y) \to h(X)$ as $Y = X + \varepsilon Z$ approaches "
    r"$X$: for $\varepsilon \le 0.01$, $h(X, Y)$ (`torch.distributions.MultivariateNormal`) "
    r"equals `gaussian_differential_entropy(sigma)`",
    latex=r"h(X, X + \varepsilon Z) \approx h(X)",
)
def _(impl) -> ForAll:
    def as_written(case) -> bool:
        sigma, eps = case
        tril = torch.tensor([[sigma, 0.0], [sigma, eps]], dtype=torch.float64)
        h_pair = D.MultivariateNormal(
            torch.zeros(2, dtype=torch.float64), scale_tril=tril
        ).entropy()
        return close(h_pair, impl.gaussian_differential_entropy(scalar(sigma)))

    scales = st.sampled_from([1.0, 0.5, 2.0])
    noise = st.sampled_from([1e-2, 1e-3, 1e-4, 1e-6])
    return ForAll(st.tuples(scales, noise), as_written, names=("sigma", "eps"))


joint_entropy_independent_variables = SECTION.claim(
    "joint-entropy-independent-variables",
    title="Joint entropy of independent variables is additive",
    statement=r"X \perp Y \implies H(X, Y) = H(X) + H(Y)",
    kind=Kind.THEOREM,
    code=("joint_entropy", "entropy"),
    note="Holds for differential entropies as well (the joint density factorizes).",
)


@joint_entropy_independent_variables.symbolic_leg(scope=r"general $n$, $m$: the table $a_i b_j$")
def _() -> Derivation:
    a, b = sp.IndexedBase("a", positive=True), sp.IndexedBase("b", positive=True)
    joint = -sp.Sum(a[i] * b[j] * sp.log(a[i] * b[j]), LIM_J, LIM_I)
    split = -sp.Sum(a[i] * sp.log(a[i]), LIM_I) - sp.Sum(b[j] * sp.log(b[j]), LIM_J)
    reduced = reduce_sums(joint, {}, {LIM_I: (a[i],), LIM_J: (b[j],)})
    return Derivation(
        steps=[
            Step(
                r"Independent $X \sim a$, $Y \sim b$: $P_{ij} = a_i b_j$",
                equation(sp.Symbol("H(X, Y)"), joint),
            ),
            Step(
                r"$\log(ab) = \log a + \log b$; $\sum_j b_j = \sum_i a_i = 1$",
                equation(sp.Symbol("H(X, Y)"), reduced),
            ),
        ],
        residuals=[reduced - split],
        compared=[r"$H(X, Y)$ minus $H(a) + H(b)$"],
    )


def _mp_sum_of_entropies(a: torch.Tensor, b: torch.Tensor) -> list[float]:
    """H(a) + H(b) of each pair of rows, summed exactly."""
    ha, hb = mp_entropy(a), mp_entropy(b)
    with mpmath.workdps(DPS):
        return [float(mpmath.mpf(u) + mpmath.mpf(v)) for u, v in zip(ha, hb, strict=True)]


@joint_entropy_independent_variables.numeric_leg(
    oracle="mpmath of the rounded table (error in eps); H(a) + H(b) by scipy (float64, float32)"
)
def _(impl, device, dtype) -> None:
    a, b = simplex(4, 5, seed=41, zeros=0.3), simplex(4, 3, seed=42)
    joint = on(a.unsqueeze(-1) * b.unsqueeze(-2), dtype, device)
    (exact,) = exact_measures(joint, "h_xy")
    assert_accurate(impl.joint_entropy(joint), exact, msg="vs mpmath")
    if dtype in (torch.float64, torch.float32):
        # the identity itself: rounding a_i b_j to float16/bfloat16 perturbs the table by more
        # than that dtype's tolerance of H(a) + H(b), so it is checked where rounding is finer
        want = entr_sum(a.numpy()) + entr_sum(b.numpy())
        assert_close(impl.joint_entropy(joint), want, msg="H(X, Y) = H(X) + H(Y)")


@joint_entropy_independent_variables.property_leg(
    r"`joint_entropy(outer(a, b))` equals $H(a) + H(b)$, and `entropy(a) + entropy(b)` equals "
    r"$H(a b^\top)$, each side against mpmath's value of the other, for factors with zeros and "
    r"entries down to $10^{-300}$"
)
def _(impl) -> ForAll:
    # outer() rounds each product: a relative change of eps per entry moves H(X, Y) by up to
    # eps (1 + H), so both comparisons are relative to that scale
    def holds(case) -> bool:
        a, b = case
        joint = torch.outer(a, b)
        (table,) = mp_tables(joint)
        (both,) = _mp_sum_of_entropies(a, b)
        return is_accurate(impl.joint_entropy(joint), both, scale=table.scale) and is_accurate(
            impl.entropy(a) + impl.entropy(b), table.h_xy, scale=table.scale
        )

    return ForAll(st.tuples(distributions(), distributions()), holds, names=("a", "b"))


joint_entropy_bounds = SECTION.claim(
    "joint-entropy-bounds",
    title="For discrete variables, the joint entropy lies between the larger entropy and the sum",
    statement=r"\max(H(X), H(Y)) \le H(X, Y) \le H(X) + H(Y) \quad (X, Y \text{ discrete})",
    kind=Kind.THEOREM,
    code=("joint_entropy", "entropy"),
    uses=(
        "information.conditional-entropy-chain-rule",
        "information.entropy-nonnegative-discrete",
        "information.mutual-information-entropy-form",
        "information.mutual-information-nonnegative",
    ),
    note=r"The upper bound (subadditivity) holds for differential entropies too, since it is "
    r"$I(X, Y) \ge 0$. The lower bound needs discrete variables: $H(X, Y) - H(X) = "
    r"H(Y \mid X)$, and a differential conditional entropy can be negative "
    r"(information.joint-entropy-lower-bound-continuous).",
)


def _nonnegative_term(weight: str, whole) -> tuple[Step, bool | None]:
    r"""$-P \log(P/w) \ge 0$ for $0 < P \le w$: with $P = w/(1 + u)$, a weighted entropy term."""
    u = sp.Symbol("u", nonnegative=True)
    value = sp.simplify(sp.expand_log(-(whole / (1 + u)) * sp.log(1 / (1 + u)), force=True))
    step = Step(
        rf"Each term: $P_{{ij}} \le {weight}$, so $P_{{ij}} = {weight}/(1 + u)$, $u \ge 0$, "
        r"and the term is $\ge 0$ as an entropy term is",
        equation(sp.Symbol(rf"-P_{{ij}} \log(P_{{ij}} / {weight})"), value),
        cites=("information.entropy-nonnegative-discrete",),
    )
    return step, value.is_nonnegative


@joint_entropy_bounds.symbolic_leg(
    scope=r"general $n$, $m$: $H(X, Y) - H(X) = H(Y \mid X) \ge 0$ termwise, "
    r"$H(X) + H(Y) - H(X, Y) = I \ge 0$"
)
def _() -> Derivation:
    step_x, fact_x = _nonnegative_term("p_X(i)", p_x[i])
    step_y, fact_y = _nonnegative_term("p_Y(j)", p_y[j])
    return Derivation(
        steps=[
            Step(
                r"$H(X, Y) - H(X)$ is the conditional entropy $H(Y \mid X)$",
                equation(H_XY - H_X, H_Y_GIVEN_X),
                cites=("information.conditional-entropy-chain-rule",),
            ),
            step_x,
            Step(
                r"Likewise $H(X, Y) - H(Y) = H(X \mid Y) \ge 0$",
                equation(H_XY - H_Y, H_X_GIVEN_Y),
                cites=("information.conditional-entropy-chain-rule",),
            ),
            step_y,
            Step(
                r"$H(X) + H(Y) - H(X, Y) = I(X, Y)$",
                equation(H_X + H_Y - H_XY, MI),
                cites=("information.mutual-information-entropy-form",),
            ),
            Step(
                r"and $I(X, Y) \ge 0$",
                sp.GreaterThan(sp.Symbol("I(X, Y)"), 0, evaluate=False),
                cites=("information.mutual-information-nonnegative",),
            ),
        ],
        residuals=[
            reduce_sums(H_XY - H_X - H_Y_GIVEN_X),
            fact_x,
            reduce_sums(H_XY - H_Y - H_X_GIVEN_Y),
            fact_y,
            reduce_sums(H_X + H_Y - H_XY - MI),
        ],
        compared=[
            r"$H(X, Y) - H(X)$ minus $H(Y \mid X)$",
            r"a term of $H(Y \mid X)$ is $\ge 0$",
            r"$H(X, Y) - H(Y)$ minus $H(X \mid Y)$",
            r"a term of $H(X \mid Y)$ is $\ge 0$",
            r"$H(X) + H(Y) - H(X, Y)$ minus $I(X, Y)$",
        ],
    )


@joint_entropy_bounds.numeric_leg(
    oracle="mpmath entropies of the table and its marginals (error in eps); the bounds for the "
    "rounded input"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        p_x_, p_y_ = joint.sum(-1), joint.sum(-2)
        h_xy = impl.joint_entropy(joint)
        h_x, h_y = impl.entropy(p_x_, validate=False), impl.entropy(p_y_, validate=False)
        assert_accurate(h_xy, *exact_measures(joint, "h_xy"), msg="H(X, Y)")
        # p_X, p_Y are sums the leg rounds to the dtype: compared with the marginals' entropy
        # at the float tolerance
        assert_close(h_x, entr_sum(marginals_np(oracle_input(joint))[0], axis=(-2, -1)))
        assert_close(h_y, entr_sum(marginals_np(oracle_input(joint))[1], axis=(-2, -1)))
        assert_le(torch.maximum(h_x, h_y), h_xy, dtype, "max(H(X), H(Y)) <= H(X, Y)")
        s_ = total(joint, axis=(-2, -1))  # see total(): the bound for the rounded input
        upper = as_numpy(h_x) + as_numpy(h_y) + s_ * np.log(s_)
        assert_le(h_xy, upper, dtype, "H(X, Y) <= H(X) + H(Y)")


@joint_entropy_bounds.property_leg(
    r"$\max($`entropy(p_X)`, `entropy(p_Y)`$) \le$ `joint_entropy(table)` $\le$ "
    r"`entropy(p_X) + entropy(p_Y)` for tables with zeros and tiny entries"
)
def _(impl) -> ForAll:
    def holds(joint) -> bool:
        p_x_, p_y_ = marginals(joint)
        h_xy, h_x, h_y = impl.joint_entropy(joint), impl.entropy(p_x_), impl.entropy(p_y_)
        return le(torch.maximum(h_x, h_y), h_xy) and le(h_xy, h_x + h_y)

    return ForAll(joint_tables(), holds, names=("P",))


joint_entropy_lower_bound_continuous = SECTION.claim(
    "joint-entropy-lower-bound-continuous",
    title="The lower bound H(X), H(Y) <= H(X, Y) fails for differential entropy",
    statement=r"H(X), H(Y) \le H(X, Y)",
    kind=Kind.ERRATUM,
    corrects="information.joint-entropy-bounds",
    code=("uniform_differential_entropy",),
    note=r"The notes state the bounds right after defining the differential joint entropy, "
    r"without restricting them to discrete variables. For $X \sim U[0, 1]$ and an independent "
    r"$Y \sim U[0, \tfrac12]$, $h(X) = 0$ but $h(X, Y) = \log\tfrac12 < 0$. Only the upper "
    r"bound $H(X, Y) \le H(X) + H(Y)$ survives for continuous variables.",
    numeric=NotApplicable(_NO_REFERENCE + " (the counterexample uses the closed forms)"),
)


@joint_entropy_lower_bound_continuous.symbolic_leg(
    scope=r"$X, Y$ independent uniform on $[0, w]$; witness $w = \tfrac12$"
)
def _() -> Derivation:
    w = sp.Symbol("w", positive=True)
    u, v = sp.symbols("u v", real=True)
    h_x = sp.expand_log(sp.integrate(-(1 / w) * sp.log(1 / w), (u, 0, w)), force=True)
    h_xy = sp.integrate(sp.integrate(-(1 / w**2) * sp.log(1 / w**2), (u, 0, w)), (v, 0, w))
    h_xy = sp.expand_log(h_xy, force=True)
    return Derivation(
        steps=[
            Step(
                r"$X, Y$ independent, uniform on $[0, w]$: $h(X) = h(Y)$",
                equation(sp.Symbol("h(X)"), h_x),
            ),
            Step(
                r"The pair is uniform on $[0, w]^2$ (density $1/w^2$)",
                equation(sp.Symbol("h(X, Y)"), h_xy),
            ),
            Step(
                r"The notes' lower bound $h(X) \le h(X, Y)$, as written",
                sp.LessThan(h_x, h_xy, evaluate=False),
            ),
            Step(
                r"By how much it fails: $\min(0, h(X, Y) - h(X))$, zero exactly when it holds",
                sp.Min(0, h_xy - h_x),
            ),
        ],
        residuals=[sp.Min(0, h_xy - h_x)],
        compared=[r"$\min(0, h(X, Y) - h(X))$"],
        witness={w: sp.Rational(1, 2)},
        witness_symbols={
            "w": r"the common width of $X$ and $Y$, independent and each uniform on $[0, w]$"
        },
    )


@joint_entropy_lower_bound_continuous.property_leg(
    r"for $X \sim U[0, w_1]$ and an independent $Y \sim U[0, w_2]$ (widths from "
    r"$\{1, 2, \tfrac12, \tfrac14, 4\}$), $h(X) \le h(X, Y)$, with $h(X, Y)$ from "
    r"`torch.distributions`",
    latex=r"h(X) \le h(X, Y)",
)
def _(impl) -> ForAll:
    widths = st.sampled_from([1.0, 2.0, 0.5, 0.25, 4.0])

    def as_written(case) -> bool:
        w1, w2 = case
        h_x = impl.uniform_differential_entropy(scalar(0.0), scalar(w1))
        bounds = torch.tensor([w1, w2], dtype=torch.float64)
        pair = D.Independent(D.Uniform(torch.zeros(2, dtype=torch.float64), bounds), 1)
        return le(h_x, pair.entropy())

    return ForAll(st.tuples(widths, widths), as_written, names=("w1", "w2"))
