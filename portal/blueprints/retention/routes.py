"""Retention review (DPA 2018 s.39; APP review, retention and disposal): the queue of records due for review, one
subject's review with the decision to retain or dispose, and what a disposal left behind. Officers and admins."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.retention import bp
from portal.data import policy, retention
from portal.forms.retention import ReviewDecisionForm
from portal.models import RetentionDecisionKind, Role
from portal.rules.retention import default_next_review, format_date, latest_next_review
from portal.rules.schedule import london_today
from portal.web.access_reason import declares_purpose
from portal.web.auth import roles_required
from portal.web.pagination import page_number, pagination

reviewers_required = roles_required(Role.OFFICER, Role.ADMIN)


@bp.get("/review-queue")
@reviewers_required
@declares_purpose(retention.REVIEW_PURPOSE)
def queue() -> ResponseReturnValue:
    today = london_today()
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    entries, total = retention.review_queue(today, page, per_page)
    return render_template(
        "retention/queue.html",
        entries=entries,
        total=total,
        today=today,
        periods=policy.retention_policy(),
        pagination=pagination(page, total, per_page, "retention.queue"),
    )


@bp.route("/subjects/<int:subject_id>", methods=["GET", "POST"])
@reviewers_required
@declares_purpose(retention.REVIEW_PURPOSE)
def review(subject_id: int) -> ResponseReturnValue:
    subject = retention.find_subject(subject_id)
    if subject is None:
        disposal = retention.disposal_of(subject_id)
        if disposal is None:
            abort(404)
        flash("This record has already been disposed of. Only the record of its disposal remains.", "error")
        return redirect(url_for("retention.disposal", decision_id=disposal.id)), 303
    today = london_today()
    form = ReviewDecisionForm()
    if form.is_submitted() and form.validate_for(today):
        try:
            if form.decision.data == RetentionDecisionKind.DISPOSE:
                reference = subject.reference
                decision = retention.dispose(
                    subject, current_user.id, form.rationale.data, form.version.data, form.decisions_version.data
                )
                flash(f"{reference} has been disposed of. Its personal data has been erased.", "success")
                return redirect(url_for("retention.disposal", decision_id=decision.id))
            decision = retention.retain(
                subject,
                current_user.id,
                form.rationale.data,
                form.next_review_due.data,
                form.version.data,
                form.decisions_version.data,
            )
        except retention.DecisionRefused as refused:
            getattr(form, refused.field).errors.append(str(refused))
        else:
            flash(
                f"Decision recorded: {subject.reference} is retained. "
                f"The next review is due on {format_date(decision.next_review_due)}.",
                "success",
            )
            return redirect(url_for("retention.review", subject_id=subject_id))
    details = retention.subject_review_details(subject, today)
    if not form.is_submitted():
        form.version.data, form.decisions_version.data = details.version, details.decisions_version
    periods = policy.retention_policy()
    return render_template(
        "retention/review.html",
        form=form,
        details=details,
        today=today,
        default_next_review=default_next_review(today, periods),
        latest_next_review=latest_next_review(today),
    )


@bp.get("/disposals/<int:decision_id>")
@reviewers_required
def disposal(decision_id: int) -> ResponseReturnValue:
    return render_template("retention/disposal.html", record=retention.disposal_record(decision_id))
