"""A generated store whose follow-up and pattern numbers are known (see test_followup.py)."""

from __future__ import annotations

import json

from pmtui.domain.document import FORMAT, loads


def _events(*marked: tuple[str, str]) -> list[dict]:
    return [{"at": at, "text": f"{mark or 'event'} happened", "marks": [mark] if mark else []} for at, mark in marked]


REVIEWS = [
    {  # A
        "title": "Checkout errors after a config push", "severity": "SEV2", "tags": ["cache"], "review_date": "2026-01-06",
        "timeline": _events(("2026-01-05T10:00:00Z", "impact_start"), ("2026-01-05T10:10:00Z", "detected"),
                            ("2026-01-05T10:40:00Z", "mitigated"), ("2026-01-05T11:00:00Z", "impact_end")),
        "impact": {"components": [{"name": "checkout-db", "status": "major_outage"}]},
        "factors": [{"text": "Config change was not treated as a deploy", "category": "process"},
                    {"text": "Alert thresholds were too high", "category": "tooling"}],
        "action_items": [
            {"title": "Add a canary for checkout-db config changes", "owner": "Ana", "status": "done", "type": "prevent"},
            {"title": "Lower the alert threshold", "owner": "Ana", "due": "2026-03-01", "priority": "high",
             "type": "detect"},
        ],
    },
    {  # B
        "title": "Checkout and search slow", "severity": "SEV2", "tags": ["cache", "db"],
        "timeline": _events(("2026-02-10T09:00:00Z", "impact_start"), ("2026-02-10T09:30:00Z", "detected"),
                            ("2026-02-10T10:00:00Z", "mitigated"), ("2026-02-10T10:30:00Z", "impact_end")),
        "impact": {"components": [{"name": "checkout-db", "status": "partial_outage"},
                                  {"name": "search", "status": "degraded_performance"}]},
        "factors": [{"text": "Configuration change not treated as a deploy", "category": "process"}],
        "action_items": [
            {"title": "Cache warm-up runbook", "owner": "Bo", "due": "2026-04-01"},
            {"title": "Rewrite the cache client", "owner": "Bo", "status": "wont_do", "status_note": "too large",
             "priority": "low"},
        ],
    },
    {  # C
        "title": "Search lag", "severity": "SEV3", "tags": ["search"], "review_date": "2026-02-21",
        "timeline": _events(("2026-02-20T12:00:00Z", "impact_start"), ("2026-02-20T12:05:00Z", "detected"),
                            ("2026-02-20T14:00:00Z", "impact_end")),
        "impact": {"components": [{"name": "search", "status": "degraded_performance"}]},
        "factors": [{"text": "Disk filled up on the indexer", "category": "technical"}],
        "action_items": [
            {"title": "Give search its own checkout-db read replica", "owner": "bo", "status": "done"},
            {"title": "Alert on disk usage, with a \"quote\", a comma and [b]markup[/b]", "owner": "Cy",
             "due": "2026-03-20", "status": "in_progress", "description": "Line one\nline two"},
        ],
    },
    {  # D
        "title": "Old alerting gap",
        "timeline": _events(("2025-12-01T08:00:00Z", None)),
        "factors": [{"text": "alert thresholds were too high!", "category": "tooling"}],
    },
    {  # E
        "title": "Checkout outage again", "severity": "SEV1",
        "timeline": _events(("2026-03-05T08:00:00Z", "impact_start"), ("2026-03-05T08:20:00Z", "detected"),
                            ("2026-03-05T08:30:00Z", "mitigated"), ("2026-03-05T09:00:00Z", "impact_end")),
        "impact": {"components": [{"name": "Checkout-DB ", "status": "major_outage"}]},
        "action_items": [{"title": "Page the database team on checkout errors"}],
    },
]

# the day each review was last changed (None: never changed since the import)
CHANGED = {"A": "2026-01-20T12:00:00.000000", "C": "2026-02-25T09:00:00.000000"}


def fill(store) -> dict[str, tuple[int, str]]:
    """Import the five reviews; returns {letter: (id, slug)}."""
    docs = [loads(json.dumps({"format": FORMAT, **r})) for r in REVIEWS]
    out = dict(zip("ABCDE", store.import_documents(docs)))
    from sqlalchemy import update

    from pmtui.store.models import Review

    t = Review.__table__
    with store.engine.begin() as conn:
        for letter, at in CHANGED.items():
            conn.execute(update(t).where(t.c.id == out[letter][0]).values(updated_at=at))
    return out
