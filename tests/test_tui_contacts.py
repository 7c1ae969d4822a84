"""The contacts screen, the trip edit/delete dialogs, live reload and the command palette,
driven through Pilot over real data files (the fixtures and helpers of test_tui.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual.command import CommandPalette
from textual.widgets import Button, Checkbox, Input, Static

from irlmeet.core.models import MeetupStatus
from irlmeet.core.store import Store
from irlmeet.tui.contact_form import FORM_FIELDS, ContactFormScreen
from irlmeet.tui.contact_list import ContactList
from irlmeet.tui.contacts_screen import ContactsScreen
from irlmeet.tui.main_screen import MainScreen
from irlmeet.tui.screens import AddTripScreen, ConfirmScreen
from tests.conftest import wait_until

from .test_tui import NOW, World, open_trips, rendered, seed, settle

pytestmark = pytest.mark.usefixtures("world")


def names(app) -> list[str]:
    cl = app.screen.query_one("#contact-list", ContactList)
    return [cl.contact_at(i).name for i in range(cl.row_count)]


async def open_contacts(app, pilot) -> ContactsScreen:
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
    assert isinstance(app.screen, ContactsScreen)
    return app.screen


def stored(world: World) -> dict[str, object]:
    """The contacts in the data file as another process sees them (by name)."""
    with Store(world.paths.data_file) as store:
        return {c.name: c for c in store.contacts()}


async def test_search_as_you_type_filters_by_name_city_tag_and_how_you_met(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_contacts(app, pilot)
        assert names(app) == ["Ada [eng] Lovelace", "Grace Hopper", "Linus Example", "Margaret H."]
        await pilot.press("slash", *"berl")
        assert names(app) == ["Ada [eng] Lovelace", "Linus Example"]  # city
        assert screen.query_one("#directory-pane").border_subtitle == "2 of 4"
        await pilot.press("space", *"pyc")
        assert names(app) == ["Ada [eng] Lovelace"]  # and how you met, every word
        for _ in range(8):
            await pilot.press("backspace")
        await pilot.press(*"MEETUP")
        assert names(app) == ["Grace Hopper"]  # any case
        screen.query_one("#search", Input).value = "nobody-like-this"
        await pilot.pause()
        assert names(app) == []
        assert "Nobody matches" in rendered(screen.query_one("#contacts-empty", Static))


async def test_detail_pane_shows_every_field_and_the_meetups(world):
    seed(world)
    s = world.service()
    trip = s.find_trip("Berlin")
    s.sync_ideas(trip)  # the plan's proposals become meetup ideas
    s.store.close()
    world.opened.remove(s)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_contacts(app, pilot)
        await settle(app, pilot)
        card = rendered(screen.query_one("#card", Static))
        assert "Ada [eng] Lovelace" in card  # user text shown as text, not markup
        assert "home: Berlin, Berlin, Germany" in card or "home: Berlin, Germany" in card
        assert "PyCon 2023 sprints" in card and "ada@example.com" in card and "2023-04-20" in card
        meetups = rendered(screen.query_one("#card-meetups", Static))
        assert "Planned" in meetups and "idea" in meetups and "Berlin" in meetups


async def test_add_contact_shows_errors_next_to_the_field_then_saves(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ContactFormScreen)
        form.query_one("#city", Input).value = "Hamburg"
        form.query_one("#met_on", Input).value = "2027-01-01"
        await pilot.press("enter")  # no name
        await settle(app, pilot)
        assert "Name: enter their name" in rendered(form.query_one("#name-error", Static))
        form.query_one("#name", Input).value = "Jo Nakamura"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "in the future" in rendered(form.query_one("#met_on-error", Static))
        form.query_one("#met_on", Input).value = "2025-06-01"
        form.query_one("#tags", Input).value = "rust, sailing"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert "Jo Nakamura" in names(app)
        assert app.screen.contact is not None and app.screen.contact.name == "Jo Nakamura"
    jo = stored(world)["Jo Nakamura"]
    assert jo.home.name == "Hamburg" and jo.tags == ("rust", "sailing") and str(jo.met_on) == "2025-06-01"


async def test_adding_a_likely_duplicate_warns_in_the_form_then_adds_only_when_asked(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ContactFormScreen)
        form.query_one("#name", Input).value = "grace hopper"
        form.query_one("#city", Input).value = "Potsdam"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is form  # not added: the form says why, next to the name
        warning = rendered(form.query_one("#name-error", Static))
        assert "Grace Hopper (Potsdam, DE)" in warning and "same name and city" in warning
        assert str(form.query_one("#submit", Button).label) == "Add anyway"
        assert [c for c in stored(world) if c.casefold() == "grace hopper"] == ["Grace Hopper"]
        await pilot.press("escape")  # cancel: nothing added
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert names(app).count("Grace Hopper") == 1

        await pilot.press("a")
        form = app.screen
        form.query_one("#name", Input).value = "Grace Hopper"
        form.query_one("#city", Input).value = "Potsdam"
        form.query_one("#emails", Input).value = "grace@example.com"  # the same email too
        await pilot.press("enter")
        await settle(app, pilot)
        assert "same email grace@example.com" in rendered(form.query_one("#name-error", Static))
        form.query_one("#emails", Input).value = "grace@example.com, gh@example.org"
        await pilot.press("enter")  # changed after the warning: checked again, warned again
        await settle(app, pilot)
        assert app.screen is form and "Looks like someone" in rendered(form.query_one("#name-error", Static))
        await pilot.press("enter")  # the second submit, unchanged: add anyway
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert names(app).count("Grace Hopper") == 2
    with Store(world.paths.data_file) as store:
        graces = [c for c in store.contacts() if c.name == "Grace Hopper"]
    assert len(graces) == 2 and {c.emails for c in graces} == {("grace@example.com",), ("grace@example.com", "gh@example.org")}


#: The new fields, a wrong value for each, and what the form says next to the field.
_GOOD = {
    "phones": "+49 30 1234567",
    "linkedin": "https://www.linkedin.com/in/jo-nakamura?trk=x",
    "handles": "mastodon:@jo@example.social, bluesky:jo.bsky.social",
    "preferred": "mastodon",
    "closeness": "4",
    "cadence": "6m",
    "last_contacted": "2026-10-01",
    "tz": "Asia/Tokyo",
}
_BAD = [
    ("phones", "call me", "not a phone number"),
    ("linkedin", "https://example.com/jo", "not a LinkedIn profile URL"),
    ("handles", "mastodon", "SERVICE:HANDLE"),
    ("preferred", "signal", "not one of this contact's channels"),
    ("closeness", "7", "from 1 to 5"),
    ("cadence", "sometimes", "not a cadence"),
    ("last_contacted", "2027-01-01", "in the future"),
    ("tz", "Mars/Olympus", "Mars/Olympus"),
]


async def test_every_new_field_is_validated_next_to_it_then_saved(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("a")
        form = app.screen
        form.query_one("#name", Input).value = "Jo Nakamura"
        form.query_one("#city", Input).value = "Hamburg"
        for field, value in _GOOD.items():
            form.query_one(f"#{field}", Input).value = value
        for field, bad, expected in _BAD:
            form.query_one(f"#{field}", Input).value = bad
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen is form, field
            assert expected in " ".join(rendered(form.query_one(f"#{field}-error", Static)).split()), field
            assert form.focused is form.query_one(f"#{field}"), field  # the cursor goes to it
            form.query_one(f"#{field}", Input).value = _GOOD[field]
        form.query_one("#do_not_invite_reason", Input).value = "asked for a quiet year"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "tick" in rendered(form.query_one("#do_not_invite_reason-error", Static))  # not silently dropped
        assert form.focused is form.query_one("#do_not_invite", Checkbox)
        await pilot.press("space", "tab", "enter")  # tick it, on to the reason, save
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
        card = rendered(app.screen.query_one("#card", Static))
        assert "every 6 months" in card and "4/5" in card and "mastodon: @jo@example.social" in card
    jo = stored(world)["Jo Nakamura"]
    assert jo.phones == ("+49 30 1234567",) and jo.linkedin == "https://www.linkedin.com/in/jo-nakamura"
    assert dict(jo.handles) == {"mastodon": "@jo@example.social", "bluesky": "jo.bsky.social"}
    assert jo.preferred == "mastodon" and jo.closeness == 4 and jo.cadence_days == 180
    assert str(jo.last_contacted) == "2026-10-01" and jo.tz == "Asia/Tokyo"
    assert jo.do_not_invite and jo.do_not_invite_reason == "asked for a quiet year"


async def test_editing_shows_the_new_fields_and_unticking_do_not_invite_clears_the_reason(world):
    seed(world)
    s = world.service()
    s.edit_contact("Grace", cadence="1y", closeness=2, do_not_invite=True, do_not_invite_reason="moved away", handles=["x:@grace"])
    s.store.close()
    world.opened.remove(s)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("down", "e")
        form = app.screen
        assert isinstance(form, ContactFormScreen)
        assert form.query_one("#cadence", Input).value == "every year"
        assert form.query_one("#closeness", Input).value == "2"
        assert form.query_one("#handles", Input).value == "x:@grace"
        assert form.query_one("#do_not_invite", Checkbox).value is True
        assert form.query_one("#do_not_invite_reason", Input).value == "moved away"
        form.query_one("#do_not_invite", Checkbox).value = False
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
    grace = stored(world)["Grace Hopper"]
    assert not grace.do_not_invite and grace.do_not_invite_reason == ""
    assert grace.cadence_days == 365 and grace.closeness == 2 and dict(grace.handles) == {"x": "@grace"}


async def test_the_form_at_80x24_scrolls_and_tab_reaches_every_field_in_order(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("a")
        form = app.screen
        dialog = form.query_one("#dialog")
        assert dialog.region.bottom <= 24 and dialog.virtual_size.height > dialog.size.height  # it scrolls
        order = [form.focused.id]
        while order[-1] != "cancel" and len(order) < 60:
            await pilot.press("tab")
            await pilot.pause()
            focused = form.focused
            order.append(focused.id)
            # The focused field is scrolled into view: all of it inside the dialog.
            assert dialog.scrollable_content_region.contains_region(focused.region), focused.id
        assert order == [f.name for f in FORM_FIELDS] + ["submit", "cancel"]


async def test_city_field_completes_and_an_ambiguous_city_opens_the_pick_list(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("a")
        form = app.screen
        await pilot.press(*"Lin Q", "tab")
        await pilot.press(*"Hambu")
        await settle(app, pilot)
        # The suggester runs in a thread: wait for its answer.
        await wait_until(pilot, lambda: form.query_one("#city", Input)._suggestion, "a city suggestion")
        await pilot.press("right")  # accept the completion
        assert form.query_one("#city", Input).value.startswith("Hamburg")
        form.query_one("#city", Input).value = "Portland"
        await pilot.press("enter")
        await settle(app, pilot)
        options = form.query_one("#candidates")
        assert options.display and options.option_count >= 2
        await pilot.press("enter")  # the first candidate
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
    assert stored(world)["Lin Q"].home.name == "Portland"


async def test_edit_contact_keeps_other_fields_and_the_cursor(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("down")  # Grace Hopper
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ContactFormScreen)
        assert form.query_one("#how_we_met", Input).value == "met at a meetup"
        form.query_one("#name", Input).value = "Grace B. Hopper"
        form.query_one("#emails", Input).value = "not-an-email"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Emails" in rendered(form.query_one("#emails-error", Static))
        form.query_one("#emails", Input).value = "grace@navy.example, gh@example.org"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert app.screen.contact.name == "Grace B. Hopper"
    grace = stored(world)["Grace B. Hopper"]
    assert grace.emails == ("grace@navy.example", "gh@example.org")
    assert grace.how_we_met == "met at a meetup" and grace.home.name == "Potsdam"


async def test_delete_contact_asks_first_and_cancels_their_meetups(world):
    seed(world)
    s = world.service()
    s.sync_ideas(s.find_trip("Berlin"))
    ada = s.find_contact("Ada")
    s.store.close()
    world.opened.remove(s)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: nothing happens
        await settle(app, pilot)
        assert "Ada [eng] Lovelace" in names(app)
        await pilot.press("d")
        assert "meetup" in rendered(app.screen.query_one("#confirm-question", Static))
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert "Ada [eng] Lovelace" not in names(app)
        assert app.screen.contact.name == "Grace Hopper"  # the next one down takes the cursor
    with Store(world.paths.data_file) as store:
        assert ada.id not in {c.id for c in store.contacts()}
        theirs = [m for m in store.meetups() if ada.id in m.contact_ids]
        assert theirs and all(m.status is MeetupStatus.CANCELLED for m in theirs)


async def test_edit_and_delete_a_trip_on_the_trips_screen(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_trips(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.trip.name.startswith("Berlin")
        await pilot.press("E")
        dialog = app.screen
        assert isinstance(dialog, AddTripScreen)
        assert dialog.query_one("#from", Input).value == "2026-12-07"
        dialog.query_one("#to", Input).value = "2026-12-06"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "before it starts" in rendered(dialog.query_one("#to-error", Static))
        dialog.query_one("#to", Input).value = "2026-12-12"
        dialog.query_one("#name", Input).value = "Berlin week"
        await pilot.press("enter")
        await settle(app, pilot)
        assert main.trip.name == "Berlin week" and str(main.trip.end) == "2026-12-12"
        await pilot.press("D")  # d is the drafts view; trips are deleted with D (or Delete)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert [t.name for t in main.trips] == ["NY sales week", "Tokyo, Feb 2027"]
    with Store(world.paths.data_file) as store:
        assert sorted(t.name for t in store.trips()) == ["NY sales week", "Tokyo, Feb 2027"]


async def test_another_process_writing_shows_up_without_losing_the_place(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_contacts(app, pilot)
        await pilot.press("down", "down")  # Linus
        assert screen.contact.name == "Linus Example"
        await pilot.press("slash", *"e")  # a search in progress
        before = names(app)
        result = subprocess.run(
            [sys.executable, "-m", "irlmeet", "--data", str(world.paths.data_file), "contact", "add", "Bea Example", "--city", "Lisbon"],
            capture_output=True, text=True, timeout=120, env=_cli_env(world),
        )
        assert result.returncode == 0, result.stderr
        # The app looks about once a second.
        await wait_until(pilot, lambda: "Bea Example" in names(app), "another process's contact shown")
        assert "Bea Example" in names(app)
        assert set(before) < set(names(app))
        assert screen.contact.name == "Linus Example"  # still highlighted
        assert screen.query_one("#search", Input).value == "e"  # the search kept


def _cli_env(world: World) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL_THEME", "IRLMEET_DATA")}
    # The CLI reads the city index from $XDG_CACHE_HOME/irlmeet/places: share the session's.
    cache = world.root / "xdg-cache" / "irlmeet"
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "places").exists():
        (cache / "places").symlink_to(world.places, target_is_directory=True)
    env["XDG_CACHE_HOME"] = str(world.root / "xdg-cache")
    env["XDG_CONFIG_HOME"] = str(world.root / "xdg-config")
    return env


async def test_command_palette_lists_the_screens_actions_and_textuals_own(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_contacts(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await settle(app, pilot)
        for query, listed in (("add con", "Add contact"), ("delete", "Delete"), ("search", "Search"), ("trips", "Trips"), ("theme", "Theme")):
            palette.query_one(Input).value = query
            # The providers answer asynchronously.
            await wait_until(pilot, lambda listed=listed: listed in rendered(palette.query_one("CommandList")), query)
        palette.query_one(Input).value = ""
        await pilot.press(*"add contact")
        await wait_until(pilot, lambda: "Add contact" in rendered(palette.query_one("CommandList")), "Add contact listed")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactFormScreen)


async def test_draft_gets_the_whole_screen_at_80x24(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trips(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        pane = app.screen.query_one("#draft-pane")
        assert app.screen.maximized is pane and pane.size.height >= 18
        await pilot.press("m")
        assert app.screen.maximized is None


def test_snapshot_contacts_screen_80x24(world, snap_compare):
    seed(world)

    async def ready(pilot):
        await open_contacts(pilot.app, pilot)
        await pilot.press("down")
        await settle(pilot.app, pilot)

    assert snap_compare(world.app(), terminal_size=(80, 24), run_before=ready)


del NOW
