"""Admins review imported listings held for review, as their partners can (an organisation created by an import
has nobody signed up yet to do it)."""

from flask import render_template, url_for
from flask.typing import ResponseReturnValue

from portal.blueprints.admin import bp
from portal.blueprints.partners.routes import review_listing
from portal.data import listing_review
from portal.web.auth import admin_required


@bp.get("/listings-held-for-review")
@admin_required
def held_listings() -> ResponseReturnValue:
    return render_template("admin/held-listings.html", programmes=listing_review.held_programmes())


@bp.route("/listings-held-for-review/<int:programme_id>", methods=["GET", "POST"])
@admin_required
def listing_review_page(programme_id: int) -> ResponseReturnValue:
    found = listing_review.get_any_programme(programme_id)
    return review_listing(found, url_for("admin.held_listings"))
