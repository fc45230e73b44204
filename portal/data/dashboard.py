"""What an officer needs to see first: their orders, attendance, what is overdue, waiting or due soon.

The page is read in a handful of statements built once, at import (each page region one query, returning rows, no
ORM objects): the officer's open orders, their requirements with each one's referral, session and programme, the
prohibitions' last days, the active requirements' marks and cancellations, the subjects' registers, and the reports.

Replacement suggestions for a listing that ends before its requirement are the matcher's, kept per catalogue copy
(`portal.data.catalogue_index`: each worker's copy, replaced when the catalogue version changes) and per day, programme
and the subject as the matcher sees them (their profile, and where their non-associates are referred): any change to
the catalogue, the subject or those referrals asks the matcher again. Places others take in the replacements'
sessions are not part of the key: a session that filled since is offered until the catalogue next changes or the
day ends, and adding it to an order checks it again.
"""

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from matching import MatchFilters, PreparedCatalogue, match
from matching.model import SubjectProfile
from portal.data import attendance, attendance_summaries, orders
from portal.data import matching as matching_data
from portal.data.catalogue_index import prepared_catalogue
from portal.data.referrals import AWAITING_RESPONSE
from portal.extensions import db
from portal.models import (
    LIVE_REFERRALS,
    AttendanceMark,
    ExclusionZone,
    NonAssociation,
    NonComplianceReport,
    Order,
    OrderStatus,
    Programme,
    ProgrammeSession,
    Prohibition,
    Referral,
    ReferralStatus,
    ReportStatus,
    Requirement,
    SessionCancellation,
    Subject,
    SubjectWindow,
)
from portal.rules.orders.checks import review_window_of
from portal.rules.orders.period import OrderPeriod
from portal.rules.schedule import requirement_period

REVIEW_HORIZON = timedelta(weeks=8)
UPCOMING_DAYS = 7
REPLACEMENTS_SHOWN = 3
REPLACEMENTS_KEPT = 4096  # sets of replacements kept per catalogue copy before starting again


@dataclass(frozen=True)
class OrderRow:
    id: int
    subject_id: int
    status: str
    order_version: int
    period: OrderPeriod
    subject_reference: str
    subject_name: str


@dataclass(frozen=True)
class RequirementRow:
    """A requirement with what the dashboard shows of its referral, session and programme."""

    id: int
    order_id: int
    activity: str
    weekday: int | None
    start_time: time
    place_name: str
    session_id: int | None
    programme_id: int | None
    starts_on: date | None
    ends_on: date | None
    referral_status: str | None
    referral_sent_at: datetime | None
    referral_subject_reference: str | None
    term_start: date | None
    term_end: date | None
    exception_dates: list[str]
    programme_valid_to: date | None
    programme_activity_types: list[str] | None
    has_session: bool  # its session was found
    listed: bool  # its session and programme were found


@dataclass(frozen=True)
class ReportRow:
    id: int
    rule_code: str
    raised_at: datetime
    subject_reference: str


@dataclass
class RequirementAttendance:
    requirement: RequirementRow
    summary: dict


@dataclass
class OrderOverview:
    order: OrderRow
    attendance: list[RequirementAttendance] = field(default_factory=list)


@dataclass
class ListingGap:
    """A programme whose listing ends before the requirement it carries does, with possible replacements."""

    order: OrderRow
    requirement: RequirementRow
    listing_ends: date
    requirement_ends: date
    replacements: list = field(default_factory=list)


@dataclass
class Dashboard:
    active: list[OrderOverview]
    drafts: list[OrderRow]
    upcoming: list
    open_reports: list[ReportRow]
    overdue: list
    awaiting_partner: list[RequirementRow]  # requirements whose referral awaits the partner's answer
    reviews_due: list[tuple[OrderRow, date, date]]
    listing_gaps: list[ListingGap]


# The page's statements, built once ---------------------------------------------------------------------------------

_OPEN_ORDERS = (
    select(
        Order.id,
        Order.subject_id,
        Order.status,
        Order.order_version,
        Order.proposed_start,
        Order.start_on_release,
        Order.duration_months,
        Order.made_on,
        Subject.reference,
        Subject.first_name,
        Subject.last_name,
    )
    .join(Subject, Subject.id == Order.subject_id)
    .where(Order.officer_id == bindparam("officer_id"), Order.status.in_(orders.OPEN_STATUSES))
    .order_by(Order.id.desc())
)
_referral_subject = aliased(Subject)
_REQUIREMENTS = (
    select(
        Requirement.id,
        Requirement.order_id,
        Requirement.activity,
        Requirement.weekday,
        Requirement.start_time,
        Requirement.place_name,
        Requirement.session_id,
        Requirement.programme_id,
        Requirement.starts_on,
        Requirement.ends_on,
        Referral.status,
        Referral.sent_at,
        _referral_subject.reference,
        ProgrammeSession.id,
        ProgrammeSession.term_start,
        ProgrammeSession.term_end,
        ProgrammeSession.exception_dates,
        Programme.id,
        Programme.valid_to,
        Programme.activity_types,
    )
    .outerjoin(Referral, Referral.requirement_id == Requirement.id)
    .outerjoin(_referral_subject, _referral_subject.id == Referral.subject_id)
    .outerjoin(ProgrammeSession, ProgrammeSession.id == Requirement.session_id)
    .outerjoin(Programme, Programme.id == Requirement.programme_id)
    .where(Requirement.order_id.in_(bindparam("order_ids", expanding=True)))
    # Each order's requirements in the order the order's own relationship gives them.
    .order_by(Requirement.order_id, Requirement.weekday, Requirement.start_time, Requirement.id)
)
_PROHIBITION_ENDS = select(Prohibition.order_id, Prohibition.ends_on).where(
    Prohibition.order_id.in_(bindparam("order_ids", expanding=True)), Prohibition.ends_on.is_not(None)
)
_CURRENT_MARKS = select(
    AttendanceMark.requirement_id, AttendanceMark.on_date, AttendanceMark.status, AttendanceMark.absence_acceptable
).where(
    AttendanceMark.requirement_id.in_(bindparam("requirement_ids", expanding=True)),
    AttendanceMark.is_current.is_(True),
    AttendanceMark.on_date <= bindparam("today"),
)
_CANCELLED = select(SessionCancellation.session_id, SessionCancellation.on_date).where(
    SessionCancellation.session_id.in_(bindparam("session_ids", expanding=True)),
    SessionCancellation.on_date <= bindparam("today"),
)
_OPEN_REPORTS = (
    select(NonComplianceReport.id, NonComplianceReport.rule_code, NonComplianceReport.raised_at, Subject.reference)
    .join(Order, Order.id == NonComplianceReport.order_id)
    .join(Subject, Subject.id == Order.subject_id)
    .where(Order.officer_id == bindparam("officer_id"), NonComplianceReport.status == ReportStatus.DRAFT)
    .order_by(NonComplianceReport.raised_at, NonComplianceReport.id)
)
_PROFILE_COLUMNS = (
    "id date_of_birth gender home_easting home_northing languages interest_activity_types interest_text needs "
    "curfew_start curfew_end max_travel_m first_name home_postcode"
).split()
_PROFILED_SUBJECTS = select(*(getattr(Subject, name) for name in _PROFILE_COLUMNS)).where(
    Subject.id.in_(bindparam("subject_ids", expanding=True))
)
_PROFILED_WINDOWS = (
    select(
        SubjectWindow.subject_id,
        SubjectWindow.weekday,
        SubjectWindow.start_time,
        SubjectWindow.end_time,
        SubjectWindow.kind,
        SubjectWindow.label,
    )
    .where(SubjectWindow.subject_id.in_(bindparam("subject_ids", expanding=True)))
    .order_by(SubjectWindow.subject_id, SubjectWindow.weekday, SubjectWindow.start_time, SubjectWindow.id)
)
_PROFILED_ZONES = (
    select(
        ExclusionZone.subject_id,
        ExclusionZone.label,
        ExclusionZone.easting,
        ExclusionZone.northing,
        ExclusionZone.radius_m,
    )
    .where(ExclusionZone.subject_id.in_(bindparam("subject_ids", expanding=True)))
    .order_by(ExclusionZone.subject_id, ExclusionZone.label, ExclusionZone.id)
)
_NON_ASSOCIATIONS = select(NonAssociation.subject_low_id, NonAssociation.subject_high_id).where(
    NonAssociation.subject_low_id.in_(bindparam("subject_ids", expanding=True))
    | NonAssociation.subject_high_id.in_(bindparam("subject_ids", expanding=True))
)
_LIVE_REFERRAL_SESSIONS = select(Referral.subject_id, Referral.session_id, Referral.status).where(
    Referral.subject_id.in_(bindparam("subject_ids", expanding=True)),
    Referral.status.in_(LIVE_REFERRALS),
    Referral.session_id.is_not(None),
)


# The page -----------------------------------------------------------------------------------------------------------


def officer_dashboard(officer_id: int, today: date) -> Dashboard:
    mine = _open_orders(officer_id)
    requirements = _requirements_of(mine)
    made = [order for order in mine if order.status == OrderStatus.MADE]
    subject_ids = {order.subject_id for order in made}
    active = _active(made, requirements, today)
    drafts = [order for order in mine if order.status == OrderStatus.DRAFT]
    upcoming, overdue = (
        attendance.subjects_upcoming_and_overdue(subject_ids, today, today + timedelta(days=UPCOMING_DAYS))
        if subject_ids
        else ([], [])
    )
    return Dashboard(
        active=active,
        drafts=drafts,
        upcoming=upcoming,
        open_reports=[ReportRow(*row) for row in db.session.execute(_OPEN_REPORTS, {"officer_id": officer_id})],
        overdue=overdue,
        awaiting_partner=[
            requirement
            for order in mine
            for requirement in requirements[order.id]
            if requirement.referral_status is not None and requirement.referral_status in AWAITING_RESPONSE
        ],
        reviews_due=_reviews_due(mine, requirements, today),
        listing_gaps=_listing_gaps(made, requirements, today),
    )


def _open_orders(officer_id: int) -> list[OrderRow]:
    return [
        OrderRow(
            id=row[0],
            subject_id=row[1],
            status=row[2],
            order_version=row[3],
            period=OrderPeriod.of(row[4], row[5], row[6], row[7]),
            subject_reference=row[8],
            subject_name=f"{row[9]} {row[10]}",
        )
        for row in db.session.execute(_OPEN_ORDERS, {"officer_id": officer_id})
    ]


def _requirements_of(mine: list[OrderRow]) -> dict[int, list[RequirementRow]]:
    found: dict[int, list[RequirementRow]] = defaultdict(list)
    if not mine:
        return found
    for row in db.session.execute(_REQUIREMENTS, {"order_ids": [order.id for order in mine]}):
        found[row[1]].append(
            RequirementRow(
                *row[:10],
                referral_status=row[10],
                referral_sent_at=row[11],
                referral_subject_reference=row[12],
                term_start=row[14],
                term_end=row[15],
                exception_dates=row[16] or [],
                programme_valid_to=row[18],
                programme_activity_types=row[19],
                has_session=row[13] is not None,
                listed=row[13] is not None and row[17] is not None,
            )
        )
    return found


def _active(made: list[OrderRow], requirements: dict[int, list[RequirementRow]], today: date) -> list[OrderOverview]:
    """Each made order with the attendance of its requirements whose referral is active (one consultation each)."""
    active = {
        order.id: [r for r in requirements[order.id] if r.referral_status == ReferralStatus.ACTIVE] for order in made
    }
    periods = {
        requirement.id: requirement_period(
            requirement.starts_on, requirement.ends_on, order.period.made_on, order.period.duration_months
        )
        for order in made
        for requirement in active[order.id]
    }
    begun = [requirement_id for requirement_id, period in periods.items() if period and period[0] <= today]
    marks: dict[int, dict[date, tuple[str, bool | None]]] = defaultdict(dict)
    cancelled: dict[int, set[date]] = defaultdict(set)
    if begun:
        for requirement_id, on_date, status, acceptable in db.session.execute(
            _CURRENT_MARKS, {"requirement_ids": begun, "today": today}
        ):
            marks[requirement_id][on_date] = (str(status), acceptable)
        session_ids = {r.session_id for order in made for r in active[order.id] if r.session_id is not None}
        if session_ids:
            for session_id, on_date in db.session.execute(_CANCELLED, {"session_ids": session_ids, "today": today}):
                cancelled[session_id].add(on_date)
    overviews = []
    for order in made:
        overview = OrderOverview(order)
        for requirement in active[order.id]:
            has_session = requirement.has_session
            terms = (requirement.term_start, requirement.term_end, requirement.exception_dates) if has_session else None
            summary = attendance_summaries.summarise_attendance(
                requirement.weekday,
                periods[requirement.id],
                terms,
                cancelled[requirement.session_id] if has_session else set(),
                marks.get(requirement.id, {}),
                today,
            )
            attendance_summaries.record_summary_consultation(requirement.id, order.subject_id)
            overview.attendance.append(RequirementAttendance(requirement, summary))
        overviews.append(overview)
    return overviews


def _reviews_due(
    mine: list[OrderRow], requirements: dict[int, list[RequirementRow]], today: date
) -> list[tuple[OrderRow, date, date]]:
    """The mandatory review window (s.26) of each open order, as the order's checks give it, when it is near."""
    prohibition_ends: dict[int, list[date]] = defaultdict(list)
    if mine:
        for order_id, ends_on in db.session.execute(_PROHIBITION_ENDS, {"order_ids": [order.id for order in mine]}):
            prohibition_ends[order_id].append(ends_on)
    due = []
    for order in mine:
        ends = [order.period.end] if order.period.end else []
        ends += [r.ends_on for r in requirements[order.id] if r.ends_on] + prohibition_ends[order.id]
        window = review_window_of(order.period.start, ends)
        if window and window[1] >= today and window[0] <= today + REVIEW_HORIZON:
            due.append((order, *window))
    return sorted(due, key=lambda item: item[1])


def _listing_gaps(made: list[OrderRow], requirements: dict[int, list[RequirementRow]], today: date) -> list[ListingGap]:
    gaps = []
    for order in made:
        period = (order.period.start, order.period.end) if order.period.start is not None else None
        for requirement in requirements[order.id]:
            if requirement.session_id is None or period is None or not requirement.listed:
                continue
            requirement_ends = requirement.ends_on or period[1]
            ends = [d for d in (requirement.programme_valid_to, requirement.term_end) if d is not None]
            if ends and min(ends) < requirement_ends:
                gaps.append(ListingGap(order, requirement, min(ends), requirement_ends))
    if gaps:
        _find_replacements(gaps, today)
    return gaps


# Replacements -------------------------------------------------------------------------------------------------------

_kept: WeakKeyDictionary[PreparedCatalogue, dict[tuple, tuple[int, list]]] = WeakKeyDictionary()
_kept_lock = threading.Lock()


def _find_replacements(gaps: list[ListingGap], today: date) -> None:
    """The matcher's best alternatives of the same kind, for the time after the listing ends, for each gap; each run
    is recorded as a combination of the subject's data, whether it was worked out now or kept from earlier."""
    catalogue = prepared_catalogue()
    subject_ids = sorted({gap.order.subject_id for gap in gaps})
    subjects = _profiled_subjects(subject_ids)
    non_associates: dict[int, set[int]] = {subject_id: set() for subject_id in subject_ids}
    for low, high in db.session.execute(_NON_ASSOCIATIONS, {"subject_ids": subject_ids}):
        for one, other in ((low, high), (high, low)):
            if one in non_associates:
                non_associates[one].add(other)
    others = sorted(set().union(*non_associates.values()))
    their_sessions: dict[int, set[tuple[int, str]]] = defaultdict(set)
    if others:
        for subject_id, session_id, status in db.session.execute(_LIVE_REFERRAL_SESSIONS, {"subject_ids": others}):
            their_sessions[subject_id].add((session_id, str(status)))
    with _kept_lock:
        kept = _kept.setdefault(catalogue, {})
    for gap in gaps:
        profile = matching_data.subject_profile(
            subjects[gap.order.subject_id], today, non_associates[gap.order.subject_id]
        )
        activity = gap.requirement.programme_activity_types[0] if gap.requirement.programme_activity_types else None
        where_others_go = tuple(
            sorted((other, *place) for other in profile.non_associates for place in their_sessions[other])
        )
        key = (today, gap.requirement.programme_id, activity, profile, where_others_go)
        with _kept_lock:
            found = kept.get(key)
        if found is None:
            found = _match_replacements(catalogue, profile, gap.requirement.programme_id, activity, today)
            with _kept_lock:
                if len(kept) >= REPLACEMENTS_KEPT:
                    kept.clear()
                kept[key] = found
        suggested, gap.replacements = found
        matching_data.record_match_run(
            gap.order.subject_id, {"replacing_programme": gap.requirement.programme_id}, suggested, 0
        )


def _profiled_subjects(subject_ids: list[int]) -> dict[int, SimpleNamespace]:
    """What `matching_data.subject_profile` reads of each subject, their weekly windows and exclusion zones (in the
    order of the Subject's relationships), as plain rows: three statements for every subject at once."""
    parameters = {"subject_ids": subject_ids}
    subjects = {
        row.id: SimpleNamespace(**row._asdict(), windows=[], exclusion_zones=[])
        for row in db.session.execute(_PROFILED_SUBJECTS, parameters)
    }
    for row in db.session.execute(_PROFILED_WINDOWS, parameters):
        subjects[row.subject_id].windows.append(row)
    for row in db.session.execute(_PROFILED_ZONES, parameters):
        subjects[row.subject_id].exclusion_zones.append(row)
    return subjects


def _match_replacements(
    catalogue: PreparedCatalogue, profile: SubjectProfile, programme_id: int | None, activity: str | None, today: date
) -> tuple[int, list]:
    found = match(
        profile,
        catalogue,
        matching_data.enrolment_index(catalogue, profile.id, profile.non_associates),
        today,
        today + timedelta(days=180),
        today,
        limit=REPLACEMENTS_SHOWN + 1,
        exclusion_limit=0,  # the dashboard lists replacements only, never why others were ruled out
        filters=MatchFilters(activity_type=activity),
    )
    shown = [s for s in found.suggestions if s.programme_id != programme_id][:REPLACEMENTS_SHOWN]
    return len(found.suggestions), shown
