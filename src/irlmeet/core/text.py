"""User-typed text that is safe to store and to print to a terminal.

Text reaches the terminal through plain ``print()`` (the CLI) and through rich ``Text`` (the
TUI), and reaches other people through drafts and calendar files. So a stored field never holds
control characters (ESC starts a terminal escape sequence), bidi overrides (which make text
read differently from how it is stored) or line/paragraph separators in a one-line field.

:func:`one_line` is for names, labels and short phrases; :func:`multi_line` for free notes,
which may hold newlines and tabs. Both raise :class:`ValidationError` naming the field and the
offending character, and both return the text stripped of surrounding whitespace.
"""

from __future__ import annotations

import re

from irlmeet.core.errors import ValidationError

__all__ = ["multi_line", "one_line"]

# C0 controls, DEL, C1 controls, the bidi embeddings/overrides (U+202A-E) and isolates
# (U+2066-9), and the Unicode line and paragraph separators.
_BAD_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# The same, but newline and tab are fine in notes.
_BAD_MULTI_LINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

_NAMES = {
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    "\x1b": "an escape character (ESC)",
    "\u2028": "a line separator (U+2028)",
    "\u2029": "a paragraph separator (U+2029)",
}


def _describe(ch: str) -> str:
    if ch in _NAMES:
        return _NAMES[ch]
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        return f"a text-direction override (U+{ord(ch):04X})"
    return f"a control character (U+{ord(ch):04X})"


def one_line(value: str, field: str) -> str:
    """``value`` stripped, or a ValidationError if it holds a control, bidi or line-break character."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected text, got {type(value).__name__}")
    bad = _BAD_ONE_LINE.search(value)
    if bad is not None:
        raise ValidationError(field, f"contains {_describe(bad.group())}; it must be one line of plain text")
    return value.strip()


def multi_line(value: str, field: str) -> str:
    """``value`` with CRLF/CR turned into LF and stripped; newlines and tabs allowed, other
    control and bidi characters refused."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected text, got {type(value).__name__}")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _BAD_MULTI_LINE.search(value)
    if bad is not None:
        raise ValidationError(field, f"contains {_describe(bad.group())}; only plain text and line breaks are allowed")
    return value.strip()
