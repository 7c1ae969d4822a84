"""Putting a draft on the clipboard, and saying honestly how.

OSC 52 (the escape sequence a terminal app sends to set the clipboard) cannot report whether
anything arrived: macOS Terminal ignores it, and tmux drops it unless ``set-clipboard`` is on.
So a system clipboard tool is used when one is present, and the result says which one:

=============  ===================================  ===========================================
method         when                                 command
=============  ===================================  ===========================================
wl-copy        Wayland (``WAYLAND_DISPLAY`` set)    ``wl-copy``
xclip          X11 (``DISPLAY`` set)                ``xclip -selection clipboard``
xsel           X11, no xclip                        ``xsel --clipboard --input``
pbcopy         macOS                                ``pbcopy``
clip.exe       WSL or Windows                       ``clip.exe`` (fed UTF-16 so accents survive)
osc52          none of the above                    the caller's OSC 52 sender (the TUI's
                                                    ``App.copy_to_clipboard``), or :func:`osc52`
=============  ===================================  ===========================================

A tool that fails or hangs falls back to OSC 52, and the message says so. Inside tmux
(``TMUX`` set) an OSC 52 copy also reads ``tmux show -gv set-clipboard``: anything but ``on``
means tmux drops the sequence, and the result carries the fix (``set -g set-clipboard on``).

No textual import here: the TUI passes ``app.copy_to_clipboard`` as ``send_osc52``. Tools run
with the environment given (``env``, default ``os.environ``), so tests put small scripts named
``wl-copy`` or ``xclip`` on a PATH of their own and read what arrived.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["OSC52", "TMUX_FIX", "CopyResult", "Tool", "copy", "find_tool", "osc52", "tmux_set_clipboard", "write_text"]

OSC52 = "osc52"
TMUX_FIX = "add `set -g set-clipboard on` to ~/.tmux.conf, then run `tmux source-file ~/.tmux.conf`"
_TIMEOUT = 5.0  # seconds; a clipboard tool that waits longer is stuck (no display, a locked X server)


@dataclass(frozen=True, slots=True)
class Tool:
    name: str  # "wl-copy", "xclip", ...: what the user is told
    argv: tuple[str, ...]  # argv[0] is the full path found on PATH
    encoding: str = "utf-8"


@dataclass(frozen=True, slots=True)
class CopyResult:
    method: str  # a Tool name, or "osc52"
    confirmed: bool  # True only when a tool took the text and exited 0
    message: str  # for the user, e.g. "copied with wl-copy"
    hint: str = ""  # how to make it work (tmux), or what failed; "" when nothing to add


def _is_wsl(env: Mapping[str, str]) -> bool:
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    try:
        return "microsoft" in Path("/proc/sys/kernel/osrelease").read_text(encoding="ascii", errors="replace").lower()
    except OSError:
        return False


def find_tool(env: Mapping[str, str] | None = None, *, platform: str | None = None) -> Tool | None:
    """The clipboard tool to use here, or None (then OSC 52 is the only way)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    path = env.get("PATH", "")

    def which(name: str) -> str | None:
        return shutil.which(name, path=path)

    candidates: list[tuple[str, tuple[str, ...], str]] = []
    if env.get("WAYLAND_DISPLAY"):
        candidates.append(("wl-copy", (), "utf-8"))
    if env.get("DISPLAY"):
        candidates.append(("xclip", ("-selection", "clipboard"), "utf-8"))
        candidates.append(("xsel", ("--clipboard", "--input"), "utf-8"))
    if platform == "darwin":
        candidates.append(("pbcopy", (), "utf-8"))
    if platform == "win32" or (platform.startswith("linux") and _is_wsl(env)):
        candidates.append(("clip.exe", (), "utf-16"))  # with a BOM: clip.exe reads it as Unicode
    for name, args, encoding in candidates:
        found = which(name)
        if found:
            return Tool(name, (found, *args), encoding)
    return None


def tmux_set_clipboard(env: Mapping[str, str] | None = None) -> str | None:
    """Inside tmux, its ``set-clipboard`` option ("on", "external", "off", or "unknown" when
    tmux can't be asked); None outside tmux."""
    env = os.environ if env is None else env
    if not env.get("TMUX"):
        return None
    tmux = shutil.which("tmux", path=env.get("PATH", ""))
    if tmux is None:
        return "unknown"
    try:
        done = subprocess.run(
            [tmux, "show", "-gv", "set-clipboard"],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    value = done.stdout.strip().lower()
    return value if done.returncode == 0 and value else "unknown"


def osc52(text: str) -> str:
    """The OSC 52 sequence that asks the terminal to put ``text`` on its clipboard."""
    return "\x1b]52;c;" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "\a"


def _run_tool(tool: Tool, text: str, env: Mapping[str, str]) -> str | None:
    """None when the tool took the text; else what went wrong, for the user."""
    data = text.encode(tool.encoding)
    # wl-copy and xclip fork a child that keeps serving the clipboard: it inherits stdout and
    # stderr, so they must not be pipes we wait on (the copy would hang until the next copy).
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(
                list(tool.argv),
                input=data,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=dict(env),
                timeout=_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"{tool.name} did not finish within {_TIMEOUT:g} s"
        except OSError as exc:
            return f"{tool.name} could not run: {exc.strerror or exc}"
        if done.returncode != 0:
            errors.seek(0)
            said = errors.read(500).decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[-1]}" if said else ""
            return f"{tool.name} failed (exit {done.returncode}){detail}"
    return None


def copy(
    text: str,
    *,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    send_osc52: Callable[[str], None] | None = None,
) -> CopyResult:
    """Put ``text`` on the clipboard: a system tool when present, else OSC 52 through
    ``send_osc52`` (a function that writes the sequence for ``text``; the TUI passes
    ``app.copy_to_clipboard``). Blocking (runs a process): call it from a worker thread."""
    env = os.environ if env is None else env
    tool = find_tool(env, platform=platform)
    failed = ""
    if tool is not None:
        problem = _run_tool(tool, text, env)
        if problem is None:
            return CopyResult(tool.name, True, f"copied with {tool.name}")
        failed = problem
    if send_osc52 is None:
        message = "no clipboard tool found (wl-copy, xclip, xsel, pbcopy or clip.exe)"
        if failed:
            message = failed
        return CopyResult(OSC52, False, f"not copied: {message}; write the draft to a file instead", failed)
    send_osc52(text)
    message = "sent to the terminal's clipboard (OSC 52) — it can't confirm it arrived"
    if failed:
        message = f"{failed}; {message}"
    hint = failed
    setting = tmux_set_clipboard(env)
    if setting is not None and setting != "on":
        said = f"set-clipboard is {setting}" if setting != "unknown" else "could not read tmux's set-clipboard"
        hint = f"inside tmux ({said}) the copy is dropped: {TMUX_FIX}"
        message = f"{message}; {hint}"
    return CopyResult(OSC52, False, message, hint)


def write_text(path: Path, text: str, *, replace: bool = False) -> bool:
    """The other way out: write the draft to ``path`` (UTF-8, 0600, whole or not at all).
    An existing file is kept unless ``replace``: returns False then, so the UI can ask first.
    OSErrors propagate for the caller to word (:func:`irlmeet.core.fsutil.describe_os_error`)."""
    from irlmeet.core.fsutil import atomic_write, write_new

    data = text.encode("utf-8")
    if replace:
        atomic_write(path, data, mode=None)
        return True
    return write_new(path, data)
