from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.directory import bp
from portal.data import programmes, searches
from portal.data.directory_search import run_listing
from portal.forms.directory import DirectorySearchForm
from portal.rules.schedule import london_today
from portal.web.auth import officer_required
from portal.web.pagination import page_number, pagination


@bp.get("/")
@officer_required
def search() -> ResponseReturnValue:
    search_id = request.args.get("search", "")
    if not search_id:
        return render_template("directory/search.html", form=DirectorySearchForm(formdata=None), results=None)
    criteria = searches.own_search(current_user.id, search_id)
    form = DirectorySearchForm(formdata=None, data=criteria)
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    results = run_listing(criteria, page, per_page, london_today())
    return render_template(
        "directory/search.html",
        form=form,
        results=results,
        pagination=pagination(page, results.total, per_page, "directory.search", search=search_id),
    )


@bp.post("/")
@officer_required
def search_submit() -> ResponseReturnValue:
    form = DirectorySearchForm()
    if not form.validate_on_submit():
        return render_template("directory/search.html", form=form, results=None)
    return redirect(url_for("directory.search", search=searches.save_search(current_user.id, form.criteria())))


@bp.get("/programmes/<int:programme_id>")
@officer_required
def programme(programme_id: int) -> ResponseReturnValue:
    found = programmes.visible_programme_page(programme_id)
    today = london_today()
    upcoming = {session.id: programmes.next_dates(session, today) for session in found.sessions}
    return render_template("directory/programme.html", programme=found, upcoming=upcoming)
