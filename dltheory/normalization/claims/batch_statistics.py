r"""§ 8 Batch Normalization (continued) — the batch statistics: their noise, tiny batches, and
the running averages used at prediction time.

Main declarations:

* ``normalization.batch-statistics-noise`` — :math:`\operatorname{Var}(\hat\mu_\mathcal{B}) =
  \sigma^2/|\mathcal{B}|` and :math:`\mathbb{E}[\hat\sigma^2_\mathcal{B} - \epsilon] =
  \frac{|\mathcal{B}|-1}{|\mathcal{B}|}\sigma^2`: larger batches, steadier statistics;
* ``normalization.tiny-batches`` — a batch of one normalizes everything to :math:`\beta`, a
  batch of two to :math:`\beta \pm \gamma\,d/\sqrt{d^2 + \epsilon}`;
* ``normalization.running-statistics`` (addition) — the running averages kept for evaluation
  mode (the unbiased variance) and the fixed affine map used there.
"""

from __future__ import annotations

import statistics

import scipy.special
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.normalization.claims._support import (
    EPSILONS,
    batch,
    batches,
    beta,
    eps,
    exact_batch_norm,
    gamma,
    i,
    n,
    params,
    x,
)

SECTION = Section("normalization", "8 Batch Normalization")


batch_statistics_noise = SECTION.claim(
    "batch-statistics-noise",
    title="Smaller batches give noisier statistics",
    statement=r"x_1, \dots, x_n \text{ i.i.d.}, \ \mathbb{E}x = \mu,\ \operatorname{Var}x = "
    r"\sigma^2 \Rightarrow \operatorname{Var}\hat\mu_\mathcal{B} = \frac{\sigma^2}{n},\quad "
    r"\mathbb{E}\bigl[\hat\sigma^2_\mathcal{B} - \epsilon\bigr] = \frac{n - 1}{n}\sigma^2",
    kind=Kind.THEOREM,
    code=("batch_norm",),
    note=r"The notes: larger minibatches give steadier estimates, tiny ones noisy estimates. "
    r"The noise of the mean falls as $1/|\mathcal{B}|$; the biased variance underestimates by "
    r"the factor $(n - 1)/n$, which is why the running variance is kept unbiased. The notes' "
    r"best range ($50 \sim 100$) and the regularizing effect of the noise are empirical "
    r"observations, not checked here.",
    property=NotApplicable(
        "a statement about the distribution of the statistics: the numeric leg tests it by "
        "Monte Carlo; normalization.running-statistics checks the statistics themselves"
    ),
)


@batch_statistics_noise.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    mu, sigma2 = sp.symbols(r"\mu \sigma^2", positive=True)
    j = sp.Symbol("j", integer=True)
    # E[x_i x_j] = mu^2 + sigma^2 [i = j]: the double sum has n diagonal terms, n^2 - n others
    second = (n * (mu**2 + sigma2) + (n**2 - n) * mu**2) / n**2  # E[mu-hat^2]
    var_mean = sp.simplify(second - mu**2)
    expected_biased = sp.simplify((mu**2 + sigma2) - second)  # E[(1/n) sum x_i^2] - E[mu-hat^2]
    return Derivation(
        steps=[
            Step(
                r"$\mathbb{E}\hat\mu^2 = \frac{1}{n^2}\sum_{i,j}\mathbb{E}x_i x_j$ with "
                r"$\mathbb{E}x_i x_j = \mu^2 + \sigma^2[i = j]$",
                equation(sp.Symbol(r"\mathbb{E}\hat\mu^2"), second),
            ),
            Step(
                r"$\operatorname{Var}\hat\mu = \mathbb{E}\hat\mu^2 - \mu^2$",
                equation(sp.Symbol(r"\operatorname{Var}\hat\mu"), var_mean),
            ),
            Step(
                r"$\mathbb{E}[\hat\sigma^2 - \epsilon] = \mathbb{E}\frac1n\sum_i x_i^2 - "
                r"\mathbb{E}\hat\mu^2$",
                equation(sp.Symbol(r"\mathbb{E}v"), sp.factor(expected_biased)),
            ),
            Step(r"(the sums run over $i, j = 1..n$)", sp.Sum(x[i] * x[j], (i, 1, n), (j, 1, n))),
        ],
        residuals=[var_mean - sigma2 / n, expected_biased - (n - 1) * sigma2 / n],
        compared=[
            r"$\operatorname{Var}\hat\mu$ minus $\sigma^2/n$",
            r"$\mathbb{E}v$ minus $(n-1)\sigma^2/n$",
        ],
    )


#: two-sided tail probability of each chi-square test; 2 tests x 3 batch sizes = 6 tests per
#: dtype, 24 per run: a false alarm (over the choice of seeds) has probability <= 2.4e-7
ALPHA = 1e-8


def _chi_square_bounds(dof: int) -> tuple[float, float]:
    """The central ``1 - ALPHA`` interval of the chi-square distribution with ``dof`` degrees."""
    return float(scipy.special.chdtri(dof, 1 - ALPHA / 2)), float(
        scipy.special.chdtri(dof, ALPHA / 2)
    )


@batch_statistics_noise.numeric_leg(
    oracle="exact chi-square quantiles (scipy.special.chdtri) for K = 20,000 batches of "
    "N(0, 1) values per size; false-alarm rate below 2.4e-7 per run"
)
def _(impl, device, dtype) -> None:
    replicas = 20_000  # one batch per channel: a (n, K) input holds K independent batches
    for seed, size in enumerate((2, 4, 16)):
        xs = batch((size, replicas), 50 + seed, dtype, device)
        zero = torch.zeros(replicas, dtype=dtype, device=device)
        _, mean, unbiased = impl.batch_norm(
            xs, running_mean=zero, running_var=zero, momentum=1.0
        )  # with momentum 1 the running statistics are the batch's mean and unbiased variance
        # n * sum(mean^2) ~ chi2(K) and (n - 1) * sum(unbiased var) ~ chi2(K (n - 1)) exactly
        # for normal data; rounding the inputs to the dtype perturbs them by far less than
        # the intervals' width (about 5 standard deviations of the statistic)
        t_mean = size * mean.double().square().sum().item()
        low, high = _chi_square_bounds(replicas)
        assert low <= t_mean <= high, f"n = {size}: n sum(mean^2) = {t_mean}, not in {low, high}"
        t_var = (size - 1) * unbiased.double().sum().item()
        low, high = _chi_square_bounds(replicas * (size - 1))
        assert low <= t_var <= high, f"n = {size}: (n-1) sum(s^2) = {t_var}, not in {low, high}"


tiny_batches = SECTION.claim(
    "tiny-batches",
    title="Batches of one and two destroy the signal",
    statement=r"|\mathcal{B}| = 1 \Rightarrow \mathrm{BN}(\mathbf{x}) = \boldsymbol\beta;\quad "
    r"|\mathcal{B}| = 2 \Rightarrow \mathrm{BN}(x_{1,2}) = \beta \pm \gamma\frac{d}{\sqrt{d^2 + "
    r"\epsilon}},\ d = \frac{x_1 - x_2}{2}",
    kind=Kind.THEOREM,
    code=("batch_norm",),
    note=r"The extreme of the notes' remark that tiny minibatches destroy useful signal: one "
    r"example normalizes to $\beta$ whatever it is (so `batch_norm` refuses a batch of one in "
    r"training mode, as torch does), and two keep little more than the sign of their "
    r"difference once $|d| \gg \sqrt{\epsilon}$.",
)


@tiny_batches.symbolic_leg(scope=r"for $|\mathcal{B}| = 1$ and $2$, all values", general=False)
def _() -> Derivation:
    x1, x2 = sp.symbols("x_1 x_2", real=True)
    one = gamma * (x1 - x1) / sp.sqrt(0 + eps) + beta
    mu2 = (x1 + x2) / 2
    var2 = ((x1 - mu2) ** 2 + (x2 - mu2) ** 2) / 2
    d = (x1 - x2) / 2
    first = gamma * (x1 - mu2) / sp.sqrt(var2 + eps) + beta
    second = gamma * (x2 - mu2) / sp.sqrt(var2 + eps) + beta
    return Derivation(
        steps=[
            Step(r"$|\mathcal{B}| = 1$: $\hat\mu = x_1$, $v = 0$", equation(sp.Symbol("BN"), one)),
            Step(r"$|\mathcal{B}| = 2$: the variance is $d^2$", equation(var2, sp.factor(var2))),
            Step(r"so the outputs are $\beta \pm \gamma d/\sqrt{d^2 + \epsilon}$", first),
        ],
        residuals=[
            one - beta,
            sp.simplify(var2 - d**2),
            sp.simplify(first - (beta + gamma * d / sp.sqrt(d**2 + eps))),
            sp.simplify(second - (beta - gamma * d / sp.sqrt(d**2 + eps))),
        ],
        compared=[
            r"the output of a batch of one minus $\beta$",
            r"the variance of two values minus $d^2$",
            r"the first output minus $\beta + \gamma d/\sqrt{d^2+\epsilon}$",
            r"the second output minus $\beta - \gamma d/\sqrt{d^2+\epsilon}$",
        ],
    )


@tiny_batches.numeric_leg(
    oracle=r"beta +- gamma d/sqrt(d^2 + eps) by mpmath (error in eps); "
    "torch.nn.functional.batch_norm also refuses a batch of one"
)
def _(impl, device, dtype) -> None:
    xs = batch((2, 5), 60, dtype, device, scale=3.0)
    g, b = params(5, 61, dtype, device)
    got = impl.batch_norm(xs, g, b, eps=0.5).output
    want, scale = exact_batch_norm(xs, 0.5, g, b)  # the general formula at |B| = 2 ...
    assert_accurate(got, want, scale=scale)
    pairs = oracle_input(xs).T.tolist()  # ... is the closed form beta +- gamma d/sqrt(d^2+eps)
    for c, (a, z) in enumerate(pairs):
        d = (a - z) / 2
        gc, bc = float(g[c]), float(b[c])
        closed = [bc + gc * d / (d * d + 0.5) ** 0.5, bc - gc * d / (d * d + 0.5) ** 0.5]
        assert_close(torch.tensor(want[:, c].tolist()), closed, dtype=torch.float64)
    single = batch((1, 3), 62, dtype, device)
    for fn, name in ((impl.batch_norm, "batch_norm"), (F.batch_norm, "F.batch_norm")):
        try:
            fn(single, None, None, training=True)
        except ValueError:
            continue
        raise AssertionError(f"{name} accepted a batch of one in training mode")


@tiny_batches.property_leg(
    r"for two rows, the outputs are $\beta \pm \gamma d/\sqrt{d^2 + \epsilon}$ (mpmath)",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        xs = draw(batches(min_rows=2, max_rows=2))
        cols = xs.shape[1]
        g = torch.tensor(draw(st.lists(st.floats(-3, 3), min_size=cols, max_size=cols)))
        b = torch.tensor(draw(st.lists(st.floats(-3, 3), min_size=cols, max_size=cols)))
        return xs, g.double(), b.double(), draw(EPSILONS)

    def holds(case) -> bool:
        xs, g, b, e = case
        got = impl.batch_norm(xs, g, b, eps=e).output
        want, scale = exact_batch_norm(xs, e, g, b)
        d = (xs[0] - xs[1]) / 2
        half = g * d / torch.sqrt(d * d + e)
        closed_ok = is_close(want, torch.stack([b + half, b - half]))
        return closed_ok and is_accurate(got, want, scale=scale)

    return ForAll(cases(), holds, names=("x", "gamma", "beta", "eps"))


running_statistics = SECTION.claim(
    "running-statistics",
    title="Running statistics, and batch normalization at prediction time",
    statement=r"\bar\mu \leftarrow (1 - m)\bar\mu + m\hat\mu_\mathcal{B},\quad "
    r"\bar\sigma^2 \leftarrow (1 - m)\bar\sigma^2 + m\frac{n}{n - 1}v;\qquad "
    r"\text{evaluation: } \mathrm{BN}(\mathbf{x}) = \boldsymbol\gamma \odot \frac{\mathbf{x} - "
    r"\bar{\boldsymbol\mu}}{\sqrt{\bar{\boldsymbol\sigma}^2 + \epsilon}} + \boldsymbol\beta",
    kind=Kind.THEOREM,
    source="8 Batch Normalization (addition: prediction with running statistics)",
    code=("batch_norm",),
    note=r"Addition: the notes stop at training. At prediction time the batch statistics are "
    r"replaced by exponential running averages (momentum $m$; `torch.nn.BatchNorm` keeps the "
    r"*unbiased* variance there), so each example's output no longer depends on its batch. "
    r"After $k$ updates with the same statistic $s$ the average is "
    r"$(1 - m)^k \bar\mu_0 + (1 - (1 - m)^k)s \to s$.",
)


@running_statistics.symbolic_leg(scope="general $k$")
def _() -> Derivation:
    k = sp.Symbol("k", integer=True, nonnegative=True)
    m, r0, s_ = sp.symbols(r"m \bar\mu_0 s", real=True)
    closed = (1 - m) ** k * r0 + (1 - (1 - m) ** k) * s_
    step = (1 - m) * closed + m * s_
    return Derivation(
        steps=[
            Step(r"Closed form after $k$ updates", equation(sp.Symbol(r"\bar\mu_k"), closed)),
            Step(r"One more update", equation(sp.Symbol(r"\bar\mu_{k+1}"), sp.expand(step))),
        ],
        residuals=[closed.subs(k, 0) - r0, sp.expand(step - closed.subs(k, k + 1))],
        compared=[
            r"the closed form at $k = 0$ minus $\bar\mu_0$",
            r"one update of the closed form minus the closed form at $k + 1$ (induction)",
        ],
    )


@running_statistics.numeric_leg(
    oracle="torch.nn.BatchNorm1d / BatchNorm2d in float64: three training steps (outputs and "
    "buffers), then evaluation mode"
)
def _(impl, device, dtype) -> None:
    for seed, (shape, momentum) in enumerate([((8, 3), 0.1), ((4, 3, 2, 2), 0.3)]):
        module = (torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d)(
            shape[1], momentum=momentum, dtype=torch.float64, device=device
        )
        g, b = params(shape[1], 70 + seed, dtype, device)
        with torch.no_grad():
            module.weight.copy_(g.double())
            module.bias.copy_(b.double())
        mean = torch.zeros(shape[1], dtype=dtype, device=device)
        var = torch.ones(shape[1], dtype=dtype, device=device)
        for step in range(3):
            xs = batch(shape, 80 + 10 * seed + step, dtype, device, loc=step, scale=1 + step)
            before = (mean.clone(), var.clone())
            out, new_mean, new_var = impl.batch_norm(
                xs, g, b, running_mean=mean, running_var=var, momentum=momentum
            )
            assert torch.equal(mean, before[0]) and torch.equal(var, before[1]), "mutated"
            want = module.train()(xs.double())
            assert_close(out, want, dtype=dtype, msg=f"training step {step}")
            assert_close(new_mean, module.running_mean, dtype=dtype, msg="running mean")
            assert_close(new_var, module.running_var, dtype=dtype, msg="running variance")
            mean, var = new_mean, new_var
        xs = batch(shape, 90 + seed, dtype, device)
        out, kept_mean, kept_var = impl.batch_norm(
            xs, g, b, training=False, running_mean=mean, running_var=var
        )
        assert kept_mean is mean and kept_var is var
        # the running statistics as the dtype holds them (the module kept float64 ones)
        assert module.running_mean is not None and module.running_var is not None
        module.running_mean.copy_(mean.double())
        module.running_var.copy_(var.double())
        assert_close(out, module.eval()(xs.double()), dtype=dtype, msg="evaluation mode")


@running_statistics.property_leg(
    r"for random batches, running statistics and $m \in [0, 1]$, the new running mean and "
    r"variance are $(1-m)\bar\mu + m\hat\mu$ and $(1-m)\bar\sigma^2 + m s^2$ with $s^2$ the "
    r"unbiased variance (Python's exact `statistics`), and evaluation mode equals "
    r"`torch.nn.functional.batch_norm(training=False)`",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        xs = draw(batches())
        cols = xs.shape[1]
        mean = torch.tensor(draw(st.lists(st.floats(-1e3, 1e3), min_size=cols, max_size=cols)))
        var = torch.tensor(draw(st.lists(st.floats(0, 1e3), min_size=cols, max_size=cols)))
        return xs, mean.double(), var.double(), draw(st.floats(0, 1))

    def holds(case) -> bool:
        xs, mean, var, m = case
        _, new_mean, new_var = impl.batch_norm(xs, running_mean=mean, running_var=var, momentum=m)
        columns = oracle_input(xs).T.tolist()
        batch_mean = torch.tensor([statistics.fmean(c) for c in columns], dtype=torch.float64)
        unbiased = torch.tensor([statistics.variance(c) for c in columns], dtype=torch.float64)
        ok_mean = is_close(new_mean, (1 - m) * mean + m * batch_mean)
        ok_var = is_close(new_var, (1 - m) * var + m * unbiased)
        out = impl.batch_norm(xs, training=False, running_mean=mean, running_var=var).output
        ok_eval = is_close(out, F.batch_norm(xs, mean, var, training=False))
        return ok_mean and ok_var and ok_eval

    return ForAll(cases(), holds, names=("x", "running_mean", "running_var", "momentum"))
