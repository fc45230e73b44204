from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.blueprints.admin import legal_bases, listing_review, policy, retention_policy, routes  # noqa: E402, F401
