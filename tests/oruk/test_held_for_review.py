"""Fail-closed imports (issue 15 items 1 and 2): whatever may limit who can take part and the portal cannot read is
kept, shown and holds the listing back from officers and the matcher until a person maps it on the review page."""

import copy
import uuid
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from portal.data import catalogue, oruk
from portal.extensions import db
from portal.models import Programme, Referral, ReferralStatus
from portal.oruk.importing import map_service
from portal.rules.schedule import london_today
from tests.factories import Factory
from tests.oruk.conftest import fixture
from tests.test_referrals import accept_data, version_on_page
from tests.utils import error_summary, page

TODAY = date(2026, 11, 24)


def e3(_postcode: str) -> None:
    return None  # every fixture location has a latitude and longitude


def base_service() -> dict:
    """The fixture's boxing service with nothing that says who may take part (only portal terms)."""
    service = copy.deepcopy(fixture("youth_services.json")[0])
    service["attributes"] = [
        attribute for attribute in service["attributes"] if attribute["taxonomy_term"]["name"] == "Boxing"
    ]
    service["languages"] = [language for language in service["languages"] if language.get("code") == "en"]
    service.pop("alert", None)
    return service


def service_with(name: str, *, terms: tuple[str, ...] = (), eligibility: str = "", **fields: object) -> dict:
    service = base_service() | {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)), "name": name} | fields
    for term in terms:
        service["attributes"].append(
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{term}")),
                "taxonomy_term": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, term)), "name": term, "description": term},
            }
        )
    if eligibility:
        service["eligibility_description"] = eligibility
    for schedule in service["schedules"]:
        schedule["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{schedule['id']}"))
    return service


# Services whose eligibility is in words outside the portal's vocabulary: each must be held for review.
HELD = {
    "Sisters United mentoring": service_with("Sisters United mentoring", terms=("Ahmadiyya sisters circle",)),
    "Rainbow youth boxing": service_with("Rainbow youth boxing", terms=("LGBTQ+ young people",)),
    "Hackney residents boxing": service_with("Hackney residents boxing", eligibility="Must live in Hackney."),
    "Church boxing club": service_with("Church boxing club", eligibility="Members of St Mary's congregation"),
}
# Services in vocabularies the importer understands: published with the rule they state.
UNDERSTOOD = {
    "Young women's boxing": (service_with("Young women's boxing", terms=("Young Women Only",)), "female", 13, 19),
    "Lads' boxing": (service_with("Lads' boxing", eligibility="Boys and young men aged 14-17."), "male", 14, 17),
    "Girls 16+ boxing": (service_with("Girls 16+ boxing", terms=("Female only", "16+")), "female", 16, 19),
}


@pytest.fixture
def organisation(make: Factory) -> int:
    """The approved organisation a partner's upload imports into."""
    return make.organisation(name="Imported Boxing Network")


def import_services(app: Flask, organisation_id: int, services: list[dict]) -> oruk.ImportReport:
    with app.app_context():
        report = oruk.import_document(services, source="test", organisation_id=organisation_id, today=TODAY)
        db.session.commit()
    return report


def programme_by_title(app: Flask, title: str) -> Programme:
    with app.app_context():
        found = db.session.scalar(select(Programme).where(Programme.title == title))
        db.session.expunge(found)
        return found


def matcher_titles(app: Flask) -> set[str]:
    with app.app_context():
        return {programme.title for programme in catalogue.load_matching_catalogue()}


def directory_titles(client) -> set[str]:
    response = client.post("/directory/", data={"keyword": "boxing"})
    assert response.status_code == 302, error_summary(response)
    results = page(client.get(response.headers["Location"]))
    return {link.get_text(strip=True) for link in results.select(".app-results__item h3 a")}


def test_unknown_eligibility_words_are_held_listed_and_published_by_review(app, organisation, client, sign_in) -> None:
    services = [*HELD.values(), *(service for service, *_rule in UNDERSTOOD.values())]
    report = import_services(app, organisation, services)
    assert report.imported == len(services)

    for title in HELD:
        held = programme_by_title(app, title)
        assert held.held_for_review, title
        assert [item for item in held.unmapped_items if item["restricts"]], title
    for title, (_service, gender, low, high) in UNDERSTOOD.items():
        published = programme_by_title(app, title)
        assert not published.held_for_review and not published.unmapped_items, title
        assert (published.gender, published.min_age, published.max_age) == (gender, low, high), title
        with app.app_context():  # the partner sets the places the file could not give
            db.session.get(Programme, published.id).capacity = 12
            catalogue.mark_changed()
            db.session.commit()

    assert matcher_titles(app) == set(UNDERSTOOD)
    officer = app.test_client()
    sign_in(officer, "officer")
    assert directory_titles(officer) == set(UNDERSTOOD)
    held_id = programme_by_title(app, "Rainbow youth boxing").id
    assert officer.get(f"/directory/programmes/{held_id}").status_code == 404

    sign_in(client, "partner", organisation_id=organisation)
    listing = page(client.get(f"/partner/programmes/{held_id}")).get_text(" ", strip=True)
    assert "Held for review" in listing and "LGBTQ+ young people" in listing and "Places not confirmed" in listing
    review = page(client.get(f"/partner/programmes/{held_id}/review"))
    assert "LGBTQ+ young people" in review.select_one("#unmapped-items").get_text(" ", strip=True)

    sisters = programme_by_title(app, "Sisters United mentoring")
    items = page(client.get(f"/partner/programmes/{sisters.id}/review")).select_one("#unmapped-items")
    assert "Ahmadiyya sisters circle" in items.get_text(" ", strip=True)
    unchecked = client.post(
        f"/partner/programmes/{sisters.id}/review",
        data={"version": sisters.version, "gender": "female", "min_age": "13", "max_age": "19"},
    )
    assert error_summary(unchecked) == ["Confirm you have read every item the import could not read"]
    assert programme_by_title(app, "Sisters United mentoring").held_for_review

    published = client.post(
        f"/partner/programmes/{sisters.id}/review",
        data={"version": sisters.version, "gender": "female", "min_age": "14", "max_age": "18", "checked": "checked"},
    )
    assert published.status_code == 302
    reviewed = programme_by_title(app, "Sisters United mentoring")
    assert not reviewed.held_for_review
    assert (reviewed.gender, reviewed.min_age, reviewed.max_age) == ("female", 14, 18)
    assert all(item["confirmed"] for item in reviewed.unmapped_items)
    with app.app_context():
        db.session.get(Programme, reviewed.id).capacity = 8
        catalogue.mark_changed()
        db.session.commit()
    assert "Sisters United mentoring" in matcher_titles(app)
    with app.app_context():
        loaded = next(p for p in catalogue.load_matching_catalogue() if p.title == "Sisters United mentoring")
    assert loaded.gender == "female"

    import_services(app, organisation, [HELD["Sisters United mentoring"]])  # a re-import keeps the review
    again = programme_by_title(app, "Sisters United mentoring")
    assert not again.held_for_review and (again.gender, again.min_age, again.max_age) == ("female", 14, 18)


def test_an_admin_lists_and_reviews_held_listings(app, organisation, client, sign_in) -> None:
    import_services(app, organisation, [HELD["Hackney residents boxing"]])
    held = programme_by_title(app, "Hackney residents boxing")
    sign_in(client, "admin")
    listed = page(client.get("/admin/listings-held-for-review")).get_text(" ", strip=True)
    assert "Hackney residents boxing" in listed
    items = page(client.get(f"/admin/listings-held-for-review/{held.id}")).select_one("#unmapped-items")
    assert "Must live in Hackney" in items.get_text(" ", strip=True)
    response = client.post(
        f"/admin/listings-held-for-review/{held.id}",
        data={"version": held.version, "gender": "any", "min_age": "13", "max_age": "19", "checked": "checked"},
    )
    assert response.status_code == 302
    assert not programme_by_title(app, "Hackney residents boxing").held_for_review


def test_a_partner_cannot_review_another_organisations_listing(app: Flask, make: Factory, client, sign_in) -> None:
    owner = make.organisation(name="Imported Boxing Network")
    import_services(app, owner, [HELD["Church boxing club"]])
    held = programme_by_title(app, "Church boxing club")
    sign_in(client, "partner", organisation_id=make.organisation(name="Someone Else"))
    assert client.get(f"/partner/programmes/{held.id}/review").status_code == 404
    response = client.post(
        f"/partner/programmes/{held.id}/review",
        data={"version": held.version, "gender": "any", "min_age": "13", "max_age": "19", "checked": "checked"},
    )
    assert response.status_code == 404
    assert programme_by_title(app, "Church boxing club").held_for_review


@pytest.mark.parametrize(
    ("words", "gender", "ages"),
    [
        ("Girls only", "female", (13, 19)),
        ("Young women", "female", (13, 19)),
        ("Female only", "female", (13, 19)),
        ("Girls and young women aged 14 to 18", "female", (14, 18)),
        ("Boys only", "male", (13, 19)),
        ("Young men", "male", (13, 19)),
        ("Male only", "male", (13, 19)),
        ("Boys and girls", "any", (13, 19)),
        ("Ages 15–17", "any", (15, 17)),
        ("Under 16s", "any", (13, 15)),
        ("16+", "any", (16, 19)),
        ("Gender: female", "female", (13, 19)),
        ("Under-18s", "any", (13, 17)),
        ("Suitable for boys aged 12-16", "male", (13, 16)),
        ("14 years and over", "any", (14, 19)),
    ],
)
def test_common_gender_and_age_vocabularies_map_to_the_portals_rule(words: str, gender: str, ages: tuple) -> None:
    for service in (service_with("Term", terms=(words,)), service_with("Text", eligibility=words)):
        mapped = map_service(service, None, e3, TODAY)
        assert mapped.valid and not mapped.held_for_review, (words, mapped.unmapped)
        assert (mapped.programme["gender"], mapped.programme["min_age"], mapped.programme["max_age"]) == (
            gender,
            *ages,
        )


@pytest.mark.parametrize(
    "words",
    [
        "LGBTQ+ group",
        "Trans and non-binary youth",
        "Muslim sisters",
        "Referral from social care only",
        "Wheelchair users",
        "Year 9 to Year 11",
    ],
)
def test_what_may_restrict_and_cannot_be_read_is_held(words: str) -> None:
    for service in (service_with("Term", terms=(words,)), service_with("Text", eligibility=words)):
        mapped = map_service(service, None, e3, TODAY)
        assert mapped.held_for_review, words
        assert any(item["text"] == words and item["restricts"] for item in mapped.unmapped)


def test_girls_only_and_boys_only_together_are_held_not_opened_to_anyone() -> None:
    mapped = map_service(service_with("Both", terms=("Girls only", "Boys only")), None, e3, TODAY)
    assert mapped.held_for_review


def test_unknown_activity_terms_are_kept_shown_and_searchable_not_held() -> None:
    mapped = map_service(service_with("Code club", terms=("Coding",)), None, e3, TODAY)
    assert not mapped.held_for_review
    assert mapped.unmapped == [{"kind": "activity term", "text": "Coding", "restricts": False}]
    assert mapped.programme["tags"] == ["coding"]


def test_a_term_naming_both_who_and_what_sets_the_rule_and_keeps_the_activity() -> None:
    mapped = map_service(service_with("Girls club", terms=("Girls' football",)), None, e3, TODAY)
    assert not mapped.held_for_review and mapped.programme["gender"] == "female"
    assert mapped.unmapped == [{"kind": "activity term", "text": "Girls' football", "restricts": False}]
    assert mapped.programme["tags"] == ["girls' football"]


@pytest.mark.parametrize(
    ("name", "description", "held"),
    [
        ("Girls' football club", "Weekly football.", True),
        ("Boxing", "Mentoring for young men in Bow.", True),
        ("Boxing", "A safe space for LGBTQ+ young people.", True),
        ("Boxing", "Open to boys and girls.", False),
        ("Boxing", "Weekly coaching and matches.", False),
    ],
)
def test_a_gender_named_only_in_the_name_or_description_is_checked(name: str, description: str, held: bool) -> None:
    mapped = map_service(service_with(name, description=description), None, e3, TODAY)
    assert mapped.held_for_review == held


def test_a_name_agreeing_with_the_rule_is_not_held() -> None:
    service = service_with("Girls' football club", terms=("Girls only",), description="For young women.")
    assert not map_service(service, None, e3, TODAY).held_for_review


def test_service_areas_may_mean_residents_only_so_they_are_held() -> None:
    service = service_with("Area")
    area = {"id": str(uuid.uuid4()), "service_id": service["id"], "name": "London Borough of Hackney"}
    mapped = map_service(service | {"service_areas": [area]}, None, e3, TODAY)
    assert mapped.held_for_review


def undated_service() -> dict:
    """A service that says neither when it was assured nor when it last changed."""
    undated = service_with("Undated boxing")
    undated.pop("assured_date")
    undated.pop("last_modified")
    return undated


def test_imported_places_and_confirmation_are_not_made_up(app: Flask, organisation: int) -> None:
    undated = undated_service()
    import_services(app, organisation, [undated, service_with("Dated boxing")])
    undated_row, dated_row = programme_by_title(app, "Undated boxing"), programme_by_title(app, "Dated boxing")
    assert undated_row.capacity is None and dated_row.capacity is None
    assert undated_row.assured_on is None
    assert dated_row.assured_on == date(2026, 10, 1)
    assert matcher_titles(app) == set()  # neither is offered before the partner sets the places


def test_the_partner_sees_places_and_details_not_confirmed(app, organisation, client, sign_in) -> None:
    undated = undated_service()
    import_services(app, organisation, [undated])
    found = programme_by_title(app, "Undated boxing")
    sign_in(client, "partner", organisation_id=organisation)
    text = page(client.get(f"/partner/programmes/{found.id}")).get_text(" ", strip=True)
    assert "Places not confirmed" in text and "Never confirmed" in text
    assert "places not confirmed: set the places per session" in text
    assert "details not confirmed" in text


def test_a_reimport_keeps_the_partners_confirmation_and_places(app, organisation, client, sign_in) -> None:
    import_services(app, organisation, [undated_service()])
    found = programme_by_title(app, "Undated boxing")
    sign_in(client, "partner", organisation_id=organisation)
    client.post(f"/partner/programmes/{found.id}/confirm-details", data={"version": found.version})
    with app.app_context():
        db.session.get(Programme, found.id).capacity = 6
        db.session.commit()
    import_services(app, organisation, [undated_service()])
    again = programme_by_title(app, "Undated boxing")
    assert (again.assured_on, again.capacity) == (london_today(), 6)
    assert "Undated boxing" in matcher_titles(app)


def test_no_referral_is_accepted_before_the_places_are_set(app, make: Factory, client, sign_in) -> None:
    owner = make.organisation()
    session_id = make.session_ids(make.programme(owner, capacity=None))[0]
    referral_id = make.referral(session_id)
    sign_in(client, "partner", organisation_id=owner)
    version = version_on_page(client.get(f"/partner/referrals/{referral_id}"))
    response = client.post(f"/partner/referrals/{referral_id}/accept", data=accept_data(version))
    assert response.status_code == 200
    assert error_summary(response) == [
        "The places per session are not confirmed. Set them on the programme's page, then accept the referral."
    ]
    assert make.get(Referral, referral_id).status != ReferralStatus.ACCEPTED
