"""The Jinja template class the portal renders with, its fragment cache (`{% cache %}`), a cheaper `indent` filter,
and GOV.UK components rendered from a skeleton of the macro's own markup (`prepared`)."""

import re
from collections import ChainMap
from typing import Any

from flask import g, has_request_context
from jinja2 import Environment, Template, nodes
from jinja2.ext import Extension
from jinja2.filters import do_indent
from jinja2.parser import Parser
from jinja2.runtime import Context
from markupsafe import Markup, escape

FRAGMENTS_KEPT = 4096  # per application: each is a few KB at most


def indent(text: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    """Jinja's `indent`, giving the same text, worked out on the plain string.

    The GOV.UK component macros indent every nested piece of markup (a summary card indents its list twice). Jinja's
    filter splits safe markup into a `Markup` per line and joins them with `Markup` additions, each of which runs the
    escaping machinery over text that is already safe: about 40% of rendering a summary card. Indenting the plain
    text and marking the result safe once gives the same characters, as safe as they were.
    """
    if isinstance(text, Markup):
        return Markup(do_indent(str(text), width, first, blank))  # nosec B704 - markup indented stays as safe
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


# GOV.UK components rendered from a skeleton ---------------------------------------------------------------------

# The component macros whose every text is either escaped or inserted as it is, then trimmed and indented, and is
# never compared or cut: what `prepared` relies on (read in govuk-frontend-jinja's macro.html of each).
PREPARED_MACROS = frozenset({"govukSummaryList", "govukTaskList"})
_PROBE = re.compile("\x00(\\d+)&\x01\n( *)\x00\\1\x02")
_PROBE_ESCAPED = re.compile("\x00(\\d+)&amp;\x01\n( *)\x00\\1\x02")
_SLOT = re.compile("\x00(\\d+):(\\d+):([01])\x00")
_SKELETONS_KEPT = 1024
_skeletons: dict[tuple, str | None] = {}


class _NotPreparable(Exception):
    """A value `prepared` cannot stand in for: the macro is called as it is."""


def prepared(macro: Any, params: dict) -> Markup:
    """What MACRO(PARAMS) renders, from the macro's own markup for parameters of this shape.

    A GOV.UK component macro costs a few hundred microseconds a call, mostly in Jinja attribute lookups and markup
    handling that depend on which parameters are given, not on their words. So the first call for a shape (the same
    keys, lists of the same lengths, the same numbers and flags) renders the macro with a marker in place of each
    text, and keeps that skeleton; later calls put each text where its marker was, escaped and indented as the macro
    did to the marker. The markup is always the macro's own. Texts the markers could not stand for (empty, with
    whitespace at either end, or with line breaks other than "\\n") and macros not in PREPARED_MACROS are rendered
    by the macro itself.
    """
    if getattr(macro, "name", None) not in PREPARED_MACROS:
        return macro(params)
    texts: list[str] = []
    try:
        key = (macro.name, _shape(params, texts))
    except _NotPreparable:
        return macro(params)
    skeleton = _skeletons.get(key, "")
    if skeleton == "":
        skeleton = _skeleton(macro, params)
        if len(_skeletons) >= _SKELETONS_KEPT:
            _skeletons.clear()
        _skeletons[key] = skeleton
    if skeleton is None:
        return macro(params)
    return Markup(_SLOT.sub(lambda slot: _filled(texts[int(slot[1])], int(slot[2]), slot[3] == "1"), skeleton))  # nosec B704 - the macro's own markup, each text escaped as it escapes it


def _shape(value: Any, texts: list[str]) -> Any:
    """VALUE's shape, its texts (in order) added to TEXTS."""
    if isinstance(value, str):
        if not value or value != value.strip() or "\x00" in value or value.splitlines() != value.split("\n"):
            raise _NotPreparable
        texts.append(value)
        return "markup" if isinstance(value, Markup) else "text"
    if isinstance(value, dict):
        return tuple((name, _shape(item, texts)) for name, item in value.items())
    if isinstance(value, list | tuple):
        return ("list", *(_shape(item, texts) for item in value))
    if value is None or isinstance(value, bool | int):
        return (type(value).__name__, value)
    raise _NotPreparable


def _probed(value: Any, count: list[int]) -> Any:
    """VALUE with each text replaced by a two-line marker of the same kind (text or markup)."""
    if isinstance(value, str):
        number = count[0]
        count[0] += 1
        marker = f"\x00{number}&\x01\n\x00{number}\x02"
        return Markup(marker) if isinstance(value, Markup) else marker  # nosec B704 - a fixed marker
    if isinstance(value, dict):
        return {name: _probed(item, count) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_probed(item, count) for item in value)
    return value


def _skeleton(macro: Any, params: dict) -> str | None:
    """The macro's markup for PARAMS' shape, each text's place marked with how it was escaped and indented; None
    when a marker did not come through whole (the macro did more to it than escape, trim and indent)."""
    rendered = str(macro(_probed(params, [0])))
    rendered = _PROBE.sub(lambda probe: f"\x00{probe[1]}:{len(probe[2])}:0\x00", rendered)
    rendered = _PROBE_ESCAPED.sub(lambda probe: f"\x00{probe[1]}:{len(probe[2])}:1\x00", rendered)
    return None if _SLOT.sub("", rendered).count("\x00") else rendered


def _filled(text: str, indent_width: int, escaped: bool) -> str:
    """TEXT as the macro would have put it: escaped (if it escaped the marker), every later line indented as the
    marker's second line was (blank lines are not indented)."""
    text = str(escape(text)) if escaped else str(text)
    if "\n" not in text or not indent_width:
        return text
    margin = " " * indent_width
    first, *rest = text.split("\n")
    return "\n".join([first, *(margin + line if line else line for line in rest)])


class FragmentCache(Extension):
    """`{% cache "name", key, ... %} ... {% endcache %}`: the block is rendered once per application for each key and
    the same markup is used again after that, for the chrome every page repeats (head links, phase banner, service
    navigation, footer). The markup still comes from the templates and the GOV.UK macros; only its rendering is saved.

    The key must name everything the block's output depends on (the navigation's: role, organisation status, page,
    application root), and a block never holds anything of one request or person that is not in its key. As a
    safety net, a fragment that contains this request's CSP nonce or CSRF token is never kept."""

    tags = {"cache"}

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.extend(fragment_cache={})

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_fragment", [nodes.Tuple(key, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, key: tuple, caller: Any) -> Markup:
        cache = self.environment.fragment_cache  # type: ignore[attr-defined]
        fragment = cache.get(key)
        if fragment is None:
            fragment = caller()
            if not carries_request_secret(fragment):
                if len(cache) >= FRAGMENTS_KEPT:
                    cache.pop(next(iter(cache), None), None)  # the oldest
                cache[key] = fragment
        return fragment


def carries_request_secret(fragment: str) -> bool:
    """Whether this request's CSP nonce or CSRF token (either made so far) is in the fragment."""
    if not has_request_context():
        return False
    return any(secret and secret in fragment for secret in (g.get("csp_nonce"), g.get("csrf_token")))
