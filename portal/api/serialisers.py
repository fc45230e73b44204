"""What the API returns, and the JSON Schema of each (the OpenAPI components). Partners' views of referrals and
registers come only from the allow-listed dataclasses of the data layer, never from Subject or Order rows."""

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from matching import MatchResult
from matching.explain import clock
from matching.results import FeasibleSession, RuledOutSession
from portal.api.inputs import CLOCK_PATTERN
from portal.data.attendance import ExpectedSession, MarkView, Register
from portal.data.referrals import ReferralView
from portal.models import (
    AttendanceMark,
    ComplianceEvent,
    NonAssociation,
    NonComplianceReport,
    Order,
    Programme,
    ProgrammeSession,
    Subject,
    SubjectNote,
    Venue,
)
from portal.rules.dates import age_on
from portal.rules.orders.checks import CheckResult, Problem

# Schema building blocks

STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
NUM: dict[str, Any] = {"type": "number"}
BOOL: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
TIME: dict[str, Any] = {"type": "string", "pattern": CLOCK_PATTERN}
DATETIME: dict[str, Any] = {"type": "string", "format": "date-time"}
FREE: dict[str, Any] = {"type": "object"}


def null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def arr(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


STRS = arr(STR)
SCHEMAS: dict[str, dict[str, Any]] = {}


def schema(name: str, properties: dict[str, Any]) -> None:
    SCHEMAS[name] = obj(properties)


def page_schema(item: str) -> dict[str, Any]:
    return obj({"items": arr(ref(item)), "page": INT, "per_page": INT, "total": INT})


schema(
    "Error",
    {
        "error": {
            "type": "object",
            "properties": {
                "code": STR,
                "message": STR,
                "fields": {"type": "object", "additionalProperties": STR},
            },
            "required": ["code", "message", "fields"],
        }
    },
)

# Accounts

schema(
    "Me",
    {"id": INT, "full_name": STR, "email": STR, "role": STR, "organisation": null(obj({"id": INT, "name": STR}))},
)


def me(user: Any) -> dict[str, Any]:
    account = user.account
    organisation = user.organisation
    return {
        "id": account.id,
        "full_name": account.full_name,
        "email": account.email,
        "role": str(account.role),
        "organisation": {"id": organisation.id, "name": organisation.name} if organisation else None,
    }


# Programmes, venues, sessions

schema("Venue", {"id": INT, "name": STR, "address": STR, "postcode": STR, "version": INT})


def venue(found: Venue) -> dict[str, Any]:
    return {
        "id": found.id,
        "name": found.name,
        "address": found.address,
        "postcode": found.postcode,
        "version": found.version,
    }


schema(
    "Session",
    {
        "id": INT,
        "programme_id": INT,
        "venue": ref("Venue"),
        "weekday": INT,
        "start_time": TIME,
        "end_time": TIME,
        "term_start": DATE,
        "term_end": null(DATE),
        "exception_dates": arr(DATE),
        "version": INT,
    },
)


def session(found: ProgrammeSession) -> dict[str, Any]:
    return {
        "id": found.id,
        "programme_id": found.programme_id,
        "venue": venue(found.venue),
        "weekday": found.weekday,
        "start_time": found.start_time,
        "end_time": found.end_time,
        "term_start": found.term_start,
        "term_end": found.term_end,
        "exception_dates": list(found.exception_dates),
        "version": found.version,
    }


PROGRAMME_FIELDS = (
    "title description activity_types tags min_age max_age gender capacity cost_pence languages provisions "
    "accessibility_notes referral_process supervisor_name supervisor_role supervisor_email supervisor_phone "
    "valid_from valid_to assured_on status held_for_review version"
).split()
schema(
    "Programme",
    {
        "id": INT,
        "organisation": obj({"id": INT, "name": STR}),
        "title": STR,
        "description": STR,
        "activity_types": STRS,
        "tags": STRS,
        "min_age": INT,
        "max_age": INT,
        "gender": STR,
        "capacity": null(INT),
        "cost_pence": INT,
        "languages": STRS,
        "provisions": STRS,
        "accessibility_notes": STR,
        "referral_process": STR,
        "supervisor_name": STR,
        "supervisor_role": STR,
        "supervisor_email": STR,
        "supervisor_phone": STR,
        "valid_from": DATE,
        "valid_to": null(DATE),
        "assured_on": null(DATE),
        "status": STR,
        "held_for_review": BOOL,
        "version": INT,
        "sessions": arr(ref("Session")),
    },
)
SCHEMAS["ProgrammePage"] = page_schema("Programme")
SCHEMAS["DirectoryPage"] = obj(
    {
        "items": arr(obj({"programme": ref("Programme"), "distance_m": null(NUM), "matching_session_ids": arr(INT)})),
        "page": INT,
        "per_page": INT,
        "total": INT,
        "near_postcode": null(STR),
    }
)
SCHEMAS["VenueList"] = obj({"items": arr(ref("Venue"))})


def programme(found: Programme) -> dict[str, Any]:
    return (
        {"id": found.id, "organisation": {"id": found.organisation_id, "name": found.organisation.name}}
        | {name: getattr(found, name) for name in PROGRAMME_FIELDS}
        | {"sessions": [session(s) for s in found.sessions]}
    )


# Subjects

schema(
    "SubjectSummary",
    {"id": INT, "reference": STR, "first_name": STR, "last_name": STR, "age": INT, "postcode_district": STR},
)
SCHEMAS["SubjectPage"] = page_schema("SubjectSummary")
schema(
    "Subject",
    {
        "id": INT,
        "reference": STR,
        "first_name": STR,
        "last_name": STR,
        "date_of_birth": DATE,
        "gender": STR,
        "home_postcode": STR,
        "category": STR,
        "languages": STRS,
        "interest_activity_types": STRS,
        "interest_text": STR,
        "needs": STRS,
        "curfew_start": null(TIME),
        "curfew_end": null(TIME),
        "max_travel_km": null(INT),
        "windows": arr(
            obj({"id": INT, "kind": STR, "label": STR, "weekday": INT, "start_time": TIME, "end_time": TIME})
        ),
        "exclusion_zones": arr(obj({"id": INT, "label": STR, "postcode": STR, "radius_m": INT})),
        "non_associations": arr(
            obj({"id": INT, "subject_id": INT, "reference": STR, "name": STR, "recorded_at": DATETIME})
        ),
        "notes": arr(obj({"id": INT, "kind": STR, "text": STR, "author_name": STR, "created_at": DATETIME})),
        "version": INT,
    },
)


def subject_summary(found: Subject, today: Any) -> dict[str, Any]:
    return {
        "id": found.id,
        "reference": found.reference,
        "first_name": found.first_name,
        "last_name": found.last_name,
        "age": age_on(found.date_of_birth, today),
        "postcode_district": found.home_postcode.split(" ")[0],
    }


def subject(
    found: Subject,
    non_associates: Sequence[tuple[NonAssociation, Subject]] = (),
    notes: Sequence[tuple[SubjectNote, str]] = (),
) -> dict[str, Any]:
    """The subject with its weekly commitments and zones; with the non-associates and notes the subject page shows
    (from `portal.data.subjects.non_associates` and `notes_with_authors`)."""
    return {
        "id": found.id,
        "reference": found.reference,
        "first_name": found.first_name,
        "last_name": found.last_name,
        "date_of_birth": found.date_of_birth,
        "gender": found.gender,
        "home_postcode": found.home_postcode,
        "category": str(found.category),
        "languages": list(found.languages),
        "interest_activity_types": list(found.interest_activity_types),
        "interest_text": found.interest_text,
        "needs": list(found.needs),
        "curfew_start": found.curfew_start,
        "curfew_end": found.curfew_end,
        "max_travel_km": found.max_travel_m // 1000 if found.max_travel_m else None,
        "windows": [
            {
                "id": w.id,
                "kind": str(w.kind),
                "label": w.label,
                "weekday": w.weekday,
                "start_time": w.start_time,
                "end_time": w.end_time,
            }
            for w in found.windows
        ],
        "exclusion_zones": [
            {"id": z.id, "label": z.label, "postcode": z.postcode, "radius_m": z.radius_m}
            for z in found.exclusion_zones
        ],
        "non_associations": [
            {
                "id": link.id,
                "subject_id": other.id,
                "reference": other.reference,
                "name": other.display_name,
                "recorded_at": link.created_at,
            }
            for link, other in non_associates
        ],
        "notes": [
            {
                "id": note.id,
                "kind": str(note.kind),
                "text": note.text,
                "author_name": author,
                "created_at": note.created_at,
            }
            for note, author in notes
        ],
        "version": found.version,
    }


# Matching

FEASIBLE = obj(
    {
        "session_id": INT,
        "weekday": INT,
        "start_time": TIME,
        "end_time": TIME,
        "venue_id": INT,
        "venue_name": STR,
        "postcode": STR,
        "distance_m": NUM,
    }
)
RULED_OUT = obj(
    {
        "session_id": INT,
        "weekday": INT,
        "start_time": TIME,
        "end_time": TIME,
        "venue_name": STR,
        "postcode": STR,
        "reasons": arr(obj({"code": STR, "sentence": STR})),
    }
)
schema(
    "MatchResult",
    {
        "subject_id": null(INT),
        "starts_on": DATE,
        "ends_on": DATE,
        "feasible_total": INT,
        "excluded_total": INT,
        "page": INT,
        "per_page": INT,
        "total": INT,
        "suggestions": arr(
            obj(
                {
                    "programme_id": INT,
                    "title": STR,
                    "organisation_id": INT,
                    "organisation_name": STR,
                    "score": NUM,
                    "summary": STR,
                    "distance_m": NUM,
                    "components": arr(obj({"name": STR, "points": NUM, "max_points": NUM, "reason": STR})),
                    "sessions": arr(FEASIBLE),
                    "ruled_out_sessions": arr(RULED_OUT),
                    "late_start": null(STR),
                    "fits_interests_or_needs": BOOL,
                }
            )
        ),
        "exclusions": arr(
            obj(
                {
                    "programme_id": INT,
                    "title": STR,
                    "organisation_name": STR,
                    "distance_m": null(NUM),
                    "reasons": arr(obj({"code": STR, "sentence": STR, "session_ids": arr(INT)})),
                }
            )
        ),
        "other_exclusion_totals": {"type": "object", "additionalProperties": INT},
        "plan": obj(
            {
                "total_score": NUM,
                "note": null(STR),
                "sessions": arr(obj({"programme_id": INT, "title": STR, "session": FEASIBLE, "reason": STR})),
            }
        ),
    },
)


def feasible(found: FeasibleSession) -> dict[str, Any]:
    return {
        "session_id": found.session_id,
        "weekday": found.weekday,
        "start_time": clock(found.start),
        "end_time": clock(found.end),
        "venue_id": found.venue_id,
        "venue_name": found.venue_name,
        "postcode": found.postcode,
        "distance_m": round(found.distance_m, 1),
    }


def ruled_out(session: RuledOutSession) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "weekday": session.weekday,
        "start_time": clock(session.start),
        "end_time": clock(session.end),
        "venue_name": session.venue_name,
        "postcode": session.postcode,
        "reasons": [asdict(reason) for reason in session.reasons],
    }


def match_result(result: MatchResult, subject_id: int | None, starts_on: Any, ends_on: Any) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "feasible_total": result.feasible_total,
        "excluded_total": result.excluded_total,
        "total": result.feasible_total,
        "suggestions": [
            {
                "programme_id": s.programme_id,
                "title": s.title,
                "organisation_id": s.organisation_id,
                "organisation_name": s.organisation_name,
                "score": s.score,
                "summary": s.summary,
                "distance_m": round(s.distance_m, 1),
                "components": [asdict(c) for c in s.components],
                "sessions": [feasible(f) for f in s.sessions],
                "ruled_out_sessions": [ruled_out(r) for r in s.ruled_out],
                "late_start": s.late_start or None,
                "fits_interests_or_needs": s.fits_interests_or_needs,
            }
            for s in result.suggestions
        ],
        "exclusions": [
            {
                "programme_id": e.programme_id,
                "title": e.title,
                "organisation_name": e.organisation_name,
                "distance_m": round(e.distance_m, 1) if e.distance_m is not None else None,
                "reasons": [asdict(r) for r in e.reasons],
            }
            for e in result.exclusions
        ],
        "other_exclusion_totals": dict(result.other_exclusion_totals),
        "plan": {
            "total_score": result.plan.total_score,
            "note": result.plan.note or None,
            "sessions": [
                {"programme_id": p.programme_id, "title": p.title, "session": feasible(p.session), "reason": p.reason}
                for p in result.plan.sessions
            ],
        },
    }


# Orders

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


# Referrals (partners): exactly the allow-list

REFERRAL_TYPES: dict[str, Any] = {
    "referral_id": INT,
    "version": INT,
    "status": STR,
    "sent_at": DATETIME,
    "viewed_at": null(DATETIME),
    "responded_at": null(DATETIME),
    "age": INT,
    "languages": STRS,
    "needs": STRS,
    "weekday": null(INT),
    "start_time": TIME,
    "end_time": TIME,
    "starts_on": null(DATE),
    "ends_on": null(DATE),
    "order_proposed_start": null(DATE),
    "order_duration_months": INT,
}


def referral_schema() -> dict[str, Any]:
    from portal.data.referrals import PARTNER_ALLOW_LIST

    found = obj({name: REFERRAL_TYPES.get(name, STR) for name in PARTNER_ALLOW_LIST})
    return found | {"additionalProperties": False}


SCHEMAS["Referral"] = referral_schema()
SCHEMAS["ReferralPage"] = page_schema("Referral")


def referral(view: ReferralView) -> dict[str, Any]:
    return asdict(view)


# Registers (partners)

MARK_TYPES: dict[str, Any] = {
    "id": INT,
    "revision": INT,
    "is_current": BOOL,
    "status": STR,
    "minutes_late": null(INT),
    "absence_reason": STR,
    "absence_acceptable": null(BOOL),
    "evidence_note": STR,
    "contact_attempts": STR,
    "correction_reason": STR,
    "recorded_by_name": STR,
    "recorded_at": DATETIME,
}
EXPECTED_TYPES: dict[str, Any] = {
    "session_id": INT,
    "on_date": DATE,
    "start_time": TIME,
    "end_time": TIME,
    "programme_title": STR,
    "venue_name": STR,
    "venue_postcode": STR,
    "expected": INT,
    "marked": INT,
    "overdue": BOOL,
    "cancelled": BOOL,
    "cancellation_reason": STR,
}
schema("ExpectedSession", EXPECTED_TYPES)
SCHEMAS["ExpectedSessionList"] = obj({"items": arr(ref("ExpectedSession")), "date_from": DATE, "date_to": DATE})
schema(
    "Register",
    {
        "session": ref("ExpectedSession"),
        "markable": BOOL,
        "in_future": BOOL,
        "rows": arr(
            obj(
                {
                    "requirement_id": INT,
                    "subject_name": STR,
                    "current": null(obj(MARK_TYPES)),
                    "history": arr(obj(MARK_TYPES)),
                }
            )
        ),
        "version": STR,
    },
)


def expected_session(found: ExpectedSession) -> dict[str, Any]:
    return {name: getattr(found, name) for name in EXPECTED_TYPES}


def mark(found: MarkView | None) -> dict[str, Any] | None:
    return None if found is None else {name: getattr(found, name) for name in MARK_TYPES}


def register_version(found: Register) -> str:
    return ".".join(f"{row.attendee.requirement_id}r{row.current.revision if row.current else 0}" for row in found.rows)


def register(found: Register) -> dict[str, Any]:
    return {
        "session": expected_session(found.session),
        "markable": found.markable,
        "in_future": found.in_future,
        "rows": [
            {
                "requirement_id": row.attendee.requirement_id,
                "subject_name": row.attendee.subject_name,
                "current": mark(row.current),
                "history": [mark(m) for m in row.history],
            }
            for row in found.rows
        ],
        "version": register_version(found),
    }


# Non-compliance reports (officers)

REPORT_TYPES: dict[str, Any] = {
    "id": INT,
    "order_id": INT,
    "requirement_id": null(INT),
    "rule_code": STR,
    "source": STR,
    "kind": STR,
    "status": STR,
    "facts": STR,
    "evidence": FREE,
    "assessment": STR,
    "decision": STR,
    "decision_reason": STR,
    "raised_at": DATETIME,
    "raised_by_id": null(INT),
    "raised_by_organisation_id": null(INT),
    "decided_by_id": null(INT),
    "submitted_at": null(DATETIME),
    "version": INT,
}
SUMMARY_FIELDS = ("id", "order_id", "rule_code", "source", "kind", "status", "decision", "raised_at", "submitted_at")
schema(
    "ComplianceEvent",
    {"id": INT, "kind": STR, "occurred_at": DATETIME, "minutes_late": null(INT), "description": STR},
)
schema("ReportSummary", {name: REPORT_TYPES[name] for name in SUMMARY_FIELDS})
schema("EventRecorded", {"event": ref("ComplianceEvent"), "raised_reports": arr(ref("ReportSummary"))})
SCHEMAS["ReportPage"] = page_schema("ReportSummary")
schema(
    "Report",
    REPORT_TYPES
    | {
        "needs_youth_offending_team": BOOL,
        "corrections": arr(obj({"id": INT, "text": STR, "author_id": null(INT), "created_at": DATETIME})),
        "evidence_marks": arr(
            obj({"id": INT, "on_date": DATE, "revision": INT, "status": STR, "minutes_late": null(INT)})
        ),
        "evidence_events": arr(ref("ComplianceEvent")),
        "partner_statements": arr(
            obj(
                {
                    "id": INT,
                    "kind": STR,
                    "facts": STR,
                    "raised_at": DATETIME,
                    "organisation_id": null(INT),
                    "organisation_name": null(STR),
                    "status": STR,
                }
            )
        ),
    },
)


def report_summary(found: NonComplianceReport) -> dict[str, Any]:
    return {name: getattr(found, name) for name in SUMMARY_FIELDS}


def compliance_event(found: ComplianceEvent) -> dict[str, Any]:
    return {
        "id": found.id,
        "kind": str(found.kind),
        "occurred_at": found.occurred_at,
        "minutes_late": found.minutes_late,
        "description": found.description,
    }


def report(
    found: NonComplianceReport,
    marks: list[AttendanceMark],
    events: list[ComplianceEvent],
    needs_yot: bool,
    statements: Sequence[NonComplianceReport] = (),
    organisation_names: dict[int, str] | None = None,
) -> dict[str, Any]:
    return (
        {name: getattr(found, name) for name in REPORT_TYPES}
        | {"needs_youth_offending_team": needs_yot}
        | {
            "corrections": [
                {"id": c.id, "text": c.text, "author_id": c.author_id, "created_at": c.created_at}
                for c in found.corrections
            ],
            "evidence_marks": [
                {
                    "id": m.id,
                    "on_date": m.on_date,
                    "revision": m.revision,
                    "status": str(m.status),
                    "minutes_late": m.minutes_late,
                }
                for m in marks
            ],
            "evidence_events": [compliance_event(e) for e in events],
            "partner_statements": [
                {
                    "id": statement.id,
                    "kind": statement.kind,
                    "facts": statement.facts,
                    "raised_at": statement.raised_at,
                    "organisation_id": statement.raised_by_organisation_id,
                    "organisation_name": (organisation_names or {}).get(statement.raised_by_organisation_id or 0),
                    "status": str(statement.status),
                }
                for statement in statements
            ],
        }
    )


# Partners' reports on a referral they supervise

schema(
    "PartnerReport",
    {
        "id": INT,
        "kind": STR,
        "facts": STR,
        "status": STR,
        "raised_at": DATETIME,
        "referral": ref("Referral"),
    },
)


def partner_report(found: NonComplianceReport, view: ReferralView) -> dict[str, Any]:
    """What a partner sent and where their referral now stands; never the officer's assessment or decision."""
    return {
        "id": found.id,
        "kind": found.kind,
        "facts": found.facts,
        "status": str(found.status),
        "raised_at": found.raised_at,
        "referral": referral(view),
    }
