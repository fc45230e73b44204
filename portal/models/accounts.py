"""Organisations, the people who sign in, their sessions, recovery codes, invitations and saved searches; and
feedback on the service."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped, utcnow

if TYPE_CHECKING:
    from portal.models.programmes import Programme, Venue


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


ORGANISATION_KINDS = {
    "youth-service": "Youth service",
    "charity": "Charity",
    "council": "Council team",
    "sports-club": "Sports club",
    "mentoring-scheme": "Mentoring scheme",
    "faith-group": "Faith group",
    "social-enterprise": "Social enterprise",
}


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


class SavedSearch(Base):
    """Search criteria held on the server behind an opaque id, so postcodes never appear in a URL."""

    __tablename__ = "saved_searches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """What someone said about the service from the phase banner's link: their role, never their name."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    doing: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
