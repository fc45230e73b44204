"""Template filters and globals: dates, times, money, distances and taxonomy names the way people write them."""

from datetime import date, datetime, time

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from matching.taxonomy import ACTIVITY_TYPE_NAMES, LANGUAGES, PROVISION_NAMES, WEEKDAYS
from portal.forms import error_summary, gov_params
from portal.infra.geo import OS_CREDIT
from portal.models import ORGANISATION_KINDS, Role
from portal.rules.attendance_outcomes import OUTCOMES, SUMMARY_ORDER
from portal.rules.tasks import task_list_items
from portal.web.auth import may_use

# English month names, as `%B` gives them in the C locale: formatted by hand, a date costs a tenth of strftime's
# time, and list pages format one or two per row.
MONTHS = "January February March April May June July August September October November December".split()


def govuk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def govuk_time(value: time | None) -> str:
    """GOV.UK style uses 24-hour clock with a colon here, as court orders do: 17:00."""
    return "" if value is None else f"{value.hour:02d}:{value.minute:02d}"


def clock(minutes: int) -> str:
    """Minutes since midnight as a 24-hour time: 1020 -> 17:00."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def money(pence: int) -> str:
    return "Free" if pence == 0 else f"£{pence / 100:,.2f}"


def distance(metres: float | None) -> str:
    if metres is None:
        return ""
    return f"{metres:,.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"


NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.OFFICER: [
        ("dashboard.home", "Dashboard"),
        ("subjects.subjects_list", "Subjects"),
        ("directory.search", "Find programmes"),
        ("noncompliance.reports_list", "Non-compliance"),
        ("retention.queue", "Retention review"),
    ],
    Role.PARTNER: [
        ("referrals.referrals_list", "Referrals"),
        ("registers.registers_list", "Registers"),
        ("partners.programmes_list", "Programmes"),
        ("partners.venues", "Venues"),
        ("openreferral.upload", "Import"),
        ("partners.organisation", "Organisation"),
        ("calendars.partner_feed", "Calendar"),
    ],
    Role.ADMIN: [
        ("admin.organisations_list", "Organisations"),
        ("admin.held_listings", "Held for review"),
        ("admin.users", "Users"),
        ("admin.legal_bases", "Legal basis"),
        ("admin.policy", "Local policy"),
        ("retention.queue", "Retention review"),
        ("admin.feedback_list", "Feedback"),
    ],
    Role.AUDITOR: [("audit.events", "Audit log")],
}


def navigation_items() -> list[dict]:
    """The signed-in person's service navigation items (govukServiceNavigation), the current page's marked."""
    if not current_user.is_authenticated:
        return []
    return [
        {"href": _navigation_href(endpoint), "text": label, "current": request.endpoint == endpoint}
        for endpoint, label in NAVIGATION[current_user.role]
        if may_use(endpoint)
    ]


def navigation_key() -> tuple | None:
    """Everything navigation_items() depends on: the key of the service navigation's cached fragment (header.html).
    Who may use a page follows from the role and the organisation's status alone (see `may_use`)."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return None
    return (user.role, user.organisation_status, request.endpoint, request.script_root)


def _navigation_href(endpoint: str) -> str:
    """url_for(endpoint), worked out once per application root: the navigation's pages take no arguments."""
    hrefs = current_app.extensions.setdefault("navigation_hrefs", {})
    key = (endpoint, request.script_root)
    if key not in hrefs:
        hrefs[key] = url_for(endpoint)
    return hrefs[key]


def register(app: Flask) -> None:
    namers = {
        "activity_name": lambda slug: ACTIVITY_TYPE_NAMES.get(slug, slug),
        "provision_name": lambda slug: PROVISION_NAMES.get(slug, slug),
        "language_name": lambda code: LANGUAGES.get(code, code),
    }
    app.jinja_env.filters.update(
        govuk_date=govuk_date,
        govuk_time=govuk_time,
        clock=clock,
        money=money,
        distance=distance,
        weekday=lambda index: WEEKDAYS[index],
        organisation_kind=lambda kind: ORGANISATION_KINDS.get(kind, kind),
        **namers,
    )
    app.jinja_env.globals.update(
        namers,
        attendance_outcomes=OUTCOMES,
        attendance_summary_order=SUMMARY_ORDER,
        gov_params=gov_params,
        task_list_items=task_list_items,
    )

    @app.context_processor
    def _globals() -> dict:
        return {
            "Role": Role,
            "service_name": current_app.config["SERVICE_NAME"],
            "os_credit": OS_CREDIT,
            "navigation_items": navigation_items,
            "navigation_key": navigation_key,
            "error_summary": error_summary,
        }
