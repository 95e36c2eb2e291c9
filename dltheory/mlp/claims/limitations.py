r"""§ 5 Limitations of Linear Models — what linearity forces, and where the logarithm belongs.

Main declarations:

* ``mlp.linear-model-monotone`` — raising input :math:`x_j` by :math:`t` moves the output of
  :math:`o = \mathbf{w}^\top\mathbf{x} + b` by exactly :math:`t\,w_j`: up for a positive weight,
  down for a negative one, not at all for a zero weight; with the notation note
  ``mlp.monotone-zero-weight`` (the notes' dichotomy leaves out :math:`w_j = 0` and holds one
  input at a time);
* erratum ``mlp.log-outcome-diminishing-returns`` — a logarithm applied to the *outcome*
  (:math:`\log p = wx + b`) makes the gains grow with income, the opposite of the loan example;
  corrected by ``mlp.log-feature-diminishing-returns``: a logarithm of the *feature* gives the
  diminishing returns the example describes.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_close
from dltheory.mlp.claims._support import integer_arrays

SECTION = Section("mlp", "5 Limitations of Linear Models")

linear_model_monotone = SECTION.claim(
    "linear-model-monotone",
    title="A linear model moves with each input in the direction of its weight",
    statement=r"o(\mathbf{x}) = \mathbf{w}^\top\mathbf{x} + b \;\Rightarrow\; "
    r"o(\mathbf{x} + t\,\mathbf{e}_j) - o(\mathbf{x}) = t\,w_j, \text{ so for } t > 0:\ "
    r"\operatorname{sign}\big(o(\mathbf{x} + t\,\mathbf{e}_j) - o(\mathbf{x})\big) = "
    r"\operatorname{sign}(w_j)",
    kind=Kind.THEOREM,
    code=("linear",),
    note="Monotonicity in each input is what linearity implies: the output is increasing in "
    r"$x_j$ when $w_j > 0$, decreasing when $w_j < 0$, and constant when $w_j = 0$.",
)


@linear_model_monotone.symbolic_leg(scope="general $d$")
def _() -> Derivation:
    d = sp.Symbol("d", integer=True, positive=True)
    i, j = sp.symbols("i j", integer=True)
    t, b = sp.symbols("t b", real=True)
    w, x = sp.IndexedBase("w", real=True), sp.IndexedBase("x", real=True)
    before = sp.Sum(w[i] * x[i], (i, 1, d)) + b
    after = sp.Sum(w[i] * (x[i] + t * sp.KroneckerDelta(i, j)), (i, 1, d)) + b
    change = resolve_in_range(sp.expand(after - before).doit(), j, 1, d)
    return Derivation(
        steps=[
            Step(r"The linear model", equation(sp.Symbol("o(x)"), before)),
            Step(r"Raise input $j$ by $t$: $x_i \to x_i + t\,[i = j]$", after),
            Step(
                r"The difference; only the term $i = j$ survives ($1 \le j \le d$)",
                equation(after - before, change),
            ),
        ],
        residuals=[change - t * w[j]],
        compared=[r"$o(\mathbf{x} + t\mathbf{e}_j) - o(\mathbf{x})$ minus $t\,w_j$"],
    )


@linear_model_monotone.numeric_leg(
    oracle="torch.nn.functional.linear in float64 (every layout, with and without bias, "
    "gradients); the exact change t*w_j on integer data"
)
def _(impl, device, dtype) -> None:
    w = randn(3, 5, seed=1).to(dtype).to(device)
    b = randn(3, seed=2).to(dtype).to(device)
    for seed, shape in enumerate([(5,), (4, 5), (2, 3, 5)]):
        x = randn(*shape, seed=10 + seed).to(dtype).to(device)
        for bias in (b, None):
            got = impl.linear(x, w, bias)
            assert got.dtype == dtype and got.device == x.device and got.shape == (*shape[:-1], 3)
            want = F.linear(x.double(), w.double(), None if bias is None else bias.double())
            assert_close(
                got, want, dtype=dtype, msg=f"linear, input {shape}, bias {bias is not None}"
            )
    # integer data: sums of products of small integers are exact in every dtype, so the change
    # t * w_j must come out exactly
    wi = torch.tensor([[3.0, -2.0, 0.0, 1.0]], dtype=dtype, device=device)
    xi = torch.tensor([1.0, -3.0, 2.0, 0.0], dtype=dtype, device=device)
    for j in range(4):
        step = torch.zeros_like(xi)
        step[j] = 2.0
        change = impl.linear(xi + step, wi) - impl.linear(xi, wi)
        assert change.item() == 2.0 * wi[0, j].item(), f"input {j}: change {change.item()}"
    if dtype == torch.float64:
        leaves = (
            x.clone().requires_grad_(),
            w.clone().requires_grad_(),
            b.clone().requires_grad_(),
        )
        assert torch.autograd.gradcheck(impl.linear, leaves)
        assert torch.autograd.gradgradcheck(impl.linear, leaves)


@linear_model_monotone.property_leg(
    r"on integer weights and inputs (exact arithmetic), raising $x_j$ by an integer $t \ge 1$ "
    r"changes `linear` by exactly $t\,w_j$, so in the direction of $\operatorname{sign}(w_j)$",
    latex=r"o(\mathbf{x} + t\mathbf{e}_j) - o(\mathbf{x}) = t\,w_j",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        d = draw(st.integers(1, 5))
        w, x = draw(integer_arrays((1, d))), draw(integer_arrays((d,)))
        b = draw(integer_arrays((1,)))
        return w, b, x, draw(st.integers(0, d - 1)), draw(st.integers(1, 4))

    def holds(case) -> bool:
        w, b, x, j, t = case
        step = torch.zeros_like(x)
        step[j] = t
        change = (impl.linear(x + step, w, b) - impl.linear(x, w, b)).item()
        return change == t * w[0, j].item() and (change > 0) == (w[0, j] > 0)

    return ForAll(cases(), holds, names=("w", "b", "x", "j", "t"))


monotone_zero_weight = SECTION.claim(
    "monotone-zero-weight",
    title="Monotonicity: the zero weight and several inputs at once",
    statement=r"\text{``any increase in inputs must always correspond to an increase in our "
    r"model's output (positive weights), or a decrease (negative weights)''}",
    kind=Kind.NOTATION,
    corrects="mlp.linear-model-monotone",
    note=r"The dichotomy holds one input at a time and for a nonzero weight. A zero weight "
    r"$w_j = 0$ leaves the output unchanged (neither an increase nor a decrease), and raising "
    r"several inputs at once moves the output by $\mathbf{w}^\top\Delta\mathbf{x}$, which "
    r"has either sign when the weights do. Read: raising input $j$ alone moves the output in "
    r"the direction of $\operatorname{sign}(w_j)$ — mlp.linear-model-monotone.",
)


# incomes in millions of dollars: the notes' two raises, from $0 and from $1 million
_RAISES = ((0.0, 0.05), (1.0, 1.05))

log_outcome_diminishing_returns = SECTION.claim(
    "log-outcome-diminishing-returns",
    title="A logarithm of the outcome does not give diminishing returns",
    statement=r"\log p(x) = w x + b,\ w > 0 \;\Rightarrow\; p(0.05) - p(0) > p(1.05) - p(1)"
    r"\quad (x \text{ in millions of dollars})",
    kind=Kind.ERRATUM,
    code=("linear",),
    corrects="mlp.log-feature-diminishing-returns",
    note=r"The notes: a raise of income from 0 to 50,000 dollars should help repayment more "
    r"than one from 1 million to 1.05 million dollars, so 'it may be preferable to "
    r"post-process our outcome by using a logarithmic map'. Read as modelling the logarithm "
    r"of the outcome linearly, "
    r"$\log p = wx + b$, the model is $p = e^{wx + b}$, which is convex: for every $w > 0$ "
    r"the second raise gains $e^{w}$ times as much as the first, the opposite of the example. "
    r"(The source, *Dive into Deep Learning*, speaks of the logistic map here.) A logarithm of "
    r"the *feature* does what the example asks: mlp.log-feature-diminishing-returns.",
    numeric=NotApplicable(
        "a statement about a model family; the property leg evaluates it on drawn weights"
    ),
)


@log_outcome_diminishing_returns.symbolic_leg(scope="every $w > 0$; witness $w = 1$, $b = 0$")
def _() -> Derivation:
    x, b = sp.symbols("x b", real=True)
    w = sp.Symbol("w", positive=True)
    p = sp.Lambda(x, sp.exp(w * x + b))
    (a0, a1), (c0, c1) = (tuple(sp.nsimplify(v) for v in r) for r in _RAISES)
    first, second = p(a1) - p(a0), p(c1) - p(c0)
    ratio = sp.simplify(second / first)
    return Derivation(
        steps=[
            Step(r"The model: $\log p$ linear in income", equation(sp.Symbol("p(x)"), p(x))),
            Step(
                "The gains of the two raises of $0.05$ million",
                equation(sp.Symbol("gains"), sp.Tuple(first, second)),
            ),
            Step(r"Their ratio is $e^{w} > 1$ for every $w > 0$", equation(second / first, ratio)),
        ],
        residuals=[sp.StrictGreaterThan(first, second)],
        witness={w: 1, b: 0},
        witness_symbols={
            "w": r"the positive weight of the income $x$ (millions of dollars) in the model "
            r"$\log p(x) = wx + b$",
            "b": r"the bias of the model $\log p(x) = wx + b$",
        },
        compared=["the first gain exceeds the second (the statement as written)"],
    )


@log_outcome_diminishing_returns.property_leg(
    r"for $w \in [10^{-3}, 5]$ and $b \in [-5, 1]$, the model $p = \exp(\text{linear}(x; w, b))$ "
    r"gains more from an income of 0 to 0.05 (millions of dollars) than from 1 to 1.05",
    latex=r"p(0.05) - p(0) > p(1.05) - p(1)",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        w, b = case
        weight = torch.tensor([[w]], dtype=torch.float64)
        bias = torch.tensor([b], dtype=torch.float64)
        gains = []
        for start, end in _RAISES:
            incomes = torch.tensor([[start], [end]], dtype=torch.float64)
            p = torch.exp(impl.linear(incomes, weight, bias)).flatten()
            gains.append((p[1] - p[0]).item())
        return gains[0] > gains[1]

    cases = st.tuples(st.floats(1e-3, 5.0), st.floats(-5.0, 1.0))
    return ForAll(cases, holds, names=("w", "b"))


log_feature_diminishing_returns = SECTION.claim(
    "log-feature-diminishing-returns",
    title="A logarithm of the feature gives diminishing returns",
    statement=r"p(x) = w\log(1 + x) + b,\ w > 0,\ 0 \le x < y,\ h > 0 \;\Rightarrow\; "
    r"p(x + h) - p(x) > p(y + h) - p(y)",
    kind=Kind.THEOREM,
    code=("linear",),
    note=r"Any strictly concave increasing transform of the feature does the same; "
    r"$\log(1 + x)$ keeps income $0$ finite. At the notes' numbers the first raise gains "
    r"$w \log 1.05 \approx 0.0488\,w$, the second $w \log(2.05/2) \approx 0.0247\,w$.",
    numeric=NotApplicable(
        "a statement about a model family; the property leg evaluates it on drawn weights"
    ),
)


@log_feature_diminishing_returns.symbolic_leg(scope="every $0 \\le x < y$, $h > 0$, $w > 0$")
def _() -> Derivation:
    x = sp.Symbol("x", nonnegative=True)
    delta, h, w = sp.symbols("delta h w", positive=True)
    b = sp.Symbol("b", real=True)
    y = x + delta  # y > x
    p = sp.Lambda(sp.Symbol("u"), w * sp.log(1 + sp.Symbol("u")) + b)
    gap = (p(x + h) - p(x)) - (p(y + h) - p(y))
    ratio = ((1 + x + h) * (1 + y)) / ((1 + x) * (1 + y + h))
    excess = sp.factor(sp.expand((1 + x + h) * (1 + y) - (1 + x) * (1 + y + h)))
    return Derivation(
        steps=[
            Step(r"The difference of the two gains ($y = x + \delta$)", gap),
            Step(
                "It is w times the log of a ratio",
                equation(gap, w * sp.log(sp.UnevaluatedExpr(ratio))),
            ),
            Step(
                r"Numerator minus denominator of the ratio: $h\delta > 0$, so the ratio exceeds 1",
                equation(sp.Symbol("excess"), excess),
            ),
        ],
        residuals=[
            sp.expand_log(gap - w * sp.log(ratio), force=True),
            excess - h * delta,
            (excess / ((1 + x) * (1 + y + h))).is_positive,
            (w * sp.log(1 + excess / ((1 + x) * (1 + y + h)))).is_positive,
        ],
        compared=[
            "the gap minus w log(ratio)",
            r"numerator minus denominator, minus $h\delta$",
            "ratio - 1 > 0",
            "the gap > 0",
        ],
    )


@log_feature_diminishing_returns.property_leg(
    r"for $w \in [10^{-3}, 5]$, incomes $0 \le x$, $y \ge x + 1/2$ up to 20 and a raise "
    r"$h \in [0.05, 1]$ (millions), the model $\text{linear}(\log(1 + x); w, b)$ gains more "
    r"from the raise at $x$ than at $y$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        w, b, x, extra, h = case
        y = x + extra
        weight = torch.tensor([[w]], dtype=torch.float64)
        bias = torch.tensor([b], dtype=torch.float64)
        incomes = torch.tensor([[x], [x + h], [y], [y + h]], dtype=torch.float64)
        p = impl.linear(torch.log1p(incomes), weight, bias).flatten()
        return (p[1] - p[0]).item() > (p[3] - p[2]).item()

    cases = st.tuples(
        st.floats(1e-3, 5.0),
        st.floats(-5.0, 5.0),
        st.floats(0.0, 10.0),
        st.floats(0.5, 10.0),
        st.floats(0.05, 1.0),
    )
    return ForAll(cases, holds, names=("w", "b", "x", "dy", "h"))
