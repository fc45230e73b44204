"""What an officer needs to see first: their orders, attendance, what is overdue, waiting or due soon."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from matching import MatchFilters, match
from portal.data import attendance, orders, policy
from portal.data import matching as matching_data
from portal.data.orders import order_period
from portal.data.referrals import AWAITING_RESPONSE
from portal.extensions import db
from portal.models import (
    NonComplianceReport,
    Order,
    OrderStatus,
    Programme,
    ProgrammeSession,
    Referral,
    ReferralStatus,
    ReportStatus,
    Requirement,
    Subject,
)
from portal.orders.checks import check_order

REVIEW_HORIZON = timedelta(weeks=8)
UPCOMING_DAYS = 7
REPLACEMENTS_SHOWN = 3


@dataclass
class RequirementAttendance:
    requirement: Requirement
    summary: dict


@dataclass
class OrderOverview:
    order: Order
    attendance: list[RequirementAttendance] = field(default_factory=list)


@dataclass
class ListingGap:
    """A programme whose listing ends before the requirement it carries does, with possible replacements."""

    order: Order
    requirement: Requirement
    listing_ends: date
    requirement_ends: date
    replacements: list = field(default_factory=list)


@dataclass
class Dashboard:
    active: list[OrderOverview]
    drafts: list[Order]
    upcoming: list
    open_reports: list[NonComplianceReport]
    overdue: list
    awaiting_partner: list[Referral]
    reviews_due: list[tuple[Order, date, date]]
    listing_gaps: list[ListingGap]


def officer_dashboard(officer_id: int, today: date) -> Dashboard:
    mine = _open_orders(officer_id)
    made = [order for order in mine if order.status == OrderStatus.MADE]
    subject_ids = {order.subject_id for order in made}
    sessions = _sessions_of(made)  # held for the request, so the per-requirement reads find them loaded
    return Dashboard(
        active=[_overview(order, today) for order in made],
        drafts=[order for order in mine if order.status == OrderStatus.DRAFT],
        upcoming=attendance.upcoming_for_subjects(subject_ids, today, today + timedelta(days=UPCOMING_DAYS))
        if subject_ids
        else [],
        open_reports=_open_reports(officer_id),
        overdue=attendance.overdue_registers(officer_subject_ids=subject_ids) if subject_ids else [],
        awaiting_partner=_awaiting_partner(mine),
        reviews_due=_reviews_due(mine, today),
        listing_gaps=[gap for order in made for gap in _listing_gaps(order, sessions, today)],
    )


def _open_orders(officer_id: int) -> list[Order]:
    """The officer's open orders with what the dashboard reads of each (the order checks read all of it)."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.officer_id == officer_id, Order.status.in_(orders.OPEN_STATUSES))
            .order_by(Order.id.desc())
            .options(
                joinedload(Order.subject).selectinload(Subject.windows),
                joinedload(Order.subject).selectinload(Subject.exclusion_zones),
                selectinload(Order.requirements).selectinload(Requirement.referral),
                selectinload(Order.occasions),
                selectinload(Order.prohibitions),
            )
        ).unique()
    )


def _sessions_of(made: list[Order]) -> dict[int, tuple[ProgrammeSession, Programme]]:
    """Each made order's requirement at a session, by id: its session and programme, in one query."""
    requirement_ids = [r.id for order in made for r in order.requirements if r.session_id is not None]
    if not requirement_ids:
        return {}
    rows = db.session.execute(
        select(Requirement.id, ProgrammeSession, Programme)
        .join(ProgrammeSession, ProgrammeSession.id == Requirement.session_id)
        .join(Programme, Programme.id == Requirement.programme_id)
        .where(Requirement.id.in_(requirement_ids))
    )
    return {requirement_id: (session, programme) for requirement_id, session, programme in rows}


def _overview(order: Order, today: date) -> OrderOverview:
    return OrderOverview(
        order,
        [
            RequirementAttendance(requirement, attendance.attendance_summary(requirement.id, today))
            for requirement in order.requirements
            if requirement.referral is not None and requirement.referral.status == ReferralStatus.ACTIVE
        ],
    )


def _open_reports(officer_id: int) -> list[NonComplianceReport]:
    return list(
        db.session.scalars(
            select(NonComplianceReport)
            .join(Order)
            .where(Order.officer_id == officer_id, NonComplianceReport.status == ReportStatus.DRAFT)
            .order_by(NonComplianceReport.raised_at)
        )
    )


def _awaiting_partner(mine: list[Order]) -> list[Referral]:
    return [
        requirement.referral
        for order in mine
        for requirement in order.requirements
        if requirement.referral is not None and requirement.referral.status in AWAITING_RESPONSE
    ]


def _reviews_due(mine: list[Order], today: date) -> list[tuple[Order, date, date]]:
    due = []
    rules = policy.order_check_policy()
    for order in mine:
        window = check_order(orders.order_facts(order, today), rules).review_window
        if window and window[1] >= today and window[0] <= today + REVIEW_HORIZON:
            due.append((order, *window))
    return sorted(due, key=lambda item: item[1])


def _listing_gaps(
    order: Order, sessions: dict[int, tuple[ProgrammeSession, Programme]], today: date
) -> list[ListingGap]:
    period = order_period(order)
    gaps = []
    for requirement in order.requirements:
        if requirement.session_id is None or period is None:
            continue
        requirement_ends = requirement.ends_on or period[1]
        session, programme = sessions[requirement.id]
        ends = [d for d in (programme.valid_to, session.term_end) if d is not None]
        if ends and min(ends) < requirement_ends:
            gaps.append(
                ListingGap(order, requirement, min(ends), requirement_ends, _replacements(order, programme, today))
            )
    return gaps


def _replacements(order: Order, programme: Programme, today: date) -> list:
    """The matcher's best alternatives of the same kind, for the time after the listing ends."""
    from portal.catalogue_index import prepared_catalogue

    profile = matching_data.subject_profile(order.subject, today)
    catalogue = prepared_catalogue()
    found = match(
        profile,
        catalogue,
        matching_data.enrolment_index(catalogue, order.subject_id, profile.non_associates),
        today,
        today + timedelta(days=180),
        today,
        limit=REPLACEMENTS_SHOWN + 1,
        exclusion_limit=0,  # the dashboard lists replacements only, never why others were ruled out
        filters=MatchFilters(activity_type=programme.activity_types[0] if programme.activity_types else None),
    )
    matching_data.record_match_run(order.subject_id, {"replacing_programme": programme.id}, len(found.suggestions), 0)
    return [s for s in found.suggestions if s.programme_id != programme.id][:REPLACEMENTS_SHOWN]
