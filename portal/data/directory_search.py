"""Turns saved directory criteria into a search over the prepared catalogue and a page of programmes to show."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from matching.directory import DirectoryQuery, search
from matching.results import DirectoryResult
from portal.data import programmes, searches
from portal.data.catalogue_index import prepared_catalogue
from portal.forms import TIME_PATTERN
from portal.infra.geo import geocode
from portal.models import Programme


@dataclass
class ResultRow:
    programme: Programme | programmes.ListedProgramme
    distance_m: float | None
    session_ids: tuple[int, ...]
    next_dates: dict[int, list[date]] = field(default_factory=dict)
    starts_on: date | None = None  # a listing that has not started yet is listed, saying when it starts


@dataclass
class SearchResults:
    total: int
    rows: list[ResultRow]
    near_postcode: str | None


def minutes_of(text: str | None) -> int | None:
    match = TIME_PATTERN.match((text or "").strip())
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def query_from(criteria: dict, today: date, page: int, per_page: int) -> tuple[DirectoryQuery, str | None]:
    location = geocode(criteria["postcode"]) if criteria.get("postcode") else None
    distance_km = criteria.get("distance_km")
    query = DirectoryQuery(
        keyword=criteria.get("keyword") or "",
        activity_type=criteria.get("activity_type") or None,
        weekday=int(criteria["weekday"]) if criteria.get("weekday") not in (None, "") else None,
        time_from=minutes_of(criteria.get("time_from")),
        time_to=minutes_of(criteria.get("time_to")),
        age=criteria.get("age"),
        language=criteria.get("language") or None,
        provision=criteria.get("provision") or None,
        easting=float(location.easting) if location else None,
        northing=float(location.northing) if location else None,
        radius_m=float(distance_km) * 1000 if distance_km and location else None,
        today=today,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return query, location.postcode if location else None


def _found(criteria: dict, page: int, per_page: int, today: date) -> tuple[DirectoryResult, str | None]:
    query, near_postcode = query_from(criteria, today, page, per_page)
    return search(prepared_catalogue(), query), near_postcode


def run_search(criteria: dict, page: int, per_page: int, today: date) -> SearchResults:
    """A page of results with the whole programmes (the API returns them in full); the search is recorded."""
    found, near_postcode = _found(criteria, page, per_page, today)
    loaded = programmes.visible_programmes_by_id([item.programme_id for item in found.items])
    return _recorded(criteria, _results(found, loaded, near_postcode, today))


def run_listing(criteria: dict, page: int, per_page: int, today: date) -> SearchResults:
    """A page of results with only what the results page lists of each programme, read in one query; the search is
    recorded."""
    found, near_postcode = _found(criteria, page, per_page, today)
    loaded = programmes.visible_listings(
        [item.programme_id for item in found.items], {s for item in found.items for s in item.session_ids}
    )
    return _recorded(criteria, _results(found, loaded, near_postcode, today))


def _recorded(criteria: dict, results: SearchResults) -> SearchResults:
    """Each directory search is a consultation of the catalogue: recorded here, so the page and the API both are."""
    searches.record_directory_search(criteria, results.total)
    return results


def _results(
    found: DirectoryResult,
    loaded: Mapping[int, Programme | programmes.ListedProgramme],
    near_postcode: str | None,
    today: date,
) -> SearchResults:
    rows = []
    for item in found.items:
        programme = loaded.get(item.programme_id)
        if programme is None:  # changed since this worker's index was built
            continue
        next_dates = {s.id: programmes.next_dates(s, today, 1) for s in programme.sessions if s.id in item.session_ids}
        starts_on = programme.valid_from if programme.valid_from > today else None
        rows.append(ResultRow(programme, item.distance_m, tuple(item.session_ids), next_dates, starts_on))
    return SearchResults(found.total, rows, near_postcode)
