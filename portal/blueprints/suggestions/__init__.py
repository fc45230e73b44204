from flask import Blueprint

bp = Blueprint("suggestions", __name__, url_prefix="/subjects")

from portal.blueprints.suggestions import routes  # noqa: E402, F401
