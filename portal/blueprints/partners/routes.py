from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from matching.taxonomy import WEEKDAYS
from portal.blueprints.auth.routes import ask_for_second_factor, link_not_working, too_many_attempts
from portal.blueprints.partners import bp
from portal.data import (
    EditConflict,
    accounts,
    listing_review,
    listings,
    organisations,
    programme_drafts,
    programmes,
)
from portal.forms import CHANGED_SINCE_OPENED
from portal.forms.partners import (
    ConfirmForm,
    ContinueRegistrationForm,
    ListingReviewForm,
    RegistrationForm,
    SessionForm,
    VenueForm,
)
from portal.infra import throttle
from portal.models import LinkPurpose, OrganisationStatus, Programme, ProgrammeSession, ProgrammeStatus
from portal.rules.schedule import london_today
from portal.web.auth import own_organisation_id, partner_any_status, partner_setting_up, public
from portal.web.confirmations import Confirmation, confirmation_page

# Registration sends an email: limit how many one machine, or one address, can cause.
REGISTRATIONS_PER_ADDRESS = throttle.Limit("registration-ip", 10, 3600)
REGISTRATIONS_PER_EMAIL = throttle.Limit("registration-email", 3, 3600)
STATUS_ACTIONS = {
    "pause": (ProgrammeStatus.PAUSED, "Programme paused. Officers will not be offered it until you resume it."),
    "resume": (ProgrammeStatus.ACTIVE, "Programme resumed."),
    "archive": (ProgrammeStatus.ARCHIVED, "Programme archived."),
}


@bp.route("/register-organisation", methods=["GET", "POST"])
@public
def register() -> ResponseReturnValue:
    """Answers the same whether or not the email address has an account: the rest happens by email."""
    form = RegistrationForm()
    if not form.validate_on_submit():
        return render_template("partners/register.html", form=form)
    if organisations.name_in_use(form.name.data):  # organisation names are public, in the directory
        form.name.errors.append("An organisation with this name is already registered")
        return render_template("partners/register.html", form=form)
    email = accounts.normalise_email(form.user_email.data)
    if not (
        throttle.hit(REGISTRATIONS_PER_ADDRESS, request.remote_addr or "unknown")
        and throttle.hit(REGISTRATIONS_PER_EMAIL, email)
    ):
        return too_many_attempts("register an organisation", REGISTRATIONS_PER_EMAIL.seconds)
    accounts.register_partner(
        _organisation_details(form),
        email=email,
        full_name=form.full_name.data,
        password=form.password.data,
        continue_path=lambda token: url_for("partners.continue_registration", token=token),
        sign_in_path=url_for("auth.sign_in"),
        reset_path=url_for("auth.forgot_password"),
    )
    return redirect(url_for("partners.check_your_email"))


def _organisation_details(form: RegistrationForm) -> dict[str, str]:
    return {
        "name": form.name.data.strip(),
        "kind": form.kind.data,
        "borough": form.borough.data.strip(),
        "address": form.address.data.strip(),
        "postcode": form.postcode.data,
        "email": form.email.data.strip().lower(),
        "phone": form.phone.data.strip(),
        "website": (form.website.data or "").strip(),
        "description": form.description.data.strip(),
    }


@bp.get("/register-organisation/check-your-email")
@public
def check_your_email() -> ResponseReturnValue:
    return render_template("partners/check-your-email.html")


@bp.route("/register-organisation/continue/<token>", methods=["GET", "POST"])
@public
def continue_registration(token: str) -> ResponseReturnValue:
    """The link from the registration email. A button, not the GET, spends it: mail scanners open links too."""
    link = accounts.usable_link(token, LinkPurpose.REGISTRATION)
    if link is None:
        return link_not_working(token, LinkPurpose.REGISTRATION)
    form = ContinueRegistrationForm()
    if form.validate_on_submit():
        return ask_for_second_factor(accounts.confirm_registration(link), url_for("partners.registered"))
    organisation = organisations.get_organisation(link.user.organisation_id)
    return render_template("partners/continue-registration.html", form=form, user=link.user, organisation=organisation)


@bp.get("/partner/registered")
@partner_any_status
def registered() -> ResponseReturnValue:
    """Where a new partner lands, and where home sends them, until an administrator decides on their organisation:
    once it is decided, their usual start (or their organisation's page, with the reason, if it was not approved)."""
    organisation = current_user.organisation
    if organisation.status != OrganisationStatus.PENDING:
        return redirect(url_for("main.home"))
    return render_template("partners/registered.html", organisation=organisation)


@bp.get("/partner/organisation")
@partner_any_status
def organisation() -> ResponseReturnValue:
    return render_template("partners/organisation.html", organisation=current_user.organisation)


@bp.get("/partner/programmes")
@partner_setting_up
def programmes_list() -> ResponseReturnValue:
    own, today = programmes.list_own_programmes(own_organisation_id()), london_today()
    return render_template(
        "partners/programmes.html",
        programmes=own,
        drafts=programme_drafts.list_own_drafts(own_organisation_id()),
        organisation=current_user.organisation,
        today=today,
        not_offered=listings.why_not_offered([programme.id for programme in own], today),
    )


@bp.get("/partner/programmes/<int:programme_id>")
@partner_setting_up
def programme(programme_id: int) -> ResponseReturnValue:
    found, today = programmes.get_own_programme(own_organisation_id(), programme_id), london_today()
    return render_template(
        "partners/programme.html",
        programme=found,
        form=ConfirmForm(version=found.version),
        today=today,
        not_offered=listings.why_not_offered([found.id], today)[found.id],
        starts_later=listings.starts_later(found, today),
    )


@bp.route("/partner/programmes/<int:programme_id>/review", methods=["GET", "POST"])
@partner_setting_up
def programme_review(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    return review_listing(found, url_for("partners.programme", programme_id=programme_id))


def review_listing(found: Programme, back_to: str) -> ResponseReturnValue:
    """The review page of a listing held after an import, for its partner or an admin: publish under a rule."""
    form = ListingReviewForm(obj=found)
    if request.method == "GET":
        form.show_residence(found.residence_rule)
    if form.validate_on_submit():
        listing_review.publish_reviewed(found, form.rule(found.residence_rule), form.version.data)
        flash("Reviewed and published: officers can now be offered this programme under the rule you chose.", "success")
        return redirect(back_to)
    return render_template("listing-review.html", programme=found, form=form, back_to=back_to)


@bp.get("/partner/programmes/<int:programme_id>/status/archive")
@partner_setting_up
def programme_archive_confirm(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    page = url_for("partners.programme", programme_id=programme_id)
    if found.status != ProgrammeStatus.ACTIVE:
        return redirect(page)
    confirmation = Confirmation(
        caption=found.organisation.name,
        heading=f"Archive {found.title}?",
        consequences=(
            "Officers will no longer find it in the directory or be offered it for new orders.",
            "Young people already referred to it keep their places and you keep marking their registers.",
        ),
        warning="It stays hidden from officers until you resume it. To stop for a short time, pause it instead.",
        button="Archive programme",
        action=url_for("partners.programme_status", programme_id=programme_id, action="archive"),
        cancel=page,
        hidden={"version": found.version},
    )
    return confirmation_page(confirmation, ConfirmForm())


@bp.post("/partner/programmes/<int:programme_id>/status/<action>")
@partner_setting_up
def programme_status(programme_id: int, action: str) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    form = ConfirmForm()
    if action not in STATUS_ACTIONS or not form.validate_on_submit():
        abort(400)
    try:
        programmes.change_programme_status(found, action, form.version.data)  # the API's rule too
    except EditConflict:
        flash(CHANGED_SINCE_OPENED, "error")
    except programmes.StatusChangeRefused:
        flash(
            f"This programme is {found.status}: it cannot be {STATUS_ACTIONS[action][0]}. Nothing has changed.", "error"
        )
    else:
        flash(STATUS_ACTIONS[action][1], "success")
    return redirect(url_for("partners.programme", programme_id=programme_id))


@bp.post("/partner/programmes/<int:programme_id>/confirm-details")
@partner_setting_up
def programme_confirm(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    programmes.update_programme(found, {"assured_on": london_today()}, None)
    flash("Thank you. The details are marked as confirmed today.", "success")
    return redirect(url_for("partners.programme", programme_id=programme_id))


# What the session form carries through "Add a new venue" and back, so nothing typed is lost on the way.
SESSION_FORM_CARRIED = ("version", "weekday", "start_time", "end_time", "term_start", "term_end", "exception_dates")


def _resumed() -> bool:
    """Whether this GET comes back from the venue detour, carrying what was typed (and perhaps the new venue)."""
    return request.method == "GET" and any(name in request.args for name in (*SESSION_FORM_CARRIED, "venue_id"))


def _session_form(session: ProgrammeSession | None = None) -> SessionForm:
    form = SessionForm(formdata=request.args, obj=session) if _resumed() else SessionForm(obj=session)
    if session is not None and not isinstance(form.exception_dates.data, str):
        # The stored dates are a list (from `obj`, kept when a post leaves the field out): show them as text.
        form.exception_dates.data = "\n".join(
            date.fromisoformat(day).strftime("%d/%m/%Y") for day in session.exception_dates
        )
    venues = programmes.list_own_venues(own_organisation_id())
    form.venue_id.choices = [("", "Select a venue")] + [(str(v.id), f"{v.name}, {v.postcode}") for v in venues]
    if session is not None and request.method == "GET" and not _resumed():
        form.venue_id.data = str(session.venue_id)
        form.weekday.data = str(session.weekday)
    return form


def _venue_detour(**back_to: int) -> ResponseReturnValue:
    """To the venue form, taking what was typed in the session form; the venue form returns it (`_session_form_url`)."""
    typed = {name: request.form.getlist(name) for name in SESSION_FORM_CARRIED if request.form.getlist(name)}
    return redirect(url_for("partners.venue_new", **back_to, **typed), 303)


def _session_form_url(args: MultiDict, venue_id: int | None = None) -> str:
    """Back to the session form the venue form was opened from, with what was typed there and the new venue."""
    carried: dict = {name: args.getlist(name) for name in SESSION_FORM_CARRIED if args.getlist(name)}
    if venue_id is not None:
        carried["venue_id"] = venue_id
    session_id, programme_id = args.get("session_id", ""), args.get("programme_id", "")
    draft_id = args.get("draft_id", "")
    if draft_id.isdigit():
        return url_for("partners.draft_session_new", draft_id=int(draft_id), **carried)
    if session_id.isdigit():
        return url_for("partners.session_edit", session_id=int(session_id), **carried)
    if programme_id.isdigit():
        return url_for("partners.session_new", programme_id=int(programme_id), **carried)
    return url_for("partners.venues")


@bp.route("/partner/programmes/<int:programme_id>/sessions/new", methods=["GET", "POST"])
@partner_setting_up
def session_new(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    form = _session_form()
    if request.method == "GET" and not _resumed():
        form.term_start.data = max(found.valid_from, london_today())
        form.term_end.data = found.valid_to
    if "add_venue" in request.form:
        return _venue_detour(programme_id=programme_id)
    if form.validate_on_submit():
        programmes.get_own_venue(own_organisation_id(), int(form.venue_id.data))
        programmes.add_session(found, form.session_fields())
        flash("Session added.", "success")
        return redirect(url_for("partners.programme", programme_id=programme_id))
    return render_template("partners/session-form.html", form=form, programme=found, session=None)


@bp.route("/partner/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@partner_setting_up
def session_edit(session_id: int) -> ResponseReturnValue:
    found = programmes.get_own_session(own_organisation_id(), session_id)
    form = _session_form(found)
    if "add_venue" in request.form:
        return _venue_detour(session_id=session_id)
    if form.validate_on_submit():
        programmes.get_own_venue(own_organisation_id(), int(form.venue_id.data))
        programmes.update_session(found, form.session_fields(), form.version.data)
        flash("Session updated.", "success")
        return redirect(url_for("partners.programme", programme_id=found.programme_id))
    return render_template("partners/session-form.html", form=form, programme=found.programme, session=found)


SESSION_IN_USE = (
    "This session cannot be removed: young people have been referred to it and its records must be kept. "
    "Change its dates, add dates with no session, or pause the programme instead."
)


@bp.get("/partner/sessions/<int:session_id>/remove")
@partner_setting_up
def session_remove_confirm(session_id: int) -> ResponseReturnValue:
    found = programmes.get_own_session(own_organisation_id(), session_id)
    page = url_for("partners.programme", programme_id=found.programme_id)
    if programmes.session_in_use(found.id):
        return render_template("partners/session-in-use.html", session=found, message=SESSION_IN_USE, back=page)
    when = f"{WEEKDAYS[found.weekday]} {found.start_time:%H:%M} to {found.end_time:%H:%M}"
    confirmation = Confirmation(
        caption=found.programme.title,
        heading=f"Remove the {when} session?",
        consequences=(
            f"Officers will no longer be offered the session at {found.venue.name}.",
            "To stop it for a while instead, add the dates with no session, or change its last session date.",
        ),
        warning="Removing a session cannot be undone: you would need to add it again.",
        button="Remove session",
        action=url_for("partners.session_remove", session_id=session_id),
        cancel=page,
    )
    return confirmation_page(confirmation, ConfirmForm())


@bp.post("/partner/sessions/<int:session_id>/remove")
@partner_setting_up
def session_remove(session_id: int) -> ResponseReturnValue:
    found = programmes.get_own_session(own_organisation_id(), session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    programme_id = found.programme_id
    try:
        programmes.remove_session(found)
    except programmes.SessionInUse:
        flash(SESSION_IN_USE, "error")
        return redirect(url_for("partners.programme", programme_id=programme_id)), 303
    flash("Session removed.", "success")
    return redirect(url_for("partners.programme", programme_id=programme_id))


@bp.get("/partner/venues")
@partner_setting_up
def venues() -> ResponseReturnValue:
    return render_template("partners/venues.html", venues=programmes.list_own_venues(own_organisation_id()))


@bp.route("/partner/venues/new", methods=["GET", "POST"])
@partner_setting_up
def venue_new() -> ResponseReturnValue:
    form = VenueForm()
    if form.validate_on_submit():
        if programmes.venue_name_in_use(own_organisation_id(), form.name.data.strip()):
            form.name.errors.append("You already have a venue with this name")
        else:
            venue = programmes.create_venue(own_organisation_id(), form.venue_fields())
            flash("Venue saved.", "success")
            return redirect(_session_form_url(request.args, venue.id))
    return render_template("partners/venue-form.html", form=form, venue=None, back=_session_form_url(request.args))


@bp.route("/partner/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@partner_setting_up
def venue_edit(venue_id: int) -> ResponseReturnValue:
    found = programmes.get_own_venue(own_organisation_id(), venue_id)
    form = VenueForm(obj=found)
    if form.validate_on_submit():
        if programmes.venue_name_in_use(own_organisation_id(), form.name.data.strip(), except_venue_id=venue_id):
            form.name.errors.append("You already have a venue with this name")
        else:
            programmes.update_venue(found, form.venue_fields(), form.version.data)
            flash("Venue updated.", "success")
            return redirect(url_for("partners.venues"))
    return render_template("partners/venue-form.html", form=form, venue=found)
