"""The import screen: pick an export, see its first rows and what goes where, import with progress.

Pick a file in the folder tree (or type its path and press enter); the kind is guessed from
the file and can be changed. The preview shows the first people as the reader understood them
and the mapping of the format's columns to irlmeet's fields. ctrl+r imports (in a thread
worker: a 30,000-card file takes a while and the screen stays responsive), with a progress bar;
the summary follows (created, merged, unchanged, needs a place, errors; each problem with its
file and line). CLI twin: ``irlmeet import KIND PATH [--dry-run] [--json]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    DirectoryTree,
    Input,
    ProgressBar,
    Select,
    Static,
)

from irlmeet.core.intake import MAPPINGS, guess_kind
from irlmeet.tui.footer import KeyFooter
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.service import Service

__all__ = ["ImportScreen"]

KIND_LABELS = (("LinkedIn Connections.csv / .zip", "linkedin"), ("vCard file or folder", "vcard"),
               ("Google Contacts CSV", "google"))


class PreviewReady(Message):
    def __init__(self, path: Path, kind: str, result: Any, error: BaseException | None) -> None:
        super().__init__()
        self.path = path
        self.kind = kind
        self.result = result
        self.error = error


class ImportProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class ImportDone(Message):
    def __init__(self, report: Any, error: BaseException | None) -> None:
        super().__init__()
        self.report = report
        self.error = error


class ImportScreen(Screen[Any]):
    """Dismissed with the ImportReport (or None) so the app can refresh."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="import-close"),
        Binding("ctrl+r", "run_import", "Import", id="import-run"),
    ]

    def __init__(self, service: Service, start: Path | None = None) -> None:
        super().__init__()
        self.service = service
        self.start = Path(start) if start is not None else Path.home()
        self.previewed: tuple[Path, str] | None = None
        self.report: Any = None
        self.running = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="import-body"):
            yield DirectoryTree(self.start, id="import-tree")
            with Vertical(id="import-right"):
                yield Input(placeholder="path to an export (enter previews it)", id="import-path")
                yield Select(KIND_LABELS, prompt="what kind of export", id="import-kind", allow_blank=True)
                yield Static(Text("Pick a file on the left, or type its path."), id="import-mapping")
                yield DataTable(id="import-preview", cursor_type="row", zebra_stripes=True)
                yield ProgressBar(id="import-progress", show_eta=False)
                yield Static(Text(""), id="import-summary")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#import-preview", DataTable)
        table.add_columns("name", "company", "role", "emails", "place", "LinkedIn")
        self.query_one("#import-progress", ProgressBar).display = False
        self.query_one("#import-path", Input).focus()

    # -- picking -----------------------------------------------------------------------------

    @on(DirectoryTree.FileSelected)
    def _file_picked(self, event: DirectoryTree.FileSelected) -> None:
        self._pick(Path(event.path))

    @on(Input.Submitted, "#import-path")
    def _path_typed(self, event: Input.Submitted) -> None:
        self._pick(Path(event.value.strip()).expanduser())

    @on(Select.Changed, "#import-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        path = self._path()
        if path is not None and isinstance(event.value, str) and self.previewed != (path, event.value):
            self.action_preview()

    def _path(self) -> Path | None:
        text = self.query_one("#import-path", Input).value.strip()
        return Path(text).expanduser() if text else None

    def _kind(self) -> str | None:
        value = self.query_one("#import-kind", Select).value
        return value if isinstance(value, str) else None

    def _pick(self, path: Path) -> None:
        self.query_one("#import-path", Input).value = str(path)
        kind = guess_kind(path)
        if kind is not None and kind != self._kind():
            self.query_one("#import-kind", Select).value = kind  # its Changed event previews
        self.action_preview()

    def action_preview(self) -> None:
        path, kind = self._path(), self._kind()
        if path is None or kind is None:
            self._summary("Pick a file and the kind of export.")
            return
        self._summary("Reading the first rows...")
        self._load_preview(path, kind)

    @work(thread=True, exclusive=True, group="import-preview", exit_on_error=False)
    def _load_preview(self, path: Path, kind: str) -> None:
        try:
            result = self.service.preview_import(kind, path)
        except Exception as exc:  # noqa: BLE001 - shown on the screen
            self.post_message(PreviewReady(path, kind, None, exc))
            return
        self.post_message(PreviewReady(path, kind, result, None))

    def on_preview_ready(self, message: PreviewReady) -> None:
        table = self.query_one("#import-preview", DataTable)
        table.clear()
        if message.error is not None:
            self.previewed = None
            self._summary(describe_error(message.error), error=True)
            return
        records, problems, _skipped = message.result
        self.previewed = (message.path, message.kind)
        for r in records:
            place = "; ".join(p.text for p in r.places if p.text) or "-"
            table.add_row(Text(r.name), Text(r.company), Text(r.role), Text(", ".join(r.emails)), Text(place),
                          Text(r.linkedin or ""))
        mapping = Text(f"{message.kind}: what goes where\n", style="bold")
        for source, target in MAPPINGS[message.kind]:
            mapping.append(f"  {source} → {target}\n")
        self.query_one("#import-mapping", Static).update(mapping)
        extra = f"; {len(problems)} problem(s) in the first rows" if problems else ""
        self._summary(f"First {len(records)} people shown{extra}. Press ctrl+r to import.")

    # -- importing ---------------------------------------------------------------------------

    def action_run_import(self) -> None:
        path, kind = self._path(), self._kind()
        if self.running:
            return
        if path is None or kind is None or self.previewed != (path, kind):
            self._summary("Preview the file first (enter in the path field).")
            return
        self.running = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._summary(f"Importing {path.name}...")
        self._import(path, kind)

    @work(thread=True, exclusive=True, group="import-run", exit_on_error=False)
    def _import(self, path: Path, kind: str) -> None:
        def progress(phase: str, done: int, total: int) -> None:
            self.post_message(ImportProgress(done, total))  # thread-safe, never blocks the import

        try:
            report = self.service.import_contacts(kind, path, progress=progress)
        except Exception as exc:  # noqa: BLE001 - shown on the screen
            self.post_message(ImportDone(None, exc))
            return
        self.post_message(ImportDone(report, None))

    def on_import_progress(self, message: ImportProgress) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)

    def on_import_done(self, message: ImportDone) -> None:
        self.running = False
        if message.error is not None:
            self.query_one("#import-progress", ProgressBar).display = False
            self._summary(describe_error(message.error), error=True)
            return
        self.report = report = message.report
        text = Text(report.summary() + "\n", style="bold")
        for note in report.merges[:20]:
            text.append(f"merged: {note}\n")
        for problem in report.problems[:20]:
            text.append(f"problem: {problem}\n", style="red")
        if len(report.problems) > 20:
            text.append(f"... and {len(report.problems) - 20} more problems (irlmeet import --json lists all)\n")
        if report.needs_place or report.needs_circle:
            text.append("Press esc, then t for the triage queue to place them.")
        self.query_one("#import-summary", Static).update(text)

    def _summary(self, text: str, *, error: bool = False) -> None:
        self.query_one("#import-summary", Static).update(Text(text, style="red" if error else ""))

    def action_close(self) -> None:
        self.dismiss(self.report)
