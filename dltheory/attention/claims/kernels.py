r"""§ 11 Attention Pooling by Similarity (1 of 2) — the notes' three kernels, and their names.

Main declarations:

* ``attention.gaussian-kernel`` — :math:`\exp(-\tfrac12\|\mathbf{q} - \mathbf{k}\|^2)` is the
  Gaussian kernel (scikit-learn's ``"gaussian"``, up to its constant);
* ``attention.boxcar-kernel`` — the boxcar :math:`[\|\mathbf{q} - \mathbf{k}\| \le 1]` is
  scikit-learn's ``"tophat"``; with the notation note ``attention.boxcar-otherwise-zero``
  (the notes give the value 1 and leave out the 0);
* erratum ``attention.epanechnikov-formula-is-triangular`` — the notes' "Epanechikov"
  :math:`\max(0, 1 - \|\mathbf{q} - \mathbf{k}\|)` is not the Epanechnikov kernel;
  ``attention.epanechnikov-kernel`` states it: :math:`\max(0, 1 - u^2)` is Epanechnikov's,
  the notes' formula is the triangular kernel (scikit-learn's ``"linear"``).

Kernels are compared through the Nadaraya–Watson weights they give, which are unchanged by a
constant factor: two kernels are "the same" here when their weights agree at every query.
"""

from __future__ import annotations

import numpy as np
import scipy.special
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.attention.claims._support import floats, sample
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("attention", "11 Attention Pooling by Similarity")

#: scikit-learn's name for each of our kernels
SKLEARN_NAME = {
    "gaussian": "gaussian",
    "boxcar": "tophat",
    "epanechnikov": "epanechnikov",
    "triangular": "linear",
}

u, u1, u2 = sp.symbols("u u_1 u_2", nonnegative=True)


def sklearn_weights(queries: np.ndarray, keys: np.ndarray, kernel: str, h) -> np.ndarray:
    """Nadaraya–Watson weights ``(n, m)`` from ``sklearn.neighbors.KernelDensity``: the log
    density of a KDE fitted to each key alone, normalized over the keys (NaN where every
    density is 0). ``kernel`` is scikit-learn's name; ``h`` a number or one width per
    coordinate (then the coordinates are rescaled and the bandwidth is 1)."""
    # imported here: scikit-learn takes about a second to import, and only these legs need it
    from sklearn.neighbors import KernelDensity

    h = np.asarray(h, dtype=np.float64)
    if h.ndim:
        queries, keys, h = queries / h, keys / h, np.float64(1.0)
    logs = np.stack(
        [
            KernelDensity(kernel=kernel, bandwidth=float(h)).fit(key[None]).score_samples(queries)
            for key in keys
        ],
        axis=1,
    )
    with np.errstate(invalid="ignore"):
        return scipy.special.softmax(logs, axis=1)


def _points(seed: int, dtype: torch.dtype, device: str, d: int, n: int = 4, m: int = 5):
    q = sample(n, d, seed=seed, dtype=dtype, device=device, scale=0.8)
    k = sample(m, d, seed=seed + 1, dtype=dtype, device=device, scale=0.8)
    return q, k


def _compare_with_sklearn(impl, kernel: str, device: str, dtype: torch.dtype, seed: int) -> None:
    for d, h in ((1, 1.0), (2, 0.7), (3, 1.3)):
        q, k = _points(seed + d, dtype, device, d)
        got = impl.nadaraya_watson_weights(q, k, kernel=kernel, bandwidth=h)
        assert got.dtype == dtype and got.shape == (4, 5)
        want = sklearn_weights(oracle_input(q), oracle_input(k), SKLEARN_NAME[kernel], h)
        defined = torch.from_numpy(np.isfinite(want).all(axis=1))
        assert torch.equal(torch.isfinite(got).all(-1).cpu(), defined), "undefined rows differ"
        assert_close(got.cpu()[defined], want[defined.numpy()], msg=f"{kernel}, d = {d}, h = {h}")


@st.composite
def line_cases(draw, *, min_keys: int = 1, inside: bool = False):
    r"""``(q, keys, h)`` on the line with every distance :math:`|q - k_i|/h` at least
    :math:`10^{-3}` away from 1 (the kernels' edge, where conventions differ: the notes include
    it, scikit-learn does not), built as :math:`k_i = q \pm h\,u_i`. ``inside`` keeps every
    :math:`u_i < 1`."""
    q = draw(floats(10.0))
    h = draw(st.floats(0.1, 10.0))
    near = st.floats(0.0, 0.999)
    u_s = near if inside else st.one_of(near, st.floats(1.001, 3.0))
    us = draw(st.lists(u_s, min_size=min_keys, max_size=5))
    signs = draw(st.lists(st.sampled_from((-1.0, 1.0)), min_size=len(us), max_size=len(us)))
    keys = [q + s * h * x for s, x in zip(signs, us, strict=True)]
    return (
        torch.tensor([[q]], dtype=torch.float64),
        torch.tensor(keys, dtype=torch.float64).unsqueeze(-1),
        h,
    )


def _agrees_with_sklearn(impl, kernel: str, sklearn_name: str):
    def holds(case) -> bool:
        q, keys, h = case
        got = impl.nadaraya_watson_weights(q, keys, kernel=kernel, bandwidth=h)
        want = sklearn_weights(q.numpy(), keys.numpy(), sklearn_name, h)
        if not np.isfinite(want).all():
            return bool(torch.isnan(got).all())
        return is_close(got, want)

    return holds


gaussian_kernel = SECTION.claim(
    "gaussian-kernel",
    title="The Gaussian kernel",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}) = \exp\left(-\tfrac{1}{2}\|\mathbf{q} - "
    r"\mathbf{k}\|^2\right)",
    kind=Kind.DEFINITION,
    code=("nadaraya_watson_weights",),
    note=r"The density of $\mathcal{N}(\mathbf{k}, I)$ without its factor $(2\pi)^{-d/2}$, "
    r"which cancels in the normalized weights. With a width $h$: "
    r"$\exp(-\|\mathbf{q} - \mathbf{k}\|^2 / 2h^2)$.",
    symbolic=NotApplicable("a definition, compared with scikit-learn's Gaussian kernel"),
)


@gaussian_kernel.numeric_leg(
    oracle="sklearn.neighbors.KernelDensity(kernel='gaussian'), one per key, normalized"
)
def _(impl, device, dtype) -> None:
    _compare_with_sklearn(impl, "gaussian", device, dtype, seed=30)
    # far from every key each exp(-u^2/2) underflows to 0 (u = 60); the weights stay defined
    q = torch.tensor([[60.0]], dtype=dtype, device=device)
    k = torch.tensor([[0.0], [0.5], [1.0]], dtype=dtype, device=device)
    got = impl.nadaraya_watson_weights(q, k, kernel="gaussian")
    want = sklearn_weights(oracle_input(q), oracle_input(k), "gaussian", 1.0)
    assert_close(got, want, msg="weights of a query far from every key")


@gaussian_kernel.property_leg(
    r"on the line, at distances up to $30$ bandwidths (where $e^{-u^2/2}$ underflows), the "
    r"weights equal scikit-learn's Gaussian kernel weights"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        q, keys, h = draw(line_cases())
        return q, q + (keys - q) * draw(st.floats(1.0, 10.0)), h  # spread the keys out

    return ForAll(
        cases(), _agrees_with_sklearn(impl, "gaussian", "gaussian"), names=("q", "K", "h")
    )


boxcar_kernel = SECTION.claim(
    "boxcar-kernel",
    title="The boxcar kernel",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}) = \begin{cases} 1 & \|\mathbf{q} - \mathbf{k}\| "
    r"\le 1 \\ 0 & \text{otherwise} \end{cases}",
    kind=Kind.DEFINITION,
    code=("nadaraya_watson_weights",),
    note=r"scikit-learn's `tophat` kernel, up to its constant; it leaves out the edge "
    r"$\|\mathbf{q} - \mathbf{k}\| = 1$, which the notes include (a set of measure zero). "
    r"Normalized, the weights are uniform over the keys within one width of the query.",
    symbolic=NotApplicable("a definition, compared with scikit-learn's tophat kernel"),
)


@boxcar_kernel.numeric_leg(
    oracle="sklearn.neighbors.KernelDensity(kernel='tophat'), one per key, normalized"
)
def _(impl, device, dtype) -> None:
    _compare_with_sklearn(impl, "boxcar", device, dtype, seed=40)
    # the notes' edge: a key at distance exactly 1 counts
    q = torch.tensor([[0.0]], dtype=dtype, device=device)
    k = torch.tensor([[1.0], [-1.0], [1.5]], dtype=dtype, device=device)
    got = impl.nadaraya_watson_weights(q, k, kernel="boxcar")
    assert got.tolist() == [[0.5, 0.5, 0.0]], f"keys at distance 1 must count: {got}"


@boxcar_kernel.property_leg(
    "on the line, away from the edge, the weights equal scikit-learn's tophat kernel weights "
    "(NaN where no key is within one width)"
)
def _(impl) -> ForAll:
    return ForAll(
        line_cases(), _agrees_with_sklearn(impl, "boxcar", "tophat"), names=("q", "K", "h")
    )


boxcar_otherwise_zero = SECTION.claim(
    "boxcar-otherwise-zero",
    title="The notes' boxcar kernel gives only its value inside",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}) = 1 \text{ if } \|\mathbf{q} - \mathbf{k}\| \le 1",
    kind=Kind.NOTATION,
    corrects="attention.boxcar-kernel",
    note=r"The formula leaves out the value outside the unit ball. Read it as "
    r"$\alpha(\mathbf{q}, \mathbf{k}) = 1$ if $\|\mathbf{q} - \mathbf{k}\| \le 1$ and $0$ "
    r"otherwise, attention.boxcar-kernel (an unspecified value would leave the estimator "
    r"undefined).",
)


epanechnikov_formula_is_triangular = SECTION.claim(
    "epanechnikov-formula-is-triangular",
    title="The notes' 'Epanechnikov' formula is not the Epanechnikov kernel",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}) = \max\left(0, 1 - \|\mathbf{q} - "
    r"\mathbf{k}\|\right) \quad \text{(Epanechikov)}",
    kind=Kind.ERRATUM,
    code=("nadaraya_watson_weights",),
    corrects="attention.epanechnikov-kernel",
    note=r"The Epanechnikov kernel (the name is also misspelt) is "
    r"$\tfrac34(1 - u^2)$ for $u = \|\mathbf{q} - \mathbf{k}\| \le 1$; the formula printed is "
    r"the triangular kernel $\max(0, 1 - u)$. No constant factor turns one into the other, so "
    r"their Nadaraya–Watson weights differ. The property leg takes the formula as printed "
    r"(our kernel `triangular`) for Epanechnikov's and compares with scikit-learn's "
    r"`epanechnikov`.",
    numeric=NotApplicable(
        "the property leg refutes the statement; both kernels are checked against "
        "scikit-learn in attention.epanechnikov-kernel"
    ),
)


@epanechnikov_formula_is_triangular.symbolic_leg(scope="disproved at $u_1 = 0$, $u_2 = 1/2$")
def _() -> Derivation:
    notes = 1 - u
    epanechnikov = sp.Rational(3, 4) * (1 - u**2)
    ratio = sp.cancel(notes / epanechnikov)
    return Derivation(
        steps=[
            Step(r"The notes' formula for $u = \|\mathbf{q} - \mathbf{k}\| \le 1$", notes),
            Step(r"The Epanechnikov kernel for $u \le 1$", epanechnikov),
            Step(
                r"Proportional kernels have a constant ratio; this one depends on $u$",
                equation(notes / epanechnikov, ratio),
            ),
        ],
        residuals=[ratio.subs(u, u1) - ratio.subs(u, u2)],
        witness={u1: 0, u2: sp.Rational(1, 2)},
        witness_symbols={
            "u_1": r"a distance $\|\mathbf{q} - \mathbf{k}\| \le 1$ at which the ratio of "
            r"$1 - u$ to $\frac34(1 - u^2)$ is taken",
            "u_2": r"a second such distance; proportional kernels would have the same ratio at "
            r"both",
        },
        compared=[r"the ratio at $u_1$ minus the ratio at $u_2$ (0 if proportional)"],
    )


@epanechnikov_formula_is_triangular.property_leg(
    r"on the line with every key within one width of the query, the weights of the printed "
    r"formula equal those of scikit-learn's Epanechnikov kernel"
)
def _(impl) -> ForAll:
    return ForAll(
        line_cases(min_keys=2, inside=True),
        _agrees_with_sklearn(impl, "triangular", "epanechnikov"),
        names=("q", "K", "h"),
    )


epanechnikov_kernel = SECTION.claim(
    "epanechnikov-kernel",
    title="The Epanechnikov and triangular kernels",
    statement=r"K_{\text{Epa}}(u) = \tfrac34 \max(0, 1 - u^2), \qquad K_{\text{tri}}(u) = "
    r"\max(0, 1 - u), \qquad u = \|\mathbf{q} - \mathbf{k}\|",
    kind=Kind.DEFINITION,
    code=("nadaraya_watson_weights",),
    note="The notes print the triangular kernel under the name Epanechnikov; the reference "
    'offers both, as `kernel="epanechnikov"` and `kernel="triangular"`. On the line each '
    "integrates to 1.",
)


@epanechnikov_kernel.symbolic_leg(scope="on the line ($d = 1$)")
def _() -> Derivation:
    t = sp.Symbol("t", real=True)
    epa = sp.integrate(sp.Rational(3, 4) * (1 - t**2), (t, -1, 1))
    tri = 2 * sp.integrate(1 - t, (t, 0, 1))
    epa_var = sp.integrate(t**2 * sp.Rational(3, 4) * (1 - t**2), (t, -1, 1))
    tri_var = 2 * sp.integrate(t**2 * (1 - t), (t, 0, 1))
    return Derivation(
        steps=[
            Step(r"$\int_{-1}^{1} \tfrac34(1 - t^2)\,dt$", equation(sp.Symbol("I_Epa"), epa)),
            Step(r"$\int_{-1}^{1} (1 - |t|)\,dt$", equation(sp.Symbol("I_tri"), tri)),
            Step(
                "Second moments: the kernels differ (1/5 against 1/6)",
                equation(sp.Symbol(r"\sigma^2_{Epa} - \sigma^2_{tri}"), epa_var - tri_var),
            ),
        ],
        residuals=[epa - 1, tri - 1, sp.Ne(epa_var, tri_var)],
        compared=[
            "the Epanechnikov kernel's integral minus 1",
            "the triangular kernel's integral minus 1",
            "the two second moments differ",
        ],
    )


@epanechnikov_kernel.numeric_leg(
    oracle="sklearn.neighbors.KernelDensity(kernel='epanechnikov' and 'linear'), one per key"
)
def _(impl, device, dtype) -> None:
    _compare_with_sklearn(impl, "epanechnikov", device, dtype, seed=50)
    _compare_with_sklearn(impl, "triangular", device, dtype, seed=60)


@epanechnikov_kernel.property_leg(
    "on the line, away from the edge, kernel `epanechnikov` gives scikit-learn's "
    "`epanechnikov` weights and kernel `triangular` its `linear` weights"
)
def _(impl) -> ForAll:
    epa = _agrees_with_sklearn(impl, "epanechnikov", "epanechnikov")
    tri = _agrees_with_sklearn(impl, "triangular", "linear")
    return ForAll(line_cases(), lambda case: epa(case) and tri(case), names=("q", "K", "h"))
