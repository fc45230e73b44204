"""Registers: each session date's attendance marks, and the dates a provider cancelled."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.orders import Requirement


class AttendanceStatus(enum.StrEnum):
    ATTENDED = "attended"
    LATE = "late"
    ABSENT = "absent"
    CANCELLED = "cancelled"  # the provider cancelled the session: not the subject's failure


class SessionCancellation(Base):
    """A provider cancelled one date of a weekly session: no one is expected there that day."""

    __tablename__ = "session_cancellations"
    __table_args__ = (UniqueConstraint("session_id", "on_date", name="one_cancellation_per_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceMark(Base):
    """One mark for one subject at one expected session. A correction adds a row that supersedes the last one."""

    __tablename__ = "attendance_marks"
    __table_args__ = (
        UniqueConstraint("requirement_id", "on_date", "revision", name="one_mark_per_revision"),
        CheckConstraint("minutes_late IS NULL OR minutes_late >= 0", name="minutes_late_not_negative"),
        Index(
            "uq_attendance_marks_one_current",
            "requirement_id",
            "on_date",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("programme_sessions.id"), index=True)
    on_date: Mapped[date] = mapped_column(index=True)
    revision: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    status: Mapped[AttendanceStatus] = mapped_column(String(20))
    minutes_late: Mapped[int | None]
    absence_reason: Mapped[str] = mapped_column(Text, default="")
    absence_acceptable: Mapped[bool | None]
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    contact_attempts: Mapped[str] = mapped_column(Text, default="")
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    requirement: Mapped[Requirement] = relationship()
