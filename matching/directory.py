"""The officer directory: filter and rank the prepared catalogue without a subject profile."""

from dataclasses import dataclass
from datetime import date

import numpy as np

from matching import scoring
from matching.catalogue import PreparedCatalogue
from matching.results import DirectoryItem, DirectoryResult
from matching.text import parse_keywords


@dataclass(frozen=True)
class DirectoryQuery:
    today: date
    keyword: str = ""  # typo-tolerant, synonyms understood: "footy", "boxxing"
    activity_type: str | None = None  # a parent slug ("sport") includes its children, a family its members
    weekday: int | None = None
    time_from: int | None = None  # sessions starting at or after, minutes since midnight
    time_to: int | None = None  # sessions ending at or before
    age: int | None = None
    language: str | None = None
    provision: str | None = None
    easting: float | None = None
    northing: float | None = None
    radius_m: float | None = None  # needs easting and northing
    limit: int = 50
    offset: int = 0


def search(catalogue: PreparedCatalogue, query: DirectoryQuery) -> DirectoryResult:
    programmes = _programme_mask(catalogue, query)
    relevance = _relevance(catalogue, query)
    if relevance is not None:
        programmes &= relevance > 0.0
    sessions, distances = _matching_sessions(catalogue, query, programmes)
    owners = catalogue.session_programme[sessions]
    starts = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1]))) if len(owners) else owners[:0]
    found = owners[starts]
    nearest = np.minimum.reduceat(distances, starts) if distances is not None and len(starts) else None
    scores = relevance[found] if relevance is not None else np.zeros(len(found))
    order = np.lexsort((catalogue.programme_id[found], nearest if nearest is not None else scores, -scores))
    page = order[query.offset : query.offset + query.limit]
    ends = np.append(starts, len(sessions))
    items = tuple(
        DirectoryItem(
            programme_id=int(catalogue.programme_id[found[i]]),
            relevance=round(float(scores[i]), 1),
            distance_m=None if nearest is None else float(nearest[i]),
            session_ids=tuple(int(x) for x in catalogue.session_id[sessions[starts[i] : ends[i + 1]]]),
        )
        for i in page
    )
    return DirectoryResult(total=len(found), items=items)


def _programme_mask(catalogue: PreparedCatalogue, query: DirectoryQuery) -> np.ndarray:
    # Not ended yet: a listing that starts later is listed too (the page says when), as the matcher offers it for an
    # order that runs by then; which listings are open to officers at all is settled when the catalogue is loaded.
    mask = catalogue.approved & catalogue.active & (catalogue.valid_to >= query.today.toordinal())
    if query.age is not None:
        mask &= (catalogue.min_age <= query.age) & (catalogue.max_age >= query.age)
    if query.activity_type is not None:
        mask &= catalogue.activity_type_mask(query.activity_type)
    mask &= _column(catalogue.languages, catalogue.language_columns, query.language, len(mask))
    mask &= _column(catalogue.provisions, catalogue.provision_columns, query.provision, len(mask))
    return mask


def _column(matrix: np.ndarray, columns: dict[str, int], code: str | None, rows: int) -> np.ndarray:
    if code is None:
        return np.ones(rows, bool)
    if code not in columns:
        return np.zeros(rows, bool)
    return matrix[:, columns[code]]


def _relevance(catalogue: PreparedCatalogue, query: DirectoryQuery) -> np.ndarray | None:
    """0-100 per programme by the same interest rules the matcher uses, or None without a keyword."""
    interests = parse_keywords(query.keyword)
    if not interests:
        return None
    strengths = np.stack([catalogue.text.interest_strengths(i, catalogue.programme_count) for i in interests])
    return 100.0 * scoring.interest_fraction(strengths.max(axis=0), (strengths > 0.0).sum(axis=0), True)


def _matching_sessions(
    catalogue: PreparedCatalogue, query: DirectoryQuery, programmes: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """Positions of the sessions that meet the query (sorted by programme), with their distance from the point."""
    mask = programmes[catalogue.session_programme] & (catalogue.term_end >= query.today.toordinal())
    if query.weekday is not None:
        mask &= catalogue.weekday == query.weekday
    if query.time_from is not None:
        mask &= catalogue.start >= query.time_from
    if query.time_to is not None:
        mask &= catalogue.end <= query.time_to
    if query.easting is None or query.northing is None:
        return np.flatnonzero(mask), None
    if query.radius_m is not None:
        near = np.zeros(catalogue.session_count, bool)
        near[catalogue.sessions_near_easting(query.easting, query.radius_m)] = True
        mask &= near
    sessions = np.flatnonzero(mask)
    distances = catalogue.distances_from(query.easting, query.northing, sessions)
    if query.radius_m is not None:
        keep = distances <= query.radius_m
        sessions, distances = sessions[keep], distances[keep]
    return sessions, distances
