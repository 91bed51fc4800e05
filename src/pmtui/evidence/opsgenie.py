"""Opsgenie alerts (REST API v2): an alert's activity log
(``GET /v2/alerts/{id}/logs``: ``{"data": [{log, type, owner, createdAt, offset}], "paging", ...}``),
one alert (``GET /v2/alerts/{id}``: ``{"data": {id, message, createdAt, report: {ackTime,
closeTime, acknowledgedBy, closedBy}, ...}}``) or a list of alerts (``{"data": [alert...]}``).

The log's lines read like "Alert created via API", "Alert acknowledged via web",
"Alert closed by ...": creation -> alert, acknowledgement and closing -> action, notes ->
communication, the rest (notifications, escalations) -> event, with the owner as who
did it. An alert becomes its lifecycle: created (alert), acknowledged and closed
(action) at ``createdAt`` plus the report's ``ackTime``/``closeTime`` (milliseconds).
"""

from __future__ import annotations

from datetime import timedelta

from pmtui.domain.vocab import EventKind

from ._base import EvidenceEvent, J, Options, Parsed, compact, digest

KIND = "opsgenie"
LABEL = "Opsgenie"
SHAPE = "json"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 40
SOURCE = "opsgenie"


def _is_log(value: object) -> bool:
    return isinstance(value, dict) and "log" in value and "createdAt" in value


def _is_alert(value: object) -> bool:
    return isinstance(value, dict) and "createdAt" in value and ("tinyId" in value or "alias" in value)


def sniff(doc: object) -> bool:
    if not isinstance(doc, dict):
        return False
    data = doc.get("data")
    if isinstance(data, list):
        return bool(data) and (all(_is_log(d) for d in data) or all(_is_alert(d) for d in data))
    return _is_alert(data)


def parse(doc: J, opts: Options) -> Parsed:
    out = Parsed(opts.filter)
    data = doc.obj()["data"]
    if isinstance(data.value, list):
        for item in data.items():
            item.obj()
            if _is_log(item.value):
                out.add(_log(item, opts))
            else:
                for event in _alert(item, opts):
                    out.add(event)
    else:
        for event in _alert(data.obj(), opts):
            out.add(event)
    return out


def _log_step(text: str, log_type: str) -> tuple[str, EventKind]:
    words = text.lower()
    if "note" in words and log_type != "alertRecipient":
        return "note", EventKind.communication
    if "acknowledged" in words and "unacknowledged" not in words:
        return "acknowledge", EventKind.action
    if "closed" in words:
        return "close", EventKind.action
    if "created" in words and words.startswith("alert"):
        return "create", EventKind.alert
    return (log_type or "log"), EventKind.event


def _log(item: J, opts: Options) -> EvidenceEvent:
    text = item["log"].str().strip()
    step, kind = _log_step(text, item.text_of("type"))
    offset = item.text_of("offset")
    return EvidenceEvent(
        at=item["createdAt"].time(opts),
        text=text,
        kind=kind,
        source=SOURCE,
        source_id=offset or digest(compact(item.value)),
        original=compact(item.value),
        actor=item.text_of("owner") or None,
        step=step,
        where=item.where,
    )


def _alert(alert: J, opts: Options) -> list[EvidenceEvent]:
    alert_id = alert.text_of("id") or alert.text_of("alias") or digest(compact(alert.value))
    message = alert.text_of("message").strip() or "alert"
    tiny = alert.text_of("tinyId")
    title = f"[#{tiny}] {message}" if tiny else message
    created = alert["createdAt"].time(opts)
    original = compact(alert.value)
    events = [
        EvidenceEvent(
            at=created,
            text=f"{title}: alert created" + (f" by {alert.text_of('source')}" if alert.text_of("source") else ""),
            kind=EventKind.alert,
            source=SOURCE,
            source_id=f"{alert_id}/created",
            original=original,
            actor=alert.text_of("source") or None,
            step="create",
            where=alert.where,
        )
    ]
    report = alert.get("report")
    if report is not None:
        report.obj()
        for key, who_key, step, word in (
            ("ackTime", "acknowledgedBy", "acknowledge", "acknowledged"),
            ("closeTime", "closedBy", "close", "closed"),
        ):
            ms = report.get(key)
            if ms is None:
                continue
            if isinstance(ms.value, bool) or not isinstance(ms.value, int) or ms.value < 0:
                raise ms.fail("must be a whole number of milliseconds")
            if ms.value > 10**13:  # over 300 years after the alert: no time a review can hold
                raise ms.fail(f"{ms.value} milliseconds after the alert is not a time a review can hold")
            who = report.text_of(who_key) or None
            events.append(
                EvidenceEvent(
                    at=created + timedelta(milliseconds=ms.value),
                    text=f"{title}: {word}" + (f" by {who}" if who else ""),
                    kind=EventKind.action,
                    source=SOURCE,
                    source_id=f"{alert_id}/{word}",
                    original=original,
                    actor=who,
                    step=step,
                    where=ms.where,
                )
            )
    return events
