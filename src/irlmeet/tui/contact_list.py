"""A windowed list of contacts: renders only the rows on screen, whatever the list's length.

Textual's Line API (toolong-style): the widget is a :class:`ScrollView` whose virtual height is the
number of matches, and :meth:`render_line` draws one visible row on demand, so 30,000 contacts
cost what the 30 visible ones do. The rows are positions into a :class:`Directory`'s contacts
(what :meth:`Directory.search_indices` returns), so filtering never copies contacts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from irlmeet.core.directory import Directory
from irlmeet.core.models import Contact
from irlmeet.tui.messages import ContactChosen, ContactHighlighted

__all__ = ["ContactList", "row_text"]


def _cell(text: str, width: int, style: str = "") -> Text:
    """``text`` in exactly ``width`` cells, cut with an ellipsis rather than mid-word silence."""
    cell = Text(text, style=style, no_wrap=True, overflow="ellipsis", end="")
    cell.truncate(width, overflow="ellipsis", pad=True)
    return cell


def row_text(contact: Contact, width: int) -> Text:
    """One row: name, city, then how you met (or the tags), each shrinking with an ellipsis."""
    home = contact.home
    city = home.short_label() if home else ""
    extra = contact.how_we_met or ", ".join(contact.tags)
    if width < 40:
        name_w, city_w = max(width - 14, 8), 13
    else:
        name_w = max(16, min(30, width * 2 // 5))
        city_w = max(12, min(24, width // 4))
    rest = max(width - name_w - city_w - 2, 0)
    text = Text(no_wrap=True, end="")
    text.append_text(_cell(contact.name, name_w, "bold" if not contact.do_not_invite else "dim"))
    text.append(" ")
    text.append_text(_cell(city, city_w))
    if rest:
        text.append(" ")
        text.append_text(_cell(extra, rest, "dim"))
    text.truncate(width, pad=True)
    return text


class ContactList(ScrollView, can_focus=True):
    """The matching contacts, one per line, with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False, id="contacts-up"),
        Binding("down", "cursor(1)", "Down", show=False, id="contacts-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="contacts-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="contacts-page-down"),
        Binding("home", "jump(0)", "First", show=False, id="contacts-first"),
        Binding("end", "jump(-1)", "Last", show=False, id="contacts-last"),
        Binding("enter", "choose", "Details", show=False, id="contacts-choose", tooltip="to the highlighted contact's details"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"contact-list--cursor"}
    DEFAULT_CSS = """
    ContactList {
        height: 1fr;
        background: $surface;
        overflow-x: hidden;  /* each row fits the width, with an ellipsis (row_text) */
        & > .contact-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .contact-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    }
    """

    cursor: reactive[int] = reactive(0, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._directory: Directory | None = None
        self._rows: Sequence[int] = ()

    # -- data ---------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def highlighted(self) -> Contact | None:
        if self._directory is None or not self._rows:
            return None
        return self._directory.contacts[self._rows[self.cursor]]

    def contact_at(self, row: int) -> Contact:
        assert self._directory is not None
        return self._directory.contacts[self._rows[row]]

    def show(self, directory: Directory, rows: Sequence[int], *, keep_id: str | None = None) -> None:
        """Show ``rows`` (positions in ``directory.contacts``), keeping ``keep_id`` under the cursor."""
        self._directory = directory
        self._rows = rows
        self.virtual_size = Size(0, len(rows))  # as wide as the list: rows fit, never scroll sideways
        row = directory.index_of(keep_id, rows) if keep_id is not None else None
        self.set_reactive(ContactList.cursor, 0)
        self.cursor = row if row is not None else 0
        self._follow_cursor()
        self.refresh()
        self.post_message(ContactHighlighted(self.highlighted))

    def watch_cursor(self, old: int, new: int) -> None:
        self._follow_cursor()
        self.refresh()
        if old != new:
            self.post_message(ContactHighlighted(self.highlighted))

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def _follow_cursor(self) -> None:
        height = self.scrollable_content_region.height or self.size.height
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    # -- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = round(self.scroll_offset.y) + y
        base = self.rich_style
        if row >= len(self._rows) or self._directory is None:
            return Strip.blank(width, base)
        text = row_text(self._directory.contacts[self._rows[row]], width)
        style: Style = base
        if row == self.cursor:
            style = base + self.get_component_rich_style("contact-list--cursor")
        segments = [Segment(s.text, style + s.style if s.style else style) for s in text.render(self.app.console)]
        return Strip(segments, width).crop_extend(0, width, style)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, len(self._rows))
        self._follow_cursor()

    # -- keys and mouse -----------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(self.scrollable_content_region.height - 1, 1)

    def action_jump(self, row: int) -> None:
        self.cursor = row if row >= 0 else len(self._rows) - 1

    def action_choose(self) -> None:
        contact = self.highlighted
        if contact is not None:
            self.post_message(ContactChosen(contact))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = round(self.scroll_offset.y) + offset.y
        if 0 <= row < len(self._rows):
            self.cursor = row
            if event.chain > 1:
                self.action_choose()
