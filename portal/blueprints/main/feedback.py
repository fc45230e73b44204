"""The phase banner's feedback page: anyone signed in says what they were doing and what would help."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.blueprints.main import bp
from portal.data import feedback
from portal.forms import text_area
from portal.web.auth import signed_in


class FeedbackForm(FlaskForm):
    doing = text_area(
        "What were you doing?",
        required_message="Enter what you were doing",
        max_length=1200,
        description="For example, adding a programme or recording attendance",
    )
    suggestion = text_area(
        "What went wrong, or what would help?",
        required_message="Enter what went wrong or what would help",
        max_length=1200,
    )
    submit = SubmitField("Send feedback", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        """Spaces alone are no answer: say which question is empty, as if nothing was typed."""
        valid = super().validate(extra_validators)
        for field, message in (
            (self.doing, "Enter what you were doing"),
            (self.suggestion, "Enter what went wrong or what would help"),
        ):
            if not field.errors and not (field.data or "").strip():
                field.errors.append(message)
        return valid and not any(field.errors for field in self)


@bp.route("/feedback", methods=["GET", "POST"])
@signed_in
def feedback_page() -> ResponseReturnValue:
    form = FeedbackForm()
    if form.validate_on_submit():
        feedback.add_feedback(current_user.role.value, form.doing.data.strip(), form.suggestion.data.strip())
        flash("Thank you. Your feedback has been sent to the team that runs the service.", "success")
        return redirect(url_for("main.home"))
    return render_template("main/feedback.html", form=form)
