"""Calendar export: parsed back with icalendar AND with vobject (an independent parser whose
VTIMEZONE handling is dateutil's tzical), plus a small RFC 5545 reading of our VTIMEZONEs done
here by hand. Expected UTC instants are written out literally, not computed with zoneinfo."""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import stat
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dateutil.rrule
import pytest
import vobject
import vobject.icalendar

from irlmeet import __version__
from irlmeet.core import ics
from irlmeet.core.errors import ExportError, ValidationError
from irlmeet.core.models import Contact, Meetup, Place, Trip

UTC = UTC
NOW = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)

CITIES = {
    "Europe/Berlin": ("Berlin", "DE", "Germany", 52.52, 13.405),
    "America/New_York": ("New York City", "US", "United States", 40.71, -74.0),
    "Australia/Sydney": ("Sydney", "AU", "Australia", -33.87, 151.21),
    "Asia/Kolkata": ("Kolkata", "IN", "India", 22.57, 88.36),
}


def place(tz: str) -> Place:
    name, cc, country, lat, lon = CITIES.get(tz, ("Somewhere", "XX", "Elsewhere", 0.0, 0.0))
    return Place(name=name, country_code=cc, country=country, lat=lat, lon=lon, tz=tz)


def trip(tz: str = "Europe/Berlin", start: date = date(2026, 3, 27), end: date = date(2026, 4, 2), **kw) -> Trip:
    return Trip(id=kw.pop("id", "trip-1"), name=kw.pop("name", "Berlin spring"), destination=place(tz),
                start=start, end=end, **kw)


ADA = Contact(id="c-ada", name="Ada Lovelace", how_we_met="PyCon 2019 sprints",
              emails=("ada@example.com",), phones=("+49 30 1234567",))
GRACE = Contact(id="c-grace", name="Grace Hopper", how_we_met="ex-colleague at Acme")
LINUS = Contact(id="c-linus", name="Linus Torvalds")
CONTACTS = {c.id: c for c in (ADA, GRACE, LINUS)}


def meetup(tz: str, start: tuple, end: tuple, *, ids=("c-ada",), kind="coffee", trip_id="trip-1", **kw) -> Meetup:
    z = ZoneInfo(tz)
    kw.setdefault("status", "confirmed")  # a confirmed event's title is the plain summary
    return Meetup(
        id=kw.pop("id", "m-" + "-".join(ids)), trip_id=trip_id, contact_ids=tuple(ids), kind=kind,
        start=datetime(*start, tzinfo=z), end=datetime(*end, tzinfo=z),
        uid=kw.pop("uid", None) or ics.meetup_uid(trip_id, ids), **kw,
    )


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# The independent readers


@pytest.fixture(autouse=True)
def _fresh_vobject_zones():
    """vobject keeps one process-wide TZID -> tzinfo map and never replaces an entry, so a later
    file's VTIMEZONE would be read with an earlier file's (or pytz's). Empty it around each test."""
    tzmap = vars(vobject.icalendar)["__tzidMap"]
    saved = dict(tzmap)
    tzmap.clear()
    tzmap["UTC"] = saved["UTC"]
    yield
    tzmap.clear()
    tzmap.update(saved)


def vobject_events(data: bytes) -> list[dict]:
    """Our file through vobject. Times must come from the file's own VTIMEZONE (dateutil's
    ``tzicalvtz``), never from an IANA database."""
    tzmap = vars(vobject.icalendar)["__tzidMap"]
    for key in [k for k in tzmap if k != "UTC"]:
        del tzmap[key]
    cal = vobject.readOne(data.decode("utf-8"))
    out = []
    for ev in cal.vevent_list:
        start, end = ev.dtstart.value, ev.dtend.value
        for dt in (start, end):  # a "Z" time, or one read through the file's VTIMEZONE
            assert dt.tzinfo is vobject.icalendar.utc or type(dt.tzinfo).__name__ == "_tzicalvtz", dt.tzinfo
        out.append({
            "uid": ev.uid.value,
            "summary": ev.summary.value,
            "location": ev.location.value,
            "description": ev.description.value,
            "status": ev.status.value,
            "transp": ev.transp.value,
            "sequence": int(ev.sequence.value),
            "start": start,
            "end": end,
            "dtstamp": ev.dtstamp.value,
            "last_modified": ev.contents["last-modified"][0].value if "last-modified" in ev.contents else None,
        })
    return out


def unfolded_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def vtimezone_onsets(data: bytes, until: datetime) -> tuple[str, list[tuple[datetime, timedelta, timedelta]]]:
    """Read the (single) VTIMEZONE by hand, per RFC 5545 3.6.5: every onset (DTSTART, each RDATE,
    each RRULE occurrence) is a local time in TZOFFSETFROM. Returns the TZID and sorted
    (UTC instant, TZOFFSETFROM, TZOFFSETTO) of every onset before ``until``."""
    lines = unfolded_lines(data)
    begin, stop = lines.index("BEGIN:VTIMEZONE"), lines.index("END:VTIMEZONE")
    block = lines[begin + 1:stop]
    tzid = next(line.split(":", 1)[1] for line in block if line.startswith("TZID:"))

    def offset(text: str) -> timedelta:
        sign = -1 if text[0] == "-" else 1
        hh, mm, ss = int(text[1:3]), int(text[3:5]), int(text[5:7] or 0)
        return sign * timedelta(hours=hh, minutes=mm, seconds=ss)

    onsets: list[tuple[datetime, timedelta, timedelta]] = []
    props: dict[str, list[str]] = {}
    for line in block:
        if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            props = {}
        elif line in ("END:STANDARD", "END:DAYLIGHT"):
            frm, to = offset(props["TZOFFSETFROM"][0]), offset(props["TZOFFSETTO"][0])
            (dtstart,) = props["DTSTART"]
            first = datetime.strptime(dtstart, "%Y%m%dT%H%M%S")
            local = [first]
            for rdate in props.get("RDATE", []):
                local += [datetime.strptime(v, "%Y%m%dT%H%M%S") for v in rdate.split(",")]
            for rule in props.get("RRULE", []):
                bound = until.replace(tzinfo=None) + frm
                local += list(dateutil.rrule.rrulestr(rule, dtstart=first).between(first, bound, inc=True))
            onsets += [((loc - frm).replace(tzinfo=UTC), frm, to) for loc in set(local)]
        elif ":" in line:
            name, value = line.split(":", 1)
            props.setdefault(name.split(";", 1)[0], []).append(value)
    return tzid, sorted(o for o in onsets if o[0] < until)


def zoneinfo_changes(tz: str, start: datetime, end: datetime) -> list[tuple[datetime, timedelta, timedelta]]:
    """UTC offset changes of ``tz`` in [start, end): hourly scan, then bisection to the second."""
    z = ZoneInfo(tz)

    def off(t):
        return t.astimezone(z).utcoffset()

    out, t, cur = [], start, off(start)
    while t < end:
        nxt = t + timedelta(hours=1)
        if off(nxt) != cur:
            lo, hi = t, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                lo, hi = (mid, hi) if off(mid) == cur else (lo, mid)
            out.append((hi, cur, off(hi)))
            cur = off(hi)
        t = nxt
    return out


def offset_at(onsets, instant: datetime) -> timedelta:
    """The offset our VTIMEZONE gives at a UTC instant (the latest onset at or before it)."""
    before = [o for o in onsets if o[0] <= instant]
    assert before, f"{instant} is before the VTIMEZONE's first onset"
    return before[-1][2]


def check_vtimezone_against_zoneinfo(data: bytes, tz: str, years: tuple[int, int]) -> None:
    """Our VTIMEZONE, read by hand, changes offset exactly when zoneinfo does in these years, and
    gives zoneinfo's offset twice a month around the clock."""
    first, last = years
    start, end = utc(first, 1, 1), utc(last + 1, 1, 1)
    tzid, onsets = vtimezone_onsets(data, end)
    assert tzid == tz
    real_changes = [(t, a, b) for t, a, b in onsets if a != b and start <= t]
    assert real_changes == zoneinfo_changes(tz, start, end)
    z = ZoneInfo(tz)
    for month in range(1, 13):
        for day in (1, 15):
            for hour in (0, 7, 13, 19):
                instant = utc(first, month, day, hour)
                assert offset_at(onsets, instant) == instant.astimezone(z).utcoffset(), instant


# ---------------------------------------------------------------------------------------------
# UIDs


def test_meetup_uid_is_fixed_forever_and_ignores_order_and_repeats():
    uid = ics.meetup_uid("trip-1", ["c-grace", "c-ada"])
    # Pinned: a UID once exported must never change, or calendars get duplicate events.
    assert uid == "35345a29-1bfd-5d25-a99c-f88e67308a67@irlmeet"
    assert ics.meetup_uid("trip-1", ["c-ada", "c-grace", "c-ada"]) == uid
    assert ics.meetup_uid("trip-1", ("c-ada", "c-grace")) == uid
    assert ics.meetup_uid("trip-2", ["c-ada", "c-grace"]) != uid
    assert ics.meetup_uid("trip-1", ["c-ada"]) != uid
    assert uid.endswith("@irlmeet")


def test_meetup_uid_pinned_value():
    assert ics.MEETUP_UID_NAMESPACE.hex == "a272dc2249f153ab91470e357c390b2b"
    assert ics.meetup_uid("t1", ["c1"]) == "526abef8-6f00-5f5e-aa91-be481d50e756@irlmeet"


def test_meetup_uid_rejects_nonsense():
    with pytest.raises(ValueError):
        ics.meetup_uid("", ["c1"])
    with pytest.raises(ValueError):
        ics.meetup_uid("t1", [])
    with pytest.raises(TypeError):
        ics.meetup_uid("t1", "c1")


# ---------------------------------------------------------------------------------------------
# Times: every zone, to the second, with both parsers and the VTIMEZONE read by hand

TIME_CASES = [
    # zone, local start, local end, expected UTC start, expected UTC end
    ("Europe/Berlin", (2026, 7, 14, 12, 0), (2026, 7, 14, 13, 0), utc(2026, 7, 14, 10), utc(2026, 7, 14, 11)),
    ("Europe/Berlin", (2026, 1, 20, 12, 0), (2026, 1, 20, 13, 30), utc(2026, 1, 20, 11), utc(2026, 1, 20, 12, 30)),
    # DST starts 2026-03-29 02:00 CET -> 03:00 CEST
    ("Europe/Berlin", (2026, 3, 29, 10, 0), (2026, 3, 29, 11, 0), utc(2026, 3, 29, 8), utc(2026, 3, 29, 9)),
    ("Europe/Berlin", (2026, 3, 29, 1, 30), (2026, 3, 29, 3, 30), utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30)),
    # DST ends 2026-10-25 03:00 CEST -> 02:00 CET: 00:30 to 03:30 is four hours
    ("Europe/Berlin", (2026, 10, 25, 0, 30), (2026, 10, 25, 3, 30), utc(2026, 10, 24, 22, 30), utc(2026, 10, 25, 2, 30)),
    ("America/New_York", (2026, 3, 7, 9, 0), (2026, 3, 7, 10, 0), utc(2026, 3, 7, 14), utc(2026, 3, 7, 15)),
    # DST starts 2026-03-08, ends 2026-11-01
    ("America/New_York", (2026, 3, 8, 9, 0), (2026, 3, 8, 10, 0), utc(2026, 3, 8, 13), utc(2026, 3, 8, 14)),
    ("America/New_York", (2026, 10, 31, 19, 0), (2026, 10, 31, 21, 0), utc(2026, 10, 31, 23), utc(2026, 11, 1, 1)),
    ("America/New_York", (2026, 11, 1, 9, 0), (2026, 11, 1, 10, 0), utc(2026, 11, 1, 14), utc(2026, 11, 1, 15)),
    # Southern hemisphere: summer time in January, standard in July
    ("Australia/Sydney", (2026, 1, 15, 19, 0), (2026, 1, 15, 21, 0), utc(2026, 1, 15, 8), utc(2026, 1, 15, 10)),
    ("Australia/Sydney", (2026, 7, 15, 19, 0), (2026, 7, 15, 21, 0), utc(2026, 7, 15, 9), utc(2026, 7, 15, 11)),
    # DST ends 2026-04-05 03:00 AEDT -> 02:00 AEST; starts 2026-10-04 02:00 AEST -> 03:00 AEDT
    ("Australia/Sydney", (2026, 4, 5, 1, 0), (2026, 4, 5, 10, 0), utc(2026, 4, 4, 14), utc(2026, 4, 5, 0)),
    ("Australia/Sydney", (2026, 10, 4, 1, 30), (2026, 10, 4, 10, 0), utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 23)),
    # No DST, half-hour offset, seconds kept
    ("Asia/Kolkata", (2026, 2, 10, 18, 30), (2026, 2, 10, 20, 0), utc(2026, 2, 10, 13), utc(2026, 2, 10, 14, 30)),
    ("Asia/Kolkata", (2026, 7, 10, 8, 15, 45), (2026, 7, 10, 9, 0), utc(2026, 7, 10, 2, 45, 45), utc(2026, 7, 10, 3, 30)),
]


@pytest.mark.parametrize(("tz", "local_start", "local_end", "want_start", "want_end"), TIME_CASES)
def test_times_are_right_to_the_second_in_every_zone(tmp_path, tz, local_start, local_end, want_start, want_end):
    t = trip(tz, date(*local_start[:3]) - timedelta(days=1), date(*local_end[:3]) + timedelta(days=1))
    m = meetup(tz, local_start, local_end)
    path = tmp_path / "trip.ics"
    ics.write_ics(path, ics.build_calendar(t, [m], CONTACTS, now=NOW))
    data = path.read_bytes()

    # The event says TZID=<IANA name> in the destination's local time.
    lines = unfolded_lines(data)
    wall = datetime(*local_start).strftime("%Y%m%dT%H%M%S")
    assert f"DTSTART;TZID={tz}:{wall}" in lines

    # icalendar
    (ev,) = ics.read_events(data)
    assert ev["start"].astimezone(UTC) == want_start
    assert ev["end"].astimezone(UTC) == want_end

    # vobject, with the file's own VTIMEZONE
    (vev,) = vobject_events(data)
    assert vev["start"].astimezone(UTC) == want_start
    assert vev["end"].astimezone(UTC) == want_end

    # The VTIMEZONE read by hand, per the RFC
    _, onsets = vtimezone_onsets(data, utc(2030, 1, 1))
    assert (want_start + offset_at(onsets, want_start)).replace(tzinfo=None) == datetime(*local_start)
    assert (want_end + offset_at(onsets, want_end)).replace(tzinfo=None) == datetime(*local_end)
    check_vtimezone_against_zoneinfo(data, tz, (local_start[0], local_start[0]))


def test_second_pass_through_a_repeated_hour_is_written_in_utc():
    """02:30 happens twice in Berlin on 2026-10-25. A TZID time names the first (RFC 5545
    3.3.5), so the second is written in UTC; the first keeps its TZID."""
    z = ZoneInfo("Europe/Berlin")
    first = meetup("Europe/Berlin", (2026, 10, 25, 2, 30), (2026, 10, 25, 2, 50), id="m1", uid="first@x")
    second = Meetup(
        id="m2", trip_id="trip-1", contact_ids=("c-grace",), kind="drinks", uid="second@x",
        start=datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=z), end=datetime(2026, 10, 25, 3, 15, tzinfo=z),
    )
    data = ics.build_calendar(trip(start=date(2026, 10, 24), end=date(2026, 10, 26)), [second, first], CONTACTS, now=NOW)
    lines = unfolded_lines(data)
    assert "DTSTART;TZID=Europe/Berlin:20261025T023000" in lines
    assert "DTSTART:20261025T013000Z" in lines
    assert "DTEND:20261025T021500Z" in lines
    for events in (ics.read_events(data), vobject_events(data)):
        got = {e["uid"]: (e["start"].astimezone(UTC), e["end"].astimezone(UTC)) for e in events}
        assert got == {
            "first@x": (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 0, 50)),
            "second@x": (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 2, 15)),
        }


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
def test_dst_zones_get_one_yearly_rule_each_way(tz):
    """The form Outlook/Exchange write and read: one STANDARD, one DAYLIGHT, each an RRULE; no
    RDATE (Outlook ignores it; some parsers read only the first of a comma list)."""
    data = ics.build_calendar(trip(tz), [meetup(tz, (2026, 3, 29, 10, 0), (2026, 3, 29, 11, 0))], CONTACTS, now=NOW)
    lines = unfolded_lines(data)
    assert lines.count("BEGIN:VTIMEZONE") == 1
    assert lines.count("BEGIN:STANDARD") == 1
    assert lines.count("BEGIN:DAYLIGHT") == 1
    assert len([x for x in lines if x.startswith("RRULE:FREQ=YEARLY;")]) == 2
    assert not [x for x in lines if x.startswith("RDATE")]
    check_vtimezone_against_zoneinfo(data, tz, (2025, 2027))


def test_berlin_vtimezone_reads_as_the_rfc_wants():
    data = ics.build_calendar(trip(), [meetup("Europe/Berlin", (2026, 3, 29, 10, 0), (2026, 3, 29, 11, 0))], CONTACTS, now=NOW)
    text = data.decode()
    # Onsets in local time of the offset in force before the change (TZOFFSETFROM).
    assert ("BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
            "TZNAME:CEST\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT") in text
    assert ("BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
            "TZNAME:CET\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD") in text


def test_zone_without_dst_gets_a_single_standard_observance():
    data = ics.build_calendar(trip("Asia/Kolkata"), [meetup("Asia/Kolkata", (2026, 2, 10, 18, 30), (2026, 2, 10, 20, 0))],
                              CONTACTS, now=NOW)
    lines = unfolded_lines(data)
    start, stop = lines.index("BEGIN:VTIMEZONE"), lines.index("END:VTIMEZONE")
    assert lines[start:stop + 1] == [
        "BEGIN:VTIMEZONE", "TZID:Asia/Kolkata", "X-LIC-LOCATION:Asia/Kolkata",
        "BEGIN:STANDARD", "DTSTART:20250101T053000", "TZNAME:IST",
        "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "END:STANDARD", "END:VTIMEZONE",
    ]


def test_rule_changed_within_the_years_falls_back_to_one_onset_per_change():
    """The US moved DST in 2007 (2nd Sunday of March from 1st Sunday of April): no single yearly
    rule covers 2006-2008, so each change is its own observance. 2007-03-20 is EDT."""
    tz = "America/New_York"
    t = trip(tz, date(2007, 3, 18), date(2007, 3, 22))
    data = ics.build_calendar(t, [meetup(tz, (2007, 3, 20, 10, 0), (2007, 3, 20, 11, 0))], CONTACTS, now=NOW)
    lines = unfolded_lines(data)
    assert not [x for x in lines if x.startswith(("RRULE", "RDATE"))]
    assert lines.count("BEGIN:DAYLIGHT") == 3
    check_vtimezone_against_zoneinfo(data, tz, (2006, 2008))
    for ev in (ics.read_events(data)[0], vobject_events(data)[0]):
        assert ev["start"].astimezone(UTC) == utc(2007, 3, 20, 14)


@pytest.mark.parametrize("tz", [
    "Europe/London", "Europe/Dublin",  # Dublin: "negative DST" in the tz database
    "America/Santiago", "America/St_Johns", "America/Sao_Paulo",  # -03:30; DST abolished 2019
    "Pacific/Auckland", "Pacific/Chatham", "Australia/Lord_Howe",  # +12:45/+13:45; 30-min DST
    "Asia/Kathmandu", "Asia/Tehran", "Africa/Casablanca",  # +05:45; DST gone 2022; Ramadan changes
    "Pacific/Kiritimati", "America/Adak", "UTC",
])
def test_other_zones_read_the_same_by_every_parser(tz):
    t = trip(tz, date(2026, 6, 1), date(2026, 6, 3))
    data = ics.build_calendar(t, [meetup(tz, (2026, 6, 2, 12, 0), (2026, 6, 2, 13, 0))], CONTACTS, now=NOW)
    assert not [x for x in unfolded_lines(data) if x.startswith("RDATE")]
    check_vtimezone_against_zoneinfo(data, tz, (2026, 2026))
    want = datetime(2026, 6, 2, 12, tzinfo=ZoneInfo(tz)).astimezone(UTC)
    assert ics.read_events(data)[0]["start"].astimezone(UTC) == want
    assert vobject_events(data)[0]["start"].astimezone(UTC) == want


# ---------------------------------------------------------------------------------------------
# Identity across exports


def test_reexport_keeps_the_uid_and_raises_the_sequence(tmp_path):
    t = trip()
    v1 = meetup("Europe/Berlin", (2026, 3, 30, 9, 0), (2026, 3, 30, 10, 0), sequence=0)
    v2 = dataclasses.replace(
        v1, start=datetime(2026, 3, 31, 15, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        end=datetime(2026, 3, 31, 16, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        sequence=1, updated=datetime(2026, 3, 2, 8, 0, 5, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    ics.write_ics(first, ics.build_calendar(t, [v1], CONTACTS, now=NOW))
    ics.write_ics(second, ics.build_calendar(t, [v2], CONTACTS, now=NOW + timedelta(days=1)))
    for read in (ics.read_events, vobject_events):
        (a,), (b,) = read(first.read_bytes()), read(second.read_bytes())
        assert a["uid"] == b["uid"] == v1.uid == ics.meetup_uid("trip-1", ["c-ada"])
        assert (a["sequence"], b["sequence"]) == (0, 1)
        assert a["start"].astimezone(UTC) == utc(2026, 3, 30, 7)
        assert b["start"].astimezone(UTC) == utc(2026, 3, 31, 13)
    (va,), (vb,) = vobject_events(first.read_bytes()), vobject_events(second.read_bytes())
    assert va["dtstamp"] == NOW
    assert vb["dtstamp"] == NOW + timedelta(days=1)
    assert va["last_modified"] is None
    assert vb["last_modified"] == utc(2026, 3, 2, 7, 0, 5)


def test_uids_come_only_from_the_meetups():
    ms = [
        meetup("Europe/Berlin", (2026, 3, 28, 9, 0), (2026, 3, 28, 10, 0), ids=("c-ada",)),
        meetup("Europe/Berlin", (2026, 3, 30, 19, 0), (2026, 3, 30, 22, 0), ids=("c-grace", "c-linus"), kind="dinner"),
    ]
    data = ics.build_calendar(trip(), ms, CONTACTS, now=NOW)
    lines = unfolded_lines(data)
    uid_lines = [x for x in lines if x.startswith("UID")]
    assert sorted(uid_lines) == sorted(f"UID:{m.uid}" for m in ms)
    assert ics.build_calendar(trip(), list(reversed(ms)), CONTACTS, now=NOW) == data  # deterministic


# ---------------------------------------------------------------------------------------------
# Text: summary, escaping, description, privacy


def test_summaries():
    group = meetup("Europe/Berlin", (2026, 3, 30, 19, 0), (2026, 3, 30, 22, 0),
                   ids=("c-ada", "c-grace", "c-linus"), kind="dinner")
    pair = meetup("Europe/Berlin", (2026, 3, 31, 8, 0), (2026, 3, 31, 9, 0), ids=("c-ada", "c-grace"), kind="breakfast")
    one = meetup("Europe/Berlin", (2026, 3, 28, 9, 0), (2026, 3, 28, 10, 0))
    data = ics.build_calendar(trip(), [group, pair, one], CONTACTS, now=NOW)
    for read in (ics.read_events, vobject_events):
        assert [e["summary"] for e in read(data)] == [
            "Coffee with Ada Lovelace",
            "Group dinner: Ada, Grace and Linus",
            "Group breakfast: Ada and Grace",
        ]


def test_same_first_names_in_a_group_use_full_names_and_unknown_people_are_someone():
    other_ada = Contact(id="c-ada2", name="Ada Yonath")
    m = meetup("Europe/Berlin", (2026, 3, 30, 19, 0), (2026, 3, 30, 22, 0), ids=("c-ada", "c-ada2", "gone"), kind="drinks")
    data = ics.build_calendar(trip(), [m], {**CONTACTS, other_ada.id: other_ada}, now=NOW)
    (ev,) = ics.read_events(data)
    assert ev["summary"] == "Group drinks: Ada Lovelace, Ada Yonath and someone"


TRICKY_NAMES = [
    "Lovelace, Ada; Countess",
    "Ada [eng]",
    "Grace 🐛 Hopper",
    "Back\\slash O'Neil",
    'Zoë "Zed" Ünal-Ñúñez, Ph.D.',
    "李小龍",
    "Name with a very long tail" + " that keeps going and going" * 4,
]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_names_and_places_round_trip_exactly(tmp_path, name):
    # how-we-met is one line (a line break in it is refused); the description's own lines show
    # that icalendar's line-break escaping round-trips.
    person = Contact(id="c-x", name=name, how_we_met="met at \"Rust; Go, Zig\" night, then again: 2024")
    where = "Café Einstein; Unter den Linden 42, 10117 Berlin [upstairs] ☕"
    m = meetup("Europe/Berlin", (2026, 3, 30, 9, 0), (2026, 3, 30, 10, 0), ids=("c-x",), place=where)
    path = tmp_path / "x.ics"
    ics.write_ics(path, ics.build_calendar(trip(), [m], {"c-x": person}, now=NOW, details=True))
    data = path.read_bytes()
    for read in (ics.read_events, vobject_events):
        (ev,) = read(data)
        assert ev["summary"] == f"Coffee with {name}"
        assert ev["location"] == where
        assert ev["description"].splitlines() == [
            f"Coffee, {where}", "Status: confirmed",
            f"{name} (met at \"Rust; Go, Zig\" night, then again: 2024)", "Planned with irlmeet",
        ]


def test_location_defaults_to_the_destination():
    data = ics.build_calendar(trip(), [meetup("Europe/Berlin", (2026, 3, 30, 9, 0), (2026, 3, 30, 10, 0))], CONTACTS, now=NOW)
    for read in (ics.read_events, vobject_events):
        assert read(data)[0]["location"] == "Berlin, Germany"


def test_description_is_share_safe_by_default_and_says_who_and_how_with_details():
    m = meetup("Europe/Berlin", (2026, 3, 30, 19, 0), (2026, 3, 30, 21, 0), ids=("c-ada", "c-linus"),
               kind="drinks", status="confirmed", place="Prater Garten")
    shared = ics.build_calendar(trip(), [m], CONTACTS, now=NOW)
    detailed = ics.build_calendar(trip(), [m], CONTACTS, now=NOW, details=True)
    for read in (ics.read_events, vobject_events):
        assert read(shared)[0]["description"] == "Drinks, Prater Garten\nStatus: confirmed\nPlanned with irlmeet"
        assert read(detailed)[0]["description"] == (
            "Drinks, Prater Garten\nStatus: confirmed\nAda Lovelace (PyCon 2019 sprints)\nLinus Torvalds\n"
            "Planned with irlmeet"
        )


def test_description_gives_the_time_at_home_when_it_differs():
    m = meetup("Europe/Berlin", (2026, 7, 14, 12, 0), (2026, 7, 14, 13, 0))
    t = trip(start=date(2026, 7, 13), end=date(2026, 7, 15))
    away = ics.read_events(ics.build_calendar(t, [m], CONTACTS, now=NOW, user_tz="America/New_York"))[0]
    assert "Your time (America/New_York): 2026-07-14 06:00-07:00" in away["description"].splitlines()
    home = ics.read_events(ics.build_calendar(t, [m], CONTACTS, now=NOW, user_tz="Europe/Paris"))[0]
    assert "Your time" not in home["description"]
    with pytest.raises(ValidationError, match="user_tz"):
        ics.build_calendar(t, [m], CONTACTS, now=NOW, user_tz="Mars/Olympus_Mons")


def test_no_email_or_phone_in_the_events():
    leaky = dataclasses.replace(
        ADA, how_we_met="intro via bob@example.org (call +44 20 7946 0958 or +49 30 1234567)",
    )
    m = meetup("Europe/Berlin", (2026, 3, 30, 9, 0), (2026, 3, 30, 10, 0),
               place="Ada's flat, ring ada@example.com / +49 30 1234567")
    data = ics.build_calendar(trip(), [m], {**CONTACTS, "c-ada": leaky}, now=NOW, details=True)
    text = "\n".join(unfolded_lines(data))
    for secret in ("ada@example.com", "bob@example.org", "1234567", "7946", "0958"):
        assert secret not in text
    (ev,) = ics.read_events(data)
    assert "Ada Lovelace (intro via [email] (call [phone] or [phone]))" in ev["description"].splitlines()
    assert "ATTENDEE" not in text and "ORGANIZER" not in text and "mailto:" not in text


# ---------------------------------------------------------------------------------------------
# Status


@pytest.mark.parametrize(("status", "ical_status", "transp", "title"), [
    ("idea", "TENTATIVE", "TRANSPARENT", "Coffee with Ada Lovelace (idea)"),
    ("planned", "TENTATIVE", "OPAQUE", "Coffee with Ada Lovelace (pencilled in)"),
    ("invited", "TENTATIVE", "OPAQUE", "Coffee with Ada Lovelace (pencilled in)"),
    ("confirmed", "CONFIRMED", "OPAQUE", "Coffee with Ada Lovelace"),
    ("met", "CONFIRMED", "OPAQUE", "Coffee with Ada Lovelace"),
    # Cancelled events free the time (TRANSPARENT) so calendars that keep them don't block it.
    ("declined", "CANCELLED", "TRANSPARENT", "Cancelled: Coffee with Ada Lovelace"),
    ("cancelled", "CANCELLED", "TRANSPARENT", "Cancelled: Coffee with Ada Lovelace"),
    ("skipped", "CANCELLED", "TRANSPARENT", "Cancelled: Coffee with Ada Lovelace"),
    ("missed", "CANCELLED", "TRANSPARENT", "Cancelled: Coffee with Ada Lovelace"),
    ("dropped", "CANCELLED", "TRANSPARENT", "Cancelled: Coffee with Ada Lovelace"),
])
def test_status_transparency_and_a_title_that_tells_the_status_without_it(status, ical_status, transp, title):
    m = meetup("Europe/Berlin", (2026, 3, 30, 9, 0), (2026, 3, 30, 10, 0), status=status)
    data = ics.build_calendar(trip(), [m], CONTACTS, now=NOW)
    for read in (ics.read_events, vobject_events):
        (ev,) = read(data)
        assert (ev["status"], ev["transp"], ev["summary"]) == (ical_status, transp, title)


def test_a_conflict_is_in_the_description_in_its_share_safe_words():
    m = meetup("Europe/Berlin", (2026, 3, 30, 9, 0), (2026, 3, 30, 10, 0), status="invited")
    data = ics.build_calendar(trip(), [m], CONTACTS, now=NOW, conflicts={m.id: "overlaps busy time"})
    (ev,) = ics.read_events(data)
    assert "Conflict: overlaps busy time (to resolve in irlmeet)" in ev["description"].splitlines()


# ---------------------------------------------------------------------------------------------
# The file as a whole


def test_calendar_properties():
    m = meetup("Europe/Berlin", (2026, 3, 30, 9, 0), (2026, 3, 30, 10, 0))
    data = ics.build_calendar(trip(name="Berlin, spring; 2026 🌷"), [m], CONTACTS, now=NOW)
    lines = unfolded_lines(data)
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//irlmeet//irlmeet {__version__}//EN"]
    assert "X-WR-CALNAME:Berlin\\, spring\\; 2026 🌷" in lines  # TEXT, escaped
    assert "NAME:Berlin\\, spring\\; 2026 🌷" in lines
    assert not [x for x in lines if x.startswith(("METHOD", "ATTENDEE", "ORGANIZER"))]
    cal = vobject.readOne(data.decode())
    assert cal.contents["x-wr-calname"][0].value == "Berlin, spring; 2026 🌷"
    assert cal.contents["name"][0].value == "Berlin, spring; 2026 🌷"
    assert cal.version.value == "2.0"


def test_lines_are_crlf_and_at_most_75_octets():
    people = {c.id: c for c in (Contact(id=f"c{i}", name=n, how_we_met="🎉" * 40) for i, n in enumerate(TRICKY_NAMES))}
    ms = [
        meetup("Australia/Sydney", (2026, 1, 15, 19, 0), (2026, 1, 15, 21, 0), ids=tuple(people), kind="group",
               place="🍜" * 60 + " Haymarket, Sydney"),
        meetup("Australia/Sydney", (2026, 1, 16, 8, 0), (2026, 1, 16, 9, 0), ids=("c3",)),
    ]
    data = ics.build_calendar(trip("Australia/Sydney", date(2026, 1, 14), date(2026, 1, 17)), ms, people, now=NOW,
                              user_tz="Europe/Berlin")
    assert data.endswith(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(physical) and b"\r" not in b"".join(physical)
    assert any(line.startswith(b" ") for line in physical)  # something was folded
    for line in physical:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a character
    for read in (ics.read_events, vobject_events):
        assert read(data)[0]["location"] == "🍜" * 60 + " Haymarket, Sydney"


def test_a_trip_without_meetups_is_still_a_valid_calendar():
    data = ics.build_calendar(trip(), [], CONTACTS, now=NOW)
    assert ics.read_events(data) == []
    assert b"BEGIN:VTIMEZONE" in data  # RFC 5545 wants at least one component
    vobject.readOne(data.decode())


def test_bad_input_is_refused():
    m = meetup("Europe/Berlin", (2026, 3, 30, 9, 0), (2026, 3, 30, 10, 0))
    with pytest.raises(ValueError, match="aware"):
        ics.build_calendar(trip(), [m], CONTACTS, now=datetime(2026, 3, 1))
    with pytest.raises(ValueError, match="belongs to trip"):
        ics.build_calendar(trip(), [dataclasses.replace(m, trip_id="other")], CONTACTS, now=NOW)
    twin = dataclasses.replace(m, id="m-twin")
    with pytest.raises(ExportError, match="share the calendar UID"):
        ics.build_calendar(trip(), [m, twin], CONTACTS, now=NOW)


def test_read_events_reads_other_producers_files():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:trip@tripit\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Berlin\\, Germany\r\n"
        b"DTSTART;VALUE=DATE:20260410\r\nDTEND;VALUE=DATE:20260414\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:f@tripit\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:LH1234 FRA to BER\r\n"
        b"DTSTART:20260410T060000Z\r\nDURATION:PT1H10M\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    trip_ev, flight = ics.read_events(data)
    assert trip_ev["summary"] == "Berlin, Germany"
    assert (trip_ev["start"], trip_ev["end"]) == (date(2026, 4, 10), date(2026, 4, 14))
    assert (flight["start"], flight["end"]) == (utc(2026, 4, 10, 6), utc(2026, 4, 10, 7, 10))
    assert (flight["status"], flight["sequence"]) == (None, 0)
    with pytest.raises(ValueError):
        ics.read_events(b"not a calendar")


# ---------------------------------------------------------------------------------------------
# Writing the file


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_ics_writes_and_replaces(tmp_path):
    path = tmp_path / "trip.ics"
    ics.write_ics(path, b"one\r\n")
    assert path.read_bytes() == b"one\r\n"
    ics.write_ics(path, b"two\r\n")
    assert path.read_bytes() == b"two\r\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_write_ics_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "trip.ics"
    path.write_bytes(b"old")
    path.chmod(0o640)
    ics.write_ics(path, b"new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_write_ics_missing_folder(tmp_path):
    path = tmp_path / "nope" / "trip.ics"
    with pytest.raises(ExportError) as info:
        ics.write_ics(path, b"x")
    assert str(path) in str(info.value)
    assert "does not exist" in str(info.value)
    assert not (tmp_path / "nope").exists()


def test_write_ics_path_is_a_folder(tmp_path):
    with pytest.raises(ExportError) as info:
        ics.write_ics(tmp_path, b"x")
    assert str(tmp_path) in str(info.value)
    assert "folder" in str(info.value)


def test_write_ics_parent_is_a_file(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    path = tmp_path / "file" / "trip.ics"
    with pytest.raises(ExportError) as info:
        ics.write_ics(path, b"x")
    assert str(path) in str(info.value) and "not a folder" in str(info.value)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX and a non-root user")
def test_write_ics_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "trip.ics").write_bytes(b"old")
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError) as info:
            ics.write_ics(folder / "trip.ics", b"new")
    finally:
        folder.chmod(0o700)
    assert str(folder / "trip.ics") in str(info.value) and "permission denied" in str(info.value)
    assert (folder / "trip.ics").read_bytes() == b"old"


@pytest.mark.parametrize(("where", "error", "message"), [
    ("fsync", OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
    ("replace", PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
    ("replace", OSError(errno.EIO, "Input/output error"), "input/output error: the disk may be failing"),
])
def test_a_failed_write_leaves_the_old_file_untouched(tmp_path, monkeypatch, where, error, message):
    path = tmp_path / "trip.ics"
    path.write_bytes(b"the old calendar\r\n")

    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(os, where, boom)
    if where == "fsync" and hasattr(os, "fdatasync"):
        monkeypatch.setattr(os, "fdatasync", boom)  # the data flush may use either
    with pytest.raises(ExportError) as info:
        ics.write_ics(path, b"the new calendar\r\n" * 1000)
    monkeypatch.undo()
    assert str(path) in str(info.value) and message in str(info.value)
    assert path.read_bytes() == b"the old calendar\r\n"
    assert _leftovers(tmp_path) == []


def test_write_ics_wants_bytes(tmp_path):
    with pytest.raises(TypeError):
        ics.write_ics(tmp_path / "x.ics", "text")  # type: ignore[arg-type]
