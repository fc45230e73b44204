"""One rule for "is this listing open to officers?" (issue 14 observation 3): the directory, the matcher's catalogue,
the dashboard's replacements and the partner's own pages answer it the same way, and the partner is told why not."""

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.data import catalogue
from portal.extensions import db
from portal.models import OrganisationStatus, Programme, ProgrammeSession, Requirement
from portal.rules.schedule import london_today
from tests.factories import Factory
from tests.utils import error_summary, page


@pytest.fixture
def officer(app: Flask, sign_in):
    client = app.test_client()
    sign_in(client, "officer")
    return client


def directory_titles(client) -> dict[str, str]:
    """Each listed programme's title with the line under it."""
    response = client.post("/directory/", data={"keyword": "boxing"})
    assert response.status_code == 302, error_summary(response)
    items = page(client.get(response.headers["Location"])).select(".app-results__item")
    return {
        item.select_one("h3 a").get_text(strip=True): item.select_one("p").get_text(" ", strip=True) for item in items
    }


def suggested_titles(client, subject_id: int, starts_on: date) -> list[str]:
    query = f"starts_on={starts_on.day}&starts_on={starts_on.month}&starts_on={starts_on.year}&months=12"
    soup = page(client.get(f"/subjects/{subject_id}/suggestions?{query}"))
    return [link.get_text(strip=True) for link in soup.select("#suggested .app-suggestions__item h3 a")]


def matcher_titles(app: Flask) -> set[str]:
    with app.app_context():
        return {programme.title for programme in catalogue.load_matching_catalogue()}


def starting_on(app: Flask, programme_id: int, first_day: date) -> None:
    with app.app_context():
        programme = db.session.get(Programme, programme_id)
        programme.valid_from = first_day
        for session in db.session.scalars(
            select(ProgrammeSession).where(ProgrammeSession.programme_id == programme_id)
        ):
            session.term_start = first_day
        catalogue.mark_changed()
        db.session.commit()


def partner_page(app: Flask, sign_in, organisation_id: int, programme_id: int) -> str:
    client = app.test_client()
    sign_in(client, "partner", organisation_id=organisation_id)
    return page(client.get(f"/partner/programmes/{programme_id}")).get_text(" ", strip=True)


def test_listings_not_open_are_hidden_everywhere_and_the_partner_is_told_why(
    app: Flask,
    make: Factory,
    officer,
    sign_in,
) -> None:
    approved = make.organisation()
    pending = make.organisation(status=OrganisationStatus.PENDING)
    make.programme(approved, title="Open boxing", activity_types=["boxing"])
    closed = {
        "held for review": make.programme(
            approved,
            title="Held boxing",
            activity_types=["boxing"],
            held_for_review=True,
            unmapped_items=[{"kind": "term", "text": "Members only", "restricts": True}],
        ),
        "places not confirmed": make.programme(
            approved, title="Unplaced boxing", activity_types=["boxing"], capacity=None
        ),
        "details not confirmed": make.programme(
            approved, title="Unconfirmed boxing", activity_types=["boxing"], assured_on=None
        ),
        "organisation is not approved": make.programme(pending, title="Pending boxing", activity_types=["boxing"]),
    }
    subject = make.subject()

    assert set(directory_titles(officer)) == {"Open boxing"}
    assert matcher_titles(app) == {"Open boxing"}
    assert suggested_titles(officer, subject, london_today()) == ["Open boxing"]
    for programme_id in closed.values():
        assert officer.get(f"/directory/programmes/{programme_id}").status_code == 404

    for reason, programme_id in closed.items():
        owner = pending if reason == "organisation is not approved" else approved
        text = partner_page(app, sign_in, owner, programme_id)
        assert "Officers are not offered this programme because" in text and reason in text, reason
    assert "Officers are not offered" not in partner_page(app, sign_in, approved, make.programme(approved))


def test_a_later_start_is_listed_and_suggested_alike_and_told(app, make, officer, sign_in) -> None:
    organisation = make.organisation()
    later = make.programme(organisation, title="Later boxing", activity_types=["boxing"])
    first_day = london_today() + timedelta(days=21)
    starting_on(app, later, first_day)
    subject = make.subject()

    listed = directory_titles(officer)
    assert "Later boxing" in listed
    assert f"Starts {first_day.day} {first_day:%B %Y}" in listed["Later boxing"]
    assert "Later boxing" in suggested_titles(officer, subject, london_today())  # the order runs past its start
    details = page(officer.get(f"/directory/programmes/{later}")).get_text(" ", strip=True)
    assert f"Runs {first_day.day} {first_day:%B %Y} to further notice" in details
    text = partner_page(app, sign_in, organisation, later)
    assert f"Officers can find this programme. It starts {first_day.day} {first_day:%B %Y}" in text


def test_an_ended_programme_is_neither_listed_nor_suggested_and_told(app, make, officer, sign_in) -> None:
    organisation = make.organisation()
    ended_on = london_today() - timedelta(days=3)
    ended = make.programme(organisation, title="Ended boxing", activity_types=["boxing"], valid_to=ended_on)
    subject = make.subject()
    assert "Ended boxing" not in directory_titles(officer)
    assert "Ended boxing" not in suggested_titles(officer, subject, london_today())
    assert f"it ended on {ended_on.day} {ended_on:%B %Y}" in partner_page(app, sign_in, organisation, ended)


def test_the_dashboard_never_offers_a_replacement_that_is_not_open(app, make: Factory, client, sign_in) -> None:
    officer_id = sign_in(client, "officer")
    organisation = make.organisation()
    today = london_today()
    ending = make.programme(organisation, title="Ending Football", valid_to=today + timedelta(days=30))
    make.programme(organisation, title="Open Replacement Football")
    make.programme(organisation, title="Held Replacement Football", held_for_review=True)
    make.programme(organisation, title="Unplaced Replacement Football", capacity=None)
    requirement_id = make.active_requirement(make.session_ids(ending)[0], made_on=today - timedelta(days=7))
    with app.app_context():
        db.session.get(Requirement, requirement_id).order.officer_id = officer_id
        db.session.commit()
    text = page(client.get("/dashboard/")).get_text(" ", strip=True)
    assert "Open Replacement Football" in text
    assert "Held Replacement Football" not in text and "Unplaced Replacement Football" not in text
