"""Security bar items 19 (ASVS 16.5.1, 13.4.2: errors), 20 (13.3.1: secrets) and 21 (15.3.4: proxies).

Also see tests/test_app.py: test_production_refuses_a_weak_secret_key, test_production_refuses_sqlite and
test_a_crash_shows_a_reference_and_no_traceback.
"""

import io
import json

import pytest
from flask import Flask, request

from portal import create_app
from portal.config import ProductionConfig
from portal.web.auth import public
from tests.security.conftest import bandit_findings, production_test_config


def production(**overrides) -> dict:
    settings = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    return (
        settings
        | {"SECRET_KEY": "x" * 48, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1/db"}
        | overrides
    )


# --- 19: errors ---------------------------------------------------------------------------------------------


def test_a_crash_shows_a_reference_also_in_the_json_log_and_nothing_internal(production_app) -> None:
    app: Flask = production_app(PROPAGATE_EXCEPTIONS=False)
    assert app.config["LOG_JSON"] is True
    captured = io.StringIO()
    app.logger.handlers[0].setStream(captured)

    @public
    def explode() -> str:
        raise RuntimeError("SELECT secret FROM subjects WHERE id = 1; /srv/kcpo/portal/secret.py")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode", base_url="https://localhost")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    reference = response.headers["X-Request-Id"]
    assert len(reference) >= 16 and reference in body
    for leak in ("Traceback", "SELECT", "secret", "/srv/", ".py", "RuntimeError", 'File "'):
        assert leak not in body, leak
    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.strip()]
    crash = [line for line in lines if line["level"] == "ERROR"]
    assert crash and crash[0]["correlation_id"] == reference
    assert "RuntimeError" in crash[0]["exception"]  # the detail is in the log, for support, not on the page


def test_a_callers_request_id_is_used_only_when_it_is_plainly_an_id(client) -> None:
    assert client.get("/", headers={"X-Request-Id": "abc123-DEF.456_x"}).headers["X-Request-Id"] == "abc123-DEF.456_x"
    injected = client.get("/", headers={"X-Request-Id": "<script>x</script>"}).headers["X-Request-Id"]
    assert "<" not in injected and len(injected) == 32


def test_production_has_debug_off() -> None:
    assert ProductionConfig.DEBUG is False
    assert create_app(production()).debug is False


# --- 20: secrets --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "development-only-not-secret", "change-me", "short-but-random-9f3a"])
def test_production_refuses_a_missing_default_or_short_secret_key(key: str | None) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production(SECRET_KEY=key))


def test_production_refuses_sqlite() -> None:
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        create_app(production(SQLALCHEMY_DATABASE_URI="sqlite:///portal.sqlite3"))


def test_secret_key_fallbacks_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import portal.config

    monkeypatch.setenv("SECRET_KEY_FALLBACKS", "old-key-one,old-key-two")
    reloaded = importlib.reload(portal.config)
    try:
        assert reloaded.Config.SECRET_KEY_FALLBACKS == ["old-key-one", "old-key-two"]
    finally:
        monkeypatch.delenv("SECRET_KEY_FALLBACKS")
        importlib.reload(portal.config)


# --- 21: proxies --------------------------------------------------------------------------------------------


def _address_app(database_url: str, **overrides) -> Flask:
    app = create_app(production_test_config(database_url, **overrides))

    @public
    def whoami() -> dict:
        return {"ip": request.remote_addr, "scheme": request.scheme}

    app.add_url_rule("/whoami", "whoami", whoami)
    return app


def test_behind_one_trusted_proxy_a_spoofed_extra_hop_is_ignored(database_url: str) -> None:
    app = _address_app(database_url, TRUSTED_PROXY_HOPS=1)
    client = app.test_client()
    # The client sends its own X-Forwarded-For; the one trusted proxy appends the address it saw.
    response = client.get(
        "/whoami",
        headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.json == {"ip": "203.0.113.7", "scheme": "https"}
    _dispose(app)


def test_without_trusted_proxies_forwarded_headers_are_ignored(database_url: str) -> None:
    app = _address_app(database_url)
    response = app.test_client().get(
        "/whoami", headers={"X-Forwarded-For": "6.6.6.6"}, environ_base={"REMOTE_ADDR": "198.51.100.9"}
    )
    assert response.json["ip"] == "198.51.100.9"
    _dispose(app)


def _dispose(app: Flask) -> None:
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()


def test_bandit_finds_no_debug_server_and_no_hard_coded_secret() -> None:
    """19 and 20: no Flask app run with debug=True (B201) and no password or key written into the code (B105-B107)."""
    found = [r for r in bandit_findings() if r["test_id"] in {"B201", "B105", "B106", "B107"}]
    assert found == [], [(r["test_id"], r["filename"], r["line_number"]) for r in found]
