"""Steps that bring an older data file up to the current schema (see ``store.MIGRATIONS``).

Each step takes the whole raw document (all tables, ``_meta`` included) of schema ``n`` and
returns it as schema ``n + 1``. The store backs the old file up first, checks every migrated
record before writing anything, and sets ``_meta.schema`` itself.

A step keeps everything the user typed. A value that is not valid in its new, stricter field
(a LinkedIn "handle" that is no profile URL, a phone "n/a") is not dropped: it moves to the
contact's private notes under a line saying where it came from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from irlmeet.core import models
from irlmeet.core.errors import ValidationError

__all__ = ["v1_to_v2", "v2_to_v3", "v3_to_v4", "v4_to_v5", "v5_to_v6"]

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


def _busy_id(trip_id: str, block: dict, index: int) -> str:
    """A stable id for a busy block stored before blocks had one: the same file migrated twice
    (or by two irlmeets at once) gives the same ids."""
    key = f"{trip_id}|{index}|{block.get('start')}|{block.get('end')}|{block.get('title')}"
    return "b" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:11]


def v2_to_v3(raw: dict) -> dict:
    """Schema 2 -> 3: busy blocks gain an id (for `irlmeet busy rm`); trips gain arrival and
    departure times (null: the config's defaults) and whether professional meetups may fall on
    weekends (no); meetups gain an RSVP per person (none yet)."""
    trips = raw.get("trips")
    if isinstance(trips, dict):
        new_trips = {}
        for tid, doc in trips.items():
            if isinstance(doc, dict):
                doc = dict(doc)
                busy = doc.get("busy")
                if isinstance(busy, list):
                    doc["busy"] = [
                        {**b, "id": b.get("id") or _busy_id(str(doc.get("id", tid)), b, i)} if isinstance(b, dict) else b
                        for i, b in enumerate(busy)
                    ]
                doc.setdefault("arrive", None)
                doc.setdefault("leave", None)
                doc.setdefault("weekends", False)
            new_trips[tid] = doc
        raw = {**raw, "trips": new_trips}
    meetups = raw.get("meetups")
    if isinstance(meetups, dict):
        raw = {**raw, "meetups": {mid: ({"rsvp": {}, **doc} if isinstance(doc, dict) else doc)
                                  for mid, doc in meetups.items()}}
    return raw


def _meetup_3_to_4(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc  # the store reports it, naming the record
    doc = dict(doc)
    # Schemas 2 and 3 wrote a meetup only when exporting a trip: every stored one may be in a calendar.
    doc.setdefault("exported", True)
    # Schemas 2 and 3 had no way to cancel a meetup by hand: a cancelled one was an idea the planner let
    # go (or one of a removed contact). Schema 4 calls that "dropped" and keeps "cancelled" for
    # meetups the user called off, which the planner must not offer again on that trip.
    if doc.get("status") == "cancelled":
        doc["status"] = "dropped"
    return doc


def v3_to_v4(raw: dict) -> dict:
    """Schema 3 -> 4: meetups gain ``exported`` (true for every old one) and the statuses of
    the life cycle (planned, skipped, missed, dropped); old cancelled ideas become dropped."""
    meetups = raw.get("meetups")
    if isinstance(meetups, dict):
        raw = {**raw, "meetups": {mid: _meetup_3_to_4(doc) for mid, doc in meetups.items()}}
    return raw


def v4_to_v5(raw: dict) -> dict:
    """Schema 4 -> 5: meetups gain the invitation as the user edited it (``draft_text``) and
    its channel (``draft_channel``), both empty for a meetup that predates them."""
    meetups = raw.get("meetups")
    if isinstance(meetups, dict):
        raw = {
            **raw,
            "meetups": {
                mid: {"draft_text": "", "draft_channel": "", **doc} if isinstance(doc, dict) else doc
                for mid, doc in meetups.items()
            },
        }
    return raw


#: Contact fields added in schema 6 (issue 9's imports), with their values for older records.
V6_DEFAULTS: dict[str, Any] = {"birthday": "", "sources": [], "circle_open": False}


def v5_to_v6(raw: dict) -> dict:
    """Schema 5 -> 6: contacts gain a birthday, the import sources they came from (with the
    values each last gave, so a re-import never overwrites an edit) and ``circle_open`` (an
    import could not tell the circle). An irlmeet that reads schema 5 would take the new keys for
    damage; the version bump makes it say "written by a newer irlmeet" instead."""
    contacts = raw.get("contacts")
    if isinstance(contacts, dict):
        raw = {
            **raw,
            "contacts": {
                cid: ({**V6_DEFAULTS, **doc} if isinstance(doc, dict) else doc) for cid, doc in contacts.items()
            },
        }
    return raw
