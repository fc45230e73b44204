"""Input dataclasses for the matcher: the subject's profile and the partner catalogue.

Times are minutes since midnight, weekdays run 0=Monday..6=Sunday, coordinates are British National
Grid eastings/northings in metres and distances are Euclidean.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class WeeklyWindow:
    weekday: int
    start: int
    end: int
    kind: str  # "school" | "college" | "work" | "observance"
    label: str


@dataclass(frozen=True)
class DailyWindow:
    start: int
    end: int  # may be earlier than start: the window then crosses midnight


@dataclass(frozen=True)
class ExclusionZone:
    label: str
    easting: float
    northing: float
    radius_m: float


@dataclass(frozen=True)
class SubjectProfile:
    id: int
    age: int
    gender: str  # "male" | "female" | "other"
    easting: float
    northing: float
    languages: tuple[str, ...]  # ISO 639-1, preferred language first
    interest_activity_types: tuple[str, ...]
    interest_text: str
    needs: tuple[str, ...]  # provision slugs
    commitments: tuple[WeeklyWindow, ...]
    observances: tuple[WeeklyWindow, ...]
    curfew: DailyWindow | None
    exclusion_zones: tuple[ExclusionZone, ...]
    non_associates: tuple[int, ...]
    max_travel_m: float | None
    name: str = ""  # the first name officers know the subject by, for the reasons' wording
    home_postcode: str = ""  # normalised ("E3 4AB"); "" when not known


@dataclass(frozen=True)
class Venue:
    id: int
    name: str
    postcode: str
    easting: float
    northing: float


@dataclass(frozen=True)
class Session:
    id: int
    venue_id: int
    weekday: int
    start: int
    end: int
    term_start: date
    term_end: date | None


Ring = tuple[tuple[float, float], ...]  # British National Grid (easting, northing) points


@dataclass(frozen=True)
class ResidenceRule:
    """Only for people living in an area: a home postcode in one of the postcode areas ("E"), districts ("E1") or
    sectors ("E14 9"), or a home inside one of the polygons (each an outer ring then its holes)."""

    label: str  # the area as the source names it, for explanations
    postcodes: tuple[str, ...] = ()
    polygons: tuple[tuple[Ring, ...], ...] = ()


@dataclass(frozen=True)
class Programme:
    id: int
    organisation_id: int
    organisation_name: str
    organisation_approved: bool
    status: str  # "active" | "paused" | "archived"
    title: str
    description: str
    activity_types: tuple[str, ...]
    tags: tuple[str, ...]
    min_age: int
    max_age: int
    gender: str  # "any" | "male" | "female"
    capacity: int
    languages: tuple[str, ...]
    provisions: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    assured_on: date
    venues: tuple[Venue, ...]
    sessions: tuple[Session, ...]
    residence: ResidenceRule | None = None  # None: open to people living anywhere


@dataclass(frozen=True)
class Enrolment:
    subject_id: int
    session_id: int
    holds_place: bool = True  # False for a referral still awaiting the partner: it counts for non-association only


@dataclass(frozen=True)
class MatchFilters:
    """Narrows what is shown; programmes and sessions outside the filters are neither suggested nor excluded."""

    activity_type: str | None = None  # a parent slug also selects its children; a family slug, its members
    weekday: int | None = None
    max_distance_m: float | None = None


@dataclass(frozen=True)
class PlanSettings:
    travel_speed_kmh: float = 15.0
    buffer_minutes: int = 10
    max_sessions: int = 3
    candidate_programmes: int = 8
    sessions_per_programme: int = 4


NO_FILTERS = MatchFilters()
DEFAULT_PLAN_SETTINGS = PlanSettings()
