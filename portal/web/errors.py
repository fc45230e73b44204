"""Error pages in GOV.UK wording; never a traceback or SQL in front of a user. Refusals are security events: every
401, 403 and 429 answer (pages and API alike) and every failed CSRF check is logged, with ids only (ASVS 16.3).

A change the data layer refuses (a stale edit, a locked order or report, a closed referral) is answered on a page the
same way everywhere: its message is flashed and the person is sent back (303) to the page the request came from, or
to the page the view named with `send_back_to` (the API answers the same exceptions with its own JSON handlers)."""

from flask import Flask, Response, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import NoResultFound
from werkzeug.exceptions import HTTPException

from portal.data import EditConflict
from portal.data.noncompliance import ReportLocked
from portal.data.orders import OrderLocked
from portal.data.referrals import ReferralClosed
from portal.extensions import db
from portal.forms import CHANGED_SINCE_OPENED
from portal.web.safety import same_site_referrer

PAGES = {
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    413: "errors/413.html",
    500: "errors/500.html",
}
SECURITY_EVENTS = {401: "unauthenticated", 403: "forbidden", 429: "rate-limited"}
# Refusals a page answers with their message and a way back; each carries its message but a stale edit, whose
# wording is the forms' (the same sentence a form shows).
PAGE_REFUSALS = (EditConflict, OrderLocked, ReferralClosed, ReportLocked)


def security_context() -> str:
    """Who and from where, as ids: the signed-in user (if any), the client address, the endpoint and path."""
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    # A path carrying a credential (an invitation, reset or feed token) is logged as its rule, never as typed.
    path = request.url_rule.rule if request.url_rule and "token" in (request.view_args or {}) else request.path
    return f"method={request.method} endpoint={request.endpoint} path={path} user_id={user_id} ip={request.remote_addr}"


def send_back_to(endpoint: str, **values: int | str) -> None:
    """Where a refusal sends the person, when not back to the page this request was made on."""
    g.page_after_refusal = url_for(endpoint, **values)


def page_after_refusal() -> str:
    return g.get("page_after_refusal") or url_for(request.endpoint, **(request.view_args or {}))


def refusal_message(error: Exception) -> str:
    return CHANGED_SINCE_OPENED if isinstance(error, EditConflict) else error.message


def _refused(error: Exception) -> ResponseReturnValue:
    flash(refusal_message(error), "error")
    return redirect(page_after_refusal()), 303


def register_error_handlers(app: Flask) -> None:
    for refusal in PAGE_REFUSALS:  # the API's blueprint handlers answer these first for API requests
        app.register_error_handler(refusal, _refused)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> ResponseReturnValue:
        # Nothing was changed. Back to the form (only ever a page on this site: the Referer is the sender's to set).
        app.logger.warning(
            "CSRF check failed on %s %s: %s (%s)",
            request.method,
            request.endpoint,
            error.description,
            security_context(),
        )
        flash("Your form timed out or was sent twice. Check your answers and try again.", "error")
        return redirect(same_site_referrer() or "/"), 303

    @app.after_request
    def _log_refusal(response: Response) -> Response:
        event = SECURITY_EVENTS.get(response.status_code)
        if event is not None:
            app.logger.warning("security event %s status=%s %s", event, response.status_code, security_context())
        return response

    @app.errorhandler(NoResultFound)
    def _not_found(_error: NoResultFound) -> ResponseReturnValue:
        return render_template(PAGES[404]), 404

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code == 401:
            return error
        template = PAGES.get(code, "errors/generic.html")
        return render_template(template, error=error), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        app.logger.exception("Unhandled error (correlation id %s)", g.get("correlation_id", "-"))
        try:
            return render_template(PAGES[500]), 500
        except Exception:  # the page itself failed (the database is down, say): still no traceback to the user
            app.logger.exception("The error page failed too (correlation id %s)", g.get("correlation_id", "-"))
            reference = escape(g.get("correlation_id", ""))
            body = f"<h1>Sorry, there is a problem with the service</h1><p>Reference: {reference}</p>"
            return body, 500, {"Content-Type": "text/html; charset=utf-8"}
