"""PagerDuty: the REST ``GET /log_entries`` (or ``/incidents/{id}/log_entries``) response
``{"log_entries": [...]}`` (or a bare list of log entries), V2 webhook payloads
``{"messages": [{event, log_entries, incident, created_on}]}`` and V3 webhook payloads
``{"event": {id, event_type, occurred_at, agent, data}}``.

trigger -> alert; acknowledge and resolve -> action (the response and the resolution);
assign, escalate, notify and the rest -> event; annotate (a note) -> communication.
Each event says who did it (the agent's summary) and keeps the entry's JSON as its
original. The source is ``pagerduty``; the id is the log entry's id (or the V3 event's),
so the same entry in a log_entries list and in a webhook is imported once.
"""

from __future__ import annotations

from typing import Any

from pmtui.domain.vocab import EventKind

from ._base import EvidenceEvent, J, Options, Parsed, compact

KIND = "pagerduty"
LABEL = "PagerDuty"
SHAPE = "json"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 30
SOURCE = "pagerduty"

# log entry type (without "_log_entry") / V3 event verb -> kind
_KINDS = {
    "trigger": EventKind.alert,
    "acknowledge": EventKind.action,
    "resolve": EventKind.action,
    "annotate": EventKind.communication,
    "status_update": EventKind.communication,
}
# V3 event_type "incident.<verb>" -> the log entry step it stands for
_V3_STEPS = {
    "triggered": "trigger",
    "acknowledged": "acknowledge",
    "unacknowledged": "unacknowledge",
    "resolved": "resolve",
    "reassigned": "assign",
    "escalated": "escalate",
    "delegated": "delegate",
    "annotated": "annotate",
    "reopened": "reopen",
    "priority_updated": "priority_update",
    "status_update_published": "status_update",
    "responder.added": "responder_add",
    "responder.replied": "responder_reply",
}
_V3_WORDS = {
    "trigger": "Triggered",
    "acknowledge": "Acknowledged",
    "unacknowledge": "Unacknowledged",
    "resolve": "Resolved",
    "assign": "Reassigned",
    "escalate": "Escalated",
    "delegate": "Delegated",
    "annotate": "Note added",
    "reopen": "Reopened",
    "priority_update": "Priority changed",
    "status_update": "Status update",
    "responder_add": "Responder added",
    "responder_reply": "Responder replied",
}


def _is_entry(value: object) -> bool:
    return isinstance(value, dict) and str(value.get("type", "")).endswith("_log_entry") and "created_at" in value


def sniff(doc: object) -> bool:
    if isinstance(doc, list):
        return bool(doc) and all(_is_entry(e) for e in doc)
    if not isinstance(doc, dict):
        return False
    if isinstance(doc.get("log_entries"), list):
        return True
    messages = doc.get("messages")
    if isinstance(messages, list) and messages:
        return all(isinstance(m, dict) and str(m.get("event", "")).startswith("incident.") for m in messages)
    event = doc.get("event")
    return isinstance(event, dict) and str(event.get("event_type", "")).startswith(("incident.", "service."))


def parse(doc: J, opts: Options) -> Parsed:
    out = Parsed(opts.filter)
    if isinstance(doc.value, list):
        for entry in doc.items():
            out.add(_entry(entry.obj(), opts))
        return out
    doc.obj()
    if "log_entries" in doc.value:
        for entry in doc["log_entries"].items():
            out.add(_entry(entry.obj(), opts))
    elif "messages" in doc.value:
        for message in doc["messages"].items():
            message.obj()
            entries = message.get("log_entries")
            if entries is not None and entries.value:
                for entry in entries.items():
                    out.add(_entry(entry.obj(), opts, message))
            else:
                out.add(_v2_message(message, opts))
    else:
        out.add(_v3(doc["event"].obj(), opts))
    return out


def _summary(ref: J | None) -> str:
    if ref is None or not isinstance(ref.value, dict):
        return ""
    for key in ("summary", "name", "title"):
        value = ref.value.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _entry(entry: J, opts: Options, message: J | None = None) -> EvidenceEvent:
    kind_name = entry["type"].str()
    step = kind_name.removesuffix("_log_entry").removesuffix("_reference")
    summary = entry.text_of("summary").strip() or step.replace("_", " ").capitalize()
    incident = _summary(entry.get("incident"))
    if not incident and message is not None:
        inc = message.get("incident")
        if inc is not None and isinstance(inc.value, dict):
            number = inc.value.get("incident_number")
            title = inc.value.get("title") or ""
            incident = f"[#{number}] {title}".strip() if number is not None else str(title)
    if step == "annotate":
        channel = entry.get("channel")
        note = channel.value.get("summary") if channel is not None and isinstance(channel.value, dict) else None
        if isinstance(note, str) and note.strip():
            summary = f"{summary}: {note.strip()}"
    return EvidenceEvent(
        at=entry["created_at"].time(opts),
        text=f"{incident}: {summary}" if incident else summary,
        kind=_KINDS.get(step, EventKind.event),
        source=SOURCE,
        source_id=entry["id"].str(),
        original=compact(entry.value),
        actor=_summary(entry.get("agent")) or None,
        step=step,
        where=entry.where,
    )


def _v2_message(message: J, opts: Options) -> EvidenceEvent:
    """A V2 message without log entries (older payloads): the event and the incident."""
    verb = message["event"].str().removeprefix("incident.")
    incident = message.get("incident")
    title = ""
    if incident is not None and isinstance(incident.value, dict):
        number = incident.value.get("incident_number")
        title = f"[#{number}] {incident.value.get('title') or ''}".strip()
    step = {"trigger": "trigger", "acknowledge": "acknowledge", "resolve": "resolve", "assign": "assign"}.get(
        verb, verb
    )
    word = _V3_WORDS.get(step, verb.replace("_", " ").capitalize())
    return EvidenceEvent(
        at=message["created_on"].time(opts),
        text=f"{title}: {word}" if title else word,
        kind=_KINDS.get(step, EventKind.event),
        source=SOURCE,
        source_id=message["id"].str(),
        original=compact(message.value),
        step=step,
        where=message.where,
    )


def _v3(event: J, opts: Options) -> EvidenceEvent:
    event_type = event["event_type"].str()
    verb = event_type.split(".", 1)[1] if "." in event_type else event_type
    step = _V3_STEPS.get(verb, verb.replace(".", "_"))
    data = event.get("data")
    title = ""
    detail = ""
    if data is not None and isinstance(data.value, dict):
        d = data.value
        inc: dict[str, Any] = d["incident"] if isinstance(d.get("incident"), dict) else d
        number = inc.get("number")
        name = inc.get("title") or inc.get("summary") or ""
        title = f"[#{number}] {name}".strip() if number is not None else str(name)
        for key in ("content", "message"):
            if isinstance(d.get(key), str) and d[key].strip():
                detail = d[key].strip()
                break
    actor = _summary(event.get("agent")) or None
    word = _V3_WORDS.get(step, verb.replace("_", " ").replace(".", " ").capitalize())
    if actor and step not in {"trigger"}:
        word = f"{word} by {actor}"
    elif actor:
        word = f"{word} ({actor})"
    if detail:
        word = f"{word}: {detail}"
    return EvidenceEvent(
        at=event["occurred_at"].time(opts),
        text=f"{title}: {word}" if title else word,
        kind=_KINDS.get(step, EventKind.event),
        source=SOURCE,
        source_id=event["id"].str(),
        original=compact(event.value),
        actor=actor,
        step=step,
        where=event.where,
    )
