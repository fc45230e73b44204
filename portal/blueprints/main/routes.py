from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.main import bp
from portal.models import OrganisationStatus, Role
from portal.web.auth import may_use, public, signed_in

HOME_BY_ROLE = {
    Role.OFFICER: "dashboard.home",
    Role.PARTNER: "referrals.referrals_list",
    Role.ADMIN: "admin.organisations_list",
    Role.AUDITOR: "audit.events",
}


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/index.html")


@bp.get("/home")
@signed_in
def home() -> ResponseReturnValue:
    home_page = HOME_BY_ROLE[current_user.role]
    if not may_use(home_page):  # a partner whose organisation is waiting for approval, or was not approved
        waiting = current_user.organisation and current_user.organisation.status == OrganisationStatus.PENDING
        home_page = "partners.registered" if waiting else "partners.organisation"
    return redirect(url_for(home_page))


@bp.get("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    return render_template("main/accessibility.html")


@bp.get("/privacy")
@public
def privacy() -> ResponseReturnValue:
    return render_template("main/privacy.html")


@bp.get("/health")
@public
def health() -> ResponseReturnValue:
    return {"status": "ok"}
