from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from portal.blueprints.dashboard import routes  # noqa: E402, F401
