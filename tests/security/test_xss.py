"""Security bar item 15 (ASVS 1.2.1, 1.3.7): stored text is escaped wherever it is shown, templates are never
evaluated from data, and `|safe` / `Markup` appear only on an allow-list."""

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Referral, Requirement, Venue
from tests.security.conftest import page_from
from tests.test_partners import add_programme, continue_from_email, programme_data, registration, session_data
from tests.test_subjects import subject_data
from tests.utils import page, set_up_authenticator

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
PAYLOAD = f"{SCRIPT}{IMG}{TEMPLATE}"  # 69 characters: fits every free-text field of 80 or more


def assert_escaped(html: str, where: str, expect_payload: bool = True) -> None:
    assert SCRIPT not in html, f"{where}: unescaped <script>"
    assert "<img src=x" not in html, f"{where}: unescaped <img>"
    soup = page_from(html)
    assert not soup.select("img[onerror]"), where
    assert not [s for s in soup.find_all("script") if "alert(1)" in (s.string or "")], where
    if expect_payload:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"{where}: the stored text is not shown at all"
        assert TEMPLATE in soup.get_text(), f"{where}: {{{{7*7}}}} was not shown as typed (evaluated?)"


def version_of(client, path: str) -> str:
    found = page(client.get(path)).select_one('input[name="version"]')
    return found["value"] if found else "1"


def test_organisation_registration_text_is_escaped_for_the_partner_and_the_admin(app: Flask, client, sign_in) -> None:
    data = registration(
        name=f"Club {PAYLOAD}", borough=PAYLOAD, address=PAYLOAD, description=PAYLOAD, full_name=PAYLOAD
    )
    response = client.post("/register-organisation", data=data)
    assert response.status_code == 302, page(response).select_one(".govuk-error-summary")
    continue_from_email(client)
    set_up_authenticator(client)
    for path in ("/partner/registered", "/partner/organisation"):
        assert_escaped(client.get(path).get_data(as_text=True), path)
    admin = app.test_client()
    sign_in(admin, "admin")
    assert_escaped(admin.get("/admin/organisations").get_data(as_text=True), "/admin/organisations")
    from portal.models import Organisation

    with app.app_context():
        organisation_id = db.session.scalar(select(Organisation.id).where(Organisation.name.like("Club %")))
    assert_escaped(admin.get(f"/admin/organisations/{organisation_id}").get_data(as_text=True), "admin organisation")
    assert_escaped(admin.get("/admin/users").get_data(as_text=True), "/admin/users")


def test_programme_and_venue_text_is_escaped_for_partners_and_officers(app: Flask, client, sign_in, make) -> None:
    organisation_id = make.organisation()
    sign_in(client, "partner", organisation_id=organisation_id)
    venue = client.post("/partner/venues/new", data={"name": PAYLOAD, "address": PAYLOAD, "postcode": "E3 2AA"})
    assert venue.status_code == 302, page(venue).select_one(".govuk-error-summary")
    assert_escaped(client.get("/partner/venues").get_data(as_text=True), "/partner/venues")
    fields = {
        name: PAYLOAD
        for name in ("description", "referral_process", "accessibility_notes", "supervisor_name", "supervisor_role")
    }
    with app.app_context():
        venue_id = db.session.scalar(select(Venue.id).where(Venue.organisation_id == organisation_id))
    response = add_programme(client, programme_data(title=PAYLOAD, tags=PAYLOAD, **fields), (session_data(venue_id),))
    assert response.status_code == 302, page(response).select_one(".govuk-error-summary")
    programme_path = response.headers["Location"]
    for path in (programme_path, "/partner/programmes", f"{programme_path}/edit", f"{programme_path}/edit/about"):
        assert_escaped(client.get(path).get_data(as_text=True), path)
    officer = app.test_client()
    sign_in(officer, "officer")
    programme_id = programme_path.rsplit("/", 1)[1]
    assert_escaped(officer.get(f"/directory/programmes/{programme_id}").get_data(as_text=True), "directory programme")
    searched = officer.post("/directory/", data={"keyword": "alert"}, follow_redirects=True)
    assert_escaped(searched.get_data(as_text=True), "directory search", expect_payload=False)


def test_subject_note_commitment_and_zone_text_is_escaped(client, sign_in) -> None:
    sign_in(client, "officer")
    response = client.post(
        "/subjects/new", data=subject_data(first_name=PAYLOAD, last_name=PAYLOAD, interest_text=PAYLOAD)
    )
    assert response.status_code == 302, page(response).select_one(".govuk-error-summary")
    subject_path = response.headers["Location"]
    posts = {
        f"{subject_path}/notes/new": {"kind": "fact", "text": PAYLOAD},
        f"{subject_path}/windows/new": {
            "kind": "school",
            "label": "Sch" + PAYLOAD[:77],
            "weekday": "1",
            "start_time": "08:30",
            "end_time": "15:30",
        },
        f"{subject_path}/exclusion-zones/new": {"label": PAYLOAD, "postcode": "E3 2AA", "radius_m": "500"},
    }
    for path, data in posts.items():
        assert client.post(path, data=data).status_code == 302, path
    for path in (subject_path, f"{subject_path}/edit", f"{subject_path}/suggestions"):
        assert_escaped(client.get(path).get_data(as_text=True), path)
    listing = client.post("/subjects/", data={"query": "alert"}, follow_redirects=True)
    assert_escaped(listing.get_data(as_text=True), "subject search")


def test_order_details_and_referral_statements_are_escaped(app: Flask, sign_in, demo) -> None:
    from tests.test_orders import accept_weekly_plan, fill_details

    officer = app.test_client()
    sign_in(officer, "officer", unit="Tower Hamlets Gangs Unit")
    order_id = accept_weekly_plan(officer, demo)
    free_text = ("necessity_statement", "yot_outcome", "guardian_relationship", "court", "yot_team", "guardian_name")
    fill_details(officer, order_id, **dict.fromkeys(free_text, PAYLOAD))
    with app.app_context():
        referral = db.session.scalars(
            select(Referral).join(Requirement).where(Requirement.order_id == order_id)
        ).first()
        referral_id, organisation_id = referral.id, referral.organisation_id
    partner = app.test_client()
    sign_in(partner, "partner", organisation_id=organisation_id)
    path = f"/partner/referrals/{referral_id}"
    version = page(partner.get(path)).select_one('form input[name="version"]')["value"]
    statement = dict.fromkeys(("capacity", "dates", "safeguarding", "attendance"), PAYLOAD)
    accepted = partner.post(f"{path}/accept", data={"version": version, **statement})
    assert accepted.status_code in (302, 303)
    assert_escaped(partner.get(path).get_data(as_text=True), path)
    for order_path in (f"/orders/{order_id}", f"/orders/{order_id}/details", f"/orders/{order_id}/print"):
        assert_escaped(officer.get(order_path).get_data(as_text=True), order_path)
    assert_escaped(officer.get(f"/orders/{order_id}/checks").get_data(as_text=True), "checks", expect_payload=False)


# --- |safe and Markup: only where reviewed ---------------------------------------------------------------------

# Each entry: a file and how many times it may turn escaping off, with the reason it is safe.
SAFE_ALLOW_LIST = {
    # An SVG chart built from integers; every label goes through markupsafe.escape (portal/data/evidence.py).
    "portal/blueprints/evidence/routes.py": 1,
    # The authenticator QR code: segno's own SVG of the set-up address (portal/infra/mfa.py), no user text in it.
    "portal/infra/mfa.py": 1,
    # GOV.UK components from a skeleton of the macro's own markup (`prepared`): each text is escaped exactly where the
    # macro escapes it (tests/test_templating.py compares every case with the macro); `indent` re-marks markup that was
    # already safe; the probe markers are fixed strings.
    "portal/web/templating.py": 3,
}
UNESCAPING = re.compile(r"\|\s*safe\b|\bMarkup\(|autoescape\s+false|render_template_string|\bMarkup\.unescape")


def test_escaping_is_turned_off_only_where_reviewed() -> None:
    found: dict[str, int] = {}
    for folder in ("portal", "matching", "seed"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt", ".xml", ".ics") or "migrations" in path.parts:
                continue
            count = len(UNESCAPING.findall(path.read_text(encoding="utf-8", errors="replace")))
            if count:
                found[str(path.relative_to(ROOT))] = count
    assert found == SAFE_ALLOW_LIST, "a new |safe or Markup(...) needs review and an entry in SAFE_ALLOW_LIST"
