"""Orders, their parts and their checks."""

from dataclasses import asdict
from typing import Any

from portal.api.serialisers.base import BOOL, DATE, DATETIME, INT, STR, TIME, arr, null, obj, ref, schema
from portal.models import Order
from portal.rules.orders.checks import CheckResult, Problem

PROBLEM = obj(
    {"code": STR, "message": STR, "field": null(STR), "requirement_id": null(INT), "prohibition_id": null(INT)}
)
schema(
    "Checks",
    {
        "ready_for_court": BOOL,
        "problems": arr(PROBLEM),
        "warnings": arr(PROBLEM),
        "start": null(DATE),
        "end": null(DATE),
        "age_at_start": null(INT),
    },
)
ORDER_FIELDS = (
    "subject_id status order_version replaces_id route police_area applicant court proposed_start start_on_release "
    "duration_months necessity_statement conviction_offence conviction_date sentence yot_team yot_consulted_on "
    "yot_outcome guardian_name guardian_relationship guardian_absent_reason filed_at made_on made_by_court "
    "final_terms version"
).split()
ORDER_TYPES = {
    "subject_id": INT,
    "order_version": INT,
    "replaces_id": null(INT),
    "proposed_start": null(DATE),
    "start_on_release": BOOL,
    "duration_months": INT,
    "conviction_date": null(DATE),
    "yot_consulted_on": null(DATE),
    "filed_at": null(DATETIME),
    "made_on": null(DATE),
    "version": INT,
}
REFERRAL_SUMMARY = obj({"id": INT, "status": STR, "organisation_id": INT, "responded_at": null(DATETIME)})
REQUIREMENT_TYPES: dict[str, Any] = {
    "id": INT,
    "kind": STR,
    "activity": STR,
    "programme_id": null(INT),
    "session_id": null(INT),
    "place_name": STR,
    "place_address": STR,
    "place_postcode": STR,
    "weekday": null(INT),
    "start_time": TIME,
    "end_time": TIME,
    "supervisor_name": STR,
    "supervisor_organisation_id": null(INT),
    "starts_on": null(DATE),
    "ends_on": null(DATE),
    "necessity_rationale": STR,
    "accepted_from_suggestion": BOOL,
}
PROHIBITION_TYPES: dict[str, Any] = {
    "id": INT,
    "kind": STR,
    "description": STR,
    "exclusion_zone_id": null(INT),
    "postcode": STR,
    "radius_m": null(INT),
    "person_subject_id": null(INT),
    "exceptions": STR,
    "starts_on": null(DATE),
    "ends_on": null(DATE),
}
OCCASION_TYPES: dict[str, Any] = {
    "id": INT,
    "occurred_on": DATE,
    "location_type": STR,
    "summary": STR,
    "good_reason_claimed": STR,
}
schema(
    "Order",
    {"id": INT, "subject_reference": STR}
    | {name: ORDER_TYPES.get(name, STR) for name in ORDER_FIELDS}
    | {
        "occasions": arr(obj(OCCASION_TYPES)),
        "requirements": arr(obj(REQUIREMENT_TYPES | {"referral": null(REFERRAL_SUMMARY)})),
        "prohibitions": arr(obj(PROHIBITION_TYPES)),
        "checks": ref("Checks"),
    },
)


def problem(found: Problem) -> dict[str, Any]:
    return asdict(found)


def checks(result: CheckResult) -> dict[str, Any]:
    return {
        "ready_for_court": result.ready_for_court,
        "problems": [problem(p) for p in result.problems],
        "warnings": [problem(p) for p in result.warnings],
        "start": result.start,
        "end": result.end,
        "age_at_start": result.age_at_start,
    }


def order(found: Order, result: CheckResult) -> dict[str, Any]:
    def referral(requirement: Any) -> dict[str, Any] | None:
        found_referral = requirement.referral
        if found_referral is None:
            return None
        return {
            "id": found_referral.id,
            "status": str(found_referral.status),
            "organisation_id": found_referral.organisation_id,
            "responded_at": found_referral.responded_at,
        }

    return (
        {"id": found.id, "subject_reference": found.subject.reference}
        | {name: getattr(found, name) for name in ORDER_FIELDS}
        | {
            "occasions": [{name: getattr(o, name) for name in OCCASION_TYPES} for o in found.occasions],
            "requirements": [
                {name: getattr(r, name) for name in REQUIREMENT_TYPES} | {"referral": referral(r)}
                for r in found.requirements
            ],
            "prohibitions": [{name: getattr(p, name) for name in PROHIBITION_TYPES} for p in found.prohibitions],
            "checks": checks(result),
        }
    )
