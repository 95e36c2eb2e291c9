"""``python -m dltheory`` is the ``dltheory`` command."""

import sys

from dltheory.cli import main

sys.exit(main())
