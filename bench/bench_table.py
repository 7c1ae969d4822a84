"""One table for issue 10: every figure at 1k, 10k and 30k contacts, BEFORE and AFTER in one run.

    python bench/bench_table.py [--before SRC_DIR] [--runs N] [--sizes 1000,10000,30000]

AFTER is this checkout; ``--before`` is another checkout's ``src`` folder (e.g. main, unpacked
with ``git archive main src | tar -x -C /tmp/before``), run with the same interpreter through
PYTHONPATH. Runs are interleaved (before, after, before, ...) and medians are reported, because
the machine is shared. Every figure is a whole process unless it says "in-process"; peak memory
is the child's max RSS (``os.wait4``). The TUI figures are ratios to a bare Textual app, each in
its own process, timed from interpreter start (imports included) to the first screen, run back
to back, so they compare across machines: "first paint" is the first screen up (the data file
still opening), "opening view painted with its data" is the opening view (the agenda; in an
older tree the trips screen's plan) holding what its worker read, with the messages that queued
handled. The contacts-screen keystroke is measured in a real app on the same data file: per
keystroke of bench_contacts.py's phrases, the search field's handler (filter, list refilled) plus
drawing the list's visible lines; the max is the figure with the target. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

MAKE = """
import sys; sys.path.insert(0, {bench!r})
from datetime import date
from gen import make_store, CITIES
from irlmeet.core.models import Trip
s = make_store({path!r}, {n})
berlin = next(c for c in CITIES if c.name == "Berlin")
s.put_trip(Trip(id="t1", name="Berlin", destination=berlin, start=date(2099, 5, 4), end=date(2099, 5, 8)))
s.close()
"""

INPROC = """
import statistics, sys, time
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo
from pathlib import Path
from irlmeet.core.service import Service
from irlmeet.core.settings import Paths, Settings
from irlmeet.core.store import Store
p = Path({path!r})
s = Store(p)
svc = Service(s, places=lambda: None, settings=Settings(Paths(p, p.parent / "c.toml", p.parent, p.parent)),
              clock=lambda: datetime(2099, 5, 1, 9, tzinfo=ZoneInfo("Europe/Berlin")), new_id=iter(range(10**9)).__next__)
trip = s.trip("t1")
ts = []
for i in range(60):
    t = time.perf_counter(); svc.plan(trip); ts.append(time.perf_counter() - t)
ts.sort()
edits = []
cid = next(iter(s.contact_names()))[0] if hasattr(s, "contact_names") else s.contacts()[0].id
for i in range(15):
    t = time.perf_counter()
    with s.transaction():
        s.put_contact(replace(s.contact(cid), notes=f"edit {{i}}"))
    edits.append(time.perf_counter() - t)
s.close()
print(statistics.median(ts), ts[int(len(ts) * 0.99) - 1], statistics.median(edits))
"""

TUI = """
import time
t0 = time.perf_counter()
import asyncio, itertools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
t1 = time.perf_counter()

async def bare():
    s = time.perf_counter()
    from textual.app import App
    app = App()
    async with app.run_test(size=(120, 36)) as pilot:
        first = time.perf_counter()  # run_test returns once the first screen is up
    return first - s

async def ours():
    s = time.perf_counter()
    import sys
    from irlmeet.core.settings import Paths, Settings
    from irlmeet.tui.app import IrlmeetApp
    p = Path({path!r})
    settings = Settings(Paths(p, p.parent / "c.toml", p.parent / "cache", p.parent / "themes"))
    clock = lambda: datetime(2099, 5, 1, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    opened = []
    try:  # the app's real open path (cli.py `_run_tui`), its gc.freeze included
        from irlmeet.cli import Context, tui_opener
        open_service = tui_opener(Context(settings, clock=clock, out=sys.stdout, err=sys.stderr), opened)
    except ImportError:  # an older tree (--before) without it
        def open_service():
            from irlmeet.core.service import Service
            from irlmeet.core.store import Store
            service = Service(Store(p), places=lambda: None, settings=settings, clock=clock,
                              new_id=iter(range(10**9)).__next__)
            opened.append(service)
            return service
    app = IrlmeetApp(open_service, settings=settings)

    def with_data():
        # The opening view holding what it read in its worker: the agenda (its agenda built),
        # or, in a tree that opens on the trips, the trip's plan.
        screen = app.screen
        if type(screen).__name__ == "AgendaScreen":
            return screen.agenda is not None
        return getattr(screen, "plan", None) is not None

    async with app.run_test(size=(120, 36)) as pilot:
        first = time.perf_counter()  # as the bare app's
        while not with_data():
            await pilot.pause(0.005)
        await pilot._wait_for_screen()  # ... and what that queued handled (as run_test waits for the first)
        shown = time.perf_counter()
        await app.workers.wait_for_complete()
        app.exit()
    for service in opened:
        service.store.close()
    return first - s, shown - s

if {bare!r}:
    print(asyncio.run(bare()) + (t1 - t0))
else:
    first, shown = asyncio.run(ours())
    print(first + (t1 - t0), shown + (t1 - t0))
"""

KEYS = """
import asyncio, statistics, time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from textual.widgets import Input
from textual.worker import WorkerCancelled
from irlmeet.core.settings import Paths, Settings
from irlmeet.core.service import Service
from irlmeet.core.store import Store
from irlmeet.tui.app import IrlmeetApp

p = Path({path!r})
settings = Settings(Paths(p, p.parent / "c.toml", p.parent / "cache", p.parent / "themes"))
opened = []

def open_service():
    service = Service(Store(p), places=lambda: None, settings=settings,
                      clock=lambda: datetime(2099, 5, 1, 9, tzinfo=ZoneInfo("Europe/Berlin")),
                      new_id=iter(range(10**9)).__next__)
    opened.append(service)
    return service

# bench_contacts.py's phrases: every prefix typed, then deleted back to empty.
QUERIES = []
for phrase in ("maria berlin", "sch", "london python"):
    QUERIES += [phrase[:n] for n in range(1, len(phrase) + 1)] + [phrase[:n] for n in range(len(phrase) - 1, -1, -1)]

async def main():
    app = IrlmeetApp(open_service, settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        while app.service is None:
            await pilot.pause(0.01)
        await pilot.press("2")
        while type(app.screen).__name__ != "ContactsScreen" or app.screen.directory is None:
            await pilot.pause(0.01)
        screen = app.screen
        await app.workers.wait_for_complete()
        search, view = screen.query_one("#search", Input), screen.query_one("#contact-list")
        times = []
        # What one keystroke costs on the event loop: the search field's handler (the filter
        # over everyone, the list refilled), then drawing every visible line of the list.
        # Pilot's press() waits for the whole process to go idle (worker threads included),
        # so it would time the machine's load rather than the keystroke.
        for query in QUERIES:
            t = time.perf_counter()
            with search.prevent(Input.Changed):
                search.value = query
            screen._search_changed()
            for y in range(view.size.height):
                view.render_line(y)
            times.append(time.perf_counter() - t)
        try:  # each highlight started the card's meetups worker, cancelling the one before
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        app.exit()
    for service in opened:
        service.store.close()
    print(max(times), statistics.median(times))

asyncio.run(main())
"""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak MB, stdout) of one child process."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=err)
        out = p.stdout.read().decode() if p.stdout else ""
        _pid, status, ru = os.wait4(p.pid, 0)
        took = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{argv[:3]} failed with {p.returncode}:\n{err.read().decode()[-3000:]}")
    return took, ru.ru_maxrss / 1024, out


PYCACHE: Path | None = None  # set in main(): where the children keep their bytecode


def env_for(src: Path | None) -> dict[str, str]:
    """The child's environment. Bytecode is cached (in a folder of the run's own, never in a
    source tree): an installed irlmeet has its .pyc files, so a child that recompiled every
    module from source (PYTHONDONTWRITEBYTECODE, as some shells set) would time the compiler."""
    drop = ("IRLMEET_DATA", "NO_COLOR", "TEXTUAL_THEME", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    if PYCACHE is not None:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE / ("after" if src is None else "before"))
    return env


def measure(data: Path, env: dict[str, str]) -> dict[str, float]:
    cli = [PY, "-m", "irlmeet", "--data", str(data)]
    got: dict[str, float] = {}
    got["near"], got["near_mb"], _ = run([*cli, "contact", "list", "--near", "Berlin"], env)
    got["trips"], _, _ = run([*cli, "trip", "list"], env)
    got["plan"], _, _ = run([*cli, "plan", "t1", "--json"], env)
    got["edit_cli"], _, _ = run([*cli, "trip", "edit", "t1", "--name", f"Berlin {time.time_ns()}"], env)
    _t, _mb, out = run([PY, "-c", INPROC.format(path=str(data))], env)
    got["plan_med"], got["plan_p99"], got["edit"] = map(float, out.split())
    _t, _mb, out = run([PY, "-c", TUI.format(path=str(data), bare=True)], env)
    bare = float(out)
    _t, got["tui_mb"], out = run([PY, "-c", TUI.format(path=str(data), bare=False)], env)
    first, shown = map(float, out.split())
    got["paint"], got["painted_open"] = first / bare, shown / bare
    _t, _mb, out = run([PY, "-c", KEYS.format(path=str(data))], env)
    got["key_max"], got["key_med"] = map(float, out.split())
    return got


ROWS = [
    ("TUI first paint (× bare Textual app)", "paint", "{:.2f}×", "≤1.3×"),
    ("TUI opening view painted with its data (× bare Textual app)", "painted_open", "{:.2f}×", "≤2×"),
    ("`contact list --near Berlin`", "near", "{:.2f} s", "≤0.33 s"),
    ("`trip list`", "trips", "{:.2f} s", "≤0.25 s"),
    ("`plan t1 --json`", "plan", "{:.2f} s", "≤0.4 s"),
    ("plan in-process, median", "plan_med", "{:.1f} ms", ""),
    ("plan in-process, p99", "plan_p99", "{:.1f} ms", "≤50 ms"),
    ("one durable edit, in-process", "edit", "{:.1f} ms", "≤50 ms"),
    ("one durable edit, CLI (`trip edit`)", "edit_cli", "{:.2f} s", "≤0.4 s"),
    ("contacts-screen keystroke, max (filter + visible rows drawn)", "key_max", "{:.1f} ms", "≤50 ms"),
    ("contacts-screen keystroke, median", "key_med", "{:.1f} ms", ""),
    ("peak memory, CLI near search", "near_mb", "{:.0f} MB", "≤100 MB"),
    ("peak memory, TUI to the opening view with its data", "tui_mb", "{:.0f} MB", "≤120 MB"),
]
MS = {"plan_med", "plan_p99", "edit", "key_max", "key_med"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, help="src folder of the checkout to compare with")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="1000,10000,30000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    trees = {"after": None} if args.before is None else {"before": args.before, "after": None}
    results: dict[tuple[str, int], dict[str, list[float]]] = {}
    global PYCACHE
    with tempfile.TemporaryDirectory(prefix="irlmeet-bench-") as tmp:
        PYCACHE = Path(tmp) / "pycache"
        for n in sizes:
            seed = Path(tmp) / f"seed-{n}" / "irlmeet.json"
            run([PY, "-c", MAKE.format(bench=str(ROOT / "bench"), path=str(seed), n=n)], env_for(None))
            for name, src in trees.items():
                d = Path(tmp) / f"{name}-{n}"
                shutil.copytree(seed.parent, d)
                # a first open (not timed) rebuilds what the tree keeps beside the file, and
                # writes the bytecode (the TUI's too) as an install would have
                run([PY, "-m", "compileall", "-q", str(src or ROOT / "src")], env_for(src))
                run([PY, "-m", "irlmeet", "--data", str(d / "irlmeet.json"), "trip", "list"], env_for(src))
                # ... and for Textual, which lives outside src: without this the first bare app
                # of each tree compiled Textual and skewed that run's ratios
                run([PY, "-c", TUI.format(path=str(d / "irlmeet.json"), bare=True)], env_for(src))
                run([PY, "-c", TUI.format(path=str(d / "irlmeet.json"), bare=False)], env_for(src))
            for _ in range(args.runs):
                for name, src in trees.items():
                    got = measure(Path(tmp) / f"{name}-{n}" / "irlmeet.json", env_for(src))
                    for k, v in got.items():
                        results.setdefault((name, n), {}).setdefault(k, []).append(v)
                    print(f"  {name} {n}: " + ", ".join(f"{k}={v:.3f}" for k, v in got.items()), file=sys.stderr)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    print(f"Machine: {os.cpu_count()} CPUs (nproc), {cpu}, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; medians of {args.runs} interleaved runs; "
          f"load average at the end {os.getloadavg()[0]:.1f}.\n")
    cols = [(name, n) for n in sizes for name in trees]
    print("| measure | target at 30k | " + " | ".join(f"{name} {n // 1000}k" for name, n in cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for label, key, fmt, target in ROWS:
        cells = []
        for col in cols:
            v = statistics.median(results[col][key])
            cells.append(fmt.format(v * 1000 if key in MS else v))
        print(f"| {label} | {target} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
