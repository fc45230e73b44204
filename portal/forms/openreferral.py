from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadForm(FlaskForm):
    file = FileField(
        "Open Referral UK file",
        validators=[FileRequired(message="Select an Open Referral UK file")],
        widget=GovFileInput(),
        description="A JSON file of services in Open Referral UK 3.0 format, up to 5 MB.",
    )
    submit = SubmitField("Upload and import", widget=GovSubmitInput())
