from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.admin import bp
from portal.data import EditConflict, accounts, check_version, feedback, organisations
from portal.forms import CHANGED_SINCE_OPENED
from portal.forms.admin import ConfirmForm, NewUserForm, RoleForm, StatusChangeForm
from portal.models import Organisation, OrganisationStatus, Role, User
from portal.web.auth import admin_required, recent_sign_in_required
from portal.web.confirmations import Confirmation, confirmation_page
from portal.web.pagination import page_number, pagination

# action -> (new status, whether a reason is required, message to the admin)
STATUS_ACTIONS = {
    "approve": (
        OrganisationStatus.APPROVED,
        False,
        "Organisation approved. Its active programmes are now visible to officers.",
    ),
    "reject": (OrganisationStatus.REJECTED, True, "Organisation rejected."),
    "suspend": (OrganisationStatus.SUSPENDED, True, "Organisation suspended. Its programmes are hidden from officers."),
    "reinstate": (OrganisationStatus.APPROVED, False, "Organisation reinstated."),
}
REASON_REQUIRED = {
    "reject": "Enter why the organisation is rejected",
    "suspend": "Enter why the organisation is suspended",
}
# Decisions shown back on a confirmation page before they are applied.
CONFIRMED_FIRST = {"suspend"}
STATUS_TABS = [
    ("pending", "Awaiting approval"),
    ("approved", "Approved"),
    ("suspended", "Suspended"),
    ("rejected", "Rejected"),
]


@bp.get("/organisations")
@admin_required
def organisations_list() -> ResponseReturnValue:
    status_name = request.args.get("status", "pending")
    if status_name not in OrganisationStatus._value2member_map_:
        status_name = "pending"
    page = page_number()
    rows, total = organisations.list_organisations(
        OrganisationStatus(status_name), page, current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "admin/organisations.html",
        organisations=rows,
        counts=organisations.count_by_status(),
        status=status_name,
        tabs=STATUS_TABS,
        pagination=pagination(
            page, total, current_app.config["PAGE_SIZE"], "admin.organisations_list", status=status_name
        ),
    )


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@admin_required
def organisation(organisation_id: int) -> ResponseReturnValue:
    found = organisations.get_organisation(organisation_id)
    form = StatusChangeForm(version=found.version)
    action = request.form.get("action", "")
    if request.method == "POST" and action in STATUS_ACTIONS and form.validate_on_submit():
        status, _needs_reason, message = STATUS_ACTIONS[action]
        if action not in REASON_REQUIRED or form.require_reason(REASON_REQUIRED[action]):
            if action in CONFIRMED_FIRST and request.form.get("confirmed") != "yes":
                return confirmation_page(_suspend_confirmation(found, form), form)
            check_version(found, form.version.data)
            organisations.change_status(found, status, form.reason.data or "")
            flash(message, "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation_id))
    elif request.method == "POST" and action not in STATUS_ACTIONS:
        abort(400)
    return render_template("admin/organisation.html", organisation=found, form=form)


def _suspend_confirmation(organisation: Organisation, form: StatusChangeForm) -> Confirmation:
    page = url_for("admin.organisation", organisation_id=organisation.id)
    hidden: dict[str, str | int] = {"action": "suspend", "reason": form.reason.data, "confirmed": "yes"}
    if form.version.data is not None:
        hidden["version"] = form.version.data
    return Confirmation(
        caption="Partner organisation",
        heading=f"Suspend {organisation.name}?",
        consequences=(
            "Its programmes will be hidden from officers at once: they will not be found in the directory or "
            "suggested for new orders.",
            "Its users will see the reason you give.",
        ),
        quoted=("Reason", form.reason.data.strip()),
        warning="Officers cannot refer anyone to this organisation until an admin reinstates it.",
        button="Suspend organisation",
        action=page,
        cancel=page,
        hidden=hidden,
    )


@bp.get("/users")
@admin_required
def users() -> ResponseReturnValue:
    page = page_number()
    rows, total = accounts.list_users(page, current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/users.html",
        users=rows,
        form=ConfirmForm(),
        pagination=pagination(page, total, current_app.config["PAGE_SIZE"], "admin.users"),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new() -> ResponseReturnValue:
    form = NewUserForm()
    approved, _total = organisations.list_organisations(OrganisationStatus.APPROVED, 1, 10_000)
    form.organisation_id.choices = [("", "Select an organisation")] + [(str(o.id), o.name) for o in approved]
    if form.validate_on_submit():
        if accounts.email_in_use(form.email.data):
            form.email.errors.append("An account with this email address already exists")
        else:
            role = Role(form.role.data)
            user = accounts.create_user(
                email=form.email.data,
                full_name=form.full_name.data,
                role=role,
                organisation_id=int(form.organisation_id.data) if role == Role.PARTNER else None,
                unit=form.unit.data or "" if role == Role.OFFICER else "",
                borough=form.borough.data or "" if role == Role.OFFICER else "",
            )
            token = accounts.create_invitation(user, current_user.id, current_app.config["INVITATION_LIFETIME"])
            link = url_for("auth.accept_invitation", token=token, _external=True)
            return render_template("admin/user-created.html", user=user, link=link)
    return render_template("admin/user-new.html", form=form)


def _someone_else(user_id: int) -> User:
    """The account an admin acts on, which is never their own."""
    user = accounts.get_user(user_id)
    if user.id == current_user.id:
        abort(403)
    return user


@bp.get("/users/<int:user_id>/disable")
@admin_required
def user_disable_confirm(user_id: int) -> ResponseReturnValue:
    user = _someone_else(user_id)
    confirmation = Confirmation(
        caption="Users",
        heading=f"Disable {user.full_name}'s account?",
        consequences=(
            f"{user.full_name} ({user.email}) will be signed out at once, on every device.",
            "They cannot sign in until an admin enables the account again.",
        ),
        warning="Anything they have not saved will be lost.",
        button="Disable account",
        action=url_for("admin.user_access", user_id=user.id, action="disable"),
        cancel=url_for("admin.users"),
    )
    return confirmation_page(confirmation, ConfirmForm())


@bp.post("/users/<int:user_id>/<any(disable, enable):action>")
@admin_required
def user_access(user_id: int, action: str) -> ResponseReturnValue:
    user = accounts.get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash("You cannot disable your own account.", "error")
        return redirect(url_for("admin.users"))
    accounts.set_disabled(user, action == "disable")
    # The message waits in the session cookie until shown, so it names no one.
    flash(f"The account is {'disabled: its sessions have ended' if action == 'disable' else 'enabled'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/sign-in-and-role", methods=["GET", "POST"])
@admin_required
@recent_sign_in_required
def user_role(user_id: int) -> ResponseReturnValue:
    """Change what a person may do. Only an admin who has just confirmed it is them; never their own account."""
    user = _someone_else(user_id)
    form = RoleForm(
        data={"role": user.role, "organisation_id": str(user.organisation_id or ""), "version": user.version}
    )
    approved, _total = organisations.list_organisations(OrganisationStatus.APPROVED, 1, 10_000)
    form.organisation_id.choices = [("", "Select an organisation")] + [(str(o.id), o.name) for o in approved]
    if form.validate_on_submit():
        try:
            check_version(user, form.version.data)
        except EditConflict:
            form.role.errors.append(CHANGED_SINCE_OPENED)
            return render_template("admin/user-role.html", user=user, form=form, reset_form=ConfirmForm()), 409
        role = Role(form.role.data)
        accounts.change_role(user, role, int(form.organisation_id.data) if role == Role.PARTNER else None)
        flash("Role changed. The person has been signed out and sees their new access when they sign in.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user-role.html", user=user, form=form, reset_form=ConfirmForm())


@bp.post("/users/<int:user_id>/reset-authenticator")
@admin_required
@recent_sign_in_required
def user_reset_authenticator(user_id: int) -> ResponseReturnValue:
    """For someone who lost both their phone and their recovery codes: they link a new app at their next sign-in."""
    user = accounts.get_user(user_id)
    if user.id == current_user.id or not ConfirmForm().validate_on_submit():
        abort(403 if user.id == current_user.id else 400)
    accounts.reset_second_factor(user)
    flash("Authenticator reset. The person sets up a new one the next time they sign in.", "success")
    return redirect(url_for("admin.users"))


@bp.get("/feedback")
@admin_required
def feedback_list() -> ResponseReturnValue:
    return render_template("admin/feedback.html", entries=feedback.latest_feedback())
