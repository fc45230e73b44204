"""Security bar 23: the audit event and the change it describes commit together or not at all."""

import pytest
from flask import Flask

from portal.data import audit
from portal.models import Subject
from tests.audit.test_coverage import subject_data


class AuditWriterDown(Exception):
    pass


@pytest.fixture
def broken_audit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not a traceback

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AuditWriterDown("the audit log cannot be written")

    monkeypatch.setattr(audit, "record", refuse)


def test_an_edit_whose_audit_fails_is_rolled_back(client, officer, make, events, broken_audit) -> None:
    subject_id = make.subject(first_name="Original")
    response = client.post(f"/subjects/{subject_id}/edit", data=subject_data(first_name="Changed"))
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in body and "Nothing you entered" in body
    assert "AuditWriterDown" not in body and "Traceback" not in body
    assert make.get(Subject, subject_id).first_name == "Original"
    assert events(audit.ALTERATION) == []


def test_a_new_subject_whose_audit_fails_is_not_kept(client, officer, make, events, broken_audit) -> None:
    response = client.post("/subjects/new", data=subject_data())
    assert response.status_code == 500
    assert make.count(Subject) == 0
    assert events(audit.COLLECTION) == []


def test_a_failed_change_never_logs_success(client, officer, make, events, app: Flask) -> None:
    """The other way round: the audit is written but the change then fails; neither is kept."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    subject_id = make.subject(reference="MPS-TAKEN")
    other_id = make.subject(first_name="Other")
    response = client.post(f"/subjects/{other_id}/edit", data=subject_data(reference="MPS-TAKEN"))
    assert response.status_code == 200  # refused with a message, nothing changed
    assert events(audit.ALTERATION) == []
    assert make.get(Subject, subject_id).reference == "MPS-TAKEN"
