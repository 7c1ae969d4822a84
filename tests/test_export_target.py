"""`irlmeet export TRIP -o PATH` never writes over what it must not.

Through the real CLI (``main()`` with real files, and the console entry point in a subprocess
where stdout itself matters): the data file, its journal, lock, backups and temp files, reached
directly, through a symlink, a symlinked folder or a hard link, are refused with a message, and
the data stays as it was; a folder, FIFO or device is refused; a symlink's target is replaced
and the link stays; ``-o -`` writes the calendar to stdout.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from irlmeet.cli import main
from irlmeet.core.store import Store

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX files (symlinks, FIFOs, devices)")


class Cli:
    def __init__(self, data: Path, env: dict[str, str]) -> None:
        self.data = data
        self.env = env

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--data", str(self.data), *argv], env=self.env, clock=lambda: NOW, out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    def state(self) -> tuple[list[str], list[str]]:
        """What the user has stored: contact names and trip names (the file must open)."""
        with Store(self.data) as store:
            return sorted(c.name for c in store.contacts()), sorted(t.name for t in store.trips())


@pytest.fixture
def cli(tmp_path, xdg_cache, places_cache, monkeypatch) -> Cli:
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg_cache))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    run = Cli(tmp_path / "data" / "irlmeet.json", dict(os.environ))
    for argv in (
        ("me", "--name", "Sam Rivera", "--home", "Lisbon"),
        ("contact", "add", "Ada Brandt", "--city", "Berlin"),
        ("trip", "add", "Berlin", "--from", "2026-12-08", "--to", "2026-12-11", "--name", "DataConf"),
        ("meetup", "accept", "DataConf", "Ada"),  # the export holds what the user planned (issue 7)
    ):
        code, _out, err = run(*argv)
        assert code == 0, err
    monkeypatch.chdir(tmp_path)
    return run


WANTED = (["Ada Brandt"], ["DataConf"])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()}


def _refused(cli: Cli, target: str, *reason: str) -> str:
    before = _snapshot(cli.data.parent)
    code, out, err = cli("export", "DataConf", "-o", target)
    assert code == 1, f"export to {target} was not refused: {out}{err}"
    assert err.startswith("irlmeet: error: ") and target in err and "Traceback" not in err
    for words in reason:
        assert words in err, err
    assert _snapshot(cli.data.parent) == before, "a refused export changed irlmeet's files"
    assert cli.state() == WANTED
    return err


# --------------------------------------------------------------------------------------------
# irlmeet's own files


def test_the_data_file_itself_is_refused_and_kept(cli):
    _refused(cli, str(cli.data), "irlmeet's data file", str(cli.data))


def test_the_data_file_by_a_relative_path_is_refused(cli, tmp_path):
    os.chdir(cli.data.parent)
    _refused(cli, "../data/../data/irlmeet.json", "irlmeet's data file")


@pytest.mark.parametrize(
    ("suffix", "what"),
    [(".journal", "the journal"), (".lock", "the lock file"), (".v1.bak", "a backup"), (".v2-3.bak", "a backup")],
)
def test_the_stores_sibling_files_are_refused(cli, suffix, what):
    target = cli.data.with_name(cli.data.name + suffix)
    if not target.exists() and suffix != ".journal":
        target.write_bytes(cli.data.read_bytes())  # what a migration leaves behind
    _refused(cli, str(target), what, str(cli.data))


def test_a_name_the_store_may_create_later_is_refused(cli):
    assert not cli.data.with_name("irlmeet.json.journal").exists()
    _refused(cli, str(cli.data.with_name("irlmeet.json.journal")), "the journal")
    _refused(cli, str(cli.data.with_name(".irlmeet.json.abcd1234.tmp")), "irlmeet keeps beside")


@POSIX
def test_a_symlink_to_the_data_file_is_refused(cli, tmp_path):
    (tmp_path / "calendar.ics").symlink_to(cli.data)
    _refused(cli, "calendar.ics", "irlmeet's data file")
    (tmp_path / "lock.ics").symlink_to(cli.data.with_name("irlmeet.json.lock"))
    _refused(cli, "lock.ics", "the lock file")


@POSIX
def test_the_data_file_through_a_symlinked_folder_is_refused(cli, tmp_path):
    (tmp_path / "alias").symlink_to(cli.data.parent, target_is_directory=True)
    _refused(cli, "alias/irlmeet.json", "irlmeet's data file")


@POSIX
def test_a_hard_link_to_the_data_file_is_refused(cli, tmp_path):
    os.link(cli.data, tmp_path / "calendar.ics")
    _refused(cli, "calendar.ics", "hard link", "irlmeet's data file")


def test_the_config_file_is_refused(cli, tmp_path):
    config = tmp_path / "config" / "irlmeet" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("radius_km = 60\n")
    _refused(cli, str(config), "irlmeet's own file")
    assert config.read_text() == "radius_km = 60\n"


def test_the_data_file_under_irlmeet_data_is_refused_too(cli):
    out, err = io.StringIO(), io.StringIO()
    env = {**cli.env, "IRLMEET_DATA": str(cli.data)}
    code = main(["export", "DataConf", "-o", str(cli.data)], env=env, clock=lambda: NOW, out=out, err=err)
    assert code == 1 and "irlmeet's data file" in err.getvalue()
    assert cli.state() == WANTED


# --------------------------------------------------------------------------------------------
# Things that are not files


def test_a_folder_is_refused(cli, tmp_path):
    (tmp_path / "out").mkdir()
    _refused(cli, "out", "folder")


@POSIX
def test_a_fifo_is_refused_without_hanging(cli, tmp_path):
    os.mkfifo(tmp_path / "pipe.ics")
    _refused(cli, "pipe.ics", "FIFO")


def test_a_device_is_refused(cli, tmp_path):
    # A device node of our own (a copy of /dev/null's numbers): were the refusal ever to break,
    # the export would replace this node, never the system's /dev/null.
    try:
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (AttributeError, PermissionError) as exc:
        pytest.skip(f"cannot make a device node here ({exc})")
    _refused(cli, "null", "device")


def test_a_missing_folder_is_named(cli, tmp_path):
    _refused(cli, "nowhere/trip.ics", f"the folder {tmp_path / 'nowhere'} does not exist")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX and a non-root user")
@pytest.mark.parametrize("mode", [0o500, 0o000])
def test_an_unwritable_or_unreadable_folder_is_named(cli, tmp_path, mode):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(mode)
    try:
        _refused(cli, "locked/trip.ics", str(folder), "permission denied")
    finally:
        folder.chmod(0o700)


@pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="needs Linux sysfs")
def test_a_folder_nobody_can_create_files_in_is_named(cli):
    """sysfs refuses new files even to root, so this runs everywhere on Linux."""
    _refused(cli, "/sys/kernel/irlmeet-trip.ics", "/sys/kernel", "not writable")


# --------------------------------------------------------------------------------------------
# What does get written


@POSIX
def test_a_symlink_is_followed_and_its_target_replaced(cli, tmp_path):
    (tmp_path / "calendars").mkdir()
    real = tmp_path / "calendars" / "berlin.ics"
    real.write_text("old calendar\n")
    link = tmp_path / "berlin.ics"
    link.symlink_to(real)
    code, out, err = cli("export", "DataConf", "-o", "berlin.ics")
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    cal = icalendar.Calendar.from_ical(real.read_bytes())
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] and "Ada Brandt" in real.read_text()
    assert str(real) in out
    assert sorted(p.name for p in real.parent.iterdir()) == ["berlin.ics"]  # no temp file left


@POSIX
def test_a_dangling_symlink_creates_its_target(cli, tmp_path):
    link = tmp_path / "trip.ics"
    link.symlink_to(tmp_path / "made.ics")
    code, _out, err = cli("export", "DataConf", "-o", "trip.ics")
    assert code == 0, err
    assert link.is_symlink() and (tmp_path / "made.ics").read_text().startswith("BEGIN:VCALENDAR")


def test_dash_writes_the_calendar_to_stdout(cli, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "irlmeet", "--data", str(cli.data), "export", "DataConf", "-o", "-"],
        env=cli.env, cwd=tmp_path, capture_output=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.startswith(b"BEGIN:VCALENDAR\r\n") and proc.stdout.endswith(b"END:VCALENDAR\r\n")
    events = icalendar.Calendar.from_ical(proc.stdout).walk("VEVENT")
    assert any("Ada Brandt" in str(e["SUMMARY"]) for e in events)
    assert b"wrote 1 meetup to standard output" in proc.stderr
    assert not (tmp_path / "-").exists()


def test_the_data_file_is_refused_by_the_installed_command(cli, tmp_path):
    """The bug as reported: this destroyed the data file and exited 0."""
    before = cli.data.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "irlmeet", "--data", str(cli.data), "export", "DataConf", "-o", str(cli.data)],
        env=cli.env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1 and "irlmeet's data file" in proc.stderr and "Traceback" not in proc.stderr
    assert cli.data.read_bytes() == before
    assert cli.state() == WANTED
