"""Admins keep the legal-basis table; a draft outside it warns that the power is not in force."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import LegalBasis
from tests.utils import error_summary, page


@pytest.fixture
def admin(client, sign_in):
    sign_in(client, "admin")
    return client


def test_admin_adds_changes_and_removes_a_legal_basis(app, admin) -> None:
    response = admin.post(
        "/admin/legal-bases/new",
        data={
            "police_area": "Metropolitan Police district",
            "regulation": "SI 2021/762",
            "valid_from": ["5", "7", "2021"],
            "valid_to": ["31", "3", "2023"],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        basis_id = db.session.scalar(select(LegalBasis.id))
    listing = page(admin.get("/admin/legal-bases")).get_text(" ", strip=True)
    assert "5 July 2021 to 31 March 2023" in listing
    admin.post(
        f"/admin/legal-bases/{basis_id}/edit",
        data={
            "police_area": "Metropolitan Police district",
            "regulation": "SI 2021/762 as extended",
            "valid_from": ["5", "7", "2021"],
            "valid_to": ["", "", ""],
        },
    )
    assert "no end date" in page(admin.get("/admin/legal-bases")).get_text()
    admin.post(f"/admin/legal-bases/{basis_id}/remove")
    with app.app_context():
        assert db.session.scalar(select(LegalBasis.id)) is None


def test_bad_legal_basis_input_names_the_field(app, admin) -> None:
    response = admin.post(
        "/admin/legal-bases/new",
        data={"police_area": "", "regulation": "SI", "valid_from": ["1", "1", "2025"], "valid_to": ["1", "1", "2024"]},
    )
    assert error_summary(response) == ["Enter the police area", "In force until must be after in force from"]
    with app.app_context():
        assert db.session.scalar(select(LegalBasis.id)) is None


def test_officers_and_partners_cannot_change_the_table(client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.get("/admin/legal-bases").status_code == 403
    assert client.post("/admin/legal-bases/new", data={}).status_code == 403


def test_a_policy_change_made_on_a_stale_page_is_refused(app, admin, sign_in) -> None:
    colleague = app.test_client()
    sign_in(colleague, "admin")

    def opened(client) -> dict:
        soup = page(client.get("/admin/policy"))
        fields = {}
        for field in soup.select("form input, form textarea"):
            if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
                continue
            fields.setdefault(field["name"], []).append(field.get("value", field.get_text()))
        return fields

    first, second = opened(admin), opened(colleague)
    assert admin.post("/admin/policy", data=first | {"under18_absences_threshold": ["3"]}).status_code == 302
    refused = colleague.post("/admin/policy", data=second | {"under18_absences_threshold": ["4"]})
    assert refused.status_code == 303
    assert "changed this record since you opened it" in page(colleague.get(refused.headers["Location"])).get_text()
    from portal.data import noncompliance

    with app.app_context():
        assert noncompliance.non_compliance_policy().under18_absences_threshold == 3
