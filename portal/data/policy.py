"""Local policy and the legal-basis table: what admins configure, labelled as policy rather than law."""

from dataclasses import asdict
from typing import Any

from flask import abort
from sqlalchemy import select

from portal.data import EditConflict, audit, check_version
from portal.extensions import db
from portal.models import LegalBasis, PolicySetting
from portal.rules.orders.facts import Policy
from portal.rules.retention import RetentionPolicy

ORDER_CHECKS = "order-checks"
RETENTION = "retention"  # review periods (DPA 2018 s.39); saving them recalculates every review date


def legal_bases() -> list[LegalBasis]:
    return list(db.session.scalars(select(LegalBasis).order_by(LegalBasis.police_area, LegalBasis.valid_from)))


def get_legal_basis(basis_id: int) -> LegalBasis:
    basis = db.session.get(LegalBasis, basis_id)
    if basis is None:
        abort(404)
    return basis


def add_legal_basis(fields: dict[str, Any]) -> LegalBasis:
    basis = LegalBasis(**fields)
    db.session.add(basis)
    db.session.flush()
    audit.record(audit.ALTERATION, "legal-basis", basis.id, change="added", **_printable(fields))
    return basis


def update_legal_basis(basis: LegalBasis, fields: dict[str, Any], expected_version: int | None) -> None:
    check_version(basis, expected_version)
    for name, value in fields.items():
        setattr(basis, name, value)
    audit.record(audit.ALTERATION, "legal-basis", basis.id, change="changed", **_printable(fields))


def remove_legal_basis(basis: LegalBasis) -> None:
    audit.record(audit.ALTERATION, "legal-basis", basis.id, change="removed")
    db.session.delete(basis)


def _printable(fields: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in fields.items()}


def order_check_policy() -> Policy:
    """The local policy for order checks; the defaults when an admin has recorded none."""
    setting = db.session.get(PolicySetting, ORDER_CHECKS)
    if setting is None:
        return Policy()
    values = dict(setting.value)
    values["reported_as_warnings"] = frozenset(values.get("reported_as_warnings", ()))
    return Policy(**values)


def save_order_check_policy(policy: Policy, user_id: int, expected_version: int | None) -> None:
    save_setting(
        ORDER_CHECKS,
        asdict(policy) | {"reported_as_warnings": sorted(policy.reported_as_warnings)},
        user_id,
        expected_version,
    )


def retention_policy() -> RetentionPolicy:
    """The retention review periods; the defaults when an admin has recorded none."""
    setting = db.session.get(PolicySetting, RETENTION)
    return RetentionPolicy.from_setting(setting.value if setting else None)


def save_retention_policy(periods: RetentionPolicy, user_id: int, expected_version: int | None) -> None:
    """Record new review periods; every subject's and order's review date is recalculated in the same transaction
    (portal.data.retention listens for this setting)."""
    save_setting(RETENTION, asdict(periods), user_id, expected_version)


def setting_version(key: str) -> int:
    """The version an edit form must carry (0 while nothing is recorded)."""
    setting = db.session.get(PolicySetting, key)
    return setting.version if setting else 0


def settings_unchanged(opened: dict[str, int | None]) -> bool:
    """Whether every setting is still at the version the form was opened on."""
    return all(version is None or setting_version(key) == version for key, version in opened.items())


def save_setting(key: str, value: dict[str, Any], user_id: int, expected_version: int | None) -> None:
    """Record a local-policy setting; a form opened on an older version is refused, never silently overwritten."""
    setting = db.session.get(PolicySetting, key)
    if setting is None:
        if expected_version:
            raise EditConflict()
        db.session.add(PolicySetting(key=key, value=value, updated_by_id=user_id))
    else:
        check_version(setting, expected_version)
        setting.value, setting.updated_by_id = value, user_id
    db.session.flush()
    audit.record(audit.ALTERATION, "policy", None, user_id=user_id, setting=key, value=value)
