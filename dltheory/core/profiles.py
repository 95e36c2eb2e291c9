"""Hypothesis profiles: ``ci`` (default; deterministic), ``dev`` and ``thorough``.

* ``ci``: derandomized, no deadline, no example database, 60 examples per property: the same
  examples on every machine and every run, so CI never flakes.
* ``dev``: random seeds and the local example database, 150 examples: for finding new bugs.
* ``thorough``: 2,000 examples per property, for a long local run.

Select one with ``HYPOTHESIS_PROFILE=<name>`` or ``dltheory verify --profile <name>``.
"""

from __future__ import annotations

import os
from typing import Any

PROFILES = ("ci", "dev", "thorough")
DEFAULT_PROFILE = "ci"

_registered = False


def register_profiles() -> None:
    """Register the three profiles with Hypothesis (idempotent)."""
    global _registered
    if _registered:
        return
    from hypothesis import HealthCheck, settings

    common: dict[str, Any] = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
    settings.register_profile(
        "ci", max_examples=60, derandomize=True, database=None, print_blob=True, **common
    )
    settings.register_profile("dev", max_examples=150, **common)
    settings.register_profile("thorough", max_examples=2000, **common)
    _registered = True


def selected_profile(explicit: str | None = None) -> str:
    """The profile to use: ``explicit``, else ``$HYPOTHESIS_PROFILE``, else ``ci``."""
    if explicit:
        name, source = explicit, "profile"
    else:
        name = os.environ.get("HYPOTHESIS_PROFILE") or DEFAULT_PROFILE
        source = "the environment variable HYPOTHESIS_PROFILE"
    if name not in PROFILES:
        raise ValueError(f"{source} must be one of {', '.join(PROFILES)}; got {name!r}")
    return name


def load_profile(name: str | None = None):
    """Register the profiles, load ``name`` (see :func:`selected_profile`), return its settings."""
    from hypothesis import settings

    register_profiles()
    name = selected_profile(name)
    settings.load_profile(name)
    return settings.get_profile(name)
