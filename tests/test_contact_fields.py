"""The contact's fields (schema 2): validation naming the field, normalised channels, cadence,
text safety, and the 1 -> 2 migration of a real schema-1 data file."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson
import pytest

from irlmeet.core import text
from irlmeet.core.errors import ValidationError
from irlmeet.core.models import Contact, ContactPlace, cadence_label, linkedin_url, parse_cadence, parse_handle
from irlmeet.core.store import SCHEMA_VERSION, Store

from .conftest import BERLIN, NEW_YORK, POTSDAM

SCHEMA1 = Path(__file__).parent / "data" / "irlmeet-schema1.json"


def _contact(**kw) -> Contact:
    kw.setdefault("places", (ContactPlace(BERLIN),))
    return Contact(id="c1", name=kw.pop("name", "Ada Brandt"), **kw)


def test_every_new_field_round_trips_through_json():
    c = _contact(
        nickname="Adi", company="Acme GmbH", role="Staff engineer", tz="America/New_York",
        emails=["ada@example.org"], phones=["+49 30 1234567"], linkedin="linkedin.com/in/ada-brandt",
        handles={"mastodon": "@ada@example.social", "bluesky": "ada.bsky.social"}, preferred="mastodon",
        met_at="PyCon DE 2024 sprints", met_via="my friend Lea", met_on="2024-04-24", topic="property-based testing",
        how_we_met="the PyCon DE 2024 sprints", notes="Vegetarian.\nTwo kids.", circle="both", closeness=4,
        cadence_days=180, last_seen="2024-04-26", last_contacted="2026-09-01", do_not_invite=True,
        do_not_invite_reason="moved away", tags=["python"],
    )
    d = orjson.loads(orjson.dumps(c.to_dict()))
    assert Contact.from_dict(d) == c
    assert d["nickname"] == "Adi" and d["tz"] == "America/New_York" and d["closeness"] == 4
    assert d["linkedin"] == "https://www.linkedin.com/in/ada-brandt" and d["preferred"] == "mastodon"
    assert c.greeting_name == "Adi" and c.zone_name == "America/New_York"
    assert c.channels == ("email", "phone", "linkedin", "mastodon", "bluesky")
    assert c.cadence_label == "every 6 months"


@pytest.mark.parametrize(
    ("kw", "field", "says"),
    [
        ({"nickname": "A\x1b[31mda"}, "nickname", "control character (ESC)"),
        ({"company": "Acme\u202eEvil"}, "company", "bidi control"),
        ({"role": "line\nbreak"}, "role", "line break"),
        ({"name": "Ada\u2028Brandt"}, "name", "line separator"),
        ({"tz": "Mars/Olympus"}, "tz", "not a known IANA time zone"),
        ({"emails": ["ada@example.org", "nope"]}, "emails[1]", "not an email address"),
        ({"phones": ["call me"]}, "phones[0]", "not a phone number"),
        ({"linkedin": "https://www.linkedin.com/company/acme"}, "linkedin", "company page"),
        ({"linkedin": "https://example.org/ada"}, "linkedin", "not a LinkedIn profile URL"),
        ({"handles": {"mastodon": "ada"}}, "handles.mastodon", "@user@server"),
        ({"handles": {"x": "@this_is_far_too_long_for_x"}}, "handles.x", "up to 15"),
        ({"handles": {"linkedin": "ada"}}, "handles", "use --linkedin"),
        ({"handles": {"my service": "ada"}}, "handles", "not a service name"),
        ({"preferred": "email"}, "preferred", "add an email address first"),
        ({"handles": {"x": "@ada"}, "preferred": "mastodon"}, "preferred", "(x)"),
        ({"met_at": "a\tb"}, "met_at", "tab"),
        ({"met_via": "x" * 301}, "met_via", "limit is 300"),
        ({"met_on": "2024-13-01"}, "met_on", "not a real date"),
        ({"topic": "\x07"}, "topic", "control character"),
        ({"how_we_met": "two\nlines"}, "how_we_met", "line break"),
        ({"notes": "ok\n\x1b]0;title\x07"}, "notes", "control character (ESC)"),
        ({"closeness": 6}, "closeness", "from 1 to 5"),
        ({"closeness": True}, "closeness", "from 1 to 5"),
        ({"cadence_days": 0}, "cadence_days", "positive"),
        ({"cadence_days": 99999}, "cadence_days", "more than 10 years"),
        ({"last_seen": "yesterday"}, "last_seen", "YYYY-MM-DD"),
        ({"last_contacted": "2024-02-30"}, "last_contacted", "not a real date"),
        ({"do_not_invite_reason": "moved"}, "do_not_invite_reason", "only for a contact marked do-not-invite"),
        ({"tags": ["ok", "bad\x00"]}, "tags[1]", "control character"),
        ({"circle": "family"}, "circle", "professional, personal, both"),
    ],
)
def test_each_field_is_validated_with_a_message_naming_it(kw, field, says):
    with pytest.raises(ValidationError) as exc:
        _contact(**kw)
    assert exc.value.field == field
    assert str(exc.value).startswith(f"{field}: ") and says in str(exc.value)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://www.linkedin.com/in/ada-brandt/", "https://www.linkedin.com/in/ada-brandt"),
        ("http://de.linkedin.com/in/Ada-Brandt?trk=public_profile", "https://www.linkedin.com/in/ada-brandt"),
        ("linkedin.com/in/ada-brandt-1a2b3c/details/", "https://www.linkedin.com/in/ada-brandt-1a2b3c"),
        ("www.linkedin.com/in/j%C3%BCrgen-m", "https://www.linkedin.com/in/j%C3%BCrgen-m"),
        ("ada-brandt", "https://www.linkedin.com/in/ada-brandt"),
        ("", ""),
    ],
)
def test_linkedin_urls_are_normalised_so_duplicates_compare_equal(typed, stored):
    assert linkedin_url(typed) == stored


@pytest.mark.parametrize(
    ("typed", "service", "handle"),
    [
        ("mastodon:@ana@Example.social", "mastodon", "@ana@example.social"),
        ("Mastodon:https://example.social/@ana", "mastodon", "@ana@example.social"),
        ("bluesky:@ana.bsky.social", "bluesky", "ana.bsky.social"),
        ("twitter:https://x.com/ana_b", "x", "@ana_b"),
        ("telegram:t.me/ana_bee", "telegram", "@ana_bee"),
        ("matrix:@ana:Matrix.org", "matrix", "@ana:matrix.org"),
        ("signal:ana.42", "signal", "ana.42"),
        ("github:ana-b", "github", "ana-b"),
    ],
)
def test_handles_take_service_colon_handle_in_the_forms_people_paste(typed, service, handle):
    assert parse_handle(typed) == (service, handle)


@pytest.mark.parametrize("typed", ["mastodon", "mastodon:", ":ana", "x:two words"])
def test_a_handle_without_service_or_value_is_refused(typed):
    with pytest.raises(ValidationError, match="handle"):
        parse_handle(typed)


@pytest.mark.parametrize(
    ("typed", "days", "label"),
    [("6m", 180, "every 6 months"), ("1y", 365, "every year"), ("90d", 90, "every 3 months"),
     ("2w", 14, "every 2 weeks"), ("10d", 10, "every 10 days"), ("every 2 years", 730, "every 2 years"),
     ("quarterly", 90, "every 3 months"), ("45", 45, "every 45 days")],
)
def test_cadence_parses_short_forms_and_reads_back_in_words(typed, days, label):
    assert parse_cadence(typed) == days
    assert cadence_label(days) == label


@pytest.mark.parametrize("typed", ["6q", "0d", "-1m", "soon", "11y"])
def test_a_bad_cadence_says_how_to_write_one(typed):
    with pytest.raises(ValidationError) as exc:
        parse_cadence(typed)
    assert exc.value.field == "cadence"


def test_preferred_must_be_a_channel_the_contact_has():
    c = _contact(emails=["ada@example.org"], handles={"signal": "ada.01"}, preferred="Signal")
    assert c.preferred == "signal"
    with pytest.raises(ValidationError, match="preferred"):
        replace(c, handles={})


def test_text_module_refuses_controls_bidi_and_separators_but_notes_keep_lines():
    assert text.one_line("  Zoë Ünal 李小龍  ", "name") == "Zoë Ünal 李小龍"
    for bad in ("\x1b[2J", "\x85", "\u202d", "\u2067", "\u2029", "\x7f"):
        with pytest.raises(ValidationError, match="^nickname: contains"):
            text.one_line(f"a{bad}b", "nickname")
    assert text.multi_line("one\r\ntwo\n\tthree", "notes") == "one\ntwo\n\tthree"
    with pytest.raises(ValidationError, match="^notes: contains"):
        text.multi_line("one\rtwo", "notes")  # a lone CR moves back over what was written
    with pytest.raises(ValidationError, match="^notes: contains a bidi control"):
        text.multi_line("a\u202eb", "notes")


def test_places_are_labelled_and_kept_once():
    c = _contact(places=(ContactPlace(BERLIN), ContactPlace(POTSDAM, "work"), ContactPlace(BERLIN)))
    assert [(p.label.value, p.place.name) for p in c.places] == [("home", "Berlin"), ("work", "Potsdam")]
    assert _contact(places=(ContactPlace(NEW_YORK),), tz="Europe/Berlin").zone_name == "Europe/Berlin"
    assert _contact().zone_name == "Europe/Berlin"


# --------------------------------------------------------------------------------------------
# Migration 1 -> 2


def test_a_real_schema_1_file_migrates_after_a_backup_keeping_every_value(tmp_path):
    db = tmp_path / "irlmeet.json"
    shutil.copyfile(SCHEMA1, db)
    original = db.read_bytes()
    assert orjson.loads(original)["_meta"]["meta"]["schema"] == 1

    with Store(db) as store:
        ada, jonas, mia = store.contact("c-ada"), store.contact("c-jonas"), store.contact("c-mia")
        assert len(store.meetups()) == 2 and store.trip("t-berlin").name == "DataConf Berlin"
        assert store.profile().name == "Sam Rivera"

    backup = db.with_name(db.name + ".v1.bak")
    assert backup.read_bytes() == original, "the schema-1 file is kept byte for byte"
    assert (backup.stat().st_mode & 0o777) == 0o600
    raw = orjson.loads(db.read_bytes())
    assert raw["_meta"]["meta"]["schema"] == SCHEMA_VERSION == 6  # through every step since schema 1
    for doc in raw["contacts"].values():
        for key in ("nickname", "company", "role", "tz", "linkedin", "preferred", "met_at", "met_via",
                    "topic", "closeness", "do_not_invite_reason"):
            assert key in doc, f"{key} filled with its default"

    # Everything from schema 1 is still there ...
    assert [p.place.name for p in ada.places] == ["Berlin", "Potsdam"]
    assert ada.emails == ("ada@example.org", "ada.brandt@work.example") and ada.phones == ("+49 30 1234567",)
    assert ada.how_we_met == "the PyCon DE 2024 sprints" and ada.met_on == date(2024, 4, 24)
    assert ada.tags == ("python", "testing") and ada.cadence_days == 180 and ada.circle.value == "both"
    assert ada.notes == "Vegetarian.\nTwo kids; ask about the climbing trip."
    assert ada.last_seen == date(2024, 4, 26) and ada.last_contacted == date(2026, 9, 1)
    assert mia.do_not_invite
    # ... the LinkedIn "handle" became the profile URL, other handles normalised ...
    assert ada.linkedin == "https://www.linkedin.com/in/ada-brandt" and ada.handles == {"mastodon": "@ada@example.social"}
    assert jonas.linkedin == "https://www.linkedin.com/in/jonas-weber-42" and jonas.handles == {"x": "@jweber"}
    # ... values the new rules refuse moved to the private notes, not lost ...
    assert jonas.phones == () and "phone: n/a" in jonas.notes
    assert mia.linkedin == "" and "LinkedIn: not a profile" in mia.notes
    # ... and terminal escapes and bidi overrides are gone from one-line text.
    assert mia.how_we_met == "a red thread  abc"

    with Store(db) as again:  # the current schema now: opens without migrating again
        assert again.contact("c-ada") == ada
    assert not db.with_name(db.name + ".v1-2.bak").exists()
