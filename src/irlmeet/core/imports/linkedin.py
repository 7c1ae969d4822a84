"""LinkedIn's "Get a copy of your data" connections: ``Connections.csv`` or the export's .zip.

Today's export starts with a ``Notes:`` preamble (a line, a quoted notice, an empty line) before
the header ``First Name,Last Name,URL,Email Address,Company,Position,Connected On``; older ones
start at the header and have fewer columns. So the header row is found by its cells and every
column is read by name. Cells follow RFC 4180 (``"VP, Engineering"``, doubled quotes, newlines).

Everyone comes in as met through LinkedIn on the connected-on date; LinkedIn gives no location.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from irlmeet.core.errors import ImportFileError
from irlmeet.core.imports.channels import clean_email, linkedin_url
from irlmeet.core.imports.dates import parse_day_month_year
from irlmeet.core.imports.filetype import (
    decode_csv,
    looks_like,
    read_bytes,
    read_csv_rows,
    text_kind,
)
from irlmeet.core.imports.record import (
    SKIP_NO_NAME,
    ImportedContact,
    ImportProblem,
    ImportResult,
    Item,
    Progress,
    Skipped,
    SourceRef,
    Ticker,
)

__all__ = ["HEADER", "read_linkedin", "scan_linkedin"]

#: The columns of today's export, in order. Only the two names are required.
HEADER = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
_REQUIRED = ("First Name", "Last Name")
_ONE_OF = ("URL", "Connected On")  # a Google CSV has First/Last Name too, but neither of these
_HEADER_SEARCH_ROWS = 30
_WHAT = "LinkedIn's Connections.csv"


def read_linkedin(path: Path | str, *, progress: Progress | None = None) -> ImportResult:
    """Every connection in ``path`` (a Connections.csv or the export's .zip), collected."""
    return ImportResult.collect(scan_linkedin(path, progress=progress))


def scan_linkedin(path: Path | str, *, progress: Progress | None = None) -> Iterator[Item]:
    """Yield one item per data row: an :class:`ImportedContact`, an :class:`ImportProblem` for
    a row that cannot be read, or a :class:`Skipped` for a row with no name (LinkedIn blanks
    members who left or hid their profile).

    Raises :class:`ImportFileError` before yielding anything if the file is not a LinkedIn
    connections export (wrong type, wrong encoding, empty, no header).
    """
    path = Path(path)
    file, text = _open(path)
    rows, starts = read_csv_rows(file, text)
    header_index = _find_header(file, rows)
    header = [cell.strip().lstrip("\ufeff") for cell in rows[header_index]]
    column = {name: i for i, name in enumerate(header) if name}
    data = [(i, row) for i, row in enumerate(rows[header_index + 1 :], start=header_index + 1) if "".join(row).strip()]
    ticker = Ticker(progress, len(data))
    at = tuple(column.get(name) for name in _COLUMNS)  # looked up once, not per cell
    for index, row in data:
        line = starts[index]
        yield from _row(file, line, row, header, at)
        ticker.tick()
    ticker.finish()


def _open(path: Path) -> tuple[Path, str]:
    """``(file as named in messages, its text)``; a .zip is opened and Connections.csv found."""
    data = read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        return _from_zip(path, data)
    what = looks_like(data)
    if what is not None:
        raise ImportFileError(path, f"this is {what}, not {_WHAT} or LinkedIn's export .zip")
    return path, decode_csv(path, data, "LinkedIn")


def _from_zip(path: Path, data: bytes) -> tuple[Path, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                info for info in archive.infolist()
                if PurePosixPath(info.filename).name.lower() == "connections.csv"
            ]
            if not members:
                names = ", ".join(sorted(PurePosixPath(n).name for n in archive.namelist())[:8])
                raise ImportFileError(
                    path,
                    "this zip has no Connections.csv; is it LinkedIn's data export? "
                    f"(it holds: {names or 'nothing'})",
                )
            member = min(members, key=lambda info: len(info.filename))  # the top-level one
            raw = archive.read(member)
    except zipfile.BadZipFile as error:
        raise ImportFileError(path, f"is not a readable zip archive ({error})") from None
    except RuntimeError as error:  # encrypted member
        raise ImportFileError(path, f"cannot be opened ({error})") from None
    inner = path / member.filename
    if not raw.strip():
        raise ImportFileError(inner, "the file is empty")
    return inner, decode_csv(inner, raw, "LinkedIn")


def _find_header(file: Path, rows: list[list[str]]) -> int:
    for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        cells = {cell.strip().lstrip("\ufeff") for cell in row}
        if all(name in cells for name in _REQUIRED) and any(name in cells for name in _ONE_OF):
            return i
    text = "\n".join(",".join(row) for row in rows[:_HEADER_SEARCH_ROWS])
    other = text_kind(text)
    if other and "LinkedIn" not in other:
        raise ImportFileError(file, f"this is {other}, not {_WHAT}")
    raise ImportFileError(
        file,
        f"no header row with {', '.join(HEADER)} in its first {_HEADER_SEARCH_ROWS} rows; "
        f"is this {_WHAT}?",
    )


#: The columns read, in the order of :func:`_row`'s ``at``.
_COLUMNS = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")


def _cells(row: list[str], at: tuple[int | None, ...]) -> list[str]:
    """The text of each column in ``at`` ("" where the row has no such cell), with runs of white
    space (line breaks, tabs, NBSP...) made one space. One pass: it runs for every row."""
    n = len(row)
    texts = [row[i] if i is not None and i < n else "" for i in at]
    # Already clean (the common case): printable text has no white space but " ", so with no
    # double or outer space, splitting and joining would give it back unchanged.
    return [
        text if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "
        else " ".join(text.split())
        for text in texts
    ]


def _row(
    file: Path, line: int | None, row: list[str], header: list[str], at: tuple[int | None, ...]
) -> list[Item]:
    """The row's record, plus a problem for a value that had to be left out. ``at`` holds the
    index of each of :data:`_COLUMNS` in the row (None for a column the file lacks)."""
    if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
        return [ImportProblem(
            file, line,
            f"{len(row)} cells where the header has {len(header)}; a comma inside a value that "
            "is not in quotes? The row was not imported",
        )]
    first, last, url_text, email_text, company, position, connected_text = _cells(row, at)
    name = f"{first} {last}" if first and last else first or last
    profile = linkedin_url(url_text) if url_text else None
    if not name:
        return [Skipped(file, line, SKIP_NO_NAME, hint=profile or url_text)]
    items: list[Item] = []
    email = clean_email(email_text) if email_text else None
    connected = parse_day_month_year(connected_text) if connected_text else None
    if connected_text and connected is None:
        items.append(ImportProblem(
            file, line,
            f"{name}: Connected On {connected_text!r} is not a date like '14 Oct 2026'; "
            "imported without it",
        ))
    if email_text and email is None:
        items.append(ImportProblem(
            file, line,
            f"{name}: Email Address {email_text!r} is not an e-mail address; imported without it",
        ))
    items.insert(0, ImportedContact(
        name=name,
        source=SourceRef("linkedin", profile, file, line),
        company=company,
        role=position,
        emails=(email,) if email else (),
        linkedin=profile,
        urls=(url_text,) if url_text and profile is None else (),
        met_via="LinkedIn",
        met_on=connected,
    ))
    return items
