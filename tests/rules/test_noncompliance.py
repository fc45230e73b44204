"""The local-policy non-compliance rules, edge by edge (pure: no app, no database)."""

from dataclasses import replace
from datetime import date, datetime, time

import pytest

from portal.rules import noncompliance as rules
from portal.rules.noncompliance import EventFacts, MarkFacts, NonCompliancePolicy, age_from_birth, evaluate

TUESDAYS = [date(2026, 10, 6), date(2026, 10, 13), date(2026, 10, 20)]
UNDER_18 = age_from_birth(date(2010, 5, 1))
ADULT = age_from_birth(date(2000, 5, 1))


def absent(mark_id: int, on_date: date, requirement_id: int = 1, **fields) -> MarkFacts:
    values = {
        "absence_acceptable": False,
        "absence_reason": "Said he overslept",
        "contact_attempts": "Phoned mother at 17:20, no answer",
        "activity": "Weekly football coaching",
        "place_name": "Roman Road Gym",
        "start_time": time(17, 0),
        "end_time": time(19, 0),
    }
    return MarkFacts(id=mark_id, requirement_id=requirement_id, on_date=on_date, status="absent", **(values | fields))


def curfew(event_id: int, minutes_late: int | None, day: date = date(2026, 11, 1)) -> EventFacts:
    return EventFacts(event_id, "curfew", datetime.combine(day, time(21, 0)), minutes_late, "Doorstep check")


def codes(findings: list[rules.Finding]) -> list[str]:
    return [finding.rule_code for finding in findings]


def test_one_unacceptable_absence_of_an_under_18_raises_nothing() -> None:
    assert evaluate(UNDER_18, [absent(1, TUESDAYS[0])], []) == []


def test_two_unacceptable_absences_from_the_same_activity_raise_one_finding() -> None:
    findings = evaluate(UNDER_18, [absent(1, TUESDAYS[0]), absent(2, TUESDAYS[1])], [])
    assert codes(findings) == [rules.U18_ABSENCES]
    assert findings[0].requirement_id == 1
    assert findings[0].mark_ids == (1, 2)
    assert findings[0].evidence_ids == (1, 2)
    assert findings[0].under_18


def test_absences_from_different_activities_are_not_added_together() -> None:
    marks = [absent(1, TUESDAYS[0], requirement_id=1), absent(2, TUESDAYS[1], requirement_id=2)]
    assert evaluate(UNDER_18, marks, []) == []


def test_acceptable_absences_cancellations_and_late_arrivals_never_count() -> None:
    marks = [
        absent(1, TUESDAYS[0], absence_acceptable=True),
        MarkFacts(2, 1, TUESDAYS[1], "cancelled"),
        MarkFacts(3, 1, TUESDAYS[2], "late", minutes_late=40),
        absent(4, date(2026, 10, 27)),
    ]
    assert evaluate(UNDER_18, marks, []) == []
    assert codes(evaluate(ADULT, marks, [])) == [rules.ADULT_ABSENCE]  # only the one unacceptable absence


def test_an_absence_with_no_acceptable_reason_decided_counts() -> None:
    marks = [absent(1, TUESDAYS[0], absence_acceptable=None), absent(2, TUESDAYS[1], absence_acceptable=None)]
    assert codes(evaluate(UNDER_18, marks, [])) == [rules.U18_ABSENCES]


@pytest.mark.parametrize(("minutes", "reported"), [(0, False), (15, False), (16, True), (90, True), (None, True)])
def test_under_18_curfew_is_reported_only_when_more_than_15_minutes_late(minutes: int | None, reported: bool) -> None:
    assert codes(evaluate(UNDER_18, [], [curfew(1, minutes)])) == ([rules.U18_CURFEW] if reported else [])


@pytest.mark.parametrize("kind", ["prohibited-place", "prohibited-person", "other-prohibition"])
def test_any_prohibition_contravened_by_an_under_18_is_reported(kind: str) -> None:
    event = EventFacts(7, kind, datetime(2026, 11, 2, 16, 30), None, "Seen in Mile End Park")
    findings = evaluate(UNDER_18, [], [event])
    assert codes(findings) == [rules.U18_PROHIBITION]
    assert findings[0].event_ids == (7,)
    assert findings[0].requirement_id is None


def test_prohibitions_can_be_left_to_the_officer_by_local_policy() -> None:
    event = EventFacts(7, "prohibited-place", datetime(2026, 11, 2, 16, 30), None, "")
    assert evaluate(UNDER_18, [], [event], NonCompliancePolicy(under18_prohibition_breach=False)) == []


def test_adults_any_failure_is_reported() -> None:
    assert codes(evaluate(ADULT, [absent(1, TUESDAYS[0])], [])) == [rules.ADULT_ABSENCE]
    assert codes(evaluate(ADULT, [], [curfew(1, 1)])) == [rules.ADULT_CURFEW]
    assert evaluate(ADULT, [], [curfew(1, 0)]) == []
    place = EventFacts(2, "prohibited-place", datetime(2026, 11, 2, 16, 30), None, "")
    assert codes(evaluate(ADULT, [], [place])) == [rules.ADULT_PROHIBITION]


def test_each_adult_absence_is_its_own_finding() -> None:
    findings = evaluate(ADULT, [absent(1, TUESDAYS[0]), absent(2, TUESDAYS[1])], [])
    assert [finding.mark_ids for finding in findings] == [(1,), (2,)]


def test_adults_can_be_held_to_the_under_18_thresholds() -> None:
    policy = NonCompliancePolicy(adults_report_any_failure=False)
    assert evaluate(ADULT, [absent(1, TUESDAYS[0])], [], policy) == []
    assert codes(evaluate(ADULT, [absent(1, TUESDAYS[0]), absent(2, TUESDAYS[1])], [], policy)) == [rules.ADULT_ABSENCE]
    assert evaluate(ADULT, [], [curfew(1, 15)], policy) == []
    assert codes(evaluate(ADULT, [], [curfew(1, 16)], policy)) == [rules.ADULT_CURFEW]


def test_the_thresholds_are_local_policy() -> None:
    two = [absent(1, TUESDAYS[0]), absent(2, TUESDAYS[1])]
    three = [*two, absent(3, TUESDAYS[2])]
    policy = NonCompliancePolicy(under18_absences_threshold=3, under18_curfew_minutes=30)
    assert evaluate(UNDER_18, two, [], policy) == []
    assert codes(evaluate(UNDER_18, three, [], policy)) == [rules.U18_ABSENCES]
    assert evaluate(UNDER_18, [], [curfew(1, 30)], policy) == []
    assert codes(evaluate(UNDER_18, [], [curfew(1, 31)], policy)) == [rules.U18_CURFEW]


def test_age_is_taken_on_the_date_of_each_failure() -> None:
    turns_18_on = date(2026, 10, 10)
    age = age_from_birth(date(2008, 10, 10))
    findings = evaluate(age, [absent(1, TUESDAYS[0]), absent(2, TUESDAYS[1])], [])
    # The first absence was at 17 (one is not enough); the second at 18, when any failure is reported.
    assert codes(findings) == [rules.ADULT_ABSENCE]
    assert findings[0].mark_ids == (2,)
    assert age(turns_18_on) == 18
    assert codes(evaluate(age, [], [curfew(1, 10, date(2026, 10, 9))])) == []
    assert codes(evaluate(age, [], [curfew(1, 10, turns_18_on)])) == [rules.ADULT_CURFEW]


def test_a_fixed_age_is_accepted() -> None:
    assert codes(evaluate(16, [], [curfew(1, 16)])) == [rules.U18_CURFEW]
    assert codes(evaluate(30, [], [curfew(1, 1)])) == [rules.ADULT_CURFEW]


def test_facts_record_what_happened_and_never_the_policy_wording() -> None:
    policy = replace(NonCompliancePolicy(), wording_absences="Two misses is more than trivial, says local policy.")
    finding = evaluate(UNDER_18, [absent(1, TUESDAYS[0]), absent(2, TUESDAYS[1], absence_reason="")], [], policy)[0]
    assert "Tuesday 6 October 2026" in finding.facts
    assert "Tuesday 13 October 2026" in finding.facts
    assert "17:00 to 19:00" in finding.facts
    assert "Said he overslept" in finding.facts
    assert "Reason given: none recorded" in finding.facts
    assert "Phoned mother at 17:20, no answer" in finding.facts
    assert "Weekly football coaching" in finding.facts
    assert "more than trivial" not in finding.facts
    assert finding.rule_wording == policy.wording_absences
    curfew_facts = evaluate(UNDER_18, [], [curfew(1, 16)])[0].facts
    assert "Minutes late: 16" in curfew_facts and "Doorstep check" in curfew_facts and "21:00" in curfew_facts


def test_the_evidence_key_names_sessions_so_a_corrected_mark_is_the_same_evidence() -> None:
    first = evaluate(UNDER_18, [absent(1, TUESDAYS[0]), absent(2, TUESDAYS[1])], [])[0]
    corrected = evaluate(UNDER_18, [absent(1, TUESDAYS[0]), absent(9, TUESDAYS[1])], [])[0]
    assert first.evidence_key == corrected.evidence_key == {"session:1:2026-10-06", "session:1:2026-10-13"}
    assert evaluate(UNDER_18, [], [curfew(4, 20)])[0].evidence_key == {"event:4"}


def test_a_policy_that_could_never_raise_anything_is_refused() -> None:
    with pytest.raises(ValueError):
        NonCompliancePolicy(under18_absences_threshold=0)
    with pytest.raises(ValueError):
        NonCompliancePolicy(under18_curfew_minutes=-1)
