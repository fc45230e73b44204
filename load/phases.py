"""The arithmetic of load/run.sh's phases, kept free of I/O so tests/test_load_report.py can check it: the offered
rate from the yardstick, pacing requests at a fixed rate, percentiles per request type, the ramp's stopping rule,
CPU per request and the Markdown tables. Standard library only: locust's own virtualenv imports it too.

    python load/phases.py yardstick FILE           # requests/s in wrk's output
    python load/phases.py rate YARDSTICK [SHARE]   # the fixed phase's offered rate (requests/s)
    python load/phases.py seconds 5m               # a locust-style duration in whole seconds
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Sequence

FIXED_SHARE = 0.035  # issue 17: the fixed phase offers 3.5% of the same run's yardstick throughput
PAGE_P95_MS = 150.0
MATCH_P95_MS = 250.0
RAMP_P95_MS = 250.0
RAMP_MIN_ACHIEVED = 0.95  # a step whose users could not keep up with the offered rate is a step beyond the limit
MATCH = "(match)"


def seconds(duration: str) -> float:
    """Seconds in a locust-style duration: "90", "90s", "5m", "1h30m", "1m30s"."""
    text = duration.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)([hms])", text)
    if not parts or "".join(f"{value}{unit}" for value, unit in parts) != text:
        raise ValueError(f"Not a duration: {duration!r} (say 30s, 5m or 1h30m)")
    return sum(float(value) * {"h": 3600, "m": 60, "s": 1}[unit] for value, unit in parts)


def yardstick_rate(wrk_output: str) -> float | None:
    """Requests per second in wrk's output, or None when it has none (wrk failed or was not run)."""
    found = re.search(r"Requests/sec:\s*([\d.]+)", wrk_output)
    return float(found.group(1)) if found else None


def fixed_rate(yardstick_rps: float, share: float = FIXED_SHARE) -> float:
    """The fixed phase's offered rate: a share of the yardstick's throughput, to one decimal."""
    if yardstick_rps <= 0 or share <= 0:
        raise ValueError("The yardstick's throughput and the share must be positive")
    return round(yardstick_rps * share, 1)


def take_slot(next_slot: float, now: float, interval: float, tolerance: float) -> tuple[float, float, int]:
    """Pace requests at one every `interval` seconds whatever the responses take: the caller gets the slot it is to
    start at, the next caller the one after. When no user was free to take the slots for longer than `tolerance`
    seconds, those slots are lost (counted, third value) rather than sent in a burst: the offered rate was not met,
    which the achieved rate shows."""
    missed = 0
    if next_slot < now - tolerance:
        missed = int((now - next_slot) / interval)
        next_slot = now
    return next_slot, next_slot + interval, missed


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` percentile (0.95 for p95) by the nearest-rank method: a value that was measured, never one
    interpolated between two; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def request_type(name: str) -> str:
    """ "match" for a match (the full matcher against the catalogue), "page" for every other request: page views and
    form posts, which share the 150 ms target."""
    return "match" if MATCH in name else "page"


def summarise(times: Iterable[float], failures: int, seconds_measured: float) -> dict:
    """Count, failures, rate and p50/p95/p99 (ms) of one set of response times."""
    values = list(times)
    return {
        "requests": len(values),
        "failures": failures,
        "rate": len(values) / seconds_measured if seconds_measured > 0 else 0.0,
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
    }


def by_name_and_type(segment: dict) -> tuple[dict[str, dict], dict[str, dict], dict]:
    """A measured segment's figures per request name, per request type and for all requests. `segment` holds
    "seconds" and "names": {name: {"times": [ms, ...], "failures": n}} (failed requests' times included)."""
    names = segment.get("names", {})
    duration = segment.get("seconds", 0.0)
    per_name = {name: summarise(item["times"], item["failures"], duration) for name, item in sorted(names.items())}
    per_type: dict[str, dict] = {}
    for kind in ("page", "match"):
        chosen = [item for name, item in names.items() if request_type(name) == kind]
        per_type[kind] = summarise(
            (t for item in chosen for t in item["times"]), sum(item["failures"] for item in chosen), duration
        )
    total = summarise(
        (t for item in names.values() for t in item["times"]), sum(i["failures"] for i in names.values()), duration
    )
    return per_name, per_type, total


def step_within_limit(step: dict, limit_ms: float = RAMP_P95_MS, min_achieved: float = RAMP_MIN_ACHIEVED) -> bool:
    """A ramp step is within the limit when its p95 over all requests is at most `limit_ms`, nothing failed and the
    users achieved (nearly) the rate offered to them. `step` holds "offered", "achieved", "p95", "failures"."""
    return (
        step["failures"] == 0
        and step["p95"] <= limit_ms
        and step["offered"] > 0
        and step["achieved"] >= min_achieved * step["offered"]
    )


def next_ramp_rate(steps: Sequence[dict], factor: float = 1.5, max_steps: int = 12, floor: float = 1.0) -> float | None:
    """The rate of the ramp's next step, or None when the ramp is over. Steps go up by `factor` while within the
    limit and the ramp stops at the first step beyond it; when the first step (the fixed phase's rate) is already
    beyond it, steps go down by `factor` until one is within it (the highest rate within the limit is then below the
    fixed rate). Never more than `max_steps` steps, never below `floor` requests/s."""
    if not steps:
        raise ValueError("The ramp starts from a measured step (the fixed phase)")
    if len(steps) >= max_steps:
        return None
    first_ok = step_within_limit(steps[0])
    last = steps[-1]
    if first_ok:
        return round(last["offered"] * factor, 1) if step_within_limit(last) else None
    if step_within_limit(last):
        return None
    lower = round(last["offered"] / factor, 1)
    return lower if lower >= floor else None


def highest_within_limit(steps: Sequence[dict]) -> dict | None:
    """The step with the highest offered rate within the limit, or None."""
    within = [step for step in steps if step_within_limit(step)]
    return max(within, key=lambda step: step["offered"], default=None)


def cpu_spent(before: dict[str, float], after: dict[str, float]) -> float:
    """CPU seconds a set of processes spent between two snapshots {pid: CPU seconds since it started}. A process
    seen only in `after` started in between and counts whole; one seen only in `before` ended (its last seconds
    are lost, so snapshots are taken often enough for the processes that come and go)."""
    return sum(max(0.0, value - before.get(pid, 0.0)) for pid, value in after.items())


def cpu_per_request(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]], requests: int) -> dict:
    """CPU milliseconds per request, per kind of process (gunicorn, postgresql, locust, ...), from snapshots
    {kind: {pid: seconds}} taken at the start and the end of a phase."""
    if requests <= 0:
        return {kind: 0.0 for kind in after}
    return {kind: cpu_spent(before.get(kind, {}), pids) * 1000 / requests for kind, pids in after.items()}


def targets(fixed: dict, checks_equal: bool, audit_ok: bool, offered: float) -> list[tuple[str, bool, str]]:
    """Issue 17's targets for the fixed phase: (what, met, measured)."""
    _names, per_type, total = by_name_and_type(fixed)
    page, match = per_type["page"], per_type["match"]
    achieved = total["rate"]
    page_ok = page["requests"] > 0 and page["p95"] <= PAGE_P95_MS
    match_ok = match["requests"] > 0 and match["p95"] <= MATCH_P95_MS
    return [
        ("0 errors", total["failures"] == 0, f"{total['failures']} failed of {total['requests']:,}"),
        (f"p95 <= {PAGE_P95_MS:.0f} ms for pages", page_ok, ms(page)),
        (f"p95 <= {MATCH_P95_MS:.0f} ms for matches", match_ok, ms(match)),
        (
            "offered rate achieved (within 5%)",
            offered > 0 and achieved >= RAMP_MIN_ACHIEVED * offered,
            f"{achieved:.1f} of {offered:.1f} requests/s",
        ),
        ("every write counted in the database", checks_equal, "all kinds equal" if checks_equal else "a kind differs"),
        ("`flask audit verify` OK", audit_ok, "OK" if audit_ok else "not OK"),
    ]


def ms(figures: dict) -> str:
    if not figures["requests"]:
        return "no requests"
    return f"p95 {figures['p95']:.0f} ms ({figures['requests']:,} requests)"


def name_table(segment: dict) -> list[str]:
    """Markdown: p50/p95/p99 per request name, then per type and for all requests."""
    per_name, per_type, total = by_name_and_type(segment)
    lines = [
        "| Request | Type | Requests | Errors | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in per_name.items():
        lines.append(_row(name, request_type(name), row))
    for kind, row in per_type.items():
        lines.append(_row(f"**All {'matches' if kind == 'match' else 'pages'}**", kind, row))
    lines.append(_row("**All**", "", total))
    return lines


def _row(name: str, kind: str, row: dict) -> str:
    return (
        f"| {name} | {kind} | {row['requests']:,} | {row['failures']:,} | {row['rate']:.1f} "
        f"| {row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} |"
    )


def ramp_table(steps: Sequence[dict]) -> list[str]:
    lines = [
        "| Step | Offered req/s | Achieved req/s | Errors | p50 ms | p95 ms | p99 ms | CPU ms/req | Within limit |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for number, step in enumerate(steps):
        label = "fixed" if number == 0 else str(number)
        cpu = f"{step['server_cpu_ms']:.1f}" if "server_cpu_ms" in step else ""
        lines.append(
            f"| {label} | {step['offered']:.1f} | {step['achieved']:.1f} | {step['failures']} | {step['p50']:.0f} "
            f"| {step['p95']:.0f} | {step['p99']:.0f} | {cpu} | {'yes' if step_within_limit(step) else 'no'} |"
        )
    return lines


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "yardstick":
        with open(argv[1]) as handle:
            rate = yardstick_rate(handle.read())
        print(f"{rate:.1f}" if rate else "")
    elif command == "rate":
        print(f"{fixed_rate(float(argv[1]), float(argv[2]) if len(argv) > 2 else FIXED_SHARE):.1f}")
    elif command == "seconds":
        print(math.ceil(seconds(argv[1])))  # whole seconds, for the shell's arithmetic
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
