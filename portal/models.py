"""Typed SQLAlchemy 2.0 models. No Flask imports: the data-access modules are the only Session users."""

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={list[str]: JSON, dict[str, Any]: JSON},
    )


class Role(enum.StrEnum):
    OFFICER = "officer"
    PARTNER = "partner"
    ADMIN = "admin"


class OrganisationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class ProgrammeStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class Gender(enum.StrEnum):
    ANY = "any"
    MALE = "male"
    FEMALE = "female"


ORGANISATION_KINDS = {
    "youth-service": "Youth service",
    "charity": "Charity",
    "council": "Council team",
    "sports-club": "Sports club",
    "mentoring-scheme": "Mentoring scheme",
    "faith-group": "Faith group",
    "social-enterprise": "Social enterprise",
}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Organisation(Timestamped, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    borough: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(8))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40))
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OrganisationStatus] = mapped_column(String(20), default=OrganisationStatus.PENDING, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    users: Mapped[list["User"]] = relationship(back_populates="organisation", foreign_keys="User.organisation_id")
    programmes: Mapped[list["Programme"]] = relationship(back_populates="organisation")
    venues: Mapped[list["Venue"]] = relationship(back_populates="organisation", order_by="Venue.name")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_approved(self) -> bool:
        return self.status == OrganisationStatus.APPROVED


class User(Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'partner') = (organisation_id IS NOT NULL)", name="partner_has_exactly_one_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    unit: Mapped[str] = mapped_column(String(120), default="")
    borough: Mapped[str] = mapped_column(String(80), default="")
    disabled_at: Mapped[datetime | None]
    last_signed_in_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users", foreign_keys=[organisation_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None


class AuthSession(Base):
    """A signed-in session held on the server, so it can time out and be revoked."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Invitation(Base):
    """A single-use link that lets an invited person set their password."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


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
    capacity: Mapped[int]
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
    assured_on: Mapped[date]
    status: Mapped[ProgrammeStatus] = mapped_column(String(20), default=ProgrammeStatus.ACTIVE, index=True)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="programmes")
    sessions: Mapped[list["ProgrammeSession"]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by="(ProgrammeSession.weekday, ProgrammeSession.start_time)",
    )

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


class AuditEvent(Base):
    """Append-only record of who did what to which record (DPA 2018 s.62)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None]
    purpose: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    correlation_id: Mapped[str] = mapped_column(String(40), default="")


class SavedSearch(Base):
    """Search criteria held on the server behind an opaque id, so postcodes never appear in a URL."""

    __tablename__ = "saved_searches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
