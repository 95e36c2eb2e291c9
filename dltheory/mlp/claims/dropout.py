r"""§ 5 Dropout — inverted dropout keeps the expectation and adds variance.

The heading is empty in the notes; the standard results are filled in and labelled as
additions. Statistical checks bound their false-alarm rate by Hoeffding's inequality at
:data:`~dltheory.mlp.claims._support.ALPHA` per check.

Main declarations:

* ``mlp.dropout-definition`` (addition) — :math:`h' = 0` with probability :math:`p`, else
  :math:`h/(1 - p)`; the kept values and the scale agree with ``torch.nn.functional.dropout``;
* ``mlp.dropout-expectation`` (addition) — :math:`\mathbb{E}[h'] = h`;
* ``mlp.dropout-variance`` (addition) — :math:`\operatorname{Var}[h'] = \frac{p}{1 - p}h^2`.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close
from dltheory.mlp.claims._support import float_arrays, grad_of, hoeffding_halfwidth

SECTION = Section("mlp", "5 Dropout")

_p = sp.Symbol("p", nonnegative=True)
_h = sp.Symbol("h", real=True)
#: the law of h': value -> probability (0 <= p < 1)
_LAW = {sp.Integer(0): _p, _h / (1 - _p): 1 - _p}

#: (h, p) of the statistical legs
_CASES = ((1.0, 0.1), (-2.5, 0.5), (0.75, 0.8))
_PROBABILITIES = tuple(p for _, p in _CASES)
#: samples per value: 2^18, so a Hoeffding half-width of 0.0067 times the range
_SAMPLES = 1 << 18


def _samples(fn, h: float, p: float, dtype, device, seed: int) -> torch.Tensor:
    """``_SAMPLES`` outputs of ``fn(x, p)`` for ``x`` filled with ``h`` (float64)."""
    x = torch.full((_SAMPLES,), h, dtype=dtype, device=device)
    return fn(x, p, torch.Generator(device).manual_seed(seed)).double()


dropout_definition = SECTION.claim(
    "dropout-definition",
    title="Inverted dropout",
    statement=r"h' = \begin{cases} 0 & \text{with probability } p \\ "
    r"\dfrac{h}{1 - p} & \text{otherwise} \end{cases}",
    kind=Kind.DEFINITION,
    code=("dropout",),
    note="Addition (the heading is empty in the notes). Units are dropped independently; at "
    "test time (training=False) dropout is the identity.",
)


@dropout_definition.symbolic_leg(scope="every $0 \\le p < 1$")
def _() -> Derivation:
    total = sum(_LAW.values())
    return Derivation(
        steps=[
            Step(r"The law of $h'$: value $\mapsto$ probability", sp.Dict(_LAW)),
            Step("The probabilities sum to 1", equation(total, sp.simplify(total))),
        ],
        residuals=[total - 1],
        compared=["sum of the probabilities minus 1"],
    )


@dropout_definition.numeric_leg(
    oracle="torch.nn.functional.dropout's kept values (the same scale 1/(1 - p)); h / (1 - p) "
    "in float64; the identity for training=False and p = 0; autograd"
)
def _(impl, device, dtype) -> None:
    x = randn(4, 500, seed=1, scale=3.0).to(dtype).to(device)
    for p in _PROBABILITIES:
        out = impl.dropout(x, p, generator=torch.Generator(device).manual_seed(2))
        assert out.dtype == dtype and out.device == x.device and out.shape == x.shape
        kept = out != 0
        assert_close(out[kept], x.double()[kept] / (1 - p), dtype=dtype, msg=f"kept values, p={p}")
        torch.manual_seed(3)
        builtin = F.dropout(x.double(), p)
        both = kept & (builtin != 0)
        assert_close(out[both], builtin[both], dtype=dtype, msg="scale vs F.dropout")
        again = impl.dropout(x, p, generator=torch.Generator(device).manual_seed(2))
        assert torch.equal(out, again), "the same generator state must give the same mask"
        grad = grad_of(
            lambda z, p=p: impl.dropout(z, p, generator=torch.Generator(device).manual_seed(2)), x
        )
        assert_close(grad, kept.double() / (1 - p), dtype=dtype, msg="gradient: mask / (1 - p)")
    assert impl.dropout(x, 0.5, training=False) is x or torch.equal(impl.dropout(x, 0.5, False), x)
    assert torch.equal(impl.dropout(x, 0.0), x), "p = 0 keeps everything unscaled"
    specials = torch.tensor([float("inf"), -float("inf"), float("nan")] * 40, dtype=dtype)
    out = impl.dropout(specials.to(device), 0.5, generator=torch.Generator(device).manual_seed(4))
    dropped = out == 0
    assert bool(dropped.any()) and bool((out[~dropped].isnan() | out[~dropped].isinf()).all())


@dropout_definition.property_leg(
    r"every entry of `dropout(x, p)` is exactly 0 or $x/(1 - p)$ (float64 tolerance), for "
    r"$p \in [0, 0.95]$, any seed and floats up to $10^{300}$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, p, seed = case
        out = impl.dropout(x, p, generator=torch.Generator().manual_seed(seed))
        kept = out != 0
        return out.shape == x.shape and is_close(out[kept], x[kept] / (1 - p))

    cases = st.tuples(float_arrays(max_size=12), st.floats(0.0, 0.95), st.integers(0, 2**32 - 1))
    return ForAll(cases, holds, names=("x", "p", "seed"))


dropout_expectation = SECTION.claim(
    "dropout-expectation",
    title="Inverted dropout keeps the expectation",
    statement=r"\mathbb{E}[h'] = p \cdot 0 + (1 - p)\frac{h}{1 - p} = h",
    kind=Kind.THEOREM,
    code=("dropout",),
    uses=("mlp.dropout-definition",),
    note="Addition. This is why the kept units are divided by 1 - p: the layer's expected "
    "output is the same in training and at test time.",
)


@dropout_expectation.symbolic_leg(scope="every $0 \\le p < 1$, every $h$")
def _() -> Derivation:
    mean = sum(value * prob for value, prob in _LAW.items())
    return Derivation(
        steps=[
            Step("The law of h'", sp.Dict(_LAW), cites=("mlp.dropout-definition",)),
            Step(r"$\mathbb{E}[h'] = \sum_v v\,P(h' = v)$", equation(mean, sp.simplify(mean))),
        ],
        residuals=[mean - _h],
        compared=[r"$\mathbb{E}[h'] - h$"],
    )


@dropout_expectation.numeric_leg(
    oracle="h itself, within a Hoeffding bound on the mean of 2^18 outputs (false alarm 1e-10 "
    "per check); the same bound on torch.nn.functional.dropout's outputs",
    # the bound is exact for the sampled values; in float16/bfloat16 h/(1-p) is rounded, which
    # shifts the mean by up to an ulp the bound does not cover (the kept values are checked in
    # those dtypes by mlp.dropout-definition)
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    for k, (h, p) in enumerate(_CASES):
        width = hoeffding_halfwidth(abs(h) / (1 - p), _SAMPLES)  # h' lies between 0 and h/(1-p)
        mean = _samples(lambda x, p, g: impl.dropout(x, p, generator=g), h, p, dtype, device, k)
        assert abs(mean.mean().item() - h) <= width, f"h={h}, p={p}: mean {mean.mean().item()}"
        torch.manual_seed(k)
        builtin = F.dropout(torch.full((_SAMPLES,), h, dtype=torch.float64, device=device), p)
        assert abs(builtin.mean().item() - h) <= width, "F.dropout's mean (oracle sanity)"


@dropout_expectation.property_leg(
    r"for $h \in [-10, 10]$, $p \in [0.05, 0.9]$ and any seed, the mean of $2^{14}$ outputs "
    r"of `dropout` is within a Hoeffding bound (false alarm $10^{-10}$) of $h$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        h, p, seed = case
        x = torch.full((1 << 14,), h, dtype=torch.float64)
        out = impl.dropout(x, p, generator=torch.Generator().manual_seed(seed))
        return abs(out.mean().item() - h) <= hoeffding_halfwidth(abs(h) / (1 - p), x.numel())

    cases = st.tuples(st.floats(-10, 10), st.floats(0.05, 0.9), st.integers(0, 2**32 - 1))
    return ForAll(cases, holds, names=("h", "p", "seed"))


dropout_variance = SECTION.claim(
    "dropout-variance",
    title="The variance dropout adds",
    statement=r"\operatorname{Var}[h'] = \mathbb{E}[h'^2] - h^2 = \frac{h^2}{1 - p} - h^2 = "
    r"\frac{p}{1 - p}\,h^2",
    kind=Kind.THEOREM,
    code=("dropout",),
    uses=("mlp.dropout-definition", "mlp.dropout-expectation"),
    note=r"Addition. The noise grows without bound as $p \to 1$.",
)


@dropout_variance.symbolic_leg(scope="every $0 \\le p < 1$, every $h$")
def _() -> Derivation:
    second = sum(value**2 * prob for value, prob in _LAW.items())
    variance = sp.simplify(second - _h**2)
    return Derivation(
        steps=[
            Step(
                r"$\mathbb{E}[h'^2] = \sum_v v^2 P(h' = v)$",
                equation(second, sp.simplify(second)),
                cites=("mlp.dropout-definition",),
            ),
            Step(
                r"Subtract $\mathbb{E}[h']^2 = h^2$",
                equation(sp.Symbol(r"\operatorname{Var}[h']"), variance),
                cites=("mlp.dropout-expectation",),
            ),
        ],
        residuals=[sp.simplify(variance - _p / (1 - _p) * _h**2)],
        compared=[r"$\operatorname{Var}[h'] - \frac{p}{1-p}h^2$"],
    )


@dropout_variance.numeric_leg(
    oracle="h^2/(1 - p) as the mean of h'^2, within a Hoeffding bound on 2^18 outputs (false "
    "alarm 1e-10 per check)",
    # as for mlp.dropout-expectation: the bound covers the sampled values, not their rounding
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    for k, (h, p) in enumerate(_CASES):
        out = _samples(lambda x, p, g: impl.dropout(x, p, generator=g), h, p, dtype, device, 20 + k)
        width = hoeffding_halfwidth((h / (1 - p)) ** 2, _SAMPLES)  # h'^2 in [0, (h/(1-p))^2]
        second = out.square().mean().item()
        assert abs(second - h * h / (1 - p)) <= width, f"h={h}, p={p}: E[h'^2] ~ {second}"


@dropout_variance.property_leg(
    r"for $h = 0$ or $10^{-150} \le |h| \le 10$ (so that $h'^2$ is a normal number, rounded "
    r"relatively), $p \in [0.05, 0.9]$ and any seed, the mean of $h'^2$ over "
    r"$2^{14}$ outputs is within a Hoeffding bound (false alarm $10^{-10}$) of "
    r"$h^2/(1 - p)$, i.e. the variance is $\frac{p}{1-p}h^2$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        h, p, seed = case
        x = torch.full((1 << 14,), h, dtype=torch.float64)
        second = impl.dropout(x, p, generator=torch.Generator().manual_seed(seed)).square().mean()
        width = hoeffding_halfwidth((h / (1 - p)) ** 2, x.numel())
        return abs(second.item() - h * h / (1 - p)) <= width

    scales = st.floats(-10, 10).map(lambda h: h if abs(h) >= 1e-150 else 0.0)
    cases = st.tuples(scales, st.floats(0.05, 0.9), st.integers(0, 2**32 - 1))
    return ForAll(cases, holds, names=("h", "p", "seed"))
