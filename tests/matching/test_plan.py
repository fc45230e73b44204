from itertools import combinations

from matching.model import PlanSettings
from matching.plan import compatible, plan_week, travel_minutes
from tests.matching.builders import HOME, match_both, profile, programme_at, session, venue


def weekly(*programmes, settings=None, **subject):
    settings = settings or PlanSettings()
    return match_both(profile(**subject), programmes, plan_settings=settings).plan


def programme_on(programme_id, weekday, start, end, metres_east=1000.0, metres_north=0.0):
    place = venue(id=programme_id, easting=HOME[0] + metres_east, northing=HOME[1] + metres_north)
    return programme_at(
        programme_id,
        metres_east,
        venues=(place,),
        sessions=(session(id=programme_id * 10, venue_id=programme_id, weekday=weekday, start=start, end=end),),
    )


def test_plan_takes_up_to_three_sessions_from_distinct_programmes_without_overlap():
    plan = weekly(*(programme_on(i, i % 3, 960 + 30 * (i % 2), 1050) for i in range(1, 7)))
    assert 1 <= len(plan.sessions) <= 3
    assert len({p.programme_id for p in plan.sessions}) == len(plan.sessions)
    for a, b in combinations([p.session for p in plan.sessions], 2):
        assert a.weekday != b.weekday or a.end <= b.start or b.end <= a.start
    assert len(plan.sessions) == 3


def test_same_day_sessions_need_time_to_travel():
    first = programme_on(1, 1, 960, 1020, metres_east=0.0, metres_north=500.0)
    too_soon = programme_on(2, 1, 1040, 1100, metres_east=0.0, metres_north=-4500.0)  # 5 km on: 20 + 10 minutes
    plan = weekly(first, too_soon, max_travel_m=None)
    assert len(plan.sessions) == 1


def test_same_day_sessions_with_enough_gap_are_both_planned():
    first = programme_on(1, 1, 960, 1020, metres_east=0.0, metres_north=500.0)
    later = programme_on(2, 1, 1050, 1110, metres_east=0.0, metres_north=-4500.0)
    plan = weekly(first, later, max_travel_m=None)
    assert [p.programme_id for p in plan.sessions] == [1, 2]
    assert plan.sessions[1].reason.endswith("starts 30 min after Bow Boxing Club ends, allowing 30 min to travel")


def test_travel_time_depends_on_the_configured_speed():
    slow = PlanSettings(travel_speed_kmh=5.0)
    a = programme_on(1, 1, 960, 1020, metres_east=0.0, metres_north=500.0)
    b = programme_on(2, 1, 1050, 1110, metres_east=0.0, metres_north=-4500.0)
    assert len(weekly(a, b, settings=slow, max_travel_m=None).sessions) == 1


def test_travel_minutes_and_compatibility():
    result = match_both(
        profile(max_travel_m=None), [programme_on(1, 1, 960, 1020), programme_on(2, 1, 1022, 1080, 1500.0)]
    )
    a, b = (s.sessions[0] for s in sorted(result.suggestions, key=lambda s: s.programme_id))
    assert travel_minutes(a, b, PlanSettings()) == 12  # 500 m at 250 m/min rounds up to 2, plus 10
    assert not compatible(a, b, PlanSettings())
    assert compatible(a, b, PlanSettings(buffer_minutes=0))  # the 2-minute gap is exactly the ride


def test_each_planned_session_has_a_reason():
    plan = weekly(programme_on(1, 2, 960, 1020))
    (planned,) = plan.sessions
    assert planned.reason.startswith("Bow Boxing Juniors scores ")
    assert "Wednesday 16:00–17:00 at Bow Boxing Club, 1.0 km from home" in planned.reason


def test_no_suggestions_no_plan():
    assert plan_week(()).sessions == ()


def test_plan_prefers_the_best_scoring_programmes():
    near = [programme_on(i, i, 960, 1020, metres_east=100.0 * i) for i in range(1, 4)]
    far = programme_on(9, 5, 600, 660, metres_east=4900.0)
    result = match_both(profile(), [*near, far])
    assert sorted(p.programme_id for p in result.plan.sessions) == [1, 2, 3]
    assert result.plan.total_score == round(sum(s.score for s in result.suggestions[:3]), 1)
    assert result.suggestions[-1].programme_id == 9
