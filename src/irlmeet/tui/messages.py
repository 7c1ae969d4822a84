"""Every message the TUI's workers and widgets post, as small dataclasses in one place.

Workers (``@work(thread=True, exclusive=True)``) compute through the Service and post one of
these back to the event loop; handlers are named after them (``on_plan_ready`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from irlmeet.core.directory import Directory
    from irlmeet.core.drafts import Draft
    from irlmeet.core.models import Contact, Meetup, Trip
    from irlmeet.core.planner import Plan, Proposal, Slot
    from irlmeet.core.service import ActionResult, MeetupView, Service

__all__ = [
    "ContactChosen",
    "ContactHighlighted",
    "DataChanged",
    "DirectoryReady",
    "DraftReady",
    "JobDone",
    "JobFailed",
    "MeetupActed",
    "MeetupsReady",
    "MoveOptionsReady",
    "PlanReady",
    "ServiceFailed",
    "ServiceReady",
    "TripsReady",
]


@dataclass
class ServiceReady(Message):
    """The data file is open."""

    service: Service
    trips: list[Trip]
    user_tz: str
    repaired: tuple[str, ...] = ()  # what Service.repair() fixed, said once


@dataclass
class ServiceFailed(Message):
    """The data file could not be opened: what to tell the user."""

    message: str


@dataclass
class DataChanged(Message):
    """Another process wrote the data file and it has been reloaded."""

    trips: list[Trip]


@dataclass
class PlanReady(Message):
    trip: Trip
    plan: Plan | None
    error: BaseException | None
    views: tuple[MeetupView, ...] = ()  # the trip's stored meetups, for each person's status


@dataclass
class DraftReady(Message):
    trip: Trip
    plan: Plan
    proposal: Proposal
    draft: Draft | None
    error: BaseException | None


@dataclass
class TripsReady(Message):
    trips: list[Trip] | None
    select_id: str | None
    error: BaseException | None


@dataclass
class DirectoryReady(Message):
    """The contacts, ready to search; keep ``select_id`` highlighted if it is still there."""

    directory: Directory | None
    select_id: str | None
    error: BaseException | None


@dataclass
class MeetupsReady(Message):
    """The meetups with one contact, for the detail pane."""

    contact: Contact
    meetups: list[tuple[Meetup, Trip | None]]


@dataclass
class ContactHighlighted(Message):
    """The cursor of the contact list moved (``None``: the list is empty)."""

    contact: Contact | None


@dataclass
class ContactChosen(Message):
    """Enter (or a click) on a contact in the list."""

    contact: Contact


@dataclass
class JobDone(Message):
    """A dialog's Service call finished."""

    result: Any


@dataclass
class JobFailed(Message):
    """A dialog's Service call raised ``error``."""

    error: BaseException


@dataclass
class MeetupActed(Message):
    """A meetup action (accept, invite, ... on the trip screen) finished or was refused."""

    trip: Trip
    contact_id: str
    verb: str
    result: ActionResult | None
    error: BaseException | None


@dataclass
class MoveOptionsReady(Message):
    """The free slots a meetup may move to (``Service.move_options``), or why it can't move."""

    trip: Trip
    contact_id: str
    ref: str
    person: str | None
    slots: list[Slot]
    error: BaseException | None
