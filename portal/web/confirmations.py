"""The "are you sure?" page shown before an action that cannot simply be undone, the same everywhere in the portal.

A view builds a `Confirmation` and returns `confirmation_page(...)` on GET; the page's form posts to `action`,
the view that does the thing. Cancelling is a link back, so it changes nothing.
"""

from dataclasses import dataclass, field

from flask import render_template
from flask_wtf import FlaskForm


@dataclass(frozen=True)
class Confirmation:
    heading: str  # a question: "Disable Sam Patel's account?"
    consequences: tuple[str, ...]  # what will happen, one sentence each
    warning: str  # what cannot be taken back
    button: str  # the action itself: "Disable account"
    action: str  # where the form posts
    cancel: str  # where "Cancel" goes
    caption: str = ""
    hidden: dict[str, str | int] = field(default_factory=dict)  # fields carried to the action (say, a typed reason)
    quoted: tuple[str, str] | None = None  # (label, text) shown back, such as the reason given


def confirmation_page(confirmation: Confirmation, form: FlaskForm) -> str:
    return render_template("confirm.html", confirmation=confirmation, form=form)
