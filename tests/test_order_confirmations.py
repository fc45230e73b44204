"""Nothing irreversible in one click (issue 14, observation 7, orders): filing goes through a check-your-answers page
and a confirmation; removing a referred requirement asks first and says the partner will be told."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Order, Referral, Requirement
from tests.test_order_period import filed_order
from tests.test_orders import accept_weekly_plan, add_occasions, fill_details, give_rationales, partners_accept_all
from tests.utils import h1, page


def test_mark_as_filed_opens_check_your_answers_and_filing_ends_on_a_confirmation(app, client, sign_in, demo) -> None:
    sign_in(client, "officer")
    order_id = accept_weekly_plan(client, demo)
    fill_details(client, order_id)
    add_occasions(client, order_id)
    give_rationales(client, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    overview = page(client.get(f"/orders/{order_id}"))
    mark = next(link for link in overview.select("a.govuk-button") if link.get_text(strip=True) == "Mark as filed")
    assert mark["href"] == f"/orders/{order_id}/file"

    check = client.get(mark["href"])
    soup = page(check)
    assert h1(check) == "Check the order before you file it"
    assert "1 December 2026 to 30 November 2027 (12 months)" in soup.get_text(" ", strip=True)
    warnings = [warning.get_text(" ", strip=True) for warning in soup.select("main .govuk-warning-text")]
    assert any("Once filed, the order is locked" in warning for warning in warnings)
    assert soup.select_one("main form button").get_text(strip=True) == "Confirm and file"
    assert soup.find("a", string="Cancel")["href"] == f"/orders/{order_id}"
    with app.app_context():
        assert db.session.get(Order, order_id).status == "draft"  # looking is not filing

    version = soup.select_one('main form input[name="version"]')["value"]
    done = client.post(f"/orders/{order_id}/file", data={"version": version})
    assert done.headers["Location"] == f"/orders/{order_id}/filed"
    confirmation = client.get(done.headers["Location"])
    assert page(confirmation).select_one(".govuk-panel__title").get_text(strip=True) == "Order filed"
    with app.app_context():
        assert db.session.get(Order, order_id).status == "filed"


def test_check_your_answers_for_an_order_with_problems_offers_no_filing(app, client, sign_in, demo) -> None:
    sign_in(client, "officer")
    order_id = accept_weekly_plan(client, demo)
    soup = page(client.get(f"/orders/{order_id}/file"))
    assert "This order cannot be filed yet" in soup.get_text()
    assert soup.select("main form button") == []


def test_removing_a_referred_requirement_asks_first_and_says_the_partner_is_told(app, client, sign_in, demo) -> None:
    sign_in(client, "officer")
    order_id = accept_weekly_plan(client, demo)
    with app.app_context():
        requirement_id = db.session.scalars(select(Requirement.id).where(Requirement.order_id == order_id)).first()
    path = f"/orders/{order_id}/requirements/{requirement_id}/remove"
    overview = page(client.get(f"/orders/{order_id}"))
    assert overview.select_one(f'a[href="{path}"]') is not None  # a link to the question, not a button that acts

    question = page(client.get(path))
    assert question.find("h1").get_text(strip=True) == "Remove this requirement?"
    assert "The partner will be told their referral is withdrawn" in question.get_text(" ", strip=True)
    assert question.select_one("main .govuk-warning-text") is not None
    button = question.select_one("main form button")
    assert "govuk-button--warning" in button["class"] and button.get_text(strip=True) == "Remove requirement"
    assert question.find("a", string="Cancel")["href"] == f"/orders/{order_id}"
    with app.app_context():
        assert db.session.get(Requirement, requirement_id) is not None  # asking removed nothing

    version = question.select_one('main form input[name="version"]')["value"]
    assert client.post(path, data={"version": version}).status_code == 302
    with app.app_context():
        assert db.session.get(Requirement, requirement_id) is None
        assert db.session.scalar(select(Referral).where(Referral.requirement_id == requirement_id)) is None


def test_a_filed_order_offers_no_check_your_answers(app, client, sign_in, demo) -> None:
    sign_in(client, "officer")
    order_id = filed_order(app, client, sign_in, demo)
    assert client.get(f"/orders/{order_id}/file").status_code == 303
