from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from irlmeet.core.models import MeetupKind
from irlmeet.core.wording import (
    ago,
    clock,
    date_long,
    date_short,
    day_range,
    days_label,
    iso_span,
    kind_noun,
    kind_phrase,
    kind_title,
    style_for,
    two_zone,
    weekday_range,
    when,
)

US = style_for("US")
DE = style_for("DE")
BERLIN = ZoneInfo("Europe/Berlin")


def test_kinds_read_the_same_everywhere():
    assert kind_noun(MeetupKind.DRINKS) == "after-work drinks"
    assert kind_phrase(MeetupKind.COFFEE) == "a coffee"
    assert kind_title(MeetupKind.LUNCH) == "Lunch"
    assert kind_noun("coffee") == "coffee"


def test_us_readers_get_a_12_hour_clock_and_the_month_first():
    dt = datetime(2026, 12, 8, 18, 30, tzinfo=BERLIN)
    assert clock(dt, US) == "6:30 pm" and clock(dt, DE) == "18:30"
    assert clock(dt.replace(hour=9, minute=0), US) == "9 am"
    assert clock(dt.replace(hour=12, minute=0), US) == "noon"
    assert clock(dt.replace(hour=0, minute=15), US) == "12:15 am"
    assert date_long(dt.date(), DE) == "Tuesday 8 December"
    assert date_long(dt.date(), US) == "Tuesday, December 8"
    assert date_short(dt.date(), US) == "Tue, Dec 8"
    assert when(dt, None, DE) == "Tuesday 8 December at 18:30"
    assert when(dt, "America/New_York", US) == "Tuesday, December 8 at 12:30 pm"
    assert style_for("au").twelve_hour and not style_for("AU").month_first
    assert style_for("") == DE and style_for(None) == DE and not style_for("GB").twelve_hour


def test_day_ranges():
    assert day_range(date(2026, 12, 8), date(2026, 12, 11)) == "from 8 to 11 December"
    assert day_range(date(2026, 4, 30), date(2026, 5, 2)) == "from 30 April to 2 May"
    assert day_range(date(2026, 12, 8), date(2026, 12, 8)) == "on 8 December"
    assert day_range(date(2026, 12, 8), date(2026, 12, 11), US) == "from December 8 to 11"
    assert weekday_range(date(2026, 12, 8), date(2026, 12, 10)) == "Tue–Thu"
    assert weekday_range(date(2026, 12, 8), date(2026, 12, 8)) == "Tue"
    assert weekday_range(date(2026, 12, 8), date(2026, 12, 16)) == "8–16 Dec"
    assert days_label(SimpleNamespace(start=date(2026, 12, 8), end=date(2026, 12, 10))) == "8–10 Dec 2026"
    assert days_label(SimpleNamespace(start=date(2026, 12, 30), end=date(2027, 1, 2))) == "30 Dec 2026 – 2 Jan 2027"


def test_two_zone_times_and_dst():
    dt = datetime(2026, 4, 14, 10, 30, tzinfo=BERLIN)
    assert two_zone(dt, BERLIN, "Europe/Lisbon", place="Berlin") == "10:30 in Berlin (09:30 your time)"
    assert two_zone(dt, BERLIN, "Europe/Paris", place="Berlin") == "10:30 in Berlin"
    # The last week of March: Europe has moved its clocks, the US has too (2nd Sunday): 5 h apart...
    late_march = datetime(2026, 3, 30, 15, 0, tzinfo=BERLIN)
    assert two_zone(late_march, BERLIN, "America/New_York", place="Berlin", here_style=US) == "15:00 in Berlin (9 am your time)"
    # ...but in mid-March only the US has: 4 hours apart.
    mid_march = datetime(2026, 3, 20, 15, 0, tzinfo=BERLIN)
    assert two_zone(mid_march, BERLIN, "America/New_York", place="Berlin", here_style=US) == "15:00 in Berlin (10 am your time)"
    # Another day at home is named.
    night = datetime(2026, 1, 10, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert two_zone(night, "Asia/Tokyo", "Europe/Berlin", place="Tokyo") == "08:30 in Tokyo (00:30 your time)"
    assert two_zone(night, "Asia/Tokyo", "America/Los_Angeles", place="Tokyo") == "08:30 in Tokyo (Fri 9 Jan 15:30 your time)"


def test_iso_span_and_ago():
    ny = ZoneInfo("America/New_York")
    assert iso_span(datetime(2026, 7, 14, 6, 0, tzinfo=ny), datetime(2026, 7, 14, 7, 0, tzinfo=ny)) == "2026-07-14 06:00-07:00"
    assert iso_span(datetime(2026, 7, 14, 23, 0, tzinfo=ny), datetime(2026, 7, 15, 0, 30, tzinfo=ny)) == "2026-07-14 23:00 - 2026-07-15 00:30"
    assert ago(1) == "1 day" and ago(20) == "2 weeks" and ago(520) == "17 months" and ago(800) == "2 years"


def test_no_front_end_formats_times_on_its_own():
    """The wording lives once: no strftime of weekdays, months or clock times elsewhere."""
    import pathlib
    import re

    src = pathlib.Path(__file__).resolve().parents[1] / "src" / "irlmeet"
    offenders = []
    for path in [src / "cli.py", *(src / "tui").glob("*.py"), src / "core" / "ics.py", *(src / "core" / "drafts").glob("*.py")]:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"%[aAbBHI]", line) and "strptime" not in line:
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == [], offenders
