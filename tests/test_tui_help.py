"""The help screen lists every key of every screen, read off the Bindings (tui/keymap.py), so a
new or changed key shows up there without anyone editing a list. Pilot over real data files."""

from __future__ import annotations

import re

import pytest
from textual.binding import Binding

from irlmeet.tui.drafts_screen import DraftsScreen
from irlmeet.tui.keymap import SCREENS, own_bindings
from irlmeet.tui.screens import HelpScreen

from .test_tui import rendered, seed, settle

pytestmark = pytest.mark.usefixtures("world")


def _screen_classes():
    return [(title, screen or DraftsScreen, widgets) for title, screen, widgets in SCREENS]


async def _help_text(app, pilot) -> str:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    text = " ".join(rendered(app.screen.query_one("#help-text")).split())
    await pilot.press("escape")
    return text


async def test_help_lists_every_key_of_both_screens_from_either_screen(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        from_trips = await _help_text(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        from_contacts = await _help_text(app, pilot)
    assert from_trips == from_contacts
    for title, screen, widgets in _screen_classes():
        assert f"Keys: {title}" in from_trips
        for cls in (screen, *widgets):
            for binding in own_bindings(cls):
                for i, key in enumerate(binding.key.split(",")):
                    shown = (binding.key_display if i == 0 else None) or app.get_key_display(Binding(key, ""))
                    # "D / del Delete trip": the key among the keys of a line with its description
                    line = rf"(?:\S+ / )*{re.escape(shown)}(?: / \S+)* {re.escape(binding.description)}\b"
                    assert re.search(line, from_trips), (cls.__name__, key, binding.description)
                if binding.tooltip:
                    assert binding.tooltip in from_trips
    for key, what in (("1", "Trips"), ("2", "Contacts"), ("? / f1", "Help"), ("q", "Quit"), ("^p", "Command palette")):
        assert f"{key} {what}" in from_trips
    assert "E Edit trip" in from_trips and "D / del Delete trip" in from_trips and "m Draft" in from_trips


async def test_every_widget_with_keys_on_a_screen_is_in_the_keymap(world):
    """The guard against drift: an irlmeet widget with Bindings of its own, mounted on a screen,
    must be one the help reads (keymap.SCREENS)."""
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        mounted = {type(app.screen): app.screen}  # the agenda, the opening view
        for key in ("1", "2"):
            await pilot.press(key)
            await settle(app, pilot)
            mounted[type(app.screen)] = app.screen
        assert len(mounted) == 3
        listed = {screen: set(widgets) for _, screen, widgets in _screen_classes()}
        for screen_cls, screen in mounted.items():
            with_keys = {type(w) for w in screen.walk_children() if own_bindings(type(w))}
            assert with_keys <= listed[screen_cls], with_keys - listed[screen_cls]
