"""`python -m pinbox`."""

import sys

from pinbox.cli import main

sys.exit(main())
