"""Error pages in GOV.UK wording; never a traceback or SQL in front of a user."""

from flask import Flask, flash, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import NoResultFound
from werkzeug.exceptions import HTTPException

from portal.extensions import db
from portal.safety import same_site_referrer

PAGES = {403: "errors/403.html", 404: "errors/404.html", 405: "errors/404.html", 500: "errors/500.html"}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> ResponseReturnValue:
        # Nothing was changed. Back to the form (only ever a page on this site: the Referer is the sender's to set).
        app.logger.warning("CSRF check failed on %s %s: %s", request.method, request.endpoint, error.description)
        flash("Your form timed out or was sent twice. Check your answers and try again.", "error")
        return redirect(same_site_referrer() or "/"), 303

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
