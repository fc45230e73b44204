from flask import Blueprint

bp = Blueprint("subjects", __name__, url_prefix="/subjects")

from portal.blueprints.subjects import routes  # noqa: E402, F401
