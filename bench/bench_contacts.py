"""Keystroke latency of the contacts screen's search, at 1k/10k/30k contacts.

    python bench/bench_contacts.py [sizes...]

Per keystroke: the core filter (:meth:`Directory.search_indices`) plus the view's work for the
visible window (:meth:`ContactList.show` and rendering every visible line), in a headless app at
120x36. Typing "maria berlin" then deleting it back to empty, and a few single words. Baseline
in the same run: the same filter without the incremental narrowing (every keystroke scans
everyone). Target: <= 50 ms per keystroke at 30k (max, not median).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gen import make_contacts  # noqa: E402

from irlmeet.core.directory import Directory  # noqa: E402

TYPED = ["maria berlin", "sch", "london python"]


def keystrokes() -> list[str]:
    """Every prefix while typing each phrase, then every prefix while deleting it."""
    out: list[str] = []
    for phrase in TYPED:
        out += [phrase[:n] for n in range(1, len(phrase) + 1)]
        out += [phrase[:n] for n in range(len(phrase) - 1, -1, -1)]
    return out


async def measure(n: int) -> None:
    from textual.app import App, ComposeResult

    from irlmeet.tui.contact_list import ContactList

    contacts = make_contacts(n)
    t0 = time.perf_counter()
    directory = Directory(contacts)
    build = time.perf_counter() - t0

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield ContactList(id="list")

    app = Bench()
    async with app.run_test(size=(120, 36)) as pilot:
        view = app.query_one(ContactList)
        view.show(directory, directory.search_indices(""))
        await pilot.pause()
        height = view.size.height
        times: list[float] = []
        filter_times: list[float] = []
        for query in keystrokes():
            t0 = time.perf_counter()
            rows = directory.search_indices(query)
            t1 = time.perf_counter()
            view.show(directory, rows, keep_id=None)
            for y in range(height):
                view.render_line(y)
            t2 = time.perf_counter()
            filter_times.append(t1 - t0)
            times.append(t2 - t0)
        baseline: list[float] = []
        for query in keystrokes():
            fresh = Directory.__new__(Directory)  # same strings, no previous result to narrow
            fresh.contacts, fresh._texts = directory.contacts, directory._texts
            fresh._trail = []
            t0 = time.perf_counter()
            fresh.search_indices(query)
            baseline.append(time.perf_counter() - t0)

    ms = lambda xs: f"median {statistics.median(xs) * 1000:6.2f} ms, max {max(xs) * 1000:6.2f} ms"  # noqa: E731
    print(f"{n:>6,} contacts: build {build * 1000:6.0f} ms | keystroke (filter+window) {ms(times)} "
          f"| filter alone {ms(filter_times)} | baseline full scan {ms(baseline)} | {len(times)} keys, {height} rows")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 30_000]
    for n in sizes:
        asyncio.run(measure(n))


if __name__ == "__main__":
    main()
