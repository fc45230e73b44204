"""British National Grid metres <-> WGS84 latitude and longitude (OSTN15, through convertbng)."""

import math

from convertbng.util import convert_bng, convert_lonlat

DECIMALS = 6  # about 0.1 m: a grid reference survives the round trip to the metre


def lat_long(easting: float, northing: float) -> tuple[float, float] | None:
    longitudes, latitudes = convert_lonlat([float(easting)], [float(northing)])
    latitude, longitude = latitudes[0], longitudes[0]
    if math.isnan(latitude) or math.isnan(longitude):
        return None
    return round(latitude, DECIMALS), round(longitude, DECIMALS)


def grid_reference(latitude: object, longitude: object) -> tuple[int, int] | None:
    """Eastings and northings in whole metres, or None when the point is not on the British grid."""
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None
    if not (49.0 <= latitude <= 61.5 and -9.0 <= longitude <= 2.5):
        return None
    eastings, northings = convert_bng([float(longitude)], [float(latitude)])
    easting, northing = eastings[0], northings[0]
    if math.isnan(easting) or math.isnan(northing):
        return None
    return round(easting), round(northing)


def lon_lat_ring(ring: list) -> list[list[float]]:
    """A ring of grid references as GeoJSON's [longitude, latitude] points."""
    longitudes, latitudes = convert_lonlat([float(point[0]) for point in ring], [float(point[1]) for point in ring])
    return [[round(lon, DECIMALS), round(lat, DECIMALS)] for lon, lat in zip(longitudes, latitudes, strict=True)]
