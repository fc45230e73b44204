"""Geometry for the pictures the app draws itself as inline SVG (no map tiles, no external service)."""

import math
from dataclasses import dataclass

MAP_SIZE = 600  # SVG user units: the picture is square and scales to its container
MIN_HALF_WIDTH_M = 1500
MARKER_RADIUS = 12  # SVG units; markers are drawn with this radius and must never cover each other
MARKER_GAP = 2
EDGE = 30  # SVG units kept clear around what is shown, so markers and labels are not cut off
NUDGE_ANGLES = 12  # directions tried, per ring, when a marker has to move off its true place


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str
    number: int | None = None
    highlighted: bool = False
    true_x: float | None = None  # where the venue really is, when the marker had to move aside
    true_y: float | None = None

    @property
    def moved(self) -> bool:
        return self.true_x is not None


@dataclass(frozen=True)
class MapCircle:
    x: float
    y: float
    r: float
    label: str

    @property
    def label_y(self) -> float:
        """Above the circle, or inside its top when the circle reaches the top of the picture."""
        return round(max(self.y - self.r - 6, 16.0), 1)


@dataclass(frozen=True)
class AreaMap:
    home: MapPoint
    zones: list[MapCircle]
    travel_limit: MapCircle | None
    venues: list[MapPoint]
    scale_bar_units: float
    scale_bar_label: str
    size: int = MAP_SIZE
    marker_radius: int = MARKER_RADIUS


@dataclass(frozen=True)
class _View:
    """Metres to SVG units: the square that holds home, the zones and the venues, north up."""

    centre_x: float
    centre_y: float
    scale: float

    def place(self, x: float, y: float) -> tuple[float, float]:
        return (
            round(MAP_SIZE / 2 + (x - self.centre_x) * self.scale, 1),
            round(MAP_SIZE / 2 - (y - self.centre_y) * self.scale, 1),
        )


def area_map(
    home: tuple[float, float],
    zones: list[tuple[float, float, float, str]],
    venues: list[tuple[float, float, str, int, bool]],
    travel_limit_m: float | None,
) -> AreaMap:
    """Fitted to home, the exclusion zones and the venues (British National Grid metres, north up); markers that
    would cover each other are moved aside, with a line back to where the venue is."""
    view = _fit(home, zones, venues)
    home_xy = view.place(*home)
    home_x, home_y = home_xy
    bar_m = _nice_length((MAP_SIZE / 4) / view.scale)
    limit_r = round(travel_limit_m * view.scale, 1) if travel_limit_m else None
    return AreaMap(
        home=MapPoint(home_x, home_y, "Home"),
        zones=[MapCircle(*view.place(x, y), round(r * view.scale, 1), label) for x, y, r, label in zones],
        travel_limit=MapCircle(home_x, home_y, limit_r, "Maximum travel") if limit_r and limit_r < MAP_SIZE else None,
        venues=_spread([(*view.place(x, y), label, number, chosen) for x, y, label, number, chosen in venues], home_xy),
        scale_bar_units=round(bar_m * view.scale, 1),
        scale_bar_label=f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m",
    )


def _fit(
    home: tuple[float, float],
    zones: list[tuple[float, float, float, str]],
    venues: list[tuple[float, float, str, int, bool]],
) -> _View:
    xs = [home[0], *(x - r for x, _y, r, _l in zones), *(x + r for x, _y, r, _l in zones), *(v[0] for v in venues)]
    ys = [home[1], *(y - r for _x, y, r, _l in zones), *(y + r for _x, y, r, _l in zones), *(v[1] for v in venues)]
    half_width = max(MIN_HALF_WIDTH_M, (max(xs) - min(xs)) / 2, (max(ys) - min(ys)) / 2)
    scale = (MAP_SIZE / 2 - EDGE) / half_width
    return _View((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2, scale)


def _spread(markers: list[tuple[float, float, str, int, bool]], home: tuple[float, float]) -> list[MapPoint]:
    """Each marker at its place if that is free (of other markers and of home), otherwise at the nearest free spot
    on rings around it."""
    placed: list[MapPoint] = [MapPoint(*home, "Home")]
    for x, y, label, number, chosen in markers:
        spot = _free_spot(x, y, placed)
        moved = spot != (x, y)
        placed.append(MapPoint(*spot, label, number, chosen, x if moved else None, y if moved else None))
    return placed[1:]


def _free_spot(x: float, y: float, placed: list[MapPoint]) -> tuple[float, float]:
    step = 2 * MARKER_RADIUS + MARKER_GAP
    for ring in range(MAP_SIZE // step):
        for turn in range(NUDGE_ANGLES if ring else 1):
            angle = 2 * math.pi * turn / NUDGE_ANGLES - math.pi / 2
            spot = (round(x + ring * step * math.cos(angle), 1), round(y + ring * step * math.sin(angle), 1))
            if _inside(spot) and all(math.dist(spot, (p.x, p.y)) >= step for p in placed):
                return spot
    raise ValueError("no room on the map for another marker")


def _inside(spot: tuple[float, float]) -> bool:
    return all(MARKER_RADIUS <= value <= MAP_SIZE - MARKER_RADIUS for value in spot)


def _nice_length(metres: float) -> float:
    for candidate in (100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if candidate >= metres * 0.6:
            return candidate
    return 100000
