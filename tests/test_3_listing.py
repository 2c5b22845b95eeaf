"""Listing: every page first, server filters re-checked locally, nonsense stops the run."""

from __future__ import annotations

import json

import pytest
from conftest import WINDOW, outcomes, rec

EDGE_CASES = [
    rec(1, start="2026-11-01T00:00:00+0000"),   # exactly at --since: in
    rec(2, start="2026-10-31T23:59:59+0000"),   # a second before: out
    rec(3, start="2026-12-01T00:00:00+0000"),   # exactly at --until: in
    rec(4, start="2026-12-01T00:00:01+0000"),   # a second after: out
    rec(5, duration=30_000),                    # at the threshold: in
    rec(6, duration=30_001),                    # a millisecond over: out
    rec(7, duration=0),                         # empty call: in
    rec(8, duration=29_999),
]


@pytest.mark.parametrize("ignore", [set(), {"window", "duration"}])
def test_window_and_threshold_edges(api, run, tmp_path, ignore) -> None:
    fake = api(EDGE_CASES)
    fake.faults.ignore_filters = ignore
    report = tmp_path / "r.csv"
    result = run("--yes", "--report", str(report), *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == {2, 4, 6}
    assert outcomes(report) == {"1": "deleted", "3": "deleted", "5": "deleted",
                                "7": "deleted", "8": "deleted"}


def test_threshold_with_units(api, run) -> None:
    fake = api([rec(1, duration=120_000), rec(2, duration=120_001), rec(3, duration=1_500),
                rec(4, duration=1_501)])
    fake.faults.ignore_filters = {"duration"}
    assert run("--yes", "--max-duration", "2m", *WINDOW).code == 0
    assert fake.remaining_ids() == {2}
    fake2 = api([rec(3, duration=1_500), rec(4, duration=1_501)])
    fake2.faults.ignore_filters = {"duration"}
    assert run("--yes", "--max-duration", "1.5", *WINDOW).code == 0
    assert fake2.remaining_ids() == {4}


def test_every_page_is_listed_before_the_first_delete(api, run) -> None:
    fake = api([rec(i) for i in range(1, 251)])
    result = run("--yes", "--type", "company", *WINDOW)
    assert result.code == 0, result.err
    assert fake.remaining_ids() == set()
    methods = [m for m, path, _ in fake.log if path != "/token"]
    assert methods[:3] == ["GET"] * 3 and set(methods[3:]) == {"DELETE"}
    assert fake.count("GET", "company_call_recordings") == 3  # 100 a page


def test_server_capping_the_page_size(api, run) -> None:
    fake = api([rec(i) for i in range(1, 51)])
    fake.faults.page_size_cap = 7
    assert run("--yes", "--type", "company", *WINDOW).code == 0
    assert fake.remaining_ids() == set()
    assert fake.count("GET", "company_call_recordings") == 8


def test_listing_without_totals_pages_to_the_first_empty_page(api, run) -> None:
    fake = api([rec(i) for i in range(1, 206)])
    fake.faults.omit_totals = True
    assert run("--yes", "--type", "company", *WINDOW).code == 0
    assert fake.remaining_ids() == set()
    assert fake.count("GET", "company_call_recordings") == 4  # 3 full-ish pages + 1 empty


def test_filters_are_sent_to_the_server(api, run) -> None:
    fake = api([rec(1)])
    result = run("--dry-run", "--type", "company", "--direction", "intra_pbx",
                 "--extension", "201", "--max-duration", "45", *WINDOW)
    assert result.code == 0
    assert fake.queries == [{
        "page": "1", "page_size": "100", "order": "start:ASC",
        "start:gte": "2026-11-01T00:00:00+0000", "start:lte": "2026-12-01T00:00:00+0000",
        "duration:lte": "45000", "call_direction": "INTRA_PBX", "extension": "201"}]


@pytest.mark.parametrize("status, says", [
    (500, "HTTP 500"),
    (403, "not subscribed to the Call Recording API"),
    (400, "HTTP 400"),
])
def test_failing_listing_stops_with_exit_3_and_deletes_nothing(api, run, status, says) -> None:
    fake = api([rec(1)], {"101": [rec(2)]})
    fake.faults.listing_status = status
    result = run("--yes", "--max-retries", "1", *WINDOW)
    assert result.code == 3
    assert says in result.err and "nothing was deleted" in result.err
    assert fake.count("DELETE") == 0
    assert fake.remaining_ids() == {1, 2}


@pytest.mark.parametrize("body", [
    b"<html><body>Bad gateway</body></html>",
    json.dumps([1, 2]).encode(),
    json.dumps({"_embedded": {"recordings": "none"}}).encode(),
    json.dumps({"_embedded": {"recordings": [1, 2]}}).encode(),
    json.dumps({"_embedded": {"recordings": []}, "total_pages": -1}).encode(),
    json.dumps({"_embedded": {"recordings": [{"id": 1}]}, "page_size": 100,
                "total_items": 5, "total_pages": 9}).encode(),
    json.dumps({"total_items": 10, "page_size": 0, "total_pages": 3}).encode(),
    json.dumps({"total_items": "12", "page_size": 100, "total_pages": 1}).encode(),
])
def test_listing_that_makes_no_sense_stops_with_exit_3(api, run, body) -> None:
    fake = api([rec(1)])
    fake.faults.listing_body = body
    result = run("--yes", *WINDOW)
    assert result.code == 3
    assert "nothing was deleted" in result.err
    assert fake.count("DELETE") == 0


def test_empty_listing_without_embedded_is_fine(api, run) -> None:
    fake = api([])
    result = run("--yes", "--json", *WINDOW)
    assert result.code == 0
    assert json.loads(result.out)["matched"] == 0
    assert fake.count("DELETE") == 0


def test_recording_listed_twice_is_handled_once(api, run, tmp_path) -> None:
    fake = api([], {"101": [rec(1), rec(2)]})
    report = tmp_path / "r.csv"
    result = run("--yes", "--user", "self", "--user", "101", "--report", str(report), *WINDOW)
    assert result.code == 0, result.err
    assert fake.count("DELETE") == 2
    assert report.read_text().count("\n") == 3  # header + one row each
