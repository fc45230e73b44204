"""Non-compliance reports (officers), and partners' reports on a referral they supervise."""

from collections.abc import Sequence
from typing import Any

from portal.api.serialisers.base import (
    BOOL,
    DATE,
    DATETIME,
    FREE,
    INT,
    SCHEMAS,
    STR,
    arr,
    null,
    obj,
    page_schema,
    ref,
    schema,
)
from portal.api.serialisers.referrals import referral
from portal.data.referrals import ReferralView
from portal.models import AttendanceMark, ComplianceEvent, NonComplianceReport

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
