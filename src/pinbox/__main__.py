"""`python -m pinbox`."""

import sys

from pinbox.entry import main

sys.exit(main())
