from flask import Blueprint

bp = Blueprint("noncompliance", __name__, url_prefix="/reports")

from portal.blueprints.noncompliance import routes  # noqa: E402, F401
