"""The Jinja template class the portal renders with, and a cheaper `indent` filter."""

from collections import ChainMap
from typing import Any

from jinja2 import Template
from jinja2.filters import do_indent
from jinja2.runtime import Context
from markupsafe import Markup


def indent(text: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    """Jinja's `indent`, giving the same text, worked out on the plain string.

    The GOV.UK component macros indent every nested piece of markup (a summary card indents its list twice). Jinja's
    filter splits safe markup into a `Markup` per line and joins them with `Markup` additions, each of which runs the
    escaping machinery over text that is already safe: about 40% of rendering a summary card. Indenting the plain
    text and marking the result safe once gives the same characters, as safe as they were.
    """
    if isinstance(text, Markup):
        return Markup(do_indent(str(text), width, first, blank))
    return do_indent(text, width, first, blank)


class PortalTemplate(Template):
    """Jinja's template, with a cheaper check on each `{% from ... import ... %}`.

    Every GOV.UK component macro imports others (attributes, label, hint, error message...) each time it is called,
    and on each import Jinja 3.1 works out which of the importing page's globals the imported template lacks:
    `set - ChainMap.keys()`, a Python-level membership test per global. A form page makes hundreds of such imports,
    and that difference was about a seventh of rendering a register. Here the set itself takes the same difference
    against each mapping of the chain (in C); the answer, and so what is rendered, is the same.
    """

    def _get_default_module(self, ctx: Context | None = None) -> Any:
        if ctx is not None and isinstance(self.globals, ChainMap):
            if ctx.globals_keys.difference(*self.globals.maps):
                return super()._get_default_module(ctx)
            return super()._get_default_module(None)
        return super()._get_default_module(ctx)
