"""Google Contacts' CSV export ("Google CSV"), today's and the older one.

Today's export is UTF-8 with a BOM: 17 fixed columns (``First Name``, ``Middle Name``,
``Last Name``, ..., ``Nickname``, ``File As``, ``Organization Name``, ``Organization Title``,
``Organization Department``, ``Birthday``, ``Notes``, ``Photo``, ``Labels``) and then numbered
groups (``E-mail 1 - Label``, ``E-mail 1 - Value``, ``Phone 1 - ...``, ``Address 1 - City``...).
The older export was UTF-16 with ``Name``, ``Given Name``, ``Family Name``, ``Group
Membership``, ``E-mail 1 - Type`` and ``Organization 1 - Name`` instead. Both are read by column
name. A cell may hold several values joined by `` ::: ``; a leading ``* `` marks the primary
one (``* myContacts ::: Coworkers``). Google's CSV has no id column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from irlmeet.core.errors import ImportFileError
from irlmeet.core.imports.channels import (
    clean_email,
    clean_phone,
    handle_from_impp,
    handle_from_url,
    linkedin_url,
    service_name,
)
from irlmeet.core.imports.dates import parse_birthday
from irlmeet.core.imports.filetype import decode_csv, read_bytes, read_csv_rows, refuse_binary, text_kind
from irlmeet.core.imports.labels import circle_hint, clean_tags, place_label
from irlmeet.core.imports.record import (
    SKIP_NO_NAME,
    SKIP_ORGANISATION,
    ImportedContact,
    ImportedPlace,
    ImportProblem,
    ImportResult,
    Item,
    Progress,
    Skipped,
    SourceRef,
    Ticker,
)

__all__ = ["read_google", "scan_google"]

_WHAT = "a Google Contacts CSV export"
_SEPARATOR = " ::: "
_GROUP = re.compile(r"^(.+?) (\d+) - (.+)$")
_NAME_COLUMNS = ("First Name", "Given Name", "Name", "Last Name", "Family Name")
_GOOGLE_MARKS = ("Labels", "Group Membership", "File As", "Given Name", "Additional Name")


def read_google(path: Path | str, *, progress: Progress | None = None) -> ImportResult:
    """Every contact in a Google Contacts CSV export, collected."""
    return ImportResult.collect(scan_google(path, progress=progress))


def scan_google(path: Path | str, *, progress: Progress | None = None) -> Iterator[Item]:
    """Yield one item per row: an :class:`ImportedContact`, a :class:`Skipped` (no name, or a
    company-only entry), or an :class:`ImportProblem`. Raises :class:`ImportFileError` first if
    the file is not a Google Contacts CSV (wrong type, encoding, empty, another export)."""
    path = Path(path)
    data = read_bytes(path)
    refuse_binary(path, data, _WHAT)
    text = decode_csv(path, data, "Google Contacts")
    rows, starts = read_csv_rows(path, text)
    header = [cell.strip().lstrip("\ufeff") for cell in rows[0]] if rows else []
    _check_header(path, header, text)
    columns = _Columns(header)
    data_rows = [(i, row) for i, row in enumerate(rows[1:], start=1) if any(c.strip() for c in row)]
    ticker = Ticker(progress, len(data_rows))
    for index, row in data_rows:
        yield from _row(path, starts[index], row, header, columns)
        ticker.tick()
    ticker.finish()


def _check_header(path: Path, header: list[str], text: str) -> None:
    names = set(header)
    if any(c in names for c in _NAME_COLUMNS) and (
        any(c in names for c in _GOOGLE_MARKS) or any(_GROUP.match(c) for c in header)
    ):
        return
    if "Connected On" in names or "URL" in names and "First Name" in names:
        raise ImportFileError(path, f"this is a LinkedIn Connections.csv, not {_WHAT} (use the LinkedIn import)")
    if "E-mail Address" in names and ("Home City" in names or "Business City" in names):
        raise ImportFileError(
            path, f"this is an Outlook CSV, not {_WHAT}: export again choosing 'Google CSV'"
        )
    other = text_kind(text)
    if other and "Google" not in other:
        raise ImportFileError(path, f"this is {other}, not {_WHAT}")
    raise ImportFileError(
        path, f"the first row is not a Google Contacts header (no 'First Name' or 'Name' column); is this {_WHAT}?"
    )


class _Columns:
    """Where each named column is, and the numbered groups (``E-mail 2 - Value``) by kind."""

    def __init__(self, header: list[str]) -> None:
        self.index = {name: i for i, name in reversed(list(enumerate(header))) if name}
        self.groups: dict[str, dict[int, dict[str, int]]] = {}
        for i, name in enumerate(header):
            if match := _GROUP.match(name):
                kind, number, part = match.group(1), int(match.group(2)), match.group(3)
                self.groups.setdefault(kind, {}).setdefault(number, {})[part] = i

    def group(self, kind: str) -> list[dict[str, int]]:
        return [parts for _, parts in sorted(self.groups.get(kind, {}).items())]


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(_SEPARATOR)] if cell.strip() else []


def _label(text: str) -> str:
    return text.strip().lstrip("*").strip()


def _row(path: Path, line: int, row: list[str], header: list[str], columns: _Columns) -> list[Item]:
    if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
        return [ImportProblem(
            path, line,
            f"{len(row)} cells where the header has {len(header)}; the row was not imported",
        )]

    def cell(*names: str) -> str:
        for name in names:
            i = columns.index.get(name)
            if i is not None and i < len(row) and row[i].strip():
                return row[i].strip()
        return ""

    def at(parts: dict[str, int], *names: str) -> str:
        for name in names:
            i = parts.get(name)
            if i is not None and i < len(row) and row[i].strip():
                return row[i].strip()
        return ""

    name = cell("Name") or " ".join(
        p for p in (cell("First Name", "Given Name"), cell("Middle Name", "Additional Name"),
                    cell("Last Name", "Family Name")) if p
    )
    name = re.sub(r"\s+", " ", name).strip()
    orgs = columns.group("Organization")
    company = cell("Organization Name") or next((at(o, "Name") for o in orgs if at(o, "Name")), "")
    role = cell("Organization Title") or next((at(o, "Title") for o in orgs if at(o, "Title")), "")

    emails: list[str] = []
    for parts in columns.group("E-mail"):
        for value in _split(at(parts, "Value")):
            email = clean_email(value)
            if email and email.casefold() not in (e.casefold() for e in emails):
                emails.append(email)
    if not name:
        if company and not emails:
            return [Skipped(path, line, SKIP_ORGANISATION, hint=company)]
        name = cell("File As")
        if not name:
            return [Skipped(path, line, SKIP_NO_NAME, hint=emails[0] if emails else company)]

    phones: list[str] = []
    for parts in columns.group("Phone"):
        for value in _split(at(parts, "Value")):
            phone = clean_phone(value)
            if phone and phone not in phones:
                phones.append(phone)

    places: list[ImportedPlace] = []
    for parts in columns.group("Address"):
        labels = _split(at(parts, "Label", "Type"))
        cities = _split(at(parts, "City"))
        regions = _split(at(parts, "Region"))
        countries = _split(at(parts, "Country"))
        formatted = _split(at(parts, "Formatted"))
        count = max(len(cities), len(regions), len(countries), len(formatted))
        for k in range(count):
            city = cities[k] if k < len(cities) else ""
            region = regions[k] if k < len(regions) else ""
            country = countries[k] if k < len(countries) else ""
            shown = [p for p in (city, region if region.lower() != city.lower() else "", country) if p]
            text = ", ".join(shown)
            if not text and k < len(formatted):
                text = ", ".join(x.strip() for x in formatted[k].splitlines() if x.strip())
            if text:
                label = place_label(_label(labels[k]) if k < len(labels) else "")
                places.append(ImportedPlace(label, text, city, region, country))

    linkedin: str | None = None
    handles: list[tuple[str, str]] = []
    urls: list[str] = []
    for parts in columns.group("Website"):
        for value in _split(at(parts, "Value")):
            profile = linkedin_url(value)
            handle = None if profile else handle_from_url(value, _label(at(parts, "Label", "Type")))
            if profile:
                linkedin = linkedin or profile
            elif handle:
                handles.append(handle)
            else:
                urls.append(value)
    for parts in columns.group("IM"):
        service = _label(at(parts, "Service", "Label", "Type"))
        for value in _split(at(parts, "Value")):
            handle = handle_from_impp(value, service) if ":" in value else (
                (service_name(service), value) if service else ("im", value)
            )
            if handle and handle not in handles:
                handles.append(handle)

    labels = [_label(v) for v in _split(cell("Labels", "Group Membership"))]
    tags = clean_tags(labels)
    items: list[Item] = []
    birthday_text = cell("Birthday")
    birthday = parse_birthday(birthday_text) if birthday_text else None
    if birthday_text and birthday is None:
        items.append(ImportProblem(
            path, line,
            f"{name}: Birthday {birthday_text!r} is not a date like 1990-02-03 or --02-03; imported without it",
        ))
    source_id = emails[0].casefold() if emails else f"name:{name.casefold()}"
    items.insert(0, ImportedContact(
        name=name,
        source=SourceRef("google", source_id, path, line),
        nickname=cell("Nickname"),
        company=company,
        role=role,
        places=tuple(places),
        emails=tuple(emails),
        phones=tuple(phones),
        linkedin=linkedin,
        handles=tuple(dict.fromkeys(handles)),
        notes=cell("Notes"),
        tags=tags,
        circle=circle_hint(labels),
        birthday=birthday,
        urls=tuple(dict.fromkeys(urls)),
    ))
    return items
