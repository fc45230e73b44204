"""The hand-written GOV.UK markup in macros/fields.html gives the same HTML as the govuk-frontend-wtf widget (or the
govuk-frontend-jinja macro) it stands in for, so the two cannot drift apart unnoticed.

Each macro is rendered beside the widget for the same WTForms field (empty, with a value, with an error, with a hint,
and with all three) and the two are compared as trees: whitespace between and around elements collapsed, attributes
in one order, class names in one order. What is left is what a browser or a screen reader would act on.
"""

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask, render_template_string
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField

from portal import create_app
from tests.conftest import _test_config

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HINT = "For example, the name on the court order"
CHOICES = [("", "Any day"), ("0", "Monday"), ("1", "Tuesday & Wednesday")]
RADIOS = [("attended", "Attended"), ("late", "Late"), ("absent", "Absent")]


class _Tree(HTMLParser):
    """Elements as (tag, sorted attributes, children); text with its whitespace collapsed, dropped when blank."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list = []
        self.stack: list[list] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        canonical = []
        for name, value in attrs:
            if name == "class":
                value = " ".join(sorted((value or "").split()))
            canonical.append((name, "" if value is None else value))  # `checked` and `checked=""` are the same
        children: list = []
        self.stack[-1].append((tag, tuple(sorted(canonical)), children))
        if tag not in VOID:
            self.stack.append(children)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            self.stack[-1].append(text)


def normalised(html: str) -> str:
    """The HTML as an indented outline, one element or text a line, for a readable diff when two differ."""
    parser = _Tree()
    parser.feed(html)
    parser.close()
    lines: list[str] = []

    def walk(nodes: list, depth: int) -> None:
        for node in nodes:
            if isinstance(node, str):
                lines.append("  " * depth + repr(node))
            else:
                tag, attrs, children = node
                lines.append("  " * depth + f"<{tag}" + "".join(f' {name}="{value}"' for name, value in attrs) + ">")
                walk(children, depth + 1)

    walk(parser.root, 0)
    return "\n".join(lines)


class Fields(Form):
    name = StringField("Full name", widget=GovTextInput())
    hinted_name = StringField("Full name", widget=GovTextInput(), description=HINT)
    day = SelectField("Day", choices=CHOICES, widget=GovSelect())
    hinted_day = SelectField("Day", choices=CHOICES, widget=GovSelect(), description=HINT)
    note = TextAreaField("Note", widget=GovTextArea())
    hinted_note = TextAreaField("Note", widget=GovTextArea(), description=HINT)
    status = RadioField("Mark", choices=RADIOS, widget=GovRadioInput())
    hinted_status = RadioField("Mark", choices=RADIOS, widget=GovRadioInput(), description=HINT)
    revision = HiddenField()
    submit = SubmitField("Search", widget=GovSubmitInput())


# The states of a field each macro is compared in: (name, value posted, error shown, field with a description).
STATES = [
    ("empty", None, None, False),
    ("with a value", "set", None, False),
    ("with an error", None, "Enter a full name", False),
    ("with a hint", None, None, True),
    ("with a value, an error and a hint", "set", "Enter a full name", True),
]
VALUES = {
    "name": 'Sam "Sammy" O\'Neil & <co>',
    "day": "1",
    "note": "First line\n  second line, indented",
    "status": "late",
}


@pytest.fixture(scope="module")
def templating_app() -> Iterator[Flask]:
    """The portal's Jinja set-up (its loaders, trim_blocks and lstrip_blocks, the WTForms helpers); no database."""
    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        yield app


def field_in(state: tuple, base: str) -> object:
    _name, value, error, hinted = state
    name = f"hinted_{base}" if hinted else base
    form = Fields(MultiDict({name: VALUES[base]} if value else {}))
    field = form[name]
    field.errors = [error] if error else []
    return field


IMPORTS = (
    '{% import "macros/fields.html" as fields %}'
    '{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}'
    '{% from "govuk_frontend_jinja/components/summary-list/macro.html" import govukSummaryList %}'
)


def render(call: str, **context: object) -> str:
    return render_template_string(IMPORTS + "{{ " + call + " }}", **context)


def assert_same(macro: str, widget: str, **context: object) -> None:
    assert normalised(render(macro, **context)) == normalised(render(widget, **context))


@pytest.mark.parametrize("state", STATES, ids=[state[0] for state in STATES])
def test_text_input_is_the_widgets_markup(templating_app: Flask, state: tuple) -> None:
    assert_same("fields.text_input(f)", "f()", f=field_in(state, "name"))


@pytest.mark.parametrize("state", STATES, ids=[state[0] for state in STATES])
def test_text_input_with_its_options_is_the_widgets_markup_with_the_same_params(templating_app: Flask, state) -> None:
    assert_same(
        'fields.text_input(f, "govuk-input--width-3", spellcheck="false", autocomplete="off", inputmode="numeric",'
        ' suffix="minutes")',
        'f(params={"classes": "govuk-input--width-3", "spellcheck": false, "autocomplete": "off",'
        ' "inputmode": "numeric", "suffix": {"text": "minutes"}})',
        f=field_in(state, "name"),
    )


@pytest.mark.parametrize("state", STATES, ids=[state[0] for state in STATES])
def test_select_is_the_widgets_markup(templating_app: Flask, state: tuple) -> None:
    assert_same("fields.select(f)", "f()", f=field_in(state, "day"))


@pytest.mark.parametrize("state", STATES, ids=[state[0] for state in STATES])
def test_textarea_is_the_widgets_markup(templating_app: Flask, state: tuple) -> None:
    assert_same("fields.textarea(f, rows=2)", 'f(params={"rows": 2})', f=field_in(state, "note"))


@pytest.mark.parametrize("state", STATES, ids=[state[0] for state in STATES])
def test_textarea_with_a_hint_of_its_own_is_the_widget_given_that_hint(templating_app: Flask, state: tuple) -> None:
    assert_same(
        'fields.textarea(f, hint="Only if you are changing the mark")',
        'f(params={"rows": 5, "hint": {"text": "Only if you are changing the mark"}})',
        f=field_in(state, "note"),
    )


def test_a_required_textarea_is_marked_required_as_the_widget_marks_it(templating_app: Flask) -> None:
    field = field_in(STATES[0], "note")
    field.flags.required = True
    assert 'required="required"' in render("fields.textarea(f)", f=field)
    assert_same("fields.textarea(f)", 'f(params={"rows": 5})', f=field)


def radio_params(hinted: bool, **params: object) -> dict:
    """The widget always passes a hint, even an empty one, and then writes an empty hint <div> that the fieldset's
    aria-describedby points at. Pages calling the widget turn that off with `"hint": None`, and the macro never
    writes it: an empty hint is nothing to read. So the widget is compared with the hint turned off when the
    field has no description."""
    return params if hinted else params | {"hint": None}


@pytest.mark.parametrize("state", STATES, ids=[state[0] for state in STATES])
def test_radios_are_the_widgets_markup(templating_app: Flask, state: tuple) -> None:
    field = field_in(state, "status")
    assert_same("fields.radios(f)", "f(params=params)", f=field, params=radio_params(state[3]))


@pytest.mark.parametrize("state", STATES, ids=[state[0] for state in STATES])
def test_radios_with_classes_a_legend_and_a_reveal_are_the_widget_given_the_same(templating_app: Flask, state) -> None:
    field = field_in(state, "status")
    reveal = '<p class="govuk-body">Minutes late &amp; why</p>'
    params = radio_params(
        state[3],
        classes="govuk-radios--inline govuk-radios--small",
        fieldset={"legend": {"text": "Mark", "classes": "govuk-fieldset__legend--s"}},
        items=[{}, {"conditional": {"html": reveal}}, {}],
    )
    assert_same(
        'fields.radios(f, "govuk-radios--inline govuk-radios--small", "govuk-fieldset__legend--s",'
        ' {"late": reveal | safe})',
        "f(params=params)",
        f=field,
        params=params,
        reveal=reveal,
    )


def test_the_radios_first_id_is_the_fields_name_so_the_error_summary_links_to_it(templating_app: Flask) -> None:
    field = field_in(STATES[2], "status")
    html = render("fields.radios(f)", f=field)
    assert 'id="status"' in html and 'id="status-2"' in html and 'id="status-3"' in html


@pytest.mark.parametrize("value", [None, "7"])
def test_hidden_is_wtforms_hidden_input(templating_app: Flask, value: str | None) -> None:
    form = Fields(MultiDict({"revision": value} if value else {}))
    assert_same("fields.hidden(f)", "f()", f=form.revision)


@pytest.mark.parametrize("classes", ["", "govuk-button--secondary"])
def test_submit_button_is_the_widgets_markup(templating_app: Flask, classes: str) -> None:
    params = {"classes": classes} if classes else {}
    assert_same(
        "fields.submit_button(f, classes)", "f(params=params)", f=Fields().submit, classes=classes, params=params
    )


def test_summary_list_is_govuk_summary_list(templating_app: Flask) -> None:
    rows = [("Name", "Sam O'Neil & co"), ("Age", 16), ("Notes", "<b>not bold</b>")]
    assert_same(
        "fields.summary_list(rows)",
        'govukSummaryList({"rows": items})',
        rows=rows,
        items=[{"key": {"text": key}, "value": {"text": value}} for key, value in rows],
    )


@pytest.mark.parametrize("classes", ["", "govuk-button--secondary"])
def test_link_button_is_govuk_button_with_an_href(templating_app: Flask, classes: str) -> None:
    assert_same(
        'fields.link_button("Add a note", "/subjects/1/notes/new?a=1&b=2", classes)',
        'govukButton({"text": "Add a note", "href": "/subjects/1/notes/new?a=1&b=2", "classes": classes})',
        classes=classes,
    )


def test_the_comparison_sees_a_difference_that_matters(templating_app: Flask) -> None:
    """The normalising keeps what a user meets: another attribute value, class or text is still a difference."""
    same = '<div class="a b" id="x">\n  Text  here\n</div>'
    assert normalised(same) == normalised('<div id="x" class="b a">Text here</div>')
    for changed in (
        '<div class="a" id="x">Text here</div>',
        '<div class="a b" id="y">Text here</div>',
        '<div class="a b" id="x">Text there</div>',
        '<div class="a b" id="x"><span>Text here</span></div>',
    ):
        assert normalised(same) != normalised(changed)
