"""Planning a trip over 1k/10k/30k contacts, and the CLI's start-up.

    python bench/bench_plan.py

Prints, per size: ranking + slot proposal time for a trip to a busy city (median of 7), the
draft for the top proposal, and the sync of ideas before an export. Then a 5-day trip planned at
1k/10k/30k contacts with busy time and stored meetups: median and p99 of 50 runs, target <= 50 ms
at 30k, beside the planner of ``main`` (read with git) as the baseline measured in the same run.
Then the wall time of `irlmeet --version` and `irlmeet trip list` (process start to exit) on a
30k data file.
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
        ms_draft, _ = _median_ms(lambda p=the_plan, top=top: drafts.draft(p, top.contact.id, Profile("Sam"), now=NOW))
        counter = itertools.count()
        ms_sync, ideas = _median_ms(
            lambda p=the_plan, c=counter: planner.sync_ideas(p, [], now=NOW, new_id=lambda: f"m{next(c)}")
        )
        print(
            f"{n:>6} contacts: {len(ranked):>5} near NYC; rank {ms_rank:7.1f} ms, plan {ms_plan:7.1f} ms "
            f"({len(the_plan.scheduled)} slots), draft {ms_draft:5.2f} ms, sync {ms_sync:5.2f} ms"
        )


def _percentile_ms(fn, runs=50):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


def _baseline_planner(ref="main"):
    """The planner as it is on ``ref`` (one module then), loaded beside the current one."""
    import importlib.util
    import types

    root = Path(__file__).resolve().parent.parent
    try:
        source = subprocess.run(["git", "show", f"{ref}:src/irlmeet/core/planner.py"], cwd=root, check=True,
                                capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("baseline_planner")
    module.__spec__ = importlib.util.spec_from_loader("baseline_planner", loader=None)
    sys.modules["baseline_planner"] = module
    exec(compile(source, f"{ref}:planner.py", "exec"), module.__dict__)  # noqa: S102 - our own code from git
    return module


def bench_five_day_trip():
    from datetime import timedelta

    from irlmeet.core.models import BusyBlock, Meetup

    dest = next(c for c in CITIES if c.name == "New York City")
    z = dest.zone
    start = date(2026, 12, 7)  # Monday to Friday
    busy = tuple(BusyBlock(datetime(2026, 12, d, 9, 0, tzinfo=z), datetime(2026, 12, d, 12, 0, tzinfo=z), "talks")
                 for d in (8, 9))
    trip = Trip(id="t", name="NYC", destination=dest, start=start, end=start + timedelta(days=4), busy=busy)
    baseline = _baseline_planner()
    print("5-day trip, 2 busy mornings, 3 stored meetups (median / p99 of 50 runs; target <= 50 ms at 30k):")
    for n in (1_000, 10_000, 30_000):
        contacts = make_contacts(n)
        first = planner.plan(trip, contacts, now=NOW)
        stored = [
            Meetup(id=f"m{i}", trip_id="t", contact_ids=(p.contact.id,), kind=p.kind, start=p.start, end=p.end,
                   uid=f"u{i}", status="idea" if i else "invited")
            for i, p in enumerate(first.scheduled[:3])
        ]
        med, p99 = _percentile_ms(lambda contacts=contacts, stored=stored: planner.plan(trip, contacts, now=NOW, planned=stored))
        line = f"{n:>6} contacts: now {med:6.1f} / {p99:6.1f} ms"
        if baseline is not None:
            bmed, bp99 = _percentile_ms(lambda contacts=contacts, stored=stored: baseline.plan(trip, contacts, now=NOW, planned=stored))
            line += f"   main's planner {bmed:6.1f} / {bp99:6.1f} ms"
        print(line + ("" if n < 30_000 else ("   OK" if p99 <= 50 else "   OVER TARGET")))


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
    bench_five_day_trip()
    bench_sizes()
    bench_cli()
