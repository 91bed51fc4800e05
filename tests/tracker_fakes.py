"""Local stand-ins for GitHub, GitLab, Jira and Linear: each answers the calls pmtui makes
the way the tracker's API reference shows (bodies trimmed from its examples: GitHub REST
"Create an issue", "Get an issue", "Search issues and pull requests"; GitLab Issues API
"New issue", "Single project issue", "List project issues"; Jira Cloud/Data Center REST v2
"Create issue", "Get issue", "Search for issues using JQL"; Linear's GraphQL schema
``issueCreate``, ``issue``, ``issues``, ``teams``, ``issueLabels``, ``users``). They keep the
issues they were asked to create, record every request, and let a test close or reopen an
issue as a person in the tracker would."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from werkzeug import Request, Response

TOKEN = "ghp_S3cret-Token-never-shown-42"


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {}, content_type="application/json")


@dataclass
class Fake:
    base: str  # the server's URL
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    fail: list[Response] = field(default_factory=list)  # answers given before the real one, in order
    fail_when: Any = None  # which requests get them (default: every request)

    def handle(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        self.requests.append((request.method, request.path, dict(request.headers), body))
        if self.fail and (self.fail_when is None or self.fail_when(request, body)):
            return self.fail.pop(0)
        return self.answer(request, body)

    def answer(self, request: Request, body: Any) -> Response:  # pragma: no cover
        raise NotImplementedError

    def made(self, method: str, path_re: str) -> list[tuple[str, str, dict[str, str], Any]]:
        return [r for r in self.requests if r[0] == method and re.fullmatch(path_re, r[1])]


class GitHub(Fake):
    """github.com's REST API for OWNER/REPO = acme/payments."""

    index_lags = False  # the search index has not caught up with new issues yet

    def issue(self, number: int, data: dict[str, Any]) -> dict[str, Any]:
        repo = "https://api.github.com/repos/acme/payments"
        return {"id": 1000 + number, "node_id": "MDU6SXNzdWUx", "url": f"{repo}/issues/{number}",
                "repository_url": repo, "html_url": f"https://github.com/acme/payments/issues/{number}",
                "number": number, "state": "open", "state_reason": None, "title": data["title"],
                "body": data.get("body"), "user": {"login": "octocat", "id": 1},
                "labels": [{"id": 208045946, "name": n, "color": "f29513", "default": False}
                           for n in data.get("labels", [])],
                "assignee": None, "assignees": [{"login": a, "id": 2} for a in data.get("assignees", [])],
                "milestone": None, "locked": False, "comments": 0, "closed_at": None,
                "created_at": "2026-03-21T13:33:48Z", "updated_at": "2026-03-21T13:33:48Z",
                "author_association": "COLLABORATOR"}

    def answer(self, request: Request, body: Any) -> Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return reply({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest",
                          "status": "401"}, 401)
        if request.method == "POST" and request.path == "/repos/acme/payments/issues":
            number = len(self.issues) + 1
            self.issues[str(number)] = self.issue(number, body)
            return reply(self.issues[str(number)], 201)
        if request.method == "GET" and request.path == "/repos/acme/payments/issues":
            label = request.args.get("labels", "")
            listed = [i for i in self.issues.values() if label in {lb["name"] for lb in i["labels"]}]
            return reply(sorted(listed, key=lambda i: -i["number"])[:int(request.args.get("per_page", 30))])
        m = re.fullmatch(r"/repos/acme/payments/issues/(\d+)", request.path)
        if request.method == "GET" and m:
            if m.group(1) not in self.issues:
                return reply({"message": "Not Found", "status": "404"}, 404)
            return reply(self.issues[m.group(1)])
        if request.method == "GET" and request.path == "/search/issues":
            q = request.args["q"]
            phrase = re.search(r'"([^"]+)"', q).group(1)
            items = [i for i in self.issues.values() if phrase in (i["body"] or "") and not self.index_lags]
            return reply({"total_count": len(items), "incomplete_results": False,
                          "items": [{**i, "score": 1.0} for i in items]})
        return reply({"message": "Not Found", "status": "404"}, 404)

    def close(self, number: int, reason: str = "completed") -> None:
        self.issues[str(number)].update(state="closed", state_reason=reason, closed_at="2026-03-25T10:00:00Z")

    def reopen(self, number: int) -> None:
        self.issues[str(number)].update(state="open", state_reason="reopened", closed_at=None)


class GitLab(Fake):
    """A self-managed GitLab's REST API v4 for the project platform/payments."""

    def answer(self, request: Request, body: Any) -> Response:
        if request.headers.get("PRIVATE-TOKEN") != TOKEN:
            return reply({"message": "401 Unauthorized"}, 401)
        path = unquote(request.environ.get("RAW_URI", request.path).split("?")[0])
        if request.method == "GET" and request.path == "/api/v4/users":
            users = {"jdoe": 7}
            name = request.args.get("username", "")
            return reply([{"id": users[name], "username": name, "name": "J. Doe", "state": "active",
                           "web_url": f"{self.base}/{name}"}] if name in users else [])
        if not path.startswith("/api/v4/projects/platform%2Fpayments/issues") and \
                not path.startswith("/api/v4/projects/platform/payments/issues"):
            return reply({"message": "404 Project Not Found"}, 404)
        if request.method == "POST":
            if not body.get("title"):
                return reply({"error": "title is missing"}, 400)
            iid = len(self.issues) + 1
            labels = body.get("labels", "")
            self.issues[str(iid)] = {
                "project_id": 4, "id": 84 + iid, "iid": iid, "title": body["title"], "description": body.get("description"),
                "state": "opened", "created_at": "2026-03-21T12:44:33.959Z", "updated_at": "2026-03-21T12:44:33.959Z",
                "closed_at": None, "closed_by": None, "labels": labels.split(",") if labels else [],
                "milestone": None, "assignees": [{"id": a} for a in body.get("assignee_ids", [])],
                "author": {"id": 18, "username": "eileen.lowe", "name": "Alexandra Bashirian", "state": "active"},
                "due_date": body.get("due_date"), "web_url": f"{self.base}/platform/payments/-/issues/{iid}",
                "confidential": False, "issue_type": "issue", "severity": "UNKNOWN",
            }
            return reply(self.issues[str(iid)], 201)
        m = re.search(r"/issues/(\d+)$", path)
        if request.method == "GET" and m:
            if m.group(1) not in self.issues:
                return reply({"message": "404 Not found"}, 404)
            return reply(self.issues[m.group(1)])
        if request.method == "GET":
            search = request.args.get("search", "")
            return reply([i for i in self.issues.values() if search in (i["description"] or "")])
        return reply({"message": "404 Not found"}, 404)

    def close(self, iid: int) -> None:
        self.issues[str(iid)].update(state="closed", closed_at="2026-03-25T10:00:00Z")

    def reopen(self, iid: int) -> None:
        self.issues[str(iid)].update(state="opened", closed_at=None)


class Jira(Fake):
    """Jira Cloud's REST API v2 for the project OPS (basic auth: e-mail and API token)."""

    cloud = True

    def answer(self, request: Request, body: Any) -> Response:
        auth = request.authorization
        if self.cloud and not (auth and auth.username == "sre@example.com" and auth.password == TOKEN):
            return reply({"errorMessages": ["You are not authenticated. Authentication required to perform this "
                                            "operation."], "errors": {}}, 401)
        if not self.cloud and request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return reply({"errorMessages": ["You are not authenticated."], "errors": {}}, 401)
        if request.method == "POST" and request.path == "/rest/api/2/issue":
            fields = body["fields"]
            if fields["project"]["key"] != "OPS":
                return reply({"errorMessages": [], "errors": {"project": "valid project is required"}}, 400)
            n = len(self.issues) + 1
            key = f"OPS-{n}"
            self.issues[key] = {"id": str(10000 + n), "key": key, "fields": {
                **fields, "status": {"name": "To Do", "id": "10000",
                                     "statusCategory": {"id": 2, "key": "new", "colorName": "blue-gray",
                                                        "name": "To Do"}},
                "resolution": None}}
            return reply({"id": str(10000 + n), "key": key, "self": f"{self.base}/rest/api/2/issue/{10000 + n}",
                          "transition": {"status": 200, "errorCollection": {"errorMessages": [], "errors": {}}}}, 201)
        m = re.fullmatch(r"/rest/api/2/issue/(OPS-\d+)", request.path)
        if request.method == "GET" and m:
            if m.group(1) not in self.issues:
                return reply({"errorMessages": ["Issue does not exist or you do not have permission to see it."],
                              "errors": {}}, 404)
            issue = self.issues[m.group(1)]
            return reply({"id": issue["id"], "key": issue["key"], "self": f"{self.base}/rest/api/2/issue/{issue['id']}",
                          "fields": {"status": issue["fields"]["status"], "resolution": issue["fields"]["resolution"]}})
        if request.method == "GET" and request.path in ("/rest/api/2/search/jql", "/rest/api/2/search"):
            phrase = re.search(r'text ~ "\\"([^\\]+)\\""', request.args["jql"]).group(1)
            hits = [{"id": i["id"], "key": i["key"], "fields": {"description": i["fields"]["description"]}}
                    for i in self.issues.values() if phrase in i["fields"]["description"]]
            if request.path.endswith("/jql"):
                return reply({"issues": hits, "isLast": True})
            return reply({"expand": "names,schema", "startAt": 0, "maxResults": 100, "total": len(hits), "issues": hits})
        if request.method == "GET" and request.path == "/rest/api/2/user/search":
            q = request.args.get("query")
            return reply([{"accountId": "5b10ac8d82e05b22cc7d4ef5", "emailAddress": q, "displayName": "J. Doe",
                           "active": True}] if q == "jdoe@example.com" else [])
        return reply({"errorMessages": ["Not found"], "errors": {}}, 404)

    def close(self, key: str, resolution: str = "Done") -> None:
        self.issues[key]["fields"].update(
            status={"name": "Done", "id": "10001", "statusCategory": {"id": 3, "key": "done", "colorName": "green",
                                                                      "name": "Done"}},
            resolution={"id": "10000", "name": resolution, "description": "Work on this issue is complete."})

    def reopen(self, key: str) -> None:
        self.issues[key]["fields"].update(
            status={"name": "In Progress", "id": "3", "statusCategory": {"id": 4, "key": "indeterminate",
                                                                         "colorName": "yellow", "name": "In Progress"}},
            resolution=None)


class Linear(Fake):
    """Linear's GraphQL API (POST /graphql, a personal API key in Authorization)."""

    states = {"Todo": "unstarted", "In Progress": "started", "Done": "completed", "Canceled": "canceled"}

    def answer(self, request: Request, body: Any) -> Response:
        if request.headers.get("Authorization") != TOKEN:
            return reply({"errors": [{"message": "Authentication required, not authenticated", "extensions": {
                "type": "authentication error", "code": "AUTHENTICATION_ERROR",
                "userPresentableMessage": "You need to authenticate to access this operation."}}]}, 400)
        query, var = body["query"], body.get("variables") or {}
        if "teams(" in query:
            nodes = [{"id": "9cfb482a-81e3-4154-b5b9-2c805e70a02d", "key": "ENG", "name": "Engineering"}]
            return reply({"data": {"teams": {"nodes": [n for n in nodes if n["key"] == var["key"]]}}})
        if "issueLabels(" in query:
            have = {"postmortem": "a1", "detect": "a2", "prevent": "a3", "mitigate": "a4", "process": "a5"}
            return reply({"data": {"issueLabels": {"nodes": [{"id": have[n], "name": n, "team": None}
                                                             for n in var["names"] if n in have]}}})
        if "users(" in query:
            email = var["filter"].get("email", {}).get("eq")
            nodes = [{"id": "u-jdoe", "name": "J. Doe", "email": email}] if email == "jdoe@example.com" else []
            return reply({"data": {"users": {"nodes": nodes}}})
        if "issueCreate(" in query:
            data = var["input"]
            n = len(self.issues) + 1
            ident = f"ENG-{n}"
            self.issues[ident] = {"id": f"uuid-{n}", "identifier": ident, "title": data["title"],
                                  "description": data.get("description"), "input": data,
                                  "url": f"https://linear.app/acme/issue/{ident}/a-title", "state": {
                                      "name": "Todo", "type": "unstarted"}}
            issue = {k: self.issues[ident][k] for k in ("id", "identifier", "url", "state")}
            return reply({"data": {"issueCreate": {"success": True, "issue": issue}}})
        if "issue(id:" in query:
            issue = self.issues.get(var["id"])
            if issue is None:
                return reply({"errors": [{"message": "Entity not found: Issue", "extensions": {
                    "code": "INVALID_INPUT", "userPresentableMessage": "Could not find referenced Issue."}}],
                    "data": None}, 200)
            return reply({"data": {"issue": {k: issue[k] for k in ("id", "identifier", "url", "state")}}})
        if "issues(" in query:
            nodes = [{"url": i["url"], "description": i["description"]} for i in self.issues.values()
                     if var["marker"] in (i["description"] or "")]
            return reply({"data": {"issues": {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}}})
        return reply({"errors": [{"message": "Unknown query"}]}, 400)

    def set_state(self, ident: str, name: str) -> None:
        self.issues[ident]["state"] = {"name": name, "type": self.states[name]}
