"""How fast the app shows something, headless, over 1k/10k/30k contacts.

    python bench/bench_tui.py

For each size: time to the first screen (the loading state), to the data file being open,
and to the first trip's ranked people being on screen; then how long a key press to the next
trip takes to show its plan. The app is driven by Textual's Pilot, as in the tests.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))

from gen import CITIES, make_store  # noqa: E402

from irlmeet.core.models import Trip  # noqa: E402
from irlmeet.core.places import PlaceIndex  # noqa: E402
from irlmeet.core.service import Service  # noqa: E402
from irlmeet.core.settings import Paths, Settings  # noqa: E402
from irlmeet.core.store import Store  # noqa: E402

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


async def measure(path: Path, tmp: Path) -> None:
    from irlmeet.tui.app import IrlmeetApp
    from irlmeet.tui.main_screen import MainScreen

    settings = Settings(Paths(path, tmp / "config.toml", tmp / "cache", tmp / "themes"))
    counter = itertools.count()
    opened: dict[str, float] = {}

    def open_service() -> Service:
        store = Store(path)
        opened["at"] = time.perf_counter()
        return Service(store, places=lambda: PlaceIndex.load(tmp / "cache"), settings=settings,
                       clock=lambda: NOW, new_id=lambda: f"x{next(counter)}")

    t0 = time.perf_counter()
    app = IrlmeetApp(open_service, settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        first = time.perf_counter()
        while not (isinstance(app.screen, MainScreen) and app.screen.plan is not None):
            await pilot.pause(0.01)
        shown = time.perf_counter()
        app.screen.query_one("#trips").focus()
        await pilot.pause()
        before = app.screen.plan
        t1 = time.perf_counter()
        await pilot.press("down")
        deadline = t1 + 30
        while (app.screen.plan is before or app.screen.plan is None) and time.perf_counter() < deadline:
            await pilot.pause(0.01)
        switched = time.perf_counter() - t1
        await app.workers.wait_for_complete()
        app.exit()
    print(
        f"first screen {1000 * (first - t0):6.0f} ms, data open {1000 * (opened['at'] - t0):6.0f} ms, "
        f"first plan shown {1000 * (shown - t0):6.0f} ms, next trip's plan {1000 * switched:5.0f} ms"
    )


def main() -> None:
    for n in (1_000, 10_000, 30_000):
        with tempfile.TemporaryDirectory() as tmp_s:
            tmp = Path(tmp_s)
            path = tmp / "irlmeet.json"
            store = make_store(path, n)
            for i, city in enumerate(("New York City", "London")):
                dest = next(c for c in CITIES if c.name == city)
                store.put_trip(Trip(id=f"t{i}", name=f"Trip {city}", destination=dest,
                                    start=date(2026, 12, 8 + 5 * i), end=date(2026, 12, 11 + 5 * i)))
            store.close()
            print(f"{n:>6} contacts: ", end="", flush=True)
            asyncio.run(measure(path, tmp))


if __name__ == "__main__":
    main()
