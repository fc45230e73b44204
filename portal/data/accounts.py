"""Users, their server-side sessions and invitations."""

from datetime import timedelta

from sqlalchemy import func, select, update

from portal.data import audit
from portal.extensions import db
from portal.models import AuthSession, Invitation, Role, User, utcnow
from portal.passwords import hash_password, new_token, token_hash, verify_password

LAST_SEEN_RESOLUTION = timedelta(minutes=1)


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
        select(User).order_by(User.role, User.full_name).offset((page - 1) * per_page).limit(per_page)
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


def authenticate(email: str, password: str) -> User | None:
    """The user whose password matches and who may sign in; None otherwise, taking the same time either way."""
    user = get_user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or user.is_disabled:
        audit.record(audit.SIGN_IN_FAILED, "user", user.id if user else None, user_id=user.id if user else None)
        return None
    return user


def start_session(user: User) -> str:
    token = new_token()
    db.session.add(AuthSession(token_hash=token_hash(token), user_id=user.id))
    user.last_signed_in_at = utcnow()
    audit.record(audit.SIGN_IN, "user", user.id, user_id=user.id, organisation_id=user.organisation_id)
    return token


def end_session(token: str) -> None:
    db.session.execute(update(AuthSession).where(AuthSession.token_hash == token_hash(token)).values(ended_at=utcnow()))


def end_all_sessions(user_id: int) -> None:
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def user_for_session(token: str, idle_timeout: timedelta, absolute_timeout: timedelta) -> User | None:
    """The user of a live session; idle, expired, ended or disabled sessions give None."""
    auth_session = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(token)))
    if auth_session is None or auth_session.ended_at is not None:
        return None
    now = utcnow()
    if now - auth_session.last_seen_at > idle_timeout or now - auth_session.created_at > absolute_timeout:
        return None
    if auth_session.user.is_disabled:
        return None
    if now - auth_session.last_seen_at > LAST_SEEN_RESOLUTION:
        auth_session.last_seen_at = now
    return auth_session.user


def set_disabled(user: User, disabled: bool) -> None:
    user.disabled_at = utcnow() if disabled else None
    if disabled:
        end_all_sessions(user.id)
    audit.record(audit.ALTERATION, "user", user.id, change="disabled" if disabled else "enabled")


def create_invitation(user: User, created_by_id: int, lifetime: timedelta) -> str:
    token = new_token()
    db.session.add(
        Invitation(
            token_hash=token_hash(token), user_id=user.id, created_by_id=created_by_id, expires_at=utcnow() + lifetime
        )
    )
    return token


def usable_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    invitation.used_at = utcnow()
    invitation.user.password_hash = hash_password(password)
    audit.record(audit.ALTERATION, "user", invitation.user_id, user_id=invitation.user_id, change="password set")
    return invitation.user
