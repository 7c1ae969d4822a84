"""The agenda view (key 3): what needs doing now, across trips, as ``irlmeet agenda`` says it.
Pilot over a real data file (the fixtures and helpers of test_tui.py)."""

from __future__ import annotations

from irlmeet.core import wording
from irlmeet.tui.agenda_screen import EMPTY, AgendaScreen
from irlmeet.tui.main_screen import MainScreen

from .conftest import wait_until
from .test_tui import seed, settle, static_text


def _agenda(app) -> str:
    screen = app.screen
    assert isinstance(screen, AgendaScreen)
    shown = [static_text(app, sel) for sel in ("#agenda", "#agenda-empty") if screen.query_one(sel).display]
    return "\n".join(shown)


async def test_agenda_shows_the_invitation_to_send_with_its_send_by_date(world):
    seed(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        # Nothing accepted yet: nothing to do.
        await pilot.press("3")
        await settle(app, pilot)
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
