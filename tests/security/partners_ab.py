"""Two partner organisations side by side, an officer and an admin (security bar 12, 13 and 26).

Each partner, A and B, has its own venue, programme, weekly session, referrals (one active with a register, one
waiting for an answer, one declined), attendance marks, a non-compliance report, an API token and a calendar feed,
all carrying words of their own ("Alpha", "Bravo") so a page or export shows at once whose records it holds.

A's active young person also carries a distinctive value in every officer-only field (`OFFICER_ONLY`): the police
reference, date of birth, home address, notes, exclusion zones, non-associations, the order's grounds and the breach
assessment. Partner A sees the referral, so any of them on a partner page, export or API answer is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import (
    ComplianceEvent,
    ExclusionZone,
    NonAssociation,
    NonComplianceReport,
    NoteKind,
    Occasion,
    Order,
    OrderRoute,
    OrderStatus,
    ProgrammeDraft,
    ProgrammeSession,
    Prohibition,
    ReportCorrection,
    Requirement,
    SubjectCategory,
    SubjectNote,
    SubjectWindow,
    utcnow,
)
from portal.rules.schedule import LONDON, london_today
from tests.factories import Factory

# The day this module was imported: every date of the world counts from it, so a world built after midnight (it is
# built again each hour) has the same dates as the markers below.
TODAY = london_today()
SESSION_DAY = TODAY - timedelta(days=7)  # a past session date: its register is open and someone is expected
MADE_ON = TODAY - timedelta(days=40)  # not a session weekday, so it never shows as a register date
STARTS_ON = TODAY - timedelta(days=21)
ENDS_ON = TODAY + timedelta(days=150)
DATE_OF_BIRTH = date(2010, 5, 17)
CONVICTION_DATE = date(2025, 3, 14)
YOT_CONSULTED_ON = date(2025, 4, 9)
FILED_AT = datetime(2026, 8, 19, 10, 31)


def _no_clock_shows(preferred: time) -> time:
    """`preferred`, or three hours earlier (and so on), so that it is not a clock time any page of this run shows:
    pages and calendar feeds show when things were done, in London time and in UTC, and the shared state is at most
    an hour old. A curfew of 21:47 was once found on a partner page at 21:47, as the time an event happened."""
    now = datetime.now(UTC)
    shown = {
        f"{moment.astimezone(zone):%H:%M}"
        for minutes in range(-75, 31)
        for moment in [now + timedelta(minutes=minutes)]
        for zone in (UTC, LONDON)
    }
    while f"{preferred:%H:%M}" in shown:
        preferred = time((preferred.hour - 3) % 24, preferred.minute)
    return preferred


def time_forms(moment: time) -> tuple[str, ...]:
    """The ways a time of day can be written on a page, in a document or in a calendar feed."""
    return (f"{moment:%H:%M}", f"{moment.hour % 12 or 12}:{moment:%M}{moment:%p}".lower(), f"{moment:%H%M}00")


CURFEW_START = _no_clock_shows(time(21, 47))
CURFEW_END = _no_clock_shows(time(6, 13))
SUBJECT_REVIEW_DUE = date(2031, 7, 23)
ORDER_REVIEW_DUE = date(2032, 2, 11)


def date_forms(day: date) -> tuple[str, ...]:
    """The ways a page, feed or JSON answer could write this date."""
    return (
        f"{day.day} {day:%B %Y}",
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day:%Y%m%d}",
    )


# Every officer-only value given to A's active young person, with the ways it could appear. Keys name the column
# (or the officer-only record) it sits in; tests/security/test_minimisation.py checks these cover every column of
# Subject and Order that is not on the data-sharing allow-list.
OFFICER_ONLY: dict[str, tuple[str, ...]] = {
    "subject.reference": ("REF-ZQ-8841",),
    "subject.last_name": ("Quillfeather",),
    "subject.date_of_birth": date_forms(DATE_OF_BIRTH),
    "subject.gender": ("female", "Female"),
    "subject.home_postcode": ("N1 9GU", "N19GU"),
    "subject.home_easting": ("531234",),
    "subject.home_northing": ("183456",),
    "subject.category": ("convicted", "Convicted"),
    "subject.interest_activity_types": ("zq-interest-type",),
    "subject.interest_text": ("ZQ-INTEREST-TEXT",),
    "subject.curfew_start": time_forms(CURFEW_START),
    "subject.curfew_end": time_forms(CURFEW_END),
    "subject.max_travel_m": ("7345", "7.3 km", "7.35"),
    "subject.created_by_id": ("Zed Quorum", "zed.quorum@met.example.org"),  # the officer who recorded them
    "subject.review_due": date_forms(SUBJECT_REVIEW_DUE),
    "order.officer_id": ("Zed Quorum",),
    "order.route": ("s19", "s.19", "section 19", "on conviction"),
    "order.police_area": ("ZQ-POLICE-AREA",),
    "order.applicant": ("ZQ-APPLICANT",),
    "order.court": ("ZQ-COURT",),
    "order.start_on_release": ("on release", "On release"),
    "order.necessity_statement": ("ZQ-NECESSITY",),
    "order.conviction_offence": ("ZQ-OFFENCE",),
    "order.conviction_date": date_forms(CONVICTION_DATE),
    "order.sentence": ("ZQ-SENTENCE",),
    "order.yot_team": ("ZQ-YOT-TEAM",),
    "order.yot_consulted_on": date_forms(YOT_CONSULTED_ON),
    "order.yot_outcome": ("ZQ-YOT-OUTCOME",),
    "order.guardian_name": ("ZQ-GUARDIAN",),
    "order.guardian_relationship": ("ZQ-RELATIONSHIP",),
    "order.guardian_absent_reason": ("ZQ-ABSENT-REASON",),
    "order.filed_at": date_forms(FILED_AT.date()),
    "order.made_on": date_forms(MADE_ON),
    "order.made_by_court": ("ZQ-MADE-BY-COURT",),
    "order.final_terms": ("ZQ-FINAL-TERMS",),
    "order.review_due": date_forms(ORDER_REVIEW_DUE),
    # officer-only records about the young person
    "note.fact": ("ZQ-NOTE-FACT",),
    "note.assessment (intelligence)": ("ZQ-NOTE-INTELLIGENCE",),
    "window.label": ("ZQ-SCHOOL-LABEL",),
    "exclusion_zone.label": ("ZQ-ZONE-LABEL",),
    "exclusion_zone.postcode": ("SE1 7PB",),
    "non_association.other_subject": ("Zebulon", "Nightshade", "REF-ZQ-9902"),
    "occasion.summary": ("ZQ-OCCASION",),
    "occasion.good_reason_claimed": ("ZQ-GOOD-REASON",),
    "prohibition.description": ("ZQ-PROHIBITION",),
    "prohibition.exceptions": ("ZQ-PROHIBITION-EXCEPTION",),
    "requirement.necessity_rationale": ("ZQ-RATIONALE",),
    "compliance_event.description": ("ZQ-CURFEW-EVENT",),
    "report.facts (rule)": ("ZQ-RULE-FACTS",),
    "report.assessment (breach notes)": ("ZQ-BREACH-ASSESSMENT",),
    "report.decision_reason": ("ZQ-DECISION-REASON",),
    "report.correction": ("ZQ-REPORT-CORRECTION",),
}

# What A's partner is given about A's young person: the data-sharing allow-list's distinctive values.
SHARED = {
    "first_name": "Aurelia",
    "subject_name": "Aurelia Q.",
    "activity": "Weekly football coaching",
    "place_name": "Alpha Hall",
    "place_address": "7 Alpha Street, London",
    "place_postcode": "E3 2AA",
    "supervisor_name": "Ada Coach",
    "statement_capacity": "ALPHA-CAPACITY",
    "statement_dates": "ALPHA-DATES",
    "statement_safeguarding": "ALPHA-SAFEGUARDING",
    "statement_attendance": "ALPHA-ATTENDANCE",
    "decline_reason": "ALPHA-DECLINE-REASON",
    "responder": "Pat Alpha",
    "languages": ["en", "bn"],
    "needs": ["halal-food"],
    "proposed_start": date(2026, 9, 1),
    "duration_months": 18,
}


@dataclass
class Side:
    """One partner organisation and everything it owns."""

    letter: str
    words: dict[str, str]
    organisation_id: int = 0
    user_id: int = 0
    client: FlaskClient | None = None
    api: Api | None = None
    token_id: int = 0
    feed_token: str = ""
    venue_id: int = 0
    programme_id: int = 0
    session_id: int = 0
    subject_id: int = 0
    order_id: int = 0
    requirement_id: int = 0
    referral_id: int = 0  # active: the young person is on the register
    sent_referral_id: int = 0  # waiting for the partner's answer
    declined_referral_id: int = 0
    report_id: int = 0
    mark_id: int = 0
    draft_id: int = 0
    ids: dict[str, Any] = field(default_factory=dict)

    def marker_words(self) -> tuple[str, ...]:
        """Words that appear only in this side's records."""
        return tuple(self.words.values())


class Api:
    """A test client bound to one bearer token."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} | kwargs.pop("headers", {})
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)


@dataclass
class TwoPartners:
    app: Flask
    a: Side
    b: Side
    officer: FlaskClient
    officer_id: int
    admin: FlaskClient
    other_subject_id: int


WORDS = {
    "A": {
        "organisation": "Alpha Youth Trust",
        "venue": "Alpha Hall",
        "programme": "Alpha Football Club",
        "active": "Aurelia",
        "sent": "Anselm",
        "declined": "Ariadne",
        "report": "ALPHA-PARTNER-REPORT",
        "token": "alpha-api-token",
    },
    "B": {
        "organisation": "Bravo Boxing CIC",
        "venue": "Bravo Gym",
        "programme": "Bravo Boxing Nights",
        "active": "Beatrix",
        "sent": "Benedikt",
        "declined": "Bronwen",
        "report": "BRAVO-PARTNER-REPORT",
        "token": "bravo-api-token",
    },
}
SURNAMES = {"A": ("Quillfeather", "Vantablack", "Ormsby"), "B": ("Oakenshield", "Marchbanks", "Pemberton")}


def build(app: Flask, make: Factory, sign_in) -> TwoPartners:
    officer = app.test_client()
    officer_id = sign_in(officer, "officer", full_name="Zed Quorum", email="zed.quorum@met.example.org")
    admin = app.test_client()
    sign_in(admin, "admin")
    other_subject_id = make.subject(first_name="Zebulon", last_name="Nightshade", reference="REF-ZQ-9902")
    a = _side(app, make, sign_in, "A", officer_id)
    b = _side(app, make, sign_in, "B", officer_id)
    _officer_only_data(app, make, a, officer_id, other_subject_id)
    return TwoPartners(app, a, b, officer, officer_id, admin, other_subject_id)


def _side(app: Flask, make: Factory, sign_in, letter: str, officer_id: int) -> Side:
    words = WORDS[letter]
    side = Side(letter, words)
    side.organisation_id = make.organisation(name=words["organisation"], email=f"contact@{letter.lower()}.example.org")
    side.client = app.test_client()
    side.user_id = sign_in(
        side.client, "partner", organisation_id=side.organisation_id, full_name=f"Pat {words['organisation'][:5]}"
    )
    side.venue_id = make.venue(
        side.organisation_id, name=words["venue"], address=f"7 {words['organisation'][:5]} Street, London"
    )
    side.programme_id = make.programme(
        side.organisation_id,
        sessions=1,
        venue_id=side.venue_id,
        title=words["programme"],
        supervisor_name=f"{words['organisation'][:3]} Coach",
        capacity=10,
    )
    side.session_id = make.session_ids(side.programme_id)[0]
    with app.app_context():
        session = db.session.get(ProgrammeSession, side.session_id)
        session.weekday = TODAY.weekday()
        session.term_start = TODAY - timedelta(days=60)
        session.term_end = None
        db.session.commit()

    surnames = SURNAMES[letter]
    active_subject = make.subject(
        first_name=words["active"],
        last_name=surnames[0],
        languages=SHARED["languages"] if letter == "A" else ["en"],
        needs=SHARED["needs"] if letter == "A" else [],
        created_by_id=officer_id,
    )
    side.subject_id = active_subject
    side.order_id = make.order(
        active_subject,
        status=OrderStatus.MADE,
        made_on=MADE_ON,
        officer_id=officer_id,
        proposed_start=SHARED["proposed_start"],
        duration_months=SHARED["duration_months"],
    )
    side.requirement_id = make.requirement(
        side.order_id,
        session_id=side.session_id,
        activity=SHARED["activity"] if letter == "A" else "Weekly boxing coaching",
        starts_on=STARTS_ON,
        ends_on=ENDS_ON,
    )
    responded = utcnow() - timedelta(days=20)
    side.referral_id = make.referral(
        side.session_id,
        requirement_id=side.requirement_id,
        status="active",
        sent_at=responded - timedelta(days=2),
        viewed_at=responded - timedelta(days=1),
        responded_at=responded,
        responded_by_id=side.user_id,
        sent_by_id=officer_id,
        statement_capacity=f"{words['organisation'][:5].upper()}-CAPACITY",
        statement_dates=f"{words['organisation'][:5].upper()}-DATES",
        statement_safeguarding=f"{words['organisation'][:5].upper()}-SAFEGUARDING",
        statement_attendance=f"{words['organisation'][:5].upper()}-ATTENDANCE",
    )
    side.sent_referral_id = _referral_for(make, side, words["sent"], surnames[1], "sent", officer_id)
    side.declined_referral_id = _referral_for(
        make,
        side,
        words["declined"],
        surnames[2],
        "declined",
        officer_id,
        decline_reason=f"{words['organisation'][:5].upper()}-DECLINE-REASON",
        responded_by_id=side.user_id,
        responded_at=responded,
    )
    side.mark_id = make.mark(side.requirement_id, SESSION_DAY, status="attended", session_id=side.session_id)
    with app.app_context():
        report = NonComplianceReport(
            order_id=side.order_id,
            requirement_id=side.requirement_id,
            rule_code="partner-concern",
            source="partner",
            kind="concern",
            facts=words["report"],
            raised_by_id=side.user_id,
            raised_by_organisation_id=side.organisation_id,
        )
        db.session.add(report)
        db.session.commit()
        side.report_id = report.id
    with app.app_context():  # a programme still being written through the task list, with one weekly session
        draft = ProgrammeDraft(
            organisation_id=side.organisation_id,
            answers={
                "title": f"{words['programme']} Draft",
                "description": "Coaching and mentoring.",
                "activity_types": ["boxing"],
                "tags": [],
                "min_age": 13,
                "max_age": 18,
                "gender": "any",
                "languages": ["en"],
                "provisions": [],
                "accessibility_notes": "",
                "supervisor_name": f"{words['organisation'][:3]} Coach",
                "supervisor_role": "Coach",
                "supervisor_email": f"coach@{letter.lower()}.example.org",
                "supervisor_phone": "020 7946 0000",
                "referral_process": "Email the coach.",
                "valid_from": STARTS_ON.isoformat(),
                "valid_to": None,
                "capacity": 10,
                "cost_pence": 0,
            },
            completed=["about", "cultural-and-faith-provision", "dates-and-places", "supervisor", "who-it-is-for"],
            sessions=[
                {
                    "venue_id": side.venue_id,
                    "weekday": 1,
                    "start_time": "17:00:00",
                    "end_time": "19:00:00",
                    "term_start": STARTS_ON.isoformat(),
                    "term_end": None,
                    "exception_dates": [],
                }
            ],
        )
        db.session.add(draft)
        db.session.commit()
        side.draft_id = draft.id
    side.api, side.token_id = _api(app, side.user_id, words["token"])
    side.feed_token = _feed(app, side.user_id, side.organisation_id)
    side.ids = {
        "programme_id": side.programme_id,
        "session_id": side.session_id,
        "venue_id": side.venue_id,
        "referral_id": side.referral_id,
        "on_date": SESSION_DAY.isoformat(),
        "action": "pause",
        "token_id": side.token_id,
        "draft_id": side.draft_id,
        "section": "about",
    }
    return side


def _referral_for(
    make: Factory,
    side: Side,
    first_name: str,
    last_name: str,
    status: str,
    officer_id: int,
    **fields: Any,
) -> int:
    subject_id = make.subject(first_name=first_name, last_name=last_name)
    order_id = make.order(subject_id, officer_id=officer_id)
    requirement_id = make.requirement(order_id, session_id=side.session_id, starts_on=STARTS_ON, ends_on=ENDS_ON)
    return make.referral(side.session_id, requirement_id=requirement_id, status=status, sent_by_id=officer_id, **fields)


def _api(app: Flask, user_id: int, name: str) -> tuple[Api, int]:
    from portal.data import tokens

    with app.test_request_context():
        token, plain = tokens.create_token(user_id, name)
        db.session.commit()
        token_id = token.id
    return Api(app.test_client(), plain), token_id


def _feed(app: Flask, user_id: int, organisation_id: int) -> str:
    from portal.data import calendars

    with app.test_request_context():
        _found, token = calendars.create_feed(user_id, organisation_id=organisation_id)
        db.session.commit()
    return token


def _officer_only_data(app: Flask, make: Factory, side: Side, officer_id: int, other_subject_id: int) -> None:
    """Give A's active young person, their order and their reports a distinctive value in every officer-only field."""
    with app.app_context():
        subject = db.session.get(Order, side.order_id).subject
        subject.reference = "REF-ZQ-8841"
        subject.date_of_birth = DATE_OF_BIRTH
        subject.gender = "female"
        subject.home_postcode = "N1 9GU"
        subject.home_easting, subject.home_northing = 531234, 183456
        subject.category = SubjectCategory.CONVICTED
        subject.interest_activity_types = ["zq-interest-type"]
        subject.interest_text = "ZQ-INTEREST-TEXT"
        subject.curfew_start, subject.curfew_end = CURFEW_START, CURFEW_END
        subject.max_travel_m = 7345
        subject.review_due = SUBJECT_REVIEW_DUE
        order = db.session.get(Order, side.order_id)
        order.route = OrderRoute.ON_CONVICTION
        order.police_area = "ZQ-POLICE-AREA"
        order.applicant = "ZQ-APPLICANT"
        order.court = "ZQ-COURT"
        order.start_on_release = True
        order.necessity_statement = "ZQ-NECESSITY"
        order.conviction_offence = "ZQ-OFFENCE"
        order.conviction_date = CONVICTION_DATE
        order.sentence = "ZQ-SENTENCE"
        order.yot_team, order.yot_consulted_on, order.yot_outcome = "ZQ-YOT-TEAM", YOT_CONSULTED_ON, "ZQ-YOT-OUTCOME"
        order.guardian_name, order.guardian_relationship = "ZQ-GUARDIAN", "ZQ-RELATIONSHIP"
        order.guardian_absent_reason = "ZQ-ABSENT-REASON"
        order.filed_at = FILED_AT
        order.made_by_court, order.final_terms = "ZQ-MADE-BY-COURT", "ZQ-FINAL-TERMS"
        order.review_due = ORDER_REVIEW_DUE
        requirement = db.session.get(Requirement, side.requirement_id)
        requirement.necessity_rationale = "ZQ-RATIONALE"
        requirement.place_name, requirement.place_address = SHARED["place_name"], SHARED["place_address"]
        requirement.place_postcode, requirement.supervisor_name = SHARED["place_postcode"], SHARED["supervisor_name"]
        db.session.add_all(
            [
                SubjectNote(subject_id=subject.id, kind=NoteKind.FACT, text="ZQ-NOTE-FACT", author_id=officer_id),
                SubjectNote(
                    subject_id=subject.id, kind=NoteKind.ASSESSMENT, text="ZQ-NOTE-INTELLIGENCE", author_id=officer_id
                ),
                SubjectWindow(
                    subject_id=subject.id,
                    kind="school",
                    label="ZQ-SCHOOL-LABEL",
                    weekday=(TODAY.weekday() + 1) % 7,
                    start_time=time(8, 40),
                    end_time=time(15, 30),
                ),
                ExclusionZone(
                    subject_id=subject.id,
                    label="ZQ-ZONE-LABEL",
                    postcode="SE1 7PB",
                    easting=531000,
                    northing=179000,
                    radius_m=500,
                ),
                NonAssociation(
                    subject_low_id=min(subject.id, other_subject_id),
                    subject_high_id=max(subject.id, other_subject_id),
                    created_by_id=officer_id,
                ),
                Occasion(
                    order_id=order.id,
                    occurred_on=date(2025, 2, 1),
                    location_type="public-place",
                    summary="ZQ-OCCASION",
                    good_reason_claimed="ZQ-GOOD-REASON",
                ),
                Prohibition(
                    order_id=order.id,
                    kind="place",
                    description="ZQ-PROHIBITION",
                    exceptions="ZQ-PROHIBITION-EXCEPTION",
                ),
                ComplianceEvent(
                    order_id=order.id,
                    kind="curfew",
                    occurred_at=datetime(2026, 10, 3, 22, 30),
                    minutes_late=43,
                    description="ZQ-CURFEW-EVENT",
                    reported_by_id=officer_id,
                ),
            ]
        )
        report = NonComplianceReport(
            order_id=order.id,
            requirement_id=side.requirement_id,
            rule_code="curfew-late",
            source="rule",
            kind="non-compliance",
            status="submitted",
            facts="ZQ-RULE-FACTS",
            assessment="ZQ-BREACH-ASSESSMENT",
            decision="refer-for-breach",
            decision_reason="ZQ-DECISION-REASON",
            decided_by_id=officer_id,
            submitted_at=utcnow(),
        )
        db.session.add(report)
        db.session.flush()
        db.session.add(ReportCorrection(report_id=report.id, text="ZQ-REPORT-CORRECTION", author_id=officer_id))
        db.session.commit()
    make.mark(
        side.requirement_id,
        SESSION_DAY - timedelta(days=7),
        status="absent",
        absence_reason="Alpha absence reason",
        absence_acceptable=True,
        session_id=side.session_id,
    )
