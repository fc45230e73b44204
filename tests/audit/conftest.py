"""Shared fixtures for the audit log's tests."""

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.infra.audit_chain import link_pending
from portal.models import AuditEvent


def link_now(app: Flask) -> None:
    """Link the events still pending, as the linker thread does shortly after each commit, so that a test reads
    the chain without waiting for it."""
    with app.app_context():
        link_pending(db.engine)


@pytest.fixture
def events(app: Flask) -> Callable[..., list[AuditEvent]]:
    """events(action=None, record_type=None) -> the matching audit events in chain order (all of them linked)."""

    def _events(action: str | None = None, record_type: str | None = None) -> list[AuditEvent]:
        link_now(app)
        with app.app_context():
            query = select(AuditEvent).order_by(AuditEvent.sequence)
            if action:
                query = query.where(AuditEvent.action == action)
            if record_type:
                query = query.where(AuditEvent.record_type == record_type)
            rows = list(db.session.scalars(query))
            return rows

    return _events


@pytest.fixture
def officer(client, sign_in) -> int:
    return sign_in(client, "officer")


@pytest.fixture
def auditor(client, sign_in) -> int:
    return sign_in(client, "auditor")
