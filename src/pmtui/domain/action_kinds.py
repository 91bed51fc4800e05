"""What kind of follow-up an action item is, suggested from its words (issue 28).

Every item used to be "other" unless someone changed it; the type says whether the team
prevents, detects or mitigates the next incident, or changes a process, and the patterns
view counts it. The suggestion is a plain word list, the first kind whose words the title
and description name (a word's stem is enough: "alerting" meets "alert"). It only fills
in the form's choice while nobody has chosen one; what the room picks is what is saved.
"""

from __future__ import annotations

import re

from pmtui.domain.vocab import ActionType

# in order: a "runbook for the alert" is about what the responder does, so mitigate is tried
# first; then process (a "status page" step in a checklist is not a page to an on-call)
WORDS: tuple[tuple[ActionType, tuple[str, ...]], ...] = (
    (ActionType.mitigate, ("rollback", "roll back", "roll-back", "failover", "fail over", "runbook", "playbook",
                           "circuit breaker", "kill switch", "feature flag", "fallback", "degrade", "throttl",
                           "rate limit", "rate-limit", "shed load", "load shedding", "restore", "recover",
                           "backup", "back up", "redundan", "auto-scal", "autoscal", "drain")),
    (ActionType.process, ("process", "training", "train ", "document", "docs", "communicat", "status page",
                          "on-call", "oncall", "handoff", "hand-off", "checklist", "postmortem", "escalat",
                          "policy", "ownership", "review cadence", "onboard", "drill",
                          "game day", "rotation")),
    (ActionType.detect, ("alert", "alarm", "monitor", "dashboard", "page ", "paging", "detect", "observab",
                         "metric", "slo", "sli", "synthetic", "probe", "health check", "healthcheck", "log ",
                         "logging", "trace", "tracing", "notify", "notification", "anomal")),
    (ActionType.prevent, ("validat", "test", "canary", "staged rollout", "guard", "lint", "check", "limit",
                          "quota", "capacity", "schema", "review the config", "prevent", "block", "reject",
                          "constraint", "timeout", "retry", "retries", "idempot", "upgrade", "patch", "fix ",
                          "migrat", "remove", "deprecat", "automat", "unit", "typo")),
)


def suggest(text: str) -> ActionType | None:
    """The kind of action ``text`` (a title and description) names, or None."""
    words = " " + re.sub(r"\s+", " ", text.casefold()) + " "
    for kind, stems in WORDS:
        if any(stem in words for stem in stems):
            return kind
    return None
