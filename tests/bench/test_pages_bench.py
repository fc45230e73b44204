"""The page-cost benchmark (bench/pages.py) at a tiny scale: every page of issue #17 measured, with figures that make
sense, and the comparison with another commit side by side. Behaviour only: no timing is asserted."""

import json
from pathlib import Path

import pytest

from bench import pages
from bench.page_cost import TARGETS
from portal.infra import audit_chain
from tests.conftest import postgres_unavailable_reason

TINY = ["--scale", "200", "--batches", "2", "--requests", "2", "--warm-up", "1", "--bare-requests", "50"]
PAGES = [
    "/accessibility",
    "officer dashboard",
    "search POST",
    "directory results",
    "programme",
    "subject",
    "suggestions",
    "registers list",
    "register",
    "mark POST",
    "referrals list",
    "partner referral",
    "accept POST",
    "GET /api/v1/programmes",
]


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests' SQLite database is prepared once and used again."""
    return tmp_path_factory.mktemp("bench")


def run_benchmark(tmp_path: Path, work_dir: Path, *extra: str) -> list[dict]:
    out = tmp_path / "figures.json"
    pages.main([*TINY, "--work-dir", str(work_dir), "--json", str(out), *extra])
    return json.loads(out.read_text())


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_every_page_is_measured_with_its_statements_html_and_ratio_to_the_bare_page(
    tmp_path: Path, work_dir: Path, backend: str, capsys: pytest.CaptureFixture
) -> None:
    if backend == "postgresql" and postgres_unavailable_reason():
        pytest.skip(postgres_unavailable_reason())
    (report,) = run_benchmark(tmp_path, work_dir, "--backend", backend)

    rows = {row["name"]: row for row in report["current"]["rows"]}
    assert list(rows) == ["bare Flask page", *PAGES, "load mix"]
    assert rows["bare Flask page"]["ratio"] == 1
    for name in [*PAGES, "load mix"]:
        row = rows[name]
        assert row["cpu_ms"] > 0, name
        assert row["statements"] > 0, name
        assert row["html_bytes"] > 0, name
        assert row["ratio"] > 1, name  # no page of the portal is as cheap as the bare one
        assert row["target"] == TARGETS.get(name), name
        assert row["met"] is (None if row["target"] is None else row["ratio"] <= row["target"]), name
    assert rows["directory results"]["html_bytes"] > rows["/accessibility"]["html_bytes"]
    assert rows["mark POST"]["statements"] > rows["register"]["statements"]  # the post really writes

    printed = capsys.readouterr().out
    assert f"{backend} at --scale 200" in printed
    for name in ["bare Flask page", *PAGES, "load mix"]:
        assert f"\n{name} " in printed


def test_a_second_run_reuses_the_prepared_database_and_measures_the_same_pages(
    tmp_path: Path, work_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    first = run_benchmark(tmp_path, work_dir, "--backend", "sqlite")
    capsys.readouterr()
    second = run_benchmark(tmp_path, work_dir, "--backend", "sqlite")

    assert "using the database prepared earlier at --scale 200" in capsys.readouterr().out
    html = [{row["name"]: row["html_bytes"] for row in run[0]["current"]["rows"]} for run in (first, second)]
    assert html[0] == html[1]  # the first run's posts wrote to a copy: the second sees the same pages


def test_pages_names_the_pages_measured_and_the_mix_weighs_only_those(tmp_path: Path, work_dir: Path) -> None:
    (report,) = run_benchmark(tmp_path, work_dir, "--backend", "sqlite", "--pages", "register, mark POST")
    rows = {row["name"]: row for row in report["current"]["rows"]}
    assert list(rows) == ["bare Flask page", "register", "mark POST", "load mix"]
    mix, register, mark = rows["load mix"], rows["register"], rows["mark POST"]
    assert min(register["ratio"], mark["ratio"]) <= mix["ratio"] <= max(register["ratio"], mark["ratio"])
    with pytest.raises(SystemExit, match="No such page: nowhere"):
        run_benchmark(tmp_path, work_dir, "--backend", "sqlite", "--pages", "register,nowhere")


def test_a_run_links_its_events_before_it_removes_the_copy_they_were_recorded_in(
    tmp_path: Path, work_dir: Path
) -> None:
    run_benchmark(tmp_path, work_dir, "--backend", "sqlite", "--pages", "mark POST")  # a post that records events
    assert audit_chain.settle_all(timeout=0)  # no linker left working (retrying for 40 s) on a database that is gone


def test_compare_measures_another_commit_and_prints_both_side_by_side(
    tmp_path: Path, work_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    earlier = set(Path("/tmp").glob("kcpo-bench-*/checkout"))  # another run's, on a shared machine
    (report,) = run_benchmark(tmp_path, work_dir, "--backend", "sqlite", "--compare", "HEAD")

    before = {row["name"]: row for row in report["compared"]["rows"]}
    assert list(before) == ["bare Flask page", *PAGES, "load mix"]
    assert all(row["statements"] > 0 for name, row in before.items() if name != "bare Flask page")
    printed = capsys.readouterr().out
    assert "(before) and" in printed
    assert set(Path("/tmp").glob("kcpo-bench-*/checkout")) <= earlier  # its temporary worktree is gone
