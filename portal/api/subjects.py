"""Subjects (officers only): every read and write goes through `portal.data.subjects`, so each is audited as on
the pages. A name search is POSTed, never put in a URL."""

from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.api import serialisers
from portal.api.errors import ValidationFailed
from portal.api.inputs import FormInput, Override, json_body, page_params
from portal.api.registry import ID, expected_version, make_etag, operation, page_of, plain, respond
from portal.data import subjects
from portal.data.subjects import LinkRefused
from portal.forms.subjects import (
    SCHOOL_WEEK,
    ExclusionZoneForm,
    NonAssociationForm,
    NoteForm,
    SearchForm,
    SubjectForm,
    WindowForm,
)
from portal.models import NoteKind, Role, Subject
from portal.rules.schedule import london_today
from portal.web.access_reason import shows_personal_data

TAG = "Subjects"
OFFICERS = (Role.OFFICER,)
SUBJECT_INPUT = FormInput(SubjectForm)
SEARCH_INPUT = FormInput(SearchForm)


def _weekday_problem(value: Any) -> str | None:
    if value == SCHOOL_WEEK or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6):
        return None
    return "Select the day"


WINDOW_INPUT = FormInput(
    WindowForm,
    overrides={
        "weekday": Override(
            {
                "oneOf": [
                    {"type": "integer", "minimum": 0, "maximum": 6},
                    {"type": "string", "enum": [SCHOOL_WEEK]},
                ],
                "description": "0 (Monday) to 6, or 'monday-to-friday' for a school timetable",
            },
            lambda value: [str(value)],
            _weekday_problem,
            required=True,
        )
    },
)
ZONE_INPUT = FormInput(ExclusionZoneForm)
NON_ASSOCIATION_INPUT = FormInput(NonAssociationForm)
NOTE_INPUT = FormInput(NoteForm)


def subject_etag(found: Subject) -> str:
    return make_etag("subject", found.id, found.version)


def _answer(found: Subject, status: int = 200) -> ResponseReturnValue:
    """The subject as its page shows it: with its non-associates and notes."""
    location = url_for("api.subject", subject_id=found.id) if status == 201 else None
    body = serialisers.subject(found, subjects.non_associates(found.id), subjects.notes_with_authors(found.id))
    return respond(body, status, etag=subject_etag(found), location=location)


def _page(text: str) -> ResponseReturnValue:
    page, per_page = page_params()
    rows, total = subjects.search_subjects(text, page, per_page)
    today = london_today()
    return respond(page_of([serialisers.subject_summary(row, today) for row in rows], page, per_page, total))


@operation("/subjects", "GET", roles=OFFICERS, summary="All subjects", tag=TAG, response="SubjectPage", paged=True)
@shows_personal_data
def subjects_list() -> ResponseReturnValue:
    return _page("")


@operation(
    "/subjects/search",
    "POST",
    roles=OFFICERS,
    summary="Find subjects by reference or name (every word must match)",
    tag=TAG,
    body=SEARCH_INPUT,
    response="SubjectPage",
    paged=True,
)
@shows_personal_data
def subjects_search() -> ResponseReturnValue:
    form = SEARCH_INPUT.validate(json_body())
    return _page((form.query.data or "").strip())


def _reference_free(reference: str, except_subject_id: int | None = None) -> None:
    if subjects.reference_in_use(reference, except_subject_id=except_subject_id):
        raise ValidationFailed({"reference": "A subject with this reference already exists"})


@operation(
    "/subjects",
    "POST",
    roles=OFFICERS,
    summary="Add a subject",
    tag=TAG,
    body=SUBJECT_INPUT,
    response="Subject",
    status=201,
    etag=True,
)
def subject_create() -> ResponseReturnValue:
    form = SUBJECT_INPUT.validate(json_body())
    _reference_free(form.reference.data)
    return _answer(subjects.create_subject(form.subject_fields(), current_user.id), 201)


@operation(
    f"/subjects/<{ID}:subject_id>",
    "GET",
    roles=OFFICERS,
    summary="One subject",
    tag=TAG,
    response="Subject",
    etag=True,
)
def subject(subject_id: int) -> ResponseReturnValue:
    return _answer(subjects.view_subject(subject_id))


@operation(
    f"/subjects/<{ID}:subject_id>",
    "PATCH",
    roles=OFFICERS,
    summary="Change a subject (fields left out keep their values)",
    tag=TAG,
    body=SUBJECT_INPUT,
    partial=True,
    if_match="required",
    response="Subject",
    etag=True,
)
def subject_update(subject_id: int) -> ResponseReturnValue:
    found = subjects.view_subject(subject_id)
    expected = expected_version("subject", found.id)
    form = SUBJECT_INPUT.validate(json_body(), current=plain(serialisers.subject(found)))
    _reference_free(form.reference.data, except_subject_id=subject_id)
    subjects.update_subject(found, form.subject_fields(), expected)
    return _answer(found)


@operation(
    f"/subjects/<{ID}:subject_id>/windows",
    "POST",
    roles=OFFICERS,
    summary="Add a weekly commitment (school, college, work or a faith observance)",
    tag=TAG,
    body=WINDOW_INPUT,
    response="Subject",
    status=201,
    etag=True,
)
def window_create(subject_id: int) -> ResponseReturnValue:
    found = subjects.view_subject(subject_id)
    form = WINDOW_INPUT.validate(json_body())
    subjects.add_windows(found, form.windows())
    return _answer(found, 201)


@operation(
    f"/subjects/<{ID}:subject_id>/exclusion-zones",
    "POST",
    roles=OFFICERS,
    summary="Add an exclusion zone",
    tag=TAG,
    body=ZONE_INPUT,
    response="Subject",
    status=201,
    etag=True,
)
def zone_create(subject_id: int) -> ResponseReturnValue:
    found = subjects.view_subject(subject_id)
    form = ZONE_INPUT.validate(json_body())
    subjects.add_exclusion_zone(found, form.zone_fields())
    return _answer(found, 201)


@operation(
    f"/subjects/<{ID}:subject_id>/windows/<{ID}:window_id>",
    "DELETE",
    roles=OFFICERS,
    summary="Remove a weekly commitment",
    tag=TAG,
    status=204,
)
def window_delete(subject_id: int, window_id: int) -> ResponseReturnValue:
    found = subjects.get_subject(subject_id)
    subjects.remove_window(found, subjects.get_window(found, window_id))
    return "", 204


@operation(
    f"/subjects/<{ID}:subject_id>/exclusion-zones/<{ID}:zone_id>",
    "DELETE",
    roles=OFFICERS,
    summary="Remove an exclusion zone",
    tag=TAG,
    status=204,
)
def zone_delete(subject_id: int, zone_id: int) -> ResponseReturnValue:
    found = subjects.get_subject(subject_id)
    subjects.remove_exclusion_zone(found, subjects.get_exclusion_zone(found, zone_id))
    return "", 204


@operation(
    f"/subjects/<{ID}:subject_id>/non-associations",
    "POST",
    roles=OFFICERS,
    summary="Record another subject (by reference) as someone this subject must not associate with; it holds both ways",
    tag=TAG,
    body=NON_ASSOCIATION_INPUT,
    response="Subject",
    status=201,
    etag=True,
)
def non_association_create(subject_id: int) -> ResponseReturnValue:
    found = subjects.view_subject(subject_id)
    form = NON_ASSOCIATION_INPUT.validate(json_body())
    other = subjects.find_by_reference(form.reference.data)
    if other is None:
        raise ValidationFailed({"reference": "There is no subject with this reference"})
    try:
        subjects.link_non_association(found, other, current_user.id)
    except LinkRefused as refused:
        raise ValidationFailed({"reference": str(refused)}) from None
    return _answer(found, 201)


@operation(
    f"/subjects/<{ID}:subject_id>/non-associations/<{ID}:link_id>",
    "DELETE",
    roles=OFFICERS,
    summary="Remove a non-association (from both subjects)",
    tag=TAG,
    status=204,
)
def non_association_delete(subject_id: int, link_id: int) -> ResponseReturnValue:
    found = subjects.get_subject(subject_id)
    subjects.remove_non_association(found, subjects.get_non_association(found, link_id))
    return "", 204


@operation(
    f"/subjects/<{ID}:subject_id>/notes",
    "POST",
    roles=OFFICERS,
    summary="Add a note, marked as a fact or an assessment (DPA 2018 s.38); notes are never edited",
    tag=TAG,
    body=NOTE_INPUT,
    response="Subject",
    status=201,
    etag=True,
)
def note_create(subject_id: int) -> ResponseReturnValue:
    found = subjects.view_subject(subject_id)
    form = NOTE_INPUT.validate(json_body())
    subjects.add_note(found, NoteKind(form.kind.data), form.text.data.strip(), current_user.id)
    return _answer(found, 201)
