"""Small, readable test data: one London subject, one boxing programme, overridable field by field."""

from dataclasses import replace
from datetime import date, timedelta

from matching.model import DailyWindow, Programme, Session, SubjectProfile, Venue, WeeklyWindow

TODAY = date(2025, 11, 24)  # a Monday
DATE_FROM = TODAY
DATE_TO = TODAY + timedelta(days=28)
HOME = (530_000.0, 180_000.0)

SCHOOL = tuple(WeeklyWindow(day, 520, 930, "school", "school") for day in range(5))  # 08:40-15:30


def venue(**changes) -> Venue:
    base = Venue(1, "Bow Boxing Club", "E3 2AA", HOME[0] + 500.0, HOME[1])
    return replace(base, **changes)


def session(**changes) -> Session:
    base = Session(1, 1, 1, 990, 1080, date(2025, 9, 1), None)  # Tuesday 16:30-18:00
    return replace(base, **changes)


def programme(**changes) -> Programme:
    base = Programme(
        id=1,
        organisation_id=1,
        organisation_name="Bow Youth Trust",
        organisation_approved=True,
        status="active",
        title="Bow Boxing Juniors",
        description="Boxing fitness and mentoring for young people",
        activity_types=("boxing",),
        tags=("boxing",),
        min_age=12,
        max_age=18,
        gender="any",
        capacity=10,
        languages=("en",),
        provisions=(),
        valid_from=date(2025, 1, 1),
        valid_to=None,
        assured_on=TODAY - timedelta(days=7),
        venues=(venue(),),
        sessions=(session(),),
    )
    return replace(base, **changes)


def profile(**changes) -> SubjectProfile:
    base = SubjectProfile(
        id=100,
        age=15,
        gender="male",
        easting=HOME[0],
        northing=HOME[1],
        languages=("en",),
        interest_activity_types=(),
        interest_text="",
        needs=(),
        commitments=SCHOOL,
        observances=(),
        curfew=None,
        exclusion_zones=(),
        non_associates=(),
        max_travel_m=5000.0,
        name="Tyler",
    )
    return replace(base, **changes)


def curfew(start: int, end: int) -> DailyWindow:
    return DailyWindow(start, end)


def programme_at(programme_id: int, metres_east: float, **changes) -> Programme:
    """A programme with one Tuesday session at a venue this far east of home; ids derived from programme_id."""
    changes.setdefault("venues", (venue(id=programme_id, easting=HOME[0] + metres_east),))
    changes.setdefault("sessions", (session(id=programme_id * 10, venue_id=programme_id),))
    return programme(id=programme_id, **changes)


def match_both(subject: SubjectProfile, programmes, enrolments=(), **options):
    """Runs the engine and the reference on the same input, insists they agree, returns the engine's result."""
    from bench.reference_matcher import reference_match
    from matching.catalogue import prepare
    from matching.engine import match

    programmes = tuple(programmes)
    result = match(subject, prepare(programmes), enrolments, DATE_FROM, DATE_TO, TODAY, **options)
    assert result == reference_match(subject, programmes, enrolments, DATE_FROM, DATE_TO, TODAY, **options)
    return result


def suggested_ids(result) -> list[int]:
    return [s.programme_id for s in result.suggestions]


def reasons_of(result, programme_id: int) -> list[tuple[str, str]]:
    exclusion = next(e for e in result.exclusions if e.programme_id == programme_id)
    return [(r.code, r.sentence) for r in exclusion.reasons]
