r"""§ 8 Batch Normalization — the definition and what standardization does to a minibatch.

Main declarations:

* ``normalization.batch-norm-definition`` — :math:`\mathrm{BN}(\mathbf{x}) = \boldsymbol\gamma
  \odot (\mathbf{x} - \hat{\boldsymbol\mu}_\mathcal{B})/\hat{\boldsymbol\sigma}_\mathcal{B} +
  \boldsymbol\beta` with the biased variance plus :math:`\epsilon`, and the notation note
  ``normalization.sigma-hat-not-sample-std`` (that :math:`\hat\sigma_\mathcal{B}` is not the
  sample standard deviation);
* erratum ``normalization.standardized-minibatch-unit-variance`` — with the notes'
  :math:`\epsilon` the standardized minibatch does *not* have unit variance; corrected by
  ``normalization.standardized-minibatch-moments``: mean exactly 0, variance
  :math:`v/(v + \epsilon) < 1`;
* ``normalization.scale-and-shift-restore-the-input`` — :math:`\gamma = \hat\sigma_\mathcal{B}`,
  :math:`\beta = \hat\mu_\mathcal{B}` give back the input: the degree of freedom is recovered.

The noise of the batch statistics, tiny batches and the running statistics are in
:mod:`.batch_statistics`.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.normalization.claims._support import (
    BIG,
    EPSILONS,
    MEAN,
    VAR,
    Z,
    batch,
    batches,
    beta,
    channel_slices,
    eps,
    exact_batch_norm,
    gamma,
    i,
    mp_moments,
    mp_standardize,
    n,
    params,
    v,
    x,
)

SECTION = Section("normalization", "8 Batch Normalization")

batch_norm_definition = SECTION.claim(
    "batch-norm-definition",
    title="Batch normalization",
    statement=r"\mathrm{BN}(\mathbf{x}) = \boldsymbol{\gamma} \odot \frac{\mathbf{x} - "
    r"\hat{\boldsymbol{\mu}}_{\mathcal{B}}}{\hat{\boldsymbol{\sigma}}_{\mathcal{B}}} + "
    r"\boldsymbol{\beta},\quad \hat{\boldsymbol{\mu}}_{\mathcal{B}} = \frac{1}{|\mathcal{B}|}"
    r"\sum_{\mathbf{x} \in \mathcal{B}} \mathbf{x},\quad \hat{\boldsymbol{\sigma}}_{\mathcal{B}}^2"
    r" = \frac{1}{|\mathcal{B}|} \sum_{\mathbf{x} \in \mathcal{B}} (\mathbf{x} - "
    r"\hat{\boldsymbol{\mu}}_{\mathcal{B}})^2 + \epsilon",
    kind=Kind.DEFINITION,
    code=("batch_norm",),
    note=r"Elementwise: each feature (or channel) has its own mean, variance, $\gamma$ and "
    r"$\beta$. The variance divides by $|\mathcal{B}|$ (biased), and $\epsilon > 0$ keeps the "
    r"division defined when a feature is constant over the batch.",
    symbolic=NotApplicable("a definition; its consequences are proved in the claims below"),
)


@batch_norm_definition.numeric_leg(
    oracle="mpmath at 60 digits (error in eps of each output's conditioning); "
    "torch.nn.functional.batch_norm (training=True) in float64; gradcheck and gradgradcheck "
    "with respect to x, gamma and beta (float64); mpmath relative to each output itself for "
    "features whose mean is far above their spread"
)
def _(impl, device, dtype) -> None:
    big = BIG[dtype]
    if dtype in (torch.float32, torch.float64):
        # mean 1e4 (float32) or 1e6 (float64) times the spread: the deviations' mean corrects
        # the rounded mean, so every output is within a few eps of itself, not only of its
        # conditioning (uncorrected: about eps |mu| / sigma, 1e4 or 1e6 eps)
        far = batch((64, 4), 190, dtype, device, loc=1e4 if dtype == torch.float32 else 1e6)
        want, _ = exact_batch_norm(far, 1e-5)
        for leaf in (far, far.clone().requires_grad_()):  # without and with autograd
            got = impl.batch_norm(leaf).output.detach()
            assert_accurate(got, want, scale=torch.ones_like(want), msg="mean far above spread")
    cases = [
        (batch((8, 3), 0, dtype, device), 1e-5),  # fully connected: per feature
        (batch((4, 2, 3, 3), 1, dtype, device), 1e-5),  # convolutional: per channel
        (batch((3, 2, 5), 2, dtype, device, scale=1e-3), 1e-5),  # variance below epsilon
        (batch((6, 2), 3, dtype, device, loc=100.0), 0.5),  # mean far from zero
        (torch.tensor([[big, 1.0], [-big, 2.0], [big / 4, 4.0]]).to(dtype).to(device), 1e-5),
    ]
    for seed, (xs, e) in enumerate(cases):
        g, b = params(xs.shape[1], 10 + seed, dtype, device)
        for gamma_, beta_ in ((None, None), (g, b)):
            got = impl.batch_norm(xs, gamma_, beta_, eps=e).output
            assert got.dtype == dtype and got.device == xs.device and got.shape == xs.shape
            want, scale = exact_batch_norm(xs, e, gamma_, beta_)
            assert_accurate(got, want, scale=scale, msg=f"shape {tuple(xs.shape)}, eps {e}")
            if seed < 4:  # the extreme batch overflows the built-in (not the true values)
                ref = F.batch_norm(
                    xs.double(),
                    None,
                    None,
                    None if gamma_ is None else gamma_.double(),
                    None if beta_ is None else beta_.double(),
                    training=True,
                    eps=e,
                )
                assert_close(got, ref, dtype=dtype, msg="vs torch.nn.functional.batch_norm")
    if dtype == torch.float64:
        leaf = batch((5, 3), 20, dtype, device).requires_grad_()
        g, b = (p.requires_grad_() for p in params(3, 21, dtype, device))
        assert torch.autograd.gradcheck(
            lambda a, c, d: impl.batch_norm(a, c, d).output, (leaf, g, b)
        )
        assert torch.autograd.gradgradcheck(
            lambda a, c, d: impl.batch_norm(a, c, d).output, (leaf, g, b)
        )


@batch_norm_definition.property_leg(
    r"for batches of $2$ to $6$ rows with entries up to $10^{300}$ in magnitude and "
    r"$\epsilon \in [10^{-8}, 100]$, each output is within the float64 budget of the exact "
    r"value (mpmath), measured against its conditioning",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        xs, e = case
        got = impl.batch_norm(xs, eps=e).output
        want, scale = exact_batch_norm(xs, e)
        return is_accurate(got, want, scale=scale)

    return ForAll(st.tuples(batches(magnitude=1e300), EPSILONS), holds, names=("x", "eps"))


sigma_hat_not_sample_std = SECTION.claim(
    "sigma-hat-not-sample-std",
    title="σ̂_B is not the sample standard deviation",
    statement=r"\text{``}\hat{\mu}_{\mathcal{B}} \text{ is the sample mean and } "
    r"\hat{\sigma}_{\mathcal{B}} \text{ is the sample standard deviation of the minibatch''}",
    kind=Kind.NOTATION,
    corrects="normalization.batch-norm-definition",
    note=r"By the notes' own formula $\hat\sigma_\mathcal{B}^2$ divides by $|\mathcal{B}|$ "
    r"(not $|\mathcal{B}| - 1$, as the sample variance does) and includes $+\epsilon$. So "
    r"$\hat\sigma_\mathcal{B} = \sqrt{v + \epsilon}$ with $v$ the biased variance: the "
    r"$\epsilon$-regularized standard deviation, which is what "
    r"normalization.batch-norm-definition states. (The running variance kept for evaluation "
    r"is the unbiased one: normalization.running-statistics.)",
)


standardized_minibatch_moments = SECTION.claim(
    "standardized-minibatch-moments",
    title="The standardized minibatch has mean 0 and variance v/(v + ε)",
    statement=r"z_i = \frac{x_i - \hat\mu_\mathcal{B}}{\sqrt{v + \epsilon}} \Rightarrow "
    r"\frac{1}{n}\sum_{i=1}^n z_i = 0,\quad \frac{1}{n}\sum_{i=1}^n z_i^2 = "
    r"\frac{v}{v + \epsilon} < 1,\quad v = \frac{1}{n}\sum_{i=1}^n (x_i - \hat\mu_\mathcal{B})^2",
    kind=Kind.THEOREM,
    code=("batch_norm",),
    note=r"The variance tends to 1 as $\epsilon \to 0$ when $v > 0$, and is 0 for a constant "
    r"batch; with the usual $\epsilon = 10^{-5}$ it is visibly below 1 once $v$ is small.",
)


@standardized_minibatch_moments.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    total = sp.Sum(Z, (i, 1, n))
    centered = sp.Sum(x[i] - MEAN, (i, 1, n))
    squares = sp.Sum(Z**2, (i, 1, n))
    pulled = sp.factor_terms(squares)
    mean_z = sp.simplify(centered.expand().doit())
    return Derivation(
        steps=[
            Step(r"Standardized value", equation(sp.Symbol("z_i"), Z)),
            Step(
                r"The denominator does not depend on $i$: $\sum_i z_i$ is "
                r"$\sum_i (x_i - \hat\mu)$ over $\sqrt{v + \epsilon}$",
                equation(total, sp.factor_terms(total)),
            ),
            Step(r"$\sum_i (x_i - \hat\mu) = n\hat\mu - n\hat\mu$", equation(centered, mean_z)),
            Step(
                r"$\sum_i z_i^2 = \sum_i (x_i - \hat\mu)^2 / (v + \epsilon) = n v/(v + \epsilon)$",
                equation(squares, pulled),
            ),
        ],
        residuals=[mean_z, sp.simplify(pulled / n - VAR / (VAR + eps)), (v / (v + eps) - 1) < 0],
        compared=[
            r"$\sum_i (x_i - \hat\mu)$, the numerator of the mean",
            r"$\frac1n\sum_i z_i^2$ minus $v/(v + \epsilon)$",
            r"$v/(v + \epsilon) - 1 < 0$ for $v \ge 0$, $\epsilon > 0$",
        ],
    )


def _output_moments(out: torch.Tensor) -> list[tuple[float, float]]:
    return [mp_moments(values) for values in channel_slices(out)]


@standardized_minibatch_moments.numeric_leg(
    oracle="mean and variance of the outputs and v/(v + eps) of the inputs, by mpmath (error in "
    "eps); float16/bfloat16 outputs are checked elementwise by batch-norm-definition",
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    # rounding each output moves the variance of a low-precision batch by up to its eps
    # relative: more than the 1-eps budget, so those dtypes are not judged on moments here
    for seed, (shape, spread, e) in enumerate(
        [((16, 3), 1.0, 1e-5), ((4, 2, 3, 3), 1e-3, 1e-5), ((10, 2), 0.1, 0.01)]
    ):
        xs = batch(shape, 30 + seed, dtype, device, scale=spread)
        out = impl.batch_norm(xs, eps=e).output
        for (mean, var), values in zip(_output_moments(out), channel_slices(xs), strict=True):
            _, exact_var = mp_moments(values)
            _, scale = mp_standardize(values, e)
            # |mean of outputs| is at most the mean of the outputs' errors
            assert_accurate(torch.tensor(mean, dtype=dtype), 0.0, scale=sum(scale) / len(scale))
            want = exact_var / (exact_var + e)
            assert_accurate(torch.tensor(var, dtype=dtype), want, scale=max(scale))
            assert var < 1, f"variance {var} of a standardized batch with eps {e}"


@standardized_minibatch_moments.property_leg(
    r"for batches with entries up to $10^6$ and $\epsilon \in [10^{-8}, 100]$, the outputs' "
    r"mean is 0 and their variance $v/(v + \epsilon)$ (mpmath), within the float64 budget"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        xs, e = case
        out = impl.batch_norm(xs, eps=e).output
        for (mean, var), values in zip(_output_moments(out), channel_slices(xs), strict=True):
            _, exact_var = mp_moments(values)
            _, scale = mp_standardize(values, e)
            ok_mean = is_accurate(torch.tensor(mean), 0.0, scale=sum(scale) / len(scale))
            ok_var = is_accurate(torch.tensor(var), exact_var / (exact_var + e), scale=max(scale))
            if not (ok_mean and ok_var):
                return False
        return True

    return ForAll(st.tuples(batches(), EPSILONS), holds, names=("x", "eps"))


standardized_minibatch_unit_variance = SECTION.claim(
    "standardized-minibatch-unit-variance",
    title="“The standardized minibatch has zero mean and unit variance”",
    statement=r"\frac{1}{|\mathcal{B}|}\sum_{\mathbf{x} \in \mathcal{B}} \frac{\mathbf{x} - "
    r"\hat{\boldsymbol\mu}_\mathcal{B}}{\hat{\boldsymbol\sigma}_\mathcal{B}} = 0 \ \text{ and }\ "
    r"\frac{1}{|\mathcal{B}|}\sum_{\mathbf{x} \in \mathcal{B}} \Bigl(\frac{\mathbf{x} - "
    r"\hat{\boldsymbol\mu}_\mathcal{B}}{\hat{\boldsymbol\sigma}_\mathcal{B}}\Bigr)^2 = 1 "
    r"\quad (\hat{\boldsymbol\sigma}_\mathcal{B}^2 = v + \epsilon)",
    kind=Kind.ERRATUM,
    corrects="normalization.standardized-minibatch-moments",
    uses=("normalization.standardized-minibatch-moments",),
    code=("batch_norm",),
    note=r"The notes add $\epsilon$ to the variance and then state unit variance. The mean is "
    r"0, but the variance is $v/(v + \epsilon)$: below 1 for every batch, and 0 for a "
    r"constant one.",
    numeric=NotApplicable(
        "the corrected claim, normalization.standardized-minibatch-moments, measures the "
        "variance numerically"
    ),
)


@standardized_minibatch_unit_variance.symbolic_leg(scope="disproved at $v = 0$ (a constant batch)")
def _() -> Derivation:
    written = v / (v + eps)
    return Derivation(
        steps=[
            Step(
                r"The standardized minibatch's variance",
                equation(sp.Symbol(r"\frac1n\sum_i z_i^2"), written),
                cites=("normalization.standardized-minibatch-moments",),
            ),
            Step(r"Unit variance would need", equation(written, 1)),
            Step(r"but the difference is", equation(written - 1, sp.simplify(written - 1))),
        ],
        residuals=[written - 1],
        witness={v: 0, eps: sp.Rational(1, 100000)},
        witness_symbols={
            "v": r"the biased variance $\frac{1}{|\mathcal{B}|}\sum_{x \in \mathcal{B}}"
            r"(x - \hat\mu_\mathcal{B})^2$ of one feature over the minibatch",
            "\\epsilon": r"the small constant added to $v$ in "
            r"$\hat\sigma_\mathcal{B}^2 = v + \epsilon$",
        },
        compared=[r"the variance minus 1"],
    )


@standardized_minibatch_unit_variance.property_leg(
    r"Hypothesis searches batches and $\epsilon$ for which the outputs' mean is not 0 or their "
    r"variance is not 1",
)
def _(impl) -> ForAll:
    def as_written(case) -> bool:
        xs, e = case
        out = impl.batch_norm(xs, eps=e).output
        mean = out.mean(0)
        var = out.var(0, correction=0)
        return is_close(mean, torch.zeros_like(mean)) and is_close(var, torch.ones_like(var))

    return ForAll(st.tuples(batches(), EPSILONS), as_written, names=("x", "eps"))


scale_and_shift_restore_the_input = SECTION.claim(
    "scale-and-shift-restore-the-input",
    title="γ = σ̂_B and β = μ̂_B give back the input",
    statement=r"\boldsymbol\gamma = \hat{\boldsymbol\sigma}_\mathcal{B},\ \boldsymbol\beta = "
    r"\hat{\boldsymbol\mu}_\mathcal{B} \Rightarrow \mathrm{BN}(\mathbf{x}) = \mathbf{x};\quad "
    r"\text{in general the output has mean } \boldsymbol\beta \text{ and variance } "
    r"\boldsymbol\gamma^2 \frac{v}{v + \epsilon}",
    kind=Kind.THEOREM,
    code=("batch_norm",),
    uses=("normalization.standardized-minibatch-moments",),
    note=r"This is the degree of freedom the notes say $\gamma$ and $\beta$ recover: "
    r"standardization can be undone, so batch normalization can represent the identity.",
)


@scale_and_shift_restore_the_input.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    restored = sp.sqrt(VAR + eps) * Z + MEAN
    out = gamma * Z + beta
    out_mean = sp.simplify(sp.Sum(out, (i, 1, n)).expand().doit() / n)
    return Derivation(
        steps=[
            Step(
                r"$\gamma = \sqrt{v + \epsilon}$ and $\beta = \hat\mu$ undo the standardization",
                equation(sp.Symbol(r"\sqrt{v + \epsilon}\,z_i + \hat\mu"), restored),
            ),
            Step(
                r"In general the mean of $\gamma z_i + \beta$ is $\gamma \cdot 0 + \beta$",
                equation(sp.Symbol(r"\frac1n\sum_i(\gamma z_i + \beta)"), out_mean),
                cites=("normalization.standardized-minibatch-moments",),
            ),
            Step(
                r"and its variance $\gamma^2 \frac1n\sum_i z_i^2 = \gamma^2 v/(v + \epsilon)$",
                equation(sp.Symbol(r"\mathrm{Var}"), gamma**2 * v / (v + eps)),
                cites=("normalization.standardized-minibatch-moments",),
            ),
        ],
        residuals=[restored - x[i], out_mean - beta],
        compared=[r"the restored value minus $x_i$", r"the output mean minus $\beta$"],
    )


@scale_and_shift_restore_the_input.numeric_leg(
    oracle="the input itself (float64); in every dtype, mpmath with gamma and beta as rounded"
)
def _(impl, device, dtype) -> None:
    for seed, (shape, loc) in enumerate([((9, 3), 0.0), ((3, 2, 4, 4), 5.0)]):
        xs = batch(shape, 40 + seed, dtype, device, loc=loc)
        stats = [mp_moments(values) for values in channel_slices(xs)]
        g = torch.tensor([(var + 1e-5) ** 0.5 for _, var in stats], dtype=torch.float64)
        b = torch.tensor([mean for mean, _ in stats], dtype=torch.float64)
        gd, bd = g.to(dtype).to(device), b.to(dtype).to(device)
        got = impl.batch_norm(xs, gd, bd, eps=1e-5).output
        want, scale = exact_batch_norm(xs, 1e-5, gd, bd)
        assert_accurate(got, want, scale=scale, msg="gamma = sigma-hat, beta = mu-hat")
        if dtype == torch.float64:
            assert_close(got, xs, msg="BN(x) = x when gamma and beta are the batch's own")


@scale_and_shift_restore_the_input.property_leg(
    r"with $\gamma = \sqrt{v + \epsilon}$ and $\beta = \hat\mu$ of the batch itself, the "
    r"output equals the input within float64 tolerance (entries up to $10^6$)",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        xs, e = case
        stats = [mp_moments(values) for values in channel_slices(xs)]
        g = torch.tensor([(var + e) ** 0.5 for _, var in stats], dtype=torch.float64)
        b = torch.tensor([mean for mean, _ in stats], dtype=torch.float64)
        got = impl.batch_norm(xs, g, b, eps=e).output
        want, scale = exact_batch_norm(xs, e, g, b)
        return is_accurate(got, want, scale=scale)

    return ForAll(st.tuples(batches(), EPSILONS), holds, names=("x", "eps"))
