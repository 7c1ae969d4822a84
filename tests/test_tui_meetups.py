"""The meetup life cycle on the trip screen (issue 7): a key per action on the highlighted
person's meetup, the status beside each person, conflicts, moving to a free slot, busy time,
and recording "we met" after the trip. Pilot over real data files (test_tui.py's World)."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
from textual.widgets import DataTable, Input, OptionList

from irlmeet.core.models import MeetupStatus
from irlmeet.core.places import PlaceIndex
from irlmeet.core.service import Service
from irlmeet.core.store import Store
from irlmeet.tui.app import IrlmeetApp
from irlmeet.tui.main_screen import MainScreen
from irlmeet.tui.meetup_dialogs import AddBusyScreen, MoveScreen, RemoveBusyScreen, StatusMenu
from irlmeet.tui.screens import ExportScreen

from .conftest import wait_until
from .test_tui import SIZE, notifications, open_trips, seed, settle, static_text

BERLIN = ZoneInfo("Europe/Berlin")


def _service(world, app: IrlmeetApp) -> Service:  # the app's own, reading the data file
    assert app.service is not None
    return app.service


def _ada_meetup(service: Service):
    trip = service.find_trip("Berlin")
    ada = service.find_contact("Ada")
    theirs = [m for m in service.meetups(trip.id) if ada.id in m.contact_ids and m.status is not MeetupStatus.DROPPED]
    assert len(theirs) <= 1, theirs
    return theirs[0] if theirs else None


def _row(app: IrlmeetApp, name: str) -> list[str]:
    table = app.main.query_one("#people", DataTable)
    for i in range(table.row_count):
        cells = [c.plain for c in table.get_row_at(i)]
        if cells[1].startswith(name):
            return cells
    raise AssertionError(f"{name} is not in the people table")


def _status(app: IrlmeetApp, name: str) -> str:
    table = app.main.query_one("#people", DataTable)
    keys = [str(col.key.value) for col in table.columns.values()]
    return _row(app, name)[keys.index("status")]


async def _export(app: IrlmeetApp, pilot, target) -> icalendar.Calendar:
    await pilot.press("e")
    dialog = app.screen
    assert isinstance(dialog, ExportScreen)
    dialog.query_one("#path", Input).value = str(target)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, MainScreen)
    return icalendar.Calendar.from_ical(target.read_bytes())


def _ada_event(cal: icalendar.Calendar):
    events = [e for e in cal.walk("VEVENT") if "Ada" in str(e.get("SUMMARY"))]
    assert len(events) == 1, [str(e.get("SUMMARY")) for e in cal.walk("VEVENT")]
    return events[0]


async def test_accept_invite_confirm_change_the_stored_status_and_the_calendar(world, tmp_path):
    seed(world)
    app = world.app()
    target = tmp_path / "berlin.ics"
    async with app.run_test(size=SIZE) as pilot:
        await open_trips(app, pilot)
        await pilot.press("right")  # to the people; Ada is first
        assert app.main.proposal is not None and app.main.proposal.contact.name.startswith("Ada")
        assert _status(app, "Ada") == "idea"
        service = _service(world, app)
        assert _ada_meetup(service) is None or _ada_meetup(service).status is MeetupStatus.IDEA

        await pilot.press("A")
        await settle(app, pilot)
        assert _ada_meetup(service).status is MeetupStatus.PLANNED
        assert _status(app, "Ada") == "planned"
        assert "Ada [eng] Lovelace's coffee: planned" in notifications(app)
        assert "Status: planned" in static_text(app, "#person")
        event = _ada_event(await _export(app, pilot, target))
        assert str(event.get("STATUS")) == "TENTATIVE"
        # Only what was acted on goes in by default: Ada, not the other two ideas.
        assert len(icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")) == 1

        await pilot.press("I")
        await settle(app, pilot)
        assert _ada_meetup(service).status is MeetupStatus.INVITED
        assert _status(app, "Ada") == "invited"

        await pilot.press("C")
        await settle(app, pilot)
        assert _ada_meetup(service).status is MeetupStatus.CONFIRMED
        assert _status(app, "Ada") == "confirmed"
        event = _ada_event(await _export(app, pilot, target))
        assert str(event.get("STATUS")) == "CONFIRMED"
        start = event.decoded("DTSTART")
        assert start == datetime(2026, 12, 7, 14, 30, tzinfo=BERLIN)  # the time never moved
    world.close()
    fresh = world.service()
    assert _ada_meetup(fresh).status is MeetupStatus.CONFIRMED  # on disk, not only in memory


async def test_the_status_menu_lists_what_the_status_allows_and_runs_it(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_trips(app, pilot)
        await pilot.press("right", "s")
        menu = app.screen
        assert isinstance(menu, StatusMenu)
        verbs = menu.query_one("#verbs", OptionList)
        ids = [verbs.get_option_at_index(i).id for i in range(verbs.option_count)]
        assert ids == ["accept", "invite", "skip", "move"]  # an idea can't be confirmed or declined
        await pilot.press("enter")  # the first: accept
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert _ada_meetup(_service(world, app)).status is MeetupStatus.PLANNED
        await pilot.press("s")
        verbs = app.screen.query_one("#verbs", OptionList)
        ids = [verbs.get_option_at_index(i).id for i in range(verbs.option_count)]
        assert "accept" not in ids and {"invite", "confirm", "decline", "cancel"} <= set(ids)
        await pilot.press("S")  # the action's own key works in the menu too: skip
        await settle(app, pilot)
        assert _ada_meetup(_service(world, app)).status is MeetupStatus.SKIPPED
        assert _status(app, "Ada") == "skipped"


async def test_a_wrong_move_says_why_in_plain_words(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_trips(app, pilot)
        await pilot.press("right")
        await pilot.press("C")  # confirm an idea nobody was asked about
        await settle(app, pilot)
        assert any("still an idea" in n and "accept it first" in n for n in notifications(app)), notifications(app)
        await pilot.press("A")
        await settle(app, pilot)
        await pilot.press("A")  # again
        await settle(app, pilot)
        assert "Ada [eng] Lovelace's coffee is already planned" in notifications(app)
        await pilot.press("W")  # met, before its time
        await settle(app, pilot)
        assert any("can be marked met once its time has come" in n for n in notifications(app)), notifications(app)
        assert _ada_meetup(_service(world, app)).status is MeetupStatus.PLANNED  # nothing changed


async def test_move_offers_the_free_slots_and_takes_the_one_picked(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_trips(app, pilot)
        await pilot.press("right", "A")
        await settle(app, pilot)
        service = _service(world, app)
        before = _ada_meetup(service)
        await pilot.press("M")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, MoveScreen)
        slots = dialog.query_one("#slots", OptionList)
        assert slots.option_count >= 2
        offered = [s.start for s in service.move_options(before.id)]
        assert len(offered) == slots.option_count
        # Its own time is among the free ones (it is freed to move); take another.
        pick = next(i for i, start in enumerate(offered) if start != before.start)
        await pilot.press(*["down"] * pick, "enter")
        await settle(app, pilot)
        after = _ada_meetup(service)
        assert after.id == before.id and after.start == offered[pick] != before.start
        assert after.status is MeetupStatus.PLANNED and after.sequence > before.sequence
        assert any(n.startswith("Ada [eng] Lovelace's") and " moved to " in n for n in notifications(app))
        local = after.start.astimezone(BERLIN)
        assert _row(app, "Ada")[2].startswith(f"{local:%a} {local.day} {local:%b %H:%M}")


async def test_busy_time_shows_moves_an_idea_flags_a_planned_meetup_and_can_be_removed(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_trips(app, pilot)
        assert "none: the whole trip is free" in static_text(app, "#busy")
        grace_before = _row(app, "Grace")[2]
        await pilot.press("right", "A")  # Ada: planned, Mon 7 Dec 14:30
        await settle(app, pilot)

        await pilot.press("b")
        dialog = app.screen
        assert isinstance(dialog, AddBusyScreen)
        dialog.query_one("#from", Input).value = "2026-12-20 09:00"  # after the trip
        dialog.query_one("#to", Input).value = "2026-12-20 10:00"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is dialog
        assert static_text(app, "#from-error").startswith("From: 2026-12-20 09:00 is outside the trip")

        # Over Ada's planned coffee and Grace's idea (Tue 8 Dec).
        dialog.query_one("#from", Input).value = "2026-12-07 13:00"
        dialog.query_one("#to", Input).value = "2026-12-08 20:00"
        dialog.query_one("#title", Input).value = "Conference"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert "Mon 7 Dec 13:00-Tue 8 Dec 20:00 Conference" in static_text(app, "#busy")
        # The idea moved out of the busy time; the planned meetup held its time, flagged.
        assert _row(app, "Grace")[2] != grace_before
        assert _status(app, "Ada") == "planned !"
        assert _row(app, "Ada")[2].startswith("Mon 7 Dec 14:30")
        assert "1 conflict" in str(app.main.query_one("#people-pane").border_subtitle)
        assert "Conflict: overlaps busy time 'Conference'" in static_text(app, "#person")

        await pilot.press("B")
        remove = app.screen
        assert isinstance(remove, RemoveBusyScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert "Conference" not in static_text(app, "#busy")
        assert _status(app, "Ada") == "planned"
        assert _service(world, app).busy("Berlin") == []


async def test_met_after_the_trip_sets_last_seen(world):
    seed(world)
    s = world.service()
    s.meetup_action("Berlin", "accept", "Ada")
    s.meetup_action("Berlin", "confirm", "Ada")
    s.store.close()
    world.opened.remove(s)
    later = datetime(2026, 12, 12, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon"))  # the Berlin trip is over
    ids = itertools.count(500)

    def open_later() -> Service:
        service = Service(Store(world.paths.data_file), places=lambda: PlaceIndex.load(world.places),
                          settings=world.settings, clock=lambda: later, new_id=lambda: f"later{next(ids)}")
        world.opened.append(service)
        return service

    app = IrlmeetApp(open_later, settings=world.settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_trips(app, pilot)
        screen = app.main
        berlin = next(t for t in screen.trips if t.name.startswith("Berlin"))
        trips = screen.query_one("#trips", OptionList)
        trips.highlighted = trips.get_option_index(berlin.id)
        await wait_until(pilot, lambda: screen.trip is not None and screen.trip.id == berlin.id and screen.plan is not None,
                         "the Berlin trip's plan")
        await settle(app, pilot)
        await pilot.press("right")
        assert screen.proposal is not None and screen.proposal.contact.name.startswith("Ada")
        assert _status(app, "Ada") == "confirmed"
        await pilot.press("W")
        await settle(app, pilot)
        assert _status(app, "Ada") == "met"
        service = _service(world, app)
        assert _ada_meetup(service).status is MeetupStatus.MET
        ada = service.find_contact("Ada")
        assert ada.last_seen is not None and ada.last_seen.isoformat() == "2026-12-07"
