"""Open Referral UK test helpers: the official schemas and examples in shared/standards/oruk (skipped when absent)."""

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete

from portal.extensions import db
from portal.models import Organisation, OrukLink, Programme, ProgrammeSession, Venue
from portal.oruk.validation import SchemaSet

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OFFICIAL = Path(__file__).resolve().parents[3] / "shared" / "standards" / "oruk"
ABSENT = f"the official ORUK 3.0 schemas and examples are not here: {OFFICIAL} is absent"


def fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def official_schemas() -> SchemaSet:
    if not (OFFICIAL / "schema" / "service.json").is_file():
        pytest.skip(ABSENT)
    return SchemaSet(OFFICIAL / "schema")


@pytest.fixture(scope="session")
def official_examples() -> Path:
    if not (OFFICIAL / "examples" / "service_full.json").is_file():
        pytest.skip(ABSENT)
    return OFFICIAL / "examples"


def empty_catalogue(app: Flask) -> None:
    """No organisation, venue, programme, session or ORUK link left: an empty catalogue to import into."""
    with app.app_context():
        for model in (OrukLink, ProgrammeSession, Programme, Venue, Organisation):
            db.session.execute(delete(model))
        db.session.commit()
