"""Admins keep the legal-basis table; a draft outside it warns that the power is not in force."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import LegalBasis
from tests.utils import error_summary, page


@pytest.fixture
def admin(client, sign_in):  # noqa: ANN001, ANN201
    sign_in(client, "admin")
    return client


def test_admin_adds_changes_and_removes_a_legal_basis(app, admin) -> None:  # noqa: ANN001
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


def test_bad_legal_basis_input_names_the_field(app, admin) -> None:  # noqa: ANN001
    response = admin.post(
        "/admin/legal-bases/new",
        data={"police_area": "", "regulation": "SI", "valid_from": ["1", "1", "2025"], "valid_to": ["1", "1", "2024"]},
    )
    assert error_summary(response) == ["Enter the police area", "In force until must be after in force from"]
    with app.app_context():
        assert db.session.scalar(select(LegalBasis.id)) is None


def test_officers_and_partners_cannot_change_the_table(client, sign_in) -> None:  # noqa: ANN001
    sign_in(client, "officer")
    assert client.get("/admin/legal-bases").status_code == 403
    assert client.post("/admin/legal-bases/new", data={}).status_code == 403
