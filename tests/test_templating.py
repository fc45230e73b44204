"""The portal's `indent` filter (portal/templating.py) gives exactly what Jinja's gives, safe where that was safe."""

import pytest
from jinja2.filters import do_indent
from markupsafe import Markup

from portal.web.templating import indent, prepared

TEXTS = [
    "",
    "one line",
    "two\nlines",
    "trailing newline\n",
    "blank\n\nline\n  indented\r\nwindows\n",
    "<a href='x'>&amp; not escaped again</a>\n<b>",
    "tab\tand\x0bvertical tab\x0cform feed\u2028line separator",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("safe", [True, False])
@pytest.mark.parametrize("options", [{}, {"width": 6}, {"width": "> "}, {"first": True}, {"blank": True}])
def test_indent_gives_what_jinja_gives(text: str, safe: bool, options: dict) -> None:
    value = Markup(text) if safe else text
    ours, jinjas = indent(value, **options), do_indent(value, **options)
    assert ours == jinjas
    assert isinstance(ours, Markup) == isinstance(jinjas, Markup)


def test_the_app_renders_with_it(app) -> None:
    assert app.jinja_env.filters["indent"] is indent


# `prepared`: a GOV.UK component from a skeleton of the macro's own markup gives what the macro gives.

TAG_LIST = Markup('<ul class="app-tag-list">\n    <li><strong class="govuk-tag">Football</strong></li>\n  </ul>')
VALUES = [
    "Plain words",
    "Quotes \" ' & <angle> brackets",
    Markup("<strong>safe</strong> &amp; kept"),
    TAG_LIST,
    "two\nlines of text",
    Markup("blank\n\nline inside"),
    "",  # empty: the macro decides what to leave out
    " padded ",
    "windows\r\nline",
]


def macro(app, component: str, name: str):
    with app.app_context():
        return app.jinja_env.get_template(f"govuk_frontend_jinja/components/{component}/macro.html").module.__dict__[
            name
        ]


def card(value: str, actions: int = 1, level: int = 3) -> dict:
    items = [
        {"href": f"/change/{n}?a=1&b=2", "text": "Change", "visuallyHiddenText": "the <value>"} for n in range(actions)
    ]
    return {
        "card": {"title": {"text": "Title & more", "headingLevel": level}, "actions": {"items": items}},
        "rows": [
            {"key": {"text": "Text"}, "value": {"text": value}},
            {"key": {"text": "Markup"}, "value": {"html": value}},
            {"key": {"html": Markup("<b>Key</b>")}, "value": {"text": "fixed"}, "classes": "extra"},
        ],
    }


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(("actions", "level"), [(1, 3), (2, 2), (0, 3)])
def test_a_prepared_summary_card_is_what_the_macro_renders(app, value: str, actions: int, level: int) -> None:
    summary_list = macro(app, "summary-list", "govukSummaryList")
    with app.test_request_context():
        for _ in range(2):  # the skeleton is made by the first, and used by the second
            assert str(prepared(summary_list, card(value, actions, level))) == str(
                summary_list(card(value, actions, level))
            )


@pytest.mark.parametrize("value", VALUES)
def test_a_prepared_task_list_is_what_the_macro_renders(app, value: str) -> None:
    task_list = macro(app, "task-list", "govukTaskList")
    params = {
        "idPrefix": "record-section",
        "items": [
            {"title": {"text": value}, "status": {"text": "Completed"}, "href": "/a?b=1&c=2"},
            {
                "title": {"text": "Second"},
                "status": {"tag": {"text": value, "classes": "govuk-tag--blue"}},
                "hint": {"text": value},
            },
            {"title": {"html": value}, "status": {"html": value}},
        ],
    }
    with app.test_request_context():
        for _ in range(2):
            assert str(prepared(task_list, params)) == str(task_list(params))


def test_other_macros_and_values_are_rendered_by_the_macro_itself(app) -> None:
    tag = macro(app, "tag", "govukTag")
    with app.test_request_context():
        assert str(prepared(tag, {"text": "Done"})) == str(tag({"text": "Done"}))
    summary_list = macro(app, "summary-list", "govukSummaryList")
    odd = {"rows": [{"key": {"text": "A date"}, "value": {"text": object()}}]}
    with app.test_request_context():
        assert str(prepared(summary_list, odd)) == str(summary_list(odd))
