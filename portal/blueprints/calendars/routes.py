"""Calendar feeds: officers subscribe to one subject's sessions, partners to their sessions with referred young people.

The pages make and stop feeds (the URL is shown once, when it is made); the feed itself is public, opened only by
its unguessable token, and 404s once revoked. Its URL carries nothing but the token.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.calendars import bp
from portal.data import calendars, subjects
from portal.forms.calendars import FeedForm
from portal.web.auth import officer_required, own_organisation_id, partner_required, public
from portal.web.downloads import download

STOPPED = "Calendar link stopped. Calendars subscribed to it will no longer update."


@bp.get("/subjects/<int:subject_id>")
@officer_required
def subject_feed(subject_id: int) -> ResponseReturnValue:
    subject = subjects.view_subject(subject_id)
    return _subject_page(subject)


@bp.post("/subjects/<int:subject_id>")
@officer_required
def subject_feed_create(subject_id: int) -> ResponseReturnValue:
    subject = subjects.view_subject(subject_id)
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    _feed, token = calendars.create_feed(current_user.id, subject_id=subject.id, without_names=form.without_names.data)
    return _subject_page(subject, token=token)


@bp.post("/subjects/<int:subject_id>/revoke")
@officer_required
def subject_feed_revoke(subject_id: int) -> ResponseReturnValue:
    subject = subjects.get_subject(subject_id)
    if not FeedForm().validate_on_submit():
        abort(400)
    if calendars.revoke_feed(current_user.id, subject_id=subject.id):
        flash(STOPPED, "success")
    return redirect(url_for("calendars.subject_feed", subject_id=subject.id))


@bp.get("/partner")
@partner_required
def partner_feed() -> ResponseReturnValue:
    return _partner_page(own_organisation_id())


@bp.post("/partner")
@partner_required
def partner_feed_create() -> ResponseReturnValue:
    organisation_id = own_organisation_id()
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    _feed, token = calendars.create_feed(
        current_user.id, organisation_id=organisation_id, without_names=form.without_names.data
    )
    return _partner_page(organisation_id, token=token)


@bp.post("/partner/revoke")
@partner_required
def partner_feed_revoke() -> ResponseReturnValue:
    organisation_id = own_organisation_id()
    if not FeedForm().validate_on_submit():
        abort(400)
    if calendars.revoke_feed(current_user.id, organisation_id=organisation_id):
        flash(STOPPED, "success")
    return redirect(url_for("calendars.partner_feed"))


@bp.get("/feed/<token>.ics")
@public
def feed(token: str) -> ResponseReturnValue:
    found = calendars.feed_for_token(token)
    if found is None:
        abort(404)
    return download(
        calendars.feed_calendar(found),
        "text/calendar",
        "kcpo.ics",
        inline=True,
        headers={"Referrer-Policy": "no-referrer"},
    )


def _subject_page(subject, token: str | None = None) -> ResponseReturnValue:
    return render_template(
        "calendars/subject.html",
        subject=subject,
        live=calendars.live_feed(current_user.id, subject_id=subject.id),
        feed_url=_feed_url(token),
        form=FeedForm(),
    )


def _partner_page(organisation_id: int, token: str | None = None) -> ResponseReturnValue:
    return render_template(
        "calendars/partner.html",
        live=calendars.live_feed(current_user.id, organisation_id=organisation_id),
        feed_url=_feed_url(token),
        form=FeedForm(),
    )


def _feed_url(token: str | None) -> str | None:
    return url_for("calendars.feed", token=token, _external=True) if token else None
