"""Bearer tokens only: no cookie ever reaches the API; roles and organisations as on the pages; a rate limit that
holds across workers."""

import os
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import ApiToken, Programme
from tests.api.conftest import Api, issue_token
from tests.api.helpers import PROGRAMME


def test_no_token_is_401_with_the_error_shape(client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json["error"]) >= {"code", "message", "fields"}
    assert response.json["error"]["code"] == "unauthenticated"


def test_a_signed_in_session_cookie_alone_gets_401(client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.get("/subjects/").status_code == 200  # the cookie works on the pages...
    for path in ("/api/v1/me", "/api/v1/subjects", "/api/v1/nowhere"):
        response = client.get(path)
        assert response.status_code == 401, path  # ...and never on the API
        assert "Set-Cookie" not in response.headers


def test_api_answers_set_no_cookie_even_when_forms_are_built(officer: Api) -> None:
    response = officer.post("/subjects", json={"reference": ""})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers


def test_wrong_malformed_and_revoked_tokens_are_401(app, api_for) -> None:
    partner = api_for("partner")
    for header in ("Bearer not-a-token", "Basic abc", "Bearer", "bearer " + "x" * 500):
        assert partner.client.get("/api/v1/me", headers={"Authorization": header}).status_code == 401
    assert partner.get("/me").status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == partner.user_id))
        assert token.token_hash != partner.token and partner.token not in token.token_hash  # stored hashed
        assert token.last_used_at is not None
    with app.test_request_context():
        from portal.data import tokens

        tokens.revoke_token(partner.user_id, token.id)
        db.session.commit()
    assert partner.get("/me").status_code == 401


def test_a_disabled_users_token_stops_working(app, api_for) -> None:
    officer = api_for("officer")
    with app.app_context():
        from portal.models import User, utcnow

        db.session.get(User, officer.user_id).disabled_at = utcnow()
        db.session.commit()
    assert officer.get("/me").status_code == 401


def test_roles_reach_only_their_own_resources(officer: Api, partner: Api, api_for) -> None:
    admin = api_for("admin")
    assert officer.get("/programmes").status_code == 403  # the partner's own list
    assert officer.post("/venues", json={}).status_code == 403
    assert partner.get("/subjects").status_code == 403
    assert partner.post("/matching", json={"subject_id": 1}).status_code == 403
    assert partner.get("/reports").status_code == 403
    assert admin.get("/subjects").status_code == 403
    assert admin.get("/me").json["role"] == "admin"
    assert partner.get("/subjects").json["error"]["code"] == "forbidden"


def test_a_partner_never_reaches_another_organisations_records(make, api_for) -> None:
    theirs = make.organisation()
    programme_id = make.programme(theirs, sessions=1, title="Their Programme")
    session_id = make.session_ids(programme_id)[0]
    venue_id = make.get(Programme, programme_id) and make.venue(theirs)
    partner = api_for("partner", organisation_id=make.organisation())
    assert partner.get(f"/programmes/{programme_id}").status_code == 404
    assert (
        partner.patch(f"/programmes/{programme_id}", json={"title": "x"}, headers={"If-Match": "*"}).status_code == 404
    )
    assert partner.delete(f"/sessions/{session_id}").status_code == 404
    assert partner.patch(f"/venues/{venue_id}", json={"name": "Hijacked"}).status_code == 404
    assert "Their Programme" not in partner.get("/programmes").get_data(as_text=True)
    # and attaching their venue to an own programme is refused as the session form refuses it
    own = partner.post("/programmes", json=PROGRAMME).json["id"]
    response = partner.post(
        f"/programmes/{own}/sessions",
        json={
            "venue_id": venue_id,
            "weekday": 1,
            "start_time": "17:00",
            "end_time": "18:00",
            "term_start": "2026-09-01",
        },
    )
    assert response.status_code == 400
    assert response.json["error"]["fields"]["venue_id"] == "Select the venue"


def test_officers_read_only_approved_unarchived_programmes(make, officer: Api) -> None:
    approved = make.programme(make.organisation(), sessions=1)
    pending = make.programme(make.organisation(status="pending"), sessions=1)
    archived = make.programme(make.organisation(), sessions=1, status="archived")
    assert officer.get(f"/programmes/{approved}").status_code == 200
    assert officer.get(f"/programmes/{pending}").status_code == 404
    assert officer.get(f"/programmes/{archived}").status_code == 404


def test_each_token_is_rate_limited(app, api_for) -> None:
    app.config["API_RATE_LIMIT_PER_MINUTE"] = 3
    partner = api_for("partner")
    statuses = [partner.get("/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = partner.get("/me")
    assert limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    other = Api(app.test_client(), issue_token(app, partner.user_id, "second"), partner.user_id)
    assert other.get("/me").status_code == 200  # per token


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_unavailable_reason() -> str | None:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure means the server is not usable here
        return f"Redis is not reachable at {TEST_REDIS_URL} (set TEST_REDIS_URL): {type(error).__name__}"
    return None


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the shared Redis (parallel runs never collide), removed afterwards."""
    reason = redis_unavailable_reason()
    if reason:
        pytest.skip(reason)
    import redis

    prefix = f"kcpo-test-{uuid.uuid4().hex}"
    yield prefix
    server = redis.Redis.from_url(TEST_REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.fixture
def two_workers(app: Flask, redis_prefix: str) -> Iterator[list[FlaskClient]]:
    """Two more app instances over the test's database, as two gunicorn workers, counting in the same Redis."""
    shared = {
        "RATE_LIMIT_STORAGE_URI": TEST_REDIS_URL,
        "RATE_LIMIT_KEY_PREFIX": redis_prefix,
        "API_RATE_LIMIT_PER_MINUTE": 4,
    }
    config = {key: value for key, value in app.config.items() if key.isupper()} | shared
    workers = [create_app(config) for _ in range(2)]
    yield [worker.test_client() for worker in workers]
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()


def test_two_workers_on_one_redis_share_each_tokens_limit(app, make, two_workers: list[FlaskClient]) -> None:
    workers = two_workers
    token = issue_token(app, make.user("partner", organisation_id=make.organisation()))
    headers = {"Authorization": f"Bearer {token}"}

    answers = [workers[call % 2].get("/api/v1/me", headers=headers) for call in range(5)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["3", "2", "1", "0", "0"]
    limited = answers[-1]
    assert limited.json["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert limited.headers["X-RateLimit-Limit"] == "4"
    assert workers[1].get("/api/v1/me", headers=headers).status_code == 429  # whichever worker answers
    other = issue_token(app, make.user("officer"))
    assert workers[0].get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_unknown_paths_and_methods_are_json(officer: Api) -> None:
    missing = officer.get("/no-such-thing")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = officer.delete("/subjects")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert officer.get("/subjects/99999999999999").status_code == 404  # beyond an id: not found, no overflow


def test_options_is_no_way_round_the_token(client, officer: Api) -> None:
    for path in ("/api/v1/subjects", "/api/v1/programmes/1/pause", "/api/v1/openapi.json"):
        assert client.open(path, method="OPTIONS").status_code == 401, path
    allowed = officer.client.open(
        "/api/v1/subjects", method="OPTIONS", headers={"Authorization": f"Bearer {officer.token}"}
    )
    assert allowed.status_code == 405
    assert set(allowed.headers["Allow"].split(", ")) >= {"GET", "POST"}
