"""Evidence packs: the figures in the page, CSV and Word document are the register's, corrections shown, audited."""

import csv
import io
import struct
import zlib
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from sqlalchemy import select

from portal.data.evidence import STATUSES, Canvas
from portal.extensions import db
from portal.models import AttendanceMark, AuditEvent, NonComplianceReport, ReportCorrection
from tests.utils import page


@pytest.fixture
def start(today: date) -> date:
    """A Monday: ten Mondays up to this week's."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=9)


def monday(start: date, week: int) -> date:
    return start + timedelta(weeks=week)


@pytest.fixture
def officer(client, sign_in):
    client.officer_id = sign_in(client, "officer")
    return client


@pytest.fixture
def order(app, make, start):
    """A made order with a Monday requirement, ten weeks of register with a correction, and a decided report."""
    organisation_id = make.organisation()
    [session_id] = make.session_ids(make.programme(organisation_id))
    subject_id = make.subject(first_name="Ayaan", last_name="Kowalczyk", reference="MPS-EVIDENCE-1")
    order_id = make.order(subject_id, status="made", made_on=start, duration_months=12, made_by_court="Thames")
    requirement_id = make.requirement(order_id, session_id=session_id, starts_on=start, ends_on=None)
    plan = {
        0: [("attended", {})],
        1: [("late", {"minutes_late": 10})],
        2: [("absent", {"absence_reason": "Ill", "absence_acceptable": True})],
        3: [("absent", {"absence_acceptable": False}), ("attended", {"correction_reason": "Register was wrong"})],
        4: [("cancelled", {})],
        5: [("attended", {})],
        6: [("attended", {})],
        7: [("absent", {"absence_reason": "=HYPERLINK(1)", "absence_acceptable": False})],
        8: [("attended", {})],
        # week 9 (this week) is not recorded
    }
    with app.app_context():
        for week, revisions in plan.items():
            for number, (status, fields) in enumerate(revisions, start=1):
                db.session.add(
                    AttendanceMark(
                        requirement_id=requirement_id,
                        session_id=session_id,
                        on_date=monday(start, week),
                        revision=number,
                        is_current=number == len(revisions),
                        status=status,
                        recorded_at=datetime.combine(monday(start, week), datetime.min.time()) + timedelta(days=number),
                        **fields,
                    )
                )
        report = NonComplianceReport(
            order_id=order_id,
            requirement_id=requirement_id,
            rule_code="unacceptable-absence",
            source="rule",
            status="submitted",
            facts=f"Absent without acceptable reason on {monday(start, 7).isoformat()}.",
            assessment="First unexplained absence.",
            decision="warning",
            decision_reason="Engaging well otherwise.",
            submitted_at=datetime.combine(monday(start, 8), datetime.min.time()),
        )
        report.corrections = [ReportCorrection(text="Date confirmed with the coach.")]
        db.session.add(report)
        db.session.commit()
        report_id = report.id
    return {"order_id": order_id, "requirement_id": requirement_id, "report_id": report_id}


def register_counts(app, requirement_id: int) -> dict[str, int]:
    """What the register says, counted straight from the current marks."""
    with app.app_context():
        statuses = db.session.scalars(
            select(AttendanceMark.status).where(
                AttendanceMark.requirement_id == requirement_id, AttendanceMark.is_current.is_(True)
            )
        ).all()
    counted = Counter(statuses)
    return {status: counted.get(status, 0) for status in STATUSES} | {"not-recorded": 1}


def test_the_csv_counts_equal_the_register(app, officer, order, start) -> None:
    response = officer.get(f"/evidence/orders/{order['order_id']}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    totals = {row["status"]: int(row["count"]) for row in rows if row["record"] == "total"}
    expected = register_counts(app, order["requirement_id"])
    assert totals == expected == {"attended": 5, "late": 1, "absent": 2, "cancelled": 1, "not-recorded": 1}
    sessions = [row for row in rows if row["record"] == "session"]
    assert [row["date"] for row in sessions] == [monday(start, week).isoformat() for week in range(10)]
    assert Counter(row["status"] for row in sessions) == Counter({k: v for k, v in expected.items() if v})
    corrected = sessions[3]
    assert corrected["status"] == "attended" and corrected["revision"] == "2"
    assert "said absent (no acceptable reason)" in corrected["corrections"]
    assert "Register was wrong" in corrected["corrections"]
    assert sessions[7]["details"] == "'=HYPERLINK(1)"  # no formula runs in a spreadsheet
    [report] = [row for row in rows if row["record"] == "report"]
    assert report["decision"] == "Warning" and report["decision_reason"] == "Engaging well otherwise."
    assert "Date confirmed with the coach." in report["corrections"]


def test_the_word_document_counts_equal_the_register_and_it_has_the_chart(app, officer, order) -> None:
    response = officer.get(f"/evidence/orders/{order['order_id']}.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Ayaan Kowalczyk (MPS-EVIDENCE-1)" in text and f"order O-{order['order_id']}" in text
    summary = next(table for table in document.tables if table.rows[0].cells[0].text == "Mark")
    figures = {row.cells[0].text: int(row.cells[1].text) for row in summary.rows[1:]}
    expected = register_counts(app, order["requirement_id"])
    assert figures == {
        "Attended": expected["attended"],
        "Late": expected["late"],
        "Absent": expected["absent"],
        "Cancelled by the provider": expected["cancelled"],
        "Not recorded": 1,
    }
    sessions = next(table for table in document.tables if table.rows[0].cells[0].text == "Date")
    assert len(sessions.rows) == 11
    assert "Register was wrong" in sessions.rows[4].cells[3].text
    months = next(table for table in document.tables if table.rows[0].cells[0].text == "Month")
    assert sum(int(cell.text) for row in months.rows[1:] for cell in row.cells[1:]) == 10
    assert len(document.inline_shapes) == 1
    all_text = text + "".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Warning" in all_text and "Engaging well otherwise." in all_text


def test_the_page_shows_the_svg_chart_and_the_same_figures(app, officer, order) -> None:
    soup = page(officer.get(f"/evidence/orders/{order['order_id']}"))
    chart = soup.select_one("svg[role=img]")
    assert chart is not None and chart.title.get_text() == "Sessions each month by attendance mark"
    bar_titles = [title.get_text() for title in chart.select("rect > title")]
    assert sum(int(text.split(": ")[1].split()[0]) for text in bar_titles) == 10
    shown = {cell["data-status"]: int(cell.get_text()) for cell in soup.select("dd[data-status]")}
    assert shown == register_counts(app, order["requirement_id"])
    assert f"Report N-{order['report_id']}" in soup.get_text()


def test_every_export_is_audited_as_an_evidence_pack_consultation(app, officer, order) -> None:
    for suffix in ("", ".csv", ".docx"):
        assert officer.get(f"/evidence/orders/{order['order_id']}{suffix}").status_code == 200
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.purpose == "evidence pack").order_by(AuditEvent.id)
        ).all()
        assert [(event.action, event.record_type, event.record_id) for event in events] == [
            ("consultation", "order", order["order_id"])
        ] * 3
        assert [event.detail["rendering"] for event in events] == ["page", "csv", "docx"]
        assert {event.user_id for event in events} == {officer.officer_id}


def test_only_officers_get_evidence_packs(app, client, sign_in, order) -> None:
    assert client.get(f"/evidence/orders/{order['order_id']}.csv").status_code in (302, 401)
    sign_in(client, "partner")
    for suffix in ("", ".csv", ".docx"):
        assert client.get(f"/evidence/orders/{order['order_id']}{suffix}").status_code == 403
    officer = app.test_client()
    sign_in(officer, "officer")
    assert officer.get("/evidence/orders/999999.csv").status_code == 404


def test_the_png_writer_makes_a_valid_image() -> None:
    canvas = Canvas(4, 3)
    canvas.fill(1, 1, 2, 1, (0, 0x70, 0x3C))
    data = canvas.png()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (4, 3)
    idat_length = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41 : 41 + idat_length])
    row = 1 + 3 * 4  # a filter byte, then four RGB pixels
    assert raw[row : row + 1] == b"\x00"
    assert raw[row + 1 + 3 : row + 1 + 6] == bytes([0, 0x70, 0x3C])  # row 1, column 1
    assert raw[row + 1 : row + 1 + 3] == b"\xff\xff\xff"  # row 1, column 0 stays white
