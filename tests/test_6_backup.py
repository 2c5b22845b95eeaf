"""Backups: a verified copy of every recording before its DELETE; the token stays home."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import WINDOW, read_report, rec
from fake_vbc import API, AudioHost, audio_bytes


@pytest.fixture
def audio_host():
    host = AudioHost()
    yield host
    host.stop()


def test_each_deleted_recording_has_verified_bytes_on_disk(api, run, tmp_path) -> None:
    fake = api([rec(1, file_size_in_bytes=3000)], {"101": [rec(2, start="2026-11-20T23:59:59Z")]})
    backup, report = tmp_path / "backup", tmp_path / "r.csv"
    result = run("--yes", "--backup-dir", str(backup), "--report", str(report), *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    company = backup / "company" / "2026-11-15" / "1.mp3"
    on_demand = backup / "on-demand" / "self" / "2026-11-20" / "2.mp3"
    assert company.read_bytes() == audio_bytes(1, 3000)
    assert on_demand.read_bytes() == audio_bytes(2, fake_size(2))
    assert json.loads(company.with_suffix(".json").read_text())["id"] == 1
    rows = {r["id"]: r for r in read_report(report)}
    assert rows["1"]["backup_file"] == str(company)
    assert rows["2"]["backup_file"] == str(on_demand)
    assert not list(backup.rglob("*.part"))


def fake_size(rec_id: int) -> int:
    return 1000 + rec_id % 977


BAD_DOWNLOADS = {
    "html": "a page", "html-as-audio": "a page", "json": "a page", "500": "HTTP 500",
    "empty": "empty", "short": "broke off", "drop": "broke off",
    "no-length-mismatch": "expected",
}


def test_every_kind_of_bad_download_leaves_the_recording(api, run, tmp_path) -> None:
    ids = {kind: 100 + n for n, kind in enumerate(BAD_DOWNLOADS)}
    fake = api([rec(i) for i in ids.values()] + [rec(1)])
    fake.faults.download = {rec_id: kind for kind, rec_id in ids.items()}
    backup, report = tmp_path / "backup", tmp_path / "r.csv"
    result = run("--yes", "--max-retries", "1", "--backup-dir", str(backup),
                 "--report", str(report), *WINDOW)
    assert result.code == 1
    assert fake.remaining_ids() == set(ids.values())
    rows = {r["id"]: r for r in read_report(report)}
    assert rows["1"]["outcome"] == "deleted"
    for kind, rec_id in ids.items():
        row = rows[str(rec_id)]
        assert row["outcome"] == "failed", kind
        assert BAD_DOWNLOADS[kind] in row["error"] and "not deleted" in row["error"], kind
        assert not list(backup.rglob(f"{rec_id}.mp3*")), kind


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_leaves_the_recording(api, run, tmp_path) -> None:
    fake = api([rec(1), rec(2)])
    backup = tmp_path / "backup"
    day = backup / "company" / "2026-11-15"
    day.mkdir(parents=True)
    (day / "1.mp3.part").symlink_to("/dev/full")  # writing the backup of 1 hits a full disk
    report = tmp_path / "r.csv"
    result = run("--yes", "--backup-dir", str(backup), "--report", str(report), *WINDOW)
    assert result.code == 1
    assert fake.remaining_ids() == {1}
    row = {r["id"]: r for r in read_report(report)}["1"]
    assert row["outcome"] == "failed" and "No space left" in row["error"]


def test_a_backup_from_an_earlier_run_is_reused(api, run, tmp_path) -> None:
    fake = api([rec(1), rec(2)])
    fake.faults.status["DELETE"] = [403, 403]
    backup = tmp_path / "backup"
    assert run("--yes", "--backup-dir", str(backup), *WINDOW).code == 1
    assert fake.count("GET", "/audio/") == 2 and fake.remaining_ids() == {1, 2}
    assert run("--yes", "--backup-dir", str(backup), *WINDOW).code == 0
    assert fake.count("GET", "/audio/") == 2  # not downloaded again
    assert fake.remaining_ids() == set()


def test_download_url_on_another_host_never_gets_the_token(api, run, tmp_path,
                                                           audio_host) -> None:
    fake = api([rec(1, download_url=f"{audio_host.url('127.0.0.1')}/audio/1"),
                rec(2, download_url=f"{audio_host.url('localhost')}/audio/2")])
    backup = tmp_path / "backup"
    result = run("--yes", "-v", "--backup-dir", str(backup), *WINDOW)
    assert result.code == 0, result.err
    assert audio_host.hits == 0
    assert fake.count("GET", f"{API}/audio/recording/") == 2
    assert all(seen and seen.startswith("Bearer ") for seen in fake.audio_auth_seen)
    assert (backup / "company" / "2026-11-15" / "2.mp3").read_bytes() == audio_bytes(
        2, fake_size(2))
    assert "the token stays home" in result.err


def test_download_url_on_the_api_host_is_used(api, run, tmp_path) -> None:
    fake = api([])
    fake.company[1] = rec(1, download_url=f"{fake.url}{API}/audio/recording/1?format=mp3")
    assert run("--yes", "--backup-dir", str(tmp_path / "b"), *WINDOW).code == 0
    assert fake.remaining_ids() == set()


def test_a_redirect_to_another_host_does_not_carry_the_token(api, run, tmp_path,
                                                             audio_host) -> None:
    fake = api([rec(1)])
    fake.faults.download_redirect = audio_host.url("localhost")
    backup = tmp_path / "backup"
    result = run("--yes", "--backup-dir", str(backup), *WINDOW)
    assert result.code == 0, result.err
    assert audio_host.hits == 1 and audio_host.auth_seen == [None]
    assert fake.audio_auth_seen[0].startswith("Bearer ")
    assert (backup / "company" / "2026-11-15" / "1.mp3").read_bytes() == audio_bytes(
        1, fake_size(1))


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_backup_folders_and_files_are_private(api, run, tmp_path) -> None:
    api([rec(1)])
    backup = tmp_path / "backup"
    assert run("--yes", "--backup-dir", str(backup), *WINDOW).code == 0
    for path in [backup, *backup.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path


def test_dry_run_downloads_nothing_and_says_it_would(api, run, tmp_path) -> None:
    fake = api([rec(1), rec(2)])
    backup = tmp_path / "backup"
    result = run("--dry-run", "--backup-dir", str(backup), *WINDOW)
    assert result.code == 0
    assert "would back up 2 recordings" in result.err
    assert fake.count("GET", "/audio/") == 0 and fake.count("DELETE") == 0
    assert not backup.exists()


def test_unwritable_backup_dir_is_refused_before_any_request(api, run, tmp_path) -> None:
    fake = api([rec(1)])
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run("--yes", "--backup-dir", str(Path(blocker) / "backup"), *WINDOW)
    assert result.code == 2 and "--backup-dir" in result.err
    assert fake.log == []
