"""A meetup from proposal to "we met", through the real CLI (`main()` with a real data file and
an injected clock that the test moves forward): each step checked in the contacts and in the
exported .ics (STATUS, SEQUENCE, title, UID)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from irlmeet.cli import main
from irlmeet.core import ics
from irlmeet.core.models import BusyBlock, Meetup
from irlmeet.core.store import Store

LISBON = ZoneInfo("Europe/Lisbon")
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2027, 5, 1, 9, 0, tzinfo=LISBON)  # nine days before the trip


@pytest.fixture(scope="session")
def cycle_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache-cycle")


class Cli:
    def __init__(self, env, tmp_path: Path):
        self.env = env
        self.now = START
        self.tmp = tmp_path
        self.data = tmp_path / "data" / "irlmeet" / "irlmeet.json"

    def __call__(self, *argv: str, ok: bool = True) -> Cli:
        out, err = io.StringIO(), io.StringIO()
        self.code = main(list(argv), env=self.env, clock=lambda: self.now, out=out, err=err)
        self.out, self.err = out.getvalue(), err.getvalue()
        if ok:
            assert self.code == 0, f"{argv} failed ({self.code}): {self.err}"
        return self

    def json(self, *argv: str):
        return json.loads(self(*argv, "--json").out)

    def meetups(self, trip: str = "Conf", *more: str) -> dict[str, dict]:
        return {m["people"][0]["name"]: m for m in self.json("meetup", "list", trip, *more)}

    def export(self, *flags: str) -> dict[str, dict]:
        path = self.tmp / "trip.ics"
        self("export", "Conf", "-o", str(path), *flags)
        return {ev["uid"]: ev for ev in ics.read_events(path.read_bytes())}

    def contact(self, name: str) -> dict:
        return self.json("contact", "show", name)

    def store(self) -> Store:
        return Store(self.data)


@pytest.fixture
def cli(tmp_path, cycle_cache, monkeypatch) -> Cli:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cycle_cache))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    run = Cli(dict(os.environ), tmp_path)
    run("me", "--name", "Sam", "--home", "Lisbon")
    run("contact", "add", "Ada Brandt", "--city", "Berlin", "--how-we-met", "the PyCon sprints")
    run("contact", "add", "Jonas Weber", "--city", "Potsdam", "--last-seen", "2024-06-01")
    run("trip", "add", "Berlin", "--from", "2027-05-10", "--to", "2027-05-12", "--name", "Conf")
    return run


def _event(cal: dict[str, dict], uid: str) -> dict:
    assert uid in cal, f"{uid} not in the export: {[e['summary'] for e in cal.values()]}"
    return cal[uid]


def _uid(cli: Cli, meetup_id: str) -> str:
    with cli.store() as s:
        return s.meetup(meetup_id).uid


def test_the_full_cycle_propose_accept_invite_confirm_move_met_debrief(cli):
    proposals = {p["name"]: p for p in cli.json("plan", "Conf")["proposals"]}
    proposed = proposals["Ada Brandt"]
    assert proposed["start"] and proposed["kind"] == "coffee"
    title = "Coffee with Ada Brandt"

    # accept: the proposal becomes a planned meetup at the time the plan showed
    out = cli("meetup", "accept", "Conf", "Ada").out
    assert out.startswith("Ada Brandt's coffee: planned, ")
    cli("meetup", "accept", "Conf", "Jonas")
    ada = cli.meetups()["Ada Brandt"]
    assert ada["status"] == "planned"
    assert datetime.fromisoformat(ada["start"]) == datetime.fromisoformat(proposed["start"])
    assert ada["start"].endswith("+02:00") and ada["conflict"] is None
    uid = _uid(cli, ada["id"])
    cal = cli.export()
    ev = _event(cal, uid)
    assert (ev["status"], ev["sequence"], ev["summary"], ev["transp"]) == ("TENTATIVE", 1, f"{title} (pencilled in)", "OPAQUE")
    assert "PyCon" not in ev["description"] and "Status: pencilled in" in ev["description"]
    assert cli.contact("Ada")["last_seen"] is None

    # invite: still pencilled in, the calendar takes the change
    cli("meetup", "invite", "Conf", "Ada")
    ev = _event(cli.export(), uid)
    assert (ev["status"], ev["sequence"], ev["summary"]) == ("TENTATIVE", 2, f"{title} (pencilled in)")

    # confirm: CONFIRMED, and the title says so to a client that ignores STATUS
    cli("meetup", "confirm", ada["id"])
    ev = _event(cli.export(), uid)
    assert (ev["status"], ev["sequence"], ev["summary"]) == ("CONFIRMED", 3, title)

    # move: the free slots are offered, numbered; picking one keeps the status and the UID
    listing = cli("meetup", "move", "Conf", "Ada").out
    assert "Free slots (Europe/Berlin):" in listing
    first = next(line for line in listing.splitlines() if line.strip().startswith("1. "))
    options = cli.json("meetup", "move", "Conf", "Ada")
    assert options[0]["slot"] == 1 and options[0]["start"][11:16] in first
    taken = {cli.meetups()["Jonas Weber"]["start"]}
    assert all(o["start"] not in taken for o in options), "a held meetup's time is not offered"
    cli("meetup", "move", "Conf", "Ada", "--slot", "1")
    moved = cli.meetups()["Ada Brandt"]
    assert moved["start"] == options[0]["start"] and moved["status"] == "confirmed"
    cli("meetup", "move", "Conf", "Ada", "--to", "2027-05-11 18:00")
    moved = cli.meetups()["Ada Brandt"]
    assert moved["start"] == "2027-05-11T18:00:00+02:00"
    assert moved["id"] == ada["id"]
    ev = _event(cli.export(), uid)
    assert (ev["status"], ev["sequence"], ev["summary"]) == ("CONFIRMED", 5, moved["kind"].capitalize() + " with Ada Brandt")
    assert ev["start"] == datetime(2027, 5, 11, 18, 0, tzinfo=BERLIN)

    # met: refused before its time, then last seen is the meetup's own date
    cli("meetup", "met", "Conf", "Ada", ok=False)
    assert cli.code == 1 and "once its time has come" in cli.err
    cli.now = datetime(2027, 5, 11, 20, 0, tzinfo=BERLIN)
    out = cli("meetup", "met", "Conf", "Ada").out
    assert "Ada Brandt: last seen 2027-05-11" in out
    ada_contact = cli.contact("Ada")
    assert ada_contact["last_seen"] == "2027-05-11" and ada_contact["last_contacted"] == "2027-05-11"
    assert cli.contact("Jonas")["last_seen"] == "2024-06-01", "only the people there"
    ev = _event(cli.export(), uid)
    assert (ev["status"], ev["sequence"], ev["summary"]) == ("CONFIRMED", 6, moved["kind"].capitalize() + " with Ada Brandt")

    # debrief: once the trip is over, Jonas's planned meetup waits to be recorded
    cli.now = datetime(2027, 5, 13, 10, 0, tzinfo=BERLIN)
    d = cli.json("debrief", "Conf")
    assert d["over"] is True
    assert [m["people"][0]["name"] for m in d["to_record"]] == ["Jonas Weber"]
    assert [(m["people"][0]["name"], m["status"]) for m in d["recorded"]] == [("Ada Brandt", "met")]
    agenda = cli.json("agenda")
    assert [(x["trip"], x["open"]) for x in agenda["debriefs"]] == [("Conf", 1)]
    assert "irlmeet debrief" in cli("agenda").out
    cli("meetup", "missed", "Conf", "Jonas")
    assert cli.json("debrief", "Conf")["to_record"] == []
    assert cli.json("agenda")["debriefs"] == []
    assert cli.contact("Jonas")["last_seen"] == "2024-06-01", "a missed meetup is no sighting"


def test_wrong_moves_are_clear_errors_that_change_nothing(cli):
    cli("meetup", "accept", "Conf", "Ada")
    cli("meetup", "decline", "Conf", "Ada")
    with cli.store() as s:
        before = {m.id: m for m in s.meetups()}
    cli("meetup", "confirm", "Conf", "Ada", ok=False)
    assert cli.code == 1
    assert "Ada Brandt's coffee is declined; it can't be confirmed - accept it again first" in cli.err
    with cli.store() as s:
        assert {m.id: m for m in s.meetups()} == before, "nothing stored"

    cli("meetup", "accept", "Conf", "Ada")  # reopens the same meetup
    cli("meetup", "invite", "Conf", "Ada")
    cli("meetup", "invite", "Conf", "Ada", ok=False)
    assert "Ada Brandt's coffee is already invited" in cli.err
    cli("meetup", "skip", "Conf", "Ada", ok=False)
    assert "it can't be skipped - they were invited; cancel it instead" in cli.err
    jonas = cli.meetups()["Jonas Weber"]
    assert jonas["status"] == "idea"
    cli("meetup", "confirm", jonas["id"], ok=False)
    assert "Jonas Weber's" in cli.err and "is still an idea; it can't be confirmed - accept it first" in cli.err
    cli("meetup", "move", "Conf", "Ada", "--to", "2027-06-01 10:00", ok=False)
    assert "--to: 2027-06-01 10:00 is outside the trip (2027-05-10 to 2027-05-12)" in cli.err
    cli("meetup", "move", "Conf", "Ada", "--slot", "99", ok=False)
    assert "--slot: 99 is not one of the" in cli.err
    assert len(cli.meetups()) == 2


def test_a_person_with_several_meetups_on_a_trip_is_ambiguous_and_the_ids_are_listed(cli):
    cli("meetup", "accept", "Conf", "Ada")
    ada = cli.meetups()["Ada Brandt"]
    with cli.store() as s:
        one = s.meetup(ada["id"])
        people = tuple(c.id for c in sorted(s.contacts(), key=lambda c: c.name))
        group = dataclasses.replace(one, id="group1", uid=ics.new_meetup_uid(one.trip_id, "group1"),
                                    contact_ids=people, kind="dinner", start=one.start + timedelta(days=1, hours=8),
                                    end=one.start + timedelta(days=1, hours=10), sequence=0)
        s.put_meetup(group)
    cli("meetup", "invite", "Conf", "Ada", ok=False)
    assert cli.code == 1
    assert "matches several meetups; use an id" in cli.err
    assert f"  {ada['id']}  Ada Brandt's coffee" in cli.err
    assert "  group1  the group dinner with Ada Brandt and Jonas Weber" in cli.err
    cli("meetup", "invite", "group1")
    assert {m["id"]: m["status"] for m in cli.json("meetup", "list", "Conf")}["group1"] == "invited"


def test_a_busy_block_over_a_planned_meetup_is_a_conflict_not_a_move(cli):
    cli("meetup", "accept", "Conf", "Ada")
    ada = cli.meetups()["Ada Brandt"]
    uid = _uid(cli, ada["id"])
    start = datetime.fromisoformat(ada["start"])
    with cli.store() as s, s.transaction():  # `busy add` is another part of issue 7: the store does it here
        trip = s.trip(ada["trip_id"])
        s.put_trip(dataclasses.replace(trip, busy=(BusyBlock(start - timedelta(hours=1), start + timedelta(hours=3),
                                                             "Keynote rehearsal"),)))
    after = cli.meetups()["Ada Brandt"]
    assert after["start"] == ada["start"] and after["status"] == "planned", "never rescheduled"
    assert after["conflict"].startswith("overlaps busy time 'Keynote rehearsal'")
    listing = cli("meetup", "list", "Conf").out
    assert "conflict: overlaps busy time 'Keynote rehearsal'" in listing
    assert "conflict: overlaps busy time" in cli("plan", "Conf").out
    ev = _event(cli.export(), uid)
    assert "Conflict: overlaps busy time (to resolve in irlmeet)" in ev["description"]
    assert "Keynote" not in ev["description"], "busy titles stay private"
    assert [c["id"] for c in cli.json("agenda")["conflicts"]] == [ada["id"]]

    # The trip is shortened: the meetup stays where it was, flagged as outside the trip.
    assert ada["start"].startswith("2027-05-10"), "the best-ranked person gets the first day"
    cli("trip", "edit", "Conf", "--from", "2027-05-11")
    after = cli.meetups()["Ada Brandt"]
    assert after["start"] == ada["start"] and after["status"] == "planned"
    assert after["conflict"] == "outside the trip, which now runs 11 May to 12 May 2027"

    # Moving it to a free slot resolves it.
    cli("trip", "edit", "Conf", "--from", "2027-05-10")
    cli("meetup", "move", "Conf", "Ada", "--slot", "1")
    assert cli.meetups()["Ada Brandt"]["conflict"] is None


def test_export_holds_what_was_acted_on_ideas_only_on_request_and_details_only_on_request(cli):
    assert cli.export() == {}, "nothing accepted: an empty calendar"
    assert "nothing is planned yet" in cli.err
    with_ideas = cli.export("--ideas")
    assert sorted(e["summary"] for e in with_ideas.values()) == [
        "Coffee with Ada Brandt (idea)", "Lunch with Jonas Weber (idea)",
    ]
    assert all((e["status"], e["transp"]) == ("TENTATIVE", "TRANSPARENT") for e in with_ideas.values())
    assert not any("PyCon" in e["description"] for e in with_ideas.values())
    detailed = cli.export("--ideas", "--details")
    assert any("Ada Brandt (the PyCon sprints)" in e["description"].splitlines() for e in detailed.values())

    cli("meetup", "accept", "Conf", "Ada")
    cli("meetup", "skip", "Conf", "Jonas")  # exported as an idea above: the calendar must drop it
    cal = cli.export()
    summaries = sorted((e["summary"], e["status"], e["transp"]) for e in cal.values())
    assert summaries == [
        ("Cancelled: Lunch with Jonas Weber", "CANCELLED", "TRANSPARENT"),
        ("Coffee with Ada Brandt (pencilled in)", "TENTATIVE", "OPAQUE"),
    ]
    assert set(cal) <= set(with_ideas), "the same UIDs as before"
    cli("meetup", "cancel", "Conf", "Ada")
    cal = cli.export()
    assert sorted((e["summary"], e["status"]) for e in cal.values()) == [
        ("Cancelled: Coffee with Ada Brandt", "CANCELLED"), ("Cancelled: Lunch with Jonas Weber", "CANCELLED"),
    ]
    assert "cancelled" in cli.out
    # A cancelled meetup keeps its people out of this trip's plan; accept reopens it.
    notes = {p["name"]: p["note"] for p in cli.json("plan", "Conf")["proposals"]}
    assert notes == {"Ada Brandt": "cancelled on this trip", "Jonas Weber": "skipped on this trip"}


def test_an_idea_never_exported_and_then_skipped_stays_out_of_the_calendar(cli):
    cli("meetup", "skip", "Conf", "Jonas")
    cli("meetup", "accept", "Conf", "Ada")
    assert [e["summary"] for e in cli.export().values()] == ["Coffee with Ada Brandt (pencilled in)"]


def test_agenda_lists_invitations_to_send_with_a_send_by_date_from_the_config(cli, tmp_path):
    cli("meetup", "accept", "Conf", "Ada")
    ada = cli.meetups()["Ada Brandt"]
    day = datetime.fromisoformat(ada["start"]).date()
    agenda = cli.json("agenda")
    (row,) = agenda["to_send"]
    assert row["id"] == ada["id"] and row["send_by"] == (day - timedelta(days=10)).isoformat()
    assert row["overdue"] is True, "ten days before a 1:1 is already past on 1 May"
    assert [u["id"] for u in agenda["upcoming"]] == [ada["id"]]
    assert "OVERDUE send by" in cli("agenda").out

    config = tmp_path / "config" / "irlmeet" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("send_by_days_1to1 = 4\n")
    (row,) = cli.json("agenda")["to_send"]
    assert row["send_by"] == (day - timedelta(days=4)).isoformat() and row["overdue"] is False
    cli("meetup", "invite", "Conf", "Ada")
    assert cli.json("agenda")["to_send"] == [], "sent: nothing left to send"
    config.write_text("send_by_days_1to1 = -1\n")
    cli("agenda", ok=False)
    assert "send_by_days_1to1 must be a whole number of days from 0 to 90" in cli.err


def test_a_group_meetup_is_sent_about_three_days_before(cli):
    cli("meetup", "accept", "Conf", "Ada")
    with cli.store() as s:
        one = next(m for m in s.meetups() if m.status.value == "planned")
        people = tuple(c.id for c in s.contacts())
        group = Meetup(id="g1", trip_id=one.trip_id, contact_ids=people, kind="group", start=one.start + timedelta(hours=8),
                       end=one.start + timedelta(hours=11), uid=ics.new_meetup_uid(one.trip_id, "g1"), status="planned")
        s.put_meetup(group)
    cli.now = datetime(2027, 5, 6, 9, 0, tzinfo=BERLIN)
    rows = {r["id"]: r["send_by"] for r in cli.json("agenda")["to_send"]}
    assert rows["g1"] == (group.start.astimezone(BERLIN).date() - timedelta(days=3)).isoformat()


def test_meetup_list_names_a_removed_contact_and_their_meetup_is_cancelled_under_its_uid(cli):
    cli("meetup", "accept", "Conf", "Ada")
    ada = cli.meetups()["Ada Brandt"]
    uid = _uid(cli, ada["id"])
    cli.export()
    cli("contact", "rm", "Ada")
    ev = _event(cli.export(), uid)
    assert ev["status"] == "CANCELLED" and ev["summary"] == "Cancelled: Coffee with someone"
    rows = {m["id"]: m for m in cli.json("meetup", "list", "Conf")}
    assert rows[ada["id"]]["status"] == "cancelled" and rows[ada["id"]]["people"][0]["name"] is None


def test_schema_3_meetups_migrate_as_exported_and_old_cancelled_ideas_become_dropped():
    from irlmeet.core.store.steps import v3_to_v4

    raw = {"meetups": {"a": {"id": "a", "status": "cancelled"}, "b": {"id": "b", "status": "confirmed"}}}
    out = v3_to_v4(raw)["meetups"]
    assert out["a"] == {"id": "a", "status": "dropped", "exported": True}
    assert out["b"] == {"id": "b", "status": "confirmed", "exported": True}


def test_a_schema_2_file_with_meetups_runs_every_step_after_one_backup(tmp_path):
    """Schema 2 -> 3 (busy ids, RSVPs), 3 -> 4 (exported, dropped), 4 -> 5 (kept drafts): a real
    file opened by the Store keeps its meetups, with every field of the new schema."""
    import orjson

    from irlmeet.core.store.migrations import SCHEMA_VERSION

    db = tmp_path / "irlmeet.json"
    start = datetime(2027, 5, 11, 10, 0, tzinfo=BERLIN)
    with Store(db) as s:
        s.put_trip(_trip_doc())
        for mid, status in (("m-idea", "cancelled"), ("m-ok", "confirmed")):
            s.put_meetup(Meetup(id=mid, trip_id="t1", contact_ids=("c1",), kind="coffee", start=start,
                                end=start + timedelta(minutes=45), uid=f"{mid}@irlmeet", status=status))
    raw = orjson.loads(db.read_bytes())
    raw["_meta"]["meta"]["schema"] = 2
    for doc in raw["meetups"].values():
        doc.pop("rsvp"), doc.pop("exported"), doc.pop("draft_text"), doc.pop("draft_channel")
    for doc in raw["trips"].values():
        for b in doc["busy"]:
            b.pop("id")
    db.write_bytes(orjson.dumps(raw))
    with Store(db) as s:
        idea, ok = s.meetup("m-idea"), s.meetup("m-ok")
        assert (idea.status.value, idea.exported, dict(idea.rsvp), idea.draft_text) == ("dropped", True, {}, "")
        assert (ok.status.value, ok.exported) == ("confirmed", True)
        assert s.trip("t1").busy[0].id
    assert db.with_name(db.name + ".v2.bak").exists()
    assert orjson.loads(db.read_bytes())["_meta"]["meta"]["schema"] == SCHEMA_VERSION  # every step ran


def _trip_doc():
    from irlmeet.core.models import Trip
    from tests.conftest import BERLIN as BERLIN_PLACE

    busy = (BusyBlock(datetime(2027, 5, 11, 13, 0, tzinfo=BERLIN), datetime(2027, 5, 11, 17, 0, tzinfo=BERLIN), "Talks"),)
    return Trip(id="t1", name="T", destination=BERLIN_PLACE, start=date(2027, 5, 10), end=date(2027, 5, 12), busy=busy)
