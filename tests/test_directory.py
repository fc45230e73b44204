"""Officers search approved programmes: typo-tolerant keywords, filters, distance; pending or suspended never shown."""

import pytest

from portal.models import AuditEvent, OrganisationStatus
from tests.utils import error_summary, page

BOW = {"postcode": "E3 2AA", "easting": 536823, "northing": 183099}
STRATFORD = {"postcode": "E15 1DA", "easting": 538723, "northing": 184529}  # about 2.4 km from Bow
ENFIELD = {"postcode": "EN1 3EA", "easting": 533200, "northing": 196500}  # about 14 km north


@pytest.fixture
def catalogue(make):
    approved = make.organisation(name="Lea Valley Youth Football")
    football = make.programme(
        approved,
        title="After-school Football",
        activity_types=["football"],
        venue_id=make.venue(approved, **BOW, name="Bow Pitch"),
    )
    boxing = make.programme(
        approved,
        title="Enfield Boxing",
        activity_types=["boxing"],
        venue_id=make.venue(approved, **ENFIELD, name="Enfield Gym"),
    )
    music = make.programme(
        approved,
        title="Beats Studio",
        activity_types=["music"],
        languages=["en", "bn"],
        venue_id=make.venue(approved, **STRATFORD, name="Stratford Studio"),
    )
    pending = make.organisation(status=OrganisationStatus.PENDING, name="Pending Football Club")
    make.programme(pending, title="Pending Football", activity_types=["football"], venue_id=make.venue(pending, **BOW))
    suspended = make.organisation(status=OrganisationStatus.SUSPENDED, name="Suspended Football Club")
    make.programme(
        suspended, title="Suspended Football", activity_types=["football"], venue_id=make.venue(suspended, **BOW)
    )
    return {"football": football, "boxing": boxing, "music": music}


@pytest.fixture
def officer(client, sign_in):
    sign_in(client, "officer")
    return client


def search(client, **criteria: str):
    response = client.post("/directory/", data=criteria)
    assert response.status_code == 302, error_summary(response)
    return client.get(response.headers["Location"])


def titles(response) -> list[str]:
    return [link.get_text(strip=True) for link in page(response).select(".app-results__item h3 a")]


def test_a_misspelled_keyword_finds_football(officer, catalogue) -> None:
    assert titles(search(officer, keyword="fotball")) == ["After-school Football"]


def test_pending_and_suspended_organisations_are_never_shown(officer, catalogue) -> None:
    everything = titles(search(officer))
    assert sorted(everything) == ["After-school Football", "Beats Studio", "Enfield Boxing"]
    assert "Pending Football" not in titles(search(officer, keyword="football"))


def test_distance_from_a_postcode_filters_and_shows_how_far(officer, catalogue) -> None:
    response = search(officer, postcode="e3 2aa", distance_km="5")
    assert titles(response) == ["After-school Football", "Beats Studio"]
    text = page(response).get_text(" ", strip=True)
    assert "near E3 2AA" in text and "2.4 km away" in text and "Contains OS data" in text


def test_language_and_day_filters(officer, catalogue) -> None:
    assert titles(search(officer, language="bn")) == ["Beats Studio"]
    assert titles(search(officer, weekday="3")) == []  # every test session runs on Monday


def test_the_postcode_never_appears_in_the_url(officer, catalogue) -> None:
    response = officer.post("/directory/", data={"postcode": "E3 2AA", "distance_km": "5"})
    assert "E3" not in response.headers["Location"] and "2AA" not in response.headers["Location"]


def test_another_officer_cannot_open_my_saved_search(app, officer, sign_in, catalogue) -> None:
    location = officer.post("/directory/", data={"postcode": "E3 2AA"}).headers["Location"]
    other = app.test_client()
    sign_in(other, "officer")
    assert other.get(location).status_code == 404


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"postcode": "ZZ1 1ZZ"}, "Enter a real UK postcode, like E3 2AA"),
        ({"distance_km": "5"}, "Enter a postcode to search within a distance"),
        ({"time_from": "tea time"}, "Enter starting from as a 24-hour time, like 17:00"),
        ({"age": "eight"}, "Age of young person must be a whole number, like 12"),
        ({"keyword": "k" * 101}, "Keywords must be 100 characters or fewer"),
    ],
)
def test_bad_search_input_names_the_field(officer, catalogue, make, criteria, message) -> None:
    response = officer.post("/directory/", data=criteria)
    assert response.status_code == 200
    assert message in error_summary(response)


def test_programme_detail_shows_next_sessions_and_supervisor(officer, catalogue) -> None:
    text = page(officer.get(f"/directory/programmes/{catalogue['football']}")).get_text(" ", strip=True)
    assert "After-school Football" in text and "Sam Coach" in text and "Monday 17:00–19:00" in text


def test_officers_cannot_open_a_pending_organisations_programme(officer, make) -> None:
    pending = make.organisation(status=OrganisationStatus.PENDING)
    assert officer.get(f"/directory/programmes/{make.programme(pending)}").status_code == 404


def test_searches_are_audited(officer, catalogue, make) -> None:
    search(officer, keyword="boxing")
    with make.app.app_context():
        from sqlalchemy import select

        from portal.extensions import db

        events = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "programme-directory")).all()
    assert len(events) == 1 and events[0].detail["filters"] == ["keyword"]


def test_the_directory_sees_a_programme_as_soon_as_its_organisation_is_approved(app, officer, make, sign_in) -> None:
    pending = make.organisation(status=OrganisationStatus.PENDING)
    make.programme(pending, title="Newly Approved Boxing", activity_types=["boxing"])
    assert titles(search(officer, keyword="boxing")) == []
    admin = app.test_client()
    sign_in(admin, "admin")
    admin.post(f"/admin/organisations/{pending}", data={"action": "approve"})
    assert titles(search(officer, keyword="boxing")) == ["Newly Approved Boxing"]


def test_a_worker_answers_from_its_copy_while_it_rebuilds_in_the_background(app, officer, catalogue, make) -> None:
    import time

    from portal.data import catalogue_index

    app.config["CATALOGUE_REBUILD_IN_BACKGROUND"] = True
    assert titles(search(officer, keyword="boxing")) == ["Enfield Boxing"]  # builds the first copy
    make.programme(make.organisation(), title="Brand New Boxing", activity_types=["boxing"])
    first = titles(search(officer, keyword="boxing"))  # answered at once, from the copy or the fresh index
    assert "Enfield Boxing" in first
    deadline = time.monotonic() + 10
    while "Brand New Boxing" not in titles(search(officer, keyword="boxing")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Brand New Boxing" in titles(search(officer, keyword="boxing"))
    assert not catalogue_index._cache.rebuilding
