"""The audit log, for auditors only: read, filter and export. Nothing here changes an event (DPA 2018 s.62)."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from portal.blueprints.audit import routes  # noqa: E402, F401
