"""Session and token: the password grant, never repeating a refused login, renewal on 401,
and secrets kept out of every output."""

from __future__ import annotations

from conftest import WINDOW, read_report, rec


def test_password_with_ampersand_and_username_domain(api, run) -> None:
    fake = api([rec(1)])
    assert "&" in fake.credentials["VBC_PASSWORD"] and "=" in fake.credentials["VBC_PASSWORD"]
    result = run("--yes", *WINDOW)
    assert result.code == 0, result.err
    assert fake.token_grants == ["password"]  # accepted: jane.doe became jane.doe@vbc.prod
    assert fake.remaining_ids() == set()


def test_username_with_domain_is_kept(api, run, monkeypatch) -> None:
    fake = api([rec(1)], credentials={"VBC_USERNAME": "jane@example.vbc",
                                      "VBC_PASSWORD": "pw-1234", "VBC_CLIENT_ID": "cid",
                                      "VBC_CLIENT_SECRET": "csecret"})
    for key, value in fake.credentials.items():
        monkeypatch.setenv(key, value)
    assert run("--yes", *WINDOW).code == 0
    assert fake.remaining_ids() == set()


def test_refused_login_is_never_repeated_and_names_the_variables(api, run, monkeypatch,
                                                                  tmp_path) -> None:
    fake = api([rec(1)])
    monkeypatch.setenv("VBC_PASSWORD", "wrong&password")
    fake.faults.echo_secrets = True
    log = tmp_path / "run.log"
    result = run("--yes", "-v", "--log-file", str(log), *WINDOW)
    assert result.code == 3
    assert fake.token_grants == ["password"]
    assert "VBC_USERNAME, VBC_PASSWORD" in result.err and "lock" in result.err
    assert "wrong&password" not in result.err + result.out + log.read_text()
    assert fake.remaining_ids() == {1}


def test_token_endpoint_5xx_is_retried(api, run) -> None:
    fake = api([rec(1)])
    fake.faults.status["POST"] = [503, 502]
    result = run("--yes", *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()


def test_token_revoked_mid_run_is_renewed_once_for_all_workers(api, run) -> None:
    fake = api([rec(i) for i in range(1, 41)])
    fake.faults.revoke_after = 3  # the listing, then two deletes, then every token is dead
    result = run("--yes", "--workers", "8", *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    assert fake.token_grants == ["password", "refresh_token"]


def test_refresh_refused_falls_back_to_password_grant(api, run) -> None:
    fake = api([rec(i) for i in range(1, 6)])
    fake.faults.revoke_after = 2
    fake.faults.refuse_refresh = True
    result = run("--yes", *WINDOW)
    assert result.code == 0, result.err
    assert fake.token_grants == ["password", "refresh_token", "password"]
    assert fake.remaining_ids() == set()


def test_second_401_after_a_fresh_token_is_fatal(api, run) -> None:
    fake = api([rec(1)])
    fake.faults.reject_all_tokens = True
    result = run("--yes", *WINDOW)
    assert result.code == 3
    assert "HTTP 401 twice" in result.err and "permission" in result.err
    assert fake.token_grants == ["password", "refresh_token"]
    assert fake.remaining_ids() == {1}


def test_secrets_never_appear_in_output_logs_or_report(api, run, tmp_path) -> None:
    fake = api([rec(1), rec(2, duration="odd")])
    fake.faults.revoke_after = 1
    log, report = tmp_path / "run.log", tmp_path / "report.csv"
    result = run("--yes", "-vv", "--log-file", str(log), "--report", str(report), *WINDOW)
    assert result.code == 0, result.err
    everything = result.out + result.err + log.read_text() + report.read_text()
    secrets = [fake.credentials["VBC_PASSWORD"], fake.credentials["VBC_CLIENT_SECRET"],
               *sorted(fake.tokens), *sorted(fake.refresh_tokens), "access-1-tok",
               "refresh-1-tok"]
    for secret in secrets:
        assert secret not in everything
    assert {row["id"]: row["outcome"] for row in read_report(report)} == {
        "1": "deleted", "2": "skipped"}
