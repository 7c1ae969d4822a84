"""Bringing imported people into the address book: match, merge, re-import (issue 9).

The readers (:mod:`irlmeet.core.imports`) turn an export into :class:`ImportedContact` records;
this module decides, for each, against the contacts stored now:

- **who it is**: the same source row or card seen before (its kind and id), else the same
  LinkedIn profile, the same e-mail, or the same name (ignoring case, accents, punctuation) and
  a shared city. Records of one file are matched against each other too.
- **what changes**: a new person is created. A known person met through a *new* source is
  merged (:func:`contactbook.merge_contact_records`: nothing stored is overwritten, lists are
  united, blanks filled). A source seen before is compared field by field with the values it
  gave last time (kept in the contact's :class:`ContactSource`): a field the source changed is
  updated only if the stored value is still what the source last gave; otherwise the user
  edited it in irlmeet and it is left alone (lists still gain the items the source added).
  Importing the same file twice therefore changes nothing the second time.

Pure functions over records (``new_id`` and the place lookup are parameters); the Service runs
:func:`plan_import` under the store's lock and writes the result in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from irlmeet.core.contactbook import _fold, _place_key, merge_contact_records
from irlmeet.core.errors import AmbiguousPlace, PlaceError, ValidationError
from irlmeet.core.imports import ImportedContact, ImportedPlace, ImportProblem, Skipped
from irlmeet.core.models import Circle, Contact, ContactPlace, ContactSource, Place, PlaceLabel
from irlmeet.core.places import distance_km

__all__ = [
    "FIELDS", "MAPPINGS", "ImportReport", "MergeNote", "PlaceLookup", "Prepared", "Unchanged", "guess_kind",
    "known_sources", "place_hint", "plan_import", "prepare", "unchanged",
]

#: The Contact fields an import can give, compared one by one on a re-import.
FIELDS = (
    "name", "nickname", "company", "role", "places", "tz", "emails", "phones", "linkedin", "handles",
    "met_via", "met_on", "notes", "tags", "circle", "birthday",
)
#: How close (km) a source's GEO must lie to one of an ambiguous name's cities to pick it.
GEO_PICK_KM = 75.0


# --------------------------------------------------------------------------------------------
# Places


class PlaceLookup:
    """An :class:`ImportedPlace` to a resolved city, cached per distinct text and country.

    ``resolve(text, country)`` is the place index's (it raises :class:`PlaceError` for an
    unknown or ambiguous name). An ambiguous name with coordinates takes the candidate
    nearest to them; otherwise the place stays unresolved and the contact "needs a place".
    """

    def __init__(self, resolve: Callable[[str, str | None], Place]) -> None:
        self._resolve = resolve
        self._cache: dict[tuple[str, str], Place | list[Place] | None] = {}

    def __call__(self, p: ImportedPlace) -> Place | None:
        if not p.text.strip():
            return None
        key = (p.text.strip().casefold(), p.country.strip().casefold())
        try:
            found = self._cache[key]
        except KeyError:
            try:
                found = self._resolve(p.text, _country_hint(p.country))
            except AmbiguousPlace as exc:
                found = list(exc.candidates)
            except (PlaceError, ValidationError):
                found = None
            self._cache[key] = found
        if isinstance(found, list):
            if p.geo is None or not found:
                return None
            best = min(found, key=lambda c: distance_km(p.geo[0], p.geo[1], c.lat, c.lon))
            return best if distance_km(p.geo[0], p.geo[1], best.lat, best.lon) <= GEO_PICK_KM else None
        return found

    @property
    def distinct(self) -> int:
        return len(self._cache)


def _country_hint(country: str) -> str | None:
    """A two-letter code as a hint; a country's name is left to the text ("Berlin, Germany")."""
    text = country.strip()
    return text.upper() if len(text) == 2 and text.isalpha() else None


# --------------------------------------------------------------------------------------------
# One record, cleaned


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record as a Contact (with a provisional id), what the source gave, and what was dropped."""

    record: ImportedContact
    contact: Contact
    source: ContactSource
    unplaced: tuple[str, ...]  # place texts that did not resolve to one city
    dropped: tuple[str, ...]  # values left out, as "field: reason"


def _source_id(rec: ImportedContact) -> str:
    ref = rec.source
    if ref.id:
        return ref.id
    return f"line {ref.line}" if ref.line is not None else f"card {ref.card}"


def prepare(rec: ImportedContact, places: Callable[[ImportedPlace], Place | None], new_id: Callable[[], str]) -> Prepared:
    """The record as a valid Contact. A value the model refuses (an odd phone, a handle that
    is no handle) is left out and named in ``dropped``; a record whose name itself is refused
    raises :class:`ValidationError`."""
    resolved, unplaced = _resolve_places(rec, places)
    values: dict[str, Any] = {
        "name": rec.name, "nickname": rec.nickname, "company": rec.company, "role": rec.role,
        "places": tuple(resolved), "tz": rec.tz or "", "emails": rec.emails, "phones": rec.phones,
        "linkedin": rec.linkedin or "", "handles": dict(rec.handles), "met_via": rec.met_via,
        "met_on": rec.met_on, "notes": rec.notes, "tags": rec.tags,
        "circle": rec.circle or Circle.PROFESSIONAL, "birthday": str(rec.birthday) if rec.birthday else "",
    }
    dropped: list[str] = []
    contact = None
    for _ in range(len(FIELDS) + 20):
        try:
            contact = Contact(id=new_id(), circle_open=rec.circle is None, **values)
            break
        except ValidationError as exc:
            if not _drop(values, exc):
                raise
            dropped.append(f"{exc.field}: {exc.message}")
    if contact is None:  # pragma: no cover - every retry dropped something; the loop is bounded
        raise ValidationError("record", "too many values were refused")
    last = _last(contact, rec.circle is not None)
    if unplaced:
        last["place_text"] = unplaced  # what the export said, for the triage queue to offer
    source = ContactSource(rec.source.kind, _source_id(rec), rec.source.file.name, last)
    # Initialising the new record: the source is valid by construction and replace() would
    # validate every field again (a third of an import's time at 30k rows).
    object.__setattr__(contact, "sources", (source,))
    return Prepared(rec, contact, source, tuple(unplaced), tuple(dropped))


def _resolve_places(
    rec: ImportedContact, places: Callable[[ImportedPlace], Place | None]
) -> tuple[list[ContactPlace], list[str]]:
    """The record's places resolved to cities (one entry per city), and the texts that were not."""
    resolved: list[ContactPlace] = []
    unplaced: list[str] = []
    for p in rec.places:
        place = places(p)
        if place is None:
            if p.text.strip():
                unplaced.append(p.text.strip())
            continue
        label = PlaceLabel.parse(p.label if p.label in ("home", "work", "other") else "other", "places.label")
        if all(_place_key(c.place) != _place_key(place) for c in resolved):
            resolved.append(ContactPlace(place, label))
    return resolved, unplaced


# --------------------------------------------------------------------------------------------
# A re-import's unchanged records, told without building them


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A record giving exactly what its source gave at the last import, as the contacts stood
    when the import began (see :func:`unchanged`). :func:`plan_import` checks that again
    against the contacts under the lock; if it no longer holds, ``prepare()`` builds the
    record as usual (a :class:`Prepared`, or None when it was refused and reported)."""

    record: ImportedContact
    key: tuple[str, str]
    last: dict[str, Any]
    prepare: Callable[[], Prepared | None]


def known_sources(contacts: Iterable[Contact]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Each stored source's key and what it gave at its last import (the first contact holding
    a key wins, as in matching)."""
    out: dict[tuple[str, str], Mapping[str, Any]] = {}
    for c in contacts:
        for s in c.sources:
            out.setdefault(s.key, s.last)
    return out


def unchanged(
    rec: ImportedContact, places: Callable[[ImportedPlace], Place | None],
    known: Mapping[tuple[str, str], Mapping[str, Any]],
) -> tuple[tuple[str, str], dict[str, Any]] | None:
    """``(source key, values)`` when the record, taken as it is, gives exactly the values its
    source gave last time (:attr:`ContactSource.last`); else None (build it with :func:`prepare`).

    Those stored values are what the model made of the source's values then: validated and in
    their normal form. A record equal to them would be validated into the same values again, so
    a re-import would leave the contact unchanged; building and validating the Contact (most of
    a 30k re-import's time) tells nothing more. A record differing in any way, even by a space,
    a letter's case or a value the model would refuse, goes through :func:`prepare` as before.
    """
    key = (rec.source.kind, _source_id(rec))
    was = known.get(key)
    if was is None:
        return None
    met_on = rec.met_on
    if met_on is not None and (not isinstance(met_on, date) or isinstance(met_on, datetime)):
        return None
    resolved, unplaced = _resolve_places(rec, places)
    # What prepare() would keep of the values, had the model kept them all as given
    last = _last_values(
        name=rec.name, nickname=rec.nickname, company=rec.company, role=rec.role, tz=rec.tz or "",
        linkedin=rec.linkedin or "", met_via=rec.met_via, notes=rec.notes,
        birthday=str(rec.birthday) if rec.birthday else "", emails=rec.emails, phones=rec.phones, tags=rec.tags,
        places=resolved, handles=rec.handles, met_on=met_on, circle=rec.circle,
    )
    if unplaced:
        last["place_text"] = unplaced
    return (key, last) if last == (was if type(was) is dict else dict(was)) else None


def place_hint(contact: Contact) -> str:
    """The place text an import could not resolve for ``contact`` ("" if none)."""
    for s in contact.sources:
        texts = s.last.get("place_text")
        if texts:
            return str(texts[0])
    return ""


def _drop(values: dict[str, Any], exc: ValidationError) -> bool:
    """Leave out the value ``exc`` names; False when it is one a contact cannot go without."""
    name, _, rest = exc.field.partition("[")
    name, _, sub = name.partition(".")
    if name not in values or name in ("name", "circle"):
        return False
    value = values[name]
    if rest and isinstance(value, tuple):
        i = int(rest.split("]", 1)[0])
        values[name] = value[:i] + value[i + 1 :]
    elif name == "handles" and sub:
        values[name] = {k: v for k, v in value.items() if k != sub}
    elif name == "handles":
        values[name] = {}
    else:
        values[name] = () if isinstance(value, tuple) else ({} if isinstance(value, dict) else None if name == "met_on" else "")
    return True


def _last(c: Contact, with_circle: bool) -> dict[str, Any]:
    """What :attr:`ContactSource.last` keeps of a contact built from a source."""
    return _last_values(
        name=c.name, nickname=c.nickname, company=c.company, role=c.role, tz=c.tz, linkedin=c.linkedin,
        met_via=c.met_via, notes=c.notes, birthday=c.birthday, emails=c.emails, phones=c.phones, tags=c.tags,
        places=c.places, handles=c.handles, met_on=c.met_on, circle=c.circle.value if with_circle else None,
    )


def _last_values(
    *, name: str, nickname: str, company: str, role: str, tz: str, linkedin: str, met_via: str, notes: str,
    birthday: str, emails: Iterable[str], phones: Iterable[str], tags: Iterable[str],
    places: Sequence[ContactPlace], handles: Mapping[str, str] | Iterable[tuple[str, str]], met_on: date | None,
    circle: str | None,
) -> dict[str, Any]:
    """:func:`_as_json` of every non-empty field, the one shape of :attr:`ContactSource.last`,
    for a built contact (:func:`_last`) and for a record told unchanged without building it
    (:func:`unchanged`). Spelt out: it runs once per imported row."""
    out: dict[str, Any] = {"name": name}
    for key, text in (("nickname", nickname), ("company", company), ("role", role), ("tz", tz),
                      ("linkedin", linkedin), ("met_via", met_via), ("notes", notes), ("birthday", birthday)):
        if text:
            out[key] = text
    for key, items in (("emails", emails), ("phones", phones), ("tags", tags)):
        if items:
            out[key] = list(items)
    if places:
        out["places"] = _as_json("places", places)
    if handles:
        out["handles"] = dict(handles)
    if met_on is not None:
        out["met_on"] = met_on.isoformat()
    if circle is not None:
        out["circle"] = circle
    return out


def _as_json(name: str, value: Any) -> Any:
    """A field's value as stored in :attr:`ContactSource.last` (and compared with it)."""
    if name == "places":
        return [f"{p.label.value}={_place_id(p.place)}" for p in value]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, date):
        return value.isoformat()
    if name == "circle":
        return value.value
    return value


def _place_id(p: Place) -> str:
    return str(p.geonameid) if p.geonameid else f"{p.name}/{p.country_code}"


# --------------------------------------------------------------------------------------------
# The plan


@dataclass(frozen=True, slots=True)
class MergeNote:
    """A record folded into a contact that was already there (or came earlier in the file)."""

    where: str  # "Connections.csv, line 7"
    name: str
    contact_id: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where}: {self.name} merged into {self.contact_id} ({'; '.join(self.reasons)})"


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    kind: str
    path: Path
    dry_run: bool = False
    created: int = 0
    merged: int = 0  # a new source folded into a known person
    updated: int = 0  # a source seen before brought changes
    unchanged: int = 0
    needs_place: int = 0  # people (new or known) who still have no city
    needs_circle: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    skips: list[Skipped] = field(default_factory=list)
    merges: list[MergeNote] = field(default_factory=list)
    changed: list[Contact] = field(default_factory=list)  # what is (or would be) written
    places_looked_up: int = 0

    @property
    def read(self) -> int:
        return self.created + self.merged + self.updated + self.unchanged

    @property
    def errors(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        parts = [f"created {self.created}", f"merged {self.merged}", f"updated {self.updated}",
                 f"unchanged {self.unchanged}", f"needs a place {self.needs_place}"]
        if self.skips:
            parts.append(f"skipped {len(self.skips)}")
        parts.append(f"errors {self.errors}")
        head = f"{self.read} {'person' if self.read == 1 else 'people'} read from {self.path}"
        return f"{head}: {verb}" + ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": str(self.path), "dry_run": self.dry_run, "created": self.created,
            "merged": self.merged, "updated": self.updated, "unchanged": self.unchanged,
            "needs_place": self.needs_place, "needs_circle": self.needs_circle, "errors": self.errors,
            "skipped": len(self.skips),
            "problems": [{"file": str(p.file), "line": p.line, "card": p.card, "reason": p.reason} for p in self.problems],
            "skips": [{"file": str(s.file), "line": s.line, "card": s.card, "why": s.why, "hint": s.hint} for s in self.skips],
            "merges": [{"where": m.where, "name": m.name, "contact_id": m.contact_id, "reasons": list(m.reasons)}
                       for m in self.merges],
        }


class _Index:
    """The stored contacts by source, LinkedIn URL, e-mail, and name plus city."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self.by_id: dict[str, Contact] = {}
        self.source: dict[tuple[str, str], str] = {}
        self.linkedin: dict[str, str] = {}
        self.email: dict[str, str] = {}
        self.name_place: dict[tuple[str, tuple], str] = {}
        for c in contacts:
            self.add(c)

    def add(self, c: Contact) -> None:
        self.by_id[c.id] = c
        for s in c.sources:
            self.source.setdefault(s.key, c.id)
        if c.linkedin:
            self.linkedin.setdefault(c.linkedin, c.id)
        for e in c.emails:
            self.email.setdefault(e.casefold(), c.id)
        if c.places:
            name = _fold(c.name)
            for p in c.places:
                self.name_place.setdefault((name, _place_key(p.place)), c.id)

    def unchanged(self, key: tuple[str, str], last: Mapping[str, Any]) -> Contact | None:
        """The contact whose source ``key`` last gave exactly ``last`` (the one :meth:`match`
        finds for that source), or None."""
        cid = self.source.get(key)
        if cid is None:
            return None
        old = self.by_id[cid]
        before = next((s for s in old.sources if s.key == key), None)
        return old if before is not None and dict(before.last) == last else None

    def match(self, new: Contact, source: ContactSource) -> tuple[Contact, tuple[str, ...]] | None:
        cid = self.source.get(source.key)
        if cid is not None:
            return self.by_id[cid], ()
        if new.linkedin and (cid := self.linkedin.get(new.linkedin)):
            return self.by_id[cid], ("same LinkedIn profile",)
        for e in new.emails:
            if cid := self.email.get(e.casefold()):
                return self.by_id[cid], (f"same email {e}",)
        name = _fold(new.name) if new.places else ""
        for p in new.places:
            cid = self.name_place.get((name, _place_key(p.place)))
            if cid is not None:
                other = self.by_id[cid]
                if not (other.linkedin and new.linkedin and other.linkedin != new.linkedin):
                    return other, (f"same name and city ({p.place.name})",)
        return None


def plan_import(
    prepared: Iterable[Prepared | Unchanged], stored: Iterable[Contact], report: ImportReport
) -> ImportReport:
    """Decide each record against ``stored`` (and the records before it); fills ``report``
    with the counts, the merge notes and the contacts to write (``report.changed``). An
    :class:`Unchanged` record counts as unchanged when its source's stored values still equal
    its own, exactly the case in which :func:`_update` returns the contact as it is."""
    index = _Index(stored)
    changed: dict[str, Contact] = {}
    seen: set[str] = set()
    for item in prepared:
        if isinstance(item, Unchanged):
            same = index.unchanged(item.key, item.last)
            if same is not None:
                report.unchanged += 1
                seen.add(same.id)
                continue
            item = item.prepare()  # changed since the import began: build it as usual
            if item is None:
                continue
        new, source = item.contact, item.source
        found = index.match(new, source)
        if found is None:
            contact = new
            report.created += 1
        else:
            old, reasons = found
            if reasons:
                contact = _merge(old, new)
                report.merged += 1
                report.merges.append(MergeNote(item.record.source.where(), new.name, old.id, reasons))
            else:
                contact = _update(old, new, source)
                if contact is old:
                    report.unchanged += 1
                else:
                    report.updated += 1
        seen.add(contact.id)
        if found is None or contact is not found[0]:
            changed[contact.id] = contact
            index.add(contact)
    report.changed = list(changed.values())
    people = [index.by_id[cid] for cid in seen]
    report.needs_place = sum(1 for c in people if not c.places)
    report.needs_circle = sum(1 for c in people if c.circle_open)
    return report


def _merge(old: Contact, new: Contact) -> Contact:
    """A known person met through a new source: nothing stored is overwritten, lists united."""
    merged = merge_contact_records(old, new)
    kw: dict[str, Any] = {}
    if old.met_on is not None and merged.met_on != old.met_on:
        kw["met_on"] = old.met_on  # "met through LinkedIn on that date" only when not known yet
    places: list[ContactPlace] = []
    for p in merged.places:  # one entry per city, whatever its label
        if all(_place_key(q.place) != _place_key(p.place) for q in places):
            places.append(p)
    if len(places) != len(merged.places):
        kw["places"] = tuple(places)
    return replace(merged, **kw) if kw else merged


def _update(old: Contact, new: Contact, source: ContactSource) -> Contact:
    """A source seen before: take what it changed, unless the user changed that field since."""
    before = next(s for s in old.sources if s.key == source.key)
    last = before.last
    changes: dict[str, Any] = {}
    for f in FIELDS:
        if f == "circle" and "circle" not in source.last:
            continue  # the source says nothing about the circle
        now = source.last.get(f)
        was = last.get(f)
        if _same(now, was):
            continue
        stored = getattr(old, f)
        if _same(_as_json(f, stored), was):
            changes[f] = getattr(new, f)  # untouched in irlmeet: follow the source
            if f == "circle":
                changes["circle_open"] = False
        elif f in ("emails", "phones", "tags"):
            was_items = {str(v).casefold() for v in was or ()}
            added = [v for v in getattr(new, f) if v.casefold() not in was_items]
            if added:
                changes[f] = (*stored, *added)
        elif f == "handles":
            added = {k: v for k, v in getattr(new, f).items() if k not in (was or {}) and k not in stored}
            if added:
                changes[f] = {**stored, **added}
        elif f == "places":
            was_ids = set(was or ())
            keys = {_place_key(p.place) for p in stored}
            added = [p for p in new.places if _as_json("places", [p])[0] not in was_ids and _place_key(p.place) not in keys]
            if added:
                changes[f] = (*stored, *added)
        # any other field the user edited: theirs stays
    if not changes and dict(before.last) == dict(source.last):
        return old  # a renamed export of the same data is still "unchanged"
    sources = tuple(source if s.key == source.key else s for s in old.sources)
    return replace(old, **changes, sources=sources)


def _same(a: Any, b: Any) -> bool:
    """Equal, counting a missing value as empty."""
    if a in (None, "", [], {}):
        a = None
    if b in (None, "", [], {}):
        b = None
    return a == b


# --------------------------------------------------------------------------------------------
# Before importing: which reader, and what goes where


#: What each export's columns or properties become, for the import screen's preview.
MAPPINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "linkedin": (
        ("First Name + Last Name", "name"), ("Company", "company"), ("Position", "role"),
        ("URL", "LinkedIn profile"), ("Email Address", "emails"), ("Connected On", "met on (met via LinkedIn)"),
        ("(no location column)", "city: place them in the triage queue"),
    ),
    "vcard": (
        ("FN / N", "name"), ("NICKNAME", "nickname"), ("ORG / TITLE", "company / role"), ("EMAIL / TEL", "emails / phones"),
        ("ADR locality, region, country (+ GEO)", "cities"), ("TZ", "time zone"),
        ("URL, X-SOCIALPROFILE, IMPP", "LinkedIn profile and handles"), ("CATEGORIES", "tags (work/personal → circle)"),
        ("BDAY", "birthday"), ("NOTE", "private notes"),
    ),
    "google": (
        ("Name / First, Last Name", "name"), ("Organization Name / Title", "company / role"),
        ("E-mail N / Phone N - Value", "emails / phones"), ("Address N - City, Region, Country", "cities"),
        ("Website N (LinkedIn, profiles)", "LinkedIn profile and handles"), ("Labels", "tags (and a circle)"),
        ("Birthday", "birthday"), ("Notes", "private notes"),
    ),
}


def guess_kind(path: Path) -> str | None:
    """``"linkedin"``, ``"vcard"`` or ``"google"`` from a path's name and first bytes; None if unsure."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() in (".vcf", ".vcard"):
        return "vcard"
    if path.suffix.lower() == ".zip":
        return "linkedin"
    if path.suffix.lower() == ".csv":
        try:
            with open(path, "rb") as f:
                head = f.read(8000)
        except OSError:
            return None
        text = head.decode("utf-16") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else head.decode("utf-8", "replace")
        if "Connected On" in text or text.lstrip("\ufeff").startswith("Notes:"):
            return "linkedin"
        return "google"
    return None
