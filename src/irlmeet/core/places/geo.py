"""Distances on the globe and "who is near whom".

Two places are *near* when they are within a radius (50 km by default) of each other or in the
same metro area (San Jose and San Francisco, 68 km apart, are both ``"bay-area"``; see
:mod:`irlmeet.core.places.metros`). :func:`near_filter` is the bulk form the planner uses over
tens of thousands of contacts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar

from irlmeet.core.models import Place

__all__ = ["DEFAULT_RADIUS_KM", "EARTH_RADIUS_KM", "distance_km", "haversine", "is_near", "near_filter"]

K = TypeVar("K")

DEFAULT_RADIUS_KM = 50.0
EARTH_RADIUS_KM = 6371.0088


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_km(a: Place, b: Place) -> float:
    """Great-circle (haversine) distance in km."""
    return haversine(a.lat, a.lon, b.lat, b.lon)


def is_near(a: Place, b: Place, radius_km: float = DEFAULT_RADIUS_KM) -> bool:
    """Within ``radius_km`` of each other, or in the same metro area (San Jose and SF)."""
    if a.metro is not None and a.metro == b.metro:
        return True
    return distance_km(a, b) <= radius_km


def near_filter(
    origin: Place,
    places: Iterable[tuple[K, Place]],
    radius_km: float = DEFAULT_RADIUS_KM,
) -> list[tuple[K, Place, float]]:
    """The items near ``origin`` (see :func:`is_near`) as ``(key, place, km)``, nearest first.

    A latitude/longitude box rejects most items with two comparisons before any trigonometry,
    which is what makes 30k contacts cost a couple of milliseconds.
    """
    lat0, lon0, metro0 = origin.lat, origin.lon, origin.metro
    dlat = radius_km / 111.19 + 1e-9
    coslat = math.cos(math.radians(min(89.999, abs(lat0) + dlat)))
    dlon = 360.0 if coslat * 111.19 * 180 <= radius_km else radius_km / (111.19 * coslat) + 1e-9
    rlat0 = math.radians(lat0)
    cos0 = math.cos(rlat0)
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    out: list[tuple[K, Place, float]] = []
    for key, p in places:
        lat = p.lat
        same_metro = metro0 is not None and p.metro == metro0
        if not same_metro:
            if abs(lat - lat0) > dlat:
                continue
            d = abs(p.lon - lon0)
            if d > 180.0:
                d = 360.0 - d
            if d > dlon:
                continue
        rlat = radians(lat)
        h = sin((rlat - rlat0) / 2) ** 2 + cos0 * cos(rlat) * sin(radians(p.lon - lon0) / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))
        if km <= radius_km or same_metro:
            out.append((key, p, km))
    out.sort(key=lambda item: item[2])
    return out
