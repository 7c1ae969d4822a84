"""How core objects read on screen. Pure functions returning ``rich.text.Text``.

Everything a user typed or imported (names, notes, how-we-met, draft bodies, trip names) goes
into ``Text`` as plain text, never through markup, so ``Ada [eng]`` shows as ``Ada [eng]``, and
through :func:`plain`, so a control character in stored text shows as ``\x1b`` instead of
reaching the terminal (Rich's ``Text`` keeps ESC and NUL, and Textual writes them out).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text

from irlmeet.core.text import visible
from irlmeet.core.wording import clock, days_label, kind_noun
from irlmeet.core.wording import short_when as _short_when

if TYPE_CHECKING:  # annotations only: the first paint loads neither the planner nor the drafts
    from irlmeet.core.drafts import Draft
    from irlmeet.core.models import Trip
    from irlmeet.core.planner import Proposal

__all__ = [
    "draft_text",
    "plain",
    "visible",
    "person_text",
    "short_when",
    "slot_label",
    "slug",
    "trip_text",
    "warnings_text",
    "your_time",
    "zone_city",
]


def plain(value: str, style: str = "", *, lines: bool = False) -> Text:
    """Stored or typed text as ``Text``: never markup, control characters shown escaped
    (``lines``: line breaks and tabs kept, for notes and drafts)."""
    return Text(visible(value, lines=lines), style=style)


def slug(text: str) -> str:
    """``Berlin, Apr 2026`` -> ``berlin-apr-2026`` (ASCII, for file names)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return out or "trip"


def zone_city(tz: str) -> str:
    """``America/New_York`` -> ``New York``."""
    return tz.rsplit("/", 1)[-1].replace("_", " ")


def short_when(dt: datetime) -> str:
    """``Wed 15 Apr 10:30`` (in ``dt``'s own zone); see :func:`irlmeet.core.wording.short_when`."""
    return _short_when(dt)


def slot_label(proposal: Proposal, trip: Trip) -> str:
    """``Wed 15 Apr 10:30 coffee`` in the destination's time, or "" without a slot."""
    if proposal.start is None:
        return ""
    local = proposal.start.astimezone(trip.zone)
    kind = kind_noun(proposal.kind) if proposal.kind is not None else ""
    return f"{short_when(local)} {kind}".rstrip()


def your_time(proposal: Proposal, trip: Trip, user_tz: str, *, compact: bool = False) -> str:
    """The slot in the user's own zone when its wall-clock time differs, else "".

    ``09:30`` when it is the same day; when the day differs ``Sun 10 Jan 00:30``, or with
    ``compact`` ``00:30 +1d`` (for the table, so its reason column keeps its room).
    """
    if proposal.start is None:
        return ""
    there = proposal.start.astimezone(trip.zone)
    here = proposal.start.astimezone(ZoneInfo(user_tz))
    if there.replace(tzinfo=None) == here.replace(tzinfo=None):
        return ""
    days = (here.date() - there.date()).days
    if days == 0:
        return clock(here)
    return f"{clock(here)} {days:+d}d" if compact else short_when(here)


def trip_text(trip: Trip, today: date) -> Text:
    """Two lines for the trip list: the name, then city and dates (dimmed when past)."""
    past = trip.end < today
    text = Text()
    text.append(visible(trip.name), style="dim bold" if past else "bold")
    text.append("\n")
    detail = f"{visible(trip.destination.short_label())} · {days_label(trip)}"
    if past:
        detail += " · past"
    text.append(detail, style="dim")
    return text


def person_text(proposal: Proposal, trip: Trip, user_tz: str) -> Text:
    """The highlighted person: name, where, why now, and the proposed slot (or why there is none)."""
    cand = proposal.candidate
    contact = cand.contact
    text = Text()
    text.append(visible(contact.name), style="bold")
    where = visible(cand.place.short_label())
    if cand.distance_km >= 1:
        text.append(f"  ·  {where}, {cand.distance_km:.0f} km from {visible(trip.destination.name)}", style="dim")
    else:
        text.append(f"  ·  {where}", style="dim")
    if contact.how_we_met:
        text.append("\nHow you met: ", style="dim")
        text.append(visible(contact.how_we_met))
    text.append("\nWhy now: ", style="dim")
    text.append(visible(cand.why or "near your trip"))
    text.append("\nProposed: ", style="dim")
    if proposal.start is not None and proposal.end is not None:
        there = proposal.start.astimezone(trip.zone)
        end = proposal.end.astimezone(trip.zone)
        kind = kind_noun(proposal.kind) if proposal.kind is not None else "meetup"
        text.append(f"{kind}, {short_when(there)}–{clock(end)}", style="bold")
        text.append(f" {visible(trip.destination.name)} time")
        mine = your_time(proposal, trip, user_tz)
        if mine:
            text.append(f" ({mine} in {zone_city(user_tz)})", style="dim")
        if proposal.where:
            text.append(" · ")
            text.append(visible(proposal.where))
        if proposal.note:
            text.append(f" · {visible(proposal.note)}", style="italic")
    else:
        text.append(visible(proposal.note or "no slot"), style="italic")
    return text


def draft_text(draft: Draft) -> Text:
    """The draft as it will be sent: to, subject and body (warnings: :func:`warnings_text`)."""
    text = Text()
    text.append("To: ", style="dim")
    if draft.to:
        text.append(visible(draft.to))
    else:
        text.append("(no address yet)", style="italic dim")
    if draft.subject:
        text.append("\nSubject: ", style="dim")
        text.append(visible(draft.subject), style="bold")
    text.append("\n\n")
    text.append(visible(draft.body, lines=True))
    return text


def warnings_text(draft: Draft) -> Text:
    """What would make the draft better, one per line."""
    return Text("\n".join(f"! {visible(w)}" for w in draft.hints))
