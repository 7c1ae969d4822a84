"""A meetup's life cycle: the moves between statuses, each with a verb, and its conflicts.

::

    idea ──accept──▶ planned ──invite──▶ invited ──confirm──▶ confirmed ──met──▶ met
      │                 │                   │                     │
      └──skip──▶ skipped◀──skip┘            └─decline/cancel──────┴──▶ declined / cancelled
    (after its time: planned, invited or confirmed ──missed──▶ missed)

:data:`MOVES` is the one table of what may follow what. :func:`apply` makes a move (or raises
:class:`~irlmeet.core.errors.WrongMove` saying why not and what to do first); every move bumps
the meetup's SEQUENCE and ``updated``, so a re-exported calendar takes the change.

Statuses, and why each exists:

- ``idea``: proposed by the planner; it keeps its time while that time stays valid.
- ``planned``, ``invited``, ``confirmed`` (:data:`HELD`): the user acted on it; from here on it
  never moves or disappears because data changed. A time that became impossible is a
  :class:`Conflict` for the user to resolve (:func:`conflicts`), not a silent reschedule.
- ``met``: it happened; the people's ``last_seen``/``last_contacted`` follow (``Service``).
- ``declined`` (they said no), ``cancelled`` (called off), ``skipped`` ("not this trip"): the
  planner offers these people nothing new on this trip; ``accept`` reopens the same meetup.
- ``missed``: its time passed and it did not happen, recorded at the debrief. Neither a refusal
  (declined) nor a call-off beforehand (cancelled): the next ranking can tell "we tried, it fell
  through" from "they said no".
- ``dropped``: an idea the planner no longer proposes. Kept, not deleted, so a calendar that
  imported it learns to drop it; unlike ``cancelled`` it does not keep its people out of the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from irlmeet.core import wording
from irlmeet.core.errors import WrongMove
from irlmeet.core.models import Meetup, MeetupStatus, Trip

__all__ = [
    "ACTED_ON",
    "CLOSED",
    "HELD",
    "MOVES",
    "VERBS",
    "Conflict",
    "Move",
    "Outcome",
    "apply",
    "check",
    "conflicts",
    "last_outcomes",
    "meetup_label",
]

S = MeetupStatus

#: Planned or later and still ahead: these hold their time, whatever the data does.
HELD = frozenset({S.PLANNED, S.INVITED, S.CONFIRMED})
#: Everything the user acted on (what ``met`` may be recorded from).
ACTED_ON = frozenset({S.PLANNED, S.INVITED, S.CONFIRMED, S.DECLINED, S.CANCELLED, S.SKIPPED, S.MISSED})
#: The user closed these for this trip: the planner proposes nothing new to their people.
CLOSED = frozenset({S.DECLINED, S.CANCELLED, S.SKIPPED, S.MISSED, S.MET})


@dataclass(frozen=True, slots=True)
class Move:
    verb: str
    sources: frozenset[MeetupStatus]
    target: MeetupStatus | None  # None: ``move`` keeps the status (an idea becomes planned)
    help: str
    after_start: bool = False  # only once the meetup's time has come


#: The one table of allowed moves.
MOVES: dict[str, Move] = {
    m.verb: m
    for m in (
        Move("accept", frozenset({S.IDEA, S.DECLINED, S.CANCELLED, S.SKIPPED, S.MISSED}), S.PLANNED,
             "take the proposal into your plan (or reopen a declined, cancelled, skipped one)"),
        Move("invite", frozenset({S.IDEA, S.PLANNED}), S.INVITED, "you sent the invitation"),
        Move("confirm", frozenset({S.PLANNED, S.INVITED}), S.CONFIRMED, "they said yes"),
        Move("decline", frozenset({S.PLANNED, S.INVITED, S.CONFIRMED}), S.DECLINED, "they said no"),
        Move("cancel", frozenset({S.PLANNED, S.INVITED, S.CONFIRMED}), S.CANCELLED, "it is called off"),
        Move("skip", frozenset({S.IDEA, S.PLANNED}), S.SKIPPED, "not this trip"),
        Move("move", frozenset({S.IDEA} | HELD), None, "a new time (an idea becomes planned)"),
        Move("met", ACTED_ON, S.MET, "it happened: last seen follows", after_start=True),
        # Not from met: last seen has moved on by then; a mistaken "met" is fixed on the contact.
        Move("missed", HELD, S.MISSED, "its time passed and it did not happen", after_start=True),
    )
}
VERBS = tuple(MOVES)

# The past participle each verb leaves a meetup in, for messages ("is declined").
_WORD = {
    S.IDEA: "still an idea", S.PLANNED: "planned", S.INVITED: "invited", S.CONFIRMED: "confirmed",
    S.MET: "already met", S.DECLINED: "declined", S.CANCELLED: "cancelled", S.SKIPPED: "skipped",
    S.MISSED: "recorded as missed", S.DROPPED: "no longer proposed",
}
_INFINITIVE = {
    "accept": "accepted", "invite": "marked invited", "confirm": "confirmed", "decline": "declined",
    "cancel": "cancelled", "skip": "skipped", "move": "moved", "met": "marked met", "missed": "marked missed",
}


def meetup_label(meetup: Meetup, names: Mapping[str, str]) -> str:
    """``Ada's coffee``, ``the group dinner with Ada and Bo``: who and what, for messages
    (worded by :func:`irlmeet.core.wording.meetup_label`)."""
    return wording.meetup_label(meetup.kind, [names.get(cid, "someone") for cid in meetup.contact_ids])


def _hint(verb: str, status: MeetupStatus) -> str:
    if status is S.DROPPED:
        return "the planner no longer proposes it; see `irlmeet plan` for the current proposals"
    if status is S.MET:
        return "it already happened"
    if status in (S.DECLINED, S.CANCELLED, S.SKIPPED, S.MISSED):
        return "accept it again first"
    if status is S.IDEA:
        if verb in ("decline", "cancel"):
            return "it was never sent; skip it instead"
        return "accept it first"
    if verb == "skip":
        return "they were invited; cancel it instead"
    if verb == "accept":
        return "it is already in your plan"
    if verb == "invite":
        return "it is past that step"
    return "see `irlmeet meetup --help` for the moves"


def check(meetup: Meetup, verb: str, *, now: datetime, label: str) -> Move:
    """The move ``verb`` for ``meetup``, or WrongMove with a message naming ``label`` (who and
    what: ``Ada's coffee``), the status and what to do first."""
    move = MOVES.get(verb)
    if move is None:
        raise WrongMove(meetup, verb, f"{verb!r} is not a meetup action; use one of: {', '.join(VERBS)}")
    status = meetup.status
    if status not in move.sources:
        if move.target is status:
            raise WrongMove(meetup, verb, f"{label} is already {status.value}")
        raise WrongMove(
            meetup, verb, f"{label} is {_WORD[status]}; it can't be {_INFINITIVE[verb]} - {_hint(verb, status)}"
        )
    if move.after_start and meetup.start > now:
        raise WrongMove(
            meetup, verb,
            f"{label} is on {meetup.start:%Y-%m-%d %H:%M} ({meetup.start.tzname()}); it can be "
            f"{_INFINITIVE[verb]} once its time has come",
        )
    return move


def apply(
    meetup: Meetup, verb: str, *, now: datetime, label: str, start: datetime | None = None, end: datetime | None = None
) -> Meetup:
    """``meetup`` after the move ``verb`` (``move`` takes the new ``start`` and ``end``).
    SEQUENCE + 1 and ``updated`` = ``now``: the calendar takes every change."""
    move = check(meetup, verb, now=now, label=label)
    changes: dict = {"sequence": meetup.sequence + 1, "updated": now}
    if move.target is None:
        if start is None or end is None:
            raise ValueError("a move needs the new start and end")
        changes.update(start=start, end=end)
        if meetup.status is S.IDEA:
            changes["status"] = S.PLANNED
    else:
        changes["status"] = move.target
    return replace(meetup, **changes)


# --------------------------------------------------------------------------------------------
# Conflicts


@dataclass(frozen=True, slots=True)
class Conflict:
    """Why a held meetup's time is no longer possible. ``reason`` is for the user (it may name
    a busy block or a person); ``public`` is the share-safe form for a calendar file."""

    code: str  # "outside-trip", "busy", "overlap"
    reason: str
    public: str


def _hm(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    s, e = start.astimezone(zone), end.astimezone(zone)
    if s.date() == e.date():
        return f"{s:%a %d %b %H:%M}-{e:%H:%M}"
    return f"{s:%a %d %b %H:%M} - {e:%a %d %b %H:%M}"


def conflicts(trip: Trip, meetups: Iterable[Meetup], names: Mapping[str, str]) -> dict[str, Conflict]:
    """The held meetups of ``trip`` whose time became impossible, by meetup id: outside the
    trip's dates, over a busy block, or over another held meetup. Computed each time from the
    data as it is, so resolving it (moving, cancelling, removing the busy block) clears it."""
    zone = trip.zone
    first, after = trip.window()
    held = sorted((m for m in meetups if m.trip_id == trip.id and m.status in HELD), key=lambda m: (m.start, m.id))
    out: dict[str, Conflict] = {}
    for m in held:
        if m.start < first or m.end > after:
            out[m.id] = Conflict(
                "outside-trip",
                f"outside the trip, which now runs {trip.start:%d %b} to {trip.end:%d %b %Y}",
                "outside the trip's dates",
            )
            continue
        busy = next((b for b in trip.busy if b.overlaps(m.start, m.end)), None)
        if busy is not None:
            title = f" {busy.title!r}" if busy.title else ""
            out[m.id] = Conflict("busy", f"overlaps busy time{title} ({_hm(busy.start, busy.end, zone)})",
                                 "overlaps busy time")
            continue
        other = next((o for o in held if o.id != m.id and o.start < m.end and m.start < o.end), None)
        if other is not None:
            out[m.id] = Conflict(
                "overlap",
                f"overlaps {meetup_label(other, names)} ({_hm(other.start, other.end, zone)}, id {other.id})",
                "overlaps another meetup",
            )
    return out


# --------------------------------------------------------------------------------------------
# What the next plan can learn


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the latest meetup with someone ended: ``met``, ``declined`` or ``missed``, and when."""

    status: MeetupStatus
    on: date
    meetup_id: str


def last_outcomes(meetups: Iterable[Meetup], zone_of: Callable[[Meetup], ZoneInfo] | None = None) -> dict[str, Outcome]:
    """Per contact id, the latest met/declined/missed meetup (by its own date): what a ranking
    reads to say "declined in May" or "fell through last time" (``planner`` owns the scoring)."""
    out: dict[str, Outcome] = {}
    for m in meetups:
        if m.status not in (S.MET, S.DECLINED, S.MISSED):
            continue
        day = m.start.astimezone(zone_of(m)).date() if zone_of else m.start.date()
        for cid in m.contact_ids:
            old = out.get(cid)
            if old is None or (day, m.id) > (old.on, old.meetup_id):
                out[cid] = Outcome(m.status, day, m.id)
    return out
