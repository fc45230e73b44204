"""Open Referral UK at the edge: reading an ORUK feed into programmes and writing ours out, with no web or database
code. It stays beside portal/rules rather than in it because it maps to the models' enums (`Gender`,
`ProgrammeStatus` in portal.models, which is SQLAlchemy code) and looks postcodes up (portal.infra.geo)."""
