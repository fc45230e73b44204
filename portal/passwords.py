"""Password hashing with argon2id and opaque tokens stored only as hashes."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[bool, PasswordHasher] = {
    False: PasswordHasher(),  # argon2id with the library's RFC 9106 low-memory profile
    True: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}
# Verified against when the account does not exist, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hashers[False].hash("not-a-real-password")


def _hasher() -> PasswordHasher:
    return _hashers[bool(current_app.config.get("ARGON2_FAST"))]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hashers[False].verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
