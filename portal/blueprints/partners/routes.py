from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.auth import own_organisation_id, partner_required, public
from portal.blueprints.auth.routes import ask_for_second_factor
from portal.blueprints.partners import bp
from portal.blueprints.partners.forms import (
    ConfirmForm,
    ListingReviewForm,
    ProgrammeForm,
    RegistrationForm,
    SessionForm,
    VenueForm,
)
from portal.data import EditConflict, accounts, listing_review, listings, organisations, programmes
from portal.forms import CHANGED_SINCE_OPENED
from portal.models import Programme, ProgrammeSession, ProgrammeStatus, Role, User

STATUS_ACTIONS = {
    "pause": (ProgrammeStatus.PAUSED, "Programme paused. Officers will not be offered it until you resume it."),
    "resume": (ProgrammeStatus.ACTIVE, "Programme resumed."),
    "archive": (ProgrammeStatus.ARCHIVED, "Programme archived."),
}


@bp.route("/register-organisation", methods=["GET", "POST"])
@public
def register() -> ResponseReturnValue:
    form = RegistrationForm()
    if form.validate_on_submit():
        if organisations.name_in_use(form.name.data):
            form.name.errors.append("An organisation with this name is already registered")
        if accounts.email_in_use(form.user_email.data):
            form.user_email.errors.append("An account with this email address already exists")
        if not form.errors:
            user = _register(form)
            return ask_for_second_factor(user, url_for("partners.registered"))
    return render_template("partners/register.html", form=form)


def _register(form: RegistrationForm) -> User:
    organisation = organisations.register_organisation(
        {
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
    )
    return accounts.create_user(
        email=form.user_email.data,
        full_name=form.full_name.data,
        role=Role.PARTNER,
        password=form.password.data,
        organisation_id=organisation.id,
    )


@bp.get("/partner/registered")
@partner_required
def registered() -> ResponseReturnValue:
    return render_template("partners/registered.html", organisation=current_user.organisation)


@bp.get("/partner/organisation")
@partner_required
def organisation() -> ResponseReturnValue:
    return render_template("partners/organisation.html", organisation=current_user.organisation)


@bp.get("/partner/programmes")
@partner_required
def programmes_list() -> ResponseReturnValue:
    own = programmes.list_own_programmes(own_organisation_id())
    return render_template(
        "partners/programmes.html",
        programmes=own,
        organisation=current_user.organisation,
        today=date.today(),
        not_offered=listings.why_not_offered([programme.id for programme in own], date.today()),
    )


@bp.route("/partner/programmes/new", methods=["GET", "POST"])
@partner_required
def programme_new() -> ResponseReturnValue:
    form = ProgrammeForm()
    if request.method == "GET":
        form.languages.data = ["en"]
        form.gender.data = "any"
    if form.validate_on_submit():
        programme = programmes.create_programme(
            own_organisation_id(), {**form.programme_fields(), "assured_on": date.today()}
        )
        flash("Programme saved. Now add the weekly sessions.", "success")
        return redirect(url_for("partners.programme", programme_id=programme.id))
    return render_template("partners/programme-form.html", form=form, programme=None)


@bp.get("/partner/programmes/<int:programme_id>")
@partner_required
def programme(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    return render_template(
        "partners/programme.html",
        programme=found,
        form=ConfirmForm(version=found.version),
        today=date.today(),
        not_offered=listings.why_not_offered([found.id], date.today())[found.id],
        starts_later=listings.starts_later(found, date.today()),
    )


@bp.route("/partner/programmes/<int:programme_id>/review", methods=["GET", "POST"])
@partner_required
def programme_review(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    return review_listing(found, url_for("partners.programme", programme_id=programme_id))


def review_listing(found: Programme, back_to: str) -> ResponseReturnValue:
    """The review page of a listing held after an import, for its partner or an admin: publish under a rule."""
    form = ListingReviewForm(obj=found)
    if request.method == "GET":
        form.show_residence(found.residence_rule)
    if form.validate_on_submit():
        try:
            listing_review.publish_reviewed(found, form.rule(found.residence_rule), form.version.data)
        except EditConflict:
            flash(CHANGED_SINCE_OPENED, "error")
            return redirect(request.path), 303
        flash("Reviewed and published: officers can now be offered this programme under the rule you chose.", "success")
        return redirect(back_to)
    return render_template("listing-review.html", programme=found, form=form, back_to=back_to)


@bp.route("/partner/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@partner_required
def programme_edit(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    form = ProgrammeForm(obj=found)
    if request.method == "GET":
        form.tags.data = ", ".join(found.tags)
        form.cost.data = f"{found.cost_pence / 100:.2f}" if found.cost_pence else ""
    if form.validate_on_submit():
        try:
            programmes.update_programme(
                found, {**form.programme_fields(), "assured_on": date.today()}, form.version.data
            )
        except EditConflict:
            return _conflict("partners.programme_edit", programme_id=programme_id)
        flash("Programme updated.", "success")
        return redirect(url_for("partners.programme", programme_id=programme_id))
    return render_template("partners/programme-form.html", form=form, programme=found)


@bp.post("/partner/programmes/<int:programme_id>/status/<action>")
@partner_required
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
@partner_required
def programme_confirm(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    programmes.update_programme(found, {"assured_on": date.today()}, None)
    flash("Thank you. The details are marked as confirmed today.", "success")
    return redirect(url_for("partners.programme", programme_id=programme_id))


def _session_form(session: ProgrammeSession | None = None) -> SessionForm:
    form = SessionForm(obj=session)
    if session is not None and not isinstance(form.exception_dates.data, str):
        # The stored dates are a list (from `obj`, kept when a post leaves the field out): show them as text.
        form.exception_dates.data = "\n".join(
            date.fromisoformat(day).strftime("%d/%m/%Y") for day in session.exception_dates
        )
    venues = programmes.list_own_venues(own_organisation_id())
    form.venue_id.choices = [("", "Select a venue")] + [(str(v.id), f"{v.name}, {v.postcode}") for v in venues]
    if session is not None and request.method == "GET":
        form.venue_id.data = str(session.venue_id)
        form.weekday.data = str(session.weekday)
    return form


@bp.route("/partner/programmes/<int:programme_id>/sessions/new", methods=["GET", "POST"])
@partner_required
def session_new(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    form = _session_form()
    if request.method == "GET":
        form.term_start.data = max(found.valid_from, date.today())
        form.term_end.data = found.valid_to
    if form.validate_on_submit():
        programmes.get_own_venue(own_organisation_id(), int(form.venue_id.data))
        programmes.add_session(found, form.session_fields())
        flash("Session added.", "success")
        return redirect(url_for("partners.programme", programme_id=programme_id))
    return render_template("partners/session-form.html", form=form, programme=found, session=None)


@bp.route("/partner/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@partner_required
def session_edit(session_id: int) -> ResponseReturnValue:
    found = programmes.get_own_session(own_organisation_id(), session_id)
    form = _session_form(found)
    if form.validate_on_submit():
        programmes.get_own_venue(own_organisation_id(), int(form.venue_id.data))
        try:
            programmes.update_session(found, form.session_fields(), form.version.data)
        except EditConflict:
            return _conflict("partners.session_edit", session_id=session_id)
        flash("Session updated.", "success")
        return redirect(url_for("partners.programme", programme_id=found.programme_id))
    return render_template("partners/session-form.html", form=form, programme=found.programme, session=found)


@bp.post("/partner/sessions/<int:session_id>/remove")
@partner_required
def session_remove(session_id: int) -> ResponseReturnValue:
    found = programmes.get_own_session(own_organisation_id(), session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    programme_id = found.programme_id
    try:
        programmes.remove_session(found)
    except programmes.SessionInUse:
        flash(
            "This session cannot be removed: young people have been referred to it and its records must be kept. "
            "Change its dates, add dates with no session, or pause the programme instead.",
            "error",
        )
        return redirect(url_for("partners.programme", programme_id=programme_id)), 303
    flash("Session removed.", "success")
    return redirect(url_for("partners.programme", programme_id=programme_id))


@bp.get("/partner/venues")
@partner_required
def venues() -> ResponseReturnValue:
    return render_template("partners/venues.html", venues=programmes.list_own_venues(own_organisation_id()))


@bp.route("/partner/venues/new", methods=["GET", "POST"])
@partner_required
def venue_new() -> ResponseReturnValue:
    form = VenueForm()
    if form.validate_on_submit():
        if programmes.venue_name_in_use(own_organisation_id(), form.name.data.strip()):
            form.name.errors.append("You already have a venue with this name")
        else:
            programmes.create_venue(own_organisation_id(), _venue_fields(form))
            flash("Venue saved.", "success")
            return redirect(safe_return(request.args.get("programme_id")))
    return render_template("partners/venue-form.html", form=form, venue=None)


@bp.route("/partner/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@partner_required
def venue_edit(venue_id: int) -> ResponseReturnValue:
    found = programmes.get_own_venue(own_organisation_id(), venue_id)
    form = VenueForm(obj=found)
    if form.validate_on_submit():
        if programmes.venue_name_in_use(own_organisation_id(), form.name.data.strip(), except_venue_id=venue_id):
            form.name.errors.append("You already have a venue with this name")
        else:
            try:
                programmes.update_venue(found, _venue_fields(form), form.version.data)
            except EditConflict:
                return _conflict("partners.venue_edit", venue_id=venue_id)
            flash("Venue updated.", "success")
            return redirect(url_for("partners.venues"))
    return render_template("partners/venue-form.html", form=form, venue=found)


def _venue_fields(form: VenueForm) -> dict:
    location = form.postcode.location
    assert location is not None  # the form only validates with a geocoded postcode
    return {
        "name": form.name.data.strip(),
        "address": form.address.data.strip(),
        "postcode": location.postcode,
        "easting": location.easting,
        "northing": location.northing,
    }


def safe_return(programme_id: str | None) -> str:
    if programme_id and programme_id.isdigit():
        return url_for("partners.session_new", programme_id=int(programme_id))
    return url_for("partners.venues")


def _conflict(endpoint: str, **values: int) -> ResponseReturnValue:
    flash(CHANGED_SINCE_OPENED, "error")
    return redirect(url_for(endpoint, **values)), 303
