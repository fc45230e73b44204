"""The officer's dashboard: active orders with attendance, and what is overdue, waiting or due soon."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Requirement
from portal.rules.schedule import london_today
from tests.utils import page


@pytest.fixture
def officer(client, sign_in):
    officer_id = sign_in(client, "officer")
    client.officer_id = officer_id
    return client


def test_attendance_per_requirement_with_a_chart(app, officer, make) -> None:
    organisation_id = make.organisation()
    today = london_today()
    made_on = today - timedelta(days=30)
    session_id = make.weekly_session(organisation_id, weekday=made_on.weekday())
    requirement_id = make.active_requirement(session_id, made_on=made_on)
    with app.app_context():
        db.session.get(Requirement, requirement_id).order.officer_id = officer.officer_id
        db.session.commit()
    make.mark(requirement_id, made_on, "attended")
    make.mark(requirement_id, made_on + timedelta(days=7), "absent", absence_reason="ill", absence_acceptable=False)
    soup = page(officer.get("/dashboard/"))
    text = soup.get_text(" ", strip=True)
    assert "Subjects with active orders" in text
    chart = soup.select_one("svg.app-chart")
    assert (
        chart is not None and "1 attended" in chart["aria-label"] and "1 absent, not acceptable" in chart["aria-label"]
    )
    assert "1 attended, 0 late, 1 absent (1 not acceptable)" in text


def test_referrals_awaiting_a_partner_are_listed(app, officer, make) -> None:
    organisation_id = make.organisation()
    session_id = make.session_ids(make.programme(organisation_id))[0]
    order_id = make.order(officer_id=officer.officer_id)
    requirement_id = make.requirement(order_id, session_id=session_id, activity="Boxing for the dashboard")
    make.referral(session_id, requirement_id=requirement_id, status="sent")
    text = page(officer.get("/dashboard/")).get_text(" ", strip=True)
    assert "Boxing for the dashboard" in text


def test_review_hearings_due_within_eight_weeks(app, officer, make) -> None:
    start = london_today() - timedelta(days=340)  # the mandatory review window opens about four weeks from now
    make.order(officer_id=officer.officer_id, status="made", made_on=start, duration_months=18)
    soup = page(officer.get("/dashboard/"))
    assert "between" in soup.select_one("#reviews").find_next("ul").get_text()


def test_a_listing_that_ends_before_the_requirement_is_flagged_with_replacements(app, officer, make) -> None:
    organisation_id = make.organisation()
    today = london_today()
    ending = make.programme(organisation_id, title="Ending Football", valid_to=today + timedelta(days=30))
    make.programme(organisation_id, title="Replacement Football")
    session_id = make.session_ids(ending)[0]
    requirement_id = make.active_requirement(session_id, made_on=today - timedelta(days=7))
    with app.app_context():
        db.session.get(Requirement, requirement_id).order.officer_id = officer.officer_id
        db.session.commit()
    text = page(officer.get("/dashboard/")).get_text(" ", strip=True)
    assert "Take part in weekly football coaching for" in text and "is listed until" in text
    assert "Replacement Football" in text


def test_partners_and_admins_cannot_open_the_officer_dashboard(client, sign_in) -> None:
    sign_in(client, "partner")
    assert client.get("/dashboard/").status_code == 403


def _listing_gap(app, officer, make) -> tuple[int, int]:
    """An active requirement at a programme listed for another 30 days, and one replacement: (subject, organisation)."""
    organisation_id = make.organisation()
    today = london_today()
    ending = make.programme(organisation_id, title="Ending Football", valid_to=today + timedelta(days=30))
    make.programme(organisation_id, title="Replacement Football")
    requirement_id = make.active_requirement(make.session_ids(ending)[0], made_on=today - timedelta(days=7))
    with app.app_context():
        order = db.session.get(Requirement, requirement_id).order
        order.officer_id = officer.officer_id
        subject_id = order.subject_id
        db.session.commit()
    return subject_id, organisation_id


def _matcher_runs(monkeypatch) -> list[int]:
    import portal.data.dashboard as dashboard

    runs: list[int] = []

    def counted(profile, *args, **kwargs):
        runs.append(profile.id)
        return match(profile, *args, **kwargs)

    match = dashboard.match
    monkeypatch.setattr(dashboard, "match", counted)
    return runs


def _combinations(app, subject_id: int) -> int:
    from sqlalchemy import func, select

    from portal.models import AuditEvent

    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "combination", AuditEvent.record_id == subject_id)
        )


def test_replacements_are_kept_between_views_and_each_view_is_still_recorded(app, officer, make, monkeypatch) -> None:
    subject_id, _ = _listing_gap(app, officer, make)
    runs = _matcher_runs(monkeypatch)
    first = page(officer.get("/dashboard/")).get_text(" ", strip=True)
    second = page(officer.get("/dashboard/")).get_text(" ", strip=True)
    assert "Replacement Football" in first and first == second
    assert runs == [subject_id]  # the second view showed what the first worked out
    assert _combinations(app, subject_id) == 2  # and both showed the officer the subject's data combined


def test_a_catalogue_change_shows_new_replacements(app, officer, make, monkeypatch) -> None:
    subject_id, organisation_id = _listing_gap(app, officer, make)
    runs = _matcher_runs(monkeypatch)
    assert "Newer Football" not in page(officer.get("/dashboard/")).get_text(" ", strip=True)
    make.programme(organisation_id, title="Newer Football")  # the catalogue's version moves on
    assert "Newer Football" in page(officer.get("/dashboard/")).get_text(" ", strip=True)
    assert runs == [subject_id, subject_id]


def test_a_change_to_the_subject_drops_a_replacement_that_no_longer_fits(app, officer, make, monkeypatch) -> None:
    from datetime import time

    from portal.models import SubjectWindow, WindowKind

    subject_id, _ = _listing_gap(app, officer, make)
    runs = _matcher_runs(monkeypatch)
    assert "Replacement Football" in page(officer.get("/dashboard/")).get_text(" ", strip=True)
    with app.app_context():  # the subject now works when the replacement meets (Mondays 17:00-19:00)
        db.session.add(
            SubjectWindow(
                subject_id=subject_id,
                kind=WindowKind.WORK,
                label="Evening job",
                weekday=0,
                start_time=time(16, 0),
                end_time=time(20, 0),
            )
        )
        db.session.commit()  # no catalogue change: only the subject changed
    assert "Replacement Football" not in page(officer.get("/dashboard/")).get_text(" ", strip=True)
    assert runs == [subject_id, subject_id]
