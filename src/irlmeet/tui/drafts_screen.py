"""The drafts view: one person's invitation in an editor, checked as it is written.

Opened from the trip screen for the highlighted person (``d``). Channel and variant switchers,
the text in a TextArea with the etiquette warnings (computed in core, a moment after typing
stops) and the length against the channel's cap below it; ``$EDITOR``; copy (a clipboard tool
when present, else OSC 52, and the notification says which); write to a file. The edited text
is kept with the person's meetup (``Service.save_draft``) when leaving, copying or saving, and
copying offers to mark the meetup invited.

Draft generation goes through :func:`generate`, the one adapter to ``Service.draft``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, Header, Input, Static, TextArea

from irlmeet.core import clipboard, etiquette
from irlmeet.core.fsutil import describe_os_error
from irlmeet.core.models import Contact, Meetup, MeetupStatus, Trip
from irlmeet.core.text import visible
from irlmeet.tui.footer import KeyFooter
from irlmeet.tui.screens import ConfirmScreen
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.planner import Plan
    from irlmeet.core.service import Service

__all__ = ["CHANNELS", "DraftsScreen", "Generated", "WriteDraftScreen", "generate"]

#: The channels offered, in switching order (the etiquette check's names).
CHANNELS: tuple[str, ...] = tuple(etiquette.CHANNEL_CAPS)


# -- the adapter to draft generation ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Generated:
    text: str  # "" when irlmeet writes no draft for this channel yet
    variants: int  # how many variants exist for this channel (>= 1)
    note: str = ""  # said above the editor: what irlmeet could not do, hints


def generate(service: Service, trip: Trip, contact: Contact, plan: Plan | None, channel: str, variant: int) -> Generated:
    """The generated draft for ``channel`` and ``variant`` (0-based). The only place the drafts
    view calls draft generation."""
    d = service.draft(trip, contact, channel=channel, variant=variant + 1, the_plan=plan)
    hints = "; ".join(d.hints)
    return Generated(d.text(), d.variants, f"hint: {hints}" if hints else "")


# -- messages ---------------------------------------------------------------------------------


class DraftLoaded(Message):
    def __init__(self, meetup: Meetup | None, channel: str, variant: int, generated: Generated | None, error: BaseException | None) -> None:
        super().__init__()
        self.meetup = meetup
        self.channel = channel
        self.variant = variant
        self.generated = generated
        self.error = error


class DraftSaved(Message):
    def __init__(self, meetup: Meetup | None, error: BaseException | None, then_copy: clipboard.CopyResult | None = None) -> None:
        super().__init__()
        self.meetup = meetup
        self.error = error
        self.copied = then_copy


# -- dialogs ---------------------------------------------------------------------------------


class WriteDraftScreen(ModalScreen[Path | None]):
    """Where to write the draft; an existing file is replaced only when asked twice."""

    DEFAULT_CSS = """
    WriteDraftScreen { align: center middle; background: $background 60%; }
    WriteDraftScreen #path { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="write-cancel")]

    def __init__(self, text: str, default_path: str) -> None:
        super().__init__()
        self._text = text
        self._default = default_path
        self._replace: Path | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            yield Static(Text("Write the draft to a file", style="bold"), classes="dialog-title")
            yield Input(self._default, id="path")
            yield Static("", id="write-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Write", variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#write-error").display = False
        self.query_one("#path", Input).focus()

    def _error(self, message: str) -> None:
        err = self.query_one("#write-error", Static)
        err.update(Text(visible(message, lines=True)))
        err.display = True

    @on(Input.Submitted)
    @on(Button.Pressed, "#submit")
    def submit(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self._error("File: enter where to write the draft")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            self._error(f"File: {path} is a folder; add a file name")
            return
        try:
            written = clipboard.write_text(path, self._text, replace=self._replace == path)
        except OSError as exc:
            self._error(f"File: {path}: {describe_os_error(exc, path)}")
            return
        if not written:
            self._replace = path
            self._error(f"File: {path} exists; press Write again to replace it")
            return
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the command palette ----------------------------------------------------------------------


class DraftCommands(Provider):
    """The drafts view's actions in the command palette."""

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, DraftsScreen):
            return
        matcher = self.matcher(query)
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding)
            score = matcher.match(binding.description)
            if score > 0:
                yield Hit(score, matcher.highlight(binding.description), screen.runner(binding.action), help=binding.tooltip or None)


# -- the view ---------------------------------------------------------------------------------


class DraftsScreen(Screen[None]):
    """One person's invitation: edit, check, copy, keep."""

    DEFAULT_CSS = """
    #drafts-body { padding: 0 1; }
    #drafts-head { height: auto; padding: 1 0 0 0; }
    #drafts-note { height: auto; color: $text-muted; }
    #drafts-editor { height: 1fr; min-height: 6; margin-top: 1; }
    #drafts-count { height: 1; }
    #drafts-warnings { height: auto; max-height: 45%; overflow-y: auto; padding-bottom: 1; }
    """

    COMMANDS: ClassVar = {DraftCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "next_channel", "Channel", id="drafts-channel", tooltip="email, LinkedIn note, DM, SMS, group post"),
        Binding("f3", "next_variant", "Variant", id="drafts-variant", tooltip="another wording of the same draft"),
        Binding("f4", "open_editor", "$EDITOR", id="drafts-editor", tooltip="edit in your own editor"),
        Binding("f5", "copy", "Copy", id="drafts-copy", tooltip="copy, then mark the meetup invited"),
        Binding("f8", "write_file", "Write file", id="drafts-write", tooltip="write the draft to a file"),
        Binding("ctrl+s", "save", "Keep", id="drafts-save", tooltip="keep the edited text with the meetup"),
        Binding("ctrl+r", "reset", "Regenerate", id="drafts-reset", tooltip="back to irlmeet's draft"),
        Binding("escape", "back", "Back", id="drafts-back", tooltip="back to the trip (the edit is kept)"),
    ]

    #: Seconds after the last keystroke before the etiquette check runs.
    debounce: ClassVar[float] = 0.3

    def __init__(self, service: Service, trip: Trip, contact: Contact, plan: Plan | None, *, env: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.service = service
        self.trip = trip
        self.contact = contact
        self.plan = plan
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.meetup: Meetup | None = None
        self.channel = CHANNELS[0]
        self.variant = 0
        self.variants = 1
        self.warnings: list[etiquette.EtiquetteWarning] = []
        self._texts: dict[str, str] = {}  # the text per channel as left in this view
        self._generated: dict[tuple[str, int], Generated] = {}
        self._saved = ""  # what the meetup keeps now
        self._loading = False
        self._setting = False  # the editor is being filled by the view, not typed in
        self._timer: Timer | None = None

    def runner(self, action: str):
        async def run() -> None:
            await self.run_action(action)

        return run

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="drafts-body"):
            yield Static("", id="drafts-head")
            yield Static("", id="drafts-note")
            yield TextArea("", id="drafts-editor", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="drafts-count")
            yield Static("", id="drafts-warnings")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#drafts-note").display = False
        self._show_head()
        self._load(self.channel, self.variant, first=True)

    # -- loading ------------------------------------------------------------------------------

    def _load(self, channel: str, variant: int, *, first: bool = False) -> None:
        self._loading = True
        self.query_one("#drafts-count", Static).update(Text("Writing the draft…", style="dim italic"))
        service, trip, contact, plan = self.service, self.trip, self.contact, self.plan

        def work() -> None:
            meetup = None
            try:
                if first:
                    meetup = service.meetup_for(trip, contact.id)
                    if meetup is not None and meetup.draft_text:
                        channel_ = meetup.draft_channel or channel
                        self.post_message(DraftLoaded(meetup, channel_, 0, None, None))
                        return
                gen = generate(service, trip, contact, plan, channel, variant)
            except Exception as exc:  # noqa: BLE001 - shown in the view
                self.post_message(DraftLoaded(meetup, channel, variant, None, exc))
                return
            self.post_message(DraftLoaded(meetup, channel, variant, gen, None))

        self.run_worker(work, name="draft", group="drafts-load", thread=True, exclusive=True, exit_on_error=False)

    def on_draft_loaded(self, message: DraftLoaded) -> None:
        self._loading = False
        if message.meetup is not None:
            self.meetup = message.meetup
            if message.generated is None and message.meetup.draft_text:
                self._saved = message.meetup.draft_text
                self.channel = message.channel
                self._texts[message.channel] = message.meetup.draft_text
                self._set_editor(message.meetup.draft_text)
                self._note("The text you kept for this meetup. ctrl+r goes back to irlmeet's draft.")
                self._show_head()
                return
        if message.error is not None or message.generated is None:
            self._note(f"Could not write the draft: {describe_error(message.error)}" if message.error else "")
            self._set_editor(self._texts.get(message.channel, ""))
            return
        gen = message.generated
        self._generated[(message.channel, message.variant)] = gen
        self.channel, self.variant, self.variants = message.channel, message.variant, max(1, gen.variants)
        self._set_editor(gen.text)
        self._note(gen.note)
        self._show_head()

    # -- showing ------------------------------------------------------------------------------

    def _show_head(self) -> None:
        head = Text("Draft for ", style="bold")
        head.append(visible(self.contact.name), style="bold")
        head.append("  ·  ")
        for name in CHANNELS:
            head.append(f" {name} ", style="reverse" if name == self.channel else "dim")
        head.append(f"  ·  variant {self.variant + 1}/{self.variants}")
        if self.meetup is not None:
            head.append(f"  ·  {self.meetup.status.value}", style="italic")
        self.query_one("#drafts-head", Static).update(head)

    def _note(self, text: str) -> None:
        note = self.query_one("#drafts-note", Static)
        note.update(Text(visible(text, lines=True), style="italic"))
        note.display = bool(text)

    def _set_editor(self, text: str) -> None:
        editor = self.query_one("#drafts-editor", TextArea)
        self._setting = True
        editor.load_text(text)
        self._setting = False
        self._texts[self.channel] = text
        self._run_check()

    @property
    def text(self) -> str:
        return self.query_one("#drafts-editor", TextArea).text

    @on(TextArea.Changed, "#drafts-editor")
    def _edited(self, event: TextArea.Changed) -> None:
        self._texts[self.channel] = self.text
        self._show_count()
        if self._setting:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.debounce > 0:
            self._timer = self.set_timer(self.debounce, self._run_check, name="etiquette check")
        else:
            self.call_later(self._run_check)

    def _reader(self) -> str:
        return " ".join(n for n in (self.contact.name, self.contact.nickname) if n)

    def _run_check(self) -> None:
        self._timer = None
        self.warnings = etiquette.check(self.text, channel=self.channel, reader_name=self._reader())
        box = self.query_one("#drafts-warnings", Static)
        if not self.warnings:
            box.update(Text("✓ no etiquette problems", style="dim"))
        else:
            out = Text()
            for i, w in enumerate(self.warnings):
                if i:
                    out.append("\n")
                out.append("⚠ ", style="bold yellow")
                out.append(w.title, style="bold")
                if w.start is not None and w.end is not None:
                    out.append(f' ("{visible(" ".join(self.text[w.start : w.end].split()))}")')
                out.append(f" — {w.explain}", style="dim")
            box.update(out)
        self._show_count()

    def _show_count(self) -> None:
        size = etiquette.measure(self.text, channel=self.channel)
        self.query_one("#drafts-count", Static).update(
            Text(size.label() + ("  over the cap" if size.over else ""), style="bold red" if size.over else "dim")
        )

    # -- switching ----------------------------------------------------------------------------

    def action_next_channel(self) -> None:
        self._switch(CHANNELS[(CHANNELS.index(self.channel) + 1) % len(CHANNELS)], 0)

    def action_next_variant(self) -> None:
        if self.variants <= 1:
            self.notify("Only one wording for this draft so far.", markup=False)
            return
        self._texts.pop(self.channel, None)
        self._switch(self.channel, (self.variant + 1) % self.variants, fresh=True)

    def _switch(self, channel: str, variant: int, *, fresh: bool = False) -> None:
        self._texts[self.channel] = self.text
        self.channel, self.variant = channel, variant
        self._show_head()
        if not fresh and channel in self._texts:
            self._note("")
            self._set_editor(self._texts[channel])
            return
        cached = self._generated.get((channel, variant))
        if cached is not None:
            self._set_editor(cached.text)
            self._note(cached.note)
            return
        self._load(channel, variant)

    def action_reset(self) -> None:
        self._texts.pop(self.channel, None)
        self._generated.pop((self.channel, self.variant), None)
        self._load(self.channel, self.variant)

    # -- keeping ------------------------------------------------------------------------------

    def _save_in_worker(self, *, copy: bool = False) -> None:
        """Keep the text with the meetup (and copy it) in a thread; DraftSaved comes back."""
        service, meetup_id, channel, text = self.service, self.meetup.id if self.meetup else None, self.channel, self.text
        app = self.app
        env = self.env

        def send_osc52(t: str) -> None:
            app.call_from_thread(app.copy_to_clipboard, t)

        def work() -> None:
            saved: Meetup | None = None
            try:
                if meetup_id is not None:
                    saved = service.save_draft(meetup_id, channel, text)
            except Exception as exc:  # noqa: BLE001 - shown
                self.post_message(DraftSaved(None, exc))
                return
            result = clipboard.copy(text, env=env, send_osc52=send_osc52) if copy else None
            self.post_message(DraftSaved(saved, None, result))

        self.run_worker(work, name="keep draft", group="drafts-save", thread=True, exit_on_error=False)

    def action_save(self) -> None:
        if self.meetup is None:
            self.notify("No meetup to keep this with (no slot on this trip).", severity="warning", markup=False)
            return
        self._save_in_worker()

    def action_copy(self) -> None:
        if not self.text.strip():
            self.notify("Nothing to copy yet.", severity="warning", markup=False)
            return
        self._save_in_worker(copy=True)

    def on_draft_saved(self, message: DraftSaved) -> None:
        if message.error is not None:
            self.notify(f"Could not keep the draft: {describe_error(message.error)}", severity="error", markup=False)
            return
        if message.meetup is not None:
            self.meetup = message.meetup
            self._saved = message.meetup.draft_text
        result = message.copied
        if result is None:
            if message.meetup is not None:
                self.notify("Draft kept with the meetup.", markup=False)
            return
        severity = "information" if result.confirmed else "warning"
        self.notify(visible(result.message[:1].upper() + result.message[1:], lines=True), severity=severity, timeout=8, markup=False)
        meetup = self.meetup
        if meetup is not None and meetup.status is MeetupStatus.IDEA and (result.confirmed or result.method == clipboard.OSC52):
            question = Text("Sent it? Mark the meetup with ")
            question.append(visible(self.contact.name), style="bold")
            question.append(" as invited.")
            service, meetup_id = self.service, meetup.id
            self.app.push_screen(
                ConfirmScreen(question, "Mark invited", lambda: service.mark_invited(meetup_id)), self._marked_invited
            )

    def _marked_invited(self, meetup: Meetup | None) -> None:
        if meetup is None:  # "not yet": the question is asked again after the next copy
            return
        self.meetup = meetup
        self._show_head()
        self.notify(f"Marked the meetup with {visible(self.contact.name)} as invited.", markup=False)

    # -- $EDITOR and files ------------------------------------------------------------------

    def action_open_editor(self) -> None:
        command = self.env.get("VISUAL") or self.env.get("EDITOR") or ""
        argv = shlex.split(command) if command.strip() else []
        if not argv:
            self.notify("Set $EDITOR (or $VISUAL) to edit drafts in your own editor.", severity="warning", markup=False)
            return
        fd, name = tempfile.mkstemp(prefix="irlmeet-draft-", suffix=".txt", dir=self.env.get("TMPDIR") or None)
        path = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.text)
            try:
                if self.app.is_headless:  # no terminal to hand over (tests): just run it
                    done = subprocess.run([*argv, str(path)], env=dict(self.env), check=False)
                else:
                    with self.app.suspend():
                        done = subprocess.run([*argv, str(path)], env=dict(self.env), check=False)
            except OSError as exc:
                self.notify(f"Could not run {visible(argv[0])}: {exc.strerror or exc}", severity="error", markup=False)
                return
            except Exception as exc:  # noqa: BLE001 - SuspendNotSupported and the like
                self.notify(f"Can't hand the terminal to an editor here ({type(exc).__name__}); write the draft to a file (F8) instead.", severity="error", markup=False)
                return
            if done.returncode != 0:
                self.notify(f"{visible(argv[0])} exited with status {done.returncode}; the draft is unchanged.", severity="warning", markup=False)
                return
            edited = path.read_text(encoding="utf-8", errors="replace")
        finally:
            path.unlink(missing_ok=True)
        if edited != self.text:
            self.query_one("#drafts-editor", TextArea).load_text(edited)
            self._texts[self.channel] = edited
            self._run_check()
            self.notify("Draft updated from your editor.", markup=False)

    def action_write_file(self) -> None:
        if not self.text.strip():
            self.notify("Nothing to write yet.", severity="warning", markup=False)
            return
        slug = "".join(ch if ch.isalnum() else "-" for ch in self.contact.name.lower()).strip("-") or "draft"
        self.app.push_screen(WriteDraftScreen(self.text, f"~/irlmeet-draft-{slug}.txt"), self._written)

    def _written(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Draft written to {visible(str(path))}", markup=False)

    # -- leaving ------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back to the trip; an edit not kept yet is kept now (by the app: this screen goes)."""
        if self.meetup is not None and self.text != self._saved and self._edited_by_user():
            app, service, meetup_id, channel, text = self.app, self.service, self.meetup.id, self.channel, self.text

            def keep() -> None:
                try:
                    service.save_draft(meetup_id, channel, text)
                except Exception as exc:  # noqa: BLE001 - shown
                    app.call_from_thread(
                        app.notify, f"Could not keep the draft: {describe_error(exc)}", severity="error", markup=False
                    )

            app.run_worker(keep, name="keep draft", group="drafts-save", thread=True, exit_on_error=False)
        self.dismiss(None)

    def _edited_by_user(self) -> bool:
        generated = self._generated.get((self.channel, self.variant))
        return generated is None or generated.text != self.text
