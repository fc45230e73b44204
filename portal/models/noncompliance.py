"""Compliance events and the non-compliance reports officers decide (locked once submitted, then corrected)."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.orders import Order


class ComplianceEventKind(enum.StrEnum):
    CURFEW = "curfew"
    PROHIBITED_PLACE = "prohibited-place"
    PROHIBITED_PERSON = "prohibited-person"
    OTHER_PROHIBITION = "other-prohibition"


class ComplianceEvent(Base):
    """Something reported outside the register: a curfew missed, a prohibited place or person, another prohibition."""

    __tablename__ = "compliance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[ComplianceEventKind] = mapped_column(String(30))
    occurred_at: Mapped[datetime]
    minutes_late: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"  # raised by a rule or a partner, waiting for the officer's review
    SUBMITTED = "submitted"  # decided and locked; later corrections are appended


class ReportDecision(enum.StrEnum):
    NO_FURTHER_ACTION = "no-further-action"
    WARNING = "warning"
    REFER_FOR_BREACH = "refer-for-breach"


class NonComplianceReport(Base):
    """Facts kept apart from assessments (DPA 2018 s.38); locked once the officer submits a decision."""

    __tablename__ = "non_compliance_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirements.id"))
    rule_code: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(20))  # rule | partner
    kind: Mapped[str] = mapped_column(String(30), default="non-compliance")  # non-compliance | concern | completion
    status: Mapped[ReportStatus] = mapped_column(String(20), default=ReportStatus.DRAFT, index=True)
    facts: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)  # mark ids, event ids, dates: what the facts rest on
    assessment: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(30), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    raised_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    order: Mapped[Order] = relationship()
    corrections: Mapped[list["ReportCorrection"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportCorrection.created_at"
    )

    __mapper_args__ = {"version_id_col": version}


class ReportCorrection(Base):
    __tablename__ = "report_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("non_compliance_reports.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[NonComplianceReport] = relationship(back_populates="corrections")
