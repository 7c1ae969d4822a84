"""The triage queue and the import screen, driven through Pilot by keyboard (issue 9)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, ProgressBar, Select

from irlmeet.tui.import_screen import ImportScreen
from irlmeet.tui.main_screen import MainScreen
from irlmeet.tui.triage_screen import TriageScreen

from .test_tui import SIZE, open_trips, static_text

FIX = Path(__file__).parent / "fixtures" / "imports"


def _ours(app) -> list:
    """Every worker but the file tree's loader, which waits for folders to open for as long as
    the tree is shown."""
    return [w for w in app.workers if w.group != "_loader"]


async def settle(app, pilot) -> None:
    """Let every thread worker finish and every message they posted be handled."""
    for _ in range(50):
        ours = _ours(app)
        if ours:  # an empty list would mean "all of them", the tree's loader included
            await app.workers.wait_for_complete(ours)
        await pilot.pause()
        if not any(w.is_running for w in _ours(app)):
            return
    raise AssertionError("workers kept running")


async def test_triage_places_people_by_keyboard_alone(world):
    s = world.service()
    s.set_profile(name="Sam Rivera", home="Lisbon")
    s.import_contacts("linkedin", FIX / "linkedin-connections.csv")
    s.add_contact("Typed Earlier", "Berlin")  # has a city and a circle: not in the queue
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_trips(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert static_text(app, "#triage-progress").startswith("5 left to place")
        first = screen.current
        assert first is not None and first.name in static_text(app, "#triage-person")
        # A city typed with completion (→ takes the suggestion), circle 1, enter.
        await pilot.press(*"1", *"Hambu")
        await settle(app, pilot)
        assert screen.query_one("#triage-city", Input).value == "Hambu"
        await pilot.press("right")
        assert screen.query_one("#triage-city", Input).value.startswith("Hamburg")
        await pilot.press("enter")
        await settle(app, pilot)
        assert static_text(app, "#triage-progress").startswith("4 left to place")
        placed = app.service.find_contact(first.id)
        assert placed.places[0].place.name == "Hamburg" and placed.circle.value == "professional"
        assert not placed.circle_open
        # The next one: personal, Porto, and how we met; then skip one.
        second = screen.current
        await pilot.press("2", *"Porto", "tab", *"the Lisbon meetup", "enter")
        await settle(app, pilot)
        second_now = app.service.find_contact(second.id)
        assert second_now.circle.value == "personal" and second_now.places[0].place.name == "Porto"
        assert second_now.how_we_met == "the Lisbon meetup"
        skipped = screen.current
        await pilot.press("ctrl+n")
        assert screen.current is not skipped and static_text(app, "#triage-progress").startswith("3 left")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    left = {c.name for c in world.service().triage()}
    assert len(left) == 3 and first.name not in left and second.name not in left


async def test_same_for_all_at_a_company_answers_everyone_there(world):
    s = world.service()
    csv = world.root / "Connections.csv"
    rows = "".join(f"P{i},Acme,https://www.linkedin.com/in/p{i}-acme,,Acme Corp,Engineer,01 Jan 2024\r\n" for i in range(6))
    csv.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n" + rows
                   + "Solo,Other,https://www.linkedin.com/in/solo-other,,Globex,CEO,01 Jan 2024\r\n", encoding="utf-8")
    s.import_contacts("linkedin", csv)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.current.company == "Acme Corp"
        assert "same for all at Acme Corp" in static_text(app, "#triage-answer")
        await pilot.press("1", *"Munich", "ctrl+g")
        await settle(app, pilot)
        assert static_text(app, "#triage-progress").startswith("1 left to place")
        assert screen.current.name == "Solo Other"
    for c in world.service().contacts():
        if c.company == "Acme Corp":
            assert c.places[0].place.name == "Munich" and not c.circle_open


async def test_import_screen_previews_maps_and_imports_with_progress(world):
    exports = world.root / "exports"
    exports.mkdir()
    (exports / "contacts.vcf").write_bytes((FIX / "contacts.vcf").read_bytes())
    app = world.app()
    app.import_start = exports
    async with app.run_test(size=SIZE) as pilot:
        await open_trips(app, pilot)
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        # Nothing to import before a preview.
        await pilot.press("ctrl+r")
        assert "Preview the file first" in static_text(app, "#import-summary")
        await pilot.press(*str(exports / "contacts.vcf"), "enter")
        await settle(app, pilot)
        assert screen.query_one("#import-kind", Select).value == "vcard"
        table = screen.query_one("#import-preview", DataTable)
        assert table.row_count == 5 and table.get_row_at(0)[0].plain == "Ada Brandt"
        assert "ADR locality, region, country (+ GEO) → cities" in static_text(app, "#import-mapping")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        summary = static_text(app, "#import-summary")
        assert "6 people read" in summary and "created 6" in summary and "errors 1" in summary
        assert "card 8 (line 268)" in summary
        bar = screen.query_one("#import-progress", ProgressBar)
        assert bar.total and bar.progress == bar.total
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    assert len(world.service().contacts()) == 6


async def test_import_screen_says_what_is_wrong_with_a_wrong_file(world):
    bad = world.root / "notes.csv"
    bad.write_text("hello,world\r\n1,2\r\n", encoding="utf-8")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        screen = app.screen
        screen.query_one("#import-kind", Select).value = "linkedin"
        await pilot.pause()
        await pilot.press(*str(bad), "enter")
        await settle(app, pilot)
        assert str(bad) in static_text(app, "#import-summary")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
    assert world.service().contacts() == []
