"""The bundle's entry point: what the ``bdh-studio`` script runs in an install."""

import sys

from bdh_studio.__main__ import main

sys.exit(main())
