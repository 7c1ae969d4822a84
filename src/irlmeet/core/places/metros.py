"""Metro areas: the big commuting areas people write instead of a city, and the words around them.

Metro areas: GeoNames has none, so :data:`METROS` is a small, hand-kept table of the big metro
areas people write on LinkedIn-style profiles, each an approximate circle (centre and radius) plus
the phrasings that do not reduce to a city name ("Bay Area", "DFW", "Chicagoland"). Every resolved
place gets the key of the metro circle containing it, so San Jose and San Francisco (68 km apart)
are both ``"bay-area"`` and count as near each other.

Phrases around a city name that mean "the area around it" ("Greater Boston", "Seattle Metro Area",
"the Dallas Metroplex") are stripped by :func:`strip_area_words` before a second lookup, where the
metro's main city wins over its namesakes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from irlmeet.core.places.geo import haversine

__all__ = [
    "AREA_PREFIXES",
    "AREA_SUFFIXES",
    "METROS",
    "METRO_BY_KEY",
    "Metro",
    "metro_name",
    "metro_of",
    "strip_area_words",
]


@dataclass(frozen=True, slots=True)
class Metro:
    """A big metro area as an approximate circle, with the phrasings people use for it.

    ``city`` is the GeoNames id of the main city a metro phrase resolves to. ``aliases`` are only
    the phrasings that do not reduce to a city name by dropping "Greater"/"Area"/"Metro..."
    ("Greater Boston" already reduces to Boston).
    """

    key: str
    name: str
    city: int
    lat: float
    lon: float
    radius_km: float
    aliases: tuple[str, ...] = ()


# Centres and radii are rough commuting areas, chosen so that no two circles overlap.
METROS: tuple[Metro, ...] = (
    Metro("nyc", "New York City area", 5128581, 40.7128, -74.0060, 50,
          ("nyc metro", "tri state", "tristate", "nyc area")),
    Metro("bay-area", "San Francisco Bay Area", 5391959, 37.60, -122.15, 60,
          ("bay area", "sf bay", "san francisco bay", "sf bay area", "silicon valley")),
    Metro("la", "Los Angeles area", 5368361, 34.05, -118.25, 60, ("socal", "greater la")),
    Metro("seattle", "Seattle area", 5809844, 47.6062, -122.3321, 45, ("puget sound",)),
    Metro("boston", "Boston area", 4930956, 42.3601, -71.0589, 40, ()),
    Metro("dc", "Washington, DC area", 4140963, 38.9072, -77.0369, 40,
          ("dc", "dmv", "washington dc baltimore", "washington baltimore", "dc metro")),
    Metro("chicago", "Chicago area", 4887398, 41.8781, -87.6298, 50, ("chicagoland",)),
    Metro("dfw", "Dallas-Fort Worth", 4684888, 32.80, -97.05, 55,
          ("dfw", "dallas fort worth", "dallas ft worth", "metroplex")),
    Metro("houston", "Houston area", 4699066, 29.7604, -95.3698, 50, ()),
    Metro("atlanta", "Atlanta area", 4180439, 33.7490, -84.3880, 45, ()),
    Metro("miami", "Miami area", 4164138, 25.7617, -80.1918, 50, ("south florida",)),
    Metro("philadelphia", "Philadelphia area", 4560349, 39.9526, -75.1652, 40, ("philly",)),
    Metro("denver", "Denver area", 5419384, 39.7392, -104.9903, 40, ()),
    Metro("austin", "Austin area", 4671654, 30.2672, -97.7431, 35, ()),
    Metro("toronto", "Greater Toronto Area", 6167865, 43.6532, -79.3832, 45, ("gta",)),
    Metro("london", "London area", 2643743, 51.5074, -0.1278, 40, ()),
    Metro("paris", "Paris area", 2988507, 48.8566, 2.3522, 30, ("ile de france",)),
    Metro("berlin", "Berlin area", 2950159, 52.5200, 13.4050, 35, ("berlin brandenburg",)),
    Metro("munich", "Munich area", 2867714, 48.1351, 11.5820, 30, ()),
    Metro("amsterdam", "Amsterdam area", 2759794, 52.3676, 4.9041, 25, ()),
    Metro("tokyo", "Tokyo area", 1850147, 35.6762, 139.6503, 50, ()),
    Metro("sydney", "Sydney area", 2147714, -33.8688, 151.2093, 45, ()),
)

METRO_BY_KEY = {m.key: m for m in METROS}
_METRO_LAT_DEG = tuple((m, m.radius_km / 111.19) for m in METROS)  # quick reject in metro_of

# Words people wrap around a place to mean "the area around it". Longest first.
AREA_PREFIXES = ("greater ", "metro ", "the ")
AREA_SUFFIXES = (
    " metropolitan statistical area",
    " metropolitan area",
    " metropolitan region",
    " metro area",
    " metro region",
    " capital region",
    " bay area",
    " metroplex",
    " metropolis",
    " metro",
    " area",
    " region",
)


def strip_area_words(name: str) -> str:
    """``"greater seattle area"`` -> ``"seattle"``; returns the input when nothing is stripped."""
    changed = True
    while changed:
        changed = False
        for prefix in AREA_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                name, changed = name[len(prefix):], True
        for suffix in AREA_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name, changed = name[: -len(suffix)], True
    return name


def metro_of(lat: float, lon: float) -> str | None:
    best: str | None = None
    best_share = math.inf
    for m, lat_deg in _METRO_LAT_DEG:
        if abs(lat - m.lat) > lat_deg:
            continue
        share = haversine(lat, lon, m.lat, m.lon) / m.radius_km
        if share <= 1.0 and share < best_share:
            best, best_share = m.key, share
    return best



def metro_name(key: str) -> str | None:
    """A metro key's display name (``"bay-area"`` -> ``"San Francisco Bay Area"``)."""
    m = METRO_BY_KEY.get(key)
    return m.name if m else None
