"""Deleting: outcomes per answer, the sweep goes on, and the prompt on a real terminal."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import FAST, SCRIPT, WINDOW, outcomes, rec, subprocess_env


def test_company_and_on_demand_are_deleted_through_their_own_paths(api, run) -> None:
    fake = api([rec(1)], {"101": [rec(2)], "102": [rec(3)]})
    assert run("--yes", *WINDOW).code == 0
    assert fake.remaining_ids() == {3}  # default user is self (101)
    assert fake.count("DELETE", "/company_call_recordings/1") == 1
    assert fake.count("DELETE", "/users/self/call_recordings/2") == 1


def test_type_selects_collections(api, run) -> None:
    fake = api([rec(1)], {"101": [rec(2)]})
    assert run("--yes", "--type", "on-demand", *WINDOW).code == 0
    assert fake.remaining_ids() == {1}
    assert fake.count("GET", "company_call_recordings") == 0


def test_404_is_already_deleted_and_not_a_failure(api, run, tmp_path) -> None:
    fake = api([rec(1), rec(2)])
    fake.faults.status["DELETE"] = [404]
    report = tmp_path / "r.csv"
    result = run("--yes", "--workers", "1", "--report", str(report), *WINDOW)
    assert result.code == 0
    assert sorted(outcomes(report).values()) == ["already-deleted", "deleted"]


def test_a_failed_delete_is_reported_and_the_sweep_goes_on(api, run, tmp_path) -> None:
    fake = api([rec(i) for i in range(1, 6)])
    fake.faults.status["DELETE"] = [403]
    report = tmp_path / "r.csv"
    result = run("--yes", "--workers", "1", "--report", str(report), *WINDOW)
    assert result.code == 1
    rows = outcomes(report)
    assert sorted(rows.values()) == ["deleted"] * 4 + ["failed"]
    assert len(fake.remaining_ids()) == 1
    assert "not subscribed to the Call Recording API" in result.err


def test_5xx_that_persists_after_retries_is_failed(api, run, tmp_path) -> None:
    fake = api([rec(1)])
    fake.faults.status["DELETE"] = [503] * 3
    report = tmp_path / "r.csv"
    result = run("--yes", "--max-retries", "2", "--report", str(report), *WINDOW)
    assert result.code == 1
    assert outcomes(report) == {"1": "failed"}
    assert fake.remaining_ids() == {1}


def run_on_terminal(answer: bytes, env: dict) -> subprocess.CompletedProcess:
    """Run the script with a pseudo-terminal on stdin and type an answer."""
    import pty

    controller, terminal = pty.openpty()
    try:
        os.write(controller, answer)
        return subprocess.run([sys.executable, str(SCRIPT), *FAST, *WINDOW], env=env,
                              stdin=terminal, capture_output=True, text=True, timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("answer, deleted", [(b"n\n", False), (b"\n", False),
                                             (b"y\n", True), (b"yes\n", True)])
def test_prompt_on_a_terminal(api, answer, deleted) -> None:
    fake = api([rec(1), rec(2, duration=20_000)], {"101": [rec(3)]})
    result = run_on_terminal(answer, subprocess_env())
    assert result.returncode == 0, result.stderr
    assert "About to delete 3 recordings (2 company, 1 on-demand)" in result.stderr
    assert "0.7 minutes of audio" in result.stderr
    assert "[y/N]" in result.stderr
    assert fake.remaining_ids() == (set() if deleted else {1, 2, 3})
    if not deleted:
        assert fake.count("DELETE") == 0
