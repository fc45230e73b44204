"""No lost updates: two people open the same record; the first saves; the second's save, made on the version they
opened, is refused with "changed since you opened it" and the first change is kept.

One case per editable record, each through its real edit page and route, on SQLite and PostgreSQL. Both people open
the form before either saves, and post back exactly what the page gave them with one field changed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AttendanceMark,
    LegalBasis,
    NonComplianceReport,
    Order,
    Organisation,
    Programme,
    ProgrammeSession,
    Prohibition,
    ProhibitionKind,
    Referral,
    Requirement,
    Subject,
    Venue,
)
from portal.rules.schedule import london_today
from tests.reliability.helpers import CHANGED, changed, client_for, message_after, opened_form

LOCKED_REPORT = "This report has been submitted and is locked"


@dataclass
class Edit:
    client: FlaskClient
    page_url: str
    changes: dict[str, Any]
    action: str | None = None  # which form on the page, by the end of its action
    post_url: str | None = None  # defaults to the page itself


@dataclass
class Case:
    first: Edit
    second: Edit
    saved: Callable[[], Any]  # reads the field both people changed
    kept: Any  # what the first person saved
    message: str = CHANGED


def _read(app: Flask, model: type, row_id: int, attribute: str) -> Callable[[], Any]:
    def read() -> Any:
        with app.app_context():
            return getattr(db.session.get(model, row_id), attribute)

    return read


def _partners(app: Flask, make, sign_in) -> tuple[int, FlaskClient, FlaskClient]:
    organisation_id = make.organisation()
    return (
        organisation_id,
        client_for(app, sign_in, "partner", organisation_id),
        client_for(app, sign_in, "partner", organisation_id),
    )


def _officers(app: Flask, sign_in) -> tuple[FlaskClient, FlaskClient]:
    return client_for(app, sign_in, "officer"), client_for(app, sign_in, "officer")


def programme(app, make, sign_in) -> Case:
    organisation_id, first, second = _partners(app, make, sign_in)
    programme_id = make.programme(organisation_id)
    url = f"/partner/programmes/{programme_id}/edit/about"
    return Case(
        Edit(first, url, {"title": "Football after school"}),
        Edit(second, url, {"title": "Boxing on Saturdays"}),
        _read(app, Programme, programme_id, "title"),
        "Football after school",
    )


def venue(app, make, sign_in) -> Case:
    organisation_id, first, second = _partners(app, make, sign_in)
    venue_id = make.venue(organisation_id)
    url = f"/partner/venues/{venue_id}/edit"
    return Case(
        Edit(first, url, {"name": "Roman Road Gym"}),
        Edit(second, url, {"name": "Mile End Leisure Centre"}),
        _read(app, Venue, venue_id, "name"),
        "Roman Road Gym",
    )


def session(app, make, sign_in) -> Case:
    organisation_id, first, second = _partners(app, make, sign_in)
    session_id = make.session_ids(make.programme(organisation_id))[0]
    url = f"/partner/sessions/{session_id}/edit"
    return Case(
        Edit(first, url, {"end_time": "19:30"}),
        Edit(second, url, {"end_time": "20:00"}),
        lambda: str(_read(app, ProgrammeSession, session_id, "end_time")())[:5],
        "19:30",
    )


def subject(app, make, sign_in) -> Case:
    first, second = _officers(app, sign_in)
    subject_id = make.subject()
    url = f"/subjects/{subject_id}/edit"
    return Case(
        Edit(first, url, {"first_name": "Ayaan"}),
        Edit(second, url, {"first_name": "Bilal"}),
        _read(app, Subject, subject_id, "first_name"),
        "Ayaan",
    )


def order_details(app, make, sign_in) -> Case:
    first, second = _officers(app, sign_in)
    order_id = make.order()
    url = f"/orders/{order_id}/details"
    return Case(
        Edit(first, url, {"court": "Thames Magistrates' Court"}),
        Edit(second, url, {"court": "Stratford Magistrates' Court"}),
        _read(app, Order, order_id, "court"),
        "Thames Magistrates' Court",
    )


def order_requirement(app, make, sign_in) -> Case:
    first, second = _officers(app, sign_in)
    order_id = make.order()
    requirement_id = make.requirement(order_id)
    url = f"/orders/{order_id}/requirements/{requirement_id}/edit"
    return Case(
        Edit(first, url, {"necessity_rationale": "Structured activity after school."}),
        Edit(second, url, {"necessity_rationale": "Keeps him away from the estate."}),
        _read(app, Requirement, requirement_id, "necessity_rationale"),
        "Structured activity after school.",
    )


def order_prohibition(app, make, sign_in) -> Case:
    first, second = _officers(app, sign_in)
    order_id = make.order()
    with app.app_context():
        prohibition = Prohibition(order_id=order_id, kind=ProhibitionKind.ACTIVITY, description="Using a scooter")
        db.session.add(prohibition)
        db.session.commit()
        prohibition_id = prohibition.id
    url = f"/orders/{order_id}/prohibitions/{prohibition_id}/edit"
    return Case(
        Edit(first, url, {"exceptions": "Travelling to school"}),
        Edit(second, url, {"exceptions": "None"}),
        _read(app, Prohibition, prohibition_id, "exceptions"),
        "Travelling to school",
    )


def referral_response(app, make, sign_in) -> Case:
    """One partner declines; a colleague who opened the same referral then tries to accept it."""
    organisation_id, first, second = _partners(app, make, sign_in)
    session_id = make.session_ids(make.programme(organisation_id))[0]
    referral_id = make.referral(session_id)
    url = f"/partner/referrals/{referral_id}"
    statement = {
        "capacity": "We have a place.",
        "dates": "The whole term.",
        "safeguarding": "DBS-checked coaches.",
        "attendance": "Register at every session.",
    }
    return Case(
        Edit(first, url, {"decline-reason": "We have no coach on that evening."}, "/decline", f"{url}/decline"),
        Edit(second, url, statement, "/accept", f"{url}/accept"),
        _read(app, Referral, referral_id, "status"),
        "declined",
    )


def report_decision(app, make, sign_in) -> Case:
    """Deciding submits and locks the report, so the second officer is told it is locked: refused, never merged."""
    first, second = _officers(app, sign_in)
    order_id = make.order(status="made", made_on=date(2026, 10, 1))
    with app.app_context():
        report = NonComplianceReport(
            order_id=order_id, rule_code="partner-concern", source="partner", kind="concern", facts="Missed curfew."
        )
        db.session.add(report)
        db.session.commit()
        report_id = report.id
    url = f"/reports/{report_id}"
    decision = {"assessment": "A first lapse.", "reason": "Proportionate."}
    return Case(
        Edit(first, url, decision | {"decision": "no-further-action"}),
        Edit(second, url, decision | {"decision": "warning"}),
        _read(app, NonComplianceReport, report_id, "decision"),
        "no-further-action",
        message=LOCKED_REPORT,
    )


def organisation_decision(app, make, sign_in) -> Case:
    first, second = client_for(app, sign_in, "admin"), client_for(app, sign_in, "admin")
    organisation_id = make.organisation(status="pending")
    url = f"/admin/organisations/{organisation_id}"
    return Case(
        Edit(first, url, {"action": "approve"}),
        Edit(second, url, {"action": "reject", "reason": "Could not verify the charity number."}),
        _read(app, Organisation, organisation_id, "status"),
        "approved",
    )


def register(app, make, sign_in) -> Case:
    """Two people at one provider mark the same register: the second is told, and one current mark stands."""
    organisation_id, first, second = _partners(app, make, sign_in)
    today = london_today()
    session_id = make.weekly_session(organisation_id, today.weekday())
    requirement_id = make.active_requirement(session_id, today - timedelta(days=30))
    on_date = (today - timedelta(days=7)).isoformat()
    url = f"/partner/registers/{session_id}/{on_date}"

    def current() -> list[str]:
        with app.app_context():
            return list(
                db.session.scalars(
                    select(AttendanceMark.status).where(
                        AttendanceMark.requirement_id == requirement_id, AttendanceMark.is_current.is_(True)
                    )
                )
            )

    return Case(
        Edit(first, url, {f"r{requirement_id}-status": "attended"}, f"/{on_date}"),
        Edit(
            second, url, {f"r{requirement_id}-status": "late", f"r{requirement_id}-minutes_late": "10"}, f"/{on_date}"
        ),
        current,
        ["attended"],
    )


def legal_basis(app, make, sign_in) -> Case:
    first, second = client_for(app, sign_in, "admin"), client_for(app, sign_in, "admin")
    with app.app_context():
        basis = LegalBasis(
            police_area="Metropolitan Police district", regulation="SI 2021/762", valid_from=date(2021, 1, 1)
        )
        db.session.add(basis)
        db.session.commit()
        basis_id = basis.id
    url = f"/admin/legal-bases/{basis_id}/edit"
    return Case(
        Edit(first, url, {"regulation": "SI 2021/762 (as extended by SI 2022/828)"}),
        Edit(second, url, {"regulation": "SI 2023/1"}),
        _read(app, LegalBasis, basis_id, "regulation"),
        "SI 2021/762 (as extended by SI 2022/828)",
    )


CASES = [
    programme,
    venue,
    session,
    subject,
    order_details,
    order_requirement,
    order_prohibition,
    referral_response,
    report_decision,
    organisation_decision,
    register,
    legal_basis,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_a_save_on_a_stale_version_is_refused_and_the_first_change_kept(app, make, sign_in, case) -> None:
    built = case(app, make, sign_in)
    first_form = opened_form(built.first.client, built.first.page_url, built.first.action)
    second_form = opened_form(built.second.client, built.second.page_url, built.second.action)

    saved = built.first.client.post(
        built.first.post_url or built.first.page_url, data=changed(first_form, **built.first.changes)
    )
    assert saved.status_code == 302, message_after(built.first.client, saved)[:600]
    assert built.saved() == built.kept

    refused = built.second.client.post(
        built.second.post_url or built.second.page_url, data=changed(second_form, **built.second.changes)
    )
    assert refused.status_code == 303, message_after(built.second.client, refused)[:600]
    assert built.message in message_after(built.second.client, refused)
    assert built.saved() == built.kept
