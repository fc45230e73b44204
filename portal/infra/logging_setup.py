"""Logging: JSON lines in production, each carrying the request's correlation id.

Every line is cleaned first (ASVS 16.2.5, 16.4.1): values of secret-looking fields (passwords, tokens, cookies,
one-time codes) are replaced by [redacted], and CR, LF and other control characters are escaped, so input cannot
forge a log line.
"""

import json
import logging
import re
from datetime import UTC, datetime

from flask import Flask, g, has_request_context


class CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = g.get("correlation_id", "-") if has_request_context() else "-"
        return True


SECRET_NAMES = (  # the names of secrets to redact, not a secret  # nosec B105
    r"password|passwd|pwd|passphrase|secret|api[_-]?key|token|csrf[_-]?token|reset[_-]?token|session[_-]?token"
    r"|authorization|cookie|set-cookie|[\w-]*session|totp|otp|mfa[_-]?code|one[_-]?time[_-]?code"
)
SECRET_VALUE = re.compile(rf"(?i)(\b(?:{SECRET_NAMES})\b[\"']?\s*[:=]\s*)(bearer\s+)?(\"[^\"]*\"|'[^']*'|[^\s,;&]+)")
BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    return {"\r": "\\r", "\n": "\\n", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")


def clean(message: str) -> str:
    """The message with secret values redacted and control characters (CR/LF included) escaped."""
    message = SECRET_VALUE.sub(lambda match: match.group(1) + "[redacted]", message)
    message = BEARER.sub("Bearer [redacted]", message)
    return CONTROL.sub(_escape_control, message)


class CleaningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = clean(record.getMessage()), None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    handler.addFilter(CleaningFilter())
    if app.config.get("LOG_JSON"):
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(correlation_id)s] %(message)s"))
    app.logger.handlers = [handler]
    app.logger.setLevel(logging.INFO)
