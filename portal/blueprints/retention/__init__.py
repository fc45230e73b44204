from flask import Blueprint

bp = Blueprint("retention", __name__, url_prefix="/retention")

from portal.blueprints.retention import routes  # noqa: E402, F401
