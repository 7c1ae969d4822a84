"""Every error irlmeet raises on purpose, in one place.

Callers (the CLI, the TUI) catch :class:`IrlmeetError` and show ``str(error)``: each message is
written for the person at the keyboard and names the file, line, field or value that was wrong.
Anything that is not an ``IrlmeetError`` is a bug.

    IrlmeetError
    ├── ValidationError          a field of a contact, trip or meetup is wrong
    ├── PlaceError
    │   ├── UnknownPlace         no city matches; carries close suggestions
    │   └── AmbiguousPlace       several cities match; carries the candidates
    ├── LookupFailed
    │   ├── NotFound             no contact/trip/meetup with that id or name
    │   └── AmbiguousName        a name matches several records; carries them
    ├── StoreError
    │   ├── CorruptDataFile      the data file cannot be read; it is left untouched
    │   ├── SchemaTooNew         the data file was written by a newer irlmeet
    │   ├── StoreLocked          another process holds the data file's lock too long
    │   └── StoreClosed          the store was used after close()
    ├── LikelyDuplicate          a new contact looks like one already stored; nothing was added
    ├── TripHasMeetups           removing a trip would drop invited, confirmed or met meetups
    ├── WrongMove                a meetup cannot make that move from its status (or not yet);
                                 says why and what to do first (core/lifecycle.py)
    ├── ConfigError              the config file cannot be read; names file and line
    ├── ExportError              an output file could not be written
    └── ImportFileError          a whole import file is unusable (wrong type, encoding, empty);
                                 names the file. A bad row or card is not an error but an
                                 ImportProblem in the import's result (core/imports/record.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


class IrlmeetError(Exception):
    """Base class: something the user can act on. ``str()`` is the message to show."""


class ValidationError(IrlmeetError, ValueError):
    """A value does not fit its field. ``field`` names it (``"end"``, ``"emails[1]"``...)."""

    def __init__(self, field: str, message: str, *, where: str | None = None) -> None:
        self.field = field
        self.message = message  # without the field: a front end names the field its own way
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{field}: {message}")


class PlaceError(IrlmeetError):
    """A place name could not be turned into exactly one city."""


class UnknownPlace(PlaceError):
    def __init__(self, text: str, suggestions: Sequence[Any] = ()) -> None:
        self.text = text
        self.suggestions = list(suggestions)
        message = f"no city called {text!r} is known"
        labels = [_label(s) for s in self.suggestions]
        if len(labels) == 1:
            message += f"; did you mean {labels[0]}?"
        elif labels:  # "; " between them: the labels hold commas ("Berlin, Germany")
            message += "; did you mean one of: " + "; ".join(labels) + "?"
        else:
            message += "; try the city's name with its country, e.g. 'Porto, Portugal'"
        super().__init__(message)


class AmbiguousPlace(PlaceError):
    def __init__(self, text: str, candidates: Sequence[Any]) -> None:
        self.text = text
        self.candidates = list(candidates)
        shown = "; ".join(_label(c) for c in self.candidates)
        super().__init__(
            f"{text!r} could be several cities: {shown}. Add a region or country to choose one."
        )


class LookupFailed(IrlmeetError):
    """A reference (id or name) given by the user did not pick exactly one record."""


class NotFound(LookupFailed):
    """``suggestions``: labels of close matches. Without any, ``existing`` (labels of some of the
    records there are, ``total`` of them in all) shows what the user could have meant, and
    ``see_all`` says how to list them all. Each is on a line of its own."""

    MAX_LISTED = 5

    def __init__(
        self,
        kind: str,
        ref: str,
        suggestions: Sequence[str] = (),
        *,
        existing: Sequence[str] = (),
        total: int | None = None,
        see_all: str = "",
    ) -> None:
        self.kind = kind
        self.ref = ref
        self.suggestions = list(suggestions)
        self.existing = list(existing)
        message = f"no {kind} matches {ref!r}"
        if self.suggestions:
            message += "; did you mean:\n" + "\n".join(f"  {s}" for s in self.suggestions)
        elif total == 0:
            message += f"; there are no {kind}s yet"
        elif self.existing:
            total = len(self.existing) if total is None else total
            shown = self.existing[: self.MAX_LISTED]
            message += f"; your {kind}s are" + (f" ({len(shown)} of {total})" if total > len(shown) else "") + ":\n"
            message += "\n".join(f"  {s}" for s in shown)
        if see_all and (self.suggestions or self.existing):
            message += f"\nSee them all with `{see_all}`."
        super().__init__(message)


class AmbiguousName(LookupFailed):
    def __init__(self, kind: str, ref: str, matches: Sequence[tuple[str, str]]) -> None:
        """``matches`` are ``(id, label)`` pairs."""
        self.kind = kind
        self.ref = ref
        self.matches = list(matches)
        listed = "\n".join(f"  {id_}  {label}" for id_, label in self.matches)
        super().__init__(f"{ref!r} matches several {kind}s; use an id:\n{listed}")


class StoreError(IrlmeetError):
    """The data file could not be opened, read or written."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path}: {message}")


class CorruptDataFile(StoreError):
    """The file is not a readable irlmeet data file. It has not been changed."""


class SchemaTooNew(StoreError):
    pass


class StoreLocked(StoreError):
    pass


class StoreClosed(StoreError):
    pass


class LikelyDuplicate(IrlmeetError):
    """``contact`` (not stored) looks like someone already there. ``duplicates`` are
    :class:`irlmeet.core.contactbook.Duplicate` rows: the stored contact and why it matches."""

    def __init__(self, contact: Any, duplicates: Sequence[Any]) -> None:
        self.contact = contact
        self.duplicates = list(duplicates)
        listed = "\n".join(f"  {d.contact.id}  {d.label}: {'; '.join(d.reasons)}" for d in self.duplicates)
        super().__init__(f"{contact.name!r} looks like a contact you already have:\n{listed}\nNothing was added.")


class TripHasMeetups(IrlmeetError):
    """A trip to be removed still has meetups beyond the idea stage (``meetups``)."""

    def __init__(self, trip: Any, meetups: Sequence[Any]) -> None:
        self.trip = trip
        self.meetups = list(meetups)
        counts: dict[str, int] = {}
        for m in self.meetups:
            counts[m.status.value] = counts.get(m.status.value, 0) + 1
        said = ", ".join(f"{n} {status}" for status, n in counts.items())
        super().__init__(
            f"{trip.name!r} has meetups beyond the idea stage ({said}); removing the trip deletes them, "
            "and calendars that imported them keep the events. Nothing was removed."
        )


class WrongMove(IrlmeetError):
    """A meetup cannot make the move ``verb`` from where it stands; the message says what to do."""

    def __init__(self, meetup: Any, verb: str, message: str) -> None:
        self.meetup = meetup
        self.verb = verb
        super().__init__(message)


class ConfigError(IrlmeetError):
    pass


class ExportError(IrlmeetError):
    pass


class ImportFileError(IrlmeetError):
    """A file handed to an importer cannot be read as what it should be; nothing was read from it.

    ``path`` is the file (or folder) given; ``reason`` says what was wrong with it.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def _label(item: Any) -> str:
    label = getattr(item, "label", None)
    if callable(label):
        return str(label())
    if isinstance(label, str):
        return label
    return str(item)
