from flask import Blueprint

bp = Blueprint("calendars", __name__, url_prefix="/calendars")

from portal.blueprints.calendars import routes  # noqa: E402, F401
