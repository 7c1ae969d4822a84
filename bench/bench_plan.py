"""Planning a trip over 1k/10k/30k contacts, and the CLI's start-up.

    python bench/bench_plan.py

Prints, per size: ranking + slot proposal time for a trip to a busy city (median of 7), the
draft for the top proposal, and the sync of ideas before an export. Then the wall time of
`irlmeet --version` and `irlmeet trip list` (process start to exit) on a 30k data file.
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))

from gen import CITIES, make_contacts, make_store  # noqa: E402

from irlmeet.core import drafts, planner  # noqa: E402
from irlmeet.core.models import Profile, Trip  # noqa: E402

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


def _median_ms(fn, repeat=7):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def bench_sizes():
    dest = next(c for c in CITIES if c.name == "New York City")
    trip = Trip(id="t", name="NYC", destination=dest, start=date(2026, 12, 8), end=date(2026, 12, 11))
    for n in (1_000, 10_000, 30_000):
        contacts = make_contacts(n)
        ms_rank, ranked = _median_ms(lambda contacts=contacts: planner.rank(trip, contacts, today=NOW.date()))
        ms_plan, the_plan = _median_ms(lambda contacts=contacts: planner.plan(trip, contacts, now=NOW))
        top = the_plan.scheduled[0]
        ms_draft, _ = _median_ms(lambda top=top: drafts.draft(top, trip, Profile("Sam"), today=NOW.date()))
        counter = itertools.count()
        ms_sync, ideas = _median_ms(
            lambda p=the_plan, c=counter: planner.sync_ideas(p, [], now=NOW, new_id=lambda: f"m{next(c)}")
        )
        print(
            f"{n:>6} contacts: {len(ranked):>5} near NYC; rank {ms_rank:7.1f} ms, plan {ms_plan:7.1f} ms "
            f"({len(the_plan.scheduled)} slots), draft {ms_draft:5.2f} ms, sync {ms_sync:5.2f} ms"
        )


def bench_cli():
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "irlmeet.json"
        make_store(path, 30_000).close()
        env = dict(os.environ, IRLMEET_DATA=str(path), XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        for argv in (["--version"], ["trip", "list"], ["contact", "list", "--json"]):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                subprocess.run([sys.executable, "-m", "irlmeet", *argv], env=env, check=True, capture_output=True)
                times.append((time.perf_counter() - t) * 1000)
            print(f"irlmeet {' '.join(argv):<22} 30k contacts: {statistics.median(times):7.0f} ms (median of 5, whole process)")


if __name__ == "__main__":
    bench_sizes()
    bench_cli()
