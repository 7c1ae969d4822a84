"""Free text to one resolved city, offline, and "who is near whom".

The package is split by noun; callers import from here:

- :mod:`.index` -- :class:`PlaceIndex`: load (cache or build), resolve, candidates, the ambiguity rule;
- :mod:`.dataset` -- reading the GeoNames cities once into the index's columns (and why cities5000);
- :mod:`.cache` -- the on-disk marshal cache of those columns, keyed so a stale one is rebuilt;
- :mod:`.metros` -- the metro-area table and "Greater X" / "X Area" phrasing;
- :mod:`.regions` -- US states, countries and regions as qualifiers ("Portland, ME", "London, ON");
- :mod:`.names` -- normalising names into index keys (case, accents, "St."/"Saint");
- :mod:`.geo` -- haversine distance and "near" (radius or same metro), in bulk for the planner.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from irlmeet.core.places.dataset import DATASET
    from irlmeet.core.places.geo import DEFAULT_RADIUS_KM, distance_km, is_near, near_filter
    from irlmeet.core.places.index import PlaceIndex
    from irlmeet.core.places.metros import METROS, Metro
    from irlmeet.core.places.names import normalize

# Each name is imported from its module on first use (PEP 562): a plan or a near search needs
# only ``geo``, not the city index, its dataset reader and cache (issue 10: imports only when used).
_WHERE = {
    "DATASET": "dataset", "DEFAULT_RADIUS_KM": "geo", "distance_km": "geo", "is_near": "geo",
    "near_filter": "geo", "PlaceIndex": "index", "METROS": "metros", "Metro": "metros", "normalize": "names",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

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
