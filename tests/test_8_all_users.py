"""--all-users: every user of the account, listed through the Provisioning API first."""

from __future__ import annotations

import json

import pytest
from conftest import WINDOW, read_report, rec

USERS = [{"id": 101, "status": "ACTIVE"}, {"id": 102, "status": "ACTIVE"},
         {"id": 103, "status": "INACTIVE"}, {"id": 104}, {"id": 105, "status": "ACTIVE"}]


def many_users_api(api):
    return api([rec(1)], {"101": [rec(11)], "102": [rec(21), rec(22)],
                          "103": [rec(31), rec(32, duration=90_000)], "104": [],
                          "105": [rec(51), rec(52), rec(53)]}, users=list(USERS))


@pytest.mark.parametrize("body_key", ["data", "users"])
def test_every_user_of_a_multi_page_list_is_swept(api, run, tmp_path, body_key) -> None:
    fake = many_users_api(api)
    fake.faults.users_body_key = body_key
    fake.faults.page_size_cap = 2  # 5 users: 3 pages
    report = tmp_path / "r.csv"
    result = run("--yes", "--all-users", "--json", "--report", str(report), *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == {32}
    assert fake.count("GET", "/provisioning/") == 3
    users_listed = [i for i, (m, p, _) in enumerate(fake.log) if "/provisioning/" in p]
    first_delete = next(i for i, (m, _, _) in enumerate(fake.log) if m == "DELETE")
    assert max(users_listed) < first_delete
    rows = {r["id"]: r for r in read_report(report)}
    assert rows["31"]["user"] == "103" and rows["1"]["user"] == ""
    summary = json.loads(result.out)
    assert summary["by_user"]["105"] == {"matched": 3, "deleted": 3, "would_delete": 0,
                                         "already_deleted": 0, "failed": 0, "skipped": 0}
    assert summary["by_user"]["104"]["matched"] == 0
    assert summary["users_skipped"] == 0


def test_a_forbidden_user_is_reported_and_the_others_are_swept(api, run) -> None:
    fake = many_users_api(api)
    fake.faults.forbidden_users = {"102"}
    result = run("--yes", "--all-users", *WINDOW)
    assert result.code == 1
    assert fake.remaining_ids() == {21, 22, 32}
    assert "skipping user 102" in result.err
    assert "1 users could not be swept: 102" in result.err
    assert "users with the most deleted: 105 (3)" in result.err


def test_failing_user_list_is_exit_3_naming_the_cause(api, run) -> None:
    fake = many_users_api(api)
    fake.faults.users_status = 403
    result = run("--yes", "--all-users", *WINDOW)
    assert result.code == 3
    assert "Provisioning API" in result.err and "administrator" in result.err
    assert fake.count("DELETE") == 0


def test_all_users_implies_nothing_about_company_recordings(api, run) -> None:
    fake = many_users_api(api)
    assert run("--yes", "--all-users", "--type", "company", *WINDOW).code == 0
    assert fake.count("GET", "/provisioning/") == 0
    assert 1 not in fake.remaining_ids() and 11 in fake.remaining_ids()


def test_explicit_users_without_all_users(api, run) -> None:
    fake = many_users_api(api)
    assert run("--yes", "--type", "on-demand", "--user", "102", "--user", "105", *WINDOW
               ).code == 0
    assert fake.remaining_ids() == {1, 11, 31, 32}
