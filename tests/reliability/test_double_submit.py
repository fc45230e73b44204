"""A form sent twice (a double click, a resend after a slow response) makes one row, and the second send is told why.

Where a record has a natural key (an organisation's name, an account's email, a subject's reference, a venue's name
within its organisation) the second send is refused by that rule. Where a change is made to a record that carries a
version (a draft order, a referral, a register), the form carries the version it was opened on, and the second send,
now on a stale version, is refused with "changed since you opened it". Adding sessions to a draft is also idempotent:
a session already in the draft is never added again.
"""

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AttendanceMark,
    Occasion,
    Order,
    Organisation,
    Referral,
    Requirement,
    Subject,
    User,
    Venue,
)
from portal.rules.schedule import london_today
from tests.reliability.helpers import CHANGED, changed, client_for, message_after, opened_form
from tests.test_partners import registration
from tests.test_subjects import subject_data
from tests.utils import error_summary


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_registering_an_organisation_twice_makes_one_and_says_why(app, client) -> None:
    assert client.post("/register-organisation", data=registration()).status_code == 302
    again = app.test_client().post("/register-organisation", data=registration())
    assert again.status_code == 200
    assert error_summary(again) == ["An organisation with this name is already registered"]
    assert count(app, Organisation) == 1 and count(app, User) == 1


def test_creating_a_subject_twice_makes_one_and_says_the_reference_is_taken(app, client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.post("/subjects/new", data=subject_data()).status_code == 302
    again = client.post("/subjects/new", data=subject_data(reference="mps-2026-0042"))  # case makes no difference
    assert again.status_code == 200
    assert "A subject with this reference already exists" in error_summary(again)
    assert count(app, Subject) == 1


def test_adding_a_venue_twice_makes_one(app, client, sign_in, make) -> None:
    sign_in(client, "partner", organisation_id=make.organisation())
    data = {"name": "Roman Road Gym", "address": "1 Roman Road, London", "postcode": "E3 2AA"}
    assert client.post("/partner/venues/new", data=data).status_code == 302
    again = client.post("/partner/venues/new", data=data)
    assert again.status_code == 200
    assert "You already have a venue with this name" in error_summary(again)
    assert count(app, Venue) == 1


def test_adding_the_same_session_to_a_draft_twice_adds_it_once(app, client, sign_in, make) -> None:
    sign_in(client, "officer")
    subject_id = make.subject()
    session_id = make.session_ids(make.programme(make.organisation()))[0]
    order_id = make.order(subject_id)
    version = make.get(Order, order_id).version
    data = {"session_id": [str(session_id)], "version": str(version)}

    first = client.post(f"/orders/for-subject/{subject_id}/sessions", data=data)
    assert "1 requirement added" in message_after(client, first)
    again = client.post(f"/orders/for-subject/{subject_id}/sessions", data=data)
    assert again.status_code == 303
    assert CHANGED in message_after(client, again)
    assert count(app, Requirement, Requirement.order_id == order_id) == 1
    assert count(app, Referral, Referral.session_id == session_id) == 1


def test_adding_a_session_twice_before_any_draft_exists_starts_one_draft_with_it_once(
    app, client, sign_in, make
) -> None:
    """From the suggestions page with no draft yet the form has no version to carry: the draft is found, not made
    again, and a session already in it is not added again."""
    sign_in(client, "officer")
    subject_id = make.subject()
    session_id = make.session_ids(make.programme(make.organisation()))[0]
    data = {"session_id": [str(session_id)]}

    assert "1 requirement added" in message_after(
        client, client.post(f"/orders/for-subject/{subject_id}/sessions", data=data)
    )
    again = client.post(f"/orders/for-subject/{subject_id}/sessions", data=data)
    assert "Already in the draft order: nothing was added" in message_after(client, again)
    assert count(app, Order, Order.subject_id == subject_id) == 1
    assert count(app, Requirement) == 1 and count(app, Referral) == 1


def test_starting_a_draft_twice_starts_one(app, client, sign_in, make) -> None:
    sign_in(client, "officer")
    subject_id = make.subject()
    assert "Draft order started" in message_after(client, client.post(f"/orders/for-subject/{subject_id}"))
    again = client.post(f"/orders/for-subject/{subject_id}")
    assert "already has an order in progress" in message_after(client, again)
    assert count(app, Order, Order.subject_id == subject_id) == 1


def test_submitting_the_same_occasion_twice_adds_it_once(app, client, sign_in, make) -> None:
    sign_in(client, "officer")
    order_id = make.order()
    form = opened_form(client, f"/orders/{order_id}/occasions/new")
    data = changed(
        form,
        occurred_on=["14", "9", "2026"],
        location_type="public-place",
        summary="Stopped near Mile End station with a kitchen knife.",
    )
    assert "Occasion added" in message_after(client, client.post(f"/orders/{order_id}/occasions/new", data=data))
    again = client.post(f"/orders/{order_id}/occasions/new", data=data)
    assert again.status_code == 303
    assert CHANGED in message_after(client, again)
    assert count(app, Occasion, Occasion.order_id == order_id) == 1


def test_saving_the_same_register_twice_records_one_mark(app, make, sign_in) -> None:
    organisation_id = make.organisation()
    client = client_for(app, sign_in, "partner", organisation_id)
    today = london_today()
    session_id = make.weekly_session(organisation_id, today.weekday())
    requirement_id = make.active_requirement(session_id, today - timedelta(days=30))
    url = f"/partner/registers/{session_id}/{(today - timedelta(days=7)).isoformat()}"
    data = changed(opened_form(client, url, url.rsplit("/", 1)[1]), **{f"r{requirement_id}-status": "attended"})

    assert "Register saved" in message_after(client, client.post(url, data=data))
    again = client.post(url, data=data)
    assert again.status_code == 303
    assert CHANGED in message_after(client, again)
    assert count(app, AttendanceMark, AttendanceMark.requirement_id == requirement_id) == 1


def test_accepting_a_referral_twice_takes_one_place(app, make, sign_in) -> None:
    organisation_id = make.organisation()
    client = client_for(app, sign_in, "partner", organisation_id)
    session_id = make.session_ids(make.programme(organisation_id))[0]
    referral_id = make.referral(session_id)
    url = f"/partner/referrals/{referral_id}"
    data = changed(
        opened_form(client, url, "/accept"),
        capacity="We have a place.",
        dates="The whole term.",
        safeguarding="DBS-checked coaches.",
        attendance="Register at every session.",
    )
    assert "Referral accepted" in message_after(client, client.post(f"{url}/accept", data=data))
    again = client.post(f"{url}/accept", data=data)
    assert again.status_code == 303
    assert CHANGED in message_after(client, again)
    assert make.get(Referral, referral_id).status == "accepted"
    assert count(app, Referral, Referral.session_id == session_id, Referral.status == "accepted") == 1
