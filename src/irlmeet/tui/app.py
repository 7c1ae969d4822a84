"""The irlmeet terminal app.

Thin by design: it renders what :class:`~irlmeet.core.service.Service` returns and turns keys
into Service calls. Every Service call runs in a thread worker, so the screen never freezes,
and the data file is opened only after the first screen is drawn.

The composition root builds it as ``IrlmeetApp(open_service, settings=settings, demo=bool)``,
where ``open_service()`` opens the data file and may raise an IrlmeetError (shown on an error
screen, never as a traceback).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from irlmeet.core.settings import Settings
from irlmeet.tui.main_screen import MainScreen
from irlmeet.tui.screens import ErrorScreen, HelpScreen
from irlmeet.tui.themes import load_themes, theme_dirs
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.models import Trip
    from irlmeet.core.service import Service

__all__ = ["FALLBACK_THEME", "IrlmeetApp"]

FALLBACK_THEME = "textual-dark"


class ServiceReady(Message):
    def __init__(self, service: Service, trips: list[Trip], user_tz: str, repaired: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.service = service
        self.trips = trips
        self.user_tz = user_tz
        self.repaired = repaired


class ServiceFailed(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class IrlmeetApp(App[None]):
    """Trips on the left; who to see there, when, and what to write on the right."""

    CSS_PATH = "app.tcss"
    TITLE = "irlmeet"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", id="help", key_display="?"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("i", "import_contacts", "Import contacts", id="import-contacts"),
        Binding("t", "triage", "Place imported people", id="triage"),
    ]

    #: The keys shown in the help screen, besides the bindings themselves.
    NAVIGATION = (
        ("↑ ↓", "move in a list"),
        ("enter / →", "from the trips to the people, from the people to the draft"),
        ("esc / ←", "back"),
        ("tab", "next pane"),
    )

    def __init__(self, open_service: Callable[[], Service], *, settings: Settings, demo: bool = False) -> None:
        super().__init__()
        self._open_service = open_service
        self.settings = settings
        self.demo = demo
        self.service: Service | None = None
        self.import_start: Path | None = None  # where the import screen's file tree starts (home)
        self.sub_title = "demo data: a temporary copy, your own data is untouched" if demo else ""
        loaded = load_themes(theme_dirs(settings.paths.themes_dir))
        self.theme_problems: list[str] = list(loaded.problems)
        for theme in loaded.themes.values():
            self.register_theme(theme)
        wanted = settings.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.theme = FALLBACK_THEME
            known = ", ".join(sorted(self.available_themes))
            self.theme_problems.append(f"Unknown theme {wanted!r}; using {FALLBACK_THEME}. Themes: {known}")

    def get_default_screen(self) -> Screen:
        return MainScreen()

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        for problem in self.theme_problems:
            self.notify(problem, title="Theme problem", severity="warning", timeout=10, markup=False)
        # Draw the first screen, then open the data file (which can take a second) in a thread.
        self.call_after_refresh(self._start_opening)

    def _start_opening(self) -> None:
        self.run_worker(self._open, name="open data", group="open", thread=True, exclusive=True, exit_on_error=False)

    def _open(self) -> None:
        try:
            service = self._open_service()
            repaired = tuple(service.repair())
            trips = service.trips()
            user_tz = service.user_tz()
        except Exception as exc:  # noqa: BLE001 - shown on the error screen, never as a traceback
            self.log.error(f"opening the data failed: {exc!r}")
            self.post_message(ServiceFailed(describe_error(exc)))
            return
        self.post_message(ServiceReady(service, trips, user_tz, repaired))

    def on_service_ready(self, message: ServiceReady) -> None:
        self.service = message.service
        self.main.service_ready(message.service, message.trips, message.user_tz)
        for line in message.repaired:
            self.notify(line, title="Data file repaired", severity="warning", timeout=15, markup=False)

    def on_service_failed(self, message: ServiceFailed) -> None:
        self.push_screen(ErrorScreen(message.message))

    def action_import_contacts(self) -> None:
        from irlmeet.tui.import_screen import ImportScreen

        if self.service is not None and not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen(self.service, start=self.import_start))

    def action_triage(self) -> None:
        from irlmeet.tui.triage_screen import TriageScreen

        if self.service is not None and not isinstance(self.screen, TriageScreen):
            self.push_screen(TriageScreen(self.service))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        keys: list[tuple[str, str]] = []
        for binding in [*MainScreen.BINDINGS, *self.BINDINGS]:
            assert isinstance(binding, Binding)
            shown = " / ".join(self.get_key_display(Binding(k, "")) for k in binding.key.split(","))
            keys.append((shown, binding.description))
        keys.extend(self.NAVIGATION)
        self.push_screen(
            HelpScreen(
                keys=keys,
                data_file=self.settings.paths.data_file,
                demo=self.demo,
                theme=self.theme,
                themes_dirs=theme_dirs(self.settings.paths.themes_dir),
            )
        )
