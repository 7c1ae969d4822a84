"""Reading other tools' contact exports: LinkedIn, vCard (files and vdirs), Google Contacts CSV.

The readers turn a file into neutral :class:`ImportedContact` records (plus problems and skips);
they never touch the store. Each format has ``scan_<kind>(path, progress=None)`` (an iterator
of items, for progress and early stops) and ``read_<kind>(path, progress=None)`` (an
:class:`ImportResult`). :func:`read` and :func:`scan` pick the reader by kind name. A file that
is not what the reader expects raises :class:`irlmeet.core.errors.ImportFileError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from irlmeet.core.imports.google import read_google, scan_google
from irlmeet.core.imports.linkedin import read_linkedin, scan_linkedin
from irlmeet.core.imports.record import (
    ImportedContact,
    ImportedPlace,
    ImportProblem,
    ImportResult,
    Item,
    MonthDay,
    Progress,
    Skipped,
    SourceKind,
    SourceRef,
)
from irlmeet.core.imports.vcard import read_vcard, scan_vcard

__all__ = [
    "KINDS",
    "ImportProblem",
    "ImportResult",
    "ImportedContact",
    "ImportedPlace",
    "Item",
    "MonthDay",
    "Progress",
    "Skipped",
    "SourceKind",
    "SourceRef",
    "read",
    "read_google",
    "read_linkedin",
    "read_vcard",
    "scan",
    "scan_google",
    "scan_linkedin",
    "scan_vcard",
]

_SCANNERS: dict[str, Callable[..., Iterator[Item]]] = {
    "linkedin": scan_linkedin,
    "vcard": scan_vcard,
    "google": scan_google,
}
#: The kinds of export irlmeet reads, as the CLI names them.
KINDS = tuple(_SCANNERS)


def scan(kind: str, path: Path | str, *, progress: Progress | None = None) -> Iterator[Item]:
    """The items of ``path`` read as ``kind`` (``"linkedin"``, ``"vcard"`` or ``"google"``)."""
    try:
        scanner = _SCANNERS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}; one of {', '.join(KINDS)}") from None
    return scanner(path, progress=progress)


def read(kind: str, path: Path | str, *, progress: Progress | None = None) -> ImportResult:
    """Everything in ``path`` read as ``kind``, collected."""
    return ImportResult.collect(scan(kind, path, progress=progress))
