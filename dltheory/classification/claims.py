r"""Classification (section 4 of the notes): the claims, in the order the notes make them.

Main claims:

* ``one-hot-encoding`` — a one-hot code has one component per class, exactly one of them 1;
* ``linear-model-matrix-form`` — the notes' three output equations are
  :math:`W\mathbf{x} + \mathbf{b}`;
* ``linear-outputs-not-normalized`` — affine outputs need not be a distribution;
* ``softmax-definition`` / erratum ``softmax-index-clash`` — the softmax, and the notes'
  formula that reuses the free index as the summation index;
* ``softmax-nonnegative``, ``softmax-sums-to-one``, ``softmax-preserves-argmax``,
  ``softmax-shift-invariant`` — what makes the softmax a probability-valued ranking;
* ``log-likelihood-factorizes``, ``cross-entropy-one-hot`` — the negative log-likelihood of
  independent examples is a sum of cross-entropy losses;
* ``cross-entropy-expansion``, ``cross-entropy-logsumexp-form`` — the notes' three-line
  derivation, with the condition :math:`\sum_j y_j = 1` its last step uses;
* ``softmax-ce-gradient`` — :math:`\partial_{o_j} l = \operatorname{softmax}(\mathbf{o})_j - y_j`.
"""

from __future__ import annotations

from dltheory.core.claim import (
    Chapter,
    Claim,
    Kind,
    NotApplicable,
    NumericLeg,
    PropertyLeg,
    SymbolicLeg,
)

_ID = "classification"

CLAIMS = (
    Claim(
        id=f"{_ID}.one-hot-encoding",
        title="A one-hot code has a single 1",
        statement=r"\mathbf{y} = \operatorname{onehot}(c) \in \{0,1\}^q,\quad y_j = [j = c],"
        r"\quad \sum_{j=1}^q y_j = 1",
        source="4 Classification",
        kind=Kind.DEFINITION,
        code=("one_hot",),
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(oracle="torch.nn.functional.one_hot"),
        property=PropertyLeg(
            "every row of one_hot(labels, q) has entries in {0, 1}, sums to 1, and its argmax "
            "is the label",
            r"\forall c \in \{0..q-1\}:\ \sum_j y_j = 1,\ \arg\max_j y_j = c",
        ),
    ),
    Claim(
        id=f"{_ID}.linear-model-matrix-form",
        title="The three output equations are one affine map",
        statement=r"o_i = \sum_{j=1}^{4} x_j w_{ij} + b_i \ (i = 1, 2, 3)"
        r"\iff \mathbf{o} = W\mathbf{x} + \mathbf{b},\ W \in \mathbb{R}^{3\times 4}",
        source="4 Linear Model",
        kind=Kind.IDENTITY,
        symbolic=SymbolicLeg(scope="for the notes' sizes q = 3, d = 4", general=False),
        numeric=NumericLeg(oracle="torch.nn.functional.linear vs the written equations in NumPy"),
        property=NotApplicable(
            "a polynomial identity, settled symbolically; the numeric leg evaluates the written "
            "equations term by term"
        ),
    ),
    Claim(
        id=f"{_ID}.linear-outputs-not-normalized",
        title="Affine outputs are not a probability vector in general",
        statement=r"\exists\, W, \mathbf{b}, \mathbf{x}:\ \sum_i o_i = 1,\ "
        r"\min_i o_i < 0,\ \max_i o_i > 1 \quad (\mathbf{o} = W\mathbf{x} + \mathbf{b})",
        source="4 Linear Model",
        kind=Kind.THEOREM,
        symbolic=NotApplicable("an existence statement: the property leg exhibits a witness"),
        numeric=NotApplicable("an existence statement: the property leg exhibits a witness"),
        note="The notes list three failures: the outputs need not sum to 1, and even when "
        "they do they can be negative or exceed 1. The witness shows the last two at once; "
        "the first is the generic case (any witness perturbed by a bias).",
        property=PropertyLeg(
            "with the last bias chosen so the outputs sum to 1, Hypothesis finds weights, input "
            "and biases with an output below 0 and another above 1",
        ),
    ),
    Claim(
        id=f"{_ID}.softmax-definition",
        title="Softmax",
        statement=r"\hat{y}_i = \operatorname{softmax}(\mathbf{o})_i = "
        r"\frac{\exp(o_i)}{\sum_{k=1}^{q} \exp(o_k)}",
        source="4 Softmax",
        kind=Kind.DEFINITION,
        code=("softmax",),
        symbolic=NotApplicable("a definition; its consequences are proved in the claims below"),
        numeric=NumericLeg(oracle="scipy.special.softmax; torch.softmax"),
        property=PropertyLeg(
            "log softmax(o)_i - o_i is the same for every i and the entries sum to 1, which "
            "characterizes exp(o_i) / sum_k exp(o_k)",
            r"\log\hat{y}_i - o_i = \text{const},\ \sum_i \hat{y}_i = 1",
        ),
    ),
    Claim(
        id=f"{_ID}.softmax-index-clash",
        title="The notes' softmax formula reuses its free index",
        statement=r"\hat{y}_i = \frac{\exp(o_i)}{\sum_i \exp(o_i)}",
        source="4 Softmax",
        kind=Kind.ERRATUM,
        corrects=f"{_ID}.softmax-definition",
        note=r"The denominator sums over the same letter $i$ that names the component. Read as "
        r"written, the summand $\exp(o_i)$ does not depend on the summation variable, the "
        r"denominator is $q\exp(o_i)$, and every component is $1/q$. The intended formula sums "
        r"over a fresh index $k$.",
        symbolic=SymbolicLeg(scope="q = 2, witness o = (0, 1)", general=False),
        numeric=NotApplicable("the literal reading has no reference implementation"),
        property=PropertyLeg(
            "the literal reading (every component 1/q) equals the softmax",
            r"\frac{\exp(o_i)}{q \exp(o_i)} = \operatorname{softmax}(\mathbf{o})_i",
        ),
    ),
    Claim(
        id=f"{_ID}.softmax-nonnegative",
        title="Softmax outputs are nonnegative",
        statement=r"\operatorname{softmax}(\mathbf{o})_i \ge 0 \quad"
        r"(> 0 \text{ in exact arithmetic})",
        source="4 Linear Model / Softmax",
        kind=Kind.THEOREM,
        code=("softmax",),
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(oracle="mpmath softmax at 50 digits, at extreme logits"),
        property=PropertyLeg(
            "softmax(o) is finite and nonnegative for logits up to 1e300 in magnitude",
            r"|o_i| \le 10^{300} \Rightarrow 0 \le \hat{y}_i < \infty",
        ),
    ),
    Claim(
        id=f"{_ID}.softmax-sums-to-one",
        title="Softmax outputs sum to one",
        statement=r"\sum_{i=1}^q \operatorname{softmax}(\mathbf{o})_i = 1",
        source="4 Linear Model / Softmax",
        kind=Kind.THEOREM,
        code=("softmax",),
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(oracle="the identity (outputs summed in float64)"),
        property=PropertyLeg(
            "the outputs sum to 1 within float64 tolerance for logits up to 1e300 in magnitude",
            r"\left|\sum_i \hat{y}_i - 1\right| \le \mathrm{tol}",
        ),
    ),
    Claim(
        id=f"{_ID}.softmax-preserves-argmax",
        title="Softmax preserves the order of the logits",
        statement=r"o_i > o_j \iff \hat{y}_i > \hat{y}_j, \qquad"
        r"\arg\max_i \hat{y}_i = \arg\max_i o_i",
        source="4 Softmax",
        kind=Kind.THEOREM,
        code=("softmax",),
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(oracle="torch.argmax / torch.argsort of the logits"),
        property=PropertyLeg(
            "o_i >= o_j implies softmax(o)_i >= softmax(o)_j (ties can appear only by rounding), "
            "and the argmax of o has the largest probability",
        ),
    ),
    Claim(
        id=f"{_ID}.softmax-shift-invariant",
        title="Softmax is invariant to adding a constant",
        statement=r"\operatorname{softmax}(\mathbf{o} + C\mathbf{1}) = "
        r"\operatorname{softmax}(\mathbf{o})",
        source="4 Softmax",
        kind=Kind.THEOREM,
        code=("softmax",),
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(
            oracle="the identity at shifts exact in each dtype; scipy for huge shifts"
        ),
        property=PropertyLeg("softmax(o + C) = softmax(o) for |C| <= 1000"),
    ),
    Claim(
        id=f"{_ID}.log-likelihood-factorizes",
        title="The negative log-likelihood is a sum of cross-entropies",
        statement=r"-\log P(\mathbf{Y}\mid\mathbf{X}) = -\log\prod_{i=1}^n P(\mathbf{y}^{(i)}"
        r"\mid\mathbf{x}^{(i)}) = \sum_{i=1}^n l(\mathbf{y}^{(i)}, \hat{\mathbf{y}}^{(i)}),"
        r"\quad l(\mathbf{y}, \hat{\mathbf{y}}) = -\sum_{j=1}^q y_j \log \hat{y}_j",
        source="4 Log-Likelihood",
        kind=Kind.THEOREM,
        code=("cross_entropy",),
        symbolic=SymbolicLeg(scope="general n, q"),
        numeric=NumericLeg(oracle="torch.distributions.Categorical.log_prob"),
        property=PropertyLeg(
            "minus the log of the product of the predicted probabilities of the labels equals "
            "the summed cross-entropy",
        ),
    ),
    Claim(
        id=f"{_ID}.cross-entropy-one-hot",
        title="For a one-hot label the loss is -log of the label's probability",
        statement=r"\mathbf{y} = \operatorname{onehot}(c) \Rightarrow "
        r"l(\mathbf{y}, \hat{\mathbf{y}}) = -\log \hat{y}_c",
        source="4 Log-Likelihood",
        kind=Kind.THEOREM,
        code=("cross_entropy", "one_hot"),
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(oracle="scipy.special.log_softmax"),
        property=PropertyLeg(
            "cross_entropy with a one-hot probability target, with the class index, and "
            "-log softmax(o)_c agree",
        ),
    ),
    Claim(
        id=f"{_ID}.cross-entropy-expansion",
        title="Cross-entropy of a softmax, expanded",
        statement=r"-\sum_{j=1}^q y_j \log \frac{\exp(o_j)}{\sum_{k=1}^q \exp(o_k)} = "
        r"\sum_{j=1}^q y_j \log \sum_{k=1}^q \exp(o_k) - \sum_{j=1}^q y_j o_j",
        source="4 Softmax and Cross-Entropy Loss",
        kind=Kind.IDENTITY,
        code=("log_softmax", "cross_entropy"),
        note=r"Holds for any weights $y_j$; the next step of the notes needs $\sum_j y_j = 1$.",
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(oracle="scipy.special.log_softmax; scipy.special.logsumexp"),
        property=PropertyLeg(
            "for any nonnegative y (not necessarily summing to 1) the loss equals "
            "(sum y) logsumexp(o) - sum y o",
        ),
    ),
    Claim(
        id=f"{_ID}.cross-entropy-logsumexp-form",
        title="Cross-entropy as log-sum-exp minus the target's logit",
        statement=r"\sum_j y_j = 1 \Rightarrow l(\mathbf{y}, \hat{\mathbf{y}}) = "
        r"\log \sum_{k=1}^q \exp(o_k) - \sum_{j=1}^q y_j o_j",
        source="4 Softmax and Cross-Entropy Loss",
        kind=Kind.THEOREM,
        code=("cross_entropy", "logsumexp"),
        note=r"The notes take this step silently: it uses that $\mathbf{y}$ is a one-hot label "
        r"(or any probability vector), so $\sum_j y_j = 1$.",
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(
            oracle="scipy.special.logsumexp; torch.nn.functional.cross_entropy (index and "
            "probability targets, every reduction)"
        ),
        property=PropertyLeg(
            "for probability vectors y (with exact zeros) the loss equals logsumexp(o) - y . o",
        ),
    ),
    Claim(
        id=f"{_ID}.softmax-ce-gradient",
        title="Gradient of softmax cross-entropy",
        statement=r"\partial_{o_j} l(\mathbf{y}, \hat{\mathbf{y}}) = "
        r"\frac{\exp(o_j)}{\sum_{k=1}^q \exp(o_k)} - y_j = "
        r"\operatorname{softmax}(\mathbf{o})_j - y_j",
        source="4 Softmax and Cross-Entropy Loss",
        kind=Kind.THEOREM,
        code=("cross_entropy_grad", "cross_entropy", "softmax"),
        symbolic=SymbolicLeg(scope="general q"),
        numeric=NumericLeg(
            oracle="autograd of torch.nn.functional.cross_entropy; torch.autograd.gradcheck "
            "and gradgradcheck (float64)"
        ),
        property=PropertyLeg(
            "cross_entropy_grad equals the autograd gradient of torch.nn.functional.cross_entropy",
        ),
    ),
)

CHAPTER = Chapter(
    name=_ID,
    title="Linear neural networks for classification",
    source="4 Linear Neural Networks for Classification",
    order=4,
    summary=__doc__ or "",
    claims=CLAIMS,
)
