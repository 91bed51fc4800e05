"""GitLab issues (REST API v4): gitlab.com or a self-managed instance.

- base URL: ``--url`` (the instance, e.g. https://gitlab.example.com), else ``$GITLAB_URL``,
  else https://gitlab.com; the API is under ``/api/v4``;
- token: ``$GITLAB_TOKEN`` (``PRIVATE-TOKEN`` header), with the ``api`` scope;
- create: ``POST /projects/:id/issues`` (``:id`` the URL-encoded path) with title,
  description, labels (comma-separated), due_date and assignee_ids (the owner map's
  username looked up with ``GET /users?username=``);
- read: ``GET /projects/:id/issues/:iid``: ``state`` opened/closed (GitLab has no
  "not planned": closed is done);
- find after an interrupted push: ``GET /projects/:id/issues?search=&in=description``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from pmtui.trackers import Adapter, Http, IssueState, NewIssue, Rejected, Target, markers_in, need

_ISSUE_URL = re.compile(r"^(?P<base>https?://[^/]+(?:/.*?)?)/(?P<path>[\w.-]+(?:/[\w.-]+)+)/-/(?:issues|work_items)/"
                        r"(?P<iid>\d+)/?$")


def _field(body: Any) -> str | None:
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, dict) and message:
            return str(next(iter(message)))
        error = body.get("error")
        if isinstance(error, str):
            m = re.match(r"([\w\[\]]+) (is missing|is invalid|does not have a valid value)", error)
            if m:
                return m.group(1)
    return None


class Tracker(Adapter):
    NAME = "GitLab"
    ENV = ("GITLAB_TOKEN", "GITLAB_URL")

    def __init__(self, target: Target, env: Mapping[str, str]) -> None:
        super().__init__(target, env)
        token = need(env, "GITLAB_TOKEN", "GitLab")
        self.http = Http(f"{target.url}/api/v4", {"PRIVATE-TOKEN": token, "Accept": "application/json"}, self.NAME,
                         field_of=_field)
        self.project_id = quote(target.project, safe="")

    @classmethod
    def default_url(cls, env: Mapping[str, str]) -> str:
        return env.get("GITLAB_URL", "").strip() or "https://gitlab.com"

    @classmethod
    def owns(cls, url: str) -> bool:
        return bool(_ISSUE_URL.match(url.strip()))

    @classmethod
    def target_of(cls, url: str, env: Mapping[str, str], given: str | None) -> Target:
        m = _ISSUE_URL.match(url.strip())
        assert m is not None
        base = given or env.get("GITLAB_URL", "").strip()
        path = m["path"]
        if base and url.startswith(base.rstrip("/") + "/"):  # an instance under a sub-path
            path = url[len(base.rstrip("/")) + 1:].split("/-/")[0]
        else:
            base = re.match(r"^https?://[^/]+", url).group(0)  # type: ignore[union-attr]
            path = url[len(base) + 1:].split("/-/")[0]
        return Target("gitlab", path, base.rstrip("/"))

    def find_marked(self, marker: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for page in range(1, 11):
            items = self.http.request("GET", f"projects/{self.project_id}/issues", what="search the project's issues",
                                      params={"search": marker, "in": "description", "scope": "all",
                                              "per_page": 100, "page": page})
            items = items if isinstance(items, list) else []
            for item in items:
                for mark in markers_in(item.get("description") or ""):
                    found.setdefault(mark, item["web_url"])
            if len(items) < 100:
                break
        return found

    def user_id(self, username: str) -> int:
        users = self.http.request("GET", "users", params={"username": username}, what="look up the assignee")
        if not users:
            raise Rejected(f"GitLab has no user {username!r} (the owner map's assignee); fix the config's [owners]")
        return int(users[0]["id"])

    def create(self, issue: NewIssue) -> IssueState:
        payload: dict[str, Any] = {"title": issue.title, "description": f"{issue.body}\n\n<!-- {issue.marker} -->",
                                   "labels": ",".join([*issue.labels, f"priority::{issue.priority}"])}
        if issue.due:
            payload["due_date"] = issue.due
        if issue.assignee:
            payload["assignee_ids"] = [self.user_id(issue.assignee)]
        created = self.http.request("POST", f"projects/{self.project_id}/issues", json=payload,
                                    what="create the issue in the project")
        return self._state(created)

    def read(self, url: str) -> IssueState:
        m = _ISSUE_URL.match(url.strip())
        assert m is not None
        return self._state(self.http.request("GET", f"projects/{self.project_id}/issues/{m['iid']}",
                                             what="read the issue"), url)

    @staticmethod
    def _state(issue: Any, url: str | None = None) -> IssueState:
        closed = issue.get("state") == "closed"
        return IssueState(url or issue["web_url"], "done" if closed else "open", "closed" if closed else "open")
