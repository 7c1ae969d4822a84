"""The README is part of the product: its walkthrough runs as written, its config block is the
real defaults, and its tables name what the code has.

The walkthrough's ```sh block (under the ``<!-- walkthrough`` marker) is run line by line
through ``irlmeet.cli.main`` in-process, with a temporary data folder and a fixed clock; so is
the ``<!-- after-the-trip`` block, with a clock after the trip.

Why the clock is derived from the README's trip and not from today: a human pasting the
walkthrough runs it with the real clock, so the README's trip is kept about a year ahead
(December 2027 when this was written) and must be moved forward before it passes. The suite
must not start failing on the day it passes, so here "now" is a few days before the trip the
README names, whatever today is.
"""

from __future__ import annotations

import json
import re
import shlex
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from irlmeet.core.drafts.templates import PLACEHOLDERS
from irlmeet.core.plan_rules import DEFAULT_DAY_PARTS
from irlmeet.core.settings import Paths, Settings
from tests.conftest import Run

README = Path(__file__).resolve().parent.parent / "README.md"
LISBON = ZoneInfo("Europe/Lisbon")  # the walkthrough's `me --home Lisbon`


def fenced_block(marker: str, lang: str) -> list[str]:
    """The lines of the first ```lang block after the line holding ``marker``."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if marker in line), None)
    assert start is not None, f"README.md has no {marker!r} marker"
    assert lines[start + 1] == f"```{lang}", f"the line after {marker!r} must open a ```{lang} block"
    end = lines.index("```", start + 2)
    return lines[start + 2 : end]


def commands(marker: str) -> list[str]:
    """The block's shell lines, with backslash continuations joined."""
    out: list[str] = []
    pending = ""
    for line in fenced_block(marker, "sh"):
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            out.append(joined)
    assert not pending, f"{marker}: the block ends in a continuation"
    return out


def irlmeet_argvs(marker: str) -> list[list[str]]:
    """Each ``irlmeet ...`` line's arguments. The only other line allowed is the walkthrough's
    ``export IRLMEET_DATA=...`` (the test has its own temporary data folder), so nothing a human
    runs goes untested; the bare ``irlmeet`` (the app) must come last, as it waits for ``q``."""
    argvs: list[list[str]] = []
    lines = commands(marker)
    for n, line in enumerate(lines):
        # zsh does not take comments on an interactive command line by default: a pasted
        # "irlmeet plan X  # note" would pass "#" as an argument there.
        assert "#" not in line, f"{marker}: keep comments out of the block (zsh): {line}"
        words = shlex.split(line)
        if words[0] == "export" and words[1].startswith("IRLMEET_DATA="):
            continue
        assert words[0] == "irlmeet", f"{marker}: a line the test cannot run: {line}"
        if words == ["irlmeet"]:
            assert n == len(lines) - 1, f"{marker}: the bare `irlmeet` opens the app; keep it last"
            continue
        argvs.append(words[1:])
    return argvs


def trip_days() -> tuple[datetime, datetime]:
    """The first and last day of the walkthrough's `trip add`, as midnights in Lisbon."""
    [argv] = [a for a in irlmeet_argvs("<!-- walkthrough") if a[:2] == ["trip", "add"]]
    first = datetime.fromisoformat(argv[argv.index("--from") + 1]).replace(tzinfo=LISBON)
    last = datetime.fromisoformat(argv[argv.index("--to") + 1]).replace(tzinfo=LISBON)
    return first, last


def run(irlmeet: Run, argv: list[str]) -> None:
    """One README line; a usage error (argparse exits) is reported like any other failure."""
    try:
        irlmeet(*argv, ok=False)
    except SystemExit as exc:
        pytest.fail(f"README: `irlmeet {shlex.join(argv)}` is not a valid command line (exit {exc.code})")


def test_the_walkthrough_runs_as_written_then_the_after_trip_block(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `export ... -o berlin.ics` writes where the user stands
    first, last = trip_days()
    before = first - timedelta(days=6) + timedelta(hours=9)
    irlmeet = Run(env, clock=lambda: before)

    ran = []
    for argv in irlmeet_argvs("<!-- walkthrough"):
        run(irlmeet, argv)
        assert irlmeet.code == 0, f"README walkthrough: `irlmeet {shlex.join(argv)}` exited {irlmeet.code}:\n{irlmeet.err}"
        ran.append(argv[0] if argv[0] in ("me", "plan", "draft", "export", "agenda") else " ".join(argv[:2]))
    for needed in ("me", "contact add", "contact edit", "contact show", "trip add", "busy add", "plan",
                   "meetup accept", "meetup invite", "meetup confirm", "draft", "export", "agenda"):
        assert needed in ran, f"the walkthrough no longer shows `irlmeet {needed}`"

    # What the prose under the block says happened.
    plan = json.loads(irlmeet("plan", "DataConf", "--json").out)
    assert {p["name"] for p in plan["proposals"]} == {"Ada Brandt", "Lena Vogel", "Jonas Weber"}
    meetups = json.loads(irlmeet("meetup", "list", "DataConf", "--json").out)
    assert [m["status"] for m in meetups if m["people"][0]["name"] == "Ada Brandt"] == ["confirmed"]
    [event] = icalendar.Calendar.from_ical((tmp_path / "berlin.ics").read_bytes()).walk("VEVENT")
    assert str(event["STATUS"]) == "CONFIRMED"

    after = last + timedelta(days=1, hours=9)
    irlmeet.clock = lambda: after
    for argv in irlmeet_argvs("<!-- after-the-trip"):
        run(irlmeet, argv)
        assert irlmeet.code == 0, f"README after the trip: `irlmeet {shlex.join(argv)}` exited {irlmeet.code}:\n{irlmeet.err}"
    ada = json.loads(irlmeet("contact", "show", "Ada", "--json").out)
    assert first.date().isoformat() <= ada["last_seen"] <= last.date().isoformat()


def test_the_config_block_is_the_real_defaults(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("\n".join(fenced_block("<!-- config", "toml")) + "\n", encoding="utf-8")
    paths = Paths(data_file=tmp_path / "d.json", config_file=config, cache_dir=tmp_path, themes_dir=tmp_path)
    assert Settings.load(paths) == Settings(paths), "README's config block differs from the defaults"


def _table(header: str) -> list[list[str]]:
    """The cells of the README table whose header row starts with ``header``."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_day_parts_table_is_the_real_defaults():
    rows = {r[0].strip("`"): (r[1], r[2], int(r[3])) for r in _table("| day part |")}
    assert rows == {p.name: (f"{p.start:%H:%M}", f"{p.end:%H:%M}", p.minutes) for p in DEFAULT_DAY_PARTS}


def test_the_placeholder_table_names_every_template_field_and_no_other():
    named = {name for row in _table("| placeholder |") for name in re.findall(r"\{(\w+)\}", row[0])}
    assert named == set(PLACEHOLDERS)
