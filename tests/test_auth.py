"""Signing in and out, server-side sessions, timeouts and invitations."""

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, AuthSession, User
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET
from tests.utils import error_summary, h1, sign_in_with_code


def age_sessions(app, **ages: timedelta) -> None:
    """Move every session's clock back, as if that much time had passed."""
    with app.app_context():
        for auth_session in db.session.scalars(select(AuthSession)):
            for column, age in ages.items():
                setattr(auth_session, column, getattr(auth_session, column) - age)
        db.session.commit()


def test_sign_in_takes_each_role_to_its_home(client, make) -> None:
    homes = {"officer": "/dashboard/", "partner": "/partner/referrals/", "admin": "/admin/organisations"}
    for role, home in homes.items():
        user = make.get(User, make.user(role))
        response = sign_in_with_code(client, user.email.upper(), TEST_PASSWORD, TEST_TOTP_SECRET)
        assert response.status_code == 302
        assert client.get(response.headers["Location"]).headers["Location"].endswith(home)
        client.post("/sign-out")


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make) -> None:
    user = make.get(User, make.user("officer"))
    wrong_password = client.post("/sign-in", data={"email": user.email, "password": "not-the-password"})
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": "not-the-password"})
    assert error_summary(wrong_password) == error_summary(unknown) == ["Enter a correct email address and password"]
    assert make.count(AuthSession) == 0


def test_empty_sign_in_names_each_field(client) -> None:
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert error_summary(response) == ["Enter your email address", "Enter your password"]


def test_a_disabled_account_cannot_sign_in(client, make) -> None:
    from portal.models import utcnow

    user = make.get(User, make.user("officer", disabled_at=utcnow()))
    response = client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert error_summary(response) == ["Enter a correct email address and password"]


def test_sign_out_revokes_the_session_so_a_replayed_cookie_is_refused(app, client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.get("/directory/").status_code == 200
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.post("/sign-out")
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    response = replay.get("/directory/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_idle_sessions_time_out_on_the_server(app, client, sign_in) -> None:
    sign_in(client, "officer")
    age_sessions(app, last_seen_at=timedelta(minutes=31))
    response = client.get("/directory/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_sessions_end_after_twelve_hours_however_active(app, client, sign_in) -> None:
    sign_in(client, "officer")
    age_sessions(app, created_at=timedelta(hours=12, minutes=1))
    assert client.get("/directory/").status_code == 302


def test_next_only_returns_to_this_site(client, make) -> None:
    user = make.get(User, make.user("officer"))
    for step, (target, expected) in enumerate(
        (("//evil.example", "/home"), ("https://evil.example/", "/home"), ("/directory/", "/directory/")), start=-1
    ):
        response = sign_in_with_code(
            client, user.email, TEST_PASSWORD, TEST_TOTP_SECRET, next_url=target, steps_ahead=step
        )
        assert response.headers["Location"] == expected
        client.post("/sign-out")


def test_sign_in_and_failures_are_audited(client, make) -> None:
    user = make.get(User, make.user("officer"))
    client.post("/sign-in", data={"email": user.email, "password": "wrong-password-here"})
    sign_in_with_code(client, user.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    with make.app.app_context():
        actions = [event.action for event in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert "sign-in-failed" in actions and "sign-in" in actions


def test_sign_out_needs_a_post(client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.get("/sign-out").status_code == 405
    assert client.get("/directory/").status_code == 200


def test_sign_in_page_is_a_gov_uk_page(client) -> None:
    response = client.get("/sign-in")
    assert h1(response) == "Sign in"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_sign_out_banner_is_shown_as_a_heading_not_as_markup(client, sign_in) -> None:
    from tests.utils import page

    sign_in(client, "officer")
    response = client.post("/sign-out")
    soup = page(client.get(response.headers["Location"]))
    assert soup.select_one(".govuk-notification-banner__heading").get_text(strip=True) == "You have signed out."
    assert "&lt;p" not in str(soup) and "<p class" not in soup.get_text()


def test_idle_and_absolute_timeouts_follow_the_clock(app, client, sign_in) -> None:
    """Security bar check 8, with the clock moved by freezegun: 29 idle minutes keep the session, 31 end it; a
    session kept busy every 20 minutes still ends at 12 hours, and its cookie is refused from then on."""
    from freezegun import freeze_time

    from portal.models import utcnow

    start = utcnow()
    with freeze_time(start) as clock:
        sign_in(client, "officer")
        clock.move_to(start + timedelta(minutes=29))
        assert client.get("/directory/").status_code == 200
        clock.move_to(start + timedelta(minutes=29 + 31))
        assert client.get("/directory/").status_code == 302

    busy = app.test_client()
    with freeze_time(start) as clock:
        sign_in(busy, "officer")
        cookie = busy.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        elapsed = timedelta()
        while elapsed < timedelta(hours=11, minutes=59):
            elapsed = min(elapsed + timedelta(minutes=20), timedelta(hours=11, minutes=59))
            clock.move_to(start + elapsed)
            assert busy.get("/directory/").status_code == 200, f"signed out early, at {elapsed}"
        clock.move_to(start + timedelta(hours=12, minutes=1))
        assert busy.get("/directory/").status_code == 302
        replay = app.test_client()
        replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        assert replay.get("/directory/").status_code == 302
