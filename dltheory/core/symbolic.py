"""SymPy helpers shared by the chapters' symbolic legs (imported only when those legs run)."""

from __future__ import annotations

import sympy as sp

__all__ = ["equation", "in_range", "resolve_in_range"]


def equation(lhs, rhs) -> sp.Eq:
    """An unevaluated ``lhs = rhs`` for a derivation step."""
    return sp.Eq(lhs, rhs, evaluate=False)


def in_range(index: sp.Symbol, lo, hi):
    """The condition ``lo <= index <= hi`` as SymPy writes it inside a range ``Piecewise``."""
    return sp.And(index >= lo, index <= hi)


def resolve_in_range(expr, index: sp.Symbol, lo, hi):
    """Resolve the range ``Piecewise`` that differentiating or summing an indexed ``Sum``
    leaves behind, under the explicit assumption ``lo <= index <= hi``.

    Every ``Piecewise((value, cond), (0, True))`` whose ``cond`` is exactly that range is
    replaced by ``value``; any other ``Piecewise`` is left alone (and will show up in the
    residual rather than being silently assumed away).
    """
    canonical = {(index >= lo).canonical, (index <= hi).canonical}
    target = None  # the simplified range, computed only if the structural match fails

    def resolve(pw):
        nonlocal target
        if len(pw.args) != 2 or pw.args[1] != (0, True):
            return pw
        value, cond = pw.args[0]
        parts = cond.args if isinstance(cond, sp.And) else ()
        if {part.canonical for part in parts} == canonical:
            return value
        if target is None:
            target = sp.simplify(in_range(index, lo, hi))
        return value if sp.simplify(cond) == target else pw

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), resolve)
