"""A public status page by its address (``--from statuspage-url URL``), no token needed.

An Atlassian Statuspage page answers ``URL/api/v2/incidents.json`` (its recent incidents
with every update); an Instatus page answers ``URL/summary.json`` (its active incidents).
pmtui asks the first, then the second, and maps the answer exactly as the saved file
(:mod:`pmtui.evidence.statuspage`, :mod:`pmtui.evidence.instatus`): the same source and
ids, so a rerun during the meeting adds only the new updates. A URL that ends in
``.json`` is read as it is.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from pmtui.errors import BadInput

from . import instatus, statuspage
from ._base import J, Options, Parsed
from ._http import Client

KIND = "statuspage-url"
LABEL = "a status page's address"
LIVE = True


def _candidates(url: str) -> list[str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadInput(f"{url}: not a status page's address (give it as https://status.example.com)")
    base = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if base.endswith(".json"):
        return [base]
    return [f"{base}/api/v2/incidents.json", f"{base}/summary.json"]


def fetch(sources: list[str], opts: Options, since: datetime | None, until: datetime | None) -> tuple[str, Parsed]:
    if len(sources) != 1:
        raise BadInput("--from statuspage-url reads one address: pmtui evidence REVIEW --from statuspage-url URL")
    url = sources[0]
    tried: list[str] = []
    with Client("status page") as client:
        for candidate in _candidates(url):
            tried.append(candidate)
            status, doc = client.get(candidate, where=candidate, ok_statuses=(200, 404))
            if status == 404:
                continue
            for module in (statuspage, instatus):
                if module.sniff(doc):
                    return candidate, module.parse(J(doc, candidate), opts)
    raise BadInput(f"{url}: no Statuspage or Instatus incidents found (tried {', '.join(tried)})")
