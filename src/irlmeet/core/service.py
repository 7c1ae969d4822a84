"""The use cases: what the CLI and the TUI both do, in one place.

:class:`Service` holds the store, the place index (loaded on first use: it costs ~0.1-1 s), a
clock and an id factory, all injected by the composition root so tests are deterministic. The
CLI calls it directly; the TUI calls it from worker threads. Every method either returns domain
objects or raises an :class:`~irlmeet.core.errors.IrlmeetError` with a message for the user.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from irlmeet.core import agenda as agenda_mod
from irlmeet.core import lifecycle
from irlmeet.core.errors import (
    AmbiguousName,
    LikelyDuplicate,
    LookupFailed,
    NotFound,
    TripHasMeetups,
    ValidationError,
    WrongMove,
)
from irlmeet.core.lifecycle import Conflict
from irlmeet.core.models import (
    MAX_DATE,
    MAX_RADIUS_KM,
    MIN_DATE,
    RSVP_ANSWERS,
    BusyBlock,
    Channel,
    Contact,
    ContactPlace,
    Meetup,
    MeetupKind,
    MeetupStatus,
    Place,
    PlaceLabel,
    Profile,
    Trip,
    parse_date,
)
from irlmeet.core.settings import Settings
from irlmeet.core.store import Store

if TYPE_CHECKING:
    from irlmeet.core import drafts, planner
    from irlmeet.core.contactbook import Duplicate
    from irlmeet.core.directory import Directory
    from irlmeet.core.places import PlaceIndex

# The modules a use case needs (contactbook, drafts, ics, output, planner, places, directory)
# are imported by the methods that use them: `trip list` loads none of them, and a plan loads
# no calendar or draft code (issue 10: imports only when used).


def __getattr__(name: str) -> Any:  # ``from irlmeet.core.service import Duplicate`` still works
    if name == "Duplicate":
        from irlmeet.core.contactbook import Duplicate

        return Duplicate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "ActionResult",
    "Debrief",
    "Duplicate",
    "ExportResult",
    "MeetupView",
    "Merged",
    "Nearby",
    "RemovedContact",
    "RemovedTrip",
    "Service",
]


@dataclass(frozen=True, slots=True)
class Nearby:
    contact: Contact
    place: Place
    distance_km: float


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path | None  # None: written to a stream (``-o -``)
    events: int  # meetups written as live events (tentative or confirmed)
    changed: int  # meetup ideas created, moved or dropped by this export
    cancelled: int = 0  # written as CANCELLED, so calendars that hold them drop them


@dataclass(frozen=True, slots=True)
class MeetupView:
    """A meetup with what a front end shows beside it."""

    meetup: Meetup
    trip: Trip
    people: tuple[Contact | None, ...]  # None: someone no longer in the contacts
    label: str  # "Ada's coffee", for messages
    conflict: Conflict | None  # why its time is no longer possible (held meetups only)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name if p else "someone removed" for p in self.people)


@dataclass(frozen=True, slots=True)
class ActionResult:
    before: Meetup
    meetup: Meetup  # as stored now
    view: MeetupView
    contacts: tuple[Contact, ...] = ()  # people whose last seen / last contacted moved (``met``)


@dataclass(frozen=True, slots=True)
class Debrief:
    trip: Trip
    over: bool  # the trip's last day has ended
    to_record: tuple[MeetupView, ...]  # planned, invited or confirmed, and their time has come
    recorded: tuple[MeetupView, ...]  # met, missed, declined, cancelled, skipped


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
        from irlmeet.core import contactbook
        from irlmeet.core.contactbook import find_duplicates

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
        from irlmeet.core import contactbook

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
        from irlmeet.core import contactbook

        a_id = self.find_contact(keep_ref).id
        b_id = self.find_contact(gone_ref).id
        if a_id == b_id:
            raise ValidationError("contact", "cannot merge a contact with itself")
        now = self.now()
        with self.store.transaction():
            a, b = self.store.contact(a_id), self.store.contact(b_id)
            merged = contactbook.merge_contact_records(a, b)
            moved = contactbook.repoint_meetups(self.store.meetups(), b_id, a_id, now)
            self.store.put_contact(merged)
            if moved:
                self.store.put_meetups(moved)
            self.store.delete_contact(b_id)
        return Merged(merged, b, tuple(moved))

    def find_duplicates(self, contact: Contact) -> list[Duplicate]:
        """Stored contacts that are likely the same person: same email, same LinkedIn URL, or
        the same name (ignoring case and accents) and a shared city. ``contact`` itself is skipped."""
        from irlmeet.core.contactbook import find_duplicates

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
        from irlmeet.core import planner

        radius = _radius(self.settings.radius_km if radius_km is None else radius_km)
        rows = [Nearby(c, p, km) for c, p, km in planner.nearest_places(place, self._contacts_near(place, radius), radius)]
        return sorted(rows, key=lambda n: (n.distance_km, n.contact.name.casefold()))

    def _contacts_near(self, place: Place, radius_km: float) -> list[Contact]:
        """Only the contacts with a place near ``place``, decoding no others: the store's index
        is filtered with the planner's own test, so nobody the planner would keep is left out."""
        from irlmeet.core.places import near_filter

        # The store gives a superset (the points in the destination's latitude band, or in its
        # metro) straight from its index; near_filter applies the planner's exact test to those.
        near = near_filter(place, self.store.contact_points_near(place.lat, radius_km, place.metro), radius_km)
        return self.store.contacts_by_id(cid for cid, _point, _km in near)

    def contact_count(self) -> int:
        """How many contacts there are, decoding none."""
        return self.store.count("contacts")

    def contact_names(self) -> list[tuple[str, str]]:
        """``(id, name)`` of every contact, sorted by name, decoding none (for long lists)."""
        return sorted(self.store.contact_names(), key=lambda row: (row[1].casefold(), row[0]))

    def find_contact(self, ref: str) -> Contact:
        if str(ref).strip() in self.store.contact_ids():  # an id: what _find tries first
            return self.store.contact(str(ref).strip())
        return _find("contact", ref, self.store.contacts(), _contact_names, _contact_label)

    def contact_directory(self) -> Directory:
        """Every contact, sorted by name, ready for search as you type (see core.directory).

        Built from the stored documents: a contact is decoded (and checked) when it is shown,
        so the contacts screen at 30k lists everyone without decoding everyone first."""
        from irlmeet.core.directory import Directory
        from irlmeet.core.fsutil import gc_paused

        with gc_paused():  # 30k documents and strings, none of them cyclic: 0.96 s -> 0.47 s at 30k
            return Directory.from_documents(self.store.contact_documents(), self.store.contact)

    # -- trips ----------------------------------------------------------------------------

    def trips(self) -> list[Trip]:
        return sorted(self.store.trips(), key=lambda t: (t.start, t.name.casefold(), t.id))

    def add_trip(
        self, city: str | Place, start: date | str, end: date | str, *, name: str | None = None,
        arrive: str | None = None, leave: str | None = None, weekends: bool = False,
    ) -> Trip:
        """A new trip. ``arrive``/``leave``: ``HH:MM`` on the first/last day (None: the config's
        defaults); ``weekends``: professional meetups may fall on Saturday and Sunday."""
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
            arrive=arrive,
            leave=leave,
            weekends=weekends,
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
        arrive: str | None = None,
        leave: str | None = None,
        weekends: bool | None = None,
    ) -> Trip:
        """Rename a trip, move its dates or its city, set its arrival/departure times (``HH:MM``;
        "" goes back to the config's default) or whether work meetups may fall on weekends
        (``None`` leaves a part as it is).
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
                arrive=t.arrive if arrive is None else (arrive or None),
                leave=t.leave if leave is None else (leave or None),
                weekends=t.weekends if weekends is None else weekends,
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

    # -- places and live data -------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """Whether another process wrote the data file since we last read it (two stat calls)."""
        return self.store.changed_on_disk()

    def reload(self) -> None:
        """Pick up what other processes wrote (reads only what changed)."""
        self.store.reload()

    # -- planning -------------------------------------------------------------------------

    def plan(self, trip: Trip, *, radius_km: float | None = None) -> planner.Plan:
        from irlmeet.core import planner

        _check_calendar_dates(trip)
        radius = _radius(self.settings.radius_km if radius_km is None else radius_km)
        return planner.plan(
            trip,
            self._contacts_near(trip.destination, radius),
            now=self.now(),
            planned=self.store.meetups(trip.id),
            radius_km=radius,
            rules=self.settings.planning,
            history=self.store.meetups(),
        )

    # -- busy time and group evenings (issue 7 items 3, 6) ------------------------------------

    def busy(self, trip_ref: str) -> list[BusyBlock]:
        """The trip's busy blocks, earliest first."""
        return list(self.find_trip(trip_ref).busy)

    def add_busy(self, trip_ref: str, start: datetime | str, end: datetime | str, title: str = "") -> BusyBlock:
        """Block time on a trip. ``start``/``end``: aware datetimes, or ``YYYY-MM-DD HH:MM`` in
        the trip's zone. Refused (ValidationError naming ``from``/``to``) when a time does not
        exist there (a DST gap), the end is not after the start, or it lies outside the trip."""
        trip_id = self.find_trip(trip_ref).id

        def change(t: Trip) -> Trip:
            s_, e_ = local_time(start, t, "from"), local_time(end, t, "to")
            if e_ <= s_:
                raise ValidationError("to", f"{e_:%Y-%m-%d %H:%M} is not after the start {s_:%Y-%m-%d %H:%M}")
            first, after = t.window()
            if s_ < first or s_ >= after:
                raise ValidationError("from", f"{s_:%Y-%m-%d %H:%M} is outside the trip ({t.start} to {t.end})")
            if e_ > after:
                raise ValidationError("to", f"{e_:%Y-%m-%d %H:%M} is outside the trip ({t.start} to {t.end})")
            block = BusyBlock(s_, e_, title, id=self._new_id())
            made.append(block)
            return replace(t, busy=(*t.busy, block))

        made: list[BusyBlock] = []
        self._update("trip", trip_id, change)
        return made[-1]

    def remove_busy(self, busy_id: str) -> BusyBlock:
        """Remove a busy block by its id (from any trip); NotFound lists the trips' blocks."""
        busy_id = str(busy_id).strip()
        with self.store.transaction():
            for t in self.store.trips():
                for b in t.busy:
                    if b.id and b.id == busy_id:
                        self.store.put_trip(replace(t, busy=tuple(x for x in t.busy if x is not b)))
                        return b
            blocks = [f"{b.id}  {b.start:%Y-%m-%d %H:%M}-{b.end:%H:%M} {b.title}  ({t.name})"
                      for t in self.trips() for b in t.busy if b.id]
        raise NotFound("busy block", busy_id, existing=blocks[: NotFound.MAX_LISTED], total=len(blocks),
                       see_all="irlmeet busy list TRIP")

    def store_group(self, trip_ref: str, circle: str | None = None) -> Meetup:
        """Store the plan's group evening (of ``circle``, else the first offered) as a planned
        meetup, each person's RSVP "invited". Their 1:1 ideas give way on the next plan."""
        from irlmeet.core import ics

        trip_id = self.find_trip(trip_ref).id
        now = self.now()
        with self.store.transaction():
            fresh = self.plan(self.store.trip(trip_id))
            offer = fresh.group(circle)
            if offer is None:
                what = f"no {circle} group evening" if circle else "no group evening"
                raise ValidationError(
                    "circle" if circle else "trip",
                    f"{what} to offer on {fresh.trip.name}: it needs at least {self.settings.planning.group_min} "
                    "people of one circle near and not yet planned",
                )
            if not offer.has_slot:
                raise ValidationError("trip", f"the {offer.circle.value} group evening has no time: {offer.note}")
            meetup_id = self._new_id()
            ids = tuple(c.id for c in offer.contacts)
            meetup = Meetup(
                id=meetup_id, trip_id=trip_id, contact_ids=ids, kind=offer.kind, start=offer.start,
                end=offer.end, uid=ics.new_meetup_uid(trip_id, meetup_id), place=offer.where,
                status=MeetupStatus.PLANNED, updated=now, rsvp={cid: "invited" for cid in ids},
            )
            self.store.put_meetup(meetup)
        return meetup

    def rsvp(self, meetup_id: str, person_ref: str, answer: str) -> Meetup:
        """Record one person's answer (yes, maybe, no; invited resets it) to a meetup."""
        text = str(answer).strip().lower()
        if text not in RSVP_ANSWERS:
            raise ValidationError("answer", f"{answer!r} is not one of: {', '.join(RSVP_ANSWERS)}")
        now = self.now()
        with self.store.transaction():
            m = self.store.meetup(str(meetup_id).strip())
            people = [c for c in self.store.contacts() if c.id in m.contact_ids]
            person = _find("contact", person_ref, people, _contact_names, _contact_label)
            new = replace(m, rsvp={**m.rsvp, person.id: text}, updated=now)
            self.store.put_meetup(new)
        return new

    def draft(
        self,
        trip: Trip,
        contact: Contact,
        *,
        channel: Channel | str | None = None,
        variant: int | None = None,
        follow_up: bool = False,
        the_plan: planner.Plan | None = None,
    ) -> drafts.Draft:
        """The invitation for one person on a trip (``follow_up``: the thank-you after the
        meetup with them marked met). ``channel`` None: their preferred one, else what they have."""
        from irlmeet.core import drafts

        the_plan = the_plan or self.plan(trip)
        proposal = the_plan.for_contact(contact.id)
        if proposal is None:
            if contact.do_not_invite:
                raise ValidationError("contact", f"{contact.name} is marked do-not-invite")
            raise ValidationError(
                "contact",
                f"{contact.name} is not within {self.settings.radius_km:g} km of {trip.destination.label()}",
            )
        met = None
        if follow_up:
            met_ones = [m for m in self.store.meetups(trip.id)
                        if m.status is MeetupStatus.MET and contact.id in m.contact_ids]
            if not met_ones:
                raise ValidationError(
                    "follow-up", f"no meetup with {contact.name} on {trip.name} is marked met yet"
                )
            met = max(met_ones, key=lambda m: m.start)
        return drafts.draft(
            the_plan, contact.id, self.profile(), now=self.now(), channel=channel, variant=variant,
            follow_up=met, caps=self.settings.drafts, templates_dir=self.settings.paths.templates_dir,
        )

    def sync_ideas(self, trip: Trip, the_plan: planner.Plan | None = None) -> list[Meetup]:
        """Store the plan's proposals as meetup ideas (see :func:`planner.sync_ideas`).

        Decided under the store's write lock on the trip, contacts and meetups as stored now:
        two exports at once (a second terminal, the TUI after the CLI) see each other's ideas
        instead of each creating its own. So the plan is made there too, and ``the_plan`` (what
        the caller showed, perhaps before another irlmeet changed the data) is not used; it is
        accepted so callers need not care.
        """
        from irlmeet.core import planner

        del the_plan
        with self.store.transaction():
            current = self.store.trip(trip.id)  # NotFound if another irlmeet deleted it
            fresh = self.plan(current)
            changed = planner.sync_ideas(fresh, self.store.meetups(trip.id), now=self.now(), new_id=self._new_id)
            if changed:
                self.store.put_meetups(changed)
        return changed

    # -- the invitation kept with a meetup ------------------------------------------------------

    def meetup_for(self, trip: Trip, contact_id: str) -> Meetup | None:
        """The live meetup with this person alone on this trip (an idea, invited or confirmed),
        storing the plan's ideas first when there is none yet; None when the plan has no slot
        for them. Where the edited invitation is kept (:meth:`save_draft`)."""

        def find() -> Meetup | None:
            live = [
                m
                for m in self.store.meetups(trip.id)
                if contact_id in m.contact_ids and m.status not in (MeetupStatus.CANCELLED, MeetupStatus.DECLINED)
            ]
            live.sort(key=lambda m: (len(m.contact_ids) != 1, m.start, m.id))
            return live[0] if live else None

        found = find()
        if found is None:
            self.sync_ideas(trip)
            found = find()
        return found

    def save_draft(self, meetup_id: str, channel: str, text: str) -> Meetup:
        """Keep ``text`` (the invitation as the user edited it, for ``channel``) with the meetup;
        empty text forgets it (the generated draft is shown again). Not a calendar change: the
        meetup's sequence and timestamp stay as they are."""
        from irlmeet.core.etiquette import channel_name

        try:
            name = channel_name(channel)
        except ValueError as exc:
            raise ValidationError("channel", str(exc)) from None
        keep = text if text.strip() else ""
        with self.store.transaction():
            old = self.store.meetup(meetup_id)
            new = replace(old, draft_text=keep, draft_channel=name if keep else "")
            if new != old:
                self.store.put_meetup(new)
        return new

    def mark_invited(self, meetup_id: str) -> Meetup:
        """The invitation went out: an idea (or a declined or cancelled meetup being tried
        again) becomes INVITED, with its calendar sequence bumped. Already invited: unchanged."""
        with self.store.transaction():
            old = self.store.meetup(meetup_id)
            if old.status is MeetupStatus.INVITED:
                return old
            if old.status in (MeetupStatus.CONFIRMED, MeetupStatus.MET):
                raise ValidationError("status", f"this meetup is already {old.status.value}")
            new = replace(old, status=MeetupStatus.INVITED, sequence=old.sequence + 1, updated=self.now())
            self.store.put_meetup(new)
        return new

    def export_ics(
        self, trip: Trip, path: Path | BinaryIO, *, the_plan: planner.Plan | None = None, ideas: bool = False,
        details: bool = False,
    ) -> ExportResult:
        """Write the trip's meetups to ``path`` (or a binary stream such as stdout): planned, invited and confirmed ones (tentative
        until confirmed), met ones, and those cancelled, declined, skipped, missed or dropped
        that an earlier export wrote (as CANCELLED, so calendars drop them). ``ideas`` adds the
        current proposals; ``details`` adds how you know each person to the descriptions.

        The meetups written are marked ``exported`` before the file is written (one
        transaction with the idea sync): a later cancel then reaches the calendar too. A path
        that is irlmeet's own data (or not a regular file) is refused by
        :func:`output.export_target` before anything changes; a symlink's target is replaced."""
        del the_plan  # decided afresh under the lock, as in sync_ideas
        from irlmeet.core import ics, output, planner

        stream = None if isinstance(path, (str, os.PathLike)) else path
        if stream is None:
            path = output.export_target(
                path, data_file=self.store.path, also_protected=[self.settings.paths.config_file]
            )
        now = self.now()
        with self.store.transaction():  # one save: the synced ideas and the exported marks
            trip = self.store.trip(trip.id)
            stored = self.store.meetups(trip.id)
            changed = planner.sync_ideas(self.plan(trip), stored, now=now, new_id=self._new_id)
            current = {m.id: m for m in stored} | {m.id: m for m in changed}
            writes = {m.id: m for m in changed}
            meetups = []
            for m in current.values():
                if _exportable(m, ideas):
                    if not m.exported:
                        m = writes[m.id] = replace(m, exported=True)
                    meetups.append(m)
            if writes:
                self.store.put_meetups(writes.values())
            wanted = {cid for m in meetups for cid in m.contact_ids}
            contacts = {c.id: c for c in self.store.contacts() if c.id in wanted}
            names = {c.id: c.name for c in contacts.values()}
            found = lifecycle.conflicts(trip, meetups, names)
        data = ics.build_calendar(trip, meetups, contacts, now=now, user_tz=self.user_tz(), details=details,
                                  conflicts={k: c.public for k, c in found.items()})
        if stream is None:
            ics.write_ics(path, data)
        else:
            output.write_stream(stream, data)
        dead = sum(1 for m in meetups if ics.is_cancelled(m.status))
        return ExportResult(None if stream is not None else path, len(meetups) - dead, len(changed), dead)

    # -- the life cycle: from idea to "we met" ----------------------------------------------------

    def meetup_views(self, trip: Trip | str, *, dropped: bool = False, sync: bool = False) -> list[MeetupView]:
        """The trip's meetups, earliest first, each with its people and conflict. Dropped ideas
        (no longer proposed) only with ``dropped``. ``sync`` first stores the current proposals
        as ideas (:meth:`sync_ideas`) while the trip is not over, so each has an id to act on."""
        trip = trip if isinstance(trip, Trip) else self.find_trip(trip)
        if sync and not self.trip_is_over(trip):
            self.sync_ideas(trip)
        meetups = [m for m in self.meetups(trip.id) if dropped or m.status is not MeetupStatus.DROPPED]
        return self._views(trip, meetups)

    def _views(self, trip: Trip, meetups: list[Meetup]) -> list[MeetupView]:
        on_trip = self.store.meetups(trip.id)
        # Only the people in these meetups are decoded, not every contact (issue 10: `plan` at
        # 30k contacts spent 2 s here).
        wanted = (cid for m in (*on_trip, *meetups) for cid in m.contact_ids)
        contacts = {c.id: c for c in self.store.contacts_by_id(wanted)}
        names = {cid: c.name for cid, c in contacts.items()}
        found = lifecycle.conflicts(trip, on_trip, names)
        return [
            MeetupView(m, trip, tuple(contacts.get(cid) for cid in m.contact_ids), lifecycle.meetup_label(m, names),
                       found.get(m.id))
            for m in meetups
        ]

    def find_meetup(self, ref: str, person: str | None = None) -> Meetup:
        """A meetup by its id, or by ``ref`` = a trip and ``person`` = someone in it. Several
        meetups with that person on that trip: AmbiguousName listing their ids."""
        if person is None:
            ref = str(ref).strip()
            for m in self.store.meetups():
                if m.id == ref:
                    return m
            raise NotFound("meetup", ref, see_all="irlmeet meetup list TRIP")
        trip = self.find_trip(ref)
        contact = self.find_contact(person)
        theirs = [m for m in self.meetups(trip.id)
                  if contact.id in m.contact_ids and m.status is not MeetupStatus.DROPPED]
        if len(theirs) == 1:
            return theirs[0]
        if theirs:
            views = self._views(trip, theirs)
            raise AmbiguousName(
                "meetup", f"{trip.name} {contact.name}",
                [(v.meetup.id, f"{v.label}, {_when(v.meetup, trip)}, {v.meetup.status.value}") for v in views],
            )
        raise LookupFailed(f"no meetup with {contact.name} on {trip.name} yet; `irlmeet meetup accept "
                           f"{trip.id} {contact.id}` takes the current proposal")

    def move_options(self, ref: str, person: str | None = None) -> list[planner.Slot]:
        """The free slots ``meetup move`` offers for this meetup, earliest first."""
        m = self.find_meetup(ref, person)
        trip = self.store.trip(m.trip_id)
        names = {c.id: c.name for c in self.store.contacts()}
        lifecycle.check(m, "move", now=self.now(), label=lifecycle.meetup_label(m, names))
        return self._free_slots(m, trip, self.now())

    def _free_slots(self, m: Meetup, trip: Trip, now: datetime) -> list[planner.Slot]:
        """Where ``m`` may move: the plan's day parts and rules (config), weekdays only when one
        of its people is a work contact and the trip keeps weekends free."""
        from irlmeet.core import planner

        people = [c for c in self.store.contacts() if c.id in m.contact_ids]
        weekdays = any(planner.weekday_only(c.circle, trip) for c in people)
        return planner.free_slots(trip, self.store.meetups(trip.id), now=now, exclude=m.id,
                                  rules=self.settings.planning, weekdays=weekdays)

    def meetup_action(
        self, ref: str, verb: str, person: str | None = None, *, to: datetime | str | None = None, slot: int | None = None
    ) -> ActionResult:
        """Make the move ``verb`` (see :data:`lifecycle.MOVES`: accept, invite, confirm, decline,
        cancel, skip, move, met, missed) on the meetup ``ref`` (an id) or ``ref``/``person``
        (a trip and someone on it), on the data as stored now, under the store's lock.

        A move that applies to ideas (accept, invite, skip, move), given a trip and a person,
        first brings the trip's ideas up to date, then takes the person's current proposal. ``move`` takes ``to`` (an aware datetime, or
        ``"YYYY-MM-DD HH:MM"`` in the trip's zone) or ``slot`` (1-based, of
        :meth:`move_options`). ``met`` sets each person's last seen and last contacted to the
        meetup's own date (never backwards), in the same transaction. Raises WrongMove for a
        move its status does not allow, naming what to do first."""
        if verb not in lifecycle.MOVES:
            raise WrongMove(None, verb, f"{verb!r} is not a meetup action; use one of: {', '.join(lifecycle.VERBS)}")
        if verb != "move" and (to is not None or slot is not None):
            raise ValidationError("to", f"a new time goes with move, not {verb}")
        if person is not None and MeetupStatus.IDEA in lifecycle.MOVES[verb].sources:
            trip = self.find_trip(ref)
            self.sync_ideas(trip)  # the current proposal must exist as an idea to act on it
            try:
                meetup_id = self.find_meetup(ref, person).id
            except AmbiguousName:
                raise
            except LookupFailed:
                contact = self.find_contact(person)
                proposal = self.plan(trip).for_contact(contact.id)
                why = proposal.note if proposal is not None else f"not within reach of {trip.destination.label()}"
                raise LookupFailed(f"{contact.name} has no proposed time on {trip.name} ({why})") from None
        else:
            meetup_id = self.find_meetup(ref, person).id
        now = self.now()
        updated: list[Contact] = []
        with self.store.transaction():
            before = self.store.meetup(meetup_id)
            trip = self.store.trip(before.trip_id)
            contacts = self.store.contacts()
            names = {c.id: c.name for c in contacts}
            label = lifecycle.meetup_label(before, names)
            start = end = kind = None
            if verb == "move":
                lifecycle.check(before, verb, now=now, label=label)
                start, end, kind = self._new_time(before, trip, to, slot, now)
            after = lifecycle.apply(before, verb, now=now, label=label, start=start, end=end)
            if kind is not None and kind is not after.kind:
                after = replace(after, kind=kind)
            if verb == "met":
                day = after.start.astimezone(trip.zone).date()
                for cid in after.contact_ids:
                    c = next((c for c in contacts if c.id == cid), None)
                    if c is None:
                        continue  # removed since
                    new = replace(c, last_seen=max(filter(None, (c.last_seen, day))),
                                  last_contacted=max(filter(None, (c.last_contacted, day))))
                    if new != c:
                        self.store.put_contact(new)
                        updated.append(new)
            self.store.put_meetup(after)
            (view,) = self._views(trip, [after])
        return ActionResult(before, after, view, tuple(updated))

    def _new_time(
        self, m: Meetup, trip: Trip, to: datetime | str | None, slot: int | None, now: datetime
    ) -> tuple[datetime, datetime, Any]:
        if (to is None) == (slot is None):
            raise ValidationError("to", "give the new time (--to \"YYYY-MM-DD HH:MM\") or one of the free slots (--slot N)")
        kind = m.kind
        if slot is not None:
            options = self._free_slots(m, trip, now)
            if not 1 <= slot <= len(options):
                raise ValidationError("slot", f"{slot} is not one of the {len(options)} free slots listed by `meetup move`"
                                      if options else f"{slot}: there is no free slot left on this trip")
            chosen = options[slot - 1]
            if len(m.contact_ids) == 1 and m.kind is not MeetupKind.GROUP:
                return chosen.start, chosen.end, chosen.kind  # a 1:1 takes the day part's kind and length
            return chosen.start, chosen.start + m.duration, kind
        start = _local_time(to, trip)
        first, after = trip.window()
        if not first <= start or start + m.duration > after:
            raise ValidationError("to", f"{start:%Y-%m-%d %H:%M} is outside the trip ({trip.start.isoformat()} to {trip.end.isoformat()})")
        if start <= now:
            raise ValidationError("to", f"{start:%Y-%m-%d %H:%M} has already passed")
        return start, start + m.duration, kind

    def debrief(self, trip: Trip | str) -> Debrief:
        """After the trip: the meetups to record (planned, invited, confirmed whose time has
        come) and those already recorded."""
        trip = trip if isinstance(trip, Trip) else self.find_trip(trip)
        now = self.now()
        views = self.meetup_views(trip)
        todo = tuple(v for v in views if v.meetup.status in lifecycle.HELD and v.meetup.start <= now)
        done_states = (MeetupStatus.MET, MeetupStatus.MISSED, MeetupStatus.DECLINED, MeetupStatus.CANCELLED,
                       MeetupStatus.SKIPPED)
        done = tuple(v for v in views if v.meetup.status in done_states)
        return Debrief(trip, self.trip_is_over(trip), todo, done)

    def agenda(self) -> agenda_mod.Agenda:
        """What needs doing now, across trips: invitations to send this week, upcoming meetups,
        conflicts and debriefs due (see :mod:`irlmeet.core.agenda`)."""
        trips = self.trips()
        views = {t.id: self.meetup_views(t) for t in trips}
        return agenda_mod.build(trips, views, now=self.now(), settings=self.settings)

    def outcomes(self) -> dict[str, lifecycle.Outcome]:
        """Per contact id, how the latest meetup with them ended (met, declined, missed) and
        when: for the ranking to reflect."""
        zones = {t.id: t.zone for t in self.store.trips()}
        return lifecycle.last_outcomes(self.store.meetups(), lambda m: zones.get(m.trip_id, UTC))

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
        from irlmeet.core.fsutil import gc_paused

        # Tens of thousands of records, dicts and tuples, none in a cycle: each generation-0
        # overflow would rescan the growing heap (measured ~0.5 s of a 30k LinkedIn import).
        with gc_paused():
            return self._import_contacts(kind, path, dry_run=dry_run, progress=progress)

    def _import_contacts(
        self, kind: str, path: Path | str, *, dry_run: bool, progress: Callable[[str, int, int], None] | None
    ) -> Any:
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

        def prepare(rec: imports.ImportedContact) -> intake.Prepared | None:
            ref = rec.source
            try:
                item = intake.prepare(rec, lookup, self._new_id)
            except ValidationError as exc:
                report.problems.append(imports.ImportProblem(ref.file, ref.line, f"{rec.name}: {exc}; not imported", ref.card))
                return None
            for why in item.dropped:
                report.problems.append(imports.ImportProblem(ref.file, ref.line, f"{rec.name}: {why}; imported without it", ref.card))
            return item

        # A re-import: records that give what their source gave last time are not rebuilt.
        known = intake.known_sources(self.store.contacts()) if records else {}
        prepared: list[intake.Prepared | intake.Unchanged] = []
        for n, rec in enumerate(records, 1):
            same = intake.unchanged(rec, lookup, known) if known else None
            item = intake.Unchanged(rec, *same, functools.partial(prepare, rec)) if same else prepare(rec)
            if item is None:
                continue
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
        # an Unchanged record built after all may have added problems
        report.problems.sort(key=lambda p: (str(p.file), p.line or 0, p.card or 0))
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
        from irlmeet.core import contactbook

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


def local_time(value: datetime | str, trip: Trip, field_name: str) -> datetime:
    """``YYYY-MM-DD HH:MM`` (or an aware datetime) as a time in the trip's zone. A wall time the
    clocks skip (a DST gap) is refused naming ``field_name``; a repeated one means the first."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value.astimezone(trip.zone)
        naive = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}", text):
            raise ValidationError(field_name, f"{text!r} is not a date and time in the form \"YYYY-MM-DD HH:MM\"")
        try:
            naive = datetime.strptime(text.replace("T", " "), "%Y-%m-%d %H:%M")
        except ValueError as exc:
            raise ValidationError(field_name, f"{text!r} is not a real date and time ({exc})") from None
    local = naive.replace(tzinfo=trip.zone)
    back = local.astimezone(UTC).astimezone(trip.zone)
    if back.replace(tzinfo=None) != naive:
        raise ValidationError(
            field_name,
            f"{naive:%Y-%m-%d %H:%M} does not exist in {trip.destination.tz}: the clocks skip it "
            "(daylight saving time begins); pick a time after the jump",
        )
    return local


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


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _shared_uids(meetups: Iterable[Meetup]) -> list[list[Meetup]]:
    """The sets of meetups that share one calendar UID (each set has two or more)."""
    by_uid: dict[str, list[Meetup]] = {}
    for m in meetups:
        by_uid.setdefault(m.uid, []).append(m)
    return [group for group in by_uid.values() if len(group) > 1]
_LIVE = (MeetupStatus.IDEA, MeetupStatus.PLANNED, MeetupStatus.INVITED, MeetupStatus.CONFIRMED)


def _exportable(m: Meetup, ideas: bool) -> bool:
    if m.status is MeetupStatus.IDEA:
        return ideas
    if m.status in lifecycle.HELD or m.status is MeetupStatus.MET:
        return True
    return m.exported  # cancelled and the like: only where a calendar may hold it


def _when(m: Meetup, trip: Trip) -> str:
    s_, e_ = m.start.astimezone(trip.zone), m.end.astimezone(trip.zone)
    return f"{s_:%a %Y-%m-%d %H:%M}-{e_:%H:%M}"


_LOCAL = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})\s*$")


def _local_time(value: datetime | str, trip: Trip) -> datetime:
    """``"YYYY-MM-DD HH:MM"`` in the trip's zone (or an aware datetime), refusing a wall time
    that does not exist there (the hour skipped when clocks go forward)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError("to", "needs a time zone")
        return value
    match = _LOCAL.match(str(value))
    if not match:
        raise ValidationError("to", f"{value!r} is not a time like \"2027-05-12 18:00\" (in the trip's zone)")
    day = parse_date(match.group(1), "to")
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise ValidationError("to", f"{value!r} is not a time of day")
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=trip.zone)
    if local.astimezone(UTC).astimezone(trip.zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError("to", f"{value} does not exist in {trip.zone.key} (the clocks skip that hour)")
    return local


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
