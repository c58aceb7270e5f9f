"""The exceptions of the ibplane package.

The native library reports a failure as a status and one sentence (include/ibplane.h); the
sentence becomes the exception's message unchanged, so Python users read the same text as
command-line users.
"""


class IBPlaneError(Exception):
    """A failure inside ibplane that is not the caller's input: I/O, disk full (status 1)."""


class InputError(IBPlaneError, ValueError):
    """Bad input or a bad parameter (status 2, the CLI's exit code 2): the message names the
    argument, file, offset or field and what was expected."""


class LibraryNotFoundError(IBPlaneError, OSError):
    """libibplane.so could not be found or loaded; the message lists every place searched."""
