"""The portal's `indent` filter (portal/templating.py) gives exactly what Jinja's gives, safe where that was safe."""

import pytest
from jinja2.filters import do_indent
from markupsafe import Markup

from portal.templating import indent

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


def test_the_app_renders_with_it(app) -> None:  # noqa: ANN001
    assert app.jinja_env.filters["indent"] is indent
