"""What a failed Service call says to the user (the workers themselves are Textual's ``@work``)."""

from __future__ import annotations

__all__ = ["describe_error"]

def describe_error(error: BaseException) -> str:
    """The message to show for an error raised by a Service call.

    IrlmeetErrors are written for the user; anything else is a bug in irlmeet, said plainly
    (no traceback on screen; Textual's log has the details).
    """
    from irlmeet.core.errors import IrlmeetError
    from irlmeet.core.text import visible

    # Messages quote what was stored or typed: shown escaped, never obeyed by the terminal.
    if isinstance(error, IrlmeetError):
        return visible(str(error), lines=True)
    if isinstance(error, OSError):
        return visible(f"{error.filename + ': ' if error.filename else ''}{error.strerror or error}", lines=True)
    return visible(f"Unexpected error (a bug in irlmeet, please report it): {type(error).__name__}: {error}", lines=True)

