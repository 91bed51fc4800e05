"""Instatus incidents: the API (``GET /v1/{page_id}/incidents`` gives a list of incidents,
``GET /v1/{page_id}/incidents/{id}`` one) and the public page's ``summary.json``.

Each incident update (``updates[]``: ``message``/``messageHtml``, ``status``,
``started``) becomes a communication event, mapped like Statuspage. The API gives no
component status per update, so a component's window is the incident's ``started`` to
``resolved``, with the component's status in the file, or the incident's ``impact``
when the component reads operational again. The public summary lists only the
active incidents (name, started, status, impact): one event each.
"""

from __future__ import annotations

from urllib.parse import urlparse

from pmtui.domain.vocab import ComponentStatus, EventKind

from ._base import ComponentWindow, EvidenceEvent, J, Options, Parsed, compact, digest, html_to_text, worst

KIND = "instatus"
LABEL = "Instatus"
SHAPE = "json"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 20

STATUSES = {
    "DEGRADEDPERFORMANCE": ComponentStatus.degraded_performance,
    "PARTIALOUTAGE": ComponentStatus.partial_outage,
    "MAJOROUTAGE": ComponentStatus.major_outage,
}
NOT_IMPAIRED = {"OPERATIONAL", "UNDERMAINTENANCE"}


def _is_incident(value: object) -> bool:
    return isinstance(value, dict) and "updates" in value and "started" in value and "incident_updates" not in value


def sniff(doc: object) -> bool:
    if isinstance(doc, list):
        return bool(doc) and all(_is_incident(i) for i in doc)
    if isinstance(doc, dict):
        return _is_incident(doc) or ("activeIncidents" in doc and isinstance(doc.get("activeIncidents"), list))
    return False


def parse(doc: J, opts: Options) -> Parsed:
    out = Parsed(opts.filter)
    if isinstance(doc.value, dict) and "activeIncidents" in doc.value:
        _summary(doc, opts, out)
        return out
    incidents = list(doc.items()) if isinstance(doc.value, list) else [doc]
    for incident in incidents:
        _incident(incident.obj(), opts, out)
    return out


def _source(incident: J) -> str:
    comps = incident.get("components")
    for comp in comps.items() if comps is not None else ():
        site = comp.value.get("site") if isinstance(comp.value, dict) else None
        if isinstance(site, dict) and isinstance(site.get("subdomain"), str) and site["subdomain"]:
            return f"instatus:{site['subdomain']}"
    return "instatus"


def _incident(incident: J, opts: Options, out: Parsed) -> None:
    name = incident.text_of("name").strip() or "incident"
    incident_id = incident.text_of("id")
    source = _source(incident)
    started = incident["started"].time(opts)
    resolved_member = incident.get("resolved")
    resolved = resolved_member.time(opts) if resolved_member is not None else None
    for update in incident["updates"].items():
        update.obj()
        at = (update.get("started") or update["createdAt"]).time(opts)
        status = update.text_of("status")
        message = update.text_of("message")
        original = message or update.text_of("messageHtml")
        body = message.strip() if message else html_to_text(update.text_of("messageHtml"))
        word = status.capitalize() if status else "Update"
        uid = update.text_of("id") or digest(compact(update.value))
        out.add(
            EvidenceEvent(
                at=at,
                text=f"[{name}] {word}: {body}" if body else f"[{name}] {word}",
                kind=EventKind.communication,
                source=source,
                source_id=f"{incident_id}/{uid}" if incident_id else uid,
                original=original,
                step=status.lower() or None,
                where=update.where,
            )
        )
    impact = STATUSES.get(incident.text_of("impact").upper())
    comps = incident.get("components")
    for comp in comps.items() if comps is not None else ():
        comp.obj()
        raw = comp.text_of("status").upper()
        impaired = STATUSES.get(raw)
        if impaired is None and raw and raw not in NOT_IMPAIRED:
            raise comp["status"].fail(f"unknown component status {raw!r}")
        impaired = worst(impaired, impact)
        if impaired is None:
            continue
        cname = comp.text_of("name").strip() or comp.text_of("id").strip()
        if not cname:
            out.skip("instatus component without a name")
            continue
        out.add_window(ComponentWindow(cname, impaired, started, resolved, source, name, comp.where))


def _summary(doc: J, opts: Options, out: Parsed) -> None:
    page = doc.get("page")
    source = "instatus"
    if page is not None and isinstance(page.value, dict) and isinstance(page.value.get("url"), str):
        host = urlparse(page.value["url"]).hostname or ""
        if host:
            source = f"instatus:{host.split('.')[0]}"
    for incident in doc["activeIncidents"].items():
        incident.obj()
        name = incident.text_of("name").strip() or "incident"
        status = incident.text_of("status")
        impact = incident.text_of("impact")
        words = [status.capitalize() if status else "Active"]
        if impact:
            words.append(f"impact {impact.lower()}")
        out.add(
            EvidenceEvent(
                at=incident["started"].time(opts),
                text=f"[{name}] {', '.join(words)} (from the public status summary)",
                kind=EventKind.communication,
                source=source,
                source_id=incident.text_of("id") or incident.text_of("url") or digest(compact(incident.value)),
                original=compact(incident.value),
                step=status.lower() or None,
                where=incident.where,
            )
        )
