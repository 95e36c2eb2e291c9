"""Claim records of the entropy part of section 13.6 (assembled in :mod:`.claims`)."""

from __future__ import annotations

from dltheory.core.claim import Claim, Kind, NumericLeg, PropertyLeg, SymbolicLeg

_ID = "information"
_ENTROPY = "13.6 Entropy"
_PROPERTIES = "13.6 Properties of Entropy"

ENTROPY_CLAIMS = (
    Claim(
        id=f"{_ID}.entropy-expected-surprisal",
        title="Entropy is the expected surprisal",
        statement=r"H(X) = -\mathbb{E}_{x \sim P}[\log p(x)] = \mathbb{E}_{x \sim P}[s(x)],"
        r"\quad s(x) = -\log p(x)",
        source=_ENTROPY,
        kind=Kind.DEFINITION,
        code=("entropy",),
        note="The surprisal -log p(x) of an outcome is large for rare outcomes and 0 for a sure "
        "one; entropy averages it under P. Outcomes of probability 0 never occur and carry no "
        "weight in the average.",
        symbolic=SymbolicLeg(
            scope="sympy.stats expectations for k = 2, 3, 4 outcomes (symbolic pmf), and for the "
            "Gaussian and the uniform with symbolic parameters",
            general=False,
        ),
        numeric=NumericLeg(
            oracle="torch.distributions.Categorical.entropy; the mean surprisal at 50 digits "
            "(mpmath)"
        ),
        property=PropertyLeg(
            "entropy(p) equals the p-weighted mean of -log p(x) over the outcomes that occur, "
            "summed with math.fsum, for batches of distributions with exact zeros and entries "
            "down to 1e-300",
            r"H(P) = \textstyle\sum_{i:\,p_i > 0} p_i\,(-\log p_i)",
        ),
    ),
    Claim(
        id=f"{_ID}.entropy-discrete-form",
        title="Entropy of a discrete distribution",
        statement=r"H(X) = -\sum_i p_i \log p_i,\qquad 0 \log 0 = 0",
        source=_ENTROPY,
        kind=Kind.DEFINITION,
        code=("entropy",),
        note="The notes' p_i = P(X_i) means P(X = x_i), the probability of the i-th outcome. The "
        "convention 0 log 0 = 0 is the continuous extension of u log u at 0. The base of the "
        "logarithm sets the unit (e: nats, 2: bits); changing it divides by log b.",
        symbolic=SymbolicLeg(
            scope="general n: the limit at 0, the change of base, log n for the uniform"
        ),
        numeric=NumericLeg(
            oracle="scipy.special.entr (bases e, 2, 10, 1/2; every dim); scipy.stats.entropy "
            "(float64, float32); mpmath at 50 digits on extreme rows"
        ),
        property=PropertyLeg(
            "entropy(p, base=b) equals scipy.stats.entropy(p, base=b) for batches of "
            "distributions and bases e, 2, 10 and floats in (0.05, 0.95) and (1.05, 100)",
        ),
    ),
    Claim(
        id=f"{_ID}.differential-entropy-definition",
        title="Differential entropy, and its closed forms for the uniform and the Gaussian",
        statement=r"H(X) = -\int p(x) \log p(x)\,dx;\quad h(U[a, b]) = \log(b - a),\quad "
        r"h(\mathcal{N}(\mu, \sigma^2)) = \tfrac12 \log(2\pi e \sigma^2)",
        source=_ENTROPY,
        kind=Kind.DEFINITION,
        code=("uniform_differential_entropy", "gaussian_differential_entropy"),
        note="The notes define differential entropy; the two closed forms are the ones the "
        "chapter's continuous claims and counterexamples use. A Gaussian with diagonal "
        "covariance has the sum of the coordinates' entropies.",
        symbolic=SymbolicLeg(scope="symbolic a, w, mu, sigma (integration; sympy.stats moments)"),
        numeric=NumericLeg(
            oracle="torch.distributions Uniform/Normal/Independent entropy; the integral "
            "-int p log p by mpmath.quad"
        ),
        property=PropertyLeg(
            "the closed forms equal torch.distributions' entropies for intervals of width 1e-3 "
            "to 100 and scales 1e-3 to 1e3, also for diagonal Gaussians",
        ),
    ),
    Claim(
        id=f"{_ID}.entropy-nonnegative-discrete",
        title="Discrete entropy is nonnegative",
        statement=r"H(X) \ge 0 \text{ for every discrete } X",
        source=_PROPERTIES,
        kind=Kind.THEOREM,
        code=("entropy",),
        symbolic=SymbolicLeg(scope="general n: every term -p log p >= 0 for 0 < p <= 1"),
        numeric=NumericLeg(oracle="scipy.special.entr, on rows with zeros and tiny entries"),
        property=PropertyLeg(
            "entropy(p) >= 0 exactly (no tolerance), in nats and in bits",
            r"H(P) \ge 0",
        ),
    ),
    Claim(
        id=f"{_ID}.differential-entropy-can-be-negative",
        title="Differential entropy can be negative",
        statement=r"h(U[0, \tfrac12]) = \log\tfrac12 = -\log 2 < 0",
        source=_PROPERTIES,
        kind=Kind.THEOREM,
        code=("uniform_differential_entropy", "gaussian_differential_entropy"),
        note="The notes' parenthesis, made concrete: any uniform on an interval shorter than 1, or "
        "a Gaussian with sigma < 1/sqrt(2 pi e), has negative differential entropy.",
        symbolic=SymbolicLeg(scope="exact value at width 1/2, and log w < 0 for every width w < 1"),
        numeric=NumericLeg(oracle="torch.distributions.Uniform(0, 1/2) and Normal(0, 0.1) entropy"),
        property=PropertyLeg(
            "Hypothesis searches for a width w in (0.01, 4) with h(U[0, w]) < 0, by the reference "
            "and by torch.distributions",
        ),
    ),
    Claim(
        id=f"{_ID}.gibbs-inequality",
        title="Gibbs' inequality: entropy is at most the cross-entropy",
        statement=r"H(X) = -\mathbb{E}_{x \sim P}[\log p(x)] \le -\mathbb{E}_{x \sim P}[\log q(x)]",
        source=_PROPERTIES,
        kind=Kind.THEOREM,
        code=("entropy", "cross_entropy"),
        note="The difference of the two sides is the KL divergence, so this is KL >= 0 "
        "(information.kl-nonnegative). It holds for densities too. If q = 0 where p > 0 the right "
        "side is +infinity.",
        symbolic=SymbolicLeg(scope="general n: CE - H = KL, and the proof of KL >= 0"),
        numeric=NumericLeg(oracle="scipy.special.xlogy and entr sums"),
        property=PropertyLeg(
            "entropy(p) <= cross_entropy(p, q) for pairs with exact zeros and tiny entries "
            "(+inf where q = 0 < p)",
            r"H(P) \le \mathrm{CE}(P, Q)",
        ),
    ),
    Claim(
        id=f"{_ID}.gibbs-equality-iff-equal",
        title="Equality in Gibbs' inequality exactly when Q = P",
        statement=r"-\mathbb{E}_{P}[\log p] = -\mathbb{E}_{P}[\log q] \iff P = Q",
        source=_PROPERTIES,
        kind=Kind.THEOREM,
        code=("entropy", "cross_entropy"),
        note="For densities, P = Q means equal almost everywhere. 'Only if' is checked "
        "quantitatively with Pinsker's inequality, CE - H = KL >= |p - q|_1^2 / 2, which is "
        "positive for every q != p.",
        symbolic=SymbolicLeg(scope="general n: g(x) = x - 1 - log x vanishes only at x = 1"),
        numeric=NumericLeg(oracle="scipy.special.entr; Pinsker's bound computed with NumPy"),
        property=PropertyLeg(
            "cross_entropy(p, p) = entropy(p), and cross_entropy(p, q) - entropy(p) >= "
            "|p - q|_1^2 / 2 for every pair",
            r"\mathrm{CE}(P, Q) - H(P) \ge \tfrac12 \|p - q\|_1^2",
        ),
    ),
    Claim(
        id=f"{_ID}.entropy-bounds-code-length",
        title="Entropy in bits bounds the expected length of a prefix code",
        statement=r"\sum_i p_i \ell_i \ge H_2(X) = -\sum_i p_i \log_2 p_i \quad "
        r"\text{for any prefix code with lengths } \ell_i",
        source=_PROPERTIES,
        kind=Kind.THEOREM,
        code=("entropy",),
        note="The notes' 'lower bound of the average number of bits needed to encode symbols "
        "drawn from P', read as the source-coding bound for prefix (uniquely decodable) codes, "
        "with H in bits. The bound is tight to within one bit: a Huffman code has expected "
        "length below H_2 + 1.",
        symbolic=SymbolicLeg(
            scope="general n: L - H_2 = KL(p || 2^-l / Z) - log2 Z with Kraft's Z <= 1"
        ),
        numeric=NumericLeg(oracle="Huffman codes built with heapq; scipy.special.entr / ln 2"),
        property=PropertyLeg(
            "lengths l_i = ceil(-log2 p_i) + extra (Kraft sum <= 1) have expected length >= "
            "entropy(p, base=2); a Huffman code's expected length lies in [H_2, H_2 + 1]",
        ),
    ),
    Claim(
        id=f"{_ID}.entropy-at-most-log-k",
        title="Entropy is at most log k",
        statement=r"H(X) \le \log k \quad \text{for } P = (p_1, \dots, p_k)",
        source=_PROPERTIES,
        kind=Kind.THEOREM,
        code=("entropy",),
        symbolic=SymbolicLeg(scope="general k: log k - H = KL(p || uniform) >= 0"),
        numeric=NumericLeg(oracle="log k (math); the bound for the rounded input"),
        property=PropertyLeg(
            "entropy(p) <= log k and entropy(p, base=2) <= log2 k for batches of distributions",
        ),
    ),
    Claim(
        id=f"{_ID}.entropy-max-iff-uniform",
        title="Only the uniform distribution reaches log k",
        statement=r"H(X) = \log k \iff p_i = \tfrac1k\ \forall i",
        source=_PROPERTIES,
        kind=Kind.THEOREM,
        code=("entropy",),
        note="'Only if' is checked quantitatively: log k - H(p) = KL(p || u) >= |p - u|_1^2 / 2.",
        symbolic=SymbolicLeg(
            scope="general k: the Lagrange stationary point is 1/k, entropy is strictly concave, "
            "and equality in KL(p || u) >= 0 needs p = u"
        ),
        numeric=NumericLeg(oracle="log k (math) for k up to 1000; Pinsker's bound (NumPy)"),
        property=PropertyLeg(
            "entropy(uniform_k) = log k, and log k - entropy(p) >= |p - u|_1^2 / 2",
            r"\log k - H(P) \ge \tfrac12 \|p - u\|_1^2",
        ),
    ),
    Claim(
        id=f"{_ID}.uniform-maximizes-differential-entropy",
        title="On an interval, the uniform distribution has the largest differential entropy",
        statement=r"\operatorname{supp} P \subseteq [a, b] \implies "
        r"h(P) \le \log(b - a) = h(U[a, b]),"
        r"\ \text{with equality iff } P = U[a, b]",
        source=_PROPERTIES,
        kind=Kind.THEOREM,
        code=("uniform_differential_entropy",),
        note="The notes add 'with all values between 0 and 1'. The restriction is not needed: on "
        "any finite interval [a, b] the maximum is log(b - a), attained only by the uniform. "
        "For [0, 1] the maximum is 0.",
        symbolic=SymbolicLeg(
            scope="a general density f on [a, a + w]: log w - h(f) = KL(f || u) >= 0, with the "
            "pointwise lemma"
        ),
        numeric=NumericLeg(
            oracle="h(a + (b - a) B) for B ~ Beta(alpha, beta), by mpmath.quad, on three intervals"
        ),
        property=PropertyLeg(
            "h(a + w B) = h(B) + log w for B ~ Beta(alpha, beta) (torch.distributions) is <= "
            "uniform_differential_entropy(a, a + w), for alpha, beta in [0.2, 5]",
        ),
    ),
)
