"""The base class for mistakes a person can fix, as opposed to bugs, and its one kind for writes."""

from __future__ import annotations

import errno
from pathlib import Path


class UserError(Exception):
    """Bad input: the message names what is wrong and what to do, and is shown as is.

    ``exit_code`` is the command line's: 2 for input a person can change.
    """

    exit_code = 2


# errno -> (what it means, what to do); anything else: its strerror, and another folder.
_WRITE_ADVICE = {
    errno.ENOSPC: ("the disk is full", "free some disk space"),
    errno.EDQUOT: ("the disk quota is used up", "free some space in your quota"),
    errno.EROFS: ("the file system is read-only", "choose a folder on a writable disk"),
    errno.EACCES: ("no permission to write there", "make it writable or choose another folder"),
    errno.EPERM: ("the file or its folder refuses changes (immutable or locked, see lsattr)",
                  "make it changeable or choose another folder"),
}
_BAD_PLACES = (errno.EACCES, errno.EPERM, errno.EROFS)


class WriteFailed(UserError):
    """A file that could not be written, said as its errno says it, never guessed.

    A place that may not be written (read-only, no permission, immutable) is
    the person's choice to change: exit 2; a full disk or a failing device is
    the machine's fault: exit 1.
    """

    def __init__(self, path: str | Path, exc: OSError, then: str = ""):
        self.path, self.errno = Path(path), exc.errno
        self.disk_full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        self.exit_code = 2 if exc.errno in _BAD_PLACES else 1
        what, todo = _WRITE_ADVICE.get(exc.errno, (None, "choose another folder"))
        reason = exc.strerror or str(exc) or type(exc).__name__
        super().__init__(f"could not write {path}: {reason}"
                         + (f" ({what})" if what else "") + f"; {todo}" + (f" {then}" if then else ""))
