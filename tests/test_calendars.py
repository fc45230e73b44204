"""Calendar feeds: shown once, revocable, London times across clock changes, allow-listed for partners."""

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.extensions import db
from portal.infra.passwords import token_hash
from portal.models import AuditEvent, CalendarFeed, ProgrammeSession, SessionCancellation
from tests.utils import page

# Mondays either side of the clock changes: BST ends 25 October 2026, begins 28 March 2027.
BEFORE_OCTOBER, AFTER_OCTOBER = date(2026, 10, 19), date(2026, 10, 26)
BEFORE_MARCH, AFTER_MARCH = date(2027, 3, 22), date(2027, 3, 29)
HOLIDAY, CANCELLED = date(2026, 12, 28), date(2027, 1, 4)


@pytest.fixture
def scene(app, make):
    """A made order for Ayaan Kowalczyk with a Monday 17:00-19:00 requirement at a partner's session."""
    organisation_id = make.organisation()
    programme_id = make.programme(organisation_id, title="Boxing Fitness", sessions=1)
    [session_id] = make.session_ids(programme_id)
    subject_id = make.subject(first_name="Ayaan", last_name="Kowalczyk", reference="MPS-HIDDEN-1")
    order_id = make.order(subject_id, status="made", made_on=date(2026, 10, 1), duration_months=12)
    requirement_id = make.requirement(order_id, session_id=session_id, starts_on=date(2026, 10, 5), ends_on=None)
    referral_id = make.referral(session_id, requirement_id=requirement_id, status="active")
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        session.exception_dates = [HOLIDAY.isoformat()]
        db.session.add(SessionCancellation(session_id=session_id, on_date=CANCELLED, reason="Hall flooded"))
        db.session.commit()
    return {
        "organisation_id": organisation_id,
        "subject_id": subject_id,
        "session_id": session_id,
        "order_id": order_id,
        "referral_id": referral_id,
    }


@pytest.fixture
def officer(client, sign_in):
    client.officer_id = sign_in(client, "officer")
    return client


def make_link(client, path: str) -> str:
    response = client.post(path)
    assert response.status_code == 200
    url = page(response).select_one("#feed-url")["value"]
    assert url.startswith("http://localhost/calendars/feed/") and url.endswith(".ics")
    return url.removeprefix("http://localhost")


def events(app, path: str) -> dict[date, dict]:
    response = app.test_client().get(path)  # no session: the token is the only credential
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    found = {}
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        found[start.date()] = {"start": start, "end": end, "raw": event.to_ical().decode(), **event}
    return found


def test_the_officer_makes_a_link_shown_once_and_stored_hashed(app, officer, scene) -> None:
    path = make_link(officer, f"/calendars/subjects/{scene['subject_id']}")
    token = path.removeprefix("/calendars/feed/").removesuffix(".ics")
    with app.app_context():
        feed = db.session.scalar(select(CalendarFeed))
        assert feed.token_hash == token_hash(token) and token not in feed.token_hash
        assert (feed.user_id, feed.subject_id, feed.revoked_at) == (officer.officer_id, scene["subject_id"], None)
    again = page(officer.get(f"/calendars/subjects/{scene['subject_id']}"))
    assert again.select_one("#feed-url") is None and token not in str(again)
    assert "You have a calendar link made on" in again.get_text()


def test_feed_times_stay_at_1700_london_across_both_clock_changes(app, officer, scene) -> None:
    found = events(app, make_link(officer, f"/calendars/subjects/{scene['subject_id']}"))
    for day in (BEFORE_OCTOBER, AFTER_OCTOBER, BEFORE_MARCH, AFTER_MARCH):
        assert found[day]["start"].time() == time(17, 0) and found[day]["end"].time() == time(19, 0)
        assert str(found[day]["start"].tzinfo) == "Europe/London"
        assert f"DTSTART;TZID=Europe/London:{day:%Y%m%d}T170000" in found[day]["raw"]
    utc_hours = [found[day]["start"].astimezone(UTC).hour for day in (BEFORE_OCTOBER, AFTER_OCTOBER)]
    assert utc_hours == [16, 17]  # BST, then GMT
    utc_hours = [found[day]["start"].astimezone(UTC).hour for day in (BEFORE_MARCH, AFTER_MARCH)]
    assert utc_hours == [17, 16]  # GMT, then BST


def test_officer_feed_has_every_expected_date_and_no_others(app, officer, scene) -> None:
    found = events(app, make_link(officer, f"/calendars/subjects/{scene['subject_id']}"))
    assert min(found) == date(2026, 10, 5) and max(found) == date(2027, 9, 27)  # the order ends 30 September 2027
    assert all(day.weekday() == 0 for day in found)
    assert HOLIDAY not in found and CANCELLED not in found
    assert len(found) == 52 - 2
    event = found[AFTER_OCTOBER]
    assert event["SUMMARY"] == "Ayaan K.: Take part in weekly football coaching"
    assert "1 Roman Road, London" in event["LOCATION"]
    assert "Kowalczyk" not in event["raw"] and "MPS-HIDDEN-1" not in event["raw"]
    assert len({event["UID"] for event in found.values()}) == len(found)


def test_reading_the_feed_is_audited_as_the_owners_consultation(app, officer, scene) -> None:
    path = make_link(officer, f"/calendars/subjects/{scene['subject_id']}")
    events(app, path)
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "calendar-feed", AuditEvent.action == "consultation")
        ).all()
        assert event.user_id == officer.officer_id
        assert event.detail["subject_id"] == scene["subject_id"] and event.detail["events"] == 50


def test_a_revoked_or_replaced_or_unknown_token_gives_404(app, officer, scene) -> None:
    base = f"/calendars/subjects/{scene['subject_id']}"
    first = make_link(officer, base)
    second = make_link(officer, base)  # a new link stops the old one
    anonymous = app.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    response = officer.post(f"{base}/revoke")
    assert response.status_code == 302
    assert "Calendar link stopped" in page(officer.get(response.headers["Location"])).get_text()
    assert anonymous.get(second).status_code == 404
    assert anonymous.get("/calendars/feed/not-a-real-token.ics").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))) is None


def test_a_disabled_owners_feed_stops(app, officer, scene) -> None:
    from portal.models import User

    path = make_link(officer, f"/calendars/subjects/{scene['subject_id']}")
    with app.app_context():
        db.session.get(User, officer.officer_id).disabled_at = datetime(2026, 1, 1)
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_the_partner_feed_shows_only_programme_place_time_and_short_name(app, client, sign_in, make, scene) -> None:
    sign_in(client, "partner", organisation_id=scene["organisation_id"])
    other_organisation = make.organisation()
    other_session = make.session_ids(make.programme(other_organisation))[0]
    make.referral(other_session, status="active")  # someone else's referral: never in this feed
    response = client.get("/calendars/partner")
    assert response.status_code == 200 and page(response).select_one("#feed-url") is None
    found = events(app, make_link(client, "/calendars/partner"))
    assert len(found) == 50
    event = found[AFTER_MARCH]
    assert event["SUMMARY"] == "Boxing Fitness"
    assert event["DESCRIPTION"] == "Referred young people expected: Ayaan K."
    assert event["start"].time() == time(17, 0) and event["start"].astimezone(UTC).hour == 16
    for secret in ("Kowalczyk", "MPS-HIDDEN-1", "O-", "/subjects/", "Jordan"):
        assert secret not in event["raw"]


def test_pages_are_for_their_own_role_and_the_feed_is_public(app, client, sign_in, scene) -> None:
    assert client.get(f"/calendars/subjects/{scene['subject_id']}").status_code in (302, 401)
    sign_in(client, "partner", organisation_id=scene["organisation_id"])
    assert client.get(f"/calendars/subjects/{scene['subject_id']}").status_code == 403
    officer = app.test_client()
    sign_in(officer, "officer")
    assert officer.get("/calendars/partner").status_code == 403
    assert officer.get("/calendars/subjects/999999").status_code == 404


def test_an_order_not_yet_made_has_no_sessions(app, officer, make) -> None:
    session_id = make.session_ids(make.programme(make.organisation()))[0]
    subject_id = make.subject()
    make.requirement(make.order(subject_id), session_id=session_id)
    found = app.test_client().get(make_link(officer, f"/calendars/subjects/{subject_id}"))
    assert list(Calendar.from_ical(found.data).walk("VEVENT")) == []


def test_an_officer_can_make_a_feed_without_the_young_persons_name(app, client, sign_in, scene) -> None:
    sign_in(client, "officer")
    subject_page = f"/calendars/subjects/{scene['subject_id']}"
    assert page(client.get(subject_page)).select_one("input[name=without_names]") is not None
    response = client.post(subject_page, data={"without_names": "y"})
    found = events(app, page(response).select_one("#feed-url")["value"].removeprefix("http://localhost"))
    assert {event["SUMMARY"] for event in found.values()} == {"Take part in weekly football coaching"}
    assert all("Ayaan" not in event["raw"] for event in found.values())
    assert "without names" in page(client.get(subject_page)).get_text()


def test_a_partner_can_make_a_feed_without_the_young_peoples_names(app, client, sign_in, scene) -> None:
    sign_in(client, "partner", organisation_id=scene["organisation_id"])
    response = client.post("/calendars/partner", data={"without_names": "y"})
    found = events(app, page(response).select_one("#feed-url")["value"].removeprefix("http://localhost"))
    assert {event["DESCRIPTION"] for event in found.values()} == {"Referred young people expected: 1"}
    assert all("Ayaan" not in event["raw"] for event in found.values())
    named = events(app, make_link(client, "/calendars/partner"))  # the default still names them
    assert {event["DESCRIPTION"] for event in named.values()} == {"Referred young people expected: Ayaan K."}
