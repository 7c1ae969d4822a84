"""The domain: places, contacts, trips, busy time and meetups.

All records are frozen dataclasses, validated on construction (a bad value raises
:class:`~irlmeet.core.errors.ValidationError` naming the field), and turn into plain JSON-able
dicts with ``to_dict()`` / ``from_dict()``. Change one with :func:`dataclasses.replace`, which
validates again.

Time rules: every ``datetime`` here is timezone-aware. A trip's days are calendar dates in the
destination's zone; a meetup's start and end are aware datetimes in the destination's zone.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from irlmeet.core.errors import ValidationError

__all__ = [
    "BusyBlock",
    "Channel",
    "Circle",
    "Contact",
    "ContactPlace",
    "Meetup",
    "MeetupKind",
    "MeetupStatus",
    "Place",
    "PlaceLabel",
    "Profile",
    "Trip",
    "parse_date",
]


class _StrEnum(str, enum.Enum):
    """A string enum whose parse error lists the allowed values."""

    @classmethod
    def parse(cls, value: Any, field_name: str, *, where: str | None = None):
        if isinstance(value, cls):
            return value
        member = cls._value2member_map_.get(value) if isinstance(value, str) else None
        if member is not None:
            return member
        text = str(value).strip().lower() if value is not None else ""
        for member in cls:
            if member.value == text:
                return member
        allowed = ", ".join(m.value for m in cls)
        raise ValidationError(field_name, f"{value!r} is not one of: {allowed}", where=where)

    def __str__(self) -> str:
        return self.value


class Circle(_StrEnum):
    """Which part of life a contact belongs to; drafts and group plans keep these apart."""

    PROFESSIONAL = "professional"
    PERSONAL = "personal"
    BOTH = "both"


class PlaceLabel(_StrEnum):
    HOME = "home"
    WORK = "work"
    OTHER = "other"


class MeetupKind(_StrEnum):
    BREAKFAST = "breakfast"
    COFFEE = "coffee"
    LUNCH = "lunch"
    DRINKS = "drinks"
    DINNER = "dinner"
    WALK = "walk"
    GROUP = "group"


class MeetupStatus(_StrEnum):
    IDEA = "idea"
    INVITED = "invited"
    CONFIRMED = "confirmed"
    MET = "met"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Channel(_StrEnum):
    EMAIL = "email"
    LINKEDIN = "linkedin"
    DM = "dm"
    SMS = "sms"
    POST = "post"


# --------------------------------------------------------------------------------------------
# Field helpers


def parse_date(value: Any, field_name: str, *, where: str | None = None) -> date:
    """``YYYY-MM-DD`` (or a ``date``) to a ``date``; anything else is a clear ValidationError."""
    if isinstance(value, datetime):
        raise ValidationError(field_name, "expected a date (YYYY-MM-DD), got a date and time", where=where)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValidationError(field_name, f"{text!r} is not a date in the form YYYY-MM-DD", where=where)
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(field_name, f"{text!r} is not a real date ({exc})", where=where) from None


def _opt_date(value: Any, field_name: str) -> date | None:
    if value is None or value == "":
        return None
    return parse_date(value, field_name)


def _aware(value: Any, field_name: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(field_name, f"{value!r} is not an ISO 8601 date and time") from None
    if not isinstance(value, datetime):
        raise ValidationError(field_name, f"expected a date and time, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field_name, f"{value.isoformat()} has no time zone")
    return value


def _dt_to_json(value: datetime) -> dict[str, str]:
    """An aware datetime as ISO text plus its IANA zone name, so a round trip keeps the zone."""
    key = getattr(value.tzinfo, "key", None)
    out = {"at": value.isoformat()}
    if key:
        out["tz"] = key
    return out


def _dt_from_json(value: Any, field_name: str) -> datetime:
    if isinstance(value, Mapping):
        dt = _aware(value.get("at"), field_name)
        tz = value.get("tz")
        if tz:
            dt = dt.astimezone(zone(tz, field_name))
        return dt
    return _aware(value, field_name)


@functools.cache
def _zone(name: str) -> ZoneInfo:
    # ZoneInfo's own cache keeps only a handful of zones strongly; 30k contacts over ~60 zones
    # would re-read zone files on every load. Invalid names raise, and exceptions are not cached.
    return ZoneInfo(name)


def zone(name: str, field_name: str = "tz") -> ZoneInfo:
    """An IANA zone by name, or a ValidationError naming the field."""
    try:
        return _zone(str(name))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(field_name, f"{name!r} is not a known IANA time zone") from None


def _text(value: Any, field_name: str, *, required: bool = False, max_len: int = 10_000) -> str:
    text = "" if value is None else str(value)
    text = text.strip()
    if required and not text:
        raise ValidationError(field_name, "must not be empty")
    if len(text) > max_len:
        raise ValidationError(field_name, f"is {len(text)} characters long; the limit is {max_len}")
    return text


def _texts(values: Iterable[Any] | None, field_name: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for i, v in enumerate(values):
        t = _text(v, f"{field_name}[{i}]")
        if t and t not in out:
            out.append(t)
    return tuple(out)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _emails(values: Iterable[Any] | None) -> tuple[str, ...]:
    out = _texts(values, "emails")
    for i, e in enumerate(out):
        if not _EMAIL.match(e):
            raise ValidationError(f"emails[{i}]", f"{e!r} is not an email address")
    return out


# --------------------------------------------------------------------------------------------
# Places


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved city. Resolved once (see :mod:`irlmeet.core.places`) and stored as is."""

    name: str
    country_code: str
    lat: float
    lon: float
    tz: str
    country: str = ""
    region: str = ""  # first-level admin area shown to people: "NY", "Bavaria", "" if unknown
    geonameid: int | None = None
    metro: str | None = None  # key of the metro area the city belongs to, e.g. "bay-area"
    population: int = 0

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise ValidationError("place.name", "must not be empty")
        if not (-90.0 <= float(self.lat) <= 90.0) or math.isnan(float(self.lat)):
            raise ValidationError("place.lat", f"{self.lat!r} is not a latitude")
        if not (-180.0 <= float(self.lon) <= 180.0) or math.isnan(float(self.lon)):
            raise ValidationError("place.lon", f"{self.lon!r} is not a longitude")
        zone(self.tz, "place.tz")

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.tz)

    def label(self) -> str:
        """``Brooklyn, NY, United States``: what a person reads."""
        parts = [self.name]
        if self.region and self.region != self.name:
            parts.append(self.region)
        parts.append(self.country or self.country_code)
        return ", ".join(p for p in parts if p)

    def short_label(self) -> str:
        return f"{self.name}, {self.region}" if self.region and self.country_code == "US" else (
            f"{self.name}, {self.country_code}" if self.country_code else self.name
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "region": self.region,
            "country_code": self.country_code,
            "country": self.country,
            "lat": self.lat,
            "lon": self.lon,
            "tz": self.tz,
            "geonameid": self.geonameid,
            "metro": self.metro,
            "population": self.population,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Place:
        # Thousands of contacts share a few hundred cities: equal records share one Place.
        try:
            key = tuple(d[k] for k in _PLACE_KEYS)
            cached = _PLACES.get(key)
        except (KeyError, TypeError):
            key, cached = None, None
        if cached is not None:
            return cached
        place = cls._from_dict(d)
        if key is not None and len(_PLACES) < 100_000:
            _PLACES[key] = place
        return place

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Place:
        try:
            return cls(
                name=d["name"],
                region=d.get("region", "") or "",
                country_code=d.get("country_code", "") or "",
                country=d.get("country", "") or "",
                lat=float(d["lat"]),
                lon=float(d["lon"]),
                tz=d["tz"],
                geonameid=d.get("geonameid"),
                metro=d.get("metro"),
                population=int(d.get("population") or 0),
            )
        except KeyError as exc:
            raise ValidationError(f"place.{exc.args[0]}", "is missing") from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError("place", str(exc)) from None


_PLACE_KEYS = ("name", "region", "country_code", "country", "lat", "lon", "tz", "geonameid", "metro", "population")
_PLACES: dict[tuple, Place] = {}


@dataclass(frozen=True, slots=True)
class ContactPlace:
    place: Place
    label: PlaceLabel = PlaceLabel.HOME

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", PlaceLabel.parse(self.label, "places.label"))

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label.value, "place": self.place.to_dict()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ContactPlace:
        return cls(place=Place.from_dict(d["place"]), label=d.get("label", "home"))


# --------------------------------------------------------------------------------------------
# Contacts


@dataclass(frozen=True, slots=True)
class Contact:
    """Someone the user knows.

    ``last_seen`` is the last day the user saw them *in person*; ``None`` means never (as far as
    irlmeet knows). ``cadence_days`` is how often the user would like to see them.
    """

    id: str
    name: str
    places: tuple[ContactPlace, ...] = ()
    circle: Circle = Circle.PROFESSIONAL
    how_we_met: str = ""
    met_on: date | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    handles: Mapping[str, str] = field(default_factory=dict)  # "linkedin", "x", "mastodon", ...
    tags: tuple[str, ...] = ()
    notes: str = ""
    last_seen: date | None = None
    last_contacted: date | None = None
    cadence_days: int | None = None
    do_not_invite: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "id", _text(self.id, "id", required=True, max_len=64))
        set_(self, "name", _text(self.name, "name", required=True, max_len=200))
        places = tuple(self.places or ())
        for i, p in enumerate(places):
            if not isinstance(p, ContactPlace):
                raise ValidationError(f"places[{i}]", "expected a resolved place")
        set_(self, "places", places)
        set_(self, "circle", Circle.parse(self.circle, "circle"))
        set_(self, "how_we_met", _text(self.how_we_met, "how_we_met", max_len=500))
        set_(self, "met_on", _opt_date(self.met_on, "met_on"))
        set_(self, "emails", _emails(self.emails))
        set_(self, "phones", _texts(self.phones, "phones"))
        handles: dict[str, str] = {}
        for key, value in dict(self.handles or {}).items():
            k = _text(key, "handles", required=True, max_len=40).lower()
            v = _text(value, f"handles.{k}", max_len=300)
            if v:
                handles[k] = v
        set_(self, "handles", MappingProxyType(handles))  # read-only: the record is frozen
        set_(self, "tags", _texts(self.tags, "tags"))
        set_(self, "notes", _text(self.notes, "notes"))
        set_(self, "last_seen", _opt_date(self.last_seen, "last_seen"))
        set_(self, "last_contacted", _opt_date(self.last_contacted, "last_contacted"))
        if self.cadence_days is not None:
            try:
                cadence = int(self.cadence_days)
            except (TypeError, ValueError):
                raise ValidationError("cadence_days", f"{self.cadence_days!r} is not a whole number") from None
            if cadence <= 0:
                raise ValidationError("cadence_days", "must be a positive number of days")
            set_(self, "cadence_days", cadence)
        set_(self, "do_not_invite", bool(self.do_not_invite))

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def home(self) -> Place | None:
        """The place to plan around: home, else work, else the first one."""
        for wanted in (PlaceLabel.HOME, PlaceLabel.WORK):
            for p in self.places:
                if p.label is wanted:
                    return p.place
        return self.places[0].place if self.places else None

    @property
    def met_in_person(self) -> bool:
        return self.last_seen is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "places": [p.to_dict() for p in self.places],
            "circle": self.circle.value,
            "how_we_met": self.how_we_met,
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "emails": list(self.emails),
            "phones": list(self.phones),
            "handles": dict(self.handles),
            "tags": list(self.tags),
            "notes": self.notes,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "last_contacted": self.last_contacted.isoformat() if self.last_contacted else None,
            "cadence_days": self.cadence_days,
            "do_not_invite": self.do_not_invite,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Contact:
        return cls(
            id=d.get("id", ""),
            name=d.get("name", ""),
            places=tuple(ContactPlace.from_dict(p) for p in d.get("places") or ()),
            circle=d.get("circle", "professional"),
            how_we_met=d.get("how_we_met", ""),
            met_on=d.get("met_on"),
            emails=d.get("emails") or (),
            phones=d.get("phones") or (),
            handles=d.get("handles") or {},
            tags=d.get("tags") or (),
            notes=d.get("notes", ""),
            last_seen=d.get("last_seen"),
            last_contacted=d.get("last_contacted"),
            cadence_days=d.get("cadence_days"),
            do_not_invite=d.get("do_not_invite", False),
        )


# --------------------------------------------------------------------------------------------
# Trips


@dataclass(frozen=True, slots=True)
class BusyBlock:
    """Time the user is not free during a trip (a talk, a client meeting, a flight)."""

    start: datetime
    end: datetime
    title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _aware(self.start, "busy.start"))
        object.__setattr__(self, "end", _aware(self.end, "busy.end"))
        object.__setattr__(self, "title", _text(self.title, "busy.title", max_len=300))
        if self.end <= self.start:
            raise ValidationError(
                "busy.end", f"{self.end.isoformat()} is not after the start {self.start.isoformat()}"
            )

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end

    def to_dict(self) -> dict[str, Any]:
        return {"start": _dt_to_json(self.start), "end": _dt_to_json(self.end), "title": self.title}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BusyBlock:
        return cls(
            start=_dt_from_json(d.get("start"), "busy.start"),
            end=_dt_from_json(d.get("end"), "busy.end"),
            title=d.get("title", ""),
        )


MAX_TRIP_DAYS = 92


@dataclass(frozen=True, slots=True)
class Trip:
    """A stay in one city. ``start`` and ``end`` are inclusive dates in the destination's zone."""

    id: str
    name: str
    destination: Place
    start: date
    end: date
    busy: tuple[BusyBlock, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "id", _text(self.id, "id", required=True, max_len=64))
        set_(self, "name", _text(self.name, "name", required=True, max_len=200))
        if not isinstance(self.destination, Place):
            raise ValidationError("destination", "expected a resolved place")
        set_(self, "start", parse_date(self.start, "start"))
        set_(self, "end", parse_date(self.end, "end"))
        if self.end < self.start:
            raise ValidationError(
                "end", f"the trip ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})"
            )
        days = (self.end - self.start).days + 1
        if days > MAX_TRIP_DAYS:
            raise ValidationError("end", f"the trip is {days} days long; irlmeet plans trips of up to {MAX_TRIP_DAYS} days")
        busy = tuple(sorted(self.busy or (), key=lambda b: b.start))
        for i, b in enumerate(busy):
            if not isinstance(b, BusyBlock):
                raise ValidationError(f"busy[{i}]", "expected a busy block")
        set_(self, "busy", busy)
        set_(self, "notes", _text(self.notes, "notes"))

    @property
    def zone(self) -> ZoneInfo:
        return self.destination.zone

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def window(self) -> tuple[datetime, datetime]:
        """The trip as aware datetimes: from the first day's midnight to the day after the end."""
        z = self.zone
        return (
            datetime.combine(self.start, datetime.min.time(), z),
            datetime.combine(self.end + timedelta(days=1), datetime.min.time(), z),
        )

    def is_free(self, start: datetime, end: datetime) -> bool:
        return not any(b.overlaps(start, end) for b in self.busy)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "destination": self.destination.to_dict(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "busy": [b.to_dict() for b in self.busy],
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Trip:
        if "destination" not in d:
            raise ValidationError("destination", "is missing")
        return cls(
            id=d.get("id", ""),
            name=d.get("name", ""),
            destination=Place.from_dict(d["destination"]),
            start=d.get("start", ""),
            end=d.get("end", ""),
            busy=tuple(BusyBlock.from_dict(b) for b in d.get("busy") or ()),
            notes=d.get("notes", ""),
        )


# --------------------------------------------------------------------------------------------
# Meetups


@dataclass(frozen=True, slots=True)
class Meetup:
    """A planned get-together on a trip.

    ``uid`` is the calendar UID: fixed when the meetup is created and never changed, so
    re-exporting updates the calendar's event instead of adding a second one. ``sequence``
    goes up each time the time, place or status changes (RFC 5545 SEQUENCE).
    """

    id: str
    trip_id: str
    contact_ids: tuple[str, ...]
    kind: MeetupKind
    start: datetime
    end: datetime
    uid: str
    place: str = ""
    status: MeetupStatus = MeetupStatus.IDEA
    sequence: int = 0
    notes: str = ""
    updated: datetime | None = None  # when this record last changed (DTSTAMP / LAST-MODIFIED)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "id", _text(self.id, "id", required=True, max_len=64))
        set_(self, "trip_id", _text(self.trip_id, "trip_id", required=True, max_len=64))
        ids = _texts(self.contact_ids, "contact_ids")
        if not ids:
            raise ValidationError("contact_ids", "a meetup needs at least one person")
        set_(self, "contact_ids", ids)
        set_(self, "kind", MeetupKind.parse(self.kind, "kind"))
        set_(self, "start", _aware(self.start, "start"))
        set_(self, "end", _aware(self.end, "end"))
        if self.end <= self.start:
            raise ValidationError("end", f"{self.end.isoformat()} is not after the start {self.start.isoformat()}")
        set_(self, "uid", _text(self.uid, "uid", required=True, max_len=255))
        set_(self, "place", _text(self.place, "place", max_len=500))
        set_(self, "status", MeetupStatus.parse(self.status, "status"))
        if not isinstance(self.sequence, int) or self.sequence < 0:
            raise ValidationError("sequence", f"{self.sequence!r} is not a whole number >= 0")
        set_(self, "notes", _text(self.notes, "notes"))
        if self.updated is not None:
            set_(self, "updated", _aware(self.updated, "updated"))

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "trip_id": self.trip_id,
            "contact_ids": list(self.contact_ids),
            "kind": self.kind.value,
            "start": _dt_to_json(self.start),
            "end": _dt_to_json(self.end),
            "uid": self.uid,
            "place": self.place,
            "status": self.status.value,
            "sequence": self.sequence,
            "notes": self.notes,
            "updated": _dt_to_json(self.updated) if self.updated else None,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Meetup:
        return cls(
            id=d.get("id", ""),
            trip_id=d.get("trip_id", ""),
            contact_ids=tuple(d.get("contact_ids") or ()),
            kind=d.get("kind", ""),
            start=_dt_from_json(d.get("start"), "start"),
            end=_dt_from_json(d.get("end"), "end"),
            uid=d.get("uid", ""),
            place=d.get("place", ""),
            status=d.get("status", "idea"),
            sequence=int(d.get("sequence") or 0),
            notes=d.get("notes", ""),
            updated=_dt_from_json(d["updated"], "updated") if d.get("updated") else None,
        )


# --------------------------------------------------------------------------------------------
# The user


@dataclass(frozen=True, slots=True)
class Profile:
    """The person using irlmeet: the name drafts are signed with, and where home is.

    ``home`` sets the user's own time zone and the country preferred when a city name is
    ambiguous. Without it the system's zone is used.
    """

    name: str = ""
    home: Place | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _text(self.name, "name", max_len=200))
        if self.home is not None and not isinstance(self.home, Place):
            raise ValidationError("home", "expected a resolved place")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "home": self.home.to_dict() if self.home else None}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Profile:
        home = d.get("home")
        return cls(name=d.get("name", ""), home=Place.from_dict(home) if home else None)
