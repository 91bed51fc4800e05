"""Jira (REST API v2): Jira Cloud and Jira Data Center / Server.

- site URL: ``--url`` (e.g. https://example.atlassian.net), else ``$JIRA_URL``;
- credentials: Cloud ``$JIRA_EMAIL`` + ``$JIRA_API_TOKEN`` (basic auth); Data Center a
  personal access token in ``$JIRA_PAT`` (``Authorization: Bearer``);
- create: ``POST /rest/api/2/issue`` with ``fields`` project key, summary, description,
  issuetype (``$JIRA_ISSUE_TYPE``, default Task), labels (no spaces), duedate, priority
  (High/Medium/Low) and assignee (Cloud: ``accountId``, an e-mail looked up with
  ``GET /rest/api/2/user/search``; Data Center: the user ``name``);
- read: ``GET /rest/api/2/issue/{key}?fields=status,resolution``: the status category
  ``done`` is done, or won't do when the resolution says Won't Do, Won't Fix, Declined,
  Duplicate, Cannot Reproduce or Rejected;
- find after an interrupted push: JQL ``text ~`` the marker (Cloud ``/search/jql``, Data
  Center ``/search``), each hit's description checked for the marker itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pmtui.errors import BadInput
from pmtui.trackers import Adapter, Http, IssueState, NewIssue, Rejected, Target, markers_in

_ISSUE_URL = re.compile(r"^(?P<site>https?://[^/]+(?:/.*?)?)/browse/(?P<key>[A-Z][A-Z0-9_]+-\d+)/?$")
WONT = {"won't do", "won't fix", "wont do", "wont fix", "declined", "duplicate", "cannot reproduce", "rejected",
        "not planned", "obsolete"}
PRIORITY = {"high": "High", "medium": "Medium", "low": "Low"}


def _field(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("errors"), dict) and body["errors"]:
        return str(next(iter(body["errors"])))
    return None


class Tracker(Adapter):
    NAME = "Jira"
    ENV = ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT", "JIRA_ISSUE_TYPE")

    def __init__(self, target: Target, env: Mapping[str, str]) -> None:
        super().__init__(target, env)
        email, token, pat = (env.get(n, "").strip() for n in ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT"))
        headers = {"Accept": "application/json"}
        auth: tuple[str, str] | None = None
        if email and token:
            auth, self.cloud = (email, token), True
        elif pat:
            headers["Authorization"] = f"Bearer {pat}"
            self.cloud = False
        else:
            raise BadInput("Jira: set $JIRA_EMAIL and $JIRA_API_TOKEN (Cloud) or $JIRA_PAT (Data Center) in the "
                           "environment (pmtui reads credentials only from there)")
        self.issue_type = env.get("JIRA_ISSUE_TYPE", "").strip() or "Task"
        self.http = Http(target.url, headers, self.NAME, auth=auth, field_of=_field)

    @classmethod
    def default_url(cls, env: Mapping[str, str]) -> str:
        return env.get("JIRA_URL", "").strip()

    @classmethod
    def owns(cls, url: str) -> bool:
        return bool(_ISSUE_URL.match(url.strip()))

    @classmethod
    def target_of(cls, url: str, env: Mapping[str, str], given: str | None) -> Target:
        m = _ISSUE_URL.match(url.strip())
        assert m is not None
        return Target("jira", m["key"].rsplit("-", 1)[0], (given or m["site"]).rstrip("/"))

    def find_marked(self, marker: str) -> dict[str, str]:
        found: dict[str, str] = {}
        jql = f'project = "{self.target.project}" AND text ~ "\\"{marker}\\""'
        path = "rest/api/2/search/jql" if self.cloud else "rest/api/2/search"
        params: dict[str, Any] = {"jql": jql, "fields": "description", "maxResults": 100}
        for _ in range(10):
            body = self.http.request("GET", path, params=params, what="search the project's issues")
            issues = body.get("issues", []) if isinstance(body, dict) else []
            for issue in issues:
                for mark in markers_in((issue.get("fields") or {}).get("description") or ""):
                    found.setdefault(mark, self.browse(issue["key"]))
            token = body.get("nextPageToken") if isinstance(body, dict) else None
            if self.cloud and token:
                params = {**params, "nextPageToken": token}
            elif not self.cloud and isinstance(body, dict) and body.get("total", 0) > params.get("startAt", 0) + 100:
                params = {**params, "startAt": params.get("startAt", 0) + 100}
            else:
                break
        return found

    def browse(self, key: str) -> str:
        return f"{self.target.url}/browse/{key}"

    def account(self, value: str) -> dict[str, str]:
        if not self.cloud:
            return {"name": value}
        if "@" not in value:
            return {"accountId": value}
        users = self.http.request("GET", "rest/api/2/user/search", params={"query": value},
                                  what="look up the assignee")
        if not users:
            raise Rejected(f"Jira has no user with the e-mail {value!r} (the owner map's assignee), or its e-mail "
                           "is hidden: give the account id in the config's [owners]")
        return {"accountId": str(users[0]["accountId"])}

    def create(self, issue: NewIssue) -> IssueState:
        fields: dict[str, Any] = {
            "project": {"key": self.target.project}, "summary": issue.title,
            "description": f"{issue.body}\n\n{issue.marker}", "issuetype": {"name": self.issue_type},
            "labels": issue.labels, "priority": {"name": PRIORITY.get(issue.priority, "Medium")},
        }
        if issue.due:
            fields["duedate"] = issue.due
        if issue.assignee:
            fields["assignee"] = self.account(issue.assignee)
        created = self.http.request("POST", "rest/api/2/issue", json={"fields": fields},
                                    what="create the issue in the project")
        return IssueState(self.browse(created["key"]), "open", "created")

    def read(self, url: str) -> IssueState:
        m = _ISSUE_URL.match(url.strip())
        assert m is not None
        body = self.http.request("GET", f"rest/api/2/issue/{m['key']}", params={"fields": "status,resolution"},
                                 what="read the issue")
        fields = body.get("fields") or {}
        status = fields.get("status") or {}
        name = status.get("name") or "?"
        category = (status.get("statusCategory") or {}).get("key", "")
        resolution = (fields.get("resolution") or {}).get("name") or ""
        label = f"{name} ({resolution})" if resolution and resolution.lower() != name.lower() else name
        if category == "done":
            return IssueState(url, "wont_do" if resolution.lower() in WONT else "done", label)
        return IssueState(url, "open", label)
