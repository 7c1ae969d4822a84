from __future__ import annotations

import io
import itertools
import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from irlmeet.cli import main
from irlmeet.core.models import Place

# A fixed "now" for every deterministic test: Sunday 22 November 2026, 09:00 in Lisbon.
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


# What the environment of the person running the suite must not change: colours and themes
# (NO_COLOR even when empty, FORCE_COLOR, every TEXTUAL_* knob), the terminal size Rich reads
# (COLUMNS, LINES), and which data file irlmeet opens. (TEXTUAL_SNAPSHOT_* is the snapshot
# plugin's own bookkeeping, not a setting.)
_LEAKS = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS", "LINES", "IRLMEET_DATA")

# Textual reads these TEXTUAL_* settings into textual.constants when it is first imported
# (before this file runs, by the snapshot plugin), so they are reset there too.
_TEXTUAL_DEFAULTS = {
    "COLOR_SYSTEM": "auto",
    "TEXTUAL_ANIMATIONS": "full",
    "FILTERS": "",
    "PRESS": "",
    "DRIVER": None,
    "SCREENSHOT_DELAY": -1,
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """Every test sees the same environment, whatever the shell that started pytest had."""
    for name in list(os.environ):
        if name in _LEAKS or (name.startswith("TEXTUAL_") and not name.startswith("TEXTUAL_SNAPSHOT")):
            monkeypatch.delenv(name, raising=False)
    constants = sys.modules.get("textual.constants")
    if constants is not None:
        for name, value in _TEXTUAL_DEFAULTS.items():
            if hasattr(constants, name):
                monkeypatch.setattr(constants, name, value)


@pytest.fixture(scope="session")
def xdg_cache(tmp_path_factory) -> Path:
    """The XDG_CACHE_HOME for every test that runs irlmeet as a user would (CLI, subprocesses):
    the city index in it is built once per session, by ``places_cache``."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(scope="session")
def places_cache(xdg_cache) -> Path:
    """The place-index cache folder, built once per session (building takes seconds, loading
    ~0.1 s), where the CLI looks for it under ``xdg_cache``."""
    from irlmeet.core.places import PlaceIndex

    cache = xdg_cache / "irlmeet" / "places"
    PlaceIndex.load(cache)
    return cache


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


# --------------------------------------------------------------------------------------------
# The CLI as a user runs it (in-process, fixed clock, XDG folders in tmp_path)


@pytest.fixture
def env(tmp_path, xdg_cache, places_cache, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg_cache))  # the session's city index
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("IRLMEET_DATA", raising=False)
    return dict(os.environ)


class Run:
    """``irlmeet(...)``: the CLI's ``main()`` in-process, with the fixed clock (``NOW`` unless
    ``clock`` is given); keeps code, out, err."""

    def __init__(self, env, clock=None):
        self.env = env
        self.clock = clock or (lambda: NOW)

    def __call__(self, *argv, ok=True):
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), env=self.env, clock=self.clock, out=out, err=err)
        self.code, self.out, self.err = code, out.getvalue(), err.getvalue()
        if ok:
            assert code == 0, f"{argv} failed ({code}): {self.err}"
        return self


@pytest.fixture
def irlmeet(env):
    return Run(env)


def data_file(tmp_path) -> Path:
    return tmp_path / "data" / "irlmeet" / "irlmeet.json"


@pytest.fixture
def world(tmp_path, places_cache):
    """A TUI test's data, settings and app factory (tests/test_tui.py's World) in tmp_path.
    NO_COLOR, TEXTUAL_*: see _clean_environment above."""
    from tests.test_tui import World

    w = World(tmp_path, places_cache)
    yield w
    w.close()


async def wait_until(pilot, condition, what: str, *, timeout: float = 30.0) -> None:
    """Let the app run until ``condition()`` holds (a worker's answer, a debounced check, a
    poll), failing after ``timeout`` seconds of wall time: bounded by time, not by a count of
    pauses, so a loaded CI machine is slower but never flaky."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {timeout:g} s: {what}")
        await pilot.pause(0.05)
