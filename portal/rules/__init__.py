"""Rules that need neither the web nor the database: plain Python over plain values, tested without an app.

Orders (checks, facts, court wording, task list), non-compliance findings, the weekly schedule registers expect,
retention review dates, calendar arithmetic, attendance outcomes and the rule for text at every door.
tests/rules/test_purity.py checks that nothing here imports Flask, SQLAlchemy or portal code outside portal.rules.
"""
