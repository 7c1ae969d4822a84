"""`irlmeet lint FILE|-`: the etiquette check on any text, for editors and scripts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import Run

GOOD = """Subject: Coffee in Berlin, 7-10 Dec?

Hi Ada,

I'll be in Berlin from 7 to 10 December for work. We've been in touch since PyCon 2023, but we've never actually met in person.

Would you be up for a coffee while I'm there? Wednesday 9 December at 10:30 would suit me.

No pressure at all: if it's a busy week, there will be other trips.

Best,
Sam
"""

BAD = """Hello,

I'll be in Berlin next week. Are you hiring?
Could I pick your brain over coffee?
"""


@pytest.fixture
def irlmeet(env):  # noqa: F811
    return Run(env)


def test_a_clean_note_exits_0_and_prints_nothing_on_stdout(irlmeet, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(GOOD, encoding="utf-8")
    r = irlmeet("lint", str(note))
    assert r.code == 0 and r.out == ""
    assert "no etiquette problems" in r.err and "/ 125 words" in r.err


def test_warnings_are_file_line_col_code_title_and_why_and_exit_1(irlmeet, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(BAD, encoding="utf-8")
    r = irlmeet("lint", str(note), ok=False)
    assert r.code == 1
    lines = r.out.splitlines()
    assert f'{note}:3:30: favour-ask: asks for a job, referral or favour ("Are you hiring") — A first meeting' in r.out
    assert any(line.startswith(f"{note}:4:9: pick-your-brain: ") for line in lines)
    assert any(line.startswith(f"{note}:4:1: stacked-asks: ") for line in lines)
    assert any(line.startswith(f"{note}:1:1: nothing-personal: ") for line in lines)
    assert any(line.startswith(f"{note}:1:1: no-easy-out: ") for line in lines)
    positions = [tuple(int(x) for x in line.split(":")[1:3]) for line in lines]
    assert positions == sorted(positions), "in the order an editor walks them"
    assert "5 etiquette warnings" in r.err


def test_json_gives_codes_spans_and_the_length(irlmeet, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Hi Ada, since PyCon I've meant to say hello. " + "x" * 200 + " No worries if not.", encoding="utf-8")
    r = irlmeet("lint", str(note), "--channel", "linkedin-note", "--json", ok=False)
    data = json.loads(r.out)
    assert r.code == 1
    assert data["length"] == {"count": 264, "cap": 200, "unit": "characters"}
    [w] = data["warnings"]
    assert (w["code"], w["start"], w["line"], w["col"]) == ("over-cap", 200, 1, 201)
    assert irlmeet("lint", str(note), "--channel", "linkedin-note", "--cap", "300").code == 0


def test_reader_and_circles(irlmeet, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(GOOD.replace("Best,", "I loved her talk.\n\nBest,"), encoding="utf-8")
    assert irlmeet("lint", str(note)).code == 0
    r = irlmeet("lint", str(note), "--reader", "Ada Lovelace", ok=False)
    assert "third-person" in r.out and '("her talk")' in r.out
    post = tmp_path / "post.txt"
    post.write_text("In Berlin Tue-Thu. Berlin friends, up for a drink Wednesday 19:00? Reply or DM\n", encoding="utf-8")
    assert irlmeet("lint", str(post), "--channel", "post").code == 0
    r = irlmeet("lint", str(post), "--channel", "post", "--circle", "professional", "--circle", "personal", ok=False)
    assert r.code == 1 and "mixed-circles" in r.out


@pytest.mark.parametrize(
    "content, says",
    [
        (None, "No such file or directory"),
        (b"Hi \xff\xfe there\n", "is not UTF-8 text (byte 0xff on line 1)"),
        (b"\x00\x01\x02", "looks binary"),
        ("dir", "is a folder"),
    ],
)
def test_a_bad_file_exits_2_and_names_the_file(irlmeet, tmp_path, content, says):
    path = tmp_path / "draft.txt"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    r = irlmeet("lint", str(path), ok=False)
    assert r.code == 2 and r.out == ""
    assert r.err.strip().startswith(f"irlmeet: error: {path}: {says}")


def test_stdin_through_the_installed_command(tmp_path, env):  # noqa: F811
    r = subprocess.run(
        [sys.executable, "-m", "irlmeet", "lint", "-"],
        input=BAD.encode(),
        capture_output=True,
        env={**env, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    out = r.stdout.decode()
    assert r.returncode == 1, r.stderr
    assert out.splitlines()[0].startswith("<stdin>:1:1: ")
    assert "<stdin>:3:30: favour-ask" in out
    clean = subprocess.run([sys.executable, "-m", "irlmeet", "lint", "-"], input=GOOD.encode(), capture_output=True, env=env, check=False)
    assert clean.returncode == 0 and clean.stdout == b""
