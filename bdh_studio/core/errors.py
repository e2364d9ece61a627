"""The one base class for mistakes a person can fix, as opposed to bugs."""


class UserError(Exception):
    """Bad input: the message names what is wrong and what to do, and is shown as is."""
