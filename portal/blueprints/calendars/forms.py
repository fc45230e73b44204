from flask_wtf import FlaskForm


class FeedForm(FlaskForm):
    """A button-only form: CSRF protection for creating or stopping a calendar feed."""
