"""Evidence packs: a subject's attendance under one order, for court or a breach review. Officers only.

The figures come straight from the register: for each requirement, every session date expected so far (the same
dates the registers expect: `portal.rules.schedule`) and every date that has a mark, with the current mark and
its corrections; then the non-compliance reports and their decisions. The HTML page, the CSV and the Word document
are three renderings of one `EvidencePack`, so they always agree. The chart is drawn here too: an SVG for the page
and, for Word, a PNG from the same bars written with zlib and struct (no plotting library).
"""

import csv
import io
import struct
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.sax.saxutils import escape

from sqlalchemy import select

from portal.data import audit
from portal.data.orders import get_order
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    NonComplianceReport,
    Order,
    ProgrammeSession,
    Requirement,
    SessionCancellation,
    User,
)
from portal.rules.attendance_outcomes import OUTCOMES
from portal.rules.schedule import expected_dates, london_today, requirement_period

PURPOSE = "evidence pack"
NOT_RECORDED = "not-recorded"
STATUSES = ("attended", "late", "absent", "cancelled", NOT_RECORDED)
STATUS_NAMES = {status: OUTCOMES[status].label for status in STATUSES}
COLOURS = {status: OUTCOMES[status].rgb for status in STATUSES}
DECISIONS = {
    "no-further-action": "No further action",
    "warning": "Warning",
    "refer-for-breach": "Refer for breach proceedings",
    "": "Awaiting the officer's decision",
}
WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


@dataclass(frozen=True)
class SessionRow:
    on_date: date
    status: str  # one of STATUSES
    minutes_late: int | None = None
    absence_acceptable: bool | None = None
    absence_reason: str = ""
    evidence_note: str = ""
    revision: int = 0
    corrections: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.status == "late" and self.minutes_late is not None:
            return f"Late ({self.minutes_late} min)"
        if self.status == "absent" and self.absence_acceptable is not None:
            return "Absent (acceptable reason)" if self.absence_acceptable else "Absent (no acceptable reason)"
        return STATUS_NAMES[self.status]

    @property
    def details(self) -> str:
        return "; ".join(part for part in (self.absence_reason, self.evidence_note) if part)


@dataclass(frozen=True)
class RequirementEvidence:
    requirement_id: int
    activity: str
    place: str
    schedule: str
    rows: tuple[SessionRow, ...]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.status for row in self.rows)
        return {status: counted.get(status, 0) for status in STATUSES}


@dataclass(frozen=True)
class ReportEvidence:
    report_id: int
    kind: str
    source: str
    raised_on: date
    status: str
    facts: str
    assessment: str
    decision: str
    decision_reason: str
    decided_on: date | None
    corrections: tuple[str, ...]


@dataclass(frozen=True)
class EvidencePack:
    order_id: int
    order_version: int
    order_status: str
    made_on: date | None
    court: str
    subject_name: str
    subject_reference: str
    today: date
    requirements: tuple[RequirementEvidence, ...]
    reports: tuple[ReportEvidence, ...]
    months: tuple[tuple[str, dict[str, int]], ...] = field(default=())

    @property
    def totals(self) -> dict[str, int]:
        return {status: sum(item.counts[status] for item in self.requirements) for status in STATUSES}


# Building the pack


def evidence_pack(order_id: int, rendering: str, today: date | None = None) -> EvidencePack:
    """The pack for an order, with the consultation audited (purpose "evidence pack", and the rendering)."""
    order = get_order(order_id)
    pack = build_pack(order, today or london_today())
    audit.record(
        audit.CONSULTATION,
        "order",
        order.id,
        purpose=PURPOSE,
        subject_id=order.subject_id,
        rendering=rendering,
        requirement_ids=[item.requirement_id for item in pack.requirements],
        report_ids=[report.report_id for report in pack.reports],
    )
    return pack


def build_pack(order: Order, today: date) -> EvidencePack:
    requirements = tuple(_requirement_evidence(requirement, today) for requirement in order.requirements)
    reports = db.session.scalars(
        select(NonComplianceReport)
        .where(NonComplianceReport.order_id == order.id)
        .order_by(NonComplianceReport.raised_at, NonComplianceReport.id)
    ).all()
    return EvidencePack(
        order_id=order.id,
        order_version=order.order_version,
        order_status=order.status,
        made_on=order.made_on,
        court=order.made_by_court or order.court,
        subject_name=order.subject.display_name,
        subject_reference=order.subject.reference,
        today=today,
        requirements=requirements,
        reports=tuple(_report_evidence(report) for report in reports),
        months=_months(requirements),
    )


def _requirement_evidence(requirement: Requirement, today: date) -> RequirementEvidence:
    marks = db.session.scalars(
        select(AttendanceMark)
        .where(AttendanceMark.requirement_id == requirement.id, AttendanceMark.on_date <= today)
        .order_by(AttendanceMark.on_date, AttendanceMark.revision)
    ).all()
    by_date: dict[date, list[AttendanceMark]] = defaultdict(list)
    for mark in marks:
        by_date[mark.on_date].append(mark)
    days = set(_expected_so_far(requirement, today)) | set(by_date)
    rows = tuple(_row(day, by_date.get(day, [])) for day in sorted(days))
    weekday = WEEKDAYS[requirement.weekday] if requirement.weekday is not None else "Any day"
    return RequirementEvidence(
        requirement_id=requirement.id,
        activity=requirement.activity,
        place=", ".join(part for part in (requirement.place_name, requirement.place_postcode) if part),
        schedule=f"{weekday}, {requirement.start_time:%H:%M} to {requirement.end_time:%H:%M}",
        rows=rows,
    )


def _expected_so_far(requirement: Requirement, today: date) -> list[date]:
    order = requirement.order
    period = requirement_period(requirement.starts_on, requirement.ends_on, order.made_on, order.duration_months)
    if period is None:
        return []
    session = db.session.get(ProgrammeSession, requirement.session_id) if requirement.session_id else None
    cancelled = (
        db.session.scalars(select(SessionCancellation.on_date).where(SessionCancellation.session_id == session.id))
        if session
        else []
    )
    return expected_dates(
        requirement.weekday,
        period[0],
        min(period[1], today),
        session.term_start if session else None,
        session.term_end if session else None,
        session.exception_dates if session else (),
        list(cancelled),
    )


def _row(day: date, marks: list[AttendanceMark]) -> SessionRow:
    if not marks:
        return SessionRow(on_date=day, status=NOT_RECORDED)
    current = next((mark for mark in reversed(marks) if mark.is_current), marks[-1])
    earlier = [mark for mark in marks if mark.revision < current.revision]
    corrections = tuple(
        f"Revision {mark.revision} said {_mark_label(mark)}; corrected on {_day(later.recorded_at)}: "
        f"{later.correction_reason or 'no reason recorded'}"
        for mark, later in zip(earlier, [*earlier[1:], current][: len(earlier)], strict=True)
    )
    return SessionRow(
        on_date=day,
        status=str(current.status),
        minutes_late=current.minutes_late,
        absence_acceptable=current.absence_acceptable,
        absence_reason=current.absence_reason,
        evidence_note=current.evidence_note,
        revision=current.revision,
        corrections=corrections,
    )


def _mark_label(mark: AttendanceMark) -> str:
    return SessionRow(mark.on_date, str(mark.status), mark.minutes_late, mark.absence_acceptable).label.lower()


def _report_evidence(report: NonComplianceReport) -> ReportEvidence:
    corrections = tuple(
        f"{_day(correction.created_at)}{_by(correction.author_id)}: {correction.text}"
        for correction in report.corrections
    )
    return ReportEvidence(
        report_id=report.id,
        kind=report.kind,
        source=report.source,
        raised_on=report.raised_at.date(),
        status=report.status,
        facts=report.facts,
        assessment=report.assessment,
        decision=DECISIONS.get(report.decision, report.decision),
        decision_reason=report.decision_reason,
        decided_on=report.submitted_at.date() if report.submitted_at else None,
        corrections=corrections,
    )


def _by(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return f" by {user.full_name}" if user else ""


def _day(moment: datetime | date) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _months(requirements: tuple[RequirementEvidence, ...]) -> tuple[tuple[str, dict[str, int]], ...]:
    """Sessions per calendar month, by status, across the order's requirements: the chart's data."""
    counted: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for item in requirements:
        for row in item.rows:
            counted[(row.on_date.year, row.on_date.month)][row.status] += 1
    if not counted:
        return ()
    first, last = min(counted), max(counted)
    months = []
    year, month = first
    while (year, month) <= last:
        label = date(year, month, 1).strftime("%b %Y")
        months.append((label, {status: counted[(year, month)].get(status, 0) for status in STATUSES}))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


# The chart


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    status: str
    month: str
    count: int


CHART_WIDTH, CHART_HEIGHT = 720, 260
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 40, 710, 10, 220


def chart_scale(pack: EvidencePack) -> int:
    """The y axis maximum: the busiest month, at least 1."""
    return max([sum(counts.values()) for _label, counts in pack.months] or [0]) or 1


def chart_bars(pack: EvidencePack) -> list[Bar]:
    """Stacked bars, one per month, bottom up in STATUSES order; shared by the SVG and the PNG."""
    if not pack.months:
        return []
    scale = chart_scale(pack)
    slot = (PLOT_RIGHT - PLOT_LEFT) / len(pack.months)
    width = max(2, int(slot * 0.7))
    bars = []
    for index, (label, counts) in enumerate(pack.months):
        x = int(PLOT_LEFT + slot * index + (slot - width) / 2)
        base = PLOT_BOTTOM
        for status in STATUSES:
            if not counts[status]:
                continue
            height = round(counts[status] * (PLOT_BOTTOM - PLOT_TOP) / scale)
            bars.append(Bar(x, base - height, width, height, status, label, counts[status]))
            base -= height
    return bars


def chart_svg(pack: EvidencePack) -> str:
    """An accessible SVG bar chart (its figures are also in the table beside it on the page)."""
    scale = chart_scale(pack)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" '
        'aria-labelledby="attendance-chart-title" class="app-evidence-chart" width="100%">',
        '<title id="attendance-chart-title">Sessions each month by attendance mark</title>',
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" stroke="#0b0c0c"/>',
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{PLOT_BOTTOM}" stroke="#0b0c0c"/>',
        f'<text x="{PLOT_LEFT - 6}" y="{PLOT_TOP + 10}" text-anchor="end" font-size="12">{scale}</text>',
        f'<text x="{PLOT_LEFT - 6}" y="{PLOT_BOTTOM}" text-anchor="end" font-size="12">0</text>',
    ]
    for bar in chart_bars(pack):
        parts.append(
            f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
            f'fill="{OUTCOMES[bar.status].hex}"><title>{escape(bar.month)}: {bar.count} '
            f"{escape(STATUS_NAMES[bar.status].lower())}</title></rect>"
        )
    if pack.months:
        slot = (PLOT_RIGHT - PLOT_LEFT) / len(pack.months)
        every = max(1, len(pack.months) // 12)
        for index, (label, _counts) in enumerate(pack.months):
            if index % every == 0:
                x = int(PLOT_LEFT + slot * (index + 0.5))
                parts.append(
                    f'<text x="{x}" y="{PLOT_BOTTOM + 16}" text-anchor="middle" font-size="11">{escape(label)}</text>'
                )
    x = PLOT_LEFT
    for status in STATUSES:
        parts.append(
            f'<rect x="{x}" y="{CHART_HEIGHT - 18}" width="12" height="12" fill="{OUTCOMES[status].hex}"/>'
            f'<text x="{x + 16}" y="{CHART_HEIGHT - 8}" font-size="12">{escape(STATUS_NAMES[status])}</text>'
        )
        x += 20 + 8 * len(STATUS_NAMES[status])
    parts.append("</svg>")
    return "".join(parts)


def chart_png(pack: EvidencePack) -> bytes:
    """The same bars as a PNG (axes and bars; the legend and figures are written beside it in the document)."""
    canvas = Canvas(CHART_WIDTH, PLOT_BOTTOM + 10)
    canvas.fill(PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT - PLOT_LEFT, 2, (0x0B, 0x0C, 0x0C))
    canvas.fill(PLOT_LEFT - 2, PLOT_TOP, 2, PLOT_BOTTOM - PLOT_TOP + 2, (0x0B, 0x0C, 0x0C))
    for bar in chart_bars(pack):
        canvas.fill(bar.x, bar.y, bar.width, bar.height, COLOURS[bar.status])
    return canvas.png()


class Canvas:
    """A white RGB canvas that can fill rectangles and write itself as a PNG."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def fill(self, x: int, y: int, width: int, height: int, colour: tuple[int, int, int]) -> None:
        left, right = max(0, x), min(self.width, x + width)
        if right <= left:
            return
        line = bytes(colour) * (right - left)
        for row in range(max(0, y), min(self.height, y + height)):
            start = (row * self.width + left) * 3
            self.pixels[start : start + len(line)] = line

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[row * stride : (row + 1) * stride]) for row in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)  # 8-bit truecolour
        return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND")


def _chunk(kind: bytes, data: bytes = b"") -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# CSV

CSV_COLUMNS = (
    "record",
    "requirement_id",
    "requirement",
    "date",
    "status",
    "count",
    "minutes_late",
    "absence_acceptable",
    "details",
    "revision",
    "corrections",
    "report_id",
    "report_kind",
    "report_status",
    "facts",
    "assessment",
    "decision",
    "decision_reason",
    "decided_on",
)


def pack_csv(pack: EvidencePack) -> str:
    """One CSV: a `session` row per date, a `total` row per requirement and status, a `report` row per report."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for item in pack.requirements:
        base = {"requirement_id": item.requirement_id, "requirement": item.activity}
        for row in item.rows:
            acceptable = "" if row.absence_acceptable is None else ("yes" if row.absence_acceptable else "no")
            writer.writerow(
                _safe(
                    base
                    | {
                        "record": "session",
                        "date": row.on_date.isoformat(),
                        "status": row.status,
                        "minutes_late": "" if row.minutes_late is None else row.minutes_late,
                        "absence_acceptable": acceptable,
                        "details": row.details,
                        "revision": row.revision or "",
                        "corrections": " | ".join(row.corrections),
                    }
                )
            )
        for status, count in item.counts.items():
            writer.writerow(_safe(base | {"record": "total", "status": status, "count": count}))
    for report in pack.reports:
        writer.writerow(
            _safe(
                {
                    "record": "report",
                    "date": report.raised_on.isoformat(),
                    "report_id": report.report_id,
                    "report_kind": report.kind,
                    "report_status": report.status,
                    "facts": report.facts,
                    "assessment": report.assessment,
                    "decision": report.decision,
                    "decision_reason": report.decision_reason,
                    "decided_on": report.decided_on.isoformat() if report.decided_on else "",
                    "corrections": " | ".join(report.corrections),
                }
            )
        )
    return out.getvalue()


def _safe(row: dict) -> dict:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    return {
        key: f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
        for key, value in row.items()
    }


# Word


def pack_docx(pack: EvidencePack) -> bytes:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.add_heading("Attendance evidence pack", level=0)
    document.add_paragraph(f"{pack.subject_name} ({pack.subject_reference})")
    made = f", made on {_day(pack.made_on)}" if pack.made_on else ""
    court = f" by {pack.court}" if pack.court else ""
    document.add_paragraph(
        f"Knife crime prevention order O-{pack.order_id}, version {pack.order_version}{made}{court}."
    )
    document.add_paragraph(
        f"Prepared on {_day(pack.today)} from the attendance register. Each session shows its current mark; "
        "corrections are listed with their reasons."
    )

    document.add_heading("Attendance over time", level=1)
    if pack.months:
        document.add_picture(io.BytesIO(chart_png(pack)), width=Cm(16))
        document.add_paragraph(
            "Sessions each month, stacked bottom up: "
            + "; ".join(f"{STATUS_NAMES[status].lower()} ({_colour_name(status)})" for status in STATUSES)
            + "."
        )
        _table(
            document,
            ["Month", *(STATUS_NAMES[status] for status in STATUSES)],
            [[label, *(str(counts[status]) for status in STATUSES)] for label, counts in pack.months],
        )
    else:
        document.add_paragraph("No sessions were expected or marked yet.")
    document.add_heading("Totals", level=2)
    _table(document, ["Mark", "Sessions"], [[STATUS_NAMES[s], str(n)] for s, n in pack.totals.items()])

    for item in pack.requirements:
        document.add_heading(f"Requirement: {item.activity}", level=1)
        document.add_paragraph(f"{item.schedule} at {item.place}.")
        _table(document, ["Mark", "Sessions"], [[STATUS_NAMES[s], str(n)] for s, n in item.counts.items()])
        if item.rows:
            _table(
                document,
                ["Date", "Mark", "Details", "Corrections"],
                [[_day(row.on_date), row.label, row.details, "\n".join(row.corrections)] for row in item.rows],
            )

    document.add_heading("Non-compliance reports and decisions", level=1)
    if not pack.reports:
        document.add_paragraph("None.")
    for report in pack.reports:
        document.add_heading(f"Report N-{report.report_id} ({report.kind}), raised {_day(report.raised_on)}", level=2)
        decided = f" on {_day(report.decided_on)}" if report.decided_on else ""
        rows = [
            ["Facts", report.facts],
            ["Assessment", report.assessment or "None recorded"],
            ["Decision", report.decision + decided],
            ["Reason for the decision", report.decision_reason or "None recorded"],
        ]
        rows += [["Correction", text] for text in report.corrections]
        _table(document, ["", ""], rows, header=False)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document, headings: list[str], rows: list[list[str]], header: bool = True) -> None:
    table = document.add_table(rows=0, cols=len(headings))
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, headings, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    document.add_paragraph()


def _colour_name(status: str) -> str:
    return OUTCOMES[status].colour.replace("-", " ")
