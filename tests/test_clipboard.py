"""The clipboard: a real subprocess per tool (small scripts named like the tools, on a PATH of
their own, that write what they read to a file), OSC 52 when there is none, and tmux's setting."""

from __future__ import annotations

import base64
import os
import shutil
import stat
from pathlib import Path

import pytest

from irlmeet.core import clipboard
from irlmeet.core.clipboard import OSC52, copy, find_tool, osc52, tmux_set_clipboard

# The fake tools run with a PATH holding only themselves: they call cat by its full path.
CAT = shutil.which("cat") or "/bin/cat"
SLEEP = shutil.which("sleep") or "/bin/sleep"
TEXT = "Subject: Café in Berlin?\n\nHi Zoë, no worries if not.\n"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fake tools are shell scripts")


def tool(bin_dir: Path, name: str, body: str) -> Path:
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / name
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def recorder(bin_dir: Path, name: str) -> Path:
    """A tool that writes stdin, and its arguments, where the test can read them."""
    tool(bin_dir, name, f'printf "%s\\n" "$*" > "$OUT.args"\n{CAT} > "$OUT"\n')
    return bin_dir


@pytest.fixture
def sent():
    got: list[str] = []
    return got


def test_wl_copy_on_wayland_gets_the_text_and_is_named(tmp_path, sent):
    bin_dir = recorder(tmp_path / "bin", "wl-copy")
    recorder(bin_dir, "xclip")
    out = tmp_path / "got"
    env = {"PATH": str(bin_dir), "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "OUT": str(out)}
    result = copy(TEXT, env=env, platform="linux", send_osc52=sent.append)
    assert (result.method, result.confirmed, result.message) == ("wl-copy", True, "copied with wl-copy")
    assert out.read_text(encoding="utf-8") == TEXT
    assert sent == [], "no OSC 52 when a tool took it"


def test_xclip_on_x11_with_the_clipboard_selection(tmp_path, sent):
    bin_dir = recorder(tmp_path / "bin", "xclip")
    out = tmp_path / "got"
    result = copy(TEXT, env={"PATH": str(bin_dir), "DISPLAY": ":0", "OUT": str(out)}, platform="linux", send_osc52=sent.append)
    assert result.method == "xclip" and result.message == "copied with xclip"
    assert out.read_text(encoding="utf-8") == TEXT
    assert Path(f"{out}.args").read_text().split() == ["-selection", "clipboard"]


def test_xsel_when_there_is_no_xclip_and_pbcopy_on_macos(tmp_path, sent):
    bin_dir = recorder(tmp_path / "bin", "xsel")
    recorder(bin_dir, "pbcopy")
    out = tmp_path / "got"
    env = {"PATH": str(bin_dir), "DISPLAY": ":0", "OUT": str(out)}
    assert copy(TEXT, env=env, platform="linux").method == "xsel"
    assert Path(f"{out}.args").read_text().split() == ["--clipboard", "--input"]
    del env["DISPLAY"]
    result = copy(TEXT, env=env, platform="darwin")
    assert result.method == "pbcopy" and out.read_text(encoding="utf-8") == TEXT


def test_clip_exe_on_wsl_is_fed_utf16_so_accents_survive(tmp_path):
    bin_dir = recorder(tmp_path / "bin", "clip.exe")
    out = tmp_path / "got"
    result = copy(TEXT, env={"PATH": str(bin_dir), "WSL_DISTRO_NAME": "Ubuntu", "OUT": str(out)}, platform="linux")
    assert result.method == "clip.exe"
    assert out.read_bytes().decode("utf-16") == TEXT


def test_without_a_tool_osc52_is_sent_and_the_message_says_it_cannot_confirm(tmp_path, sent):
    env = {"PATH": str(tmp_path / "empty"), "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert find_tool(env, platform="linux") is None
    result = copy(TEXT, env=env, platform="linux", send_osc52=sent.append)
    assert sent == [TEXT]
    assert result.method == OSC52 and not result.confirmed
    assert result.message == "sent to the terminal's clipboard (OSC 52) — it can't confirm it arrived"


def test_a_tool_present_but_no_display_is_not_used(tmp_path, sent):
    bin_dir = recorder(tmp_path / "bin", "xclip")
    result = copy(TEXT, env={"PATH": str(bin_dir)}, platform="linux", send_osc52=sent.append)
    assert result.method == OSC52 and sent == [TEXT]


def test_a_failing_tool_falls_back_to_osc52_and_says_why(tmp_path, sent):
    bin_dir = tmp_path / "bin"
    tool(bin_dir, "wl-copy", f'{CAT} >/dev/null\necho "Failed to connect to a Wayland server" >&2\nexit 1\n')
    result = copy(TEXT, env={"PATH": str(bin_dir), "WAYLAND_DISPLAY": "wayland-9"}, platform="linux", send_osc52=sent.append)
    assert result.method == OSC52 and sent == [TEXT]
    assert result.message.startswith("wl-copy failed (exit 1): Failed to connect to a Wayland server; sent to the terminal")


def test_a_tool_that_leaves_a_child_serving_the_clipboard_does_not_hang_the_copy(tmp_path):
    """wl-copy and xclip fork a child that keeps stdout/stderr open; the copy must not wait for it."""
    bin_dir = tmp_path / "bin"
    gate = tmp_path / "gate"
    tool(bin_dir, "wl-copy", f'{CAT} > "$OUT"\n( while [ ! -e "{gate}" ]; do {SLEEP} 0.05; done ) &\nexit 0\n')
    out = tmp_path / "got"
    try:
        result = copy(TEXT, env={"PATH": str(bin_dir), "WAYLAND_DISPLAY": "w", "OUT": str(out)}, platform="linux")
        assert result.confirmed and out.read_text(encoding="utf-8") == TEXT
    finally:
        gate.touch()  # lets the fake "server" child end


def test_inside_tmux_without_set_clipboard_the_fix_is_given(tmp_path, sent):
    bin_dir = tmp_path / "bin"
    tool(bin_dir, "tmux", '[ "$*" = "show -gv set-clipboard" ] && echo external\n')
    env = {"PATH": str(bin_dir), "TMUX": "/tmp/tmux-1000/default,1,0"}
    assert tmux_set_clipboard(env) == "external"
    result = copy(TEXT, env=env, platform="linux", send_osc52=sent.append)
    assert sent == [TEXT]
    assert "set -g set-clipboard on" in result.hint and "set-clipboard is external" in result.hint
    assert result.hint in result.message


def test_inside_tmux_with_set_clipboard_on_no_fix_is_needed(tmp_path, sent):
    bin_dir = tmp_path / "bin"
    tool(bin_dir, "tmux", "echo on\n")
    env = {"PATH": str(bin_dir), "TMUX": "x"}
    result = copy(TEXT, env=env, platform="linux", send_osc52=sent.append)
    assert result.hint == "" and "tmux" not in result.message
    assert tmux_set_clipboard({"PATH": str(bin_dir)}) is None, "not inside tmux"
    assert tmux_set_clipboard({"PATH": str(tmp_path / "none"), "TMUX": "x"}) == "unknown"


def test_without_any_way_to_copy_the_user_is_told_to_write_a_file(tmp_path):
    result = clipboard.copy(TEXT, env={"PATH": str(tmp_path)}, platform="linux")
    assert not result.confirmed and "write the draft to a file" in result.message


def test_the_osc52_sequence_carries_the_text():
    seq = osc52(TEXT)
    assert seq.startswith("\x1b]52;c;") and seq.endswith("\a")
    assert base64.b64decode(seq[7:-1]).decode("utf-8") == TEXT
