"""Benchmark: the script against the naive approach, on the fake API over loopback.

    python tests/benchmark.py            # about three and a half minutes on 2 cores
    python tests/benchmark.py --quick    # smaller data, for a smoke run

Run by hand (it is not part of the test suite).  Every run gets a fresh fake holding the
same data: 2,000 company recordings of which 600 are 30 s or shorter, plus 200 on-demand
recordings of the user of which 60 are short.  Two conditions:

1. 20 ms of latency per request, no quota;
2. the same latency and a fixed-window quota of 60 requests per 3 seconds that answers 429
   with the gateway's JSON body (nextAccessTime) and no Retry-After.

A third part measures memory: the script's peak resident size in a dry run against accounts
of 2,000, 20,000 and 60,000 company recordings, each with the same 600 matches, the server
ignoring the duration filter (so every recording crosses the wire).  It should stay flat.

The baseline is the approach of the classic tutorial, written here: sequential requests
without a session, 10 per page, only the start filter on the server, the duration checked on
the client (in milliseconds, which the tutorial gets wrong), no check of any answer.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent / "delete_vbc_recordings_by_duration.py"
sys.path.insert(0, str(HERE))

from fake_vbc import API, DEMO_CREDENTIALS, SELF_USER, FakeVBC, make_recording  # noqa: E402

LATENCY = 0.020
QUOTA = (60, 3.0)
PAGE_SIZE = 100


def make_data(company: int, short: int, on_demand: int, on_demand_short: int
              ) -> Dict[str, Any]:
    now = datetime.now(timezone.utc).replace(microsecond=0)

    def one(rec_id: int, index: int, shorts: int) -> Dict[str, Any]:
        duration = 1_000 + (index * 37) % 29_000 if index < shorts else 31_000 + index * 11
        start = now - timedelta(minutes=10 + index * 7 % 40_000)
        return make_recording(rec_id, start, duration)

    return {"company": [one(10_000 + i, i, short) for i in range(company)],
            "on_demand": {SELF_USER: [one(500_000 + i, i, on_demand_short)
                                      for i in range(on_demand)]}}


def fresh_fake(data: Dict[str, Any], quota: bool) -> FakeVBC:
    fake = FakeVBC([dict(r) for r in data["company"]],
                   {u: [dict(r) for r in items] for u, items in data["on_demand"].items()})
    fake.faults.latency = LATENCY
    if quota:
        fake.faults.quota = QUOTA
    return fake.start()


def naive_sweep(base: str) -> None:
    """The classic tutorial's approach (units corrected), as the baseline."""
    creds = DEMO_CREDENTIALS
    form = {"grant_type": "password", "username": creds["VBC_USERNAME"] + "@vbc.prod",
            "password": creds["VBC_PASSWORD"], "client_id": creds["VBC_CLIENT_ID"],
            "client_secret": creds["VBC_CLIENT_SECRET"]}
    token = requests.post(f"{base}/token", data=form, timeout=30).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    since = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT00:00:00+0000")
    paths = {"company": f"{base}{API}/accounts/self/company_call_recordings",
             "on-demand": f"{base}{API}/accounts/self/users/self/call_recordings"}
    for url in paths.values():
        found: List[Dict[str, Any]] = []
        page = 1
        while True:
            body = requests.get(url, headers=headers, timeout=30, params={
                "page_size": 10, "page": page, "start:gte": since}).json()
            if "_embedded" in body:
                found.extend(body["_embedded"]["recordings"])
            if "total_pages" in body and page < body["total_pages"]:
                page += 1
            else:
                break
        for recording in found:
            if int(recording["duration"]) <= 30_000:
                requests.delete(f"{url}/{recording['id']}", headers=headers, timeout=30)


def peak_rss_mb(base: str, extra: List[str]) -> float:
    """Run the script and return its peak resident set size in MB (Linux: VmHWM).

    Read from /proc while it runs: rusage would count the benchmark's own memory, which the
    child shares between fork and exec.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("VBC_")}
    env.update(DEMO_CREDENTIALS, VBC_API_URL=base)
    process = subprocess.Popen([sys.executable, str(SCRIPT), "-q", "--json", *extra], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    peak_kb = 0
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    if process.returncode != 0:
        raise SystemExit(f"script failed ({process.returncode})")
    return peak_kb / 1024


def memory_table(scale: int) -> None:
    print(f"\nMemory: peak RSS of a dry run, {600 // scale} matches, server ignoring the "
          "duration filter")
    print("| company recordings | matches | list pages | peak RSS MB |")
    print("|---|---|---|---|")
    for total in (2000 // scale, 20_000 // scale, 60_000 // scale):
        data = make_data(total, 600 // scale, 0, 0)
        fake = FakeVBC(data["company"], {})
        fake.faults.ignore_filters = {"duration"}
        fake.start()
        try:
            peak = peak_rss_mb(fake.url, ["--dry-run", "--type", "company", "--since", "2000d"])
        finally:
            fake.stop()
        pages = fake.count("GET", "company_call_recordings")
        print(f"| {total} | {600 // scale} | {pages} | {peak:.1f} |")


def script_sweep(base: str, extra: List[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VBC_")}
    env.update(DEMO_CREDENTIALS, VBC_API_URL=base)
    result = subprocess.run([sys.executable, str(SCRIPT), "--yes", "--json", "-q", *extra],
                            env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise SystemExit(f"script failed ({result.returncode}): {result.stderr[-500:]}")
    json.loads(result.stdout)


def measure(name: str, data: Dict[str, Any], quota: bool, action: Any) -> Dict[str, Any]:
    fake = fresh_fake(data, quota)
    started = time.perf_counter()
    try:
        action(fake.url)
    finally:
        wall = time.perf_counter() - started
        fake.stop()
    return {"name": name, "wall": wall, "requests": len(fake.log),
            "throttled": fake.throttled, "deleted": len(fake.deleted)}


def matches_per_collection(data: Dict[str, Any]) -> List[int]:
    collections = [data["company"], *data["on_demand"].values()]
    return [sum(1 for r in items if r["duration"] <= 30_000) for items in collections]


def minimum_requests(data: Dict[str, Any]) -> int:
    """1 token + the list pages the matches need + 1 DELETE per match."""
    shorts = matches_per_collection(data)
    return 1 + sum(max(1, math.ceil(n / PAGE_SIZE)) for n in shorts) + sum(shorts)


def print_table(title: str, rows: List[Dict[str, Any]], data: Dict[str, Any],
                floor: Optional[float]) -> None:
    minimum = minimum_requests(data)
    matches = sum(matches_per_collection(data))
    baseline = rows[0]["wall"]
    print(f"\n{title}  (matches: {matches}; minimum requests: {minimum}"
          + (f"; quota floor: {floor:.1f} s)" if floor else ")"))
    header = ("| run | wall s | requests | 429s | deleted | speed-up vs baseline "
              "| requests / minimum |" + (" wall / floor |" if floor else ""))
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for row in rows:
        line = (f"| {row['name']} | {row['wall']:.1f} | {row['requests']} | {row['throttled']} "
                f"| {row['deleted']} of {matches} | {baseline / row['wall']:.1f}x "
                f"| {row['requests'] / minimum:.2f} |")
        if floor:
            line += f" {row['wall'] / floor:.2f} |"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    data = make_data(2000 // scale, 600 // scale, 200 // scale, 60 // scale)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d}, {platform.node() or 'this machine'}: "
          f"Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.system()} {platform.machine()}")

    runs = [("baseline (tutorial approach)", naive_sweep),
            ("script --workers 1", lambda url: script_sweep(url, ["--workers", "1"])),
            ("script (default, 4 workers)", lambda url: script_sweep(url, []))]
    rows = [measure(name, data, False, action) for name, action in runs]
    print_table("20 ms latency, no quota", rows, data, None)

    rate_per_minute = QUOTA[0] / QUOTA[1] * 60
    quota_runs = runs + [(f"script --rate-limit {rate_per_minute:.0f}",
                          lambda url: script_sweep(url, ["--rate-limit",
                                                         f"{rate_per_minute:.0f}"]))]
    floor = (minimum_requests(data) - 1) / (QUOTA[0] / QUOTA[1])  # the token is not metered
    rows = [measure(name, data, True, action) for name, action in quota_runs]
    print_table(f"20 ms latency, quota {QUOTA[0]} per {QUOTA[1]:g} s (429 with nextAccessTime)",
                rows, data, floor)
    if os.path.exists("/proc/self/status"):
        memory_table(scale)


if __name__ == "__main__":
    main()
