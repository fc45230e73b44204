from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.dashboard import bp
from portal.data.dashboard import officer_dashboard
from portal.rules.schedule import london_today
from portal.web.access_reason import shows_personal_data
from portal.web.auth import officer_required


@bp.get("/")
@officer_required
@shows_personal_data
def home() -> ResponseReturnValue:
    return render_template("dashboard/home.html", board=officer_dashboard(current_user.id, london_today()))
