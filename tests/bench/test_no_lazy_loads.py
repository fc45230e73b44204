"""Issue #17: no page loads a relationship lazily. Each relationship a page reads is declared lazy="raise" in
portal/models.py and loaded explicitly by the query in portal/data/ that fetches its rows, so a template or view
that reaches for one the query did not bring fails (a 500 here) instead of quietly costing a statement per row.

The walk covers every page of the page-cost benchmark (as tests/bench/test_html_identity.py renders them) and every
page without path arguments of each role, on the demo seed. A listener also fails the walk on any lazy load of a
relationship still left lazy (one not read by pages), so a new lazy read is caught whichever relationship it uses.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from portal.models import Base, Role
from tests.bench.test_html_identity import frozen_app, render_pages, signed_in  # noqa: F401 - the fixture is used
from tests.utils import pages_for

ROLE_ACCOUNTS = {
    Role.OFFICER: "officer@met.example.org",
    Role.ADMIN: "admin@kcpo.example.org",
    Role.AUDITOR: "auditor@kcpo.example.org",
}
# Pages that answer a GET with a form's POST-only action, or leave the session: not pages to read.
NOT_READ = {"auth.sign_out"}


@contextmanager
def lazy_loads() -> Iterator[list[str]]:
    """Every relationship lazily loaded while inside: 'Model.relationship'."""
    found: list[str] = []

    def note(state: ORMExecuteState) -> None:
        if state.is_relationship_load and state.lazy_loaded_from is not None:
            page = request.path if has_request_context() else "outside a request"
            *_, mapper, relationship = state.loader_strategy_path.natural_path
            found.append(f"{page}: {mapper.class_.__name__}.{relationship.key}")

    event.listen(Session, "do_orm_execute", note)
    try:
        yield found
    finally:
        event.remove(Session, "do_orm_execute", note)


def paths_without_arguments(app: Flask, role: Role) -> list[str]:
    return sorted(
        {
            rule.rule
            for rule, method in pages_for(app, role)
            if method == "GET" and not rule.arguments and rule.endpoint not in NOT_READ
        }
    )


def test_relationships_read_by_pages_raise_when_loaded_lazily() -> None:
    read_by_pages = {"User.organisation", "AuthSession.user", "ApiToken.user"}
    declared = {
        f"{mapper.class_.__name__}.{relationship.key}": relationship.lazy
        for mapper in Base.registry.mappers
        for relationship in mapper.relationships
    }
    assert {name: declared[name] for name in read_by_pages} == dict.fromkeys(read_by_pages, "raise")


def test_no_page_of_the_benchmark_loads_a_relationship_lazily(frozen_app: Flask) -> None:  # noqa: F811
    with lazy_loads() as found:
        pages = render_pages(frozen_app)
    assert not [name for name, text in pages.items() if text.startswith("500")]
    assert not found, "lazy loads:\n" + "\n".join(sorted(set(found)))


@pytest.mark.parametrize("role", [Role.OFFICER, Role.PARTNER, Role.ADMIN, Role.AUDITOR])
def test_no_page_of_a_role_loads_a_relationship_lazily(frozen_app: Flask, role: Role) -> None:  # noqa: F811
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import User

    with frozen_app.app_context():
        email = ROLE_ACCOUNTS.get(role) or db.session.scalar(
            select(User.email).where(User.email.like("partner@%")).order_by(User.id)
        )
    client = signed_in(frozen_app, email)
    paths = paths_without_arguments(frozen_app, role)
    assert len(paths) >= 3
    failed = {}
    with lazy_loads() as found:
        for path in paths:
            response = client.get(path)
            if response.status_code >= 500:
                failed[path] = response.status_code
    assert failed == {}
    assert not found, "lazy loads:\n" + "\n".join(sorted(set(found)))
