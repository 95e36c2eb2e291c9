r"""§ 5 Forward and Backward Propagation — the one-hidden-layer MLP and its gradients.

The notes define forward propagation in words and leave "Backward Propagation" empty; the
backpropagation equations are filled in here, labelled as additions.

Main declarations:

* ``mlp.forward-propagation`` — :math:`Z = XW_1^\top + \mathbf{b}_1`, :math:`H = \phi(Z)`,
  :math:`O = HW_2^\top + \mathbf{b}_2`, from the input layer to the output layer;
* ``mlp.backprop-equations`` (addition) — for any loss with :math:`G = \partial L/\partial O`:
  :math:`\partial L/\partial W_2 = G^\top H`, :math:`\partial L/\partial \mathbf{b}_2 =
  \mathbf{1}^\top G`, :math:`\Delta = (GW_2) \odot \phi'(Z)`, :math:`\partial L/\partial W_1 =
  \Delta^\top X`, :math:`\partial L/\partial \mathbf{b}_1 = \mathbf{1}^\top\Delta`, derived in
  SymPy for general sizes and checked against autograd;
* ``mlp.backprop-squared-loss`` and ``mlp.backprop-cross-entropy`` (additions) — the same
  equations with :math:`G = O - Y` and :math:`G = \operatorname{softmax}(O) - Y`.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randint, randn
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_close, is_close
from dltheory.mlp.claims._support import networks, sum_deltas

SECTION = Section("mlp", "5 Forward Propagation")

_BUILTIN = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def _network(d: int, m: int, q: int, seed: int, dtype, device):
    """Seeded ``(W1, b1, W2, b2)`` of a ``d -> m -> q`` MLP, rounded to ``dtype``."""
    shapes = [(m, d), (m,), (q, m), (q,)]
    return [randn(*s, seed=seed + k).to(dtype).to(device) for k, s in enumerate(shapes)]


def _builtin_forward(x, params, activation):
    """The MLP from torch built-ins in float64 (the oracle)."""
    w1, b1, w2, b2 = (p.double() for p in params)
    return F.linear(_BUILTIN[activation](F.linear(x.double(), w1, b1)), w2, b2)


def _autograd(x, params, activation, loss_of_output):
    """Gradients of ``loss_of_output(O)`` w.r.t. input and parameters, by autograd through
    the built-in network in float64."""
    leaves = [t.detach().double().requires_grad_() for t in (x, *params)]
    out = _builtin_forward(leaves[0], leaves[1:], activation)
    return torch.autograd.grad(loss_of_output(out), leaves)


forward_propagation = SECTION.claim(
    "forward-propagation",
    title="Forward propagation through a one-hidden-layer MLP",
    statement=r"Z = XW_1^\top + \mathbf{1}\mathbf{b}_1^\top,\quad H = \phi(Z),\quad "
    r"O = HW_2^\top + \mathbf{1}\mathbf{b}_2^\top",
    kind=Kind.DEFINITION,
    code=("mlp_forward",),
    note="The intermediate values are computed and kept in order from the input layer to the "
    r"output layer; $\phi$ is ReLU, sigmoid or tanh elementwise. The layer equations are the "
    "standard content of the notes' empty heading 'From Linear to Nonlinear' (an addition).",
    symbolic=NotApplicable("a definition; its gradients are derived in mlp.backprop-equations"),
)


@forward_propagation.numeric_leg(
    oracle="torch.nn.functional.linear with torch.relu / torch.sigmoid / torch.tanh in float64; "
    "torch.autograd.gradcheck / gradgradcheck (float64, every argument)"
)
def _(impl, device, dtype) -> None:
    params = _network(4, 6, 3, seed=1, dtype=dtype, device=device)
    for activation in _BUILTIN:
        for seed, shape in enumerate([(4,), (5, 4), (2, 3, 4)]):
            x = randn(*shape, seed=20 + seed).to(dtype).to(device)
            got = impl.mlp_forward(x, *params, activation=activation)
            assert got.dtype == dtype and got.device == x.device
            want = _builtin_forward(x, params, activation)
            assert_close(got, want, dtype=dtype, msg=f"{activation}, input {shape}")
        if dtype == torch.float64:
            small = [x[0, :2], *_network(4, 3, 2, seed=5, dtype=dtype, device=device)]
            leaves = tuple(t.clone().requires_grad_() for t in small)

            def fn(*args, activation=activation):
                return impl.mlp_forward(*args, activation=activation)

            assert torch.autograd.gradcheck(fn, leaves)
            assert torch.autograd.gradgradcheck(fn, leaves)


@forward_propagation.property_leg(
    "`mlp_forward` equals the network built from torch.nn.functional.linear and the torch "
    "activations, for random sizes (1 to 4 examples, features, hidden units, outputs) and "
    "activations (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        x, params, _ = draw(networks())
        return x, params, draw(st.sampled_from(sorted(_BUILTIN)))

    def holds(case) -> bool:
        x, params, activation = case
        got = impl.mlp_forward(x, *params, activation=activation)
        return is_close(got, _builtin_forward(x, params, activation))

    return ForAll(cases(), holds, names=("X", "params", "activation"))


# --- the backpropagation equations --------------------------------------------------------

_d, _m, _q = sp.symbols("d m q", integer=True, positive=True)
_i, _j, _k, _a, _b = sp.symbols("i j k a b", integer=True)
_x, _g = sp.IndexedBase("x", real=True), sp.IndexedBase("g", real=True)
_W1, _b1 = sp.IndexedBase("W_1", real=True), sp.IndexedBase("b_1", real=True)
_W2, _b2 = sp.IndexedBase("W_2", real=True), sp.IndexedBase("b_2", real=True)
_phi, _dphi = sp.Function(r"\phi"), sp.Function(r"\phi'")


def _z(j):
    r"""Hidden pre-activation :math:`z_j = \sum_i (W_1)_{ji} x_i + (b_1)_j` of one example."""
    return sp.Sum(_W1[j, _i] * _x[_i], (_i, 1, _d)) + _b1[j]


def _o(k):
    return sp.Sum(_W2[k, _j] * _phi(_z(_j)), (_j, 1, _m)) + _b2[k]


def _gradient(loss, variable, ranges):
    """``d loss / d variable`` with the Kronecker deltas summed out and the range conditions
    resolved (``ranges``: index -> (low, high)); phi's derivative written as phi'."""
    expr = sum_deltas(sp.diff(loss, variable), ranges)
    return expr.replace(lambda e: isinstance(e, sp.Subs), lambda e: _dphi(e.point[0]))


backprop_equations = SECTION.claim(
    "backprop-equations",
    title="Backpropagation through a one-hidden-layer MLP",
    statement=r"\frac{\partial L}{\partial W_2} = G^\top H,\ "
    r"\frac{\partial L}{\partial \mathbf{b}_2} = \mathbf{1}^\top G,\ "
    r"\frac{\partial L}{\partial W_1} = \Delta^\top X,\ "
    r"\frac{\partial L}{\partial \mathbf{b}_1} = \mathbf{1}^\top \Delta,\ "
    r"\frac{\partial L}{\partial X} = \Delta W_1,\quad "
    r"G = \frac{\partial L}{\partial O},\ \Delta = (G W_2) \odot \phi'(Z)",
    source="5 Backward Propagation",
    kind=Kind.THEOREM,
    code=("mlp_backward",),
    uses=("mlp.forward-propagation",),
    note="Addition (the heading is empty in the notes). By the chain rule, "
    r"$\partial L/\partial\theta = \sum_{n,k} G_{nk}\,\partial O_{nk}/\partial\theta$ with "
    r"$G = \partial L / \partial O$ held at its value, so the equations hold for every loss; "
    r"the SymPy leg differentiates $\sum_{n,k} G_{nk} O_{nk}$ for an arbitrary "
    r"differentiable $\phi$.",
)


@backprop_equations.symbolic_leg(
    scope="general $d$, $m$, $q$ and any differentiable $\\phi$ (one example; a batch sums "
    "the examples' gradients)"
)
def _() -> Derivation:
    loss = sp.Sum(_g[_k] * _o(_k), (_k, 1, _q))
    # the expected gradients, written in the order of factors and sums SymPy produces
    cases = [
        (_W2[_a, _b], {_a: (1, _q), _b: (1, _m)}, _g[_a] * _phi(_z(_b))),
        (_b2[_a], {_a: (1, _q)}, _g[_a]),
        (
            _W1[_a, _b],
            {_a: (1, _m), _b: (1, _d)},
            sp.Sum(_g[_k] * _W2[_k, _a] * _dphi(_z(_a)) * _x[_b], (_k, 1, _q)),
        ),
        (_b1[_a], {_a: (1, _m)}, sp.Sum(_g[_k] * _W2[_k, _a] * _dphi(_z(_a)), (_k, 1, _q))),
        (
            _x[_b],
            {_b: (1, _d)},
            sp.Sum(
                _g[_k] * sp.Sum(_W2[_k, _j] * _dphi(_z(_j)) * _W1[_j, _b], (_j, 1, _m)),
                (_k, 1, _q),
            ),
        ),
    ]
    steps = [
        Step(
            r"One example's network, with $g_k = \partial L / \partial o_k$ held fixed",
            equation(sp.Symbol("L"), loss),
            cites=("mlp.forward-propagation",),
        )
    ]
    residuals = []
    for variable, ranges, expected in cases:
        got = _gradient(loss, variable, ranges)
        steps.append(Step(rf"$\partial L / \partial {sp.latex(variable)}$", got))
        residuals.append(sp.expand(got - expected))
    return Derivation(
        steps=steps,
        residuals=residuals,
        compared=[
            rf"$\partial L / \partial {sp.latex(v)}$ by SymPy minus the backpropagation equation"
            for v, *_ in cases
        ],
    )


@backprop_equations.numeric_leg(
    oracle="torch.autograd.grad through torch.nn.functional.linear and the torch activations "
    "(float64), with grad_outputs G; torch.autograd.gradcheck of mlp_backward (float64)"
)
def _(impl, device, dtype) -> None:
    params = _network(4, 6, 3, seed=30, dtype=dtype, device=device)
    for activation in _BUILTIN:
        for seed, shape in enumerate([(5, 4), (2, 3, 4)]):
            x = randn(*shape, seed=40 + seed).to(dtype).to(device)
            g = randn(*shape[:-1], 3, seed=50 + seed).to(dtype).to(device)
            got = impl.mlp_backward(x, *params, g, activation=activation)
            want = _autograd(x, params, activation, lambda o, g=g: (o * g.double()).sum())
            for name, a, b in zip(("input", "W1", "b1", "W2", "b2"), got, want, strict=True):
                assert a.dtype == dtype and a.shape == b.shape, name
                assert_close(a, b, dtype=dtype, msg=f"d/d{name}, {activation}, input {shape}")
        if dtype == torch.float64:
            leaves = tuple(t.clone().requires_grad_() for t in (x, *params, g))

            def fn(*args, activation=activation):
                return tuple(impl.mlp_backward(*args, activation=activation))

            assert torch.autograd.gradcheck(fn, leaves)


@backprop_equations.property_leg(
    "`mlp_backward` equals autograd through the built-in network, for random sizes, batches, "
    "activations and output gradients G (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        x, params, (g,) = draw(networks(extra_rows=1))
        return x, params, g, draw(st.sampled_from(sorted(_BUILTIN)))

    def holds(case) -> bool:
        x, params, g, activation = case
        got = impl.mlp_backward(x, *params, g, activation=activation)
        want = _autograd(x, params, activation, lambda o: (o * g).sum())
        return all(is_close(a, b) for a, b in zip(got, want, strict=True))

    return ForAll(cases(), holds, names=("X", "params", "G", "activation"))


backprop_squared_loss = SECTION.claim(
    "backprop-squared-loss",
    title="Backpropagation of the squared loss",
    statement=r"L = \frac{1}{2N}\sum_{n=1}^{N}\lVert\mathbf{o}_n - \mathbf{y}_n\rVert^2 "
    r"\;\Rightarrow\; G = \frac{\partial L}{\partial O} = \frac{1}{N}(O - Y)",
    source="5 Backward Propagation",
    kind=Kind.THEOREM,
    code=("mlp_backward", "mlp_forward"),
    uses=("mlp.backprop-equations",),
    note="Addition. With this output gradient the equations of mlp.backprop-equations give "
    "every parameter's gradient of the mean squared loss.",
)


@backprop_squared_loss.symbolic_leg(scope="general $q$ (per example; the mean divides by $N$)")
def _() -> Derivation:
    o, y = sp.IndexedBase("o", real=True), sp.IndexedBase("y", real=True)
    t = sp.Symbol("t", integer=True)
    loss = sp.Sum((o[_k] - y[_k]) ** 2, (_k, 1, _q)) / 2
    raw = sp.diff(loss, o[t])
    gradient = resolve_in_range(raw.doit(), t, 1, _q)
    return Derivation(
        steps=[
            Step("The squared loss of one example", equation(sp.Symbol("l"), loss)),
            Step(
                r"Differentiate with respect to $o_t$",
                equation(sp.Derivative(sp.Symbol("l"), o[t]), raw),
            ),
            Step(r"Only $k = t$ survives ($1 \le t \le q$)", equation(raw, gradient)),
            Step(
                r"Use $G = (O - Y)/N$ in the backpropagation equations",
                sp.Symbol(r"\partial L/\partial\theta"),
                cites=("mlp.backprop-equations",),
            ),
        ],
        residuals=[gradient - (o[t] - y[t])],
        compared=[r"$\partial l / \partial o_t - (o_t - y_t)$"],
    )


@backprop_squared_loss.numeric_leg(
    oracle="autograd of 0.5 * torch.nn.functional.mse_loss(reduction='sum') / N through the "
    "built-in network (float64)",
    # in float16/bfloat16 the outputs O are rounded before O - Y, which cancels where O ~ Y;
    # mlp_backward itself is checked in every dtype by mlp.backprop-equations
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    params = _network(5, 7, 2, seed=60, dtype=dtype, device=device)
    x = randn(8, 5, seed=70).to(dtype).to(device)
    y = randn(8, 2, seed=71).to(dtype).to(device)
    for activation in _BUILTIN:
        g = (impl.mlp_forward(x, *params, activation=activation) - y) / x.shape[0]
        got = impl.mlp_backward(x, *params, g, activation=activation)

        def loss(o):
            return 0.5 * F.mse_loss(o, y.double(), reduction="sum") / x.shape[0]

        for a, b in zip(got, _autograd(x, params, activation, loss), strict=True):
            assert_close(a, b, dtype=dtype, msg=f"squared loss, {activation}")


@backprop_squared_loss.property_leg(
    r"with $G = (O - Y)/N$ from `mlp_forward`, `mlp_backward` equals the autograd gradient of "
    r"the mean squared loss $\frac{1}{2N}\sum\lVert\mathbf{o} - \mathbf{y}\rVert^2$ (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        x, params, (y,) = draw(networks(extra_rows=1))
        return x, y, params, draw(st.sampled_from(sorted(_BUILTIN)))

    def holds(case) -> bool:
        x, y, params, activation = case
        g = (impl.mlp_forward(x, *params, activation=activation) - y) / x.shape[0]
        got = impl.mlp_backward(x, *params, g, activation=activation)

        def loss(o):
            return 0.5 * ((o - y) ** 2).sum() / x.shape[0]

        want = _autograd(x, params, activation, loss)
        return all(is_close(a, b) for a, b in zip(got, want, strict=True))

    return ForAll(cases(), holds, names=("X", "Y", "params", "activation"))


backprop_cross_entropy = SECTION.claim(
    "backprop-cross-entropy",
    title="Backpropagation of softmax cross-entropy",
    statement=r"L = \frac{1}{N}\sum_{n=1}^{N} l(\mathbf{y}_n, \operatorname{softmax}(\mathbf{o}_n))"
    r"\;\Rightarrow\; G = \frac{1}{N}(\operatorname{softmax}(O) - Y),\quad "
    r"\sum_{k=1}^{q} \frac{\partial L}{\partial b_{2,k}} = 0",
    source="5 Backward Propagation",
    kind=Kind.THEOREM,
    code=("mlp_backward", "mlp_forward", "classification.cross_entropy_grad"),
    uses=(
        "mlp.backprop-equations",
        "classification.softmax-ce-gradient",
        "classification.softmax-sums-to-one",
    ),
    note="Addition. The output gradient is the one proved in classification.softmax-ce-gradient; "
    "since softmax outputs and one-hot labels both sum to 1, the gradient of the output bias "
    "sums to 0 over the classes.",
)


@backprop_cross_entropy.symbolic_leg(scope="general $q$ (per example; a batch adds zeros)")
def _() -> Derivation:
    p, y = sp.IndexedBase(r"\hat{y}", positive=True), sp.IndexedBase("y", real=True)
    total = sp.Sum(p[_k] - y[_k], (_k, 1, _q))
    split = sp.Sum(p[_k], (_k, 1, _q)) - sp.Sum(y[_k], (_k, 1, _q))
    both_one = split.subs({sp.Sum(p[_k], (_k, 1, _q)): 1, sp.Sum(y[_k], (_k, 1, _q)): 1})
    return Derivation(
        steps=[
            Step(
                r"The output gradient of one example: "
                r"$g_k = \hat y_k - y_k$, $\hat{\mathbf{y}} = \operatorname{softmax}(\mathbf{o})$",
                equation(sp.Symbol("g_k"), p[_k] - y[_k]),
                cites=("classification.softmax-ce-gradient",),
            ),
            Step(
                r"$\partial l/\partial \mathbf{b}_2 = \mathbf{g}$, summed over the classes",
                equation(sp.Symbol(r"\sum_k \partial l/\partial b_{2,k}"), total),
                cites=("mlp.backprop-equations",),
            ),
            Step("Split the sum", equation(total, split)),
            Step(
                "Softmax outputs sum to 1, and so do the labels",
                equation(split, both_one),
                cites=("classification.softmax-sums-to-one",),
            ),
        ],
        residuals=[total - split, both_one],
        compared=[
            "the sum minus its two parts",
            r"$\sum_k \partial l/\partial b_{2,k}$ after both sums are 1",
        ],
    )


@backprop_cross_entropy.numeric_leg(
    oracle="autograd of torch.nn.functional.cross_entropy through the built-in network "
    "(float64), class-index and probability targets",
    # in float16/bfloat16 the outputs O are rounded before softmax(O) - Y cancels;
    # mlp_backward itself is checked in every dtype by mlp.backprop-equations
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    params = _network(5, 7, 4, seed=80, dtype=dtype, device=device)
    x = randn(9, 5, seed=90).to(dtype).to(device)
    labels = randint(4, 9, seed=91).to(device)
    probs = torch.softmax(randn(9, 4, seed=92), -1).to(dtype).to(device)
    for activation in _BUILTIN:
        for target in (labels, probs):
            out = impl.mlp_forward(x, *params, activation=activation)
            g = impl.cross_entropy_grad(out, target)  # mean reduction: divided by N
            got = impl.mlp_backward(x, *params, g, activation=activation)
            oracle_target = target if target.dtype == torch.int64 else target.double()
            want = _autograd(
                x, params, activation, lambda o, t=oracle_target: F.cross_entropy(o, t)
            )
            for a, b in zip(got, want, strict=True):
                assert_close(a, b, dtype=dtype, msg=f"cross-entropy, {activation}")
            total = got.b2.double().sum()
            assert_close(total, torch.zeros(()), dtype=dtype, msg="sum of dL/db2")


@backprop_cross_entropy.property_leg(
    "with G from `cross_entropy_grad` of the outputs of `mlp_forward`, `mlp_backward` equals "
    "the autograd gradient of torch.nn.functional.cross_entropy (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        x, params, _ = draw(networks(classes_min=2))
        q, rows = params[3].shape[0], x.shape[0]
        labels = draw(st.lists(st.integers(0, q - 1), min_size=rows, max_size=rows))
        return x, torch.tensor(labels), params, draw(st.sampled_from(sorted(_BUILTIN)))

    def holds(case) -> bool:
        x, labels, params, activation = case
        g = impl.cross_entropy_grad(impl.mlp_forward(x, *params, activation=activation), labels)
        got = impl.mlp_backward(x, *params, g, activation=activation)
        want = _autograd(x, params, activation, lambda o: F.cross_entropy(o, labels))
        return all(is_close(a, b) for a, b in zip(got, want, strict=True))

    return ForAll(cases(), holds, names=("X", "labels", "params", "activation"))
