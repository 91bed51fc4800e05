"""Linear (GraphQL API).

- API URL: ``--url``, else ``$LINEAR_API_URL``, else https://api.linear.app (``/graphql``);
- key: ``$LINEAR_API_KEY``, a personal API key (``Authorization: <key>``, as Linear asks);
- the team: ``linear:TEAM`` is the team's key (ENG), looked up with ``teams``;
- create: ``issueCreate`` with teamId, title, description, priority (2 high, 3 medium,
  4 low), dueDate, assigneeId (the owner map's e-mail or display name, looked up with
  ``users``) and labelIds (the team's or workspace's labels of these names; a label Linear
  does not have is left out and said);
- read: ``issue(id:)`` with the identifier (ENG-123): its workflow state's type
  ``completed`` is done, ``canceled`` won't do;
- find after an interrupted push: ``issues`` filtered by team and description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pmtui.trackers import Adapter, AuthFailed, Http, IssueState, NewIssue, NotFound, Rejected, Target, markers_in, need

_ISSUE_URL = re.compile(r"^https?://[^/]+/[\w.-]+/issue/(?P<id>[A-Za-z0-9]+-\d+)(?:/[^/]*)?/?$")
PRIORITY = {"high": 2, "medium": 3, "low": 4}  # Linear: 1 urgent, 2 high, 3 medium, 4 low
ISSUE_FIELDS = "id identifier url state { name type }"

CREATE = f"""mutation IssueCreate($input: IssueCreateInput!) {{
  issueCreate(input: $input) {{ success issue {{ {ISSUE_FIELDS} }} }}
}}"""
READ = f"""query Issue($id: String!) {{ issue(id: $id) {{ {ISSUE_FIELDS} }} }}"""
TEAM = """query Team($key: String!) { teams(filter: { key: { eq: $key } }) { nodes { id key name } } }"""
LABELS = """query Labels($names: [String!]!) {
  issueLabels(filter: { name: { in: $names } }, first: 100) { nodes { id name team { key } } }
}"""
USERS = """query Users($filter: UserFilter) { users(filter: $filter) { nodes { id name email } } }"""
FIND = """query Marked($team: String!, $marker: String!, $after: String) {
  issues(filter: { team: { key: { eq: $team } }, description: { contains: $marker } }, first: 100, after: $after) {
    nodes { url description } pageInfo { hasNextPage endCursor }
  }
}"""


def _codes(body: Any) -> list[str]:
    out = []
    for err in (body or {}).get("errors") or [] if isinstance(body, dict) else []:
        ext = err.get("extensions") or {}
        out.append(str(ext.get("code") or ext.get("type") or "").upper())
    return out


def _limited(response: Any) -> bool:
    if response.status_code not in (400, 200):
        return False
    try:
        return "RATELIMITED" in _codes(response.json())
    except ValueError:
        return False


class Tracker(Adapter):
    NAME = "Linear"
    ENV = ("LINEAR_API_KEY", "LINEAR_API_URL")

    def __init__(self, target: Target, env: Mapping[str, str]) -> None:
        super().__init__(target, env)
        key = need(env, "LINEAR_API_KEY", "Linear")
        self.http = Http(target.url, {"Authorization": key, "Content-Type": "application/json",
                                      "Accept": "application/json"}, self.NAME, limited=_limited)
        self._team_id: str | None = None

    @classmethod
    def default_url(cls, env: Mapping[str, str]) -> str:
        return env.get("LINEAR_API_URL", "").strip() or "https://api.linear.app"

    @classmethod
    def owns(cls, url: str) -> bool:
        return bool(_ISSUE_URL.match(url.strip()))

    @classmethod
    def target_of(cls, url: str, env: Mapping[str, str], given: str | None) -> Target:
        m = _ISSUE_URL.match(url.strip())
        assert m is not None
        return Target("linear", m["id"].rsplit("-", 1)[0], (given or cls.default_url(env)).rstrip("/"))

    def query(self, text: str, variables: dict[str, Any], what: str) -> dict[str, Any]:
        body = self.http.request("POST", "graphql", json={"query": text, "variables": variables}, what=what,
                                 keep=(200, 400))
        codes = _codes(body)
        if codes:
            err = body["errors"][0]
            message = str(err.get("message", ""))[:200]
            if any(c in ("AUTHENTICATION_ERROR", "FORBIDDEN", "AUTHENTICATION ERROR") for c in codes):
                raise AuthFailed(f"Linear refused the API key to {what}: check $LINEAR_API_KEY and its access "
                                 "to the team")
            if any("NOT_FOUND" in c or "ENTITY_NOT_FOUND" in c for c in codes) or "not found" in message.lower():
                raise NotFound(f"Linear found no such issue or team to {what}")
            field = ((err.get("extensions") or {}).get("userPresentableMessage") or "")[:200]
            raise Rejected(f"Linear rejected the request to {what}: {field or message}")
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise Rejected(f"Linear answered without data to {what}")
        data: dict[str, Any] = body["data"]
        return data

    def team_id(self) -> str:
        if self._team_id is None:
            nodes = self.query(TEAM, {"key": self.target.project}, "find the team")["teams"]["nodes"]
            if not nodes:
                raise NotFound(f"Linear has no team with the key {self.target.project!r} (see the team's settings)")
            self._team_id = str(nodes[0]["id"])
        return self._team_id

    def find_marked(self, marker: str) -> dict[str, str]:
        found: dict[str, str] = {}
        after: str | None = None
        for _ in range(10):
            page = self.query(FIND, {"team": self.target.project, "marker": marker, "after": after},
                              "search the team's issues")["issues"]
            for node in page["nodes"]:
                for mark in markers_in(node.get("description") or ""):
                    found.setdefault(mark, node["url"])
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
        return found

    def label_ids(self, names: list[str]) -> list[str]:
        nodes = self.query(LABELS, {"names": names}, "find the labels")["issueLabels"]["nodes"]
        by_name: dict[str, str] = {}
        for node in nodes:  # the team's own label first, else the workspace's
            team = (node.get("team") or {}).get("key")
            if team in (None, self.target.project) and (node["name"] not in by_name or team):
                by_name[node["name"]] = node["id"]
        missing = [n for n in names if n not in by_name]
        if missing:
            note = f"Linear has no label {', '.join(missing)}: left out (add it in Linear to have it next time)"
            if note not in self.notes:
                self.notes.append(note)
        return [by_name[n] for n in names if n in by_name]

    def user_id(self, who: str) -> str:
        flt = {"email": {"eq": who}} if "@" in who else {"displayName": {"eq": who}}
        nodes = self.query(USERS, {"filter": flt}, "look up the assignee")["users"]["nodes"]
        if not nodes:
            raise Rejected(f"Linear has no user {who!r} (the owner map's assignee); fix the config's [owners]")
        return str(nodes[0]["id"])

    def create(self, issue: NewIssue) -> IssueState:
        data: dict[str, Any] = {"teamId": self.team_id(), "title": issue.title,
                                "description": f"{issue.body}\n\n{issue.marker}",
                                "priority": PRIORITY.get(issue.priority, 3)}
        labels = self.label_ids(issue.labels)
        if labels:
            data["labelIds"] = labels
        if issue.due:
            data["dueDate"] = issue.due
        if issue.assignee:
            data["assigneeId"] = self.user_id(issue.assignee)
        result = self.query(CREATE, {"input": data}, "create the issue")["issueCreate"]
        if not result.get("success") or not result.get("issue"):
            raise Rejected("Linear did not create the issue (issueCreate answered success: false)")
        return self._state(result["issue"])

    def read(self, url: str) -> IssueState:
        m = _ISSUE_URL.match(url.strip())
        assert m is not None
        node = self.query(READ, {"id": m["id"]}, "read the issue").get("issue")
        if not node:
            raise NotFound(f"Linear has no issue {m['id']}")
        return self._state(node, url)

    @staticmethod
    def _state(node: Any, url: str | None = None) -> IssueState:
        state = node.get("state") or {}
        kind = state.get("type", "")
        ours = "done" if kind == "completed" else "wont_do" if kind in ("canceled", "duplicate") else "open"
        return IssueState(url or node["url"], ours, str(state.get("name") or kind or "?"))
