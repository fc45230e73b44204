"""The account page: a signed-in user creates API tokens (shown once, stored hashed) and revokes them."""

import re

from sqlalchemy import select

from portal.extensions import db
from portal.infra.passwords import token_hash
from portal.models import ApiToken, AuditEvent
from tests.utils import page


def create(client, name: str = "Case sync"):
    return client.post("/account/api-tokens", data={"name": name})


def test_the_account_page_needs_signing_in(client) -> None:
    response = client.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_token_is_shown_once_stored_hashed_and_works_until_revoked(app, client, sign_in) -> None:
    user_id = sign_in(client, "officer")
    created = create(client)
    assert created.status_code == 201
    plain = page(created).select_one("#token-value").get_text(strip=True)
    assert re.fullmatch(r"kcpo_[A-Za-z0-9_-]{43}", plain)
    again = client.get("/account").get_data(as_text=True)
    assert plain not in again and "Case sync" in again and plain[:12] in again
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
        assert token.token_hash == token_hash(plain)
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.detail["token_id"].as_integer() == token.id))
        token_id = token.id
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).json["id"] == user_id
    revoked = client.post(f"/account/api-tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert "You have no API tokens" in client.get("/account").get_data(as_text=True)


def test_a_token_needs_a_name(client, sign_in) -> None:
    sign_in(client, "partner")
    response = create(client, "")
    assert response.status_code == 400
    assert "Enter a name for the token" in page(response).get_text()


def test_no_one_revokes_someone_elses_token(app, client, sign_in, make) -> None:
    from tests.api.conftest import issue_token

    other = make.user("officer")
    plain = issue_token(app, other)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == other))
    sign_in(client, "officer")
    assert client.post(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


def test_the_command_line_creates_a_token_for_an_account(app, make) -> None:
    user_id = make.user("partner", organisation_id=make.organisation(), email="coach@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api", "create-token", "--email", "Coach@Example.org", "--name", "Demo script"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip()
    assert re.fullmatch(r"kcpo_[A-Za-z0-9_-]{43}", plain)
    answer = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert answer.status_code == 200 and answer.json["id"] == user_id
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
        assert (token.name, token.token_hash) == ("Demo script", token_hash(plain))
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert (event.record_type, event.record_id, event.detail["change"]) == ("user", user_id, "api token created")
    unknown = runner.invoke(args=["api", "create-token", "--email", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no account with the email address nobody@example.org" in unknown.output
