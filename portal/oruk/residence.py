"""Where people must live to take part, as an ORUK service area says it: anywhere (national coverage), postcode
areas, districts or sectors, London, or a GeoJSON extent. Anything else is not read: the listing is held."""

import json
import math
import re
from dataclasses import dataclass

from convertbng.util import convert_bng

AREAS = frozenset(
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY "
    "G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR "
    "NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA "
    "WC WD WF WN WR WS WV YO ZE".split()
)
# The London postal district lies wholly inside Greater London; of the outer areas only districts wholly inside it
# are listed, so a home in a district that straddles the boundary is never taken for London.
LONDON = (
    *"E EC N NW SE SW W WC".split(),
    *"CR0 CR4 CR7 HA0 HA1 HA9 IG1 IG2 IG3 IG11 KT1 KT2 KT3 RM6 RM7 RM8 RM9 RM10 SM4 SM5".split(),
    *"TW1 TW2 TW3 TW4 TW5 TW7 TW8 TW9 TW10 TW11 UB1 UB2 UB4 UB5 UB6".split(),
)
LONDON_LABEL = "London: E, EC, N, NW, SE, SW, W, WC and the outer districts wholly in London"
NATIONAL_PHRASES = (
    "england and wales",
    "england & wales",
    "united kingdom",
    "great britain",
    "uk wide",
    "uk-wide",
    "across the country",
)
NATIONAL_WORDS = frozenset(
    {"uk", "gb", "britain", "england", "national", "nationwide", "nationally", "anywhere", "online"}
)
LONDON_PHRASES = ("greater london", "london wide", "london-wide", "pan london", "pan-london", "all london")
# Words that say nothing about where: "Available to young people living in E1 and E2".
FILLER = frozenset(
    "the all of in across whole and or available to for residents resident people young living live lives who "
    "postcode postcodes area areas district districts sector sectors covering covers serving only service wide is "
    "are anyone everyone &".split()
)
PLACE_LABELS = frozenset("london east west north south central inner outer greater".split())
DISTRICT = re.compile(r"^([A-Z]{1,2})\d[A-Z\d]?$")
WORD = re.compile(r"[A-Za-z0-9&-]+")


@dataclass(frozen=True)
class Reading:
    """What a service area says: national coverage, or postcodes and polygons a home must be in."""

    label: str
    national: bool = False
    postcodes: tuple[str, ...] = ()
    polygons: tuple = ()


def read_area(area: dict) -> Reading | None:
    """The area's extent if it has one, otherwise its words; None when what it says cannot be read."""
    texts = [str(area.get(key) or "").strip() for key in ("name", "service_area", "description")]
    label = next((text for text in texts if text), "the area drawn in the file")[:120]
    if area.get("extent"):
        polygons = read_extent(area["extent"])
        return Reading(label, polygons=polygons) if polygons else None
    readings = {read_words(text) for text in texts if text}
    if len(readings) > 1 and None in readings and read_words(texts[0]) is None:
        readings.discard(None)  # a name such as "Tower Hamlets" labelling what the area's text defines
    return readings.pop() if len(readings) == 1 else None


def read_words(text: str) -> Reading | None:
    lowered = f" {text.lower()} "
    national = any(f" {phrase} " in lowered for phrase in NATIONAL_PHRASES)
    london = any(f" {phrase} " in lowered for phrase in LONDON_PHRASES)
    for phrase in (*NATIONAL_PHRASES, *LONDON_PHRASES):
        lowered = lowered.replace(f" {phrase} ", " ")
    words = WORD.findall(text if not (national or london) else lowered)
    postcodes, places = _postcodes_in(words)
    if postcodes is None:
        return None
    national = national or any(word.lower() in NATIONAL_WORDS for word in places)
    london = london or "london" in (word.lower() for word in places)
    return _reading(text, national, london, postcodes, places)


def _reading(text: str, national: bool, london: bool, postcodes: list[str], places: list[str]) -> Reading | None:
    others = [word for word in places if word.lower() not in NATIONAL_WORDS | PLACE_LABELS]
    if others or (national and (london or postcodes)):
        return None
    if postcodes:
        return Reading(", ".join(postcodes), postcodes=tuple(postcodes))
    if national:
        return Reading(text[:120], national=True)
    if london and {word.lower() for word in places} <= {"london", "greater"}:
        return Reading(LONDON_LABEL, postcodes=LONDON)
    return None  # "East London" and the like: not exact


def _postcodes_in(words: list[str]) -> tuple[list[str] | None, list[str]]:
    """Postcode areas, districts and sectors named, and the other words that are not filler."""
    postcodes: list[str] = []
    places: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        district = DISTRICT.match(word.upper())
        if district and district.group(1) in AREAS:
            following = words[position + 1] if position + 1 < len(words) else ""
            sector = following.isdigit() and len(following) == 1
            postcodes.append(f"{word.upper()} {following}" if sector else word.upper())
            position += 2 if sector else 1
            continue
        if word in AREAS:  # an area is written in capitals: "SE", not "se"
            postcodes.append(word)
        elif word.lower() not in FILLER:
            places.append(word)
        position += 1
    return list(dict.fromkeys(postcodes)), places


def read_extent(extent: object) -> tuple:
    """GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection in WGS84, as British National Grid polygons (each
    an outer ring then its holes); () when it is not one or any point is off the grid."""
    try:
        geometry = json.loads(extent) if isinstance(extent, str) else extent
    except ValueError:
        return ()
    try:
        polygons = tuple(_polygons(geometry))
    except (TypeError, ValueError, KeyError, IndexError):
        return ()
    return polygons


def _polygons(geometry: dict):
    kind = geometry["type"]
    if kind == "FeatureCollection":
        for feature in geometry["features"]:
            yield from _polygons(feature)
    elif kind == "Feature":
        yield from _polygons(geometry["geometry"])
    elif kind == "Polygon":
        yield tuple(_grid_ring(ring) for ring in geometry["coordinates"])
    elif kind == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield tuple(_grid_ring(ring) for ring in polygon)
    else:
        raise ValueError(kind)


def _grid_ring(ring: list) -> tuple[tuple[float, float], ...]:
    if len(ring) < 4:
        raise ValueError("a ring needs at least four points")
    longitudes = [float(point[0]) for point in ring]
    latitudes = [float(point[1]) for point in ring]
    eastings, northings = convert_bng(longitudes, latitudes)
    points = tuple((round(e), round(n)) for e, n in zip(eastings, northings, strict=True) if not math.isnan(e + n))
    if len(points) != len(ring):
        raise ValueError("a point is off the British grid")
    return points
