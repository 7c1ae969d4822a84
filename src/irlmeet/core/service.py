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
from datetime import date, datetime, timezone
from pathlib import Path

from irlmeet.core import drafts, ics, planner
from irlmeet.core.errors import AmbiguousName, NotFound, ValidationError
from irlmeet.core.models import (
    MAX_DATE,
    MAX_RADIUS_KM,
    MIN_DATE,
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
        with self.store.transaction():
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
        with self.store.transaction():
            current = self.store.contact(contact_id)
            updated = change(current)
            if not isinstance(updated, Contact):
                raise TypeError(f"update_contact's change must return a Contact, not {type(updated).__name__}")
            if updated.id != current.id:
                raise ValueError(f"update_contact's change may not change the id ({current.id} -> {updated.id})")
            if updated != current:
                self.store.put_contact(updated)
        return updated

    def near(self, place: Place, radius_km: float | None = None) -> list[Nearby]:
        """Contacts with a place near ``place``, nearest first (one row per contact)."""
        radius = _radius(self.settings.radius_km if radius_km is None else radius_km)
        rows = [Nearby(c, p, km) for c, p, km in planner.nearest_places(place, self.store.contacts(), radius)]
        return sorted(rows, key=lambda n: (n.distance_km, n.contact.name.casefold()))

    def find_contact(self, ref: str) -> Contact:
        return _find("contact", ref, self.store.contacts(), lambda c: c.name, _contact_label)

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
    by_id = {i.id: i for i in items}
    raise NotFound(
        kind,
        ref,
        [f"{key}  {label_of(by_id[key])}" for _match, _score, key in close],
        existing=[f"{i.id}  {label_of(i)}" for i in sorted(items, key=lambda i: name_of(i).casefold())[: NotFound.MAX_LISTED]],
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
