"""Forms, below both doors: the pages and the JSON API validate with the same form classes.

`portal.forms.common` holds the building blocks every area uses (re-exported here); each area's forms are a module
beside it (`portal.forms.orders`, `portal.forms.partners`, …). Forms may read the data layer's constants; they never
import a page (`portal.blueprints`) or the API (`portal.api`).
"""

from portal.forms.common import (
    CHANGED_SINCE_OPENED,
    TIME_PATTERN,
    ChoiceField,
    ClockTimeField,
    DayMonthYearInput,
    GovDateField,
    PostcodeField,
    VersionField,
    WholeNumberField,
    at_most,
    checkboxes,
    email_field,
    ensure_after,
    error_summary,
    radios,
    required,
    select,
    text_area,
    text_field,
)

__all__ = [
    "CHANGED_SINCE_OPENED",
    "TIME_PATTERN",
    "ChoiceField",
    "ClockTimeField",
    "DayMonthYearInput",
    "GovDateField",
    "PostcodeField",
    "VersionField",
    "WholeNumberField",
    "at_most",
    "checkboxes",
    "email_field",
    "ensure_after",
    "error_summary",
    "radios",
    "required",
    "select",
    "text_area",
    "text_field",
]
