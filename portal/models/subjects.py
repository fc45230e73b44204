"""The young people orders are about (officers only): their windows, exclusion zones, non-associations and notes."""

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped, utcnow


class SubjectCategory(enum.StrEnum):
    """DPA 2018 s.38(3): keep the categories of data subject apart."""

    SUSPECT = "suspect"
    CONVICTED = "convicted"
    OTHER = "other"


class WindowKind(enum.StrEnum):
    SCHOOL = "school"
    COLLEGE = "college"
    WORK = "work"
    OBSERVANCE = "observance"


class NoteKind(enum.StrEnum):
    """DPA 2018 s.38(2): facts are kept apart from personal assessments."""

    FACT = "fact"
    ASSESSMENT = "assessment"


class Subject(Timestamped, Base):
    """A person an order is, or may be, about. Officers only."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date]
    gender: Mapped[str] = mapped_column(String(10))
    home_postcode: Mapped[str] = mapped_column(String(8))
    home_easting: Mapped[int]
    home_northing: Mapped[int]
    category: Mapped[SubjectCategory] = mapped_column(String(20))
    languages: Mapped[list[str]] = mapped_column(default=list)
    interest_activity_types: Mapped[list[str]] = mapped_column(default=list)
    interest_text: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[list[str]] = mapped_column(default=list)
    curfew_start: Mapped[time | None]
    curfew_end: Mapped[time | None]
    max_travel_m: Mapped[int | None]
    # The sections of the record the officer has said are complete (portal.data.subjects.RECORD_SECTIONS keys):
    # "none" is a real answer for most sections, so whether one is finished is the officer's word, not inferred.
    completed_sections: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Need to know: the borough (command unit) whose officers work the case, the creating officer's. Officers of other
    # boroughs open the record only after a recorded "break glass" reason ("" for records from before: open to all).
    owning_borough: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # DPA 2018 s.39: when the record must next be reviewed for retention or disposal. The latest of its orders'
    # review dates (or its creation plus the local-policy period when it has none), moved on by a decision to retain.
    # Kept up to date by portal.data.retention whenever an input changes; never set by hand.
    review_due: Mapped[date | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)

    windows: Mapped[list["SubjectWindow"]] = relationship(
        back_populates="subject",
        cascade="all, delete-orphan",
        order_by="(SubjectWindow.weekday, SubjectWindow.start_time)",
    )
    exclusion_zones: Mapped[list["ExclusionZone"]] = relationship(
        back_populates="subject", cascade="all, delete-orphan", order_by="ExclusionZone.label"
    )
    notes: Mapped[list["SubjectNote"]] = relationship(
        back_populates="subject", cascade="all, delete-orphan", order_by="SubjectNote.created_at.desc()"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class SubjectWindow(Base):
    """A weekly time the subject is committed elsewhere: school, college, work or a faith observance."""

    __tablename__ = "subject_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[WindowKind] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(80))
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]

    subject: Mapped[Subject] = relationship(back_populates="windows")


class ExclusionZone(Base):
    __tablename__ = "exclusion_zones"
    __table_args__ = (CheckConstraint("radius_m > 0", name="radius_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(8))
    easting: Mapped[int]
    northing: Mapped[int]
    radius_m: Mapped[int]

    subject: Mapped[Subject] = relationship(back_populates="exclusion_zones")


class NonAssociation(Base):
    """Two subjects who must not associate. Stored once with the lower id first; it holds both ways."""

    __tablename__ = "non_associations"
    __table_args__ = (
        UniqueConstraint("subject_low_id", "subject_high_id", name="non_association_pair"),
        CheckConstraint("subject_low_id < subject_high_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_low_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    subject_high_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubjectNote(Base):
    __tablename__ = "subject_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NoteKind] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subject: Mapped[Subject] = relationship(back_populates="notes")
