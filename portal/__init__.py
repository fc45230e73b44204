"""KCPO partner portal: the application factory."""

import re
import uuid
from typing import Any

from flask import Flask, g, request
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from portal.config import Config, config_from_environment, refuse_unsafe_production
from portal.database import configure_engine
from portal.extensions import csrf, db, login_manager, migrate
from portal.infra import audit_chain, throttle
from portal.infra.logging_setup import configure_logging
from portal.web import access_reason, auth, errors, filters, need_to_know, security
from portal.web.templating import FragmentCache, PortalTemplate, indent, prepared

MIGRATIONS_DIR = __path__[0] + "/migrations"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,40}")


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_url_path="/assets", static_folder="static")
    load_config(app, config)
    configure_logging(app)
    register_extensions(app)
    register_jinja(app)
    register_request_hooks(app)
    register_blueprints(app)
    errors.register_error_handlers(app)
    register_commands(app)
    return app


def load_config(app: Flask, config: type[Config] | dict[str, Any] | None) -> None:
    if isinstance(config, dict):
        app.config.from_object(config_from_environment())
        app.config.update(config)
    else:
        app.config.from_object(config or config_from_environment())
    if app.config.get("SESSION_COOKIE_SECURE") and not app.config.get("TESTING"):
        refuse_unsafe_production(app.config)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are held, timed out and revoked on the server
    login_manager.user_loader(auth.load_signed_in_user)
    configure_engine(app)
    throttle.init_app(app)
    audit_chain.set_link_delay(app.config["AUDIT_LINK_DELAY_SECONDS"])


def register_jinja(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("portal"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.template_class = PortalTemplate
    app.jinja_env.cache = {}  # every template kept (a few hundred), found without the LRU's bookkeeping on each import
    app.jinja_env.add_extension(FragmentCache)  # {% cache %}: the chrome every page repeats, rendered once
    app.jinja_env.filters["indent"] = indent  # the same text, without a Markup per line (portal/templating.py)
    app.jinja_env.globals["prepared"] = prepared  # a GOV.UK component from a skeleton of its own markup
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["govukRebrand"] = False  # the service is not on GOV.UK: no crown, no GOV.UK brand
    WTFormsHelpers(app)
    filters.register(app)


def register_request_hooks(app: Flask) -> None:
    security.init_app(app)  # CSP nonce for templates, SHA-256 signed cookie with key rotation, ProxyFix when configured

    @app.before_request
    def _start_request() -> None:
        # A caller's id is kept only when it is plainly an id: it is echoed in a header, the logs and error pages.
        offered = request.headers.get("X-Request-Id", "")
        g.correlation_id = offered if REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex

    app.before_request(auth.refuse_views_without_access_rule)
    access_reason.init_app(app)  # no subject's data shown before a purpose is recorded
    need_to_know.init_app(app)  # nor, to an officer of another borough, before a break-glass reason

    @app.after_request
    def _finish_request(response):
        # The one transaction boundary: commit what a successful request did, roll back anything else.
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        response.headers["X-Request-Id"] = g.get("correlation_id", "")
        return security.set_security_headers(response)


def register_blueprints(app: Flask) -> None:
    from portal import api
    from portal.blueprints import (
        account,
        admin,
        audit,
        auth,
        break_glass,
        calendars,
        dashboard,
        directory,
        evidence,
        main,
        noncompliance,
        openreferral,
        orders,
        partners,
        referrals,
        registers,
        retention,
        subjects,
        suggestions,
    )

    for area in (
        main,
        auth,
        partners,
        referrals,
        directory,
        subjects,
        suggestions,
        break_glass,
        orders,
        admin,
        audit,
        noncompliance,
        registers,
        calendars,
        evidence,
        dashboard,
        account,
        api,
        openreferral,
        retention,
    ):
        app.register_blueprint(area.bp)


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)


__all__ = ["create_app"]
