"""Counting attempts across every worker: sign-in guesses per account, API calls per token.

Counts live where `RATE_LIMIT_STORAGE_URI` says: Redis (`redis://…`) whenever several workers run, so a limit
holds whichever worker answers; `memory://` counts in this process only (one process, and tests). Keys are
hashed before they are stored, so no email address ends up in Redis."""

import hashlib
import time
from dataclasses import dataclass

from flask import Flask, current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Limit:
    """At most `amount` attempts in any `seconds`-long window, counted separately per `scope`."""

    scope: str
    amount: int
    seconds: int

    def item(self) -> RateLimitItemPerSecond:
        return RateLimitItemPerSecond(self.amount, self.seconds, namespace=self.scope)


@dataclass(frozen=True)
class Window:
    remaining: int
    retry_after_seconds: int


def init_app(app: Flask) -> None:
    storage = storage_from_string(app.config["RATE_LIMIT_STORAGE_URI"], key_prefix=app.config["RATE_LIMIT_KEY_PREFIX"])
    app.extensions["throttle"] = MovingWindowRateLimiter(storage)


def _limiter() -> MovingWindowRateLimiter:
    return current_app.extensions["throttle"]


def _key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def hit(limit: Limit, key: str) -> bool:
    """Count one attempt; False when it goes over the limit."""
    return _limiter().hit(limit.item(), _key(key))


def blocked(limit: Limit, key: str) -> bool:
    """True when the limit is used up, without counting an attempt."""
    return not _limiter().test(limit.item(), _key(key))


def window(limit: Limit, key: str) -> Window:
    stats = _limiter().get_window_stats(limit.item(), _key(key))
    return Window(remaining=stats.remaining, retry_after_seconds=max(1, int(stats.reset_time - time.time()) + 1))


def clear(limit: Limit, key: str) -> None:
    _limiter().clear(limit.item(), _key(key))
