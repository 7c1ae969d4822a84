"""The trip screen's meetup dialogs: the status menu (what may follow this meetup's status),
the free slots to move it to, and busy time to add or remove.

Each is a small modal; the trip screen runs the Service call (``meetup_action``) in its own
worker, except the busy dialogs, which run theirs inline (errors next to the field).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from irlmeet.core import wording
from irlmeet.core.errors import ValidationError
from irlmeet.core.lifecycle import MOVES
from irlmeet.core.models import BusyBlock, MeetupStatus, Trip
from irlmeet.core.text import visible
from irlmeet.tui.main_screen import VERB_KEYS
from irlmeet.tui.screens import FormScreen, _field_row
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.planner import Slot
    from irlmeet.core.service import Service

__all__ = ["VERB_KEYS", "AddBusyScreen", "BusyChanged", "MoveScreen", "RemoveBusyScreen", "StatusMenu", "busy_line", "verbs_for"]



def verbs_for(status: MeetupStatus) -> list[str]:
    """The actions a meetup in ``status`` allows, in the life cycle's order (lifecycle.MOVES)."""
    return [verb for verb, move in MOVES.items() if status in move.sources]


def busy_line(block: BusyBlock, trip: Trip) -> Text:
    """``Tue 8 Dec 09:00-17:00 Conference`` in the trip's zone."""
    text = Text(wording.span(block.start.astimezone(trip.zone), block.end.astimezone(trip.zone)))
    if block.title:
        text.append(" ")
        text.append(visible(block.title), style="italic")
    return text


class StatusMenu(ModalScreen[str | None]):
    """What may happen next to one meetup: its allowed actions, each with its key."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_menu", "Close", id="status-close")]

    def __init__(self, title: Text, status: MeetupStatus, *, stored: bool) -> None:
        super().__init__()
        self._title = title
        self._status = status
        self._stored = stored  # False: a proposal not stored yet (an idea to accept, invite, skip)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            word = self._status.value if self._stored else "idea (proposed)"
            yield Static(Text(f"Status: {word}", style="dim"), classes="dialog-hint")
            options = []
            for verb in verbs_for(self._status):
                line = Text(f"{VERB_KEYS[verb]}  ", style="bold")
                line.append(verb, style="bold")
                line.append(f"  {MOVES[verb].help}", style="dim")
                options.append(Option(line, id=verb))
            yield OptionList(*options, id="verbs")
            yield Static(Text("enter do it · esc close", style="dim"), classes="dialog-hint")

    def on_mount(self) -> None:
        verbs = self.query_one("#verbs", OptionList)
        verbs.highlighted = 0 if verbs.option_count else None
        verbs.focus()

    def on_key(self, event) -> None:  # the action's own key works in the menu too
        for verb, key in VERB_KEYS.items():
            if event.key == key and verb in verbs_for(self._status):
                event.stop()
                self.dismiss(verb)
                return

    @on(OptionList.OptionSelected, "#verbs")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_dismiss_menu(self) -> None:
        self.dismiss(None)


class MoveScreen(ModalScreen[int | None]):
    """The free slots a meetup may move to, earliest first: dismisses with the 1-based slot."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_move", "Close", id="move-close")]

    def __init__(self, label: str, slots: Sequence[Slot], trip: Trip) -> None:
        super().__init__()
        self._label = label
        self._slots = list(slots)
        self._trip = trip

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            yield Static(Text(f"Move {visible(self._label)}", style="bold"), classes="dialog-title")
            yield Static(
                Text(f"Free times on this trip, in {visible(self._trip.destination.name)} time:", style="dim"),
                classes="dialog-hint",
            )
            options = []
            for i, slot in enumerate(self._slots, start=1):
                line = Text(wording.span(slot.start.astimezone(self._trip.zone), slot.end.astimezone(self._trip.zone)))
                line.append(f"  {wording.kind_noun(slot.kind)}", style="dim")
                options.append(Option(line, id=str(i)))
            yield OptionList(*options, id="slots")
            yield Static(Text("enter move there · esc close", style="dim"), classes="dialog-hint")

    def on_mount(self) -> None:
        slots = self.query_one("#slots", OptionList)
        slots.highlighted = 0 if slots.option_count else None
        slots.focus()

    @on(OptionList.OptionSelected, "#slots")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_dismiss_move(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class BusyChanged:
    block: BusyBlock  # added or removed
    trips: list[Trip]  # as stored now


class _BusyDialog(FormScreen[BusyChanged | None]):
    """A dialog about one trip's busy time: its title names the trip, and its Service call
    answers with the block and the trips as stored after it."""

    def __init__(self, service: Service, trip: Trip) -> None:
        super().__init__()
        self._service = service
        self._trip = trip

    def dialog_title(self, words: str) -> Static:
        title = Text(words, style="bold")
        title.append(visible(self._trip.name), style="bold")
        return Static(title, classes="dialog-title")

    def run_busy_job(self, change: Callable[[Service], BusyBlock], busy_text: str) -> None:
        service = self._service
        self.run_job(lambda: BusyChanged(change(service), service.trips()), busy_text)


class AddBusyScreen(_BusyDialog):
    """From, to and a title, in the trip's zone; errors next to the field they are about."""

    def compose(self) -> ComposeResult:
        trip = self._trip
        with VerticalScroll(id="dialog", classes="dialog"):
            yield self.dialog_title("Busy time on ")
            yield Static(
                Text(f"Times in {visible(trip.destination.name)} time ({trip.zone.key}). Nothing new is proposed over it; "
                     "a meetup you already acted on that it overlaps is flagged, not moved.", style="dim"),
                classes="dialog-hint",
            )
            with Horizontal(id="dates"):
                yield from _field_row("From (YYYY-MM-DD HH:MM)", Input(f"{trip.start} 09:00", id="from"), "from")
                yield from _field_row("To (YYYY-MM-DD HH:MM)", Input(f"{trip.start} 17:00", id="to"), "to")
            yield from _field_row("Title (optional)", Input("", placeholder="e.g. Conference", id="title"), "title")
            yield from self.form_footer("Add busy time")

    def on_mount(self) -> None:
        self.clear_errors()
        self.query_one("#dialog-status", Static).display = False
        self.query_one("#from", Input).focus()

    def submit(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        start, end, title = (self.query_one(f"#{f}", Input).value.strip() for f in ("from", "to", "title"))
        missing = False
        for field, value, label in (("from", start, "From"), ("to", end, "To")):
            if not value:
                self.show_error(field, f"{label}: enter a time as YYYY-MM-DD HH:MM")
                missing = True
        if missing:
            return
        trip_id = self._trip.id
        self.run_busy_job(lambda service: service.add_busy(trip_id, start, end, title), "Saving…")

    def failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError) and error.field in ("from", "to", "busy.title"):
            field = "title" if error.field == "busy.title" else error.field
            self.show_error(field, f"{field.capitalize()}: {error.message}")
            self.query_one(f"#{field}", Input).focus()
            return
        self.show_error(None, describe_error(error))


class RemoveBusyScreen(_BusyDialog):
    """The trip's busy blocks: enter (or Remove) removes the highlighted one."""

    def compose(self) -> ComposeResult:
        trip = self._trip
        with VerticalScroll(id="dialog", classes="dialog"):
            yield self.dialog_title("Remove busy time from ")
            yield OptionList(*(Option(busy_line(b, trip), id=b.id) for b in trip.busy if b.id), id="blocks")
            yield from self.form_footer("Remove", variant="error")

    def on_mount(self) -> None:
        self.clear_errors()
        self.query_one("#dialog-status", Static).display = False
        blocks = self.query_one("#blocks", OptionList)
        blocks.highlighted = 0 if blocks.option_count else None
        blocks.focus()

    @on(OptionList.OptionSelected, "#blocks")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        blocks = self.query_one("#blocks", OptionList)
        if blocks.highlighted is None:
            self.show_error(None, "There is no busy time on this trip to remove.")
            return
        busy_id = blocks.get_option_at_index(blocks.highlighted).id or ""
        self.run_busy_job(lambda service: service.remove_busy(busy_id), "Removing…")
