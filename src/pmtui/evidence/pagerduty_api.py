"""PagerDuty through its REST API (``--from pagerduty-api --incident ID``): the incident's
log entries (``GET /incidents/{id}/log_entries``), every page of them (``limit``,
``offset`` and ``more``), with PagerDuty's rate limits (HTTP 429).

The token is ``PAGERDUTY_TOKEN`` (a read-only REST API key, sent as ``Authorization:
Token token=…``); the API's address is ``PAGERDUTY_API_URL`` (default
``https://api.pagerduty.com``; ``https://api.eu.pagerduty.com`` for the EU service
region). The entries are mapped exactly as a saved log_entries file is
(:mod:`pmtui.evidence.pagerduty`): the same source and ids, so a rerun adds only what is new.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pmtui.errors import BadInput, ServiceFailed

from . import pagerduty
from ._base import J, Options, Parsed
from ._http import Client, env_token, env_url

KIND = "pagerduty-api"
LABEL = "PagerDuty (REST API)"
LIVE = True

DEFAULT_URL = "https://api.pagerduty.com"
_ID = re.compile(r"^[A-Z0-9]{2,32}$")
PAGE = 100


def _utc(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fetch(sources: list[str], opts: Options, since: datetime | None, until: datetime | None,
          incident: str | None = None) -> tuple[str, Parsed]:
    if sources:
        raise BadInput("--from pagerduty-api reads no files: give the incident with --incident ID")
    if not incident:
        raise BadInput("--from pagerduty-api needs --incident ID (the incident's id, e.g. PT4KHLK)")
    if not _ID.match(incident):
        raise BadInput(f"--incident {incident!r} is not a PagerDuty incident id (letters and digits, e.g. PT4KHLK)")
    token = env_token("PAGERDUTY_TOKEN", "PagerDuty", "a read-only REST API key")
    base = env_url("PAGERDUTY_API_URL", DEFAULT_URL)
    headers = {"Authorization": f"Token token={token}", "Accept": "application/vnd.pagerduty+json;version=2"}
    params: dict[str, Any] = {"is_overview": "false", "time_zone": "UTC", "limit": PAGE}
    for key, value in (("since", _utc(since)), ("until", _utc(until))):
        if value:
            params[key] = value
    entries: list[Any] = []
    with Client("PagerDuty", headers) as client:
        offset = 0
        while True:
            _, doc = client.get(f"{base}/incidents/{incident}/log_entries", {**params, "offset": offset},
                                where=f"incident {incident}'s log entries",
                                not_found=f"PagerDuty: no incident {incident} that this token can see; nothing was added")
            if not isinstance(doc, dict) or not isinstance(doc.get("log_entries"), list):
                raise ServiceFailed("PagerDuty: the answer holds no log_entries (is PAGERDUTY_API_URL right?)")
            page = doc["log_entries"]
            entries.extend(page)
            if doc.get("more") is not True or not page:
                break
            offset += len(page)
    label = f"PagerDuty incident {incident} (API)"
    return label, pagerduty.parse(J({"log_entries": entries}, label), opts)
