"""The `/services` query string: ORUK filters, parsed and checked (pure; the data layer turns them into SQL).

Semantics follow the ORUK 3.0 OpenAPI text, and filters combine with AND:
- `search`: words in the title, description or organisation name (every word must appear);
- `taxonomy_term_id`: services with that term or a term below it; `taxonomy_id`: any term of that taxonomy;
- `minimum_age`: services whose minimum age is at least this; `maximum_age`: whose maximum age is at most this;
- `day` (MO..SU or Monday..Sunday), `start_time`, `end_time`: a session on that day starting at or after
  `start_time` and ending at or before `end_time` (one session meets all three);
- `modified_after`: the service, its organisation, a session or a venue changed on or after this date-time.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from portal.oruk.export import BYDAY, DAY_NAMES

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
TRUE = ("true", "1", "yes")


class FilterError(ValueError):
    pass


@dataclass(frozen=True)
class ServiceFilters:
    search: str = ""
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    modified_after: datetime | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    full: bool = False


def parse_filters(args: Mapping[str, str]) -> ServiceFilters:
    def text(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        return value or None

    return ServiceFilters(
        search=(text("search") or "")[:200],
        taxonomy_term_id=text("taxonomy_term_id"),
        taxonomy_id=text("taxonomy_id"),
        organization_id=text("organization_id"),
        minimum_age=_number("minimum_age", text("minimum_age")),
        maximum_age=_number("maximum_age", text("maximum_age")),
        day=_day(text("day")),
        start_time=_time("start_time", text("start_time")),
        end_time=_time("end_time", text("end_time")),
        modified_after=_moment(text("modified_after")),
        page=_whole("page", text("page"), 1, 1, 1_000_000),
        per_page=_whole("per_page", text("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        full=(text("full") or "").lower() in TRUE,
    )


def _number(name: str, raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise FilterError(f"{name} must be a number") from None
    if not 0 <= value <= 150:
        raise FilterError(f"{name} must be between 0 and 150")
    return value


def _whole(name: str, raw: str | None, default: int, lowest: int, highest: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise FilterError(f"{name} must be a whole number from {lowest} to {highest}")
    return int(raw)


def _day(raw: str | None) -> int | None:
    if raw is None:
        return None
    upper = raw.upper()
    if upper in BYDAY:
        return BYDAY.index(upper)
    names = [name.upper() for name in DAY_NAMES]
    if upper in names:
        return names.index(upper)
    raise FilterError("day must be one of MO, TU, WE, TH, FR, SA, SU (or a day's name)")


def _time(name: str, raw: str | None) -> time | None:
    if raw is None:
        return None
    try:
        return time.fromisoformat(raw.upper().removesuffix("Z")).replace(tzinfo=None)
    except ValueError:
        raise FilterError(f"{name} must be a time like 17:00") from None


def _moment(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        return parse_timestamp(raw)
    except ValueError:
        raise FilterError("modified_after must be a date-time like 2026-01-31T09:00:00Z") from None


def parse_timestamp(raw: str) -> datetime:
    """An RFC 3339 date-time (or a plain date) as naive UTC."""
    text = raw.strip().replace("z", "Z").replace("Z", "+00:00").replace(" ", "+", 1) if "T" in raw else raw.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time())
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
