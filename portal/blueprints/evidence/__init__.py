from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

from portal.blueprints.evidence import routes  # noqa: E402, F401
