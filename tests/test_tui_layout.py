"""How the screens fit the terminal: columns that shrink with an ellipsis instead of a sideways
scrollbar, at the sizes people use (120x36) and the smallest one irlmeet supports (80x24).
Pilot over real data files (the fixtures and helpers of test_tui.py)."""

from __future__ import annotations

import re

import pytest
from textual.widgets import DataTable

from irlmeet.core.models import Contact, ContactPlace
from irlmeet.tui.contact_list import ContactList

from .test_tui import open_trips, rendered, seed, settle

pytestmark = pytest.mark.usefixtures("world")


def _fits_without_a_sideways_scrollbar(widget) -> None:
    region = widget.scrollable_content_region
    assert widget.virtual_size.width <= region.width, (widget.virtual_size, region)
    assert not widget.show_horizontal_scrollbar


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_people_columns_shrink_with_an_ellipsis_and_never_scroll_sideways(world, size):
    seed(world)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await open_trips(app, pilot)
        table = app.main.query_one("#people", DataTable)
        _fits_without_a_sideways_scrollbar(table)
        lines = rendered(table).splitlines()
        assert len(lines) >= 1 + table.row_count  # no row lost under a scrollbar
        ada = next(line for line in lines if "Ada" in line)
        reason = table.get_row_at(0)[-1].plain
        assert reason.startswith("never met in person")
        if reason not in ada:  # cut: with an ellipsis, never a silent "never met in pers"
            assert ada.rstrip().endswith("…"), ada
            assert reason[:4] in ada


async def test_many_people_at_80x24_fit_beside_the_vertical_scrollbar(world):
    s = world.service()
    s.set_profile(name="Sam Rivera", home="Lisbon")
    berlin = s.resolve("Berlin")
    s.store.put_contacts(
        Contact(id=f"c{i:03d}", name=f"Person number {i:03d} from the Berlin meetup", places=(ContactPlace(berlin),))
        for i in range(40)
    )
    s.add_trip("Berlin", "2026-12-07", "2026-12-10")
    s.store.close()
    world.opened.remove(s)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trips(app, pilot)
        table = app.main.query_one("#people", DataTable)
        assert table.row_count == 40
        assert table.show_vertical_scrollbar  # more people than rows on screen
        _fits_without_a_sideways_scrollbar(table)
        first = rendered(table).splitlines()[1]
        assert re.search(r"  Person [a-z ]*…  ", first), first  # the name cut with an ellipsis


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_contact_list_rows_fit_beside_the_vertical_scrollbar(world, size):
    seed(world)
    s = world.service()
    berlin = s.resolve("Berlin")
    s.store.put_contacts(
        Contact(id=f"c{i:03d}", name=f"Someone {i:03d}", places=(ContactPlace(berlin),), how_we_met="a very long story " * 5)
        for i in range(60)
    )
    s.store.close()
    world.opened.remove(s)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        contact_list = app.screen.query_one("#contact-list", ContactList)
        assert contact_list.show_vertical_scrollbar
        _fits_without_a_sideways_scrollbar(contact_list)
        lines = rendered(contact_list).splitlines()
        assert len(lines) == contact_list.size.height  # every line is a row: no scrollbar line
        assert all(line.strip() for line in lines)


async def test_a_long_meetup_line_wraps_under_itself_in_the_detail_pane(world):
    seed(world)
    s = world.service()
    trip = s.edit_trip(s.find_trip("Berlin").id, name="Berlin week with the whole platform team")
    s.sync_ideas(trip)  # Ada gets a meetup idea on it
    s.store.close()
    world.opened.remove(s)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        screen = app.screen
        assert screen.contact.name == "Ada [eng] Lovelace"
        lines = rendered(screen.query_one("#card-meetups")).splitlines()
        first = next(i for i, line in enumerate(lines) if line.startswith("  Mon 7 Dec 2026"))
        wrapped = lines[first + 1]
        assert wrapped.startswith("    ") and wrapped.strip(), lines  # indented under its meetup
        whole = " ".join(" ".join(lines[first:first + 6]).split())
        assert "idea · Berlin week with the whole platform team" in whole
