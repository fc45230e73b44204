from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.subjects import bp
from portal.data import searches, subjects
from portal.data.subjects import LinkRefused
from portal.forms.subjects import (
    ConfirmForm,
    CurfewAndTravelForm,
    ExclusionZoneForm,
    LanguagesAndInterestsForm,
    NeedsForm,
    NonAssociationForm,
    NoteForm,
    PersonalDetailsForm,
    SearchForm,
    SectionCompleteForm,
    SubjectForm,
    WindowForm,
)
from portal.models import NoteKind, Subject
from portal.rules.schedule import london_today
from portal.web.access_reason import shows_personal_data
from portal.web.auth import officer_required
from portal.web.pagination import page_number, pagination


@bp.get("/")
@officer_required
@shows_personal_data
def subjects_list() -> ResponseReturnValue:
    search_id = request.args.get("search", "")
    criteria = searches.own_search(current_user.id, search_id) if search_id else {}
    form = SearchForm(formdata=None, data=criteria)
    return _list_page(form, criteria.get("query", ""), search_id)


@bp.post("/")
@officer_required
def subjects_search() -> ResponseReturnValue:
    form = SearchForm()
    if not form.validate_on_submit():
        return _list_page(form, "", "")
    text = (form.query.data or "").strip()
    if not text:
        return redirect(url_for("subjects.subjects_list"))
    return redirect(url_for("subjects.subjects_list", search=searches.save_search(current_user.id, {"query": text})))


def _list_page(form: SearchForm, text: str, search_id: str) -> ResponseReturnValue:
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    rows, total = subjects.search_subjects(text, page, per_page)
    values = {"search": search_id} if search_id else {}
    return render_template(
        "subjects/list.html",
        form=form,
        subjects=rows,
        total=total,
        searched=bool(text),
        today=london_today(),
        age_on=subjects.age_on,
        district=subjects.postcode_district,
        pagination=pagination(page, total, per_page, "subjects.subjects_list", **values),
    )


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def subject_new() -> ResponseReturnValue:
    form = SubjectForm()
    if form.validate_on_submit():
        if subjects.reference_in_use(form.reference.data):
            form.reference.errors.append("A subject with this reference already exists")
        else:
            subject = subjects.create_subject(form.subject_fields(), current_user.id)
            flash("Subject added.", "success")
            return redirect(url_for("subjects.subject", subject_id=subject.id))
    return render_template("subjects/subject-form.html", form=form, subject=None)


@bp.get("/<int:subject_id>")
@officer_required
def subject(subject_id: int) -> ResponseReturnValue:
    found = subjects.view_subject_record(subject_id)
    shown = subjects.record_lists(found.id)
    tasks = subjects.record_tasks(found, shown)
    order = {"id": found.order_id, "status": found.order_status} if found.order_id else None
    return render_template(
        "subjects/subject.html",
        subject=found,
        age=subjects.age_on(found, london_today()),
        windows=shown.windows,
        exclusion_zones=shown.exclusion_zones,
        non_associates=shown.non_associates,
        notes=subjects.notes_shown(found.id),
        form=ConfirmForm(),
        order=order,
        tasks=tasks,
        record_complete=subjects.record_complete(tasks),
        section_links={
            key: url_for(f"subjects.{section_endpoint(key)}", subject_id=found.id)
            for key, _title in subjects.RECORD_SECTIONS
        },
        section_titles=subjects.SECTION_TITLES,
        next_tasks=subjects.next_tasks(tasks, found.order_status),
        next_links={
            "suggestions": url_for("suggestions.suggest", subject_id=found.id),
            "order": url_for("orders.order", order_id=found.order_id) if order else None,
        },
    )


# The record's sections, each on its own page: those that are questions (a form), and those that are lists.
FORM_SECTIONS = {
    "personal-details": PersonalDetailsForm,
    "languages-and-interests": LanguagesAndInterestsForm,
    "needs": NeedsForm,
    "curfew-and-travel": CurfewAndTravelForm,
}
LIST_SECTIONS = ("weekly-commitments", "exclusion-zones", "non-associations")


def section_endpoint(section_key: str) -> str:
    """Each section is its own endpoint (subjects.section_languages_and_interests ...), with no other argument."""
    return "section_" + section_key.replace("-", "_")


def section(subject_id: int, section_key: str) -> ResponseReturnValue:
    """One section of the record: saved on its own, then back to the record's task list."""
    found = _subject_for_form(subject_id)
    if section_key in FORM_SECTIONS:
        form = FORM_SECTIONS[section_key](obj=found)
        if request.method == "GET" and "max_travel_km" in form:
            form.max_travel_km.data = found.max_travel_m // 1000 if found.max_travel_m else None
    else:
        form = SectionCompleteForm()
    if request.method == "GET" and "completed" in form:
        form.completed.data = "yes" if section_key in (found.completed_sections or ()) else None
    if form.validate_on_submit():
        saved = _save_section(found, section_key, form)
        if saved is not None:
            return saved
    if request.method == "POST":
        subjects.view_subject(subject_id)  # the page shown again, with the errors: that is a consultation
    return render_template(
        f"subjects/section-{section_key}.html",
        form=form,
        subject=found,
        title=subjects.SECTION_TITLES[section_key],
        non_associates=subjects.non_associates_shown(found.id) if section_key == "non-associations" else [],
        confirm_form=ConfirmForm(),
    )


def _section_view(section_key: str):
    @officer_required
    def view(subject_id: int) -> ResponseReturnValue:
        return section(subject_id, section_key)

    view.__name__ = section_endpoint(section_key)
    return view


for _key in (*FORM_SECTIONS, *LIST_SECTIONS):
    bp.add_url_rule(f"/<int:subject_id>/{_key}", view_func=_section_view(_key), methods=["GET", "POST"])


def _save_section(found: Subject, section_key: str, form: SubjectForm | SectionCompleteForm) -> ResponseReturnValue:
    """Save one section (None when the reference is taken: the form says so); one alteration, as a whole save is."""
    fields = form.subject_fields() if isinstance(form, SubjectForm) else {}
    if "reference" in fields and subjects.reference_in_use(fields["reference"], except_subject_id=found.id):
        form.reference.errors.append("A subject with this reference already exists")
        return None
    if "completed" in form:
        fields["completed_sections"] = subjects.sections_with(found, section_key, form.completed.data == "yes")
    version = form.version.data if "version" in form else None
    subjects.update_subject(found, fields, version)
    flash(f"{subjects.SECTION_TITLES[section_key]} saved.", "success")
    return redirect(url_for("subjects.subject", subject_id=found.id, _anchor="record-tasks"))


@bp.route("/<int:subject_id>/edit", methods=["GET", "POST"])
@officer_required
def subject_edit(subject_id: int) -> ResponseReturnValue:
    found = _subject_for_form(subject_id)  # a save is audited as the alteration it makes, not also as a reading
    form = SubjectForm(obj=found)
    if request.method == "GET":
        form.max_travel_km.data = found.max_travel_m // 1000 if found.max_travel_m else None
    if form.validate_on_submit():
        if subjects.reference_in_use(form.reference.data, except_subject_id=subject_id):
            form.reference.errors.append("A subject with this reference already exists")
        else:
            subjects.update_subject(found, form.subject_fields(), form.version.data)
            flash("Subject updated.", "success")
            return redirect(url_for("subjects.subject", subject_id=subject_id))
    if request.method == "POST":
        subjects.view_subject(subject_id)  # the form shown again, with the errors: that is a consultation
    return render_template("subjects/subject-form.html", form=form, subject=found)


@bp.route("/<int:subject_id>/windows/new", methods=["GET", "POST"])
@officer_required
def window_new(subject_id: int) -> ResponseReturnValue:
    found = _subject_for_form(subject_id)
    form = WindowForm()
    if form.validate_on_submit():
        windows = form.windows()
        subjects.add_windows(found, windows)
        flash("Weekly commitments added." if len(windows) > 1 else "Weekly commitment added.", "success")
        return _back_to(found)
    return render_template("subjects/window-form.html", form=form, subject=found, back=_back_url(found))


@bp.post("/<int:subject_id>/windows/<int:window_id>/remove")
@officer_required
def window_remove(subject_id: int, window_id: int) -> ResponseReturnValue:
    found = subjects.get_subject(subject_id)
    window = subjects.get_window(found, window_id)
    _require_confirmation()
    subjects.remove_window(found, window)
    flash("Weekly commitment removed.", "success")
    return _back_to(found)


@bp.route("/<int:subject_id>/exclusion-zones/new", methods=["GET", "POST"])
@officer_required
def exclusion_zone_new(subject_id: int) -> ResponseReturnValue:
    found = _subject_for_form(subject_id)
    form = ExclusionZoneForm()
    if form.validate_on_submit():
        subjects.add_exclusion_zone(found, form.zone_fields())
        flash("Exclusion zone added.", "success")
        return _back_to(found)
    return render_template("subjects/exclusion-zone-form.html", form=form, subject=found, back=_back_url(found))


@bp.post("/<int:subject_id>/exclusion-zones/<int:zone_id>/remove")
@officer_required
def exclusion_zone_remove(subject_id: int, zone_id: int) -> ResponseReturnValue:
    found = subjects.get_subject(subject_id)
    zone = subjects.get_exclusion_zone(found, zone_id)
    _require_confirmation()
    subjects.remove_exclusion_zone(found, zone)
    flash("Exclusion zone removed.", "success")
    return _back_to(found)


@bp.route("/<int:subject_id>/non-associations/new", methods=["GET", "POST"])
@officer_required
def non_association_new(subject_id: int) -> ResponseReturnValue:
    found = _subject_for_form(subject_id)
    form = NonAssociationForm()
    if form.validate_on_submit():
        other = subjects.find_by_reference(form.reference.data)
        if other is None:
            form.reference.errors.append("There is no subject with this reference")
        else:
            try:
                subjects.link_non_association(found, other, current_user.id)
            except LinkRefused as refused:
                form.reference.errors.append(str(refused))
            else:
                flash("Non-association added. It shows on both subjects' pages.", "success")
                return _back_to(found)
    return render_template("subjects/non-association-form.html", form=form, subject=found, back=_back_url(found))


@bp.post("/<int:subject_id>/non-associations/<int:link_id>/remove")
@officer_required
def non_association_remove(subject_id: int, link_id: int) -> ResponseReturnValue:
    found = subjects.get_subject(subject_id)
    link = subjects.get_non_association(found, link_id)
    _require_confirmation()
    subjects.remove_non_association(found, link)
    flash("Non-association removed.", "success")
    return _back_to(found)


@bp.route("/<int:subject_id>/notes/new", methods=["GET", "POST"])
@officer_required
def note_new(subject_id: int) -> ResponseReturnValue:
    found = _subject_for_form(subject_id)
    form = NoteForm()
    if form.validate_on_submit():
        subjects.add_note(found, NoteKind(form.kind.data), form.text.data.strip(), current_user.id)
        flash("Note added.", "success")
        return _back_to(found)
    return render_template("subjects/note-form.html", form=form, subject=found)


def _subject_for_form(subject_id: int) -> Subject:
    """Showing the form shows who it is about (a consultation); a submission is audited as the change it makes."""
    return subjects.view_subject(subject_id) if request.method == "GET" else subjects.get_subject(subject_id)


def _require_confirmation() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _back_to(subject: Subject) -> ResponseReturnValue:
    """To the section's own page when the form was opened from it, otherwise to the record."""
    return redirect(_back_url(subject))


def _back_url(subject: Subject) -> str:
    opened_from = request.args.get("from", "")
    if opened_from in LIST_SECTIONS:
        return url_for(f"subjects.{section_endpoint(opened_from)}", subject_id=subject.id)
    return url_for("subjects.subject", subject_id=subject.id)
