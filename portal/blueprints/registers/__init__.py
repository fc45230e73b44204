from flask import Blueprint

bp = Blueprint("registers", __name__, url_prefix="/partner/registers")

from portal.blueprints.registers import routes  # noqa: E402, F401
