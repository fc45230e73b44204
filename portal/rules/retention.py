"""When a record is due for retention review (DPA 2018 s.39; College of Policing APP, review, retention and disposal).

Pure Python: no Flask, no database. The periods are local policy an admin sets (`RetentionPolicy`); the dates are
counted the way the registers count an order's days (`portal.rules.schedule.order_end`).

- An order made by a court is reviewed `months_after_order_end` after its last day in force.
- An order no court made (a draft, a filed application, a withdrawn or superseded version) is reviewed
  `months_after_unmade_order` after it was started.
- A subject is reviewed on the latest of their orders' review dates; a subject with no order
  `months_without_order` after their record was created.
- A decision to retain moves the next review of the subject and their orders on to the date the reviewer set, unless
  an order keeps them longer anyway.
"""

from dataclasses import dataclass
from datetime import date

from portal.rules.dates import add_months
from portal.rules.schedule import order_end

# The furthest ahead a reviewer may set the next review when retaining (so every record is looked at again).
MAX_RETAIN_MONTHS = 36


@dataclass(frozen=True)
class RetentionPolicy:
    """Local policy, not law: how long after each event a record is reviewed."""

    months_after_order_end: int = 24
    months_after_unmade_order: int = 12
    months_without_order: int = 12
    months_after_retain: int = 12

    @classmethod
    def from_setting(cls, value: dict | None) -> "RetentionPolicy":
        """From the stored local-policy setting; a period it does not hold keeps its default."""
        known = cls.__dataclass_fields__
        return cls(**{name: int(months) for name, months in (value or {}).items() if name in known})


@dataclass(frozen=True)
class OrderDates:
    """What an order's review date depends on."""

    order_id: int
    status: str
    created_on: date
    made_on: date | None
    duration_months: int


@dataclass(frozen=True)
class Review:
    """A review date and, in words, what it is counted from."""

    due: date
    reason: str


def format_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _months(count: int) -> str:
    return f"{count} month{'s' if count != 1 else ''}"


def order_review(order: OrderDates, policy: RetentionPolicy, retained_until: date | None = None) -> Review:
    if order.made_on is not None:
        end = order_end(order.made_on, order.duration_months)
        review = Review(
            add_months(end, policy.months_after_order_end),
            f"{_months(policy.months_after_order_end)} after the order ended on {format_date(end)}",
        )
    else:
        review = Review(
            add_months(order.created_on, policy.months_after_unmade_order),
            f"{_months(policy.months_after_unmade_order)} after it was started on {format_date(order.created_on)}; "
            "no court made it",
        )
    return _retained(review, retained_until)


def subject_review(
    created_on: date,
    orders: list[Review],
    policy: RetentionPolicy,
    retained_until: date | None = None,
) -> Review:
    if orders:
        latest = max(orders, key=lambda review: review.due)
        count = len(orders)
        review = Review(latest.due, f"Its {'latest ' if count > 1 else ''}order: {latest.reason}")
    else:
        review = Review(
            add_months(created_on, policy.months_without_order),
            f"No order: {_months(policy.months_without_order)} after the record was created on "
            f"{format_date(created_on)}",
        )
    return _retained(review, retained_until)


def _retained(review: Review, retained_until: date | None) -> Review:
    if retained_until is not None and retained_until > review.due:
        return Review(retained_until, f"Retained after a review, until {format_date(retained_until)}")
    return review


def default_next_review(today: date, policy: RetentionPolicy) -> date:
    return add_months(today, policy.months_after_retain)


def latest_next_review(today: date) -> date:
    return add_months(today, MAX_RETAIN_MONTHS)
