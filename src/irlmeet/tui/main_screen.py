"""The main view: trips on the left; for the selected trip, the ranked people and the draft."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    LoadingIndicator,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from irlmeet.core.drafts import Draft
from irlmeet.core.models import Trip
from irlmeet.core.planner import Plan, Proposal
from irlmeet.core.wording import date_short, days_label
from irlmeet.tui import format as fmt
from irlmeet.tui.screens import AddedTrip, AddTripScreen, ExportScreen
from irlmeet.tui.workers import LatestWins, describe_error

if TYPE_CHECKING:
    from irlmeet.core.service import ExportResult, Service
    from irlmeet.tui.app import IrlmeetApp

__all__ = ["MAX_ROWS", "MainScreen"]

#: The people table shows at most this many rows (a stock DataTable measures every cell).
MAX_ROWS = 300

NO_TRIPS = "Press a to add a trip, or run `irlmeet trip add`."


class TripList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("right", "screen.focus_people", "People", show=False, id="trips-to-people")]


class PeopleTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,escape", "screen.focus_trips", "Trips", show=False, id="people-to-trips"),
    ]


class DraftPane(VerticalScroll, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,escape", "screen.focus_people", "People", show=False, id="draft-to-people"),
    ]


class PlanReady(Message):
    def __init__(self, trip: Trip, plan: Plan | None, error: BaseException | None) -> None:
        super().__init__()
        self.trip = trip
        self.plan = plan
        self.error = error


class DraftReady(Message):
    def __init__(self, key: tuple[Trip, Plan, Proposal], draft: Draft | None, error: BaseException | None) -> None:
        super().__init__()
        self.trip, self.plan, self.proposal = key
        self.draft = draft
        self.error = error


class TripsReady(Message):
    def __init__(self, trips: list[Trip] | None, select_id: str | None, error: BaseException | None) -> None:
        super().__init__()
        self.trips = trips
        self.select_id = select_id
        self.error = error


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_trip", "Add trip", id="add-trip"),
        Binding("c", "copy_draft", "Copy draft", id="copy-draft"),
        Binding("e", "export_ics", "Export .ics", id="export-ics"),
    ]

    app: IrlmeetApp

    def __init__(self) -> None:
        super().__init__()
        self.service: Service | None = None
        self.user_tz = "UTC"
        self.trips: list[Trip] = []
        self.trip: Trip | None = None
        self.plan: Plan | None = None
        self.proposal: Proposal | None = None
        self.draft: Draft | None = None
        self._plans: dict[str, Plan] = {}
        self._by_contact: dict[str, Proposal] = {}
        self._planner = LatestWins(self, "plan", self._compute_plan, PlanReady)
        self._drafter = LatestWins(self, "draft", self._compute_draft, DraftReady)

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
            with Vertical(id="right"):
                with Vertical(id="people-pane", classes="pane"):
                    yield PeopleTable(id="people", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="people-empty", classes="empty")
                with DraftPane(id="draft-pane", classes="pane"):
                    yield Static("", id="person")
                    yield Static("", id="draft")
                    yield Static("", id="draft-warnings")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#body").display = False
        self.query_one("#trips-pane").border_title = "Trips"
        self.query_one("#people-pane").border_title = "People"
        self.query_one("#draft-pane").border_title = "Draft"
        for widget_id in ("#trips-empty", "#people-empty", "#draft-warnings"):
            self.query_one(widget_id).display = False

    # -- opening ----------------------------------------------------------------------------

    def service_ready(self, service: Service, trips: list[Trip], user_tz: str) -> None:
        """Called by the app once the data file is open."""
        self.service = service
        self.user_tz = user_tz
        self.query_one("#loading").display = False
        self.query_one("#body").display = True
        self.show_trips(trips, select_id=None)
        self.refresh_bindings()

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
            self.refresh_bindings()
            return
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
            self._planner.request(trip)
        self.refresh_bindings()

    def _compute_plan(self, trip: Trip) -> Plan:
        assert self.service is not None
        return self.service.plan(trip)

    def on_plan_ready(self, message: PlanReady) -> None:
        if self.trip is None or message.trip.id != self.trip.id:
            return  # the user has moved on
        self.query_one("#people-pane").loading = False
        if message.error is not None or message.plan is None:
            self._people_message(Text(f"Could not plan this trip: {describe_error(message.error)}"))
            return
        self._plans[message.trip.id] = message.plan
        self._show_plan(message.plan)

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
            self.refresh_bindings()
            return
        self._people_message(None)
        self._set_no_draft(False)
        shown = proposals[:MAX_ROWS]
        scheduled = len(plan.scheduled)
        subtitle = f"{scheduled} of {len(proposals)} with a slot"
        if len(proposals) > MAX_ROWS:
            subtitle = f"showing {MAX_ROWS} of {len(proposals)} · " + subtitle
        pane.border_subtitle = subtitle
        mine = [fmt.your_time(p, trip, self.user_tz, compact=True) for p in shown]
        with_yours = any(mine)
        table.add_column(Text("#", justify="right"), key="rank")
        table.add_column(Text("Name"), key="name")
        table.add_column(Text("When (local)"), key="when")
        if with_yours:
            table.add_column(Text(fmt.zone_city(self.user_tz)), key="yours")
        table.add_column(Text("Why"), key="why")
        for i, (p, yours) in enumerate(zip(shown, mine, strict=True), start=1):
            when = fmt.slot_label(p, trip)
            if when and p.note:
                when_cell = Text(when)
                when_cell.append(f" · {fmt.visible(p.note)}", style="italic")
            elif when:
                when_cell = Text(when)
            else:
                when_cell = fmt.plain(p.note or "no slot", style="italic dim")
            row: list[Any] = [Text(str(i), justify="right", style="dim"), fmt.plain(p.contact.name), when_cell]
            if with_yours:
                row.append(Text(yours, style="dim"))
            # The headline reason fits the row; all of them are in the draft pane below.
            headline = p.candidate.reasons[0] if p.candidate.reasons else ""
            row.append(fmt.plain(headline, style="dim"))
            table.add_row(*row, key=p.contact.id)
        table.move_cursor(row=0, animate=False)
        self._show_proposal(shown[0])
        self.refresh_bindings()

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
        person.update(fmt.person_text(proposal, self.trip, self.user_tz))
        if not proposal.has_slot and self.service is not None and self.service.trip_is_over(self.trip):
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
        self._drafter.request((self.trip, self.plan, proposal))

    def _compute_draft(self, key: tuple[Trip, Plan, Proposal]) -> Draft:
        assert self.service is not None
        trip, plan, proposal = key
        return self.service.draft(trip, proposal.contact, the_plan=plan)

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
        self.refresh_bindings()

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
        if action == "copy_draft":
            return True if self.service is not None and self.proposal is not None else None
        return True

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
        service = self.service
        if service is None:
            return

        def load() -> None:
            try:
                trips = service.trips()
            except Exception as exc:  # noqa: BLE001 - shown to the user
                self.post_message(TripsReady(None, select_id, exc))
                return
            self.post_message(TripsReady(trips, select_id, None))

        self.run_worker(load, name="reload trips", group="trips", thread=True, exit_on_error=False)

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
        default = f"~/irlmeet-{fmt.slug(trip.name)}.ics"
        self.app.push_screen(
            # ideas=True: the dialog promises every proposal (the CLI's default is acted-on meetups
            # only, `export --ideas` adds them); the TUI follows once its trip screen can accept.
            ExportScreen(trip, default, lambda path: service.export_ics(trip, path, the_plan=plan, ideas=True)),
            self._exported,
        )

    def _exported(self, result: ExportResult | None) -> None:
        if result is None:
            return
        n = result.events
        self.notify(f"Exported {n} meetup{'' if n == 1 else 's'} to {fmt.visible(str(result.path))}", markup=False)
