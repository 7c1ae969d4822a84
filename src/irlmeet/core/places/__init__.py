"""Free text to one resolved city, offline, and "who is near whom".

The package is split by noun; callers import from here:

- :mod:`.index` -- :class:`PlaceIndex`: load (cache or build), resolve, candidates, the ambiguity rule.
"""

from __future__ import annotations

from irlmeet.core.places.index import (
    DATASET,
    DEFAULT_RADIUS_KM,
    METROS,
    Metro,
    PlaceIndex,
    distance_km,
    is_near,
    near_filter,
    normalize,
)

__all__ = [
    "DATASET",
    "DEFAULT_RADIUS_KM",
    "METROS",
    "Metro",
    "PlaceIndex",
    "distance_km",
    "is_near",
    "near_filter",
    "normalize",
]
