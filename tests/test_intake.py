"""`irlmeet import`, `triage` and vCard export through `cli.main` on real data files (issue 9).

The exports are the real-format fixtures in tests/fixtures/imports (LinkedIn's Connections.csv
with its preamble, an Apple/Android/Outlook-shaped .vcf, Google's CSV); newer exports and
cross-source files are written here in the same formats.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import data_file

FIX = Path(__file__).parent / "fixtures" / "imports"
LINKEDIN = FIX / "linkedin-connections.csv"
VCF = FIX / "contacts.vcf"
GOOGLE = FIX / "google-contacts.csv"

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
PREAMBLE = 'Notes:\r\n"When exporting your connection data, you may notice that some of the email addresses are missing."\r\n\r\n'


def _contacts(irlmeet) -> list[dict]:
    return json.loads(irlmeet("contact", "list", "--json").out)


def _by_name(irlmeet) -> dict[str, dict]:
    return {c["name"]: c for c in _contacts(irlmeet)}


def _stored_bytes(tmp_path) -> dict[str, bytes]:
    folder = data_file(tmp_path).parent
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.endswith(".lock")}


def _import(irlmeet, kind, path, *more) -> dict:
    return json.loads(irlmeet("import", kind, str(path), "--json", *more).out)


def test_linkedin_export_comes_in_with_its_fields_and_problems_named(irlmeet):
    run = irlmeet("import", "linkedin", str(LINKEDIN))
    assert "5 people read" in run.out and "created 5, merged 0, updated 0, unchanged 0, needs a place 5" in run.out
    assert "skipped 1, errors 1" in run.out
    assert f"{LINKEDIN}, line 11: Lea Schmidt: Connected On '31 Foo 2024' is not a date" in run.err
    assert f"{LINKEDIN}, line 10: skipped, no name" in run.err
    people = _by_name(irlmeet)
    ana = people["Ana Müller"]
    assert ana["company"] == "Acme, Inc." and ana["role"] == "VP, Engineering"
    assert ana["linkedin"] == "https://www.linkedin.com/in/ana-mueller-4b2a1"
    assert ana["met_via"] == "LinkedIn" and ana["met_on"] == "2026-10-14"
    assert ana["places"] == [] and ana["circle_open"] is True
    assert [(s["kind"], s["id"], s["file"]) for s in ana["sources"]] == [
        ("linkedin", "https://www.linkedin.com/in/ana-mueller-4b2a1", "linkedin-connections.csv")]
    zoe = people["Zoë O'Brien"]
    assert zoe["role"] == 'Head of "Special" Projects' and zoe["emails"] == ["zoe@example.org"]
    assert people["Lea Schmidt"]["met_on"] is None, "the bad date was left out, the row kept"


def test_importing_the_same_file_twice_changes_nothing(irlmeet, tmp_path):
    irlmeet("import", "linkedin", str(LINKEDIN))
    irlmeet("import", "vcard", str(VCF))
    irlmeet("import", "google", str(GOOGLE))
    before = _stored_bytes(tmp_path)
    for kind, path in (("linkedin", LINKEDIN), ("vcard", VCF), ("google", GOOGLE)):
        again = _import(irlmeet, kind, path)
        assert (again["created"], again["merged"], again["updated"]) == (0, 0, 0), again
        assert again["unchanged"] > 0
    assert _stored_bytes(tmp_path) == before, "a second import writes nothing at all"


def test_a_newer_export_updates_what_changed_adds_who_is_new_and_keeps_user_edits(irlmeet, tmp_path):
    irlmeet("import", "linkedin", str(LINKEDIN))
    zoe = _by_name(irlmeet)["Zoë O'Brien"]["id"]
    irlmeet("contact", "edit", zoe, "--role", "Director of Projects", "--city", "Dublin")  # the user's own edits
    newer = tmp_path / "Connections.csv"
    newer.write_text(
        PREAMBLE + HEADER
        + 'Ana,Müller,https://www.linkedin.com/in/ana-mueller-4b2a1,ana@acme.example,Acme GmbH,CTO,14 Oct 2026\r\n'
        + "Zoë,O'Brien,https://www.linkedin.com/in/zoe-obrien,zoe@example.org,Kettle & Co,Head of Things,05 Mar 2024\r\n"
        + 'José,García Pérez,https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa/,,Universidad de Sevilla,Profesor,01 Jan 2020\r\n'
        + "Mei,Chen,https://www.linkedin.com/in/mei-chen,,Globex,Designer,02 Feb 2025\r\n",
        encoding="utf-8-sig",
    )
    report = _import(irlmeet, "linkedin", newer)
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 2, 1), report
    people = _by_name(irlmeet)
    assert len(people) == 6, "Mei is new; nobody is there twice"
    ana = people["Ana Müller"]
    assert ana["company"] == "Acme GmbH" and ana["role"] == "CTO" and ana["emails"] == ["ana@acme.example"]
    zoe_now = people["Zoë O'Brien"]
    assert zoe_now["role"] == "Director of Projects", "the user's edit is not overwritten"
    assert [p["place"]["name"] for p in zoe_now["places"]] == ["Dublin"]
    assert people["Mei Chen"]["company"] == "Globex"
    # ... and the newer export imported again is a no-op too.
    again = _import(irlmeet, "linkedin", newer)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)


def test_the_same_person_from_linkedin_and_a_vcard_is_merged_by_email_or_profile(irlmeet, tmp_path):
    irlmeet("import", "linkedin", str(LINKEDIN))
    ana_id = _by_name(irlmeet)["Ana Müller"]["id"]
    irlmeet("contact", "edit", ana_id, "--nickname", "Ani")
    cards = tmp_path / "phone.vcf"
    cards.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:O'Brien;Zo\xc3\xab;;;\r\nFN:Zo\xc3\xab O'Brien\r\n"
        b"EMAIL;type=INTERNET:ZOE@example.org\r\nTEL;type=CELL:+353 1 555 0101\r\n"
        b"ADR;type=HOME:;;1 Main St;Dublin;;;Ireland\r\nCATEGORIES:Friends\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana M\xc3\xbcller\r\nNICKNAME:Annie\r\nORG:Acme\\, Inc.\r\n"
        b"X-SOCIALPROFILE;TYPE=linkedin:https://de.linkedin.com/in/ana-mueller-4b2a1/\r\n"
        b"ADR;TYPE=work:;;;Berlin;;;Germany\r\nEMAIL:ana@private.example\r\nEND:VCARD\r\n"
    )
    run = irlmeet("import", "vcard", str(cards))
    assert "created 0, merged 2" in run.out
    assert "Zoë O'Brien merged into" in run.out and "same email ZOE@example.org" in run.out
    assert f"Ana Müller merged into {ana_id} (same LinkedIn profile)" in run.out
    people = _by_name(irlmeet)
    assert len(people) == 5
    zoe = people["Zoë O'Brien"]
    assert zoe["phones"] == ["+353 1 555 0101"] and [p["place"]["name"] for p in zoe["places"]] == ["Dublin"]
    assert zoe["circle"] == "personal" and zoe["circle_open"] is False
    assert zoe["role"] == 'Head of "Special" Projects', "LinkedIn's fields stay"
    assert {s["kind"] for s in zoe["sources"]} == {"linkedin", "vcard"}
    ana = people["Ana Müller"]
    assert ana["nickname"] == "Ani", "the nickname typed in irlmeet wins over the card's"
    assert ana["emails"] == ["ana@private.example"] and ana["places"][0]["label"] == "work"
    # Both files again: nothing changes.
    assert _import(irlmeet, "vcard", cards)["unchanged"] == 2
    assert _import(irlmeet, "linkedin", LINKEDIN)["unchanged"] == 5


def test_broken_cards_are_reported_and_the_rest_come_in(irlmeet):
    run = irlmeet("import", "vcard", str(VCF))
    assert f"{VCF}, card 8 (line 268): BEGIN:VCARD without END:VCARD" in run.err
    assert f"{VCF}, card 4 (line 241): skipped, group (Book Club)" in run.err
    people = _by_name(irlmeet)
    assert {"Ada Brandt", "Kenji Ito", "Jürgen Müller", "After Broken"} <= set(people)
    ada = people["Ada Brandt"]
    assert [(p["label"], p["place"]["name"]) for p in ada["places"]] == [("home", "Berlin"), ("work", "Paris")]
    assert ada["company"] == "Acme, Inc." and ada["role"] == "VP, Engineering" and ada["birthday"] == "1990-02-03"
    assert ada["circle"] == "professional" and ada["circle_open"] is False
    assert people["Jürgen Müller"]["places"][0]["place"]["name"] == "Munich"
    assert people["Kenji Ito"]["places"][0]["place"]["name"] == "Tokyo"


def test_dry_run_writes_nothing_and_tells_what_would_happen(irlmeet, tmp_path):
    irlmeet("import", "linkedin", str(LINKEDIN))
    before = _stored_bytes(tmp_path)
    dry = _import(irlmeet, "vcard", VCF, "--dry-run")
    assert dry["dry_run"] is True and dry["created"] == 6 and dry["errors"] == 1 and dry["skipped"] == 2
    assert _stored_bytes(tmp_path) == before
    text = irlmeet("import", "google", str(GOOGLE), "--dry-run").out
    assert text.startswith("dry run: nothing was written") and "would be created 3" in text
    assert _stored_bytes(tmp_path) == before
    real = _import(irlmeet, "vcard", VCF)
    assert {k: real[k] for k in ("created", "merged", "unchanged")} == {k: dry[k] for k in ("created", "merged", "unchanged")}


@pytest.mark.parametrize(
    ("kind", "path", "says"),
    [
        ("linkedin", VCF, "vCard"),
        ("google", LINKEDIN, "LinkedIn"),
        ("vcard", GOOGLE, "CSV"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_and_nothing_is_written(irlmeet, tmp_path, kind, path, says):
    irlmeet("contact", "add", "Someone Else")
    before = _stored_bytes(tmp_path)
    run = irlmeet("import", kind, str(path), ok=False)
    assert run.code == 1 and run.err.startswith("irlmeet: error: ") and str(path) in run.err
    assert says.lower() in run.err.lower()
    assert _stored_bytes(tmp_path) == before


def test_an_empty_file_is_refused(irlmeet, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    run = irlmeet("import", "linkedin", str(empty), ok=False)
    assert run.code == 1 and "empty" in run.err
    assert not data_file(tmp_path).exists() or _contacts(irlmeet) == []


def test_vcard_round_trip_keeps_every_field_vcard_holds_and_never_the_notes(irlmeet, tmp_path, env):
    irlmeet("import", "vcard", str(VCF))
    irlmeet("contact", "add", "Ada Lovelace", "--nickname", "Ada", "--company", "Analytical, Ltd.", "--role", "Poet; mathematician",
            "--city", "London", "--city", "work=Paris", "--tz", "Europe/London", "--email", "ada@example.org",
            "--phone", "+44 20 7946 0000", "--linkedin", "linkedin.com/in/ada-lovelace",
            "--handle", "mastodon:@ada@example.social", "--handle", "bluesky:ada.bsky.social", "--handle", "x:@ada",
            "--handle", "signal:+447700900000", "--handle", "matrix:@ada:example.org", "--handle", "github:ada",
            "--tag", "maths", "--tag", "poetry, too", "--notes", "PRIVATE: owes me a book")
    irlmeet("contact", "edit", "Ada Lovelace", "--circle", "both")
    out = tmp_path / "all.vcf"
    irlmeet("contact", "export", "-o", str(out))
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and "PRIVATE" not in text and "NOTE" not in text
    before = {c["name"]: c for c in _contacts(irlmeet)}
    assert before["Ada Brandt"]["notes"].startswith("Met at PyCon DE"), "the card's NOTE came in, privately"
    assert "PyCon DE" not in text and "property-based" not in text

    other = tmp_path / "other.json"
    irlmeet("--data", str(other), "import", "vcard", str(out))
    after = {c["name"]: c for c in json.loads(irlmeet("--data", str(other), "contact", "list", "--json").out)}
    assert set(after) == set(before)
    keep = ("nickname", "company", "role", "tz", "emails", "phones", "linkedin", "handles", "tags", "birthday")
    for name, old in before.items():
        new = after[name]
        assert {k: new[k] for k in keep} == {k: old[k] for k in keep}, name
        assert [(p["label"], p["place"]["geonameid"]) for p in new["places"]] == [
            (p["label"] if p["label"] != "other" else "other", p["place"]["geonameid"]) for p in old["places"]], name
        assert new["notes"] == ""


def test_export_vcard_alias_stdout_and_refusing_the_data_file(irlmeet, tmp_path):
    irlmeet("contact", "add", "Ada Brandt", "--city", "Berlin", "--notes", "secret")
    run = irlmeet("export", "vcard", "-o", "-")
    assert run.out.count("BEGIN:VCARD") == 1 and "FN:Ada Brandt" in run.out and "secret" not in run.out
    refused = irlmeet("export", "vcard", "-o", str(data_file(tmp_path)), ok=False)
    assert refused.code == 1 and "irlmeet's own data file" in refused.err
    folder = tmp_path / "folder"
    folder.mkdir()
    assert "is a folder" in irlmeet("contact", "export", "-o", str(folder), ok=False).err


def test_triage_lists_imported_people_first_and_places_a_whole_company(irlmeet):
    irlmeet("contact", "add", "Typed By Hand")
    irlmeet("import", "linkedin", str(LINKEDIN))
    listed = json.loads(irlmeet("triage", "--json").out)
    assert [c["name"] for c in listed][-1] == "Typed By Hand", "imported people first"
    assert listed[0]["needs"] == ["city", "circle"]
    assert "Ana Müller" in irlmeet("triage").out
    run = irlmeet("triage", "--company", "acme, inc.", "--city", "Berlin", "--circle", "professional")
    assert run.out.startswith("updated 1 of 1 contact;")
    ana = _by_name(irlmeet)["Ana Müller"]
    assert ana["places"][0]["place"]["name"] == "Berlin" and ana["circle_open"] is False
    assert "Ana Müller" not in irlmeet("triage").out


def test_a_renamed_copy_of_an_export_is_still_recognised(irlmeet, tmp_path):
    irlmeet("import", "linkedin", str(LINKEDIN))
    copy = tmp_path / "Connections (1).csv"
    shutil.copy(LINKEDIN, copy)
    again = _import(irlmeet, "linkedin", copy)
    assert (again["created"], again["unchanged"]) == (0, 5)
