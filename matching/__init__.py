"""Pure-Python matching engine: suggests partner programmes as KCPO requirements, with reasons.

No web framework or database imports: dataclasses in, dataclasses out.
"""

from matching.catalogue import EnrolmentIndex, PreparedCatalogue, index_enrolments, prepare
from matching.directory import DirectoryQuery, search
from matching.engine import match
from matching.model import (
    DailyWindow,
    Enrolment,
    ExclusionZone,
    MatchFilters,
    PlanSettings,
    Programme,
    ResidenceRule,
    Session,
    SubjectProfile,
    Venue,
    WeeklyWindow,
)
from matching.results import (
    DirectoryItem,
    DirectoryResult,
    Exclusion,
    ExclusionReason,
    FeasibleSession,
    MatchResult,
    PlannedSession,
    ScoreComponent,
    Suggestion,
    WeeklyPlan,
)
from matching.scoring import SCORE_WEIGHTS

__all__ = [
    "SCORE_WEIGHTS",
    "DailyWindow",
    "DirectoryItem",
    "DirectoryQuery",
    "DirectoryResult",
    "Enrolment",
    "EnrolmentIndex",
    "Exclusion",
    "ExclusionReason",
    "ExclusionZone",
    "FeasibleSession",
    "MatchFilters",
    "MatchResult",
    "PlanSettings",
    "PlannedSession",
    "PreparedCatalogue",
    "Programme",
    "ResidenceRule",
    "ScoreComponent",
    "Session",
    "SubjectProfile",
    "Suggestion",
    "Venue",
    "WeeklyPlan",
    "WeeklyWindow",
    "index_enrolments",
    "match",
    "prepare",
    "search",
]
