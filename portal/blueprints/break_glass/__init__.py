"""Need to know between officers: the question an officer of another borough answers before a subject's record opens
(the rule is portal/web/need_to_know.py)."""

from flask import Blueprint

bp = Blueprint("break_glass", __name__, url_prefix="/subjects")

from portal.blueprints.break_glass import routes  # noqa: E402, F401
