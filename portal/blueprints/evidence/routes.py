"""Evidence packs for officers: an order's attendance history, reports and decisions, as a page, CSV and Word."""

from flask import Response, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from portal.blueprints.evidence import bp
from portal.data import evidence
from portal.web.auth import officer_required
from portal.web.downloads import DOCX, download


@bp.get("/orders/<int:order_id>")
@officer_required
def pack(order_id: int) -> ResponseReturnValue:
    found = evidence.evidence_pack(order_id, "page")
    return render_template(
        "evidence/pack.html",
        pack=found,
        chart=Markup(evidence.chart_svg(found)),  # noqa: S704 - SVG of integers and escaped labels  # nosec B704
        statuses=evidence.STATUSES,
        status_names=evidence.STATUS_NAMES,
    )


@bp.get("/orders/<int:order_id>.csv")
@officer_required
def pack_csv(order_id: int) -> ResponseReturnValue:
    found = evidence.evidence_pack(order_id, "csv")
    return _download(evidence.pack_csv(found).encode("utf-8-sig"), "text/csv; charset=utf-8", order_id, "csv")


@bp.get("/orders/<int:order_id>.docx")
@officer_required
def pack_docx(order_id: int) -> ResponseReturnValue:
    found = evidence.evidence_pack(order_id, "docx")
    return _download(evidence.pack_docx(found), DOCX, order_id, "docx")


def _download(body: bytes, mimetype: str, order_id: int, extension: str) -> Response:
    filename = f"evidence-pack-order-{order_id}.{extension}"
    return download(body, mimetype, filename)
