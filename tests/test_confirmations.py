"""Issue 14, observation 7: nothing that cannot simply be undone happens on one click. Disabling an account,
suspending an organisation and archiving a programme each go through the same GOV.UK confirmation page first."""

import pytest
from bs4 import BeautifulSoup

from portal.models import Organisation, Programme, ProgrammeSession, User
from tests.utils import h1, page


@pytest.fixture
def admin(client, sign_in):
    sign_in(client, "admin")
    return client


def assert_confirmation_page(shown: BeautifulSoup, button: str, cancel_href: str) -> str:
    """The parts every confirmation page has; returns where its form posts."""
    assert shown.select_one(".govuk-warning-text"), "no warning text"
    form = shown.select_one("main form[method=post]")
    warning_button = form.select_one("button.govuk-button.govuk-button--warning")
    assert warning_button and warning_button.get_text(strip=True) == button
    cancel = form.find("a", string="Cancel")
    assert cancel is not None and cancel["href"] == cancel_href
    return form["action"]


def test_disabling_an_account_asks_first_and_says_what_happens(admin, make) -> None:
    officer_id = make.user("officer", full_name="Sam Patel")
    users = page(admin.get("/admin/users"))
    link = next(a for a in users.select("main a") if a.get_text(" ", strip=True) == "Disable Sam Patel")
    response = admin.get(link["href"])
    assert response.status_code == 200
    assert make.get(User, officer_id).disabled_at is None  # opening the page changes nothing
    shown = page(response)
    assert h1(response) == "Disable Sam Patel's account?"
    assert "signed out at once" in shown.get_text() and "until an admin enables the account" in shown.get_text()
    action = assert_confirmation_page(shown, "Disable account", "/admin/users")
    admin.post(action)
    assert make.get(User, officer_id).disabled_at is not None


def test_no_row_of_the_users_list_disables_on_one_click(admin, make) -> None:
    make.user("officer", full_name="Sam Patel")
    users = page(admin.get("/admin/users"))
    assert not [form for form in users.select("main form") if "/disable" in form["action"]]


def test_an_admin_cannot_open_the_page_to_disable_themselves(admin, make) -> None:
    from sqlalchemy import select

    from portal.extensions import db

    with make.app.app_context():
        own_id = db.session.scalar(select(User.id).where(User.role == "admin"))
    assert admin.get(f"/admin/users/{own_id}/disable").status_code == 403


def test_suspending_an_organisation_shows_the_reason_back_before_it_happens(admin, make) -> None:
    organisation_id = make.organisation(name="Bow Boxing")
    url = f"/admin/organisations/{organisation_id}"
    response = admin.post(url, data={"action": "suspend", "reason": "Safeguarding review"})
    assert response.status_code == 200
    assert make.get(Organisation, organisation_id).status == "approved"
    shown = page(response)
    assert h1(response) == "Suspend Bow Boxing?"
    assert "hidden from officers" in shown.get_text() and "Safeguarding review" in shown.get_text()
    action = assert_confirmation_page(shown, "Suspend organisation", url)
    carried = {field["name"]: field.get("value", "") for field in shown.select("main form input[type=hidden]")}
    admin.post(action, data=carried)
    suspended = make.get(Organisation, organisation_id)
    assert suspended.status == "suspended" and suspended.status_reason == "Safeguarding review"


def test_archiving_a_programme_asks_first(client, partner_organisation, make) -> None:
    programme_id = make.programme(partner_organisation, title="Tuesday Boxing")
    programme_page = page(client.get(f"/partner/programmes/{programme_id}"))
    assert not [form for form in programme_page.select("main form") if form["action"].endswith("/archive")]
    link = programme_page.find("a", string=lambda text: text and text.strip() == "Archive programme")
    assert "govuk-button--warning" in link["class"]
    response = client.get(link["href"])
    assert make.get(Programme, programme_id).status == "active"
    shown = page(response)
    assert h1(response) == "Archive Tuesday Boxing?"
    assert "no longer find it" in shown.get_text()
    action = assert_confirmation_page(shown, "Archive programme", f"/partner/programmes/{programme_id}")
    carried = {field["name"]: field.get("value", "") for field in shown.select("main form input[type=hidden]")}
    client.post(action, data=carried)
    assert make.get(Programme, programme_id).status == "archived"


def test_removing_a_session_asks_first(client, partner_organisation, make) -> None:
    programme_id = make.programme(partner_organisation)
    session_id = make.session_ids(programme_id)[0]
    programme_page = page(client.get(f"/partner/programmes/{programme_id}"))
    assert not [form for form in programme_page.select("main form") if form["action"].endswith("/remove")]
    link = next(a for a in programme_page.select("main a") if a.get_text(" ", strip=True).startswith("Remove"))
    response = client.get(link["href"])
    shown = page(response)
    assert h1(response).startswith("Remove the ") and "cannot be undone" in shown.get_text()
    action = assert_confirmation_page(shown, "Remove session", f"/partner/programmes/{programme_id}")
    assert make.get(ProgrammeSession, session_id) is not None
    client.post(action)
    assert make.get(ProgrammeSession, session_id) is None


def test_a_session_in_use_is_not_offered_for_removal(client, partner_organisation, make) -> None:
    programme_id = make.programme(partner_organisation)
    session_id = make.session_ids(programme_id)[0]
    make.referral(session_id)
    response = client.get(f"/partner/sessions/{session_id}/remove")
    assert h1(response) == "This session cannot be removed" and not page(response).select("main form")
    assert page(response).find("a", string=lambda text: text and text.startswith("Back to"))["href"] == (
        f"/partner/programmes/{programme_id}"
    )
    assert make.get(ProgrammeSession, session_id) is not None


def test_the_confirmation_form_carries_its_csrf_token(app, admin, make) -> None:
    organisation_id = make.organisation(name="Bow Boxing")
    app.config["WTF_CSRF_ENABLED"] = True
    organisation_page = page(admin.get(f"/admin/organisations/{organisation_id}"))
    token = organisation_page.select_one("input[name=csrf_token]")["value"]
    asked = page(
        admin.post(
            f"/admin/organisations/{organisation_id}",
            data={"action": "suspend", "reason": "Safeguarding review", "csrf_token": token},
        )
    )
    carried = {field["name"]: field.get("value", "") for field in asked.select("main form input[type=hidden]")}
    assert carried["csrf_token"]
    admin.post(asked.select_one("main form")["action"], data=carried)
    assert make.get(Organisation, organisation_id).status == "suspended"
