"""The Jinja template class the portal renders with, and its fragment cache (`{% cache %}`)."""

from collections import ChainMap
from typing import Any

from flask import g, has_request_context
from jinja2 import Environment, Template, nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context
from markupsafe import Markup

FRAGMENTS_KEPT = 4096  # per application: each is a few KB at most


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
