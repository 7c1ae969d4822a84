"""How irlmeet words kinds, dates, day ranges and times: the one place for it.

The CLI, the TUI, the drafts and the calendar file all say "coffee", "Tuesday 8 December",
"from 8 to 11 December" and "10:30 in Berlin (09:30 your time)" through these functions, so
the four front ends cannot drift apart.

Local style follows the *reader's* country (:func:`style_for`): a 12-hour clock ("6:30 pm")
and the month first ("Tuesday, December 8") in the United States, a 12-hour clock with the day
first in a few other countries, and the 24-hour clock with the day first everywhere else.
Month and weekday names are English and never depend on the process locale (``%A`` would).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "DAY_FIRST_24H",
    "TWELVE_HOUR",
    "Style",
    "ago",
    "clock",
    "date_long",
    "date_short",
    "day_range",
    "days_label",
    "iso_span",
    "iso_when",
    "kind_noun",
    "kind_object",
    "kind_phrase",
    "kind_title",
    "meetup_label",
    "month_year",
    "short_when",
    "span",
    "style_for",
    "two_zone",
    "weekday_range",
    "when",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


@dataclass(frozen=True, slots=True)
class Style:
    """How a reader writes times and dates."""

    twelve_hour: bool = False  # "6:30 pm" instead of "18:30"
    month_first: bool = False  # "Tuesday, December 8" instead of "Tuesday 8 December"


DAY_FIRST_24H = Style()

#: Countries (ISO 3166 alpha-2) whose people write times on a 12-hour clock, with whether they
#: put the month first. Kept small on purpose: where usage is mixed (the UK, Ireland, Quebec),
#: the 24-hour clock is the one nobody misreads. Canada is listed for English Canada.
TWELVE_HOUR: dict[str, Style] = {
    "US": Style(twelve_hour=True, month_first=True),
    "CA": Style(twelve_hour=True, month_first=True),
    "PH": Style(twelve_hour=True, month_first=True),
    "AU": Style(twelve_hour=True),
    "NZ": Style(twelve_hour=True),
    "IN": Style(twelve_hour=True),
    "PK": Style(twelve_hour=True),
    "BD": Style(twelve_hour=True),
    "EG": Style(twelve_hour=True),
}


def style_for(country_code: str | None) -> Style:
    """The reader's style from their place's country code; 24-hour, day first when unknown."""
    return TWELVE_HOUR.get((country_code or "").upper(), DAY_FIRST_24H)


# --------------------------------------------------------------------------------------------
# Kinds

# kind value -> (noun, phrase inside "up for ...", title)
_KINDS: dict[str, tuple[str, str, str]] = {
    "breakfast": ("breakfast", "breakfast", "Breakfast"),
    "coffee": ("coffee", "a coffee", "Coffee"),
    "lunch": ("lunch", "lunch", "Lunch"),
    "drinks": ("after-work drinks", "a drink after work", "Drinks"),
    "dinner": ("dinner", "dinner", "Dinner"),
    "walk": ("a walk", "a walk", "Walk"),
    "group": ("get-together", "a get-together", "Meetup"),
}


def _kind(kind: object) -> tuple[str, str, str]:
    value = getattr(kind, "value", kind)
    return _KINDS.get(str(value), (str(value), str(value), str(value).capitalize()))


def kind_noun(kind: object) -> str:
    """``coffee``, ``lunch``, ``after-work drinks``: a meetup kind in a list or a table."""
    return _kind(kind)[0]


def kind_phrase(kind: object) -> str:
    """``a coffee``, ``a drink after work``: what follows "up for" or "meet for"."""
    return _kind(kind)[1]


def kind_object(kind: object) -> str:
    """``the coffee``, ``lunch``, ``the drinks``: what follows "thanks for"."""
    value = str(getattr(kind, "value", kind))
    return {"coffee": "the coffee", "drinks": "the drinks", "walk": "the walk", "group": "the get-together"}.get(
        value, kind_noun(kind)
    )


def kind_title(kind: object) -> str:
    """``Coffee``, ``Drinks``: a title's first word (calendar summaries, subjects)."""
    return _kind(kind)[2]


def meetup_label(kind: object, names: Sequence[str]) -> str:
    """``Ada's coffee``, ``the group dinner with Ada and Bo``: who and what, for messages."""
    word = kind_title(kind).lower()
    people = list(names) or ["someone"]
    if len(people) == 1:
        return f"{people[0]}'s {word}"
    return f"the group {word} with " + ", ".join(people[:-1]) + f" and {people[-1]}"


# --------------------------------------------------------------------------------------------
# Times and dates


def clock(dt: datetime, style: Style = DAY_FIRST_24H) -> str:
    """``18:30`` or ``6:30 pm`` (``6 pm`` on the hour, ``noon``, ``midnight``)."""
    if not style.twelve_hour:
        return f"{dt.hour:02d}:{dt.minute:02d}"
    if dt.minute == 0 and dt.hour in (0, 12):
        return "midnight" if dt.hour == 0 else "noon"
    hour = dt.hour % 12 or 12
    suffix = "am" if dt.hour < 12 else "pm"
    return f"{hour} {suffix}" if dt.minute == 0 else f"{hour}:{dt.minute:02d} {suffix}"


def date_long(d: date, style: Style = DAY_FIRST_24H, *, year: bool = False) -> str:
    """``Tuesday 8 December`` / US ``Tuesday, December 8`` (``year``: ``..., 2026``)."""
    wd, month = WEEKDAYS[d.weekday()], MONTHS[d.month - 1]
    if style.month_first:
        return f"{wd}, {month} {d.day}" + (f", {d.year}" if year else "")
    return f"{wd} {d.day} {month}" + (f" {d.year}" if year else "")


def date_short(d: date, style: Style = DAY_FIRST_24H) -> str:
    """``Tue 8 Dec`` / US ``Tue, Dec 8``."""
    wd, month = WEEKDAYS[d.weekday()][:3], MONTHS[d.month - 1][:3]
    return f"{wd}, {month} {d.day}" if style.month_first else f"{wd} {d.day} {month}"


def month_year(d: date) -> str:
    """``May 2024``."""
    return f"{MONTHS[d.month - 1]} {d.year}"


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def when(dt: datetime, tz: str | tzinfo | None = None, style: Style = DAY_FIRST_24H) -> str:
    """``Tuesday 8 December at 18:30`` / US ``Tuesday, December 8 at 6:30 pm``, in ``tz``
    (default: ``dt``'s own zone)."""
    local = dt.astimezone(_zone(tz)) if tz is not None else dt
    return f"{date_long(local.date(), style)} at {clock(local, style)}"


def short_when(dt: datetime, style: Style = DAY_FIRST_24H) -> str:
    """``Wed 15 Apr 10:30`` / US ``Wed, Apr 15 10:30 am`` (in ``dt``'s own zone)."""
    return f"{date_short(dt.date(), style)} {clock(dt, style)}"


def span(start: datetime, end: datetime, style: Style = DAY_FIRST_24H) -> str:
    """``Mon 10 May 14:30-15:15`` (another day: ``Mon 10 May 23:00-Tue 11 May 00:30``), each
    in its own zone: a meetup or busy time in a listing."""
    tail = clock(end, style) if end.date() == start.date() else short_when(end, style)
    return f"{short_when(start, style)}-{tail}"


def two_zone(
    dt: datetime,
    there: str | tzinfo,
    here: str | tzinfo | None,
    *,
    place: str,
    style: Style = DAY_FIRST_24H,
    here_style: Style | None = None,
    with_date: bool = False,
) -> str:
    """``10:30 in Berlin (09:30 your time)``; just ``10:30 in Berlin`` when both zones show the
    same wall-clock time. A different day at home is named: ``(Sun 10 Jan 00:30 your time)``.
    ``with_date`` puts the date first: ``Tue 8 Dec 10:30 in Berlin``."""
    a = dt.astimezone(_zone(there))
    out = f"{date_short(a.date(), style)} {clock(a, style)}" if with_date else clock(a, style)
    out += f" in {place}"
    if here is None:
        return out
    b = dt.astimezone(_zone(here))
    if a.replace(tzinfo=None) == b.replace(tzinfo=None):
        return out
    hs = here_style or style
    mine = clock(b, hs) if b.date() == a.date() else short_when(b, hs)
    return f"{out} ({mine} your time)"


def iso_when(dt: datetime) -> str:
    """``2026-07-14 06:00``: a date and time in the unambiguous form of listings and files."""
    return f"{dt:%Y-%m-%d} {clock(dt)}"


def iso_span(start: datetime, end: datetime) -> str:
    """``2026-07-14 06:00-07:00`` (another day: ``2026-07-14 23:00 - 2026-07-15 00:30``): the
    unambiguous form for files other people read (calendar descriptions)."""
    if start.date() == end.date():
        return f"{start:%Y-%m-%d} {clock(start)}-{clock(end)}"
    return f"{start:%Y-%m-%d} {clock(start)} - {end:%Y-%m-%d} {clock(end)}"


# --------------------------------------------------------------------------------------------
# Ranges of days


class _Span(Protocol):
    start: date
    end: date


def day_range(start: date, end: date, style: Style = DAY_FIRST_24H) -> str:
    """``from 8 to 11 December`` / ``from 30 April to 2 May`` / ``on 8 December``
    (US: ``from December 8 to 11``, ``on December 8``)."""
    def md(d: date) -> str:
        return f"{MONTHS[d.month - 1]} {d.day}" if style.month_first else f"{d.day} {MONTHS[d.month - 1]}"

    if start == end:
        return f"on {md(start)}"
    if (start.year, start.month) == (end.year, end.month):
        if style.month_first:
            return f"from {MONTHS[start.month - 1]} {start.day} to {end.day}"
        return f"from {start.day} to {md(end)}"
    return f"from {md(start)} to {md(end)}"


def weekday_range(start: date, end: date) -> str:
    """``Tue–Thu`` (``Tue`` for one day; a week or longer: ``8–16 Dec``)."""
    if start == end:
        return WEEKDAYS[start.weekday()][:3]
    if (end - start).days >= 6:
        if start.month == end.month:
            return f"{start.day}–{end.day} {MONTHS[end.month - 1][:3]}"
        return f"{start.day} {MONTHS[start.month - 1][:3]} – {end.day} {MONTHS[end.month - 1][:3]}"
    return f"{WEEKDAYS[start.weekday()][:3]}–{WEEKDAYS[end.weekday()][:3]}"


def days_label(span: _Span) -> str:
    """``14–17 Apr 2026`` / ``30 Apr – 2 May 2026``: a trip's dates as people write them."""
    s, e = span.start, span.end

    def dm(d: date) -> str:
        return f"{d.day} {MONTHS[d.month - 1][:3]}"

    if s == e:
        return f"{dm(s)} {s.year}"
    if (s.year, s.month) == (e.year, e.month):
        return f"{s.day}–{dm(e)} {e.year}"
    if s.year == e.year:
        return f"{dm(s)} – {dm(e)} {e.year}"
    return f"{dm(s)} {s.year} – {dm(e)} {e.year}"


def ago(days: int) -> str:
    """``5 days``, ``3 weeks``, ``17 months``, ``3 years``: how long ago, for reasons."""
    if days < 14:
        return "1 day" if days == 1 else f"{days} days"
    if days < 60:
        return f"{days // 7} weeks"
    if days < 365 * 2:
        return f"{round(days / 30.44)} months"
    return f"{days // 365} years"
