"""What a file handed to an importer really is, and its bytes as text.

Each reader calls :func:`read_bytes` (empty file, unreadable file) and :func:`refuse_binary`
(a picture, a PDF, an archive) before parsing, and the CSV readers :func:`decode_csv` (UTF-8
with or without BOM, or UTF-16 with BOM as older Google exports are). Anything else raises
:class:`~irlmeet.core.errors.ImportFileError` naming the file and what it looks like instead.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from irlmeet.core.errors import ImportFileError

__all__ = ["decode_csv", "looks_like", "read_bytes", "read_csv_rows", "refuse_binary", "text_kind"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
)


def read_bytes(path: Path) -> bytes:
    """The file's bytes; refuses folders that should be files, missing files and empty files."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ImportFileError(path, "is a folder, not a file") from None
    except FileNotFoundError:
        raise ImportFileError(path, "no such file") from None
    except OSError as error:
        raise ImportFileError(path, f"cannot be read ({error.strerror or error})") from None
    if not data.strip().strip(codecs.BOM_UTF8).strip(b"\x00\xff\xfe"):
        raise ImportFileError(path, "the file is empty")
    return data


def looks_like(data: bytes) -> str | None:
    """A short description of a well-known non-text format, or ``None`` for text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return None
    if b"\x00" in data[:4096]:
        return "a binary file"
    return None


def refuse_binary(path: Path, data: bytes, expected: str) -> None:
    what = looks_like(data)
    if what is not None:
        raise ImportFileError(path, f"this is {what}, not {expected}")


def decode_csv(path: Path, data: bytes, expected: str) -> str:
    """Text of a CSV export: UTF-8 (BOM optional) or UTF-16 with a BOM; anything else refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ImportFileError(path, f"starts like UTF-16 text but is not ({error.reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start]
        raise ImportFileError(
            path,
            f"is not UTF-8 text (byte 0x{bad:02X} on line {line}); {expected} exports are UTF-8: "
            "download it again, or save it from a spreadsheet as 'CSV UTF-8'",
        ) from None


def first_line(text: str) -> str:
    return text.lstrip("\ufeff \t\r\n").split("\n", 1)[0].strip()


def text_kind(text: str) -> str | None:
    """What a text file is when it is clearly one of the other importable formats."""
    head = first_line(text).upper()
    if head.startswith("BEGIN:VCARD"):
        return "a vCard file (use the vCard import)"
    if head.startswith("BEGIN:VCALENDAR"):
        return "an iCalendar (.ics) file"
    sample = text[:4000]
    if "E-mail 1 - Value" in sample or "Group Membership" in sample or (
        "First Name" in sample and "Labels" in sample and "Organization Name" in sample
    ):
        return "a Google Contacts CSV export (use the Google import)"
    if "Connected On" in sample and "First Name" in sample:
        return "a LinkedIn Connections.csv (use the LinkedIn import)"
    return None


def read_csv_rows(path: Path, text: str) -> tuple[list[list[str]], list[int]]:
    """All rows of a CSV text (RFC 4180: quoted commas, doubled quotes, newlines in quotes) and
    the 1-based line each row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows: list[list[str]] = []
    starts: list[int] = []
    previous = 0
    try:
        for row in reader:
            rows.append(row)
            starts.append(previous + 1)
            previous = reader.line_num
    except csv.Error as error:
        raise ImportFileError(path, f"line {reader.line_num + 1}: not readable as CSV ({error})") from None
    return rows, starts
