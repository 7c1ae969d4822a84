"""What every importer yields: a neutral record of one person, problems, skips, and the tally.

The readers (``linkedin``, ``vcard``, ``google``) know their format and nothing of irlmeet's
store: they turn a file into :class:`ImportedContact` records carrying everything the format
holds. Deciding who is new, who is a duplicate and what to merge is the service's job.

A reader *streams*: ``scan_*`` yields :data:`Item`\\ s one by one (a record, a problem, or a
skip) so a caller can show progress and stop early; ``read_*`` collects them into an
:class:`ImportResult`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

__all__ = [
    "CIRCLES",
    "ImportProblem",
    "ImportResult",
    "ImportedContact",
    "ImportedPlace",
    "Item",
    "MonthDay",
    "Progress",
    "SKIP_GROUP",
    "SKIP_NO_NAME",
    "SKIP_ORGANISATION",
    "Skipped",
    "SourceKind",
    "SourceRef",
]

SourceKind = Literal["linkedin", "vcard", "google"]

#: ``progress(done, total)``: called as items are read, and once at the end with done == total.
Progress = Callable[[int, int], None]

#: The circle hints an importer can give (issue 6's circles).
CIRCLES = ("professional", "personal", "both")

# Why a card or row was passed over (keys of ImportResult.skipped).
SKIP_GROUP = "group"  # an address-book group (Apple, KIND:group): not a person
SKIP_ORGANISATION = "organisation"  # a company entry (KIND:org, a Google row with only a company)
SKIP_NO_NAME = "no name"  # nobody named: no FN, N or name columns (often only an e-mail)


@dataclass(frozen=True, slots=True)
class MonthDay:
    """A birthday without a year (vCard ``--0203``, Google ``--02-03``)."""

    month: int
    day: int

    def __post_init__(self) -> None:
        # 2000 is a leap year, so 29 February is allowed.
        date(2000, self.month, self.day)

    def __str__(self) -> str:
        return f"--{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class ImportedPlace:
    """A place a person is tied to, as the source wrote it (not yet resolved to a city).

    ``text`` is free text for the place resolver, built from locality, region and country
    ("Berlin, Germany"); it is ``""`` when only coordinates are known. ``label`` is ``"home"``,
    ``"work"`` or ``"other"``. ``geo`` is ``(lat, lon)`` when the source gave coordinates.
    """

    label: str
    text: str
    locality: str = ""
    region: str = ""
    country: str = ""
    geo: tuple[float, float] | None = None


# SourceRef and ImportedContact carry a row from a reader to the intake and are never changed
# on the way; they are plain (not frozen) dataclasses because a frozen one's __init__ sets each
# field through object.__setattr__: 111 ms against 20 ms per 30,000 records of 18 fields,
# measured, ~8% of importing 30k LinkedIn rows. eq stays; hashing is off (nothing hashes them).


@dataclass(slots=True)
class SourceRef:
    """Where a record came from, so a later re-import can find it again.

    ``id`` is the source's own identity: the vCard UID, the normalised LinkedIn profile URL,
    or for Google's CSV (which has no id column) the first e-mail, else the name. ``None``
    when the source has none. ``line`` is the 1-based line the row or card starts on; ``card``
    the 1-based card number within a vCard file.
    """

    kind: SourceKind
    id: str | None
    file: Path
    line: int | None = None
    card: int | None = None

    def where(self) -> str:
        return _where(self.file, self.line, self.card)


@dataclass(slots=True)
class ImportedContact:
    """One person as an export describes them. Text fields are ``""`` when absent.

    ``handles`` are ``(service, handle)`` pairs with services in lower case (``"mastodon"``,
    ``"bluesky"``, ``"x"``, ``"signal"``, ``"telegram"``, ``"matrix"``, ``"skype"``,
    ``"xmpp"``, ``"github"``...). ``linkedin`` is ``https://www.linkedin.com/in/<slug>``.
    ``circle`` is a hint from the source's categories or labels (``"professional"``,
    ``"personal"``, ``"both"``) or ``None``. ``tz`` is an IANA zone name or ``None``.
    """

    name: str
    source: SourceRef
    nickname: str = ""
    company: str = ""
    role: str = ""
    places: tuple[ImportedPlace, ...] = ()
    tz: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    linkedin: str | None = None
    handles: tuple[tuple[str, str], ...] = ()
    met_via: str = ""
    met_on: date | None = None
    notes: str = ""
    tags: tuple[str, ...] = ()
    circle: str | None = None
    birthday: date | MonthDay | None = None
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A row or card that could not be read (or was read only in part), and why.

    ``line`` is the 1-based line in ``file``; ``card`` the 1-based card number (vCard only).
    ``str()`` is the message for the user: ``"contacts.vcf, card 3 (line 40): ..."``.
    """

    file: Path
    line: int | None
    reason: str
    card: int | None = None

    def __str__(self) -> str:
        return f"{_where(self.file, self.line, self.card)}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row or card deliberately passed over: a group, an organisation, nobody named."""

    file: Path
    line: int | None
    why: str
    card: int | None = None
    hint: str = ""  # what identifies it, e.g. the e-mail of a card with no name

    def __str__(self) -> str:
        extra = f" ({self.hint})" if self.hint else ""
        return f"{_where(self.file, self.line, self.card)}: skipped, {self.why}{extra}"


Item = ImportedContact | ImportProblem | Skipped


@dataclass(slots=True)
class ImportResult:
    """Everything one import read: the people, the problems, and what was skipped (counted)."""

    records: list[ImportedContact] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    skips: list[Skipped] = field(default_factory=list)

    @property
    def skipped(self) -> Counter[str]:
        """How many were skipped, by reason (``SKIP_GROUP``, ``SKIP_NO_NAME``...)."""
        return Counter(s.why for s in self.skips)

    def add(self, item: Item) -> None:
        if isinstance(item, ImportedContact):
            self.records.append(item)
        elif isinstance(item, ImportProblem):
            self.problems.append(item)
        else:
            self.skips.append(item)

    @classmethod
    def collect(cls, items: Iterable[Item]) -> ImportResult:
        result = cls()
        for item in items:
            result.add(item)
        return result

    def summary(self) -> str:
        """One line: ``"812 people, 2 problems, skipped 3 (2 group, 1 no name)"``."""
        text = f"{len(self.records)} people, {len(self.problems)} problems"
        if self.skips:
            counts = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
            text += f", skipped {len(self.skips)} ({counts})"
        return text


class Ticker:
    """Calls ``progress(done, total)`` about a hundred times over a run, and at the end."""

    __slots__ = ("_progress", "_total", "_step", "_next", "done")

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._total = total
        self._step = max(1, total // 100)
        self._next = 0
        self.done = 0
        if progress is not None:
            progress(0, total)

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self._progress is not None and self.done >= self._next and self.done < self._total:
            self._next = self.done + self._step
            self._progress(self.done, self._total)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress(self._total, self._total)


def _where(file: Path, line: int | None, card: int | None) -> str:
    name = str(file)
    if card is not None:
        return f"{name}, card {card}" + (f" (line {line})" if line is not None else "")
    if line is not None:
        return f"{name}, line {line}"
    return name
