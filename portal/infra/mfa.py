"""The second factor: time-based codes from an authenticator app (RFC 6238) and single-use recovery codes.

Pure functions: the caller keeps the secret and the last accepted time step, and stores recovery codes as hashes."""

import hmac
import secrets
import time

import pyotp
import segno
from markupsafe import Markup

STEP_SECONDS = 30
ALLOWED_DRIFT_STEPS = 1  # a code from the step before or after now is accepted; nothing further out
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy from paper


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def qr_code_svg(uri: str, title: str) -> Markup:
    """The set-up address as an inline SVG QR code, drawn here (no external service sees the secret)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff", title=title)
    # segno draws this SVG itself; the set-up address is only in the encoded path data and the title is ours.
    return Markup(svg)  # nosec B704


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).at(step * STEP_SECONDS)


def accepted_step(secret: str, code: str, last_used_step: int | None, now: float | None = None) -> int | None:
    """The time step of a valid code: within one step of now and later than the last code used; else None."""
    code = "".join(code.split())
    if len(code) != 6 or not is_plain_digits(code):
        return None
    now_step = current_step(now)
    for step in range(now_step - ALLOWED_DRIFT_STEPS, now_step + ALLOWED_DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue  # this code, or an older one, has been used already
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def is_plain_digits(code: str) -> bool:
    """0 to 9 only: str.isdigit() also accepts full-width and Arabic-Indic digits, which no authenticator shows."""
    return code.isascii() and code.isdigit()


def has_other_digits(code: str) -> bool:
    return any(character.isdigit() and not character.isascii() for character in code)


def new_recovery_codes() -> list[str]:
    """Ten codes like 'k7fq2-9xm4w' (50 bits each)."""
    return [
        "-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def normalise_recovery_code(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


def looks_like_recovery_code(code: str) -> bool:
    return len(normalise_recovery_code(code)) == 10
