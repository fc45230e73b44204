"""Partners' venues, programmes (published or in draft) and their weekly sessions; the catalogue's version."""

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import Organisation
from portal.models.base import Base, Timestamped, utcnow


class ProgrammeStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class Gender(enum.StrEnum):
    ANY = "any"
    MALE = "male"
    FEMALE = "female"


class Venue(Timestamped, Base):
    __tablename__ = "venues"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="organisation_venue_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(8))
    easting: Mapped[int]
    northing: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="venues")

    __mapper_args__ = {"version_id_col": version}


class Programme(Timestamped, Base):
    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("min_age >= 12", name="min_age_at_least_12"),
        CheckConstraint("max_age >= min_age", name="age_range_ordered"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("cost_pence >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text)
    activity_types: Mapped[list[str]] = mapped_column(default=list)
    tags: Mapped[list[str]] = mapped_column(default=list)
    min_age: Mapped[int]
    max_age: Mapped[int]
    gender: Mapped[Gender] = mapped_column(String(10), default=Gender.ANY)
    capacity: Mapped[int | None]  # None: places not confirmed (an import that did not say), so no referral yet
    cost_pence: Mapped[int] = mapped_column(default=0)
    languages: Mapped[list[str]] = mapped_column(default=list)
    provisions: Mapped[list[str]] = mapped_column(default=list)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    referral_process: Mapped[str] = mapped_column(Text, default="")
    supervisor_name: Mapped[str] = mapped_column(String(120))
    supervisor_role: Mapped[str] = mapped_column(String(120))
    supervisor_email: Mapped[str] = mapped_column(String(254))
    supervisor_phone: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    assured_on: Mapped[date | None]  # None: imported details nobody has confirmed
    status: Mapped[ProgrammeStatus] = mapped_column(String(20), default=ProgrammeStatus.ACTIVE, index=True)
    # An import that could not map something which may restrict who can take part holds the listing back from
    # officers and the matcher until its partner (or an admin) reviews each unmapped item.
    held_for_review: Mapped[bool] = mapped_column(default=False)
    unmapped_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Only for people living in an area ({"label", "postcodes", "polygons"}, see matching.model.ResidenceRule);
    # None: open to people living anywhere.
    residence_rule: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="programmes")
    sessions: Mapped[list["ProgrammeSession"]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by="(ProgrammeSession.weekday, ProgrammeSession.start_time)",
    )

    __mapper_args__ = {"version_id_col": version}


class ProgrammeDraft(Timestamped, Base):
    """A programme a partner is still writing, section by section: saved as they go, never a listing.

    Nothing reads drafts but their own organisation's task list: the matcher, the directory, the API and the Open
    Referral feed all read `programmes`, and a draft becomes a programme only when its partner publishes it.
    """

    __tablename__ = "programme_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    # The answers so far, as the programme's own field names (dates as ISO strings), and the sections done.
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    completed: Mapped[list[str]] = mapped_column(default=list)
    # The weekly sessions to add on publishing, as `ProgrammeSession` fields (dates and times as ISO strings).
    sessions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ProgrammeSession(Timestamped, Base):
    """A weekly session of a programme at one venue."""

    __tablename__ = "programme_sessions"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        Index("ix_programme_sessions_weekday_start", "weekday", "start_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]
    term_start: Mapped[date]
    term_end: Mapped[date | None]
    exception_dates: Mapped[list[str]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(default=1)

    programme: Mapped[Programme] = relationship(back_populates="sessions")
    venue: Mapped[Venue] = relationship()

    __mapper_args__ = {"version_id_col": version}


class CatalogueState(Base):
    """One row whose version goes up whenever the catalogue changes, so every worker knows to rebuild its index."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
