"""What the officer is shown: related interests, a plan that prefers fit, every session explained, every
suggestion reachable, wording about the subject (not to them) and late starts counted."""

import re
from datetime import date

from bench.synthetic_world import TODAY as WORLD_TODAY
from bench.synthetic_world import build_world
from matching.model import DailyWindow, Enrolment
from tests.matching.builders import (
    HOME,
    match_both,
    profile,
    programme,
    programme_at,
    reasons_of,
    session,
    suggested_ids,
    venue,
)

UNRELATED = dict(title="Kitchen Club", description="Cooking together", activity_types=("cooking-nutrition",), tags=())
BOXING = dict(title="Bow Boxing", description="Pads and bags", activity_types=("boxing",), tags=())


def interests_reason(suggestion) -> str:
    return next(c for c in suggestion.components if c.name == "interests").reason


def test_a_kickboxer_is_offered_the_boxing_club_before_an_unrelated_club_at_the_same_distance():
    result = match_both(
        profile(interest_text="kickboxing"), [programme_at(1, 1000.0, **UNRELATED), programme_at(2, 1000.0, **BOXING)]
    )
    assert suggested_ids(result) == [2, 1]
    boxing = result.suggestions[0]
    assert interests_reason(boxing) == "Boxing is in the same family as kickboxing, one of Tyler's interests"
    assert boxing.summary.endswith("; related to 'kickboxing'")


def test_the_same_activity_earns_more_than_its_family():
    kickboxing = dict(BOXING, title="Kick Academy", activity_types=("kickboxing",))
    result = match_both(
        profile(interest_activity_types=("kickboxing",)),
        [programme_at(1, 1000.0, **BOXING), programme_at(2, 1000.0, **kickboxing)],
    )
    assert suggested_ids(result) == [2, 1]
    points = {s.programme_id: next(c.points for c in s.components if c.name == "interests") for s in result.suggestions}
    assert 0 < points[1] < points[2]
    assert interests_reason(result.suggestions[0]) == "Matches Tyler's interest in Kickboxing"


def test_a_family_does_not_stretch_to_other_sports():
    football = dict(BOXING, title="Sunday League", activity_types=("football",))
    result = match_both(profile(interest_text="kickboxing"), [programme_at(1, 1000.0, **football)])
    assert interests_reason(result.suggestions[0]) == "Does not match Tyler's recorded interests"


def _on(programme_id: int, weekday: int, metres_east: float, **changes):
    place = venue(id=programme_id, easting=HOME[0] + metres_east)
    sessions = (session(id=programme_id * 10, venue_id=programme_id, weekday=weekday),)
    return programme_at(programme_id, metres_east, venues=(place,), sessions=sessions, **changes)


def test_the_weekly_plan_leaves_out_programmes_that_match_nothing_when_matching_ones_fit():
    basketball = dict(title="Hoops", description="", activity_types=("basketball",), tags=())
    drugs = dict(title="Choices", description="", activity_types=("substance-misuse-support",), tags=())
    near_but_unrelated = [_on(i, i, 200.0, **drugs) for i in (2, 3)]
    result = match_both(profile(interest_text="basketball"), [_on(1, 1, 3000.0, **basketball), *near_but_unrelated])
    assert [p.programme_id for p in result.plan.sessions] == [1]
    assert result.plan.note == ""
    assert not result.suggestions[-1].fits_interests_or_needs


def test_the_plan_says_so_when_only_unmatched_programmes_fit():
    drugs = dict(title="Choices", description="", activity_types=("substance-misuse-support",), tags=())
    result = match_both(profile(interest_text="basketball"), [_on(2, 2, 200.0, **drugs)])
    assert [p.programme_id for p in result.plan.sessions] == [2]
    assert result.plan.note.startswith("None of the programmes that match Tyler's interests or needs")


def test_a_recorded_need_met_counts_as_a_fit():
    halal = _on(2, 2, 200.0, title="Choices", description="", activity_types=("mentoring",), provisions=("halal-food",))
    result = match_both(profile(interest_text="basketball", needs=("halal-food",)), [halal])
    assert result.suggestions[0].fits_interests_or_needs and result.plan.note == ""


def test_each_suggested_programme_explains_its_ruled_out_sessions_as_the_excluded_tab_does():
    sessions = (
        session(id=11, weekday=1),  # Tuesday 16:30-18:00: fits
        session(id=12, weekday=3, start=20 * 60, end=22 * 60),  # Thursday, into the 21:00 curfew
        session(id=13, weekday=0),  # Monday: a non-associate attends
    )
    club = programme(id=1, sessions=sessions)
    enrolments = [Enrolment(subject_id=7, session_id=13)]
    subject = profile(curfew=DailyWindow(21 * 60, 7 * 60), non_associates=(7,))
    result = match_both(subject, [club], enrolments)
    (suggestion,) = result.suggestions
    assert [s.session_id for s in suggestion.sessions] == [11]
    assert [(s.session_id, [(r.code, r.sentence) for r in s.reasons]) for s in suggestion.ruled_out] == [
        (13, [("non_associate", "A person the subject must not associate with is referred to this session")]),
        (12, [("curfew_clash", "Thursday 20:00–22:00 runs into the curfew (21:00–07:00)")]),
    ]
    alone = match_both(subject, [programme(id=1, sessions=sessions[1:])], enrolments)
    assert {sentence for _, sentence in reasons_of(alone, 1)} == {
        r.sentence for s in suggestion.ruled_out for r in s.reasons
    }


def test_every_feasible_suggestion_can_be_reached_page_by_page():
    programmes = [programme_at(i, 300.0 * i) for i in range(1, 8)]
    first = match_both(profile(), programmes, limit=3)
    second = match_both(profile(), programmes, limit=3, offset=3)
    third = match_both(profile(), programmes, limit=3, offset=6)
    assert first.feasible_total == second.feasible_total == 7
    assert suggested_ids(first) + suggested_ids(second) + suggested_ids(third) == list(range(1, 8))
    assert second.plan == first.plan


def _all_wording(result) -> list[str]:
    texts = [result.plan.note, *(p.reason for p in result.plan.sessions)]
    for suggestion in result.suggestions:
        texts += [suggestion.summary, suggestion.late_start, *(c.reason for c in suggestion.components)]
        texts += [r.sentence for s in suggestion.ruled_out for r in s.reasons]
    texts += [r.sentence for e in result.exclusions for r in e.reasons]
    return texts


def test_no_reason_speaks_to_the_young_person():
    from matching.catalogue import prepare
    from matching.engine import match

    world = build_world(400, 12, seed=5)
    catalogue = prepare(world.programmes)
    wording = []
    for subject in world.subjects:
        wording += _all_wording(match(subject, catalogue, world.enrolments, WORLD_TODAY, WORLD_TODAY, WORLD_TODAY))
    assert len(wording) > 200
    assert [text for text in wording if re.search(r"\byours?\b", text, re.IGNORECASE)] == []


def test_a_postcode_already_in_the_venue_name_is_not_repeated():
    named = venue(name="Mile End Hall (E3 2AA)", postcode="E3 2AA", easting=HOME[0] + 6000.0)
    result = match_both(profile(), [programme(venues=(named,))])
    (sentence,) = [s for _, s in reasons_of(result, 1)]
    assert sentence.startswith("Venue Mile End Hall (E3 2AA) is 6.0 km from home")


def test_soon_after_school_allows_for_the_journey():
    at_half_three = (session(start=930, end=1020),)  # school ends 15:30; 3 km takes 12 + 10 minutes
    far = programme(venues=(venue(easting=HOME[0] + 3000.0),), sessions=at_half_three)
    reason = next(c.reason for c in match_both(profile(), [far]).suggestions[0].components if c.name == "schedule")
    assert "soon after" not in reason
    assert reason.endswith(
        "Tuesday 15:30 starts 0 min after school ends, less than the 22 min it takes to get there from home"
    )
    reachable = programme(sessions=(session(start=960, end=1020),))  # 500 m: 12 minutes, 30 to spare
    reason = next(
        c.reason for c in match_both(profile(), [reachable]).suggestions[0].components if c.name == "schedule"
    )
    assert reason.endswith("Tuesday 16:00 starts soon after school")


def test_a_programme_that_starts_after_the_requirement_says_how_many_sessions_would_be_missed():
    later = programme(sessions=(session(term_start=date(2025, 12, 9)),))  # Tuesdays; the order starts Mon 24 Nov
    (suggestion,) = match_both(profile(), [later]).suggestions
    assert suggestion.late_start == (
        "Starts on 9 Dec 2025, after the requirement would start on 24 Nov 2025: Tyler would miss 2 sessions"
    )
    (on_time,) = match_both(profile(), [programme()]).suggestions
    assert on_time.late_start == ""


def test_a_family_can_be_chosen_as_the_activity_filter():
    from matching.model import MatchFilters

    kickboxing = dict(BOXING, title="Kick Academy", activity_types=("kickboxing",))
    football = dict(BOXING, title="Sunday League", activity_types=("football",))
    catalogue = [
        programme_at(1, 1000.0, **BOXING),
        programme_at(2, 900.0, **kickboxing),
        programme_at(3, 800.0, **football),
    ]
    result = match_both(profile(), catalogue, filters=MatchFilters(activity_type="combat-sports"))
    assert sorted(suggested_ids(result)) == [1, 2]
