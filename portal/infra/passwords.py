"""Password hashing with argon2id and opaque tokens stored only as hashes."""

import hashlib
import secrets
import string
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash

_hashers: dict[bool, PasswordHasher] = {
    False: PasswordHasher(),  # argon2id with the library's RFC 9106 low-memory profile
    True: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}
# Verified against when the account does not exist, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hashers[False].hash("not-a-real-password")


# Hashes an earlier install may hold (Werkzeug's generate_password_hash): accepted once, then rehashed with argon2id.
LEGACY_PREFIXES = ("scrypt:", "pbkdf2:")


def _hasher() -> PasswordHasher:
    return _hashers[bool(current_app.config.get("ARGON2_FAST"))]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash and password_hash.startswith(LEGACY_PREFIXES):
        return check_password_hash(password_hash, password)
    try:
        return _hashers[False].verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """A hash from an older scheme (Werkzeug's scrypt or PBKDF2) or weaker argon2 settings than today's: replace it
    at the next successful sign-in, the only moment the password is known."""
    return password_hash.startswith(LEGACY_PREFIXES) or _hasher().check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Words anyone would try first against this service, on top of the 30,000 most common leaked passwords.
SERVICE_WORDS = frozenset({"kcpo", "kcpoportal", "knifecrime", "knifecrimeprevention", "partnerportal", "police"})
_PADDING = string.digits + string.punctuation + string.whitespace


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # large: loaded on first use, not at import

    return frozenset(FREQUENCY_LISTS["passwords"]) | SERVICE_WORDS


def is_easily_guessed(password: str) -> bool:
    """A common password, perhaps with digits or symbols around it ("Password1234!"), or a run of one or two
    repeated characters. No composition rules: length and this list are the whole policy (NCSC, ASVS 6.2)."""
    lowered = password.lower()
    core = lowered.strip(_PADDING)
    return lowered in _common_passwords() or core in _common_passwords() or len(set(core)) <= 2
