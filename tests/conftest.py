from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from irlmeet.core.models import Place

# A fixed "now" for every deterministic test: Sunday 22 November 2026, 09:00 in Lisbon.
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


@pytest.fixture(autouse=True)
def _no_colour_overrides(monkeypatch):
    """NO_COLOR / TEXTUAL_THEME in the environment would change what the TUI renders."""
    for name in ("NO_COLOR", "TEXTUAL_THEME", "IRLMEET_DATA"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def places_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("places-cache")


@pytest.fixture(scope="session")
def place_index(places_cache):
    from irlmeet.core.places import PlaceIndex

    return PlaceIndex.load(places_cache)


@pytest.fixture
def ids():
    counter = itertools.count(1)
    return lambda: f"id{next(counter):04d}"


# Hand-made places with real coordinates, for unit tests that should not need the index.
BERLIN = Place(name="Berlin", country_code="DE", country="Germany", region="Berlin", lat=52.52437, lon=13.41053, tz="Europe/Berlin", metro="berlin")
POTSDAM = Place(name="Potsdam", country_code="DE", country="Germany", region="Brandenburg", lat=52.39886, lon=13.06566, tz="Europe/Berlin", metro="berlin")
HAMBURG = Place(name="Hamburg", country_code="DE", country="Germany", region="Hamburg", lat=53.55073, lon=9.99302, tz="Europe/Berlin")
NEW_YORK = Place(name="New York City", country_code="US", country="United States", region="NY", lat=40.71427, lon=-74.00597, tz="America/New_York", metro="nyc")
LISBON = Place(name="Lisbon", country_code="PT", country="Portugal", region="Lisbon", lat=38.71667, lon=-9.13333, tz="Europe/Lisbon")
