from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/partner/referrals")

from portal.blueprints.referrals import routes  # noqa: E402, F401
