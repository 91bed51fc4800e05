"""Grafana OnCall alert groups: ``GET /api/v1/alert_groups/``
(``{"count", "next", "previous", "results": [alert group...]}``) or one alert group.

Each group is its lifecycle: created (alert, its title and how many alerts it holds),
acknowledged, resolved and silenced (actions, by the user id OnCall gives). The
``last_alert`` payload is the monitoring tool's own and is not read for times (its
``created_at`` can be days before the group's).
"""

from __future__ import annotations

from pmtui.domain.vocab import EventKind

from ._base import EvidenceEvent, J, Options, Parsed, compact, plural

KIND = "oncall"
LABEL = "Grafana OnCall"
SHAPE = "json"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 50
SOURCE = "grafana-oncall"


def _is_group(value: object) -> bool:
    return isinstance(value, dict) and "created_at" in value and ("alerts_count" in value or "integration_id" in value)


def sniff(doc: object) -> bool:
    if not isinstance(doc, dict):
        return False
    results = doc.get("results")
    if isinstance(results, list):
        return bool(results) and all(_is_group(r) for r in results)
    return _is_group(doc)


def parse(doc: J, opts: Options) -> Parsed:
    out = Parsed(opts.filter)
    doc.obj()
    groups = list(doc["results"].items()) if "results" in doc.value else [doc]
    for group in groups:
        group.obj()
        gid = group["id"].str()
        title = group.text_of("title").strip() or "alert group"
        original = compact(group.value)
        count = group.get("alerts_count")
        detail = f" ({plural(count.value, 'alert')})" if count is not None and isinstance(count.value, int) else ""
        out.add(
            EvidenceEvent(
                at=group["created_at"].time(opts),
                text=f"{title}: alert group created{detail}",
                kind=EventKind.alert,
                source=SOURCE,
                source_id=f"{gid}/created",
                original=original,
                step="trigger",
                where=group["created_at"].where,
            )
        )
        for key, who_key, step, word in (
            ("acknowledged_at", "acknowledged_by", "acknowledge", "acknowledged"),
            ("resolved_at", "resolved_by", "resolve", "resolved"),
            ("silenced_at", None, "silence", "silenced"),
        ):
            when = group.get(key)
            if when is None:
                continue
            who = group.text_of(who_key) if who_key else ""
            out.add(
                EvidenceEvent(
                    at=when.time(opts),
                    text=f"{title}: {word}" + (f" by {who}" if who else ""),
                    kind=EventKind.action,
                    source=SOURCE,
                    source_id=f"{gid}/{word}",
                    original=original,
                    actor=who or None,
                    step=step,
                    where=when.where,
                )
            )
    return out
