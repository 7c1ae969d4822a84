"""The contacts view: search as you type over everyone, and every field of the one highlighted.

The search runs in core (:class:`~irlmeet.core.directory.Directory`) on the event loop: it takes a
few milliseconds at 30,000 contacts and the list draws only its visible rows, so each keystroke
shows its result at once. Loading the contacts, the meetups of the highlighted one, and every
change go through the Service in thread workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from irlmeet.core.directory import Directory
from irlmeet.core.models import Contact
from irlmeet.tui.contact_card import card_text, meetups_text
from irlmeet.tui.contact_form import ContactFormScreen
from irlmeet.tui.contact_list import ContactList
from irlmeet.tui.footer import KeyFooter
from irlmeet.tui.messages import ContactChosen, ContactHighlighted, DirectoryReady, MeetupsReady
from irlmeet.tui.screens import ConfirmScreen
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.service import Service
    from irlmeet.tui.app import IrlmeetApp

__all__ = ["ContactsScreen"]


class SearchInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,escape", "screen.focus_list", "List", show=False, id="search-to-list", tooltip="from the search to the list"),
    ]


class ContactsScreen(Screen[None]):
    """Everyone you know: a search box over a windowed list, and the highlighted person's card."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", id="search-contacts", key_display="/"),
        Binding("a", "add_contact", "Add contact", id="add-contact"),
        Binding("e", "edit_contact", "Edit", id="edit-contact"),
        Binding("d,delete", "delete_contact", "Delete", id="delete-contact", key_display="d"),
    ]

    app: IrlmeetApp

    #: The highlighted contact (the edit and delete actions are enabled only with one).
    contact: reactive[Contact | None] = reactive(None, bindings=True, always_update=True)

    def __init__(self) -> None:
        super().__init__()
        self.service: Service | None = None
        self.directory: Directory | None = None
        self._meetups: dict[str, int] = {}  # contact id -> meetups shown on its card

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="contacts-body"):
            with Vertical(id="directory-pane", classes="pane"):
                yield SearchInput(placeholder="Search name, city, tag, how you met…", id="search")
                yield ContactList(id="contact-list")
                yield Static("", id="contacts-empty", classes="empty")
            with VerticalScroll(id="card-pane", classes="pane"):
                yield Static("", id="card")
                yield Static("", id="card-meetups")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#directory-pane").border_title = "Contacts"
        self.query_one("#card-pane").border_title = "Details"
        self.query_one("#contacts-empty").display = False
        if self.app.service is not None:
            self.service_ready(self.app.service)
        self.query_one("#contact-list", ContactList).focus()

    # -- data ---------------------------------------------------------------------------------

    def service_ready(self, service: Service) -> None:
        self.service = service
        self.load(select_id=None)

    def load(self, *, select_id: str | None) -> None:
        """Read the contacts again (after a change here or in another process)."""
        if self.service is not None:
            self._load_directory(self.service, select_id)

    @work(thread=True, exclusive=True, group="directory", exit_on_error=False)
    def _load_directory(self, service: Service, select_id: str | None) -> None:
        try:
            directory = service.contact_directory()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(DirectoryReady(None, select_id, exc))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(DirectoryReady(directory, select_id, None))

    def on_directory_ready(self, message: DirectoryReady) -> None:
        if message.directory is None:
            self.notify(describe_error(message.error), severity="error", markup=False)
            return
        keep = message.select_id or (self.contact.id if self.contact is not None else None)
        self.directory = message.directory
        self._filter(keep_id=keep)

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self._filter(keep_id=self.contact.id if self.contact is not None else None)

    def _filter(self, *, keep_id: str | None) -> None:
        directory = self.directory
        if directory is None:
            return
        query = self.query_one("#search", Input).value
        rows = directory.search_indices(query)
        contact_list = self.query_one("#contact-list", ContactList)
        contact_list.show(directory, rows, keep_id=keep_id)
        pane = self.query_one("#directory-pane")
        total = len(directory)
        pane.border_subtitle = f"{len(rows):,} of {total:,}" if query.strip() else f"{total:,}"
        empty = self.query_one("#contacts-empty", Static)
        if rows:
            empty.display = False
            contact_list.display = True
        else:
            if total:
                empty.update(Text("Nobody matches “" + query.strip() + "”. Search looks at names, cities, tags and how you met."))
            else:
                empty.update(Text("No contacts yet. Press a to add one, or run `irlmeet contact add NAME --city CITY`."))
            empty.display = True
            contact_list.display = False

    # -- the card -----------------------------------------------------------------------------

    def on_contact_highlighted(self, message: ContactHighlighted) -> None:
        self.contact = message.contact

    def watch_contact(self, contact: Contact | None) -> None:
        card = self.query_one("#card", Static)
        meetups = self.query_one("#card-meetups", Static)
        pane = self.query_one("#card-pane")
        if contact is None:
            card.update("")
            meetups.update("")
            pane.border_title = "Details"
            return
        pane.border_title = Text(contact.name)
        card.update(card_text(contact))
        meetups.update(Text("Looking up meetups…", style="dim italic"))
        if self.service is not None:
            self._load_meetups(self.service, contact)

    @work(thread=True, exclusive=True, group="card", exit_on_error=False)
    def _load_meetups(self, service: Service, contact: Contact) -> None:
        trips = {t.id: t for t in service.trips()}
        meetups = [(m, trips.get(m.trip_id)) for m in service.meetups_with(contact.id)]
        if not get_current_worker().is_cancelled:
            self.post_message(MeetupsReady(contact, meetups))

    def on_meetups_ready(self, message: MeetupsReady) -> None:
        if self.contact is None or message.contact.id != self.contact.id or self.service is None:
            return
        self._meetups = {message.contact.id: len(message.meetups)}
        self.query_one("#card-meetups", Static).update(meetups_text(message.meetups, self.service.now().date()))

    def on_contact_chosen(self, message: ContactChosen) -> None:
        self.query_one("#card-pane").focus()

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_contact":
            return self.service is not None
        if action in ("edit_contact", "delete_contact"):
            return self.service is not None and self.contact is not None
        return True

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_list(self) -> None:
        contact_list = self.query_one("#contact-list", ContactList)
        if contact_list.display:
            contact_list.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.action_focus_list()

    def action_add_contact(self) -> None:
        if self.service is not None:
            self.app.push_screen(ContactFormScreen(self.service), self._saved)

    def action_edit_contact(self) -> None:
        if self.service is not None and self.contact is not None:
            self.app.push_screen(ContactFormScreen(self.service, self.contact), self._saved)

    def _saved(self, contact: Contact | None) -> None:
        if contact is None:
            return
        self.notify(f"Saved {contact.name}", markup=False)
        # Show the saved contact even if the current search would hide it.
        search = self.query_one("#search", Input)
        hidden = search.value and contact.id not in {c.id for c in Directory([contact]).search(search.value)}
        if hidden and self.directory is not None:
            search.value = ""
        self.load(select_id=contact.id)

    def action_delete_contact(self) -> None:
        contact = self.contact
        if self.service is None or contact is None:
            return
        service = self.service
        n = self._meetups.get(contact.id, 0)
        detail = f" Their {n} meetup{'' if n == 1 else 's'} will be cancelled." if n else ""
        self.app.push_screen(
            ConfirmScreen(Text(f"Delete {contact.name}?{detail} This cannot be undone."), "Delete", lambda: service.remove_contact(contact.id)),
            lambda done: self._deleted(contact, done),
        )

    def _deleted(self, contact: Contact, done: bool | None) -> None:
        if not done:
            return
        self.notify(f"Deleted {contact.name}", markup=False)
        contact_list = self.query_one("#contact-list", ContactList)
        # Keep the place: the next person down (or up, at the end) takes the cursor.
        below = None
        if contact_list.row_count > 1:
            row = contact_list.cursor + 1 if contact_list.cursor + 1 < contact_list.row_count else contact_list.cursor - 1
            below = contact_list.contact_at(row).id
        self.contact = None
        self.load(select_id=below)
