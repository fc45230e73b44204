"""Every date the portal accepts is bounded (issue 14, observation 6): a far-past or far-future date is refused with
a message naming the field, on the pages and in the API, and a date stored before the bounds existed breaks no page."""

import importlib
import pkgutil
from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

import portal.blueprints
import portal.forms
from portal.api.errors import ValidationFailed
from portal.api.inputs import FormInput
from portal.api.registry import OPERATIONS
from portal.extensions import db
from portal.forms import GovDateField
from portal.models import Order
from tests.api.conftest import Api, issue_token
from tests.test_orders import accept_weekly_plan
from tests.utils import error_summary, field_error, page

ABSURD = {"far future": date(9999, 12, 31), "far past": date(1066, 10, 14)}


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_all_subclasses(child) for child in found))


def api_user(app, make, role: str, **fields) -> Api:
    user_id = make.user(role, **fields)
    return Api(app.test_client(), issue_token(app, user_id), user_id)


def forms_with_dates() -> list[tuple[type, str]]:
    for package in (portal.blueprints, portal.forms):  # the pages' own forms, and the forms both doors share
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)
    return sorted(
        (
            (form, name)
            for form in _all_subclasses(FlaskForm)
            if form.__module__.startswith("portal.")
            for name, unbound in vars(form).items()
            if getattr(unbound, "field_class", None) is GovDateField
        ),
        key=lambda pair: (pair[0].__qualname__, pair[1]),
    )


def date_inputs() -> list[tuple[str, FormInput, str, bool]]:
    """(operation, its body input, field name, whether it is a list of dates) for every API body that takes a date."""
    found = []
    for op in OPERATIONS:
        if not isinstance(op.body, FormInput):
            continue
        for name, spec in op.body.specs().items():
            schema = spec.schema
            if schema.get("format") == "date" or schema.get("items", {}).get("format") == "date":
                found.append((f"{op.method} {op.path}", op.body, name, "items" in schema))
    return found


def test_the_walk_finds_the_dates_it_should(app) -> None:
    names = {f"{form.__name__}.{name}" for form, name in forms_with_dates()}
    assert {"SubjectForm.date_of_birth", "OrderDetailsForm.proposed_start", "MadeForm.made_on"} <= names
    assert {"SuggestionFiltersForm.starts_on", "SessionForm.term_start", "LegalBasisForm.valid_from"} <= names
    with app.test_request_context():
        operations = {operation for operation, *_ in date_inputs()}
    assert {"POST /api/v1/subjects", "PATCH /api/v1/orders/{order_id}", "POST /api/v1/orders/{order_id}/made"} <= (
        operations
    )


@pytest.mark.parametrize("which", ABSURD)
def test_every_date_field_refuses_a_far_past_or_far_future_date_naming_the_field(app, which: str) -> None:
    day = ABSURD[which]
    with app.test_request_context():
        for form_class, name in forms_with_dates():
            form = form_class(
                formdata=MultiDict({name: [str(day.day), str(day.month), str(day.year)]}), meta={"csrf": False}
            )
            form.validate()
            label = getattr(form, name).label.text.replace(" (optional)", "")
            errors = getattr(form, name).errors
            assert errors and errors[0].startswith(label), f"{form_class.__name__}.{name} took {day}: {errors}"


@pytest.mark.parametrize("which", ABSURD)
def test_every_api_body_refuses_a_far_past_or_far_future_date_naming_the_field(app, which: str) -> None:
    value = ABSURD[which].isoformat()
    with app.test_request_context():
        for operation, body, name, is_list in date_inputs():
            with pytest.raises(ValidationFailed) as refused:
                body.validate({name: [value] if is_list else value})
            assert name in refused.value.fields, f"{operation} took {name}={value}"


def test_matching_with_a_far_future_start_is_a_400_naming_the_field(app, make) -> None:
    officer = api_user(app, make, "officer")
    subject_id = make.subject()
    response = officer.post("/matching", json={"subject_id": subject_id, "starts_on": "9999-12-31"})
    assert response.status_code == 400
    assert response.json["error"]["fields"]["starts_on"].startswith("Order would start on must be on or before")


def test_registers_filtered_by_a_far_future_date_is_a_400_naming_the_parameter(app, make) -> None:
    partner = api_user(app, make, "partner", organisation_id=make.organisation())
    response = partner.get("/registers?date_from=9999-12-31")
    assert response.status_code == 400
    assert "date_from" in response.json["error"]["fields"]


def test_the_order_details_page_refuses_a_far_future_start_and_keeps_the_old_one(app, client, sign_in, demo) -> None:
    sign_in(client, "officer")
    order_id = accept_weekly_plan(client, demo)
    with app.app_context():
        before = db.session.get(Order, order_id).proposed_start
    version = page(client.get(f"/orders/{order_id}/details")).select_one('input[name="version"]')["value"]
    response = client.post(
        f"/orders/{order_id}/details",
        data={
            "version": version,
            "route": "s14",
            "police_area": "Metropolitan Police district",
            "duration_months": "12",
            "proposed_start": ["31", "12", "9999"],
        },
    )
    assert response.status_code == 200
    assert error_summary(response)[0].startswith("Proposed start date must be on or before")
    assert field_error(response, "proposed_start").startswith("Proposed start date must be on or before")
    with app.app_context():
        assert db.session.get(Order, order_id).proposed_start == before


def test_pages_reading_a_date_stored_before_the_bounds_still_answer(app, client, sign_in, make) -> None:
    officer_id = sign_in(client, "officer")
    order_id = make.order(proposed_start=date(9999, 12, 31), officer_id=officer_id, duration_months=24)
    make.requirement(order_id, starts_on=date(9999, 12, 30), ends_on=date(9999, 12, 31))
    for path in (
        f"/orders/{order_id}",
        f"/orders/{order_id}/checks",
        f"/orders/{order_id}/print",
        f"/orders/{order_id}/court-document.docx",
        "/dashboard/",
    ):
        assert client.get(path).status_code == 200, path


def test_the_api_resource_of_an_order_with_a_stored_absurd_date_answers(app, make) -> None:
    officer = api_user(app, make, "officer")
    order_id = make.order(proposed_start=date(9999, 12, 31), officer_id=officer.user_id)
    assert officer.get(f"/orders/{order_id}").status_code == 200
    assert officer.get(f"/orders/{order_id}/checks").status_code == 200
