"""The etiquette check: each bad pattern is flagged in a user-edited text, good notes pass clean,
and the usual false positives (PyCon, NYC, a single "!") stay quiet."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from irlmeet.core.drafts import draft
from irlmeet.core.etiquette import CODES, LEXICON, check, measure, position
from irlmeet.core.models import Contact, ContactPlace, Profile, Trip
from irlmeet.core.planner import plan
from tests.conftest import BERLIN

GOOD = """Subject: Coffee in Berlin, 7-10 Dec?

Hi Ada,

I'll be in Berlin from 7 to 10 December for work. We've been in touch since PyCon 2023, but we've never actually met in person.

Would you be up for a coffee while I'm there? Wednesday 9 December at 10:30 would suit me, somewhere in central Berlin.

Happy to move it if another time works better, and if the week is packed, no worries at all.

Best,
Sam"""


def codes(text: str, **kw) -> list[str]:
    return [w.code for w in check(text, **kw)]


def found(text: str, code: str, **kw) -> str:
    """The phrase the warning ``code`` points at."""
    hits = [w for w in check(text, **kw) if w.code == code]
    assert hits, f"{code} not flagged in {text!r}: {codes(text, **kw)}"
    w = hits[0]
    assert w.title and w.explain.endswith(".")
    return text[w.start : w.end] if w.start is not None else ""


def edit(old: str, new: str) -> str:
    """The good note with one sentence changed, as a user would."""
    assert old in GOOD
    return GOOD.replace(old, new)


def test_a_good_note_passes_clean():
    assert check(GOOD, reader_name="Ada Lovelace") == []
    assert check(GOOD) == []


@pytest.mark.parametrize(
    "sentence, phrase",
    [
        ("Are you hiring, by the way?", "Are you hiring"),
        ("Also, could you introduce me to your CTO?", "could you introduce me"),
        ("Would you refer me for the open role?", "refer me"),
        ("And could you do me a favor and look at my CV?", "do me a favor"),
        ("I'm looking for a new role, too.", "looking for a new role"),
    ],
)
def test_job_referral_and_favour_asks_are_flagged(sentence, phrase):
    text = edit("Best,", sentence + "\n\nBest,")
    assert found(text, "favour-ask").lower() == phrase.lower()


def test_pick_your_brain_and_the_default_greeting():
    text = edit("Would you be up for a coffee while I'm there?", "Would you be up for a coffee so I can pick your brain?")
    assert found(text, "pick-your-brain") == "pick your brain"
    note = "Hi Ada, I’d like to add you to my professional network. Since PyCon: no worries if not."
    assert found(note, "default-greeting", channel="linkedin-note") == "I’d like to add you to my professional network"


def test_several_asks_stacked():
    text = edit("would suit me, somewhere in central Berlin.", "would suit me. Can you book a place? Let me know what you think.")
    assert found(text, "stacked-asks") == "Can you book a place?"
    # One question plus small talk and an easy-out question is still one ask.
    one = edit("Hi Ada,", "Hi Ada, how are you?")
    one = one.replace("no worries at all.", "no worries at all: would another day suit better?")
    assert "stacked-asks" not in codes(one)


def test_no_easy_out():
    text = edit("Happy to move it if another time works better, and if the week is packed, no worries at all.", "See you there.")
    assert "no-easy-out" in codes(text)
    # A thank-you with no invitation needs none, and a group post never does.
    assert "no-easy-out" not in codes("Hi Ada,\n\nThanks for the coffee at PyCon, it was lovely.\n\nSam")
    post = "In Berlin Tue-Thu. Berlin friends, up for a drink Wednesday 19:00? Reply or DM"
    assert "no-easy-out" not in codes(post, channel="post")


@pytest.mark.parametrize(
    "easy_out",
    ["No worries if not!", "Totally fine if not.", "If you're busy, no problem.", "If that doesn't work, say so.", "No pressure at all."],
)
def test_each_easy_out_phrasing_counts(easy_out):
    text = edit("Happy to move it if another time works better, and if the week is packed, no worries at all.", easy_out)
    assert "no-easy-out" not in codes(text)


def test_over_the_channels_cap():
    long_email = edit("Best,", " ".join(["It was a long week with many talks to see."] * 8) + "\n\nBest,")
    w = next(w for w in check(long_email) if w.code == "over-cap")
    assert w.explain.startswith(f"{measure(long_email).count} / 125 words")
    note = "Hi Ada, since PyCon I've meant to say hello. " + "x" * 170 + " No worries if not."
    assert len(note) > 200
    flagged = next(w for w in check(note, channel="linkedin-note") if w.code == "over-cap")
    assert flagged.start == 200 and "200 characters" in flagged.explain
    assert "over-cap" not in codes(note, channel="linkedin-note", cap=300), "Premium allows 300"
    assert "over-cap" in codes("Hi Ada! Since PyCon. " + "y" * 300, channel="sms")
    assert "over-cap" in codes("Berlin friends, drinks Wednesday? " + "z" * 260, channel="post")
    assert "over-cap" not in codes(GOOD)


def test_the_subject_line_is_not_counted_in_an_emails_words():
    body_only = GOOD.split("\n\n", 1)[1]
    assert measure(GOOD).count == measure(body_only).count
    assert measure(GOOD).label() == f"{measure(body_only).count} / 125 words"
    assert measure("abc", channel="linkedin").label() == "3 / 200 characters"


def test_nothing_personal():
    generic = "Hello,\n\nI'll be in Berlin next week. Would you be up for a coffee? No worries if not.\n\nBest,\nSam"
    assert "nothing-personal" in codes(generic)
    # A greeting with the name is enough; so is something shared.
    assert "nothing-personal" not in codes(generic.replace("Hello,", "Hello Ada,"))
    assert "nothing-personal" not in codes(generic.replace("next week.", "next week. We met at PyCon."))
    assert "nothing-personal" not in codes(generic.replace("next week.", "next week, and you mentioned the new lab."))
    # With the reader's name known, the greeting must name *them*.
    assert "nothing-personal" in codes(generic.replace("Hello,", "Hello Bob,"), reader_name="Ada Lovelace")


def test_a_phrase_said_twice():
    text = edit("Best,", "It would be good to see you. It would be good to see you again.\n\nBest,")
    assert found(text, "repeated-phrase") == "It would be good to see you"
    assert len([c for c in codes(text) if c == "repeated-phrase"]) == 1, "one warning per repeat, not per 4-word window"


@pytest.mark.parametrize(
    "sentence, phrase",
    [("She gave a great keynote.", "She gave"), ("How is his startup?", "his startup"), ("I loved Ada's talk.", "Ada's"), ("Ada mentioned the lab.", "Ada mentioned")],
)
def test_the_reader_in_the_third_person(sentence, phrase):
    text = edit("Best,", sentence + "\n\nBest,")
    assert found(text, "third-person", reader_name="Ada Lovelace") == phrase
    # Without the reader's name the check cannot know who "she" is.
    assert "third-person" not in codes(text)


def test_the_greeting_is_not_third_person():
    assert "third-person" not in codes(GOOD, reader_name="Ada")


def test_a_group_post_that_mixes_circles():
    post = "In Berlin Tue-Thu. Berlin friends, up for a drink Wednesday 19:00? Reply or DM"
    assert "mixed-circles" in codes(post, channel="post", circles=["professional", "personal"])
    assert codes(post, channel="post", circles=["personal"]) == []
    assert codes(post, channel="post", circles=["professional", "both"]) == []


def test_shouting():
    assert found(edit("would suit me", "would REALLY suit me"), "shouting") == "REALLY"
    assert found(edit("no worries at all.", "no worries at all!!"), "shouting") == "!!"
    assert found(edit("Hi Ada,", "Hi Ada! Great news!"), "shouting") == "!"


@pytest.mark.parametrize(
    "harmless",
    ["since PyCon 2023", "in NYC next week", "after FOSDEM", "Hi Ada!", "at the NASA office", "a JSON API", "I'm OK"],
)
def test_no_false_shouting(harmless):
    text = edit("since PyCon 2023", harmless) if harmless.startswith("since") else edit("Best,", f"P.S. {harmless}\n\nBest,")
    assert "shouting" not in codes(text)


def test_offsets_are_lines_and_columns_for_editors():
    text = "Hi Ada,\n\nAre you hiring?"
    w = next(w for w in check(text) if w.code == "favour-ask")
    assert position(text, w.start) == (3, 1)
    assert position(text, 3) == (1, 4)


def test_every_code_and_list_is_documented_in_one_place():
    from irlmeet.core import etiquette

    for code in CODES:
        assert code in (etiquette.__doc__ or "")
    assert {"favour_ask", "easy_out", "acronyms", "shared", "third_person"} <= set(LEXICON)


def test_unknown_channel_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="linkedin-note"):
        check("hi", channel="fax")


# -- generated drafts pass their own check ----------------------------------------------------

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
TRIP = Trip(id="t1", name="DataConf Berlin", destination=BERLIN, start=date(2026, 12, 8), end=date(2026, 12, 10))


def test_every_generated_email_passes_the_check():
    """Today's generator, across relationships: never met, old friend, lapsed, personal circle."""
    kinds = [
        {"how_we_met": "met at PyCon DE 2024 sprints"},
        {"how_we_met": "the Berlin Rust meetup", "last_seen": date(2023, 3, 1)},
        {"last_seen": date(2026, 9, 1), "circle": "personal"},
        {"last_seen": date(2020, 9, 1), "circle": "personal", "nickname": "Jo"},
        {"met_on": date(2025, 5, 1), "how_we_met": "through Grace"},
    ]
    checked = 0
    for i in range(40):
        fields = kinds[i % len(kinds)]
        c = Contact(id=f"c{i}", name=f"Robin{i} Example", places=(ContactPlace(BERLIN),), emails=[f"c{i}@example.org"], **fields)
        the_plan = plan(TRIP, [c], now=NOW)
        d = draft(the_plan, c.id, Profile(name="Sam Rivera"), now=NOW, channel="email")
        assert check(d.text(), channel="email", reader_name=c.name) == [], d.text()
        checked += 1
    assert checked == 40


def test_a_subject_given_apart_is_checked_too():
    body = GOOD.split("\n\n", 1)[1]
    assert codes(body, subject="Coffee in Berlin?") == []
    flagged = check(body, subject="URGENT: are you hiring?")
    assert {w.code for w in flagged} == {"favour-ask", "shouting"}
    assert all(w.start is None for w in flagged)
