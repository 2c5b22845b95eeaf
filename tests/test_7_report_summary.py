"""Report and summary: what a user reads afterwards."""

from __future__ import annotations

import json
import os
import re
import signal

import pytest
from conftest import WINDOW, read_report, rec, run_script, tool

try:
    import resource
except ImportError:  # Windows
    resource = None


def test_report_columns_header_once_appended_across_runs(api, run, tmp_path) -> None:
    fake = api([rec(1, duration=4000, caller_id="+15550100", dnis="+1555",
                    extensions=["201", "202"], file_size_in_bytes=2048)], {"101": [rec(2)]})
    report = tmp_path / "r.csv"
    assert run("--yes", "--report", str(report), *WINDOW).code == 0
    fake.company[5] = rec(5)
    assert run("--yes", "--report", str(report), *WINDOW).code == 0
    lines = report.read_text().splitlines()
    assert lines[0] == ",".join(tool.REPORT_COLUMNS)
    assert lines[0].startswith("time,type,user,id,call_id,start,duration_ms,call_direction,"
                               "caller_id,dnis,extensions,file_size_in_bytes,outcome,error")
    assert sum(1 for line in lines if line.startswith("time,")) == 1
    rows = sorted(read_report(report), key=lambda r: r["id"])
    assert [(r["type"], r["user"], r["id"], r["outcome"]) for r in rows] == [
        ("company", "", "1", "deleted"), ("on-demand", "self", "2", "deleted"),
        ("company", "", "5", "deleted")]
    assert [r["id"] for r in read_report(report)][-1] == "5"  # appended after run 1's rows
    first = rows[0]
    assert (first["duration_ms"], first["extensions"], first["file_size_in_bytes"],
            first["caller_id"], first["start"]) == ("4000", "201;202", "2048", "+15550100",
                                                    "2026-11-15T10:00:00+0000")


def test_recordings_the_filters_exclude_get_no_row(api, run, tmp_path) -> None:
    fake = api([rec(1), rec(2, duration=31_000), rec(3, start="2026-10-01T00:00:00+0000")])
    fake.faults.ignore_filters = {"window", "duration"}
    report = tmp_path / "r.csv"
    assert run("--yes", "--report", str(report), *WINDOW).code == 0
    assert [r["id"] for r in read_report(report)] == ["1"]


def test_report_with_other_columns_is_refused(api, run, tmp_path) -> None:
    fake = api([rec(1)])
    report = tmp_path / "r.csv"
    report.write_text("id,outcome\n1,deleted\n", encoding="utf-8")
    result = run("--yes", "--report", str(report), *WINDOW)
    assert result.code == 2 and "other columns" in result.err
    assert fake.log == []


def test_unwritable_report_is_refused_before_any_request(api, run, tmp_path) -> None:
    fake = api([rec(1)])
    result = run("--yes", "--report", str(tmp_path / "no" / "such" / "dir.csv"), *WINDOW)
    assert result.code == 2 and "cannot write it" in result.err
    assert fake.log == []


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_report_and_log_are_private(api, run, tmp_path) -> None:
    api([rec(1)])
    report, log = tmp_path / "r.csv", tmp_path / "run.log"
    assert run("--yes", "--report", str(report), "--log-file", str(log), *WINDOW).code == 0
    assert report.stat().st_mode & 0o777 == 0o600
    assert log.stat().st_mode & 0o777 == 0o600
    assert "VBC recording sweep" in log.read_text()


def test_json_summary_is_the_only_thing_on_stdout(api, run) -> None:
    api([rec(1, duration=12_000, file_size_in_bytes=1500)],
        {"101": [rec(2, duration=3000, file_size_in_bytes=500), rec(3, duration="x")]})
    result = run("--yes", "--json", *WINDOW)
    assert result.code == 0
    summary = json.loads(result.out)
    for key in ("dry_run", "window", "max_duration_seconds", "matched", "deleted",
                "already_deleted", "failed", "skipped", "seconds_of_audio", "bytes_freed",
                "by_type"):
        assert key in summary
    assert summary["window"] == {"since": "2026-11-01T00:00:00Z",
                                 "until": "2026-12-01T00:00:00Z"}
    assert (summary["matched"], summary["deleted"], summary["skipped"]) == (2, 2, 1)
    assert (summary["seconds_of_audio"], summary["bytes_freed"]) == (15.0, 2000)
    assert summary["by_type"]["company"]["deleted"] == 1
    assert summary["by_type"]["on-demand"]["skipped"] == 1
    assert summary["max_duration_seconds"] == 30
    assert "VBC recording sweep" not in result.out


def test_human_summary_on_stderr(api, run) -> None:
    api([rec(1, duration=65_000)], {"101": [rec(2)]})
    result = run("--yes", "--max-duration", "2m", *WINDOW)
    assert result.code == 0
    assert result.out == ""
    assert "VBC recording sweep" in result.err
    assert "threshold  calls of 120 s or less" in result.err
    assert "Removed 1 min 15 s of audio" in result.err
    assert "total" in result.err


def test_failures_are_counted_and_exit_1(api, run) -> None:
    fake = api([rec(1), rec(2)])
    fake.faults.status["DELETE"] = [403]
    result = run("--yes", "--json", "--workers", "1", *WINDOW)
    assert result.code == 1
    summary = json.loads(result.out)
    assert (summary["failed"], summary["deleted"], summary["exit_code"]) == (1, 1, 1)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_report_on_a_full_disk_is_refused_before_any_request(api, run, tmp_path) -> None:
    fake = api([rec(1)])
    report = tmp_path / "r.csv"
    report.symlink_to("/dev/full")
    result = run("--yes", "--report", str(report), *WINDOW)
    assert result.code == 2 and "No space left" in result.err
    assert "Traceback" not in result.err
    assert fake.log == []


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
def test_report_that_fills_up_mid_run_loses_track_of_nothing(api, tmp_path) -> None:
    fake = api([rec(i) for i in range(1, 41)])
    report = tmp_path / "r.csv"

    def limit_file_size() -> None:  # the report can grow to 1 KB: header and a few rows
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    result = run_script("--yes", "--workers", "2", "--report", str(report), *WINDOW,
                        preexec_fn=limit_file_size)
    assert result.returncode == 1, result.stderr
    assert "could not write the report" in result.stderr
    in_report = {int(r["id"]) for r in read_report(report) if r["outcome"] == "deleted"}
    on_stderr = {int(m) for m in re.findall(r"unreported outcome: recording (\d+) "
                                            r"\(company\) deleted", result.stderr)}
    assert in_report and on_stderr
    assert in_report | on_stderr == set(fake.deleted)
    assert len(fake.deleted) < 40  # it stopped deleting


def test_a_delete_answered_with_a_redirect_is_not_reported_deleted(api, run, tmp_path) -> None:
    fake = api([rec(1)])
    fake.faults.status["DELETE"] = [302]
    report = tmp_path / "r.csv"
    result = run("--yes", "--report", str(report), *WINDOW)
    assert result.code == 1
    assert read_report(report)[0]["outcome"] == "failed"
    assert fake.remaining_ids() == {1}


def test_a_row_cut_off_by_a_full_disk_does_not_spoil_the_next_run(api, run, tmp_path) -> None:
    api([rec(7)])
    report = tmp_path / "r.csv"
    report.write_text(",".join(tool.REPORT_COLUMNS) + "\n2026-11-30T00:00:00Z,company,,5,ca",
                      encoding="utf-8")
    assert run("--yes", "--report", str(report), *WINDOW).code == 0
    rows = read_report(report)
    assert (rows[-1]["id"], rows[-1]["outcome"]) == ("7", "deleted")
