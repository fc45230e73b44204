"""scripts/api_demo.py drives the whole journey through the API alone, here against a live server on a free port."""

import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from portal.extensions import db
from portal.models import AttendanceMark, AuditEvent, Order, Referral
from seed.loader import load_legal_bases
from tests.api.conftest import issue_token

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_demo.py"


def load_demo_script():
    spec = importlib.util.spec_from_file_location("api_demo", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def backend() -> str:
    """This module runs once, on SQLite: the data layer it drives is tested on both databases elsewhere."""
    return "sqlite"


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_the_demo_script_runs_the_whole_journey(app, make, live_server: str) -> None:
    demo = load_demo_script()
    with app.app_context():  # the demo's legal basis: an order outside the table cannot go to court (issue 14)
        load_legal_bases()
        db.session.commit()
    partner_token = issue_token(app, make.user("partner", organisation_id=make.organisation()))
    officer_token = issue_token(app, make.user("officer", unit="Tower Hamlets Gangs Unit"))

    outcome = demo.run(live_server, partner_token, officer_token)

    assert outcome["order"]["status"] == "made"
    assert [row["current"]["status"] for row in outcome["register"]["rows"]] == ["attended"]
    with app.app_context():
        assert db.session.get(Order, outcome["order_id"]).status == "made"
        assert db.session.scalar(select(Referral.status)) == "active"
        assert db.session.scalar(select(func.count()).select_from(AttendanceMark)) == 1
        # the journey was audited as the pages audit it: the referral disclosed, the register consulted
        actions = {(event.action, event.record_type) for event in db.session.scalars(select(AuditEvent))}
    assert {("disclosure", "referral"), ("combination", "subject"), ("consultation", "register")} <= actions


def test_the_demo_script_needs_both_tokens(capsys) -> None:
    demo = load_demo_script()
    with pytest.raises(SystemExit):
        demo.main(["--base-url", "http://127.0.0.1:9", "--partner-token", ""])
