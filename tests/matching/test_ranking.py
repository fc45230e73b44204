"""Each ranking component moves the score the way it should, and says why in English."""

from datetime import timedelta

import pytest

from matching.model import WeeklyWindow
from matching.scoring import SCORE_WEIGHTS
from tests.matching.builders import TODAY, match_both, profile, programme, programme_at, session, suggested_ids


def component(suggestion, name):
    return next(c for c in suggestion.components if c.name == name)


def only(result, programme_id):
    return next(s for s in result.suggestions if s.programme_id == programme_id)


def test_weights_are_one_clear_constant_summing_to_100():
    assert sum(SCORE_WEIGHTS.values()) == 100
    assert list(SCORE_WEIGHTS) == ["interests", "cultural", "distance", "schedule", "freshness"]


def test_score_is_the_sum_of_components_within_rounding():
    suggestion = match_both(profile(interest_text="boxing"), [programme()]).suggestions[0]
    assert 0 <= suggestion.score <= 100
    assert sum(c.points for c in suggestion.components) == pytest.approx(suggestion.score, abs=0.3)
    assert all(0 <= c.points <= c.max_points for c in suggestion.components)


FOOTBALL = dict(title="Hackney Sunday League", description="Weekly games", activity_types=("football",), tags=())


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("fotball", "Matches Tyler's interest 'fotball' → Football"),
        ("footy, music", "Matches Tyler's interest 'footy' → Football"),
        ("soccer", "Matches Tyler's interest 'soccer' → Football"),
    ],
)
def test_interest_in_football_however_it_is_written(said, expected):
    result = match_both(profile(interest_text=said), [programme_at(1, 3000.0, **FOOTBALL), programme_at(2, 500.0)])
    assert suggested_ids(result)[0] == 1
    assert component(only(result, 1), "interests").reason == expected
    confidence = 0.9333 if said == "fotball" else 1.0  # Indel similarity of the typo
    assert component(only(result, 1), "interests").points == pytest.approx(
        SCORE_WEIGHTS["interests"] * confidence, abs=0.1
    )


@pytest.mark.parametrize(
    ("said", "slug", "name"),
    [
        ("MMA", "martial-arts", "Martial arts"),
        ("boxxing", "boxing", "Boxing"),
        ("musik", "music", "Music and music production"),
        ("wants to get into music production", "music", "Music and music production"),
        ("needs help with CV", "employment-training", "Employment and training"),
        ("hoops", "basketball", "Basketball"),
    ],
)
def test_synonyms_and_typos_reach_the_activity_type(said, slug, name):
    target = programme_at(
        1, 2000.0, title="Tuesday sessions", description="Open to all", activity_types=(slug,), tags=()
    )
    result = match_both(
        profile(interest_text=said),
        [
            target,
            programme_at(2, 500.0, activity_types=("cooking-nutrition",), tags=(), title="Kitchen", description=""),
        ],
    )
    assert suggested_ids(result)[0] == 1
    assert component(only(result, 1), "interests").reason.endswith(f"→ {name}")


def test_a_word_in_the_description_counts_less_than_the_activity_type():
    by_text = programme_at(
        1, 1000.0, title="Games night", description="Chess and board games", activity_types=("youth-club",), tags=()
    )
    result = match_both(profile(interest_text="chesss"), [by_text])
    interests = component(result.suggestions[0], "interests")
    assert interests.reason == "Matches Tyler's interest 'chesss' → 'chess' in the description"
    assert 0 < interests.points < 0.7 * SCORE_WEIGHTS["interests"]


def test_a_parent_interest_is_met_by_a_child_type():
    result = match_both(profile(interest_activity_types=("sport",)), [programme()])
    assert component(result.suggestions[0], "interests").reason == "Matches Tyler's interest 'Sport' → Boxing"


def test_no_interests_recorded_is_neutral():
    interests = component(match_both(profile(), [programme()]).suggestions[0], "interests")
    assert interests.points == SCORE_WEIGHTS["interests"] / 2
    assert interests.reason == "No interests are recorded"


def test_unmatched_interests_score_nothing():
    interests = component(match_both(profile(interest_text="swimming"), [programme()]).suggestions[0], "interests")
    assert (interests.points, interests.reason) == (0.0, "Does not match Tyler's recorded interests")


def test_preferred_language_ranks_higher_and_is_named():
    english = programme_at(1, 1000.0)
    bengali = programme_at(2, 1000.0, languages=("en", "bn"))
    polish = programme_at(3, 1000.0, languages=("pl",))
    result = match_both(profile(languages=("bn", "en")), [english, bengali, polish])
    assert suggested_ids(result) == [2, 1, 3]
    assert component(only(result, 2), "cultural").reason.startswith("Sessions in Bengali")
    assert component(only(result, 1), "cultural").reason.startswith("Sessions in English, not Bengali")
    assert component(only(result, 3), "cultural").reason.startswith("No shared language (sessions in Polish)")


def test_needs_met_and_missing_are_named():
    plain = programme_at(1, 1000.0)
    halal = programme_at(2, 1000.0, provisions=("halal-food", "male-staff"))
    result = match_both(profile(needs=("halal-food", "interpreter-available")), [plain, halal])
    assert suggested_ids(result) == [2, 1]
    assert component(only(result, 2), "cultural").reason == (
        "Sessions in English; provides Halal food; missing Interpreter available"
    )


def test_closer_is_better():
    result = match_both(profile(), [programme_at(1, 2100.0), programme_at(2, 400.0)])
    assert suggested_ids(result) == [2, 1]
    assert component(only(result, 1), "distance").reason == "2.1 km from home"
    assert component(only(result, 2), "distance").reason == "400 m from home"


def test_more_sessions_a_week_score_higher():
    two = (session(id=20, venue_id=2, weekday=2), session(id=21, venue_id=2, weekday=3))
    result = match_both(profile(), [programme_at(1, 1000.0), programme_at(2, 1000.0, sessions=two)])
    assert suggested_ids(result) == [2, 1]
    assert component(only(result, 2), "schedule").reason.startswith("2 sessions a week fit the timetable")


def test_starting_soon_after_school_earns_a_bonus():
    late = programme_at(1, 1000.0, sessions=(session(id=10, venue_id=1, start=1140, end=1230),))
    straight_after = programme_at(2, 1000.0, sessions=(session(id=20, venue_id=2, start=960, end=1050),))
    result = match_both(profile(), [late, straight_after])
    assert suggested_ids(result) == [2, 1]
    assert component(only(result, 2), "schedule").reason == (
        "1 session a week fits the timetable; Tuesday 16:00 starts soon after school"
    )


def test_college_counts_as_school_for_the_bonus_but_work_does_not():
    work = (WeeklyWindow(1, 600, 900, "work", "Saturday job"),)
    result = match_both(
        profile(commitments=work), [programme_at(1, 1000.0, sessions=(session(id=1, venue_id=1, start=930),))]
    )
    assert "soon after" not in component(result.suggestions[0], "schedule").reason


@pytest.mark.parametrize(
    ("days", "reason"),
    [
        (0, "Details confirmed today"),
        (21, "Details confirmed 3 weeks ago"),
        (200, "Details confirmed 6 months ago"),
        (400, "Details last confirmed over a year ago"),
    ],
)
def test_freshness(days, reason):
    result = match_both(profile(), [programme(assured_on=TODAY - timedelta(days=days))])
    assert component(result.suggestions[0], "freshness").reason == reason


def test_recently_confirmed_ranks_higher():
    stale = programme_at(1, 1000.0, assured_on=TODAY - timedelta(days=300))
    fresh = programme_at(2, 1000.0, assured_on=TODAY - timedelta(days=10))
    assert suggested_ids(match_both(profile(), [stale, fresh])) == [2, 1]


def test_ties_go_to_the_lower_programme_id():
    twins = [programme_at(i, 1000.0) for i in (5, 3, 4)]
    result = match_both(profile(), twins)
    assert suggested_ids(result) == [3, 4, 5]
    assert len({s.score for s in result.suggestions}) == 1


def test_limit_keeps_the_best():
    result = match_both(profile(), [programme_at(i, 100.0 * i) for i in range(1, 8)], limit=3)
    assert suggested_ids(result) == [1, 2, 3]
    assert result.feasible_total == 7


def test_suggestion_lists_sessions_with_venue_details_and_a_summary():
    suggestion = match_both(profile(interest_text="boxing"), [programme()]).suggestions[0]
    (listed,) = suggestion.sessions
    assert (listed.session_id, listed.weekday, listed.start, listed.end) == (1, 1, 990, 1080)
    assert (listed.venue_name, listed.postcode, listed.distance_m) == ("Bow Boxing Club", "E3 2AA", 500.0)
    assert suggestion.summary == (
        "Bow Boxing Juniors (Bow Youth Trust): 1 session a week that fits, nearest 500 m from home; matches 'boxing'"
    )
