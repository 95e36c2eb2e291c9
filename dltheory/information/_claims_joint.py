"""Claim records of joint and conditional entropy, mutual information and PMI in section 13.6
(assembled in :mod:`.claims`)."""

from __future__ import annotations

from dltheory.core.claim import Claim, Kind, NotApplicable, NumericLeg, PropertyLeg, SymbolicLeg

_ID = "information"
_JOINT = "13.6 Joint Entropy"
_CONDITIONAL = "13.6 Conditional Entropy"
_MI = "13.6 Mutual Information"
_MI_PROPERTIES = "13.6 Properties of Mutual Information"
_PMI = "13.6 Pointwise Mutual Information"
_NO_REFERENCE = "the statement as written has no reference implementation to compare"

JOINT_CLAIMS = (
    Claim(
        id=f"{_ID}.joint-entropy-definition",
        title="Joint entropy",
        statement=r"H(X, Y) = -\mathbb{E}_{(x,y) \sim P}[\log p_{X,Y}(x, y)] = "
        r"-\sum_x \sum_y p_{X,Y}(x, y) \log p_{X,Y}(x, y)",
        source=_JOINT,
        kind=Kind.DEFINITION,
        code=("joint_entropy",),
        symbolic=NotApplicable(
            "a definition: the entropy of the pair as one variable; its identities are proved "
            "in the claims below"
        ),
        numeric=NumericLeg(
            oracle="scipy.special.entr over both dimensions (batched; bits); scipy.stats.entropy "
            "of the flattened table (float64, float32)"
        ),
        property=PropertyLeg(
            "joint_entropy(table) equals scipy.stats.entropy of the flattened table, for batches "
            "of 1x1 to 4x4 tables with zeros and tiny entries",
        ),
    ),
    Claim(
        id=f"{_ID}.joint-entropy-identical-variables",
        title="A variable paired with itself carries no extra information",
        statement=r"X = Y \implies H(X, Y) = H(X) = H(Y)",
        source=_JOINT,
        kind=Kind.THEOREM,
        code=("joint_entropy", "entropy"),
        note="For discrete X: the joint table is diagonal. For a continuous X the pair (X, X) has "
        "no joint density (it lives on the diagonal), so the differential joint entropy is not "
        "defined; as a limit of correlated Gaussians it tends to -infinity.",
        symbolic=SymbolicLeg(scope="general n: the diagonal table p_i delta_ij"),
        numeric=NumericLeg(oracle="scipy.special.entr of the diagonal"),
        property=PropertyLeg(
            "joint_entropy(diag(p)) = entropy(p) = scipy.stats.entropy(p)",
        ),
    ),
    Claim(
        id=f"{_ID}.joint-entropy-independent-variables",
        title="Joint entropy of independent variables is additive",
        statement=r"X \perp Y \implies H(X, Y) = H(X) + H(Y)",
        source=_JOINT,
        kind=Kind.THEOREM,
        code=("joint_entropy", "entropy"),
        note="Holds for differential entropies as well (the joint density factorizes).",
        symbolic=SymbolicLeg(scope="general n, m: the table a_i b_j"),
        numeric=NumericLeg(oracle="scipy.special.entr of the factors; of the rounded table"),
        property=PropertyLeg(
            "joint_entropy(outer(a, b)) = entropy(a) + entropy(b), for factors with zeros and "
            "entries down to 1e-300",
        ),
    ),
    Claim(
        id=f"{_ID}.joint-entropy-bounds",
        title="For discrete variables, the joint entropy lies between the larger entropy and "
        "the sum",
        statement=r"\max(H(X), H(Y)) \le H(X, Y) \le H(X) + H(Y) \quad (X, Y \text{ discrete})",
        source=_JOINT,
        kind=Kind.THEOREM,
        code=("joint_entropy", "entropy"),
        note="The upper bound (subadditivity) holds for differential entropies too, since it is "
        "I(X, Y) >= 0. The lower bound needs discrete variables: H(X, Y) - H(X) = H(Y | X), and "
        "a differential conditional entropy can be negative (information.joint-entropy-lower-"
        "bound-continuous).",
        symbolic=SymbolicLeg(
            scope="general n, m: H(X, Y) - H(X) = H(Y | X) with every term >= 0, and "
            "H(X) + H(Y) - H(X, Y) = KL(P_XY || P_X P_Y) >= 0"
        ),
        numeric=NumericLeg(oracle="scipy.special.entr of the table and of its marginals"),
        property=PropertyLeg(
            "max(entropy(p_X), entropy(p_Y)) <= joint_entropy(table) <= entropy(p_X) + "
            "entropy(p_Y) for tables with zeros and tiny entries",
        ),
    ),
    Claim(
        id=f"{_ID}.joint-entropy-lower-bound-continuous",
        title="The lower bound H(X), H(Y) <= H(X, Y) fails for differential entropy",
        statement=r"H(X), H(Y) \le H(X, Y)",
        source=_JOINT,
        kind=Kind.ERRATUM,
        corrects=f"{_ID}.joint-entropy-bounds",
        note="The notes state the bounds right after defining the differential joint entropy, "
        "without restricting them to discrete variables. For X ~ U[0, 1] and an independent "
        "Y ~ U[0, 1/2], h(X) = 0 but h(X, Y) = log(1/2) < 0. Only the upper bound "
        "H(X, Y) <= H(X) + H(Y) survives for continuous variables.",
        symbolic=SymbolicLeg(scope="X, Y independent uniform on [0, w]; witness w = 1/2"),
        numeric=NotApplicable(_NO_REFERENCE + " (the counterexample uses the closed forms)"),
        property=PropertyLeg(
            "for X ~ U[0, w1] and an independent Y ~ U[0, w2] (widths from {1, 2, 1/2, 1/4, 4}), "
            "h(X) <= h(X, Y), with h(X, Y) from torch.distributions",
            r"h(X) \le h(X, Y)",
        ),
    ),
    Claim(
        id=f"{_ID}.conditional-entropy-definition",
        title="Conditional entropy",
        statement=r"H(Y \mid X) = -\mathbb{E}_{(x,y) \sim P}[\log p(y \mid x)] = "
        r"-\sum_x \sum_y p(x, y) \log p(y \mid x),\quad p(y \mid x) = \frac{p_{X,Y}(x, y)}{p_X(x)}",
        source=_CONDITIONAL,
        kind=Kind.DEFINITION,
        code=("conditional_entropy",),
        note="Equivalently the p_X-weighted average of the entropies of the conditional "
        "distributions p(. | x), which is how the oracle computes it.",
        symbolic=SymbolicLeg(scope="general n, m: equals sum_x p_X(x) H(Y | X = x)"),
        numeric=NumericLeg(oracle="p_X-weighted scipy.stats.entropy of the conditional rows"),
        property=PropertyLeg(
            "conditional_entropy(table, given) equals the weighted average of "
            "scipy.stats.entropy of the rows (given='x') or columns (given='y')",
        ),
    ),
    Claim(
        id=f"{_ID}.conditional-entropy-chain-rule",
        title="Chain rule: conditional entropy is joint minus marginal entropy",
        statement=r"H(Y \mid X) = H(X, Y) - H(X)",
        source=_CONDITIONAL,
        kind=Kind.IDENTITY,
        code=("conditional_entropy", "joint_entropy", "entropy"),
        note="The reference computes H(Y | X) from its definition, not as this difference, so "
        "the property compares two different computations.",
        symbolic=SymbolicLeg(scope="general n, m (both H(Y | X) and H(X | Y))"),
        numeric=NumericLeg(oracle="scipy.special.entr of the table and its marginals"),
        property=PropertyLeg(
            "conditional_entropy(table, given='x') = joint_entropy(table) - entropy(p_X), and "
            "likewise given 'y', for batches of tables",
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-entropy-form",
        title="Mutual information from joint and conditional entropies",
        statement=r"I(X, Y) = H(X, Y) - H(Y \mid X) - H(X \mid Y)",
        source=_MI,
        kind=Kind.IDENTITY,
        code=("mutual_information", "joint_entropy", "conditional_entropy"),
        note="Correct as written: by the chain rule the right side is H(X) + H(Y) - H(X, Y).",
        symbolic=SymbolicLeg(scope="general n, m"),
        numeric=NumericLeg(oracle="scipy.special.entr of the table and its marginals"),
        property=PropertyLeg(
            "mutual_information(table) = joint_entropy - conditional_entropy(given='x') - "
            "conditional_entropy(given='y'), for batches of tables",
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-definition",
        title="Mutual information as a double sum",
        statement=r"I(X, Y) = \sum_x \sum_y p_{X,Y}(x, y) \log \frac{p_{X,Y}(x, y)}{p_X(x)\,p_Y(y)}"
        r" = \mathbb{E}_{(x,y) \sim P_{X,Y}}\left[\log \frac{p_{X,Y}(x, y)}{p_X(x)\,p_Y(y)}\right]",
        source=_MI,
        kind=Kind.DEFINITION,
        code=("mutual_information",),
        note="The corrected reading of the notes' 'E_x E_y' formula: the sums run over x and y "
        "with weight p(x, y) once (an expectation under the joint distribution of the log-ratio "
        "alone); for densities, integrals over x and y.",
        symbolic=NotApplicable(
            "a definition; its identities are proved in mutual-information-entropy-form and the "
            "KL forms"
        ),
        numeric=NumericLeg(oracle="scipy.special.rel_entr(P, p_X p_Y); mpmath at 50 digits"),
        property=PropertyLeg(
            "mutual_information(table) equals the double sum computed with math.log of each "
            "factor (no product that could underflow)",
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-marginal-expectation",
        title="The notes' 'E_x E_y' formula weights each pair twice",
        statement=r"I(X, Y) = \mathbb{E}_x \mathbb{E}_y \left\{ p_{X,Y}(x, y) \log "
        r"\frac{p_{X,Y}(x, y)}{p_X(x)\,p_Y(y)} \right\}",
        source=_MI,
        kind=Kind.ERRATUM,
        corrects=f"{_ID}.mutual-information-definition",
        note="Read literally, E_x E_y takes x ~ p_X and y ~ p_Y and gives "
        "sum_x sum_y p_X(x) p_Y(y) p(x, y) log(...), which is not I(X, Y): for the table "
        "[[1/2, 0], [0, 1/2]] it is (1/4) log 2 instead of log 2. Reading it as one expectation "
        "under the joint distribution is also wrong (the weight p(x, y) appears twice, giving "
        "(1/2) log 2). The formula is right only if E_x E_y stands for plain sums (or integrals) "
        "over x and y.",
        symbolic=SymbolicLeg(scope="2 x 2 tables; witness [[3/8, 1/8], [1/8, 3/8]], both readings"),
        numeric=NotApplicable(_NO_REFERENCE),
        property=PropertyLeg(
            "sum_x sum_y p_X(x) p_Y(y) p(x, y) pmi(x, y) equals mutual_information(table)",
            r"\mathbb{E}_{x \sim p_X} \mathbb{E}_{y \sim p_Y}\{p\,\mathrm{pmi}\} = I(X, Y)",
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-symmetric",
        title="Mutual information is symmetric",
        statement=r"I(X, Y) = I(Y, X)",
        source=_MI_PROPERTIES,
        kind=Kind.THEOREM,
        code=("mutual_information",),
        symbolic=SymbolicLeg(scope="general n, m: reorder the finite double sum"),
        numeric=NumericLeg(oracle="scipy.special.rel_entr of the transposed table"),
        property=PropertyLeg("mutual_information(table) = mutual_information(table transposed)"),
    ),
    Claim(
        id=f"{_ID}.mutual-information-nonnegative",
        title="Mutual information is nonnegative",
        statement=r"I(X, Y) \ge 0",
        source=_MI_PROPERTIES,
        kind=Kind.THEOREM,
        code=("mutual_information",),
        note="Holds for discrete and continuous variables: I(X, Y) = KL(P_XY || P_X P_Y). In "
        "floating point the sum for (nearly) independent variables can land a few ulps below 0; "
        "the checks allow exactly the float64 absolute tolerance.",
        symbolic=SymbolicLeg(scope="general n, m: the proof of KL >= 0 with pairs as outcomes"),
        numeric=NumericLeg(oracle="scipy.special.rel_entr; the bound for the rounded input"),
        property=PropertyLeg(
            "mutual_information(table) >= -1e-7 (float64 atol) for batches of tables"
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-zero-iff-independent",
        title="Mutual information is zero exactly for independent variables",
        statement=r"I(X, Y) = 0 \iff p_{X,Y} = p_X\,p_Y",
        source=_MI_PROPERTIES,
        kind=Kind.THEOREM,
        code=("mutual_information",),
        note="'Only if' is checked quantitatively with Pinsker's inequality: "
        "I >= |P_XY - P_X P_Y|_1^2 / 2, positive for any dependence.",
        symbolic=SymbolicLeg(scope="general n, m: log 1 = 0, and the equality case of the lemma"),
        numeric=NumericLeg(oracle="scipy.special.rel_entr; Pinsker's bound (NumPy)"),
        property=PropertyLeg(
            "mutual_information(outer(a, b)) = 0, and mutual_information(table) >= "
            "|table - p_X p_Y|_1^2 / 2",
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-invertible-function",
        title="For discrete variables, an invertible function shares all the information",
        statement=r"X = f(Y),\ f \text{ invertible},\ X, Y \text{ discrete} \implies "
        r"I(X, Y) = H(X) = H(Y)",
        source=_MI_PROPERTIES,
        kind=Kind.THEOREM,
        code=("mutual_information", "conditional_entropy", "entropy"),
        symbolic=SymbolicLeg(scope="general n: the permuted diagonal table, H(X | Y) = 0"),
        numeric=NumericLeg(oracle="scipy.special.entr of p"),
        property=PropertyLeg(
            "for diag(p) with permuted columns: mutual_information = entropy(p_X) = "
            "entropy(p_Y) = scipy.stats.entropy(p), and conditional_entropy = 0",
        ),
    ),
    Claim(
        id=f"{_ID}.mutual-information-invertible-continuous",
        title="For continuous variables, an invertible function changes the differential entropy",
        statement=r"X \text{ an invertible function of } Y \implies I(X, Y) = H(Y) = H(X)",
        source=_MI_PROPERTIES,
        kind=Kind.ERRATUM,
        corrects=f"{_ID}.mutual-information-invertible-function",
        note="The notes' entropies include differential ones, but for densities neither equality "
        "holds: h(aX) = h(X) + log|a|, so Y = 2X has h(Y) = h(X) + log 2; and I(X, X) = "
        "+infinity for a continuous X (as a limit of correlated Gaussians), not h(X). The "
        "statement is true for discrete variables.",
        symbolic=SymbolicLeg(scope="X ~ N(0, sigma^2), Y = a X; witness a = 2"),
        numeric=NotApplicable(_NO_REFERENCE + " (the counterexample uses the closed forms)"),
        property=PropertyLeg(
            "for X ~ N(0, sigma^2) and Y = a X (a != 0, invertible), h(Y) = h(X), with h(Y) from "
            "torch.distributions.Normal(0, |a| sigma)",
            r"h(aX) = h(X)",
        ),
    ),
    Claim(
        id=f"{_ID}.pmi-definition",
        title="Pointwise mutual information",
        statement=r"\operatorname{pmi}(x, y) = \log \frac{p_{X,Y}(x, y)}{p_X(x)\,p_Y(y)}"
        r" = \log\frac{p(y \mid x)}{p_Y(y)} = \log\frac{p(x \mid y)}{p_X(x)}",
        source=_PMI,
        kind=Kind.DEFINITION,
        code=("pointwise_mutual_information",),
        note="Pairs with p(x, y) = 0 never occur together; their PMI is -infinity (never NaN, "
        "also where a marginal is 0).",
        symbolic=SymbolicLeg(scope="general: the three forms agree pointwise"),
        numeric=NumericLeg(oracle="log p - log p_X - log p_Y with NumPy (-inf where p = 0)"),
        property=PropertyLeg(
            "pointwise_mutual_information(table) equals math.log(p) - math.log(p_X) - "
            "math.log(p_Y) where p > 0 and -inf where p = 0",
        ),
    ),
    Claim(
        id=f"{_ID}.pmi-expectation-is-mi",
        title="Mutual information is the expected PMI",
        statement=r"\mathbb{E}_{(x,y) \sim P_{X,Y}}[\operatorname{pmi}(x, y)] = I(X, Y)",
        source=_PMI,
        kind=Kind.IDENTITY,
        code=("pointwise_mutual_information", "mutual_information"),
        note="Individual PMI values can be negative; their average under the joint distribution "
        "cannot.",
        symbolic=SymbolicLeg(scope="general n, m: E[pmi] = H(X) + H(Y) - H(X, Y)"),
        numeric=NumericLeg(oracle="the expectation of the NumPy PMI"),
        property=PropertyLeg(
            "the p-weighted sum of pointwise_mutual_information over the support equals "
            "mutual_information, for batches of tables",
        ),
    ),
)
