"""`pmtui actions push` and `pull` against local stand-ins of GitHub, GitLab, Jira and
Linear (tests/tracker_fakes.py, bodies from each API's reference), on SQLite and PostgreSQL:
what is sent (method, path, headers, body), what is stored, what is printed, and every
error's sentence and exit status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pmtui.domain.vocab import ItemKind
from tracker_fakes import TOKEN, GitHub, GitLab, Jira, Linear, reply


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture
def env(monkeypatch, httpserver):
    for name in ("GITHUB_TOKEN", "GITLAB_TOKEN", "JIRA_API_TOKEN", "JIRA_PAT", "LINEAR_API_KEY"):
        monkeypatch.setenv(name, TOKEN)
    monkeypatch.setenv("JIRA_EMAIL", "sre@example.com")
    monkeypatch.delenv("JIRA_PAT")  # Cloud unless a test says Data Center
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("").rstrip("/"))
    for name in ("GITLAB_URL", "JIRA_URL", "LINEAR_API_URL", "PMTUI_TRACKER_MAX_WAIT"):
        monkeypatch.delenv(name, raising=False)
    slept: list[float] = []
    monkeypatch.setattr("pmtui.trackers._sleep", slept.append)
    return slept


def serve(httpserver, fake):
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    return fake


def owners(text: str = '[owners."Payments team"]\ngithub = "payments-oncall"\ngitlab = "jdoe"\n'
                       'jira = "jdoe@example.com"\nlinear = "jdoe@example.com"\n') -> None:
    import os

    Path(os.environ["PMTUI_CONFIG"]).write_text(text)


def seed(store) -> tuple[int, str, list[int]]:
    """A review with three open items (a mapped owner, an unmapped one, none), one done."""
    rid, slug = store.create_review("Checkout latency after cache deploy")
    ids = [
        store.add_item(ItemKind.action, rid, title="Alert when checkout cache evictions exceed 5x baseline",
                       description="So that the next eviction storm pages within minutes.", owner="Payments team",
                       priority="high", due="2026-04-30", type="detect"),
        store.add_item(ItemKind.action, rid, title="Validate cache memory limits at build time", owner="Platform team",
                       type="prevent"),
        store.add_item(ItemKind.action, rid, title="Document the cache rollback steps", priority="low",
                       type="process"),
        store.add_item(ItemKind.action, rid, title="Add the cache panel to the dashboard", status="done"),
    ]
    return rid, slug, ids


def items(store, rid):
    return {i["id"]: i for i in store.list_items(ItemKind.action, rid)}


TRACKERS = {
    "github": (GitHub, "github:acme/payments", None),
    "gitlab": (GitLab, "gitlab:platform/payments", "url"),
    "jira": (Jira, "jira:OPS", "url"),
    "linear": (Linear, "linear:ENG", "url"),
}


def push_args(kind, httpserver, slug, *more):
    _, to, url = TRACKERS[kind]
    return ("actions", "push", slug, "--to", to, *(("--url", httpserver.url_for("").rstrip("/")) if url else ()), *more)


# ---------------------------------------------------------------------- round trips
@pytest.mark.parametrize("kind", list(TRACKERS))
def test_push_then_pull_round_trip(kind, store, cli, httpserver, env):
    fake = serve(httpserver, TRACKERS[kind][0](httpserver.url_for("").rstrip("/")))
    owners()
    rid, slug, ids = seed(store)
    r = cli(*push_args(kind, httpserver, slug))
    assert r.code == 0, r.err
    assert "created 3 issues" in r.out
    assert "'Platform team' has no" in r.out and "written into the issue's body" in r.out
    got = items(store, rid)
    urls = [got[i]["tracker"] for i in ids[:3]]
    assert all(urls) and len(set(urls)) == 3 and got[ids[3]]["tracker"] == ""  # done items are not pushed
    assert all(got[i]["tracker_state"] == "open" for i in ids[:3])
    assert TOKEN not in r.out + r.err

    again = cli(*push_args(kind, httpserver, slug))  # a second push creates nothing
    assert again.code == 0 and "every open action item is linked already" in again.out
    assert len(fake.issues) == 3

    # the first issue is closed in the tracker, the second closed as "won't do"
    keys = list(fake.issues)
    if kind == "github":
        fake.close(1)
        fake.close(2, "not_planned")
    elif kind == "gitlab":
        fake.close(1)
        fake.close(2)
    elif kind == "jira":
        fake.close(keys[0])
        fake.close(keys[1], "Won't Do")
    else:
        fake.set_state(keys[0], "Done")
        fake.set_state(keys[1], "Canceled")
    pull_url = ("--url", httpserver.url_for("").rstrip("/")) if kind == "linear" else ()
    dry = cli("actions", "pull", slug, "--dry-run", *pull_url)
    assert dry.code == 0, dry.err
    assert "would change" in dry.out and "(dry run: nothing was changed)" in dry.out
    assert items(store, rid)[ids[0]]["status"] == "open"
    r = cli("actions", "pull", slug, *pull_url)
    assert r.code == 0, r.err
    got = items(store, rid)
    assert got[ids[0]]["status"] == "done"
    assert got[ids[1]]["status"] == ("done" if kind == "gitlab" else "wont_do")  # GitLab has no "not planned"
    assert got[ids[2]]["status"] == "open"
    assert "open -> done" in r.out
    if kind != "gitlab":
        assert "Closed in" in got[ids[1]]["status_note"] and urls[1] in got[ids[1]]["status_note"]
    assert got[ids[0]]["tracker_state"] == "done" and got[ids[0]]["tracker_pulled"] is not None

    # reopened in the tracker: open again in pmtui
    if kind == "github":
        fake.reopen(1)
    elif kind == "gitlab":
        fake.reopen(1)
    elif kind == "jira":
        fake.reopen(keys[0])
    else:
        fake.set_state(keys[0], "In Progress")
    r = cli("actions", "pull", slug, *pull_url)
    assert r.code == 0 and "done -> open" in r.out
    assert items(store, rid)[ids[0]]["status"] == "open"
    # the export carries what the tracker said
    from pmtui.domain.document import dumps

    doc = dumps(store.export_document(rid))
    assert '"tracker_state": "open"' in doc and '"tracker_label"' in doc


def test_github_requests_are_as_the_reference_says(store, cli, httpserver, env):
    fake = serve(httpserver, GitHub(httpserver.url_for("")))
    owners()
    rid, slug, ids = seed(store)
    assert cli(*push_args("github", httpserver, slug)).code == 0
    search = fake.made("GET", "/search/issues")
    assert len(search) == 1  # one search per review, before creating
    assert search[0][0] == "GET"
    listed = fake.made("GET", "/repos/acme/payments/issues")
    assert len(listed) == 1 and listed[0][2]["Accept"] == "application/vnd.github+json"
    posts = fake.made("POST", "/repos/acme/payments/issues")
    assert len(posts) == 3
    _method, _path, headers, body = posts[0]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-Github-Api-Version"] == "2022-11-28"
    assert body["title"] == "Alert when checkout cache evictions exceed 5x baseline"
    assert body["labels"] == ["postmortem", "detect", "priority: high"]
    assert body["assignees"] == ["payments-oncall"]
    assert "So that the next eviction storm pages" in body["body"]
    assert "**Due:** 2026-04-30" in body["body"]  # GitHub has no due date field
    assert f"pmtui open {slug}" in body["body"]
    review = store.get_review(rid)
    assert f"<!-- pmtui:action {review['uid']}/{ids[0]} -->" in body["body"]
    unmapped = posts[1][3]
    assert "assignees" not in unmapped and "**Owner:** Platform team (no github account" in unmapped["body"]
    assert "assignees" not in posts[2][3] and "Owner" not in posts[2][3]["body"]


def test_gitlab_requests_are_as_the_reference_says(store, cli, httpserver, env):
    fake = serve(httpserver, GitLab(httpserver.url_for("").rstrip("/")))
    owners()
    rid, slug, ids = seed(store)
    assert cli(*push_args("gitlab", httpserver, slug)).code == 0
    posts = [r for r in fake.requests if r[0] == "POST"]
    assert len(posts) == 3
    _, path, headers, body = posts[0]
    assert path in ("/api/v4/projects/platform%2Fpayments/issues", "/api/v4/projects/platform/payments/issues")
    assert headers["Private-Token"] == TOKEN and "Authorization" not in headers
    assert body["title"].startswith("Alert when") and body["due_date"] == "2026-04-30"
    assert body["labels"] == "postmortem,detect,priority::high"
    assert body["assignee_ids"] == [7]  # the owner map's username, looked up
    assert fake.made("GET", "/api/v4/users")
    assert "assignee_ids" not in posts[1][3] and "due_date" not in posts[1][3]
    assert items(store, rid)[ids[0]]["tracker"].endswith("/platform/payments/-/issues/1")


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_jira_requests_are_as_the_reference_says(deployment, store, cli, httpserver, env, monkeypatch):
    fake = Jira(httpserver.url_for("").rstrip("/"))
    if deployment == "datacenter":
        fake.cloud = False
        monkeypatch.delenv("JIRA_EMAIL")
        monkeypatch.setenv("JIRA_PAT", TOKEN)
    serve(httpserver, fake)
    owners('[owners."Payments team"]\njira = "jdoe@example.com"\n' if deployment == "cloud"
           else '[owners."Payments team"]\njira = "jdoe"\n')
    rid, slug, ids = seed(store)
    r = cli(*push_args("jira", httpserver, slug))
    assert r.code == 0, r.err
    search = "/rest/api/2/search/jql" if deployment == "cloud" else "/rest/api/2/search"
    assert len(fake.made("GET", search)) == 1
    posts = fake.made("POST", "/rest/api/2/issue")
    _, _, headers, body = posts[0]
    if deployment == "cloud":
        import base64

        assert headers["Authorization"] == "Basic " + base64.b64encode(f"sre@example.com:{TOKEN}".encode()).decode()
        assert body["fields"]["assignee"] == {"accountId": "5b10ac8d82e05b22cc7d4ef5"}  # the e-mail, looked up
    else:
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert body["fields"]["assignee"] == {"name": "jdoe"}
    fields = body["fields"]
    assert fields["project"] == {"key": "OPS"} and fields["issuetype"] == {"name": "Task"}
    assert fields["summary"].startswith("Alert when") and fields["duedate"] == "2026-04-30"
    assert fields["priority"] == {"name": "High"} and fields["labels"] == ["postmortem", "detect"]
    assert items(store, rid)[ids[0]]["tracker"] == f"{fake.base}/browse/OPS-1"


def test_linear_requests_are_as_the_reference_says(store, cli, httpserver, env):
    fake = serve(httpserver, Linear(httpserver.url_for("").rstrip("/")))
    owners()
    rid, slug, ids = seed(store)
    r = cli(*push_args("linear", httpserver, slug))
    assert r.code == 0, r.err
    for method, path, headers, _body in fake.requests:
        assert (method, path) == ("POST", "/graphql")
        assert headers["Authorization"] == TOKEN  # a personal key goes without "Bearer"
        assert headers["Content-Type"] == "application/json"
    created = [b for *_, b in fake.requests if "issueCreate(" in b["query"]]
    data = created[0]["variables"]["input"]
    assert data["teamId"] == "9cfb482a-81e3-4154-b5b9-2c805e70a02d" and data["priority"] == 2
    assert data["dueDate"] == "2026-04-30" and data["assigneeId"] == "u-jdoe"
    assert data["labelIds"] == ["a1", "a2"]
    assert created[2]["variables"]["input"]["priority"] == 4
    assert items(store, rid)[ids[0]]["tracker"] == "https://linear.app/acme/issue/ENG-1/a-title"


# ---------------------------------------------------------------------- dry run
def test_dry_run_sends_nothing_and_changes_nothing(store, cli, httpserver, env, monkeypatch):
    fake = serve(httpserver, GitHub(httpserver.url_for("")))
    monkeypatch.delenv("GITHUB_TOKEN")  # no credentials needed to see the plan
    owners()
    rid, slug, _ids = seed(store)
    before = items(store, rid)
    r = cli(*push_args("github", httpserver, slug, "--dry-run"))
    assert r.code == 0, r.err
    assert r.out.count("would create in github:acme/payments") == 3
    assert "assigned to payments-oncall" in r.out and "owner Platform team unmapped" in r.out
    assert "would create 3 issues" in r.out and "nothing was sent or changed" in r.out
    assert fake.requests == [] and items(store, rid) == before


# ---------------------------------------------------------------------- interrupted push
@pytest.mark.parametrize("kind", list(TRACKERS))
def test_a_push_stopped_halfway_then_run_again_creates_no_duplicate(kind, store, cli, httpserver, env, monkeypatch):
    fake = serve(httpserver, TRACKERS[kind][0](httpserver.url_for("").rstrip("/")))
    rid, slug, ids = seed(store)
    from pmtui.trackers import sync

    real_link, calls = sync._link, []

    def stopped(*args, **kwargs):  # killed after the 2nd issue was created, before its link was stored
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_link(*args, **kwargs)

    monkeypatch.setattr(sync, "_link", stopped)
    r = cli(*push_args(kind, httpserver, slug))
    assert r.code == 130
    got = items(store, rid)
    assert got[ids[0]]["tracker"] and not got[ids[1]]["tracker"] and not got[ids[2]]["tracker"]
    assert len(fake.issues) == 2  # the second issue exists, unlinked
    monkeypatch.setattr(sync, "_link", real_link)
    r = cli(*push_args(kind, httpserver, slug))
    assert r.code == 0, r.err
    assert "linked (found from an earlier push)" in r.out and "created 1 issue" in r.out
    got = items(store, rid)
    assert len(fake.issues) == 3
    assert len({got[i]["tracker"] for i in ids[:3]}) == 3


# ---------------------------------------------------------------------- conflicts
def test_pull_reports_a_status_changed_in_pmtui_as_a_conflict(store, cli, httpserver, env):
    fake = serve(httpserver, GitHub(httpserver.url_for("")))
    rid, slug, ids = seed(store)
    assert cli(*push_args("github", httpserver, slug)).code == 0
    item = items(store, rid)[ids[0]]
    store.update_item(ItemKind.action, ids[0], expected_version=item["version"], status="wont_do",
                      status_note="Superseded by the new cache")
    fake.close(1)  # closed as completed in GitHub meanwhile
    item = items(store, rid)[ids[1]]
    store.update_item(ItemKind.action, ids[1], expected_version=item["version"], status="done")  # GitHub: still open
    r = cli("actions", "pull", slug)
    assert r.code == 1
    assert "conflict: " in r.out and "pmtui says won't do" in r.out and "nothing written" in r.out
    assert "differs: " in r.out and "pmtui says done, GitHub says open" in r.out
    got = items(store, rid)
    assert got[ids[0]]["status"] == "wont_do" and got[ids[0]]["status_note"] == "Superseded by the new cache"
    assert got[ids[1]]["status"] == "done"
    assert got[ids[0]]["tracker_state"] == "open"  # still the last state agreed on: the conflict stays reported
    assert cli("actions", "pull", slug).code == 1


def test_pull_never_overwrites_a_seat_that_edits_during_the_pull(store, cli, httpserver, env, db_url):
    from pmtui.store import Store

    fake = GitHub(httpserver.url_for(""))
    rid, slug, ids = seed(store)
    serve(httpserver, fake)
    assert cli(*push_args("github", httpserver, slug)).code == 0
    fake.close(1)
    other = Store.open(db_url)
    other.actor = "Ana"
    real = fake.answer

    def edit_while_reading(request, body):  # another seat edits the item while pmtui reads the issue
        if request.path.endswith("/issues/1") and request.method == "GET":
            row = items(other, rid)[ids[0]]
            other.update_item(ItemKind.action, ids[0], expected_version=row["version"], owner="Checkout team")
        return real(request, body)

    fake.answer = edit_while_reading
    try:
        r = cli("actions", "pull", slug)
    finally:
        other.close()
    assert r.code == 1 and "changed by Ana during the pull" in r.out
    got = items(store, rid)[ids[0]]
    assert got["status"] == "open" and got["owner"] == "Checkout team"


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(("kind", "status", "body", "code", "words"), [
    ("github", 401, {"message": "Bad credentials", "status": "401"}, 3, "refused the credentials (401)"),
    ("github", 403, {"message": "Resource not accessible by personal access token", "status": "403"}, 3,
     "refused the credentials (403)"),
    ("github", 404, {"message": "Not Found", "status": "404"}, 4, "404 (not found)"),
    ("github", 410, {"message": "Issues are disabled for this repo", "status": "410"}, 4, "410 (not found)"),
    ("github", 422, {"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "invalid",
                                                               "field": "assignees"}], "status": "422"}, 2,
     "rejected the field 'assignees' (422)"),
    ("github", 502, {"message": "Server Error"}, 6, "server error (502)"),
    ("gitlab", 401, {"message": "401 Unauthorized"}, 3, "refused the credentials"),
    ("gitlab", 404, {"message": "404 Project Not Found"}, 4, "404 (not found)"),
    ("gitlab", 400, {"message": {"due_date": ["is invalid"]}}, 2, "rejected the field 'due_date' (400)"),
    ("jira", 401, {"errorMessages": ["You are not authenticated."], "errors": {}}, 3, "refused the credentials"),
    ("jira", 404, {"errorMessages": ["No project could be found with key 'OPS'."], "errors": {}}, 4, "404 (not found)"),
    ("jira", 400, {"errorMessages": [], "errors": {"priority": "Field 'priority' cannot be set. It is not on the "
                                                               "appropriate screen, or unknown."}}, 2,
     "rejected the field 'priority' (400)"),
    ("linear", 400, {"errors": [{"message": "Authentication required, not authenticated", "extensions": {
        "type": "authentication error", "code": "AUTHENTICATION_ERROR"}}]}, 3, "refused the API key"),
    ("linear", 200, {"errors": [{"message": "Argument Validation Error", "extensions": {
        "code": "INVALID_INPUT", "userPresentableMessage": "dueDate must be a valid date"}}]}, 2,
     "dueDate must be a valid date"),
])
def test_errors_are_one_line_with_their_exit_status(kind, status, body, code, words, store, cli, httpserver, env):
    fake = serve(httpserver, TRACKERS[kind][0](httpserver.url_for("").rstrip("/")))
    rid, slug, _ids = seed(store)
    fake.fail = [reply(body, status)]
    if status in (400, 422, 200):  # a rejected field: on creating the issue
        fake.fail_when = lambda request, data: request.method == "POST" and (kind != "linear"
                                                                           or "issueCreate(" in data["query"])
    r = cli(*push_args(kind, httpserver, slug))
    assert r.code == code, r.err
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pmtui: error: ") and words in lines[0], r.err
    assert TOKEN not in r.out + r.err and "Traceback" not in r.err
    assert not any(i["tracker"] for i in items(store, rid).values())


def test_no_token_is_bad_input_naming_the_variable(store, cli, httpserver, env, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN")
    _rid, slug, _ids = seed(store)
    r = cli(*push_args("github", httpserver, slug))
    assert r.code == 2 and "set $GITHUB_TOKEN in the environment" in r.err


def test_network_failure_is_exit_6(store, cli, env, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{port}")
    _rid, slug, _ids = seed(store)
    r = cli("actions", "push", slug, "--to", "github:acme/payments")
    assert r.code == 6 and "cannot reach GitHub at 127.0.0.1" in r.err
    assert TOKEN not in r.err


def test_rate_limits_are_waited_out_as_the_tracker_says(store, cli, httpserver, env):
    fake = serve(httpserver, GitHub(httpserver.url_for("")))
    _rid, slug, _ids = seed(store)
    secondary = reply({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                                  "try again.", "documentation_url": "https://docs.github.com/rest"}, 403,
                      {"retry-after": "7"})
    primary = reply({"message": "API rate limit exceeded"}, 429, {"x-ratelimit-remaining": "0",
                                                                  "x-ratelimit-reset": str(int(__import__("time").time()) + 30)})
    fake.fail = [secondary, primary]
    r = cli(*push_args("github", httpserver, slug))
    assert r.code == 0, r.err
    assert env[0] == 7 and 25 <= env[1] <= 31  # Retry-After, then the reset time
    assert len(fake.issues) == 3


def test_a_rate_limit_longer_than_the_bound_is_exit_5(store, cli, httpserver, env, monkeypatch):
    fake = serve(httpserver, GitLab(httpserver.url_for("").rstrip("/")))
    monkeypatch.setenv("PMTUI_TRACKER_MAX_WAIT", "60")
    _rid, slug, _ids = seed(store)
    fake.fail = [reply({"message": "Retry later"}, 429, {"Retry-After": "3600"})]
    r = cli(*push_args("gitlab", httpserver, slug))
    assert r.code == 5 and "rate limiting" in r.err and "3600 s" in r.err
    assert env == []  # it did not wait an hour


def test_linear_rate_limit_waits_for_the_reset(store, cli, httpserver, env):
    import time

    fake = serve(httpserver, Linear(httpserver.url_for("").rstrip("/")))
    _rid, slug, _ids = seed(store)
    reset = int((time.time() + 12) * 1000)
    fake.fail = [reply({"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]}, 400,
                       {"X-RateLimit-Requests-Reset": str(reset)})]
    r = cli(*push_args("linear", httpserver, slug))
    assert r.code == 0, r.err
    assert len(env) == 1 and 9 <= env[0] <= 12.5


def test_bad_targets_are_bad_input(store, cli, env):
    _rid, slug, _ids = seed(store)
    for to, words in [("trello:board", "unknown tracker 'trello'"), ("github:payments", "OWNER/REPO"),
                      ("jira:ops", "project key"), ("gitlab", "TRACKER:PROJECT")]:
        r = cli("actions", "push", slug, "--to", to)
        assert r.code == 2 and words in r.err, (to, r.err)
    r = cli("actions", "push", slug, "--to", "jira:OPS")
    assert r.code == 2 and "--url" in r.err
    r = cli("actions", "push", "no-such-review", "--to", "github:a/b")
    assert r.code == 2 and "no review" in r.err
    r = cli("actions", "push", "--to", "github:a/b")
    assert r.code == 2 and "--all" in r.err


def test_push_all_and_the_configured_tracker(store, cli, httpserver, env):
    fake = serve(httpserver, GitHub(httpserver.url_for("")))
    owners('[tracker]\nto = "github:acme/payments"\n')
    seed(store)
    store.create_review("Second review")
    r = cli("actions", "push", "--all")
    assert r.code == 0, r.err
    assert len(fake.issues) == 3


def test_a_push_killed_for_real_then_run_again(store, db_url, httpserver, env, tmp_path):
    """The process is killed (SIGKILL) right after GitHub created the second issue, before
    pmtui could store its link; the next push links that issue and creates only the third."""
    import os
    import signal
    import subprocess
    import sys

    fake = GitHub(httpserver.url_for(""))
    rid, slug, ids = seed(store)
    proc: list[subprocess.Popen] = []
    real = fake.answer

    def kill_on_second_create(request, body):
        answer = real(request, body)
        if request.method == "POST" and len(fake.issues) == 2 and proc:
            os.kill(proc[0].pid, signal.SIGKILL)
            proc[0].wait(timeout=30)
        return answer

    fake.answer = kill_on_second_create
    fake.index_lags = True  # GitHub's search has not indexed the new issue yet: the newest issues are listed
    serve(httpserver, fake)
    args = [sys.executable, "-m", "pmtui", "--db", db_url, "actions", "push", slug, "--to", "github:acme/payments"]
    child_env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc.append(subprocess.Popen(args, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    proc[0].wait(timeout=120)
    assert proc[0].returncode == -signal.SIGKILL
    got = items(store, rid)
    assert got[ids[0]]["tracker"] and not got[ids[1]]["tracker"] and not got[ids[2]]["tracker"]
    assert len(fake.issues) == 2
    proc.clear()
    done = subprocess.run(args, env=child_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "linked (found from an earlier push)" in done.stdout and "created 1 issue" in done.stdout
    got = items(store, rid)
    assert len(fake.issues) == 3 and len({got[i]["tracker"] for i in ids[:3]}) == 3
    assert got[ids[1]]["tracker"] == "https://github.com/acme/payments/issues/2"


def test_pull_reads_the_other_issues_when_one_is_gone(store, cli, httpserver, env):
    fake = serve(httpserver, GitHub(httpserver.url_for("")))
    rid, slug, ids = seed(store)
    assert cli(*push_args("github", httpserver, slug)).code == 0
    del fake.issues["2"]  # deleted in GitHub
    fake.close(3)
    r = cli("actions", "pull", slug)
    assert r.code == 4
    assert "not found: " in r.out and "issues/2" in r.out and "1 issue not found" in r.out
    assert items(store, rid)[ids[2]]["status"] == "done"  # the others were read and taken
    assert items(store, rid)[ids[1]]["status"] == "open"
