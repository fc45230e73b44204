"""Benchmark: python -m bench.matcher [--programmes 100000] [--subjects 100] [--quick]

Builds a synthetic national catalogue, then reports prepare time, prepared memory, match latency (explanations are
worded only when read: timed once reading none, once reading all), the scale curve, the naive reference's speed and
agreement, and directory search latency.
Exits non-zero when the engine and the reference disagree.
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta

from bench.reference_matcher import reference_match
from bench.synthetic_world import CITIES, TODAY, SyntheticWorld, build_world
from matching.catalogue import PreparedCatalogue, index_enrolments, prepare
from matching.directory import DirectoryQuery, search
from matching.engine import match
from matching.results import MatchResult
from matching.taxonomy import ACTIVITY_TYPE_NAMES

DATE_TO = TODAY + timedelta(days=28)
TARGETS = {"median_ms": 20.0, "p95_ms": 40.0, "speedup": 50.0, "memory_mb": 300.0}


def progress(message: str) -> None:
    print(message, flush=True)


def milliseconds(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    outcome = action()
    return time.perf_counter() - started, outcome


def measure_prepare(world: SyntheticWorld) -> tuple[PreparedCatalogue, float, float]:
    """Timed on its own, then prepared again under tracemalloc, which slows allocation down."""
    seconds, catalogue = timed(lambda: prepare(world.programmes))
    del catalogue
    tracemalloc.start()
    catalogue = prepare(world.programmes)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return catalogue, seconds, peak / 1024 / 1024


def match_latencies(
    world: SyntheticWorld, catalogue: PreparedCatalogue, label: str, read_explanations: bool = False
) -> list[float]:
    enrolments = index_enrolments(catalogue, world.enrolments)
    samples = []
    for number, subject in enumerate(world.subjects, start=1):
        if read_explanations:
            samples.append(timed(lambda s=subject: explained_match(s, catalogue, enrolments))[0])
        else:
            samples.append(timed(lambda s=subject: match(s, catalogue, enrolments, TODAY, DATE_TO, TODAY))[0])
        if number % 25 == 0 or number == len(world.subjects):
            progress(f"  {label}: matched {number}/{len(world.subjects)} subjects")
    return samples


def explained_match(subject, catalogue: PreparedCatalogue, enrolments) -> MatchResult:
    """A match with every explanation it offers read, as a page showing all of them (or the API) would."""
    result = match(subject, catalogue, enrolments, TODAY, DATE_TO, TODAY)
    for suggestion in result.suggestions:
        len(suggestion.ruled_out)
    len(result.exclusions), len(result.other_exclusion_totals)
    return result


def scale_curve(world: SyntheticWorld, full: PreparedCatalogue, sizes: list[int]) -> None:
    progress("Scale curve (programmes -> median / p95 ms):")
    for size in sizes:
        part = SyntheticWorld(world.programmes[:size], _enrolments_within(world, size), world.subjects)
        catalogue = full if size == len(world.programmes) else prepare(part.programmes)
        samples = match_latencies(part, catalogue, f"{size:,} programmes")
        median, p95 = milliseconds(samples)
        progress(f"  {size:>7,} programmes: median {median:6.2f} ms, p95 {p95:6.2f} ms")


def _enrolments_within(world: SyntheticWorld, size: int) -> tuple:
    session_ids = {s.id for p in world.programmes[:size] for s in p.sessions}
    return tuple(e for e in world.enrolments if e.session_id in session_ids)


def compare_with_reference(world: SyntheticWorld, catalogue: PreparedCatalogue, sample: int) -> tuple[list, list, bool]:
    enrolments = index_enrolments(catalogue, world.enrolments)
    engine_times, reference_times, identical = [], [], True
    for number, subject in enumerate(world.subjects[:sample], start=1):
        engine_seconds, fast = timed(lambda s=subject: match(s, catalogue, enrolments, TODAY, DATE_TO, TODAY))
        reference_seconds, slow = timed(
            lambda s=subject: reference_match(s, world.programmes, world.enrolments, TODAY, DATE_TO, TODAY)
        )
        engine_times.append(engine_seconds)
        reference_times.append(reference_seconds)
        same = fast == slow
        identical &= same
        progress(f"  reference subject {number}/{sample}: {reference_seconds:.2f} s, identical: {same}")
    return engine_times, reference_times, identical


def directory_latencies(catalogue: PreparedCatalogue, count: int) -> list[float]:
    keywords = ["boxxing", "footy", "music production", "", "cv", "mentoring", "graffiti", "gym"]
    types = [None, "sport", None, "music", None, None, "visual-arts", None]
    samples = []
    for k in range(count):
        city = CITIES[k % len(CITIES)]
        query = DirectoryQuery(
            today=TODAY,
            keyword=keywords[k % len(keywords)],
            activity_type=types[k % len(types)],
            weekday=None if k % 3 else k % 7,
            time_from=900 if k % 2 else None,
            time_to=1260 if k % 2 else None,
            age=12 + k % 6,
            easting=float(city[1]),
            northing=float(city[2]),
            radius_m=(5000.0, 10000.0, 25000.0)[k % 3],
        )
        samples.append(timed(lambda q=query: search(catalogue, q))[0])
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programmes", type=int, default=100_000)
    parser.add_argument("--subjects", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="fewer programmes, subjects and reference samples")
    parser.add_argument("--reference-sample", type=int, default=None)
    options = parser.parse_args(argv)
    programmes = min(options.programmes, 20_000) if options.quick else options.programmes
    subjects = min(options.subjects, 30) if options.quick else options.subjects
    reference_sample = options.reference_sample or (2 if options.quick else 5)

    progress(f"Building synthetic catalogue: {programmes:,} programmes, {subjects} subjects ...")
    seconds, world = timed(lambda: build_world(programmes, subjects))
    session_count = sum(len(p.sessions) for p in world.programmes)
    progress(f"  built in {seconds:.1f} s: {session_count:,} weekly sessions, {len(world.enrolments):,} enrolments")

    progress("Preparing catalogue ...")
    catalogue, prepare_seconds, memory_mb = measure_prepare(world)
    progress(f"  prepare: {prepare_seconds:.2f} s; prepared memory (tracemalloc peak): {memory_mb:.1f} MB")
    progress(f"  vocabulary: {len(catalogue.text.terms):,} unique terms, {len(catalogue.text.postings):,} postings")

    progress("Matching one subject at a time (explanations are worded when read; none read here) ...")
    median, p95 = milliseconds(match_latencies(world, catalogue, f"{programmes:,} programmes"))
    progress(f"  match latency: median {median:.2f} ms, p95 {p95:.2f} ms")
    progress("Matching with every explanation read (ruled-out sessions and the whole excluded list) ...")
    explained = milliseconds(match_latencies(world, catalogue, f"{programmes:,} programmes", read_explanations=True))
    progress(f"  match latency, all explained: median {explained[0]:.2f} ms, p95 {explained[1]:.2f} ms")

    scale_curve(world, catalogue, [size for size in (1_000, 10_000, 100_000) if size < programmes] + [programmes])

    progress(f"Naive reference on {reference_sample} subjects ...")
    engine_times, reference_times, identical = compare_with_reference(world, catalogue, reference_sample)
    speedup = statistics.median(reference_times) / statistics.median(engine_times)
    progress(
        f"  reference median {statistics.median(reference_times) * 1000:.0f} ms vs engine "
        f"{statistics.median(engine_times) * 1000:.2f} ms: {speedup:.0f}x faster; identical results: {identical}"
    )

    progress("Directory search ...")
    d_median, d_p95 = milliseconds(directory_latencies(catalogue, max(subjects, 50)))
    progress(f"  directory latency: median {d_median:.2f} ms, p95 {d_p95:.2f} ms")

    report_targets(programmes, median, p95, speedup, memory_mb)
    return 0 if identical else 1


def report_targets(programmes: int, median: float, p95: float, speedup: float, memory_mb: float) -> None:
    checks = [
        ("median <= 20 ms", median <= TARGETS["median_ms"]),
        ("p95 <= 40 ms", p95 <= TARGETS["p95_ms"]),
        (">= 50x faster than the reference", speedup >= TARGETS["speedup"]),
        ("memory <= 300 MB", memory_mb <= TARGETS["memory_mb"]),
    ]
    progress(
        f"Targets (set for 100,000 programmes; this run: {programmes:,}, {len(ACTIVITY_TYPE_NAMES)} activity types):"
    )
    for label, met in checks:
        progress(f"  {'met ' if met else 'MISSED'} {label}")


if __name__ == "__main__":
    sys.exit(main())
