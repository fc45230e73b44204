"""One colour scheme for attendance: the dashboard, the evidence pack and the register summary take each outcome's
colour and words from portal/rules/attendance_outcomes.py, so "Late" looks the same everywhere and is always named."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Requirement
from portal.rules.attendance_outcomes import OUTCOMES, Outcome
from tests.utils import page


@pytest.fixture
def attendance(app, make, client, sign_in, today) -> dict:
    """`client` signed in as an officer with a made order: one session attended, one late, one absent."""
    made_on = today - timedelta(days=30)
    late_on = made_on + timedelta(days=7)
    organisation_id = make.organisation()
    session_id = make.weekly_session(organisation_id, weekday=made_on.weekday())
    requirement_id = make.active_requirement(session_id, made_on=made_on)
    officer_id = sign_in(client, "officer")
    with app.app_context():
        requirement = db.session.get(Requirement, requirement_id)
        requirement.order.officer_id = officer_id
        order_id = requirement.order_id
        db.session.commit()
    make.mark(requirement_id, made_on, "attended", session_id=session_id)
    make.mark(requirement_id, late_on, "late", session_id=session_id, minutes_late=10)
    absent_on = made_on + timedelta(days=14)
    make.mark(requirement_id, absent_on, "absent", session_id=session_id, absence_acceptable=False, absence_reason="-")
    return {"organisation_id": organisation_id, "session_id": session_id, "order_id": order_id, "late_on": late_on}


def colours_of_late(client, sign_in, attendance: dict) -> dict[str, tuple[str, str, str]]:
    """(fill, swatch, words) of "late" on the officer's dashboard and evidence pack, then the partner's register."""
    dashboard = page(client.get("/dashboard/"))
    bar = dashboard.select_one('svg.app-chart rect[data-outcome="late"]')
    key = dashboard.select_one('.app-legend [data-outcome="late"]')
    shown = {"dashboard": (bar["fill"], key.select_one(".app-legend__swatch")["class"][-1], key.get_text(strip=True))}

    pack = page(client.get(f"/evidence/orders/{attendance['order_id']}"))
    late_bar = next(rect for rect in pack.select("svg rect") if rect.title and rect.title.get_text().endswith(" late"))
    legend_texts = [text.get_text() for text in pack.select("svg text")]
    shown["evidence pack"] = (late_bar["fill"], "", "Late" if "Late" in legend_texts else "")

    sign_in(client, "partner", organisation_id=attendance["organisation_id"])
    register = page(client.get(f"/partner/registers/{attendance['session_id']}/{attendance['late_on'].isoformat()}"))
    item = register.select_one('#summary + .app-legend [data-outcome="late"]')
    shown["register"] = ("", item.select_one(".app-legend__swatch")["class"][-1], item.get_text(strip=True))
    return shown


def test_late_is_one_colour_with_its_name_on_the_dashboard_evidence_pack_and_register(
    client, sign_in, attendance
) -> None:
    late = OUTCOMES["late"]
    shown = colours_of_late(client, sign_in, attendance)
    assert shown == {
        "dashboard": (late.hex, f"app-legend__swatch--{late.colour}", "Late"),
        "evidence pack": (late.hex, "", "Late"),
        "register": ("", f"app-legend__swatch--{late.colour}", "1 late"),
    }


def test_changing_the_one_definition_changes_all_three(client, sign_in, attendance, monkeypatch) -> None:
    monkeypatch.setitem(OUTCOMES, "late", Outcome("Late", "purple", "#4c2c92"))
    shown = colours_of_late(client, sign_in, attendance)
    assert shown["dashboard"][:2] == ("#4c2c92", "app-legend__swatch--purple")
    assert shown["evidence pack"][0] == "#4c2c92"
    assert shown["register"][1] == "app-legend__swatch--purple"
