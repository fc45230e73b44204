from datetime import date

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.access_reason import shows_personal_data
from portal.auth import officer_required
from portal.blueprints.dashboard import bp
from portal.data.dashboard import officer_dashboard


@bp.get("/")
@officer_required
@shows_personal_data
def home() -> ResponseReturnValue:
    return render_template("dashboard/home.html", board=officer_dashboard(current_user.id, date.today()))
