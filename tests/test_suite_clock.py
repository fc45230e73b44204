"""The suite's own clocks. The midnight rule (tests/conftest.py): no test starts so near London midnight that it could
finish on the next day; a run that gets there waits for midnight rather than compare two different days. The
browser tests' sign-in codes (tests/browser/conftest.py): a code that is not due yet moves their clock on rather
than wait for it."""

from datetime import datetime, timedelta

import pytest

from portal.rules.schedule import LONDON
from tests.browser.conftest import AuthenticatorClock
from tests.conftest import MODULE_CLEAR_OF_MIDNIGHT, TEST_CLEAR_OF_MIDNIGHT, seconds_to_wait_for_midnight


@pytest.mark.parametrize(
    ("london_time", "margin", "wait"),
    [
        ("2026-12-06 12:00:00", MODULE_CLEAR_OF_MIDNIGHT, 0.0),
        ("2026-12-06 23:54:59", MODULE_CLEAR_OF_MIDNIGHT, 0.0),
        ("2026-12-06 23:56:00", MODULE_CLEAR_OF_MIDNIGHT, 241.0),  # a module starting now would pass midnight
        ("2026-12-06 23:56:00", TEST_CLEAR_OF_MIDNIGHT, 0.0),  # one more test of a module already going is fine
        ("2026-12-06 23:59:30", TEST_CLEAR_OF_MIDNIGHT, 31.0),
        ("2026-12-07 00:00:01", MODULE_CLEAR_OF_MIDNIGHT, 0.0),
        ("2027-07-14 23:59:00", TEST_CLEAR_OF_MIDNIGHT, 61.0),  # British Summer Time: London's midnight, not UTC's
        ("2027-03-27 23:58:30", TEST_CLEAR_OF_MIDNIGHT, 91.0),  # the night the clocks go forward, at 01:00
    ],
)
def test_a_test_near_london_midnight_waits_until_just_after_it(
    london_time: str, margin: timedelta, wait: float
) -> None:
    now = datetime.fromisoformat(london_time).replace(tzinfo=LONDON)
    assert seconds_to_wait_for_midnight(now, margin) == wait


def test_the_sign_in_codes_clock_moves_on_to_a_code_not_yet_due_and_never_goes_back() -> None:
    clock = AuthenticatorClock(lambda now=None: 1000 if now is None else int(now // 30))
    assert clock.current_step() == 1000
    clock.move_to(1002)  # a third sign-in of one account within a step needs the code two steps on
    assert clock.current_step() == 1002
    clock.move_to(1001)
    assert clock.current_step() == 1002  # never back: every code a portal has taken stays used
    assert clock.current_step(now=30_000.0) == 1000  # a time given is read as it is
