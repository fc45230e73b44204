"""Typed SQLAlchemy 2.0 models. No Flask imports: the data-access modules are the only Session users."""

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
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
    AUDITOR = "auditor"  # reads the audit log; nothing else (separation of duties)


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
    # None for a self-registered partner until they follow the link emailed to them: until then the password alone
    # signs nobody in, so no one registers with an address they do not hold.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]
    # Multi-factor sign-in: the authenticator app's shared secret (base32), and the last 30-second time step
    # whose code was accepted, so a code works once only.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    mfa_set_up_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="users", foreign_keys=[organisation_id], lazy="raise"
    )

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
    # None while only the password has been given: such a session reaches nothing but the sign-in code pages.
    mfa_verified_at: Mapped[datetime | None]
    # When the person last re-entered their password and code; sensitive changes need it to be recent.
    reauthenticated_at: Mapped[datetime | None]
    # An authenticator being set up, held here (never in the cookie) until a code from it is confirmed.
    pending_totp_secret: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="raise")


class RecoveryCode(Base):
    """A single-use code for signing in without the authenticator app; stored only as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password-reset"  # a link purpose  # nosec B105
    REGISTRATION = "registration"  # continuing a self-registration from the email it sent


class Invitation(Base):
    """A single-use, expiring link that lets a person set their password: an invitation or a password reset.

    A link works only for its own purpose: an invitation link is refused by the reset page and the other way round."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[LinkPurpose] = mapped_column(String(20), default=LinkPurpose.INVITATION)
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
    # Tamper evidence (portal/audit_chain.py): each event's hash covers its fields and the previous event's hash.
    # An event is inserted without them, in its own request's transaction; the chain's one linker sets them shortly
    # after (None until then: "pending").
    sequence: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        # The linker's work list: only the pending events, however long the log grows.
        Index(
            "ix_audit_events_pending",
            "id",
            postgresql_where=text("sequence IS NULL"),
            sqlite_where=text("sequence IS NULL"),
        ),
    )


class SavedSearch(Base):
    """Search criteria held on the server behind an opaque id, so postcodes never appear in a URL."""

    __tablename__ = "saved_searches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class OutboxMessage(Base):
    """An email waiting to be sent; the sender retries with back-off and records each failure."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class CalendarFeed(Base):
    """A revocable, unguessable calendar subscription; the URL holds only the token, never personal data."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    # Events say "a young person" instead of the short name, for a calendar others can glance at.
    without_names: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class ApiToken(Base):
    """A personal API token: the user's own credential for the JSON API. Only its hash is stored; shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, so the user can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]  # API_TOKEN_LIFETIME after creation: a forgotten token stops working by itself
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise")


class OrukLink(Base):
    """The Open Referral UK id an import matched to a local record, so importing the same data again updates it.

    Links never cross organisations: the same id in another organisation's file is another record.
    """

    __tablename__ = "oruk_links"
    __table_args__ = (
        UniqueConstraint("organisation_id", "record_type", "oruk_id", name="one_link_per_oruk_id"),
        Index("ix_oruk_links_record", "record_type", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(20))  # organisation | programme | venue | session
    oruk_id: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class Feedback(Base):
    """What someone said about the service from the phase banner's link: their role, never their name."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    doing: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
