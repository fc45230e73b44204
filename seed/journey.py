"""The demo's order journey: a subject at every stage, from a draft awaiting partners to a non-compliance report.

Everything goes through the portal's own data layer, as the officer's and the partners' pages would: the draft and
its period, referrals and the partners' answers, the checks before filing, the made date, the registers and the
non-compliance rules, each with its audit event. Dates are relative to the day the seed runs (`journey.json`), so
the demo never goes stale. The made orders' history is back-dated: they were filed two weeks before the court made
them, and their registers are marked from the made date to yesterday.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.data import attendance, orders, policy, programmes, referrals, registers, subjects
from portal.extensions import db
from portal.infra.geo import geocode
from portal.models import (
    NoteKind,
    Order,
    Organisation,
    Programme,
    ProgrammeSession,
    Requirement,
    Subject,
    User,
    Venue,
)
from portal.rules.dates import add_months
from portal.rules.orders.checks import check_order
from portal.rules.orders.period import OrderPeriod, StartRule
from portal.rules.schedule import london_today

JOURNEY_FILE = Path(__file__).resolve().parent / "data" / "journey.json"
ORDER_MONTHS = 12
FILED_BEFORE_MADE = timedelta(days=14)
DRAFT_LEAD_TIME = timedelta(days=28)
STATEMENT = {
    "capacity": "We have a place for her.",
    "dates": "From the day the court makes the order, every week.",
    "safeguarding": "DBS-checked female coaches; our safeguarding lead is named on the listing.",
    "attendance": "Register taken at every session and recorded in the portal the same evening.",
}


class JourneyNotReady(Exception):
    """A demo order does not pass the checks the officer's filing page applies: the seed data needs fixing."""


def load_journey(added: dict[str, int]) -> None:
    """Adds each journey subject not yet in the database, with its order at its stage."""
    journey = json.loads(JOURNEY_FILE.read_text(encoding="utf-8"))
    today = london_today()
    officer = db.session.scalar(select(User).where(User.email == journey["officer_email"]))
    listings = {row["key"]: Listing(row, _programme_session(row, today, added)) for row in journey["programmes"]}
    for row in journey["subjects"]:
        if subjects.find_by_reference(row["reference"]) is None:
            _subject_at_stage(row, officer, [listings[key] for key in row["programmes"]], today)
            added["subjects"] += 1
            added["orders"] += 1


@dataclass(frozen=True)
class Listing:
    """A journey programme as `journey.json` describes it, and its one weekly session in the database."""

    row: dict
    session: ProgrammeSession


# --------------------------------------------------------------------------- programmes


def _programme_session(row: dict, today: date, added: dict[str, int]) -> ProgrammeSession:
    """The journey programme's one weekly session, the programme added if it is missing."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == row["organisation"]))
    found = db.session.scalar(
        select(ProgrammeSession)
        .join(Programme)
        .where(Programme.organisation_id == organisation.id, Programme.title == row["title"])
    )
    if found is not None:
        return found
    venue = db.session.scalar(select(Venue).where(Venue.organisation_id == organisation.id, Venue.name == row["venue"]))
    started = today - timedelta(days=row["started_days_ago"])
    programme = programmes.create_programme(organisation.id, _programme_fields(row, started, today))
    session = programmes.add_session(
        programme,
        {
            "venue_id": venue.id,
            "weekday": row["weekday"],
            "start_time": time.fromisoformat(row["start"]),
            "end_time": time.fromisoformat(row["end"]),
            "term_start": started,
            "term_end": None,
            "exception_dates": [],
        },
    )
    added["programmes"] += 1
    added["sessions"] += 1
    return session


def _programme_fields(row: dict, started: date, today: date) -> dict:
    copied = (
        "title description activity_types tags min_age max_age gender capacity provisions accessibility_notes "
        "referral_process supervisor_name supervisor_role supervisor_email supervisor_phone"
    ).split()
    return {name: row[name] for name in copied} | {
        "cost_pence": 0,
        "languages": ["en"],
        "valid_from": started,
        "valid_to": None,
        "assured_on": today - timedelta(days=30),
    }


# --------------------------------------------------------------------------- subjects and their orders


def _subject_at_stage(row: dict, officer: User, listings: list[Listing], today: date) -> None:
    made_on = today - timedelta(days=row["made_days_ago"]) if "made_days_ago" in row else None
    order = _draft(row, officer, listings, planned_start=made_on or today + DRAFT_LEAD_TIME, today=today)
    if row["stage"] == "draft awaiting partners":
        return
    _file(order, today)
    if made_on is None:
        return
    _make(order, made_on)
    _fresh()
    for listing in listings:
        requirement = next(r for r in order.requirements if r.session_id == listing.session.id)
        _mark_registers(requirement, row["marks"].get(listing.row["key"], {}), made_on, today)
        if "ends_in_days_once_ordered" in listing.row:
            _end_listing_early(listing.session, today + timedelta(days=listing.row["ends_in_days_once_ordered"]))


def _draft(row: dict, officer: User, listings: list[Listing], planned_start: date, today: date) -> Order:
    """The draft as the officer builds it from the suggestions, its referrals answered by the partners named."""
    subject = _subject(row, officer.id, today)
    period = OrderPeriod(StartRule.ON_DATE, ORDER_MONTHS, planned_start)
    order = orders.start_draft(subject, officer.id, officer.unit, period)
    _fill_details(order, row, planned_start)
    orders.add_requirements_from_sessions(order, [listing.session for listing in listings], officer.id, order.version)
    _fresh()
    for requirement in order.requirements:
        rationale = {"necessity_rationale": _rationale(requirement.activity)}
        orders.update_requirement(order, requirement.id, rationale, order.version)
        if requirement.referral.organisation.name in row["accepted_by"]:
            partner_id = _partner_id(requirement.referral.organisation_id)
            referrals.accept_referral(requirement.referral, partner_id, STATEMENT)
    _fresh()
    return order


def _fresh() -> None:
    """Writes what is pending and forgets what was read, as the next page would: each step then sees the one
    before it (a referral just sent, a requirement just accepted)."""
    db.session.flush()
    db.session.expire_all()


def _subject(row: dict, officer_id: int, today: date) -> Subject:
    years, days = row["age"]
    home = geocode(row["home_postcode"])
    subject = subjects.create_subject(
        {
            "reference": row["reference"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "date_of_birth": add_months(today, -12 * years) - timedelta(days=days),
            "gender": "female",
            "home_postcode": home.postcode,
            "home_easting": home.easting,
            "home_northing": home.northing,
            "category": "suspect",
            "languages": ["en"],
            "interest_activity_types": row["interests"],
            "interest_text": ", ".join(row["interests"]),
            "needs": [],
            "curfew_start": None,
            "curfew_end": None,
            "max_travel_m": 5000,
            "completed_sections": list(subjects.SECTION_TITLES),  # the demo's records are complete
        },
        officer_id,
    )
    school = {"kind": "school", "label": "School", "start_time": time(8, 40), "end_time": time(15, 30)}
    subjects.add_windows(subject, [school | {"weekday": day} for day in range(5)])
    subjects.add_note(subject, NoteKind.FACT, row["note"], officer_id)
    return subject


def _fill_details(order: Order, row: dict, planned_start: date) -> None:
    guardian_name, relationship = row["guardian"]
    orders.update_details(
        order,
        {
            "route": "s14",
            "police_area": "Metropolitan Police district",
            "court": "Thames Magistrates' Court",
            "proposed_start": planned_start,
            "duration_months": ORDER_MONTHS,
            "necessity_statement": "To protect her and the public from knife crime, and to steer her towards "
            "structured activity with adults she trusts.",
            "yot_team": "Tower Hamlets Youth Justice Service",
            "yot_consulted_on": planned_start - timedelta(days=35),
            "yot_outcome": "Supports positive requirements at girls' sport sessions near home.",
            "guardian_name": guardian_name,
            "guardian_relationship": relationship,
        },
        order.version,
    )
    for days_before in (90, 60):
        orders.add_occasion(
            order,
            {
                "occurred_on": planned_start - timedelta(days=days_before),
                "location_type": "public-place",
                "summary": row["note"],
            },
            order.version,
        )


def _rationale(activity: str) -> str:
    return f"{activity} gives her a supervised, structured evening with positive adults, away from the street."


def _partner_id(organisation_id: int) -> int:
    return db.session.scalar(select(User.id).where(User.organisation_id == organisation_id).order_by(User.id))


def _file(order: Order, today: date) -> None:
    """Files the order only when every check the officer's filing page applies passes."""
    result = check_order(orders.order_facts(order, today), policy.order_check_policy())
    if not result.ready_for_court or orders.prohibitions_out_of_step(order):
        raise JourneyNotReady(f"{order.subject.reference}: {[problem.message for problem in result.problems]}")
    orders.file_order(order, order.version)


def _make(order: Order, made_on: date) -> None:
    """The court made the order on `made_on`, two weeks after it was filed (the made page's rule: not in the
    future, not before the filing)."""
    order.filed_at = datetime.combine(made_on - FILED_BEFORE_MADE, time(10))
    db.session.flush()
    if not orders.filed_on(order) <= made_on <= london_today():
        raise JourneyNotReady(f"{order.subject.reference}: made date {made_on} breaks the made page's rule")
    fields = {"made_on": made_on, "made_by_court": order.court, "final_terms": ""}
    orders.mark_made(order, fields, order.version)


def _mark_registers(requirement: Requirement, exceptions: dict, made_on: date, today: date) -> None:
    """The partner marks every register since the order was made: attended, except the late and absent ones
    (`exceptions` lists them by the register's place in date order)."""
    referral = requirement.referral
    partner_id = _partner_id(referral.organisation_id)
    expected = attendance.expected_sessions(referral.organisation_id, made_on, today - timedelta(days=1))
    dates = [
        found.on_date
        for found in expected
        if found.session_id == referral.session_id
        and any(attendee.requirement_id == requirement.id for attendee in found.attendees)
    ]
    for index, on_date in enumerate(dates):
        register = registers.find_register(referral.organisation_id, referral.session_id, on_date, history=False)
        mark = _mark(index, exceptions) | {"requirement_id": requirement.id}
        registers.save_register(register, [mark], partner_id)


def _mark(index: int, exceptions: dict) -> dict:
    if index in exceptions.get("late", ()):
        return {"status": "late", "minutes_late": 20}
    if index in exceptions.get("absent", ()):
        return {
            "status": "absent",
            "absence_reason": "No reason given",
            "absence_acceptable": False,
            "contact_attempts": "Phoned her mother twice the same evening; no answer.",
        }
    return {"status": "attended"}


def _end_listing_early(session: ProgrammeSession, ends_on: date) -> None:
    """The partner brings the listing's end forward after the order was made: the officer's dashboard then shows
    the gap and replacement programmes."""
    programme = session.programme
    programmes.update_programme(programme, {"valid_to": ends_on}, programme.version)
