"""Shared fixtures: a fake VBC API on loopback, and ways to run the script as a user would."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "delete_vbc_recordings_by_duration.py"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fake_vbc import DEMO_CREDENTIALS, FakeVBC, make_recording  # noqa: E402

import delete_vbc_recordings_by_duration as tool  # noqa: E402

# The tests' window: November 2026.  Recordings default to the middle of it.
WINDOW = ["--since", "2026-11-01", "--until", "2026-12-01"]
FAST = ["--backoff", "0.001", "--timeout", "5"]
UNREACHABLE = "http://127.0.0.1:9"  # discard port: nothing answers, nothing leaves loopback


def rec(rec_id: int, duration: Any = 10_000, start: str = "2026-11-15T10:00:00+0000",
        **extra: Any) -> Dict[str, Any]:
    """A listed recording, 10 s long in mid-November unless told otherwise."""
    record = make_recording(rec_id, datetime(2026, 11, 15, tzinfo=timezone.utc), 0, **extra)
    record["start"] = start
    record["duration"] = duration
    return record


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's VBC_* variables or can reach the real service."""
    for key in list(os.environ):
        if key.startswith("VBC_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("VBC_API_URL", UNREACHABLE)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Any:
    """api(company=[...], on_demand={user: [...]}) starts a fake and points the env at it."""
    started: List[FakeVBC] = []

    def start(company: Optional[List[Dict[str, Any]]] = None,
              on_demand: Optional[Dict[str, List[Dict[str, Any]]]] = None,
              **kwargs: Any) -> FakeVBC:
        fake = FakeVBC(company or [], on_demand or {}, **kwargs).start()
        started.append(fake)
        for key, value in DEMO_CREDENTIALS.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("VBC_API_URL", fake.url)
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def run(capsys: pytest.CaptureFixture) -> Callable[..., Result]:
    """run(*args) calls main() in this process, with short backoffs; returns code, out, err."""
    def call(*args: str, fast: bool = True) -> Result:
        argv = (FAST if fast else []) + list(args)
        code = tool.main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return call


def subprocess_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VBC_")}
    env.update({k: v for k, v in os.environ.items() if k.startswith("VBC_")})
    env.update(extra)
    return env


def run_script(*args: str, env: Optional[Dict[str, str]] = None, timeout: float = 60,
               **kwargs: Any) -> subprocess.CompletedProcess:
    """Run the script as a user would, with no terminal on stdin."""
    return subprocess.run([sys.executable, str(SCRIPT), *FAST, *args],
                          env=env or subprocess_env(), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout, **kwargs)


def read_report(path: Path) -> List[Dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def outcomes(path: Path) -> Dict[str, str]:
    """Report rows as {id: outcome}."""
    return {row["id"]: row["outcome"] for row in read_report(path)}
