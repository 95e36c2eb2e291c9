r"""§ 8 Layer Normalization — what the heading holds (batch normalization of a fully connected
layer), and layer normalization itself, filled in as an addition.

Main declarations:

* notation note ``normalization.layer-norm-heading-holds-batch-norm`` — the only formula under
  the notes' "Layer Normalization" heading is batch normalization in a fully connected layer;
* ``normalization.batch-norm-fully-connected`` — :math:`\mathbf{h} = \phi(\mathrm{BN}(W\mathbf{x}
  + \mathbf{b}))`: one statistic per output feature, after the affine map, before
  :math:`\phi`;
* ``normalization.batch-norm-absorbs-bias`` — :math:`\mathrm{BN}(W\mathbf{x} + \mathbf{b}) =
  \mathrm{BN}(W\mathbf{x})` in training: the bias is redundant;
* additions: ``normalization.layer-norm-definition`` (against ``F.layer_norm``),
  ``normalization.layer-norm-per-example`` (no batch statistics: a batch of one is fine),
  ``normalization.layer-norm-invariances`` (:math:`\mathrm{LN}_\epsilon(a\mathbf{x} +
  c\mathbf{1}) = \operatorname{sign}(a)\,\mathrm{LN}_{\epsilon/a^2}(\mathbf{x})`) and
  ``normalization.layer-norm-keeps-feature-offsets`` (per-feature shifts are not removed,
  unlike in batch normalization).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core.claim import Derivation, Exists, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.normalization.claims._support import (
    BIG,
    EPSILONS,
    MEAN,
    VAR,
    batch,
    batches,
    eps,
    exact_batch_norm,
    finite_floats,
    grid_batches,
    i,
    mp_standardize,
    n,
    params,
    x,
)

SECTION = Section("normalization", "8 Layer Normalization")

ADDITION = "8 Layer Normalization (addition: the heading's own subject)"


def exact_layer_norm(t: torch.Tensor, dims: int, eps_: float, gamma_=None, beta_=None):
    """Exact layer norm over the last ``dims`` dimensions (mpmath), and its conditioning scale."""
    size = 1
    for side in t.shape[t.dim() - dims :]:
        size *= side
    rows = t.detach().to("cpu", torch.float64).reshape(-1, size).tolist()
    g = [1.0] * size if gamma_ is None else gamma_.double().reshape(-1).tolist()
    b = [0.0] * size if beta_ is None else beta_.double().reshape(-1).tolist()
    exact, scale = [], []
    for row in rows:
        e, s = mp_standardize(row, eps_)
        exact.append([gj * ej + bj for gj, ej, bj in zip(g, e, b, strict=True)])
        scale.append([abs(gj) * sj + abs(bj) for gj, sj, bj in zip(g, s, b, strict=True)])
    shape = t.shape
    return (
        torch.tensor(exact, dtype=torch.float64).reshape(shape),
        torch.tensor(scale, dtype=torch.float64).reshape(shape),
    )


layer_norm_heading_holds_batch_norm = SECTION.claim(
    "layer-norm-heading-holds-batch-norm",
    title="The “Layer Normalization” heading holds batch normalization",
    statement=r"\text{``Layer Normalization — Fully Connected Layers: }"
    r"\mathbf{h} = \phi(\mathrm{BN}(\mathbf{W}\mathbf{x} + \mathbf{b}))\text{''}",
    kind=Kind.NOTATION,
    corrects="normalization.batch-norm-fully-connected",
    note=r"The formula is batch normalization ($\mathrm{BN}$, statistics over the minibatch) "
    r"inserted in a fully connected layer; the heading above it names a different method. "
    r"Read the heading as \"Batch normalization layers: fully connected layers\" "
    r"(normalization.batch-norm-fully-connected). Layer normalization itself (statistics over "
    r"the features of one example) is filled in below as an addition "
    r"(normalization.layer-norm-definition).",
)


batch_norm_fully_connected = SECTION.claim(
    "batch-norm-fully-connected",
    title="Batch normalization in a fully connected layer",
    statement=r"\mathbf{h} = \phi(\mathrm{BN}(\mathbf{W}\mathbf{x} + \mathbf{b})),\quad "
    r"\mathrm{BN}(\mathbf{o})_j = \gamma_j\frac{o_j - \hat\mu_j}{\sqrt{v_j + \epsilon}} + \beta_j",
    kind=Kind.DEFINITION,
    code=("batch_norm",),
    note=r"Each output feature $j$ of the affine map is normalized with its own statistics "
    r"over the minibatch; the activation $\phi$ comes after.",
    symbolic=NotApplicable("a definition (the composition of three maps)"),
)


@batch_norm_fully_connected.numeric_leg(
    oracle="torch.nn.Sequential(Linear, BatchNorm1d, ReLU) in training mode, float64; mpmath "
    "for the normalized outputs (error in eps)"
)
def _(impl, device, dtype) -> None:
    xs = batch((10, 4), 100, dtype, device)
    w = batch((3, 4), 101, dtype, device)
    b = batch((3,), 102, dtype, device)
    g, beta = params(3, 103, dtype, device)
    layer = torch.nn.Sequential(
        torch.nn.Linear(4, 3, dtype=torch.float64, device=device),
        torch.nn.BatchNorm1d(3, dtype=torch.float64, device=device),
        torch.nn.ReLU(),
    ).train()
    with torch.no_grad():
        for param, value in zip(layer.parameters(), (w, b, g, beta), strict=True):
            param.copy_(value.double())
    affine = F.linear(xs.double(), w.double(), b.double()).to(dtype)  # rounded like a layer's
    h = torch.relu(impl.batch_norm(affine, g, beta).output)
    if dtype == torch.float64:
        assert_close(h, layer(xs.double()), msg="phi(BN(Wx + b)) vs torch.nn layers")
    want = torch.relu(
        F.batch_norm(affine.double(), None, None, g.double(), beta.double(), training=True)
    )
    assert_close(h, want, dtype=dtype, msg="phi(BN(o)) on the rounded affine outputs")
    exact, scale = exact_batch_norm(affine, 1e-5, g, beta)
    assert_accurate(impl.batch_norm(affine, g, beta).output, exact, scale=scale)


@batch_norm_fully_connected.property_leg(
    r"batch-normalizing an $(N, d)$ batch equals batch-normalizing each feature's column alone "
    r"(torch.nn.functional.batch_norm as the oracle for the column)",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        xs, e = case
        whole = impl.batch_norm(xs, eps=e).output
        for j in range(xs.shape[1]):
            column = xs[:, j : j + 1]
            if not is_close(
                whole[:, j : j + 1], F.batch_norm(column, None, None, eps=e, training=True)
            ):
                return False
        return True

    return ForAll(st.tuples(batches(magnitude=1e3), EPSILONS), holds, names=("o", "eps"))


batch_norm_absorbs_bias = SECTION.claim(
    "batch-norm-absorbs-bias",
    title="Batch normalization makes the preceding bias redundant",
    statement=r"\mathrm{BN}(\mathbf{W}\mathbf{x} + \mathbf{b}) = \mathrm{BN}(\mathbf{W}\mathbf{x})"
    r"\quad \text{(training mode)}",
    kind=Kind.THEOREM,
    code=("batch_norm",),
    note=r"The bias shifts every example's feature $j$ by $b_j$, so it shifts $\hat\mu_j$ by "
    r"$b_j$ and leaves the deviations and $v_j$ unchanged: it cancels. (Which is why "
    r"`residual_block`'s convolutions have no bias.) In evaluation mode it does not cancel.",
)


@batch_norm_absorbs_bias.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    b = sp.Symbol("b", real=True)
    shifted_mean = sp.Sum(x[i] + b, (i, 1, n)).expand().doit() / n
    deviation = sp.expand(x[i] - MEAN)
    shifted_deviation = sp.expand(x[i] + b - shifted_mean)
    shifted_z = shifted_deviation / sp.sqrt(sp.Sum(shifted_deviation**2, (i, 1, n)) / n + eps)
    z = deviation / sp.sqrt(sp.Sum(deviation**2, (i, 1, n)) / n + eps)
    return Derivation(
        steps=[
            Step(r"The mean of $x_i + b$", equation(sp.Symbol(r"\hat\mu'"), shifted_mean)),
            Step(r"The deviations are those of $x_i$", equation(shifted_deviation, deviation)),
            Step(r"so the variance and the standardized values are too", shifted_z),
        ],
        residuals=[
            sp.expand(shifted_mean - MEAN - b),
            shifted_deviation - deviation,
            shifted_z - z,
        ],
        compared=[
            r"the mean of $x_i + b$ minus $\hat\mu + b$",
            r"the deviations of $x_i + b$ minus those of $x_i$",
            r"$z_i$ of the shifted batch minus $z_i$",
        ],
    )


@batch_norm_absorbs_bias.numeric_leg(
    oracle="the same layer without bias, by mpmath (error in eps); biases exact in the dtype"
)
def _(impl, device, dtype) -> None:
    affine = batch((12, 5), 110, dtype, device)
    # small integers: adding them to values of magnitude ~1 is exact in every dtype...
    bias = torch.tensor([3.0, -2.0, 0.0, 1.0, -1.0], dtype=dtype, device=device)
    shifted = affine + bias  # ... except a final rounding in float16/bfloat16, so judge it
    g, b = params(5, 111, dtype, device)
    got = impl.batch_norm(shifted, g, b).output
    without = impl.batch_norm(affine, g, b).output
    want, scale = exact_batch_norm(affine, 1e-5, g, b)  # BN(Wx), exact
    assert_accurate(without, want, scale=scale, msg="BN(Wx)")
    exact_shifted, scale_shifted = exact_batch_norm(shifted, 1e-5, g, b)
    assert_accurate(got, exact_shifted, scale=scale_shifted, msg="BN(Wx + b)")
    if dtype in (torch.float64, torch.float32):  # the shift was exact: the same exact value
        assert_close(exact_shifted, want, dtype=torch.float64, msg="the bias cancels")


@batch_norm_absorbs_bias.property_leg(
    r"$\mathrm{BN}(\mathbf{o} + \mathbf{b}) = \mathrm{BN}(\mathbf{o})$ (mpmath) for integer "
    r"per-feature biases $|b_j| \le 2^{20}$ and entries on the grid $k/2^{10}$, where the "
    r"shifted batch is exact in float64",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        xs = draw(grid_batches())
        cols = xs.shape[1]
        ints = draw(st.lists(st.integers(-(2**20), 2**20), min_size=cols, max_size=cols))
        return xs, torch.tensor(ints, dtype=torch.float64), draw(EPSILONS)

    def holds(case) -> bool:
        xs, b, e = case
        got = impl.batch_norm(xs + b, eps=e).output
        want, _ = exact_batch_norm(xs, e)  # BN(o), without the bias
        _, scale = exact_batch_norm(xs + b, e)  # the conditioning of the input given
        return is_accurate(got, want, scale=scale)

    return ForAll(cases(), holds, names=("o", "b", "eps"))


layer_norm_definition = SECTION.claim(
    "layer-norm-definition",
    title="Layer normalization",
    statement=r"\mathrm{LN}(\mathbf{x}) = \boldsymbol\gamma \odot \frac{\mathbf{x} - \mu}"
    r"{\sqrt{\sigma^2 + \epsilon}} + \boldsymbol\beta,\quad \mu = \frac1D\sum_{i=1}^D x_i,\quad "
    r"\sigma^2 = \frac1D\sum_{i=1}^D (x_i - \mu)^2",
    kind=Kind.DEFINITION,
    source=ADDITION,
    code=("layer_norm",),
    note=r"Addition (the notes' heading has no content of its own): the statistics are over "
    r"the $D$ features of one example, not over the minibatch.",
    symbolic=NotApplicable("a definition; its properties are proved in the claims below"),
)


@layer_norm_definition.numeric_leg(
    oracle="mpmath at 60 digits (error in eps of each output's conditioning); "
    "torch.nn.functional.layer_norm in float64, for float32 inputs (in float64 the kernel "
    "itself); gradcheck and gradgradcheck (float64); "
    "mpmath relative to each output itself for rows whose mean is far above their spread"
)
def _(impl, device, dtype) -> None:
    big = BIG[dtype]
    if dtype in (torch.float32, torch.float64):
        # mean 1e4 (float32) or 1e6 (float64) times the spread: centering on the rounded mean
        # and correcting by the deviations' mean keeps every output within a few eps of
        # itself, not only of its conditioning; uncorrected, the mean's rounding moves each
        # output by about eps |mu| / sigma (1e4 or 1e6 eps)
        far = batch((4, 64), 190, dtype, device, loc=1e4 if dtype == torch.float32 else 1e6)
        want, _ = exact_layer_norm(far, 1, 1e-5)
        got = impl.layer_norm(far, 64)
        assert_accurate(got, want, scale=torch.ones_like(want), msg="mean far above spread")
    cases = [
        (batch((6, 8), 120, dtype, device), (8,)),
        (batch((2, 3, 4, 5), 121, dtype, device, loc=50.0), (4, 5)),
        (batch((7,), 122, dtype, device, scale=1e-3), 7),
        (torch.tensor([[big, -big, 1.0], [big, big, big]]).to(dtype).to(device), (3,)),
    ]
    for seed, (xs, shape) in enumerate(cases):
        dims = 1 if isinstance(shape, int) else len(tuple(shape))  # type: ignore[arg-type]
        norm_shape = xs.shape[xs.dim() - dims :]
        g = (randn(*norm_shape, seed=130 + seed, scale=0.5) + 1).to(dtype).to(device)
        b = randn(*norm_shape, seed=140 + seed).to(dtype).to(device)
        for gamma_, beta_ in ((None, None), (g, b)):
            got = impl.layer_norm(xs, shape, gamma_, beta_)
            assert got.dtype == dtype and got.shape == xs.shape
            want, scale = exact_layer_norm(xs, dims, 1e-5, gamma_, beta_)
            assert_accurate(got, want, scale=scale, msg=f"shape {tuple(xs.shape)} over {shape}")
            # the extreme rows overflow the built-in, not the true values; a float64 input
            # would meet the kernel layer_norm itself calls on its ordinary rows
            if seed < 3 and dtype != torch.float64:
                ref = F.layer_norm(
                    xs.double(),
                    tuple(norm_shape),
                    None if gamma_ is None else gamma_.double(),
                    None if beta_ is None else beta_.double(),
                )
                assert_close(got, ref, dtype=dtype, msg="vs torch.nn.functional.layer_norm")
    if dtype == torch.float64:
        leaf = batch((3, 4), 150, dtype, device).requires_grad_()
        g = torch.ones(4, dtype=dtype, device=device).requires_grad_()
        b = torch.zeros(4, dtype=dtype, device=device).requires_grad_()
        assert torch.autograd.gradcheck(lambda a, c, d: impl.layer_norm(a, 4, c, d), (leaf, g, b))
        assert torch.autograd.gradgradcheck(
            lambda a, c, d: impl.layer_norm(a, 4, c, d), (leaf, g, b)
        )


@layer_norm_definition.property_leg(
    r"for rows of $1$ to $6$ features with entries up to $10^{300}$ and "
    r"$\epsilon \in [10^{-8}, 100]$, each output is within the float64 budget of mpmath",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        xs, e = case
        want, scale = exact_layer_norm(xs, 1, e)
        return is_accurate(impl.layer_norm(xs, xs.shape[-1], eps=e), want, scale=scale)

    rows = batches(min_rows=1, max_rows=3, max_cols=6, magnitude=1e300)
    return ForAll(st.tuples(rows, EPSILONS), holds, names=("x", "eps"))


layer_norm_per_example = SECTION.claim(
    "layer-norm-per-example",
    title="Layer normalization treats each example alone",
    statement=r"\mathrm{LN}(X)_{k,:} = \mathrm{LN}(X_{k,:}) \ \text{for every batch } X",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("layer_norm",),
    note=r"Addition. Unlike batch normalization, no statistic crosses examples: training and "
    r"prediction agree, a batch of one is fine, and the result does not depend on the batch's "
    r"composition.",
)


@layer_norm_per_example.symbolic_leg(scope="general $D$")
def _() -> Derivation:
    k = sp.Symbol("k", integer=True)
    xk = sp.IndexedBase("X", real=True)
    row_mean = sp.Sum(xk[k, i], (i, 1, n)) / n
    others = sp.Symbol("X_{k',i}", real=True)  # an entry of another example
    return Derivation(
        steps=[
            Step(r"The mean of example $k$ over its $D = n$ features", row_mean),
            Step(
                r"It contains no entry of another example, nor does the variance",
                equation(sp.diff(row_mean, others), 0),
            ),
        ],
        residuals=[sp.diff(row_mean, others), sp.diff(VAR.subs(x[i], xk[k, i]), others)],
        compared=[
            r"$\partial\mu_k / \partial X_{k',i}$ ($k' \ne k$)",
            r"$\partial\sigma_k^2 / \partial X_{k',i}$",
        ],
    )


@layer_norm_per_example.numeric_leg(
    oracle="torch.nn.functional.layer_norm of each example on its own (float64)"
)
def _(impl, device, dtype) -> None:
    xs = batch((5, 6), 160, dtype, device, scale=2.0)
    whole = impl.layer_norm(xs, 6)
    for k in range(5):
        alone = impl.layer_norm(xs[k : k + 1], 6)  # a batch of one
        assert torch.equal(alone, whole[k : k + 1]), f"example {k} depends on the batch"
        assert_close(alone, F.layer_norm(xs[k : k + 1].double(), (6,)), dtype=dtype)


@layer_norm_per_example.property_leg(
    r"replacing the other examples of the batch leaves an example's output unchanged "
    r"(bit for bit)",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        xs = draw(batches(min_rows=2, max_cols=5, magnitude=1e6))
        values = hnp.arrays(np.float64, xs.shape, elements=finite_floats(1e6))
        return xs, torch.from_numpy(np.ascontiguousarray(draw(values)))

    def holds(case) -> bool:
        xs, others = case
        mixed = torch.cat([xs[:1], others[1:]])
        size = xs.shape[1]
        return torch.equal(impl.layer_norm(mixed, size)[0], impl.layer_norm(xs, size)[0])

    return ForAll(cases(), holds, names=("x", "others"))


layer_norm_invariances = SECTION.claim(
    "layer-norm-invariances",
    title="Which affine changes of an example layer normalization removes",
    statement=r"\mathrm{LN}_\epsilon(a\mathbf{x} + c\mathbf{1}) = \operatorname{sign}(a)\,"
    r"\mathrm{LN}_{\epsilon/a^2}(\mathbf{x}) \quad (a \ne 0,\ c \in \mathbb{R},\ "
    r"\boldsymbol\gamma = \mathbf{1}, \boldsymbol\beta = \mathbf{0})",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("layer_norm",),
    note=r"Addition. A common shift $c$ of all features is removed exactly. A positive "
    r"rescaling is removed exactly only together with $\epsilon \to \epsilon/a^2$ (nearly, "
    r"when $\epsilon \ll a^2\sigma^2$); a negative one flips the sign. Per-feature shifts are "
    r"not removed: normalization.layer-norm-keeps-feature-offsets.",
)


@layer_norm_invariances.symbolic_leg(scope="general $D$")
def _() -> Derivation:
    a = sp.Symbol("a", positive=True)
    c = sp.Symbol("c", real=True)
    d, var = sp.Symbol("d_i", real=True), sp.Symbol(r"\sigma^2", nonnegative=True)
    moved_mean = sp.expand(sp.Sum(a * x[i] + c, (i, 1, n)).expand().doit() / n)
    deviation = sp.expand(x[i] - MEAN)
    moved_deviation = sp.expand(a * x[i] + c - moved_mean)
    moved_var = sp.factor_terms(sp.Sum(moved_deviation**2, (i, 1, n)) / n)
    # with the deviations d_i and variance sigma^2 of x as symbols:
    moved_z = a * d / sp.sqrt(a**2 * var + eps)
    target = d / sp.sqrt(var + eps / a**2)
    flipped_z = -a * d / sp.sqrt(a**2 * var + eps)  # a -> -a: deviations flip, variance not
    return Derivation(
        steps=[
            Step(r"The mean of $a x_i + c$ ($a > 0$)", equation(sp.Symbol(r"\mu'"), moved_mean)),
            Step(r"$c$ cancels in the deviations", equation(moved_deviation, a * deviation)),
            Step(r"the variance scales by $a^2$", equation(sp.Symbol(r"\sigma'^2"), moved_var)),
            Step(
                r"$a$ factors out of $\sqrt{a^2\sigma^2 + \epsilon}$",
                equation(moved_z, target),
            ),
            Step(r"For $-a < 0$ the deviations change sign", equation(flipped_z, -target)),
        ],
        residuals=[
            sp.expand(moved_mean - a * MEAN - c),
            sp.expand(moved_deviation - a * deviation),
            sp.factor_terms(sp.expand(moved_var - a**2 * VAR)),
            sp.simplify(moved_z - target),
            sp.simplify(flipped_z + target),
        ],
        compared=[
            r"the mean of $a x_i + c$ minus $a\mu + c$",
            r"its deviations minus $a(x_i - \mu)$",
            r"its variance minus $a^2\sigma^2$",
            r"$z_i(a\mathbf{x} + c)$ minus $z_i$ with $\epsilon/a^2$",
            r"$z_i(-a\mathbf{x} + c)$ plus $z_i$ with $\epsilon/a^2$",
        ],
    )


@layer_norm_invariances.numeric_leg(
    oracle="the identity at shifts and scales exact in each dtype (powers of two, small "
    "integers), compared with mpmath's value for x"
)
def _(impl, device, dtype) -> None:
    xs = torch.randint(-16, 16, (4, 6), generator=torch.Generator().manual_seed(170)) / 4.0
    xs = xs.to(torch.float64).to(dtype).to(device)
    for a, c in ((4.0, 0.0), (0.25, 8.0), (-2.0, -3.0), (1.0, 16.0)):
        moved = xs * a + c  # exact: small multiples of 1/16
        got = impl.layer_norm(moved, 6, eps=1e-5)
        want, _ = exact_layer_norm(xs, 1, 1e-5 / a**2)
        _, scale = exact_layer_norm(moved, 1, 1e-5)
        sign = 1.0 if a > 0 else -1.0
        assert_accurate(got, sign * want, scale=scale, msg=f"a = {a}, c = {c}")


@layer_norm_invariances.property_leg(
    r"$\mathrm{LN}_\epsilon(a\mathbf{x} + c) = \operatorname{sign}(a)\mathrm{LN}_{\epsilon/a^2}"
    r"(\mathbf{x})$ (mpmath) for $a = \pm 2^k$ ($|k| \le 8$), integer $|c| \le 2^{20}$ and "
    r"entries on the grid $k/2^{10}$, where $a\mathbf{x} + c$ is exact in float64",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        xs = draw(grid_batches(min_rows=1, max_rows=3, max_cols=6))
        a = draw(st.sampled_from([-1.0, 1.0])) * 2.0 ** draw(st.integers(-8, 8))
        return xs, a, float(draw(st.integers(-(2**20), 2**20))), draw(EPSILONS)

    def holds(case) -> bool:
        xs, a, c, e = case
        moved = xs * a + c
        got = impl.layer_norm(moved, xs.shape[1], eps=e)
        want, _ = exact_layer_norm(xs, 1, e / a**2)
        _, scale = exact_layer_norm(moved, 1, e)  # the conditioning of the input given
        return is_accurate(got, (1.0 if a > 0 else -1.0) * want, scale=scale)

    return ForAll(cases(), holds, names=("x", "a", "c", "eps"))


layer_norm_keeps_feature_offsets = SECTION.claim(
    "layer-norm-keeps-feature-offsets",
    title="Layer normalization does not remove per-feature shifts (batch normalization does)",
    statement=r"\exists\,\mathbf{x}, \mathbf{c}:\ \mathrm{LN}(\mathbf{x} + \mathbf{c}) \ne "
    r"\mathrm{LN}(\mathbf{x}), \quad \text{while } \mathrm{BN}(X + \mathbf{1}\mathbf{c}^\top) = "
    r"\mathrm{BN}(X)",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("layer_norm", "batch_norm"),
    note=r"Addition. The two normalizations remove different offsets: batch normalization "
    r"removes a shift of each feature shared by all examples (normalization.batch-norm-absorbs-"
    r"bias), layer normalization a shift shared by all features of an example. Neither removes "
    r"the other's.",
    symbolic=NotApplicable("an existence statement: the property leg exhibits a witness"),
    numeric=NotApplicable("an existence statement: the property leg exhibits a witness"),
)


@layer_norm_keeps_feature_offsets.property_leg(
    r"Hypothesis finds a row $\mathbf{x}$ and per-feature shifts $\mathbf{c}$ with "
    r"$\mathrm{LN}(\mathbf{x} + \mathbf{c})$ differing from $\mathrm{LN}(\mathbf{x})$ by more "
    r"than $0.1$, while batch normalization of the batch $\{\mathbf{x}, \mathbf{x} + \mathbf{1}\}$ "
    r"is unchanged by the same shifts",
)
def _(impl) -> Exists:
    @st.composite
    def cases(draw):
        xs = draw(batches(min_rows=1, max_rows=1, max_cols=4, magnitude=10))
        shifts = torch.tensor(
            draw(st.lists(st.floats(-10, 10), min_size=xs.shape[1], max_size=xs.shape[1]))
        )
        return xs, shifts.double()

    def differs(case) -> bool:
        xs, c = case
        moved = impl.layer_norm(xs + c, xs.shape[1]) - impl.layer_norm(xs, xs.shape[1])
        pair = torch.cat([xs, xs + 1])
        bn_same = is_close(impl.batch_norm(pair + c).output, impl.batch_norm(pair).output)
        return bool(moved.abs().max() > 0.1) and bn_same

    return Exists(cases(), differs, names=("x", "c"))
