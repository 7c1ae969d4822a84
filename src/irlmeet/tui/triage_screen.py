"""The triage queue: placing imported people in a city and a circle, one at a time, by keyboard.

LinkedIn exports carry no location, so after an import most people are invisible to the
planner. This screen shows one person (name, company, position, how you met, what the export
said about a place), takes a city (completed from the place index as you type; → accepts the
suggestion), a circle (1 professional, 2 personal, 3 both, typed while the city is empty) and
how you met, and saves with enter. ctrl+g gives the same answer to everyone in the queue at the
same company; ctrl+n skips. Every Service call runs in a thread worker.

CLI twin: ``irlmeet triage [--company X] [--city CITY] [--circle C] [--how-we-met TEXT]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from irlmeet.core.intake import place_hint
from irlmeet.tui.footer import KeyFooter
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.models import Contact
    from irlmeet.core.service import Service

__all__ = ["CIRCLE_KEYS", "TriageScreen"]

CIRCLE_KEYS = {"1": "professional", "2": "personal", "3": "both"}


class CitySuggester(Suggester):
    """The biggest city starting with what was typed (the place index answers in microseconds
    once loaded; the screen loads it in a worker when it opens)."""

    def __init__(self, service: Service) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        self._service = service

    async def get_suggestion(self, value: str) -> str | None:
        if len(value.strip()) < 3 or self._service._places is None:
            return None
        found = self._service.complete_city(value, limit=1)
        return found[0] if found and found[0].casefold().startswith(value.casefold()) else None


class CityInput(Input):
    """The city field; 1, 2 and 3 pick a circle while it is empty (no city starts with a digit)."""

    class CirclePicked(Message):
        def __init__(self, circle: str) -> None:
            super().__init__()
            self.circle = circle

    async def _on_key(self, event: events.Key) -> None:
        if not self.value and event.character in CIRCLE_KEYS:
            event.stop()
            event.prevent_default()
            self.post_message(self.CirclePicked(CIRCLE_KEYS[event.character]))
            return
        await super()._on_key(event)


class QueueLoaded(Message):
    def __init__(self, queue: list[Contact] | None, error: BaseException | None) -> None:
        super().__init__()
        self.queue = queue
        self.error = error


class Answered(Message):
    def __init__(self, ids: list[str], changed: list[Contact] | None, error: BaseException | None) -> None:
        super().__init__()
        self.ids = ids
        self.changed = changed
        self.error = error


class TriageScreen(Screen[None]):
    """One person at a time until everyone imported has a city and a circle."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="triage-close"),
        # priority: the inputs hold the focus and would otherwise take these keys
        Binding("ctrl+n", "skip", "Skip", id="triage-skip", priority=True),
        Binding("ctrl+g", "same_for_company", "Same for all at the company", id="triage-same-company", priority=True),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.queue: list[Contact] = []
        self.position = 0
        self.circle: str | None = None
        self.total = 0
        self.placed = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="triage-box"):
            yield Static(Text("Loading the people to place..."), id="triage-progress")
            yield Static(Text(""), id="triage-person")
            yield CityInput(placeholder="city (→ takes the suggestion); 1/2/3 = circle", id="triage-city",
                            suggester=CitySuggester(self.service))
            yield Input(placeholder="how you met (optional)", id="triage-how")
            yield Static(Text(""), id="triage-answer")
            yield Static(Text(""), id="triage-status")
            yield Static(Text("enter save · 1 professional · 2 personal · 3 both · ctrl+n skip · "
                              "ctrl+g same for all at the company · esc back"), id="triage-keys")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#triage-city", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="triage-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            queue = self.service.triage()
            _ = self.service.places  # load the city index now, for completion
        except Exception as exc:  # noqa: BLE001 - shown on the screen
            self.post_message(QueueLoaded(None, exc))
            return
        self.post_message(QueueLoaded(queue, None))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        if message.error is not None:
            self._status(describe_error(message.error), error=True)
            return
        self.queue = list(message.queue or [])
        self.total = len(self.queue)
        self.position = 0
        self._show()

    # -- what is shown --------------------------------------------------------------------

    @property
    def current(self) -> Contact | None:
        return self.queue[self.position] if 0 <= self.position < len(self.queue) else None

    def _show(self) -> None:
        person = self.current
        left = len(self.queue)
        progress = self.query_one("#triage-progress", Static)
        if person is None:
            progress.update(Text(f"Everyone is placed ({self.placed} this time). Press esc to go back.", style="bold"))
            self.query_one("#triage-person", Static).update(Text(""))
            self.query_one("#triage-answer", Static).update(Text(""))
            return
        progress.update(Text(f"{left} left to place · person {self.position + 1} of {left}", style="bold"))
        lines = Text()
        lines.append(person.name, style="bold")
        work_line = " at ".join(x for x in (person.role, person.company) if x)
        if work_line:
            lines.append("\n" + work_line)
        met = person.how_we_met or " ".join(
            x for x in (f"via {person.met_via}" if person.met_via else "",
                        f"on {person.met_on.isoformat()}" if person.met_on else "") if x)
        lines.append("\nhow you met: " + (met or "-"))
        needs = [w for w, missing in (("a city", not person.places), ("a circle", person.circle_open)) if missing]
        lines.append("\nneeds " + " and ".join(needs or ["nothing"]))
        hint = place_hint(person)
        if hint:
            lines.append(f"\nthe export said: {hint}", style="italic")
        self.query_one("#triage-person", Static).update(lines)
        self.circle = None if person.circle_open else person.circle.value
        city = self.query_one("#triage-city", Input)
        city.value = ""
        self.query_one("#triage-how", Input).value = ""
        self._show_answer()
        city.focus()

    def _show_answer(self) -> None:
        person = self.current
        circle = self.circle or "(pick 1, 2 or 3)"
        company = f" · ctrl+g: same for all at {person.company}" if person and person.company else ""
        self.query_one("#triage-answer", Static).update(Text(f"circle: {circle}{company}"))

    def _status(self, text: str, *, error: bool = False) -> None:
        self.query_one("#triage-status", Static).update(Text(text, style="red" if error else ""))

    # -- answers ----------------------------------------------------------------------------

    @on(CityInput.CirclePicked)
    def _circle_picked(self, message: CityInput.CirclePicked) -> None:
        self.circle = message.circle
        self._show_answer()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        person = self.current
        if person is not None:
            self._answer([person.id])

    def action_same_for_company(self) -> None:
        person = self.current
        if person is None:
            return
        if not person.company:
            self._status(f"{person.name} has no company to match others by")
            return
        company = person.company.casefold()
        self._answer([c.id for c in self.queue if c.company.casefold() == company])

    def action_skip(self) -> None:
        if self.current is not None:
            self.position = (self.position + 1) % len(self.queue)
            self._show()

    def action_close(self) -> None:
        self.dismiss(None)

    def _answer(self, ids: list[str]) -> None:
        city = self.query_one("#triage-city", Input).value.strip()
        how = self.query_one("#triage-how", Input).value.strip()
        circle = self.circle if self.current is not None and (self.current.circle_open or self.circle != self.current.circle.value) else None
        if not city and not circle and not how:
            self._status("type a city, pick a circle (1/2/3) or say how you met; ctrl+n skips")
            return
        self._status("saving...")
        self._save(ids, city, circle, how)

    @work(thread=True, exclusive=True, group="triage-save", exit_on_error=False)
    def _save(self, ids: list[str], city: str, circle: str | None, how: str) -> None:
        try:
            changed = self.service.answer_triage(ids, city=city or None, circle=circle, how_we_met=how or None)
        except Exception as exc:  # noqa: BLE001 - shown on the screen
            self.post_message(Answered(ids, None, exc))
            return
        self.post_message(Answered(ids, changed, None))

    def on_answered(self, message: Answered) -> None:
        if message.error is not None:
            self._status(describe_error(message.error), error=True)
            return
        fresh = {c.id: c for c in message.changed or []}
        kept: list[Contact] = []
        removed_before = 0
        for i, c in enumerate(self.queue):
            c = fresh.get(c.id, c)
            if c.id in message.ids and c.places and not c.circle_open:
                self.placed += 1
                if i < self.position:
                    removed_before += 1
                continue
            kept.append(c)
        self.queue = kept
        n = len(message.ids)
        self._status(f"saved {n} {'person' if n == 1 else 'people'}")
        if self.queue:
            # The answered person stays only if still incomplete (then show the next one).
            current_id = message.ids[0]
            still = [i for i, c in enumerate(self.queue) if c.id == current_id]
            self.position = (still[0] + 1) % len(self.queue) if still else max(0, self.position - removed_before)
            if self.position >= len(self.queue):
                self.position = 0
        self._show()
