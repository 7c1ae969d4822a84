"""The irlmeet terminal app.

Thin by design: it renders what :class:`~irlmeet.core.service.Service` returns and turns keys
into Service calls. Every Service call runs in a thread worker, so the screen never freezes,
and the data file is opened only after the first screen is drawn.

The composition root builds it as ``IrlmeetApp(open_service, settings=settings, demo=bool)``,
where ``open_service()`` opens the data file and may raise an IrlmeetError (shown on an error
screen, never as a traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen

from irlmeet.tui.agenda_screen import AgendaScreen
from irlmeet.tui.commands import ScreenActions
from irlmeet.tui.messages import DataChanged, ServiceFailed, ServiceReady
from irlmeet.tui.themes import load_themes, theme_dirs
from irlmeet.tui.workers import describe_error

# The first paint imports only what it shows (issue 10): the other screens, the key map and
# everything core/ behind them load in the methods that use them.
if TYPE_CHECKING:
    from irlmeet.core.models import Trip
    from irlmeet.core.service import Service
    from irlmeet.core.settings import Settings
    from irlmeet.tui.main_screen import MainScreen

__all__ = ["FALLBACK_THEME", "IrlmeetApp"]

FALLBACK_THEME = "textual-dark"


class IrlmeetApp(App[None]):
    """Opens on the agenda (what needs doing now); trips on the left and who to see there,
    when, and what to write on the right on the trips screen (1), built when first shown."""

    CSS_PATH = "app.tcss"
    TITLE = "irlmeet"
    COMMANDS = App.COMMANDS | {ScreenActions}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_trips", "Trips", id="show-trips"),
        Binding("2", "show_contacts", "Contacts", id="show-contacts"),
        Binding("3", "show_agenda", "Agenda", id="show-agenda", show=False),  # footer is full: ? and ^p list it
        Binding("question_mark,f1", "help", "Help", id="help", key_display="?"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("i", "import_contacts", "Import contacts", id="import-contacts", show=False),  # footer is full: ? and ^p list it
        Binding("t", "triage", "Place imported people", id="triage", show=False),
    ]
    #: How often (seconds) the data file is checked for other processes' writes.
    POLL_SECONDS = 1.0

    def __init__(
        self, open_service: Callable[[], Service], *, settings: Settings, demo: bool = False, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__()
        self._open_service = open_service
        self.settings = settings
        self.demo = demo
        self.env: Mapping[str, str] = os.environ if env is None else env  # $EDITOR, clipboard tools, TMUX
        self.service: Service | None = None
        # What the trips screen opens with when it is first built (1, Enter on an agenda item,
        # a): the trips as last read, and the user's zone.
        self._trips: list[Trip] = []
        self._user_tz = "UTC"
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
        # The agenda is the opening view (issue 7) and the base of the stack: the trips and the
        # contacts screens sit one deep over it, each built the first time it is shown, so the
        # first paint builds and lays out only what it shows (issue 10).
        return AgendaScreen()

    @property
    def agenda(self) -> AgendaScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, AgendaScreen)
        return screen

    @property
    def main(self) -> MainScreen:
        """The trips screen, built the first time it is asked for (it draws when first shown,
        with the data the app has read by then)."""
        from irlmeet.tui.main_screen import MainScreen

        if not self.is_screen_installed("trips"):
            screen = MainScreen()
            if self.service is not None:
                screen.service_ready(self.service, self._trips, self._user_tz)
            self.install_screen(screen, "trips")
        screen = self.get_screen("trips")
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        for problem in self.theme_problems:
            self.notify(problem, title="Theme problem", severity="warning", timeout=10, markup=False)
        # Draw the first screen, then open the data file (which can take a second) in a thread.
        self.call_after_refresh(self._start_opening)

    def _start_opening(self) -> None:
        self._open()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
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
        self._trips, self._user_tz = list(message.trips), message.user_tz
        if self.is_screen_installed("trips"):
            self.main.service_ready(message.service, message.trips, message.user_tz)
        for line in message.repaired:
            self.notify(line, title="Data file repaired", severity="warning", timeout=15, markup=False)
        if self.is_screen_installed("contacts"):
            from irlmeet.tui.contacts_screen import ContactsScreen

            contacts = self.get_screen("contacts")
            assert isinstance(contacts, ContactsScreen)
            contacts.service_ready(message.service)
        self.agenda.service_ready(message.service)
        self.set_interval(self.POLL_SECONDS, self._poll, name="watch data file")
        self.refresh_bindings()

    # -- live data: another process (the CLI in another terminal) wrote the file ---------------

    def _poll(self) -> None:
        if self.service is not None:
            self._check_disk(self.service)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _check_disk(self, service: Service) -> None:
        try:
            if not service.changed_on_disk():
                return
            service.reload()
            trips = service.trips()
        except Exception as exc:  # noqa: BLE001 - a hiccup reading; the next poll tries again
            self.log.warning(f"reloading the data failed: {exc!r}")
            return
        self.post_message(DataChanged(trips))

    def on_data_changed(self, message: DataChanged) -> None:
        """Re-render with the new data, keeping the highlighted rows; open dialogs stay as they are."""
        self._trips = list(message.trips)
        if self.is_screen_installed("trips"):
            self.main.data_changed(message.trips)
        if self.is_screen_installed("contacts"):
            from irlmeet.tui.contacts_screen import ContactsScreen

            contacts = self.get_screen("contacts")
            assert isinstance(contacts, ContactsScreen)
            contacts.load(select_id=None)
        self.agenda.load()

    # -- screens --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("show_trips", "show_contacts", "show_agenda"):
            # Not from under a dialog (the command palette lists them for the screen below it).
            if isinstance(self.screen, ModalScreen) and not isinstance(self.screen, CommandPalette):
                return False
            if _is_error_screen(self.screen):
                return False
            if self.service is None:
                return None
        return True

    def action_show_contacts(self) -> None:
        from irlmeet.tui.contacts_screen import ContactsScreen

        if isinstance(self.screen, ContactsScreen):
            return
        if not self.is_screen_installed("contacts"):
            self.install_screen(ContactsScreen(), "contacts")
        self._show_view("contacts")

    def action_show_trips(self) -> None:
        main = self.main  # built the first time it is shown
        if self.screen is not main:
            self._show_view("trips")

    def action_show_agenda(self) -> None:
        if self._on_view():
            self.pop_screen()

    def _on_view(self) -> bool:
        """The trips or the contacts screen is showing (each is installed by name when first opened)."""
        return any(self.is_screen_installed(n) and self.screen is self.get_screen(n) for n in ("trips", "contacts"))

    def _show_view(self, name: str) -> None:
        """Trips and contacts sit one deep over the agenda: from one, switch to the other."""
        if self._on_view():
            self.switch_screen(name)
        else:
            self.push_screen(name)

    def open_trip(self, trip_id: str | None, *, contact_id: str | None = None, add: bool = False) -> None:
        """The trips screen at ``trip_id`` with ``contact_id`` highlighted in its people (Enter on
        an agenda item), or with the add-trip dialog open (``add``)."""
        if self.service is None:
            return
        self.action_show_trips()
        if add:
            self.main.action_add_trip()
        elif trip_id is not None:
            self.main.show_trip(trip_id, contact_id)

    def on_service_failed(self, message: ServiceFailed) -> None:
        from irlmeet.tui.screens import ErrorScreen

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
        from irlmeet.tui.keymap import key_sections
        from irlmeet.tui.screens import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(
                keys=key_sections(self),  # read off the Bindings of every screen (tui/keymap.py)
                data_file=self.settings.paths.data_file,
                demo=self.demo,
                theme=self.theme,
                themes_dirs=theme_dirs(self.settings.paths.themes_dir),
            )
        )


def _is_error_screen(screen: Screen) -> bool:
    """Whether ``screen`` is the error screen, without importing the screens module for the
    first paint's key check: until that module is loaded, no error screen can be showing."""
    screens = sys.modules.get("irlmeet.tui.screens")
    return screens is not None and isinstance(screen, screens.ErrorScreen)
