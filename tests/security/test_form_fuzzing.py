"""Security bar item 16 (ASVS 2.2.1, 16.5.3): random text, dates and integers posted to every form route, signed
in with the role the route is for, never get a server error.

The field names come from the forms themselves: every GET page is opened (as each role) and each POST form found
on it is recorded under its action. POST-only routes with no form on any page get the common field names. CSRF is
off here (its own test has it on). The example count is kept small so the run stays short.
"""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import World, get_rules, mutating_rules, page_from, path_for, roles_for

ACCEPTABLE = {200, 201, 302, 303, 400, 404, 409}
EXAMPLES_PER_ROUTE = 4
COMMON_FIELDS = {"version": 1, "session_id": 1, "kind": 1, "text": 1, "reason": 1, "confirm": 1}


printable = st.characters(exclude_categories=("Cs",))  # surrogates cannot be sent in a form at all
scalar = st.one_of(
    st.text(printable, max_size=80),
    st.text(printable, min_size=200, max_size=5000),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.dates().map(lambda day: f"{day.day}/{day.month}/{day.year}"),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "null", "\x00", "25:61", "29 2 2023", "9" * 40]),
)


def field_values(count: int) -> st.SearchStrategy:
    """A field's value; a GOV.UK date (day, month, year) is three inputs under one name."""
    return scalar if count == 1 else st.lists(scalar, min_size=count, max_size=count)


def discover_forms(world: World) -> dict[str, dict[str, int]]:
    """Every POST form on every page each role can open: {action path: {field name: inputs with that name}}."""
    forms: dict[str, dict[str, int]] = {}
    for role in world.clients:
        client = world.client_for(role)
        for rule in get_rules(world.app):
            roles = roles_for(world.app, rule)
            if (roles and role not in roles) or (not roles and role != "anonymous"):
                continue
            path = path_for(rule, world.ids)
            response = client.get(path)
            if response.status_code != 200 or "html" not in (response.content_type or ""):
                continue
            for action, fields in post_forms(response.get_data(as_text=True), path).items():
                forms.setdefault(action, {}).update(fields)
    return forms


def post_forms(html: str, path: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for form in page_from(html).find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = (form.get("action") or path).split("?")[0]
        fields = found.setdefault(action, {})
        for element in form.find_all(["input", "select", "textarea"]):
            name, kind = element.get("name"), element.get("type")
            if not name or name == "csrf_token" or kind in ("submit", "button"):
                continue
            repeated = kind not in ("radio", "checkbox")
            fields[name] = fields.get(name, 0) + (1 if repeated else 0)
    return {action: {name: max(count, 1) for name, count in fields.items()} for action, fields in found.items()}


def fuzz_route(client, path: str, fields: dict[str, int]) -> None:
    strategy = st.fixed_dictionaries({name: field_values(count) for name, count in fields.items()})

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=strategy)
    def post_random(data: dict) -> None:
        response = client.post(path, data=data)
        assert response.status_code in ACCEPTABLE, f"POST {path} {data!r}: {response.status_code}"

    post_random()


def test_random_input_to_every_form_never_causes_a_server_error(world: World) -> None:
    app = world.app
    forms = discover_forms(world)
    fuzzed = 0
    for rule in mutating_rules(app):
        if rule.endpoint == "auth.sign_out":
            continue  # takes no input, and would end the session the other routes use
        roles = roles_for(app, rule)
        client = world.client_for(roles[0] if roles else None)
        path = path_for(rule, world.ids)
        fields = forms.get(path) or COMMON_FIELDS
        fuzz_route(client, path, fields)
        fuzzed += 1
    assert fuzzed >= 40
    assert len(forms) >= 20, "the form discovery found too few forms to be a real check"


def test_editing_a_session_without_the_exception_dates_field_is_not_a_server_error(world: World) -> None:
    path = f"/partner/sessions/{world.ids['session_id']}/edit"
    response = world.client_for("partner").post(path, data={"version": "1", "weekday": "1"})
    assert response.status_code in ACCEPTABLE


def test_removing_a_session_with_referrals_is_not_a_server_error(world: World) -> None:
    path = f"/partner/sessions/{world.ids['session_id']}/remove"
    response = world.client_for("partner").post(path, data={})
    assert response.status_code in ACCEPTABLE


def test_nul_bytes_in_form_fields_or_the_query_string_are_refused(client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.post("/subjects/", data={"query": "a\x00b"}).status_code == 400
    assert client.get("/subjects/", query_string={"search": "\x00"}).status_code == 400


# --- Length validators match the columns they fill ------------------------------------------------------------------


def _all_forms() -> list[type]:
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import portal.blueprints
    import portal.forms

    for package in (portal.blueprints, portal.forms):  # the pages' own forms, and the forms both doors share
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)

    def subclasses(cls: type) -> list[type]:
        return [sub for direct in cls.__subclasses__() for sub in (direct, *subclasses(direct))]

    return sorted(set(subclasses(FlaskForm)), key=lambda form: form.__qualname__)


def _text_limits(form: type) -> dict[str, int | None]:
    """Each free-text field of the form and its Length maximum (None when it has none). Choices and postcodes are
    bounded otherwise: by their fixed options, and by the offline postcode list (normalised to at most 8)."""
    from wtforms import StringField, TextAreaField
    from wtforms.fields.core import UnboundField
    from wtforms.validators import Length

    from portal.forms import PostcodeField

    fields: dict[str, UnboundField] = {}
    for cls in reversed(form.__mro__):
        fields |= {name: value for name, value in vars(cls).items() if isinstance(value, UnboundField)}
    limits = {}
    for name, field in fields.items():
        if not issubclass(field.field_class, (StringField, TextAreaField)) or issubclass(
            field.field_class, PostcodeField
        ):
            continue
        maxima = [v.max for v in field.kwargs.get("validators") or [] if isinstance(v, Length) and v.max >= 0]
        limits[name] = min(maxima) if maxima else None
    return limits


def test_every_text_field_is_no_longer_than_the_column_it_fills() -> None:
    """16: a form must refuse, with a message naming the field, what the database would refuse with an error."""
    from sqlalchemy import String

    from portal.models import Base

    columns = {mapper.class_.__name__: {c.key: c for c in mapper.columns} for mapper in Base.registry.mappers}
    checked, too_long = 0, []
    for form in _all_forms():
        limits = _text_limits(form)
        model = max(columns, key=lambda name: len(set(limits) & set(columns[name])))
        if len(set(limits) & set(columns[model])) < 2:
            continue  # not a form for one table (searches, filters, confirmations)
        for name, limit in limits.items():
            column = columns[model].get(name)
            if column is None or not isinstance(column.type, String) or column.type.length is None:
                continue
            checked += 1
            if limit is None or limit > column.type.length:
                too_long.append(
                    f"{form.__qualname__}.{name}: form allows {limit}, {model}.{name} holds {column.type.length}"
                )
    assert too_long == []
    assert checked >= 30  # the walk really found the forms
