"""A weekly plan: one to three sessions from different suggested programmes that can all be attended."""

from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations, product

from matching import explain
from matching.model import DEFAULT_PLAN_SETTINGS, PlanSettings
from matching.results import FeasibleSession, PlannedSession, Suggestion, WeeklyPlan
from matching.taxonomy import WEEKDAYS
from matching.travel import minutes_to_travel


def travel_minutes(a: FeasibleSession, b: FeasibleSession, settings: PlanSettings) -> int:
    metres = explain.distance_m(a.venue_easting, a.venue_northing, b.venue_easting, b.venue_northing)
    return minutes_to_travel(metres, settings)


def compatible(a: FeasibleSession, b: FeasibleSession, settings: PlanSettings) -> bool:
    """Different days always fit; on the same day the later one must start after travelling from the earlier."""
    if a.weekday != b.weekday:
        return True
    first, second = (a, b) if a.start <= b.start else (b, a)
    return second.start - first.end >= travel_minutes(first, second, settings)


def no_fit_note(name: str) -> str:
    return (
        f"None of the programmes that match {explain.possessive(name)} interests or needs can be fitted into the "
        "week, so this plan uses programmes that match none of them"
    )


def plan_week(
    suggestions: Sequence[Suggestion], settings: PlanSettings = DEFAULT_PLAN_SETTINGS, name: str = ""
) -> WeeklyPlan:
    """The best plan from programmes that match an interest or need; the others only when none of those fit."""
    fitting = [s for s in suggestions if s.fits_interests_or_needs]
    plan = _best_plan(fitting, settings)
    if plan.sessions or len(fitting) == len(suggestions):
        return plan
    fallback = _best_plan(suggestions, settings)
    return replace(fallback, note=no_fit_note(name)) if fallback.sessions else fallback


def _best_plan(suggestions: Sequence[Suggestion], settings: PlanSettings) -> WeeklyPlan:
    candidates = [s for s in suggestions[: settings.candidate_programmes] if s.sessions]
    groups = sorted(
        (group for size in range(1, settings.max_sessions + 1) for group in combinations(candidates, size)),
        key=lambda group: (-sum(round(s.score * 10) for s in group), -len(group), [s.programme_id for s in group]),
    )
    for group in groups:
        chosen = _best_assignment(group, settings)
        if chosen is not None:
            return _plan(group, chosen, settings)
    return WeeklyPlan((), 0.0)


def _session_options(suggestion: Suggestion, settings: PlanSettings) -> list[FeasibleSession]:
    nearest_first = sorted(suggestion.sessions, key=lambda s: (s.distance_m, s.weekday, s.start, s.session_id))
    return nearest_first[: settings.sessions_per_programme]


def _best_assignment(group: Sequence[Suggestion], settings: PlanSettings) -> tuple[FeasibleSession, ...] | None:
    """The least travel from home among attendable choices of one session per programme."""
    best: tuple[FeasibleSession, ...] | None = None
    for choice in product(*(_session_options(s, settings) for s in group)):
        if all(compatible(a, b, settings) for a, b in combinations(choice, 2)):
            if best is None or _travel_key(choice) < _travel_key(best):
                best = choice
    return best


def _travel_key(choice: tuple[FeasibleSession, ...]) -> tuple[float, list[int]]:
    return (sum(s.distance_m for s in choice), [s.session_id for s in choice])


def _plan(group: Sequence[Suggestion], chosen: tuple[FeasibleSession, ...], settings: PlanSettings) -> WeeklyPlan:
    pairs = sorted(zip(group, chosen, strict=True), key=lambda pair: (pair[1].weekday, pair[1].start))
    planned = tuple(
        PlannedSession(s.programme_id, s.title, session, _reason(s, session, pairs, settings)) for s, session in pairs
    )
    return WeeklyPlan(planned, round(sum(s.score for s in group), 1))


def _reason(
    suggestion: Suggestion,
    session: FeasibleSession,
    pairs: Sequence[tuple[Suggestion, FeasibleSession]],
    settings: PlanSettings,
) -> str:
    when = f"{WEEKDAYS[session.weekday]} {explain.span(session.start, session.end)}"
    reason = (
        f"{suggestion.title} scores {suggestion.score:g}; {when} at {session.venue_name}, "
        f"{explain.format_distance(session.distance_m)} from home"
    )
    earlier = [other for _, other in pairs if other.weekday == session.weekday and other.end <= session.start]
    if earlier:
        previous = max(earlier, key=lambda other: other.end)
        reason += (
            f"; starts {session.start - previous.end} min after {previous.venue_name} ends, "
            f"allowing {travel_minutes(previous, session, settings)} min to travel"
        )
    return reason
