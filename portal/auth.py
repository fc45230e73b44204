"""Who may reach which view. Every view declares an access rule; a view without one is refused."""

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import UserMixin, current_user

from portal.extensions import login_manager
from portal.models import Organisation, Role, User
from portal.safety import same_site_referrer

P = ParamSpec("P")
R = TypeVar("R")

PUBLIC = "public"
ACCESS_RULE = "access_rule"


class SignedInUser(UserMixin):
    """The person behind this request: their account and the server-side session they signed in with."""

    def __init__(self, user: User, session_token: str) -> None:
        self.account = user
        self.session_token = session_token

    def get_id(self) -> str:
        return self.session_token

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def role(self) -> Role:
        return Role(self.account.role)

    @property
    def full_name(self) -> str:
        return self.account.full_name

    @property
    def organisation(self) -> Organisation | None:
        return self.account.organisation

    @property
    def organisation_id(self) -> int | None:
        return self.account.organisation_id

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


def public(view: Callable[P, R]) -> Callable[P, R]:
    setattr(view, ACCESS_RULE, PUBLIC)
    return view


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Signed-in users holding one of these roles; others get the sign-in page (401) or 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_RULE, tuple(roles))
        return wrapper

    return decorator


signed_in = roles_required(*Role)
officer_required = roles_required(Role.OFFICER)
partner_required = roles_required(Role.PARTNER)
admin_required = roles_required(Role.ADMIN)


def recent_sign_in_required(view: Callable[P, R]) -> Callable[P, R]:
    """For sensitive changes (password, authenticator, someone's role): the person must have given their password
    and a code within REAUTHENTICATION_WINDOW, or they are asked to confirm it is them first. Goes under a role
    decorator."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from portal.data import accounts

        window = current_app.config["REAUTHENTICATION_WINDOW"]
        if not accounts.recently_authenticated(current_user.session_token, window):
            # After confirming, a GET page reopens; a button's POST cannot be replayed, so its page reopens instead.
            back_to = request.path if request.method == "GET" else same_site_referrer()
            return redirect(url_for("account.confirm_identity", next=back_to))  # type: ignore[return-value]
        return view(*args, **kwargs)

    return wrapper


def access_rule_of(app: Flask, endpoint: str) -> Any:
    if endpoint == "static":
        return PUBLIC
    return getattr(app.view_functions[endpoint], ACCESS_RULE, None)


def refuse_views_without_access_rule() -> None:
    """Deny by default: a view that forgot its decorator is never reachable."""
    if request.endpoint is None:
        return
    if access_rule_of(current_app, request.endpoint) is None:
        current_app.logger.error("View %s has no access rule; refused", request.endpoint)
        abort(403)


def own_organisation_id() -> int:
    """The partner's organisation: every partner query is scoped by it."""
    organisation_id = current_user.organisation_id
    if organisation_id is None:
        abort(403)
    return organisation_id


def load_signed_in_user(session_token: str) -> SignedInUser | None:
    from portal.data import accounts

    user = accounts.user_for_session(
        session_token, current_app.config["IDLE_TIMEOUT"], current_app.config["ABSOLUTE_TIMEOUT"]
    )
    return SignedInUser(user, session_token) if user else None
