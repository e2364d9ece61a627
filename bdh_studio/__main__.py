"""``python -m bdh_studio`` and the ``bdh-studio`` script.

torch is imported before anything can import PySide6: the other order fails
on Windows with recent torch builds.
"""

import sys

import torch  # noqa: F401  (import order matters, see above)

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
