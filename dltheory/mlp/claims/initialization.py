r"""§ 5 Parameter Initialization / Default Initialization — variance-preserving initialization.

The notes motivate careful initialization but state no result; the Xavier (Glorot) analysis is
filled in and labelled as an addition. What torch's default ``nn.Linear`` initialization draws
is checked against its documented bounds.

Main declarations:

* notation note ``mlp.issues-raised-above`` — "the issues raised above" were never raised: the
  heading before is empty (see the additions of § Vanishing and Exploding Gradients);
* ``mlp.xavier-variance-conditions`` (addition) — with independent zero-mean weights of
  variance :math:`\sigma^2`, :math:`\operatorname{Var}[o_i] = n_\text{in}\sigma^2\gamma^2` and
  the backward variance is :math:`n_\text{out}\sigma^2` times the incoming one; keeping both
  needs :math:`n_\text{in}\sigma^2 = 1 = n_\text{out}\sigma^2`, compromised as
  :math:`\sigma^2 = 2/(n_\text{in} + n_\text{out})`;
* ``mlp.xavier-uniform-bound`` (addition) — :math:`U(-a, a)` has variance :math:`a^2/3`, so
  :math:`a = \sqrt{6/(n_\text{in} + n_\text{out})}` draws that variance;
* ``mlp.default-linear-init`` — ``torch.nn.Linear(n_in, n_out)`` draws weights and biases from
  :math:`U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})`, i.e.
  :math:`n_\text{in}\operatorname{Var}[w] = 1/3`.
"""

from __future__ import annotations

import math

import scipy.stats
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close
from dltheory.mlp.claims._support import ALPHA, hoeffding_halfwidth, resolve_ranges

SECTION = Section("mlp", "5 Parameter Initialization")

#: (shape, gain) cases of the numeric legs: a square and a wide layer, a conv kernel
_SHAPES = (((256, 256), 1.0), ((64, 1024), 1.0), ((32, 16, 3, 3), 5 / 3))


def _fans(shape) -> tuple[int, int]:
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _xavier_bound(shape, gain: float) -> float:
    fan_in, fan_out = _fans(shape)
    return gain * math.sqrt(6 / (fan_in + fan_out))


def _uniform_fits(samples: torch.Tensor, bound: float) -> bool:
    """Kolmogorov-Smirnov test of ``samples`` against U(-bound, bound), rejecting at
    :data:`ALPHA` (the test's p-value is exact for a continuous law, so a correct sampler is
    rejected with probability ALPHA)."""
    values = samples.detach().to("cpu", torch.float64).flatten().numpy()
    return bool(scipy.stats.kstest(values, "uniform", args=(-bound, 2 * bound)).pvalue > ALPHA)


issues_raised_above = SECTION.claim(
    "issues-raised-above",
    title="“The issues raised above” were not raised",
    statement=r"\text{``One way of addressing---or at least mitigating---the issues raised above "
    r"is through careful initialization''}",
    kind=Kind.NOTATION,
    corrects="mlp.jacobian-product-bound",
    note="The heading before ('Vanishing and Exploding Gradients') is empty in the notes, so "
    "nothing was raised above. The issues meant are vanishing and exploding gradients: "
    "mlp.sigmoid-derivative-bound and mlp.jacobian-product-bound fill that heading.",
)


xavier_variance_conditions = SECTION.claim(
    "xavier-variance-conditions",
    title="Xavier initialization balances the forward and backward variances",
    statement=r"o_i = \sum_{j=1}^{n_\text{in}} w_{ij}x_j,\ \mathbb{E}[w_{ij}] = 0,\ "
    r"\operatorname{Var}[w_{ij}] = \sigma^2,\ \operatorname{Var}[x_j] = \gamma^2 \;\Rightarrow\; "
    r"\mathbb{E}[o_i] = 0,\ \operatorname{Var}[o_i] = n_\text{in}\sigma^2\gamma^2;\quad "
    r"\tfrac{1}{2}(n_\text{in} + n_\text{out})\sigma^2 = 1 \iff "
    r"\sigma^2 = \frac{2}{n_\text{in} + n_\text{out}}",
    kind=Kind.THEOREM,
    code=("xavier_uniform",),
    uses=("mlp.backprop-equations",),
    note="Addition. Weights and inputs are independent, zero-mean, and independent of each "
    r"other. Backward, $\partial L/\partial x_j = \sum_{i=1}^{n_\text{out}} w_{ij}\,g_i$ has "
    r"variance $n_\text{out}\sigma^2\operatorname{Var}[g_i]$ by the same computation. Both "
    r"are kept when $n_\text{in}\sigma^2 = 1 = n_\text{out}\sigma^2$, impossible unless "
    r"$n_\text{in} = n_\text{out}$; Xavier asks for the average of the two to be 1.",
)


@xavier_variance_conditions.symbolic_leg(scope="general $n_\\text{in}$ (and $n_\\text{out}$)")
def _() -> Derivation:
    n_in = sp.Symbol(r"n_\text{in}", integer=True, positive=True)
    n_out = sp.Symbol(r"n_\text{out}", integer=True, positive=True)
    sigma2, gamma2 = sp.symbols(r"\sigma^2 \gamma^2", positive=True)
    j, k = sp.symbols("j k", integer=True)
    mean = sp.Sum(0 * gamma2, (j, 1, n_in))  # E[w_j] E[x_j] = 0 termwise
    # E[o^2] = sum_j sum_k E[w_j w_k] E[x_j x_k]; independence and zero means leave j = k
    second = sp.Sum(
        sp.Sum(sigma2 * sp.KroneckerDelta(j, k) * gamma2 * sp.KroneckerDelta(j, k), (k, 1, n_in)),
        (j, 1, n_in),
    )
    variance = resolve_ranges(second.doit(), {j: (1, n_in), k: (1, n_in)}).doit()
    compromise = sp.solve(sp.Eq((n_in + n_out) * sigma2 / 2, 1), sigma2)
    return Derivation(
        steps=[
            Step(r"$\mathbb{E}[o_i] = \sum_j \mathbb{E}[w_{ij}]\mathbb{E}[x_j]$", mean.doit()),
            Step(
                r"$\mathbb{E}[o_i^2] = \sum_{j,k}\mathbb{E}[w_{ij}w_{ik}]\mathbb{E}[x_jx_k]$, "
                r"with $\mathbb{E}[w_{ij}w_{ik}] = \sigma^2[j = k]$, "
                r"$\mathbb{E}[x_jx_k] = \gamma^2[j = k]$",
                equation(second, variance),
            ),
            Step(
                r"Backward: the same sum over the $n_\text{out}$ outputs, through "
                r"$\partial L/\partial x_j = \sum_i w_{ij} g_i$",
                equation(sp.Symbol(r"\operatorname{Var}[\partial L/\partial x_j]"), n_out * sigma2),
                cites=("mlp.backprop-equations",),
            ),
            Step(r"Average the two conditions and solve for $\sigma^2$", sp.Tuple(*compromise)),
        ],
        residuals=[
            mean.doit(),
            variance - n_in * sigma2 * gamma2,
            sp.Tuple(*compromise) == sp.Tuple(2 / (n_in + n_out)),
        ],
        compared=[
            r"$\mathbb{E}[o_i]$",
            r"$\operatorname{Var}[o_i] - n_\text{in}\sigma^2\gamma^2$",
            r"the solution is $2/(n_\text{in} + n_\text{out})$",
        ],
    )


def _second_moment_fits(w: torch.Tensor, shape, gain: float) -> bool:
    r"""The mean of :math:`w^2` over the samples is within a Hoeffding bound (false alarm
    :data:`ALPHA`) of :math:`\text{gain}^2 \cdot 2/(n_\text{in} + n_\text{out})`; each
    :math:`w^2` lies in :math:`[0, a^2]`."""
    fan_in, fan_out = _fans(shape)
    a = _xavier_bound(shape, gain)
    second = w.detach().double().square().mean().item()
    return abs(second - gain**2 * 2 / (fan_in + fan_out)) <= hoeffding_halfwidth(a * a, w.numel())


@xavier_variance_conditions.numeric_leg(
    oracle="the second moment gain^2 * 2/(n_in + n_out) of the samples, within a Hoeffding "
    "bound (false alarm 1e-10 per check)",
    # the bound is an exact statement about the sampled values; in float16/bfloat16 rounding
    # the samples biases their moments by up to an ulp, which the bound does not cover (those
    # dtypes are compared with torch's sampler in mlp.xavier-uniform-bound)
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    for seed, (shape, gain) in enumerate(_SHAPES):
        g = torch.Generator(device).manual_seed(seed)
        w = impl.xavier_uniform(shape, gain, g, dtype=dtype, device=device)
        fan_in, fan_out = _fans(shape)
        assert _second_moment_fits(w, shape, gain), (
            f"{shape}, gain {gain}: mean w^2 = {w.double().square().mean().item():.6g}, "
            f"expected {gain**2 * 2 / (fan_in + fan_out):.6g}"
        )


@xavier_variance_conditions.property_leg(
    r"for layers $n_\text{out} \times n_\text{in}$ with $8 \le n \le 64$ and any seed, "
    r"the mean of $w^2$ over $\ge 2^{14}$ draws of `xavier_uniform` is within a Hoeffding "
    r"bound (false alarm $10^{-10}$) of $2/(n_\text{in} + n_\text{out})$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        n_in, n_out, seed = case
        g = torch.Generator().manual_seed(seed)
        draws = -(-(1 << 14) // (n_in * n_out))
        w = torch.stack([impl.xavier_uniform((n_out, n_in), 1.0, g) for _ in range(draws)])
        return _second_moment_fits(w, (n_out, n_in), 1.0)

    sizes = st.integers(8, 64)
    return ForAll(
        st.tuples(sizes, sizes, st.integers(0, 2**32 - 1)), holds, names=("n_in", "n_out", "seed")
    )


xavier_uniform_bound = SECTION.claim(
    "xavier-uniform-bound",
    title="The Xavier uniform bound",
    statement=r"w \sim U(-a, a) \Rightarrow \operatorname{Var}[w] = \frac{a^2}{3};\quad "
    r"a = \text{gain}\sqrt{\frac{6}{n_\text{in} + n_\text{out}}} \Rightarrow "
    r"\operatorname{Var}[w] = \text{gain}^2\,\frac{2}{n_\text{in} + n_\text{out}}",
    kind=Kind.THEOREM,
    code=("xavier_uniform",),
    uses=("mlp.xavier-variance-conditions",),
    note="Addition. Fans as torch computes them: for a weight of shape (out, in, *kernel), "
    r"$n_\text{in} = \text{in}\cdot\prod\text{kernel}$, $n_\text{out} = \text{out}\cdot"
    r"\prod\text{kernel}$.",
)


@xavier_uniform_bound.symbolic_leg(scope="every $a > 0$, general $n_\text{in}$, $n_\text{out}$")
def _() -> Derivation:
    a, gain = sp.symbols("a gain", positive=True)
    n_in = sp.Symbol(r"n_\text{in}", integer=True, positive=True)
    n_out = sp.Symbol(r"n_\text{out}", integer=True, positive=True)
    w = sp.Symbol("w", real=True)
    variance = sp.integrate(w**2 / (2 * a), (w, -a, a))  # the mean is 0 by symmetry
    bound = gain * sp.sqrt(6 / (n_in + n_out))
    return Derivation(
        steps=[
            Step(
                r"$\operatorname{Var}[w] = \int_{-a}^{a} w^2 \frac{dw}{2a}$",
                equation(sp.Symbol(r"\operatorname{Var}[w]"), variance),
            ),
            Step(
                "At the Xavier bound",
                equation(variance.subs(a, bound), sp.simplify(variance.subs(a, bound))),
                cites=("mlp.xavier-variance-conditions",),
            ),
        ],
        residuals=[
            variance - a**2 / 3,
            sp.simplify(variance.subs(a, bound) - gain**2 * 2 / (n_in + n_out)),
        ],
        compared=[r"$\operatorname{Var}[w] - a^2/3$", "the variance at the bound minus the target"],
    )


@xavier_uniform_bound.numeric_leg(
    oracle="torch.nn.init.xavier_uniform_ with the same generator state; the bound a rounded "
    "to the dtype; a Kolmogorov-Smirnov test against U(-a, a) (scipy.stats.kstest, false "
    "alarm 1e-10)"
)
def _(impl, device, dtype) -> None:
    for seed, (shape, gain) in enumerate(_SHAPES):
        got = impl.xavier_uniform(
            shape, gain, torch.Generator(device).manual_seed(seed), dtype=dtype, device=device
        )
        assert got.shape == shape and got.dtype == dtype and got.device.type == device[:4]
        # torch's sampler in float32 (float64 for float64), rounded to the dtype: torch's own
        # float16/bfloat16 sampler sends a value that rounds up to the bound to -bound instead
        want = torch.empty(shape, dtype=torch.promote_types(dtype, torch.float32), device=device)
        generator = torch.Generator(device).manual_seed(seed)
        torch.nn.init.xavier_uniform_(want, gain, generator=generator)
        assert_close(got, want.to(dtype), msg=f"vs torch.nn.init.xavier_uniform_, {shape}")
        a = _xavier_bound(shape, gain)
        rounded = torch.tensor(a, dtype=torch.float64).to(dtype).double().item()
        assert got.double().abs().max().item() <= rounded, f"{shape}: a value beyond a = {a}"
        if dtype in (torch.float64, torch.float32):
            assert _uniform_fits(got, a), f"{shape}: samples do not look like U(-a, a)"


@xavier_uniform_bound.property_leg(
    "for 2-D to 4-D shapes, gains in [0, 3] and any seed, `xavier_uniform` draws the values "
    "torch.nn.init.xavier_uniform_ draws from the same generator state, all within [-a, a] "
    "(float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        shape = tuple(draw(st.lists(st.integers(1, 6), min_size=2, max_size=4)))
        return shape, draw(st.floats(0.0, 3.0)), draw(st.integers(0, 2**32 - 1))

    def holds(case) -> bool:
        shape, gain, seed = case
        got = impl.xavier_uniform(
            shape, gain, torch.Generator().manual_seed(seed), dtype=torch.float64
        )
        want = torch.empty(shape, dtype=torch.float64)
        torch.nn.init.xavier_uniform_(want, gain, generator=torch.Generator().manual_seed(seed))
        return is_close(got, want) and bool(got.abs().max() <= _xavier_bound(shape, gain))

    return ForAll(cases(), holds, names=("shape", "gain", "seed"))


default_linear_init = SECTION.claim(
    "default-linear-init",
    title="What torch.nn.Linear draws by default",
    statement=r"\texttt{nn.Linear}(n_\text{in}, n_\text{out}):\ w, b \sim "
    r"U\Big(-\tfrac{1}{\sqrt{n_\text{in}}}, \tfrac{1}{\sqrt{n_\text{in}}}\Big),\qquad "
    r"n_\text{in}\operatorname{Var}[w] = \tfrac{1}{3}",
    source="5 Default Initialization",
    kind=Kind.THEOREM,
    uses=("mlp.xavier-uniform-bound",),
    note="The framework's default, which the notes mention without saying what it is: "
    r"Kaiming-uniform with $a = \sqrt{5}$, gain $\sqrt{2/(1 + a^2)} = 1/\sqrt{3}$ and bound "
    r"$\text{gain}\sqrt{3/n_\text{in}} = 1/\sqrt{n_\text{in}}$ (the bias uses the same "
    r"bound). The forward variance is multiplied by $n_\text{in}\operatorname{Var}[w] = 1/3$ "
    "per layer, not kept as Xavier keeps it. No reference function is involved: the legs "
    "check torch itself.",
)


@default_linear_init.symbolic_leg(scope="general $n_\text{in}$")
def _() -> Derivation:
    n_in = sp.Symbol(r"n_\text{in}", positive=True)
    a = sp.sqrt(5)
    gain = sp.sqrt(2 / (1 + a**2))
    bound = gain * sp.sqrt(3 / n_in)
    return Derivation(
        steps=[
            Step(
                r"Kaiming-uniform gain for leaky slope $a = \sqrt{5}$",
                equation(sp.Symbol("gain"), gain),
            ),
            Step(
                r"Its bound, $\text{gain}\sqrt{3/n_\text{in}}$", equation(sp.Symbol("bound"), bound)
            ),
            Step(
                r"Variance $a^2/3$ of $U(-a, a)$, times $n_\text{in}$",
                equation(n_in * bound**2 / 3, sp.simplify(n_in * bound**2 / 3)),
                cites=("mlp.xavier-uniform-bound",),
            ),
        ],
        residuals=[
            sp.simplify(bound - 1 / sp.sqrt(n_in)),
            sp.simplify(n_in * bound**2 / 3) - sp.Rational(1, 3),
        ],
        compared=[
            r"bound minus $1/\sqrt{n_\text{in}}$",
            r"$n_\text{in}\operatorname{Var}[w] - 1/3$",
        ],
    )


@default_linear_init.numeric_leg(
    oracle="the documented bound 1/sqrt(n_in) (rounded to the dtype); a Kolmogorov-Smirnov "
    "test of the weights against U(-1/sqrt(n_in), 1/sqrt(n_in)) (false alarm 1e-10)"
)
def _(impl, device, dtype) -> None:
    for seed, (n_in, n_out) in enumerate(((256, 512), (1000, 64), (3, 4096))):
        torch.manual_seed(seed)
        layer = torch.nn.Linear(n_in, n_out, dtype=dtype, device=device)
        bound = 1 / math.sqrt(n_in)
        rounded = torch.tensor(bound, dtype=torch.float64).to(dtype).double().item()
        for name, values in (("weight", layer.weight), ("bias", layer.bias)):
            assert values.double().abs().max().item() <= rounded, f"{name} beyond 1/sqrt({n_in})"
        if dtype in (torch.float64, torch.float32):
            assert _uniform_fits(layer.weight, bound), f"nn.Linear({n_in}, {n_out}).weight"


@default_linear_init.property_leg(
    r"for $1 \le n_\text{in}, n_\text{out} \le 64$ and any seed, every weight and bias of "
    r"`nn.Linear` lies in $[-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}}]$ (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        n_in, n_out, seed = case
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            layer = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
        bound = 1 / math.sqrt(n_in)
        return all(bool(p.abs().max() <= bound) for p in (layer.weight, layer.bias))

    sizes = st.integers(1, 64)
    return ForAll(
        st.tuples(sizes, sizes, st.integers(0, 2**32 - 1)), holds, names=("n_in", "n_out", "seed")
    )
