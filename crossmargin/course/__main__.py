"""``python -m crossmargin.course ...``: the instructor's course tools (see the package doc)."""
import sys

from . import main

sys.exit(main())
