"""Ranking: the weights, the fraction formulas and the English reason for each component.

The formulas are written with numpy ufuncs so the engine applies them to whole arrays and the reference
to single numbers with bit-identical results.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from matching import explain
from matching.lazy import LazyTuple
from matching.model import PlanSettings, Programme, SubjectProfile, WeeklyWindow
from matching.results import ExclusionReason, FeasibleSession, RuledOutSession, ScoreComponent, Suggestion
from matching.taxonomy import ACTIVITY_RELATIVES, ACTIVITY_TYPE_NAMES, LANGUAGES, PROVISION_NAMES, WEEKDAYS
from matching.text import ACTIVITY_CHILDREN, Interest, ProgrammeText, text_strength, type_strength
from matching.travel import minutes_to_travel

SCORE_WEIGHTS: dict[str, float] = {
    "interests": 35.0,
    "cultural": 20.0,
    "distance": 20.0,
    "schedule": 15.0,
    "freshness": 10.0,
}

NO_INTERESTS_FRACTION = 0.5  # nothing recorded: neither reward nor punish
EXTRA_INTEREST_BONUS = 0.1  # per further interest the programme also meets
SECOND_LANGUAGE_FRACTION = 0.7  # runs in one of the subject's languages, not the preferred one
DEFAULT_DISTANCE_SCALE_M = 15_000.0  # distance at which the distance component reaches 0 without a travel limit
SESSIONS_FOR_FULL_SCHEDULE = 3
SESSION_COUNT_SHARE = 0.7
AFTER_SCHOOL_SHARE = 0.3
AFTER_SCHOOL_MINUTES = 90  # a session starting within this long of school or college ending
AFTER_SCHOOL_KINDS = ("school", "college")
FRESH_DAYS = 30
STALE_DAYS = 365


def _constant_like(values, constant: float):
    return np.full(np.shape(values), constant)


def interest_fraction(best, matched_count, has_interests: bool):
    if not has_interests:
        return _constant_like(best, NO_INTERESTS_FRACTION)
    return np.where(matched_count > 0, np.minimum(1.0, best + EXTRA_INTEREST_BONUS * (matched_count - 1)), 0.0)


def language_fraction(has_preferred, has_other, subject_has_languages: bool):
    if not subject_has_languages:
        return _constant_like(has_preferred, 1.0)
    return np.where(has_preferred, 1.0, np.where(has_other, SECOND_LANGUAGE_FRACTION, 0.0))


def cultural_fraction(language, needs_met, needs_count: int):
    needs = needs_met / needs_count if needs_count else _constant_like(needs_met, 1.0)
    return 0.5 * language + 0.5 * needs


def distance_scale(profile: SubjectProfile) -> float:
    return profile.max_travel_m if profile.max_travel_m else DEFAULT_DISTANCE_SCALE_M


def distance_fraction(metres, scale: float):
    return np.maximum(0.0, 1.0 - metres / scale)


def schedule_fraction(feasible_count, after_school):
    return SESSION_COUNT_SHARE * np.minimum(feasible_count, SESSIONS_FOR_FULL_SCHEDULE) / SESSIONS_FOR_FULL_SCHEDULE + (
        AFTER_SCHOOL_SHARE * after_school
    )


def freshness_fraction(days_since_assured):
    return np.clip(1.0 - (days_since_assured - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS), 0.0, 1.0)


def total_score(interests, cultural, distance, schedule, freshness):
    w = SCORE_WEIGHTS
    return (
        w["interests"] * interests
        + w["cultural"] * cultural
        + w["distance"] * distance
        + w["schedule"] * schedule
        + w["freshness"] * freshness
    )


def score_tenths(total):
    """Scores are compared and shown in tenths; rint rounds the same way as Python's round()."""
    return np.rint(total * 10.0)


def school_day_before(weekday: int, start: int, profile: SubjectProfile) -> WeeklyWindow | None:
    """The school or college day this session starts within AFTER_SCHOOL_MINUTES of, if any."""
    for window in profile.commitments:
        if window.kind in AFTER_SCHOOL_KINDS and window.weekday == weekday:
            if 0 <= start - window.end <= AFTER_SCHOOL_MINUTES:
                return window
    return None


def starts_after_school(session: FeasibleSession, profile: SubjectProfile, settings: PlanSettings) -> str | None:
    """The label of the school or college day this session starts soon after, if it leaves time to get there."""
    window = school_day_before(session.weekday, session.start, profile)
    if window is None or session.start - window.end < minutes_to_travel(session.distance_m, settings):
        return None
    return window.label


@dataclass(frozen=True)
class Fractions:
    interests: float
    cultural: float
    distance: float
    schedule: float
    freshness: float

    def total(self) -> float:
        return float(total_score(self.interests, self.cultural, self.distance, self.schedule, self.freshness))


# ---- explanations, built only for what is returned ----

TermSimilarity = Callable[[Interest, str], float]


@dataclass(frozen=True)
class InterestMatch:
    interest: Interest
    strength: float
    evidence: str
    same_family: bool = False  # met by a related activity ("boxing" for "kickboxing"), not the activity itself


def match_interest(
    interest: Interest,
    text: ProgrammeText,
    term_similarity: TermSimilarity,
    candidates: Collection[str] | None = None,
) -> InterestMatch:
    """The strongest evidence for one interest; `candidates`, when known, are the only words that can match."""
    evidence, same_family = _type_evidence(interest, text)
    best = InterestMatch(interest, type_strength(interest, text.activity_types), evidence, same_family)
    for field, words in text.fields:
        for word in sorted(words if candidates is None else words.intersection(candidates)):
            similarity = term_similarity(interest, word)
            if similarity > 0.0 and text_strength(interest, similarity) > best.strength:
                best = InterestMatch(interest, text_strength(interest, similarity), f"'{word}' in the {field}")
    return best


def _type_evidence(interest: Interest, text: ProgrammeText) -> tuple[str, bool]:
    """The programme's activity type that meets the interest, and whether it is only a relative of it."""
    if interest.concept is None:
        return "", False
    if interest.concept in text.activity_types:
        return ACTIVITY_TYPE_NAMES.get(interest.concept, interest.concept), False
    children = sorted(text.activity_types & ACTIVITY_CHILDREN.get(interest.concept, frozenset()))
    if children:
        return ACTIVITY_TYPE_NAMES.get(children[0], children[0]), False
    relatives = sorted(text.activity_types & ACTIVITY_RELATIVES.get(interest.concept, frozenset()))
    return (ACTIVITY_TYPE_NAMES.get(relatives[0], relatives[0]), True) if relatives else ("", False)


def interest_matches(
    interests: Sequence[Interest],
    text: ProgrammeText,
    term_similarity: TermSimilarity,
    candidates: Sequence[Collection[str]] | None = None,
) -> list[InterestMatch]:
    if candidates is None:
        return [match_interest(interest, text, term_similarity) for interest in interests]
    return [match_interest(i, text, term_similarity, c) for i, c in zip(interests, candidates, strict=True)]


def interest_fraction_of(matches: Sequence[InterestMatch]) -> float:
    strengths = [m.strength for m in matches if m.strength > 0.0]
    return float(interest_fraction(max(strengths, default=0.0), len(strengths), bool(matches)))


def interest_reason(matches: Sequence[InterestMatch], profile: SubjectProfile) -> str:
    whose = explain.possessive(profile.name)
    if not matches:
        return "No interests are recorded"
    matched = [m for m in matches if m.strength > 0.0]
    if not matched:
        return f"Does not match {whose} recorded interests"
    best = max(matched, key=lambda m: m.strength)  # max keeps the first of equals: profile order
    if best.same_family:
        label = _lower_first(best.interest.label)
        reason = f"{best.evidence} is in the same family as {label}, one of {whose} interests"
    elif best.interest.label.casefold() == best.evidence.casefold():
        reason = f"Matches {whose} interest in {best.evidence}"
    else:
        reason = f"Matches {whose} interest '{best.interest.label}' → {best.evidence}"
    if len(matched) > 1:
        reason += f" (and {len(matched) - 1} more of {whose} interests)"
    return reason


def _lower_first(label: str) -> str:
    """ "Kickboxing" reads as "kickboxing" mid-sentence; "MMA" stays as it is."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def fits_interests_or_needs(matches: Sequence[InterestMatch], programme: Programme, profile: SubjectProfile) -> bool:
    """Whether the programme meets anything recorded about the subject; true when nothing is recorded."""
    if not matches and not profile.needs:
        return True
    return any(m.strength > 0.0 for m in matches) or any(need in programme.provisions for need in profile.needs)


def cultural_reason(programme: Programme, profile: SubjectProfile) -> str:
    return f"{_language_reason(programme, profile)}; {_needs_reason(programme, profile)}"


def _language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def _language_reason(programme: Programme, profile: SubjectProfile) -> str:
    if not profile.languages:
        return "No language preference recorded"
    preferred = profile.languages[0]
    if preferred in programme.languages:
        return f"Sessions in {_language_name(preferred)}"
    shared = [code for code in profile.languages if code in programme.languages]
    if shared:
        return f"Sessions in {_language_name(shared[0])}, not {_language_name(preferred)}"
    return f"No shared language (sessions in {', '.join(_language_name(c) for c in programme.languages) or 'unknown'})"


def _needs_reason(programme: Programme, profile: SubjectProfile) -> str:
    if not profile.needs:
        return "no cultural or faith needs recorded"
    met = [PROVISION_NAMES.get(n, n) for n in profile.needs if n in programme.provisions]
    missing = [PROVISION_NAMES.get(n, n) for n in profile.needs if n not in programme.provisions]
    parts = []
    if met:
        parts.append("provides " + ", ".join(met))
    if missing:
        parts.append("missing " + ", ".join(missing))
    return "; ".join(parts)


def schedule_reason(sessions: Sequence[FeasibleSession], profile: SubjectProfile, settings: PlanSettings) -> str:
    count = len(sessions)
    reason = f"{count} session{'s' if count != 1 else ''} a week fit{'s' if count == 1 else ''} the timetable"
    for session in sessions:
        label = starts_after_school(session, profile, settings)
        if label is not None:
            return f"{reason}; {WEEKDAYS[session.weekday]} {explain.clock(session.start)} starts soon after {label}"
    for session in sessions:
        window = school_day_before(session.weekday, session.start, profile)
        if window is not None:
            travel = minutes_to_travel(session.distance_m, settings)
            return (
                f"{reason}; {WEEKDAYS[session.weekday]} {explain.clock(session.start)} starts "
                f"{session.start - window.end} min after {window.label} ends, less than the {travel} min it takes "
                f"to get there from home"
            )
    return reason


def freshness_reason(assured_on: date, today: date) -> str:
    days = (today - assured_on).days
    if days <= 0:
        return "Details confirmed today"
    if days < 14:
        return f"Details confirmed {days} day{'s' if days != 1 else ''} ago"
    if days < 63:
        return f"Details confirmed {days // 7} weeks ago"
    if days < 365:
        return f"Details confirmed {days // 30} months ago"
    return "Details last confirmed over a year ago"


@dataclass(frozen=True)
class Period:
    """When the requirement would run and the plan's travel assumptions: what a suggestion's wording depends on."""

    date_from: date
    date_to: date
    today: date
    settings: PlanSettings


def sessions_missed(programme: Programme, session: FeasibleSession, period: Period) -> int:
    """Weekly sessions between the order's start and the day this session (or its programme) begins."""
    begins = max(programme.valid_from, session.term_start or period.date_from)
    stop = min(begins, period.date_to + timedelta(days=1))
    first = period.date_from + timedelta(days=(session.weekday - period.date_from.weekday()) % 7)
    return max(0, -(-(stop - first).days // 7))


def late_start_note(programme: Programme, sessions: Sequence[FeasibleSession], period: Period, who: str) -> str:
    late = [s for s in sessions if max(programme.valid_from, s.term_start or period.date_from) > period.date_from]
    missed = sum(sessions_missed(programme, s, period) for s in late)
    if not missed:
        return ""
    begins = min(max(programme.valid_from, s.term_start or period.date_from) for s in sessions)
    return (
        f"Starts on {explain.format_date(begins)}, after the requirement would start on "
        f"{explain.format_date(period.date_from)}: {who} would miss {missed} session{'s' if missed != 1 else ''}"
    )


def build_suggestion(
    programme: Programme,
    sessions: Sequence[FeasibleSession],
    fractions: Fractions,
    matches: Sequence[InterestMatch],
    profile: SubjectProfile,
    period: Period,
    ruled_out: Sequence[RuledOutSession] = (),
) -> Suggestion:
    nearest = min(s.distance_m for s in sessions)
    reasons = {
        "interests": interest_reason(matches, profile),
        "cultural": cultural_reason(programme, profile),
        "distance": f"{explain.format_distance(nearest)} from home",
        "schedule": schedule_reason(sessions, profile, period.settings),
        "freshness": freshness_reason(programme.assured_on, period.today),
    }
    components = tuple(
        ScoreComponent(name, round(weight * getattr(fractions, name), 1), weight, reasons[name])
        for name, weight in SCORE_WEIGHTS.items()
    )
    score = float(score_tenths(fractions.total())) / 10.0
    summary = _summary(programme, sessions, matches, nearest)
    return Suggestion(
        programme.id,
        programme.title,
        programme.organisation_name,
        score,
        components,
        tuple(sessions),
        nearest,
        summary,
        programme.organisation_id,
        ruled_out if isinstance(ruled_out, tuple | LazyTuple) else tuple(ruled_out),
        fits_interests_or_needs(matches, programme, profile),
        late_start_note(programme, sessions, period, explain.who(profile.name)),
    )


def _summary(
    programme: Programme, sessions: Sequence[FeasibleSession], matches: Sequence[InterestMatch], nearest: float
) -> str:
    count = len(sessions)
    summary = (
        f"{programme.title} ({programme.organisation_name}): {count} session{'s' if count != 1 else ''} a week "
        f"that fit{'s' if count == 1 else ''}, nearest {explain.format_distance(nearest)} from home"
    )
    matched = [m for m in matches if m.strength > 0.0]
    if matched:
        best = max(matched, key=lambda m: m.strength)
        summary += f"; {'related to' if best.same_family else 'matches'} '{best.interest.label}'"
    return summary


def assemble_reasons(
    programme_level: Sequence[tuple[str, str]],
    session_level: Sequence[tuple[int, Sequence[tuple[str, str]]]],
    session_ids: Sequence[int],
) -> tuple[ExclusionReason, ...]:
    """Distinct reasons, those ruling out the most sessions first, then by how decisive the code is."""
    covered: dict[tuple[str, str], list[int]] = {finding: list(session_ids) for finding in programme_level}
    for session_id, findings in session_level:
        for finding in findings:
            covered.setdefault(finding, []).append(session_id)
    ordered = sorted(covered.items(), key=lambda item: (-len(item[1]), explain.REASON_PRIORITY[item[0][0]], item[0][1]))
    return tuple(ExclusionReason(code, sentence, tuple(ids)) for (code, sentence), ids in ordered)
