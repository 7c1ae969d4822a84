"""The bundled demo: invented people in several cities and two upcoming trips.

``irlmeet --demo`` builds a fresh data file from ``irlmeet/data/demo.json`` in a temporary
folder, so the user's own file is never read or written. Dates in the demo are relative (days
before or after the day it is opened), so the trips are always upcoming and "not seen for two
years" stays true.

Cities in the demo are stored already resolved (the ``places`` map), so opening the demo does
not need the city index; ``tests/test_demo.py`` checks the map still matches what
:mod:`irlmeet.core.places` resolves, and :func:`resolve_places` rewrites it when it does not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from irlmeet.core.models import BusyBlock, Contact, ContactPlace, Place, Profile, Trip
from irlmeet.core.store import Store


def load_source() -> dict[str, Any]:
    return json.loads(resources.files("irlmeet.data").joinpath("demo.json").read_text("utf-8"))


def cities(source: dict[str, Any]) -> list[str]:
    texts = [c["city"] for c in source["contacts"]] + [t["city"] for t in source["trips"]]
    if source["profile"].get("home"):
        texts.append(source["profile"]["home"])
    return sorted(set(texts))


def resolve_places(source: dict[str, Any], index) -> dict[str, dict[str, Any]]:
    """Each city text of the demo resolved now (``index`` is a PlaceIndex)."""
    return {text: index.resolve(text).to_dict() for text in cities(source)}


def build(path: Path, *, now: datetime, new_id: Callable[[], str]) -> Path:
    """Write a new demo data file at ``path`` (which must not exist yet)."""
    if path.exists():
        raise FileExistsError(path)
    source = load_source()
    places = {text: Place.from_dict(d) for text, d in source["places"].items()}
    today = now.date()

    def ago(n: int | None):
        return None if n is None else today - timedelta(days=n)

    contacts = [
        Contact(
            id=new_id(),
            name=c["name"],
            places=(ContactPlace(places[c["city"]], c.get("label", "home")),),
            circle=c.get("circle", "professional"),
            how_we_met=c.get("how_we_met", ""),
            met_on=ago(c.get("met_days_ago")),
            emails=tuple(c.get("emails", ())),
            tags=tuple(c.get("tags", ())),
            notes=c.get("notes", ""),
            last_seen=ago(c.get("last_seen_days_ago")),
            last_contacted=ago(c.get("last_contacted_days_ago")),
            cadence_days=c.get("cadence_days"),
            do_not_invite=c.get("do_not_invite", False),
        )
        for c in source["contacts"]
    ]
    trips = []
    for t in source["trips"]:
        dest = places[t["city"]]
        start = today + timedelta(days=t["starts_in_days"])
        start += timedelta(days=(7 - start.weekday()) % 7)  # work trips start on a Monday: work meetups stay on weekdays
        busy = []
        for b in t.get("busy", ()):
            day = start + timedelta(days=b["day"])
            busy.append(
                BusyBlock(
                    start=datetime.combine(day, time.fromisoformat(b["from"]), dest.zone),
                    end=datetime.combine(day, time.fromisoformat(b["to"]), dest.zone),
                    title=b["title"],
                )
            )
        trips.append(
            Trip(
                id=new_id(), name=t["name"], destination=dest, start=start,
                end=start + timedelta(days=t["days"] - 1), busy=tuple(busy),
            )
        )
    profile = source["profile"]
    with Store(path) as store:
        store.set_profile(Profile(name=profile["name"], home=places.get(profile.get("home", ""))))
        store.put_contacts(contacts)
        for trip in trips:
            store.put_trip(trip)
    return path
