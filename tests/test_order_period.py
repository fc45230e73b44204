"""One order, one period (issue 14, observations 1 and 2): the made date, the start rule and the suggestions' period
are the same dates on every page, in the document and in the registers."""

import io
from datetime import date, timedelta

from docx import Document
from sqlalchemy import select

from portal.extensions import db
from portal.models import Order, Referral, Requirement
from portal.rules.dates import long_date, period_end
from tests.test_orders import accept_weekly_plan, add_occasions, fill_details, give_rationales, partners_accept_all
from tests.utils import field_error, page


def _version(client, path: str) -> str:
    return page(client.get(path)).select_one('input[name="version"]')["value"]


def filed_order(app, client, sign_in, subject_id: int) -> int:
    order_id = accept_weekly_plan(client, subject_id)
    fill_details(client, order_id)
    add_occasions(client, order_id)
    give_rationales(client, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    filed = client.post(f"/orders/{order_id}/file", data={"version": _version(client, f"/orders/{order_id}")})
    assert filed.status_code == 302
    return order_id


def record_made(client, order_id: int, day: date):
    return client.post(
        f"/orders/{order_id}/made",
        data={
            "version": _version(client, f"/orders/{order_id}/made"),
            "made_on": [str(day.day), str(day.month), str(day.year)],
            "made_by_court": "Thames Magistrates' Court",
        },
    )


def text_of(client, path: str) -> str:
    return page(client.get(path)).get_text(" ", strip=True)


def docx_text(client, order_id: int) -> str:
    document = Document(io.BytesIO(client.get(f"/orders/{order_id}/court-document.docx").data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def test_the_court_cannot_have_made_an_order_in_the_future_or_before_it_was_filed(
    app, client, sign_in, demo, today
) -> None:
    sign_in(client, "officer")
    order_id = filed_order(app, client, sign_in, demo)
    future = record_made(client, order_id, today + timedelta(days=14))
    assert field_error(future, "made_on") == "Date the court made the order must be today or in the past"
    before = record_made(client, order_id, today - timedelta(days=3))
    assert field_error(before, "made_on") == (
        f"Date the court made the order must be on or after the day it was filed, {long_date(today)}"
    )
    with app.app_context():
        assert db.session.get(Order, order_id).status == "filed"


def test_an_order_made_today_shows_the_same_period_on_every_page_and_in_the_document(
    app, client, sign_in, demo, today
) -> None:
    sign_in(client, "officer")
    order_id = filed_order(app, client, sign_in, demo)
    assert record_made(client, order_id, today).status_code == 302
    start, end = long_date(today), long_date(period_end(today, 12))
    assert f"{start} to {end} (12 months)" in text_of(client, f"/orders/{order_id}")
    assert f"from {start} until {end}" in text_of(client, f"/orders/{order_id}/print")
    assert f"from {start} until {end}" in docx_text(client, order_id)
    assert "1 December 2026" not in text_of(client, f"/orders/{order_id}")  # the planned start is not the start


def test_just_after_midnight_in_summer_time_an_order_filed_today_can_be_made_today(app, client, sign_in, demo) -> None:
    """At 00:30 on 15 July in London it is still 14 July in UTC, the server's clock. Every "today" the portal uses
    is London's, so the day the order was filed and the day the court made it are the same day here."""
    from freezegun import freeze_time

    with freeze_time("2027-07-14 23:30:00", tick=True):
        sign_in(client, "officer")
        order_id = filed_order(app, client, sign_in, demo)
        made = record_made(client, order_id, date(2027, 7, 15))
        assert made.status_code == 302, field_error(made, "made_on")
        assert "15 July 2027" in text_of(client, f"/orders/{order_id}")


def test_a_partner_sees_the_real_dates_or_that_the_order_starts_the_day_the_court_makes_it(
    app, client, sign_in, demo
) -> None:
    sign_in(client, "officer")
    order_id = accept_weekly_plan(client, demo)
    with app.app_context():
        referral = db.session.scalars(
            select(Referral).join(Requirement).where(Requirement.order_id == order_id)
        ).first()
        referral_id, organisation_id = referral.id, referral.organisation_id
        order = db.session.get(Order, order_id)
        requirement, order_end = referral.requirement, period_end(order.proposed_start, order.duration_months)
        start, end = requirement.starts_on or order.proposed_start, requirement.ends_on or order_end
    partner = app.test_client()
    sign_in(partner, "partner", organisation_id=organisation_id)
    shown = text_of(partner, f"/partner/referrals/{referral_id}")
    assert f"{long_date(start)} to {long_date(end)}" in shown
    assert "Not set" not in shown and "not set" not in shown
    with app.app_context():
        db.session.get(Order, order_id).proposed_start = None
        db.session.commit()
    shown = text_of(partner, f"/partner/referrals/{referral_id}")
    assert "From the day the court makes the order" in shown


def test_a_draft_made_from_the_suggestions_takes_the_period_they_were_checked_for(app, client, sign_in, demo) -> None:
    sign_in(client, "officer")
    chosen = {"starts_on": ["20", "12", "2026"], "months": "18"}
    soup = page(client.get(f"/subjects/{demo}/suggestions", query_string=chosen))
    assert "For an order from 20 December 2026 to 19 June 2028" in soup.get_text(" ", strip=True)
    plan = soup.select_one("#weekly-plan form")
    data = {
        field["name"]: field["value"] for field in plan.select('input[type="hidden"]') if field["name"] != "session_id"
    }
    data["session_id"] = [field["value"] for field in plan.select('input[name="session_id"]')]
    response = client.post(f"/orders/for-subject/{demo}/sessions", data=data)
    order_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "20 December 2026 to 19 June 2028 (18 months)" in text_of(client, f"/orders/{order_id}")


def test_suggestions_opened_for_a_subject_with_a_draft_use_the_draft_period(app, client, sign_in, demo) -> None:
    sign_in(client, "officer")
    order_id = accept_weekly_plan(client, demo)
    fill_details(client, order_id, proposed_start=["4", "1", "2027"], duration_months="9")
    shown = text_of(client, f"/subjects/{demo}/suggestions")
    assert "For an order from 4 January 2027 to 3 October 2027" in shown


def test_changing_the_period_lists_each_requirement_that_no_longer_fits(app, client, sign_in, demo) -> None:
    sign_in(client, "officer")
    order_id = accept_weekly_plan(client, demo)
    fill_details(client, order_id)  # 1 December 2026 for 12 months: every accepted session runs then
    assert not {"requirement_outside_programme", "requirement_outside_order"} & set(_problem_codes(client, order_id))
    with app.app_context():
        requirement_ids = {r.id for r in db.session.get(Order, order_id).requirements}
    fill_details(client, order_id, proposed_start=["1", "9", "2027"])  # after the demo programmes' summer term
    said = page(client.get(f"/orders/{order_id}")).get_text(" ", strip=True)
    assert f"{len(requirement_ids)} requirements no longer fit the order's dates: see the checks." in said
    soup = page(client.get(f"/orders/{order_id}/checks"))
    misfits = soup.select('#problems li[data-code="requirement_outside_programme"]')
    assert len(misfits) == len(requirement_ids)  # each one
    assert all("no longer fits the order's dates" in item.get_text(" ", strip=True) for item in misfits)
    assert all("its sessions end on 31 August 2027" in item.get_text(" ", strip=True) for item in misfits)


def _problem_codes(client, order_id: int) -> list[str]:
    return [item["data-code"] for item in page(client.get(f"/orders/{order_id}/checks")).select("#problems li")]
