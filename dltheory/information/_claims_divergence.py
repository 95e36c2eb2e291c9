"""Claim records of the KL-divergence and cross-entropy parts of section 13.6 (assembled in
:mod:`.claims`)."""

from __future__ import annotations

from dltheory.core.claim import Claim, Kind, NotApplicable, NumericLeg, PropertyLeg, SymbolicLeg

_ID = "information"
_KL = "13.6 Kullback-Leibler Divergence"
_KL_PROPERTIES = "13.6 KL Divergence Properties"
_CE = "13.6 Cross-Entropy"
_CE_PROPERTIES = "13.6 Properties of Cross-Entropy"

KL_CLAIMS = (
    Claim(
        id=f"{_ID}.kl-definition",
        title="Kullback-Leibler divergence",
        statement=r"D_{\mathrm{KL}}(P \| Q) = "
        r"\mathbb{E}_{x \sim P}\left[\log \frac{p(x)}{q(x)}\right]"
        r" = \sum_{x:\, p(x) > 0} p(x) \log \frac{p(x)}{q(x)}",
        source=_KL,
        kind=Kind.DEFINITION,
        code=("kl_divergence",),
        note="Outcomes with p(x) = 0 contribute 0, whatever q says about them.",
        symbolic=SymbolicLeg(
            scope="sympy.stats expectations for k = 2, 3, 4 outcomes (symbolic pmfs)", general=False
        ),
        numeric=NumericLeg(
            oracle="scipy.special.rel_entr (every dim; bits); mpmath at 50 digits; "
            "scipy.stats.entropy(p, q) and torch.distributions.kl_divergence of Categoricals "
            "(float64, float32, ordinary rows)"
        ),
        property=PropertyLeg(
            "kl_divergence(p, q, base=b) equals scipy.stats.entropy(p, q, base=b), including "
            "+inf where q = 0 < p",
        ),
    ),
    Claim(
        id=f"{_ID}.kl-gaussian-closed-form",
        title="KL divergence between Gaussians",
        statement=r"D_{\mathrm{KL}}(\mathcal{N}(\mu_p, \sigma_p^2) \,\|\, "
        r"\mathcal{N}(\mu_q, \sigma_q^2))"
        r" = \log\frac{\sigma_q}{\sigma_p} + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2\sigma_q^2}"
        r" - \frac12",
        source=_KL,
        kind=Kind.IDENTITY,
        code=("gaussian_kl_divergence",),
        note="The notes define KL for densities as well; this is the closed form the continuous "
        "case needs most. With diagonal covariances the divergence is the sum over coordinates.",
        symbolic=SymbolicLeg(scope="symbolic mu_p, sigma_p, mu_q, sigma_q (sympy.stats moments)"),
        numeric=NumericLeg(
            oracle="torch.distributions.kl_divergence (Normal; Independent Normal); the integral "
            "by mpmath.quad"
        ),
        property=PropertyLeg(
            "gaussian_kl_divergence equals torch.distributions.kl_divergence for means in "
            "[-10, 10] and scales in [0.05, 20], univariate and diagonal",
        ),
    ),
    Claim(
        id=f"{_ID}.kl-asymmetric",
        title="KL divergence is not symmetric",
        statement=r"\exists\, P, Q:\ D_{\mathrm{KL}}(P \| Q) \ne D_{\mathrm{KL}}(Q \| P)",
        source=_KL_PROPERTIES,
        kind=Kind.THEOREM,
        code=("kl_divergence",),
        note="A witness with both divergences finite: P = (1/2, 1/2), Q = (1/4, 3/4). With "
        "P = (1, 0), Q = (1/2, 1/2) one order is log 2 and the other +infinity.",
        symbolic=SymbolicLeg(scope="the exact witness P = (1/2, 1/2), Q = (1/4, 3/4)"),
        numeric=NumericLeg(oracle="scipy.special.rel_entr at the witness"),
        property=PropertyLeg(
            "Hypothesis searches Bernoulli pairs for finite divergences that differ by more than "
            "1e-3 (reference and scipy.stats.entropy)",
        ),
    ),
    Claim(
        id=f"{_ID}.kl-nonnegative",
        title="KL divergence is nonnegative",
        statement=r"D_{\mathrm{KL}}(P \| Q) \ge 0",
        source=_KL_PROPERTIES,
        kind=Kind.THEOREM,
        code=("kl_divergence",),
        note="The notes' proof stops at D >= -log E_P[q/p] and concludes D >= 0. The missing "
        "step: E_P[q/p] = sum of q over the support of p, which is <= 1 (= 1 only when q puts no "
        "mass outside the support of p), so -log E_P[q/p] >= 0. The symbolic leg gives a "
        "complete proof via log x <= x - 1 and checks the notes' route with this step added. In "
        "floating point a sum for q close to p can land a few ulps below 0; the checks allow "
        "exactly the dtype's absolute tolerance.",
        symbolic=SymbolicLeg(
            scope="general n: termwise log x <= x - 1 (a lemma proved by monotonicity and "
            "SymPy's global minimum), the mass outside the support, q = 0 < p; and the notes' "
            "Jensen route with E_P[q/p] <= 1"
        ),
        numeric=NumericLeg(oracle="scipy.special.rel_entr, including q = p up to 1e-9"),
        property=PropertyLeg(
            "kl_divergence(p, q) >= -1e-7, and the notes' chain with its missing step: "
            "E_P[q/p] = sum_{p > 0} q <= 1 and kl_divergence(p, q) >= -log E_P[q/p]",
            r"D \ge -\log \mathbb{E}_P[q/p] \ge 0",
        ),
    ),
    Claim(
        id=f"{_ID}.kl-zero-iff-equal",
        title="KL divergence is zero exactly when Q = P",
        statement=r"D_{\mathrm{KL}}(P \| Q) = 0 \iff P = Q",
        source=_KL_PROPERTIES,
        kind=Kind.THEOREM,
        code=("kl_divergence",),
        note="The notes say 'the equality holds only when P = Q'; P = Q also gives equality. "
        "'Only if' is checked quantitatively with Pinsker's inequality KL >= |p - q|_1^2 / 2.",
        symbolic=SymbolicLeg(scope="general n: g(x) = x - 1 - log x vanishes only at x = 1"),
        numeric=NumericLeg(oracle="exact 0 at q = p in every dtype; Pinsker's bound (NumPy)"),
        property=PropertyLeg(
            "kl_divergence(p, p) == 0 exactly, and kl_divergence(p, q) >= |p - q|_1^2 / 2",
            r"D_{\mathrm{KL}}(P \| Q) \ge \tfrac12 \|p - q\|_1^2",
        ),
    ),
    Claim(
        id=f"{_ID}.kl-infinite-outside-support",
        title="For discrete distributions, KL is infinite exactly when q = 0 < p somewhere",
        statement=r"D_{\mathrm{KL}}(P \| Q) = +\infty \iff \exists x:\ p(x) > 0 = q(x)"
        r"\quad (P, Q \text{ discrete})",
        source=_KL_PROPERTIES,
        kind=Kind.THEOREM,
        code=("kl_divergence", "cross_entropy"),
        note="For densities the condition must hold on a set of positive P-probability: "
        "D = +infinity if P(q = 0) > 0 (information.kl-infinite-pointwise-density). The reference "
        "returns +inf, never NaN; so does the cross-entropy.",
        symbolic=SymbolicLeg(
            scope="general: the term tends to +oo as q -> 0, every other term is >= p - q"
        ),
        numeric=NumericLeg(oracle="scipy.special.rel_entr (+inf positions), in every dtype"),
        property=PropertyLeg(
            "kl_divergence(p, q) and cross_entropy(p, q) are +inf exactly when some p > 0 = q, "
            "and never NaN",
        ),
    ),
    Claim(
        id=f"{_ID}.kl-infinite-pointwise-density",
        title="A single point with q = 0 < p does not make the KL of densities infinite",
        statement=r"\exists\, x:\ p(x) > 0,\ q(x) = 0 \implies D_{\mathrm{KL}}(P \| Q) = \infty",
        source=_KL_PROPERTIES,
        kind=Kind.ERRATUM,
        corrects=f"{_ID}.kl-infinite-outside-support",
        note="The notes define KL for p.d.f.s and p.m.f.s alike. For densities a single point "
        "has probability 0: P = U[0, 1] and Q with density q(x) = 2x on [0, 1] have p(0) = 1 > "
        "0 = q(0), yet D(P || Q) = 1 - log 2 (in general a - log(1 + a) for q(x) = (a + 1) x^a). "
        "Densities are only defined up to sets of measure zero, so a pointwise condition cannot "
        "decide the divergence; the correct condition is P(q = 0) > 0. For p.m.f.s the "
        "statement is right.",
        symbolic=SymbolicLeg(scope="P = U[0, 1], q(x) = (a + 1) x^a; witness a = 1"),
        numeric=NotApplicable(
            "the reference functions are discrete; the counterexample is a density"
        ),
        property=PropertyLeg(
            "P = U[0, 1] and Q = Beta(a + 1, 1), whose density (a + 1) x^a vanishes at 0 where "
            "p(0) = 1: the statement predicts KL(P || Q) = oo; torch.distributions.kl_divergence "
            "computes it",
        ),
    ),
)

MI_KL_CLAIMS = (
    Claim(
        id=f"{_ID}.mutual-information-kl-joint-product",
        title="Mutual information is the KL divergence of the joint from the product of marginals",
        statement=r"I(X, Y) = D_{\mathrm{KL}}(P(X, Y) \| P(X)P(Y))",
        source=_KL_PROPERTIES,
        kind=Kind.IDENTITY,
        code=("mutual_information", "kl_divergence"),
        symbolic=SymbolicLeg(scope="general n, m: equals H(X) + H(Y) - H(X, Y)"),
        numeric=NumericLeg(oracle="scipy.special.rel_entr(P, p_X p_Y)"),
        property=PropertyLeg(
            "mutual_information(table) = kl_divergence(table, outer(p_X, p_Y)) over the flattened "
            "pairs (tables whose product of marginals underflows in float64 are excluded)",
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-expected-kl-given-y",
        title="Mutual information is the expected KL of P(X | y) from P(X)",
        statement=r"I(X, Y) = \mathbb{E}_Y\{D_{\mathrm{KL}}(P(X \mid Y) \| P(X))\}",
        source=_KL_PROPERTIES,
        kind=Kind.IDENTITY,
        code=("mutual_information", "kl_divergence"),
        symbolic=SymbolicLeg(scope="general n, m"),
        numeric=NumericLeg(oracle="p_Y-weighted scipy.special.rel_entr of the conditional columns"),
        property=PropertyLeg(
            "mutual_information(table) = sum_y p_Y(y) kl_divergence(p(. | y), p_X)",
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-expected-kl-given-x",
        title="Mutual information is the expected KL of P(Y | x) from P(Y)",
        statement=r"I(X, Y) = \mathbb{E}_X\{D_{\mathrm{KL}}(P(Y \mid X) \| P(Y))\}",
        source=_KL_PROPERTIES,
        kind=Kind.IDENTITY,
        code=("mutual_information", "kl_divergence"),
        symbolic=SymbolicLeg(scope="general n, m"),
        numeric=NumericLeg(oracle="p_X-weighted scipy.special.rel_entr of the conditional rows"),
        property=PropertyLeg(
            "mutual_information(table) = sum_x p_X(x) kl_divergence(p(. | x), p_Y)",
        ),
    ),
)

CE_CLAIMS = (
    Claim(
        id=f"{_ID}.cross-entropy-definition",
        title="Cross-entropy of two distributions",
        statement=r"\mathrm{CE}(P, Q) = -\mathbb{E}_{x \sim P}[\log q(x)] = -\sum_x p(x) \log q(x)",
        source=_CE,
        kind=Kind.DEFINITION,
        code=("cross_entropy",),
        note="Outcomes with p(x) = 0 contribute 0; q(x) = 0 < p(x) makes it +infinity. The notes "
        "call cross-entropy a way to 'measure the divergence' between Q and P; it is not a "
        "divergence itself (CE(P, P) = H(P), not 0): its excess over H(P) is the KL divergence "
        "(information.cross-entropy-decomposition).",
        symbolic=SymbolicLeg(
            scope="sympy.stats expectations for k = 2, 3, 4 outcomes (symbolic pmfs)", general=False
        ),
        numeric=NumericLeg(oracle="-sum scipy.special.xlogy(p, q) (bits too); mpmath at 50 digits"),
        property=PropertyLeg(
            "cross_entropy(p, q, base=b) equals -sum scipy.special.xlogy(p, q) / log b",
        ),
    ),
    Claim(
        id=f"{_ID}.cross-entropy-decomposition",
        title="Cross-entropy is entropy plus KL divergence",
        statement=r"\mathrm{CE}(P, Q) = H(P) + D_{\mathrm{KL}}(P \| Q)",
        source=_CE,
        kind=Kind.IDENTITY,
        code=("cross_entropy", "entropy", "kl_divergence"),
        note="Both sides are +infinity when q = 0 < p somewhere. For densities the same identity "
        "holds with differential entropy, whenever h(P) is finite.",
        symbolic=SymbolicLeg(scope="general n"),
        numeric=NumericLeg(oracle="scipy.special.entr + rel_entr sums"),
        property=PropertyLeg(
            "cross_entropy(p, q) = entropy(p) + kl_divergence(p, q), including +inf cases",
        ),
    ),
    Claim(
        id=f"{_ID}.cross-entropy-minimizers-coincide",
        title="Maximizing E_P[log q], minimizing CE and minimizing KL are the same problem",
        statement=r"\arg\max_Q \mathbb{E}_{x \sim P}[\log q(x)] = \arg\min_Q \mathrm{CE}(P, Q) = "
        r"\arg\min_Q D_{\mathrm{KL}}(P \| Q) = P",
        source=_CE_PROPERTIES,
        kind=Kind.THEOREM,
        code=("cross_entropy", "kl_divergence"),
        note="The three objectives differ by a sign and the constant H(P), so over any family of "
        "candidates Q they rank candidates identically; over all distributions the optimum is "
        "Q = P. The notes call E_P[log q] the 'predictive probability'; it is the expected "
        "log-probability. The expected probability E_P[q] itself is maximized by putting all "
        "mass on the most likely outcome, not by Q = P.",
        symbolic=SymbolicLeg(
            scope="general n: d(CE - KL)/dq = 0; Lagrange stationarity gives q = p; "
            "strict concavity"
        ),
        numeric=NumericLeg(
            oracle="-E_P[log q] by scipy.special.xlogy; argmin over a simplex grid containing p "
            "(1/40 steps; 1/10 in float16 and bfloat16, which cannot resolve neighbours 1/40 apart)"
        ),
        property=PropertyLeg(
            "for p and two candidates q1, q2: cross_entropy, kl_divergence and -E_P[log q] "
            "(scipy) rank q1, q2 the same way (near-ties excluded), and q = p is at least as good",
        ),
    ),
)
