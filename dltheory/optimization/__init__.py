"""Convexity and gradient descent: the gap in Jensen's inequality and the iterates of gradient
descent.

Reference functions (``from dltheory.optimization import ...``): :func:`jensen_gap`,
:func:`gradient_descent`. The claims of section 12 of the notes are in
:mod:`dltheory.optimization.claims`.
"""

from dltheory.optimization.reference import gradient_descent, jensen_gap

__all__ = ["gradient_descent", "jensen_gap"]
