"""The finite-sum rewriter the information-theory derivations rest on
(:func:`dltheory.information.claims._support.reduce_sums`): each rule applies only over the range
it is declared for, so an identity cannot be "proved" by a rewrite that is false."""

from __future__ import annotations

import sympy as sp

from dltheory.information.claims._support import (
    H_X,
    H_XY,
    H_Y,
    LIM_I,
    LIM_J,
    MI,
    P,
    i,
    j,
    k_out,
    m,
    n,
    p,
    p_x,
    reduce_sums,
)

ONE_OVER_SUPPORT = {LIM_I: (p[i],)}  # sum_{i=1}^n p_i = 1


def test_total_applies_over_its_own_range():
    assert reduce_sums(sp.Sum(p[i], LIM_I), {}, ONE_OVER_SUPPORT) == 1
    assert reduce_sums(sp.Sum(3 * p[i], LIM_I), {}, ONE_OVER_SUPPORT) == 3


def test_total_is_refused_over_a_longer_range():
    # sum_{i=1}^{n+k} p_i is not 1 (the rule holds for i = 1..n only): it must stay a sum
    for upper in (n + k_out, n + 1, 2 * n, m):
        reduced = reduce_sums(sp.Sum(p[i], (i, 1, upper)), {}, ONE_OVER_SUPPORT)
        assert reduced != 1
        assert reduced.has(sp.Sum), reduced


def test_total_is_refused_over_a_shifted_range():
    reduced = reduce_sums(sp.Sum(p[i], (i, 0, n - 1)), {}, ONE_OVER_SUPPORT)
    assert reduced.has(sp.Sum) and reduced != 1


def test_marginal_rule_needs_the_whole_row():
    # sum_{j=1}^m P_ij = p_X(i), but a partial row sum is not the marginal
    assert reduce_sums(sp.Sum(P[i, j], LIM_J), {LIM_J: (P[i, j], p_x[i])}, {}) == p_x[i]
    partial = reduce_sums(sp.Sum(P[i, j], (j, 1, m - 1)), {LIM_J: (P[i, j], p_x[i])}, {})
    assert partial != p_x[i] and partial.has(sp.Sum)


def test_dependent_ranges_are_not_reordered_or_dropped():
    # sum_{i=1}^n sum_{j=1}^i: the inner range depends on i, so no rule may drop or swap it
    triangle = sp.Sum(P[i, j], (j, 1, i), LIM_I)
    reduced = reduce_sums(triangle)
    assert reduced.has(sp.Sum)
    assert reduced.limits == ((j, 1, i), LIM_I)


def test_identities_still_reduce_to_zero():
    # I(X, Y) = H(X) + H(Y) - H(X, Y), the rules used over their declared ranges
    assert reduce_sums(MI - (H_X + H_Y - H_XY)) == 0
