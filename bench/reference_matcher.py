"""A deliberately naive matcher: every programme and every session checked one at a time in plain Python.

It states the rules as directly as possible so the vectorised engine can be tested against it; both must
return identical suggestions (ids, order, scores, explanations), exclusions and weekly plans.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from matching import explain, rules, scoring
from matching.model import (
    DEFAULT_PLAN_SETTINGS,
    NO_FILTERS,
    Enrolment,
    MatchFilters,
    PlanSettings,
    Programme,
    Session,
    SubjectProfile,
    Venue,
)
from matching.plan import plan_week
from matching.results import (
    Exclusion,
    MatchResult,
    RuledOutSession,
    Suggestion,
    by_time,
    feasible_session,
    ruled_out_session,
)
from matching.text import ACTIVITY_SELECTIONS, Interest, interest_term_similarity, parse_interests, programme_text

EXCLUSION_DETAIL_LIMIT = 200
NEARBY_RADIUS_M = 10_000.0


@dataclass(frozen=True)
class _Ranked:
    tenths: float
    programme: Programme
    suggestion_parts: tuple


@dataclass(frozen=True)
class _Excluded:
    distance: float | None
    exclusion: Exclusion


def reference_match(
    profile: SubjectProfile,
    programmes: Iterable[Programme],
    enrolments: Iterable[Enrolment],
    date_from: date,
    date_to: date,
    today: date,
    *,
    limit: int = 20,
    offset: int = 0,
    filters: MatchFilters = NO_FILTERS,
    plan_settings: PlanSettings = DEFAULT_PLAN_SETTINGS,
    exclusion_limit: int = EXCLUSION_DETAIL_LIMIT,
) -> MatchResult:
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    context = _context(profile, list(enrolments), date_from, date_to)
    period = scoring.Period(date_from, date_to, today, plan_settings)
    interests = parse_interests(profile)
    ranked: list[_Ranked] = []
    excluded: list[_Excluded] = []
    for programme in programmes:
        sessions = _sessions_in_scope(programme, profile, filters)
        if sessions is None:
            continue
        programme_level = rules.programme_findings(programme, context)
        if not programme.sessions:
            programme_level.append(("no_sessions", explain.no_sessions_sentence()))
        findings = [(s, v, rules.session_findings(programme, s, v, context)) for s, v in sessions]
        feasible = [(s, v) for s, v, found in findings if not found] if not programme_level else []
        if feasible:
            ruled_out = [ruled_out_session(s, v, found) for s, v, found in findings if found]
            ranked.append(_rank(programme, feasible, ruled_out, profile, interests, period))
        else:
            excluded.append(_exclude(programme, sessions, programme_level, findings, profile))
    ranked.sort(key=lambda r: (-r.tenths, r.programme.id))
    shown = tuple(_suggestion(r, profile, period) for r in ranked[: offset + limit]) if limit > 0 else ()
    listed, rest = _listed(excluded, profile, exclusion_limit)
    return MatchResult(
        suggestions=shown[offset:],
        feasible_total=len(ranked),
        exclusions=tuple(e.exclusion for e in listed),
        excluded_total=len(excluded),
        other_exclusion_totals=_totals(rest),
        plan=plan_week(shown[:limit], plan_settings, profile.name),
    )


def _context(
    profile: SubjectProfile, enrolments: list[Enrolment], date_from: date, date_to: date
) -> rules.MatchContext:
    taken = Counter(e.session_id for e in enrolments if e.subject_id != profile.id and e.holds_place)
    blocked = {e.session_id for e in enrolments if e.subject_id in profile.non_associates}
    return rules.MatchContext(profile, date_from, date_to, taken, blocked)


def _sessions_in_scope(
    programme: Programme, profile: SubjectProfile, filters: MatchFilters
) -> list[tuple[Session, Venue]] | None:
    """The sessions the filters leave, or None when the filters hide the whole programme."""
    if filters.activity_type is not None:
        wanted = ACTIVITY_SELECTIONS.get(filters.activity_type, {filters.activity_type})
        if not wanted & set(programme.activity_types):
            return None
    if not programme.sessions:
        return [] if filters.weekday is None and filters.max_distance_m is None else None
    venues = {venue.id: venue for venue in programme.venues}
    kept = []
    for session in programme.sessions:
        venue = venues[session.venue_id]
        if filters.weekday is not None and session.weekday != filters.weekday:
            continue
        if filters.max_distance_m is not None and rules.venue_distance(venue, profile) > filters.max_distance_m:
            continue
        kept.append((session, venue))
    return kept or None


def _rank(
    programme: Programme,
    feasible: list[tuple[Session, Venue]],
    ruled_out: list[RuledOutSession],
    profile: SubjectProfile,
    interests: tuple[Interest, ...],
    period: scoring.Period,
) -> _Ranked:
    matches = scoring.interest_matches(interests, programme_text(programme), interest_term_similarity)
    has_preferred = bool(profile.languages) and profile.languages[0] in programme.languages
    has_other = any(code in programme.languages for code in profile.languages)
    needs_met = sum(1 for need in profile.needs if need in programme.provisions)
    nearest = min(rules.venue_distance(venue, profile) for _, venue in feasible)
    after_school = any(
        scoring.starts_after_school(feasible_session(s, v, profile), profile, period.settings) is not None
        for s, v in feasible
    )
    fractions = scoring.Fractions(
        interests=scoring.interest_fraction_of(matches),
        cultural=float(
            scoring.cultural_fraction(
                scoring.language_fraction(has_preferred, has_other, bool(profile.languages)),
                needs_met,
                len(profile.needs),
            )
        ),
        distance=float(scoring.distance_fraction(nearest, scoring.distance_scale(profile))),
        schedule=float(scoring.schedule_fraction(len(feasible), after_school)),
        freshness=float(scoring.freshness_fraction((period.today - programme.assured_on).days)),
    )
    tenths = float(scoring.score_tenths(fractions.total()))
    return _Ranked(tenths, programme, (feasible, fractions, matches, by_time(ruled_out)))


def _suggestion(ranked: _Ranked, profile: SubjectProfile, period: scoring.Period) -> Suggestion:
    feasible, fractions, matches, ruled_out = ranked.suggestion_parts
    sessions = by_time(feasible_session(s, v, profile) for s, v in feasible)
    return scoring.build_suggestion(ranked.programme, sessions, fractions, matches, profile, period, ruled_out)


def _exclude(
    programme: Programme,
    sessions: list[tuple[Session, Venue]],
    programme_level: list[tuple[str, str]],
    findings: list[tuple[Session, Venue, list[tuple[str, str]]]],
    profile: SubjectProfile,
) -> _Excluded:
    session_level = [(s.id, found) for s, _, found in findings if found]
    reasons = scoring.assemble_reasons(programme_level, session_level, [s.id for s, _ in sessions])
    distance = min((rules.venue_distance(v, profile) for _, v in sessions), default=None)
    return _Excluded(distance, Exclusion(programme.id, programme.title, programme.organisation_name, distance, reasons))


def _listed(excluded: list[_Excluded], profile: SubjectProfile, limit: int) -> tuple[list[_Excluded], list[_Excluded]]:
    def distance(e: _Excluded) -> float:
        return float("inf") if e.distance is None else e.distance

    nearby_radius = max(profile.max_travel_m or 0.0, NEARBY_RADIUS_M)
    candidates = excluded if len(excluded) <= limit else [e for e in excluded if distance(e) <= nearby_radius]
    listed = sorted(candidates, key=lambda e: (distance(e), e.exclusion.programme_id))[:limit]
    listed_ids = {e.exclusion.programme_id for e in listed}
    return listed, [e for e in excluded if e.exclusion.programme_id not in listed_ids]


def _totals(rest: list[_Excluded]) -> dict[str, int]:
    counts = Counter(code for e in rest for code in {reason.code for reason in e.exclusion.reasons})
    return {code: counts[code] for code in explain.REASON_CODES if counts[code]}
