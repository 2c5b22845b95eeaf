#!/usr/bin/env python3
"""Delete Vonage Business Communications (VBC) call recordings of short calls.

delete_vbc_recordings_by_duration.py lists the company recordings and the on-demand
recordings of an account that started inside a time window, keeps those whose call lasted
at most --max-duration seconds (default 30), and deletes them, one request per recording
(the API has no bulk delete).  It is meant to be run by hand once, then weekly from cron or
Windows Task Scheduler.

How it stays safe
-----------------
* Plan, then act.  Every page of every selected collection is listed before the first
  DELETE; a listing that fails or makes no sense stops the run with nothing deleted.
* Every condition is checked again locally, whatever the server filtered: a recording is
  deleted only if its own duration is a whole number of milliseconds at or under the
  threshold, its start lies inside the window, and it matches --direction/--extension.
  Odd data (a missing, fractional or non-numeric duration, an unreadable start) is skipped
  and reported, never deleted.
* Without --yes it asks on a terminal and refuses to run unattended; --dry-run deletes
  nothing; --max-delete stops a run that matches more than expected.
* With --backup-dir, each recording's audio is downloaded and verified (status, type,
  length) before its DELETE is sent; a failed backup leaves the recording in place.
* Every outcome gets a CSV row (--report) as soon as it is known, so an interrupted run
  still leaves a true record.  Secrets never appear in output, logs or the report.

Credentials (environment variables, or KEY=VALUE lines in --env-file)
--------------------------------------------------------------------
VBC_USERNAME, VBC_PASSWORD        the VBC login (``@vbc.prod`` is added when missing)
VBC_CLIENT_ID, VBC_CLIENT_SECRET  the Vonage developer application's key and secret
VBC_ACCOUNT_ID                    account id (default: self)
VBC_API_URL                       API root (default: https://api.vonage.com)

Exit codes
----------
0  done (also: nothing matched, a dry run, or "no" at the prompt)
1  some recordings failed, a user could not be swept, or the run stopped at --max-wait
2  usage or configuration error (nothing was sent)
3  authentication or listing failed, the run stopped
4  more matches than --max-delete (nothing deleted)
130, 143  interrupted by Ctrl-C or SIGTERM (what was done is reported)

See README.md for a worked first run, scheduling and the report's columns.
"""

from __future__ import annotations

import argparse
import csv
import email.utils
import ipaddress
import json
import logging
import math
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote, quote_plus, urlsplit

import requests
import requests.auth
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

__version__ = "1.0.0"

# --- constants --------------------------------------------------------------------------

DEFAULT_API_URL = "https://api.vonage.com"
RECORDING_API_PREFIX = "/t/vbc.prod/call_recording/v1/api"
PROVISIONING_API_PREFIX = "/t/vbc.prod/provisioning/v1/api"
TOKEN_PATH = "/token"
USERNAME_DOMAIN = "@vbc.prod"

PAGE_SIZE = 100
MAX_PAGES = 50_000  # 5 million recordings at 100 a page; beyond that a listing is nonsense
DEFAULT_MAX_DURATION = "30"
DEFAULT_WINDOW_DAYS = 30
DEFAULT_WORKERS = 4
DEFAULT_MAX_RETRIES = 5
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_WAIT_MINUTES = 120.0
DEFAULT_BACKOFF = 1.0
RETRY_STATUSES = (500, 502, 503, 504)
RETRY_BACKOFF_CAP = 8.0  # times --backoff: retries wait 1, 2, 4, 8, 8 s by default
THROTTLE_FIRST_PAUSE = 5.0  # times --backoff, when the server gives no time
THROTTLE_MAX_PAUSE = 60.0  # times --backoff
PROGRESS_EVERY_OUTCOMES = 100
PROGRESS_EVERY_SECONDS = 30.0
POLL_SECONDS = 0.2  # how often the main thread looks up from waiting, for Ctrl-C
PACING_MARGIN = 1.02  # --rate-limit paces 2% under N: clock jitter must not tip a window over

TYPES = ("company", "on-demand")
DIRECTIONS = ("inbound", "outbound", "intra_pbx")
API_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
ENV_VARIABLES = (
    "VBC_USERNAME", "VBC_PASSWORD", "VBC_CLIENT_ID", "VBC_CLIENT_SECRET",
    "VBC_ACCOUNT_ID", "VBC_API_URL",
)
REQUIRED_VARIABLES = ENV_VARIABLES[:4]
REPORT_COLUMNS = (
    "time", "type", "user", "id", "call_id", "start", "duration_ms", "call_direction",
    "caller_id", "dnis", "extensions", "file_size_in_bytes", "outcome", "error", "backup_file",
)

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_API = 3
EXIT_TOO_MANY = 4
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

LOGGER_NAME = "vbc_sweep"
IS_POSIX = os.name == "posix"


HELP_DESCRIPTION = """\
Delete VBC call recordings of calls no longer than a threshold, within a start-time window.
Lists every page first, re-checks every recording locally, then deletes; --dry-run shows
the plan without deleting anything."""

HELP_EPILOG = """\
credentials (environment variables, or KEY=VALUE lines in --env-file):
  VBC_USERNAME, VBC_PASSWORD         VBC login (@vbc.prod is added when missing)
  VBC_CLIENT_ID, VBC_CLIENT_SECRET   the developer application's key and secret
  VBC_ACCOUNT_ID                     account id (default: self)
  VBC_API_URL                        API root (default: https://api.vonage.com)

WHEN is a date (2026-11-01, midnight UTC), a date-time (2026-11-01T08:00:00Z,
2026-11-01T08:00:00+01:00; no offset means UTC) or an age: 30d, 12h, 90m.

Exit codes:
  0    done (also: nothing matched, dry run, answered no)
  1    some recordings failed, a user could not be swept, or --max-wait ran out
  2    usage or configuration error (nothing was sent)
  3    authentication or listing failed; the run stopped
  4    more matches than --max-delete (nothing deleted)
  130  interrupted by Ctrl-C (143: SIGTERM); what was done is reported

Example: %(prog)s --dry-run --report first-run.csv"""


# --- errors, mapped to exit codes -------------------------------------------------------

class SweepError(Exception):
    """A run-ending problem; ``exit_code`` is what main returns, ``stop`` what the summary
    says under "stopped"."""

    exit_code = EXIT_FAILURES
    stop = "error"


class UsageError(SweepError):
    """Bad option, variable or file: nothing was sent."""

    exit_code = EXIT_USAGE


class ApiError(SweepError):
    """Authentication or listing failed; nothing more is sent."""

    exit_code = EXIT_API
    stop = "api-error"


class TooManyMatches(SweepError):
    """More recordings matched than --max-delete allows."""

    exit_code = EXIT_TOO_MANY
    stop = "max-delete"


class Interrupted(SweepError):
    """Ctrl-C or SIGTERM: stop starting work."""

    exit_code = EXIT_SIGINT
    stop = "interrupted"


class WaitBudgetExhausted(SweepError):
    """The run has paused for the quota longer than --max-wait allows."""

    exit_code = EXIT_FAILURES
    stop = "max-wait"


class ReportWriteError(SweepError):
    """The report could not be written: stop deleting, or we lose track."""

    exit_code = EXIT_FAILURES
    stop = "report-error"


class RequestFailed(Exception):
    """One request failed for good (transport error after retries)."""


class CollectionUnavailable(Exception):
    """A user's recordings answered 403 or 404 (tolerated with --all-users)."""


class BackupFailed(Exception):
    """A recording's audio could not be saved and verified."""


# --- configuration ----------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    """Everything the run needs, validated; built from options and environment."""

    username: str
    password: str
    client_id: str
    client_secret: str
    account_id: str
    api_url: str
    since: datetime
    until: datetime
    max_ms: int
    types: Tuple[str, ...]
    users: Tuple[str, ...]
    all_users: bool
    direction: Optional[str]
    extension: Optional[str]
    dry_run: bool
    yes: bool
    max_delete: Optional[int]
    report: Optional[Path]
    backup_dir: Optional[Path]
    json_summary: bool
    workers: int
    max_retries: int
    timeout: float
    rate_limit: Optional[float]
    max_wait: float
    backoff: float

    @property
    def recording_api(self) -> str:
        return self.api_url + RECORDING_API_PREFIX

    @property
    def provisioning_api(self) -> str:
        return self.api_url + PROVISIONING_API_PREFIX

    @property
    def token_url(self) -> str:
        return self.api_url + TOKEN_PATH

    @property
    def secrets(self) -> Tuple[str, ...]:
        return (self.password, self.client_secret)


def build_parser() -> argparse.ArgumentParser:
    """The command line, in argument groups."""
    parser = argparse.ArgumentParser(
        prog="delete_vbc_recordings_by_duration.py",
        description=HELP_DESCRIPTION, epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    select = parser.add_argument_group("what to delete")
    select.add_argument("--max-duration", metavar="SECONDS", default=DEFAULT_MAX_DURATION,
                        help="delete recordings of at most this long (inclusive; default 30); "
                        "a number with optional s, m or h: 90, 1.5, 2m")
    select.add_argument("--since", metavar="WHEN",
                        help="window start (default: 00:00 UTC, 30 days before today)")
    select.add_argument("--until", metavar="WHEN", help="window end (default: now)")
    select.add_argument("--type", choices=("all",) + TYPES, default="all",
                        help="which recordings (default: all)")
    select.add_argument("--user", metavar="USER_ID", action="append",
                        help="whose on-demand recordings (repeatable; default: self)")
    select.add_argument("--all-users", action="store_true",
                        help="every user of the account (lists them via the Provisioning API)")
    select.add_argument("--direction", choices=DIRECTIONS, type=str.lower,
                        help="only calls of this direction")
    select.add_argument("--extension", metavar="EXT", help="only calls of this extension")

    safety = parser.add_argument_group("safety")
    safety.add_argument("--dry-run", action="store_true",
                        help="list what would be deleted; delete nothing")
    safety.add_argument("-y", "--yes", action="store_true", help="delete without asking")
    safety.add_argument("--max-delete", metavar="N",
                        help="if more than N recordings match, delete none and exit 4")
    safety.add_argument("--backup-dir", metavar="DIR",
                        help="download and verify each recording's audio here before deleting it")

    output = parser.add_argument_group("output")
    output.add_argument("--report", metavar="FILE",
                        help="append one CSV row per matched or skipped recording")
    output.add_argument("--json", action="store_true",
                        help="print the summary as one JSON object on stdout")
    output.add_argument("--log-file", metavar="FILE", help="log to this file as well")
    output.add_argument("-v", "--verbose", action="count", default=0, help="more detail")
    output.add_argument("-q", "--quiet", action="store_true",
                        help="warnings and the summary only; no progress")

    conn = parser.add_argument_group("connection")
    conn.add_argument("--env-file", metavar="FILE",
                      help="read VBC_* variables from KEY=VALUE lines (the environment wins)")
    conn.add_argument("--workers", metavar="N", default=str(DEFAULT_WORKERS),
                      help=f"requests in flight at once (default {DEFAULT_WORKERS}; "
                      "1 = sequential)")
    conn.add_argument("--rate-limit", metavar="N",
                      help="at most N requests per minute, evenly paced (default: none)")
    conn.add_argument("--max-retries", metavar="N", default=str(DEFAULT_MAX_RETRIES),
                      help=f"retries of a request on connection errors and 5xx "
                      f"(default {DEFAULT_MAX_RETRIES})")
    conn.add_argument("--max-wait", metavar="MINUTES", default=str(DEFAULT_MAX_WAIT_MINUTES),
                      help="stop cleanly after pausing this long in all for the quota "
                      "(default 120)")
    conn.add_argument("--timeout", metavar="SECONDS", default=str(DEFAULT_TIMEOUT),
                      help="connect and read timeout of every request (default 30)")
    conn.add_argument("--backoff", metavar="SECONDS", default=str(DEFAULT_BACKOFF),
                      help="base of the backoff between retries (default 1; pauses without "
                      "a server-given time start at 5x this)")

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def parse_max_duration(text: str) -> int:
    """'30', '1.5', '2m', '1h' -> the threshold in whole milliseconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text or "")
    if not match:
        raise UsageError(f"--max-duration {text!r} is not a duration: give seconds "
                         "as a non-negative number, optionally with s, m or h (30, 1.5, 2m)")
    unit = {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]
    return int(Decimal(match.group(1)) * unit * 1000)


def parse_when(text: str, option: str, now: datetime) -> datetime:
    """An ISO date or date-time, or an age like 30d/12h/90m, as an aware UTC datetime."""
    age = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text)
    if age:
        unit = {"d": "days", "h": "hours", "m": "minutes"}[age.group(2)]
        return now - timedelta(**{unit: int(age.group(1))})
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    cleaned = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", cleaned)  # +0100 -> +01:00 (3.9)
    try:
        when = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date: use 2026-11-01, "
                         "2026-11-01T08:00:00Z, 2026-11-01T08:00:00+01:00 or an age "
                         "like 30d, 12h, 90m") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def parse_count(text: Optional[str], option: str, minimum: int) -> Optional[int]:
    """A whole number >= minimum, or None when the option was not given."""
    if text is None:
        return None
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < minimum:
        raise UsageError(f"{option} {text!r} is not valid: give a whole number of at "
                         f"least {minimum}")
    return int(text)


def parse_positive(text: Optional[str], option: str, allow_zero: bool = False
                   ) -> Optional[float]:
    """A positive (or non-negative) decimal number, or None when not given."""
    if text is None:
        return None
    try:
        value = float(Decimal(text.strip()))
    except (InvalidOperation, ValueError):
        value = float("nan")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        least = "zero or more" if allow_zero else "more than zero"
        raise UsageError(f"{option} {text!r} is not valid: give a number {least}")
    return value


def read_env_file(path: Path, log: logging.Logger) -> Dict[str, str]:
    """KEY=VALUE lines (comments, blanks, quotes, 'export ' allowed) -> dict."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        mode = path.stat().st_mode
    except OSError as exc:
        raise UsageError(f"--env-file {path}: cannot read it ({exc.strerror}); check "
                         "the path") from None
    if IS_POSIX and mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s can be read by other users of this machine; it holds a password: "
                    "chmod 600 %s", path, path)
    values: Dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise UsageError(f"--env-file {path}, line {number}: expected KEY=VALUE")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value  # no inline comments: '#' may well be part of a password
    return values


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(url: str) -> str:
    """https:// anywhere, http:// only to loopback; returns it without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"VBC_API_URL {url!r} is not an http(s) URL: use "
                         f"{DEFAULT_API_URL}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise UsageError(f"VBC_API_URL {url!r} uses plain http: credentials would travel "
                         "unencrypted; use https:// (plain http is allowed only to localhost)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise UsageError(f"VBC_API_URL {url!r} may not hold a query, fragment or login; "
                         f"use the bare root such as {DEFAULT_API_URL}")
    return url.strip().rstrip("/")


def check_path_id(value: str, what: str) -> str:
    """'self' or a plain id; anything else could change the request path."""
    if not re.fullmatch(r"self|[A-Za-z0-9_.-]+", value) or value in (".", ".."):
        raise UsageError(f"{what} {value!r} is not an id: give a number or 'self'")
    return value


def resolve_credentials(env: Dict[str, str]) -> Dict[str, str]:
    """The four required variables, or a UsageError naming the missing ones."""
    missing = [name for name in REQUIRED_VARIABLES if not env.get(name)]
    if missing:
        them = "it" if len(missing) == 1 else "them"
        raise UsageError(f"missing {', '.join(missing)}: set {them} in the environment or in "
                         "a file given with --env-file")
    username = env["VBC_USERNAME"].strip()
    if "@" not in username:
        username += USERNAME_DOMAIN
    return {"username": username, "password": env["VBC_PASSWORD"],
            "client_id": env["VBC_CLIENT_ID"].strip(),
            "client_secret": env["VBC_CLIENT_SECRET"]}


def build_config(args: argparse.Namespace, environ: Dict[str, str],
                 log: logging.Logger, now: Optional[datetime] = None) -> Config:
    """Validate every option and variable; raise UsageError on the first bad one."""
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    env: Dict[str, str] = {}
    if args.env_file:
        env.update(read_env_file(Path(args.env_file), log))
    env.update({k: v for k, v in environ.items() if k in ENV_VARIABLES and v})
    credentials = resolve_credentials(env)

    default_since = (now - timedelta(days=DEFAULT_WINDOW_DAYS)).replace(
        hour=0, minute=0, second=0)
    since = parse_when(args.since, "--since", now) if args.since else default_since
    until = parse_when(args.until, "--until", now) if args.until else now
    if since >= until:
        raise UsageError(f"--since ({since:%Y-%m-%d %H:%M:%S} UTC) must be before --until "
                         f"({until:%Y-%m-%d %H:%M:%S} UTC)")
    if args.all_users and args.user:
        raise UsageError("--all-users and --user cannot be combined: use one or the other")
    types = TYPES if args.type == "all" else (args.type,)
    if args.user and "on-demand" not in types:
        raise UsageError("--user selects on-demand recordings, but --type is company")
    users = tuple(check_path_id(u, "--user") for u in (args.user or ["self"]))
    workers = parse_count(args.workers, "--workers", 1)
    if args.quiet and args.verbose:
        raise UsageError("-q and -v cannot be combined: choose one")
    cfg = Config(
        **credentials,
        account_id=check_path_id(env.get("VBC_ACCOUNT_ID") or "self", "VBC_ACCOUNT_ID"),
        api_url=check_api_url(env.get("VBC_API_URL") or DEFAULT_API_URL),
        since=since, until=until,
        max_ms=parse_max_duration(args.max_duration),
        types=types, users=users, all_users=args.all_users,
        direction=args.direction.upper() if args.direction else None,
        extension=args.extension.strip() if args.extension else None,
        dry_run=args.dry_run, yes=args.yes,
        max_delete=parse_count(args.max_delete, "--max-delete", 0),
        report=Path(args.report) if args.report else None,
        backup_dir=Path(args.backup_dir) if args.backup_dir else None,
        json_summary=args.json,
        workers=workers or DEFAULT_WORKERS,
        max_retries=parse_count(args.max_retries, "--max-retries", 0) or 0,
        timeout=parse_positive(args.timeout, "--timeout") or DEFAULT_TIMEOUT,
        rate_limit=parse_positive(args.rate_limit, "--rate-limit"),
        max_wait=(parse_positive(args.max_wait, "--max-wait", allow_zero=True) or 0.0) * 60,
        backoff=parse_positive(args.backoff, "--backoff", allow_zero=True) or 0.0,
    )
    if cfg.backup_dir:
        check_backup_dir(cfg.backup_dir, create=not cfg.dry_run)
    return cfg


# --- files: private modes, the backup folder --------------------------------------------

def open_private(path: Path, flags: int) -> int:
    """os.open with mode 0600 on POSIX (Windows leaves ACLs to the folder)."""
    return os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)


def make_private_dirs(path: Path) -> None:
    """Create path and its missing parents, each new one mode 0700 on POSIX."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass


def check_backup_dir(path: Path, create: bool) -> None:
    """The backup folder can be created and written, or exit 2 before any request."""
    try:
        if create:
            make_private_dirs(path)
            with tempfile.TemporaryFile(dir=path):
                pass
            return
        existing = path
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(13, "not writable")
    except OSError as exc:
        raise UsageError(f"--backup-dir {path}: cannot create or write there "
                         f"({exc.strerror or exc}); choose a folder you can write") from None


# --- logging and secrets ----------------------------------------------------------------

class Redactor(logging.Filter):
    """Replace every known secret in log records with '***'."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: List[str] = []
        self._lock = threading.Lock()

    def add(self, secret: Optional[str]) -> None:
        if not secret or len(secret) < 3:
            return
        with self._lock:
            for form in {secret, quote_plus(secret), quote(secret, safe="")}:
                if form not in self._secrets:
                    self._secrets.append(form)
            self._secrets.sort(key=len, reverse=True)

    def scrub(self, text: str) -> str:
        with self._lock:
            for secret in self._secrets:
                text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class Progress:
    """One updating line on a terminal, or a log line now and then without one."""

    def __init__(self, log: logging.Logger, enabled: bool, tty: bool,
                 stream: Any = None) -> None:
        self.log, self.enabled, self.tty = log, enabled, tty
        self.stream = stream or sys.stderr
        self._lock = threading.RLock()
        self.phase = "starting"
        self.pages = 0
        self.done = 0
        self.total = 0
        self.started = time.monotonic()
        self.paused_until: Optional[datetime] = None
        self._shown = False
        self._shown_width = 0
        self._last_draw = 0.0
        self._last_log = time.monotonic()
        self._logged_done = 0

    def set_phase(self, phase: str, total: int = 0) -> None:
        with self._lock:
            self.phase, self.total, self.done = phase, total, 0
            self.started = time.monotonic()
            self._draw(force=True)

    def page_listed(self) -> None:
        with self._lock:
            self.pages += 1
            message = self._tick()
        self._log(message)

    def outcome(self) -> None:
        with self._lock:
            self.done += 1
            message = self._tick()
        self._log(message)

    def _log(self, message: Optional[str]) -> None:
        # Outside our lock: the log handler takes its own lock, then ours (to clear the line).
        if message and self.enabled:
            self.log.info("progress: %s", message)

    def paused(self, until: Optional[datetime]) -> None:
        with self._lock:
            self.paused_until = until
            self._draw(force=True)

    def _tick(self) -> Optional[str]:
        """Redraw the terminal line, or return a line to log when one is due."""
        if self.tty:
            self._draw()
            return None
        now = time.monotonic()
        if (self.done - self._logged_done >= PROGRESS_EVERY_OUTCOMES
                or now - self._last_log >= PROGRESS_EVERY_SECONDS):
            self._last_log, self._logged_done = now, self.done
            return self.line()
        return None

    def line(self) -> str:
        parts = [self.phase]
        if self.phase == "listing":
            parts.append(f"{self.pages} pages listed")
        elif self.total:
            elapsed = max(time.monotonic() - self.started, 1e-6)
            rate = self.done / elapsed * 60
            parts.append(f"{self.done} of {self.total}")
            parts.append(f"{rate:.0f}/min")
            if self.done and self.done < self.total:
                eta = (self.total - self.done) / (self.done / elapsed)
                parts.append(f"ETA {format_seconds(eta)}")
        if self.paused_until and self.paused_until > datetime.now(timezone.utc):
            parts.append(f"paused until {self.paused_until.astimezone():%H:%M:%S} (quota)")
        return " | ".join(parts)

    def _draw(self, force: bool = False) -> None:
        if not (self.enabled and self.tty):
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        text = self.line()[:150]
        self.stream.write("\r" + text.ljust(self._shown_width))
        self.stream.flush()
        self._shown, self._shown_width = True, len(text)

    def clear(self) -> None:
        with self._lock:
            if self._shown:
                self.stream.write("\r" + " " * self._shown_width + "\r")
                self.stream.flush()
                self._shown, self._shown_width = False, 0


class ProgressAwareHandler(logging.StreamHandler):
    """A stderr handler that clears the progress line before it writes."""

    def __init__(self, stream: Any, progress: Progress) -> None:
        super().__init__(stream)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.clear()
        super().emit(record)


@contextmanager
def configured_logging(verbosity: int, log_file: Optional[Path], redactor: Redactor,
                       progress: Progress) -> Iterator[logging.Logger]:
    """The tool's logger with a stderr handler and an optional 0600 log file."""
    log = progress.log
    log.setLevel(logging.DEBUG)
    log.propagate = False
    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    handlers: List[logging.Handler] = []
    console = ProgressAwareHandler(sys.stderr, progress)
    console.setLevel(level)
    console.setFormatter(logging.Formatter("%(message)s"))
    handlers.append(console)
    if log_file:
        try:
            os.close(open_private(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
            file_handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--log-file {log_file}: cannot write it ({exc.strerror}); "
                             "check the path") from None
        file_handler.setLevel(logging.DEBUG if verbosity > 0 else logging.INFO)
        file_handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
        handlers.append(file_handler)
    third_party = logging.getLogger("urllib3")
    for handler in handlers:
        handler.addFilter(redactor)
        log.addHandler(handler)
        if verbosity >= 2:
            third_party.addHandler(handler)
    try:
        yield log
    finally:
        for handler in handlers:
            log.removeHandler(handler)
            third_party.removeHandler(handler)
            handler.close()


# --- session, token, throttling ---------------------------------------------------------

def build_retry(max_retries: int, backoff: float) -> Retry:
    """Retries on connection errors and 5xx for GET, DELETE and the token POST."""
    options: Dict[str, Any] = dict(
        total=max_retries, connect=max_retries, read=max_retries, status=max_retries,
        other=0, status_forcelist=RETRY_STATUSES,  # redirects: requests follows them
        allowed_methods=frozenset({"GET", "DELETE", "POST"}),
        # Capped low, and no Retry-After sleeps in here: a worker asleep in urllib3
        # cannot hear Ctrl-C. 429 pauses are the Throttle's, which can.
        backoff_factor=backoff, backoff_max=RETRY_BACKOFF_CAP * max(backoff, 0.01),
        raise_on_status=False, respect_retry_after_header=False,
    )
    try:
        return Retry(**options, backoff_jitter=backoff / 2)
    except TypeError:  # urllib3 1.x has no jitter
        return Retry(**options)


class BearerAuth(requests.auth.AuthBase):
    """Authorization: Bearer; requests drops it on redirects to another host."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def build_session(cfg: Config) -> requests.Session:
    """One Session, retries on both schemes, a pool as large as the worker count."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=build_retry(cfg.max_retries, cfg.backoff),
                          pool_connections=4, pool_maxsize=cfg.workers + 2)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"User-Agent": f"delete-vbc-recordings-by-duration/{__version__}",
                            "Accept": "application/json"})
    return session


def parse_gateway_time(text: str) -> Optional[datetime]:
    """'2025-Jun-26 04:00:00+0000 UTC' (the gateway's nextAccessTime) -> datetime."""
    cleaned = re.sub(r"\s*UTC\s*$", "", str(text).strip())
    for pattern in ("%Y-%b-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(cleaned, pattern).astimezone(timezone.utc)
        except ValueError:
            continue
    return None


def server_pause_seconds(response: requests.Response) -> Optional[float]:
    """How long a 429 asks us to wait: Retry-After, else the body's nextAccessTime."""
    now = datetime.now(timezone.utc)
    retry_after = response.headers.get("Retry-After", "").strip()
    if re.fullmatch(r"\d+(\.\d+)?", retry_after):
        return float(retry_after)
    until: Optional[datetime] = None
    if retry_after:
        try:
            until = email.utils.parsedate_to_datetime(retry_after)
        except (TypeError, ValueError):
            until = None
    if until is None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("nextAccessTime"):
            until = parse_gateway_time(body["nextAccessTime"])
    if until is None:
        return None
    reference = now
    server_date = response.headers.get("Date")
    if server_date:
        try:
            server_now = email.utils.parsedate_to_datetime(server_date)
            if abs((server_now - now).total_seconds()) > 5:  # our clock is off: trust theirs
                reference = server_now
        except (TypeError, ValueError):
            pass
    seconds = (until - reference).total_seconds()
    return seconds if seconds > 0 else None


class Throttle:
    """The pace shared by all workers: --rate-limit spacing and 429 pauses."""

    def __init__(self, stop: threading.Event, rate_limit: Optional[float], max_wait: float,
                 backoff: float, log: logging.Logger, progress: Progress) -> None:
        self.stop, self.log, self.progress = stop, log, progress
        self.interval = 60.0 / rate_limit * PACING_MARGIN if rate_limit else 0.0
        self.max_wait, self.backoff = max_wait, backoff
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._next_slot = 0.0
        self._strikes = 0
        self.paused_total = 0.0
        self.throttled = 0
        self.exhausted = False

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise Interrupted("interrupted")

    def wait_turn(self) -> None:
        """Block until the pause is over and this request's paced slot has come."""
        while True:
            with self._lock:
                if self.exhausted:
                    raise WaitBudgetExhausted(self.exhausted_message())
                if self.stop.is_set():
                    raise Interrupted("interrupted")
                now = time.monotonic()
                delay = self._paused_until - now
                if delay <= 0:
                    slot = max(now, self._next_slot)
                    self._next_slot = slot + self.interval
                    delay = slot - now
                    paced = True
                else:
                    paced = False
            self._sleep(delay)
            if paced:
                with self._lock:
                    if time.monotonic() >= self._paused_until:
                        self._next_slot = max(self._next_slot, time.monotonic() + self.interval)
                        return

    def throttled_by(self, response: requests.Response) -> None:
        """A 429: every worker pauses until the server's time, or an escalating pause."""
        server_pause = server_pause_seconds(response)
        with self._lock:
            self.throttled += 1
            if server_pause is None:
                pause = max(0.01, min(THROTTLE_FIRST_PAUSE * self.backoff * 2 ** self._strikes,
                                      THROTTLE_MAX_PAUSE * self.backoff))
                self._strikes += 1
                why = "no time given; increasing pause"
            else:
                pause, why = server_pause, "until the time the server gave"
            now = time.monotonic()
            new_until = now + pause
            if new_until <= self._paused_until:
                return  # another worker's 429 already paused us longer
            added = new_until - max(self._paused_until, now)
            if self.paused_total + added > self.max_wait:
                self.exhausted = True
                raise WaitBudgetExhausted(self.exhausted_message())
            self.paused_total += added
            self._paused_until = new_until
        until = datetime.now(timezone.utc) + timedelta(seconds=pause)
        self.log.info("API quota reached (HTTP 429): all requests pause %.1f s, until %s (%s)",
                      pause, until.astimezone().strftime("%H:%M:%S"), why)
        self.progress.paused(until)

    def succeeded(self) -> None:
        if self._strikes:
            with self._lock:
                self._strikes = 0

    def exhausted_message(self) -> str:
        return (f"stopped after pausing {format_seconds(self.paused_total)} in all for the "
                f"API quota (--max-wait {self.max_wait / 60:g} min); what is left is for "
                "the next run")


class TokenManager:
    """The bearer token: obtained once, renewed once for all workers on a 401."""

    def __init__(self, cfg: Config, post_form: Callable[[Dict[str, str]], requests.Response],
                 redactor: Redactor, log: logging.Logger) -> None:
        self.cfg, self.post_form, self.redactor, self.log = cfg, post_form, redactor, log
        self._lock = threading.Lock()
        self._access: Optional[str] = None
        self._refresh: Optional[str] = None
        self.generation = 0

    def current(self) -> Tuple[str, int]:
        with self._lock:
            if self._access is None:
                self._grant_password()
            return self._access or "", self.generation

    def renew(self, stale_generation: int) -> None:
        """Get a new token unless another worker already has since stale_generation."""
        with self._lock:
            if self.generation != stale_generation:
                return
            self.log.info("the API answered 401 (token expired or revoked): getting a new token")
            if not (self._refresh and self._grant_refresh()):
                self._grant_password()

    def _grant_password(self) -> None:
        form = {"grant_type": "password", "username": self.cfg.username,
                "password": self.cfg.password, "client_id": self.cfg.client_id,
                "client_secret": self.cfg.client_secret, "scope": "openid"}
        response = self.post_form(form)
        if 400 <= response.status_code < 500:
            raise ApiError(f"the token request was refused ({describe_error(response)}): "
                           "check VBC_USERNAME, VBC_PASSWORD, VBC_CLIENT_ID and "
                           "VBC_CLIENT_SECRET. Not retried: repeated failed logins lock the "
                           "VBC user for about 30 minutes")
        self._accept(response)

    def _grant_refresh(self) -> bool:
        form = {"grant_type": "refresh_token", "refresh_token": self._refresh or "",
                "client_id": self.cfg.client_id, "client_secret": self.cfg.client_secret}
        try:
            response = self.post_form(form)
            if response.status_code != 200:
                return False
            self._accept(response)
        except ApiError:
            return False
        return True

    def _accept(self, response: requests.Response) -> None:
        if response.status_code != 200:
            raise ApiError(f"the token request failed ({describe_error(response)}); try again "
                           "later")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise ApiError("the token answer held no access_token: check VBC_API_URL")
        self._access = body["access_token"]
        self._refresh = body.get("refresh_token") if isinstance(
            body.get("refresh_token"), str) else None
        self.redactor.add(self._access)
        self.redactor.add(self._refresh)
        if isinstance(body.get("id_token"), str):
            self.redactor.add(body["id_token"])
        self.generation += 1


def describe_error(response: requests.Response) -> str:
    """'HTTP 400 invalid_grant' or 'HTTP 503': a short, safe description of an answer."""
    text = f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return text
    if isinstance(body, dict):
        detail = body.get("error") or body.get("message") or body.get("code")
        if isinstance(detail, (str, int)):
            text += f" {str(detail)[:80]}"
    return text


# --- the run's context, and one request --------------------------------------------------

@dataclass
class Context:
    """What every step of a run shares; there is no global state."""

    cfg: Config
    log: logging.Logger
    session: requests.Session
    redactor: Redactor
    progress: Progress
    stop: threading.Event
    throttle: Throttle
    tokens: TokenManager = field(init=False)
    stop_signal: Optional[int] = None
    requests_sent: int = 0
    _count_lock: threading.Lock = field(default_factory=threading.Lock)

    def count_request(self, response: Optional[requests.Response]) -> None:
        retries = getattr(getattr(response, "raw", None), "retries", None)
        extra = len(retries.history) if retries is not None and retries.history else 0
        with self._count_lock:
            self.requests_sent += 1 + extra


def send(ctx: Context, method: str, url: str, *, authenticated: bool = True,
         headers: Optional[Dict[str, str]] = None, **kwargs: Any) -> requests.Response:
    """One logical request: paced, retried (by the adapter), 429-paused, 401-renewed.

    Returns the final response for any status but 429 and a first 401.
    """
    renewed = False
    while True:
        ctx.throttle.wait_turn()
        generation, auth = 0, None
        if authenticated:
            token, generation = ctx.tokens.current()
            auth = BearerAuth(token)
        try:
            response = ctx.session.request(method, url, headers=headers, auth=auth,
                                           timeout=(ctx.cfg.timeout, ctx.cfg.timeout), **kwargs)
        except requests.RequestException as exc:
            ctx.count_request(None)
            raise RequestFailed(f"{describe_exception(exc)} (after {ctx.cfg.max_retries} "
                                "retries)") from None
        ctx.count_request(response)
        if response.status_code == 429:
            with response:
                ctx.throttle.throttled_by(response)
            continue
        ctx.throttle.succeeded()
        if response.status_code == 401 and authenticated:
            response.close()
            if renewed:
                raise ApiError("the API refused a freshly issued token (HTTP 401 twice): the "
                               "VBC user or the application lacks permission for the Call "
                               "Recording API")
            ctx.tokens.renew(generation)
            renewed = True
            continue
        return response


def describe_exception(exc: BaseException) -> str:
    """A one-line reason for a transport failure."""
    if isinstance(exc, requests.Timeout):
        return "the server did not answer in time"
    if isinstance(exc, requests.ConnectionError):
        return "the connection failed or was dropped"
    return type(exc).__name__


def post_token_form(ctx: Context, form: Dict[str, str]) -> requests.Response:
    """POST the form-encoded token grant (never with a bearer token)."""
    try:
        return send(ctx, "POST", ctx.cfg.token_url, authenticated=False, data=form,
                    allow_redirects=False)
    except RequestFailed as exc:
        raise ApiError(f"could not reach the token endpoint: {exc}; check VBC_API_URL and "
                       "the network") from None


# --- listing ----------------------------------------------------------------------------

@dataclass
class Collection:
    """One paged listing: company recordings, a user's on-demand ones, or the users."""

    kind: str  # "company", "on-demand" or "users"
    user: str
    url: str
    params: Dict[str, str]
    embedded_keys: Tuple[str, ...] = ("recordings",)
    tolerate_unavailable: bool = False

    @property
    def label(self) -> str:
        if self.kind == "company":
            return "company recordings"
        if self.kind == "users":
            return "the account's users"
        return f"on-demand recordings of user {self.user}"


@dataclass
class Page:
    items: List[Dict[str, Any]]
    total_pages: Optional[int]


def recording_filters(cfg: Config) -> Dict[str, str]:
    """The server-side filters: window, duration, direction, extension, 100 a page."""
    params = {
        "page_size": str(PAGE_SIZE), "order": "start:ASC",
        "start:gte": cfg.since.strftime(API_TIME_FORMAT),
        "start:lte": cfg.until.strftime(API_TIME_FORMAT),
        "duration:lte": str(cfg.max_ms),
    }
    if cfg.direction:
        params["call_direction"] = cfg.direction
    if cfg.extension:
        params["extension"] = cfg.extension
    return params


def recording_collections(cfg: Config, users: List[str]) -> List[Collection]:
    """The listings the selected types and users need."""
    account = f"{cfg.recording_api}/accounts/{quote(cfg.account_id, safe='')}"
    params = recording_filters(cfg)
    collections = []
    if "company" in cfg.types:
        collections.append(Collection("company", "", f"{account}/company_call_recordings",
                                      params))
    if "on-demand" in cfg.types:
        for user in users:
            collections.append(Collection(
                "on-demand", user, f"{account}/users/{quote(user, safe='')}/call_recordings",
                params, tolerate_unavailable=cfg.all_users))
    return collections


def users_collection(cfg: Config) -> Collection:
    url = f"{cfg.provisioning_api}/accounts/{quote(cfg.account_id, safe='')}/users"
    return Collection("users", "", url, {"page_size": str(PAGE_SIZE)}, ("data", "users"))


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_page(body: Any, collection: Collection) -> Page:
    """Validate one list body; raise ValueError saying what makes no sense."""
    if not isinstance(body, dict):
        raise ValueError("the answer is not a JSON object")
    embedded = body.get("_embedded")
    items: Any = []
    if embedded is not None:
        if not isinstance(embedded, dict):
            raise ValueError("_embedded is not an object")
        for key in collection.embedded_keys:
            if key in embedded:
                items = embedded[key]
                break
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError("the list of items is not a list of objects")
    numbers = {k: body.get(k) for k in ("total_pages", "total_items", "page_size")}
    for key, value in numbers.items():
        if value is not None and not is_count(value):
            raise ValueError(f"{key} is {value!r}, not a count")
    total_pages, total_items, page_size = (numbers["total_pages"], numbers["total_items"],
                                           numbers["page_size"])
    if total_pages is not None and total_items is not None and page_size is not None:
        expected = math.ceil(total_items / page_size) if page_size else None
        if total_items == 0:
            plausible = total_pages in (0, 1)
        else:
            plausible = expected == total_pages
        if not plausible:
            raise ValueError(f"total_pages {total_pages} does not fit total_items "
                             f"{total_items} at page_size {page_size}")
    if total_pages is not None and total_pages > MAX_PAGES:
        raise ValueError(f"total_pages {total_pages} is more than this tool will page through")
    return Page(items, total_pages)


def fetch_page(ctx: Context, collection: Collection, page: int) -> Page:
    """GET one page; raise ApiError (or CollectionUnavailable) when it is unusable."""
    params = dict(collection.params, page=str(page))
    try:
        response = send(ctx, "GET", collection.url, params=params)
    except RequestFailed as exc:
        raise ApiError(f"listing {collection.label} failed at page {page}: {exc}; nothing "
                       "was deleted") from None
    with response:
        if response.status_code in (403, 404) and collection.tolerate_unavailable:
            raise CollectionUnavailable(describe_error(response))
        if response.status_code != 200:
            raise ApiError(f"listing {collection.label} failed at page {page} "
                           f"({describe_error(response)}){listing_hint(collection, response)}; "
                           "nothing was deleted")
        try:
            return parse_page(response.json(), collection)
        except ValueError as exc:
            raise ApiError(f"listing {collection.label} gave a page {page} that makes no "
                           f"sense ({str(exc)[:120]}); nothing was deleted") from None


def listing_hint(collection: Collection, response: requests.Response) -> str:
    """What a 403 most likely means, for the message."""
    if response.status_code != 403:
        return ""
    if collection.kind == "users":
        return (": the application is probably not subscribed to the Provisioning API, or "
                "the VBC user is not an account administrator")
    if collection.kind == "on-demand":
        return (": the application is probably not subscribed to the Call Recording API, or "
                f"the VBC user may not manage the recordings of user {collection.user}")
    return (": the application is probably not subscribed to the Call Recording API, or the "
            "VBC user lacks the permission to manage company call recordings")


@dataclass
class _PagingState:
    collection: Collection
    last_page: int = 1
    next_page: int = 1
    finished: bool = False


def list_collections(ctx: Context, pool: ThreadPoolExecutor, collections: List[Collection],
                     on_items: Callable[[Collection, List[Dict[str, Any]]], None],
                     on_unavailable: Callable[[Collection, str], None]) -> None:
    """Page through every collection, several pages in flight, up to the largest
    total_pages seen or the first empty page; on_items runs in this thread."""
    states = [_PagingState(c) for c in collections]
    pending: Dict[Future, Tuple[_PagingState, int]] = {}
    limit = ctx.cfg.workers * 2

    def fill() -> None:
        for state in states:
            while (len(pending) < limit and not state.finished
                   and state.next_page <= state.last_page):
                future = pool.submit(fetch_page, ctx, state.collection, state.next_page)
                pending[future] = (state, state.next_page)
                state.next_page += 1

    try:
        fill()
        while pending:
            done = wait_some(ctx, pending)
            for future in done:
                state, page_number = pending.pop(future)
                try:
                    page = future.result()
                except CollectionUnavailable as exc:
                    state.finished = True
                    on_unavailable(state.collection, str(exc))
                    continue
                ctx.progress.page_listed()
                on_items(state.collection, page.items)  # all re-checked, whichever page
                if not page.items:
                    state.finished = True
                elif page.total_pages is not None:
                    state.last_page = max(state.last_page, page.total_pages)
                else:
                    state.last_page = max(state.last_page, page_number + 1)
                if state.last_page > MAX_PAGES:
                    raise ApiError(f"listing {state.collection.label} did not end after "
                                   f"{MAX_PAGES} pages; nothing was deleted")
            fill()
    finally:
        for future in pending:
            future.cancel()
        wait(list(pending))


def wait_some(ctx: Context, pending: Dict[Future, Any]) -> List[Future]:
    """Wait for at least one future, looking up now and then for a stop request."""
    while True:
        done, _ = wait(list(pending), timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        if done:
            return list(done)
        if ctx.stop.is_set():
            raise Interrupted("interrupted")


def list_users(ctx: Context, pool: ThreadPoolExecutor) -> List[str]:
    """Every user id of the account, via the Provisioning API (all pages first)."""
    users: List[str] = []
    seen = set()

    def collect(_: Collection, items: List[Dict[str, Any]]) -> None:
        for item in items:
            user_id = item.get("id")
            if isinstance(user_id, bool) or not isinstance(user_id, (int, str)) or \
                    not re.fullmatch(r"[0-9]+", str(user_id)):
                raise ApiError(f"the user list holds a user without a numeric id "
                               f"({str(user_id)[:40]!r}); nothing was deleted")
            if str(user_id) not in seen:
                seen.add(str(user_id))
                users.append(str(user_id))

    def unavailable(_: Collection, reason: str) -> None:  # not tolerated for the user list
        raise ApiError(reason)

    try:
        list_collections(ctx, pool, [users_collection(ctx.cfg)], collect, unavailable)
    except ApiError as exc:
        raise ApiError(f"could not list the account's users for --all-users: {exc}. Likely "
                       "cause: the application is not subscribed to the Provisioning API, or "
                       "the VBC user is not an account administrator") from None
    ctx.log.info("found %d users in the account", len(users))
    return users


# --- plan -------------------------------------------------------------------------------

@dataclass
class Candidate:
    """A listed recording the run will act on (delete) or report (skip)."""

    kind: str
    user: str
    record: Dict[str, Any]
    skip_reason: Optional[str] = None

    @property
    def id(self) -> str:
        return str(self.record.get("id"))

    @property
    def duration_ms(self) -> int:
        return parse_whole_number(self.record.get("duration")) or 0

    @property
    def size(self) -> int:
        value = self.record.get("file_size_in_bytes")
        return value if is_count(value) else 0


def parse_whole_number(value: Any) -> Optional[int]:
    """An int (not bool) >= 0 or a string of ASCII digits; anything else is None.

    Durations and ids must pass this: 12000.0, -5, True, "12 s" and None do not.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value):
        return int(value)
    return None


def parse_record_start(value: Any) -> Optional[datetime]:
    """'2026-11-04T09:30:00+0000' (also +00:00, Z, fractions) -> aware datetime."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+0000"
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(text, pattern).astimezone(timezone.utc)
        except ValueError:
            continue
    return None


def classify(record: Dict[str, Any], cfg: Config) -> Tuple[bool, Optional[str]]:
    """(keep, skip_reason): keep=False means the filters exclude it (no report row);
    a skip_reason means it is kept but must never be deleted."""
    start = parse_record_start(record.get("start"))
    if start is not None and not cfg.since <= start <= cfg.until:
        return False, None
    duration = parse_whole_number(record.get("duration"))
    if duration is not None and duration > cfg.max_ms:
        return False, None
    if cfg.direction:
        direction = record.get("call_direction")
        if isinstance(direction, str) and direction.upper() != cfg.direction:
            return False, None
        if not isinstance(direction, str):
            return True, "no call_direction to check against --direction"
    if cfg.extension:
        extensions = record.get("extensions")
        known = [str(e) for e in extensions] if isinstance(extensions, list) else []
        if record.get("extension") is not None:
            known.append(str(record["extension"]))
        if known and cfg.extension not in known:
            return False, None
        if not known:
            return True, "no extensions to check against --extension"
    if parse_whole_number(record.get("id")) is None:
        return True, f"id {str(record.get('id'))[:40]!r} is not a whole number"
    if duration is None:
        return True, (f"duration {str(record.get('duration'))[:40]!r} is not a whole number "
                      "of milliseconds")
    if start is None:
        return True, f"start {str(record.get('start'))[:40]!r} is not a readable time"
    return True, None


@dataclass
class Plan:
    """What the listing found: recordings to delete, recordings to report as skipped."""

    to_delete: List[Candidate] = field(default_factory=list)
    skipped: List[Candidate] = field(default_factory=list)
    unavailable_users: Dict[str, str] = field(default_factory=dict)
    users_swept: List[str] = field(default_factory=list)
    listed: int = 0
    _seen: set = field(default_factory=set)

    def add(self, cfg: Config, collection: Collection, items: List[Dict[str, Any]]) -> None:
        for record in items:
            self.listed += 1
            keep, reason = classify(record, cfg)
            if not keep:
                continue
            if parse_whole_number(record.get("id")) is not None:
                key = (collection.kind, str(record.get("id")))
                if key in self._seen:  # seen twice (pages shifted, or two users): once
                    continue
                self._seen.add(key)
            candidate = Candidate(collection.kind, collection.user, record, reason)
            (self.skipped if reason else self.to_delete).append(candidate)

    def totals(self) -> Dict[str, Dict[str, int]]:
        by_type: Dict[str, Dict[str, int]] = {}
        for kind in TYPES:
            chosen = [c for c in self.to_delete if c.kind == kind]
            by_type[kind] = {"count": len(chosen),
                             "duration_ms": sum(c.duration_ms for c in chosen),
                             "bytes": sum(c.size for c in chosen)}
        return by_type


def make_plan(ctx: Context, pool: ThreadPoolExecutor) -> Plan:
    """List users (with --all-users) and every selected collection; delete nothing."""
    cfg = ctx.cfg
    plan = Plan()
    ctx.progress.set_phase("listing")
    users = list(cfg.users)
    if cfg.all_users and "on-demand" in cfg.types:
        users = list_users(ctx, pool)
    plan.users_swept = users if "on-demand" in cfg.types else []

    def unavailable(collection: Collection, reason: str) -> None:
        plan.unavailable_users[collection.user] = reason
        ctx.log.warning("skipping user %s: their on-demand recordings answered %s",
                        collection.user, reason)

    collections = recording_collections(cfg, users)
    list_collections(ctx, pool, collections,
                     lambda c, items: plan.add(cfg, c, items), unavailable)
    ctx.log.info("listed %d recordings in %d collections: %d to delete, %d skipped",
                 plan.listed, len(collections), len(plan.to_delete), len(plan.skipped))
    return plan


# --- actions: backup, delete -------------------------------------------------------------

@dataclass
class Outcome:
    candidate: Candidate
    outcome: str
    error: str = ""
    backup_file: str = ""


def backup_path(root: Path, candidate: Candidate) -> Path:
    """DIR/company/<date>/<id>.mp3 or DIR/on-demand/<user>/<date>/<id>.mp3."""
    start = parse_record_start(candidate.record.get("start"))
    day = start.strftime("%Y-%m-%d") if start else "unknown-date"
    folder = root / "company" if candidate.kind == "company" else \
        root / "on-demand" / candidate.user
    return folder / day / f"{candidate.id}.mp3"


def same_origin(url_a: str, url_b: str) -> bool:
    """Same scheme, host and port (default ports filled in)."""
    a, b = urlsplit(url_a), urlsplit(url_b)
    defaults = {"http": 80, "https": 443}
    try:
        return (a.scheme, (a.hostname or "").lower(), a.port or defaults.get(a.scheme)) == \
               (b.scheme, (b.hostname or "").lower(), b.port or defaults.get(b.scheme))
    except ValueError:
        return False


def audio_url(ctx: Context, candidate: Candidate) -> str:
    """The recording's download_url if it is on the API host, else the documented path."""
    documented = f"{ctx.cfg.recording_api}/audio/recording/{quote(candidate.id, safe='')}"
    given = candidate.record.get("download_url")
    if isinstance(given, str) and given:
        if same_origin(given, ctx.cfg.api_url):
            return given
        ctx.log.debug("recording %s: download_url is not on the API host; the token stays "
                      "home, using %s", candidate.id, documented)
    return documented


@contextmanager
def private_file_in_place(path: Path) -> Iterator[BinaryIO]:
    """Write path.part; if the block ends cleanly, flush, fsync and rename it to path.

    Any error (a failed check raised in the block included) removes the .part file.
    """
    tmp = path.with_name(path.name + ".part")
    try:
        fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)


def looks_like_page(first_bytes: bytes) -> bool:
    """An HTML or JSON error page rather than audio."""
    head = first_bytes.lstrip()[:15].lower()
    return head.startswith((b"<", b"{", b"["))


def download_audio(ctx: Context, candidate: Candidate, target: Path) -> None:
    """Stream the audio to target.part, verify it, rename; raise BackupFailed."""
    try:
        response = send(ctx, "GET", audio_url(ctx, candidate), stream=True,
                        headers={"Accept": "audio/mpeg, */*", "Accept-Encoding": "identity"})
    except RequestFailed as exc:
        raise BackupFailed(f"backup download failed: {exc}") from None
    with response:
        if response.status_code != 200:
            raise BackupFailed(f"backup download answered {describe_error(response)}")
        content_type = response.headers.get("Content-Type", "").lower()
        if "html" in content_type or "json" in content_type:
            raise BackupFailed(f"backup download returned a page ({content_type}), not audio")
        length_header = response.headers.get("Content-Length")
        expected = int(length_header) if length_header and length_header.isdigit() else None
        if expected is None and candidate.record.get("file_size_in_bytes") is not None:
            expected = candidate.size
        if expected is None and not getattr(response.raw, "chunked", False):
            raise BackupFailed("backup cannot be verified: no Content-Length and no "
                               "file_size_in_bytes")
        written = 0
        try:
            make_private_dirs(target.parent)
            with private_file_in_place(target) as handle:
                for chunk in response.iter_content(chunk_size=64 * 1024):
                    if written == 0 and chunk and looks_like_page(chunk):
                        raise BackupFailed("backup download returned a page, not audio")
                    handle.write(chunk)
                    written += len(chunk)
                if written == 0:
                    raise BackupFailed("backup download was empty")
                if expected is not None and written != expected:
                    raise BackupFailed(f"backup download was {written} bytes, expected "
                                       f"{expected}")
        except requests.RequestException as exc:
            raise BackupFailed(f"backup download broke off after {written} bytes: "
                               f"{describe_exception(exc)}") from None
        except OSError as exc:
            raise BackupFailed(f"could not write the backup: {exc.strerror or exc}") from None


def back_up(ctx: Context, candidate: Candidate) -> str:
    """Save and verify the audio and metadata; return the audio's path.

    A file of the listed size from an earlier run is reused.
    """
    assert ctx.cfg.backup_dir is not None
    target = backup_path(ctx.cfg.backup_dir, candidate)
    listed_size = candidate.record.get("file_size_in_bytes")
    reusable = (is_count(listed_size) and listed_size > 0 and target.is_file()
                and target.stat().st_size == listed_size)
    if reusable:
        ctx.log.debug("recording %s: backup already on disk, reused", candidate.id)
    else:
        download_audio(ctx, candidate, target)
    try:
        metadata = json.dumps(candidate.record, indent=2, sort_keys=True).encode("utf-8")
        with private_file_in_place(target.with_suffix(".json")) as handle:
            handle.write(metadata)
    except OSError as exc:
        raise BackupFailed(f"could not write the metadata: {exc.strerror or exc}") from None
    return str(target)


def delete_url(ctx: Context, candidate: Candidate) -> str:
    account = f"{ctx.cfg.recording_api}/accounts/{quote(ctx.cfg.account_id, safe='')}"
    rec_id = quote(candidate.id, safe="")
    if candidate.kind == "company":
        return f"{account}/company_call_recordings/{rec_id}"
    return f"{account}/users/{quote(candidate.user, safe='')}/call_recordings/{rec_id}"


def delete_one(ctx: Context, candidate: Candidate) -> Optional[Outcome]:
    """Back up (if asked), then DELETE; None if the run stopped before it started."""
    if ctx.stop.is_set():
        return None
    backup_file = ""
    try:
        if ctx.cfg.backup_dir:
            try:
                backup_file = back_up(ctx, candidate)
            except BackupFailed as exc:
                return Outcome(candidate, "failed", f"{exc}; not deleted")
            if ctx.stop.is_set():
                return None
        # Not followed: requests would turn a 302 into a GET, and its 200 is no deletion.
        response = send(ctx, "DELETE", delete_url(ctx, candidate), allow_redirects=False)
    except RequestFailed as exc:
        return Outcome(candidate, "failed", str(exc), backup_file)
    except Interrupted:
        return None
    except WaitBudgetExhausted:
        ctx.stop.set()
        return None
    with response:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "").lower()
    if status == 204 or (status in (200, 202) and "html" not in content_type):
        return Outcome(candidate, "deleted", "", backup_file)
    if status == 404:
        return Outcome(candidate, "already-deleted", "", backup_file)
    hint = ""
    if status == 403:
        hint = ("; likely the application is not subscribed to the Call Recording API or "
                "the VBC user lacks the permission to delete these recordings")
    return Outcome(candidate, "failed", describe_error(response) + hint, backup_file)


# --- report and summary -----------------------------------------------------------------

class Report:
    """The CSV report: header once, one flushed row per outcome, appended across runs."""

    def __init__(self, path: Optional[Path], redactor: Redactor) -> None:
        self.path, self.redactor = path, redactor
        self._handle: Any = None
        self._writer: Any = None
        if path is None:
            return
        try:
            header, cut_off = read_report_ends(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--report {path}: cannot read it ({exc}); choose another "
                             "file") from None
        if header is not None and header != ",".join(REPORT_COLUMNS):
            raise UsageError(f"--report {path} has other columns than this version writes; "
                             "choose a new file (or move the old one away)")
        try:
            fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise UsageError(f"--report {path}: cannot write it ({exc.strerror}); check the "
                             "path") from None
        self._writer = csv.writer(self._handle)
        if cut_off:
            self._handle.write("\n")  # an earlier run's last row was cut off (full disk)
        if header is None:
            try:
                self._write(list(REPORT_COLUMNS))
            except ReportWriteError as exc:
                self.close()
                raise UsageError(f"--report: {exc}; choose a file on a disk with room") from None

    def _write(self, row: List[str]) -> None:
        try:
            self._writer.writerow(row)
            self._handle.flush()
        except OSError as exc:
            raise ReportWriteError(f"could not write the report {self.path} "
                                   f"({exc.strerror or exc})") from None

    def add(self, outcome: Outcome) -> None:
        if self._writer is None:
            return
        self._write(report_row(outcome, self.redactor))

    def close(self) -> None:
        if self._handle is not None:
            try:
                os.fsync(self._handle.fileno())
            except OSError:
                pass
            try:
                self._handle.close()
            except OSError:  # the buffer could not be flushed: those rows were logged
                pass
            self._handle = None


def read_report_ends(path: Path) -> Tuple[Optional[str], bool]:
    """An existing report's header line (None if new or empty), and whether its last row
    was cut off; reads two ends of the file, however long it has grown."""
    if not path.exists() or path.stat().st_size == 0:
        return None, False
    with open(path, "rb") as handle:
        header = handle.readline().decode("utf-8").strip()
        handle.seek(-1, os.SEEK_END)
        return header, handle.read(1) != b"\n"


def report_row(outcome: Outcome, redactor: Redactor) -> List[str]:
    """One CSV row in REPORT_COLUMNS order."""
    record = outcome.candidate.record

    def text(key: str) -> str:
        value = record.get(key)
        return "" if value is None else str(value)

    extensions = record.get("extensions")
    return [
        datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        outcome.candidate.kind, outcome.candidate.user, text("id"), text("call_id"),
        text("start"), text("duration"), text("call_direction"), text("caller_id"),
        text("dnis"),
        ";".join(str(e) for e in extensions) if isinstance(extensions, list) else "",
        text("file_size_in_bytes"), outcome.outcome, redactor.scrub(outcome.error),
        outcome.backup_file,
    ]


COUNT_KEYS = ("matched", "deleted", "would_delete", "already_deleted", "failed", "skipped",
              "not_attempted", "seconds_of_audio", "bytes_freed")


def empty_counts() -> Dict[str, Any]:
    return {key: 0 for key in COUNT_KEYS}


@dataclass
class Tally:
    """Counts of outcomes, in total, per type and per user."""

    total: Dict[str, Any] = field(default_factory=empty_counts)
    by_type: Dict[str, Dict[str, Any]] = field(
        default_factory=lambda: {kind: empty_counts() for kind in TYPES})
    by_user: Dict[str, Dict[str, Any]] = field(default_factory=dict)

    def _buckets(self, candidate: Candidate) -> List[Dict[str, Any]]:
        buckets = [self.total, self.by_type[candidate.kind]]
        if candidate.kind == "on-demand":
            buckets.append(self.by_user.setdefault(candidate.user, empty_counts()))
        return buckets

    def _count(self, candidate: Candidate, key: str, removes: bool = False) -> None:
        for bucket in self._buckets(candidate):
            bucket[key] += 1
            if removes:
                bucket["seconds_of_audio"] += candidate.duration_ms / 1000
                bucket["bytes_freed"] += candidate.size

    def matched(self, candidate: Candidate) -> None:
        self._count(candidate, "matched")

    def record(self, outcome: Outcome) -> None:
        self._count(outcome.candidate, outcome.outcome.replace("-", "_"),
                    removes=outcome.outcome in ("deleted", "would-delete"))

    def not_attempted(self, candidate: Candidate) -> None:
        self._count(candidate, "not_attempted")


def format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def format_bytes(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


def utc_text(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RunResult:
    """What main reports at the end."""

    exit_code: int = EXIT_OK
    error: Optional[str] = None
    stopped: Optional[str] = None
    plan: Optional[Plan] = None


def build_summary(ctx: Context, tally: Tally, result: RunResult) -> Dict[str, Any]:
    """The summary object (the --json output; the human summary is drawn from it)."""
    cfg = ctx.cfg
    plan = result.plan or Plan()

    def rounded(counts: Dict[str, Any]) -> Dict[str, Any]:
        out = dict(counts)
        out["seconds_of_audio"] = round(out["seconds_of_audio"], 3)
        return out

    summary: Dict[str, Any] = {
        "version": __version__, "dry_run": cfg.dry_run,
        "window": {"since": utc_text(cfg.since), "until": utc_text(cfg.until)},
        "max_duration_seconds": cfg.max_ms / 1000, "types": list(cfg.types),
        **rounded(tally.total),
        "by_type": {kind: rounded(tally.by_type[kind]) for kind in cfg.types},
        "listed": plan.listed,
        "users_skipped": len(plan.unavailable_users),
        "skipped_users": [{"user": u, "reason": ctx.redactor.scrub(r)}
                          for u, r in plan.unavailable_users.items()],
        "requests_sent": ctx.requests_sent, "throttled": ctx.throttle.throttled,
        "seconds_paused": round(ctx.throttle.paused_total, 1),
        "report": str(cfg.report) if cfg.report else None,
        "backup_dir": str(cfg.backup_dir) if cfg.backup_dir else None,
        "stopped": result.stopped, "exit_code": result.exit_code,
        "error": ctx.redactor.scrub(result.error) if result.error else None,
    }
    if len(plan.users_swept) > 1:
        summary["by_user"] = {
            user: {k: tally.by_user.get(user, empty_counts())[k]
                   for k in ("matched", "deleted", "would_delete", "already_deleted",
                             "failed", "skipped")}
            for user in plan.users_swept}
    return summary


def human_summary(summary: Dict[str, Any]) -> str:
    """The summary as a short table for people."""
    dry = summary["dry_run"]
    done_key, done_title = ("would_delete", "would delete") if dry else ("deleted", "deleted")
    lines = ["", "VBC recording sweep" + (" (dry run: nothing was deleted)" if dry else ""),
             f"  window     {summary['window']['since']} .. {summary['window']['until']}",
             f"  threshold  calls of {summary['max_duration_seconds']:g} s or less", ""]
    header = f"  {'':<10}{'matched':>9}{done_title:>14}{'already':>9}{'failed':>8}{'skipped':>9}"
    lines.append(header)
    rows = [(kind, counts) for kind, counts in summary["by_type"].items()]
    rows.append(("total", summary))
    for name, counts in rows:
        lines.append(f"  {name:<10}{counts['matched']:>9}{counts[done_key]:>14}"
                     f"{counts['already_deleted']:>9}{counts['failed']:>8}{counts['skipped']:>9}")
    verb = "Would remove" if dry else "Removed"
    lines.append("")
    lines.append(f"  {verb} {format_seconds(summary['seconds_of_audio'])} of audio, "
                 f"{format_bytes(summary['bytes_freed'])}.")
    if summary["not_attempted"]:
        lines.append(f"  {summary['not_attempted']} matched recordings were not attempted; "
                     "the next run will find them.")
    if summary["skipped"]:
        lines.append(f"  {summary['skipped']} recordings were skipped (odd data; never "
                     "deleted): see the report.")
    if summary["users_skipped"]:
        lines.append(f"  {summary['users_skipped']} users could not be swept: "
                     + ", ".join(u["user"] for u in summary["skipped_users"][:10]))
    by_user = summary.get("by_user")
    if by_user:
        top = sorted(by_user.items(), key=lambda kv: -kv[1][done_key])[:10]
        top = [(u, c) for u, c in top if c[done_key]]
        if top:
            lines.append(f"  users with the most {done_title}: "
                         + ", ".join(f"{u} ({c[done_key]})" for u, c in top))
    if summary["throttled"]:
        lines.append(f"  The API throttled {summary['throttled']} requests; paused "
                     f"{format_seconds(summary['seconds_paused'])} in all.")
    if summary["report"]:
        lines.append(f"  Report: {summary['report']}")
    if summary["backup_dir"] and not dry:
        lines.append(f"  Backups: {summary['backup_dir']}")
    if summary["error"]:
        lines.append(f"  Stopped: {summary['error']}")
    return "\n".join(lines)


# --- the sweep --------------------------------------------------------------------------

def describe_plan(cfg: Config, plan: Plan) -> str:
    """The confirmation text: counts per type, minutes of audio, bytes, the window."""
    totals = plan.totals()
    parts = [f"{totals[kind]['count']} {kind}" for kind in cfg.types]
    minutes = sum(t["duration_ms"] for t in totals.values()) / 60000
    size = sum(t["bytes"] for t in totals.values())
    lines = [f"About to delete {len(plan.to_delete)} recordings ({', '.join(parts)}):",
             f"  {minutes:.1f} minutes of audio, {format_bytes(size)}, of calls of "
             f"{cfg.max_ms / 1000:g} s or less",
             f"  that started between {utc_text(cfg.since)} and {utc_text(cfg.until)}."]
    if cfg.backup_dir:
        lines.append(f"  Each is backed up to {cfg.backup_dir} first.")
    return "\n".join(lines)


def confirm(cfg: Config, plan: Plan) -> bool:
    """Ask on the terminal; only 'y' or 'yes' goes ahead."""
    sys.stderr.write(describe_plan(cfg, plan) + "\nDelete them? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def stdin_is_terminal() -> bool:
    return bool(sys.stdin) and hasattr(sys.stdin, "isatty") and sys.stdin.isatty()


def delete_planned(ctx: Context, pool: ThreadPoolExecutor, plan: Plan, tally: Tally,
                   report: Report) -> None:
    """Run delete_one over the plan with a bounded number in flight; record each outcome."""
    queue = list(reversed(plan.to_delete))
    pending: Dict[Future, Candidate] = {}
    limit = ctx.cfg.workers * 2
    ctx.progress.set_phase("deleting", len(queue))

    def settle(future: Future, candidate: Candidate) -> None:
        outcome = future.result() if not future.cancelled() else None
        if outcome is None:
            tally.not_attempted(candidate)
            return
        tally.record(outcome)
        ctx.progress.outcome()
        if outcome.outcome == "failed":
            ctx.log.warning("recording %s (%s): %s", candidate.id, describe_owner(candidate),
                            outcome.error)
        else:
            ctx.log.debug("recording %s (%s): %s", candidate.id, describe_owner(candidate),
                          outcome.outcome)
        try:
            report.add(outcome)
        except ReportWriteError:
            ctx.log.error("unreported outcome: recording %s (%s) %s", candidate.id,
                          describe_owner(candidate), outcome.outcome)
            raise

    try:
        while queue or pending:
            while queue and len(pending) < limit and not ctx.stop.is_set():
                candidate = queue.pop()
                pending[pool.submit(delete_one, ctx, candidate)] = candidate
            if not pending or ctx.stop.is_set():
                break
            for future in wait_some_or_stop(ctx, pending):
                settle(future, pending.pop(future))
    finally:
        ctx.stop.set()  # any early exit: start nothing more, then settle what is in flight
        for future in list(pending):
            future.cancel()
        error: Optional[BaseException] = None
        while pending:
            done, _ = wait(list(pending), timeout=POLL_SECONDS)
            for future in done:
                try:
                    settle(future, pending.pop(future))
                except BaseException as exc:  # keep settling the rest; raise the first
                    error = error or exc
        for candidate in queue:
            tally.not_attempted(candidate)
        if error is not None:
            raise error


def describe_owner(candidate: Candidate) -> str:
    """'company' or 'on-demand of user 102', for log lines."""
    if candidate.kind == "company":
        return "company"
    return f"on-demand of user {candidate.user}"


def wait_some_or_stop(ctx: Context, pending: Dict[Future, Any]) -> List[Future]:
    """Like wait_some, but a stop request returns instead of raising (to settle)."""
    while True:
        done, _ = wait(list(pending), timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        if done or ctx.stop.is_set():
            return list(done)


def sweep(ctx: Context, tally: Tally, report: Report, result: RunResult) -> None:
    """Token, plan, safety checks, confirmation, deletions."""
    cfg = ctx.cfg
    with ThreadPoolExecutor(max_workers=cfg.workers, thread_name_prefix="vbc") as pool:
        ctx.tokens.current()
        ctx.log.info("signed in; listing %s recordings of %g s or less that started between "
                     "%s and %s", " and ".join(cfg.types), cfg.max_ms / 1000,
                     utc_text(cfg.since), utc_text(cfg.until))
        plan = make_plan(ctx, pool)
        result.plan = plan
        record_plan(ctx, plan, tally, report)
        if cfg.max_delete is not None and len(plan.to_delete) > cfg.max_delete:
            raise TooManyMatches(f"{len(plan.to_delete)} recordings match, more than "
                                 f"--max-delete {cfg.max_delete}: nothing was deleted. Check "
                                 "the window and threshold, or raise --max-delete")
        if cfg.dry_run:
            record_dry_run(ctx, plan, tally, report)
            return
        if not plan.to_delete:
            ctx.log.info("nothing to delete")
            return
        if not cfg.yes:
            ctx.progress.clear()
            with default_sigint():
                if not confirm(cfg, plan):
                    ctx.log.info("answered no: nothing was deleted")
                    result.stopped = "declined"
                    for candidate in plan.to_delete:
                        tally.not_attempted(candidate)
                    return
        warn_if_backup_space_short(ctx, plan)
        delete_planned(ctx, pool, plan, tally, report)


def record_plan(ctx: Context, plan: Plan, tally: Tally, report: Report) -> None:
    """Count the matches; report the skipped recordings (their outcome is known now)."""
    for candidate in plan.to_delete:
        tally.matched(candidate)
    for candidate in plan.skipped:
        outcome = Outcome(candidate, "skipped", candidate.skip_reason or "")
        tally.record(outcome)
        report.add(outcome)
    if plan.skipped:
        ctx.log.warning("%d recordings have odd data and are skipped (never deleted); "
                        "see the report", len(plan.skipped))


def record_dry_run(ctx: Context, plan: Plan, tally: Tally, report: Report) -> None:
    """A would-delete row per match, and what a backup would take."""
    for candidate in plan.to_delete:
        outcome = Outcome(candidate, "would-delete")
        tally.record(outcome)
        report.add(outcome)
    if ctx.cfg.backup_dir and plan.to_delete:
        size = format_bytes(sum(c.size for c in plan.to_delete))
        ctx.log.info("dry run: would back up %d recordings (%s) to %s first",
                     len(plan.to_delete), size, ctx.cfg.backup_dir)


def warn_if_backup_space_short(ctx: Context, plan: Plan) -> None:
    if not ctx.cfg.backup_dir:
        return
    needed = sum(c.size for c in plan.to_delete)
    try:
        free = shutil.disk_usage(ctx.cfg.backup_dir).free
    except OSError:
        return
    if free < needed:
        ctx.log.warning("the backup folder has %s free, the backups need about %s: "
                        "recordings whose backup fails are not deleted",
                        format_bytes(free), format_bytes(needed))


# --- main -------------------------------------------------------------------------------

@contextmanager
def default_sigint() -> Iterator[None]:
    """Let Ctrl-C raise KeyboardInterrupt (during the prompt)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def stop_on_signals(ctx: Context) -> Iterator[None]:
    """SIGINT/SIGTERM set the stop event instead of killing work mid-row."""
    def handler(signum: int, _frame: Any) -> None:
        if ctx.stop_signal is None:
            ctx.stop_signal = signum
            ctx.log.warning("stopping: finishing the requests in flight, then reporting")
        ctx.stop.set()

    installed = []
    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            installed.append((signum, signal.signal(signum, handler)))
        except (ValueError, OSError):  # not the main thread, or not supported here
            pass
    try:
        yield
    finally:
        for signum, previous in installed:
            signal.signal(signum, previous)


def interrupted_exit_code(ctx: Context) -> int:
    return EXIT_SIGTERM if ctx.stop_signal == getattr(signal, "SIGTERM", -1) else EXIT_SIGINT


def run(cfg: Config, log: logging.Logger, redactor: Redactor, progress: Progress) -> int:
    """Everything after configuration: sweep, then report and summary."""
    report = Report(cfg.report, redactor)
    stop = threading.Event()
    session = build_session(cfg)
    ctx = Context(cfg, log, session, redactor, progress, stop,
                  Throttle(stop, cfg.rate_limit, cfg.max_wait, cfg.backoff, log, progress))
    ctx.tokens = TokenManager(cfg, lambda form: post_token_form(ctx, form), redactor, log)
    tally = Tally()
    result = RunResult()
    try:
        with stop_on_signals(ctx):
            try:
                sweep(ctx, tally, report, result)
            except KeyboardInterrupt:
                ctx.stop.set()
                ctx.stop_signal = ctx.stop_signal or signal.SIGINT
            except SweepError as exc:
                result.exit_code, result.error, result.stopped = exc.exit_code, str(exc), exc.stop
            if ctx.stop_signal is not None:
                result.exit_code = interrupted_exit_code(ctx)
                result.stopped = "interrupted"
                result.error = ("interrupted: requests in flight were finished and reported; "
                                "the next run will find the rest")
            elif ctx.throttle.exhausted and result.exit_code == EXIT_OK:
                result.exit_code, result.stopped = EXIT_FAILURES, "max-wait"
                result.error = ctx.throttle.exhausted_message()
    finally:
        report.close()
        session.close()
        progress.clear()
    if result.exit_code == EXIT_OK and result.plan is not None and (
            tally.total["failed"] or result.plan.unavailable_users):
        result.exit_code = EXIT_FAILURES
    if result.error and result.exit_code not in (EXIT_SIGINT, EXIT_SIGTERM):
        log.error("error: %s", result.error)
    emit_summary(ctx, build_summary(ctx, tally, result), result)
    return result.exit_code


def emit_summary(ctx: Context, summary: Dict[str, Any], result: RunResult) -> None:
    """JSON on stdout, or the table on stderr and in the log file."""
    if ctx.cfg.json_summary:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        sys.stdout.flush()
    elif result.plan is not None:  # before a plan, the error line says it all
        text = ctx.redactor.scrub(human_summary(summary))
        sys.stderr.write(text + "\n")
        append_to_log_files(ctx.log, text)


def append_to_log_files(log: logging.Logger, text: str) -> None:
    """The human summary goes to --log-file as well, unprefixed."""
    for handler in log.handlers:
        if isinstance(handler, logging.FileHandler):
            handler.acquire()
            try:
                handler.stream.write(text + "\n")
                handler.flush()
            finally:
                handler.release()


def main(argv: Optional[List[str]] = None) -> int:
    """Parse, configure, run; return the exit code (never a traceback for bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or argparse's own usage error
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else 2
    redactor = Redactor()
    verbosity = -1 if args.quiet else args.verbose
    progress = Progress(logging.getLogger(LOGGER_NAME), enabled=verbosity >= 0,
                        tty=sys.stderr.isatty())
    try:
        with configured_logging(verbosity, Path(args.log_file) if args.log_file else None,
                                redactor, progress) as log:
            try:
                cfg = build_config(args, dict(os.environ), log)
                for secret in cfg.secrets:
                    redactor.add(secret)
                if not (cfg.yes or cfg.dry_run) and not stdin_is_terminal():
                    raise UsageError("refusing to delete without confirmation: there is no "
                                     "terminal to ask on. Add --yes (for cron and scheduled "
                                     "tasks) or --dry-run")
            except UsageError as exc:
                log.error("error: %s", exc)
                return EXIT_USAGE
            try:
                return run(cfg, log, redactor, progress)
            except UsageError as exc:  # the report file, found unusable at open
                log.error("error: %s", exc)
                return EXIT_USAGE
    except UsageError as exc:  # the log file
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
