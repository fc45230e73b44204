"""Dates typed to filter a list (registers history, audit log): GOV.UK day, month and year boxes in a GET form.

The boxes are named `<name>-day`, `<name>-month` and `<name>-year`, as the Design System's date input names them
(a single `<name>=YYYY-MM-DD`, from links made before, is read too).
A problem is a message naming the field, as GOV.UK words it ("From must include a month"); the list then shows
nothing rather than guessing.
"""

from dataclasses import dataclass
from datetime import date

from werkzeug.datastructures import MultiDict

from portal.rules.schedule import london_today

PARTS = ("day", "month", "year")
# A filter date outside these years is a typing slip (31/12/9999), not a question about the records.
YEARS_BACK, YEARS_AHEAD = 20, 5


@dataclass(frozen=True)
class TypedDate:
    name: str
    label: str
    day: str = ""
    month: str = ""
    year: str = ""
    value: date | None = None
    error: str = ""

    def query(self) -> dict[str, str]:
        """The boxes as query values, for links that keep the filter (pages, downloads)."""
        if self.value is None:
            return {}
        return {f"{self.name}-day": str(self.value.day), f"{self.name}-month": str(self.value.month)} | {
            f"{self.name}-year": str(self.value.year)
        }

    def params(self) -> dict:
        """The govukDateInput parameters."""
        error_class = " govuk-input--error" if self.error else ""
        widths = {"day": 2, "month": 2, "year": 4}
        return {
            "id": self.name,
            "namePrefix": self.name,
            "fieldset": {"legend": {"text": self.label, "classes": "govuk-fieldset__legend--s"}},
            "hint": {"text": "For example, 27 3 2026"},
            "errorMessage": {"text": self.error} if self.error else None,
            "items": [
                {
                    "name": part,
                    "classes": f"govuk-input--width-{widths[part]}{error_class}",
                    "value": getattr(self, part),
                }
                for part in PARTS
            ],
        }


def read_date(args: MultiDict, name: str, label: str) -> TypedDate:
    """The date typed in the boxes (all empty: no date)."""
    day, month, year = (args.get(f"{name}-{part}", "").strip()[:6] for part in PARTS)
    typed = {"day": day, "month": month, "year": year}
    if not any(typed.values()):
        return _from_iso(args.get(name, "").strip(), name, label)
    missing = [part for part, text in typed.items() if not text]
    if missing:
        return TypedDate(name, label, day, month, year, error=f"{label} must include a {missing[0]}")
    value = _real_date(day, month, year)
    if value is None:
        return TypedDate(name, label, day, month, year, error=f"{label} must be a real date")
    today = london_today()
    if not today.year - YEARS_BACK <= value.year <= today.year + YEARS_AHEAD:
        error = f"{label} must be between {today.year - YEARS_BACK} and {today.year + YEARS_AHEAD}"
        return TypedDate(name, label, day, month, year, error=error)
    return TypedDate(name, label, day, month, year, value=value)


def _from_iso(text: str, name: str, label: str) -> TypedDate:
    """A date given as one YYYY-MM-DD value (links made before the boxes), shown back in the boxes."""
    if not text:
        return TypedDate(name, label)
    parts = text.split("-")
    if len(parts) != 3:
        return TypedDate(name, label, error=f"{label} must be a real date")
    year, month, day = parts
    return read_date(MultiDict({f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}), name, label)


def _real_date(day: str, month: str, year: str) -> date | None:
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def read_period(args: MultiDict, from_label: str = "From", to_label: str = "To") -> tuple[TypedDate, TypedDate]:
    """The `from` and `to` dates of a filter; a `to` before the `from` is a problem on `to`."""
    date_from, date_to = read_date(args, "from", from_label), read_date(args, "to", to_label)
    if date_from.value and date_to.value and date_to.value < date_from.value:
        message = f"{to_label} must be the same as or after {from_label.lower()}"
        date_to = TypedDate(date_to.name, to_label, date_to.day, date_to.month, date_to.year, error=message)
    return date_from, date_to


def errors_of(*dates: TypedDate) -> dict[str, str]:
    """Error summary entries: the link goes to the day box, as the Design System asks."""
    return {f"{typed.name}-day": typed.error for typed in dates if typed.error}
