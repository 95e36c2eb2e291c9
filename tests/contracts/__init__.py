"""Contract declarations, one module per chapter (``<chapter>.py`` defining ``CONTRACTS``).

``tests/test_contracts.py`` discovers every module here that does not start with ``_`` and runs
its generic checks over every declared function; see :mod:`dltheory.core.contracts`.
"""
