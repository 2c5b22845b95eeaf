"""Configuration: options, variables, env files; bad input is one line, exit 2, no request."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
from conftest import WINDOW, rec, run_script, subprocess_env, tool

NOW = datetime(2026, 12, 4, 20, 41, 55, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, ms", [("30", 30_000), ("1.5", 1_500), ("2m", 120_000),
                                      ("1h", 3_600_000), ("0", 0), ("90s", 90_000),
                                      ("0.0015", 1)])
def test_max_duration_accepts_seconds_with_units(text: str, ms: int) -> None:
    assert tool.parse_max_duration(text) == ms


@pytest.mark.parametrize("text, expected", [
    ("30d", datetime(2026, 11, 4, 20, 41, 55, tzinfo=timezone.utc)),
    ("12h", datetime(2026, 12, 4, 8, 41, 55, tzinfo=timezone.utc)),
    ("90m", datetime(2026, 12, 4, 19, 11, 55, tzinfo=timezone.utc)),
    ("2026-11-01", datetime(2026, 11, 1, tzinfo=timezone.utc)),
    ("2026-11-01T08:00:00Z", datetime(2026, 11, 1, 8, tzinfo=timezone.utc)),
    ("2026-11-01T08:00:00+01:00", datetime(2026, 11, 1, 7, tzinfo=timezone.utc)),
    ("2026-11-01T08:00:00", datetime(2026, 11, 1, 8, tzinfo=timezone.utc)),
])
def test_when_accepts_dates_datetimes_and_ages(text: str, expected: datetime) -> None:
    assert tool.parse_when(text, "--since", NOW) == expected


@pytest.mark.parametrize("args, says", [
    (["--max-duration", "abc"], "--max-duration 'abc' is not a duration"),
    (["--max-duration", "-5"], "--max-duration '-5' is not a duration"),
    (["--max-duration", "inf"], "is not a duration"),
    (["--since", "yesterday"], "--since 'yesterday' is not a date"),
    (["--since", "2026-12-01", "--until", "2026-11-01"], "must be before --until"),
    (["--workers", "0"], "--workers '0' is not valid"),
    (["--max-delete", "-1"], "--max-delete '-1' is not valid"),
    (["--rate-limit", "0"], "--rate-limit '0' is not valid"),
    (["--timeout", "nan"], "--timeout 'nan' is not valid"),
    (["--all-users", "--user", "5"], "--all-users and --user cannot be combined"),
    (["--user", "../x"], "--user '../x' is not an id"),
    (["--type", "everything"], "invalid choice"),
    (["--bogus"], "unrecognized arguments"),
])
def test_bad_input_is_one_line_exit_2_and_sends_nothing(api, run, args, says) -> None:
    fake = api([rec(1)])
    result = run("--yes", *args)
    assert result.code == 2
    assert says in result.err
    assert "Traceback" not in result.err
    assert fake.log == []
    assert fake.remaining_ids() == {1}


def test_missing_variables_are_named(api, run, monkeypatch) -> None:
    fake = api([rec(1)])
    monkeypatch.delenv("VBC_PASSWORD")
    monkeypatch.delenv("VBC_CLIENT_SECRET")
    result = run("--yes")
    assert result.code == 2
    assert "missing VBC_PASSWORD, VBC_CLIENT_SECRET" in result.err
    assert fake.log == []


@pytest.mark.parametrize("url, ok", [
    ("http://api.example.com", False), ("http://10.0.0.5:8080", False),
    ("ftp://api.vonage.com", False), ("https://user:pw@api.vonage.com", False),
    ("https://api.vonage.com", True), ("http://127.0.0.1:8765", True),
    ("http://localhost:1/", True), ("http://[::1]:8765", True),
])
def test_plain_http_only_to_loopback(url: str, ok: bool) -> None:
    if ok:
        assert tool.check_api_url(url) == url.rstrip("/")
    else:
        with pytest.raises(tool.UsageError):
            tool.check_api_url(url)


def test_plain_http_url_is_refused_before_any_request(run, monkeypatch) -> None:
    monkeypatch.setenv("VBC_USERNAME", "jane")
    monkeypatch.setenv("VBC_PASSWORD", "secret-pw")
    monkeypatch.setenv("VBC_CLIENT_ID", "id")
    monkeypatch.setenv("VBC_CLIENT_SECRET", "client-secret")
    monkeypatch.setenv("VBC_API_URL", "http://api.vonage.com")
    result = run("--yes")
    assert result.code == 2
    assert "unencrypted" in result.err and "https://" in result.err


def test_no_terminal_and_no_yes_refuses_before_any_request(api) -> None:
    fake = api([rec(1)])
    result = run_script(*WINDOW)
    assert result.returncode == 2
    assert "--yes" in result.stderr and "--dry-run" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake.log == []
    assert fake.remaining_ids() == {1}


def test_env_file_values_and_environment_wins(api, run, tmp_path, monkeypatch) -> None:
    fake = api([rec(1), rec(2, duration=60_000)])
    env_file = tmp_path / "vbc.env"
    env_file.write_text(
        "# credentials for the sweep\n\n"
        f"export VBC_USERNAME=jane.doe\n"
        f"VBC_PASSWORD='{fake.credentials['VBC_PASSWORD']}'\n"
        f'VBC_CLIENT_ID="{fake.credentials["VBC_CLIENT_ID"]}"\n'
        f"VBC_CLIENT_SECRET=wrong #secret, overridden\n"
        f"VBC_API_URL=http://127.0.0.1:9\n", encoding="utf-8")
    os.chmod(env_file, 0o600)
    for key in ("VBC_USERNAME", "VBC_PASSWORD", "VBC_CLIENT_ID"):
        monkeypatch.delenv(key)
    # VBC_CLIENT_SECRET and VBC_API_URL stay set in the environment and win
    result = run("--yes", "--env-file", str(env_file), *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == {2}
    assert "can be read by other users" not in result.err


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_env_file_readable_by_others_is_warned_not_refused(api, run, tmp_path) -> None:
    api([rec(1)])
    env_file = tmp_path / "vbc.env"
    env_file.write_text("VBC_ACCOUNT_ID=self\n", encoding="utf-8")
    os.chmod(env_file, 0o644)
    result = run("--yes", "--env-file", str(env_file), *WINDOW)
    assert result.code == 0
    assert "can be read by other users" in result.err and "chmod 600" in result.err


def test_env_file_errors(run, tmp_path) -> None:
    missing = run("--dry-run", "--env-file", str(tmp_path / "nope.env"))
    assert missing.code == 2 and "cannot read it" in missing.err
    bad = tmp_path / "bad.env"
    bad.write_text("this is not a key value line\n", encoding="utf-8")
    result = run("--dry-run", "--env-file", str(bad))
    assert result.code == 2 and "line 1: expected KEY=VALUE" in result.err


def test_help_documents_exit_codes_and_version(run) -> None:
    result = run("--help", fast=False)
    assert result.code == 0
    for text in ("Exit codes", "--max-duration", "--backup-dir", "VBC_CLIENT_SECRET", "130"):
        assert text in result.out
    version = run("--version", fast=False)
    assert version.code == 0 and tool.__version__ in version.out


def test_script_runs_as_a_command(api) -> None:
    fake = api([rec(1), rec(2, duration=30_001)])
    result = run_script("--yes", *WINDOW, env=subprocess_env())
    assert result.returncode == 0, result.stderr
    assert fake.remaining_ids() == {2}


def test_env_file_keeps_hashes_and_ampersands_in_values(tmp_path) -> None:
    env_file = tmp_path / "vbc.env"
    env_file.write_text("VBC_PASSWORD=a&b #c=d\nVBC_CLIENT_SECRET=\"x y\"\n", encoding="utf-8")
    os.chmod(env_file, 0o600)
    values = tool.read_env_file(env_file, tool.logging.getLogger("test"))
    assert values == {"VBC_PASSWORD": "a&b #c=d", "VBC_CLIENT_SECRET": "x y"}
