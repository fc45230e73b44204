"""Orders with their occasions, requirements and prohibitions; referrals to partners; the legal bases and policy
settings the checks read."""

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import Organisation
from portal.models.base import Base, Timestamped, utcnow
from portal.models.programmes import ProgrammeSession
from portal.models.subjects import Subject


class OrderRoute(enum.StrEnum):
    WITHOUT_CONVICTION = "s14"  # Offensive Weapons Act 2019 s.14, application by complaint
    ON_CONVICTION = "s19"  # s.19, in addition to a sentence or conditional discharge


class OrderStatus(enum.StrEnum):
    DRAFT = "draft"
    FILED = "filed"  # locked: any change becomes a new version
    MADE = "made"  # made by the court: requirements become active
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class RequirementKind(enum.StrEnum):
    BE_AT_PLACE = "be-at-place"
    PRESENT_TO_PERSON = "present-to-person"
    PARTICIPATE = "participate"


class ProhibitionKind(enum.StrEnum):
    PLACE = "place"
    PERSON = "person"
    ACTIVITY = "activity"
    ARTICLE = "article"
    INTERNET = "internet"


class ReferralStatus(enum.StrEnum):
    SENT = "sent"
    VIEWED = "viewed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


# Referrals in these states hold a place in their session; in these and the pending ones the subject is expected there.
PLACE_HOLDING_REFERRALS = (ReferralStatus.ACCEPTED, ReferralStatus.ACTIVE)
LIVE_REFERRALS = (ReferralStatus.SENT, ReferralStatus.VIEWED, ReferralStatus.ACCEPTED, ReferralStatus.ACTIVE)


class LegalBasis(Base):
    """Where and when the KCPO power is in force (the pilot SIs; national commencement when it comes)."""

    __tablename__ = "legal_bases"

    id: Mapped[int] = mapped_column(primary_key=True)
    police_area: Mapped[str] = mapped_column(String(120))
    regulation: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class PolicySetting(Base):
    """Local policy an admin can change, labelled as policy rather than law (for example review intervals)."""

    __tablename__ = "policy_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Order(Timestamped, Base):
    """A draft or made KCPO. Filed versions are locked; a later change is a new row pointing at the one it replaces."""

    __tablename__ = "orders"
    __table_args__ = (
        # One open order (draft, filed or made) per subject: two officers starting a draft at once get one.
        Index(
            "uq_orders_one_open_per_subject",
            "subject_id",
            unique=True,
            sqlite_where=text("status IN ('draft', 'filed', 'made')"),
            postgresql_where=text("status IN ('draft', 'filed', 'made')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[OrderStatus] = mapped_column(String(20), default=OrderStatus.DRAFT, index=True)
    order_version: Mapped[int] = mapped_column(default=1)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    route: Mapped[OrderRoute] = mapped_column(String(10), default=OrderRoute.WITHOUT_CONVICTION)
    police_area: Mapped[str] = mapped_column(String(120), default="Metropolitan Police district")
    applicant: Mapped[str] = mapped_column(String(200), default="")
    court: Mapped[str] = mapped_column(String(200), default="")
    proposed_start: Mapped[date | None]
    start_on_release: Mapped[bool] = mapped_column(default=False)
    duration_months: Mapped[int] = mapped_column(default=12)
    necessity_statement: Mapped[str] = mapped_column(Text, default="")
    conviction_offence: Mapped[str] = mapped_column(Text, default="")
    conviction_date: Mapped[date | None]
    sentence: Mapped[str] = mapped_column(Text, default="")
    yot_team: Mapped[str] = mapped_column(String(200), default="")
    yot_consulted_on: Mapped[date | None]
    yot_outcome: Mapped[str] = mapped_column(Text, default="")
    guardian_name: Mapped[str] = mapped_column(String(160), default="")
    guardian_relationship: Mapped[str] = mapped_column(String(80), default="")
    guardian_absent_reason: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime | None]
    made_on: Mapped[date | None]
    made_by_court: Mapped[str] = mapped_column(String(200), default="")
    final_terms: Mapped[str] = mapped_column(Text, default="")
    # DPA 2018 s.39: the order's end plus the local-policy retention period (from its creation when never made).
    review_due: Mapped[date | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)

    subject: Mapped[Subject] = relationship()
    occasions: Mapped[list["Occasion"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Occasion.occurred_on"
    )
    requirements: Mapped[list["Requirement"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="(Requirement.weekday, Requirement.start_time)"
    )
    prohibitions: Mapped[list["Prohibition"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Prohibition.id"
    )

    __mapper_args__ = {"version_id_col": version}


class Occasion(Base):
    """For s.14: an occasion on which the subject had a bladed article without good reason."""

    __tablename__ = "occasions"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date]
    location_type: Mapped[str] = mapped_column(String(40))  # public-place | school-premises | further-education
    summary: Mapped[str] = mapped_column(Text, default="")
    good_reason_claimed: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship(back_populates="occasions")


class Requirement(Base):
    __tablename__ = "requirements"
    __table_args__ = (CheckConstraint("weekday IS NULL OR weekday BETWEEN 0 AND 6", name="weekday_in_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RequirementKind] = mapped_column(String(30))
    activity: Mapped[str] = mapped_column(String(300))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("programme_sessions.id"), index=True)
    place_name: Mapped[str] = mapped_column(String(160))
    place_address: Mapped[str] = mapped_column(String(300), default="")
    place_postcode: Mapped[str] = mapped_column(String(8), default="")
    place_easting: Mapped[int | None]
    place_northing: Mapped[int | None]
    weekday: Mapped[int | None]  # None: any day
    start_time: Mapped[time]
    end_time: Mapped[time]
    supervisor_name: Mapped[str] = mapped_column(String(160))
    supervisor_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    necessity_rationale: Mapped[str] = mapped_column(Text, default="")
    accepted_from_suggestion: Mapped[bool] = mapped_column(default=False)

    order: Mapped[Order] = relationship(back_populates="requirements")
    referral: Mapped["Referral | None"] = relationship(back_populates="requirement", uselist=False)


class Prohibition(Base):
    __tablename__ = "prohibitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ProhibitionKind] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    exclusion_zone_id: Mapped[int | None] = mapped_column(ForeignKey("exclusion_zones.id", ondelete="SET NULL"))
    postcode: Mapped[str] = mapped_column(String(8), default="")
    easting: Mapped[int | None]
    northing: Mapped[int | None]
    radius_m: Mapped[int | None]
    person_subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="SET NULL"))
    exceptions: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]

    order: Mapped[Order] = relationship(back_populates="prohibitions")


class Referral(Base):
    """A requirement offered to the partner who would supervise it. Accepting it takes a place in the session."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id", ondelete="CASCADE"), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("programme_sessions.id"), index=True)
    status: Mapped[ReferralStatus] = mapped_column(String(20), default=ReferralStatus.SENT, index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    viewed_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    statement_capacity: Mapped[str] = mapped_column(Text, default="")
    statement_dates: Mapped[str] = mapped_column(Text, default="")
    statement_safeguarding: Mapped[str] = mapped_column(Text, default="")
    statement_attendance: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    requirement: Mapped[Requirement] = relationship(back_populates="referral")
    subject: Mapped[Subject] = relationship()
    organisation: Mapped[Organisation] = relationship()
    session: Mapped[ProgrammeSession | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
