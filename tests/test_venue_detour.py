"""Issue 14, observation 10: "Add a new venue" from a session form keeps what was typed there, and the form comes
back with it and with the new venue selected."""

from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from portal.models import ProgrammeSession, Venue
from tests.test_partners import session_data
from tests.utils import error_summary, page

TYPED = {"weekday": "3", "start_time": "18:30", "end_time": "20:00", "term_start": ["7", "9", "2026"]}
TYPED |= {"term_end": ["", "", ""], "exception_dates": "24/12/2026"}
NEW_VENUE = {"name": "Roman Road Gym", "address": "12 Roman Road", "postcode": "e3 2aa"}


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + ("?" + parts.query if parts.query else "")


def typed_values(form: BeautifulSoup) -> dict:
    return {
        "weekday": form.select_one("input[name=weekday][checked]")["value"],
        "start_time": form.select_one("input#start_time")["value"],
        "end_time": form.select_one("input#end_time")["value"],
        "term_start": [form.select_one(f"input#term_start-{part}")["value"] for part in ("day", "month", "year")],
        "exception_dates": form.select_one("textarea#exception_dates").get_text().strip(),
        "venue": form.select_one("select#venue_id option[selected]").get_text(strip=True),
    }


def test_a_new_venue_keeps_the_typed_session_and_comes_back_selected(client, partner_organisation, make) -> None:
    programme_id = make.programme(partner_organisation, sessions=0)
    form_url = f"/partner/programmes/{programme_id}/sessions/new"
    detour = client.post(form_url, data=session_data("", **TYPED) | {"add_venue": "yes"})
    assert detour.status_code == 303 and urlsplit(detour.headers["Location"]).path == "/partner/venues/new"
    assert make.count(ProgrammeSession) == 0

    venue_url = path_of(detour.headers["Location"])
    venue_page = page(client.get(venue_url))
    assert path_of(venue_page.select_one(".govuk-back-link")["href"]).startswith(form_url)
    refused = client.post(venue_url, data=NEW_VENUE | {"postcode": "nowhere"})  # a mistake on the way keeps it all
    assert error_summary(refused)
    saved = client.post(venue_url, data=NEW_VENUE)
    assert saved.status_code == 302 and urlsplit(saved.headers["Location"]).path == form_url

    back = client.get(path_of(saved.headers["Location"]))
    form = page(back)
    assert not form.select(".govuk-error-summary")
    assert typed_values(form) == {
        "weekday": "3",
        "start_time": "18:30",
        "end_time": "20:00",
        "term_start": ["7", "9", "2026"],
        "exception_dates": "24/12/2026",
        "venue": "Roman Road Gym, E3 2AA",
    }
    chosen = form.select_one("select#venue_id option[selected]")["value"]
    done = client.post(form_url, data=session_data(chosen, **TYPED))
    assert done.status_code == 302
    with make.app.app_context():
        from sqlalchemy import select

        from portal.extensions import db

        session = db.session.scalar(select(ProgrammeSession).where(ProgrammeSession.programme_id == programme_id))
        venue = db.session.get(Venue, session.venue_id)
        assert (venue.name, session.weekday, session.exception_dates) == ("Roman Road Gym", 3, ["2026-12-24"])


def test_changing_a_session_keeps_the_changes_through_the_detour(client, partner_organisation, make) -> None:
    programme_id = make.programme(partner_organisation)
    session_id = make.session_ids(programme_id)[0]
    version = make.get(ProgrammeSession, session_id).version
    form_url = f"/partner/sessions/{session_id}/edit"
    detour = client.post(form_url, data=session_data("", **TYPED) | {"version": str(version), "add_venue": "yes"})
    saved = client.post(path_of(detour.headers["Location"]), data=NEW_VENUE)
    assert urlsplit(saved.headers["Location"]).path == form_url
    form = page(client.get(path_of(saved.headers["Location"])))
    assert typed_values(form)["start_time"] == "18:30" and typed_values(form)["venue"] == "Roman Road Gym, E3 2AA"
    assert form.select_one("input[name=version]")["value"] == str(version)  # someone else's change is still caught
    assert make.get(ProgrammeSession, session_id).start_time.strftime("%H:%M") == "17:00"  # nothing saved yet


def test_the_detour_stays_on_this_site(client, partner_organisation) -> None:
    saved = client.post("/partner/venues/new?programme_id=https://evil.example", data=NEW_VENUE)
    assert saved.headers["Location"] == "/partner/venues"


def test_pressing_enter_in_the_session_form_saves_rather_than_leaves(client, partner_organisation, make) -> None:
    programme_id = make.programme(partner_organisation, sessions=0)
    form = page(client.get(f"/partner/programmes/{programme_id}/sessions/new")).select_one("main form")
    submits = form.select("input[type=submit], button[type=submit]")
    # A browser's Enter key presses the form's first submit button.
    assert [submit.get("name") for submit in submits] == ["submit", "add_venue"]
    assert [submit.get_text(strip=True) for submit in submits] == ["Save session", "Add a new venue"]
