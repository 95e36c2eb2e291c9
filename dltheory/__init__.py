"""dltheory: the mathematics of deep learning, checked.

Every claim of the notes is a record with up to three legs (a SymPy derivation, a numeric
comparison of a PyTorch reference implementation with an independent oracle, a Hypothesis
property). Reference functions live in the chapter packages, e.g.
``from dltheory.classification import cross_entropy``.

Importing ``dltheory`` is light: chapters load on first attribute access, and SymPy and
Hypothesis load only when a claim's legs are run.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    """Import a subpackage (a chapter, ``core``, ``cli``) on first access."""
    if not name.startswith("_") and importlib.util.find_spec(f"dltheory.{name}") is not None:
        return importlib.import_module(f"dltheory.{name}")
    raise AttributeError(f"module 'dltheory' has no attribute {name!r}")
