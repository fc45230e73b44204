"""Partners' attendance registers: who is expected when, marking a whole session, corrections, cancellations,
overdue registers, object-level scoping, the allow-list and the audit."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.data import attendance, attendance_summaries, registers
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    AuditEvent,
    ExclusionZone,
    NoteKind,
    Occasion,
    Order,
    Requirement,
    SessionCancellation,
    SubjectNote,
)
from portal.rules.schedule import session_end
from tests.test_referrals import SECRETS
from tests.utils import banner, error_summary, field_error, h1, page


@dataclass(frozen=True)
class Days:
    today: date
    last_week: date  # the session ran a week ago today: its register is overdue until marked
    next_week: date
    made_on: date


@pytest.fixture
def days(today: date) -> Days:
    return Days(today, today - timedelta(days=7), today + timedelta(days=7), today - timedelta(days=30))


def text_of(response) -> str:
    return page(response).get_text(" ", strip=True)


def marks(app: Flask, requirement_id: int) -> list[AttendanceMark]:
    with app.app_context():
        rows = db.session.scalars(
            select(AttendanceMark)
            .where(AttendanceMark.requirement_id == requirement_id)
            .order_by(AttendanceMark.on_date, AttendanceMark.revision)
        ).all()
        db.session.expunge_all()
        return list(rows)


def audit_events(app: Flask, record_type: str, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.record_type == record_type)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


def url(session_id: int, on_date: date, action: str = "") -> str:
    return f"/partner/registers/{session_id}/{on_date.isoformat()}{action}"


@pytest.fixture
def partner(client, sign_in, make) -> int:
    organisation_id = make.organisation()
    sign_in(client, "partner", organisation_id=organisation_id, full_name="Priya Partner")
    return organisation_id


@pytest.fixture
def session_id(make, partner, days) -> int:
    """A weekly session on today's weekday, so last week's and next week's dates both fall on it."""
    return make.weekly_session(partner, days.today.weekday())


@pytest.fixture
def two(make, session_id, days) -> tuple[int, int]:
    """Two young people expected at the session: Ayaan K. and Bilal S. (their requirement ids)."""
    ayaan = make.active_requirement(session_id, days.made_on, make.subject(first_name="Ayaan", last_name="Khan"))
    bilal = make.active_requirement(session_id, days.made_on, make.subject(first_name="Bilal", last_name="Shah"))
    return ayaan, bilal


def attended(*requirement_ids: int, **extra: str) -> dict[str, str]:
    return {f"r{requirement_id}-status": "attended" for requirement_id in requirement_ids} | extra


# Who is expected, and when


def test_a_made_order_generates_the_expected_sessions(app, make, partner) -> None:
    tuesday = make.weekly_session(partner, 1, term_start=date(2026, 9, 1), exception_dates=["2026-12-22"])
    made = make.active_requirement(tuesday, date(2026, 12, 1), make.subject(first_name="Ayaan"))
    own_dates = make.active_requirement(
        tuesday, date(2026, 12, 1), starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 15)
    )
    # a confirmed requirement under an order not yet made, and one under a made order but not active: nobody expected
    draft = make.requirement(make.order(), session_id=tuesday)
    make.referral(tuesday, requirement_id=draft, status="accepted")
    stranger = make.organisation()
    with app.app_context():
        found = attendance.expected_sessions(partner, date(2026, 11, 1), date(2026, 12, 31))
        by_date = {expected.on_date: [a.requirement_id for a in expected.attendees] for expected in found}
        assert sorted(by_date) == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 29)]
        assert by_date[date(2026, 12, 1)] == [made]
        assert sorted(by_date[date(2026, 12, 8)]) == sorted([made, own_dates])
        assert found[0].programme_title and found[0].start_time == time(17, 0)
        assert found[0].attendees[0].subject_name.startswith("Ayaan T")  # the factory's last names are "TesterN"
        # another organisation expects nobody at this session
        assert attendance.expected_sessions(stranger, date(2026, 11, 1), date(2026, 12, 31)) == []


def test_the_register_list_shows_recent_and_upcoming_sessions_with_their_status(
    client, partner, session_id, two, days
) -> None:
    response = client.get("/partner/registers/")
    assert response.status_code == 200 and h1(response) == "Registers"
    soup = page(response)
    recent = {
        row["data-date"]: row.get_text(" ", strip=True) for row in soup.select("table[data-group=recent] tbody tr")
    }
    upcoming = {row["data-date"]: row for row in soup.select("table[data-group=upcoming] tbody tr")}
    assert "Overdue" in recent[days.last_week.isoformat()] and "0 of 2" in recent[days.last_week.isoformat()]
    assert "To do" in recent[days.today.isoformat()]
    assert "Upcoming" in upcoming[days.next_week.isoformat()].get_text()
    warning = soup.select_one(".govuk-warning-text").get_text(" ", strip=True)
    assert "4 registers are overdue" in warning  # one to four weeks ago; older ones are listed too
    navigation = [
        link.get_text(strip=True) for link in soup.select(".govuk-service-navigation__link, .govuk-header__link")
    ]
    assert "Registers" in navigation


# Marking a whole session


def test_a_partner_marks_two_young_people_in_one_go(client, app, partner, session_id, two, days) -> None:
    ayaan, bilal = two
    opened = client.get(url(session_id, days.last_week))
    assert opened.status_code == 200
    assert [row.get_text(" ", strip=True) for row in page(opened).select("tbody th")] == ["Ayaan K.", "Bilal S."]
    response = client.post(
        url(session_id, days.last_week),
        data={f"r{ayaan}-status": "attended", f"r{bilal}-status": "late", f"r{bilal}-minutes_late": "15"},
    )
    assert response.status_code == 302, error_summary(response)
    (first,), (second,) = marks(app, ayaan), marks(app, bilal)
    assert (first.status, first.revision, first.is_current, first.on_date) == ("attended", 1, True, days.last_week)
    assert (second.status, second.minutes_late, second.session_id) == ("late", 15, session_id)
    assert first.recorded_by_id is not None and first.recorded_at is not None
    shown = client.get(response.headers["Location"])
    assert "Register saved" in banner(shown) and "Complete" in h1(shown)
    recent = page(client.get("/partner/registers/")).select_one(f"tr[data-date='{days.last_week.isoformat()}']")
    assert "Complete" in recent.get_text() and "2 of 2" in recent.get_text()


def test_late_needs_minutes_and_absent_needs_a_reason_and_whether_acceptable(
    client, app, partner, session_id, two, days
) -> None:
    ayaan, bilal = two
    response = client.post(
        url(session_id, days.last_week), data={f"r{ayaan}-status": "late", f"r{bilal}-status": "absent"}
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Enter how many minutes late Ayaan K. was",
        "Enter why Bilal S. was absent",
        "Select whether Bilal S.'s absence was acceptable",
    ]
    assert field_error(response, f"r{ayaan}-minutes_late") == "Enter how many minutes late Ayaan K. was"
    assert page(response).title.get_text().startswith("Error:")
    links = [link["href"] for link in page(response).select(".govuk-error-summary__list a")]
    assert links == [f"#r{ayaan}-minutes_late", f"#r{bilal}-absence_reason", f"#r{bilal}-absence_acceptable"]

    zero = client.post(
        url(session_id, days.last_week),
        data={f"r{ayaan}-status": "late", f"r{ayaan}-minutes_late": "0"},
    )
    assert error_summary(zero) == [
        "Minutes Ayaan K. was late must be 1 or more",
        "Select whether Bilal S. attended, was late or was absent",
    ]
    assert marks(app, ayaan) == [] and marks(app, bilal) == []

    complete = client.post(
        url(session_id, days.last_week),
        data={
            f"r{ayaan}-status": "late",
            f"r{ayaan}-minutes_late": "5",
            f"r{bilal}-status": "absent",
            f"r{bilal}-absence_reason": "Hospital appointment",
            f"r{bilal}-absence_acceptable": "yes",
            f"r{bilal}-evidence_note": "Appointment letter seen",
            f"r{bilal}-contact_attempts": "Phoned his mother at 17:15",
            f"r{bilal}-minutes_late": "99",  # belongs to another answer: not kept
        },
    )
    assert complete.status_code == 302
    (absence,) = marks(app, bilal)
    assert (absence.status, absence.absence_acceptable, absence.minutes_late) == ("absent", True, None)
    assert (
        absence.evidence_note == "Appointment letter seen" and absence.contact_attempts == "Phoned his mother at 17:15"
    )


def test_a_future_session_cannot_be_marked(client, app, partner, session_id, two, days) -> None:
    ayaan, bilal = two
    opened = client.get(url(session_id, days.next_week))
    assert opened.status_code == 200 and "Not yet due" in text_of(opened)
    assert page(opened).find("form", action=url(session_id, days.next_week)) is None
    response = client.post(url(session_id, days.next_week), data=attended(ayaan, bilal))
    assert response.status_code == 200
    assert error_summary(response) == [
        f"You cannot mark this register before the day of the session, {days.next_week.day} {days.next_week:%B %Y}"
    ]
    assert marks(app, ayaan) == []
    with app.app_context():
        with pytest.raises(attendance.RegisterNotOpen):
            registers.save_register(
                registers.find_register(partner, session_id, days.next_week),
                [{"requirement_id": ayaan, "status": "attended"}],
                1,
            )


def test_another_organisations_register_is_not_found(client, sign_in, make, app, days) -> None:
    owner = make.organisation()
    session_id = make.weekly_session(owner, days.today.weekday())
    requirement_id = make.active_requirement(session_id, days.made_on)
    sign_in(client, "partner", organisation_id=make.organisation())
    assert client.get(url(session_id, days.last_week)).status_code == 404
    assert client.post(url(session_id, days.last_week), data=attended(requirement_id)).status_code == 404
    assert client.post(url(session_id, days.last_week, "/cancel"), data={"cancel-reason": "x"}).status_code == 404
    assert marks(app, requirement_id) == [] and make.count(SessionCancellation) == 0
    assert "data-date" not in client.get("/partner/registers/").get_data(as_text=True)


def test_a_date_nobody_is_expected_or_that_is_not_a_date_is_not_found(client, partner, session_id, two, days) -> None:
    assert client.get(url(session_id, days.last_week + timedelta(days=1))).status_code == 404  # not the session's day
    assert client.get(url(session_id, days.made_on - timedelta(days=7 * 5))).status_code == 404  # before the order
    for bad in ("2026-02-30", "20261201", "yesterday", "2026-1-1"):
        assert client.get(f"/partner/registers/{session_id}/{bad}").status_code == 404


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_cannot_use_partner_registers(client, sign_in, make, app, role, days) -> None:
    session_id = make.weekly_session(make.organisation(), days.today.weekday())
    requirement_id = make.active_requirement(session_id, days.made_on)
    sign_in(client, role)
    assert client.get("/partner/registers/").status_code == 403
    assert client.get(url(session_id, days.last_week)).status_code == 403
    assert client.post(url(session_id, days.last_week), data=attended(requirement_id)).status_code == 403
    assert client.post(url(session_id, days.last_week, "/cancel"), data={"cancel-reason": "x"}).status_code == 403
    assert marks(app, requirement_id) == []


def test_signed_out_people_are_sent_to_sign_in(client) -> None:
    assert client.get("/partner/registers/").status_code in (302, 401)


# Corrections


def test_a_correction_keeps_the_earlier_mark_and_says_who_why_and_when(
    client, sign_in, app, make, partner, session_id, two, days
) -> None:
    ayaan, bilal = two
    assert client.post(url(session_id, days.last_week), data=attended(ayaan, bilal)).status_code == 302
    colleague = app.test_client()
    colleague_id = sign_in(colleague, "partner", organisation_id=partner, full_name="Chris Colleague")
    opened = colleague.get(url(session_id, days.last_week))
    earlier = page(opened).select_one(f"tr[data-requirement='{ayaan}'] .app-earlier-mark").get_text(" ", strip=True)
    assert "Marked: Attended" in earlier and "Priya Partner" in earlier
    correction = {
        **attended(bilal),
        f"r{ayaan}-revision": "1",
        f"r{bilal}-revision": "1",
        f"r{ayaan}-status": "absent",
        f"r{ayaan}-absence_reason": "Marked present by mistake; he was at a funeral",
        f"r{ayaan}-absence_acceptable": "yes",
    }
    missing = colleague.post(url(session_id, days.last_week), data=correction)
    assert error_summary(missing) == ["Enter why you are changing Ayaan K.'s mark"]
    assert len(marks(app, ayaan)) == 1

    response = colleague.post(
        url(session_id, days.last_week), data=correction | {f"r{ayaan}-correction_reason": "Wrong young person ticked"}
    )
    assert response.status_code == 302, error_summary(response)
    first, second = marks(app, ayaan)
    assert (first.status, first.revision, first.is_current, first.correction_reason) == ("attended", 1, False, "")
    assert (second.status, second.revision, second.is_current) == ("absent", 2, True)
    assert second.correction_reason == "Wrong young person ticked"
    assert second.recorded_by_id == colleague_id != first.recorded_by_id and second.recorded_at >= first.recorded_at
    assert [mark.revision for mark in marks(app, bilal)] == [1]  # unchanged: nothing added

    history = page(colleague.get(url(session_id, days.last_week))).select("table[data-group=history] tbody tr")
    rows = [row.get_text(" ", strip=True) for row in history]
    assert len(rows) == 2 and "Replaced" in rows[0] and "Priya Partner" in rows[0] and "First mark" in rows[0]
    assert "Chris Colleague" in rows[1] and "Wrong young person ticked" in rows[1]


def test_a_register_changed_since_it_was_opened_is_not_overwritten(client, app, partner, session_id, two, days) -> None:
    ayaan, bilal = two
    stale = attended(ayaan, bilal, **{f"r{ayaan}-revision": "0", f"r{bilal}-revision": "0"})
    first = client.post(url(session_id, days.last_week), data=stale)
    assert "Register saved" in banner(client.get(first.headers["Location"]))
    again = stale | {f"r{ayaan}-status": "late", f"r{ayaan}-minutes_late": "3", f"r{ayaan}-correction_reason": "x"}
    response = client.post(url(session_id, days.last_week), data=again)
    assert response.status_code == 303
    assert "changed this record since you opened it" in banner(client.get(response.headers["Location"]))
    assert [mark.status for mark in marks(app, ayaan)] == ["attended"]


def test_a_save_refused_for_one_young_person_writes_no_mark_for_the_others(app, partner, session_id, two, days) -> None:
    """Every mark is checked before any is written: the view answers a conflict with a redirect, which commits."""
    from portal.data import EditConflict

    ayaan, bilal = two
    with app.app_context():
        found = registers.find_register(partner, session_id, days.last_week)
        first_fine = {"requirement_id": ayaan, "status": "attended", "expected_revision": 0}
        then_stale = {"requirement_id": bilal, "status": "attended", "expected_revision": 1}
        with pytest.raises(EditConflict):
            registers.save_register(found, [first_fine, then_stale], None)
        db.session.commit()
    assert marks(app, ayaan) == [] and marks(app, bilal) == []
    assert audit_events(app, "attendance-mark") == []


# Provider cancellations


def test_a_provider_cancellation_means_nobody_is_expected(client, app, partner, session_id, two, days) -> None:
    ayaan, bilal = two
    client.post(url(session_id, days.last_week), data=attended(ayaan))  # incomplete, refused
    missing = client.post(url(session_id, days.last_week, "/cancel"), data={"cancel-reason": "  "})
    assert error_summary(missing) == ["Enter why the session was cancelled"]
    response = client.post(url(session_id, days.last_week, "/cancel"), data={"cancel-reason": "Hall flooded"})
    assert response.status_code == 302
    shown = client.get(url(session_id, days.last_week))
    assert "Cancelled by provider" in h1(shown) and "Hall flooded" in text_of(shown)
    assert "Priya Partner" in text_of(shown)
    assert page(shown).find("form", action=url(session_id, days.last_week)) is None
    with app.app_context():
        cancellation = db.session.scalar(select(SessionCancellation))
        assert (cancellation.session_id, cancellation.on_date, cancellation.reason) == (
            session_id,
            days.last_week,
            "Hall flooded",
        )
        found = attendance.expected_sessions(partner, days.last_week - timedelta(days=7), days.today)
        assert [expected.on_date for expected in found] == [days.last_week - timedelta(days=7), days.today]
        assert days.last_week not in [expected.on_date for expected in attendance.overdue_registers(partner)]
        summary = attendance_summaries.attendance_summary(ayaan, days.today)
        assert summary["cancelled"] == 1
    assert [mark.status for mark in marks(app, ayaan)] == ["cancelled"]  # recorded, not the young person's failure
    refused = client.post(url(session_id, days.last_week), data=attended(ayaan, bilal))
    assert "cancelled by the provider" in error_summary(refused)[0]
    twice = client.post(url(session_id, days.last_week, "/cancel"), data={"cancel-reason": "Again"})
    assert error_summary(twice) == ["This session is already recorded as cancelled"]
    listed = page(client.get("/partner/registers/")).select_one(f"tr[data-date='{days.last_week.isoformat()}']")
    assert "Cancelled by provider" in listed.get_text()


# Overdue registers


def test_overdue_means_unmarked_more_than_24_hours_after_the_session_ended(
    app, make, partner, session_id, two, days
) -> None:
    ayaan, bilal = two
    ended = session_end(days.today, time(19, 0))
    other = make.weekly_session(make.organisation(), days.today.weekday())
    elsewhere = make.active_requirement(other, days.made_on)
    with app.app_context():

        def overdue_today(now: datetime, **filters) -> bool:
            found = attendance.overdue_registers(now=now, **filters)
            return any(expected.on_date == days.today and expected.session_id == session_id for expected in found)

        assert not overdue_today(ended + timedelta(hours=23), organisation_id=partner)
        assert overdue_today(ended + timedelta(hours=25), organisation_id=partner)
        # officers: every organisation, or only their own subjects
        everyone = attendance.overdue_registers(now=ended + timedelta(hours=25))
        assert {expected.session_id for expected in everyone} == {session_id, other}
        assert attendance.overdue_registers(officer_subject_ids=[], now=ended + timedelta(hours=25)) == []
        subject_of_elsewhere = db.session.get(Requirement, elsewhere).order.subject_id
        only = attendance.overdue_registers(officer_subject_ids=[subject_of_elsewhere], now=ended + timedelta(hours=25))
        assert {expected.session_id for expected in only} == {other}
        # complete registers are never overdue, however old
        registers.save_register(
            registers.find_register(partner, session_id, days.today),
            [{"requirement_id": ayaan, "status": "attended"}, {"requirement_id": bilal, "status": "attended"}],
            user_id=None,
        )
        assert not overdue_today(ended + timedelta(hours=25), organisation_id=partner)
        db.session.rollback()


# The allow-list


def test_register_pages_show_no_officer_only_data(client, app, make, partner, session_id, days) -> None:
    subject_id = make.subject(
        reference="REF-SECRET",
        first_name="Ayaan",
        last_name="Khan",
        date_of_birth=date(2010, 5, 17),
        home_postcode="N1 9GU",
        interest_text="INTEREST-SECRET",
    )
    make.subject(first_name="OTHERPERSON", last_name="Elsewhere")  # never expected here
    requirement_id = make.active_requirement(session_id, days.made_on, subject_id)
    order_id = make.get(Requirement, requirement_id).order_id
    with app.app_context():
        order = db.session.get(Order, order_id)
        order.conviction_offence, order.sentence = "ROBBERY-XYZ", "SENTENCE-SECRET"
        order.necessity_statement, order.guardian_name = "NECESSITY-SECRET", "GUARDIAN-SECRET"
        db.session.add_all(
            [
                SubjectNote(subject_id=subject_id, kind=NoteKind.ASSESSMENT, text="INTEL-ABC"),
                ExclusionZone(
                    subject_id=subject_id,
                    label="ZONE-SECRET",
                    postcode="SE1 7PB",
                    easting=531000,
                    northing=179000,
                    radius_m=500,
                ),
                Occasion(
                    order_id=order_id,
                    occurred_on=date(2026, 3, 1),
                    location_type="public-place",
                    summary="OCCASION-SECRET",
                ),
            ]
        )
        db.session.commit()
    client.post(url(session_id, days.last_week), data=attended(requirement_id))
    client.post(
        url(session_id, days.last_week),
        data={
            f"r{requirement_id}-status": "late",
            f"r{requirement_id}-minutes_late": "4",
            f"r{requirement_id}-correction_reason": "Arrived after the warm-up",
        },
    )
    pages = [
        client.get("/partner/registers/"),
        client.get(url(session_id, days.last_week)),
        client.get(url(session_id, days.next_week)),
        client.post(url(session_id, days.last_week), data={}),  # the page again, with errors
    ]
    assert "Ayaan K." in text_of(pages[1]) and "Ayaan K." in text_of(pages[2])
    for response in pages:
        html = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in html, f"{secret} leaked to the partner"


# Officers' views and the audit


def test_officers_get_a_summary_and_every_revision(app, make, partner, session_id, days) -> None:
    made_on = days.today - timedelta(days=7 * 6)
    requirement_id = make.active_requirement(session_id, made_on)
    dates = [made_on + timedelta(days=7 * weeks) for weeks in range(7)]  # six weeks ago to today
    assert dates[-1] == days.today
    make.mark(requirement_id, dates[0], status="attended")
    make.mark(requirement_id, dates[1], status="late", minutes_late=10)
    make.mark(requirement_id, dates[2], status="absent", absence_acceptable=True, absence_reason="Ill")
    make.mark(requirement_id, dates[3], status="attended", is_current=False)
    make.mark(
        requirement_id, dates[3], status="absent", absence_acceptable=False, absence_reason="No reason", revision=2
    )
    with app.app_context():
        db.session.add(SessionCancellation(session_id=session_id, on_date=dates[4], reason="Closed"))
        db.session.commit()
        summary = attendance_summaries.attendance_summary(requirement_id, days.today)
        assert summary == {
            "expected": 6,
            "attended": 1,
            "late": 1,
            "absent_acceptable": 1,
            "absent_unacceptable": 1,
            "cancelled": 1,
            "unmarked": 2,
            "rate": 33,
        }
        history = attendance_summaries.mark_history(requirement_id)
        assert [(mark.on_date, mark.revision, mark.is_current) for mark in history][3:5] == [
            (dates[3], 1, False),
            (dates[3], 2, True),
        ]
        db.session.commit()
    assert len(audit_events(app, "attendance", "consultation")) == 2


def test_registers_are_audited_without_names(client, app, partner, session_id, two, days) -> None:
    ayaan, bilal = two
    client.get("/partner/registers/")
    client.get(url(session_id, days.last_week))
    client.post(url(session_id, days.last_week), data=attended(ayaan, bilal))
    client.post(
        url(session_id, days.last_week),
        data=attended(bilal, **{f"r{ayaan}-status": "late", f"r{ayaan}-minutes_late": "2"})
        | {f"r{ayaan}-correction_reason": "Came in late"},
    )
    client.post(url(session_id, days.next_week, "/cancel"), data={"cancel-reason": "Staff training"})
    assert audit_events(app, "register-list", "consultation")[0].organisation_id == partner
    opened = audit_events(app, "register", "consultation")
    assert opened[0].record_id == session_id and opened[0].detail["on_date"] == days.last_week.isoformat()
    assert sorted(opened[0].detail["requirement_ids"]) == sorted([ayaan, bilal])
    collected = audit_events(app, "attendance-mark", "collection")
    altered = audit_events(app, "attendance-mark", "alteration")
    assert len(collected) == 4  # two marks, then the cancelled session's mark for each young person
    assert len(altered) == 1 and altered[0].detail["revision"] == 2 and altered[0].detail["status"] == "late"
    assert all(event.organisation_id == partner and event.user_id for event in collected + altered)
    assert len(audit_events(app, "session-cancellation", "collection")) == 1
    for event in collected + altered + opened:
        assert "Ayaan" not in str(event.detail) and "Bilal" not in str(event.detail)
