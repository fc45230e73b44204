"""What the API returns, and the JSON Schema of each (the OpenAPI components). Partners' views of referrals and
registers come only from the allow-listed dataclasses of the data layer, never from Subject or Order rows.

One module per area; every name is re-exported here (`serialisers.programme(...)`), and importing the package
registers every schema in SCHEMAS."""

# isort: off
# In the original file's order, so the schemas are registered (SCHEMAS, the OpenAPI components) as before.
from portal.api.serialisers.base import (
    BOOL,
    DATE,
    DATETIME,
    FREE,
    INT,
    NUM,
    SCHEMAS,
    STR,
    STRS,
    TIME,
    arr,
    null,
    obj,
    page_schema,
    ref,
    schema,
)
from portal.api.serialisers.accounts import me
from portal.api.serialisers.programmes import PROGRAMME_FIELDS, programme, session, venue
from portal.api.serialisers.subjects import subject, subject_summary
from portal.api.serialisers.matching import FEASIBLE, RULED_OUT, feasible, match_result, ruled_out
from portal.api.serialisers.orders import (
    OCCASION_TYPES,
    ORDER_FIELDS,
    ORDER_TYPES,
    PROBLEM,
    PROHIBITION_TYPES,
    REFERRAL_SUMMARY,
    REQUIREMENT_TYPES,
    checks,
    order,
    problem,
)
from portal.api.serialisers.referrals import REFERRAL_TYPES, referral, referral_schema
from portal.api.serialisers.registers import (
    EXPECTED_TYPES,
    MARK_TYPES,
    expected_session,
    mark,
    register,
    register_version,
)
from portal.api.serialisers.reports import (
    REPORT_TYPES,
    SUMMARY_FIELDS,
    compliance_event,
    partner_report,
    report,
    report_summary,
)
# isort: on

__all__ = [
    "BOOL",
    "DATE",
    "DATETIME",
    "EXPECTED_TYPES",
    "FEASIBLE",
    "FREE",
    "INT",
    "MARK_TYPES",
    "NUM",
    "OCCASION_TYPES",
    "ORDER_FIELDS",
    "ORDER_TYPES",
    "PROBLEM",
    "PROGRAMME_FIELDS",
    "PROHIBITION_TYPES",
    "REFERRAL_SUMMARY",
    "REFERRAL_TYPES",
    "REPORT_TYPES",
    "REQUIREMENT_TYPES",
    "RULED_OUT",
    "SCHEMAS",
    "STR",
    "STRS",
    "SUMMARY_FIELDS",
    "TIME",
    "arr",
    "checks",
    "compliance_event",
    "expected_session",
    "feasible",
    "mark",
    "match_result",
    "me",
    "null",
    "obj",
    "order",
    "page_schema",
    "partner_report",
    "problem",
    "programme",
    "ref",
    "referral",
    "referral_schema",
    "register",
    "register_version",
    "report",
    "report_summary",
    "ruled_out",
    "schema",
    "session",
    "subject",
    "subject_summary",
    "venue",
]
