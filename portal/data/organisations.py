"""Partner organisations: registration and vetting."""

from sqlalchemy import func, select

from portal.data import audit, catalogue
from portal.extensions import db
from portal.models import Organisation, OrganisationStatus, utcnow


def get_organisation(organisation_id: int) -> Organisation:
    return db.get_or_404(Organisation, organisation_id)


def name_in_use(name: str) -> bool:
    return (
        db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower()))
        is not None
    )


def register_organisation(details: dict[str, str]) -> Organisation:
    organisation = Organisation(status=OrganisationStatus.PENDING, **details)
    db.session.add(organisation)
    db.session.flush()
    audit.record(audit.COLLECTION, "organisation", organisation.id, organisation_id=organisation.id)
    return organisation


def list_organisations(status: OrganisationStatus | None, page: int, per_page: int) -> tuple[list[Organisation], int]:
    query = select(Organisation)
    if status is not None:
        query = query.where(Organisation.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Organisation.name).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def count_by_status() -> dict[str, int]:
    rows = db.session.execute(select(Organisation.status, func.count()).group_by(Organisation.status)).all()
    return {str(status): count for status, count in rows}


def change_status(organisation: Organisation, status: OrganisationStatus, reason: str) -> None:
    previous = organisation.status
    organisation.status = status
    organisation.status_reason = reason.strip()
    organisation.status_changed_at = utcnow()
    catalogue.mark_changed()
    audit.record(
        audit.ALTERATION,
        "organisation",
        organisation.id,
        change=f"status {previous} -> {status}",
        reason=reason.strip(),
    )
