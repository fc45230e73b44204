"""Whether a subject's home is in the area a programme serves: postcode areas, districts and sectors, or polygons
on the British National Grid."""

import re

from matching.model import ResidenceRule, Ring, SubjectProfile

POSTCODE = re.compile(r"^([A-Z]{1,2})(\d[A-Z\d]?) ?(\d)[A-Z]{2}$")


def home_postcode_parts(postcode: str) -> tuple[str, ...]:
    """The postcode area, district and sector a home postcode lies in ("E14 9AB" -> "E", "E14", "E14 9")."""
    found = POSTCODE.match(postcode.strip().upper())
    if found is None:
        return ()
    area, rest, sector = found.groups()
    return area, area + rest, f"{area}{rest} {sector}"


def lives_in(rule: ResidenceRule, profile: SubjectProfile) -> bool:
    """True only when the home is known to be in the area: an unknown postcode never passes a postcode rule."""
    return bool(set(home_postcode_parts(profile.home_postcode)) & set(rule.postcodes)) or inside_a_polygon(
        rule, profile
    )


def inside_a_polygon(rule: ResidenceRule, profile: SubjectProfile) -> bool:
    return any(_inside(polygon, profile.easting, profile.northing) for polygon in rule.polygons)


def _inside(polygon: tuple[Ring, ...], easting: float, northing: float) -> bool:
    outer, *holes = polygon
    return _in_ring(outer, easting, northing) and not any(_in_ring(hole, easting, northing) for hole in holes)


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    """Ray casting: a point on the boundary may fall either way, as it does for any polygon test."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
