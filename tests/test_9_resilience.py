"""Resilience and speed: retries, throttling, token renewal, timeouts, interrupts, progress."""

from __future__ import annotations

import email.utils
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import FAST, SCRIPT, WINDOW, outcomes, read_report, rec, subprocess_env


def test_transient_5xx_and_dropped_connections_are_retried(api, run) -> None:
    fake = api([rec(i) for i in range(1, 11)], {"101": [rec(11)]})
    fake.faults.status = {"GET": [503, 502, 500], "DELETE": [504, 503]}
    fake.faults.drop = {"GET": 1, "DELETE": 2}
    result = run("--yes", "--json", *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    assert json.loads(result.out)["deleted"] == 11


def test_delete_whose_answer_was_lost_is_already_deleted(api, run, tmp_path) -> None:
    fake = api([rec(1), rec(2)])
    fake.faults.lose_delete_answer = 1
    report = tmp_path / "r.csv"
    result = run("--yes", "--workers", "1", "--report", str(report), *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    assert sorted(outcomes(report).values()) == ["already-deleted", "deleted"]


@pytest.mark.parametrize("retry_after", ["1", "http-date"])
def test_429_with_retry_after_pauses_everyone(api, run, retry_after) -> None:
    fake = api([rec(i) for i in range(1, 9)])
    value = retry_after if retry_after != "http-date" else email.utils.formatdate(
        time.time() + 2, usegmt=True)
    fake.faults.throttle_retry_after = [value]
    started = time.monotonic()
    result = run("--yes", "--json", "--max-retries", "0", *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    summary = json.loads(result.out)
    assert summary["throttled"] == 1 and summary["seconds_paused"] >= 0.5
    assert time.monotonic() - started >= 0.5
    assert "API quota reached (HTTP 429): all requests pause" in result.err


def test_429_with_only_next_access_time(api, run) -> None:
    fake = api([rec(i) for i in range(1, 5)])
    fake.faults.throttle_next_access = 2
    result = run("--yes", "--json", "--max-retries", "0", *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    assert json.loads(result.out)["throttled"] == 2


def test_429_without_a_time_gets_an_increasing_pause_not_an_error(api, run) -> None:
    fake = api([rec(1)])
    fake.faults.throttle_retry_after = ["soon"] * 6  # unreadable: no time given
    result = run("--yes", "--json", "--max-retries", "0", "--backoff", "0.002",
                 "--workers", "1", *WINDOW)
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["throttled"] == 6
    # 5, 10, 20, 40, then 60 (the cap) twice, times the 0.002 s backoff: 0.39 s
    assert summary["seconds_paused"] == pytest.approx(0.39, abs=0.06)
    assert fake.remaining_ids() == set()


def test_fixed_window_quota_finishes_the_job(api, run) -> None:
    fake = api([rec(i) for i in range(1, 21)])
    fake.faults.quota = (8, 1.0)
    result = run("--yes", "--json", "--workers", "4", *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    assert json.loads(result.out)["throttled"] >= 1


def test_rate_limit_at_the_quota_never_sees_a_429(api, run) -> None:
    fake = api([rec(i) for i in range(1, 25)])
    fake.faults.quota = (10, 1.0)
    result = run("--yes", "--json", "--workers", "4", "--rate-limit", "600", *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    assert fake.throttled == 0


def test_max_wait_stops_cleanly_and_reports_what_was_done(api, run, tmp_path) -> None:
    fake = api([rec(i) for i in range(1, 11)])
    fake.faults.quota = (4, 60.0)
    fake._window = (int(time.time() // 60), 0)
    report = tmp_path / "r.csv"
    result = run("--yes", "--json", "--workers", "1", "--max-wait", "0.005",
                 "--report", str(report), *WINDOW)
    assert result.code == 1
    summary = json.loads(result.out)
    assert summary["stopped"] == "max-wait"
    assert "--max-wait" in result.err
    deleted_rows = {i for i, o in outcomes(report).items() if o == "deleted"}
    assert deleted_rows == {str(i) for i in fake.deleted}
    assert summary["deleted"] == len(fake.deleted) and summary["not_attempted"] > 0


def test_timeouts_end_a_hanging_listing(api, run) -> None:
    fake = api([rec(1)])
    fake.faults.latency = 1.5
    started = time.monotonic()
    result = run("--yes", "--timeout", "0.3", "--max-retries", "0", *WINDOW)
    assert result.code == 3
    assert "did not answer in time" in result.err or "could not reach" in result.err
    assert time.monotonic() - started < 5
    assert fake.remaining_ids() == {1}


@pytest.mark.parametrize("workers, most", [("1", 1), ("4", 4)])
def test_workers_bound_the_requests_in_flight(api, run, workers, most) -> None:
    fake = api([rec(i) for i in range(1, 17)])
    fake.faults.latency = 0.03
    assert run("--yes", "--workers", workers, *WINDOW).code == 0
    assert fake.remaining_ids() == set()
    assert fake.max_in_flight == most


def test_listing_pages_are_fetched_concurrently(api, run) -> None:
    fake = api([rec(i) for i in range(1, 801)])
    fake.faults.latency = 0.03
    assert run("--dry-run", "--type", "company", "--workers", "4", *WINDOW).code == 0
    assert fake.count("GET", "company_call_recordings") == 8
    assert fake.max_in_flight == 4


def test_progress_is_logged_without_a_terminal_and_silenced_by_q(api, run) -> None:
    fake = api([rec(i) for i in range(1, 251)])
    loud = run("--yes", *WINDOW)
    assert loud.code == 0 and fake.remaining_ids() == set()
    assert loud.err.count("progress: deleting") == 2  # at 100 and 200 of 250
    fake = api([rec(i) for i in range(1, 251)])
    quiet = run("--yes", "-q", *WINDOW)
    assert quiet.code == 0 and "progress" not in quiet.err
    assert "VBC recording sweep" in quiet.err


def start_sweep(args, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(SCRIPT), *FAST, *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_mid_sweep_reports_every_deletion(api, tmp_path, signum, code) -> None:
    fake = api([rec(i) for i in range(1, 201)])
    fake.faults.latency = 0.05
    report = tmp_path / "r.csv"
    process = start_sweep(["--yes", "--workers", "3", "--report", str(report), *WINDOW],
                          subprocess_env())
    deadline = time.monotonic() + 30
    while len(fake.deleted) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signum)
    sent = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    assert time.monotonic() - sent < 5
    assert "Traceback" not in err
    assert "VBC recording sweep" in err
    rows = read_report(report)
    deleted_rows = sorted(int(r["id"]) for r in rows if r["outcome"] == "deleted")
    assert deleted_rows == sorted(fake.deleted)
    assert 10 <= len(fake.deleted) < 200
    assert len(fake.remaining_ids()) == 200 - len(fake.deleted)


@pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")
def test_interrupt_during_a_throttling_pause_is_quick(api, tmp_path) -> None:
    fake = api([rec(i) for i in range(1, 20)])
    fake.faults.quota = (3, 60.0)
    fake._window = (int(time.time() // 60), 0)
    report = tmp_path / "r.csv"
    process = start_sweep(["--yes", "--json", "--report", str(report), *WINDOW],
                          subprocess_env())
    deadline = time.monotonic() + 30
    while fake.throttled < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert time.monotonic() - sent < 3
    summary = json.loads(out)
    assert summary["stopped"] == "interrupted"
    assert summary["deleted"] == len(fake.deleted)


@pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")
def test_interrupt_while_listing_deletes_nothing(api) -> None:
    fake = api([rec(i) for i in range(1, 1001)])
    fake.faults.latency = 0.3
    process = start_sweep(["--yes", "--type", "company", "--workers", "2", *WINDOW],
                          subprocess_env())
    deadline = time.monotonic() + 30
    while fake.count("GET", "company_call_recordings") < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert fake.count("DELETE") == 0 and len(fake.remaining_ids()) == 1000


@pytest.mark.skipif(os.name != "posix", reason="uses a pseudo-terminal")
def test_progress_line_on_a_terminal(api) -> None:
    import pty
    import threading

    fake = api([rec(i) for i in range(1, 41)])
    fake.faults.latency = 0.02
    controller, terminal = pty.openpty()
    chunks = []

    def drain() -> None:
        while True:
            try:
                data = os.read(controller, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        process = subprocess.run([sys.executable, str(SCRIPT), *FAST, "--yes", *WINDOW],
                                 env=subprocess_env(), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=terminal, timeout=60)
    finally:
        os.close(terminal)
        reader.join(timeout=5)
        os.close(controller)
    shown = b"".join(chunks).decode(errors="replace")
    assert process.returncode == 0
    assert "\rdeleting | " in shown and " of 40 | " in shown
    assert fake.remaining_ids() == set()
