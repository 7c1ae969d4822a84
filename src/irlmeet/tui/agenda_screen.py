"""The agenda, the app's opening view (key ``3``): what needs doing now, across trips.

Four sections, as ``irlmeet agenda`` prints them: invitations to send this week with their
send-by dates (overdue ones in the warning colour), upcoming meetups, conflicts, and debriefs
due. Each item is a row of a list: ``Enter`` opens its trip on the trips screen with the
meetup's person highlighted (a debrief: the trip's people, to mark met or missed).

When nothing is due the screen says so and what to do next, by what the data holds: no
contacts yet (import them), no trip yet (add one), or the next trip (listed, ``Enter`` opens
it). It opens on the agenda whatever the data: the view never jumps once painted, and ``1``
and ``2`` reach the trips and contacts from it.

The agenda is built in core (:meth:`~irlmeet.core.service.Service.agenda`) in a thread
worker; every date and time is worded by :mod:`irlmeet.core.wording`, every stored name goes
through :func:`~irlmeet.tui.format.plain`. It reloads when shown and when the data changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from irlmeet.core import wording
from irlmeet.tui.footer import KeyFooter
from irlmeet.tui.format import plain, trip_text
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.agenda import Agenda
    from irlmeet.core.models import Trip
    from irlmeet.core.service import MeetupView, Service
    from irlmeet.tui.app import IrlmeetApp

__all__ = ["EMPTY", "AgendaList", "AgendaReady", "AgendaScreen", "Target", "agenda_options", "empty_text"]

EMPTY = "Nothing due right now"


@dataclass(frozen=True)
class Target:
    """Where ``Enter`` on an agenda row goes: a trip, and the person to highlight in it."""

    trip_id: str
    contact_id: str | None = None


@dataclass
class AgendaReady(Message):
    """The agenda, built in a worker (or why it could not be), with what the empty state
    needs: the next trip that has not ended and how many contacts there are."""

    agenda: Agenda | None
    error: BaseException | None
    next_trip: Trip | None = None
    has_trips: bool = False
    contacts: int = 0


def _meetup_line(v: MeetupView) -> Text:
    """``Tue 8 Dec 10:30-11:15  Coffee with Ada · Berlin · planned``: the trip's own time."""
    m, trip = v.meetup, v.trip
    line = Text()
    line.append(wording.span(m.start.astimezone(trip.zone), m.end.astimezone(trip.zone)), style="bold")
    line.append("  ")
    line.append(wording.kind_title(m.kind))
    line.append(" with ")
    line.append_text(plain(", ".join(v.names)))
    line.append(" · ", style="dim")
    line.append_text(plain(trip.name, "dim"))
    line.append(" · ", style="dim")
    line.append(m.status.value, style="dim")
    return line


def _meetup_target(v: MeetupView) -> Target:
    ids = v.meetup.contact_ids
    return Target(v.trip.id, ids[0] if ids else None)


def agenda_options(agenda: Agenda, *, warning: str = "yellow") -> tuple[list[Option], dict[str, Target]]:
    """The four sections as list rows (a disabled heading per non-empty section, then one row
    per item), and where each row's ``Enter`` goes, by option id; ``warning`` colours what is
    overdue or in conflict."""
    options: list[Option] = []
    targets: dict[str, Target] = {}

    def heading(title: str, count: int) -> None:
        text = Text(f"{title} ({count})", style="bold underline")
        if options:
            text = Text.assemble("\n", text)
        options.append(Option(text, id=f"h{len(options)}", disabled=True))

    def row(option_id: str, text: Text, target: Target) -> None:
        options.append(Option(text, id=option_id))
        targets[option_id] = target

    if agenda.to_send:
        heading("Invitations to send this week", len(agenda.to_send))
        for s in agenda.to_send:
            due = f"send by {wording.date_short(s.send_by)}"
            line = Text(f"OVERDUE {due}", style=f"bold {warning}") if s.overdue else Text(due)
            line.append("  ")
            line.append_text(_meetup_line(s.view))
            row(f"send:{s.view.meetup.id}", line, _meetup_target(s.view))
    if agenda.upcoming:
        heading("Upcoming meetups", len(agenda.upcoming))
        for v in agenda.upcoming:
            row(f"next:{v.meetup.id}", _meetup_line(v), _meetup_target(v))
    if agenda.conflicts:
        heading("Conflicts", len(agenda.conflicts))
        for v in agenda.conflicts:
            line = _meetup_line(v)
            if v.conflict is not None:
                line.append("\n  ")
                line.append_text(plain(v.conflict.reason, warning))
                line.append(" · Enter, then M move or X cancel", style="dim")
            row(f"clash:{v.meetup.id}", line, _meetup_target(v))
    if agenda.debriefs:
        heading("Debriefs due", len(agenda.debriefs))
        for d in agenda.debriefs:
            line = plain(d.trip.name, "bold")
            line.append(f" ended {wording.date_short(d.trip.end)}: {d.open} meetup{'s' if d.open != 1 else ''} to record")
            line.append(" · Enter, then W met or F missed, per person", style="dim")
            row(f"debrief:{d.trip.id}", line, Target(d.trip.id))
    return options, targets


def empty_text(*, next_trip: Trip | None, has_trips: bool, contacts: int) -> Text:
    """What the agenda says when nothing is due: why, and the next step for this user's data."""
    out = Text(EMPTY, style="bold")
    out.append("\nNo invitations to send this week, no meetups coming up, no conflicts, no debriefs due.\n\n")
    if not contacts and not has_trips:
        out.append("To start: press ")
        out.append("i", style="bold")
        out.append(" to import your contacts (a LinkedIn, vCard or Google export), then ")
        out.append("a", style="bold")
        out.append(" to add your next work trip. irlmeet ranks who you know there and proposes when to meet.")
    elif not has_trips:
        out.append("Press ")
        out.append("a", style="bold")
        out.append(" to add your next work trip: irlmeet ranks who you know there and proposes when to meet.")
    elif next_trip is None:
        out.append("All your trips are behind you. Press ")
        out.append("a", style="bold")
        out.append(" to add the next one, or ")
        out.append("1", style="bold")
        out.append(" for your trips.")
    else:
        out.append("Your next trip is below: press ")
        out.append("Enter", style="bold")
        out.append(" to see who to meet there, then ")
        out.append("A", style="bold")
        out.append(" to accept a proposed meetup. It shows up here with the day to send the invitation.")
        if not contacts:
            out.append(" Nobody to see yet? Press ")
            out.append("i", style="bold")
            out.append(" to import your contacts.")
    return out


class AgendaList(OptionList):
    """The agenda's rows: ``Enter`` opens the highlighted item's trip."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", id="agenda-open", tooltip="the item's trip, at its meetup"),
    ]


class AgendaScreen(Screen[None]):
    """Invitations to send, upcoming meetups, conflicts and debriefs due, across every trip."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_trip", "Add trip", id="agenda-add-trip", tooltip="on the trips screen"),
        Binding("r", "reload", "Refresh", id="refresh-agenda", tooltip="read the agenda again"),
    ]

    app: IrlmeetApp

    def __init__(self) -> None:
        super().__init__()
        self.service: Service | None = None
        self.agenda: Agenda | None = None
        self.targets: dict[str, Target] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="agenda-pane", classes="pane"):
            # Until the data file is open (in a worker, after this first paint), as the trips screen says it.
            yield Static(Text(f"Opening {self.app.settings.paths.data_file}…"), id="agenda-empty", classes="empty")
            yield AgendaList(id="agenda")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#agenda-pane").border_title = "Agenda"
        self.query_one("#agenda").display = False
        if self.app.service is not None:
            self.service = self.app.service

    def on_screen_resume(self) -> None:
        """Shown (again): read the agenda afresh, the clock and the data may have moved on."""
        self.load()

    def service_ready(self, service: Service) -> None:
        self.service = service
        self.load()

    def load(self) -> None:
        if self.service is None and self.app.service is not None:
            self.service = self.app.service
        if self.service is not None:
            self._load(self.service)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_trip", "reload"):
            return True if self.service is not None else None
        return True

    def action_reload(self) -> None:
        self.load()

    def action_add_trip(self) -> None:
        """The add-trip dialog, over the trips screen (where the new trip shows)."""
        self.app.open_trip(None, add=True)

    @work(thread=True, exclusive=True, group="agenda", exit_on_error=False)
    def _load(self, service: Service) -> None:
        try:
            agenda = service.agenda()
            next_trip, has_trips, contacts = None, False, 0
            if agenda.empty:
                trips = service.trips()
                has_trips = bool(trips)
                next_trip = next((t for t in trips if t.end >= agenda.today), None)
                contacts = service.contact_count()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(AgendaReady(None, exc))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(AgendaReady(agenda, None, next_trip, has_trips, contacts))

    def on_agenda_ready(self, message: AgendaReady) -> None:
        if message.agenda is None:
            self.notify(describe_error(message.error), severity="error", markup=False)
            return
        agenda = self.agenda = message.agenda
        items = self.query_one("#agenda", AgendaList)
        empty = self.query_one("#agenda-empty", Static)
        pane = self.query_one("#agenda-pane")
        pane.border_subtitle = f"today {wording.date_short(agenda.today)}"
        keep = items.highlighted_option.id if items.highlighted_option is not None else None
        if agenda.empty:
            empty.update(empty_text(next_trip=message.next_trip, has_trips=message.has_trips, contacts=message.contacts))
            empty.display = True
            options: list[Option] = []
            self.targets = {}
            if message.next_trip is not None:
                options = [
                    Option(Text("Next trip", style="bold underline"), id="h0", disabled=True),
                    Option(trip_text(message.next_trip, agenda.today), id=f"trip:{message.next_trip.id}"),
                ]
                self.targets = {f"trip:{message.next_trip.id}": Target(message.next_trip.id)}
        else:
            empty.display = False
            warning = self.app.current_theme.warning or "yellow"
            options, self.targets = agenda_options(agenda, warning=warning)
        items.clear_options()
        items.add_options(options)
        items.display = bool(options)
        if not options:
            return
        # Keep the highlighted row when it is still there (a reload), else the first item.
        index = next((i for i, o in enumerate(options) if o.id == keep and not o.disabled), None)
        if index is None:
            index = next(i for i, o in enumerate(options) if not o.disabled)
        items.highlighted = index
        if self.focused is None:
            items.focus()

    @on(OptionList.OptionSelected, "#agenda")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        target = self.targets.get(event.option.id or "")
        if target is not None:
            self.app.open_trip(target.trip_id, contact_id=target.contact_id)
