"""Atlassian Statuspage, public API v2: ``/api/v2/incidents.json`` (``{"page", "incidents"}``)
and one incident (``{"page", "incident"}``, or the bare incident object).

Every incident update becomes a communication event at its ``display_at`` (the time
the page shows; ``created_at`` can be weeks later for back-filled updates), reading
"[incident name] Status: plain text". Components named in the updates'
``affected_components`` become windows: from the first update that marks them
impaired to the first that marks them operational again, with the worst status seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from pmtui.domain.vocab import ComponentStatus, EventKind

from ._base import ComponentWindow, EvidenceEvent, J, Options, Parsed, compact, digest, html_to_text, source_slug, worst

KIND = "statuspage"
LABEL = "Atlassian Statuspage"
SHAPE = "json"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 10

IMPAIRED = {s.value: s for s in ComponentStatus}
RESTORED = {"operational", "under_maintenance"}


@dataclass
class _Window:
    """A component's impairment being read: its worst status, from start to end."""

    name: str
    status: ComponentStatus
    start: datetime
    end: datetime | None = None
    where: str = ""


def sniff(doc: object) -> bool:
    if not isinstance(doc, dict):
        return False
    incidents = doc.get("incidents")
    if isinstance(incidents, list):
        return all(isinstance(i, dict) and "incident_updates" in i for i in incidents) and (
            "page" in doc or bool(incidents)
        )
    incident = doc.get("incident")
    if isinstance(incident, dict):
        return "incident_updates" in incident
    return "incident_updates" in doc and ("shortlink" in doc or "page_id" in doc or "impact" in doc)


def source_name(doc: J) -> str:
    page = doc.get("page") if isinstance(doc.value, dict) else None
    if page is not None and isinstance(page.value, dict):
        url = page.value.get("url")
        if isinstance(url, str) and url:
            host = (urlparse(url).hostname or "").lower()
            labels = [p for p in host.split(".") if p]
            while len(labels) > 2 and labels[0] in {"www", "status", "statuspage"}:
                labels = labels[1:]
            if labels:
                return f"statuspage:{labels[0]}"
        name = page.value.get("name")
        if isinstance(name, str) and name.strip():
            return f"statuspage:{source_slug(name)}"
    return "statuspage"


def parse(doc: J, opts: Options) -> Parsed:
    doc.obj()
    source = source_name(doc)
    if "incidents" in doc.value:
        incidents = list(doc["incidents"].items())
    elif "incident" in doc.value:
        incidents = [doc["incident"]]
    else:
        incidents = [doc]
    out = Parsed(opts.filter)
    for incident in incidents:
        _incident(incident.obj(), source, opts, out)
    return out


def _incident(incident: J, source: str, opts: Options, out: Parsed) -> None:
    name = incident.text_of("name").strip() or "incident"
    incident_id = incident.text_of("id")
    updates: list[tuple[datetime, int, J]] = []
    for n, update in enumerate(incident["incident_updates"].items()):
        update.obj()
        when = update.get("display_at") or update["created_at"]
        updates.append((when.time(opts), n, update))
    updates.sort(key=lambda u: (u[0], u[1]))

    start_of_incident = None
    for key in ("started_at", "created_at"):
        member = incident.get(key)
        if member is not None:
            start_of_incident = member.time(opts)
            break
    resolved = incident.get("resolved_at")
    resolved_at = resolved.time(opts) if resolved is not None else None

    # component code -> [name, worst status, start, end]
    open_: dict[str, _Window] = {}
    windows: list[_Window] = []
    seen: set[str] = set()
    for at, _, update in updates:
        status = update.text_of("status")
        body_raw = update.text_of("body")
        body = html_to_text(body_raw)
        named: list[tuple[str, ComponentStatus | None]] = []
        affected = update.get("affected_components")
        for comp in affected.items() if affected is not None else ():
            comp.obj()
            code = comp.text_of("code")
            new = comp.text_of("new_status")
            if not code or not new:  # "No components were affected by this update."
                continue
            cname = comp.text_of("name") or code
            old = comp.text_of("old_status")
            new_status = IMPAIRED.get(new)
            if new_status is None and new not in RESTORED:
                raise comp["new_status"].fail(f"unknown component status {new!r}")
            named.append((cname, new_status))
            window = open_.get(code)
            seen_before = code in seen
            seen.add(code)
            if window is None and old in IMPAIRED:
                # Impaired before the first update that names it: from the incident's start
                # (or from this update, when an earlier window of it already closed).
                start = at if seen_before or start_of_incident is None else start_of_incident
                window = _Window(cname, IMPAIRED[old], start, where=comp.where)
                open_[code] = window
                windows.append(window)
            if new_status is not None:
                if window is None:
                    window = _Window(cname, new_status, at, where=comp.where)
                    open_[code] = window
                    windows.append(window)
                else:
                    window.status = worst(window.status, new_status) or new_status
            elif window is not None:
                window.end = at
                del open_[code]
        uid = update.text_of("id") or digest(compact(update.value))
        word = status.replace("_", " ").capitalize() if status else "Update"
        text = f"[{name}] {word}: {body}" if body else f"[{name}] {word}"
        out.add(
            EvidenceEvent(
                at=at,
                text=text,
                kind=EventKind.communication,
                source=source,
                source_id=f"{incident_id}/{uid}" if incident_id else uid,
                original=body_raw,
                step=status or None,
                components=tuple(named),
                where=update.where,
            )
        )
    for window in open_.values():
        window.end = resolved_at
    for w in windows:
        out.add_window(ComponentWindow(w.name, w.status, w.start, w.end, source, name, w.where))
