"""GitHub Issues (REST API, version 2022-11-28): github.com or GitHub Enterprise Server.

- base URL: ``$GITHUB_API_URL`` (as GitHub's own tools read it), else https://api.github.com;
- token: ``$GITHUB_TOKEN`` (``Authorization: Bearer``), a token that may create issues;
- create: ``POST /repos/{owner}/{repo}/issues`` with title, body, labels and assignees
  (GitHub has no due date or priority field: the due date is in the body, the priority a label);
- read: ``GET /repos/{owner}/{repo}/issues/{number}``: ``state`` open/closed and
  ``state_reason`` (``not_planned`` is won't do);
- find after an interrupted push: ``GET /repos/{owner}/{repo}/issues?labels=postmortem`` (the
  newest, not delayed by the search index) and ``GET /search/issues`` for the marker in the body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pmtui.trackers import Adapter, Http, IssueState, NewIssue, Target, markers_in, need

API_VERSION = "2022-11-28"
_ISSUE_URL = re.compile(r"^https?://[^/]+/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/issues/(?P<number>\d+)/?$")


def _field(body: Any) -> str | None:
    if isinstance(body, dict):
        for err in body.get("errors") or []:
            if isinstance(err, dict) and err.get("field"):
                return str(err["field"])
    return None


class Tracker(Adapter):
    NAME = "GitHub"
    ENV = ("GITHUB_TOKEN", "GITHUB_API_URL")

    def __init__(self, target: Target, env: Mapping[str, str]) -> None:
        super().__init__(target, env)
        token = need(env, "GITHUB_TOKEN", "GitHub")
        self.http = Http(target.url, {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
                                      "Authorization": f"Bearer {token}"}, self.NAME, field_of=_field)

    @classmethod
    def default_url(cls, env: Mapping[str, str]) -> str:
        return env.get("GITHUB_API_URL", "").strip() or "https://api.github.com"

    @classmethod
    def owns(cls, url: str) -> bool:
        return bool(_ISSUE_URL.match(url.strip())) and "/-/" not in url

    @classmethod
    def target_of(cls, url: str, env: Mapping[str, str], given: str | None) -> Target:
        m = _ISSUE_URL.match(url.strip())
        assert m is not None
        return Target("github", f"{m['owner']}/{m['repo']}", (given or cls.default_url(env)).rstrip("/"))

    def find_marked(self, marker: str) -> dict[str, str]:
        """The search API finds marked issues of any age, but its index lags a new issue by
        seconds to a minute: the repository's newest postmortem issues are listed too
        (straight from the database), which covers a push stopped a moment ago."""
        found: dict[str, str] = {}
        recent = self.http.request("GET", f"repos/{self.target.project}/issues", what="list the newest postmortem issues",
                                   params={"labels": "postmortem", "state": "all", "sort": "created",
                                           "direction": "desc", "per_page": 100})
        for item in recent if isinstance(recent, list) else []:
            for mark in markers_in(item.get("body") or ""):
                if mark.startswith(marker + "/"):
                    found.setdefault(mark, item["html_url"])
        query = f'"{marker}" in:body repo:{self.target.project} type:issue'
        for page in range(1, 11):
            body = self.http.request("GET", "search/issues", what="search the repository's issues",
                                     params={"q": query, "per_page": 100, "page": page})
            items = body.get("items", []) if isinstance(body, dict) else []
            for item in items:
                for mark in markers_in(item.get("body") or ""):
                    found.setdefault(mark, item["html_url"])
            if len(items) < 100:
                break
        return found

    def create(self, issue: NewIssue) -> IssueState:
        body = issue.body
        if issue.due:
            body += f"\n\n**Due:** {issue.due}"
        payload: dict[str, Any] = {"title": issue.title, "body": f"{body}\n\n<!-- {issue.marker} -->",
                                   "labels": [*issue.labels, f"priority: {issue.priority}"]}
        if issue.assignee:
            payload["assignees"] = [issue.assignee]
        created = self.http.request("POST", f"repos/{self.target.project}/issues", json=payload,
                                    what="create the issue in the repository")
        return self._state(created)

    def read(self, url: str) -> IssueState:
        m = _ISSUE_URL.match(url.strip())
        assert m is not None
        return self._state(self.http.request("GET", f"repos/{m['owner']}/{m['repo']}/issues/{m['number']}",
                                             what="read the issue"), url)

    @staticmethod
    def _state(issue: Any, url: str | None = None) -> IssueState:
        state, reason = issue.get("state", "open"), issue.get("state_reason")
        if state == "closed":
            wont = reason in ("not_planned", "duplicate")
            label = f"closed ({reason.replace('_', ' ')})" if reason else "closed"
            return IssueState(url or issue["html_url"], "wont_do" if wont else "done", label)
        return IssueState(url or issue["html_url"], "open", "open")
