"""Deterministic, realistic contacts for benchmarks: ``make_contacts(n)`` and ``make_store(path, n)``.

Same ``(n, seed)`` gives the same contacts on every machine (a seeded ``random.Random``, no
clock), so figures from different runs and different benches compare. The cities are real
(coordinates, IANA zones, rough populations) so "near" searches and time-zone code see
realistic spreads; they are hard-coded here so benches need no place index.

Used by other benches: ``sys.path.insert(0, "bench"); from gen import make_contacts``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from irlmeet.core.models import Circle, Contact, ContactPlace, Place, PlaceLabel
from irlmeet.core.store import Store

__all__ = ["CITIES", "make_contacts", "make_store"]

# name, region, country code, country, lat, lon, tz, population
_CITY_ROWS: list[tuple[str, str, str, str, float, float, str, int]] = [
    ("New York City", "NY", "US", "United States", 40.7128, -74.0060, "America/New_York", 8_336_000),
    ("San Francisco", "CA", "US", "United States", 37.7749, -122.4194, "America/Los_Angeles", 808_000),
    ("Los Angeles", "CA", "US", "United States", 34.0522, -118.2437, "America/Los_Angeles", 3_820_000),
    ("Seattle", "WA", "US", "United States", 47.6062, -122.3321, "America/Los_Angeles", 749_000),
    ("Chicago", "IL", "US", "United States", 41.8781, -87.6298, "America/Chicago", 2_665_000),
    ("Austin", "TX", "US", "United States", 30.2672, -97.7431, "America/Chicago", 974_000),
    ("Boston", "MA", "US", "United States", 42.3601, -71.0589, "America/New_York", 650_000),
    ("Washington", "DC", "US", "United States", 38.9072, -77.0369, "America/New_York", 679_000),
    ("Denver", "CO", "US", "United States", 39.7392, -104.9903, "America/Denver", 716_000),
    ("Miami", "FL", "US", "United States", 25.7617, -80.1918, "America/New_York", 449_000),
    ("Atlanta", "GA", "US", "United States", 33.7490, -84.3880, "America/New_York", 499_000),
    ("Portland", "OR", "US", "United States", 45.5152, -122.6784, "America/Los_Angeles", 635_000),
    ("Toronto", "Ontario", "CA", "Canada", 43.6532, -79.3832, "America/Toronto", 2_794_000),
    ("Vancouver", "British Columbia", "CA", "Canada", 49.2827, -123.1207, "America/Vancouver", 662_000),
    ("Montreal", "Quebec", "CA", "Canada", 45.5019, -73.5674, "America/Toronto", 1_762_000),
    ("Mexico City", "CDMX", "MX", "Mexico", 19.4326, -99.1332, "America/Mexico_City", 9_209_000),
    ("São Paulo", "SP", "BR", "Brazil", -23.5505, -46.6333, "America/Sao_Paulo", 12_325_000),
    ("Buenos Aires", "", "AR", "Argentina", -34.6037, -58.3816, "America/Argentina/Buenos_Aires", 3_075_000),
    ("Bogotá", "", "CO", "Colombia", 4.7110, -74.0721, "America/Bogota", 7_181_000),
    ("Santiago", "", "CL", "Chile", -33.4489, -70.6693, "America/Santiago", 5_614_000),
    ("London", "England", "GB", "United Kingdom", 51.5074, -0.1278, "Europe/London", 8_982_000),
    ("Manchester", "England", "GB", "United Kingdom", 53.4808, -2.2426, "Europe/London", 553_000),
    ("Edinburgh", "Scotland", "GB", "United Kingdom", 55.9533, -3.1883, "Europe/London", 527_000),
    ("Dublin", "Leinster", "IE", "Ireland", 53.3498, -6.2603, "Europe/Dublin", 1_173_000),
    ("Paris", "Île-de-France", "FR", "France", 48.8566, 2.3522, "Europe/Paris", 2_161_000),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", "France", 45.7640, 4.8357, "Europe/Paris", 516_000),
    ("Berlin", "Berlin", "DE", "Germany", 52.5200, 13.4050, "Europe/Berlin", 3_645_000),
    ("Munich", "Bavaria", "DE", "Germany", 48.1351, 11.5820, "Europe/Berlin", 1_472_000),
    ("Hamburg", "Hamburg", "DE", "Germany", 53.5511, 9.9937, "Europe/Berlin", 1_841_000),
    ("Frankfurt am Main", "Hesse", "DE", "Germany", 50.1109, 8.6821, "Europe/Berlin", 753_000),
    ("Amsterdam", "North Holland", "NL", "Netherlands", 52.3676, 4.9041, "Europe/Amsterdam", 872_000),
    ("Brussels", "Brussels", "BE", "Belgium", 50.8503, 4.3517, "Europe/Brussels", 1_209_000),
    ("Zurich", "Zurich", "CH", "Switzerland", 47.3769, 8.5417, "Europe/Zurich", 421_000),
    ("Vienna", "Vienna", "AT", "Austria", 48.2082, 16.3738, "Europe/Vienna", 1_897_000),
    ("Copenhagen", "Capital Region", "DK", "Denmark", 55.6761, 12.5683, "Europe/Copenhagen", 644_000),
    ("Stockholm", "Stockholm", "SE", "Sweden", 59.3293, 18.0686, "Europe/Stockholm", 975_000),
    ("Oslo", "Oslo", "NO", "Norway", 59.9139, 10.7522, "Europe/Oslo", 697_000),
    ("Helsinki", "Uusimaa", "FI", "Finland", 60.1699, 24.9384, "Europe/Helsinki", 656_000),
    ("Madrid", "Madrid", "ES", "Spain", 40.4168, -3.7038, "Europe/Madrid", 3_223_000),
    ("Barcelona", "Catalonia", "ES", "Spain", 41.3851, 2.1734, "Europe/Madrid", 1_620_000),
    ("Lisbon", "Lisbon", "PT", "Portugal", 38.7223, -9.1393, "Europe/Lisbon", 505_000),
    ("Porto", "Porto", "PT", "Portugal", 41.1579, -8.6291, "Europe/Lisbon", 232_000),
    ("Milan", "Lombardy", "IT", "Italy", 45.4642, 9.1900, "Europe/Rome", 1_372_000),
    ("Rome", "Lazio", "IT", "Italy", 41.9028, 12.4964, "Europe/Rome", 2_873_000),
    ("Warsaw", "Masovia", "PL", "Poland", 52.2297, 21.0122, "Europe/Warsaw", 1_790_000),
    ("Prague", "Prague", "CZ", "Czechia", 50.0755, 14.4378, "Europe/Prague", 1_309_000),
    ("Athens", "Attica", "GR", "Greece", 37.9838, 23.7275, "Europe/Athens", 664_000),
    ("Istanbul", "Istanbul", "TR", "Türkiye", 41.0082, 28.9784, "Europe/Istanbul", 15_462_000),
    ("Tel Aviv", "Tel Aviv", "IL", "Israel", 32.0853, 34.7818, "Asia/Jerusalem", 460_000),
    ("Dubai", "Dubai", "AE", "United Arab Emirates", 25.2048, 55.2708, "Asia/Dubai", 3_331_000),
    ("Nairobi", "Nairobi", "KE", "Kenya", -1.2921, 36.8219, "Africa/Nairobi", 4_397_000),
    ("Lagos", "Lagos", "NG", "Nigeria", 6.5244, 3.3792, "Africa/Lagos", 8_048_000),
    ("Cape Town", "Western Cape", "ZA", "South Africa", -33.9249, 18.4241, "Africa/Johannesburg", 433_000),
    ("Bengaluru", "Karnataka", "IN", "India", 12.9716, 77.5946, "Asia/Kolkata", 8_443_000),
    ("Mumbai", "Maharashtra", "IN", "India", 19.0760, 72.8777, "Asia/Kolkata", 12_442_000),
    ("Singapore", "", "SG", "Singapore", 1.3521, 103.8198, "Asia/Singapore", 5_638_000),
    ("Hong Kong", "", "HK", "Hong Kong", 22.3193, 114.1694, "Asia/Hong_Kong", 7_482_000),
    ("Tokyo", "Tokyo", "JP", "Japan", 35.6762, 139.6503, "Asia/Tokyo", 8_336_000),
    ("Seoul", "Seoul", "KR", "South Korea", 37.5665, 126.9780, "Asia/Seoul", 9_776_000),
    ("Shanghai", "Shanghai", "CN", "China", 31.2304, 121.4737, "Asia/Shanghai", 22_315_000),
    ("Sydney", "New South Wales", "AU", "Australia", -33.8688, 151.2093, "Australia/Sydney", 4_627_000),
    ("Melbourne", "Victoria", "AU", "Australia", -37.8136, 144.9631, "Australia/Melbourne", 4_246_000),
    ("Auckland", "Auckland", "NZ", "New Zealand", -36.8485, 174.7633, "Pacific/Auckland", 1_463_000),
]

CITIES: tuple[Place, ...] = tuple(
    Place(name=n, region=r, country_code=cc, country=c, lat=lat, lon=lon, tz=tz, population=pop)
    for n, r, cc, c, lat, lon, tz, pop in _CITY_ROWS
)

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "Ada Alan Amara Ana Andrés Anika Ben Bjorn Camille Carlos Chen Chloé Daniel Dara Diego Elena Emeka "
    "Emma Farah Felix Fatima Gabriel Grace Hannah Hiro Ines Isaac Ivan Jana Javier Ji-woo Jonas Julia "
    "Kai Kamala Kenji Lars Layla Leo Lina Lucas Maya Mateo Mei Mohammed Nadia Noah Olga Omar Priya "
    "Rafael Rania Ravi Rosa Sam Sara Sofia Tariq Theo Uma Valentina Wei Yara Yusuf Zoe"
)
_LAST = _words(
    "Adeyemi Andersson Bauer Becker Brown Chen Costa Dubois Eriksson Fernández García Gómez Haddad "
    "Hansen Ito Jensen Johnson Kim Kowalski Kumar Lee Li Lopez Martin Meyer Moreau Müller Nakamura "
    "Nguyen Nowak O'Brien Okafor Patel Perez Petrov Rossi Santos Schmidt Silva Singh Smith Suzuki "
    "Tanaka Taylor Wang Weber Williams Wilson Yamamoto Zhang"
)
_DOMAINS = ("gmail.com", "outlook.com", "proton.me", "fastmail.com", "example.org", "acme.io", "uni.edu")
_HOW_MET = (
    "KubeCon 2023 hallway track",
    "PyCon Berlin, sat together at the keynote",
    "ex-colleague from the payments team",
    "friend of a friend at a wedding",
    "met on a climbing trip",
    "introduced by email by a mutual friend",
    "university flatmate",
    "customer advisory board",
    "she gave the talk on search ranking",
    "same coworking space in Lisbon",
    "",
    "",
)
_TAGS = ("investor", "founder", "design", "ml", "infra", "climbing", "uni", "family", "ex-colleague",
         "conference", "recruiter", "mentor", "running", "book-club")
_HANDLE_KINDS = ("linkedin", "x", "signal", "github")
_COMPANIES = ("Acme", "Globex", "Initech", "Zalando", "Spotify", "Deutsche Bahn", "Mozilla", "Shopify",
              "a stealth startup", "University of Lisbon", "Red Cross", "Freelance")
_ROLES = ("engineer", "staff engineer", "product manager", "designer", "CTO", "founder", "researcher",
          "recruiter", "data scientist", "developer advocate")
_MET_AT = ("PyCon DE 2024 sprints", "KubeCon EU 2023", "RustConf", "a Berlin meetup", "FOSDEM", "Web Summit")
_MET_VIA = ("Mastodon", "LinkedIn", "my friend Lea", "a mutual friend", "the Rust Discord", "work")
_TOPICS = ("property-based testing", "search ranking", "climbing in Fontainebleau", "sourdough",
           "on-call rotations", "type checkers", "the housing market")


def _fold(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _contact(rng: random.Random, i: int, today: date) -> Contact:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    name = f"{first} {last}"
    # Big cities get more people: weight by population, flattened a bit.
    home = rng.choices(CITIES, weights=[p.population ** 0.5 for p in CITIES])[0]
    places = [ContactPlace(home, PlaceLabel.HOME)]
    if rng.random() < 0.25:
        places.append(ContactPlace(rng.choice(CITIES), PlaceLabel.WORK))
    slug = f"{_fold(first)}.{_fold(last)}{i}"
    emails = [f"{slug}@{rng.choice(_DOMAINS)}"] if rng.random() < 0.8 else []
    if emails and rng.random() < 0.15:
        emails.append(f"{_fold(first)}@{rng.choice(_DOMAINS)}")
    kinds = rng.sample(_HANDLE_KINDS, rng.randint(0, 2))
    # LinkedIn is a profile URL of its own since schema 2; X handles are at most 15 characters.
    linkedin = f"https://www.linkedin.com/in/{slug.replace('.', '-')}" if "linkedin" in kinds else ""
    x_name = "".join(ch for ch in slug if ch.isascii() and ch.isalnum())[-15:]
    handles = {k: (f"@{x_name}" if k == "x" else slug) for k in kinds if k != "linkedin"}
    never_met = rng.random() < 0.3
    last_seen = None if never_met else today - timedelta(days=rng.randint(0, 6 * 365))
    met_on = None if last_seen is None or rng.random() < 0.5 else last_seen - timedelta(days=rng.randint(0, 3000))
    return Contact(
        id=f"c{i:06d}",
        name=name,
        places=tuple(places),
        circle=rng.choices((Circle.PROFESSIONAL, Circle.PERSONAL, Circle.BOTH), weights=(6, 3, 1))[0],
        how_we_met=rng.choice(_HOW_MET),
        met_on=met_on,
        emails=tuple(emails),
        phones=(f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}",)
        if rng.random() < 0.4
        else (),
        handles=handles,
        linkedin=linkedin,
        tags=tuple(rng.sample(_TAGS, rng.randint(0, 3))),
        notes="Prefers mornings; vegetarian." if rng.random() < 0.1 else "",
        last_seen=last_seen,
        last_contacted=None if rng.random() < 0.5 else today - timedelta(days=rng.randint(0, 400)),
        cadence_days=rng.choice((None, None, None, 90, 180, 365)),
        do_not_invite=rng.random() < 0.02,
        **_schema2_fields(i),
    )


def _schema2_fields(i: int) -> dict[str, str]:
    """Nickname, company, role and the parts of how you met: every field the search looks at.
    A random stream of its own (seeded by ``i``), so the other fields stay what they were."""
    rng = random.Random(i)
    pick = lambda chance, options: rng.choice(options) if rng.random() < chance else ""  # noqa: E731
    return {
        "nickname": pick(0.2, _FIRST),
        "company": pick(0.6, _COMPANIES),
        "role": pick(0.5, _ROLES),
        "met_at": pick(0.4, _MET_AT),
        "met_via": pick(0.3, _MET_VIA),
        "topic": pick(0.4, _TOPICS),
    }


def make_contacts(n: int, seed: int = 1) -> list[Contact]:
    """``n`` contacts, ids ``c000000``.., the same list for the same ``(n, seed)``."""
    rng = random.Random(seed)
    today = date(2026, 3, 1)  # fixed, so the data does not drift with the calendar
    return [_contact(rng, i, today) for i in range(n)]


def make_store(path: Path, n: int, seed: int = 1) -> Store:
    """A Store at ``path`` holding ``make_contacts(n, seed)`` (one bulk import)."""
    store = Store(Path(path))
    store.put_contacts(make_contacts(n, seed))
    return store


if __name__ == "__main__":
    import sys
    import time

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    t0 = time.perf_counter()
    cs = make_contacts(count)
    took = time.perf_counter() - t0
    print(f"{len(cs)} contacts in {took:.2f} s; first: {cs[0].name} ({cs[0].home.short_label()})")
