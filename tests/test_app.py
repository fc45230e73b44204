"""The application factory, configuration guards and error pages."""

import pytest
from flask import Flask

from portal import create_app
from portal.config import ProductionConfig
from portal.data import EditConflict
from portal.data.noncompliance import ReportLocked
from portal.data.orders import OrderLocked
from portal.data.referrals import ReferralClosed
from portal.forms import CHANGED_SINCE_OPENED
from portal.models import ReferralStatus
from portal.web.errors import send_back_to
from tests.utils import h1


def production(**overrides: str) -> dict:
    settings = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    return (
        settings
        | {"SECRET_KEY": "x" * 48, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1/db"}
        | overrides
    )


def test_production_refuses_a_weak_secret_key() -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production(SECRET_KEY="change-me"))


def test_production_refuses_sqlite() -> None:
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        create_app(production(SQLALCHEMY_DATABASE_URI="sqlite:///portal.sqlite3"))


def test_production_cookies_are_secure_and_host_only() -> None:
    app = create_app(production())
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_unknown_pages_get_a_gov_uk_404(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404 and h1(response) == "Page not found"


@pytest.mark.own_app
def test_a_crash_shows_a_reference_and_no_traceback(app: Flask, client) -> None:
    from portal.web.auth import public

    @public
    def explode() -> str:
        raise RuntimeError("SELECT secret FROM subjects")

    app.add_url_rule("/explode", "explode", explode)
    response = client.get("/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert h1(response) == "Sorry, there is a problem with the service"
    assert response.headers["X-Request-Id"] in body
    assert "SELECT" not in body and "Traceback" not in body


def test_pages_make_no_external_requests(client) -> None:
    body = client.get("/").get_data(as_text=True)
    assert "http://" not in body.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in body


def test_the_header_is_the_services_own(client) -> None:
    body = client.get("/").get_data(as_text=True)
    assert "KCPO partner portal" in body
    assert "govuk-header__logotype" not in body and "GOV.UK" not in body


def test_forms_refuse_a_post_without_the_csrf_token(database_url) -> None:
    from tests.conftest import _test_config

    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    response = client.post("/register-organisation", data={"name": "No Token Club"})
    assert response.status_code == 303
    follow = client.get(response.headers["Location"])
    assert "Your form timed out or was sent twice" in follow.get_data(as_text=True)


def test_error_summary_links_land_on_the_first_box_of_a_date(client, sign_in) -> None:
    from tests.utils import page

    sign_in(client, "partner")
    draft = client.post(  # "Runs from" is asked in the task list's "Venue and sessions" section
        "/partner/programmes/new", data={"title": "Boxing", "description": "Boxing.", "activity_types": ["boxing"]}
    ).headers["Location"]
    response = client.post(f"{draft}/dates-and-places", data={"valid_from": ["31", "2", "2026"]})
    soup = page(response)
    link = soup.select_one('.govuk-error-summary__list a[href="#valid_from-day"]')
    assert link is not None and link.get_text() == "Runs from must be a real date, like 27 3 2027"
    assert soup.find(id="valid_from-day").get("name") == "valid_from"


REFUSALS = {
    "stale edit": (EditConflict(), CHANGED_SINCE_OPENED),
    "filed order": (OrderLocked(), "This order has been filed and cannot change. Start a new version to make changes."),
    "closed referral": (
        ReferralClosed(ReferralStatus.WITHDRAWN),
        "This referral is no longer waiting for your response: it is withdrawn.",
    ),
    "submitted report": (ReportLocked(), "This report has been submitted and is locked. Add a correction instead."),
}


@pytest.mark.own_app
@pytest.mark.parametrize(("refusal", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_change_is_flashed_and_sent_back(app: Flask, client, refusal: Exception, message: str) -> None:
    """One handler for every page: the data layer's refusal is flashed, then a 303 back to the page the request was
    made on, or to the page the view named."""
    from portal.web.auth import public

    @public
    def refuse(thing_id: int) -> str:
        raise refusal

    @public
    def refuse_elsewhere(thing_id: int) -> str:
        send_back_to("refused", thing_id=thing_id)
        raise refusal

    app.add_url_rule("/things/<int:thing_id>/refused", "refused", refuse, methods=["GET", "POST"])
    app.add_url_rule("/things/<int:thing_id>/elsewhere", "elsewhere", refuse_elsewhere, methods=["POST"])
    for path in ("/things/7/refused", "/things/7/elsewhere"):
        response = client.post(path)
        assert response.status_code == 303
        assert response.headers["Location"] == "/things/7/refused"
        with client.session_transaction() as session:
            assert session.pop("_flashes") == [("error", message)]
