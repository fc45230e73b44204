from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.blueprints.break_glass import bp
from portal.data import subjects
from portal.forms.break_glass import BreakGlassForm
from portal.web import need_to_know
from portal.web.access_reason import next_page_after_reason
from portal.web.auth import officer_required


@bp.route("/break-glass", methods=["GET", "POST"])
@officer_required
def question() -> ResponseReturnValue:
    """Before an officer opens a subject's record that belongs to another borough: why (need to know)."""
    raw_id = request.args.get("subject", "")
    if not raw_id.isdigit() or len(raw_id) > 9:
        abort(404)
    subject = subjects.get_subject(int(raw_id))
    next_url = next_page_after_reason(request.args.get("next") or url_for("subjects.subject", subject_id=subject.id))
    form = BreakGlassForm()
    if form.validate_on_submit():
        need_to_know.give_break_glass_reason(subject.id, form.reason.data)
        return redirect(next_url, 303)
    return render_template("subjects/break-glass.html", form=form, borough=subject.owning_borough)
