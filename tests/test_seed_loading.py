"""`flask seed` loads the London demo idempotently and adds synthetic programmes in bulk."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Organisation, Programme, ProgrammeSession, User


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Organisation, User, Programme, ProgrammeSession)
        }


def test_demo_seed_is_idempotent_and_big_enough(app) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    after_first = counts(app)
    second = runner.invoke(args=["seed"])
    assert "added 0 organisations, 0 users, 0 programmes, 0 sessions, 0 subjects" in second.output
    assert counts(app) == after_first
    assert after_first["organisations"] >= 30
    assert after_first["programmes"] >= 120
    assert after_first["programme_sessions"] >= 300


def test_scale_adds_synthetic_programmes_once(app, monkeypatch) -> None:
    monkeypatch.setattr("seed.loader.BATCH_SIZE", 50)  # several batches, so no organisation is split between two
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "--scale", "300"])
    assert result.exit_code == 0, result.output
    assert "Synthetic: added 300 programmes" in result.output
    before = counts(app)
    again = runner.invoke(args=["seed", "--scale", "300"])
    assert "Synthetic: added 0 programmes" in again.output
    assert counts(app) == before
    with app.app_context():
        sessions = db.session.scalar(
            select(func.count())
            .select_from(ProgrammeSession)
            .join(Programme)
            .join(Organisation)
            .where(Organisation.name.like("Synthetic %"))
        )
    assert sessions >= 600
