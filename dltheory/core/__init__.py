"""The claim engine: claim records, registry, runner, report, tolerances, strategies, profiles.

Import the pieces from their modules (``dltheory.core.claim``, ``dltheory.core.runner``, ...);
this package imports nothing heavy on its own.
"""
