"""The drafts view, through Pilot over a real Store: switch channel and variant, edit and see the
etiquette check answer, the count against the cap, copy with a (fake, real-process) clipboard
tool or OSC 52, keep the edit with the meetup across a restart, $EDITOR, write to a file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea

from irlmeet.core.models import MeetupStatus
from irlmeet.tui.app import IrlmeetApp
from irlmeet.tui.drafts_screen import DraftsScreen, WriteDraftScreen
from irlmeet.tui.screens import ConfirmScreen
from tests.conftest import wait_until
from tests.test_tui import SIZE, notifications, open_trips, seed, settle

CAT = "/bin/cat" if Path("/bin/cat").exists() else "/usr/bin/cat"


@pytest.fixture(autouse=True)
def _no_debounce(monkeypatch):
    """The check runs on the next tick instead of 0.3 s after the last key (no sleeps in tests)."""
    monkeypatch.setattr(DraftsScreen, "debounce", 0.0)


def script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def app_with(world, env: dict[str, str]) -> IrlmeetApp:  # noqa: F811
    return IrlmeetApp(world.service, settings=world.settings, env=env)


async def open_drafts(app, pilot) -> DraftsScreen:
    await open_trips(app, pilot)
    await pilot.press("d")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, DraftsScreen)
    return screen


def shown(screen: DraftsScreen, selector: str) -> str:
    content = screen.query_one(selector, Static).content
    return getattr(content, "plain", str(content))


async def until(pilot, condition, what: str) -> None:
    await wait_until(pilot, condition, what)


async def test_the_draft_opens_checked_and_counted(world, tmp_path):  # noqa: F811
    seed(world)
    app = app_with(world, {"PATH": str(tmp_path / "empty")})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drafts(app, pilot)
        assert screen.contact.name == "Ada [eng] Lovelace"
        text = screen.text
        assert text.startswith("Subject: ") and ("Hi Ada," in text or "Hello Ada," in text)
        assert shown(screen, "#drafts-warnings") == "✓ no etiquette problems"
        assert shown(screen, "#drafts-count").endswith("/ 125 words")
        head = shown(screen, "#drafts-head")
        assert "Draft for Ada [eng] Lovelace" in head and "variant 1/3" in head and "idea" in head
        # The idea meetup was stored so the edit has somewhere to live.
        assert screen.meetup is not None and screen.meetup.status is MeetupStatus.IDEA


async def test_editing_shows_a_warning_and_the_count_follows(world, tmp_path):  # noqa: F811
    seed(world)
    app = app_with(world, {"PATH": str(tmp_path / "empty")})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drafts(app, pilot)
        editor = screen.query_one("#drafts-editor", TextArea)
        before = shown(screen, "#drafts-count")
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press(*" ARE YOU HIRING")
        await until(pilot, lambda: "asks for a job" in shown(screen, "#drafts-warnings"), "the favour-ask warning")
        warnings = shown(screen, "#drafts-warnings")
        assert '("ARE YOU HIRING")' in warnings and "shouting" in warnings
        assert [w.code for w in screen.warnings] == ["favour-ask", "shouting"]
        words = int(before.split(" /")[0])
        assert shown(screen, "#drafts-count") == f"{words + 3} / 125 words"
        # Undo the edit: the warnings go away.
        for _ in range(len(" ARE YOU HIRING")):
            await pilot.press("backspace")
        await until(pilot, lambda: not screen.warnings, "the warnings clear")


async def test_channel_and_variant_switchers(world, tmp_path):  # noqa: F811
    seed(world)
    app = app_with(world, {"PATH": str(tmp_path / "empty")})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drafts(app, pilot)
        email = screen.text
        await pilot.press("f2")
        await settle(app, pilot)
        assert screen.channel == "linkedin-note"
        note = screen.text
        assert note and note != email and "Ada" in note
        assert "personalised invitation notes a month" in shown(screen, "#drafts-note")  # LinkedIn's limit, said
        count, cap = shown(screen, "#drafts-count").split(" characters")[0].split(" / ")
        assert 0 < int(count) <= int(cap) == 200
        await pilot.press("f3")
        await settle(app, pilot)
        assert "variant 2/3" in shown(screen, "#drafts-head") and screen.text != note
        screen.query_one("#drafts-editor", TextArea).load_text("Hi Ada, since PyCon: coffee Wednesday? " + "x" * 180)
        await until(pilot, lambda: "over-cap" in [w.code for w in screen.warnings], "over the note's cap")
        assert "over the cap" in shown(screen, "#drafts-count")
        # Round the channels back to email: the email text is as it was.
        for _ in range(4):
            await pilot.press("f2")
            await settle(app, pilot)
        assert screen.channel == "email" and screen.text == email
        await pilot.press("f2")
        await settle(app, pilot)
        assert screen.text.startswith("Hi Ada, since PyCon"), "the note typed in this view is still there"


async def test_copy_with_a_clipboard_tool_then_mark_invited(world, tmp_path):  # noqa: F811
    seed(world)
    out = tmp_path / "clip"
    script(tmp_path / "bin" / "wl-copy", f'{CAT} > "$OUT"\n')
    app = app_with(world, {"PATH": str(tmp_path / "bin"), "WAYLAND_DISPLAY": "wayland-0", "OUT": str(out)})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drafts(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        assert out.read_text(encoding="utf-8") == screen.text
        assert "Copied with wl-copy" in notifications(app)
        assert app.clipboard == "", "no OSC 52 when the tool took it"
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert screen.meetup is not None and screen.meetup.status is MeetupStatus.INVITED
        stored = app.service.store.meetup(screen.meetup.id)
        assert stored.status is MeetupStatus.INVITED and stored.sequence == 1
        assert stored.draft_text == screen.text and stored.draft_channel == "email"


async def test_copy_without_a_tool_goes_by_osc52_and_says_it_cannot_confirm(world, tmp_path):  # noqa: F811
    seed(world)
    script(tmp_path / "bin" / "tmux", "echo external\n")
    app = app_with(world, {"PATH": str(tmp_path / "bin"), "TMUX": "/tmp/tmux-1/default,1,0"})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drafts(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.clipboard == screen.text
        [said] = [n for n in notifications(app) if "OSC 52" in n]
        assert "it can't confirm it arrived" in said and "set -g set-clipboard on" in said
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.meetup.status is MeetupStatus.IDEA, "not marked unless the user says so"


async def test_the_edit_is_kept_with_the_meetup_across_a_restart(world, tmp_path):  # noqa: F811
    seed(world)
    env = {"PATH": str(tmp_path / "empty")}
    app = app_with(world, env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drafts(app, pilot)
        edited = screen.text.replace("Subject: ", "Subject: Hello from Sam — ")
        assert edited != screen.text
        screen.query_one("#drafts-editor", TextArea).load_text(edited)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, DraftsScreen)
    world.close()
    again = app_with(world, env)
    async with again.run_test(size=SIZE) as pilot:
        screen = await open_drafts(again, pilot)
        assert screen.text == edited
        assert "The text you kept for this meetup" in shown(screen, "#drafts-note")
        # ctrl+r brings irlmeet's draft back; ctrl+s keeps that.
        await pilot.press("ctrl+r")
        await settle(again, pilot)
        assert screen.text != edited and screen.text.startswith("Subject: ")
        await pilot.press("ctrl+s")
        await settle(again, pilot)
        assert again.service.store.meetup(screen.meetup.id).draft_text == screen.text


async def test_editor_round_trip(world, tmp_path):  # noqa: F811
    seed(world)
    # Like `code --wait`: options first, the file last. It keeps a copy of what it was given.
    editor = script(
        tmp_path / "bin" / "fake-editor",
        f'for f; do :; done\n{CAT} "$f" > "$SEEN"\nprintf "\\nP.S. See you at PyCon!\\n" >> "$f"\n',
    )
    temp = tmp_path / "tmp"
    temp.mkdir()
    seen = tmp_path / "seen"
    env = {"PATH": str(tmp_path / "empty"), "EDITOR": f"{editor} --wait", "TMPDIR": str(temp), "SEEN": str(seen)}
    app = app_with(world, env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drafts(app, pilot)
        before = screen.text
        await pilot.press("f4")
        await settle(app, pilot)
        assert seen.read_text(encoding="utf-8") == before, "the editor was given the draft"
        assert screen.text == before + "\nP.S. See you at PyCon!\n"
        assert "Draft updated from your editor." in notifications(app)
        assert list(temp.iterdir()) == [], "no temp file left behind"


async def test_no_editor_set_is_said(world, tmp_path):  # noqa: F811
    seed(world)
    app = app_with(world, {"PATH": str(tmp_path / "empty")})
    async with app.run_test(size=SIZE) as pilot:
        await open_drafts(app, pilot)
        await pilot.press("f4")
        assert any("Set $EDITOR" in n for n in notifications(app))


async def test_write_the_draft_to_a_file(world, tmp_path):  # noqa: F811
    seed(world)
    app = app_with(world, {"PATH": str(tmp_path / "empty")})
    target = tmp_path / "out" / "ada.txt"
    target.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drafts(app, pilot)
        await pilot.press("f8")
        dialog = app.screen
        assert isinstance(dialog, WriteDraftScreen)
        dialog.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert target.read_text(encoding="utf-8") == screen.text
        assert (target.stat().st_mode & 0o777) == 0o600
        # Again: the existing file is replaced only when asked twice.
        await pilot.press("f8")
        dialog = app.screen
        dialog.query_one("#path", Input).value = str(target)
        target.write_text("older", encoding="utf-8")
        await pilot.press("enter")
        assert "exists; press Write again" in dialog.query_one("#write-error", Static).content.plain
        assert target.read_text(encoding="utf-8") == "older"
        await pilot.press("enter")
        await settle(app, pilot)
        assert target.read_text(encoding="utf-8") == screen.text
