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


def _tables(app) -> set[str]:  # noqa: ANN001
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


def test_an_empty_database_upgrades_to_head_and_downgrades_to_base(empty_database_url) -> None:  # noqa: ANN001
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


def test_the_models_match_the_migrated_schema(empty_database_url) -> None:  # noqa: ANN001
    app = app_for(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            drift = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert drift == [], "the models and the migrations disagree; add a migration:\n" + "\n".join(map(str, drift))
