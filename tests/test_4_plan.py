"""Plan: odd data is skipped (never deleted) and reported; narrowing re-checked; safety stop."""

from __future__ import annotations

import json

import pytest
from conftest import WINDOW, outcomes, read_report, rec

ODD = {
    10: None, 11: -5, 12: 12000.0, 13: True, 14: "12 s", 15: "\u0661\u0662", 16: "", 17: [1],
    18: 1.5,
}


def test_odd_durations_are_skipped_reported_and_kept(api, run, tmp_path) -> None:
    records = [rec(i, duration=d) for i, d in ODD.items()]
    records += [rec(20, duration="12000"), rec(21, duration=5000)]
    missing = rec(22)
    del missing["duration"]
    records.append(missing)
    fake = api(records)
    report = tmp_path / "r.csv"
    result = run("--yes", "--json", "--report", str(report), *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set(ODD) | {22}
    rows = outcomes(report)
    assert rows == {**{str(i): "skipped" for i in [*ODD, 22]}, "20": "deleted", "21": "deleted"}
    reasons = {r["id"]: r["error"] for r in read_report(report)}
    assert "not a whole number of milliseconds" in reasons["12"]
    summary = json.loads(result.out)
    assert (summary["skipped"], summary["deleted"], summary["matched"]) == (10, 2, 2)


def test_unreadable_start_or_id_is_skipped(api, run, tmp_path) -> None:
    fake = api([rec(1, start="2026-11-15 10:00:00"), rec(2, start=None), rec(3)])
    report = tmp_path / "r.csv"
    assert run("--yes", "--report", str(report), *WINDOW).code == 0
    assert fake.remaining_ids() == {1, 2}
    assert outcomes(report) == {"1": "skipped", "2": "skipped", "3": "deleted"}


@pytest.mark.parametrize("option, value, keep", [
    ("--direction", "inbound", {2}),
    ("--extension", "201", {2}),
])
def test_narrowing_is_rechecked_locally(api, run, tmp_path, option, value, keep) -> None:
    records = [rec(1, call_direction="INBOUND", extensions=["201"]),
               rec(2, call_direction="OUTBOUND", extensions=["305"])]
    unknown = rec(3)
    del unknown["call_direction"]
    unknown["extensions"] = None
    records.append(unknown)
    fake = api(records)
    fake.faults.ignore_filters = {"direction", "extension"}
    report = tmp_path / "r.csv"
    assert run("--yes", option, value, "--report", str(report), *WINDOW).code == 0
    assert fake.remaining_ids() == keep | {3}
    assert outcomes(report) == {"1": "deleted", "3": "skipped"}


def test_more_matches_than_max_delete_deletes_nothing(api, run) -> None:
    fake = api([rec(i) for i in range(1, 4)])
    result = run("--yes", "--max-delete", "2", *WINDOW)
    assert result.code == 4
    assert "3 recordings match, more than --max-delete 2" in result.err
    assert fake.count("DELETE") == 0
    dry = run("--dry-run", "--json", "--max-delete", "2", *WINDOW)
    assert dry.code == 4
    assert json.loads(dry.out)["stopped"] == "max-delete"
    assert run("--yes", "--max-delete", "3", *WINDOW).code == 0
    assert fake.remaining_ids() == set()


def test_dry_run_sends_no_delete_and_reports_would_delete(api, run, tmp_path) -> None:
    fake = api([rec(1), rec(2, duration=40_000)], {"101": [rec(3)]})
    report = tmp_path / "r.csv"
    result = run("--dry-run", "--json", "--report", str(report), *WINDOW)
    assert result.code == 0, result.err
    assert fake.count("DELETE") == 0
    assert fake.remaining_ids() == {1, 2, 3}
    assert outcomes(report) == {"1": "would-delete", "3": "would-delete"}
    summary = json.loads(result.out)
    assert summary["dry_run"] is True
    assert (summary["would_delete"], summary["deleted"]) == (2, 0)
    assert summary["seconds_of_audio"] == 20.0
