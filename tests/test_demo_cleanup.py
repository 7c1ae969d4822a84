"""`irlmeet --demo` leaves nothing behind: real processes on a real pseudo-terminal.

The app runs as the user would start it (``python -m irlmeet --demo`` with the pty as its
controlling terminal); each test waits until the demo's copy exists and the app has drawn,
then ends it the way a user does: `q`, closing the terminal (the kernel's SIGHUP), SIGTERM,
or SIGKILL (after which the next ``--demo`` removes the stale copy).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from irlmeet.core import demo

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals and signals")

DEADLINE = 60.0  # seconds; generous for a loaded machine, never waited in a passing run


def _wait_for(condition, what: str, timeout: float = DEADLINE) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class DemoApp:
    """``irlmeet --demo`` on its own pty; the pty's output is drained by a thread."""

    def __init__(self, tmp: Path, env: dict[str, str], argv: tuple[str, ...] = ()) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.root = demo.copies_root(tmp)
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))

        def controlling_terminal() -> None:  # runs in the child, after setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "irlmeet", "--demo", *argv],
            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=tmp,
            start_new_session=True, preexec_fn=controlling_terminal,
        )
        os.close(slave)
        self.output = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def copies(self) -> list[Path]:
        return sorted(self.root.glob("demo-*")) if self.root.exists() else []

    def started(self) -> Path:
        """Wait until the app shows the demo's trips; returns its copy's folder."""
        _wait_for(lambda: b"DataConf" in self.output or b"demo data" in self.output or self.proc.poll() is not None,
                  "the demo app to draw")
        assert self.proc.poll() is None, self.output.decode(errors="replace")[-2000:]
        mine = [p for p in self.copies() if p.name.startswith(f"demo-{self.proc.pid}-")]
        assert len(mine) == 1 and (mine[0] / demo.DEMO_FILE).exists()
        return mine[0]

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=DEADLINE)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        try:
            os.close(self.master)
        except OSError:
            pass


@pytest.fixture
def env(tmp_path, xdg_cache, places_cache) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL_") and k not in ("NO_COLOR", "IRLMEET_DATA")}
    env.update(
        TMPDIR=str(tmp_path), TERM="xterm-256color", XDG_CACHE_HOME=str(xdg_cache),
        XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
    )
    return env


def test_quitting_removes_the_copy(tmp_path, env):
    app = DemoApp(tmp_path, env)
    try:
        copy = app.started()
        os.write(app.master, b"q")
        assert app.proc.wait(timeout=DEADLINE) == 0
        app._reader.join(timeout=DEADLINE)
    finally:
        app.close()
    assert not copy.exists() and app.copies() == []
    assert b"Traceback" not in app.output
    assert not (tmp_path / "data").exists(), "the demo touched the user's data folder"


def test_closing_the_terminal_removes_the_copy(tmp_path, env):
    app = DemoApp(tmp_path, env)
    try:
        copy = app.started()
        os.close(app.master)  # the terminal window goes away: the kernel sends SIGHUP
        code = app.proc.wait(timeout=DEADLINE)
    finally:
        app.close()
    assert code == 128 + signal.SIGHUP
    assert not copy.exists() and app.copies() == [], [(p, p.stat().st_size) for p in copy.rglob("*")]


def test_sigterm_ends_the_app_like_quitting(tmp_path, env):
    app = DemoApp(tmp_path, env)
    try:
        copy = app.started()
        app.proc.send_signal(signal.SIGTERM)
        assert app.proc.wait(timeout=DEADLINE) == 128 + signal.SIGTERM
        app._reader.join(timeout=DEADLINE)  # the pty reads EOF/EIO once the app is gone
    finally:
        app.close()
    assert not copy.exists() and app.copies() == []
    assert b"Traceback" not in app.output, app.output.decode(errors="replace")[-2000:]
    assert b"\x1b[?1049l" in app.output[-200:], (
        f"the terminal was left in the app's screen mode: {bytes(app.output[-300:])!r}"
    )


def test_sighup_removes_the_copy_at_once(tmp_path, env):
    """SIGHUP says the terminal is gone: nothing is drawn any more, the copy is removed."""
    app = DemoApp(tmp_path, env)
    try:
        copy = app.started()
        app.proc.send_signal(signal.SIGHUP)
        assert app.wait() == 128 + signal.SIGHUP
    finally:
        app.close()
    assert not copy.exists() and app.copies() == []


def test_hanging_up_while_the_app_draws_does_not_hang(tmp_path, env):
    """The terminal closed while the app still draws its first screens: Textual's writer
    thread dies on EIO, so an orderly shutdown would block for ever."""
    app = DemoApp(tmp_path, env)
    try:
        _wait_for(lambda: len(app.copies()) == 1 and len(app.output) > 0, "the app to start drawing")
        copy = app.copies()[0]
        os.close(app.master)
        code = app.proc.wait(timeout=DEADLINE)
    finally:
        app.close()
    assert code == 128 + signal.SIGHUP
    assert not copy.exists() and app.copies() == []


def test_a_killed_runs_copy_is_removed_by_the_next_demo(tmp_path, env):
    app = DemoApp(tmp_path, env)
    try:
        stale = app.started()
        app.proc.send_signal(signal.SIGKILL)
        assert app.wait() == -signal.SIGKILL
    finally:
        app.close()
    assert stale.exists(), "SIGKILL cannot be caught: the copy is left for the next run"
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        live = demo.copies_root(tmp_path) / f"demo-{alive.pid}-other"  # another demo still running
        live.mkdir()
        proc = subprocess.run(
            [sys.executable, "-m", "irlmeet", "--demo", "trip", "list"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=DEADLINE,
        )
        assert proc.returncode == 0, proc.stderr
        assert "DataConf Berlin" in proc.stdout
        assert not stale.exists()
        assert live.exists(), "a copy whose process is alive was removed"
    finally:
        alive.communicate(b"")
    assert [p.name for p in demo.copies_root(tmp_path).iterdir()] == [live.name]


def test_remove_stale_keeps_live_and_foreign_folders(tmp_path):
    root = demo.copies_root(tmp_path)
    root.mkdir()
    for name in ("demo-111-aaaa", "demo-222-bbbb", "notes", "demo-x-cccc"):
        (root / name).mkdir()
    removed = demo.remove_stale(root, alive=lambda pid: pid == 222)
    assert [p.name for p in removed] == ["demo-111-aaaa"]
    assert sorted(p.name for p in root.iterdir()) == ["demo-222-bbbb", "demo-x-cccc", "notes"]
