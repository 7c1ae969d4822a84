"""A .vcf file's bytes cut into cards, each as text ready for vobject's line parser.

Why cut before parsing: one broken card (no END, a nested junk BEGIN) must not take the rest
of the file with it, the number of cards is known up front for progress, and the big base64
properties nobody imports (PHOTO, LOGO, SOUND, KEY) are dropped before vobject ever sees them,
which keeps 30,000 cards with photos fast and small.

Text is decoded line by line only when the whole file is not UTF-8 (old phones): by the
property's ``CHARSET`` parameter, then UTF-8, then Windows-1252, then Latin-1 (never fails).
Folded lines and quoted-printable soft breaks are left for vobject to join.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["RawCard", "Stray", "decode_lines", "split_cards"]

_BEGIN = "BEGIN:VCARD"
_END = "END:VCARD"
_DROPPED = frozenset({"PHOTO", "LOGO", "SOUND", "KEY", "X-MS-CARDPICTURE"})
# A property line starts with [group.]NAME followed by ';' or ':'. Base64 never has ';' or ':'.
_PROPERTY = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
_CHARSET = re.compile(rb";\s*CHARSET=\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RawCard:
    """One card: its 1-based number in the file, the line its BEGIN is on, the lines inside."""

    number: int
    line: int
    text: str
    unclosed: bool = False  # the file ended (or a new BEGIN came) before END:VCARD


@dataclass(frozen=True, slots=True)
class Stray:
    """Text outside any card that is not blank: an END without BEGIN, junk."""

    line: int
    text: str


@lru_cache(maxsize=64)
def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_line(raw: bytes, charset: str | None) -> str:
    if charset:
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decode_lines(data: bytes) -> list[str]:
    """The file's lines as text (any of CR, LF, CRLF ends a line)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").splitlines()
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    charset: str | None = None
    for raw in re.split(rb"\r\n|\r|\n", data):
        if raw[:1] not in (b" ", b"\t"):
            head = raw.split(b":", 1)[0]
            match = _CHARSET.search(head)
            charset = _codec(match.group(1).decode("ascii")) if match else None
        lines.append(_decode_line(raw, charset))
    return lines


def _name(line: str) -> str | None:
    match = _PROPERTY.match(line)
    return match.group(1).upper() if match else None


def split_cards(lines: list[str]) -> Iterator[RawCard | Stray]:
    """Cards in file order (and stray text between them), PHOTO-like properties removed.

    ``BEGIN:VCARD`` and ``END:VCARD`` are matched in any case and with stray whitespace. A
    ``BEGIN:VCARD`` right after an ``AGENT`` property is a vCard 2.1 embedded card and is
    dropped; any other ``BEGIN`` inside a card means the card lacked its END.
    """
    number = 0
    start = 0
    body: list[str] | None = None
    skipping = False  # inside a dropped property's continuation lines
    last_name: str | None = None
    nested = 0
    for index, line in enumerate(lines, start=1):
        marker = line.strip().upper()
        if body is None:
            if marker == _BEGIN:
                number += 1
                start, body, skipping, last_name = index, [], False, None
            elif marker:
                yield Stray(index, line)
            continue
        if nested:
            if marker == _BEGIN:
                nested += 1
            elif marker == _END:
                nested -= 1
            continue
        if marker == _END:
            yield RawCard(number, start, "\n".join(body))
            body = None
            continue
        if marker == _BEGIN or marker.endswith(":" + _BEGIN):
            if last_name == "AGENT" or marker.startswith("AGENT"):
                nested = 1
                continue
            yield RawCard(number, start, "\n".join(body), unclosed=True)
            number += 1
            start, body, skipping, last_name = index, [], False, None
            continue
        if line[:1] in (" ", "\t"):
            if not skipping:
                body.append(line)
            continue
        name = _name(line)
        if name is None:
            if not skipping:
                body.append(line)  # a quoted-printable continuation, or junk vobject will judge
            continue
        last_name = name
        skipping = name in _DROPPED
        if not skipping:
            body.append(line)
    if body is not None:
        yield RawCard(number, start, "\n".join(body), unclosed=True)
