"""Demo and synthetic seed data for the KCPO partner portal.

`seed.demo.build_demo()` returns the hand-curated east and north London demo (deterministic).
`seed.synthetic.synthetic_catalogue(n)` streams a large national catalogue for load testing.
Both are pure Python: no Flask or SQLAlchemy imports, so loaders decide how to persist them.
"""

from seed.demo import DEMO_PASSWORD, DEMO_TODAY, Demo, build_demo

__all__ = ["DEMO_PASSWORD", "DEMO_TODAY", "Demo", "build_demo"]
