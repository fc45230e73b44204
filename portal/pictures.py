"""Geometry for the pictures the app draws itself as inline SVG (no map tiles, no external service)."""

from dataclasses import dataclass

MAP_SIZE = 600  # SVG user units: the picture is square and scales to its container
MIN_HALF_WIDTH_M = 1500


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str
    number: int | None = None
    highlighted: bool = False


@dataclass(frozen=True)
class MapCircle:
    x: float
    y: float
    r: float
    label: str


@dataclass(frozen=True)
class AreaMap:
    home: MapPoint
    zones: list[MapCircle]
    travel_limit: MapCircle | None
    venues: list[MapPoint]
    scale_bar_units: float
    scale_bar_label: str
    size: int = MAP_SIZE


def area_map(
    home: tuple[float, float],
    zones: list[tuple[float, float, float, str]],
    venues: list[tuple[float, float, str, int, bool]],
    travel_limit_m: float | None,
) -> AreaMap:
    """Home at the centre; everything else placed by British National Grid metres (north is up)."""
    reach = [abs(x - home[0]) + r for x, _y, r, _l in zones] + [abs(y - home[1]) + r for _x, y, r, _l in zones]
    reach += [max(abs(x - home[0]), abs(y - home[1])) for x, y, *_ in venues]
    half_width = max([MIN_HALF_WIDTH_M, *reach]) * 1.1
    scale = (MAP_SIZE / 2) / half_width

    def place(x: float, y: float) -> tuple[float, float]:
        return round(MAP_SIZE / 2 + (x - home[0]) * scale, 1), round(MAP_SIZE / 2 - (y - home[1]) * scale, 1)

    bar_m = _nice_length(half_width / 2)
    return AreaMap(
        home=MapPoint(MAP_SIZE / 2, MAP_SIZE / 2, "Home"),
        zones=[MapCircle(*place(x, y), round(r * scale, 1), label) for x, y, r, label in zones],
        travel_limit=MapCircle(MAP_SIZE / 2, MAP_SIZE / 2, round(travel_limit_m * scale, 1), "Maximum travel")
        if travel_limit_m and travel_limit_m * scale < MAP_SIZE
        else None,
        venues=[MapPoint(*place(x, y), label, number, chosen) for x, y, label, number, chosen in venues],
        scale_bar_units=round(bar_m * scale, 1),
        scale_bar_label=f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m",
    )


def _nice_length(metres: float) -> float:
    for candidate in (100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if candidate >= metres * 0.6:
            return candidate
    return 100000
