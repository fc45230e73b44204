"""Retention reviews' decisions and what each disposal erased (DPA 2018 s.39)."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class RetentionDecisionKind(enum.StrEnum):
    RETAIN = "retain"
    DISPOSE = "dispose"


class RetentionDecision(Base):
    """A reviewer's recorded decision to retain or dispose of a record (DPA 2018 s.39; APP review, retention and
    disposal). Kept after a disposal: it names the record only by type, id and reference, never its content."""

    __tablename__ = "retention_decisions"
    __table_args__ = (Index("ix_retention_decisions_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40))  # subject (a subject's review covers its orders)
    record_id: Mapped[int]  # not a foreign key: the record may since have been erased
    reference: Mapped[str] = mapped_column(String(40), default="")
    decision: Mapped[RetentionDecisionKind] = mapped_column(String(10))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rationale: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_review_due: Mapped[date | None]


class ErasureRecord(Base):
    """What a disposal erased: one row per kind of record, with the ids erased. Metadata only, never content."""

    __tablename__ = "erasure_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("retention_decisions.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    count: Mapped[int]
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
