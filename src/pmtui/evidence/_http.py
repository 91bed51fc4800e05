"""Reading a service's JSON API for evidence (Slack, PagerDuty, status pages).

One small client the live sources share: TLS verified, a time-out, the body bounded,
429 answered by waiting as ``Retry-After`` (or a reset header) says, within a bound,
and every failure one sentence that names the service and never the credential.
httpx is imported here only, so commands that read files never pay for it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from pmtui.errors import AccessRefused, BadInput, ServiceFailed

from ._base import decode, load_json

TIMEOUT = 30.0
MAX_BODY = 64 * 1024 * 1024
"""The most one answer may hold: a page of history or log entries is far smaller."""
MAX_WAIT = 120.0
"""The longest pmtui waits in all for rate limits in one command (PMTUI_MAX_RATE_WAIT overrides)."""
MAX_REQUESTS = 10_000
"""The most pages one import reads (a bound against a cursor that never ends)."""

Sleep = Callable[[float], None]


def env_url(name: str, default: str) -> str:
    """A service's API base URL: the environment's (proxies, regional endpoints, tests) or the default."""
    value = os.environ.get(name, "").strip()
    return (value or default).rstrip("/")


def env_token(name: str, service: str, hint: str) -> str:
    token = os.environ.get(name, "").strip()
    if not token:
        raise AccessRefused(f"{service}: set {name} to a token ({hint}); pmtui reads it from the environment only")
    return token


def _wait_for(headers: Mapping[str, str]) -> float | None:
    """Seconds the service asks to wait: Retry-After (seconds or a date), else a reset time."""
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - time.time())
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        value = headers.get(name)
        if value and value.strip().isdigit():
            n = float(value.strip())
            return max(0.0, n - time.time()) if n > 1_000_000_000 else n  # an epoch, or seconds from now
    return None


class Client:
    """GETs of one service's JSON, with the shared rules. ``where`` names each answer in
    messages (``Slack conversations.history``); ``not_found`` says what a 404 means."""

    def __init__(self, service: str, headers: Mapping[str, str] | None = None, *, sleep: Sleep | None = None) -> None:
        import httpx

        self.service = service
        self.sleep = sleep or time.sleep
        self.waited = 0.0
        self.requests = 0
        try:
            self.max_wait = float(os.environ.get("PMTUI_MAX_RATE_WAIT", MAX_WAIT))
        except ValueError:
            self.max_wait = MAX_WAIT
        self.http = httpx.Client(timeout=TIMEOUT, verify=True, follow_redirects=True,
                                 headers={"User-Agent": "pmtui", **(headers or {})})

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def get(self, url: str, params: Mapping[str, Any] | None = None, *, where: str,
            not_found: str | None = None, ok_statuses: tuple[int, ...] = (200,)) -> tuple[int, Any]:
        """The answer's status and JSON. Raises AccessRefused (401/403), BadInput (404,
        with ``not_found``), ServiceFailed (network, 5xx, rate limits past the bound, not JSON)."""
        import httpx

        host = urlsplit(url).netloc or url
        while True:
            self.requests += 1
            if self.requests > MAX_REQUESTS:
                raise ServiceFailed(f"{self.service}: more than {MAX_REQUESTS:,} pages for {where}; stopped")
            try:
                with self.http.stream("GET", url, params=params) as response:
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_BODY:
                            raise ServiceFailed(f"{self.service}: the answer for {where} is over "
                                                f"{MAX_BODY // (1024 * 1024)} MB; stopped")
                    status, headers = response.status_code, response.headers
            except httpx.TimeoutException:
                raise ServiceFailed(f"{self.service}: {host} did not answer within {TIMEOUT:.0f} s "
                                    f"({where}); nothing was added") from None
            except httpx.HTTPError as exc:
                reason = type(exc).__name__ if not str(exc) else str(exc).splitlines()[0]
                raise ServiceFailed(f"{self.service}: cannot reach {host} ({reason}); nothing was added") from None
            if status == 429 or (status == 403 and headers.get("x-ratelimit-remaining") == "0"):
                wait = _wait_for(headers)
                wait = 1.0 if wait is None else wait
                if self.waited + wait > self.max_wait:
                    raise ServiceFailed(f"{self.service}: rate limited; it asks to wait {wait:.0f} s more, past "
                                        f"pmtui's bound of {self.max_wait:.0f} s: try again later; nothing was added")
                self.sleep(wait)
                self.waited += wait
                continue
            if status in (401, 403):
                raise AccessRefused(f"{self.service}: the token was refused (HTTP {status}) for {where}; "
                                    "check it and its scopes; nothing was added")
            if status == 404 and not_found is not None:
                raise BadInput(not_found)
            if status not in ok_statuses:
                raise ServiceFailed(f"{self.service}: {host} answered HTTP {status} for {where}; nothing was added")
            if status != 200:
                return status, None  # an expected answer without a body to read (e.g. 404: try elsewhere)
            text = decode(bytes(body), f"{self.service} {where}")
            try:
                return status, load_json(text, f"{self.service} {where}")
            except BadInput:
                raise ServiceFailed(f"{self.service}: the answer for {where} is not JSON (is the URL an API "
                                    "address?); nothing was added") from None
