"""Draft orders: details, grounds, requirements (from suggestions or by hand), prohibitions, filing and versions."""

from datetime import date, timedelta
from typing import Any

from flask import abort
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.data import audit, check_version, policy, referrals
from portal.data import subjects as subject_data
from portal.extensions import db
from portal.models import (
    LIVE_REFERRALS,
    ExclusionZone,
    Occasion,
    Order,
    OrderStatus,
    Organisation,
    OrganisationStatus,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    Prohibition,
    ProhibitionKind,
    Referral,
    ReferralStatus,
    Requirement,
    RequirementKind,
    Subject,
    User,
    utcnow,
)
from portal.rules.dates import minutes
from portal.rules.orders.facts import (
    LegalBasisFacts,
    OccasionFacts,
    OrderFacts,
    ProgrammeFacts,
    ProhibitionFacts,
    RequirementFacts,
    WindowFacts,
)
from portal.rules.orders.period import OrderPeriod
from portal.rules.orders.tasks import DraftState
from portal.rules.schedule import london_today

OPEN_STATUSES = (OrderStatus.DRAFT, OrderStatus.FILED, OrderStatus.MADE)
DEFAULT_LEAD_TIME = timedelta(days=28)


class OrderLocked(Exception):
    """A filed or made order cannot change; a change needs a new version."""

    message = "This order has been filed and cannot change. Start a new version to make changes."


class OrderInProgress(Exception):
    """The subject already has an open order (someone started one at the same moment): this is it."""

    def __init__(self, order: Order) -> None:
        super().__init__(order.id)
        self.order = order


def get_order(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    return order


def view_order(order_id: int, purpose: str = "") -> Order:
    order = get_order(order_id)
    audit.record(audit.CONSULTATION, "order", order.id, purpose=purpose, subject_id=order.subject_id)
    return order


def editable_draft(order_id: int, purpose: str | None = None) -> Order:
    """The order, to change it: OrderLocked when it is no longer a draft. With a purpose, opening it is recorded."""
    order = get_order(order_id) if purpose is None else view_order(order_id, purpose)
    if order.status != OrderStatus.DRAFT:
        raise OrderLocked()
    return order


def open_order(subject_id: int) -> Order | None:
    """The subject's current order (draft, filed or made), if any: there is only ever one at a time."""
    return db.session.scalar(_OPEN_ORDER, {"subject_id": subject_id})


_OPEN_ORDER = (
    select(Order)
    .where(Order.subject_id == bindparam("subject_id"), Order.status.in_(OPEN_STATUSES))
    .order_by(Order.id.desc())
)


def order_history(subject_id: int) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.subject_id == subject_id).order_by(Order.id.desc())))


def start_draft(subject: Subject, officer_id: int, officer_unit: str, period: OrderPeriod | None = None) -> Order:
    """A new draft; with the period the suggestions were worked out for, when it is made from them."""
    order = Order(
        subject_id=subject.id,
        officer_id=officer_id,
        applicant=f"Commissioner of Police of the Metropolis ({officer_unit})" if officer_unit else "",
        proposed_start=period.planned_start if period else london_today() + DEFAULT_LEAD_TIME,
    )
    if period is not None:
        order.duration_months = period.duration_months
    try:
        with db.session.begin_nested():  # the database allows one open order per subject (see Order's indexes)
            db.session.add(order)
            db.session.flush()
    except IntegrityError:
        existing = open_order(subject.id)
        if existing is None:
            raise
        raise OrderInProgress(existing) from None
    sync_prohibitions(order)
    audit.record(audit.COLLECTION, "order", order.id, subject_id=subject.id)
    return order


def ensure_editable(order: Order, expected_version: int | None) -> None:
    if order.status != OrderStatus.DRAFT:
        raise OrderLocked()
    check_version(order, expected_version)


def touch(order: Order, change: str, **detail: Any) -> None:
    """Every change to a draft or its parts moves its version on, so a second editor is told, not overwritten."""
    order.updated_at = utcnow()
    db.session.flush()
    audit.record(audit.ALTERATION, "order", order.id, change=change, **detail)


def update_details(order: Order, fields: dict[str, Any], expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    for name, value in fields.items():
        setattr(order, name, value)
    touch(order, "details changed", fields=sorted(fields))


def add_occasion(order: Order, fields: dict[str, Any], expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    order.occasions.append(Occasion(**fields))
    touch(order, "occasion added")


def remove_occasion(order: Order, occasion_id: int, expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    occasion = part_of(order.occasions, occasion_id)
    order.occasions.remove(occasion)
    touch(order, "occasion removed")


def part_of(children: list, child_id: int) -> Any:
    """One of an order's parts (requirement, prohibition, occasion) by id; 404 when it is not this order's."""
    found = next((child for child in children if child.id == child_id), None)
    if found is None:
        abort(404)
    return found


def requirable_sessions(session_ids: list[int]) -> list[ProgrammeSession]:
    """Sessions an officer may put into an order: approved organisation, active programme."""
    return list(
        db.session.scalars(
            select(ProgrammeSession)
            .join(Programme)
            .join(Organisation)
            .where(
                ProgrammeSession.id.in_(session_ids),
                Organisation.status == OrganisationStatus.APPROVED,
                Programme.status == ProgrammeStatus.ACTIVE,
            )
            .options(selectinload(ProgrammeSession.programme), selectinload(ProgrammeSession.venue))
            .order_by(ProgrammeSession.weekday, ProgrammeSession.start_time)
        )
    )


def add_requirements_from_sessions(
    order: Order, sessions: list[ProgrammeSession], officer_id: int, expected_version: int | None
) -> list[Requirement]:
    """Accepted suggestions become participation requirements, each referred to its partner at once."""
    ensure_editable(order, expected_version)
    already = {requirement.session_id for requirement in order.requirements}
    added = []
    for session in sessions:
        if session.id in already:
            continue
        requirement = _requirement_for(session, period_of(order))
        order.requirements.append(requirement)
        db.session.flush()
        referrals.create_referral(requirement, officer_id)
        added.append(requirement)
    if added:  # a resend of sessions already in the draft changes nothing
        touch(order, "suggestions accepted", session_ids=[s.id for s in sessions])
    return added


def _requirement_for(session: ProgrammeSession, period: OrderPeriod) -> Requirement:
    programme, venue = session.programme, session.venue
    facts = _programme_facts(session.id)
    own_start = facts.first_day if period.start and facts.first_day > period.start else None  # type: ignore[union-attr]
    last_day = facts.last_day  # type: ignore[union-attr]
    own_end = last_day if last_day and period.end and last_day < period.end else None
    return Requirement(
        starts_on=own_start,
        ends_on=own_end,
        kind=RequirementKind.PARTICIPATE,
        activity=programme.title,
        programme_id=programme.id,
        session_id=session.id,
        place_name=venue.name,
        place_address=venue.address,
        place_postcode=venue.postcode,
        place_easting=venue.easting,
        place_northing=venue.northing,
        weekday=session.weekday,
        start_time=session.start_time,
        end_time=session.end_time,
        supervisor_name=programme.supervisor_name,
        supervisor_organisation_id=programme.organisation_id,
        accepted_from_suggestion=True,
    )


def add_requirement(order: Order, fields: dict[str, Any], expected_version: int | None) -> Requirement:
    ensure_editable(order, expected_version)
    requirement = Requirement(**fields)
    order.requirements.append(requirement)
    touch(order, "requirement added by hand")
    return requirement


def update_requirement(order: Order, requirement_id: int, fields: dict[str, Any], expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    requirement = part_of(order.requirements, requirement_id)
    for name, value in fields.items():
        setattr(requirement, name, value)
    touch(order, "requirement changed", requirement_id=requirement_id, fields=sorted(fields))


def is_referred(requirement: Requirement) -> bool:
    """Whether removing it would withdraw a live referral (the partner is told)."""
    return requirement.referral is not None and requirement.referral.status in LIVE_REFERRALS


def remove_requirement(order: Order, requirement_id: int, expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    requirement = part_of(order.requirements, requirement_id)
    if requirement.referral is not None:
        if requirement.referral.status in LIVE_REFERRALS:
            referrals.withdraw_referral(requirement.referral)
        # The referral goes with its requirement (ON DELETE CASCADE); left alone, the ORM would null its
        # requirement_id instead and the removal would fail. The audit log keeps its disclosure and withdrawal.
        db.session.delete(requirement.referral)
        db.session.flush()
    order.requirements.remove(requirement)
    touch(order, "requirement removed", requirement_id=requirement_id)


def add_prohibition(order: Order, fields: dict[str, Any], expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    order.prohibitions.append(Prohibition(**fields))
    touch(order, "prohibition added")


def update_prohibition(order: Order, prohibition_id: int, fields: dict[str, Any], expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    prohibition = part_of(order.prohibitions, prohibition_id)
    for name, value in fields.items():
        setattr(prohibition, name, value)
    touch(order, "prohibition changed", prohibition_id=prohibition_id)


def remove_prohibition(order: Order, prohibition_id: int, expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    order.prohibitions.remove(part_of(order.prohibitions, prohibition_id))
    touch(order, "prohibition removed", prohibition_id=prohibition_id)


def _zone_prohibition(zone: ExclusionZone) -> Prohibition:
    return Prohibition(
        kind=ProhibitionKind.PLACE,
        description=zone.label,
        exclusion_zone_id=zone.id,
        postcode=zone.postcode,
        easting=zone.easting,
        northing=zone.northing,
        radius_m=zone.radius_m,
    )


def _person_prohibition(other: Subject) -> Prohibition:
    return Prohibition(
        kind=ProhibitionKind.PERSON, description=f"{other.first_name} {other.last_name}", person_subject_id=other.id
    )


def draft_state(order: Order, out_of_step: bool) -> DraftState:
    """What the draft's task list needs beyond its checks: what has been entered, and each referral's status."""
    return DraftState(
        route=order.route,
        details_started=bool(
            order.court or order.necessity_statement or order.proposed_start or order.start_on_release
        ),
        occasions=len(order.occasions),
        referral_states=[r.referral.status if r.referral else None for r in order.requirements],
        prohibitions=len(order.prohibitions),
        prohibitions_out_of_step=out_of_step,
    )


def prohibitions_out_of_step(order: Order) -> list[str]:
    """What differs between the draft's place and person prohibitions and the subject's record."""
    zones = {zone.id: zone for zone in order.subject.exclusion_zones}
    people = subject_data.non_associate_ids(order.subject_id)
    drawn_zones = {p.exclusion_zone_id for p in order.prohibitions if p.exclusion_zone_id is not None}
    drawn_people = {p.person_subject_id for p in order.prohibitions if p.person_subject_id is not None}
    differences = [f"Exclusion zone '{zones[z].label}' is not yet a prohibition" for z in zones.keys() - drawn_zones]
    differences += [
        "A prohibited place no longer matches an exclusion zone on the record" for _ in drawn_zones - zones.keys()
    ]
    differences += [
        "A person the subject must not associate with is not yet a prohibition" for _ in people - drawn_people
    ]
    differences += ["A prohibited person is no longer recorded as a non-associate" for _ in drawn_people - people]
    for prohibition in order.prohibitions:
        zone = zones.get(prohibition.exclusion_zone_id)
        if zone and (zone.easting, zone.northing, zone.radius_m) != (
            prohibition.easting,
            prohibition.northing,
            prohibition.radius_m,
        ):
            differences.append(f"Exclusion zone '{zone.label}' has changed since the prohibition was drawn")
    return differences


def sync_prohibitions(order: Order) -> None:
    """Draw place and person prohibitions from the subject's exclusion zones and non-associations."""
    zones = {zone.id: zone for zone in order.subject.exclusion_zones}
    people = subject_data.non_associate_ids(order.subject_id)
    for prohibition in list(order.prohibitions):
        stale_zone = (
            prohibition.kind == ProhibitionKind.PLACE
            and prohibition.exclusion_zone_id is not None
            and (prohibition.exclusion_zone_id not in zones)
        )
        stale_person = prohibition.person_subject_id is not None and prohibition.person_subject_id not in people
        if stale_zone or stale_person:
            order.prohibitions.remove(prohibition)
    drawn = {p.exclusion_zone_id: p for p in order.prohibitions if p.exclusion_zone_id is not None}
    for zone in zones.values():
        if zone.id in drawn:
            drawn[zone.id].easting, drawn[zone.id].northing, drawn[zone.id].radius_m = (
                zone.easting,
                zone.northing,
                zone.radius_m,
            )
            drawn[zone.id].postcode = zone.postcode
        else:
            order.prohibitions.append(_zone_prohibition(zone))
    drawn_people = {p.person_subject_id for p in order.prohibitions if p.person_subject_id is not None}
    for other in db.session.scalars(select(Subject).where(Subject.id.in_(people - drawn_people))):
        order.prohibitions.append(_person_prohibition(other))
    db.session.flush()


def co_attendees(order: Order) -> dict[int, tuple[int, ...]]:
    """Session id -> other subjects referred to or attending it."""
    session_ids = [r.session_id for r in order.requirements if r.session_id is not None]
    if not session_ids:
        return {}
    found: dict[int, list[int]] = {}
    for session_id, subject_id in db.session.execute(
        select(Referral.session_id, Referral.subject_id).where(
            Referral.session_id.in_(session_ids),
            Referral.status.in_(LIVE_REFERRALS),
            Referral.subject_id != order.subject_id,
        )
    ):
        found.setdefault(session_id, []).append(subject_id)
    return {session_id: tuple(sorted(ids)) for session_id, ids in found.items()}


def file_order(order: Order, expected_version: int | None) -> None:
    ensure_editable(order, expected_version)
    order.status = OrderStatus.FILED
    order.filed_at = utcnow()
    touch(order, "filed")


def mark_made(order: Order, fields: dict[str, Any], expected_version: int | None) -> None:
    """The court made the order: its confirmed requirements become active and registers start."""
    if order.status != OrderStatus.FILED:
        raise OrderLocked()
    check_version(order, expected_version)
    for name, value in fields.items():
        setattr(order, name, value)
    order.status = OrderStatus.MADE
    for requirement in order.requirements:
        if requirement.referral is not None and requirement.referral.status == ReferralStatus.ACCEPTED:
            referrals.activate_referral(requirement.referral)
    touch(order, "made by the court", made_on=str(fields.get("made_on")))


def start_new_version(order: Order, officer_id: int) -> Order:
    """Copy a filed order into a new draft; the filed one stays readable as it was. Referrals move with it."""
    if order.status != OrderStatus.FILED:
        raise OrderLocked()
    copy = Order(
        **{column: getattr(order, column) for column in VERSIONED_COLUMNS},
        officer_id=officer_id,
        order_version=order.order_version + 1,
        replaces_id=order.id,
    )
    copy.occasions = [
        Occasion(**_columns(o, ("occurred_on", "location_type", "summary", "good_reason_claimed")))
        for o in order.occasions
    ]
    copy.prohibitions = [Prohibition(**_columns(p, PROHIBITION_COLUMNS)) for p in order.prohibitions]
    order.status = OrderStatus.SUPERSEDED
    db.session.flush()  # the filed order stops being open before its successor is written (one open order each)
    db.session.add(copy)
    for requirement in order.requirements:
        moved = Requirement(**_columns(requirement, REQUIREMENT_COLUMNS))
        copy.requirements.append(moved)
        db.session.flush()
        if requirement.referral is not None:
            requirement.referral.requirement_id = moved.id
    touch(order, "superseded by a new version")
    audit.record(audit.COLLECTION, "order", copy.id, replaces=order.id)
    return copy


def _columns(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


VERSIONED_COLUMNS = (
    "subject_id route police_area applicant court proposed_start start_on_release duration_months necessity_statement "
    "conviction_offence conviction_date sentence yot_team yot_consulted_on yot_outcome guardian_name "
    "guardian_relationship guardian_absent_reason"
).split()
REQUIREMENT_COLUMNS = tuple(
    "kind activity programme_id session_id place_name place_address place_postcode place_easting place_northing "
    "weekday start_time end_time supervisor_name supervisor_organisation_id starts_on ends_on necessity_rationale "
    "accepted_from_suggestion".split()
)
PROHIBITION_COLUMNS = tuple(
    "kind description exclusion_zone_id postcode easting northing radius_m person_subject_id exceptions starts_on "
    "ends_on".split()
)


def period_of(order: Order) -> OrderPeriod:
    """The order's one period: every page, check, document, referral and register reads its dates from it."""
    return OrderPeriod.of(order.proposed_start, order.start_on_release, order.duration_months, order.made_on)


def filed_on(order: Order) -> date | None:
    """The day (in London) the order was filed: the court cannot have made it before then."""
    return None if order.filed_at is None else london_today(order.filed_at)


def order_period(order: Order) -> tuple[date, date] | None:
    """First and last day of the order: from the day the court made it, else the proposed start."""
    period = period_of(order)
    return None if period.start is None else (period.start, period.end)  # type: ignore[return-value]


def order_facts(order: Order, today: date) -> OrderFacts:
    """Everything the checks and the court document need, read once from the database."""
    subject = order.subject
    attendees = co_attendees(order)
    return OrderFacts(
        **{column: getattr(order, column) for column in FACT_COLUMNS}
        | {"made_on": order.made_on, "subject_postcode": subject.home_postcode},
        route=str(order.route),
        subject_reference=subject.reference,
        subject_name=subject.display_name,
        subject_date_of_birth=subject.date_of_birth,
        subject_windows=tuple(
            WindowFacts(w.weekday, minutes(w.start_time), minutes(w.end_time), str(w.kind), w.label)
            for w in subject.windows
        ),
        curfew=(minutes(subject.curfew_start), minutes(subject.curfew_end))
        if subject.curfew_start is not None and subject.curfew_end is not None
        else None,
        non_associate_ids=tuple(sorted(subject_data.non_associate_ids(subject.id))),
        occasions=tuple(
            OccasionFacts(o.occurred_on, o.location_type, o.summary, o.good_reason_claimed or "")
            for o in sorted(order.occasions, key=lambda occasion: occasion.occurred_on)
        ),
        requirements=tuple(_requirement_facts(r, attendees) for r in order.requirements),
        prohibitions=tuple(_prohibition_facts(p) for p in order.prohibitions),
        legal_bases=tuple(
            LegalBasisFacts(b.police_area, b.regulation, b.valid_from, b.valid_to) for b in policy.legal_bases()
        ),
        today=today,
    )


FACT_COLUMNS = (
    "police_area applicant court proposed_start start_on_release duration_months necessity_statement "
    "conviction_offence conviction_date sentence yot_team yot_consulted_on yot_outcome guardian_name "
    "guardian_relationship "
    "guardian_absent_reason"
).split()


def _requirement_facts(requirement: Requirement, attendees: dict[int, tuple[int, ...]]) -> RequirementFacts:
    referral = requirement.referral
    confirmed = (
        referral is not None
        and referral.responded_at is not None
        and referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.ACTIVE, ReferralStatus.COMPLETED)
    )
    organisation = (
        db.session.get(Organisation, requirement.supervisor_organisation_id)
        if requirement.supervisor_organisation_id
        else None
    )
    return RequirementFacts(
        id=requirement.id,
        kind=str(requirement.kind),
        activity=requirement.activity,
        place_name=requirement.place_name,
        place_address=requirement.place_address,
        place_postcode=requirement.place_postcode,
        easting=float(requirement.place_easting) if requirement.place_easting is not None else None,
        northing=float(requirement.place_northing) if requirement.place_northing is not None else None,
        weekday=requirement.weekday,
        start=minutes(requirement.start_time),
        end=minutes(requirement.end_time),
        starts_on=requirement.starts_on,
        ends_on=requirement.ends_on,
        supervisor_name=requirement.supervisor_name,
        supervisor_organisation=organisation.name if organisation else None,
        referral_status=str(referral.status) if referral else None,
        confirmed_by=_user_name(referral.responded_by_id) if confirmed else None,
        confirmed_at=referral.responded_at if confirmed else None,
        co_attendee_subject_ids=attendees.get(requirement.session_id, ()) if requirement.session_id else (),
        necessity_rationale=requirement.necessity_rationale,
        programme=_programme_facts(requirement.session_id),
    )


def _programme_facts(session_id: int | None) -> ProgrammeFacts | None:
    session = db.session.get(ProgrammeSession, session_id) if session_id else None
    if session is None:
        return None
    programme = db.session.get(Programme, session.programme_id)
    return ProgrammeFacts(
        programme.title,
        programme.min_age,
        programme.max_age,
        programme.valid_from,
        programme.valid_to,
        session.term_start,
        session.term_end,
    )


def _user_name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.full_name if user else None


def _prohibition_facts(prohibition: Prohibition) -> ProhibitionFacts:
    return ProhibitionFacts(
        id=prohibition.id,
        kind=str(prohibition.kind),
        description=prohibition.description,
        exceptions=prohibition.exceptions,
        easting=float(prohibition.easting) if prohibition.easting is not None else None,
        northing=float(prohibition.northing) if prohibition.northing is not None else None,
        radius_m=float(prohibition.radius_m) if prohibition.radius_m is not None else None,
        person_subject_id=prohibition.person_subject_id,
        person_label=prohibition.description,
        starts_on=prohibition.starts_on,
        ends_on=prohibition.ends_on,
        place_postcode=prohibition.postcode,
    )
