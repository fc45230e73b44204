"""Open Referral UK 3.0: the public, read-only feed of approved programmes, and a partner's ORUK file upload."""

from flask import Blueprint

bp = Blueprint("openreferral", __name__, url_prefix="/openreferral")

from portal.blueprints.openreferral import routes  # noqa: E402, F401
