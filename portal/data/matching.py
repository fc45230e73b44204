"""What the matcher needs from the database: a subject's profile and who is already placed where.

The suggestions page's match is kept per catalogue copy (`portal.data.catalogue_index`: each worker's copy, replaced
when the catalogue version changes) and per everything else the matcher reads: the subject as it sees them (their
profile, non-associates included), every place others hold and where the subject's non-associates are referred (a
digest of the enrolment rows, read on every view), the period, the day, the filters and the page. Any change to any
of these asks the matcher again on the very next view; the view records the match run every time either way.
"""

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from weakref import WeakKeyDictionary

import numpy as np
from sqlalchemy import and_, or_, select

from matching import MatchFilters, match
from matching.catalogue import EnrolmentIndex, PreparedCatalogue, index_enrolment_rows
from matching.model import DailyWindow, SubjectProfile, WeeklyWindow
from matching.model import ExclusionZone as ZoneProfile
from matching.results import MatchResult
from portal.data import audit, subjects
from portal.data.catalogue_index import prepared_catalogue
from portal.extensions import db
from portal.infra.geo import normalise_postcode
from portal.models import LIVE_REFERRALS, PLACE_HOLDING_REFERRALS, Referral, Subject, WindowKind
from portal.rules.dates import age_on, minutes


def subject_profile(subject: Subject, starts_on: date, non_associates: Iterable[int] | None = None) -> SubjectProfile:
    """The subject as the matcher sees them, aged as on the day the order would start (`non_associates`: their ids,
    when the caller read them already)."""
    windows = [
        WeeklyWindow(w.weekday, minutes(w.start_time), minutes(w.end_time), str(w.kind), w.label)
        for w in subject.windows
    ]
    curfew = (
        DailyWindow(minutes(subject.curfew_start), minutes(subject.curfew_end))
        if subject.curfew_start is not None and subject.curfew_end is not None
        else None
    )
    return SubjectProfile(
        id=subject.id,
        age=age_on(subject.date_of_birth, starts_on),
        gender=subject.gender,
        easting=float(subject.home_easting),
        northing=float(subject.home_northing),
        languages=tuple(subject.languages),
        interest_activity_types=tuple(subject.interest_activity_types),
        interest_text=subject.interest_text,
        needs=tuple(subject.needs),
        commitments=tuple(w for w in windows if w.kind != WindowKind.OBSERVANCE),
        observances=tuple(w for w in windows if w.kind == WindowKind.OBSERVANCE),
        curfew=curfew,
        exclusion_zones=tuple(
            ZoneProfile(z.label, float(z.easting), float(z.northing), float(z.radius_m))
            for z in subject.exclusion_zones
        ),
        non_associates=tuple(
            sorted(subjects.non_associate_ids(subject.id) if non_associates is None else non_associates)
        ),
        max_travel_m=float(subject.max_travel_m) if subject.max_travel_m else None,
        name=subject.first_name or "",
        home_postcode=normalise_postcode(subject.home_postcode) or "",
    )


def enrolment_index(
    catalogue: PreparedCatalogue, excluding_subject_id: int, non_associates: Iterable[int]
) -> EnrolmentIndex:
    """Other subjects referred to or attending sessions, indexed for the matcher straight from the rows (with a
    couple of thousand places taken nationally, making an object for each row cost more than the query). Only
    accepted and active referrals hold a place.

    Referrals that hold no place are read only for the subject's non-associates: the matcher uses the others'
    referrals for nothing but the places they take, so the match is the same and the list stays short (every
    referral awaiting an answer, nationally, would otherwise be read for every match)."""
    return index_enrolment_rows(catalogue, enrolment_rows(excluding_subject_id, non_associates))


def enrolment_rows(excluding_subject_id: int, non_associates: Iterable[int]) -> np.ndarray:
    """`enrolment_index`'s rows, (subject id, session id, holds place) as an (n, 3) integer array."""
    holds_place = Referral.status.in_(PLACE_HOLDING_REFERRALS)
    statement = select(Referral.subject_id, Referral.session_id, holds_place).where(
        *_enrolment_criteria(excluding_subject_id, non_associates)
    )
    db.session.flush()  # as the session's own execute would, before reading on its connection
    rows = db.session.connection().execute(statement)
    return np.fromiter((value for row in rows for value in row), np.int64).reshape(-1, 3)


def _enrolment_criteria(excluding_subject_id: int, non_associates: Iterable[int]) -> tuple:
    live = or_(
        Referral.status.in_(PLACE_HOLDING_REFERRALS),
        and_(Referral.status.in_(LIVE_REFERRALS), Referral.subject_id.in_(list(non_associates))),
    )
    return live, Referral.session_id.is_not(None), Referral.subject_id != excluding_subject_id


def record_match_run(subject_id: int | None, filters: dict, suggested: int, excluded: int) -> None:
    """Matching combines the subject's data with the catalogue and other subjects' placements (s.62 'combination')."""
    audit.record(
        audit.COMBINATION,
        "subject",
        subject_id,
        purpose="find suggested requirements",
        filters=filters,
        suggested=suggested,
        excluded=excluded,
    )


def suggest(
    subject: Subject,
    starts_on: date,
    ends_on: date,
    today: date,
    filters: MatchFilters,
    limit: int,
    offset: int = 0,
    *,
    audit_filters: dict,
):
    """The matcher's suggestions (the `limit` after the first `offset`), exclusions and weekly plan for a subject
    over an order period. The run is recorded (`record_match_run`) with `audit_filters`, the filters as the person
    gave them; a subject given inline, never stored (id 0), is recorded without an id."""
    profile = subject_profile(subject, starts_on)
    catalogue = prepared_catalogue()
    result = match(
        profile,
        catalogue,
        enrolment_index(catalogue, subject.id, profile.non_associates),
        starts_on,
        ends_on,
        today,
        limit=limit,
        offset=offset,
        filters=filters,
    )
    record_match_run(subject.id or None, audit_filters, len(result.suggestions), result.excluded_total)
    return profile, result


# The suggestions page ----------------------------------------------------------------------------------------------

PAGES_KEPT = 256  # suggestion pages kept per catalogue copy before starting again (each some tens of KB)

_kept: WeakKeyDictionary[PreparedCatalogue, dict[tuple, MatchResult]] = WeakKeyDictionary()
_kept_lock = threading.Lock()


def suggestions_page(
    subject: Subject,
    starts_on: date,
    ends_on: date,
    today: date,
    filters: MatchFilters,
    limit: int,
    offset: int,
    exclusions_shown: int,
    *,
    audit_filters: dict,
):
    """`suggest` for the suggestions page: the result's exclusions are only the nearest `exclusions_shown`, worded,
    and the result is kept (see the module's docstring) so that viewing the page again does not match again. Every
    view is recorded as a match run, kept or not."""
    profile = subject_profile(subject, starts_on)
    catalogue = prepared_catalogue()
    rows = enrolment_rows(subject.id, profile.non_associates)
    placed = hashlib.blake2b(rows.tobytes(), digest_size=16).digest()
    key = (profile, placed, starts_on, ends_on, today, filters, limit, offset, exclusions_shown)
    with _kept_lock:
        kept = _kept.setdefault(catalogue, {})
        found = kept.get(key)
    if found is None:
        enrolments = index_enrolment_rows(catalogue, rows)
        result = match(
            profile, catalogue, enrolments, starts_on, ends_on, today, limit=limit, offset=offset, filters=filters
        )
        found = _as_kept(result, exclusions_shown)
        with _kept_lock:
            if len(kept) >= PAGES_KEPT:
                kept.clear()
            kept[key] = found
    record_match_run(subject.id, audit_filters, len(found.suggestions), found.excluded_total)
    return profile, found


def _as_kept(result: MatchResult, exclusions_shown: int) -> MatchResult:
    """The result with what the page reads worked out now (the nearest exclusions, each suggestion's ruled-out
    sessions) and nothing else: what is kept holds no reference to the match's working."""
    return replace(
        result,
        suggestions=tuple(replace(s, ruled_out=tuple(s.ruled_out)) for s in result.suggestions),
        exclusions=tuple(result.exclusions[:exclusions_shown]),
        other_exclusion_totals={},
    )
