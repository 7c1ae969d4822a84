"""The agenda, the app's opening view (issue 7 item 8): what needs doing now, across trips, as
``irlmeet agenda`` says it; Enter on an item opens its trip at its person; when nothing is due
it says what to do next. Pilot over a real data file (the fixtures and helpers of test_tui.py)."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.widgets import OptionList

from irlmeet.core import wording
from irlmeet.core.places import PlaceIndex
from irlmeet.core.service import Service
from irlmeet.core.store import Store
from irlmeet.tui.agenda_screen import EMPTY, AgendaScreen
from irlmeet.tui.app import IrlmeetApp
from irlmeet.tui.contacts_screen import ContactsScreen
from irlmeet.tui.main_screen import MainScreen
from irlmeet.tui.screens import AddTripScreen

from .conftest import wait_until
from .test_tui import seed, settle, static_text

# Sunday 3 January 2027 in Lisbon: the Berlin trip (7-10 Dec) is over, NYC (11-13 Jan) is next.
LATER = datetime(2027, 1, 3, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


def _agenda(app) -> str:
    """What the agenda shows, as text: the empty-state message and every row of the list."""
    screen = app.screen
    assert isinstance(screen, AgendaScreen)
    shown = []
    if screen.query_one("#agenda-empty").display:
        shown.append(static_text(app, "#agenda-empty"))
    items = screen.query_one("#agenda", OptionList)
    if items.display:
        shown += [str(items.get_option_at_index(i).prompt) for i in range(items.option_count)]
    return "\n".join(shown)


def _rows(app) -> list[str]:
    items = app.screen.query_one("#agenda", OptionList)
    return [items.get_option_at_index(i).id or "" for i in range(items.option_count)]


def _app_at(world, when: datetime) -> IrlmeetApp:
    """The app on the world's data file with the clock at ``when``."""
    ids = itertools.count(500)

    def open_service() -> Service:
        service = Service(Store(world.paths.data_file), places=lambda: PlaceIndex.load(world.places),
                          settings=world.settings, clock=lambda: when, new_id=lambda: f"later{next(ids)}")
        world.opened.append(service)
        return service

    return IrlmeetApp(open_service, settings=world.settings)


def busy_world(world) -> dict[str, str]:
    """Seeded data acted on (at NOW, 22 Nov 2026): Ada confirmed and Grace planned in Berlin (over
    by LATER: a debrief due), Margaret and Nia planned in NYC (invitations to send by LATER), and
    a workshop booked over Nia's meetup (a conflict). Returns the ids the tests look for."""
    seed(world)
    s = world.service()
    s.add_contact("Nia Park", "Brooklyn", emails=["nia@example.com"])
    s.meetup_action("Berlin", "accept", "Ada")
    s.meetup_action("Berlin", "confirm", "Ada")
    s.meetup_action("Berlin", "accept", "Grace")
    nyc = s.find_trip("NY sales week")
    margaret = s.meetup_action(nyc.id, "accept", "Margaret").view.meetup
    nia = s.meetup_action(nyc.id, "accept", "Nia").view.meetup
    s.add_busy(nyc.id, nia.start, nia.end, "Client workshop")
    out = {
        "berlin": s.find_trip("Berlin").id, "nyc": nyc.id, "margaret": margaret.id, "nia": nia.id,
        "nia_contact": s.find_contact("Nia").id, "margaret_contact": s.find_contact("Margaret").id,
    }
    s.store.close()
    world.opened.remove(s)
    return out


async def _select(app, pilot, row_id: str) -> None:
    """Move the agenda's highlight to ``row_id`` with the arrow keys, as a user would."""
    items = app.screen.query_one("#agenda", OptionList)
    wanted = _rows(app).index(row_id)
    for _ in range(items.option_count):
        if items.highlighted == wanted:
            return
        await pilot.press("down" if (items.highlighted or 0) < wanted else "up")
    assert items.highlighted == wanted, row_id


async def test_the_app_opens_on_the_agenda_with_every_section(world):
    ids = busy_world(world)
    app = _app_at(world, LATER)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        # The agenda is the base of the stack; the trips screen is built when first shown (1).
        assert app.screen_stack == [app.screen] and not app.is_screen_installed("trips")
        agenda = app.screen.agenda
        assert agenda is not None
        text = _agenda(app)
        assert EMPTY not in text
        # The four sections, in order, with their counts.
        heads = ["Invitations to send this week (2)", "Upcoming meetups (2)", "Conflicts (1)", "Debriefs due (1)"]
        at = [text.index(h) for h in heads]
        assert at == sorted(at)
        # Each invitation with its send-by date (about ten days before a 1:1), overdue or not.
        for s in agenda.to_send:
            line = next(r for r in text.splitlines() if "send by" in r and s.view.names[0] in r)
            assert wording.short_when(s.view.meetup.start.astimezone(s.view.trip.zone)) in line
            assert f"send by {wording.date_short(s.send_by)}" in line
            assert ("OVERDUE" in line) is s.overdue
        assert {s.view.meetup.id for s in agenda.to_send} == {ids["margaret"], ids["nia"]}
        rows = _rows(app)
        assert f"send:{ids['margaret']}" in rows and f"clash:{ids['nia']}" in rows
        assert f"debrief:{ids['berlin']}" in rows
        # The conflict says why; the debrief how much is left to record.
        assert "Client workshop" in text
        assert "Berlin, Dec 2026 ended Thu 10 Dec: 2 meetups to record" in text
        # The first item is highlighted and the list has the focus: Enter works at once.
        items = app.screen.query_one("#agenda", OptionList)
        assert app.screen.focused is items
        assert items.highlighted_option is not None and items.highlighted_option.id == rows[1]


async def test_enter_opens_the_trip_at_the_meetups_person(world):
    ids = busy_world(world)
    app = _app_at(world, LATER)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        # The conflict: Enter shows the NYC trip with Nia highlighted, the people focused.
        await _select(app, pilot, f"clash:{ids['nia']}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and app.main.proposal is not None
                         and app.main.proposal.contact.id == ids["nia_contact"], "Nia's row on the NYC trip")
        await settle(app, pilot)
        main = app.main
        assert main.trip is not None and main.trip.id == ids["nyc"]
        assert main.query_one("#trips", OptionList).highlighted_option.id == ids["nyc"]
        assert main.focused is main.query_one("#people")
        assert "Conflict:" in static_text(app, "#person")  # where M moves and X cancels it
        # Back to the agenda (3), then the debrief: Enter shows the Berlin trip.
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        await _select(app, pilot, f"debrief:{ids['berlin']}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and app.main.trip is not None
                         and app.main.trip.id == ids["berlin"] and app.main.plan is not None, "the Berlin trip")
        await settle(app, pilot)
        # An invitation of the trip already shown: Margaret's row, on the same NYC plan.
        await pilot.press("3")
        await settle(app, pilot)
        await _select(app, pilot, f"send:{ids['margaret']}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and app.main.proposal is not None
                         and app.main.proposal.contact.id == ids["margaret_contact"], "Margaret's row")
        assert app.main.trip is not None and app.main.trip.id == ids["nyc"]


async def test_keys_reach_trips_and_contacts_from_the_agenda(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("1")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        # One deep over the agenda, never piling up: 2 and 1 switch between trips and contacts.
        assert app.screen_stack == [app.agenda, app.main]
        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen) and len(app.screen_stack) == 2
        await pilot.press("1")
        await settle(app, pilot)
        assert app.screen_stack == [app.agenda, app.main]
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen) and len(app.screen_stack) == 1


async def test_a_new_user_is_told_to_import_contacts_and_add_a_trip(world):
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        text = _agenda(app)
        assert EMPTY in text
        assert "press i to import your contacts" in text and "then a to add your next work trip" in text
        assert not app.screen.query_one("#agenda").display  # no rows to pick
        # a: the add-trip dialog, over the trips screen (where the new trip will show).
        await pilot.press("a")
        assert isinstance(app.screen, AddTripScreen)
        assert app.screen_stack[-2] is app.main
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_with_contacts_but_no_trip_it_says_add_one(world):
    s = world.service()
    s.add_contact("Ada Lovelace", "Berlin")
    s.store.close()
    world.opened.remove(s)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = _agenda(app)
        assert EMPTY in text
        assert "Press a to add your next work trip" in text
        assert "import" not in text


async def test_nothing_due_lists_the_next_trip_and_enter_opens_it(world):
    seed(world)  # three trips, no meetup accepted yet
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        text = _agenda(app)
        assert EMPTY in text
        assert "Next trip" in text and "Berlin, Dec 2026\nBerlin, DE · 7–10 Dec 2026" in text
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and app.main.plan is not None,
                         "the Berlin trip's plan")
        await settle(app, pilot)
        assert app.main.trip is not None and app.main.trip.name == "Berlin, Dec 2026"
        assert app.main.focused is app.main.query_one("#people")


async def test_all_trips_over_and_nothing_due_says_add_the_next_one(world):
    s = world.service()
    s.add_contact("Ada Lovelace", "Berlin")
    s.add_trip("Berlin", "2026-12-07", "2026-12-10")
    s.store.close()
    world.opened.remove(s)
    app = _app_at(world, LATER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = _agenda(app)
        assert EMPTY in text and "All your trips are behind you" in text
        assert not app.screen.query_one("#agenda").display


async def test_agenda_shows_the_invitation_to_send_with_its_send_by_date(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        # Nothing accepted yet: nothing to do.
        assert EMPTY in _agenda(app)

        # Accept Ada's proposal in Berlin (as `irlmeet meetup accept` does, another process)
        s = world.service()
        berlin = s.find_trip("Berlin")
        accepted = s.meetup_action(berlin.id, "accept", "Ada").view
        agenda = s.agenda()
        assert [x.view.meetup.id for x in agenda.to_send] == [accepted.meetup.id]  # the fixture's premise
        due = wording.date_short(agenda.to_send[0].send_by)

        # the poll notices the write; the agenda reloads on its own
        await wait_until(pilot, lambda: "Invitations to send this week" in _agenda(app), "the agenda shows the invitation")
        await settle(app, pilot)
        text = _agenda(app)
        assert f"send by {due}" in text
        line = next(row for row in text.splitlines() if f"send by {due}" in row)
        assert "Ada [eng] Lovelace" in line and "planned" in line
        start = accepted.meetup.start.astimezone(berlin.zone)
        assert wording.short_when(start) in line  # the meetup's time, in the trip's zone
        assert "Upcoming meetups" in text
        assert EMPTY not in text

        await pilot.press("1")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)


def test_snapshot_opening_agenda_80x24(world, snap_compare):
    busy_world(world)

    async def ready(pilot):
        await settle(pilot.app, pilot)

    assert snap_compare(_app_at(world, LATER), terminal_size=(80, 24), run_before=ready)
