from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")

from portal.blueprints.orders import routes  # noqa: E402, F401
