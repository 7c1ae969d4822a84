"""A trip's meetups as an iCalendar file (RFC 5545) that any calendar can import.

- :func:`new_meetup_uid` gives a meetup its calendar UID once, when it is created; the UID never
  changes, so exporting again updates the calendar's event instead of adding a second one.
- :func:`build_calendar` turns a trip and its meetups into ``.ics`` bytes: one VEVENT per meetup,
  times in the destination's zone (``TZID=<IANA name>``) with a VTIMEZONE for that zone.
- :func:`write_ics` writes the bytes atomically; :func:`read_events` reads events back.

icalendar writes every content line: it escapes text, folds lines at 75 octets and ends them
with CRLF. Nothing here joins text into a content line by hand.

The VTIMEZONE is built here rather than with icalendar's ``add_missing_timezones()``, which
lists each observance's onsets as one comma-joined RDATE: some parsers read only the first
value, and Outlook ignores RDATE altogether (it reduces a VTIMEZONE to one yearly
standard-to-daylight and one daylight-to-standard RRULE). So, for the years around the events:

- a zone without changes gets one STANDARD observance;
- a zone whose changes follow one yearly rule (every DST zone today) gets one STANDARD and one
  DAYLIGHT observance, each with an RRULE (``FREQ=YEARLY;BYMONTH=..;BYDAY=..``) starting in
  1970, the form Outlook, Exchange and tzurl write. The rule is used only if it reproduces every
  change in those years to the second (before them it is the rule, not history);
- anything else gets one observance per change, each a lone DTSTART (no RDATE, no RRULE).

Onsets are written as RFC 5545 wants them: local time in the *old* offset (TZOFFSETFROM), e.g.
``DTSTART:19700329T020000`` with ``TZOFFSETFROM:+0100`` for Berlin's spring change.
"""

from __future__ import annotations

import calendar as _calendar
import functools
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # icalendar is imported where a calendar is built or read (31 ms of import)
    from icalendar import Timezone

from irlmeet import __version__
from irlmeet.core.errors import ExportError
from irlmeet.core.fsutil import atomic_write, describe_os_error
from irlmeet.core.models import Contact, Meetup, MeetupStatus, Trip, zone
from irlmeet.core.text import visible
from irlmeet.core.wording import iso_span, kind_title

__all__ = [
    "MEETUP_UID_NAMESPACE",
    "build_calendar",
    "is_cancelled",
    "meetup_uid",
    "new_meetup_uid",
    "read_events",
    "write_ics",
]

# Fixed forever: every meetup UID ever handed out is derived from it. Never change it.
MEETUP_UID_NAMESPACE = uuid.UUID("a272dc22-49f1-53ab-9147-0e357c390b2b")
_UID_DOMAIN = "irlmeet"

PRODID = f"-//irlmeet//irlmeet {__version__}//EN"


# --------------------------------------------------------------------------------------------
# UIDs


def new_meetup_uid(trip_id: str, meetup_id: str) -> str:
    """The calendar UID for a new meetup: derived from its own id (and its trip's), so it is
    unique per meetup (two meetups with the same person on one trip get two UIDs) and
    deterministic under an injected id factory. Stored with the meetup and never changed."""
    trip, meetup = str(trip_id).strip(), str(meetup_id).strip()
    if not trip or not meetup:
        raise ValueError("new_meetup_uid needs a trip id and a meetup id")
    return f"{uuid.uuid5(MEETUP_UID_NAMESPACE, f'meetup:{trip}/{meetup}')}@{_UID_DOMAIN}"


def meetup_uid(trip_id: str, contact_ids: Sequence[str]) -> str:
    """The UID irlmeet 0.1.0 gave a meetup of these people on this trip (kept so the scheme
    stays documented: meetups stored with such UIDs keep them). New meetups use
    :func:`new_meetup_uid`: this one is the same for two meetups with the same people, which
    two concurrent exports turned into duplicate UIDs. The same inputs give the same UID forever
    (the order and repeats of ``contact_ids`` do not matter)."""
    if isinstance(contact_ids, str):
        raise TypeError("contact_ids must be a sequence of ids, not one string")
    trip = str(trip_id).strip()
    ids = sorted({str(c).strip() for c in contact_ids} - {""})
    if not trip:
        raise ValueError("meetup_uid needs a trip id")
    if not ids:
        raise ValueError("meetup_uid needs at least one contact id")
    name = f"{trip}:{','.join(ids)}"
    return f"{uuid.uuid5(MEETUP_UID_NAMESPACE, name)}@{_UID_DOMAIN}"


# --------------------------------------------------------------------------------------------
# VTIMEZONE


@dataclass(frozen=True, slots=True)
class _Observance:
    """One STANDARD or DAYLIGHT sub-component."""

    daylight: bool
    onset: datetime  # naive local time in ``offset_from``: RFC 5545's DTSTART for observances
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rule: tuple[int, str] | None = None  # (BYMONTH, BYDAY) of a yearly RRULE


_State = tuple[timedelta, bool, str]  # UTC offset, is daylight time, abbreviation
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SCAN_STEP = timedelta(days=1)
_RULES_SINCE = 1970


def _state(zi: ZoneInfo, instant: datetime) -> _State:
    local = instant.astimezone(zi)
    offset = local.utcoffset()
    dst = local.dst()
    assert offset is not None
    return offset, bool(dst), local.tzname() or ""


def _changes(zi: ZoneInfo, start: datetime, end: datetime) -> tuple[_State, list[tuple[datetime, _State]]]:
    """The state at ``start`` and every (UTC instant, new state) change in [start, end)."""
    first = _state(zi, start)
    changes: list[tuple[datetime, _State]] = []
    at, current = start, first
    while at < end:
        nxt = min(at + _SCAN_STEP, end)
        if _state(zi, nxt) == current:
            at = nxt
            continue
        lo, hi = at, nxt  # state(lo) == current != state(hi): find the first second that differs
        while hi - lo > timedelta(seconds=1):
            mid = (lo + (hi - lo) // 2).replace(microsecond=0)
            if _state(zi, mid) == current:
                lo = mid
            else:
                hi = mid
        current = _state(zi, hi)
        if hi < end:
            changes.append((hi, current))
        at = hi  # go on from the change: a second one within the same step is found too
    return first, changes


def _byday_candidates(day: date) -> set[str]:
    code = _WEEKDAYS[day.weekday()]
    out = {f"{(day.day - 1) // 7 + 1}{code}"}
    if day.day + 7 > _calendar.monthrange(day.year, day.month)[1]:
        out.add(f"-1{code}")
    return out


def _rule_day(year: int, month: int, byday: str) -> date | None:
    n, weekday = int(byday[:-2]), _WEEKDAYS.index(byday[-2:])
    days_in_month = _calendar.monthrange(year, month)[1]
    if n > 0:
        first = date(year, month, 1)
        day = 1 + (weekday - first.weekday()) % 7 + 7 * (n - 1)
        return date(year, month, day) if day <= days_in_month else None
    last = date(year, month, days_in_month)
    return date(year, month, days_in_month - (last.weekday() - weekday) % 7)


def _yearly_rules(
    changes: list[tuple[datetime, _State, _State]], first_year: int, last_year: int
) -> tuple[_Observance, ...] | None:
    """One DAYLIGHT and one STANDARD observance with yearly RRULEs, if such rules reproduce every
    change in ``first_year..last_year`` exactly; else None."""
    states = {new for _, _, new in changes}
    if len(states) != 2 or sorted(s[1] for s in states) != [False, True]:
        return None
    years = list(range(first_year, last_year + 1))
    out: list[_Observance] = []
    for target in sorted(states, key=lambda s: s[1]):  # STANDARD first, then DAYLIGHT
        mine = [(t, old, new) for t, old, new in changes if new == target]
        if any(old == target or old not in states for _, old, _ in mine):
            return None
        offset_from = mine[0][1][0]
        onsets = [(t + old[0]).replace(tzinfo=None) for t, old, _ in mine]
        if [o.year for o in onsets] != years or any(old[0] != offset_from for _, old, _ in mine):
            return None
        months = {o.month for o in onsets}
        times = {o.time() for o in onsets}
        if len(months) != 1 or len(times) != 1:
            return None
        candidates = set.intersection(*(_byday_candidates(o.date()) for o in onsets))
        if not candidates:
            return None
        byday = min(candidates)  # "-1SU" sorts before "4SU": prefer "last Sunday"
        month, clock = months.pop(), times.pop()
        # The rule must give back every onset to the second.
        rebuilt = [_rule_day(y, month, byday) for y in years]
        if any(d is None for d in rebuilt) or [datetime.combine(d, clock) for d in rebuilt] != onsets:  # type: ignore[arg-type]
            return None
        # Written from 1970 like tzurl's and Outlook's zones, not from the first onset checked:
        # some parsers probe earlier years (vobject samples 2000-2020 to decide whether a zone
        # "is UTC", and one that is undefined then falls back to another zone database).
        since = _rule_day(min(_RULES_SINCE, first_year), month, byday)
        out.append(
            _Observance(
                daylight=target[1], onset=datetime.combine(since, clock) if since else onsets[0],
                offset_from=offset_from,
                offset_to=target[0], name=target[2], rule=(month, byday),
            )
        )
    return tuple(out)


@functools.lru_cache(maxsize=32)
def _observances(tzid: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    """Observances that give ``tzid``'s offsets exactly from 1 January ``first_year`` to
    31 December ``last_year`` (and that every parser reads the same)."""
    zi = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    initial, raw = _changes(zi, start, end)
    if not raw:
        offset, dst, name = initial
        onset = (start + offset).replace(tzinfo=None)
        return (_Observance(daylight=dst, onset=onset, offset_from=offset, offset_to=offset, name=name),)
    changes: list[tuple[datetime, _State, _State]] = []
    previous = initial
    for t, new in raw:
        changes.append((t, previous, new))
        previous = new
    ruled = _yearly_rules(changes, first_year, last_year)
    if ruled is not None:
        return ruled
    # One observance per change, each a lone DTSTART, after one for the state at the start.
    offset, dst, name = initial
    out = [_Observance(daylight=dst, onset=(start + offset).replace(tzinfo=None),
                       offset_from=offset, offset_to=offset, name=name)]
    for t, old, new in changes:
        out.append(
            _Observance(daylight=new[1], onset=(t + old[0]).replace(tzinfo=None),
                        offset_from=old[0], offset_to=new[0], name=new[2])
        )
    return tuple(out)


def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    tz = Timezone()
    tz.add("tzid", tzid)
    # libical-based clients (Evolution, older Thunderbird) map this to their built-in zone.
    tz.add("x-lic-location", tzid)
    for ob in _observances(tzid, first_year, last_year):
        sub = TimezoneDaylight() if ob.daylight else TimezoneStandard()
        sub.add("dtstart", ob.onset)
        sub.add("tzoffsetfrom", ob.offset_from)
        sub.add("tzoffsetto", ob.offset_to)
        if ob.name:
            sub.add("tzname", ob.name)
        if ob.rule is not None:
            sub.add("rrule", {"freq": "yearly", "bymonth": ob.rule[0], "byday": ob.rule[1]})
        tz.add_component(sub)
    return tz


# --------------------------------------------------------------------------------------------
# Event text

_STATUS = {
    MeetupStatus.IDEA: "TENTATIVE",
    MeetupStatus.PLANNED: "TENTATIVE",
    MeetupStatus.INVITED: "TENTATIVE",
    MeetupStatus.CONFIRMED: "CONFIRMED",
    MeetupStatus.MET: "CONFIRMED",
    MeetupStatus.DECLINED: "CANCELLED",
    MeetupStatus.CANCELLED: "CANCELLED",
    MeetupStatus.SKIPPED: "CANCELLED",
    MeetupStatus.MISSED: "CANCELLED",
    MeetupStatus.DROPPED: "CANCELLED",
}

_STATUS_TEXT = {
    MeetupStatus.IDEA: "idea (not accepted yet)",
    MeetupStatus.PLANNED: "pencilled in (invitation not sent yet)",
    MeetupStatus.INVITED: "pencilled in (invited, waiting for an answer)",
    MeetupStatus.CONFIRMED: "confirmed",
    MeetupStatus.MET: "met",
    MeetupStatus.DECLINED: "declined",
    MeetupStatus.CANCELLED: "cancelled",
    MeetupStatus.SKIPPED: "cancelled (skipped for this trip)",
    MeetupStatus.MISSED: "did not happen",
    MeetupStatus.DROPPED: "cancelled (no longer proposed)",
}


def is_cancelled(status: MeetupStatus) -> bool:
    """True for the statuses written as STATUS:CANCELLED (calendars drop those events)."""
    return _STATUS[status] == "CANCELLED"


def _title(summary: str, status: MeetupStatus) -> str:
    """The SUMMARY, telling a client that ignores STATUS what the event is by its title."""
    if is_cancelled(status):
        return f"Cancelled: {summary}"
    if status is MeetupStatus.IDEA:
        return f"{summary} (idea)"
    if _STATUS[status] == "TENTATIVE":
        return f"{summary} (pencilled in)"
    return summary


_UNKNOWN_PERSON = "someone"

# Calendars get shared: no email address or phone number goes into an event. Contacts' own
# addresses and numbers are never used; these catch ones typed into free text.
_EMAIL_RE = re.compile(r"[^\s@<>()\[\]{},;:\"']+@[^\s@<>()\[\]{},;:\"']+\.[^\s@<>()\[\]{},;:\"']{2,}")
_INTL_PHONE_RE = re.compile(r"\+\d(?:[\s().\-/]*\d){6,}")


def _scrub(text: str, phones: Sequence[str] = (), *, lines: bool = False) -> str:
    """``text`` fit for a shared calendar: no email address or phone number, and no control
    character (icalendar escapes commas and line breaks, not ESC or NUL: they are shown escaped,
    as everywhere else, see :func:`irlmeet.core.text.visible`)."""
    text = visible(text, lines=lines)
    for phone in sorted(phones, key=len, reverse=True):
        if phone and len(re.sub(r"\D", "", phone)) >= 5:
            text = text.replace(phone, "[phone]")
    text = _EMAIL_RE.sub("[email]", text)
    return _INTL_PHONE_RE.sub("[phone]", text)


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _first_name(contact: Contact) -> str:
    return contact.first_name.rstrip(",;") or contact.name


def _summary(meetup: Meetup, people: Sequence[Contact | None]) -> str:
    word = kind_title(meetup.kind)
    if len(people) == 1:
        only = people[0]
        return f"{word} with {only.name if only else _UNKNOWN_PERSON}"
    firsts = [_first_name(p) if p else _UNKNOWN_PERSON for p in people]
    known = [f for f, p in zip(firsts, people, strict=True) if p]
    if len(set(known)) != len(known):  # two Adas: full names tell them apart
        firsts = [p.name if p else _UNKNOWN_PERSON for p in people]
    return f"Group {word.lower()}: {_join(firsts)}"


def _description(
    meetup: Meetup,
    people: Sequence[Contact | None],
    start: datetime,
    end: datetime,
    user_zone: ZoneInfo | None,
    *,
    place: str,
    conflict: str = "",
    details: bool = False,
) -> str:
    """Share-safe by default: the kind, the place, the status, a conflict, the time at home.
    ``details`` adds who is coming and how the user knows them. Never contact details, never
    the private notes."""
    lines = [f"{kind_title(meetup.kind)}, {place}", f"Status: {_STATUS_TEXT[meetup.status]}"]
    if conflict and not is_cancelled(meetup.status):
        lines.append(f"Conflict: {conflict} (to resolve in irlmeet)")
    if user_zone is not None:
        home_start, home_end = start.astimezone(user_zone), end.astimezone(user_zone)
        if home_start.utcoffset() != start.utcoffset() or home_end.utcoffset() != end.utcoffset():
            lines.append(f"Your time ({user_zone.key}): {iso_span(home_start, home_end)}")
    if details:
        for p in people:
            if p is None:
                lines.append("Someone no longer in your contacts")
            elif p.how_we_met:
                lines.append(f"{p.name} ({p.how_we_met})")
            else:
                lines.append(p.name)
    lines.append("Planned with irlmeet")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The calendar


def _utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(UTC).replace(microsecond=0)


def _is_second_of_repeated_hour(local: datetime) -> bool:
    """True for the second pass through a repeated wall-clock hour (fall back): TZID form would
    name the first pass (RFC 5545 3.3.5), so such a time is written in UTC instead."""
    return bool(local.fold) and local.replace(fold=0).utcoffset() != local.utcoffset()


def build_calendar(
    trip: Trip,
    meetups: Sequence[Meetup],
    contacts: Mapping[str, Contact],
    *,
    now: datetime,
    user_tz: str | None = None,
    details: bool = False,
    conflicts: Mapping[str, str] | None = None,
) -> bytes:
    """The trip's meetups as ``.ics`` bytes (UTF-8, CRLF, folded and escaped by icalendar).

    Each event's STATUS and title follow the meetup's status: an idea is "(idea)", planned and
    invited ones are TENTATIVE and "(pencilled in)", confirmed and met ones CONFIRMED, and the
    declined, cancelled, skipped, missed or dropped ones CANCELLED, TRANSPARENT and
    "Cancelled: ...". ``conflicts`` (meetup id to a share-safe reason) go into descriptions;
    ``details`` adds who is coming and how the user knows them.

    ``now`` becomes every event's DTSTAMP. ``user_tz`` (the user's own IANA zone), when it differs
    from the destination's offset, adds the meetup's time at home to the description. Meetups
    come out sorted by start time; contacts missing from ``contacts`` show as "someone".
    """
    from icalendar import Calendar, Event, vText

    stamp = _utc(now, "now")
    dest_tz = trip.destination.tz
    dest_zone = ZoneInfo(dest_tz)
    user_zone = zone(user_tz, "user_tz") if user_tz else None

    seen: dict[str, str] = {}
    for m in meetups:
        if m.trip_id != trip.id:
            raise ValueError(f"meetup {m.id} belongs to trip {m.trip_id}, not {trip.id}")
        if m.uid in seen:
            # An ExportError, not a traceback: the user can act on it (irlmeet repairs
            # duplicate UIDs when it opens the data file, see Service.repair).
            raise ExportError(
                f"meetups {seen[m.uid]} and {m.id} of the trip {trip.name!r} share the calendar UID "
                f"{m.uid}, so a calendar could not tell them apart; nothing was exported. Run irlmeet "
                "again: it removes such duplicates when it opens the data file"
            )
        seen[m.uid] = m.id

    ordered = sorted(meetups, key=lambda m: (m.start, m.uid))
    local = [
        (m, m.start.astimezone(dest_zone).replace(microsecond=0), m.end.astimezone(dest_zone).replace(microsecond=0))
        for m in ordered
    ]
    years = [trip.start.year, trip.end.year]
    years += [d.year for _, s, e in local for d in (s, e)]

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # No METHOD. This is a plain RFC 5545 file for importing or subscribing, not an iTIP message
    # (RFC 5546): METHOD:PUBLISH would require an ORGANIZER on every event (we have no address
    # for the user and put none in shared calendars) and forbids ATTENDEE, and REQUEST would make
    # clients send invitations. CalDAV (RFC 4791) forbids METHOD in stored objects too.
    # NAME (RFC 7986) and X-WR-CALNAME are TEXT, but icalendar 7.3 types them as unknown and
    # would write "," ";" "\\" unescaped (vobject then reads "Berlin, spring" as "Berlin"):
    # hand it vText so it escapes them. (Calendar.calendar_name has the same problem.)
    cal_name = _scrub(trip.name)
    cal.add("name", vText(cal_name))
    cal.add("x-wr-calname", vText(cal_name))
    # Margin of a year each side: every event is covered with room to spare.
    cal.add_component(_vtimezone(dest_tz, min(years) - 1, max(years) + 1))

    for m, start, end in local:
        people = [contacts.get(cid) for cid in m.contact_ids]
        phones = [ph for p in people if p for ph in p.phones]
        place = m.place or trip.destination.label()
        description = _description(m, people, start, end, user_zone, place=place,
                                   conflict=(conflicts or {}).get(m.id, ""), details=details)
        if _is_second_of_repeated_hour(start) or _is_second_of_repeated_hour(end):
            start, end = start.astimezone(UTC), end.astimezone(UTC)
        ev = Event()  # not Event.new(): it would add a random UID
        ev.add("uid", m.uid)
        ev.add("dtstamp", stamp)
        if m.updated is not None:
            ev.add("last-modified", _utc(m.updated, "updated"))
        ev.add("sequence", m.sequence)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("summary", _scrub(_title(_summary(m, people), m.status), phones))
        ev.add("location", _scrub(place, phones))
        ev.add("description", _scrub(description, phones, lines=True))
        ev.add("status", _STATUS[m.status])
        busy = _STATUS[m.status] != "CANCELLED" and m.status is not MeetupStatus.IDEA
        ev.add("transp", "OPAQUE" if busy else "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()


def read_events(data: bytes) -> list[dict[str, Any]]:
    """The VEVENTs of an ``.ics`` file as plain dicts: ``uid``, ``summary``, ``start``, ``end``
    (aware datetimes, or dates for all-day events), ``status`` (upper case, or None),
    ``sequence`` (0 when absent), plus ``location``, ``description`` and ``transp``.

    Raises ValueError when ``data`` is not an iCalendar object.
    """
    from icalendar import Calendar

    cal = Calendar.from_ical(data)
    out: list[dict[str, Any]] = []
    for ev in cal.walk("VEVENT"):
        status = ev.get("STATUS")
        transp = ev.get("TRANSP")
        out.append(
            {
                "uid": str(ev.get("UID", "")),
                "summary": str(ev.get("SUMMARY", "")),
                "start": ev.start,
                "end": ev.end,
                "status": str(status).upper() if status is not None else None,
                "sequence": int(ev.get("SEQUENCE", 0)),
                "location": str(ev.get("LOCATION", "")),
                "description": str(ev.get("DESCRIPTION", "")),
                "transp": str(transp).upper() if transp is not None else None,
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# Writing


def _os_problem(path: Path, exc: OSError) -> ExportError:
    if isinstance(exc, PermissionError):  # creating the temp file beside it failed
        return ExportError(f"{path}: could not write the calendar file: the folder {path.parent} is not writable (permission denied)")
    return ExportError(f"{path}: could not write the calendar file: {describe_os_error(exc, path)}")


def write_ics(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, flushed to
    disk, then renamed over ``path``. On any failure ``path`` is left as it was and an
    :class:`ExportError` names the path and the problem."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_ics wants bytes, got {type(data).__name__}")
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path}: could not write the calendar file: it is a folder, not a file")
    try:
        atomic_write(path, bytes(data), mode=None)  # keeps a replaced file's permissions
    except OSError as exc:
        raise _os_problem(path, exc) from exc


