"""Text is text: terminal controls in user text are refused at entry and shown escaped at every
output (CLI, JSON, .ics, TUI), even when a data file edited by hand holds them; dates stay within
what a calendar holds; messages name the flag typed and list what exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from textual.widgets import Static

from irlmeet.core import ics, text
from irlmeet.core.errors import NotFound, UnknownPlace, ValidationError
from irlmeet.core.models import Contact, Trip
from tests.conftest import BERLIN, data_file
from tests.test_tui import SIZE, World, open_trips, settle

# What a hostile name can hold: OSC 52 (writes the clipboard), OSC 0 (window title), CSI 2J
# (clears the screen), CR (hides what came before), NUL, a C1 CSI, a bidi override, U+2028.
OSC52 = "\x1b]52;c;aGk=\x07"
OSC0 = "\x1b]0;pwned\x07"
CSI2J = "\x1b[2J"
NASTY = {
    "PLACEHOLDER_NAME": f"Ada{OSC52} Lovelace",
    "PLACEHOLDER_HOW": f"the {OSC0}sprints\rHIDDEN",
    "PLACEHOLDER_NOTE": f"line one\nline two {CSI2J}\x00 end",
    "PLACEHOLDER_TRIP": "Berlin \u202eevil\u202c trip\u2028x\x9b2J",
    "PLACEHOLDER_ME": f"Sam{OSC0}",
}
# Never to reach a terminal or a calendar file raw.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\r(?!\n)")


def assert_clean(output: str, where: str) -> None:
    found = FORBIDDEN.search(output)
    assert found is None, f"{where} shows {found.group()!r} raw: {output[max(0, found.start() - 40):found.end() + 40]!r}"


def poison(path: Path) -> None:
    """Edit the data file by hand, as a user (or an attacker) could: placeholders become NASTY."""

    def walk(value):
        if isinstance(value, str):
            for placeholder, nasty in NASTY.items():
                value = value.replace(placeholder, nasty)
            return value
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    path.write_text(json.dumps(walk(json.loads(path.read_text("utf-8"))), ensure_ascii=False), "utf-8")


# --------------------------------------------------------------------------------------------
# core.text


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (f"Ada{OSC52}", "control character (ESC) at position 4"),
        ("Ada\x07", "control character (BEL) at position 4"),
        ("A\x00da", "control character (NUL) at position 2"),
        ("Ada\rEvil", "line break (CR) at position 4"),
        ("Ada\nEvil", "line break (LF) at position 4"),
        ("Ada\tL", "tab at position 4"),
        ("Ada\x7f", "control character (DEL) at position 4"),
        ("Ada\x9b2J", "control character (U+009B) at position 4"),
        ("  Ada \u202eecalevol", "bidi control (U+202E RIGHT-TO-LEFT OVERRIDE) at position 7"),
        ("Ada\u2066x\u2069", "bidi control (U+2066 LEFT-TO-RIGHT ISOLATE) at position 4"),
        ("Ada\u2028L", "line separator (U+2028) at position 4"),
        ("Ada\u2029L", "paragraph separator (U+2029) at position 4"),
    ],
)
def test_one_line_refuses_terminal_controls_and_says_what_and_where(value, says):
    with pytest.raises(ValidationError) as caught:
        text.one_line(value, "name")
    assert caught.value.field == "name"
    assert says in caught.value.message and "type plain text" in caught.value.message


def test_one_line_keeps_plain_text_of_every_script():
    for value in ("Ada [eng] Lovelace", "Zoë \"Zed\" Ünal-Ñúñez", "李小龍", "عائشة", "Grace 🐛 Hopper", "a\\x1b"):
        assert text.one_line(f"  {value} ", "name") == value


def test_multi_line_keeps_line_breaks_and_tabs_but_not_controls():
    assert text.multi_line("one\r\ntwo\n\tthree ", "notes") == "one\ntwo\n\tthree"
    for bad, says in (("one\rtwo", "(CR)"), (f"x{CSI2J}", "(ESC)"), ("x\u202e", "U+202E"), ("x\x00", "(NUL)")):
        with pytest.raises(ValidationError, match=re.escape(says)):
            text.multi_line(bad, "notes")


def test_visible_escapes_every_control_and_keeps_the_rest():
    assert text.visible(f"Ada{OSC52}") == "Ada\\x1b]52;c;aGk=\\x07"
    assert text.visible("a\u202eb\u2028c\x9bd\x00") == "a\\u202eb\\u2028c\\x9bd\\x00"
    assert text.visible("a\nb\tc\r\n") == "a\\x0ab\\x09c\\x0d\\x0a"
    assert text.visible("a\nb\tc\r\nd\re", lines=True) == "a\nb\tc\r\nd\\x0de"
    plain = "Zoë [eng] 李小龍 🐛"
    assert text.visible(plain) is plain
    for value in NASTY.values():
        assert_clean(text.visible(value), "visible()")
        assert_clean(text.visible(value, lines=True), "visible(lines=True)")


def test_models_refuse_controls_in_every_free_text_field():
    for field, kwargs in [
        ("name", {"name": f"Ada{CSI2J}"}),
        ("how_we_met", {"how_we_met": "x\ny"}),
        ("notes", {"notes": "ok\nbut\x07"}),
        ("tags[0]", {"tags": ["a\x1b"]}),
        ("phones[0]", {"phones": ["+49\x00"]}),
        ("handles.x", {"handles": {"x": "@a\u202e"}}),
    ]:
        with pytest.raises(ValidationError) as caught:
            Contact(id="c1", **({"name": "Ada"} | kwargs))
        assert caught.value.field == field
    assert Contact(id="c1", name="Ada", notes="one\r\ntwo").notes == "one\ntwo"
    with pytest.raises(ValidationError, match="name"):
        Trip(id="t1", name=f"x{OSC0}", destination=BERLIN, start="2026-12-01", end="2026-12-02")


def test_records_read_back_from_the_data_file_keep_their_text():
    stored = Contact(id="c1", name="Ada").to_dict() | {"name": NASTY["PLACEHOLDER_NAME"], "last_seen": "1901-01-01"}
    contact = Contact.from_dict(stored)
    assert contact.name == NASTY["PLACEHOLDER_NAME"] and contact.last_seen.year == 1901
    with pytest.raises(ValidationError, match="ESC"):
        Contact(id="c2", name=contact.name)  # typed again, it is refused


# --------------------------------------------------------------------------------------------
# Entry through the CLI: refused, naming the flag the user typed


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["contact", "add", f"Ada{OSC52}", "--city", "Berlin"], "NAME: contains a control character (ESC) at position 4"),
        (["contact", "add", "Ada", "--city", "Berlin", "--how-we-met", "a\rb"], "--how-we-met: contains a line break (CR)"),
        (["contact", "add", "Ada", "--city", "Berlin", "--notes", f"x{CSI2J}"], "--notes: contains a control character (ESC)"),
        (["contact", "add", "Ada", "--city", "Berlin", "--tag", "x\u202e"], "--tag: contains a bidi control (U+202E"),
        (["contact", "add", "Ada", "--city", "Berlin", "--email", "ada@example.org", "--email", "nope"], "--email: 'nope' is not an email address"),
        (["contact", "add", "Ada", "--city", "Berlin", "--last-seen", "2027-01-01"], "--last-seen: 2027-01-01 is in the future"),
        (["contact", "add", "Ada", "--city", "Berlin", "--met-on", "1969-12-31"], "--met-on: 1969-12-31 is outside the dates irlmeet handles (1970-01-01 to 2100-12-31)"),
        (["trip", "add", "Berlin", "--from", "2026-12-01", "--to", "2026-12-02", "--name", f"x{OSC0}"], "--name: contains a control character (ESC)"),
        (["me", "--name", "Sam\u2028Rivera"], "--name: contains a line separator (U+2028) at position 4"),
    ],
)
def test_bad_entry_is_refused_naming_the_flag(irlmeet, tmp_path, argv, says):
    irlmeet(*argv, ok=False)
    assert irlmeet.code == 1
    assert says in irlmeet.err, irlmeet.err
    assert not re.search(r"\b(how_we_met|last_seen|met_on|emails\[\d\]|tags\[\d\]):", irlmeet.err)
    assert_clean(irlmeet.err + irlmeet.out, "the error")
    assert json.loads(irlmeet("contact", "list", "--json").out) == []
    assert json.loads(irlmeet("trip", "list", "--json").out) == []


def test_notes_keep_their_line_breaks(irlmeet):
    irlmeet("contact", "add", "Ada", "--city", "Berlin", "--notes", "line one\r\nline two")
    (ada,) = json.loads(irlmeet("contact", "list", "--json").out)
    assert ada["notes"] == "line one\nline two"


def test_argparse_echo_of_what_was_typed_is_escaped(irlmeet, capsys):
    with pytest.raises(SystemExit):
        irlmeet("contact", "list", CSI2J)
    captured = capsys.readouterr()
    assert "\\x1b[2J" in captured.err
    assert_clean(captured.err + captured.out, "argparse")


# --------------------------------------------------------------------------------------------
# Output of what is already stored: a data file edited by hand


@pytest.fixture
def poisoned(irlmeet, tmp_path):
    irlmeet("me", "--name", "PLACEHOLDER_ME", "--home", "Lisbon")
    irlmeet("contact", "add", "PLACEHOLDER_NAME", "--city", "Berlin", "--email", "ada@example.org",
            "--how-we-met", "PLACEHOLDER_HOW", "--notes", "PLACEHOLDER_NOTE")
    irlmeet("contact", "add", "Grace PLACEHOLDER_ME", "--city", "Potsdam")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-07", "--to", "2026-12-10", "--name", "PLACEHOLDER_TRIP")
    poison(data_file(tmp_path))
    return irlmeet


def test_every_cli_output_shows_stored_controls_escaped(poisoned, tmp_path):
    run = poisoned
    commands = {
        "me": ("me",),
        "contact list": ("contact", "list"),
        "contact list --near": ("contact", "list", "--near", "Berlin"),
        "trip list": ("trip", "list"),
        "plan": ("plan", "Berlin"),
        "draft": ("draft", "Berlin", "Ada"),
    }
    outputs = {}
    for where, argv in commands.items():
        run(*argv)
        assert_clean(run.out + run.err, where)
        outputs[where] = run.out
    assert "Ada\\x1b]52;c;aGk=\\x07 Lovelace" in outputs["contact list"]
    assert "Grace Sam\\x1b]0;pwned\\x07" in outputs["contact list --near"]
    assert "\\u202eevil" in outputs["trip list"] and "\\u202eevil" in outputs["plan"]
    assert "Sam\\x1b]0;pwned\\x07" in outputs["me"]
    assert " Ada\\x1b]52;c;aGk=\\x07," in outputs["draft"]

    # Errors quote stored names too: an ambiguous name, an unknown trip.
    run("draft", "Berlin", "ce", ok=False)  # in "Lovelace" and "Grace": ambiguous
    assert "matches several contacts" in run.err
    assert_clean(run.err, "AmbiguousName")
    run("plan", "Tokyo", ok=False)
    assert "no trip matches 'Tokyo'" in run.err and "\\u202eevil" in run.err
    assert_clean(run.err, "NotFound")


def test_json_output_is_exact_and_has_no_raw_control_bytes(poisoned):
    run = poisoned
    for argv in (("contact", "list", "--json"), ("trip", "list", "--json"), ("plan", "Berlin", "--json"),
                 ("draft", "Berlin", "Ada", "--json"), ("me", "--json")):
        out = run(*argv).out
        assert_clean(out, " ".join(argv))
        json.loads(out)
    contacts = json.loads(run("contact", "list", "--json").out)
    ada = next(c for c in contacts if c["notes"])
    assert ada["name"] == NASTY["PLACEHOLDER_NAME"]
    assert ada["how_we_met"] == NASTY["PLACEHOLDER_HOW"]
    assert ada["notes"] == NASTY["PLACEHOLDER_NOTE"]
    (trip,) = json.loads(run("trip", "list", "--json").out)
    assert trip["name"] == NASTY["PLACEHOLDER_TRIP"]
    assert json.loads(run("me", "--json").out)["name"] == NASTY["PLACEHOLDER_ME"]


def test_the_ics_file_holds_no_control_bytes(poisoned, tmp_path):
    out = tmp_path / "trip.ics"
    poisoned("export", "Berlin", "-o", str(out), "--ideas", "--details")
    assert_clean(poisoned.out + poisoned.err, "export")
    data = out.read_bytes()
    assert b"\x1b" not in data and b"\x07" not in data and b"\x00" not in data
    assert_clean(data.decode("utf-8").replace("\r\n", "\n"), "the .ics")
    summaries = [ev["summary"] for ev in ics.read_events(data)]
    assert "Coffee with Ada\\x1b]52;c;aGk=\\x07 Lovelace (idea)" in summaries, summaries


async def test_the_tui_shows_stored_controls_escaped(tmp_path, places_cache):
    world = World(tmp_path, places_cache)
    s = world.service()
    s.set_profile(name="PLACEHOLDER_ME", home="Lisbon")
    s.add_contact("PLACEHOLDER_NAME", "Berlin", emails=["ada@example.org"], how_we_met="PLACEHOLDER_HOW")
    s.add_trip("Berlin", "2026-12-07", "2026-12-10", name="PLACEHOLDER_TRIP")
    world.close()
    poison(world.paths.data_file)
    app = world.app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            # The agenda, the opening view: the next trip's name, escaped.
            shown = "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())
            assert_clean(shown, "the agenda")
            assert "Berlin \\u202eevil\\u202c trip\\u2028x\\x9b2J" in shown, shown
            await pilot.press("1")
            await settle(app, pilot)
            screen = app.screen
            shown = "\n".join("".join(seg.text for seg in strip) for strip in screen._compositor.render_strips())
            assert_clean(shown, "the main screen")
            assert "Ada\\x1b]52;c;aGk=\\x07" in shown, shown
            assert "\\u202eevil" in shown
            draft = screen.query_one("#draft", Static).content
            assert "Ada\\x1b" in getattr(draft, "plain", str(draft))
    finally:
        world.close()


# --------------------------------------------------------------------------------------------
# Dates stay sane


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--from", "9999-12-30", "--to", "9999-12-31"], "--from: 9999-12-30 is outside the dates irlmeet handles (1970-01-01 to 2100-12-31)"),
        (["--from", "0001-01-01", "--to", "0001-01-02"], "--from: 0001-01-01 is outside the dates"),
        (["--from", "2100-12-31", "--to", "2101-01-01"], "--to: 2101-01-01 is outside the dates"),
        (["--from", "2026-12-01", "--to", "2027-12-01"], "--to: the trip is 366 days long; irlmeet plans trips of up to 92 days"),
    ],
)
def test_trip_dates_are_bounded_and_the_error_names_the_flag(irlmeet, argv, says):
    irlmeet("trip", "add", "Berlin", *argv, ok=False)
    assert irlmeet.code == 1 and says in irlmeet.err, irlmeet.err
    assert json.loads(irlmeet("trip", "list", "--json").out) == []


def test_a_stored_trip_in_year_9999_is_a_clear_error_not_a_crash(irlmeet, tmp_path):
    irlmeet("contact", "add", "Ada", "--city", "Berlin")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-07", "--to", "2026-12-10", "--name", "Far")
    path = data_file(tmp_path)
    raw = json.loads(path.read_text())
    (trip,) = raw["trips"].values()
    trip["start"], trip["end"] = "9999-12-30", "9999-12-31"  # accepted by an older irlmeet
    path.write_text(json.dumps(raw))
    assert "9999-12-30" in irlmeet("trip", "list").out
    for argv in (("plan", "Far"), ("draft", "Far", "Ada"), ("export", "Far", "-o", str(tmp_path / "x.ics"))):
        irlmeet(*argv, ok=False)
        assert irlmeet.code == 1, argv
        assert "outside the dates irlmeet can plan (1970-01-01 to 2100-12-31)" in irlmeet.err
        assert "Traceback" not in irlmeet.err
    assert not (tmp_path / "x.ics").exists()


def test_a_trip_in_the_past_is_added_with_a_warning_and_its_plan_says_it_is_over(irlmeet):
    irlmeet("contact", "add", "Ada", "--city", "Berlin")
    trip_id = irlmeet("trip", "add", "Berlin", "--from", "2026-10-01", "--to", "2026-10-03", "--name", "Autumn").out.strip()
    assert "warning: this trip ended on 2026-10-03" in irlmeet.err
    assert [t["id"] for t in json.loads(irlmeet("trip", "list", "--json").out)] == [trip_id]
    out = irlmeet("plan", "Autumn").out
    assert "This trip is over (it ended on 2026-10-03)" in out
    assert "free" not in out.lower()
    assert json.loads(irlmeet("plan", "Autumn", "--json").out)["over"] is True
    irlmeet("trip", "add", "Berlin", "--from", "2026-11-22", "--to", "2026-11-23", "--name", "Today")
    assert "warning" not in irlmeet.err, "a trip that has not ended is not over"
    assert json.loads(irlmeet("plan", "Today", "--json").out)["over"] is False


async def test_the_tui_says_a_past_trip_is_over(tmp_path, places_cache):
    world = World(tmp_path, places_cache)
    s = world.service()
    s.add_contact("Ada Lovelace", "Berlin")
    s.add_trip("Berlin", "2026-10-01", "2026-10-03")
    world.close()
    app = world.app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_trips(app, pilot)
            draft = app.screen.query_one("#draft", Static).content
            shown = getattr(draft, "plain", str(draft))
            assert "This trip is over" in shown
            assert "Free up time" not in shown
    finally:
        world.close()


# --------------------------------------------------------------------------------------------
# Messages in the user's language


@pytest.mark.parametrize("value", ["1e9", "20001", "nan", "inf", "0"])
def test_radius_out_of_range_says_the_limit(irlmeet, capsys, value):
    with pytest.raises(SystemExit):
        irlmeet("contact", "list", "--near", "Berlin", "--radius", value)
    assert "the radius must be more than 0 and at most 20000 km" in capsys.readouterr().err


def test_unknown_trip_lists_a_few_that_exist_and_how_to_see_all(irlmeet):
    irlmeet("plan", "Berlin", ok=False)
    assert "no trip matches 'Berlin'; there are no trips yet" in irlmeet.err
    for month in range(1, 8):
        irlmeet("trip", "add", "Tokyo", "--from", f"2027-{month:02d}-01", "--to", f"2027-{month:02d}-02")
    irlmeet("plan", "Berlin", ok=False)
    lines = irlmeet.err.splitlines()
    assert lines[0] == "irlmeet: error: no trip matches 'Berlin'; your trips are (5 of 7):"
    listed = [line for line in lines if line.startswith("  ")]
    assert len(listed) == 5 and all("Tokyo, JP" in line for line in listed)
    assert lines[-1] == "See them all with `irlmeet trip list`."


def test_close_matches_are_listed_one_per_line(irlmeet):
    irlmeet("contact", "add", "Ada Lovelace", "--city", "Berlin, Germany")
    irlmeet("contact", "add", "Grace Hopper", "--city", "Berlin")
    irlmeet("trip", "add", "Berlin", "--from", "2026-12-01", "--to", "2026-12-02")
    irlmeet("draft", "Berlin", "Ada Lovelance", ok=False)
    lines = irlmeet.err.splitlines()
    assert lines[0] == "irlmeet: error: no contact matches 'Ada Lovelance'; did you mean:"
    assert lines[1].endswith("  Ada Lovelace (Berlin, DE)")
    assert lines[-1] == "See them all with `irlmeet contact list`."


def test_place_suggestions_are_separated_so_commas_stay_readable():
    error = UnknownPlace("Berln", ["Berlin, Germany", "Bern, Switzerland"])
    assert str(error).endswith("did you mean one of: Berlin, Germany; Bern, Switzerland?")
    assert str(UnknownPlace("Berln", ["Berlin, Germany"])).endswith("did you mean Berlin, Germany?")
    assert str(NotFound("meetup", "m1")) == "no meetup matches 'm1'"
