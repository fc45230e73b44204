"""Result dataclasses returned by the matcher and the directory."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from matching import explain
from matching.model import Session, SubjectProfile, Venue


@dataclass(frozen=True)
class ScoreComponent:
    name: str  # "interests" | "cultural" | "distance" | "schedule" | "freshness"
    points: float  # rounded to one decimal place
    max_points: float
    reason: str


@dataclass(frozen=True)
class FeasibleSession:
    session_id: int
    weekday: int
    start: int
    end: int
    venue_id: int
    venue_name: str
    postcode: str
    distance_m: float  # from home
    venue_easting: float
    venue_northing: float
    term_start: date | None = None  # the first week it runs

    @property
    def place(self) -> str:
        return explain.venue_label(self.venue_name, self.postcode)


def feasible_session(session: Session, venue: Venue, profile: SubjectProfile) -> FeasibleSession:
    dx = venue.easting - profile.easting
    dy = venue.northing - profile.northing
    return FeasibleSession(
        session.id,
        session.weekday,
        session.start,
        session.end,
        venue.id,
        venue.name,
        venue.postcode,
        math.sqrt(dx * dx + dy * dy),
        venue.easting,
        venue.northing,
        session.term_start,
    )


@dataclass(frozen=True)
class Finding:
    code: str
    sentence: str


@dataclass(frozen=True)
class RuledOutSession:
    """A session of a suggested programme that breaks a rule, with the Excluded tab's sentences for it."""

    session_id: int
    weekday: int
    start: int
    end: int
    venue_name: str
    postcode: str
    reasons: tuple[Finding, ...]  # most decisive first

    @property
    def place(self) -> str:
        return explain.venue_label(self.venue_name, self.postcode)


def ruled_out_session(session: Session, venue: Venue, findings: list[tuple[str, str]]) -> RuledOutSession:
    reasons = tuple(Finding(code, sentence) for code, sentence in findings)
    return RuledOutSession(session.id, session.weekday, session.start, session.end, venue.name, venue.postcode, reasons)


def by_time(sessions):
    return tuple(sorted(sessions, key=lambda s: (s.weekday, s.start, s.session_id)))


@dataclass(frozen=True)
class Suggestion:
    programme_id: int
    title: str
    organisation_name: str
    score: float  # 0-100, one decimal place
    components: tuple[ScoreComponent, ...]
    sessions: tuple[FeasibleSession, ...]  # ordered by weekday, start, session id
    distance_m: float  # nearest feasible session
    summary: str
    organisation_id: int
    # In-scope sessions that break a rule, by weekday and start (the engine words them when first read).
    ruled_out: Sequence[RuledOutSession] = ()
    fits_interests_or_needs: bool = True  # meets a recorded interest or need (or nothing is recorded)
    late_start: str = ""  # says so when sessions begin after the requirement would, and how many are missed


@dataclass(frozen=True)
class ExclusionReason:
    code: str
    sentence: str
    session_ids: tuple[int, ...]  # the sessions this reason rules out (all of them for programme-wide reasons)


@dataclass(frozen=True)
class Exclusion:
    programme_id: int
    title: str
    organisation_name: str
    distance_m: float | None  # nearest session venue; None when the programme lists no sessions
    reasons: tuple[ExclusionReason, ...]  # distinct, most decisive first


@dataclass(frozen=True)
class PlannedSession:
    programme_id: int
    title: str
    session: FeasibleSession
    reason: str


@dataclass(frozen=True)
class WeeklyPlan:
    sessions: tuple[PlannedSession, ...]  # ordered by weekday and start time
    total_score: float
    note: str = ""  # said when the plan had to use programmes that match no interest or need


@dataclass(frozen=True)
class MatchResult:
    suggestions: tuple[Suggestion, ...]
    feasible_total: int  # programmes with at least one feasible session, before the limit
    exclusions: Sequence[Exclusion]  # nearest first, capped (the engine words them when first read)
    excluded_total: int
    other_exclusion_totals: Mapping[str, int] = field(
        default_factory=dict
    )  # reason code -> excluded programmes not listed
    plan: WeeklyPlan = field(default_factory=lambda: WeeklyPlan((), 0.0))


@dataclass(frozen=True)
class DirectoryItem:
    programme_id: int
    relevance: float  # 0-100 keyword score; 0 without a keyword
    distance_m: float | None
    session_ids: tuple[int, ...]


@dataclass(frozen=True)
class DirectoryResult:
    total: int
    items: tuple[DirectoryItem, ...]
