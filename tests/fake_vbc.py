"""A stateful fake of the VBC Call Recording, Provisioning and token APIs, on loopback.

Used by the tests and the benchmark, and standalone so that a newcomer can try the script
without an account:

    python tests/fake_vbc.py --port 8765 --recordings 500

It behaves as ../shared/vbc-api.md describes: deletes remove items, pages and filters work
like the real API (the page size can be capped, the duration filter ignored), token grants
are checked, and faults can be switched on: 5xx answers, dropped connections, a DELETE whose
answer is lost, 429 with Retry-After or with the gateway's nextAccessTime, a fixed-window
quota, a token revoked mid-run, a slow server, and bad audio downloads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

API = "/t/vbc.prod/call_recording/v1/api"
PROVISIONING = "/t/vbc.prod/provisioning/v1/api"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000")
SELF_USER = "101"

DEMO_CREDENTIALS = {
    "VBC_USERNAME": "jane.doe",
    "VBC_PASSWORD": "p&ss=w0rd#Secret",
    "VBC_CLIENT_ID": "demo-client-id",
    "VBC_CLIENT_SECRET": "demo-client-secret-XYZ",
}


def make_recording(rec_id: int, start: datetime, duration_ms: Any, **extra: Any
                   ) -> Dict[str, Any]:
    """A recording as the API lists it."""
    record = {
        "id": rec_id,
        "call_id": f"call-{rec_id}",
        "start": start.strftime(TIME_FORMAT),
        "end": (start + timedelta(milliseconds=duration_ms if isinstance(duration_ms, int)
                                  and not isinstance(duration_ms, bool) else 0)
                ).strftime(TIME_FORMAT),
        "duration": duration_ms,
        "call_direction": "INBOUND",
        "caller_id": "+15550100" + str(rec_id % 100).zfill(2),
        "cnam": "CALLER",
        "dnis": "+15550199000",
        "extensions": ["201"],
        "extension": None,
        "file_name": f"{rec_id}.mp3",
        "file_size_in_bytes": 1000 + rec_id % 977,
        "rule_ids": [1],
    }
    record.update(extra)
    return record


def gateway_throttle_body(reopen: datetime) -> Dict[str, str]:
    """The API gateway's 429 body: no Retry-After, the time in nextAccessTime."""
    gateway = reopen.strftime("%Y-%b-%d %H:%M:%S+0000 UTC")
    return {"code": "900803", "message": "Message throttled out",
            "description": f"You have exceeded your quota .You can access API after {gateway}",
            "nextAccessTime": gateway}


def audio_bytes(rec_id: int, size: int) -> bytes:
    """Deterministic 'MP3' content: an ID3 header then pseudo-random bytes."""
    seed = hashlib.sha256(str(rec_id).encode()).digest()
    body = b"ID3" + (seed * (size // len(seed) + 1))
    return body[:size]


@dataclass
class Faults:
    """Switchable misbehaviour; counts go down as faults are served."""

    status: Dict[str, List[int]] = field(default_factory=dict)  # method -> statuses to answer
    drop: Dict[str, int] = field(default_factory=dict)  # method -> connections to drop
    lose_delete_answer: int = 0  # delete, then drop the connection
    throttle_retry_after: List[str] = field(default_factory=list)  # 429 with this Retry-After
    throttle_next_access: int = 0  # 429s with only nextAccessTime (1 s ahead)
    quota: Optional[Tuple[int, float]] = None  # (requests, window seconds), fixed windows
    revoke_after: Optional[int] = None  # revoke every token after this many API requests
    latency: float = 0.0
    ignore_filters: set = field(default_factory=set)  # of duration/window/direction/extension
    page_size_cap: Optional[int] = None
    listing_status: Optional[int] = None  # every listing answers this
    listing_body: Optional[bytes] = None  # every listing answers this body (200)
    forbidden_users: set = field(default_factory=set)  # on-demand listing answers 403
    download: Dict[int, str] = field(default_factory=dict)  # rec id -> html/json/short/drop/500
    download_redirect: Optional[str] = None  # audio answers 302 to this base URL
    users_body_key: str = "data"
    users_status: Optional[int] = None  # the Provisioning user list answers this
    token_status: Optional[int] = None  # the password grant answers this
    echo_secrets: bool = False  # error bodies repeat the password (as some servers do)
    omit_totals: bool = False  # list bodies carry no total_pages/total_items
    refuse_refresh: bool = False  # refresh grants answer 400
    reject_all_tokens: bool = False  # every bearer token answers 401


class FakeVBC:
    """The fake server's state and its HTTP server; start() then use .url."""

    def __init__(self, recordings: Optional[List[Dict[str, Any]]] = None,
                 on_demand: Optional[Dict[str, List[Dict[str, Any]]]] = None,
                 users: Optional[List[Dict[str, Any]]] = None,
                 credentials: Optional[Dict[str, str]] = None) -> None:
        self.credentials = dict(credentials or DEMO_CREDENTIALS)
        self.company: Dict[int, Dict[str, Any]] = {r["id"]: r for r in recordings or []}
        self.on_demand: Dict[str, Dict[int, Dict[str, Any]]] = {
            user: {r["id"]: r for r in items} for user, items in (on_demand or {}).items()}
        self.users = users if users is not None else [
            {"id": int(u), "login_name": f"user{u}", "status": "ACTIVE"}
            for u in sorted(set(self.on_demand) | {SELF_USER})]
        self.faults = Faults()
        self.lock = threading.Lock()
        self.log: List[Tuple[str, str, int]] = []  # (method, path, status)
        self.deleted: List[int] = []
        self.tokens: set = set()
        self.refresh_tokens: set = set()
        self.token_grants: List[str] = []
        self.api_requests = 0
        self.throttled = 0
        self.audio_auth_seen: List[Optional[str]] = []
        self.queries: List[Dict[str, str]] = []  # the query of every listing request
        self._window: Tuple[int, int] = (-1, 0)
        self.in_flight = 0
        self.max_in_flight = 0
        self._counter = 0
        self.server: Optional[ThreadingHTTPServer] = None

    # -- lifecycle --
    def start(self, port: int = 0, host: str = "127.0.0.1") -> "FakeVBC":
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # -- views for tests --
    def remaining_ids(self) -> set:
        with self.lock:
            ids = set(self.company)
            for items in self.on_demand.values():
                ids |= set(items)
            return ids

    def count(self, method: str, path_part: str = "") -> int:
        with self.lock:
            return sum(1 for m, p, _ in self.log if m == method and path_part in p)

    def new_token_pair(self) -> Dict[str, Any]:
        self._counter += 1
        access, refresh = f"access-{self._counter}-tok", f"refresh-{self._counter}-tok"
        self.tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"access_token": access, "refresh_token": refresh, "expires_in": 86400,
                "scope": "openid", "token_type": "Bearer", "id_token": f"id-{self._counter}"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeVBC

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    # -- plumbing --
    def _send(self, status: int, body: Any = b"", content_type: str = "application/json",
              headers: Optional[Dict[str, str]] = None) -> None:
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        if body or status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if body:
            self.wfile.write(body)
        with self.fake.lock:
            self.fake.log.append((self.command, urlsplit(self.path).path, status))

    def _drop(self) -> None:
        with self.fake.lock:
            self.fake.log.append((self.command, urlsplit(self.path).path, 0))
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    # -- dispatch --
    def _handle(self) -> None:
        with self.fake.lock:
            self.fake.in_flight += 1
            self.fake.max_in_flight = max(self.fake.max_in_flight, self.fake.in_flight)
        try:
            self._dispatch()
        finally:
            with self.fake.lock:
                self.fake.in_flight -= 1

    def _dispatch(self) -> None:
        fake = self.fake
        body = self._read_body()
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        if fake.faults.latency:
            time.sleep(fake.faults.latency)
        if path == "/token" and self.command == "POST":
            return self._token(parse_qs(body.decode()))
        if self._injected_fault():
            return
        if not self._authorized():
            return self._send(401, {"error": "invalid_token"})
        routes = [
            ("GET", rf"{API}/accounts/[^/]+/company_call_recordings", self._list_company),
            ("DELETE", rf"{API}/accounts/[^/]+/company_call_recordings/(\d+)",
             self._delete_company),
            ("GET", rf"{API}/accounts/[^/]+/users/([^/]+)/call_recordings", self._list_user),
            ("DELETE", rf"{API}/accounts/[^/]+/users/([^/]+)/call_recordings/(\d+)",
             self._delete_user),
            ("GET", rf"{API}/audio/recording/(\d+)", self._audio),
            ("GET", rf"{PROVISIONING}/accounts/[^/]+/users", self._list_users),
        ]
        for method, pattern, action in routes:
            match = re.fullmatch(pattern, path)
            if match and method == self.command:
                return action(query, *match.groups())
        return self._send(404, {"error": "not_found"})

    def _injected_fault(self) -> bool:
        """Quota, 429s, 5xx, drops, revocation: True when a fault answered."""
        answer = self._take_fault()
        if answer is None:
            return False
        answer()
        return True

    def _take_fault(self) -> Optional[Any]:
        """The answer of the first fault that applies; only that fault is used up."""
        fake, faults, method = self.fake, self.fake.faults, self.command
        with fake.lock:
            fake.api_requests += 1
            if faults.revoke_after is not None and fake.api_requests > faults.revoke_after:
                fake.tokens.clear()
                faults.revoke_after = None
            reopen = self._quota_exceeded() if faults.quota else None
            if reopen is None and faults.throttle_next_access > 0:
                faults.throttle_next_access -= 1
                reopen = datetime.now(timezone.utc) + timedelta(seconds=1)
            if reopen is not None:
                fake.throttled += 1
                return lambda: self._send(429, gateway_throttle_body(reopen))
            if faults.throttle_retry_after:
                fake.throttled += 1
                retry_after = faults.throttle_retry_after.pop(0)
                return lambda: self._send(429, {"code": "900803",
                                                "message": "Message throttled out"},
                                          headers={"Retry-After": retry_after})
            if faults.status.get(method):
                status = faults.status[method].pop(0)
                return lambda: self._send(status, b"<html><body>Error</body></html>",
                                          content_type="text/html")
            if faults.drop.get(method, 0) > 0:
                faults.drop[method] -= 1
                return self._drop
        return None

    def _quota_exceeded(self) -> Optional[datetime]:
        """Count this request in the fixed window; past the limit, when the window ends."""
        limit, window = self.fake.faults.quota
        index = int(time.time() // window)
        if self.fake._window[0] != index:
            self.fake._window = (index, 0)
        if self.fake._window[1] >= limit:
            return datetime.fromtimestamp((index + 1) * window, timezone.utc)
        self.fake._window = (index, self.fake._window[1] + 1)
        return None

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else None
        with self.fake.lock:
            return token in self.fake.tokens and not self.fake.faults.reject_all_tokens

    # -- token --
    def _token(self, form: Dict[str, List[str]]) -> None:
        fake = self.fake
        value = {k: v[0] for k, v in form.items()}
        grant = value.get("grant_type", "")
        with fake.lock:
            fake.token_grants.append(grant)
            creds = fake.credentials
            username = creds["VBC_USERNAME"]
            if "@" not in username:
                username += "@vbc.prod"
            client_ok = (value.get("client_id") == creds["VBC_CLIENT_ID"]
                         and value.get("client_secret") == creds["VBC_CLIENT_SECRET"])
            if grant == "password":
                ok = (client_ok and value.get("username") == username
                      and value.get("password") == creds["VBC_PASSWORD"]
                      and fake.faults.token_status is None)
            elif grant == "refresh_token":
                ok = (client_ok and value.get("refresh_token") in fake.refresh_tokens
                      and not fake.faults.refuse_refresh)
                fake.refresh_tokens.discard(value.get("refresh_token"))
            else:
                ok = False
            answer = fake.new_token_pair() if ok else None
        if answer:
            return self._send(200, answer)
        description = "Invalid user credentials"
        if fake.faults.echo_secrets:
            description += f" for password {value.get('password')}"
        self._send(fake.faults.token_status or 400,
                   {"error": "invalid_grant", "error_description": description})

    # -- listings --
    def _listing_fault(self) -> bool:
        faults = self.fake.faults
        if faults.listing_status is not None:
            self._send(faults.listing_status, {"error": "listing fault"})
            return True
        if faults.listing_body is not None:
            self._send(200, faults.listing_body)
            return True
        return False

    def _list_company(self, query: Dict[str, List[str]]) -> None:
        if self._listing_fault():
            return
        with self.fake.lock:
            items = list(self.fake.company.values())
        self._page_of(items, query, "recordings", filtered=True)

    def _list_user(self, query: Dict[str, List[str]], user: str) -> None:
        if self._listing_fault():
            return
        user = SELF_USER if user == "self" else user
        if user in self.fake.faults.forbidden_users:
            return self._send(403, {"error": "User is not authorized"})
        with self.fake.lock:
            if user not in self.fake.on_demand and user not in {
                    str(u.get("id")) for u in self.fake.users}:
                return self._send(404, {"error": "no such user"})
            items = list(self.fake.on_demand.get(user, {}).values())
        self._page_of(items, query, "recordings", filtered=True)

    def _list_users(self, query: Dict[str, List[str]]) -> None:
        if self.fake.faults.users_status:
            return self._send(self.fake.faults.users_status, {"error": "forbidden"})
        self._page_of(list(self.fake.users), query, self.fake.faults.users_body_key,
                      filtered=False)

    def _page_of(self, items: List[Dict[str, Any]], query: Dict[str, List[str]], key: str,
                 filtered: bool) -> None:
        def arg(name: str) -> Optional[str]:
            return query.get(name, [None])[0]

        with self.fake.lock:
            self.fake.queries.append({k: v[0] for k, v in query.items()})
        try:
            page = int(arg("page") or 1)
            size = int(arg("page_size") or 10)
            if filtered:
                items = self._filter(items, arg)
        except ValueError as exc:
            return self._send(400, {"error": "bad_request", "message": str(exc)})
        if page < 1 or size < 1:
            return self._send(400, {"error": "bad_request"})
        if self.fake.faults.page_size_cap:
            size = min(size, self.fake.faults.page_size_cap)
        total = len(items)
        chunk = items[(page - 1) * size: page * size]
        body: Dict[str, Any] = {"page": page, "page_size": size, "total_items": total,
                                "total_pages": math.ceil(total / size),
                                "_links": {"self": {"href": self.path}}}
        if chunk:
            body["_embedded"] = {key: chunk}
        if self.fake.faults.omit_totals:
            del body["total_pages"], body["total_items"]
        self._send(200, body)

    def _filter(self, items: List[Dict[str, Any]], arg: Any) -> List[Dict[str, Any]]:
        order = arg("order") or "start:DESC"
        if order not in ("start:ASC", "start:DESC"):
            raise ValueError(f"bad order {order}")
        gte = arg("start:gte")
        lte = arg("start:lte")
        low = datetime.strptime(gte, TIME_FORMAT).strftime(TIME_FORMAT) if gte else None
        high = datetime.strptime(lte, TIME_FORMAT).strftime(TIME_FORMAT) if lte else None

        def start_of(record: Dict[str, Any]) -> Optional[str]:
            """The start in TIME_FORMAT, whose text order is time order (fast to compare)."""
            start = record.get("start")
            if isinstance(start, str) and CANONICAL_TIME.fullmatch(start):
                return start
            try:
                return datetime.strptime(start, "%Y-%m-%dT%H:%M:%S%z").astimezone(
                    timezone.utc).strftime(TIME_FORMAT)
            except (TypeError, ValueError):
                return None

        ignore = self.fake.faults.ignore_filters
        out = []
        for record in items:
            start = start_of(record)
            if "window" not in ignore and start is not None and (
                    (low and start < low) or (high and start > high)):
                continue
            duration = record.get("duration")
            if "duration" not in ignore and arg("duration:lte") and \
                    isinstance(duration, int) and duration > int(arg("duration:lte")):
                continue
            if "direction" not in ignore and arg("call_direction") and \
                    record.get("call_direction") != arg("call_direction"):
                continue
            if "extension" not in ignore and arg("extension") and \
                    arg("extension") not in (record.get("extensions") or []):
                continue
            out.append(record)
        out.sort(key=lambda r: (r.get("start") or "", r["id"] if isinstance(r.get("id"), int)
                                else 0), reverse=order == "start:DESC")
        return out

    # -- deletes --
    def _delete_company(self, _query: Any, rec_id: str) -> None:
        self._delete(self.fake.company, int(rec_id))

    def _delete_user(self, _query: Any, user: str, rec_id: str) -> None:
        user = SELF_USER if user == "self" else user
        with self.fake.lock:
            store = self.fake.on_demand.get(user, {})
        self._delete(store, int(rec_id))

    def _delete(self, store: Dict[int, Dict[str, Any]], rec_id: int) -> None:
        fake = self.fake
        with fake.lock:
            found = store.pop(rec_id, None) is not None
            if found:
                fake.deleted.append(rec_id)
            lose = found and fake.faults.lose_delete_answer > 0
            if lose:
                fake.faults.lose_delete_answer -= 1
        if lose:
            return self._drop()
        self._send(204 if found else 404, b"" if found else {"error": "not_found"})

    # -- audio --
    def _find(self, rec_id: int) -> Optional[Dict[str, Any]]:
        with self.fake.lock:
            if rec_id in self.fake.company:
                return self.fake.company[rec_id]
            for items in self.fake.on_demand.values():
                if rec_id in items:
                    return items[rec_id]
        return None

    def _audio(self, _query: Any, rec_id_text: str) -> None:
        fake = self.fake
        rec_id = int(rec_id_text)
        with fake.lock:
            fake.audio_auth_seen.append(self.headers.get("Authorization"))
        if fake.faults.download_redirect:
            return self._send(302, b"", headers={
                "Location": f"{fake.faults.download_redirect}/audio/{rec_id}"})
        record = self._find(rec_id)
        if record is None:
            return self._send(404, {"error": "not_found"})
        data = audio_bytes(rec_id, record.get("file_size_in_bytes") or 1000)
        fault = fake.faults.download.get(rec_id)
        if fault == "html":
            return self._send(200, b"<!DOCTYPE html><html>Login</html>", "text/html")
        if fault == "html-as-audio":
            return self._send(200, b"<html><body>error</body></html>", "audio/mpeg")
        if fault == "json":
            return self._send(200, {"error": "oops"})
        if fault == "500":
            return self._send(500, b"<html>boom</html>", "text/html")
        if fault == "empty":
            return self._send(200, b"", "audio/mpeg")
        if fault in ("short", "drop"):
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if fault == "short":
                self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            return self._drop()
        if fault == "no-length-mismatch":  # no Content-Length, fewer bytes than listed
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[:-10])
            self.close_connection = True
            with fake.lock:
                fake.log.append(("GET", urlsplit(self.path).path, 200))
            return None
        return self._send(200, data, "audio/mpeg")


class AudioHost:
    """A second loopback server that serves audio and records any Authorization it sees."""

    def __init__(self) -> None:
        self.auth_seen: List[Optional[str]] = []
        self.hits = 0
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                host.hits += 1
                host.auth_seen.append(self.headers.get("Authorization"))
                rec_id = int(self.path.rsplit("/", 1)[-1] or 0)
                size = int(parse_qs(urlsplit(self.path).query).get("size", ["0"])[0] or 0)
                data = audio_bytes(rec_id, size or 1000 + rec_id % 977)
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, host: str = "localhost") -> str:
        return f"http://{host}:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def generate(count: int, seed: int = 7, now: Optional[datetime] = None,
             users: Tuple[str, ...] = (SELF_USER, "102", "103")
             ) -> Tuple[List[Dict[str, Any]], Dict[str, List[Dict[str, Any]]]]:
    """count company recordings and about a quarter as many on-demand ones per user,
    spread over the last 45 days; about 30% are 30 seconds or shorter."""
    rng = random.Random(seed)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)

    def one(rec_id: int) -> Dict[str, Any]:
        short = rng.random() < 0.3
        duration = rng.randint(1000, 30000) if short else rng.randint(30001, 1800000)
        start = now - timedelta(seconds=rng.randint(3600, 45 * 86400))
        return make_recording(rec_id, start, duration,
                              call_direction=rng.choice(["INBOUND", "OUTBOUND", "INTRA_PBX"]))

    company = [one(10_000 + i) for i in range(count)]
    per_user = max(1, count // 4)
    on_demand = {user: [one(100_000 + n * 10_000 + i) for i in range(per_user)]
                 for n, user in enumerate(users)}
    return company, on_demand


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake VBC API on loopback.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--recordings", type=int, default=500,
                        help="company recordings to make (plus on-demand ones for 3 users)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--quota", metavar="N/SECONDS",
                        help="fixed-window quota, e.g. 10/60 (429 past N requests a window)")
    args = parser.parse_args()
    company, on_demand = generate(args.recordings, args.seed)
    fake = FakeVBC(company, on_demand)
    fake.faults.latency = args.latency
    if args.quota:
        limit, window = args.quota.split("/")
        fake.faults.quota = (int(limit), float(window))
    fake.start(args.port)
    short = sum(1 for r in company if r["duration"] <= 30000)
    print(f"Fake VBC API on {fake.url}: {len(company)} company recordings ({short} of 30 s "
          f"or less), {sum(len(v) for v in on_demand.values())} on-demand for users "
          f"{', '.join(on_demand)} (self is {SELF_USER}).")
    print("Put these lines in a file (fake.env) and pass --env-file fake.env:")
    print(f"VBC_API_URL={fake.url}")
    for key, value in DEMO_CREDENTIALS.items():
        print(f"{key}='{value}'")
    print("Ctrl-C stops it.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
