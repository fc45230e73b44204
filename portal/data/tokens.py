"""Personal API tokens: created and revoked by their owner, stored only as a hash, shown once."""

import secrets

from flask import abort, current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.data import audit
from portal.extensions import db
from portal.infra.passwords import token_hash
from portal.models import ApiToken, User, utcnow

TOKEN_PREFIX = "kcpo_"  # lets secret scanners and people recognise a leaked token  # nosec B105
MAX_TOKENS_PER_USER = 10
LAST_USED_RESOLUTION_SECONDS = 60


class TooManyTokens(Exception):
    """The user already holds the most live tokens allowed."""


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def live_tokens(user_id: int) -> list[ApiToken]:
    """The user's tokens that still work: not revoked and not expired."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(user_id: int, name: str) -> tuple[ApiToken, str]:
    """A new token for the user, working for API_TOKEN_LIFETIME; the plain token is returned once and never stored."""
    if len(live_tokens(user_id)) >= MAX_TOKENS_PER_USER:
        raise TooManyTokens()
    plain = new_api_token()
    expires_at = utcnow() + current_app.config["API_TOKEN_LIFETIME"]
    token = ApiToken(
        token_hash=token_hash(plain), user_id=user_id, name=name.strip(), prefix=plain[:12], expires_at=expires_at
    )
    db.session.add(token)
    db.session.flush()
    audit.record(audit.ALTERATION, "user", user_id, change="api token created", token_id=token.id)
    return token, plain


def revoke_token(user_id: int, token_id: int) -> None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    if token is None or token.revoked_at is not None:
        abort(404)
    token.revoked_at = utcnow()
    audit.record(audit.ALTERATION, "user", user_id, change="api token revoked", token_id=token.id)


def user_for_token(plain: str) -> tuple[ApiToken, User] | None:
    """The live token and its enabled owner, or None (unknown, revoked or expired); notes when it was last used (to
    the minute)."""
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == token_hash(plain))
        # The owner and their organisation come with the token: every API call needs both (role, scoping, status).
        .options(joinedload(ApiToken.user, innerjoin=True).joinedload(User.organisation))
    )
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now or token.user.is_disabled:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        token.last_used_at = now
    return token, token.user
