"""Security bar item 14 (ASVS 3.5.1, 3.5.3; 4.0.3 4.2.2): CSRF on every state-changing browser route, and reads
that never change state.

Routes are found by walking `app.url_map`, so a route added later is covered without touching this file. The JSON
API under /api/ is left out: it takes bearer tokens, sets no cookies, and has its own tests.
"""

from flask import Flask
from werkzeug.exceptions import HTTPException

from tests.security.conftest import (
    READ_SIDE_EFFECT_TABLES,
    Collect,
    World,
    csrf_token_from,
    get_rules,
    mutating_rules,
    path_for,
    roles_for,
    table_counts,
)

CSRF_LOGGED = "CSRF check failed"


def _csrf_rejections(log: Collect) -> int:
    return sum(CSRF_LOGGED in message for message in log.messages())


def _assert_refused(response, path: str) -> None:
    assert response.status_code in (303, 400), f"{path}: {response.status_code}"
    if response.status_code == 303:
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//"), f"{path}: sent off-site to {location}"


def test_there_are_state_changing_routes_to_check(app: Flask) -> None:
    rules = mutating_rules(app)
    assert len(rules) > 40
    assert {"auth.sign_in", "auth.sign_out", "subjects.subject_new", "referrals.accept"} <= {r.endpoint for r in rules}


def test_every_state_changing_route_refuses_a_post_without_a_token_or_with_another_sessions(
    world: World, app_log: Collect
) -> None:
    app = world.app
    app.config["WTF_CSRF_ENABLED"] = True
    # A real token, from a different browser session.
    stranger = app.test_client()
    foreign_token = csrf_token_from(stranger.get("/sign-in"))
    before = table_counts(app, exclude={"auth_sessions"})
    checked = 0
    for rule in mutating_rules(app):
        roles = roles_for(app, rule)
        client = world.client_for(roles[0] if roles else None)
        path = path_for(rule, world.ids)
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            for data in ({"version": "1"}, {"version": "1", "csrf_token": foreign_token}):
                seen = _csrf_rejections(app_log)
                response = client.open(path, method=method, data=data)
                _assert_refused(response, f"{method} {path} {sorted(data)}")
                assert _csrf_rejections(app_log) == seen + 1, f"{method} {path}: not refused by the CSRF check"
                checked += 1
    assert table_counts(app, exclude={"auth_sessions"}) == before  # nothing written, not even an audit row
    assert checked >= 2 * len(mutating_rules(app))


def test_with_its_own_token_the_same_post_gets_past_the_csrf_check(world: World, app_log: Collect) -> None:
    """The control for the test above: it fails for the token, not because the route is unreachable."""
    app = world.app
    app.config["WTF_CSRF_ENABLED"] = True
    for rule in mutating_rules(app):
        roles = roles_for(app, rule)
        client = world.client_for(roles[0] if roles else None)
        token = csrf_token_from(client.get("/sign-in" if not roles else "/home", follow_redirects=True))
        seen = _csrf_rejections(app_log)
        path = path_for(rule, world.ids)
        if rule.endpoint == "auth.sign_out":
            continue  # would end the session the other routes use; covered by the sign-out tests
        client.post(path, data={"version": "1", "csrf_token": token})
        assert _csrf_rejections(app_log) == seen, f"POST {path} refused with the session's own token"


def test_the_csrf_refusal_never_redirects_off_site(world: World) -> None:
    world.app.config["WTF_CSRF_ENABLED"] = True
    client = world.client_for("officer")
    for referrer in ("https://evil.example/phish", "//evil.example/", "javascript:alert(1)"):
        response = client.post("/subjects/new", data={}, headers={"Referer": referrer})
        assert response.status_code == 303
        assert response.headers["Location"] == "/", referrer
    same_site = client.post("/subjects/new", data={}, headers={"Referer": "http://localhost/subjects/new"})
    assert same_site.headers["Location"] == "/subjects/new"


def test_no_get_route_writes_to_the_database(world: World) -> None:
    """Every signed-in GET route, for every role allowed on it: table counts are unchanged apart from the audit
    trail, session last-seen times and saved searches."""
    app = world.app
    visited = 0
    for role in ("officer", "partner", "admin"):
        client = world.client_for(role)
        for rule in get_rules(app):
            roles = roles_for(app, rule)
            if roles and role not in roles:
                continue
            if not roles and role != "officer":
                continue  # public pages: once is enough
            path = path_for(rule, world.ids)
            before = table_counts(app, exclude=READ_SIDE_EFFECT_TABLES)
            response = client.get(path)
            assert response.status_code < 500, f"GET {path} as {role}: {response.status_code}"
            assert table_counts(app, exclude=READ_SIDE_EFFECT_TABLES) == before, f"GET {path} as {role} wrote rows"
            visited += 1
    assert visited > 40


def test_state_changing_endpoints_do_not_answer_get(app: Flask) -> None:
    """A route that only changes state takes no GET at all (a GET there is 405, shown as not found)."""
    client = app.test_client()
    for rule in mutating_rules(app):
        if "GET" in rule.methods:
            continue  # a form page: GET shows the form, POST submits it
        same_path_get = [
            other for other in app.url_map.iter_rules() if other.rule == rule.rule and "GET" in other.methods
        ]
        if same_path_get:
            continue  # another endpoint shows this path (directory and subject search: POST saves, GET shows)
        path = path_for(rule, {})
        if _answers_get(app, path):
            continue  # a confirmation page at the same address: GET asks "are you sure?", POST does it
        response = client.get(path)
        assert response.status_code in (404, 405), f"GET {rule.rule}: {response.status_code}"


def _answers_get(app: Flask, path: str) -> bool:
    """Whether another endpoint answers a GET of this very address (such as /admin/users/1/disable)."""
    try:
        app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return False
    return True
