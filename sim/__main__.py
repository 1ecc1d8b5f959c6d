"""``python -m sim`` does what ``scaleup`` does."""

import sys

from sim.cli.main import main

sys.exit(main())
