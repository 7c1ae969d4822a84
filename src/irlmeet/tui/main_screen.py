"""The main view: trips on the left; for the selected trip, the ranked people and the draft."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Header,
    LoadingIndicator,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from irlmeet.core.lifecycle import MOVES
from irlmeet.core.models import MeetupStatus
from irlmeet.tui import format as fmt
from irlmeet.tui.footer import KeyFooter
from irlmeet.tui.messages import DraftReady, MeetupActed, MoveOptionsReady, PlanReady, TripsReady
from irlmeet.tui.workers import describe_error

# The first paint shows only the loading state (issue 10): the planner, the drafts, the
# wording and the dialogs load in the methods that use them, after the data file is open.
if TYPE_CHECKING:
    from irlmeet.core.drafts import Draft
    from irlmeet.core.models import Trip
    from irlmeet.core.planner import Plan, Proposal
    from irlmeet.core.service import ExportResult, MeetupView, Service
    from irlmeet.tui.app import IrlmeetApp
    from irlmeet.tui.meetup_dialogs import BusyChanged
    from irlmeet.tui.screens import AddedTrip

__all__ = ["MAX_ROWS", "VERB_KEYS", "MainScreen"]

#: The key of each meetup action on the trip screen (its Bindings, and the status menu's hints).
VERB_KEYS: dict[str, str] = {
    "accept": "A", "invite": "I", "confirm": "C", "decline": "N", "cancel": "X",
    "skip": "S", "move": "M", "met": "W", "missed": "F",
}

#: The people table shows at most this many rows (a stock DataTable measures every cell).
MAX_ROWS = 300

NO_TRIPS = "Press a to add a trip, or run `irlmeet trip add`."

_S = MeetupStatus
#: How each meetup status looks in the people table (ideas are quiet, what was agreed stands out).
STATUS_STYLE = {
    _S.IDEA: "dim", _S.PLANNED: "", _S.INVITED: "italic", _S.CONFIRMED: "bold", _S.MET: "bold",
    _S.DECLINED: "dim", _S.CANCELLED: "dim", _S.SKIPPED: "dim", _S.MISSED: "dim", _S.DROPPED: "dim",
}


def _fit_columns(headers: list[Text], rows: list[list[Text]], room: int, *, whole: tuple[int, ...] = ()) -> list[int]:
    """Column widths that fit ``room`` cells: the widest cell each, then the reason gives way
    first, then the times, then the name, never below a readable minimum (columns ``whole``
    keep their width until a very narrow terminal)."""
    widths = [max([h.cell_len, *(r[i].cell_len for r in rows)]) for i, h in enumerate(headers)]
    room -= 2 * len(widths)  # DataTable pads each cell by one on both sides
    last = len(widths) - 1
    floors = _floors(widths, rows, whole)
    for i in [last, *range(last - 1, 1, -1), 1]:
        excess = sum(widths) - room
        if excess <= 0:
            break
        widths[i] = max(floors[i], widths[i] - excess)
    # Still too wide (a very narrow terminal): every column but the rank gives way to 3 cells
    # ("Ad…"), so the table never needs a horizontal scrollbar.
    for i in [last, *range(last - 1, 0, -1)]:
        excess = sum(widths) - room
        if excess <= 0:
            break
        widths[i] = max(min(3, widths[i]), widths[i] - excess)
    return widths


def _floors(widths: list[int], rows: list[list[Text]], whole: tuple[int, ...] = ()) -> list[int]:
    floors = [widths[0], 14, 17] + [5] * (len(widths) - 3)  # 17: "Thu 17 Dec 15:30…" keeps the time whole
    for i in whole:  # every cell whole ("confirmed"); the header may be cut ("Sta…")
        floors[i] = max((r[i].cell_len for r in rows), default=0)
    return [min(f, w) for f, w in zip(floors, widths, strict=True)]


def _fits(headers: list[Text], rows: list[list[Text]], room: int, *, whole: tuple[int, ...] = ()) -> bool:
    """Whether every column can keep its readable minimum in ``room`` cells."""
    widths = [max([h.cell_len, *(r[i].cell_len for r in rows)]) for i, h in enumerate(headers)]
    return sum(_floors(widths, rows, whole)) + 2 * len(widths) <= room


def _ellipsis(text: Text, width: int) -> Text:
    """``text`` drawn in ``width`` cells ending in an ellipsis ("coff…"), never a silent cut
    ("coffe"); the cell keeps the whole text (the table renders the cut)."""
    if text.cell_len <= width:
        return text
    cut = text.copy()
    cut.no_wrap = True
    cut.overflow = "ellipsis"
    return cut


class TripList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "screen.focus_people", "People", show=False, id="trips-to-people", tooltip="from the trips to the people"),
        # OptionList's own enter, described for the help screen: selecting a trip goes to its people.
        Binding("enter", "select", "People", show=False, id="trips-select", tooltip="from the trips to the people"),
    ]


class PeopleTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,escape", "screen.focus_trips", "Trips", show=False, id="people-to-trips", tooltip="from the people back to the trips"),
        # DataTable's own enter, described for the help screen: selecting a person goes to the draft.
        Binding("enter", "select_cursor", "Draft", show=False, id="people-select", tooltip="from the people to the draft"),
    ]

    def on_resize(self) -> None:
        # The columns are fitted to the room the table has: the first layout (and a resized
        # pane) can change it, so fit them again.
        if isinstance(self.screen, MainScreen):
            self.screen.refit_people()


class DraftPane(VerticalScroll, can_focus=True):
    ALLOW_MAXIMIZE = True  # m (or the palette) gives the draft the whole screen
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,escape", "screen.focus_people", "People", show=False, id="draft-to-people", tooltip="from the draft back to the people"),
    ]


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_trip", "Add trip", id="add-trip"),
        Binding("c", "copy_draft", "Copy draft", id="copy-draft"),
        Binding("d", "open_drafts", "Edit draft", id="open-drafts", tooltip="other channels and wordings, your $EDITOR"),
        Binding("e", "export_ics", "Export .ics", id="export-ics"),
        Binding("m", "toggle_draft", "Draft", id="toggle-draft", tooltip="the draft on the whole screen, and back"),
        # Not in the footer (no room at 80 columns): in the help screen and the command palette.
        Binding("E", "edit_trip", "Edit trip", id="edit-trip", show=False),
        Binding("D,delete", "delete_trip", "Delete trip", id="delete-trip", key_display="D", show=False),
        # The highlighted person's meetup (core/lifecycle.py): s lists what its status allows;
        # each action also has a key of its own (shift: lower case keys are the trip's).
        # Not in the footer (full at 120 columns): the person pane's status line names it.
        Binding("s", "meetup_menu", "Status", id="meetup-menu", show=False, tooltip="what may happen next to this meetup"),
        *(
            Binding(key, f"meetup('{verb}')", f"Meetup: {verb}", id=f"meetup-{verb}", show=False, tooltip=MOVES[verb].help)
            for verb, key in VERB_KEYS.items()
        ),
        Binding("b", "add_busy", "Add busy time", id="add-busy", show=False, tooltip="nothing is proposed over it"),
        Binding("B", "remove_busy", "Remove busy time", id="remove-busy", show=False),
    ]

    app: IrlmeetApp

    # What the actions depend on: setting one refreshes the footer's bindings.
    service: reactive[Service | None] = reactive(None, bindings=True, init=False)
    trip: reactive[Trip | None] = reactive(None, bindings=True, init=False, always_update=True)
    proposal: reactive[Proposal | None] = reactive(None, bindings=True, init=False, always_update=True)

    def __init__(self) -> None:
        super().__init__()
        self.user_tz = "UTC"
        self.trips: list[Trip] = []
        self.plan: Plan | None = None
        self.draft: Draft | None = None
        self._plans: dict[str, Plan] = {}
        self._views: dict[str, tuple[MeetupView, ...]] = {}  # per trip: its stored meetups
        self._by_contact: dict[str, Proposal] = {}
        self._keep_person: str | None = None  # after a reload: the person to keep highlighted
        self._focus_people = False  # from the agenda: focus the people once the plan shows
        self._fitted_room = 0  # the room the people table's columns were fitted to
        # The app builds this screen when it is first shown (issue 10): until then it keeps
        # what it is handed (the open data, a trip to show, the add-trip dialog to open).
        self._built = False
        self._opening: tuple[Service, list[Trip], str] | None = None
        self._first_trip: str | None = None  # the trip to select when the data shows
        self._when_built: list[Callable[[], None]] = []

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="loading"):
            yield LoadingIndicator()
            yield Static(Text(f"Opening {self.app.settings.paths.data_file}…"), id="loading-text")
        with Horizontal(id="body"):
            with Vertical(id="trips-pane", classes="pane"):
                yield TripList(id="trips")
                yield Static("", id="trips-empty", classes="empty")
                yield Static("", id="busy")
            with Vertical(id="right"):
                with Vertical(id="people-pane", classes="pane"):
                    yield PeopleTable(id="people", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="people-empty", classes="empty")
                with DraftPane(id="draft-pane", classes="pane"):
                    yield Static("", id="person")
                    yield Static("", id="draft")
                    yield Static("", id="draft-warnings")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#body").display = False
        self.query_one("#trips-pane").border_title = "Trips"
        self.query_one("#people-pane").border_title = "People"
        self.query_one("#draft-pane").border_title = "Draft"
        for widget_id in ("#trips-empty", "#people-empty", "#draft-warnings"):
            self.query_one(widget_id).display = False
        self._built = True
        if self._opening is not None:
            self.service_ready(*self._opening)
            self._opening = None
        for then in self._when_built:
            then()
        self._when_built.clear()

    # -- opening ----------------------------------------------------------------------------

    def service_ready(self, service: Service, trips: list[Trip], user_tz: str) -> None:
        """Called by the app once the data file is open (kept until this screen is built)."""
        if not self._built:
            self._opening = (service, list(trips), user_tz)
            return
        self.service = service
        self.user_tz = user_tz
        self.query_one("#loading").display = False
        self.query_one("#body").display = True
        self.show_trips(trips, select_id=self._first_trip)
        self._first_trip = None

    def _today(self) -> date:
        assert self.service is not None
        return self.service.now().date()

    # -- trips ------------------------------------------------------------------------------

    def show_trips(self, trips: list[Trip], *, select_id: str | None) -> None:
        self.trips = list(trips)
        trip_list = self.query_one("#trips", TripList)
        empty = self.query_one("#trips-empty", Static)
        pane = self.query_one("#trips-pane")
        pane.border_subtitle = f"{len(trips)}" if trips else None
        trip_list.clear_options()
        if not trips:
            trip_list.display = False
            empty.update(Text("No trips yet.\n\n" + NO_TRIPS))
            empty.display = True
            self._select_trip(None)
            return
        empty.display = False
        trip_list.display = True
        today = self._today()
        options: list[Option | None] = []
        for t in trips:
            if options:
                options.append(None)  # a rule between trips
            options.append(Option(fmt.trip_text(t, today), id=t.id))
        trip_list.add_options(options)
        index = next((i for i, t in enumerate(trips) if t.id == select_id), None)
        if index is None:  # the next trip that has not ended, else the latest one
            index = next((i for i, t in enumerate(trips) if t.end >= today), len(trips) - 1)
        trip_list.highlighted = trip_list.get_option_index(trips[index].id)
        if not (self.focused and self.focused.id in ("people", "draft-pane")):
            trip_list.focus()
        self._select_trip(trips[index])

    def show_trip(self, trip_id: str, contact_id: str | None = None) -> None:
        """Select ``trip_id`` (from the agenda) and highlight ``contact_id`` in its people once
        its plan shows; the people table gets the focus."""
        if not self._built:  # shown for the first time: select it as the trips first show
            self._first_trip = trip_id
            self._when_built.append(lambda: self.show_trip(trip_id, contact_id))
            return
        trip = next((t for t in self.trips if t.id == trip_id), None)
        if trip is None:
            self.notify("That trip is no longer there.", severity="warning", markup=False)
            return
        trip_list = self.query_one("#trips", TripList)
        trip_list.highlighted = trip_list.get_option_index(trip.id)
        table = self.query_one("#people", PeopleTable)
        if self.trip is not None and self.trip.id == trip.id and self.plan is not None and self.plan.trip.id == trip.id:
            if contact_id is not None and contact_id in self._by_contact:
                row = table.get_row_index(contact_id) if contact_id in table.rows else None
                if row is not None:
                    table.move_cursor(row=row, animate=False)
        else:
            self._keep_person = contact_id
            self._select_trip(trip)
        if table.display and table.row_count:
            table.focus()
        else:
            self._focus_people = True  # once the plan shows (on_plan_ready)

    @on(OptionList.OptionHighlighted, "#trips")
    def _trip_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != event.option_list.highlighted:
            return  # a stale event from refilling the list; the current one follows
        trip = next((t for t in self.trips if t.id == event.option.id), None)
        if trip is not None:
            self._select_trip(trip)

    @on(OptionList.OptionSelected, "#trips")
    def _trip_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_focus_people()

    def _select_trip(self, trip: Trip | None) -> None:
        if trip is not None and self.trip is not None and trip.id == self.trip.id and trip == self.trip:
            return
        self.trip = trip
        self.plan = None
        self._by_contact = {}
        self._show_busy(trip)
        self._show_proposal(None)
        pane = self.query_one("#people-pane")
        table = self.query_one("#people", PeopleTable)
        table.clear(columns=True)
        if trip is None:
            pane.border_title = "People"
            pane.border_subtitle = None
            self._set_no_draft(True)
            self._people_message(
                Text(
                    "Once you add a trip, the people you know near it show up here: ranked by who "
                    "is most worth seeing now, each with a proposed time and a short note to send."
                )
            )
            return
        from irlmeet.core.wording import days_label

        title = Text("People near ")
        title.append(fmt.visible(trip.destination.label()))
        title.append(f" · {days_label(trip)}")
        pane.border_title = title
        pane.border_subtitle = None
        cached = self._plans.get(trip.id)
        pane.loading = cached is None
        if cached is not None:
            self._show_plan(cached)
        else:
            self._people_message(None)
            self._compute_plan(trip)

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def _compute_plan(self, trip: Trip) -> None:
        service = self.service
        assert service is not None
        views: tuple[MeetupView, ...] = ()
        try:
            plan, error = service.plan(trip), None
            views = tuple(service.meetup_views(trip))
        except Exception as exc:  # noqa: BLE001 - shown in the people pane
            plan, error = None, exc
        if not get_current_worker().is_cancelled:
            self.post_message(PlanReady(trip, plan, error, views))

    def on_plan_ready(self, message: PlanReady) -> None:
        if self.trip is None or message.trip.id != self.trip.id:
            return  # the user has moved on
        self.query_one("#people-pane").loading = False
        if message.error is not None or message.plan is None:
            self._people_message(Text(f"Could not plan this trip: {describe_error(message.error)}"))
            return
        self._plans[message.trip.id] = message.plan
        self._views[message.trip.id] = message.views
        self._show_plan(message.plan)
        if self._focus_people:
            self._focus_people = False
            self.action_focus_people()

    # -- people -----------------------------------------------------------------------------

    def _people_message(self, text: Text | None) -> None:
        table = self.query_one("#people", PeopleTable)
        empty = self.query_one("#people-empty", Static)
        if text is None:
            empty.display = False
            table.display = True
            return
        empty.update(text)
        empty.display = True
        table.display = False

    def _set_no_draft(self, no_draft: bool) -> None:
        """Without anyone to write to, the people pane takes the whole right side."""
        self.query_one("#right").set_class(no_draft, "-no-draft")

    def _show_plan(self, plan: Plan) -> None:
        trip = plan.trip
        self.plan = plan
        self._by_contact = {p.contact.id: p for p in plan.proposals}
        pane = self.query_one("#people-pane")
        table = self.query_one("#people", PeopleTable)
        table.clear(columns=True)
        proposals = plan.proposals
        if not proposals:
            radius = self.app.settings.radius_km
            pane.border_subtitle = None
            self._people_message(
                Text(
                    f"Nobody you know within {radius:g} km of {fmt.visible(trip.destination.label())}.\n\n"
                    "Add people who live there with `irlmeet contact add NAME --city CITY`, "
                    "then come back to this trip."
                )
            )
            self._show_proposal(None)
            self._set_no_draft(True)
            return
        self._people_message(None)
        self._set_no_draft(False)
        shown = proposals[:MAX_ROWS]
        scheduled = len(plan.scheduled)
        subtitle = f"{scheduled} of {len(proposals)} with a slot"
        clashes = sum(1 for v in self._views.get(trip.id, ()) if v.conflict is not None)
        if clashes:
            subtitle += f" · {clashes} conflict{'' if clashes == 1 else 's'} (!)"
        if len(proposals) > MAX_ROWS:
            subtitle = f"showing {MAX_ROWS} of {len(proposals)} · " + subtitle
        pane.border_subtitle = subtitle
        mine = [fmt.your_time(p, trip, self.user_tz, compact=True) for p in shown]
        with_yours = any(mine)
        headers = [("rank", Text("#", justify="right")), ("name", Text("Name")), ("when", Text("When (local)"))]
        if with_yours:
            headers.append(("yours", Text(fmt.zone_city(self.user_tz))))
        headers.append(("status", Text("Status")))
        headers.append(("why", Text("Why")))
        rows: list[list[Text]] = []
        for i, (p, yours) in enumerate(zip(shown, mine, strict=True), start=1):
            when = fmt.slot_label(p, trip)
            if when and p.note:
                when_cell = Text(when)
                when_cell.append(f" · {fmt.visible(p.note)}", style="italic")
            elif when:
                when_cell = Text(when)
            else:
                when_cell = fmt.plain(p.note or "no slot", style="italic dim")
            row: list[Text] = [Text(str(i), justify="right", style="dim"), fmt.plain(p.contact.name), when_cell]
            if with_yours:
                row.append(Text(yours, style="dim"))
            # The headline reason fits the row; all of them are in the draft pane below.
            headline = p.candidate.reasons[0] if p.candidate.reasons else ""
            row.append(self._status_cell(p))  # kept whole: the reason gives way first
            row.append(fmt.plain(headline, style="dim"))
            rows.append(row)
        self._fitted_room = self._people_width(len(rows))
        whole = (len(headers) - 2,)  # the status
        if with_yours and not _fits([h for _, h in headers], rows, self._fitted_room, whole=whole):
            # A narrow terminal: the user's own time gives way (the person pane below says it).
            del headers[3]
            for row in rows:
                del row[3]
            whole = (len(headers) - 2,)
        widths = _fit_columns([h for _, h in headers], rows, self._fitted_room, whole=whole)
        for (key, header), width in zip(headers, widths, strict=True):
            table.add_column(_ellipsis(header, width), key=key, width=width)
        for p, row in zip(shown, rows, strict=True):
            table.add_row(*(_ellipsis(cell, w) for cell, w in zip(row, widths, strict=True)), key=p.contact.id)
        keep = next((i for i, p in enumerate(shown) if p.contact.id == self._keep_person), 0)
        self._keep_person = None
        table.move_cursor(row=keep, animate=False)
        self._show_proposal(shown[keep])

    def _people_width(self, rows: int) -> int:
        """The room the people table's ``rows`` have (before the first layout: estimated from
        the screen), less the vertical scrollbar when they are more than the table shows."""
        table = self.query_one("#people", PeopleTable)
        width = self.query_one("#people-pane").content_size.width
        if width <= 0:
            trips = self.query_one("#trips-pane").outer_size.width or 26
            width = self.size.width - trips - 4
        shown = table.size.height - table.header_height if table.size.height else self.size.height // 3
        if rows > shown:
            width -= table.styles.scrollbar_size_vertical
        return max(width, 20)

    def refit_people(self) -> None:
        """Fit the people table's columns again if the room for them changed."""
        plan, proposal = self.plan, self.proposal
        if plan is None or proposal is None or not plan.proposals:
            return
        if self._people_width(min(len(plan.proposals), MAX_ROWS)) != self._fitted_room:
            self._keep_person = proposal.contact.id
            self._show_plan(plan)

    def on_resize(self) -> None:
        self.refit_people()

    @on(DataTable.RowHighlighted, "#people")
    def _person_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        proposal = self._by_contact.get(key) if key is not None else None
        if proposal is not None:
            self._show_proposal(proposal)

    @on(DataTable.RowSelected, "#people")
    def _person_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one("#draft-pane").focus()

    # -- the draft --------------------------------------------------------------------------

    def _show_proposal(self, proposal: Proposal | None) -> None:
        if (
            proposal is not None
            and self.proposal is not None
            and proposal.contact.id == self.proposal.contact.id
            and proposal is self.proposal
        ):
            return
        self.proposal = proposal
        self.draft = None
        person = self.query_one("#person", Static)
        draft = self.query_one("#draft", Static)
        warnings = self.query_one("#draft-warnings", Static)
        pane = self.query_one("#draft-pane")
        warnings.display = False
        pane.border_subtitle = None
        pane.scroll_home(animate=False)
        if proposal is None or self.trip is None or self.plan is None:
            person.update("")
            draft.update("")
            pane.border_title = "Draft"
            return
        pane.border_title = Text(f"Draft for {fmt.visible(proposal.contact.name)}")
        about = fmt.person_text(proposal, self.trip, self.user_tz)
        about.append_text(self._status_text(proposal))
        person.update(about)
        if not proposal.has_slot and self.service is not None and self.service.trip_is_over(self.trip):
            from irlmeet.core.wording import date_short

            draft.update(
                Text(
                    f"This trip is over (it ended on {date_short(self.trip.end)} {self.trip.end.year}): "
                    "there is nothing left to plan or send.",
                    style="italic",
                )
            )
            return
        if not proposal.has_slot:
            draft.update(
                Text(
                    f"No invitation to send: {proposal.note or 'no free slot on this trip'}. "
                    "Free up time on the trip, or plan to meet on another one.",
                    style="italic",
                )
            )
            return
        draft.update(Text("Writing the draft…", style="dim italic"))
        self._compute_draft(self.trip, self.plan, proposal)

    @work(thread=True, exclusive=True, group="draft", exit_on_error=False)
    def _compute_draft(self, trip: Trip, plan: Plan, proposal: Proposal) -> None:
        service = self.service
        assert service is not None
        try:
            draft, error = service.draft(trip, proposal.contact, the_plan=plan), None
        except Exception as exc:  # noqa: BLE001 - shown in the draft pane
            draft, error = None, exc
        if not get_current_worker().is_cancelled:
            self.post_message(DraftReady(trip, plan, proposal, draft, error))

    def on_draft_ready(self, message: DraftReady) -> None:
        current = self.proposal
        if current is None or message.proposal is not current or self.trip is None or message.trip.id != self.trip.id:
            return
        draft = self.query_one("#draft", Static)
        if message.error is not None or message.draft is None:
            draft.update(Text(f"Could not write the draft: {describe_error(message.error)}", style="italic"))
            return
        self.draft = message.draft
        draft.update(fmt.draft_text(message.draft))
        warnings = self.query_one("#draft-warnings", Static)
        if message.draft.warnings:
            warnings.update(fmt.warnings_text(message.draft))
            warnings.display = True
        self.query_one("#draft-pane").border_subtitle = "c copy"

    # -- navigation -------------------------------------------------------------------------

    def action_focus_people(self) -> None:
        table = self.query_one("#people", PeopleTable)
        if table.display and table.row_count:
            table.focus()

    def action_focus_trips(self) -> None:
        trips = self.query_one("#trips", TripList)
        if trips.display:
            trips.focus()

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_trip":
            return True if self.service is not None else None
        if action == "export_ics":
            return True if self.service is not None and self.trip is not None else None
        if action in ("copy_draft", "toggle_draft"):
            return True if self.service is not None and self.proposal is not None else None
        if action in ("edit_trip", "delete_trip"):
            return True if self.service is not None and self.trip is not None else None
        if action == "open_drafts":
            return True if self.service is not None and self.proposal is not None and self.proposal.has_slot else None
        if action in ("meetup_menu", "meetup"):
            return True if self.service is not None and self.proposal is not None else None
        if action == "add_busy":
            return True if self.service is not None and self.trip is not None else None
        if action == "remove_busy":
            return True if self.service is not None and self.trip is not None and self.trip.busy else None
        return True

    def action_open_drafts(self) -> None:
        """The drafts view for the highlighted person (tui/drafts_screen.py)."""
        from irlmeet.tui.drafts_screen import DraftsScreen

        service, trip, proposal = self.service, self.trip, self.proposal
        if service is None or trip is None or proposal is None or not proposal.has_slot:
            return
        plan = self.plan if self.plan is not None and self.plan.trip.id == trip.id else None
        self.app.push_screen(DraftsScreen(service, trip, proposal.contact, plan, env=self.app.env))

    def action_copy_draft(self) -> None:
        proposal = self.proposal
        if proposal is None:
            return
        name = fmt.visible(proposal.contact.name)
        draft = self.draft
        if draft is None or draft.contact_id != proposal.contact.id:
            if not proposal.has_slot:
                self.notify(f"{name} has no proposed slot, so there is no draft to copy.", severity="warning", markup=False)
            else:
                self.notify("The draft is still being written; try again in a moment.", markup=False)
            return
        self.app.copy_to_clipboard(draft.text())
        self.notify(f"Draft for {name} copied", markup=False)

    def action_add_trip(self) -> None:
        from irlmeet.tui.screens import AddTripScreen

        if not self._built:  # shown for the first time: open the dialog over it once it is
            self._when_built.append(self.action_add_trip)
            return
        if self.service is None:
            return
        self.app.push_screen(AddTripScreen(self.service), self._trip_added)

    def _trip_added(self, added: AddedTrip | None) -> None:
        if added is None:
            # The dialog may have been closed while a trip was being saved: look again.
            self._reload_trips(select_id=self.trip.id if self.trip else None)
            return
        self._plans.clear()
        self.show_trips(added.trips, select_id=added.trip.id)
        self.notify(f"Added {fmt.visible(added.trip.name)}", markup=False)

    def _reload_trips(self, *, select_id: str | None) -> None:
        if self.service is not None:
            self._load_trips(self.service, select_id)

    @work(thread=True, exclusive=True, group="trips", exit_on_error=False)
    def _load_trips(self, service: Service, select_id: str | None) -> None:
        try:
            trips = service.trips()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(TripsReady(None, select_id, exc))
            return
        self.post_message(TripsReady(trips, select_id, None))

    def data_changed(self, trips: list[Trip]) -> None:
        """Another process changed the data: show it, keeping the trip and the person highlighted."""
        if self._opening is not None:  # not built yet: it shows these trips when it is
            self._opening = (self._opening[0], list(trips), self._opening[2])
            return
        if self.service is None:
            return
        self._plans.clear()
        current = self.trip
        self._keep_person = self.proposal.contact.id if self.proposal is not None else None
        if [t.id for t in trips] != [t.id for t in self.trips] or any(a != b for a, b in zip(trips, self.trips, strict=False)):
            self.show_trips(trips, select_id=current.id if current else None)
        elif current is not None:
            self.trip = None  # plan the same trip again, with the new contacts
            self._select_trip(current)

    # -- edit and delete trips ----------------------------------------------------------------

    def action_edit_trip(self) -> None:
        from irlmeet.tui.screens import AddTripScreen

        if self.service is not None and self.trip is not None:
            self.app.push_screen(AddTripScreen(self.service, self.trip), self._trip_edited)

    def _trip_edited(self, edited: AddedTrip | None) -> None:
        if edited is None:
            return
        self._plans.clear()
        self.trip = None
        self.show_trips(edited.trips, select_id=edited.trip.id)
        self.notify(f"Saved {edited.trip.name}", markup=False)

    def action_delete_trip(self) -> None:
        from irlmeet.core.wording import days_label
        from irlmeet.tui.screens import ConfirmScreen

        service, trip = self.service, self.trip
        if service is None or trip is None:
            return
        question = Text(f"Delete the trip {trip.name} ({trip.destination.short_label()}, {days_label(trip)}) and its planned meetups?")
        self.app.push_screen(ConfirmScreen(question, "Delete", lambda: service.remove_trip(trip.id, force=True)), lambda done: self._trip_deleted(trip, done))

    def _trip_deleted(self, trip: Trip, done: bool | None) -> None:
        if not done:
            return
        self._plans.pop(trip.id, None)
        self.notify(f"Deleted {trip.name}", markup=False)
        self._reload_trips(select_id=None)

    def action_toggle_draft(self) -> None:
        """Give the draft the whole screen (and back): at 80x24 it is the quickest way to read it."""
        pane = self.query_one("#draft-pane", DraftPane)
        if self.maximized is pane:
            self.minimize()
            return
        pane.focus()
        self.maximize(pane, container=False)

    def on_trips_ready(self, message: TripsReady) -> None:
        if message.error is not None or message.trips is None:
            self.notify(describe_error(message.error), severity="error", markup=False)
            return
        if [t.id for t in message.trips] != [t.id for t in self.trips]:
            self.show_trips(message.trips, select_id=message.select_id)

    def action_export_ics(self) -> None:
        service, trip = self.service, self.trip
        if service is None or trip is None:
            return
        plan = self.plan if self.plan is not None and self.plan.trip.id == trip.id else None
        from irlmeet.tui.screens import ExportScreen

        default = f"~/irlmeet-{fmt.slug(trip.name)}.ics"
        self.app.push_screen(
            # The calendar follows the status: planned, invited, confirmed (and cancelled) meetups;
            # the dialog's "include ideas" box adds the proposals not acted on yet (CLI: --ideas).
            ExportScreen(trip, default, lambda path, ideas: service.export_ics(trip, path, the_plan=plan, ideas=ideas)),
            self._exported,
        )

    def _exported(self, result: ExportResult | None) -> None:
        if result is None:
            return
        n = result.events
        message = f"Exported {n} meetup{'' if n == 1 else 's'} to {fmt.visible(str(result.path))}"
        if result.cancelled:
            message += f" (and {result.cancelled} called off, for calendars to remove)"
        if n == 0 and not result.cancelled:
            message += ": nothing is planned yet (accept a proposal with A, or tick \"include ideas\")"
        self.notify(message, markup=False)
        # Exporting stores the current proposals as ideas: show their status.
        self._refresh_trip()

    # -- meetups: from idea to "we met" (core/lifecycle.py) -----------------------------------

    def _view_of(self, proposal: Proposal) -> MeetupView | None:
        """The stored meetup a person's row stands for: the plan's own, else their latest one
        on this trip that the user acted on (a declined, cancelled, skipped one)."""
        trip = self.trip
        if trip is None:
            return None
        views = self._views.get(trip.id, ())
        if proposal.meetup_id:
            found = next((v for v in views if v.meetup.id == proposal.meetup_id), None)
            if found is not None:
                return found
        cid = proposal.contact.id
        theirs = [v for v in views if cid in v.meetup.contact_ids and v.meetup.status not in (_S.DROPPED, _S.IDEA)]
        if not theirs:
            return None
        return max(theirs, key=lambda v: (v.meetup.sequence, v.meetup.start, v.meetup.id))

    def _status_cell(self, proposal: Proposal) -> Text:
        view = self._view_of(proposal)
        if view is None:
            return Text("idea" if proposal.has_slot else "", style="dim")
        status = view.meetup.status
        text = Text(status.value, style=STATUS_STYLE.get(status, ""))
        if view.conflict is not None:
            text.append(" !", style="bold red")
        return text

    def _status_text(self, proposal: Proposal) -> Text:
        """The person pane's status line, and the conflict in plain words."""
        view = self._view_of(proposal)
        text = Text()
        if view is None and not proposal.has_slot:
            return text
        text.append("\nStatus: ", style="dim")
        if view is None:
            text.append("idea", style="bold")
            text.append(" (not acted on yet) · A accept · I invited · S skip · s more", style="dim")
            return text
        status = view.meetup.status
        text.append(status.value, style="bold")
        if len(view.meetup.contact_ids) > 1:
            text.append(" · with ", style="dim")
            text.append(fmt.visible(", ".join(view.names)))
        text.append(" · s what next", style="dim")
        if view.conflict is not None:
            text.append("\nConflict: ", style="bold red")
            text.append(fmt.visible(view.conflict.reason))
            text.append(" · M move it, or X cancel it", style="dim")
        return text

    def _target(self) -> tuple[Trip, Proposal, MeetupView | None] | None:
        if self.service is None or self.trip is None or self.proposal is None:
            return None
        return self.trip, self.proposal, self._view_of(self.proposal)

    def action_meetup_menu(self) -> None:
        from irlmeet.tui.meetup_dialogs import StatusMenu

        target = self._target()
        if target is None:
            return
        trip, proposal, view = target
        if view is None and not proposal.has_slot:
            self._no_meetup(proposal)
            return
        status = view.meetup.status if view is not None else _S.IDEA
        title = Text(fmt.visible(view.label if view is not None else proposal.contact.name), style="bold")
        self.app.push_screen(StatusMenu(title, status, stored=view is not None), self._menu_chosen)

    def _menu_chosen(self, verb: str | None) -> None:
        if verb:
            self.action_meetup(verb)

    def _no_meetup(self, proposal: Proposal) -> None:
        name = fmt.visible(proposal.contact.name)
        self.notify(f"Nothing to act on with {name} on this trip: {fmt.visible(proposal.note or 'no proposed time')}.",
                    severity="warning", markup=False)

    def action_meetup(self, verb: str) -> None:
        """Make the move ``verb`` on the highlighted person's meetup (Service.meetup_action)."""
        target = self._target()
        if target is None or verb not in MOVES:
            return
        trip, proposal, view = target
        cid = proposal.contact.id
        if view is None:
            if not proposal.has_slot:
                self._no_meetup(proposal)
                return
            if _S.IDEA not in MOVES[verb].sources:
                name = fmt.visible(proposal.contact.name)
                self.notify(
                    f"The time with {name} is still an idea, so it can't be {verb}ed yet: accept it first (A), "
                    "or mark it invited (I) once you have sent the invitation.",
                    severity="warning", markup=False,
                )
                return
        # A stored meetup by its id; a proposal not stored yet by trip and person (the Service
        # stores the trip's ideas first, then takes this person's).
        ref, person = (view.meetup.id, None) if view is not None else (trip.id, cid)
        if verb == "move":
            self._load_move_options(trip, cid, ref, person)
            return
        self._act(trip, cid, ref, person, verb, None)

    @work(thread=True, exclusive=True, group="meetup", exit_on_error=False)
    def _act(self, trip: Trip, contact_id: str, ref: str, person: str | None, verb: str, slot: int | None) -> None:
        service = self.service
        assert service is not None
        try:
            result, error = service.meetup_action(ref, verb, person, slot=slot), None
        except Exception as exc:  # noqa: BLE001 - said in a notification
            result, error = None, exc
        self.post_message(MeetupActed(trip, contact_id, verb, result, error))

    def on_meetup_acted(self, message: MeetupActed) -> None:
        if message.error is not None or message.result is None:
            self.notify(describe_error(message.error), title=f"Can't {message.verb}", severity="warning", markup=False)
            return
        view = message.result.view
        status = view.meetup.status.value
        words = f"{view.label}: {status}"
        if message.verb == "move":
            there = view.meetup.start.astimezone(message.trip.zone)
            words = f"{view.label} moved to {fmt.short_when(there)} ({status})"
        if view.conflict is not None:
            words += f". Conflict: {view.conflict.reason}"
        self.notify(fmt.visible(words), markup=False)
        self._refresh_trip(keep=message.contact_id)

    def _refresh_trip(self, keep: str | None = None) -> None:
        """Plan the current trip again from the data as stored, keeping the person highlighted."""
        current = self.trip
        if current is None:
            return
        self._plans.pop(current.id, None)
        self._keep_person = keep or (self.proposal.contact.id if self.proposal is not None else None)
        self.trip = None
        self._select_trip(current)

    @work(thread=True, exclusive=True, group="meetup", exit_on_error=False)
    def _load_move_options(self, trip: Trip, contact_id: str, ref: str, person: str | None) -> None:
        service = self.service
        assert service is not None
        try:
            if person is not None:
                service.sync_ideas(trip)  # the proposal must be stored to be moved
            slots, error = service.move_options(ref, person), None
        except Exception as exc:  # noqa: BLE001 - said in a notification
            slots, error = [], exc
        self.post_message(MoveOptionsReady(trip, contact_id, ref, person, slots, error))

    def on_move_options_ready(self, message: MoveOptionsReady) -> None:
        from irlmeet.tui.meetup_dialogs import MoveScreen

        if message.error is not None:
            self.notify(describe_error(message.error), title="Can't move", severity="warning", markup=False)
            return
        if not message.slots:
            self.notify("There is no free time left on this trip to move it to.", severity="warning", markup=False)
            return
        proposal = self._by_contact.get(message.contact_id)
        view = self._view_of(proposal) if proposal is not None else None
        label = view.label if view is not None else (proposal.contact.name if proposal is not None else "the meetup")

        def chosen(slot: int | None) -> None:
            if slot:
                self._act(message.trip, message.contact_id, message.ref, message.person, "move", slot)

        self.app.push_screen(MoveScreen(label, message.slots, message.trip), chosen)

    # -- busy time ----------------------------------------------------------------------------

    def _show_busy(self, trip: Trip | None) -> None:
        from irlmeet.tui.meetup_dialogs import busy_line

        busy = self.query_one("#busy", Static)
        if trip is None:
            busy.display = False
            return
        busy.display = True
        text = Text("Busy", style="bold")
        text.append("  b add" + (" · B remove" if trip.busy else ""), style="dim")
        for block in sorted(trip.busy, key=lambda b: (b.start, b.id)):
            text.append("\n")
            text.append_text(busy_line(block, trip))
        if not trip.busy:
            text.append("\nnone: the whole trip is free", style="dim")
        busy.update(text)

    def action_add_busy(self) -> None:
        from irlmeet.tui.meetup_dialogs import AddBusyScreen

        if self.service is not None and self.trip is not None:
            self.app.push_screen(AddBusyScreen(self.service, self.trip), self._busy_changed)

    def action_remove_busy(self) -> None:
        from irlmeet.tui.meetup_dialogs import RemoveBusyScreen

        if self.service is not None and self.trip is not None and self.trip.busy:
            self.app.push_screen(RemoveBusyScreen(self.service, self.trip), lambda done: self._busy_changed(done, added=False))

    def _busy_changed(self, changed: BusyChanged | None, *, added: bool = True) -> None:
        from irlmeet.tui.meetup_dialogs import busy_line

        if changed is None or self.trip is None:
            return
        trip = self.trip
        self._plans.pop(trip.id, None)
        self._keep_person = self.proposal.contact.id if self.proposal is not None else None
        self.show_trips(changed.trips, select_id=trip.id)
        line = busy_line(changed.block, trip).plain
        self.notify(f"{'Added' if added else 'Removed'} busy time {line}", markup=False)
