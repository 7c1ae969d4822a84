"""The bundled demo: invented people in several cities and two upcoming trips.

``irlmeet --demo`` builds a fresh data file from ``irlmeet/data/demo.json`` in a temporary
folder, so the user's own file is never read or written. Dates in the demo are relative (days
before or after the day it is opened), so the trips are always upcoming and "not seen for two
years" stays true.

Each run's copy lives in its own folder ``demo-<pid>-<random>`` under one per-user parent
(:func:`copies_root`, in the temp folder). The composition root removes it on every way out
(quit, error, SIGTERM, SIGHUP); a run killed outright (SIGKILL, power loss) leaves its folder
behind, and the next ``--demo`` removes every folder whose process is gone
(:func:`remove_stale`).

Cities in the demo are stored already resolved (the ``places`` map), so opening the demo does
not need the city index; ``tests/test_demo.py`` checks the map still matches what
:mod:`irlmeet.core.places` resolves, and :func:`resolve_places` rewrites it when it does not.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from irlmeet.core.models import BusyBlock, Contact, ContactPlace, Place, Profile, Trip
from irlmeet.core.store import Store

#: The name of one run's folder: ``demo-<pid>-<random>``.
_COPY = re.compile(r"demo-(\d+)-[A-Za-z0-9_]+")
DEMO_FILE = "irlmeet-demo.json"


def copies_root(temp_dir: Path) -> Path:
    """The per-user folder (in ``temp_dir``) that holds every demo run's copy."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(temp_dir) / f"irlmeet-demo-{user}"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still exists (a process of another user counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # Windows: no such process
        return False
    return True


def _own_private_dir(root: Path) -> bool:
    """Create ``root`` 0700, or accept it if it is already our own real folder (not a symlink
    planted in a shared temp folder by someone else)."""
    try:
        root.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    try:
        st = os.lstat(root)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def remove_stale(root: Path, *, alive: Callable[[int], bool] = pid_alive) -> list[Path]:
    """Remove the copies in ``root`` left by runs whose process is gone; returns them."""
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        m = _COPY.fullmatch(entry.name)
        if m and entry.is_dir(follow_symlinks=False) and not alive(int(m.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def start_copy(temp_dir: Path, *, pid: int, now: datetime, new_id: Callable[[], str]) -> Path:
    """A fresh demo data file in a new folder of its own; stale copies are removed first.

    Returns the data file; remove its folder (``path.parent``) with :func:`remove_copy`.
    """
    root = copies_root(temp_dir)
    if _own_private_dir(root):
        remove_stale(root)
        folder = Path(tempfile.mkdtemp(prefix=f"demo-{pid}-", dir=root))
    else:  # an unusable shared parent: a one-off folder (not found by remove_stale)
        folder = Path(tempfile.mkdtemp(prefix=f"irlmeet-demo-{pid}-", dir=temp_dir))
    try:
        return build(folder / DEMO_FILE, now=now, new_id=new_id)
    except BaseException:
        remove_copy(folder)
        raise


def remove_copy(folder: Path, *, attempts: int = 50) -> bool:
    """Remove a run's folder; True once it is gone. Retried: a worker thread still using the
    store (its lock or journal) can create a file in it while it is being removed."""
    for _ in range(attempts):
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.lexists(folder):
            return True
    return False


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
                    id=new_id(),  # as Service.add_busy gives one: `busy rm` and the TUI name it
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
