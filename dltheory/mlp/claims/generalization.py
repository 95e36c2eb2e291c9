r"""§ 5 Generalization in Deep Learning — "we can always find parameters that fit the data".

Main declarations:

* erratum ``mlp.fit-any-training-data`` — "we can always find parameters that will fit all of
  our training data" fails for a training set that holds one input twice with two labels: no
  function fits it;
* ``mlp.relu-mlp-interpolates`` — the corrected statement: for :math:`n` *distinct* inputs in
  :math:`\mathbb{R}^d` and any labels, a ReLU MLP with one hidden layer of :math:`n` units fits
  every example exactly.
"""

from __future__ import annotations

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randint, randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("mlp", "5 Generalization in Deep Learning")


def interpolating_network(x: torch.Tensor, y: torch.Tensor, direction: torch.Tensor):
    r"""``(W1, b1, W2, b2)`` of a ReLU MLP with ``n`` hidden units through the points
    ``(x_i, y_i)``, whose projections :math:`t_i = \mathbf{u}^\top\mathbf{x}_i` on
    ``direction`` :math:`\mathbf{u}` must be distinct.

    With the projections sorted, :math:`t_{(1)} < \dots < t_{(n)}`, the network is the
    piecewise linear interpolant :math:`f(\mathbf{x}) = y_{(1)} + \sum_{i<n} c_i
    \operatorname{ReLU}(\mathbf{u}^\top\mathbf{x} - t_{(i)})` with :math:`c_i = s_i -
    s_{i-1}`, :math:`s_i` the slope between points :math:`i` and :math:`i + 1` (:math:`s_0 =
    0`); the :math:`n`-th unit gets weight 0.
    """
    t = x @ direction
    order = t.argsort()
    t, y = t[order], y[order]
    slopes = (y[1:] - y[:-1]) / (t[1:] - t[:-1])
    kinks = torch.diff(slopes, prepend=slopes.new_zeros(1))
    w1 = direction.expand(len(t), -1).clone()
    w2 = torch.cat([kinks, kinks.new_zeros(1)]).unsqueeze(0)
    return w1, -t, w2, y[:1].clone()


fit_any_training_data = SECTION.claim(
    "fit-any-training-data",
    title="“We can always find parameters that will fit all of our training data”",
    statement=r"\forall \{(\mathbf{x}_i, y_i)\}_{i=1}^{n}\ \exists\, \theta:\ "
    r"f_\theta(\mathbf{x}_i) = y_i \ (i = 1, \dots, n)",
    kind=Kind.ERRATUM,
    code=("mlp_forward",),
    corrects="mlp.relu-mlp-interpolates",
    note="The notes state it without a condition. A training set may hold the same input "
    r"twice with different labels (duplicates with label noise are common); then no function "
    r"at all, and so no parameters, fit both examples. With distinct inputs (and a hidden layer "
    "as wide as the training set) it holds: mlp.relu-mlp-interpolates.",
    numeric=NotApplicable("a statement about every training set; the property leg searches them"),
)


@fit_any_training_data.symbolic_leg(scope="witness: one input with labels 0 and 1")
def _() -> Derivation:
    f0, y1, y2 = sp.symbols("f_0 y_1 y_2", real=True)  # f0 = f(x) for the repeated input x
    return Derivation(
        steps=[
            Step(
                r"Both examples have the input $\mathbf{x}$: fitting them needs $f(\mathbf{x}) = "
                r"y_1$ and $f(\mathbf{x}) = y_2$",
                sp.Tuple(sp.Eq(f0, y1), sp.Eq(f0, y2)),
            ),
            Step(r"Subtract: $y_1 = y_2$, false for the labels $0$ and $1$", sp.Eq(y1, y2)),
        ],
        residuals=[sp.Eq(y1, y2)],
        witness={y1: 0, y2: 1},
        witness_symbols={
            "y_1": r"the label of one of two training examples that share the input "
            r"$\mathbf{x}$",
            "y_2": r"the label of the other example with the same input $\mathbf{x}$",
        },
        compared=["the labels of the repeated input must agree"],
    )


@fit_any_training_data.property_leg(
    "for training sets of 1 to 4 examples with integer inputs in [0, 2] and labels in "
    "[-3, 3], the ReLU MLP built through the distinct inputs (first label of each) fits every "
    "example; when the labels of a repeated input agree this is the best any network can do",
    latex=r"f_\theta(\mathbf{x}_i) = y_i \ \forall i",
)
def _(impl) -> ForAll:
    @st.composite
    def training_sets(draw):
        n = draw(st.integers(1, 4))
        x = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
        y = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
        return (
            torch.tensor(x, dtype=torch.float64).unsqueeze(1),
            torch.tensor(y, dtype=torch.float64),
        )

    def holds(case) -> bool:
        x, y = case
        first: dict[tuple[float, ...], float] = {}
        for row, label in zip(x.tolist(), y.tolist(), strict=True):
            first.setdefault(tuple(row), label)
        xs = torch.tensor(list(first), dtype=torch.float64)
        ys = torch.tensor(list(first.values()), dtype=torch.float64)
        params = interpolating_network(xs, ys, torch.ones(1, dtype=torch.float64))
        fitted = impl.mlp_forward(x, *params, activation="relu").squeeze(-1)
        return is_close(fitted, y)

    return ForAll(training_sets(), holds, names=("x", "y"))


relu_mlp_interpolates = SECTION.claim(
    "relu-mlp-interpolates",
    title="A ReLU MLP with n hidden units fits n distinct examples",
    statement=r"\mathbf{x}_1, \dots, \mathbf{x}_n \in \mathbb{R}^d \text{ distinct},\ "
    r"y \in \mathbb{R}^n \;\Rightarrow\; \exists\, W_1 \in \mathbb{R}^{n \times d}, "
    r"\mathbf{b}_1, W_2 \in \mathbb{R}^{1 \times n}, b_2:\ "
    r"W_2\operatorname{ReLU}(W_1\mathbf{x}_i + \mathbf{b}_1) + b_2 = y_i",
    kind=Kind.THEOREM,
    code=("mlp_forward",),
    uses=("mlp.forward-propagation",),
    note=r"Pick a direction $\mathbf{u}$ on which the inputs project to distinct values "
    r"$t_i$ (all but finitely many hyperplanes of directions do); every hidden unit reads "
    r"$\mathbf{u}^\top\mathbf{x}$, unit $i$ switches on at $t_{(i)}$, and the output weights "
    "are the changes of slope of the piecewise linear interpolant of the sorted points. This "
    "is what makes fitting the training data 'seldom a problem': a wide enough network can "
    "interpolate it.",
)


@relu_mlp_interpolates.symbolic_leg(
    scope="for n = 2, 3, 4, 5 points (symbolic positions and labels)", general=False
)
def _() -> Derivation:
    residuals, steps = [], []
    for n in (2, 3, 4, 5):
        t0 = sp.Symbol("t_1", real=True)
        gaps = sp.symbols(f"delta_1:{n}", positive=True)
        t = [t0 + sum(gaps[:i]) for i in range(n)]  # t_1 < t_2 < ... < t_n
        y = sp.symbols(f"y_1:{n + 1}", real=True)
        slopes = [(y[i + 1] - y[i]) / (t[i + 1] - t[i]) for i in range(n - 1)]
        kinks = [slopes[0]] + [slopes[i] - slopes[i - 1] for i in range(1, n - 1)]

        def f(x, t=t, y=y, kinks=kinks):
            return y[0] + sum(c * sp.Max(x - ti, 0) for c, ti in zip(kinks, t, strict=False))

        fitted = [sp.simplify(f(tk) - yk) for tk, yk in zip(t, y, strict=True)]
        residuals += fitted
        steps.append(Step(rf"$n = {n}$: $f(t_k) - y_k$ for $k = 1..{n}$", sp.Tuple(*fitted)))
    steps.insert(
        0,
        Step(
            r"The network through sorted points $t_1 < \dots < t_n$",
            equation(
                sp.Symbol("f(t)"),
                sp.Symbol("y_1")
                + sp.Sum(
                    sp.Symbol("c_i") * sp.Max(sp.Symbol("t") - sp.Symbol("t_i"), 0),
                    (sp.Symbol("i"), 1, sp.Symbol("n") - 1),
                ),
            ),
            cites=("mlp.forward-propagation",),
        ),
    )
    return Derivation(
        steps=steps,
        residuals=residuals,
        compared=[f"f(t_k) - y_k, n = {n}, k = {k}" for n in (2, 3, 4, 5) for k in range(1, n + 1)],
    )


@relu_mlp_interpolates.numeric_leg(
    oracle="the labels themselves (float64 arithmetic on the constructed weights)",
    # the interpolating weights are an existence construction: in lower precision the slope
    # differences of nearby points cancel. mlp_forward itself is checked in every dtype by
    # mlp.forward-propagation
    dtypes=("float64",),
)
def _(impl, device, dtype) -> None:
    x = randint(10, 24, 3, seed=1).to(dtype)  # 24 points of {0..9}^3
    x = torch.unique(x, dim=0)
    y = randn(len(x), seed=2, scale=5.0).to(dtype)
    direction = torch.tensor([1.0, 10.0, 100.0], dtype=dtype)  # distinct projections on a grid
    params = [p.to(device) for p in interpolating_network(x, y, direction)]
    fitted = impl.mlp_forward(x.to(device), *params, activation="relu").squeeze(-1)
    assert params[0].shape == (len(x), 3), "one hidden unit per example"
    assert_close(fitted, y, msg="the interpolating ReLU MLP misses a label")


@relu_mlp_interpolates.property_leg(
    r"for 1 to 6 examples in $\mathbb{R}^d$ ($d \le 3$) with distinct first coordinates and "
    "labels in [-10, 10], the ReLU MLP built along the first axis fits every label (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def training_sets(draw):
        n, d = draw(st.integers(1, 6)), draw(st.integers(1, 3))
        first = draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n, unique=True))
        rest = draw(st.lists(st.floats(-5, 5), min_size=n * (d - 1), max_size=n * (d - 1)))
        x = torch.tensor(first, dtype=torch.float64).unsqueeze(1) / 2
        x = torch.cat([x, torch.tensor(rest, dtype=torch.float64).reshape(n, d - 1)], dim=1)
        y = torch.tensor(draw(st.lists(st.floats(-10, 10), min_size=n, max_size=n)))
        return x, y.to(torch.float64)

    def holds(case) -> bool:
        x, y = case
        direction = torch.zeros(x.shape[1], dtype=torch.float64)
        direction[0] = 1.0
        params = interpolating_network(x, y, direction)
        return is_close(impl.mlp_forward(x, *params, activation="relu").squeeze(-1), y)

    return ForAll(training_sets(), holds, names=("x", "y"))
