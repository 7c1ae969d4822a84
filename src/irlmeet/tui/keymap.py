"""Every key of the app, read off the Bindings themselves: the help screen lists these, so it
cannot drift from what the keys do.

:data:`SCREENS` names each full screen with the irlmeet widgets on it that carry keys of their
own (a test walks the mounted screens to check none is missing). A row is the keys, the
Binding's description and its tooltip; rows with the same description and tooltip in one
section share a line ("← / esc").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from irlmeet.tui.agenda_screen import AgendaList, AgendaScreen
from irlmeet.tui.contact_list import ContactList
from irlmeet.tui.contacts_screen import ContactsScreen, SearchInput
from irlmeet.tui.main_screen import DraftPane, MainScreen, PeopleTable, TripList

__all__ = ["SCREENS", "KeyRow", "key_sections", "own_bindings"]


class KeyRow(NamedTuple):
    keys: str  # as shown: "D / del"
    description: str
    tooltip: str = ""


def _drafts_screen() -> type[Screen]:
    from irlmeet.tui.drafts_screen import DraftsScreen  # as main_screen does: only when needed

    return DraftsScreen


#: The full screens, in the order the help lists them: title, screen class, and the irlmeet
#: widgets on it with keys of their own.
SCREENS: tuple[tuple[str, type[Screen] | None, tuple[type[DOMNode], ...]], ...] = (
    ("Agenda (3), the opening view", AgendaScreen, (AgendaList,)),
    ("Trips (1)", MainScreen, (TripList, PeopleTable, DraftPane)),
    ("Contacts (2)", ContactsScreen, (SearchInput, ContactList)),
    ("Drafts view (d on the trips screen)", None, ()),  # DraftsScreen, imported when listed
)


def own_bindings(cls: type) -> list[Binding]:
    """The Bindings ``cls`` and its irlmeet base classes declare (not Textual's own, such as a
    DataTable's arrow keys), in declaration order; only those with a description."""
    out: list[Binding] = []
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("irlmeet."):
            continue
        for binding in klass.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.description:
                out.append(binding)
    return out


def _textual_bindings(cls: type) -> list[Binding]:
    """Textual's own Bindings of ``cls`` (an App or a Screen) that have a description."""
    out: list[Binding] = []
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith("irlmeet."):
            continue
        for binding in klass.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.description and not binding.system:
                out.append(binding)
    return out


def _rows(app: App, bindings: Iterable[Binding]) -> list[KeyRow]:
    merged: dict[tuple[str, str], list[str]] = {}
    for binding in bindings:
        keys = merged.setdefault((binding.description, binding.tooltip), [])
        for key in binding.key.split(","):
            shown = binding.key_display if binding.key_display and key == binding.key.split(",")[0] else None
            shown = shown or app.get_key_display(Binding(key.strip(), ""))
            if shown not in keys:
                keys.append(shown)
    return [KeyRow(" / ".join(keys), description, tooltip) for (description, tooltip), keys in merged.items()]


def key_sections(app: App) -> list[tuple[str, list[KeyRow]]]:
    """The help screen's key list: one section per full screen, then the keys that work everywhere."""
    sections: list[tuple[str, list[KeyRow]]] = []
    for title, screen, widgets in SCREENS:
        screen = screen or _drafts_screen()
        bindings = [*own_bindings(screen), *(b for w in widgets for b in own_bindings(w))]
        sections.append((title, _rows(app, bindings)))
    palette = Binding(app.COMMAND_PALETTE_BINDING, "command_palette", "Command palette", tooltip="every action by name, and the theme picker")
    everywhere = [*own_bindings(type(app)), palette, *_textual_bindings(type(app)), *_textual_bindings(Screen)]
    sections.append(("Everywhere", _rows(app, everywhere)))
    return sections
