"""Who the order is for: minimum age and the extra safeguards for under-18s."""

from dataclasses import replace
from datetime import date

from portal.rules.orders import check_order
from tests.orders.builders import START, messages, order, problem_codes


def test_the_complete_under_18_order_is_ready_for_court():
    result = check_order(order())

    assert result.problems == ()
    assert result.warnings == ()
    assert result.ready_for_court
    assert (result.start, result.end, result.age_at_start) == (START, date(2027, 8, 31), 15)


def test_a_subject_aged_11_on_the_start_date_is_too_young():
    result = check_order(order(subject_date_of_birth=date(2014, 3, 2)))

    assert "too_young" in problem_codes(result)
    assert messages(result, "too_young") == [
        "The subject is 11 on the start date (1 March 2026); a KCPO can only be made for someone aged 12 or over"
    ]


def test_a_subject_turning_12_on_the_start_date_is_old_enough():
    assert "too_young" not in problem_codes(check_order(order(subject_date_of_birth=date(2014, 3, 1))))


def test_a_17_year_old_on_the_start_date_needs_a_positive_requirement():
    result = check_order(order(subject_date_of_birth=date(2008, 3, 2), requirements=()))

    assert "under_18_no_positive_requirement" in problem_codes(result)
    assert result.problems[0].field == "requirements"


def test_someone_18_on_the_start_date_may_have_prohibitions_only():
    result = check_order(order(subject_date_of_birth=date(2008, 3, 1), requirements=()))

    assert "under_18_no_positive_requirement" not in problem_codes(result)


def test_an_under_18_without_a_recorded_yot_outcome_cannot_go_to_court():
    result = check_order(order(yot_outcome=" "))

    [problem] = result.problems
    assert (problem.code, problem.field) == ("under_18_no_yot", "yot_outcome")
    assert problem.message.endswith("record the outcome")


def test_every_missing_part_of_the_yot_consultation_is_named():
    result = check_order(order(yot_team="", yot_consulted_on=None, yot_outcome=""))

    assert messages(result, "under_18_no_yot") == [
        "The subject is under 18, so the youth offending team must be consulted before applying: record "
        "the youth offending team, the date consulted and the outcome"
    ]


def test_an_adult_needs_no_yot_consultation_or_guardian():
    adult = order(subject_date_of_birth=date(2000, 1, 1), yot_team="", yot_consulted_on=None, yot_outcome="")

    assert check_order(replace_guardian(adult, name="", reason="")).ready_for_court


def test_yot_consultation_follows_the_age_when_applying_not_only_at_the_start():
    turning_18_before_start = order(subject_date_of_birth=date(2008, 3, 1), yot_team="")

    assert "under_18_no_yot" in problem_codes(check_order(turning_18_before_start))


def test_an_under_18_with_no_guardian_and_no_reason_fails():
    result = check_order(replace_guardian(order(), name="", reason=""))

    assert problem_codes(result) == ["under_18_no_guardian"]
    assert result.problems[0].field == "guardian_name"


def test_a_reason_for_naming_no_guardian_is_enough():
    result = check_order(
        replace_guardian(order(), name="", reason="Lives in supported housing; no contact with parents")
    )

    assert result.ready_for_court


def replace_guardian(facts, name: str, reason: str):
    return replace(facts, guardian_name=name, guardian_relationship="", guardian_absent_reason=reason)
