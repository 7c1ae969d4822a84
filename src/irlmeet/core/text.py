"""User text: what a field accepts, and how stored text is shown.

Names, cities, notes and how-we-met reach a terminal. A control character in them is not text but
an instruction to the terminal: ESC starts sequences that write the clipboard (OSC 52), set the
window title (OSC 0) or clear the screen (CSI 2J); CR moves back over what was written; NUL and
BEL do their own things; bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder what
is shown, and U+2028/U+2029 break lines where a line was expected.

- :func:`one_line` and :func:`multi_line` are the entry check: the models call them for every
  free-text field, so such characters are refused with a :class:`ValidationError` that says what
  was found and where (positions count from 1, in the value as typed).
- :func:`visible` is the output side, for whatever is already stored (data written by an older
  irlmeet, a file edited by hand): every such character is shown as its Python escape (ESC as
  ``\\x1b``, NUL as ``\\x00``, U+202E as ``\\u202e``), so it is seen and never executed. The
  same form is used everywhere (CLI, TUI, .ics), and it is plain ASCII a user can search for.
- :func:`stored` marks values read back from the data file: inside it the entry checks take text
  as it is (so an old file still opens; output escapes it), and dates outside the bounds the
  models set for new input are taken as they are too (see :func:`checking`).
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from irlmeet.core.errors import ValidationError

__all__ = ["checking", "describe", "multi_line", "one_line", "stored", "visible"]

# C0 controls, DEL and C1 controls; bidi embeddings/overrides (202A-202E) and isolates (2066-2069);
# the line and paragraph separators. Written as escapes: this file holds no such character.
_OTHERS = "\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029"
_ONE_LINE_BAD = re.compile(f"[\\x00-\\x1f{_OTHERS}]")
# Notes: TAB (09) and LF (0a) are text; CR LF was turned into LF first, so a CR left is refused.
_MULTI_LINE_BAD = re.compile(f"[\\x00-\\x08\\x0b-\\x1f{_OTHERS}]")
# Output of whole messages and notes: LF, TAB and CR LF only lay text out; everything else shows.
_SHOW_LINES = re.compile(f"\\r(?!\\n)|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f{_OTHERS}]")

_C0_NAMES = ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"]
_OTHER_NAMES = {
    0x7F: "DEL",
    0x202A: "LEFT-TO-RIGHT EMBEDDING",
    0x202B: "RIGHT-TO-LEFT EMBEDDING",
    0x202C: "POP DIRECTIONAL FORMATTING",
    0x202D: "LEFT-TO-RIGHT OVERRIDE",
    0x202E: "RIGHT-TO-LEFT OVERRIDE",
    0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE",
    0x2068: "FIRST STRONG ISOLATE",
    0x2069: "POP DIRECTIONAL ISOLATE",
    0x2028: "LINE SEPARATOR",
    0x2029: "PARAGRAPH SEPARATOR",
}

_STORED: ContextVar[bool] = ContextVar("irlmeet_stored_values", default=False)


class stored:  # noqa: N801 - used as ``with stored():``, like a function
    """``with stored():`` values are being read back from the data file, not typed.

    A plain class rather than ``@contextmanager``: it wraps every record read (30k contacts).
    """

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _STORED.set(True)

    def __exit__(self, *exc: object) -> None:
        _STORED.reset(self._token)


def checking() -> bool:
    """False inside :class:`stored`: values come from the data file and are taken as they are."""
    return not _STORED.get()


def describe(char: str) -> str:
    """``control character (ESC)``, ``bidi control (U+202E RIGHT-TO-LEFT OVERRIDE)``..."""
    code = ord(char)
    if code == 0x09:
        return "tab"
    if code in (0x0A, 0x0D):
        return f"line break ({_C0_NAMES[code]})"
    if code < 0x20:
        return f"control character ({_C0_NAMES[code]})"
    if code == 0x7F:
        return "control character (DEL)"
    if code <= 0x9F:
        return f"control character (U+{code:04X})"
    if code in (0x2028, 0x2029):
        return f"{_OTHER_NAMES[code].lower()} (U+{code:04X})"
    return f"bidi control (U+{code:04X} {_OTHER_NAMES.get(code, '')})".replace(" )", ")")


def _refuse(value: str, match: re.Match[str], field: str, lead: int, what: str) -> ValidationError:
    char = match.group()
    position = lead + match.start() + 1
    return ValidationError(field, f"contains a {describe(char)} at position {position}; {what}")


def one_line(value: str, field: str) -> str:
    """``value`` without surrounding spaces, or a ValidationError naming ``field`` when it holds a
    control character (tab and line breaks included), a bidi control or U+2028/U+2029."""
    text = str(value)
    stripped = text.strip()
    if _STORED.get():
        return stripped
    match = _ONE_LINE_BAD.search(stripped)
    if match is not None:
        raise _refuse(stripped, match, field, len(text) - len(text.lstrip()), "type plain text on one line")
    return stripped


def multi_line(value: str, field: str) -> str:
    """Like :func:`one_line`, but line breaks and tabs are text here (notes). CR LF becomes LF; a
    lone CR is refused (on a terminal it moves back over the line, hiding what was written)."""
    text = str(value).replace("\r\n", "\n")
    stripped = text.strip()
    if _STORED.get():
        return stripped
    match = _MULTI_LINE_BAD.search(stripped)
    if match is not None:
        raise _refuse(stripped, match, field, len(text) - len(text.lstrip()), "type plain text")
    return stripped


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(value: str, *, lines: bool = False) -> str:
    """``value`` with every control character, bidi control and U+2028/U+2029 shown as its escape
    (ESC as ``\\x1b``, U+202E as ``\\u202e``), so a terminal shows it instead of obeying it.

    With ``lines=True`` (a multi-line note, a whole message) LF, TAB and CR LF stay as they are:
    they only lay text out. Text without such characters comes back unchanged (the same object).
    """
    pattern = _SHOW_LINES if lines else _ONE_LINE_BAD
    if pattern.search(value) is None:
        return value
    return pattern.sub(_escape, value)
