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
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from irlmeet.core import text as _user_text
from irlmeet.core.errors import ValidationError
from irlmeet.core.text import multi_line, one_line

__all__ = [
    "BusyBlock",
    "Channel",
    "Circle",
    "Contact",
    "ContactPlace",
    "ContactSource",
    "Meetup",
    "MeetupKind",
    "MeetupStatus",
    "Place",
    "PlaceLabel",
    "Profile",
    "Trip",
    "cadence_label",
    "linkedin_url",
    "parse_cadence",
    "parse_clock",
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
    """Where a meetup stands. The moves between them, each with a verb, are in
    :mod:`irlmeet.core.lifecycle`."""

    IDEA = "idea"  # proposed by the planner; it may still move while its time stays valid
    PLANNED = "planned"  # the user accepted it: from here on it never moves by itself
    INVITED = "invited"  # the invitation is sent
    CONFIRMED = "confirmed"  # they said yes
    MET = "met"  # it happened
    DECLINED = "declined"  # they said no
    CANCELLED = "cancelled"  # called off (by the user, or because the contact was removed)
    SKIPPED = "skipped"  # "not this trip": the user passed on the proposal
    MISSED = "missed"  # its time passed and it did not happen (recorded at the debrief)
    DROPPED = "dropped"  # an idea the planner no longer proposes (kept for the calendar's UID)


class Channel(_StrEnum):
    EMAIL = "email"
    LINKEDIN_NOTE = "linkedin-note"  # a connection request's note; a LinkedIn message is a DM
    DM = "dm"
    SMS = "sms"
    POST = "post"


# --------------------------------------------------------------------------------------------
# Field helpers

# What a calendar can hold: every date and time irlmeet accepts lies in these years. 1970 is where
# the VTIMEZONE rules written to .ics files start (and Unix time); 2100 leaves room for any plan
# while keeping every "day after" and "year around" computation far from datetime's year 9999.
MIN_DATE = date(1970, 1, 1)
MAX_DATE = date(2100, 12, 31)


def _in_bounds(value: date, field_name: str, where: str | None) -> None:
    # Values read back from the data file are taken as they are (an older irlmeet accepted any
    # year); the service refuses to plan a trip outside the bounds instead of crashing on it.
    if not (MIN_DATE <= value <= MAX_DATE) and _user_text.checking():
        raise ValidationError(
            field_name,
            f"{value.isoformat()} is outside the dates irlmeet handles "
            f"({MIN_DATE.isoformat()} to {MAX_DATE.isoformat()})",
            where=where,
        )


def parse_date(value: Any, field_name: str, *, where: str | None = None) -> date:
    """``YYYY-MM-DD`` (or a ``date``) to a ``date``; anything else is a clear ValidationError."""
    if isinstance(value, datetime):
        raise ValidationError(field_name, "expected a date (YYYY-MM-DD), got a date and time", where=where)
    if isinstance(value, date):
        _in_bounds(value, field_name, where)
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValidationError(field_name, f"{text!r} is not a date in the form YYYY-MM-DD", where=where)
    try:
        parsed = date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(field_name, f"{text!r} is not a real date ({exc})", where=where) from None
    _in_bounds(parsed, field_name, where)
    return parsed


def parse_clock(value: Any, field_name: str) -> time | None:
    """``HH:MM`` (or a ``time``) to a ``time``; None/"" is None; anything else names the field."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = str(value).strip()
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValidationError(field_name, f"{text!r} is not a time of day in the form HH:MM (24-hour), e.g. 09:30")
    return time(int(m.group(1)), int(m.group(2)))


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
    _in_bounds(value.date(), field_name, None)
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


def _text(value: Any, field_name: str, *, required: bool = False, max_len: int = 10_000, lines: bool = False) -> str:
    """One line of user text (``lines``: several, for notes); see :mod:`irlmeet.core.text`."""
    text = "" if value is None else str(value)
    text = (_user_text.multi_line if lines else _user_text.one_line)(text, field_name)
    if required and not text:
        raise ValidationError(field_name, "must not be empty")
    if len(text) > max_len:
        raise ValidationError(field_name, f"is {len(text)} characters long; the limit is {max_len}")
    return text


def _read_back(from_dict):
    """``from_dict`` reads what is stored: text and dates are taken as they are (an old file, one
    edited by hand, must still open), and every output shows them escaped."""

    @functools.wraps(from_dict)
    def read(cls, d):
        with _user_text.stored():
            return from_dict(cls, d)

    return read


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
#: The handles of a contact without any (read-only and shared: nothing can change it).
_NO_HANDLES: Mapping[str, str] = MappingProxyType({})


def _line(value: Any, field_name: str, *, required: bool = False, max_len: int = 10_000) -> str:
    """One line of user text (see :func:`irlmeet.core.text.one_line`), stripped and length-checked."""
    if value is None or value == "":
        if required:
            raise ValidationError(field_name, "must not be empty")
        return ""
    # Fast path (30k contacts load with ~16 text fields each): every character one_line refuses
    # is also one str.isprintable() rejects, so printable text needs no further check.
    if isinstance(value, str) and value.isprintable():
        text = value.strip()
    else:
        text = one_line(value if isinstance(value, str) else str(value), field_name)
    if required and not text:
        raise ValidationError(field_name, "must not be empty")
    if len(text) > max_len:
        raise ValidationError(field_name, f"is {len(text)} characters long; the limit is {max_len}")
    return text


def _lines(values: Iterable[Any] | None, field_name: str, *, max_len: int = 300) -> list[str]:
    """Several one-line values, blanks dropped, duplicates (ignoring case) kept once."""
    if not values:  # None, "", () and []: most contacts have no phones, tags...
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    seen: set[str] = set()
    for i, v in enumerate(values):
        t = _line(v, f"{field_name}[{i}]", max_len=max_len)
        key = t.casefold()
        if t and key not in seen:
            seen.add(key)
            out.append(t)
    return out


def _emails(values: Iterable[Any] | None) -> tuple[str, ...]:
    out = _lines(values, "emails", max_len=254)
    for i, e in enumerate(out):
        if not _EMAIL.match(e):
            raise ValidationError(f"emails[{i}]", f"{e!r} is not an email address")
    return tuple(out)


_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./\-]+(?:\s*(?:x|ext\.?)\s*[0-9]+)?$", re.I)


def _phones(values: Iterable[Any] | None) -> tuple[str, ...]:
    out = _lines(values, "phones", max_len=40)
    for i, ph in enumerate(out):
        if sum(ch.isdigit() for ch in ph) < 3 or not _PHONE_CHARS.match(ph):
            raise ValidationError(
                f"phones[{i}]", f"{ph!r} is not a phone number (digits, spaces, + ( ) - . /, e.g. '+49 30 1234567')"
            )
    return tuple(out)


def _tags(values: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(_lines(values, "tags", max_len=60))


def _notes(value: Any) -> str:
    text = multi_line("" if value is None else str(value), "notes")
    if len(text) > 20_000:
        raise ValidationError("notes", f"is {len(text)} characters long; the limit is 20000")
    return text


# --------------------------------------------------------------------------------------------
# Channels: handles on other services, LinkedIn profiles


#: Services irlmeet knows how to write a handle for; any other lower-case name is kept as typed.
KNOWN_SERVICES = ("mastodon", "bluesky", "x", "signal", "telegram", "matrix", "whatsapp", "github", "threads", "instagram")
#: What ``preferred`` and ``handles`` take besides a handle's service.
CHANNEL_NAMES = ("email", "phone", "linkedin")
_SERVICE_ALIASES = {"twitter": "x", "bsky": "bluesky", "mail": "email", "e-mail": "email", "tel": "phone",
                    "sms": "phone", "mobile": "phone"}
_SERVICE_NAME = re.compile(r"^[a-z0-9][a-z0-9._+-]{0,39}$")
_MASTODON = re.compile(r"^@?([\w.]+)@([\w.-]+\.[a-z]{2,})$", re.I)
_MASTODON_URL = re.compile(r"^(?:https?://)?([\w.-]+\.[a-z]{2,})/@([\w.]+)/?$", re.I)
_X = re.compile(r"^(?:(?:https?://)?(?:www\.)?(?:x|twitter)\.com/)?@?([A-Za-z0-9_]{1,15})/?$")
_TELEGRAM = re.compile(r"^(?:(?:https?://)?t\.me/)?@?([A-Za-z0-9_]{5,32})/?$")
_BLUESKY = re.compile(r"^(?:(?:https?://)?bsky\.app/profile/)?@?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})/?$", re.I)
_MATRIX = re.compile(r"^@?([^\s:@]+):([\w.-]+\.[a-z]{2,}(?::\d+)?)$", re.I)


def service_name(value: Any, field_name: str = "handles") -> str:
    """A handle's service, lower case (``Twitter`` -> ``x``); a ValidationError for anything else."""
    name = _line(value, field_name, required=True, max_len=40).lower()
    name = _SERVICE_ALIASES.get(name, name)
    if name in CHANNEL_NAMES:
        hint = {"email": "--email", "phone": "--phone", "linkedin": "--linkedin URL"}[name]
        raise ValidationError(field_name, f"{name} is not a handle service; use {hint}")
    if not _SERVICE_NAME.match(name):
        raise ValidationError(field_name, f"{name!r} is not a service name (letters and digits, e.g. mastodon, bluesky, x)")
    return name


def handle(service: str, value: Any, field_name: str | None = None) -> str:
    """A handle on ``service`` in its usual written form (``@ana@example.social`` on Mastodon)."""
    where = field_name or f"handles.{service}"
    text = _line(value, where, required=True, max_len=300)
    if service == "mastodon":
        m = _MASTODON.match(text) or _MASTODON_URL.match(text)
        if m is None:
            raise ValidationError(where, f"{text!r} is not a Mastodon handle (@user@server)")
        user, host = (m.group(1), m.group(2)) if _MASTODON.match(text) else (m.group(2), m.group(1))
        return f"@{user}@{host.lower()}"
    if service == "x":
        m = _X.match(text)
        if m is None:
            raise ValidationError(where, f"{text!r} is not an X handle (@name, up to 15 letters, digits or _)")
        return f"@{m.group(1)}"
    if service == "telegram":
        m = _TELEGRAM.match(text)
        if m is None:
            raise ValidationError(where, f"{text!r} is not a Telegram username (@name, 5-32 letters, digits or _)")
        return f"@{m.group(1)}"
    if service == "bluesky":
        m = _BLUESKY.match(text)
        if m is None:
            raise ValidationError(where, f"{text!r} is not a Bluesky handle (a domain, e.g. ana.bsky.social)")
        return m.group(1).lower()
    if service == "matrix":
        m = _MATRIX.match(text)
        if m is None:
            raise ValidationError(where, f"{text!r} is not a Matrix ID (@user:server)")
        return f"@{m.group(1)}:{m.group(2).lower()}"
    if any(ch.isspace() for ch in text):
        raise ValidationError(where, f"{text!r}: a handle has no spaces")
    return text


def _handles(values: Mapping[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in dict(values or {}).items():
        service = service_name(key)
        if value is None or str(value).strip() == "":
            continue
        out[service] = handle(service, value)
    return out


def parse_handle(text: str, field_name: str = "handle") -> tuple[str, str]:
    """``SERVICE:HANDLE`` (``mastodon:@ana@example.social``) to ``(service, handle)``."""
    service, sep, value = str(text).partition(":")
    if not sep or not service.strip() or not value.strip():
        raise ValidationError(field_name, f"{text!r} is not SERVICE:HANDLE, e.g. mastodon:@ana@example.social")
    name = service_name(service, field_name)
    return name, handle(name, value, field_name)


_LINKEDIN_URL = re.compile(
    r"^(?:https?://)?(?:[a-z]{2,3}\.|www\.)?linkedin\.com/(in|pub|company|school)/([^/?#\s]+)/?(?:[/?#].*)?$", re.I
)
_LINKEDIN_SLUG = re.compile(r"^[\w%-]{3,100}$")
_LINKEDIN_CANONICAL = re.compile(r"^https://www\.linkedin\.com/in/[a-z0-9_-]{3,100}$")


def linkedin_url(value: Any, field_name: str = "linkedin") -> str:
    """A LinkedIn profile as ``https://www.linkedin.com/in/<slug>`` (lower case, no tracking
    parameters); a bare ``<slug>`` is taken too. "" stays "". Anything else: ValidationError."""
    text = _line(value, field_name, max_len=300)
    if not text:
        return ""
    if _LINKEDIN_CANONICAL.match(text):
        return text  # already in the stored form (every load and import of a stored contact)
    m = _LINKEDIN_URL.match(text)
    if m is not None:
        if m.group(1).lower() != "in":
            raise ValidationError(field_name, f"{text!r} is a LinkedIn {m.group(1).lower()} page, not a person's profile")
        slug = m.group(2)
    elif _LINKEDIN_SLUG.match(text) and "linkedin" not in text.lower():
        slug = text
    else:
        raise ValidationError(
            field_name, f"{text!r} is not a LinkedIn profile URL (expected https://www.linkedin.com/in/<name>)"
        )
    slug = urllib.parse.unquote(slug).lower()
    if not re.fullmatch(r"[\w-]{3,100}", slug):
        raise ValidationError(field_name, f"{text!r} is not a LinkedIn profile URL (expected https://www.linkedin.com/in/<name>)")
    return f"https://www.linkedin.com/in/{urllib.parse.quote(slug, safe='-_')}"


# --------------------------------------------------------------------------------------------
# Cadence: how often the user would like to see someone

MAX_CADENCE_DAYS = 10 * 365
_CADENCE_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "week": 7, "weeks": 7, "m": 30, "month": 30,
                  "months": 30, "mo": 30, "y": 365, "year": 365, "years": 365, "yr": 365}
_CADENCE = re.compile(r"^(?:every\s+)?(\d+)?\s*([a-z]+)$", re.I)
_CADENCE_WORDS = {"weekly": 7, "monthly": 30, "quarterly": 90, "yearly": 365, "annually": 365}


def parse_cadence(value: Any, field_name: str = "cadence") -> int | None:
    """``6m``, ``1y``, ``90d``, ``2w`` (or ``every 6 months``, ``quarterly``, a number of days)
    to days: a month is 30 days, a year 365. "" or None is no cadence."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(field_name, f"{value!r} is not a cadence")
    if isinstance(value, int):
        days = value
    else:
        text = _line(value, field_name, max_len=40).lower()
        if not text:
            return None
        if text.isdigit():
            days = int(text)
        elif text in _CADENCE_WORDS:
            days = _CADENCE_WORDS[text]
        else:
            m = _CADENCE.match(text)
            unit = _CADENCE_UNITS.get(m.group(2)) if m else None
            if unit is None:
                raise ValidationError(field_name, f"{value!r} is not a cadence; write e.g. 90d, 2w, 6m or 1y")
            days = int(m.group(1) or 1) * unit
    if days <= 0:
        raise ValidationError(field_name, f"{value!r}: the cadence must be at least a day")
    if days > MAX_CADENCE_DAYS:
        raise ValidationError(field_name, f"{value!r} is more than {MAX_CADENCE_DAYS // 365} years")
    return days


def cadence_label(days: int) -> str:
    """``every 6 months``, ``every year``, ``every 2 weeks``, ``every 10 days``."""

    def unit(n: int, word: str) -> str:
        return f"every {word}" if n == 1 else f"every {n} {word}s"

    if days % 365 == 0:
        return unit(days // 365, "year")
    if days % 30 == 0:
        return unit(days // 30, "month")
    if days % 7 == 0:
        return unit(days // 7, "week")
    return unit(days, "day")


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

#: Where imported contacts come from (issue 9): the importers' kinds.
SOURCE_KINDS = ("linkedin", "vcard", "google")
_BIRTHDAY = re.compile(r"^(?:\d{4}|-)-(\d{2})-(\d{2})$")


def parse_birthday(value: Any, field_name: str = "birthday") -> str:
    """``YYYY-MM-DD`` or ``--MM-DD`` (a birthday without a year); "" for none."""
    text = _line(value.isoformat() if isinstance(value, date) else value, field_name, max_len=10)
    if not text:
        return ""
    m = _BIRTHDAY.match(text)
    try:
        if m is None:
            raise ValueError
        if text.startswith("--"):
            date(2000, int(m.group(1)), int(m.group(2)))  # 2000 is a leap year: 29 February is fine
        else:
            date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field_name, f"{text!r} is not a birthday (YYYY-MM-DD, or --MM-DD without the year)") from None
    return text


@dataclass(frozen=True, slots=True)
class ContactSource:
    """Where (part of) a contact came from: one row or card of an import, found again by ``id``.

    ``kind`` is the importer (``linkedin``, ``vcard``, ``google``); ``id`` the source's own
    identity (LinkedIn profile URL, vCard UID, Google's first e-mail or name) or ``"line N"``
    when it has none; ``file`` the file's name, for the user. ``last`` holds the values this
    source gave at its last import (JSON-able, by Contact field name; empty fields left out): a
    stored value that differs from it was edited in irlmeet and a re-import leaves it alone.
    """

    kind: str
    id: str
    file: str = ""
    last: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValidationError("sources.kind", f"{self.kind!r} is not one of: {', '.join(SOURCE_KINDS)}")
        object.__setattr__(self, "id", _line(self.id, "sources.id", required=True, max_len=500))
        object.__setattr__(self, "file", _line(self.file, "sources.file", max_len=500))
        if type(self.last) is not dict and not isinstance(self.last, Mapping):  # dict: no ABC check
            raise ValidationError("sources.last", "expected an object of field values")

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.id)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "file": self.file, "last": dict(self.last)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ContactSource:
        return cls(kind=d.get("kind", ""), id=d.get("id", ""), file=d.get("file", ""), last=d.get("last") or {})



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
    handles: Mapping[str, str] = field(default_factory=dict)  # service -> handle: "mastodon", "x", ...
    tags: tuple[str, ...] = ()
    notes: str = ""  # private: never in a draft, a calendar file or an export
    last_seen: date | None = None
    last_contacted: date | None = None
    cadence_days: int | None = None
    do_not_invite: bool = False
    # schema 2
    nickname: str = ""  # what the user calls them; drafts greet with it
    company: str = ""
    role: str = ""
    tz: str = ""  # IANA zone overriding the home city's, "" for none
    linkedin: str = ""  # normalised https://www.linkedin.com/in/<slug>
    preferred: str = ""  # "email", "phone", "linkedin" or a handle's service; "" for none
    met_at: str = ""  # where: an event or place, "PyCon DE 2024 sprints"
    met_via: str = ""  # through what or whom: "Mastodon", "my friend Lea"
    topic: str = ""  # the last topic or a shared interest
    closeness: int | None = None  # 1 (acquaintance) .. 5 (closest)
    do_not_invite_reason: str = ""
    # schema 3
    birthday: str = ""  # YYYY-MM-DD, or --MM-DD without the year; "" for none
    sources: tuple[ContactSource, ...] = ()  # where an import found them (see ContactSource)
    circle_open: bool = False  # an import could not tell the circle: the triage queue asks

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        # Speed (30k rows imported or loaded): a field holding exactly its empty default ("" or
        # ()) is already valid, so its check is skipped; every other value goes through the
        # same validator as before, in the same order. A value the validator gives back as it
        # is (clean text: the same object) is not set again (each set costs ~0.1 us).
        if (v := _line(self.id, "id", required=True, max_len=64)) is not self.id:
            set_(self, "id", v)
        if (v := _line(self.name, "name", required=True, max_len=200)) is not self.name:
            set_(self, "name", v)
        if self.places != ():
            places: list[ContactPlace] = []
            for i, p in enumerate(self.places or ()):
                if not isinstance(p, ContactPlace):
                    raise ValidationError(f"places[{i}]", "expected a resolved place")
                if p not in places:
                    places.append(p)
            set_(self, "places", tuple(places))
        if self.circle.__class__ is not Circle:
            set_(self, "circle", Circle.parse(self.circle, "circle"))
        if self.how_we_met != "" and (v := _line(self.how_we_met, "how_we_met", max_len=500)) is not self.how_we_met:
            set_(self, "how_we_met", v)
        if self.met_on is not None and (v := _opt_date(self.met_on, "met_on")) is not self.met_on:
            set_(self, "met_on", v)
        if self.emails != ():
            set_(self, "emails", _emails(self.emails))
        if self.phones != ():
            set_(self, "phones", _phones(self.phones))
        handles = self.handles
        # read-only: the record is frozen
        set_(self, "handles", _NO_HANDLES if handles == {} else MappingProxyType(_handles(handles)))
        if self.tags != ():
            set_(self, "tags", _tags(self.tags))
        if self.notes != "":
            set_(self, "notes", _notes(self.notes))
        if self.last_seen is not None:
            set_(self, "last_seen", _opt_date(self.last_seen, "last_seen"))
        if self.last_contacted is not None:
            set_(self, "last_contacted", _opt_date(self.last_contacted, "last_contacted"))
        if self.cadence_days is not None:
            if isinstance(self.cadence_days, bool):
                raise ValidationError("cadence_days", f"{self.cadence_days!r} is not a whole number")
            try:
                cadence = int(self.cadence_days)
            except (TypeError, ValueError):
                raise ValidationError("cadence_days", f"{self.cadence_days!r} is not a whole number") from None
            if cadence <= 0:
                raise ValidationError("cadence_days", "must be a positive number of days")
            if cadence > MAX_CADENCE_DAYS:
                raise ValidationError("cadence_days", f"{cadence} days is more than {MAX_CADENCE_DAYS // 365} years")
            set_(self, "cadence_days", cadence)
        if self.do_not_invite is not False:
            set_(self, "do_not_invite", bool(self.do_not_invite))
        if self.nickname != "" and (v := _line(self.nickname, "nickname", max_len=100)) is not self.nickname:
            set_(self, "nickname", v)
        if self.company != "" and (v := _line(self.company, "company", max_len=200)) is not self.company:
            set_(self, "company", v)
        if self.role != "" and (v := _line(self.role, "role", max_len=200)) is not self.role:
            set_(self, "role", v)
        if self.tz != "":
            tz = _line(self.tz, "tz", max_len=64)
            if tz:
                zone(tz, "tz")
            set_(self, "tz", tz)
        if self.linkedin != "" and (v := linkedin_url(self.linkedin or "")) is not self.linkedin:
            set_(self, "linkedin", v)
        if self.met_at != "" and (v := _line(self.met_at, "met_at", max_len=300)) is not self.met_at:
            set_(self, "met_at", v)
        if self.met_via != "" and (v := _line(self.met_via, "met_via", max_len=300)) is not self.met_via:
            set_(self, "met_via", v)
        if self.topic != "" and (v := _line(self.topic, "topic", max_len=300)) is not self.topic:
            set_(self, "topic", v)
        if self.closeness is not None and self.closeness != "":
            c = self.closeness
            if isinstance(c, str) and c.strip().isdigit():
                c = int(c.strip())
            if isinstance(c, bool) or not isinstance(c, int) or not 1 <= c <= 5:
                raise ValidationError("closeness", f"{self.closeness!r} is not a whole number from 1 to 5")
            set_(self, "closeness", c)
        elif self.closeness is not None:
            set_(self, "closeness", None)
        reason = "" if self.do_not_invite_reason == "" else _line(
            self.do_not_invite_reason, "do_not_invite_reason", max_len=300)
        if reason and not self.do_not_invite:
            raise ValidationError("do_not_invite_reason", "a reason is kept only for a contact marked do-not-invite")
        if reason is not self.do_not_invite_reason:
            set_(self, "do_not_invite_reason", reason)
        preferred = "" if self.preferred == "" else _line(self.preferred, "preferred", max_len=40).lower()
        if preferred:
            preferred = _SERVICE_ALIASES.get(preferred, preferred)
            have = self.channels
            if preferred not in have:
                what = {"email": "an email address", "phone": "a phone number", "linkedin": "a LinkedIn URL"}.get(
                    preferred, f"a {preferred} handle"
                )
                listed = ", ".join(have) if have else "none yet"
                raise ValidationError(
                    "preferred", f"{preferred!r} is not one of this contact's channels ({listed}); add {what} first"
                )
        if preferred is not self.preferred:
            set_(self, "preferred", preferred)
        if self.birthday != "":
            set_(self, "birthday", parse_birthday(self.birthday))
        if self.sources != ():
            sources = tuple(self.sources or ())
            if not all(isinstance(src, ContactSource) for src in sources):
                raise ValidationError("sources", "expected source records")
            set_(self, "sources", sources)
        if self.circle_open is not False:
            set_(self, "circle_open", bool(self.circle_open))

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def greeting_name(self) -> str:
        """What a note to them starts with: the nickname, else the first name."""
        return self.nickname or self.first_name

    @property
    def zone_name(self) -> str | None:
        """Their IANA zone: the override, else their home place's, else None."""
        if self.tz:
            return self.tz
        home = self.home
        return home.tz if home else None

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels that reach them, the names ``preferred`` takes: email, phone, linkedin,
        then each handle's service."""
        out = []
        if self.emails:
            out.append("email")
        if self.phones:
            out.append("phone")
        if self.linkedin:
            out.append("linkedin")
        out.extend(self.handles)
        return tuple(out)

    @property
    def cadence_label(self) -> str:
        """``every 6 months``; "" when no cadence is set."""
        return cadence_label(self.cadence_days) if self.cadence_days else ""

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
            "nickname": self.nickname,
            "company": self.company,
            "role": self.role,
            "tz": self.tz,
            "linkedin": self.linkedin,
            "preferred": self.preferred,
            "met_at": self.met_at,
            "met_via": self.met_via,
            "topic": self.topic,
            "closeness": self.closeness,
            "do_not_invite_reason": self.do_not_invite_reason,
            "birthday": self.birthday,
            "sources": [src.to_dict() for src in self.sources],
            "circle_open": self.circle_open,
        }

    @classmethod
    @_read_back
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
            nickname=d.get("nickname", ""),
            company=d.get("company", ""),
            role=d.get("role", ""),
            tz=d.get("tz") or "",
            linkedin=d.get("linkedin") or "",
            preferred=d.get("preferred") or "",
            met_at=d.get("met_at", ""),
            met_via=d.get("met_via", ""),
            topic=d.get("topic", ""),
            closeness=d.get("closeness"),
            do_not_invite_reason=d.get("do_not_invite_reason", ""),
            birthday=d.get("birthday") or "",
            sources=tuple(ContactSource.from_dict(src) for src in d.get("sources") or ()),
            circle_open=d.get("circle_open", False),
        )


# --------------------------------------------------------------------------------------------
# Trips


@dataclass(frozen=True, slots=True)
class BusyBlock:
    """Time the user is not free during a trip (a talk, a client meeting, a flight)."""

    start: datetime
    end: datetime
    title: str = ""
    id: str = ""  # set when stored, so `irlmeet busy rm ID` can name it

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", _text(self.id, "busy.id", max_len=64))
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
        return {"id": self.id, "start": _dt_to_json(self.start), "end": _dt_to_json(self.end), "title": self.title}

    @classmethod
    @_read_back
    def from_dict(cls, d: Mapping[str, Any]) -> BusyBlock:
        return cls(
            start=_dt_from_json(d.get("start"), "busy.start"),
            end=_dt_from_json(d.get("end"), "busy.end"),
            title=d.get("title", ""),
            id=d.get("id") or "",
        )


# A work trip longer than a quarter is a move, not a trip; it also keeps a plan (a slot search
# over every day) and an export small.
MAX_TRIP_DAYS = 92
# Half the Earth's circumference is ~20,015 km: no two places are farther apart than this.
MAX_RADIUS_KM = 20_000


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
    arrive: time | None = None  # arrival time on the first day (None: the config's default)
    leave: time | None = None  # departure time on the last day (None: the config's default)
    weekends: bool = False  # professional meetups on Saturday and Sunday too

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
        set_(self, "notes", _text(self.notes, "notes", lines=True))
        set_(self, "arrive", parse_clock(self.arrive, "arrive"))
        set_(self, "leave", parse_clock(self.leave, "leave"))
        if self.start == self.end and self.arrive and self.leave and self.leave <= self.arrive:
            raise ValidationError("leave", f"on a one-day trip you leave ({self.leave:%H:%M}) after you arrive ({self.arrive:%H:%M})")
        if not isinstance(self.weekends, bool):
            raise ValidationError("weekends", f"{self.weekends!r} is not true or false")

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
            "arrive": self.arrive.strftime("%H:%M") if self.arrive else None,
            "leave": self.leave.strftime("%H:%M") if self.leave else None,
            "weekends": self.weekends,
        }

    @classmethod
    @_read_back
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
            arrive=d.get("arrive") or None,
            leave=d.get("leave") or None,
            weekends=bool(d.get("weekends", False)),
        )


# --------------------------------------------------------------------------------------------
# Meetups

#: The answers a person invited to a (group) meetup can give; "invited" is no answer yet.
RSVP_ANSWERS = ("invited", "yes", "maybe", "no")


def _rsvp(value: Any, people: tuple[str, ...]) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ValidationError("rsvp", "expected a mapping of contact id to answer")
    out: dict[str, str] = {}
    for cid, answer in value.items():
        if cid not in people:
            raise ValidationError(f"rsvp.{cid}", "is not one of this meetup's people")
        text = str(answer).strip().lower()
        if text not in RSVP_ANSWERS:
            raise ValidationError(f"rsvp.{cid}", f"{answer!r} is not one of: {', '.join(RSVP_ANSWERS)}")
        out[cid] = text
    return MappingProxyType(out)


#: The longest invitation kept with a meetup (a long email is ~1,000 characters).
MAX_DRAFT_CHARS = 20_000


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
    draft_text: str = ""  # the invitation as the user edited it ("" = none kept; the generated one is used)
    draft_channel: str = ""  # the channel draft_text was written for ("email", "linkedin-note", ...)
    rsvp: Mapping[str, str] = field(default_factory=dict)  # contact id -> invited|yes|maybe|no
    exported: bool = False  # ever written to an .ics file: a calendar may hold it, so it is cancelled there

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
        set_(self, "notes", _text(self.notes, "notes", lines=True))
        if self.updated is not None:
            set_(self, "updated", _aware(self.updated, "updated"))
        set_(self, "draft_text", _text(self.draft_text, "draft_text", lines=True, max_len=MAX_DRAFT_CHARS))
        channel = _text(self.draft_channel, "draft_channel", max_len=32).strip().lower()
        if channel and not re.fullmatch(r"[a-z][a-z-]*", channel):
            raise ValidationError("draft_channel", f"{channel!r} is not a channel name")
        set_(self, "draft_channel", channel)
        set_(self, "rsvp", _rsvp(self.rsvp, ids))
        if not isinstance(self.exported, bool):
            raise ValidationError("exported", f"{self.exported!r} is not true or false")

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
            "draft_text": self.draft_text,
            "draft_channel": self.draft_channel,
            "rsvp": dict(self.rsvp),
            "exported": self.exported,
        }

    @classmethod
    @_read_back
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
            draft_text=d.get("draft_text", ""),
            draft_channel=d.get("draft_channel", ""),
            rsvp=d.get("rsvp") or {},
            exported=d.get("exported", False),
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
    @_read_back
    def from_dict(cls, d: Mapping[str, Any]) -> Profile:
        home = d.get("home")
        return cls(name=d.get("name", ""), home=Place.from_dict(home) if home else None)
