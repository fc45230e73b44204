"""Who may reach which view. Every view declares an access rule; a view without one is refused."""

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import UserMixin, current_user
from werkzeug.exceptions import Forbidden

from portal.extensions import login_manager
from portal.models import Organisation, OrganisationStatus, Role, User
from portal.web.safety import same_site_referrer

P = ParamSpec("P")
R = TypeVar("R")

PUBLIC = "public"
ACCESS_RULE = "access_rule"
ORGANISATION_RULE = "organisation_statuses"

# Which partners may use a view, by their organisation's status. Referrals, registers, reports and anything else
# about young people need an approved organisation: suspending, rejecting or not yet approving one cuts its
# partners off at once (default, so a new partner view is closed until someone decides otherwise). A pending
# organisation may set up its listings (programmes, sessions, venues) while it waits; officers see none of them
# until it is approved. Every partner may still read their organisation's page, with its status and the reason.
APPROVED_ONLY = frozenset({OrganisationStatus.APPROVED})
SETTING_UP = frozenset({OrganisationStatus.APPROVED, OrganisationStatus.PENDING})
ANY_STATUS = frozenset(OrganisationStatus)


class SignedInUser(UserMixin):
    """The person behind this request: what every request needs of their account (with their organisation's name
    and status), and the server-side session they signed in with. Built from the session lookup's one row
    (`from_session_row`) or from an account at hand (signing in, API tokens); the full account is loaded only for
    the few pages that need more (`account`)."""

    def __init__(self, user: User, session_token: str) -> None:
        from portal.extensions import db

        # From the session's identity map when the account's query brought it (API tokens), else one primary-key read.
        organisation = db.session.get(Organisation, user.organisation_id) if user.organisation_id is not None else None
        self._set(
            session_token,
            user.id,
            Role(user.role),
            user.full_name,
            user.borough,
            user.organisation_id,
            organisation.name if organisation else None,
            OrganisationStatus(organisation.status) if organisation else None,
        )
        self._account: User | None = user

    @classmethod
    def from_session_row(cls, row: Any, session_token: str) -> "SignedInUser":
        signed_in_user = cls.__new__(cls)
        status = row.organisation_status
        signed_in_user._set(
            session_token,
            row.user_id,
            Role(row.role),
            row.full_name,
            row.borough,
            row.organisation_id,
            row.organisation_name,
            None if status is None else OrganisationStatus(status),
        )
        signed_in_user._account = None
        return signed_in_user

    def _set(
        self,
        session_token: str,
        user_id: int,
        role: Role,
        full_name: str,
        borough: str,
        organisation_id: int | None,
        organisation_name: str | None,
        organisation_status: OrganisationStatus | None,
    ) -> None:
        self.session_token = session_token
        self.id = user_id
        self.role = role
        self.full_name = full_name
        self.borough = borough
        self.organisation_id = organisation_id
        self.organisation_name = organisation_name  # None when the user has no organisation
        self.organisation_status = organisation_status

    def get_id(self) -> str:
        return self.session_token

    @property
    def account(self) -> User:
        """The user's whole account (email, unit, second factor ...), loaded the first time a page asks for it."""
        if self._account is None:
            from portal.extensions import db

            self._account = db.session.get(User, self.id)
        return self._account

    @property
    def organisation(self) -> Organisation | None:
        """The partner's whole organisation, for the pages about it (its name and status are at hand without it)."""
        if self.organisation_id is None:
            return None
        from portal.extensions import db

        return db.session.get(Organisation, self.organisation_id)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


def public(view: Callable[P, R]) -> Callable[P, R]:
    setattr(view, ACCESS_RULE, PUBLIC)
    return view


class OrganisationNotApproved(Forbidden):
    """A partner whose organisation's status does not allow this view (the 403 page says why)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"Your organisation is {status}.")
        self.organisation_status = status


def organisation_status_refused(user: Any, statuses: frozenset[OrganisationStatus]) -> str | None:
    """The partner's organisation status when it is not one of `statuses`; None when the user may go on."""
    if not user.has_role(Role.PARTNER):
        return None
    status = user.organisation_status
    if status is None:
        return "not set up"
    return None if status in statuses else str(status)


def roles_required(
    *roles: Role, organisations: frozenset[OrganisationStatus] = APPROVED_ONLY
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Signed-in users holding one of these roles (partners: of an organisation in one of these statuses); others
    get the sign-in page (401) or 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            refused_status = organisation_status_refused(current_user, organisations)
            if refused_status is not None:
                raise OrganisationNotApproved(refused_status)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_RULE, tuple(roles))
        setattr(wrapper, ORGANISATION_RULE, organisations)
        return wrapper

    return decorator


signed_in = roles_required(*Role, organisations=ANY_STATUS)
officer_required = roles_required(Role.OFFICER)
partner_required = roles_required(Role.PARTNER)
partner_setting_up = roles_required(Role.PARTNER, organisations=SETTING_UP)
partner_any_status = roles_required(Role.PARTNER, organisations=ANY_STATUS)
admin_required = roles_required(Role.ADMIN)


def may_use(endpoint: str) -> bool:
    """Whether the signed-in user's organisation status lets them use the view (for links and navigation)."""
    statuses = getattr(current_app.view_functions[endpoint], ORGANISATION_RULE, ANY_STATUS)
    return organisation_status_refused(current_user, statuses) is None


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

    row = accounts.signed_in_row(
        session_token, current_app.config["IDLE_TIMEOUT"], current_app.config["ABSOLUTE_TIMEOUT"]
    )
    return SignedInUser.from_session_row(row, session_token) if row else None
