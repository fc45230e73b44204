"""Error pages in GOV.UK wording; never a traceback or SQL in front of a user."""

from flask import Flask, flash, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import NoResultFound
from werkzeug.exceptions import HTTPException

from portal.extensions import db

PAGES = {403: "errors/403.html", 404: "errors/404.html", 405: "errors/404.html", 500: "errors/500.html"}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> ResponseReturnValue:
        flash("Your form timed out or was sent twice. Check your answers and try again.", "error")
        return redirect(request.referrer or "/"), 303

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
        return render_template(PAGES[500]), 500
