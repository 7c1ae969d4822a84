"""The CLI through its real entry point: `main()` in-process with a fixed clock, and a few runs
of the installed console script in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.conftest import data_file  # noqa: F401 - other CLI test modules import it from here too

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


def test_the_whole_path_from_contacts_to_a_calendar_file(irlmeet, tmp_path):
    irlmeet("me", "--name", "Sam Rivera", "--home", "Lisbon")
    assert "Lisbon, Portugal" in irlmeet("me").out
    added = irlmeet("contact", "add", "Ada Brandt", "--city", "Berlin", "--email", "ada@example.org",
                    "--how-we-met", "the PyCon DE 2024 sprints").out
    assert added.startswith("Added Ada Brandt, Berlin, Germany (id ")
    ada = added.split("(id ", 1)[1].split(")", 1)[0]
    irlmeet("contact", "add", "Jonas Weber", "--city", "Potsdam", "--last-seen", "2024-06-01")
    irlmeet("contact", "add", "Felix Braun", "--city", "Hamburg")
    trip_id = irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10",
                      "--name", "DataConf Berlin").out.strip()
    assert trip_id and len(trip_id.split()) == 1

    trips = json.loads(irlmeet("trip", "list", "--json").out)
    assert [t["id"] for t in trips] == [trip_id]
    assert trips[0]["destination"]["tz"] == "Europe/Berlin"

    plan = json.loads(irlmeet("plan", "DataConf", "--json").out)
    names = [p["name"] for p in plan["proposals"]]
    assert names == ["Ada Brandt", "Jonas Weber"], "Hamburg is not near Berlin"
    first = plan["proposals"][0]
    assert first["contact_id"] == ada and "never met in person" in first["reasons"]
    start = datetime.fromisoformat(first["start"])
    assert start.utcoffset() is not None and start.utcoffset().total_seconds() == 3600  # CET
    assert datetime.fromisoformat(first["start_your_time"]) == start
    assert datetime.fromisoformat(first["start_your_time"]).utcoffset().total_seconds() == 0  # Lisbon

    text = irlmeet("plan", trip_id).out
    assert "Ada Brandt" in text and "why:" in text and "when:" in text

    run = irlmeet("draft", "DataConf", "Ada")
    d = run.out
    assert d.startswith("Subject: "), "the draft alone on stdout"
    assert "to: ada@example.org (email)" in run.err
    assert "PyCon DE 2024 sprints" in d and "Sam Rivera" in d

    out = tmp_path / "berlin.ics"
    assert "wrote 2 meetups" in irlmeet("export", "DataConf", "-o", str(out), "--ideas").out
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 2
    uids = sorted(str(e["UID"]) for e in events)
    assert all(str(e["STATUS"]) == "TENTATIVE" for e in events)

    irlmeet("export", "DataConf", "-o", str(out), "--ideas")
    again = icalendar.Calendar.from_ical(out.read_bytes())
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == uids, "re-export must not duplicate events"
    assert os.stat(data_file(tmp_path)).st_mode & 0o777 == 0o600


def test_contact_list_near_a_city_with_a_radius(irlmeet):
    irlmeet("contact", "add", "Maya Chen", "--city", "Brooklyn, NY")
    irlmeet("contact", "add", "Grace Liu", "--city", "San Jose, CA")
    irlmeet("contact", "add", "Marcus Bell", "--city", "Hoboken, NJ")
    rows = json.loads(irlmeet("contact", "list", "--near", "NYC", "--json").out)
    assert [r["distance_km"] for r in rows] == sorted(r["distance_km"] for r in rows), "nearest first"
    assert {r["name"] for r in rows} == {"Maya Chen", "Marcus Bell"}
    assert all(r["distance_km"] < 50 for r in rows)
    rows = json.loads(irlmeet("contact", "list", "--near", "San Francisco", "--json").out)
    assert [r["name"] for r in rows] == ["Grace Liu"], "San Jose is in the Bay Area"
    assert "nobody within 5 km" in irlmeet("contact", "list", "--near", "Berlin", "--radius", "5").out
    assert len(json.loads(irlmeet("contact", "list", "--json").out)) == 3


def test_unknown_city_is_a_clear_error_and_stores_nothing(irlmeet, tmp_path):
    irlmeet("contact", "add", "Ada", "--city", "Berln", ok=False)
    assert irlmeet.code == 1
    assert "Berln" in irlmeet.err and "Berlin" in irlmeet.err and "Traceback" not in irlmeet.err
    assert json.loads(irlmeet("contact", "list", "--json").out) == []


def test_ambiguous_city_lists_the_candidates(irlmeet):
    irlmeet("trip", "add", "Portland", "--from", "2026-12-01", "--to", "2026-12-02", ok=False)
    assert irlmeet.code == 1
    assert "'Portland' could be several cities" in irlmeet.err
    assert "Portland, OR" in irlmeet.err and "Portland, ME" in irlmeet.err
    irlmeet("trip", "add", "Portland, ME", "--from", "2026-12-01", "--to", "2026-12-02")
    assert json.loads(irlmeet("trip", "list", "--json").out)[0]["destination"]["tz"] == "America/New_York"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-02"], "from: '2026-13-01' is not a real date"),
        (["--from", "next monday", "--to", "2026-12-02"], "from: 'next monday' is not a date in the form YYYY-MM-DD"),
        (["--from", "2026-12-05", "--to", "2026-12-02"], "ends (2026-12-02) before it starts (2026-12-05)"),
    ],
)
def test_bad_dates_name_the_option(irlmeet, args, says):
    irlmeet("trip", "add", "Berlin", *args, ok=False)
    assert irlmeet.code == 1 and says in irlmeet.err
    assert json.loads(irlmeet("trip", "list", "--json").out) == []


def test_names_that_match_several_records_list_them(irlmeet):
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10", "--name", "Berlin one")
    irlmeet("trip", "add", "Berlin", "--from", "2027-02-08", "--to", "2027-02-10", "--name", "Berlin two")
    irlmeet("plan", "Berlin", ok=False)
    assert irlmeet.code == 1 and "matches several trips" in irlmeet.err
    assert "Berlin one" in irlmeet.err and "Berlin two" in irlmeet.err
    irlmeet("plan", "Berlni", ok=False)
    assert "no trip matches 'Berlni'" in irlmeet.err


def test_a_broken_data_file_is_reported_and_left_as_it_was(irlmeet, tmp_path):
    path = tmp_path / "mine.json"
    path.write_text('{"contacts": {"1": {"name": "Ada"', encoding="utf-8")
    before = path.read_bytes()
    irlmeet("--data", str(path), "contact", "add", "Bo", "--city", "Berlin", ok=False)
    assert irlmeet.code == 1
    assert str(path) in irlmeet.err and "Traceback" not in irlmeet.err
    assert path.read_bytes() == before


def test_locate_and_the_data_file_choice(irlmeet, tmp_path, env):
    assert irlmeet("locate", "data").out.strip() == str(data_file(tmp_path))
    assert irlmeet("--data", str(tmp_path / "x.json"), "locate", "data").out.strip() == str(tmp_path / "x.json")
    env["IRLMEET_DATA"] = str(tmp_path / "env.json")
    assert irlmeet("locate", "data").out.strip() == str(tmp_path / "env.json")
    assert irlmeet("locate", "config").out.strip() == str(tmp_path / "config" / "irlmeet" / "config.toml")
    assert irlmeet("locate", "themes").out.strip() == str(tmp_path / "config" / "irlmeet" / "themes")
    assert not (tmp_path / "x.json").exists(), "locate never creates the data file"


def test_a_bad_config_file_names_the_file_and_line(irlmeet, tmp_path):
    cfg = tmp_path / "config" / "irlmeet" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('radius_km = 40\ntheme = "dark\n', encoding="utf-8")
    irlmeet("trip", "list", ok=False)
    assert irlmeet.code == 1 and str(cfg) in irlmeet.err and "line 2" in irlmeet.err


def test_demo_runs_on_a_temporary_copy(irlmeet, tmp_path):
    trips = json.loads(irlmeet("--demo", "trip", "list", "--json").out)
    assert [t["name"] for t in trips] == ["DataConf Berlin", "Client visit New York"]
    plan = json.loads(irlmeet("--demo", "plan", "DataConf", "--json").out)
    assert len(plan["proposals"]) >= 8
    top = plan["proposals"][0]
    assert top["score"] == round(sum(r["points"] for r in top["breakdown"]), 1), "the score is its reasons' points"
    assert any("never met in person" in p["reasons"] for p in plan["proposals"])
    assert not data_file(tmp_path).exists(), "the user's data file is never created by --demo"


def test_the_installed_command_reports_errors_without_a_traceback(tmp_path, env):
    exe = shutil.which("irlmeet", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed"
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\x00\x01not json")
    r = subprocess.run([exe, "--data", str(bad), "trip", "list"], capture_output=True, text=True, env=env)
    assert r.returncode == 1 and str(bad) in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "irlmeet", "--help"], capture_output=True, text=True, env=env)
    assert r.returncode == 0
    for command in ("contact", "trip", "plan", "draft", "export", "locate", "--demo", "--data"):
        assert command in r.stdout


def test_draft_channels_variants_json_and_follow_up(irlmeet, tmp_path):
    from dataclasses import replace as _replace

    from irlmeet.core.store import Store

    irlmeet("me", "--name", "Sam Rivera", "--home", "New York")
    irlmeet("contact", "add", "Ada Brandt", "--city", "Berlin", "--email", "ada@example.org", "--nickname", "Adi",
            "--met-at", "PyCon DE 2024", "--topic", "property-based testing", "--linkedin", "ada-brandt",
            "--notes", "SECRET-NOTE")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10", "--name", "DataConf Berlin")
    texts = {}
    for channel in ("email", "linkedin-note", "dm", "sms", "post"):
        data = json.loads(irlmeet("draft", "DataConf", "Ada", "--channel", channel, "--json").out)
        assert data["channel"] == channel and isinstance(data["warnings"], list)
        assert len(data["options"]) >= 2
        for o in data["options"]:
            assert datetime.fromisoformat(o["start"]).utcoffset().total_seconds() == 3600  # the reader's (Berlin) offset
        assert data["variants"] == 3 and 1 <= data["variant"] <= 3
        assert "SECRET-NOTE" not in json.dumps(data)
        if data["cap"]:
            assert len(data["body"]) <= data["cap"]
        texts[channel] = data
    assert texts["email"]["subject"] and not texts["sms"]["subject"]
    assert texts["dm"]["to"] == "https://www.linkedin.com/in/ada-brandt"
    assert any("invitation notes a month" in h for h in texts["linkedin-note"]["hints"])
    plain = irlmeet("draft", "DataConf", "Ada", "--channel", "sms").out
    assert plain.strip() == texts["sms"]["body"]
    v = {irlmeet("draft", "DataConf", "Ada", "--variant", str(n)).out for n in (1, 2, 3)}
    assert len(v) == 3
    for bad in (("--variant", "0"), ("--channel", "fax")):
        with pytest.raises(SystemExit) as exc:
            irlmeet("draft", "DataConf", "Ada", *bad, ok=False)
        assert exc.value.code == 2

    # The thank-you needs a meetup marked met.
    assert "marked met" in irlmeet("draft", "DataConf", "Ada", "--follow-up", ok=False).err
    irlmeet("export", "DataConf", "-o", str(tmp_path / "x.ics"))
    store = Store(data_file(tmp_path))
    with store.transaction():
        (m,) = store.meetups(store.trips()[0].id)
        store.put_meetups([_replace(m, status="met")])
    thanks = irlmeet("draft", "DataConf", "Ada", "--follow-up").out
    assert "Adi" in thanks and "property-based testing" in thanks and "hank" in thanks


def test_locate_templates(irlmeet, tmp_path):
    assert irlmeet("locate", "templates").out.strip() == str(tmp_path / "config" / "irlmeet" / "templates")
