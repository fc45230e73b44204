"""Migrations: one head; an empty database upgrades to head and downgrades back to nothing, on SQLite and PostgreSQL;
and the models describe exactly the schema the migrations build (any drift fails, naming what differs)."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import MIGRATIONS_DIR
from portal.extensions import db
from tests.reliability.conftest import app_for


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return ScriptDirectory.from_config(config)


def _tables(app) -> set[str]:
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return tables


def test_the_migrations_have_a_single_head() -> None:
    heads = _script().get_heads()
    assert len(heads) == 1, f"more than one head: {heads}; merge them or rebase the newer migration"


def test_every_migration_has_a_downgrade() -> None:
    for revision in _script().walk_revisions():
        source = Path(revision.path).read_text(encoding="utf-8")
        body = source.split("def downgrade", 1)[1] if "def downgrade" in source else ""
        assert "op." in body, f"{revision.revision} ({revision.doc}) has no downgrade"


def test_an_empty_database_upgrades_to_head_and_downgrades_to_base(empty_database_url) -> None:
    app = app_for(empty_database_url)
    model_tables = {table.name for table in db.metadata.sorted_tables}
    with app.app_context():
        upgrade()
        db.engine.dispose()
    assert model_tables | {"alembic_version"} <= _tables(app)

    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()
    assert _tables(app) <= {"alembic_version"}, "downgrade to base left tables behind"

    with app.app_context():  # and back up again: the downgrade left nothing in the way
        upgrade()
        db.engine.dispose()
    assert model_tables <= _tables(app)


def test_the_models_match_the_migrated_schema(empty_database_url) -> None:
    app = app_for(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            drift = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert drift == [], "the models and the migrations disagree; add a migration:\n" + "\n".join(map(str, drift))


def _insert_row(connection, table_name: str, **given) -> int:
    """Insert a row filling every required column the caller leaves out with a plain value of its type."""
    import datetime

    from sqlalchemy import MetaData, Table, insert, types

    table = Table(table_name, MetaData(), autoload_with=connection)
    values = dict(given)
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None or column.primary_key:
            continue
        kind = column.type
        if isinstance(kind, types.Boolean):
            values[column.name] = True
        elif isinstance(kind, types.Integer):
            values[column.name] = 1
        elif isinstance(kind, types.DateTime):
            values[column.name] = datetime.datetime(2026, 1, 1, 12, 0)
        elif isinstance(kind, types.Date):
            values[column.name] = datetime.date(2010, 1, 1)
        elif isinstance(kind, types.Time):
            values[column.name] = datetime.time(12, 0)
        elif isinstance(kind, types.JSON):
            values[column.name] = []
        else:
            values[column.name] = f"{column.name}-1"[: getattr(kind, "length", None) or 50]
    return connection.execute(insert(table).values(values).returning(table.c.id)).scalar_one()


def test_records_made_before_the_task_list_keep_their_way_to_suggestions(empty_database_url) -> None:
    """A young person's record made with the one long form must not show "Cannot start yet" after the upgrade."""
    import json

    from sqlalchemy import text

    from portal.data.subjects import RECORD_SECTIONS

    app = app_for(empty_database_url)
    with app.app_context():
        upgrade(revision="3c9e7a1d5b42")
        with db.engine.begin() as connection:
            user_id = _insert_row(connection, "users", email="o@example.org", role="officer")
            _insert_row(
                connection, "subjects", reference="OLD-1", gender="male", home_postcode="E3 2AA", created_by_id=user_id
            )
        upgrade()
        with db.engine.connect() as connection:
            stored = connection.execute(text("SELECT completed_sections FROM subjects")).scalar_one()
        db.engine.dispose()
    completed = stored if isinstance(stored, list) else json.loads(stored)
    assert set(completed) | {"personal-details"} == {key for key, _title in RECORD_SECTIONS}
