r"""§ 11 Attention Pooling by Similarity (2 of 2) — the Nadaraya–Watson estimator.

Main declarations:

* ``attention.nadaraya-watson-estimator`` — :math:`f(\mathbf{q}) = \sum_i \mathbf{v}_i\,
  \alpha(\mathbf{q}, \mathbf{k}_i) / \sum_j \alpha(\mathbf{q}, \mathbf{k}_j)`, with one width or
  one width per coordinate;
* ``attention.nw-weights-convex-combination`` — the normalized weights are a convex
  combination; with one-hot labels as values the estimate is a probability vector;
* erratum ``attention.nw-denominator-always-positive`` — "all of them lead to" the estimator:
  not where every kernel value is 0; ``attention.nw-defined-iff-key-within-bandwidth`` says
  where it is defined (the Gaussian everywhere, the compact kernels within one width of a key);
* ``attention.nw-lipschitz-bias`` — the noise-free half of the consistency remark: for an
  :math:`L`-Lipschitz target and a compact kernel of width :math:`h`,
  :math:`|f(\mathbf{q}) - g(\mathbf{q})| \le Lh`.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.spatial.distance
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.attention.claims._support import arrays, floats, sample
from dltheory.attention.claims.kernels import SKLEARN_NAME, sklearn_weights
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input, randint
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("attention", "11 Attention Pooling by Similarity")

KERNELS = tuple(SKLEARN_NAME)
COMPACT = ("boxcar", "epanechnikov", "triangular")

m = sp.Symbol("m", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True)
K = sp.IndexedBase("K", nonnegative=True)  # kernel values alpha(q, k_i)
w = sp.IndexedBase("w", nonnegative=True)
y = sp.IndexedBase("y", real=True)
u = sp.Symbol("u", nonnegative=True)


@st.composite
def nw_cases(draw, *, kernels=KERNELS, inside: bool = False):
    r"""``(kernel, q, K, V, h)``: one query in :math:`\mathbb{R}^d` (:math:`d \le 3`), keys
    built as :math:`\mathbf{k}_i = \mathbf{q} + \mathbf{h} \odot u_i \mathbf{e}_i` for unit
    vectors :math:`\mathbf{e}_i`, so the scaled distance is :math:`u_i`, kept at least
    :math:`10^{-3}` from 1 (the kernels' edge, where the notes and scikit-learn differ); a
    width per coordinate or one for all; scalar or vector values. ``inside`` puts the first
    key within one width."""
    kernel = draw(st.sampled_from(kernels))
    d, mm = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    q = draw(arrays((d,), 10.0))
    h = draw(
        st.one_of(st.floats(0.1, 10.0), arrays((d,), 10.0).map(lambda a: a.abs().clamp(min=0.1)))
    )
    near, far = st.floats(0.0, 0.999), st.floats(1.001, 4.0)
    us = [draw(near if (inside and r == 0) else st.one_of(near, far)) for r in range(mm)]
    keys = []
    for r in range(mm):
        e = draw(arrays((d,), 1.0))
        e = e / e.norm() if e.norm() > 0.1 else torch.eye(d, dtype=torch.float64)[r % d]
        keys.append(q + h * us[r] * e)
    vshape = (mm,) if draw(st.booleans()) else (mm, draw(st.integers(1, 3)))
    return kernel, q.unsqueeze(0), torch.stack(keys), draw(arrays(vshape, 1e3)), h


def _oracle(q: np.ndarray, k: np.ndarray, vals: np.ndarray, kernel: str, h) -> np.ndarray:
    width = oracle_input(h) if isinstance(h, torch.Tensor) else h
    weights = sklearn_weights(q, k, SKLEARN_NAME[kernel], width)
    return weights @ vals


nadaraya_watson_estimator = SECTION.claim(
    "nadaraya-watson-estimator",
    title="The Nadaraya–Watson estimator",
    statement=r"f(\mathbf{q}) = \sum_{i} \mathbf{v}_{i} \frac{\alpha(\mathbf{q}, "
    r"\mathbf{k}_{i})}{\sum_{j} \alpha(\mathbf{q}, \mathbf{k}_{j})}",
    kind=Kind.DEFINITION,
    code=("nadaraya_watson",),
    note=r"Regression takes scalar values $v_i = y_i$ and keys $\mathbf{k}_i = \mathbf{x}_i$; "
    r"classification one-hot labels. The notes' remark that the width can be tuned globally or "
    r"per coordinate is the argument `bandwidth`: a number $h$, or a vector $\mathbf{h}$ that "
    r"divides the coordinates of $\mathbf{q} - \mathbf{k}$ before the kernel is applied.",
    symbolic=NotApplicable("a definition; its consequences are derived below"),
)


@nadaraya_watson_estimator.numeric_leg(
    oracle="scikit-learn KernelDensity weights (one fit per key) times the values, numpy "
    "float64; gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    q = sample(4, 2, seed=70, dtype=dtype, device=device)
    k = sample(6, 2, seed=71, dtype=dtype, device=device)
    vals = sample(6, 3, seed=72, dtype=dtype, device=device, scale=5.0)
    per_coordinate = torch.tensor([0.8, 2.5], dtype=dtype, device=device)
    for kernel in KERNELS:
        for h in (1.7, per_coordinate):
            width = oracle_input(h) if isinstance(h, torch.Tensor) else h
            weights = sklearn_weights(oracle_input(q), oracle_input(k), SKLEARN_NAME[kernel], width)
            defined = np.isfinite(weights).all(axis=1)
            assert defined.any(), "the sample leaves every query undefined"
            for v in (vals, vals[:, 0].contiguous()):
                got = impl.nadaraya_watson(q, k, v, kernel=kernel, bandwidth=h)
                assert got.dtype == dtype and got.shape == (4, *v.shape[1:])
                finite = torch.isfinite(got).reshape(4, -1).all(-1).cpu()
                assert torch.equal(finite, torch.from_numpy(defined)), f"{kernel}: undefined set"
                want = weights[defined] @ oracle_input(v)
                assert_close(got.cpu()[defined], want, msg=f"{kernel}, h = {h}")
    batched = impl.nadaraya_watson(q.expand(3, 4, 2), k, vals, kernel="gaussian")
    assert batched.shape == (3, 4, 3)
    assert_close(batched[1], impl.nadaraya_watson(q, k, vals, kernel="gaussian"), dtype=dtype)
    if dtype == torch.float64:
        # widths large enough that every query is defined (NaN rows have no derivative)
        args = [
            x.clone().requires_grad_() for x in (q[:2], k[:4], vals[:4, :2], 4 * per_coordinate)
        ]
        for kernel in KERNELS:

            def f(a, b, c, h, kernel=kernel):
                return impl.nadaraya_watson(a, b, c, kernel=kernel, bandwidth=h)

            assert torch.autograd.gradcheck(f, args, fast_mode=True), kernel
            assert torch.autograd.gradgradcheck(f, args, fast_mode=True), kernel


@nadaraya_watson_estimator.property_leg(
    r"for each kernel, one or per-coordinate widths, scalar or vector values, the estimate "
    r"equals scikit-learn's kernel weights times the values (NaN where undefined)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        kernel, q, k, vals, h = case
        got = impl.nadaraya_watson(q, k, vals, kernel=kernel, bandwidth=h)
        want = _oracle(q.numpy(), k.numpy(), vals.numpy(), kernel, h)
        if not np.isfinite(want).all():
            return bool(torch.isnan(got).all())
        return is_close(got, want)

    return ForAll(nw_cases(), holds, names=("kernel", "q", "K", "V", "h"))


nw_weights_convex_combination = SECTION.claim(
    "nw-weights-convex-combination",
    title="Nadaraya–Watson weights are a convex combination",
    statement=r"w_i = \frac{\alpha(\mathbf{q}, \mathbf{k}_i)}{\sum_j \alpha(\mathbf{q}, "
    r"\mathbf{k}_j)} \ge 0,\quad \sum_i w_i = 1; \qquad \mathbf{v}_i = "
    r"\operatorname{onehot}(y_i) \Rightarrow f(\mathbf{q})_c = \sum_{i : y_i = c} w_i",
    kind=Kind.THEOREM,
    code=("nadaraya_watson_weights", "nadaraya_watson"),
    note=r"Wherever the estimator is defined ($\sum_j \alpha(\mathbf{q}, \mathbf{k}_j) > 0$). "
    r"So the estimate lies in the convex hull of the values, and for classification it is a "
    r"probability vector: the weight of the keys of each class.",
)


@nw_weights_convex_combination.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    total = sp.Sum(K[i] / sp.Sum(K[j], (j, 1, m)), (i, 1, m))
    pulled = sp.Sum(K[i], (i, 1, m)) / sp.Sum(K[j], (j, 1, m))
    renamed = sp.Sum(K[i], (i, 1, m)).change_index(i, i, j) / sp.Sum(K[j], (j, 1, m))
    return Derivation(
        steps=[
            Step(r"Sum of the normalized weights, kernel values $K_i \ge 0$", total),
            Step("The denominator does not depend on $i$", equation(total, pulled)),
            Step(r"Rename $i \to j$: the quotient is 1 (where $\sum_j K_j > 0$)", renamed),
            Step(
                r"Each weight is a nonnegative number over a positive one",
                (K[i] / sp.Sum(K[j], (j, 1, m))).is_nonnegative,
            ),
        ],
        residuals=[total - pulled, renamed - 1],
        compared=["the sum before and after taking out the denominator", "the quotient minus 1"],
    )


@nw_weights_convex_combination.numeric_leg(
    oracle="scikit-learn kernel weights summed by class with numpy.bincount"
)
def _(impl, device, dtype) -> None:
    q = sample(5, 2, seed=80, dtype=dtype, device=device, scale=0.6)
    k = sample(9, 2, seed=81, dtype=dtype, device=device, scale=0.6)
    labels = randint(3, 9, seed=82)
    onehot = torch.nn.functional.one_hot(labels, 3).to(dtype).to(device)
    for kernel in KERNELS:
        weights = impl.nadaraya_watson_weights(q, k, kernel=kernel, bandwidth=1.2)
        defined = torch.isfinite(weights).all(-1)
        assert defined.any() and (weights[defined] >= 0).all(), kernel
        total = weights[defined].double().sum(-1)
        assert_close(total, torch.ones_like(total), dtype=dtype, msg=f"{kernel}: sum of weights")
        probs = impl.nadaraya_watson(q, k, onehot, kernel=kernel, bandwidth=1.2)
        ref = sklearn_weights(oracle_input(q), oracle_input(k), SKLEARN_NAME[kernel], 1.2)
        by_class = np.stack([np.bincount(labels.numpy(), row, minlength=3) for row in ref])
        ok = defined.cpu().numpy()
        assert_close(probs.cpu()[ok], by_class[ok], msg=f"{kernel}: class probabilities")


@nw_weights_convex_combination.property_leg(
    r"wherever defined, the weights are nonnegative and sum to 1, and with one-hot values the "
    r"estimate is nonnegative and sums to 1"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        kernel, q, k, _, h = case
        weights = impl.nadaraya_watson_weights(q, k, kernel=kernel, bandwidth=h)
        labels = torch.arange(k.shape[0]) % 3
        onehot = torch.nn.functional.one_hot(labels, 3).to(k.dtype)
        probs = impl.nadaraya_watson(q, k, onehot, kernel=kernel, bandwidth=h)
        if not torch.isfinite(weights).all():
            return bool(torch.isnan(weights).all() and torch.isnan(probs).all())
        ones = torch.ones(1, dtype=k.dtype)
        return (
            bool((weights >= 0).all() and (probs >= 0).all())
            and is_close(weights.sum(-1), ones)
            and is_close(probs.sum(-1), ones)
        )

    return ForAll(nw_cases(), holds, names=("kernel", "q", "K", "V", "h"))


nw_denominator_always_positive = SECTION.claim(
    "nw-denominator-always-positive",
    title="The estimator is defined for every kernel and query (as the notes imply)",
    statement=r"\text{for each of the three kernels: } \sum_{j} \alpha(\mathbf{q}, \mathbf{k}_{j}) "
    r"> 0 \text{ for every } \mathbf{q}, \text{ so } f(\mathbf{q}) = \sum_i \mathbf{v}_i "
    r"\frac{\alpha(\mathbf{q}, \mathbf{k}_i)}{\sum_j \alpha(\mathbf{q}, \mathbf{k}_j)} "
    r"\text{ is defined}",
    kind=Kind.ERRATUM,
    code=("nadaraya_watson",),
    corrects="attention.nw-defined-iff-key-within-bandwidth",
    note=r"The notes: 'all of them lead to the following equation'. The boxcar and "
    r"Epanechnikov kernels vanish beyond one width, so a query with no key that close gets "
    r"$0/0$. The condition left out: some key within one width of $\mathbf{q}$.",
    numeric=NotApplicable(
        "the property leg refutes it; where the estimator is defined is checked numerically in "
        "attention.nw-defined-iff-key-within-bandwidth"
    ),
)


@nw_denominator_always_positive.symbolic_leg(scope="disproved for the boxcar at $u = 2$")
def _() -> Derivation:
    boxcar = sp.Piecewise((1, u <= 1), (0, True))
    return Derivation(
        steps=[
            Step(r"The boxcar kernel of a single key at distance $u$", boxcar),
            Step(r"The notes' claim: the denominator is positive", boxcar > 0),
        ],
        residuals=[boxcar > 0],
        witness={u: 2},
        witness_symbols={
            "u": r"the distance $\|\mathbf{q} - \mathbf{k}\|$ from the query to the only "
            r"key, under the boxcar kernel of width 1"
        },
        compared=["the denominator is positive"],
    )


@nw_denominator_always_positive.property_leg(
    "for each of the notes' kernels and every query, the estimate is defined (finite)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):  # the formulas as printed, one query on the line, width 1
        kernel = draw(st.sampled_from(("gaussian", "boxcar", "triangular")))
        keys = draw(st.lists(floats(10.0), min_size=1, max_size=3))
        return kernel, draw(floats(10.0)), keys

    def holds(case) -> bool:
        kernel, q, keys = case
        k = torch.tensor(keys, dtype=torch.float64).unsqueeze(-1)
        query = torch.tensor([[q]], dtype=torch.float64)
        return bool(torch.isfinite(impl.nadaraya_watson(query, k, k[:, 0], kernel=kernel)).all())

    return ForAll(cases(), holds, names=("kernel", "q", "keys"))


nw_defined_iff_key_within_bandwidth = SECTION.claim(
    "nw-defined-iff-key-within-bandwidth",
    title="Where the Nadaraya–Watson estimator is defined",
    statement=r"\sum_j \alpha(\mathbf{q}, \mathbf{k}_j) > 0 \iff \begin{cases} \text{always} & "
    r"\text{Gaussian} \\ \exists j: u_j \le 1 & \text{boxcar} \\ \exists j: u_j < 1 & "
    r"\text{Epanechnikov, triangular} \end{cases} \qquad u_j = \|(\mathbf{q} - \mathbf{k}_j)/"
    r"\mathbf{h}\|",
    kind=Kind.THEOREM,
    code=("nadaraya_watson",),
    note="The reference returns NaN exactly where the estimator is undefined, and a finite "
    "estimate everywhere else, including Gaussian queries so far from every key that each "
    r"$\exp(-u^2/2)$ underflows to 0 (the weights are computed as a softmax of $-u^2/2$).",
)


@nw_defined_iff_key_within_bandwidth.symbolic_leg(scope="each kernel, any number of keys")
def _() -> Derivation:
    positive = sp.Interval(0, sp.oo)
    epa = sp.solveset(1 - u**2 > 0, u, positive)
    tri = sp.solveset(1 - u > 0, u, positive)
    return Derivation(
        steps=[
            Step("A sum of nonnegative kernel values is positive iff one of them is", sp.true),
            Step(r"Gaussian: $e^{-u^2/2} > 0$ for every $u$", sp.exp(-(u**2) / 2) > 0),
            Step(r"Epanechnikov: $1 - u^2 > 0$ for $u \in$", equation(sp.Symbol("S_Epa"), epa)),
            Step(r"Triangular: $1 - u > 0$ for $u \in$", equation(sp.Symbol("S_tri"), tri)),
        ],
        residuals=[
            sp.exp(-(u**2) / 2).is_positive,
            sp.Eq(epa, sp.Interval.Ropen(0, 1)),
            sp.Eq(tri, sp.Interval.Ropen(0, 1)),
        ],
        compared=[
            "the Gaussian kernel is positive",
            r"the Epanechnikov kernel is positive exactly on $[0, 1)$",
            r"the triangular kernel is positive exactly on $[0, 1)$",
        ],
    )


@nw_defined_iff_key_within_bandwidth.numeric_leg(
    oracle="distances by scipy.spatial.distance.cdist (float64); the estimate's finiteness"
)
def _(impl, device, dtype) -> None:
    k = torch.tensor([[-2.0, 0.0], [0.0, 0.0], [2.0, 1.0]], dtype=dtype, device=device)
    vals = torch.tensor([1.0, -2.0, 4.0], dtype=dtype, device=device)
    # queries on a line; none at distance exactly 1 from a key (exact in every dtype)
    q = torch.stack([torch.linspace(-5, 5, 41), torch.full((41,), 0.375)], -1)
    q = q.to(dtype).to(device)
    dist = scipy.spatial.distance.cdist(oracle_input(q), oracle_input(k)) / 1.25
    for kernel in KERNELS:
        got = impl.nadaraya_watson(q, k, vals, kernel=kernel, bandwidth=1.25)
        defined = torch.from_numpy(
            (dist < 1).any(axis=1) if kernel in COMPACT else dist[:, 0] < math.inf
        )
        assert torch.equal(torch.isfinite(got).cpu(), defined), f"{kernel}: wrong undefined set"
        assert torch.isnan(got[~defined.to(got.device)]).all(), f"{kernel}: undefined is not NaN"
    # Gaussian weights far from the keys: every exp(-u^2/2) is 0 in float64 (u > 38.6)
    far = torch.tensor([[80.0, 0.0]], dtype=dtype, device=device)
    got = impl.nadaraya_watson(far, k, vals, kernel="gaussian")
    want = _oracle(oracle_input(far), oracle_input(k), oracle_input(vals), "gaussian", 1.0)
    assert_close(got, want, msg="Gaussian estimate far from every key")


@nw_defined_iff_key_within_bandwidth.property_leg(
    "the estimate is finite exactly when some key lies within one width of the query (for "
    "the Gaussian: always), and NaN otherwise"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        kernel, q, k, vals, h = case
        out = impl.nadaraya_watson(q, k, vals, kernel=kernel, bandwidth=h)
        u_ = ((q - k) / h).norm(dim=-1)
        expected = kernel == "gaussian" or bool((u_ < 1).any())
        return bool(torch.isfinite(out).all()) == expected and bool(
            torch.isfinite(out).all() or torch.isnan(out).all()
        )

    return ForAll(nw_cases(), holds, names=("kernel", "q", "K", "V", "h"))


nw_lipschitz_bias = SECTION.claim(
    "nw-lipschitz-bias",
    title="Noise-free error of Nadaraya–Watson with a compact kernel",
    statement=r"|g(\mathbf{x}) - g(\mathbf{x}')| \le L\|\mathbf{x} - \mathbf{x}'\|,\ v_i = "
    r"g(\mathbf{k}_i) \Rightarrow |f(\mathbf{q}) - g(\mathbf{q})| \le L h",
    kind=Kind.THEOREM,
    code=("nadaraya_watson",),
    uses=("attention.nw-weights-convex-combination",),
    note=r"For the boxcar, Epanechnikov and triangular kernels of width $h$, wherever "
    r"$f(\mathbf{q})$ is defined. This is the deterministic half of the notes' remark that a "
    r"kernel narrowed as data grows gives a consistent estimator: the bias vanishes as "
    r"$h \to 0$. The other half (the noise averages out when the number of keys within one "
    r"width grows) is a statement in probability the legs do not check.",
)


@nw_lipschitz_bias.symbolic_leg(scope="general $m$: the error as an average of differences")
def _() -> Derivation:
    g = sp.Symbol(r"g(\mathbf{q})", real=True)
    estimate = sp.Sum(w[i] * y[i], (i, 1, m))
    error = sp.Sum(w[i] * (y[i] - g), (i, 1, m))
    split = sp.Sum(w[i] * y[i], (i, 1, m)) - g * sp.Sum(w[i], (i, 1, m))
    constrained = split.subs(sp.Sum(w[i], (i, 1, m)), 1)
    return Derivation(
        steps=[
            Step(
                r"The weights are nonnegative and sum to 1",
                sp.Eq(sp.Sum(w[i], (i, 1, m)), 1),
                cites=("attention.nw-weights-convex-combination",),
            ),
            Step(r"Split the average of the differences", equation(error, split)),
            Step(
                r"with $\sum_i w_i = 1$ it is the error $f(\mathbf{q}) - g(\mathbf{q})$",
                equation(error, constrained),
            ),
            Step(
                r"Only keys with $\|\mathbf{k}_i - \mathbf{q}\| \le h$ have $w_i > 0$, and for "
                r"them $|g(\mathbf{k}_i) - g(\mathbf{q})| \le L h$; an average of numbers in "
                r"$[-Lh, Lh]$ lies in it",
                sp.Le(sp.Abs(error), sp.Symbol("L") * sp.Symbol("h")),
            ),
        ],
        residuals=[error - split, constrained - (estimate - g)],
        compared=[
            "the average of the differences minus its split form",
            r"the split form at $\sum_i w_i = 1$ minus $f(\mathbf{q}) - g(\mathbf{q})$",
        ],
    )


@nw_lipschitz_bias.numeric_leg(oracle=r"the bound $L h$ for $g(x) = \sin 3x$ ($L = 3$)")
def _(impl, device, dtype) -> None:
    keys = torch.linspace(-3, 3, 121, dtype=torch.float64).unsqueeze(-1)
    queries = torch.linspace(-2.9, 2.9, 57, dtype=torch.float64).unsqueeze(-1)
    k, q = keys.to(dtype).to(device), queries.to(dtype).to(device)
    values = torch.sin(3 * k.double()).to(dtype).squeeze(-1)
    target = torch.sin(3 * q.double()).squeeze(-1)
    for kernel in COMPACT:
        for h in (0.5, 0.2, 0.06):
            got = impl.nadaraya_watson(q, k, values, kernel=kernel, bandwidth=h)
            error = (got.double() - target).abs().max().item()
            # the bound holds for the rounded inputs; rounding the result adds one rounding
            slack = torch.finfo(dtype).eps * 2
            assert error <= 3 * h + slack, f"{kernel}, h = {h}: error {error} > L h = {3 * h}"


@nw_lipschitz_bias.property_leg(
    r"for $g(x) = a \sin(bx + c)$ ($L = |ab|$) on the line and a query with a key within one "
    r"width, $|f(q) - g(q)| \le L h$"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        a, b, c = draw(floats(5.0)), draw(floats(5.0)), draw(floats(3.0))
        q, h = draw(floats(10.0)), draw(st.floats(0.01, 10.0))
        offsets = draw(st.lists(floats(4.0), max_size=6))
        first = draw(st.floats(-0.999, 0.999))  # one key within one width of the query
        keys = torch.tensor([q + h * x for x in (first, *offsets)], dtype=torch.float64)
        kernel = draw(st.sampled_from(COMPACT))
        return kernel, (a, b, c), torch.tensor([[q]], dtype=torch.float64), keys[:, None], h

    def holds(case) -> bool:
        kernel, (a, b, c), q, k, h = case
        values = a * torch.sin(b * k.squeeze(-1) + c)
        got = impl.nadaraya_watson(q, k, values, kernel=kernel, bandwidth=h)
        error = (got - a * torch.sin(b * q.squeeze(-1) + c)).abs()
        bound = torch.tensor([abs(a * b) * h], dtype=torch.float64)
        return bool(torch.isfinite(got).all()) and (
            bool((error <= bound).all()) or is_close(error, bound)
        )

    return ForAll(cases(), holds, names=("kernel", "(a, b, c)", "q", "K", "h"))
