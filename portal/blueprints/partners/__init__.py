from flask import Blueprint

bp = Blueprint("partners", __name__)

from portal.blueprints.partners import programme_tasks, routes  # noqa: E402, F401
