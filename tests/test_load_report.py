"""The pure parts of the load test (load/phases.py, load/report.py, load/machine.py): the offered rate, pacing,
percentiles and the per-name table, the ramp's stopping rule, CPU per request and the targets. No server, no
database, no network."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "load"))
import machine  # noqa: E402
import phases  # noqa: E402
import report  # noqa: E402

WRK = """Running 30s test @ http://127.0.0.1:8801/
  2 threads and 50 connections
  Latency Distribution
     50%   25.10ms
     75%   31.00ms
     90%   40.00ms
     99%   95.20ms
  52410 requests in 30.00s, 8.20MB read
Requests/sec:   1747.02
Transfer/sec:    279.90KB
"""


ACHIEVED = "offered rate achieved (within 5%)"


def step(offered: float, p95: float, failures: int = 0, achieved: float | None = None) -> dict:
    return {
        "offered": offered,
        "achieved": offered if achieved is None else achieved,
        "p50": p95 / 2,
        "p95": p95,
        "p99": p95 * 1.5,
        "failures": failures,
    }


# -- the offered rate ---------------------------------------------------------------------------------------------


def test_the_fixed_rate_is_three_and_a_half_percent_of_the_yardstick() -> None:
    assert phases.fixed_rate(1747.02) == 61.1
    assert phases.fixed_rate(1747.02, 0.05) == 87.4
    with pytest.raises(ValueError):
        phases.fixed_rate(0)


def test_the_yardstick_is_read_from_wrks_output() -> None:
    assert phases.yardstick_rate(WRK) == 1747.02
    assert phases.yardstick_rate("unable to connect to 127.0.0.1:8801") is None
    assert report.yardstick_figures(WRK) == {"rps": 1747.02, "p50": "25.10ms", "p99": "95.20ms"}


@pytest.mark.parametrize(
    ("text", "expected"), [("30", 30), ("30s", 30), ("5m", 300), ("1m30s", 90), ("1h", 3600), ("0", 0)]
)
def test_durations_read_as_locust_reads_them(text: str, expected: float) -> None:
    assert phases.seconds(text) == expected


@pytest.mark.parametrize("text", ["", "5 minutes", "m5", "5x"])
def test_a_duration_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        phases.seconds(text)


def test_slots_are_spaced_at_the_rate_whatever_the_responses_take() -> None:
    interval, next_slot, now, starts = 0.1, 0.0, 0.0, []
    for _ in range(5):  # five users ask at the same moment: they start 0.1 s apart, not together
        slot, next_slot, missed = phases.take_slot(next_slot, now, interval, tolerance=0.5)
        starts.append(slot)
        assert missed == 0
    assert starts == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_slots_no_user_was_free_for_are_lost_not_sent_in_a_burst() -> None:
    slot, next_slot, missed = phases.take_slot(next_slot=1.0, now=3.0, interval=0.1, tolerance=0.5)
    assert (slot, missed) == (3.0, 20)
    assert next_slot == pytest.approx(3.1)
    slot, _next, missed = phases.take_slot(next_slot=2.8, now=3.0, interval=0.1, tolerance=0.5)
    assert (slot, missed) == (2.8, 0)  # a little late is still that slot


# -- percentiles and the per-name table ---------------------------------------------------------------------------


def test_percentiles_are_values_that_were_measured() -> None:
    values = list(range(1, 101))  # 1..100 ms
    assert phases.percentile(values, 0.50) == 50
    assert phases.percentile(values, 0.95) == 95
    assert phases.percentile(values, 0.99) == 99
    assert phases.percentile([7.0], 0.99) == 7.0
    assert phases.percentile([], 0.95) == 0.0
    assert phases.percentile([30, 10, 20], 0.5) == 20


def test_matches_and_pages_are_told_apart_by_name() -> None:
    assert phases.request_type("GET /subjects/[id]/suggestions (match)") == "match"
    assert phases.request_type("GET /directory/?search=[id]") == "page"
    assert phases.request_type("POST /partner/registers/[session]/[date] (mark)") == "page"


SEGMENT = {
    "seconds": 10.0,
    "names": {
        "GET /directory/?search=[id]": {"times": [10.0] * 90 + [200.0] * 10, "failures": 0},
        "POST /partner/referrals/[id]/accept": {"times": [40.0] * 20, "failures": 1},
        "GET /subjects/[id]/suggestions (match)": {"times": [100.0] * 19 + [300.0], "failures": 0},
    },
}


def test_figures_are_given_per_name_per_type_and_for_all() -> None:
    per_name, per_type, total = phases.by_name_and_type(SEGMENT)
    assert per_name["GET /directory/?search=[id]"] == {
        "requests": 100,
        "failures": 0,
        "rate": 10.0,
        "p50": 10.0,
        "p95": 200.0,
        "p99": 200.0,
    }
    assert per_type["page"]["requests"] == 120 and per_type["page"]["failures"] == 1
    assert per_type["match"] == {"requests": 20, "failures": 0, "rate": 2.0, "p50": 100.0, "p95": 100.0, "p99": 300.0}
    assert total["requests"] == 140 and total["rate"] == 14.0


def test_the_table_has_a_row_per_name_then_per_type_then_all() -> None:
    lines = phases.name_table(SEGMENT)
    assert lines[0].startswith("| Request | Type | Requests | Errors | req/s | p50 ms | p95 ms | p99 ms |")
    rows = [line.split(" | ")[0].removeprefix("| ") for line in lines[2:]]
    assert rows == [
        "GET /directory/?search=[id]",
        "GET /subjects/[id]/suggestions (match)",
        "POST /partner/referrals/[id]/accept",
        "**All pages**",
        "**All matches**",
        "**All**",
    ]
    assert "| GET /subjects/[id]/suggestions (match) | match | 20 | 0 | 2.0 | 100 | 100 | 300 |" in lines


def test_the_targets_pass_and_fail_on_the_fixed_phase() -> None:
    met = {what: ok for what, ok, _measured in phases.targets(SEGMENT, True, True, offered=14.0)}
    assert met == {
        "0 errors": False,  # the accept that failed
        "p95 <= 150 ms for pages": False,  # the pooled pages' p95 is 200 ms
        "p95 <= 250 ms for matches": True,
        ACHIEVED: True,
        "every write counted in the database": True,
        "`flask audit verify` OK": True,
    }
    fast = {"seconds": 10.0, "names": {"GET /a": {"times": [5.0] * 10, "failures": 0}}}
    results = {what: ok for what, ok, _m in phases.targets(fast, False, False, offered=1.0)}
    assert results["p95 <= 150 ms for pages"] and results[ACHIEVED]
    assert not results["p95 <= 250 ms for matches"]  # no matches measured is no pass
    assert not results["every write counted in the database"] and not results["`flask audit verify` OK"]
    assert not dict((w, ok) for w, ok, _m in phases.targets(fast, True, True, offered=4.0))[ACHIEVED]


# -- the ramp ----------------------------------------------------------------------------------------------------


def test_a_step_is_within_the_limit_with_p95_up_to_250_ms_no_error_and_the_rate_reached() -> None:
    assert phases.step_within_limit(step(60, 250))
    assert not phases.step_within_limit(step(60, 251))
    assert not phases.step_within_limit(step(60, 100, failures=1))
    assert not phases.step_within_limit(step(60, 100, achieved=50))  # the users could not keep up
    assert phases.step_within_limit(step(60, 100, achieved=57.5))


def test_the_ramp_goes_up_by_half_until_a_step_is_beyond_the_limit() -> None:
    steps = [step(60, 120)]
    assert phases.next_ramp_rate(steps) == 90.0
    steps.append(step(90, 200))
    assert phases.next_ramp_rate(steps) == 135.0
    steps.append(step(135, 400))
    assert phases.next_ramp_rate(steps) is None
    assert phases.highest_within_limit(steps)["offered"] == 90


def test_the_ramp_stops_on_an_error_even_when_fast() -> None:
    steps = [step(60, 120), step(90, 100, failures=2)]
    assert phases.next_ramp_rate(steps) is None
    assert phases.highest_within_limit(steps)["offered"] == 60


def test_the_ramp_goes_down_when_the_fixed_rate_is_already_beyond_the_limit() -> None:
    steps = [step(60, 900)]
    assert phases.next_ramp_rate(steps) == 40.0
    steps.append(step(40, 300))
    assert phases.next_ramp_rate(steps) == 26.7
    steps.append(step(26.7, 180))
    assert phases.next_ramp_rate(steps) is None
    assert phases.highest_within_limit(steps)["offered"] == 26.7


def test_the_ramp_has_a_step_limit_and_a_floor() -> None:
    assert phases.next_ramp_rate([step(60, 100)] * 3, max_steps=3) is None
    assert phases.next_ramp_rate([step(1.2, 900)], floor=1.0) is None
    assert phases.highest_within_limit([step(60, 900)]) is None
    with pytest.raises(ValueError):
        phases.next_ramp_rate([])


def test_the_ramp_result_is_a_ratio_to_the_yardstick() -> None:
    fixed = {"figures": step(60, 100)}
    result = report.ramp_result(fixed, [{"figures": step(90, 200)}, {"figures": step(135, 300)}], 1800.0)
    assert result["highest_within_limit"] == 90
    assert result["ratio_to_yardstick"] == 0.05
    assert [line.split(" | ")[-1] for line in phases.ramp_table(result["steps"])[2:]] == ["yes |", "yes |", "no |"]
    assert report.ramp_result({"figures": step(60, 900)}, [], 1800.0)["ratio_to_yardstick"] is None
    with_cpu = step(60, 100) | {"server_cpu_ms": 16.25}
    assert phases.ramp_table([with_cpu])[2] == "| fixed | 60.0 | 60.0 | 0 | 50 | 100 | 150 | 16.2 | yes |"


# -- CPU per request -----------------------------------------------------------------------------------------------


def test_cpu_spent_counts_what_each_process_added_and_new_processes_whole() -> None:
    before = {"10": 5.0, "11": 2.0, "12": 1.0}
    after = {"10": 6.5, "11": 2.0, "13": 0.25}  # 12 ended, 13 started during the phase
    assert phases.cpu_spent(before, after) == 1.75


def test_cpu_per_request_is_milliseconds_of_each_kind() -> None:
    before = {"gunicorn": {"1": 10.0, "2": 20.0}, "postgresql": {"7": 3.0}}
    after = {"gunicorn": {"1": 10.5, "2": 23.5}, "postgresql": {"7": 3.6}, "locust": {"9": 0.2}}
    assert phases.cpu_per_request(before, after, 1000) == pytest.approx(
        {"gunicorn": 4.0, "postgresql": 0.6, "locust": 0.2}
    )
    assert phases.cpu_per_request(before, after, 0) == {"gunicorn": 0.0, "postgresql": 0.0, "locust": 0.0}


def test_the_report_divides_a_segments_cpu_by_its_requests() -> None:
    segment = SEGMENT | {"cpu": {"seconds": {"gunicorn": 0.7, "postgresql": 0.14}, "machine_busy": 15.0}}
    figures = report.cpu_figures(segment)
    assert figures["ms_per_request"] == pytest.approx({"gunicorn": 5.0, "postgresql": 1.0})
    assert figures["server_ms_per_request"] == pytest.approx(6.0)
    assert figures["machine_busy_cores"] == 1.5


def test_postgresql_backends_are_told_by_their_database() -> None:
    assert machine.backend_database("postgres: 15/main: postgres kcpo_load 127.0.0.1(40350) idle") == "kcpo_load"
    assert machine.backend_database("postgres: postgres kcpo_load [local] SELECT") == "kcpo_load"
    assert machine.backend_database("postgres: 15/main: walwriter") is None
    assert machine.backend_database("postgres: 15/main: autovacuum launcher") is None
    assert machine.backend_database("/usr/bin/python gunicorn") is None


# -- correctness checks ------------------------------------------------------------------------------------------


def test_the_count_check_compares_rows_added_with_writes_counted() -> None:
    before = dict.fromkeys(
        ["auth_sessions", "auth_sessions_verified", "saved_searches", "access_reasons", "referrals_accepted"], 0
    ) | {"attendance_marks": 10, "audit_events": 0}
    after = before | {"auth_sessions": 100, "auth_sessions_verified": 50, "saved_searches": 7, "attendance_marks": 13}
    writes = {"sign_in": 50, "sign_in_code": 50, "directory_search": 7, "attendance_marks": 4}
    checks = {what: (rows, counted, equal) for what, rows, counted, equal in report.count_check(writes, before, after)}
    assert checks["sign-in sessions (auth_sessions rows)"] == (100, 100, True)
    assert checks["attendance marks"] == (3, 4, False)
    assert checks["referrals accepted"] == (0, 0, True)


def test_audit_verify_passes_only_on_ok() -> None:
    assert report.audit_ok("Linking...\nOK: 35,968 events, chain intact")
    assert not report.audit_ok("BROKEN at event 17")
    assert not report.audit_ok("")


# -- the whole report, from a run's files ------------------------------------------------------------------------


def _segment(offered: float, names: dict, seconds: float = 10.0) -> dict:
    segment = {"seconds": seconds, "names": names, "offered": offered, "missed_slots": 0}
    segment["cpu"] = {"seconds": {"gunicorn": 1.2, "postgresql": 0.3, "locust": 0.1}, "machine_busy": 18.0}
    _n, _t, total = phases.by_name_and_type(segment)
    return segment | {"figures": total | {"offered": offered, "achieved": total["rate"]}}


def test_the_report_writes_json_and_markdown_labelled_by_date_and_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    fast = {
        "GET /directory/?search=[id]": {"times": [20.0] * 80, "failures": 0},
        "GET /subjects/[id]/suggestions (match)": {"times": [120.0] * 20, "failures": 0},
    }
    slow = {"GET /directory/?search=[id]": {"times": [400.0] * 150, "failures": 0}}
    counts = dict.fromkeys(
        ["auth_sessions", "auth_sessions_verified", "saved_searches", "access_reasons", "referrals_accepted"], 0
    ) | {"attendance_marks": 0, "audit_events": 10}
    files = {
        "writes_fixed.json": {"writes": {}, "status": {"2xx": 100}, "phase": {"segments": [_segment(10.0, fast)]}},
        "writes_ramp.json": {"writes": {}, "status": {}, "phase": {"segments": [_segment(15.0, slow)]}},
        "counts_before.json": counts,
        "counts_after.json": counts | {"audit_events": 110},
    }
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content))
    (tmp_path / "audit_verify.txt").write_text("OK: 110 audit events, chain intact.\n")
    (tmp_path / "yardstick.txt").write_text(WRK)
    monkeypatch.setattr(report, "OUT", tmp_path)
    monkeypatch.setattr(sys, "argv", ["report.py", "--commit", "abc1234", "--share", "0.035"])

    assert report.main() == 0  # every target met
    markdown = (tmp_path / "results.md").read_text()
    assert markdown.startswith("### 20") and ", commit abc1234\n" in markdown.splitlines()[0] + "\n"
    assert "**1,747 requests/s**" in markdown
    assert "| 0 errors | PASS |" in markdown and "FAIL" not in markdown
    assert "CPU per request: gunicorn 12.0 ms + PostgreSQL 3.0 ms = **15.0 ms**" in markdown
    assert "Highest rate with p95 <= 250 ms: **10.0 requests/s** = **0.006** of the yardstick." in markdown
    result = json.loads((tmp_path / "results.json").read_text())
    assert result["commit"] == "abc1234"
    assert result["fixed"]["per_type"]["match"]["p95"] == 120.0
    assert result["ramp"]["highest_within_limit"] == 10.0
    assert markdown in capsys.readouterr().out


def test_the_report_fails_a_missed_target_and_says_when_a_phase_did_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = dict.fromkeys(
        ["auth_sessions", "auth_sessions_verified", "saved_searches", "access_reasons", "referrals_accepted"], 0
    ) | {"attendance_marks": 0, "audit_events": 0}
    slow = {"GET /subjects/[id]/suggestions (match)": {"times": [900.0] * 10, "failures": 0}}
    (tmp_path / "writes_fixed.json").write_text(json.dumps({"writes": {}, "phase": {"segments": [_segment(1, slow)]}}))
    (tmp_path / "counts_before.json").write_text(json.dumps(counts))
    (tmp_path / "counts_after.json").write_text(json.dumps(counts))
    monkeypatch.setattr(report, "OUT", tmp_path)
    monkeypatch.setattr(sys, "argv", ["report.py", "--commit", "abc1234", "--yardstick", "0"])
    assert report.main() == 1
    markdown = (tmp_path / "results.md").read_text()
    assert "| p95 <= 250 ms for matches | **FAIL** | p95 900 ms (10 requests) |" in markdown
    assert "| `flask audit verify` OK | **FAIL** |" in markdown  # no verify output is no pass

    (tmp_path / "writes_fixed.json").write_text(json.dumps({"writes": {}, "phase": {"error": "RuntimeError()"}}))
    assert report.main() == 2
