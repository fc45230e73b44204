"""macros/table.html and macros/buttons.html give GOV.UK's table and a one-button "Remove" form as the pages wrote them
by hand: a caption, column headers with their scope, numeric columns right-aligned, and a button whose name says what
it removes, posted with the CSRF token."""

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template_string
from wtforms import Form, HiddenField

from portal import create_app
from tests.conftest import _test_config

IMPORTS = '{% from "macros/table.html" import table %}{% from "macros/buttons.html" import remove_button %}'


@pytest.fixture(scope="module")
def templating_app() -> Iterator[Flask]:
    """The portal's Jinja set-up; no database."""
    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        yield app


def rendered(source: str, **context: object) -> BeautifulSoup:
    return BeautifulSoup(render_template_string(IMPORTS + source, **context), "html.parser")


def test_a_table_has_its_caption_and_a_header_of_scope_col_for_each_column(templating_app: Flask) -> None:
    soup = rendered(
        '{% call table(["Name", "Role"], caption="Your tokens", caption_classes="govuk-table__caption--s") %}'
        '<tr class="govuk-table__row"><td class="govuk-table__cell">Build server</td>'
        '<td class="govuk-table__cell">Partner</td></tr>{% endcall %}'
    )
    table = soup.select_one("table")
    assert table["class"] == ["govuk-table"]
    caption = table.select_one("caption")
    assert caption["class"] == ["govuk-table__caption", "govuk-table__caption--s"]
    assert caption.get_text() == "Your tokens" and table.contents.index(caption) < table.contents.index(table.thead)
    headers = table.select("thead.govuk-table__head > tr.govuk-table__row > th")
    assert [(th["scope"], th["class"], th.get_text()) for th in headers] == [
        ("col", ["govuk-table__header"], "Name"),
        ("col", ["govuk-table__header"], "Role"),
    ]
    cells = table.select("tbody.govuk-table__body > tr.govuk-table__row > td.govuk-table__cell")
    assert [cell.get_text() for cell in cells] == ["Build server", "Partner"]


def test_a_table_without_a_caption_has_none(templating_app: Flask) -> None:
    soup = rendered('{% call table(["Name"]) %}{% endcall %}')
    assert soup.select("caption") == [] and soup.select("tbody.govuk-table__body")


def test_a_numeric_column_is_right_aligned_in_its_header_and_in_every_cell(templating_app: Flask) -> None:
    soup = rendered(
        '{{ table(["Record", {"text": "How many", "numeric": true}], caption="What was erased", rows=rows) }}',
        rows=[("Referrals", 3), ("Notes <and> letters", 12)],
    )
    header = soup.select("th")[1]
    assert header["class"] == ["govuk-table__header", "govuk-table__header--numeric"] and header["scope"] == "col"
    rows = soup.select("tbody tr.govuk-table__row")
    assert [[(td.get_text(), td["class"]) for td in row.select("td")] for row in rows] == [
        [("Referrals", ["govuk-table__cell"]), ("3", ["govuk-table__cell", "govuk-table__cell--numeric"])],
        [("Notes <and> letters", ["govuk-table__cell"]), ("12", ["govuk-table__cell", "govuk-table__cell--numeric"])],
    ]


def test_a_hidden_header_is_read_by_screen_readers_only(templating_app: Flask) -> None:
    soup = rendered('{% call table(["Venue", {"text": "Actions", "hidden": true}]) %}{% endcall %}')
    actions = soup.select("th")[1]
    assert actions["scope"] == "col"
    assert [span["class"] for span in actions.select("span")] == [["govuk-visually-hidden"]]
    assert actions.get_text() == "Actions"


def test_a_table_takes_extra_classes_attributes_and_a_captions_id(templating_app: Flask) -> None:
    soup = rendered(
        '{% call table(["No."], caption="Audit events", caption_classes="govuk-visually-hidden", caption_id="events",'
        ' classes="govuk-table--small-text-until-tablet", attributes={"data-group": group, "id": "events-table"}) %}'
        "{% endcall %}",
        group='new" onclick="x',
    )
    table = soup.select_one("table")
    assert table["class"] == ["govuk-table", "govuk-table--small-text-until-tablet"]
    assert table["data-group"] == 'new" onclick="x' and not table.has_attr("onclick")
    assert table["id"] == "events-table"
    assert table.caption["id"] == "events" and "govuk-visually-hidden" in table.caption["class"]


class _Page(Form):
    csrf_token = HiddenField(default="the-forms-token")


def test_remove_posts_to_its_action_with_the_forms_csrf_token_and_names_what_it_removes(templating_app: Flask) -> None:
    soup = rendered(
        '{{ remove_button("/admin/legal-bases/3/remove", "Metropolitan Police SI 2025/123", form.csrf_token) }}',
        form=_Page(),
    )
    form = soup.select_one("form")
    assert form["method"] == "post" and form["action"] == "/admin/legal-bases/3/remove"
    assert form["class"] == ["app-inline-form"] and not form.has_attr("novalidate")
    assert [(field["name"], field["value"]) for field in form.select("input[type=hidden]")] == [
        ("csrf_token", "the-forms-token")
    ]
    button = form.select_one("button")
    assert button["type"] == "submit" and button["class"] == ["app-link-button"]
    assert button.get_text() == "Remove Metropolitan Police SI 2025/123"
    hidden = button.select_one("span.govuk-visually-hidden")
    assert hidden.get_text() == " Metropolitan Police SI 2025/123"
    assert button.contents[0] == "Remove"  # what is seen; the rest is read by screen readers only


def test_remove_without_a_form_posts_the_requests_csrf_token(templating_app: Flask) -> None:
    soup = rendered('{{ remove_button("/remove", "Monday session") }}')
    token = soup.select_one("input[name=csrf_token]")
    assert token["type"] == "hidden" and token["id"] == "csrf_token" and len(token["value"]) > 20


def test_remove_as_a_govuk_button_with_values_to_post(templating_app: Flask) -> None:
    soup = rendered(
        '{{ remove_button("/drafts/4/sessions/remove", "the Monday session", form.csrf_token,'
        ' hidden={"version": 7, "session": 0}, classes="govuk-button--secondary govuk-!-margin-bottom-0",'
        " inline=false) }}",
        form=_Page(),
    )
    form = soup.select_one("form")
    assert not form.has_attr("class")
    assert [(field["name"], field["value"]) for field in form.select("input[type=hidden]")] == [
        ("csrf_token", "the-forms-token"),
        ("version", "7"),
        ("session", "0"),
    ]
    button = form.select_one("button")
    assert button["class"] == ["govuk-button", "govuk-button--secondary", "govuk-!-margin-bottom-0"]
    assert button["data-module"] == "govuk-button"
    assert button.get_text() == "Remove the Monday session"


def test_another_word_for_remove_and_novalidate(templating_app: Flask) -> None:
    soup = rendered(
        '{{ remove_button("/account/tokens/2/revoke", name, form.csrf_token, text="Revoke",'
        ' classes="govuk-button--warning", inline=false, novalidate=true) }}',
        form=_Page(),
        name="<build server>",
    )
    form = soup.select_one("form")
    assert form.has_attr("novalidate")
    assert form.select_one("button").get_text() == "Revoke <build server>"
    assert form.select_one("button span.govuk-visually-hidden").get_text() == " <build server>"
