"""The use cases: what the CLI and the TUI both do, in one place.

:class:`Service` holds the store, the place index (loaded on first use: it costs ~0.1-1 s), a
clock and an id factory, all injected by the composition root so tests are deterministic. The
CLI calls it directly; the TUI calls it from worker threads. Every method either returns domain
objects or raises an :class:`~irlmeet.core.errors.IrlmeetError` with a message for the user.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from irlmeet.core import contactbook, drafts, ics, planner
from irlmeet.core.contactbook import Duplicate, find_duplicates, merge_contact_records
from irlmeet.core.errors import AmbiguousName, LikelyDuplicate, NotFound, TripHasMeetups, ValidationError
from irlmeet.core.models import (
    MAX_DATE,
    MAX_RADIUS_KM,
    MIN_DATE,
    Channel,
    Contact,
    ContactPlace,
    Meetup,
    MeetupStatus,
    Place,
    PlaceLabel,
    Profile,
    Trip,
    parse_date,
)
from irlmeet.core.places import PlaceIndex
from irlmeet.core.settings import Settings
from irlmeet.core.store import Store

__all__ = ["Duplicate", "ExportResult", "Merged", "Nearby", "RemovedContact", "RemovedTrip", "Service"]


@dataclass(frozen=True, slots=True)
class Nearby:
    contact: Contact
    place: Place
    distance_km: float


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    events: int
    changed: int  # meetup ideas created, moved or cancelled by this export


@dataclass(frozen=True, slots=True)
class RemovedContact:
    contact: Contact
    cancelled: tuple[Meetup, ...]  # their meetups now cancelled (same UID), for calendars to drop
    dropped_from: tuple[Meetup, ...]  # group meetups that go on without them


@dataclass(frozen=True, slots=True)
class Merged:
    contact: Contact  # A, with B's details folded in
    removed: Contact  # B, now gone
    moved: tuple[Meetup, ...]  # B's meetups, now A's (or cancelled where A already had one)


@dataclass(frozen=True, slots=True)
class RemovedTrip:
    trip: Trip
    meetups: tuple[Meetup, ...]  # deleted with it


class Service:
    def __init__(
        self,
        store: Store,
        places: Callable[[], PlaceIndex],
        *,
        settings: Settings,
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
    ) -> None:
        self.store = store
        self.settings = settings
        self._load_places = places
        self._places: PlaceIndex | None = None
        self._places_lock = threading.Lock()
        self._clock = clock
        self._new_id = new_id

    # -- basics ---------------------------------------------------------------------------

    def now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return an aware datetime")
        return now

    def new_id(self) -> str:
        return self._new_id()

    @property
    def places(self) -> PlaceIndex:
        """The city index, loaded once on first use (thread-safe)."""
        if self._places is None:
            with self._places_lock:
                if self._places is None:
                    self._places = self._load_places()
        return self._places

    def profile(self) -> Profile:
        return self.store.profile()

    def user_tz(self) -> str:
        """The user's own IANA zone: their home's, else the system's, else UTC."""
        home = self.profile().home
        if home is not None:
            return home.tz
        return _system_zone()

    def set_profile(self, *, name: str | None = None, home: str | None = None) -> Profile:
        """Change only the fields given; the others keep what is stored *now* (another irlmeet
        may have just changed them: the read and the write happen under the store's lock)."""
        place = self.resolve(home) if home is not None and home.strip() else None  # slow: before the lock
        with self.store.transaction():
            profile = self.store.profile()
            if name is not None:
                profile = replace(profile, name=name)
            if home is not None:
                profile = replace(profile, home=place)
            self.store.set_profile(profile)
        return profile

    def repair(self) -> list[str]:
        """Fix, once, damage an older irlmeet could leave in the data file; call it after opening.

        Returns one line per repair for the user (the CLI prints it as a warning, the TUI
        notifies it); empty when there was nothing to fix, which costs one pass over the
        meetups in memory and takes no lock.

        Repaired today: meetups sharing a calendar UID. Two exports of one trip at once used to
        store the same idea twice, and every export after that failed. Of each set the newest
        (latest ``updated``, then highest ``sequence``) is kept and the others are removed, so
        calendars that imported the UID keep updating the one event they know.
        """
        if not _shared_uids(self.store.meetups()):
            return []
        removed: list[Meetup] = []
        with self.store.transaction():  # decide again on fresh data: another irlmeet may have repaired it
            for group in _shared_uids(self.store.meetups()):
                keep = max(group, key=lambda m: (m.updated or _EPOCH, m.sequence, m.id))
                for m in group:
                    if m is not keep:
                        self.store.delete_meetup(m.id)
                        removed.append(m)
        if not removed:
            return []
        trips = {t.id: t.name for t in self.store.trips()}
        names = {c.id: c.name for c in self.store.contacts()}
        per_trip: dict[str, list[str]] = {}
        for m in removed:
            who = " and ".join(names.get(cid, "someone") for cid in m.contact_ids)
            per_trip.setdefault(trips.get(m.trip_id, m.trip_id), []).append(who)
        detail = "; ".join(f"{trip}: {', '.join(sorted(set(who)))}" for trip, who in per_trip.items())
        n = len(removed)
        return [
            f"repaired {self.store.path}: removed {n} duplicate meetup{'' if n == 1 else 's'} "
            f"(two exports had stored the same one twice; the newest was kept) - {detail}"
        ]

    def resolve(self, text: str | Place) -> Place:
        """A city from free text; a ``Place`` (picked from a candidate list) is taken as is."""
        if isinstance(text, Place):
            return text
        home = self.profile().home
        return self.places.resolve(text, home_country=home.country_code if home else None)

    # -- contacts -------------------------------------------------------------------------

    def contacts(self) -> list[Contact]:
        return sorted(self.store.contacts(), key=lambda c: (c.name.casefold(), c.id))

    def add_contact(
        self,
        name: str,
        city: str | Place | Iterable[Any] | None = None,
        *,
        label: PlaceLabel | str = PlaceLabel.HOME,
        force: bool = False,
        **fields: Any,
    ) -> Contact:
        """A new contact. ``city`` is one place or several (``"Munich"``, ``"work=Munich"``, a
        ``Place``, ``(label, city)``); ``fields`` take the names :meth:`edit_contact` takes.

        Raises :class:`LikelyDuplicate` (nothing stored) when someone with the same email,
        LinkedIn URL, or name and city is already there, unless ``force``.
        """
        if city is not None:
            specs = [city] if isinstance(city, (str, Place, ContactPlace, tuple)) else list(city)
            if specs and isinstance(specs[0], (str, Place)) and not _has_label(specs[0]):
                specs[0] = (label, specs[0])  # ``label`` is the first city's; later ones: home, else other
            fields["add_places"] = [*specs, *fields.get("add_places", ())]
        with self.store.transaction():
            contact = contactbook.apply(Contact(id=self._new_id(), name=name), fields, self._place_for, self.now())
            if not force:
                dups = find_duplicates(contact, self.store.contacts())
                if dups:
                    raise LikelyDuplicate(contact, dups)
            self.store.put_contact(contact)
        return contact

    def update_contact(self, contact_id: str, change: Callable[[Contact], Contact]) -> Contact:
        """Apply ``change`` to the contact as stored *now* and store the result; returns it.

        The read, ``change`` and the write happen inside the store's write lock, so an edit made
        meanwhile by another irlmeet (or thread) is never lost: ``change`` sees it. ``change``
        must be quick and must not touch the store; it returns a new Contact with the same id
        (``dataclasses.replace``), and may raise an IrlmeetError to refuse (nothing is written).
        Raises NotFound if the contact no longer exists.
        """
        return self._update("contact", contact_id, change)

    def edit_contact(self, ref_or_id: str, **changes: Any) -> Contact:
        """Change some fields of a contact, on its current stored state; returns the new record.

        ``changes`` use :class:`Contact`'s field names: a value sets the field (``None`` or ""
        clears it; lists replace the list). ``add_<list>`` / ``remove_<list>`` add to or remove
        from ``emails``, ``phones``, ``tags``, ``handles`` (``"service:handle"`` or a mapping;
        remove by service) and ``places`` (``"Munich"``, ``"work=Munich"``, a ``Place``; remove
        by city name or label). ``clear=[...]`` clears fields by field or flag name
        (``"nickname"``, ``"tags"``, ``"met-at"``). ``cadence`` takes ``6m``/``1y``/``90d``.
        Removing the preferred channel clears ``preferred``; ``do_not_invite=False`` clears the
        reason. Raises ValidationError naming the field; nothing is stored then.
        """
        contact_id = self.find_contact(ref_or_id).id
        now = self.now()
        return self._update("contact", contact_id, lambda c: contactbook.apply(c, changes, self._place_for, now))

    def remove_contact(self, ref_or_id: str) -> RemovedContact:
        """Delete a contact. Their live meetups are cancelled (kept, same UID, so a re-exported
        calendar drops them); a group meetup goes on without them unless nobody is left."""
        contact_id = self.find_contact(ref_or_id).id
        now = self.now()
        with self.store.transaction():
            contact = self.store.contact(contact_id)
            cancelled: list[Meetup] = []
            dropped: list[Meetup] = []
            for m in self.store.meetups():
                if contact_id not in m.contact_ids:
                    continue
                others = tuple(cid for cid in m.contact_ids if cid != contact_id)
                if others:
                    dropped.append(replace(m, contact_ids=others, sequence=m.sequence + 1, updated=now))
                elif m.status in _LIVE:
                    cancelled.append(replace(m, status=MeetupStatus.CANCELLED, sequence=m.sequence + 1, updated=now))
            if cancelled or dropped:
                self.store.put_meetups([*cancelled, *dropped])
            self.store.delete_contact(contact_id)
        return RemovedContact(contact, tuple(cancelled), tuple(dropped))

    def merge_contacts(self, keep_ref: str, gone_ref: str) -> Merged:
        """Fold contact B (``gone_ref``) into A (``keep_ref``): lists united, A's fields win and
        B's fill A's blanks (last seen/contacted: the later; met on: the earlier; notes: both),
        B's meetups move to A, and B is removed."""
        a_id = self.find_contact(keep_ref).id
        b_id = self.find_contact(gone_ref).id
        if a_id == b_id:
            raise ValidationError("contact", "cannot merge a contact with itself")
        now = self.now()
        with self.store.transaction():
            a, b = self.store.contact(a_id), self.store.contact(b_id)
            merged = merge_contact_records(a, b)
            moved = contactbook.repoint_meetups(self.store.meetups(), b_id, a_id, now)
            self.store.put_contact(merged)
            if moved:
                self.store.put_meetups(moved)
            self.store.delete_contact(b_id)
        return Merged(merged, b, tuple(moved))

    def find_duplicates(self, contact: Contact) -> list[Duplicate]:
        """Stored contacts that are likely the same person: same email, same LinkedIn URL, or
        the same name (ignoring case and accents) and a shared city. ``contact`` itself is skipped."""
        return find_duplicates(contact, self.store.contacts())

    def meetups_with(self, contact_id: str) -> list[Meetup]:
        """Every meetup with this person, any trip and status, earliest first."""
        return sorted((m for m in self.store.meetups() if contact_id in m.contact_ids), key=lambda m: (m.start, m.id))

    def meetups(self, trip_id: str | None = None) -> list[Meetup]:
        return sorted(self.store.meetups(trip_id), key=lambda m: (m.start, m.id))

    def _place_for(self, text: str | Place) -> Place:
        return self.resolve(text)

    # -- writes: read-modify-write on fresh state ---------------------------------------------

    def _update(self, kind: str, record_id: str, change: Callable[[Any], Any]) -> Any:
        """Read the fresh ``kind`` record, pass it to ``change``, store what it returns."""
        get, put = {
            "contact": (self.store.contact, self.store.put_contact),
            "trip": (self.store.trip, self.store.put_trip),
        }[kind]
        with self.store.transaction():
            old = get(record_id)
            new = change(old)
            if type(new) is not type(old):
                raise TypeError(f"the change must return a {type(old).__name__}, not {type(new).__name__}")
            if new.id != old.id:
                raise ValueError(f"the change may not change the id ({old.id} -> {new.id})")
            if new != old:
                put(new)
            return new

    def near(self, place: Place, radius_km: float | None = None) -> list[Nearby]:
        """Contacts with a place near ``place``, nearest first (one row per contact)."""
        radius = _radius(self.settings.radius_km if radius_km is None else radius_km)
        rows = [Nearby(c, p, km) for c, p, km in planner.nearest_places(place, self.store.contacts(), radius)]
        return sorted(rows, key=lambda n: (n.distance_km, n.contact.name.casefold()))

    def find_contact(self, ref: str) -> Contact:
        return _find("contact", ref, self.store.contacts(), _contact_names, _contact_label)

    # -- trips ----------------------------------------------------------------------------

    def trips(self) -> list[Trip]:
        return sorted(self.store.trips(), key=lambda t: (t.start, t.name.casefold(), t.id))

    def add_trip(self, city: str | Place, start: date | str, end: date | str, *, name: str | None = None) -> Trip:
        start_d = parse_date(start, "from")
        end_d = parse_date(end, "to")
        if end_d < start_d:
            raise ValidationError("to", f"the trip ends ({end_d.isoformat()}) before it starts ({start_d.isoformat()})")
        place = self.resolve(city)
        trip = Trip(
            id=self._new_id(),
            name=(name or "").strip() or f"{place.name}, {start_d:%b %Y}",
            destination=place,
            start=start_d,
            end=end_d,
        )
        with self.store.transaction():
            self.store.put_trip(trip)
        return trip

    def find_trip(self, ref: str) -> Trip:
        return _find("trip", ref, self.store.trips(), lambda t: t.name, _trip_label)

    def trip_is_over(self, trip: Trip) -> bool:
        """True once the trip's last day has ended in its own zone: nothing is left to plan."""
        if trip.end >= MAX_DATE:
            return False
        return self.now() >= trip.window()[1]
    def edit_trip(
        self,
        ref_or_id: str,
        *,
        name: str | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
        city: str | Place | None = None,
    ) -> Trip:
        """Rename a trip, move its dates or its city (``None`` leaves a part as it is).
        Meetup ideas follow on the next plan or export; other meetups stay as they are."""
        trip_id = self.find_trip(ref_or_id).id
        place = self.resolve(city) if city is not None and (not isinstance(city, str) or city.strip()) else None
        if isinstance(city, str) and not city.strip():
            raise ValidationError("city", "must not be empty")
        new_start = parse_date(start, "from") if start not in (None, "") else None
        new_end = parse_date(end, "to") if end not in (None, "") else None

        def change(t: Trip) -> Trip:
            s_, e_ = new_start or t.start, new_end or t.end
            if e_ < s_:
                raise ValidationError("to", f"the trip ends ({e_.isoformat()}) before it starts ({s_.isoformat()})")
            return replace(
                t,
                name=t.name if name is None else name,
                start=s_,
                end=e_,
                destination=place or t.destination,
            )

        return self._update("trip", trip_id, change)

    def remove_trip(self, ref_or_id: str, *, force: bool = False) -> RemovedTrip:
        """Delete a trip and its meetups. A trip with meetups beyond the idea stage (invited,
        confirmed, met) is refused with :class:`TripHasMeetups` unless ``force``."""
        trip_id = self.find_trip(ref_or_id).id
        with self.store.transaction():
            trip = self.store.trip(trip_id)
            meetups = tuple(self.store.meetups(trip_id))
            real = [m for m in meetups if m.status in (MeetupStatus.INVITED, MeetupStatus.CONFIRMED, MeetupStatus.MET)]
            if real and not force:
                raise TripHasMeetups(trip, real)
            self.store.delete_trip(trip_id)
        return RemovedTrip(trip, meetups)

    # -- planning -------------------------------------------------------------------------

    def plan(self, trip: Trip, *, radius_km: float | None = None) -> planner.Plan:
        _check_calendar_dates(trip)
        return planner.plan(
            trip,
            self.store.contacts(),
            now=self.now(),
            planned=self.store.meetups(trip.id),
            radius_km=_radius(self.settings.radius_km if radius_km is None else radius_km),
        )

    def draft(
        self, trip: Trip, contact: Contact, *, channel: Channel | str = Channel.EMAIL, the_plan: planner.Plan | None = None
    ) -> drafts.Draft:
        the_plan = the_plan or self.plan(trip)
        proposal = the_plan.for_contact(contact.id)
        if proposal is None:
            if contact.do_not_invite:
                raise ValidationError("contact", f"{contact.name} is marked do-not-invite")
            raise ValidationError(
                "contact",
                f"{contact.name} is not within {self.settings.radius_km:g} km of {trip.destination.label()}",
            )
        return drafts.draft(proposal, trip, self.profile(), channel=channel, today=self.now().date())

    def sync_ideas(self, trip: Trip, the_plan: planner.Plan | None = None) -> list[Meetup]:
        """Store the plan's proposals as meetup ideas (see :func:`planner.sync_ideas`).

        Decided under the store's write lock on the trip, contacts and meetups as stored now:
        two exports at once (a second terminal, the TUI after the CLI) see each other's ideas
        instead of each creating its own. So the plan is made there too, and ``the_plan`` (what
        the caller showed, perhaps before another irlmeet changed the data) is not used; it is
        accepted so callers need not care.
        """
        del the_plan
        with self.store.transaction():
            current = self.store.trip(trip.id)  # NotFound if another irlmeet deleted it
            fresh = self.plan(current)
            changed = planner.sync_ideas(fresh, self.store.meetups(trip.id), now=self.now(), new_id=self._new_id)
            if changed:
                self.store.put_meetups(changed)
        return changed

    def export_ics(self, trip: Trip, path: Path, *, the_plan: planner.Plan | None = None) -> ExportResult:
        """Write the trip's meetups to ``path``; current proposals go in as tentative ideas."""
        changed = self.sync_ideas(trip, the_plan)
        trip = self.store.trip(trip.id)
        meetups = self.store.meetups(trip.id)
        wanted = {cid for m in meetups for cid in m.contact_ids}
        contacts = {c.id: c for c in self.store.contacts() if c.id in wanted}
        data = ics.build_calendar(trip, meetups, contacts, now=self.now(), user_tz=self.user_tz())
        ics.write_ics(path, data)
        live = sum(1 for m in meetups if m.status not in (MeetupStatus.CANCELLED, MeetupStatus.DECLINED))
        return ExportResult(path, live, len(changed))

    # -- imports, triage, vCard export (issue 9) --------------------------------------------

    def import_contacts(
        self,
        kind: str,
        path: Path | str,
        *,
        dry_run: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> Any:
        """Bring the people of an export in (see :mod:`irlmeet.core.intake`); returns an
        :class:`~irlmeet.core.intake.ImportReport`.

        The file is read and its cities resolved before the store's lock is taken; matching
        and the one write happen under it, on the contacts as stored then. All good rows come in
        at once or none do. ``dry_run`` decides the same but writes nothing. ``progress(phase,
        done, total)`` is called while reading (``"reading"``) and matching (``"matching"``).
        A file that is not what ``kind`` expects raises ImportFileError; nothing is written.
        """
        from irlmeet.core import imports, intake

        path = Path(path)
        report = intake.ImportReport(kind, path, dry_run)
        records: list[imports.ImportedContact] = []
        reading = (lambda done, total: progress("reading", done, total)) if progress else None
        for item in imports.scan(kind, path, progress=reading):
            if isinstance(item, imports.ImportedContact):
                records.append(item)
            elif isinstance(item, imports.ImportProblem):
                report.problems.append(item)
            else:
                report.skips.append(item)
        home = self.profile().home
        home_cc = home.country_code if home else None
        lookup = intake.PlaceLookup(lambda text, cc: self.places.resolve(text, home_country=cc or home_cc))
        prepared: list[intake.Prepared] = []
        for n, rec in enumerate(records, 1):
            ref = rec.source
            try:
                item = intake.prepare(rec, lookup, self._new_id)
            except ValidationError as exc:
                report.problems.append(imports.ImportProblem(ref.file, ref.line, f"{rec.name}: {exc}; not imported", ref.card))
                continue
            for why in item.dropped:
                report.problems.append(imports.ImportProblem(ref.file, ref.line, f"{rec.name}: {why}; imported without it", ref.card))
            prepared.append(item)
            if progress and n % 1000 == 0:
                progress("matching", n, len(records))
        report.places_looked_up = lookup.distinct
        report.problems.sort(key=lambda p: (str(p.file), p.line or 0, p.card or 0))
        if dry_run:
            intake.plan_import(prepared, self.store.contacts(), report)
        else:
            with self.store.transaction():
                intake.plan_import(prepared, self.store.contacts(), report)
                if report.changed:
                    self.store.put_contacts(report.changed)
        if progress:
            progress("matching", len(records), len(records))
        return report

    def preview_import(self, kind: str, path: Path | str, limit: int = 5) -> tuple[list[Any], list[Any], int]:
        """The first ``limit`` people of an export (records as read, nothing stored), the
        problems met on the way and how many were skipped; ImportFileError for a wrong file."""
        from irlmeet.core import imports

        records: list[Any] = []
        problems: list[Any] = []
        skipped = 0
        for item in imports.scan(kind, Path(path)):
            if isinstance(item, imports.ImportedContact):
                records.append(item)
                if len(records) >= limit:
                    break
            elif isinstance(item, imports.ImportProblem):
                problems.append(item)
            else:
                skipped += 1
        return records, problems, skipped

    def triage(self) -> list[Contact]:
        """Contacts the planner cannot use yet or whose circle an import could not tell: no
        city, or ``circle_open``. Imported ones first, then by company and name."""
        out = [c for c in self.store.contacts() if not c.places or c.circle_open]
        return sorted(out, key=lambda c: (not c.sources, c.company.casefold(), c.name.casefold(), c.id))

    def answer_triage(
        self,
        contact_ids: Iterable[str],
        *,
        city: str | Place | None = None,
        circle: str | None = None,
        how_we_met: str | None = None,
    ) -> list[Contact]:
        """Place several contacts at once: add ``city`` (resolved once) as a home city if they
        have none, set ``circle`` (which settles it), and ``how_we_met`` where given."""
        place = self.resolve(city) if city is not None and (not isinstance(city, str) or city.strip()) else None
        now = self.now()
        changed: list[Contact] = []
        with self.store.transaction():
            for cid in dict.fromkeys(contact_ids):
                old = self.store.contact(cid)
                changes: dict[str, Any] = {}
                if place is not None and all(p.place != place for p in old.places):
                    changes["add_places"] = [(PlaceLabel.HOME if not old.places else PlaceLabel.OTHER, place)]
                if circle:
                    changes["circle"] = circle
                if how_we_met is not None and how_we_met.strip():
                    changes["how_we_met"] = how_we_met
                new = contactbook.apply(old, changes, self._place_for, now) if changes else old
                if circle:
                    new = replace(new, circle_open=False)
                if new != old:
                    changed.append(new)
            if changed:
                self.store.put_contacts(changed)
        return changed

    def complete_city(self, prefix: str, limit: int = 8) -> list[str]:
        """Cities for a half-typed name, biggest first, as text :meth:`resolve` takes back."""
        home = self.profile().home
        places = self.places.candidates(prefix, home_country=home.country_code if home else None, limit=limit)
        return list(dict.fromkeys(p.label() for p in places))

    def export_vcard(self, path: Path | None = None) -> tuple[bytes, int]:
        """Every contact as vCard 4.0 (see :mod:`irlmeet.core.vcard_out`; private notes never go
        out). Written atomically to ``path`` when given (irlmeet's own files are refused); the
        bytes and the number of cards are returned either way."""
        from irlmeet.core import vcard_out

        contacts = self.contacts()
        data = vcard_out.build_vcards(contacts)
        if path is not None:
            vcard_out.write_vcards(path, data, protected=[self.store.path])
        return data, len(contacts)


# ----------------------------------------------------------------------------------------------


def _radius(radius: float) -> float:
    # "not <=" also refuses NaN.
    if not 0 < radius <= MAX_RADIUS_KM:
        raise ValidationError(
            "radius", f"{radius:g} km: the radius must be more than 0 and at most {MAX_RADIUS_KM:g} km"
        )
    return radius


def _check_calendar_dates(trip: Trip) -> None:
    """A trip stored by an older irlmeet may lie outside the dates a calendar can hold: say so
    instead of failing deep inside the planner or the .ics writer."""
    if trip.start < MIN_DATE or trip.end > MAX_DATE:
        raise ValidationError(
            "trip",
            f"{trip.name} runs {trip.start.isoformat()} to {trip.end.isoformat()}, outside the dates "
            f"irlmeet can plan ({MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}); add it again with "
            "the right dates",
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _shared_uids(meetups: Iterable[Meetup]) -> list[list[Meetup]]:
    """The sets of meetups that share one calendar UID (each set has two or more)."""
    by_uid: dict[str, list[Meetup]] = {}
    for m in meetups:
        by_uid.setdefault(m.uid, []).append(m)
    return [group for group in by_uid.values() if len(group) > 1]
_LIVE = (MeetupStatus.IDEA, MeetupStatus.INVITED, MeetupStatus.CONFIRMED)


def _has_label(spec: Any) -> bool:
    return isinstance(spec, str) and "=" in spec


def _contact_names(c: Contact) -> tuple[str, ...]:
    return (c.name, c.nickname) if c.nickname else (c.name,)


def _contact_label(c: Contact) -> str:
    cities = "; ".join(p.place.short_label() for p in c.places)
    name = f"{c.name} \"{c.nickname}\"" if c.nickname else c.name
    return f"{name} ({cities})" if cities else name


def _trip_label(t: Trip) -> str:
    return f"{t.name} ({t.destination.short_label()}, {t.start.isoformat()} to {t.end.isoformat()})"


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: ``Zoë`` and ``zoe`` match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _find(kind, ref, items, name_of, label_of):
    """An id, then an exact name, then names with a word starting with ``ref``, then names
    containing it (any case or accents; ``name_of`` may give several names); else a clear error."""
    ref = str(ref).strip()
    if not ref:
        raise ValidationError(kind, "give an id or a name")
    items = list(items)
    for item in items:
        if item.id == ref:
            return item
    folded = _fold(ref)

    def names(item) -> list[str]:
        got = name_of(item)
        return [_fold(n) for n in ((got,) if isinstance(got, str) else got)]

    word = re.compile(r"(?:^|[\s\-'.])" + re.escape(folded))
    tiers = (
        lambda n: n == folded,
        lambda n: word.search(n) is not None,
        lambda n: folded in n,
    )
    for test in tiers:
        found = [i for i in items if any(test(n) for n in names(i))]
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousName(kind, ref, [(i.id, label_of(i)) for i in found[:20]])
    from rapidfuzz import fuzz, process

    def first_name(item) -> str:
        got = name_of(item)
        return got if isinstance(got, str) else got[0]

    all_names = {i.id: first_name(i) for i in items}
    close = process.extract(ref, all_names, scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    by_id = {i.id: i for i in items}
    raise NotFound(
        kind,
        ref,
        [f"{key}  {label_of(by_id[key])}" for _match, _score, key in close],
        existing=[f"{i.id}  {label_of(i)}" for i in sorted(items, key=lambda i: first_name(i).casefold())[: NotFound.MAX_LISTED]],
        total=len(items),
        see_all=f"irlmeet {kind} list",
    )


def _system_zone() -> str:
    """The system's IANA zone name: TZ, then /etc/localtime, else UTC."""
    import os

    from zoneinfo import ZoneInfo

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    target = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in target:
        candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name and "/" in name:
            try:
                ZoneInfo(name)
            except Exception:  # noqa: BLE001 - any unusable name falls through to the next
                continue
            return name
    return "UTC"
