"""``python -m bdh_studio`` and the ``bdh-studio`` script.

torch is not imported here: commands that need no model (``runs list``) start
without it. Whatever imports PySide6 imports torch first (``gui.app``,
``gui.self_test``): the other order fails on Windows with recent torch builds.
"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
