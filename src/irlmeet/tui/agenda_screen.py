"""The agenda view (key ``3``): what needs doing now, across trips.

Four sections, as ``irlmeet agenda`` prints them: invitations to send this week with their
send-by dates (overdue ones in the warning colour), upcoming meetups, conflicts, and debriefs
due. The agenda is built in core (:meth:`~irlmeet.core.service.Service.agenda`) in a thread
worker; every date and time is worded by :mod:`irlmeet.core.wording`, every stored name goes
through :func:`~irlmeet.tui.format.plain`. It reloads when shown and when the data changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from irlmeet.core import wording
from irlmeet.tui.format import plain
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.agenda import Agenda
    from irlmeet.core.service import MeetupView, Service
    from irlmeet.tui.app import IrlmeetApp

__all__ = ["AgendaReady", "AgendaScreen", "agenda_text"]

EMPTY = "Nothing to do right now"
EMPTY_HINT = (
    "No invitations to send, no meetups coming up, no conflicts, no debriefs due. "
    "Press 1 for your trips, pick someone and press A to accept a proposed meetup."
)


@dataclass
class AgendaReady(Message):
    """The agenda, built in a worker (or why it could not be)."""

    agenda: Agenda | None
    error: BaseException | None


def _meetup_line(v: MeetupView) -> Text:
    """``Tue 8 Dec 10:30-11:15  Coffee with Ada · Berlin · planned``: the trip's own time."""
    m, trip = v.meetup, v.trip
    line = Text("  ")
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


def agenda_text(agenda: Agenda, *, warning: str = "yellow") -> Text:
    """The four sections as one ``Text`` (empty sections left out); ``warning`` colours what is
    overdue."""
    out = Text()

    def section(title: str, count: int) -> None:
        if out:
            out.append("\n\n")
        out.append(f"{title} ({count})", style="bold underline")

    if agenda.to_send:
        section("Invitations to send this week", len(agenda.to_send))
        for s in agenda.to_send:
            out.append("\n")
            due = f"send by {wording.date_short(s.send_by)}"
            if s.overdue:
                out.append(f"  OVERDUE {due}", style=f"bold {warning}")
            else:
                out.append(f"  {due}")
            out.append_text(_meetup_line(s.view))
    if agenda.upcoming:
        section("Upcoming meetups", len(agenda.upcoming))
        for v in agenda.upcoming:
            out.append("\n")
            out.append_text(_meetup_line(v))
    if agenda.conflicts:
        section("Conflicts", len(agenda.conflicts))
        for v in agenda.conflicts:
            out.append("\n")
            out.append_text(_meetup_line(v))
            if v.conflict is not None:
                out.append("\n    ")
                out.append_text(plain(v.conflict.reason, warning))
                out.append(" · move or cancel it on the trips screen (1)", style="dim")
    if agenda.debriefs:
        section("Debriefs due", len(agenda.debriefs))
        for d in agenda.debriefs:
            out.append("\n  ")
            out.append_text(plain(d.trip.name, "bold"))
            out.append(f" ended {wording.date_short(d.trip.end)}: {d.open} meetup{'s' if d.open != 1 else ''} to record")
            out.append(" · met or missed, on the trips screen (1)", style="dim")
    return out


class AgendaScreen(Screen[None]):
    """Invitations to send, upcoming meetups, conflicts and debriefs due, across every trip."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Refresh", id="refresh-agenda", tooltip="read the agenda again"),
    ]

    app: IrlmeetApp

    def __init__(self) -> None:
        super().__init__()
        self.service: Service | None = None
        self.agenda: Agenda | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="agenda-pane", classes="pane"):
            yield Static(Text("Reading the agenda…", style="dim italic"), id="agenda")
            yield Static("", id="agenda-empty", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#agenda-pane").border_title = "Agenda"
        self.query_one("#agenda-empty").display = False
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

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="agenda", exit_on_error=False)
    def _load(self, service: Service) -> None:
        try:
            agenda = service.agenda()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(AgendaReady(None, exc))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(AgendaReady(agenda, None))

    def on_agenda_ready(self, message: AgendaReady) -> None:
        if message.agenda is None:
            self.notify(describe_error(message.error), severity="error", markup=False)
            return
        agenda = self.agenda = message.agenda
        body = self.query_one("#agenda", Static)
        empty = self.query_one("#agenda-empty", Static)
        pane = self.query_one("#agenda-pane")
        pane.border_subtitle = f"today {wording.date_short(agenda.today)}"
        if agenda.empty:
            body.display = False
            empty.update(Text.assemble((EMPTY, "bold"), "\n", EMPTY_HINT))
            empty.display = True
            return
        warning = self.app.current_theme.warning or "yellow"
        body.update(agenda_text(agenda, warning=warning))
        body.display = True
        empty.display = False
