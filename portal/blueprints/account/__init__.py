from flask import Blueprint

bp = Blueprint("account", __name__)

from portal.blueprints.account import routes, security  # noqa: E402, F401
