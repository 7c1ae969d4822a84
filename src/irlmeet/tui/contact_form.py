"""The add/edit contact dialog: one input per field, each error shown under its field.

:data:`FORM_FIELDS` is the one list of the fields the form has: its Service keyword, label,
placeholder, how to show a contact's value, and how to turn the typed text into the value the
Service takes. The city completes from the place index as you type (right arrow accepts) and an
ambiguous name opens the same pick list as the trip dialog.

Adding someone who looks like a contact you already have (same email, LinkedIn profile, or name
and city) shows who, with their city, under the name: submitting again unchanged ("Add anyway")
adds them all the same; changing a field checks again; esc cancels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, OptionList, Static

from irlmeet.core.directory import fold
from irlmeet.core.errors import LikelyDuplicate
from irlmeet.core.models import Contact, Place
from irlmeet.tui.screens import CityFormScreen, _field_row
from irlmeet.tui.workers import describe_error

if TYPE_CHECKING:
    from irlmeet.core.service import Service

__all__ = ["FORM_FIELDS", "ContactFormScreen", "FormField", "PlaceSuggester"]


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _opt(text: str) -> str | None:
    return text or None


@dataclass(frozen=True, slots=True)
class FormField:
    name: str  # the Service keyword, and the input's id
    label: str
    placeholder: str
    shown: Callable[[Contact], str]  # the contact's value as the form shows it
    parse: Callable[[str], Any] = str  # typed text -> the value the Service takes
    required: str = ""  # the hint when a required field is left empty
    errors: tuple[str, ...] = ()  # other ValidationError field names that belong under this one
    check: bool = False  # a yes/no box (its text is "yes" or "") rather than a text input


#: The fields of the contact form, in order. The one place to add a field to the form.
FORM_FIELDS: tuple[FormField, ...] = (
    FormField("name", "Name", "e.g. Ada Brandt", lambda c: c.name, required="enter their name"),
    FormField(
        "city", "City", "e.g. Berlin, Portland, ME, München", lambda c: c.home.label() if c.home else "",
        required="enter the city they live in", errors=("places", "destination"),
    ),
    FormField("nickname", "Nickname (drafts greet them with it)", "e.g. Adi", lambda c: c.nickname),
    FormField("company", "Company", "", lambda c: c.company),
    FormField("role", "Role", "", lambda c: c.role),
    FormField("tz", "Time zone, if not their city's", "e.g. Europe/Berlin", lambda c: c.tz),
    FormField("emails", "Emails (comma-separated)", "ada@example.com", lambda c: ", ".join(c.emails), _split),
    FormField("phones", "Phones (comma-separated)", "+49 30 1234567", lambda c: ", ".join(c.phones), _split),
    FormField("linkedin", "LinkedIn (profile URL)", "https://www.linkedin.com/in/ada-brandt", lambda c: c.linkedin),
    FormField(
        "handles", "Handles (comma-separated SERVICE:HANDLE)", "mastodon:@ada@example.social, bluesky:ada.bsky.social",
        lambda c: ", ".join(f"{service}:{value}" for service, value in c.handles.items()), _split,
    ),
    FormField(
        "preferred", "Preferred channel: email, phone, linkedin or a handle's service", "empty: none",
        lambda c: c.preferred,
    ),
    FormField(
        "circle", "Circle: professional, personal or both", "empty: professional", lambda c: c.circle.value,
        lambda text: text.lower() or "professional",
    ),
    FormField(
        "closeness", "Closeness (1 acquaintance … 5 closest)", "1-5", lambda c: str(c.closeness) if c.closeness else "", _opt
    ),
    FormField(
        "cadence", "See them every… (90d, 2w, 6m, 1y)", "e.g. 6m", lambda c: c.cadence_label, _opt, errors=("cadence_days",)
    ),
    FormField("met_at", "Met at (an event or place)", "e.g. PyCon DE 2024 sprints", lambda c: c.met_at),
    FormField("met_via", "Met via (what or whom)", "e.g. Mastodon, my friend Lea", lambda c: c.met_via),
    FormField("topic", "Last topic or shared interest", "e.g. property-based testing", lambda c: c.topic),
    FormField("how_we_met", "How you met (one free line)", "e.g. the PyCon DE 2024 sprints", lambda c: c.how_we_met),
    FormField("met_on", "Met on (YYYY-MM-DD)", "2024-04-20", lambda c: c.met_on.isoformat() if c.met_on else "", _opt),
    FormField(
        "last_seen", "Last seen in person (YYYY-MM-DD)", "empty: never", lambda c: c.last_seen.isoformat() if c.last_seen else "", _opt
    ),
    FormField(
        "last_contacted", "Last contacted (YYYY-MM-DD)", "",
        lambda c: c.last_contacted.isoformat() if c.last_contacted else "", _opt,
    ),
    FormField("do_not_invite", "Do not invite", "", lambda c: "yes" if c.do_not_invite else "", bool, check=True),
    FormField("do_not_invite_reason", "Why not (optional)", "e.g. asked for a break", lambda c: c.do_not_invite_reason),
    FormField("tags", "Tags (comma-separated)", "python, berlin", lambda c: ", ".join(c.tags), _split),
    FormField("notes", "Notes (private: never in a draft or an export)", "", lambda c: c.notes),
)

_BY_ERROR = {key: f.name for f in FORM_FIELDS for key in (f.name, *f.errors)}
_LABELS = {f.name: f.label.split(" (")[0].split(":")[0] for f in FORM_FIELDS}


class PlaceSuggester(Suggester):
    """Completes a city name from the place index (a Service call, off the event loop)."""

    def __init__(self, service: Service) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        self._service = service

    async def get_suggestion(self, value: str) -> str | None:
        if len(value.strip()) < 3 or "," in value:
            return None
        names = await asyncio.to_thread(self._service.complete_city, value, limit=1)
        if names and fold(names[0]).startswith(fold(value)):
            return names[0]
        return None


class ContactFormScreen(CityFormScreen["Contact | None"]):
    """Add a contact, or edit ``contact``; dismisses with the saved contact."""

    def __init__(self, service: Service, contact: Contact | None = None) -> None:
        super().__init__()
        self._service = service
        self._contact = contact
        self._warned: dict[str, str] | None = None  # the texts a duplicate warning was shown for

    def compose(self) -> ComposeResult:
        c = self._contact
        with VerticalScroll(id="dialog", classes="dialog"):
            title = Text("Add a contact", style="bold") if c is None else Text("Edit ", style="bold") + Text(c.name, style="bold")
            yield Static(title, classes="dialog-title")
            for f in FORM_FIELDS:
                value = f.shown(c) if c is not None else ""
                if f.check:
                    with Vertical(classes="field", id=f"{f.name}-field"):
                        yield Checkbox(f.label, bool(value), id=f.name)
                        yield Static("", id=f"{f.name}-error", classes="field-error")
                    continue
                suggester = PlaceSuggester(self._service) if f.name == "city" else None
                yield from _field_row(f.label, Input(value, placeholder=f.placeholder, id=f.name, suggester=suggester), f.name)
                if f.name == "city":
                    yield OptionList(id="candidates")
            yield from self.form_footer("Save" if c else "Add contact")

    def on_mount(self) -> None:
        self.clear_errors()
        self.query_one("#candidates", OptionList).display = False
        self.query_one("#dialog-status", Static).display = False
        self.query_one("#name", Input).focus()

    def submit(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        self.query_one("#candidates", OptionList).display = False
        texts = {f.name: self._text(f) for f in FORM_FIELDS}
        missing = [f for f in FORM_FIELDS if f.required and not texts[f.name]]
        for f in missing:
            self.show_error(f.name, f"{_LABELS[f.name]}: {f.required}")
        if missing:
            self.query_one(f"#{missing[0].name}", Input).focus()
            return
        reason = texts["do_not_invite_reason"]
        if reason and not texts["do_not_invite"] and (self._contact is None or reason != self._contact.do_not_invite_reason):
            # The Service drops the reason of someone not marked: say so rather than lose what was
            # typed (un-ticking someone marked drops their stored reason, as `--invite` does).
            self.show_error("do_not_invite_reason", "Why not: tick “Do not invite” first, or leave this empty")
            self.query_one("#do_not_invite", Checkbox).focus()
            return
        force = self._warned == texts  # submitted again unchanged after the duplicate warning
        self._warned = None
        self.query_one("#submit", Button).label = "Save" if self._contact else "Add contact"
        values = {f.name: f.parse(texts[f.name]) for f in FORM_FIELDS}
        city = texts["city"]
        values["city"] = self.city_value(city)
        service, old = self._service, self._contact
        if old is None:
            name = values.pop("name")
            place = values.pop("city")

            def job() -> Contact:
                return service.add_contact(name, place, force=force, **values)
        else:
            changes = {f.name: values[f.name] for f in FORM_FIELDS if texts[f.name] != f.shown(old)}
            if "city" in changes and isinstance(values["city"], Place) and old.home == values["city"]:
                del changes["city"]
            if "city" in changes:  # the form edits the first place; the others stay as they are
                first = (old.places[0].label, changes.pop("city")) if old.places else changes.pop("city")
                changes["places"] = [first, *old.places[1:]]

            def job() -> Contact:
                return service.edit_contact(old.id, **changes) if changes else old

        self.run_job(job, "Saving (the first city lookup of a session takes a few seconds)…")

    def _text(self, f: FormField) -> str:
        if f.check:
            return "yes" if self.query_one(f"#{f.name}", Checkbox).value else ""
        return self.query_one(f"#{f.name}", Input).value.strip()

    def failed(self, error: BaseException) -> None:
        if isinstance(error, LikelyDuplicate):
            self._warned = {f.name: self._text(f) for f in FORM_FIELDS}
            who = "; ".join(f"{d.label}: {', '.join(d.reasons)}" for d in error.duplicates)
            self.show_error(
                "name",
                f"Looks like someone you already have: {who}. Press enter (or Add anyway) to add "
                "them all the same, esc to cancel.",
            )
            self.query_one("#submit", Button).label = "Add anyway"
            self.query_one("#name", Input).focus()
            return
        if not self.show_place_error(error) and not self.show_field_error(error, _BY_ERROR, _LABELS):
            self.show_error(None, describe_error(error))
