"""The ORUK 3.0 API (`/`, `/services`, `/services/{id}`, taxonomies) and the partner upload page.

The API is open, as ORUK requires: no key, `Access-Control-Allow-Origin: *`, and only what a public directory shows.
ORUK names the optional taxonomy terms endpoint `/taxonomy_terms`; the portal's URLs are kebab-case, so it is served
at `/taxonomy-terms` (see README.md in this folder).
"""

import json

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.blueprints.openreferral import bp
from portal.data import oruk
from portal.forms.openreferral import MAX_UPLOAD_BYTES, UploadForm
from portal.oruk import taxonomy
from portal.oruk.filters import FilterError, parse_filters
from portal.oruk.importing import DocumentError
from portal.oruk.validation import VENDORED_SCHEMA_DIR
from portal.rules.input_rules import without_control_characters
from portal.rules.schedule import london_today
from portal.web.auth import own_organisation_id, partner_required, public
from portal.web.security import accepts_bodies_up_to

PROBLEMS_SHOWN = 50  # the page lists this many and counts the rest: a page per problem is no use to anyone
HSDS_VERSION = "3.0"
PROFILE = "https://github.com/openreferral/uk-profile"
FEED_ENDPOINTS = {
    "openreferral.index",
    "openreferral.openapi",
    "openreferral.services",
    "openreferral.service",
    "openreferral.taxonomies",
    "openreferral.taxonomy",
    "openreferral.taxonomy_terms",
    "openreferral.taxonomy_term",
}


@bp.after_request
def _open_feed(response: Response) -> Response:
    if request.endpoint in FEED_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _problem(status: int, message: str) -> ResponseReturnValue:
    return jsonify({"error": message, "status": status}), status


def _term_uri(term_id: str) -> str:
    return url_for("openreferral.taxonomy_term", term_id=term_id, _external=True)


def _taxonomy_uri(taxonomy_id: str) -> str:
    return url_for("openreferral.taxonomy", taxonomy_id=taxonomy_id, _external=True)


def _page(items: list[dict]) -> dict:
    try:
        filters = parse_filters(request.args)
    except FilterError:
        filters = parse_filters({})
    start = (filters.page - 1) * filters.per_page
    contents = items[start : start + filters.per_page]
    total_pages = max(1, -(-len(items) // filters.per_page))
    return {
        "total_items": len(items),
        "total_pages": total_pages,
        "page_number": filters.page,
        "size": len(contents),
        "first_page": filters.page == 1,
        "last_page": filters.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    return jsonify(
        {
            "version": HSDS_VERSION,
            "profile": PROFILE,
            "openapi_url": url_for("openreferral.openapi", _external=True),
        }
    )


@bp.get("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    """The ORUK 3.0 OpenAPI document this API follows (the official one, unchanged)."""
    document = json.loads((VENDORED_SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    return jsonify(document)


@bp.get("/services")
@public
def services() -> ResponseReturnValue:
    try:
        filters = parse_filters(request.args)
    except FilterError as error:
        return _problem(400, str(error))
    return jsonify(without_control_characters(oruk.services_page(filters, london_today(), _term_uri)))


@bp.get("/services/<service_id>")
@public
def service(service_id: str) -> ResponseReturnValue:
    found = oruk.service_by_id(service_id, london_today(), _term_uri)
    if found is None:
        return _problem(404, "There is no published service with this id")
    return jsonify(without_control_characters(found))


@bp.get("/taxonomies")
@public
def taxonomies() -> ResponseReturnValue:
    return jsonify(_page([taxonomy.taxonomy_json(found, _taxonomy_uri) for found in taxonomy.TAXONOMIES]))


@bp.get("/taxonomies/<taxonomy_id>", endpoint="taxonomy")
@public
def taxonomy_view(taxonomy_id: str) -> ResponseReturnValue:
    found = taxonomy.TAXONOMY_BY_ID.get(taxonomy_id)
    if found is None:
        return _problem(404, "There is no taxonomy with this id")
    return jsonify(taxonomy.taxonomy_json(found, _taxonomy_uri))


@bp.get("/taxonomy-terms")
@public
def taxonomy_terms() -> ResponseReturnValue:
    terms = taxonomy.TERMS
    wanted = request.args.get("taxonomy_id")
    if wanted:
        terms = tuple(term for term in terms if term.taxonomy.id == wanted)
    return jsonify(_page([taxonomy.term_json(term, _term_uri) for term in terms]))


@bp.get("/taxonomy-terms/<term_id>")
@public
def taxonomy_term(term_id: str) -> ResponseReturnValue:
    found = taxonomy.TERM_BY_ID.get(term_id)
    if found is None:
        return _problem(404, "There is no taxonomy term with this id")
    return jsonify(taxonomy.term_json(found, _term_uri))


@bp.route("/upload", methods=["GET", "POST"])
@partner_required
@accepts_bodies_up_to(MAX_UPLOAD_BYTES + 64 * 1024)  # the file and the form's envelope around it
def upload() -> ResponseReturnValue:
    """A partner imports an ORUK file into their own organisation, and sees what could not be mapped. Only an
    approved organisation imports (`partner_required`): one still waiting for approval cannot fill the catalogue."""
    form = UploadForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            form.file.errors.append("The file must be smaller than 5 MB")
        else:
            try:
                report = oruk.import_upload(
                    raw,
                    source=f"upload {form.file.data.filename or ''}".strip()[:200],
                    organisation_id=own_organisation_id(),
                    max_services=current_app.config["ORUK_UPLOAD_MAX_SERVICES"],
                    time_budget_seconds=current_app.config["ORUK_UPLOAD_SECONDS"],
                )
            except DocumentError as error:
                form.file.errors.append(str(error))
            else:
                current_app.logger.info("ORUK upload: %s", report.summary())
    return render_template(
        "openreferral/upload.html",
        form=form,
        report=report,
        problems_shown=PROBLEMS_SHOWN,
        max_services=current_app.config["ORUK_UPLOAD_MAX_SERVICES"],
    )
