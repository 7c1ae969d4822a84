"""The use cases: what the CLI and the TUI both do, in one place.

:class:`Service` holds the store, the place index (loaded on first use: it costs ~0.1-1 s), a
clock and an id factory, all injected by the composition root so tests are deterministic. The
CLI calls it directly; the TUI calls it from worker threads. Every method either returns domain
objects or raises an :class:`~irlmeet.core.errors.IrlmeetError` with a message for the user.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from irlmeet.core import drafts, ics, planner
from irlmeet.core.directory import Directory
from irlmeet.core.errors import AmbiguousName, NotFound, ValidationError
from irlmeet.core.models import (
    Channel,
    Circle,
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

__all__ = ["ExportResult", "Nearby", "Service"]


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
        profile = self.profile()
        if name is not None:
            profile = replace(profile, name=name)
        if home is not None:
            profile = replace(profile, home=self.resolve(home) if home.strip() else None)
        self.store.set_profile(profile)
        return profile

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
        city: str | Place,
        *,
        emails: Iterable[str] = (),
        circle: Circle | str = Circle.PROFESSIONAL,
        how_we_met: str = "",
        met_on: date | str | None = None,
        last_seen: date | str | None = None,
        tags: Iterable[str] = (),
        notes: str = "",
        label: PlaceLabel | str = PlaceLabel.HOME,
    ) -> Contact:
        if not str(name).strip():
            raise ValidationError("name", "must not be empty")
        place = self.resolve(city)
        contact = Contact(
            id=self._new_id(),
            name=name,
            places=(ContactPlace(place, label),),
            circle=circle,
            how_we_met=how_we_met,
            met_on=parse_date(met_on, "met_on") if met_on else None,
            last_seen=parse_date(last_seen, "last_seen") if last_seen else None,
            emails=tuple(emails),
            tags=tuple(tags),
            notes=notes,
        )
        today = self.now().date()
        for field, value in (("last_seen", contact.last_seen), ("met_on", contact.met_on)):
            if value is not None and value > today:
                raise ValidationError(field, f"{value.isoformat()} is in the future")
        self.store.put_contact(contact)
        return contact

    def near(self, place: Place, radius_km: float | None = None) -> list[Nearby]:
        """Contacts with a place near ``place``, nearest first (one row per contact)."""
        radius = self.settings.radius_km if radius_km is None else radius_km
        if radius <= 0:
            raise ValidationError("radius", f"{radius:g} km: the radius must be more than 0")
        rows = [Nearby(c, p, km) for c, p, km in planner.nearest_places(place, self.store.contacts(), radius)]
        return sorted(rows, key=lambda n: (n.distance_km, n.contact.name.casefold()))

    def find_contact(self, ref: str) -> Contact:
        return _find("contact", ref, self.store.contacts(), lambda c: c.name, _contact_label)

    def contact_directory(self) -> Directory:
        """Every contact, sorted by name, ready for search as you type (see core.directory)."""
        return Directory(self.store.contacts())

    def meetups_with(self, contact_id: str) -> list[tuple[Meetup, Trip | None]]:
        """Every meetup with this person (past and planned), oldest first, with its trip."""
        trips = {t.id: t for t in self.store.trips()}
        rows = [(m, trips.get(m.trip_id)) for m in self.store.meetups() if contact_id in m.contact_ids]
        return sorted(rows, key=lambda row: (row[0].start, row[0].id))

    #: What ``edit_contact`` can change; ``city`` is resolved like ``add_contact``'s.
    CONTACT_EDITABLE = frozenset(
        {"name", "city", "emails", "phones", "circle", "how_we_met", "met_on", "last_seen", "last_contacted",
         "tags", "notes", "cadence_days", "do_not_invite", "handles"}
    )

    def edit_contact(self, contact_id: str, **changes) -> Contact:
        """Change some fields of a contact; everything is checked before anything is stored."""
        old = self.store.contact(contact_id)
        unknown = sorted(set(changes) - self.CONTACT_EDITABLE)
        if unknown:
            raise ValidationError(unknown[0], "is not a field a contact has")
        fields = dict(changes)
        if "name" in fields and not str(fields["name"]).strip():
            raise ValidationError("name", "must not be empty")
        if "city" in fields:
            city = fields.pop("city")
            label = old.places[0].label if old.places else PlaceLabel.HOME
            fields["places"] = (ContactPlace(self.resolve(city), label), *old.places[1:])
        for key in ("met_on", "last_seen", "last_contacted"):
            if key in fields and fields[key] not in (None, ""):
                fields[key] = parse_date(fields[key], key)
            elif key in fields:
                fields[key] = None
        contact = replace(old, **fields)
        self._check_past(contact)
        if contact != old:
            self.store.put_contact(contact)
        return contact

    def remove_contact(self, contact_id: str) -> None:
        """Delete a contact; meetups with them are cancelled (so calendars drop them), not left dangling."""
        self.store.contact(contact_id)  # NotFound for an unknown id
        now = self.now()
        changed: list[Meetup] = []
        for m in self.store.meetups():
            if contact_id not in m.contact_ids or m.status in (MeetupStatus.CANCELLED, MeetupStatus.MET):
                continue
            changed.append(replace(m, status=MeetupStatus.CANCELLED, sequence=m.sequence + 1, updated=now))
        if changed:
            self.store.put_meetups(changed)
        self.store.delete_contact(contact_id)

    def _check_past(self, contact: Contact) -> None:
        today = self.now().date()
        for field, value in (("last_seen", contact.last_seen), ("met_on", contact.met_on), ("last_contacted", contact.last_contacted)):
            if value is not None and value > today:
                raise ValidationError(field, f"{value.isoformat()} is in the future")

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
        self.store.put_trip(trip)
        return trip

    def find_trip(self, ref: str) -> Trip:
        return _find("trip", ref, self.store.trips(), lambda t: t.name, _trip_label)

    def edit_trip(self, trip_id: str, **changes) -> Trip:
        """Change a trip's ``name``, ``city`` (or ``destination``), ``start`` or ``end``."""
        old = self.store.trip(trip_id)
        unknown = sorted(set(changes) - {"name", "city", "destination", "start", "end"})
        if unknown:
            raise ValidationError(unknown[0], "is not a field a trip has")
        fields: dict = {}
        if "start" in changes:
            fields["start"] = parse_date(changes["start"], "from")
        if "end" in changes:
            fields["end"] = parse_date(changes["end"], "to")
        start, end = fields.get("start", old.start), fields.get("end", old.end)
        if end < start:
            raise ValidationError("to", f"the trip ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        city = changes.get("city", changes.get("destination"))
        if city is not None:
            fields["destination"] = self.resolve(city)
        if "name" in changes:
            place = fields.get("destination", old.destination)
            fields["name"] = (changes["name"] or "").strip() or f"{place.name}, {start:%b %Y}"
        trip = replace(old, **fields)
        if trip != old:
            self.store.put_trip(trip)
        return trip

    def remove_trip(self, trip_id: str) -> None:
        """Delete a trip and the meetups planned on it (one all-or-nothing write)."""
        self.store.trip(trip_id)  # NotFound for an unknown id
        self.store.delete_trip(trip_id)

    # -- places and live data -------------------------------------------------------------

    def place_names(self, prefix: str, *, limit: int = 8) -> list[str]:
        """City names for completing what the user is typing (``"Mün"`` -> ``"München, Bavaria, Germany"``)."""
        home = self.profile().home
        return [p.label() for p in self.places.candidates(prefix, home_country=home.country_code if home else None, limit=limit)]

    def changed_on_disk(self) -> bool:
        """Whether another process wrote the data file since we last read it (two stat calls)."""
        return self.store.changed_on_disk()

    def reload(self) -> None:
        """Pick up what other processes wrote (reads only what changed)."""
        self.store.reload()

    # -- planning -------------------------------------------------------------------------

    def plan(self, trip: Trip, *, radius_km: float | None = None) -> planner.Plan:
        return planner.plan(
            trip,
            self.store.contacts(),
            now=self.now(),
            planned=self.store.meetups(trip.id),
            radius_km=self.settings.radius_km if radius_km is None else radius_km,
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
        """Store the plan's proposals as meetup ideas (see :func:`planner.sync_ideas`)."""
        the_plan = the_plan or self.plan(trip)
        changed = planner.sync_ideas(the_plan, self.store.meetups(trip.id), now=self.now(), new_id=self._new_id)
        if changed:
            self.store.put_meetups(changed)
        return changed

    def export_ics(self, trip: Trip, path: Path, *, the_plan: planner.Plan | None = None) -> ExportResult:
        """Write the trip's meetups to ``path``; current proposals go in as tentative ideas."""
        changed = self.sync_ideas(trip, the_plan)
        meetups = self.store.meetups(trip.id)
        wanted = {cid for m in meetups for cid in m.contact_ids}
        contacts = {c.id: c for c in self.store.contacts() if c.id in wanted}
        data = ics.build_calendar(trip, meetups, contacts, now=self.now(), user_tz=self.user_tz())
        ics.write_ics(path, data)
        live = sum(1 for m in meetups if m.status not in (MeetupStatus.CANCELLED, MeetupStatus.DECLINED))
        return ExportResult(path, live, len(changed))


# ----------------------------------------------------------------------------------------------


def _contact_label(c: Contact) -> str:
    home = c.home
    return f"{c.name} ({home.short_label()})" if home else c.name


def _trip_label(t: Trip) -> str:
    return f"{t.name} ({t.destination.short_label()}, {t.start.isoformat()} to {t.end.isoformat()})"


def _find(kind, ref, items, name_of, label_of):
    """An id, an exact name (any case), or a unique part of a name; else a clear error."""
    ref = str(ref).strip()
    if not ref:
        raise ValidationError(kind, "give an id or a name")
    items = list(items)
    for item in items:
        if item.id == ref:
            return item
    folded = ref.casefold()
    exact = [i for i in items if name_of(i).casefold() == folded]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [i for i in items if folded in name_of(i).casefold()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AmbiguousName(kind, ref, [(i.id, label_of(i)) for i in partial[:20]])
    from rapidfuzz import fuzz, process

    names = {i.id: name_of(i) for i in items}
    close = process.extract(ref, names, scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    raise NotFound(kind, ref, [match for match, _score, _key in close])


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
