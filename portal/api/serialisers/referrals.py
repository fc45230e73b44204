"""Referrals (partners): exactly the allow-list of the data layer's `ReferralView`."""

from dataclasses import asdict
from typing import Any

from portal.api.serialisers.base import DATE, DATETIME, INT, SCHEMAS, STR, STRS, TIME, null, obj, page_schema
from portal.data.referrals import ReferralView

REFERRAL_TYPES: dict[str, Any] = {
    "referral_id": INT,
    "version": INT,
    "status": STR,
    "sent_at": DATETIME,
    "viewed_at": null(DATETIME),
    "responded_at": null(DATETIME),
    "age": INT,
    "languages": STRS,
    "needs": STRS,
    "weekday": null(INT),
    "start_time": TIME,
    "end_time": TIME,
    "starts_on": null(DATE),
    "ends_on": null(DATE),
    "order_proposed_start": null(DATE),
    "order_duration_months": INT,
}


def referral_schema() -> dict[str, Any]:
    from portal.data.referrals import PARTNER_ALLOW_LIST

    found = obj({name: REFERRAL_TYPES.get(name, STR) for name in PARTNER_ALLOW_LIST})
    return found | {"additionalProperties": False}


SCHEMAS["Referral"] = referral_schema()
SCHEMAS["ReferralPage"] = page_schema("Referral")


def referral(view: ReferralView) -> dict[str, Any]:
    return asdict(view)
