"""A complete, valid s.14 draft order for a 15-year-old, overridable field by field."""

from dataclasses import replace
from datetime import date, datetime

from portal.rules.orders import (
    CheckResult,
    LegalBasisFacts,
    OccasionFacts,
    OrderFacts,
    ProhibitionFacts,
    RequirementFacts,
    WindowFacts,
)

TODAY = date(2026, 2, 10)
START = date(2026, 3, 1)
BOW = (536_900.0, 182_800.0)
MONDAY, TUESDAY, FRIDAY, SUNDAY = 0, 1, 4, 6

SCHOOL = tuple(WindowFacts(day, 520, 930, "school", "Mulberry Academy") for day in range(5))  # 08:40-15:30
SUNDAY_SERVICE = WindowFacts(SUNDAY, 600, 720, "observance", "Sunday service")  # 10:00-12:00


def requirement(**changes) -> RequirementFacts:
    base = RequirementFacts(
        id=1,
        kind="participate",
        activity="boxing coaching",
        place_name="Bow Boxing Club",
        place_address="12 Roman Road",
        place_postcode="E3 2AA",
        easting=BOW[0],
        northing=BOW[1],
        weekday=TUESDAY,
        start=17 * 60,
        end=19 * 60,
        starts_on=None,
        ends_on=None,
        supervisor_name="Dan Hughes",
        supervisor_organisation="Bow Boxing Club",
        referral_status="accepted",
        confirmed_by="Sam Patel",
        confirmed_at=datetime(2026, 2, 3, 14, 5),
        co_attendee_subject_ids=(12,),
        necessity_rationale="Structured evening sport with a mentor keeps him away from the Whitechapel group",
    )
    return replace(base, **changes)


def mile_end_requirement(**changes) -> RequirementFacts:
    """A second session 3 km north of Bow: 12 minutes at 15 km/h plus the 10-minute buffer."""
    base = requirement(
        id=2,
        activity="mentoring",
        place_name="Mile End Leisure Centre",
        place_address="190 Grove Road",
        place_postcode="E3 5TG",
        easting=BOW[0],
        northing=BOW[1] + 3_000,
        start=19 * 60 + 30,
        end=20 * 60 + 30,
        supervisor_name="Aisha Rahman",
        supervisor_organisation="Step Up Mentoring",
    )
    return replace(base, **changes)


def place_prohibition(**changes) -> ProhibitionFacts:
    base = ProhibitionFacts(
        id=1,
        kind="place",
        description="Whitechapel Road area",
        exceptions="",
        easting=534_500.0,
        northing=181_600.0,
        radius_m=800.0,
        person_subject_id=None,
        person_label="",
        starts_on=None,
        ends_on=None,
        place_postcode="E1 1BB",
    )
    return replace(base, **changes)


def person_prohibition(**changes) -> ProhibitionFacts:
    base = place_prohibition(
        id=2,
        kind="person",
        description="",
        easting=None,
        northing=None,
        radius_m=None,
        person_subject_id=77,
        person_label="Jordan Smith (born 2 February 2009)",
        place_postcode="",
    )
    return replace(base, **changes)


def internet_prohibition(**changes) -> ProhibitionFacts:
    base = person_prohibition(id=3, kind="internet", person_subject_id=None, person_label="")
    return replace(base, **changes)


def order(**changes) -> OrderFacts:
    base = OrderFacts(
        route="s14",
        police_area="Metropolitan Police",
        applicant="Commissioner of Police of the Metropolis",
        court="Thames Magistrates' Court",
        proposed_start=START,
        start_on_release=False,
        duration_months=18,
        necessity_statement="Carried a knife twice in a year near the Whitechapel group; needs protecting from them",
        conviction_offence="",
        conviction_date=None,
        sentence="",
        yot_team="Tower Hamlets Youth Justice Service",
        yot_consulted_on=date(2026, 2, 2),
        yot_outcome="Supports boxing and mentoring; asks for evening sessions outside school",
        guardian_name="Grace Okafor",
        guardian_relationship="mother",
        guardian_absent_reason="",
        subject_reference="KCPO-2026-0042",
        subject_name="Daniel Okafor",
        subject_date_of_birth=date(2010, 5, 4),
        subject_windows=(*SCHOOL, SUNDAY_SERVICE),
        curfew=(21 * 60, 7 * 60),
        non_associate_ids=(55,),
        occasions=(
            OccasionFacts(date(2025, 6, 14), "public-place"),
            OccasionFacts(date(2025, 11, 2), "school-premises"),
        ),
        requirements=(requirement(),),
        prohibitions=(place_prohibition(), person_prohibition(), internet_prohibition()),
        legal_bases=(LegalBasisFacts("Metropolitan Police", "Commencement (test data)", date(2021, 7, 5), None),),
        today=TODAY,
    )
    return replace(base, **changes)


def problem_codes(result: CheckResult) -> list[str]:
    return [problem.code for problem in result.problems]


def warning_codes(result: CheckResult) -> list[str]:
    return [warning.code for warning in result.warnings]


def messages(result: CheckResult, code: str) -> list[str]:
    return [problem.message for problem in (*result.problems, *result.warnings) if problem.code == code]
