"""Adding a programme through a task list (GOV.UK "Complete multiple tasks"), and changing one section at a time.

Each section is its own short page, saved as the partner goes into a draft (`portal.data.programme_drafts`) that only
its organisation sees; "Check and publish" makes the programme. A published programme is changed through the same
section pages, each reached from its "Change" link.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.blueprints.partners import bp
from portal.blueprints.partners.routes import _resumed, _session_form, _venue_detour
from portal.data import programme_drafts, programmes
from portal.forms.partners import (
    AboutProgrammeForm,
    ConfirmForm,
    DatesAndPlacesForm,
    ProgrammeChecks,
    ProvisionForm,
    SupervisorForm,
    WhoItIsForForm,
)
from portal.models import ProgrammeDraft
from portal.rules.schedule import london_today
from portal.web.auth import own_organisation_id, partner_setting_up
from portal.web.confirmations import Confirmation, confirmation_page
from portal.web.errors import send_back_to


@dataclass(frozen=True)
class Section:
    slug: str
    name: str  # as the task list names it
    heading: str  # the page's heading
    form: type[ProgrammeChecks]


SECTIONS = (
    Section("about", "About the programme", "About the programme", AboutProgrammeForm),
    Section("who-it-is-for", "Who it is for", "Who the programme is for", WhoItIsForForm),
    Section(
        "cultural-and-faith-provision",
        "Cultural and faith provision",
        "Cultural, faith and access provision",
        ProvisionForm,
    ),
    Section("supervisor", "Supervisor", "Who would supervise a requirement", SupervisorForm),
    Section("dates-and-places", "Venue and sessions", "When it runs, places and cost", DatesAndPlacesForm),
)
BY_SLUG = {section.slug: section for section in SECTIONS}
# The section in a page's address: one of these words, or the address is not found.
SECTION_IN_PATH = f"<any({', '.join(repr(slug) for slug in BY_SLUG)}):section>"
VENUE_AND_SESSIONS = "dates-and-places"

COMPLETED = "Completed"
IN_PROGRESS = "In progress"
NOT_STARTED = "Not started"
CANNOT_START_YET = "Cannot start yet"


@dataclass(frozen=True)
class Task:
    name: str
    status: str
    href: str | None
    hint: str = ""


def task_statuses(draft: ProgrammeDraft) -> list[Task]:
    """Each section's status, as the task list shows it; "Check and publish" waits for all the others."""
    done = set(draft.completed)
    tasks = []
    for section in SECTIONS:
        href = url_for("partners.programme_draft_section", draft_id=draft.id, section=section.slug)
        if section.slug != VENUE_AND_SESSIONS:
            tasks.append(Task(section.name, COMPLETED if section.slug in done else NOT_STARTED, href))
            continue
        if section.slug in done and draft.sessions:
            status = COMPLETED
        elif section.slug in done or draft.sessions:
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        if section.slug in done:
            href = url_for("partners.draft_sessions", draft_id=draft.id)
        tasks.append(Task(section.name, status, href, "When it runs, places, cost and the weekly sessions"))
    ready = all(task.status == COMPLETED for task in tasks)
    tasks.append(
        Task(
            "Check and publish",
            NOT_STARTED if ready else CANNOT_START_YET,
            url_for("partners.draft_check", draft_id=draft.id) if ready else None,
            "" if ready else "Complete the sections above first",
        )
    )
    return tasks


def _draft_title(draft: ProgrammeDraft) -> str:
    return draft.answers.get("title") or "New programme"


# The usual answers, ticked already on a section not yet answered: staff who work in English; open to anyone.
DEFAULTS = {"languages": ["en"], "gender": "any"}


def _section_form(section: Section, source: object | None) -> ProgrammeChecks:
    form = section.form(obj=source)
    if request.method == "GET":
        if source is not None:
            form.show(source)
        for name, value in DEFAULTS.items():
            if name in form and getattr(source, name, None) is None:
                form[name].data = value
    return form


def _draft_source(draft: ProgrammeDraft) -> SimpleNamespace:
    return SimpleNamespace(**programme_drafts.answers(draft), version=draft.version)


def _render_section(section: Section, form: ProgrammeChecks, caption: str, back: str, editing: bool) -> str:
    return render_template(
        "partners/programme-section.html", section=section, form=form, caption=caption, back=back, editing=editing
    )


@bp.route("/partner/programmes/new", methods=["GET", "POST"])
@partner_setting_up
def programme_new() -> ResponseReturnValue:
    """The first section of a new programme; saving it starts the draft, and the task list shows the rest."""
    section = BY_SLUG["about"]
    form = _section_form(section, None)
    if form.validate_on_submit():
        draft = programme_drafts.save_section(own_organisation_id(), None, section.slug, form.programme_fields(), None)
        return redirect(url_for("partners.programme_draft", draft_id=draft.id))
    return _render_section(section, form, "Add a programme", url_for("partners.programmes_list"), editing=False)


@bp.get("/partner/programmes/drafts/<int:draft_id>")
@partner_setting_up
def programme_draft(draft_id: int) -> ResponseReturnValue:
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    tasks = task_statuses(draft)
    return render_template(
        "partners/programme-tasks.html",
        draft=draft,
        title=_draft_title(draft),
        tasks=tasks,
        completed=sum(task.status == COMPLETED for task in tasks),
    )


@bp.route(f"/partner/programmes/drafts/<int:draft_id>/{SECTION_IN_PATH}", methods=["GET", "POST"])
@partner_setting_up
def programme_draft_section(draft_id: int, section: str) -> ResponseReturnValue:
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    found = BY_SLUG.get(section) or abort(404)
    form = _section_form(found, _draft_source(draft))
    if form.validate_on_submit():
        fields = form.programme_fields()
        programme_drafts.save_section(own_organisation_id(), draft, found.slug, fields, form.version.data)
        if request.args.get("next") == "check":  # a "Change" link of the check-your-answers page: back there
            return redirect(url_for("partners.draft_check", draft_id=draft_id))
        if found.slug == VENUE_AND_SESSIONS:
            return redirect(url_for("partners.draft_sessions", draft_id=draft_id))
        return redirect(url_for("partners.programme_draft", draft_id=draft_id))
    back = url_for("partners.programme_draft", draft_id=draft_id)
    return _render_section(found, form, _draft_title(draft), back, editing=False)


@bp.get("/partner/programmes/drafts/<int:draft_id>/sessions")
@partner_setting_up
def draft_sessions(draft_id: int) -> ResponseReturnValue:
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    return render_template(
        "partners/draft-sessions.html",
        draft=draft,
        title=_draft_title(draft),
        sessions=programme_drafts.sessions(draft),
        venues=programme_drafts.venues_by_id(own_organisation_id(), draft),
        answers=programme_drafts.answers(draft),
        form=ConfirmForm(version=draft.version),
    )


@bp.route("/partner/programmes/drafts/<int:draft_id>/sessions/new", methods=["GET", "POST"])
@partner_setting_up
def draft_session_new(draft_id: int) -> ResponseReturnValue:
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    if VENUE_AND_SESSIONS not in draft.completed:
        return redirect(url_for("partners.programme_draft_section", draft_id=draft_id, section=VENUE_AND_SESSIONS))
    form = _session_form()
    if request.method == "GET" and not _resumed():
        answers = programme_drafts.answers(draft)
        form.term_start.data = max(answers["valid_from"], london_today())
        form.term_end.data = answers.get("valid_to")
    if "add_venue" in request.form:
        return _venue_detour(draft_id=draft_id)
    if form.validate_on_submit():
        programmes.get_own_venue(own_organisation_id(), int(form.venue_id.data))
        programme_drafts.add_session(draft, form.session_fields())
        flash("Session added.", "success")
        return redirect(url_for("partners.draft_sessions", draft_id=draft_id))
    return render_template(
        "partners/session-form.html",
        form=form,
        programme=None,
        session=None,
        caption=_draft_title(draft),
        back=url_for("partners.draft_sessions", draft_id=draft_id),
    )


@bp.post("/partner/programmes/drafts/<int:draft_id>/sessions/remove")
@partner_setting_up
def draft_session_remove(draft_id: int) -> ResponseReturnValue:
    """Remove one of the draft's sessions, named by its place in the list (`session`, from its Remove button)."""
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    form = ConfirmForm()
    number = request.form.get("session", "")
    if not form.validate_on_submit() or not number.isdigit():
        abort(400)
    send_back_to("partners.draft_sessions", draft_id=draft_id)
    programme_drafts.remove_session(draft, int(number), form.version.data)
    return redirect(url_for("partners.draft_sessions", draft_id=draft_id), 303)


@bp.get("/partner/programmes/drafts/<int:draft_id>/check-your-answers")
@partner_setting_up
def draft_check(draft_id: int) -> ResponseReturnValue:
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    if any(task.status != COMPLETED for task in task_statuses(draft)[:-1]):
        return redirect(url_for("partners.programme_draft", draft_id=draft_id))
    change = {
        section.slug: url_for("partners.programme_draft_section", draft_id=draft_id, section=section.slug, next="check")
        for section in SECTIONS
    }
    return render_template(
        "partners/programme-answers.html",
        draft=draft,
        answers=SimpleNamespace(**programme_drafts.answers(draft)),
        sessions=programme_drafts.sessions(draft),
        venues=programme_drafts.venues_by_id(own_organisation_id(), draft),
        change=change,
        sessions_change=url_for("partners.draft_sessions", draft_id=draft_id),
        form=ConfirmForm(version=draft.version),
    )


@bp.post("/partner/programmes/drafts/<int:draft_id>/publish")
@partner_setting_up
def draft_publish(draft_id: int) -> ResponseReturnValue:
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if any(task.status != COMPLETED for task in task_statuses(draft)[:-1]):
        flash("Complete every section before you publish the programme. Nothing has been published.", "error")
        return redirect(url_for("partners.programme_draft", draft_id=draft_id), 303)
    send_back_to("partners.draft_check", draft_id=draft_id)
    programme = programme_drafts.publish(own_organisation_id(), draft, form.version.data, london_today())
    flash("Programme published.", "success")
    return redirect(url_for("partners.programme", programme_id=programme.id))


@bp.get("/partner/programmes/drafts/<int:draft_id>/delete")
@partner_setting_up
def draft_delete_confirm(draft_id: int) -> ResponseReturnValue:
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    confirmation = Confirmation(
        caption="Draft programme",
        heading=f"Delete the draft {_draft_title(draft)}?",
        consequences=("Everything you have entered for this programme so far will be deleted.",),
        warning="Deleting a draft cannot be undone.",
        button="Delete draft",
        action=url_for("partners.draft_delete", draft_id=draft_id),
        cancel=url_for("partners.programme_draft", draft_id=draft_id),
        hidden={"version": draft.version},
    )
    return confirmation_page(confirmation, ConfirmForm())


@bp.post("/partner/programmes/drafts/<int:draft_id>/delete")
@partner_setting_up
def draft_delete(draft_id: int) -> ResponseReturnValue:
    draft = programme_drafts.get_own_draft(own_organisation_id(), draft_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    send_back_to("partners.programme_draft", draft_id=draft_id)
    programme_drafts.delete(draft, form.version.data)
    flash("Draft deleted.", "success")
    return redirect(url_for("partners.programmes_list"), 303)


@bp.get("/partner/programmes/<int:programme_id>/edit")
@partner_setting_up
def programme_edit(programme_id: int) -> ResponseReturnValue:
    """A published programme's answers, each section with its "Change" link."""
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    change = {
        section.slug: url_for("partners.programme_edit_section", programme_id=programme_id, section=section.slug)
        for section in SECTIONS
    }
    return render_template(
        "partners/programme-answers.html",
        draft=None,
        programme=found,
        answers=found,
        sessions=found.sessions,
        venues={session.venue_id: session.venue for session in found.sessions},
        change=change,
        sessions_change=url_for("partners.programme", programme_id=programme_id),
    )


@bp.route(f"/partner/programmes/<int:programme_id>/edit/{SECTION_IN_PATH}", methods=["GET", "POST"])
@partner_setting_up
def programme_edit_section(programme_id: int, section: str) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    chosen = BY_SLUG.get(section) or abort(404)
    form = _section_form(chosen, found)
    if form.validate_on_submit():
        programmes.update_programme(found, {**form.programme_fields(), "assured_on": london_today()}, form.version.data)
        flash("Programme updated.", "success")
        return redirect(url_for("partners.programme", programme_id=programme_id))
    back = url_for("partners.programme_edit", programme_id=programme_id)
    return _render_section(chosen, form, found.title, back, editing=True)
