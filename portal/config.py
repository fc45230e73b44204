"""Configuration classes. Secrets come only from the environment."""

import os
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
WEAK_SECRET_KEYS = {"", "dev", "change-me", "secret", "development-only-not-secret"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15000
    SQLITE_SYNCHRONOUS = "FULL"  # every commit reaches the disk before it returns
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own timeouts
    SESSION_COOKIE_NAME = "kcpo_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # Key rotation: old keys, comma-separated, still accepted for cookies; anything they signed is re-signed.
    SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
    # Proxies in front of the app that append X-Forwarded-For/-Proto (0: trust no forwarded header).
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
    HSTS_ALWAYS = False  # HSTS on every response, not just https ones (set where TLS ends at a proxy)
    IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30")))
    ABSOLUTE_TIMEOUT = timedelta(hours=12)
    INVITATION_LIFETIME = timedelta(days=7)
    PASSWORD_RESET_LIFETIME = timedelta(hours=1)
    # Changing a password, the authenticator or someone's role needs the password and a code given this recently.
    REAUTHENTICATION_WINDOW = timedelta(minutes=5)
    PAGE_SIZE = 20
    # No request body above this is read (413): forms are small. The ORUK upload has its own, larger limit.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # `flask oruk import` refuses a file above this: parsing JSON takes ten or more times the file's size in memory.
    # A partner's upload: at most this many services, imported within this many seconds (else nothing is saved).
    ORUK_UPLOAD_MAX_SERVICES = int(os.environ.get("ORUK_UPLOAD_MAX_SERVICES", "500"))
    ORUK_UPLOAD_SECONDS = float(os.environ.get("ORUK_UPLOAD_SECONDS", "20"))
    ORUK_IMPORT_MAX_FILE_BYTES = int(os.environ.get("ORUK_IMPORT_MAX_FILE_MB", "50")) * 1024 * 1024
    # Where attempt counters live (sign-in guesses, API calls): redis://host:port/db whenever more than one
    # worker runs, so every worker sees the same counts; memory:// counts in this process only.
    RATE_LIMIT_STORAGE_URI = os.environ.get("RATE_LIMIT_STORAGE_URI") or (
        os.environ["REDIS_URL"] if os.environ.get("REDIS_URL") else "memory://"
    )
    RATE_LIMIT_KEY_PREFIX = "kcpo"
    # An API token stops working this long after it is made; its owner makes a new one.
    API_TOKEN_LIFETIME = timedelta(days=int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "90")))
    API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "300"))  # per token; 0 turns it off
    CATALOGUE_REBUILD_IN_BACKGROUND = True
    ACCESS_REASON_REQUIRED = True
    # A woken audit-chain linker waits this long to gather the events of the requests that follow (a pass costs the
    # same few statements however many events it links).
    AUDIT_LINK_DELAY_SECONDS = 1.0
    SERVICE_NAME = "KCPO partner portal"
    # Who people write to about their account or organisation (shown on the waiting-for-approval and link pages),
    # and how many working days an administrator usually takes to decide on a newly registered organisation.
    SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "portal-support@kcpo.example.org")
    APPROVAL_WORKING_DAYS = int(os.environ.get("APPROVAL_WORKING_DAYS", "5"))
    LOG_JSON = False
    TESTING = False
    # Email: the outbox sender (`flask outbox send` / `flask outbox run`) delivers through this SMTP server.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_STARTTLS = os.environ.get("MAIL_USE_STARTTLS", "").lower() in {"1", "true", "yes", "on"}
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "KCPO partner portal <no-reply@kcpo-portal.invalid>")
    MAIL_TIMEOUT_SECONDS = int(os.environ.get("MAIL_TIMEOUT_SECONDS", "30"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    MAIL_BACKOFF_CAP_MINUTES = int(os.environ.get("MAIL_BACKOFF_CAP_MINUTES", "60"))
    # Links in emails: this origin plus the page's path (paths alone when unset).
    MAIL_LINK_BASE_URL = os.environ.get("MAIL_LINK_BASE_URL", "")


class DevelopmentConfig(Config):
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-0123456789"  # the test suite's own  # nosec B105
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # argon2 at full strength makes every sign-in in the suite slow; tests use a cheap profile.
    ARGON2_FAST = True
    CATALOGUE_REBUILD_IN_BACKGROUND = False  # tests see each change at once
    AUDIT_LINK_DELAY_SECONDS = 0.0  # each test's events are linked at once, so the next test never waits for them
    # A test database is thrown away: its commits need not wait for the disk (the same rows, the same locks).
    SQLITE_SYNCHRONOUS = "OFF"
    # The reason-for-access step has its own tests (tests/audit); other tests open subject pages directly.
    ACCESS_REASON_REQUIRED = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-kcpo_session"
    LOG_JSON = True
    PREFERRED_URL_SCHEME = "https"
    HSTS_ALWAYS = True
    DEBUG = False


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def config_from_environment() -> type[Config]:
    return CONFIGS[os.environ.get("PORTAL_ENV", "development")]


def refuse_unsafe_production(config: dict) -> None:
    """Production must never start with a guessable key or on the embedded database."""
    key = config.get("SECRET_KEY") or ""
    if key in WEAK_SECRET_KEYS or len(key) < 32:
        raise RuntimeError("Production needs SECRET_KEY set to a random value of at least 32 characters.")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        raise RuntimeError("Production needs DATABASE_URL pointing at PostgreSQL, not SQLite.")
