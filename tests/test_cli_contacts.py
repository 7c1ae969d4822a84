"""`contact add/edit/show/rm/merge` and `trip edit/rm` through `cli.main` on a real data file."""

from __future__ import annotations

import json

import pytest

from irlmeet.core import ics
from tests.conftest import data_file

ADA_FLAGS = (
    "--nickname", "Adi", "--company", "Acme GmbH", "--role", "Staff engineer",
    "--city", "Berlin", "--city", "work=Potsdam", "--tz", "Europe/Berlin",
    "--email", "ada@example.org", "--email", "ada@work.example", "--phone", "+49 30 1234567",
    "--linkedin", "https://de.linkedin.com/in/Ada-Brandt/?trk=x",
    "--handle", "mastodon:@ada@example.social", "--handle", "bluesky:ada.bsky.social", "--prefer", "mastodon",
    "--met-at", "PyCon DE 2024 sprints", "--met-via", "my friend Lea", "--met-on", "2024-04-24",
    "--topic", "property-based testing", "--how-we-met", "the PyCon DE 2024 sprints",
    "--circle", "both", "--closeness", "4", "--cadence", "6m", "--last-seen", "2024-04-26",
    "--last-contacted", "2026-09-01", "--tag", "python", "--tag", "testing",
    "--notes", "Vegetarian.\nAsk about the climbing trip.",
)


def _add(irlmeet, *argv) -> dict:
    return json.loads(irlmeet("contact", "add", *argv, "--json").out)


def _show(irlmeet, ref) -> dict:
    return json.loads(irlmeet("contact", "show", ref, "--json").out)


def test_add_takes_every_field_flag_and_show_json_prints_every_field(irlmeet, tmp_path):
    added = irlmeet("contact", "add", "Ada Brandt", *ADA_FLAGS)
    assert added.out.splitlines()[0].startswith("Added Ada Brandt, Berlin, Germany; work: Potsdam, Brandenburg, Germany (id ")
    assert "cadence:        every 6 months" in added.out or "every 6 months" in added.out
    shown = _show(irlmeet, "Ada")
    assert shown == {
        "id": shown["id"], "name": "Ada Brandt", "places": shown["places"], "circle": "both",
        "how_we_met": "the PyCon DE 2024 sprints", "met_on": "2024-04-24",
        "emails": ["ada@example.org", "ada@work.example"], "phones": ["+49 30 1234567"],
        "handles": {"mastodon": "@ada@example.social", "bluesky": "ada.bsky.social"},
        "tags": ["python", "testing"], "notes": "Vegetarian.\nAsk about the climbing trip.",
        "last_seen": "2024-04-26", "last_contacted": "2026-09-01", "cadence_days": 180, "do_not_invite": False,
        "nickname": "Adi", "company": "Acme GmbH", "role": "Staff engineer", "tz": "Europe/Berlin",
        "linkedin": "https://www.linkedin.com/in/ada-brandt", "preferred": "mastodon",
        "met_at": "PyCon DE 2024 sprints", "met_via": "my friend Lea", "topic": "property-based testing",
        "closeness": 4, "do_not_invite_reason": "", "birthday": "", "sources": [], "circle_open": False,
    }
    assert [(p["label"], p["place"]["name"]) for p in shown["places"]] == [("home", "Berlin"), ("work", "Potsdam")]
    listed = json.loads(irlmeet("contact", "list", "--json").out)
    assert listed[0]["nickname"] == "Adi" and listed[0]["met_at"] == "PyCon DE 2024 sprints"

    text = irlmeet("contact", "show", shown["id"]).out
    for line in ("nickname:       Adi", "cadence:        every 6 months", "closeness:      4/5",
                 "handles:        mastodon @ada@example.social, bluesky ada.bsky.social",
                 "cities:         home: Berlin, Germany; work: Potsdam, Brandenburg, Germany",
                 "  Ask about the climbing trip."):
        assert line in text


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--email", "ada-at-example"), "--email: 'ada-at-example' is not an email address"),
        (("--handle", "mastodon:ada"), "--handle: 'ada' is not a Mastodon handle"),
        (("--handle", "nocolon"), "--handle: 'nocolon' is not SERVICE:HANDLE"),
        (("--prefer", "phone"), "--prefer: 'phone' is not one of this contact's channels"),
        (("--cadence", "6q"), "--cadence: '6q' is not a cadence"),
        (("--tz", "Berlin"), "--tz: 'Berlin' is not a known IANA time zone"),
        (("--city", "flat=Berlin"), "--city: 'flat' is not one of: home, work, other"),
        (("--linkedin", "https://example.org/ada"), "--linkedin: 'https://example.org/ada' is not a LinkedIn profile URL"),
        (("--met-on", "2030-01-01"), "--met-on: 2030-01-01 is in the future"),
        (("--reason", "moved"), "--reason: goes with --do-not-invite"),
        (("--nickname", "A\x1b[2Jda"), "--nickname: contains a control character (ESC)"),
    ],
)
def test_a_bad_flag_is_named_and_nothing_is_stored(irlmeet, argv, says):
    irlmeet("contact", "add", "Ada Brandt", "--city", "Berlin", *argv, ok=False)
    assert irlmeet.code != 0 and says in irlmeet.err
    assert json.loads(irlmeet("contact", "list", "--json").out) == []


def test_a_likely_duplicate_is_refused_unless_forced(irlmeet):
    ada = _add(irlmeet, "Ada Brandt", "--city", "Berlin", "--email", "ada@example.org",
               "--linkedin", "linkedin.com/in/ada-brandt")
    for argv, why in [
        (("Ada Brandt", "--city", "Berlin"), "same name and city (Berlin)"),
        (("ADA  brändt", "--city", "Berlin, Germany"), "same name and city (Berlin)"),
        (("A. Brandt", "--city", "Munich", "--email", "ADA@example.org"), "same email ada@example.org"),
        (("Ada", "--linkedin", "https://www.linkedin.com/in/Ada-Brandt/"), "same LinkedIn profile"),
    ]:
        irlmeet("contact", "add", *argv, ok=False)
        assert irlmeet.code == 1 and "looks like a contact you already have" in irlmeet.err
        assert f"{ada['id']}  Ada Brandt (Berlin, DE): {why}" in irlmeet.err and "--force" in irlmeet.err
    assert len(json.loads(irlmeet("contact", "list", "--json").out)) == 1
    irlmeet("contact", "add", "Ada Brandt", "--city", "Berlin", "--force")
    assert len(json.loads(irlmeet("contact", "list", "--json").out)) == 2
    # Same name in another city is a different person.
    irlmeet("contact", "add", "Ada Brandt", "--city", "Hamburg")


def test_edit_sets_adds_removes_and_clears(irlmeet, capsys):
    ada = _add(irlmeet, "Ada Brandt", "--city", "Berlin", "--email", "ada@example.org", "--tag", "python",
               "--phone", "+49 30 1234567", "--prefer", "phone", "--nickname", "Adi")
    out = irlmeet("contact", "edit", "Ada", "--tag", "testing", "--email", "ada@work.example",
                  "--city", "work=Potsdam", "--company", "Acme", "--cadence", "1y", "--closeness", "5").out
    assert out.startswith(f"Updated Ada Brandt (id {ada['id']}): ")
    c = _show(irlmeet, ada["id"])
    assert c["tags"] == ["python", "testing"], "a repeatable flag adds on edit"
    assert c["emails"] == ["ada@example.org", "ada@work.example"]
    assert [p["label"] for p in c["places"]] == ["home", "work"]
    assert (c["company"], c["cadence_days"], c["closeness"]) == ("Acme", 365, 5)

    irlmeet("contact", "edit", "Ada", "--untag", "PYTHON", "--remove-email", "ada@example.org", "--remove-city", "work")
    c = _show(irlmeet, ada["id"])
    assert c["tags"] == ["testing"] and c["emails"] == ["ada@work.example"] and len(c["places"]) == 1

    irlmeet("contact", "edit", "Ada", "--clear", "nickname", "--clear", "phone", "--clear", "tags", "--clear", "cadence")
    c = _show(irlmeet, ada["id"])
    assert (c["nickname"], c["phones"], c["tags"], c["cadence_days"]) == ("", [], [], None)
    assert c["preferred"] == "", "clearing the preferred channel clears the preference"

    irlmeet("contact", "edit", "Ada", "--untag", "nope", ok=False)
    assert "--untag: 'nope' is not one of Ada Brandt's tags" in irlmeet.err
    with pytest.raises(SystemExit) as exc:
        irlmeet("contact", "edit", "Ada", "--clear", "name", ok=False)
    assert exc.value.code == 2 and "--clear: invalid choice: 'name'" in capsys.readouterr().err
    irlmeet("contact", "edit", "Ada", ok=False)
    assert "nothing to change" in irlmeet.err
    irlmeet("contact", "edit", "Ada", "--name", "Ada B. Brandt")
    assert _show(irlmeet, ada["id"])["name"] == "Ada B. Brandt"


def test_do_not_invite_with_a_reason_and_invite_undoes_it(irlmeet):
    irlmeet("me", "--home", "Lisbon")
    _add(irlmeet, "Ada Brandt", "--city", "Berlin")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10", "--name", "DataConf")
    irlmeet("contact", "edit", "Ada", "--do-not-invite", "--reason", "asked for no meetups")
    c = _show(irlmeet, "Ada")
    assert c["do_not_invite"] is True and c["do_not_invite_reason"] == "asked for no meetups"
    assert json.loads(irlmeet("plan", "DataConf", "--json").out)["proposals"] == []
    irlmeet("contact", "edit", "Ada", "--invite")
    c = _show(irlmeet, "Ada")
    assert c["do_not_invite"] is False and c["do_not_invite_reason"] == ""
    assert [p["name"] for p in json.loads(irlmeet("plan", "DataConf", "--json").out)["proposals"]] == ["Ada Brandt"]


def test_names_match_exact_then_word_prefix_then_substring_and_ambiguity_lists_cities(irlmeet):
    ada = _add(irlmeet, "Ada Brandt", "--city", "Berlin", "--nickname", "Adi")
    adam = _add(irlmeet, "Adam Smith", "--city", "Hamburg")
    jo = _add(irlmeet, "Jo Adamczyk", "--city", "Potsdam")
    assert _show(irlmeet, "ada brandt")["id"] == ada["id"]  # exact
    assert _show(irlmeet, "Brand")["id"] == ada["id"]  # word prefix
    assert _show(irlmeet, "adi")["id"] == ada["id"]  # nickname
    assert _show(irlmeet, "damc")["id"] == jo["id"]  # substring
    irlmeet("contact", "show", "Adam", ok=False)  # word prefix of Adam Smith and Jo Adamczyk
    assert "'Adam' matches several contacts; use an id" in irlmeet.err
    assert f"{adam['id']}  Adam Smith (Hamburg, DE)" in irlmeet.err
    assert f"{jo['id']}  Jo Adamczyk (Potsdam, DE)" in irlmeet.err


def _ics(irlmeet, tmp_path, trip="DataConf"):
    path = tmp_path / "trip.ics"
    irlmeet("export", trip, "-o", str(path), "--ideas")  # the proposals too: these tests follow ideas
    return {ev["uid"]: ev for ev in ics.read_events(path.read_bytes())}


def test_rm_cancels_the_contacts_meetups_so_a_reexported_calendar_drops_them(irlmeet, tmp_path):
    irlmeet("me", "--home", "Lisbon")
    ada = _add(irlmeet, "Ada Brandt", "--city", "Berlin")
    _add(irlmeet, "Jonas Weber", "--city", "Potsdam")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10", "--name", "DataConf")
    before = _ics(irlmeet, tmp_path)
    ada_uid = next(uid for uid, ev in before.items() if ev["summary"] == "Coffee with Ada Brandt (idea)")
    assert before[ada_uid]["status"] == "TENTATIVE"

    out = irlmeet("contact", "rm", "Ada").out
    assert out.startswith(f"Removed Ada Brandt (id {ada['id']})") and "cancelled 1 meetup (DataConf)" in out
    irlmeet("contact", "show", ada["id"], ok=False)
    assert "no contact matches" in irlmeet.err

    after = _ics(irlmeet, tmp_path)
    assert set(after) == set(before), "the same events, by UID"
    assert after[ada_uid]["status"] == "CANCELLED" and after[ada_uid]["sequence"] > before[ada_uid]["sequence"]
    assert "Ada" not in after[ada_uid]["summary"] + after[ada_uid]["description"]
    others = [ev for uid, ev in after.items() if uid != ada_uid]
    assert [ev["status"] for ev in others] == ["TENTATIVE"]


def test_merge_joins_two_contacts_and_moves_the_meetups(irlmeet, tmp_path):
    irlmeet("me", "--home", "Lisbon")
    a = _add(irlmeet, "Ada Brandt", "--city", "Berlin", "--email", "ada@example.org", "--tag", "python",
             "--last-seen", "2023-01-01", "--notes", "From the sprints.")
    b = _add(irlmeet, "Ada B.", "--city", "work=Potsdam", "--email", "ada@work.example", "--tag", "testing",
             "--nickname", "Adi", "--last-seen", "2024-06-01", "--handle", "x:@adab", "--notes", "Likes tea.")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10", "--name", "DataConf")
    before = _ics(irlmeet, tmp_path)
    assert len(before) == 2

    out = irlmeet("contact", "merge", "Ada Brandt", "Ada B.").out
    assert out.startswith(f"Merged Ada B. (id {b['id']}) into Ada Brandt (id {a['id']})")
    merged = _show(irlmeet, a["id"])
    assert merged["emails"] == ["ada@example.org", "ada@work.example"] and merged["tags"] == ["python", "testing"]
    assert [p["place"]["name"] for p in merged["places"]] == ["Berlin", "Potsdam"]
    assert merged["nickname"] == "Adi" and merged["handles"] == {"x": "@adab"}, "B fills A's blanks"
    assert merged["last_seen"] == "2024-06-01" and merged["notes"] == "From the sprints.\n\nLikes tea."
    assert [c["id"] for c in json.loads(irlmeet("contact", "list", "--json").out)] == [a["id"]]

    after = _ics(irlmeet, tmp_path)
    assert set(after) == set(before), "no event lost or added: B's idea is cancelled, A keeps one"
    assert sorted(ev["status"] for ev in after.values()) == ["CANCELLED", "TENTATIVE"]
    irlmeet("contact", "merge", "Ada", "Ada", ok=False)
    assert "cannot merge a contact with itself" in irlmeet.err


def test_trip_edit_and_rm(irlmeet, tmp_path):
    irlmeet("me", "--home", "Lisbon")
    _add(irlmeet, "Ada Brandt", "--city", "Berlin")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10", "--name", "DataConf")
    out = irlmeet("trip", "edit", "DataConf", "--name", "DataConf 2026", "--to", "2026-12-11", "--city", "Potsdam").out
    assert out.startswith("Updated DataConf 2026: Potsdam, Brandenburg, Germany, 8–11 Dec 2026")
    (t,) = json.loads(irlmeet("trip", "list", "--json").out)
    assert (t["name"], t["end"], t["destination"]["name"]) == ("DataConf 2026", "2026-12-11", "Potsdam")
    irlmeet("trip", "edit", "DataConf", "--to", "2026-12-01", ok=False)
    assert "to: the trip ends (2026-12-01) before it starts (2026-12-08)" in irlmeet.err

    _ics(irlmeet, tmp_path, "DataConf")  # stores the plan's meetup idea
    out = irlmeet("trip", "rm", "DataConf").out
    assert "Removed trip DataConf 2026" in out and "and its 1 meetup" in out
    assert json.loads(irlmeet("trip", "list", "--json").out) == []


def test_trip_rm_refuses_a_trip_with_confirmed_meetups_unless_forced(irlmeet, tmp_path):
    from irlmeet.core.store import Store

    irlmeet("me", "--home", "Lisbon")
    _add(irlmeet, "Ada Brandt", "--city", "Berlin")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10", "--name", "DataConf")
    _ics(irlmeet, tmp_path)
    from dataclasses import replace

    with Store(data_file(tmp_path)) as store:  # confirm the idea, as the meetup tracking would
        (m,) = store.meetups()
        store.put_meetup(replace(m, status="confirmed"))
    irlmeet("trip", "rm", "DataConf", ok=False)
    assert irlmeet.code == 1 and "(1 confirmed)" in irlmeet.err and "--force" in irlmeet.err
    assert len(json.loads(irlmeet("trip", "list", "--json").out)) == 1
    irlmeet("trip", "rm", "DataConf", "--force")
    assert json.loads(irlmeet("trip", "list", "--json").out) == []


def test_drafts_greet_by_nickname_in_the_zone_override(irlmeet):
    irlmeet("me", "--name", "Sam Rivera", "--home", "Lisbon")
    _add(irlmeet, "Ada Brandt", "--city", "Berlin", "--nickname", "Adi", "--tz", "America/New_York",
         "--email", "ada@example.org", "--notes", "SECRET-NOTE")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-10", "--name", "DataConf")
    draft = json.loads(irlmeet("draft", "DataConf", "Ada", "--json").out)
    assert draft["body"].split("\n", 1)[0] in ("Hi Adi,", "Hello Adi,")
    assert "SECRET-NOTE" not in json.dumps(draft)
    plan = json.loads(irlmeet("plan", "DataConf", "--json").out)
    assert plan["proposals"][0]["start_their_time"].endswith("-05:00")
    theirs = plan["proposals"][0]["start_their_time"][11:16]
    berlin = plan["proposals"][0]["start"][11:16]
    assert theirs != berlin
    assert theirs in draft["body"] and f"({berlin} Berlin time)" in draft["body"], "offered in New York time"
