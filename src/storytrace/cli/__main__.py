"""``python -m storytrace.cli``: the same as the ``storytrace`` command."""

import sys

from storytrace.cli import main

sys.exit(main())
