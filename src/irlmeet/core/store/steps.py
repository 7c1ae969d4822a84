"""Steps that bring an older data file up to the current schema (see ``store.MIGRATIONS``).

Each step takes the whole raw document (all tables, ``_meta`` included) of schema ``n`` and
returns it as schema ``n + 1``. The store backs the old file up first, checks every migrated
record before writing anything, and sets ``_meta.schema`` itself.

A step keeps everything the user typed. A value that is not valid in its new, stricter field
(a LinkedIn "handle" that is no profile URL, a phone "n/a") is not dropped: it moves to the
contact's private notes under a line saying where it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from irlmeet.core import models
from irlmeet.core.errors import ValidationError

__all__ = ["v1_to_v2", "v2_to_v3"]

# What an old file may hold that the text rules now refuse: terminal escape sequences first (so
# "\x1b[31m" goes whole, not leaving "[31m"), then single control and bidi characters.
_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])")
_BAD_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_BAD_NOTES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

#: Contact fields added in schema 2, with their values for a record that predates them.
V2_DEFAULTS: dict[str, Any] = {
    "nickname": "",
    "company": "",
    "role": "",
    "tz": "",
    "linkedin": "",
    "preferred": "",
    "met_at": "",
    "met_via": "",
    "topic": "",
    "closeness": None,
    "do_not_invite_reason": "",
}


def _line(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = _ANSI.sub("", value)
    return _BAD_LINE.sub(" ", value).strip()


def _notes(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _BAD_NOTES.sub("", _ANSI.sub("", value))


def _keep(items: Any, check: Callable[[Any], Any], label: str, moved: list[str]) -> Any:
    """The items ``check`` accepts; the others go to ``moved`` as ``label: value`` lines."""
    if not isinstance(items, list):
        return items
    kept = []
    for item in items:
        item = _line(item)
        try:
            check(item)
        except ValidationError:
            moved.append(f"{label}: {item}")
        else:
            kept.append(item)
    return kept


def _contact_1_to_2(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc  # the store reports it, naming the record
    doc = dict(doc)
    moved: list[str] = []
    for key in ("name", "how_we_met"):
        doc[key] = _line(doc.get(key, ""))
    doc["notes"] = _notes(doc.get("notes", ""))
    doc["emails"] = _keep(doc.get("emails") or [], lambda e: models._emails([e]), "email", moved)
    doc["phones"] = _keep(doc.get("phones") or [], lambda p: models._phones([p]), "phone", moved)
    doc["tags"] = _keep(doc.get("tags") or [], lambda t: models._tags([t]), "tag", moved)
    handles = doc.get("handles") or {}
    if isinstance(handles, dict):
        new_handles: dict[str, str] = {}
        for key, value in handles.items():
            value = _line(value)
            if not value:
                continue
            if isinstance(key, str) and key.strip().lower() == "linkedin":
                try:
                    url = models.linkedin_url(value)
                except ValidationError:
                    moved.append(f"LinkedIn: {value}")
                else:
                    doc.setdefault("linkedin", url)
                continue
            try:
                service = models.service_name(key)
                new_handles[service] = models.handle(service, value)
            except ValidationError:
                moved.append(f"{_line(key)}: {value}")
        doc["handles"] = new_handles
    cadence = doc.get("cadence_days")
    if isinstance(cadence, int) and not isinstance(cadence, bool) and cadence > models.MAX_CADENCE_DAYS:
        moved.append(f"cadence: every {cadence} days")
        doc["cadence_days"] = None
    for key, value in V2_DEFAULTS.items():
        doc.setdefault(key, value)
    if moved:
        note = "Kept from an older irlmeet (not valid in its new field):\n" + "\n".join(moved)
        old = doc["notes"] if isinstance(doc["notes"], str) else ""
        doc["notes"] = f"{old.rstrip()}\n\n{note}" if old.strip() else note
    return doc


def v1_to_v2(raw: dict) -> dict:
    """Schema 1 -> 2: contacts gain nickname, company, role, a time-zone override, a LinkedIn
    URL (moved out of ``handles["linkedin"]``), a preferred channel, where/through whom they were
    met, a topic, closeness and a do-not-invite reason; text loses control characters."""
    contacts = raw.get("contacts")
    if isinstance(contacts, dict):
        raw = {**raw, "contacts": {cid: _contact_1_to_2(doc) for cid, doc in contacts.items()}}
    return raw


#: Contact fields added in schema 3 (issue 9's imports), with their values for older records.
V3_DEFAULTS: dict[str, Any] = {"birthday": "", "sources": [], "circle_open": False}


def v2_to_v3(raw: dict) -> dict:
    """Schema 2 -> 3: contacts gain a birthday, the import sources they came from (with the
    values each last gave, so a re-import never overwrites an edit) and ``circle_open`` (an
    import could not tell the circle). An irlmeet that reads schema 2 would take the new keys for
    damage; the version bump makes it say "written by a newer irlmeet" instead."""
    contacts = raw.get("contacts")
    if isinstance(contacts, dict):
        raw = {
            **raw,
            "contacts": {
                cid: ({**V3_DEFAULTS, **doc} if isinstance(doc, dict) else doc) for cid, doc in contacts.items()
            },
        }
    return raw
