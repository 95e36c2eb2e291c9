r"""Optimization (section 12 of the notes): the claims, one module per section of the notes.

* :mod:`.optimization_and_deep_learning` — additions for the empty section 12.1: a local
  minimum that is not global, saddle points, vanishing gradients;
* :mod:`.convex_sets` — the definition, subspaces, intersections (the notes' exercise);
* :mod:`.convex_functions` — the definition and its slack ``jensen_gap``, examples and
  non-examples, the families of convex functions;
* :mod:`.jensen`, :mod:`.jensen_application` and :mod:`.minima_and_below_sets` — "Jensen's
  Inequality": the finite form (general :math:`n`, by induction) and the expectation form; the
  bound on :math:`-\log P(X)`, the erratum of the "best guess" and the evidence lower bound;
  local minima are global, below sets are convex;
* :mod:`.second_derivatives` — the second-derivative and Hessian criteria the heading announces
  (additions; the notes repeat the below-set proposition there);
* :mod:`.gradient_descent` — the first-order expansion, and (additions) the descent of a small
  step, the learning-rate bound :math:`\eta < 2/L`, the iterates on quadratics, divergence.

Families of convex and non-convex functions, points and the accuracy of a computed Jensen gap
are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="optimization",
    title="Optimization: convexity and gradient descent",
    source="12 Optimization Algorithms",
    order=12,
    summary=__doc__ or "",
    sections=(
        "optimization_and_deep_learning",
        "convex_sets",
        "convex_functions",
        "jensen",
        "jensen_application",
        "minima_and_below_sets",
        "second_derivatives",
        "gradient_descent",
    ),
)
