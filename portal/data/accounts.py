"""Users, their server-side sessions, their second factor, and password links (invitations and resets)."""

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Row, bindparam, delete, func, select, update
from sqlalchemy.orm import joinedload

from portal.data import audit, notifications, organisations
from portal.extensions import db
from portal.infra import mfa
from portal.infra.passwords import hash_password, needs_rehash, new_token, token_hash, verify_password
from portal.models import (
    ApiToken,
    AuthSession,
    CalendarFeed,
    Invitation,
    LinkPurpose,
    Organisation,
    RecoveryCode,
    Role,
    User,
    utcnow,
)

LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# Between the password and the code: long enough to find a phone, short enough that a half-done sign-in dies.
PENDING_SIGN_IN_LIFETIME = timedelta(minutes=10)
REGISTRATION_LINK_LIFETIME = timedelta(hours=24)


WITH_USER = joinedload(AuthSession.user, innerjoin=True)  # AuthSession.user is never loaded lazily


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def email_in_use(email: str) -> bool:
    return get_user_by_email(email) is not None


def get_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def list_users(page: int, per_page: int) -> tuple[list[User], int]:
    total = db.session.scalar(select(func.count()).select_from(User)) or 0
    users = db.session.scalars(
        select(User)
        .options(joinedload(User.organisation))
        .order_by(User.role, User.full_name)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    audit.record(audit.CONSULTATION, "user-list", page=page)
    return list(users), total


def create_user(
    *,
    email: str,
    full_name: str,
    role: Role,
    password: str | None = None,
    organisation_id: int | None = None,
    unit: str = "",
    borough: str = "",
) -> User:
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password) if password else None,
        organisation_id=organisation_id,
        unit=unit.strip(),
        borough=borough.strip(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(audit.COLLECTION, "user", user.id, role=str(role))
    return user


def register_partner(
    organisation_details: dict[str, str],
    *,
    email: str,
    full_name: str,
    password: str,
    continue_path: Callable[[str], str],
    sign_in_path: str,
    reset_path: str,
) -> None:
    """Self-registration, continued by email so the page says nothing about which addresses have accounts: a new
    address gets its pending organisation, its account and an email link to continue; an address that already has
    an account gets an email saying so, and nothing is made. Both hash the password, so both take as long."""
    password_hash = hash_password(password)
    existing = get_user_by_email(email)
    if existing is not None:
        notifications.notify_already_registered(existing, sign_in_path, reset_path)
        audit.record(audit.ALTERATION, "user", existing.id, change="registration tried with this email address")
        return
    organisation = organisations.register_organisation(organisation_details)
    user = create_user(email=email, full_name=full_name, role=Role.PARTNER, organisation_id=organisation.id)
    user.password_hash, user.email_confirmed_at = password_hash, None
    token = create_link(user, LinkPurpose.REGISTRATION, REGISTRATION_LINK_LIFETIME)
    notifications.notify_registration(user, continue_path(token), REGISTRATION_LINK_LIFETIME)


def authenticate(email: str, password: str) -> User | None:
    """The user whose password matches and who may sign in; None otherwise, taking the same time either way."""
    user = get_user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or user.is_disabled or user.email_confirmed_at is None:
        audit.record(audit.SIGN_IN_FAILED, "user", user.id if user else None, user_id=user.id if user else None)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_pending_sign_in(user: User) -> str:
    """A session after the password alone: it reaches nothing until the second factor is given."""
    token = new_token()
    db.session.add(AuthSession(token_hash=token_hash(token), user_id=user.id))
    return token


def pending_sign_in(token: str | None) -> AuthSession | None:
    """The half-done sign-in this token belongs to, if it is still waiting for its code and not too old."""
    if not token:
        return None
    auth_session = db.session.scalar(
        select(AuthSession).where(AuthSession.token_hash == token_hash(token)).options(WITH_USER)
    )
    if auth_session is None or auth_session.ended_at is not None or auth_session.mfa_verified_at is not None:
        return None
    if utcnow() - auth_session.created_at > PENDING_SIGN_IN_LIFETIME or auth_session.user.is_disabled:
        return None
    return auth_session


def start_session(user: User) -> str:
    """A fully signed-in session (password and second factor given), under a new token."""
    token = new_token()
    now = utcnow()
    db.session.add(
        AuthSession(token_hash=token_hash(token), user_id=user.id, mfa_verified_at=now, reauthenticated_at=now)
    )
    user.last_signed_in_at = now
    spend_reset_links(user.id)  # the person got in: any reset link still in their inbox is not needed
    audit.record(audit.SIGN_IN, "user", user.id, user_id=user.id, organisation_id=user.organisation_id)
    return token


def complete_sign_in(pending: AuthSession) -> str:
    """The second factor is given: the half-done session ends and a new one, with a new token, begins."""
    pending.ended_at = utcnow()
    return start_session(pending.user)


# Second factor ---------------------------------------------------------------------------------------------------


def check_second_factor(user: User, code: str) -> bool:
    """A current authenticator code not used before, or an unused recovery code (which is then spent)."""
    db.session.refresh(user, with_for_update=True)  # two requests with one code: the second waits, then sees it used
    step = mfa.accepted_step(user.totp_secret, code, user.totp_last_step) if user.totp_secret else None
    if step is not None:
        user.totp_last_step = step
        return True
    if mfa.looks_like_recovery_code(code) and _spend_recovery_code(user, code):
        audit.record(audit.ALTERATION, "user", user.id, user_id=user.id, change="recovery code used")
        return True
    audit.record(audit.MFA_FAILED, "user", user.id, user_id=user.id, organisation_id=user.organisation_id)
    return False


def _spend_recovery_code(user: User, code: str) -> bool:
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == token_hash(mfa.normalise_recovery_code(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return spent.rowcount == 1


def unused_recovery_codes(user_id: int) -> int:
    return (
        db.session.scalar(select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))
        or 0
    )


def begin_authenticator_set_up(auth_session: AuthSession) -> str:
    """A new secret for this session to confirm; kept on the server until a code from it arrives."""
    if auth_session.pending_totp_secret is None:
        auth_session.pending_totp_secret = mfa.new_secret()
    return auth_session.pending_totp_secret


def confirm_authenticator(auth_session: AuthSession, code: str) -> list[str] | None:
    """Make the secret being set up the account's, if the code proves the app holds it; returns new recovery codes."""
    secret = auth_session.pending_totp_secret
    step = mfa.accepted_step(secret, code, None) if secret else None
    user = auth_session.user
    if step is None:
        audit.record(audit.MFA_FAILED, "user", user.id, user_id=user.id, change="authenticator set-up code wrong")
        return None
    user.totp_secret, user.totp_last_step, user.mfa_set_up_at = secret, step, utcnow()
    auth_session.pending_totp_secret = None
    audit.record(audit.ALTERATION, "user", user.id, user_id=user.id, change="authenticator set up")
    return replace_recovery_codes(user)


def replace_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes; every earlier one stops working. The plain codes are returned once, never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = mfa.new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=token_hash(mfa.normalise_recovery_code(code))) for code in codes
    )
    audit.record(audit.ALTERATION, "user", user.id, user_id=user.id, change="recovery codes replaced")
    return codes


def reset_second_factor(user: User) -> None:
    """An admin clears a user's authenticator (lost phone and codes): they set up a new one at their next sign-in."""
    user.totp_secret = user.totp_last_step = user.mfa_set_up_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user.id)
    audit.record(audit.ALTERATION, "user", user.id, change="authenticator reset by an admin")


# Re-authentication -----------------------------------------------------------------------------------------------


def session_for_token(token: str) -> AuthSession | None:
    return db.session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(token)).options(WITH_USER))


def confirm_identity(token: str, password: str, code: str) -> bool:
    """The signed-in person proves again it is them (password and second factor) before a sensitive change."""
    auth_session = session_for_token(token)
    if auth_session is None:
        return False
    user = auth_session.user
    password_ok = verify_password(user.password_hash, password)
    if not password_ok:
        audit.record(audit.SIGN_IN_FAILED, "user", user.id, change="re-authentication password wrong")
        return False
    if not check_second_factor(user, code):
        return False
    auth_session.reauthenticated_at = utcnow()
    return True


def recently_authenticated(token: str, within: timedelta) -> bool:
    auth_session = session_for_token(token)
    return bool(
        auth_session and auth_session.reauthenticated_at and utcnow() - auth_session.reauthenticated_at <= within
    )


def end_session(token: str) -> None:
    db.session.execute(update(AuthSession).where(AuthSession.token_hash == token_hash(token)).values(ended_at=utcnow()))


def end_all_sessions(user_id: int) -> None:
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


_sessions, _users, _organisations = AuthSession.__table__, User.__table__, Organisation.__table__

# Every signed-in request runs this: built once, a plain Core statement (no ORM entities to load), one row with what
# the request needs of the session, the account and its organisation (the header names it, partner views check its
# status). Revocation lives in these columns, read afresh on every request: nothing about a session is cached.
SIGNED_IN_ROW = (
    select(
        _sessions.c.id.label("session_id"),
        _sessions.c.created_at,
        _sessions.c.last_seen_at,
        _sessions.c.ended_at,
        _sessions.c.mfa_verified_at,
        _users.c.id.label("user_id"),
        _users.c.role,
        _users.c.full_name,
        _users.c.borough,
        _users.c.organisation_id,
        _users.c.disabled_at,
        _organisations.c.name.label("organisation_name"),
        _organisations.c.status.label("organisation_status"),
    )
    .select_from(
        _sessions.join(_users, _users.c.id == _sessions.c.user_id).outerjoin(
            _organisations, _organisations.c.id == _users.c.organisation_id
        )
    )
    .where(_sessions.c.token_hash == bindparam("token_hash"))
)
SEEN_NOW = update(_sessions).where(_sessions.c.id == bindparam("session_id")).values(last_seen_at=bindparam("now"))


def signed_in_row(token: str, idle_timeout: timedelta, absolute_timeout: timedelta) -> Row | None:
    """What the request needs of a live session's user (SIGNED_IN_ROW); idle, expired, ended or disabled sessions,
    and half-done sign-ins, give None."""
    connection = db.session.connection()
    row = connection.execute(SIGNED_IN_ROW, {"token_hash": token_hash(token)}).one_or_none()
    if row is None or row.ended_at is not None or row.mfa_verified_at is None or row.disabled_at is not None:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle_timeout or now - row.created_at > absolute_timeout:
        return None
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        connection.execute(SEEN_NOW, {"session_id": row.session_id, "now": now})
    return row


REVOCABLE_CREDENTIALS = {ApiToken: "api tokens revoked", CalendarFeed: "calendar feeds revoked"}


def revoke_credentials(user_id: int, reason: str) -> None:
    """Every credential that reaches data without signing in stops working: the user's API tokens and calendar feed
    links. For when their password or access changes, or the account is disabled: anyone who made one with a stolen
    password, or before the change, loses it."""
    now = utcnow()
    for model, change in REVOCABLE_CREDENTIALS.items():
        revoked = db.session.execute(
            update(model).where(model.user_id == user_id, model.revoked_at.is_(None)).values(revoked_at=now)
        )
        if revoked.rowcount:
            audit.record(audit.ALTERATION, "user", user_id, change=change, reason=reason, count=revoked.rowcount)


def set_disabled(user: User, disabled: bool) -> None:
    user.disabled_at = utcnow() if disabled else None
    if disabled:
        end_all_sessions(user.id)
        revoke_credentials(user.id, "account disabled")
    audit.record(audit.ALTERATION, "user", user.id, change="disabled" if disabled else "enabled")


def change_role(user: User, role: Role, organisation_id: int | None) -> None:
    """A new role (and organisation, for partners). The user's sessions end: their access changed under them."""
    before = str(user.role)
    user.role, user.organisation_id = role, organisation_id if role == Role.PARTNER else None
    end_all_sessions(user.id)
    revoke_credentials(user.id, "role changed")
    audit.record(audit.ALTERATION, "user", user.id, change="role changed", before=before, after=str(role))


def change_password(user: User, password: str) -> str:
    """A new password; every session of the user ends (a copied cookie stops working) and this browser gets a new
    one, already past its second factor, since the person has just re-authenticated."""
    user.password_hash = hash_password(password)
    end_all_sessions(user.id)
    revoke_credentials(user.id, "password changed")
    audit.record(audit.ALTERATION, "user", user.id, change="password changed")
    return start_session(user)


# Password links: invitations and resets --------------------------------------------------------------------------


def create_link(
    user: User, purpose: LinkPurpose, lifetime: timedelta, created_by_id: int | None = None, token: str | None = None
) -> str:
    token = token or new_token()
    db.session.add(
        Invitation(
            token_hash=token_hash(token),
            purpose=purpose,
            user_id=user.id,
            created_by_id=created_by_id,
            expires_at=utcnow() + lifetime,
        )
    )
    return token


def create_invitation(user: User, created_by_id: int, lifetime: timedelta) -> str:
    return create_link(user, LinkPurpose.INVITATION, lifetime, created_by_id)


def send_password_reset(email: str, lifetime: timedelta, page_path: Callable[[str], str]) -> None:
    """Queue one email whatever the address: a reset link for an enabled account with a password, or else a note
    that no account here can use it. Both make a token, queue an email and record an event, so neither the page
    nor the time it takes says which addresses have accounts."""
    user = get_user_by_email(email)
    token = new_token()
    if user is None or user.is_disabled or user.password_hash is None:
        notifications.notify_no_account_to_reset(email)
        audit.record(audit.ALTERATION, "user", None, change="password reset asked for an address with no account")
        return
    create_link(user, LinkPurpose.PASSWORD_RESET, lifetime, token=token)
    notifications.notify_password_reset(user, page_path(token), lifetime)
    audit.record(audit.ALTERATION, "user", user.id, user_id=user.id, change="password reset link sent")


def spend_reset_links(user_id: int) -> None:
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user_id,
            Invitation.purpose == LinkPurpose.PASSWORD_RESET,
            Invitation.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


def usable_link(token: str, purpose: LinkPurpose) -> Invitation | None:
    """The link if it is for this purpose, unused, unexpired and its account is enabled."""
    link = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token), Invitation.purpose == purpose)
    )
    if link is None or link.used_at is not None or link.expires_at < utcnow() or link.user.is_disabled:
        return None
    return link


def why_unusable(token: str, purpose: LinkPurpose) -> str:
    """Why a link for this purpose cannot be used, for the page that says what to do next: "used", "expired" or
    "unknown" (no such link for this purpose, or its account is disabled). The page names no person or address."""
    link = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token), Invitation.purpose == purpose)
    )
    if link is None or link.user.is_disabled:
        return "unknown"
    return "used" if link.used_at is not None else "expired"


def usable_invitation(token: str) -> Invitation | None:
    return usable_link(token, LinkPurpose.INVITATION)


def confirm_registration(link: Invitation) -> User:
    """The registration link was followed: the address is the registrant's, so the password now signs them in."""
    link.used_at = link.user.email_confirmed_at = utcnow()
    audit.record(audit.ALTERATION, "user", link.user_id, user_id=link.user_id, change="email address confirmed")
    return link.user


def accept_invitation(invitation: Invitation, password: str) -> User:
    invitation.used_at = utcnow()
    invitation.user.password_hash = hash_password(password)
    audit.record(audit.ALTERATION, "user", invitation.user_id, user_id=invitation.user_id, change="password set")
    return invitation.user


def reset_password(link: Invitation, password: str) -> User:
    """Set the new password from a reset link; every reset link of the account is spent and every session ends. The
    second factor stays: the next sign-in still asks for a code."""
    user = link.user
    spend_reset_links(user.id)  # this one and every other still waiting in the inbox
    user.email_confirmed_at = user.email_confirmed_at or utcnow()  # the link reached them: the address is theirs
    user.password_hash = hash_password(password)
    end_all_sessions(user.id)
    revoke_credentials(user.id, "password reset")
    audit.record(audit.ALTERATION, "user", user.id, user_id=user.id, change="password reset by link")
    return user
