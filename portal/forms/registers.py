"""The register: one form for a whole session, its fields prefixed per young person ("r12-status"), so the error
summary can name each young person and link to their own field. The provider's cancellation is a separate form."""

from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import SelectField, SubmitField

from portal.data.attendance import MARK_FIELDS, Register, RegisterRow
from portal.forms.common import VersionField, WholeNumberField, radios, require_words, text_area

STATUS_CHOICES = [("attended", "Attended"), ("late", "Late"), ("absent", "Absent")]
YES_NO = [("yes", "Yes"), ("no", "No")]


def prefix_for(row: RegisterRow) -> str:
    return f"r{row.attendee.requirement_id}-"


class RegisterForm(FlaskForm):
    """Built for one register by `register_form`; each young person's fields are added to a subclass."""

    rows: tuple[RegisterRow, ...] = ()
    submit = SubmitField("Save register", widget=GovSubmitInput())

    def field(self, row: RegisterRow, name: str) -> Any:
        return self[prefix_for(row) + name]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for row in self.rows:
            self._check_row(row)
        return valid and not any(field.errors for field in self)

    def _check_row(self, row: RegisterRow) -> None:
        name, status = row.attendee.subject_name, self.field(row, "status").data
        if status == "late":
            minutes = self.field(row, "minutes_late")
            if minutes.data is None and not minutes.errors:
                minutes.errors.append(f"Enter how many minutes late {name} was")
            elif minutes.data is not None and minutes.data < 1:
                minutes.errors.append(f"Minutes {name} was late must be 1 or more")
        elif status == "absent":
            reason = self.field(row, "absence_reason")
            if not reason.errors and not (reason.data or "").strip():
                reason.errors.append(f"Enter why {name} was absent")
            acceptable = self.field(row, "absence_acceptable")
            if acceptable.data not in ("yes", "no"):
                acceptable.errors.append(f"Select whether {name}'s absence was acceptable")
        if row.current is not None and status in ("attended", "late", "absent") and self._changed(row):
            correction = self.field(row, "correction_reason")
            if not correction.errors and not (correction.data or "").strip():
                correction.errors.append(f"Enter why you are changing {name}'s mark")

    def _changed(self, row: RegisterRow) -> bool:
        mark = self.mark(row)
        earlier = row.current.values() if row.current else {}
        return any(_normal(mark.get(name)) != _normal(earlier.get(name)) for name in MARK_FIELDS)

    def mark(self, row: RegisterRow) -> dict[str, Any]:
        """One young person's answers as `registers.save_register` takes them (what does not apply is cleared)."""
        status = self.field(row, "status").data
        absent = status == "absent"
        acceptable = self.field(row, "absence_acceptable").data
        return {
            "requirement_id": row.attendee.requirement_id,
            "expected_revision": self.field(row, "revision").data,
            "status": status,
            "minutes_late": self.field(row, "minutes_late").data if status == "late" else None,
            "absence_reason": (self.field(row, "absence_reason").data or "").strip() if absent else "",
            "absence_acceptable": {"yes": True, "no": False}.get(acceptable) if absent else None,
            "evidence_note": (self.field(row, "evidence_note").data or "").strip() if absent else "",
            "contact_attempts": (self.field(row, "contact_attempts").data or "").strip() if absent else "",
            "correction_reason": (self.field(row, "correction_reason").data or "").strip(),
        }

    def marks(self) -> list[dict[str, Any]]:
        return [self.mark(row) for row in self.rows]


def _normal(value: Any) -> Any:
    return "" if value is None else str(value)


def register_form(found: Register) -> RegisterForm:
    """A RegisterForm for this register, filled from the current marks (a POST fills it from what was sent)."""
    data: dict[str, Any] = {}
    for row in found.rows:
        prefix = prefix_for(row)
        data[prefix + "revision"] = row.current.revision if row.current else 0
        if row.current is not None:
            current = row.current.values()
            for field_name in MARK_FIELDS:
                value = current[field_name]
                if field_name == "absence_acceptable":
                    value = {True: "yes", False: "no"}.get(value)
                data[prefix + field_name] = str(value) if field_name == "status" else value
    form_class = _register_form_class(tuple((prefix_for(row), row.attendee.subject_name) for row in found.rows))
    form = form_class(data=data)
    form.rows = found.rows
    return form


@lru_cache(maxsize=1024)
def _register_form_class(people: tuple[tuple[str, str], ...]) -> type[RegisterForm]:
    """The form class for these young people, by (field prefix, name): made once, as making it costs more than
    filling it (a register is opened and saved with the same people, time after time)."""
    fields: dict[str, Any] = {}
    for prefix, name in people:
        fields |= {
            prefix + "revision": VersionField(),
            prefix + "status": radios(
                f"Attendance for {name}", STATUS_CHOICES, f"Select whether {name} attended, was late or was absent"
            ),
            prefix + "minutes_late": WholeNumberField(f"Minutes {name} was late"),
            prefix + "absence_reason": text_area(f"Why was {name} absent?", max_length=2000),
            prefix + "absence_acceptable": SelectField(
                f"Was {name}'s absence acceptable?", choices=YES_NO, validate_choice=False, widget=GovRadioInput()
            ),
            prefix + "evidence_note": text_area(f"Evidence for {name}'s absence (optional)", max_length=2000),
            prefix + "contact_attempts": text_area(f"How you tried to contact {name} (optional)", max_length=2000),
            prefix + "correction_reason": text_area(f"Why are you changing {name}'s mark?", max_length=2000),
        }
    return type("SessionRegisterForm", (RegisterForm,), fields)


class CancelForm(FlaskForm):
    """Shown below the register, so its fields carry the 'cancel-' prefix to keep ids unique on the page."""

    reason = text_area(
        "Why was the session cancelled?",
        required_message="Enter why the session was cancelled",
        max_length=2000,
        description="The officer sees this. No one is expected at a session you cancel.",
    )
    submit = SubmitField("Record session as cancelled", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="cancel", **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        require_words(self.reason)
        return valid and not self.reason.errors
