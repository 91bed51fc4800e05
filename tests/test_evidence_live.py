"""Evidence from live sources (issue 27): Slack's Web API, PagerDuty's REST API and a
public status page's address, each against a local HTTP server that answers like the
service for the calls pmtui makes. No test reaches the internet.

The stand-ins answer with real bodies: the status page and PagerDuty answers are the real
files in ../shared/evidence (githubstatus.com's /api/v2/incidents.json, PagerDuty's own
GET /log_entries example and the log entries of its published V2 webhooks); the Slack
stand-in serves the messages, users and channels of the real export in
../shared/evidence/slack as conversations.history, conversations.replies, users.info and
conversations.list pages, in the shapes of Slack's method reference (docs.slack.dev:
``{"ok": true, "messages": [...], "has_more": ..., "response_metadata": {"next_cursor": ...}}``,
``{"ok": false, "error": "invalid_auth"}``, HTTP 429 with ``Retry-After``).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import SHARED_ROOT, shared
from pmtui import evidence as ev
from pmtui.cli.main import main

SHARED = SHARED_ROOT / "evidence"
TOKEN = "xoxb-test-Secret-Token-9f8e7d"


def sample(rel: str) -> Path:
    """A real sample from ../shared/evidence (conftest.shared: skipped where absent, a failure under CI)."""
    return shared(rel, root=SHARED)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def review(db_path, capsys) -> str:
    assert main(["--db", str(db_path), "new", "Checkout errors after a deploy"]) == 0
    capsys.readouterr()
    return "1"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr("pmtui.evidence._http.time.sleep", lambda s: None)


# ---------------------------------------------------------------------- Slack


class SlackStandIn:
    """conversations.list/info/history/replies and users.info over one channel's messages."""

    def __init__(self, server: HTTPServer, channels: list[dict], users: list[dict], messages: list[dict],
                 page: int = 5) -> None:
        self.server, self.channels, self.users, self.page = server, channels, users, page
        # the API gives the parents newest first; replies come from conversations.replies only
        self.parents = sorted((m for m in messages if m.get("thread_ts", m["ts"]) == m["ts"]),
                              key=lambda m: float(m["ts"]), reverse=True)
        self.threads: dict[str, list[dict]] = {}
        for m in messages:
            if "thread_ts" in m:
                self.threads.setdefault(m["thread_ts"], []).append(m)
        for p in self.parents:
            if p["ts"] in self.threads and len(self.threads[p["ts"]]) > 1:
                p["reply_count"] = len(self.threads[p["ts"]]) - 1
        self.calls: list[tuple[str, dict]] = []
        self.rate_limit_once = False
        self.error: str | None = None
        for method in ("conversations.list", "conversations.info", "conversations.history",
                       "conversations.replies", "users.info"):
            server.expect_request(f"/api/{method}").respond_with_handler(self.handler(method))

    def handler(self, method: str):
        def answer(request: Request) -> Response:
            params = dict(request.args)
            self.calls.append((method, {**params, "authorization": request.headers.get("Authorization")}))
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.json({"ok": False, "error": "invalid_auth"})
            if self.rate_limit_once and method == "conversations.history":
                self.rate_limit_once = False
                return Response(json.dumps({"ok": False, "error": "ratelimited"}), status=429,
                                headers={"Retry-After": "2"}, content_type="application/json")
            if self.error:
                return self.json({"ok": False, "error": self.error})
            if method == "conversations.list":
                return self.paged(self.channels, params, "channels")
            if method == "conversations.info":
                found = [c for c in self.channels if c["id"] == params["channel"]]
                return self.json({"ok": True, "channel": found[0]} if found else
                                 {"ok": False, "error": "channel_not_found"})
            if method == "conversations.history":
                if params["channel"] not in {c["id"] for c in self.channels}:
                    return self.json({"ok": False, "error": "channel_not_found"})
                lo, hi = float(params.get("oldest", 0)), float(params.get("latest", 1e12))
                return self.paged([m for m in self.parents if lo <= float(m["ts"]) <= hi], params, "messages")
            if method == "conversations.replies":
                thread = sorted(self.threads.get(params["ts"], []), key=lambda m: float(m["ts"]))
                return self.paged(thread, params, "messages")
            found = [u for u in self.users if u["id"] == params["user"]]
            return self.json({"ok": True, "user": found[0]} if found else {"ok": False, "error": "user_not_found"})
        return answer

    def paged(self, items: list[dict], params: dict, key: str) -> Response:
        start = int(params.get("cursor") or 0)
        limit = min(int(params.get("limit", 100)), self.page)
        chunk = items[start:start + limit]
        more = start + limit < len(items)
        return self.json({"ok": True, key: chunk, "has_more": more,
                          "response_metadata": {"next_cursor": str(start + limit) if more else ""}})

    @staticmethod
    def json(doc: Any) -> Response:
        return Response(json.dumps(doc), status=200, content_type="application/json")


@pytest.fixture
def slack_export() -> Path:
    return sample("slack/slack-export-viewer-testarchive")


def export_parts(folder: Path, channel: str) -> tuple[list[dict], list[dict], list[dict]]:
    channels = json.loads((folder / "channels.json").read_text())
    users = json.loads((folder / "users.json").read_text())
    messages = [m for day in sorted((folder / channel).glob("*.json")) for m in json.loads(day.read_text())]
    return channels, users, messages


@pytest.fixture
def slack(httpserver: HTTPServer, slack_export: Path, monkeypatch) -> SlackStandIn:
    monkeypatch.setenv("SLACK_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", httpserver.url_for("/api"))
    channels, users, messages = export_parts(slack_export, "enrique")
    return SlackStandIn(httpserver, channels, users, messages)


def test_slack_api_reads_what_the_export_holds_page_by_page(slack, slack_export):
    by_api = ev.load([], kind="slack-api", channel="enrique")
    by_export = ev.load([slack_export], kind="slack", channel="enrique")
    assert [(e.at, e.text, e.kind, e.source, e.source_id, e.thread) for e in by_api.events] == \
        [(e.at, e.text, e.kind, e.source, e.source_id, e.thread) for e in by_export.events]
    assert by_api.skipped == by_export.skipped  # joins and other housekeeping left out the same way
    methods = [m for m, _ in slack.calls]
    assert methods.count("conversations.list") == 1 and methods.count("conversations.history") > 2  # paginated
    assert all(call["authorization"] == f"Bearer {TOKEN}" for _, call in slack.calls)
    assert by_api.files == (("Slack #enrique (API)", "slack-api"),)


def test_slack_api_then_export_adds_nothing_twice(slack, slack_export, review, db_path, capsys):
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api",
                         "--channel", "#enrique", "--format", "json")
    assert code == 0, err
    added = json.loads(out)["added"]
    assert added > 10 and TOKEN not in out + err
    code, out, _ = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api", "--channel", "enrique",
                       "--format", "json")
    assert code == 0 and json.loads(out)["added"] == 0 and json.loads(out)["duplicates"] == added
    code, out, _ = run(capsys, "--db", str(db_path), "evidence", review, str(slack_export), "--channel", "enrique",
                       "--format", "json")
    assert code == 0 and json.loads(out)["added"] == 0  # the export holds the same messages: same source and ids


def test_slack_api_by_channel_id_and_window(slack):
    channel_id = next(c["id"] for c in slack.channels if c["name"] == "enrique")
    batch = ev.load([], kind="slack-api", channel=channel_id, since="2016-01-15T00:00:00Z",
                    until="2016-01-16T00:00:00Z")
    assert batch.events and all(e.source == "slack:#enrique" for e in batch.events)
    history = [params for m, params in slack.calls if m == "conversations.history"]
    assert history[0]["oldest"] == "1452816000.000000" and history[0]["latest"] == "1452902400.000000"
    assert "conversations.list" not in [m for m, _ in slack.calls]


def test_slack_api_threads_come_from_replies(httpserver, monkeypatch):
    """A parent with reply_count: its replies are read with conversations.replies (the
    reference's example thread: "island" and three replies)."""
    monkeypatch.setenv("SLACK_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", httpserver.url_for("/api"))
    thread = [
        {"type": "message", "user": "U061F7AUR", "text": "island", "thread_ts": "1482960137.003543",
         "ts": "1482960137.003543"},
        {"type": "message", "user": "U061F7AUR", "text": "one island", "thread_ts": "1482960137.003543",
         "ts": "1483037603.017503", "parent_user_id": "U061F7AUR"},
        {"type": "message", "user": "U061F7AUR", "text": "two island", "thread_ts": "1482960137.003543",
         "ts": "1483051909.018632", "parent_user_id": "U061F7AUR"},
        {"type": "message", "user": "U061F7AUR", "text": "three for the land", "thread_ts": "1482960137.003543",
         "ts": "1483125339.020269", "parent_user_id": "U061F7AUR"},
    ]
    users = [{"id": "U061F7AUR", "name": "spengler", "real_name": "Egon Spengler", "is_bot": False,
              "profile": {"real_name": "Egon Spengler", "display_name": "spengler"}}]
    stand_in = SlackStandIn(httpserver, [{"id": "C0123ABCD", "name": "incident"}], users, thread, page=2)
    batch = ev.load([], kind="slack-api", channel="incident")
    assert [e.text for e in batch.events] == ["Egon Spengler: island", "Egon Spengler: one island",
                                              "Egon Spengler: two island", "Egon Spengler: three for the land"]
    assert [e.thread for e in batch.events] == [None, *["1482960137.003543"] * 3]
    assert [m for m, _ in stand_in.calls].count("conversations.replies") == 2  # two pages of the thread


def test_slack_api_app_messages_are_alerts(httpserver, monkeypatch):
    """Current apps (PagerDuty's among them) post as their bot user: ``user`` and
    ``bot_id`` and ``bot_profile``, and users.info says ``is_bot``. That is an alert."""
    monkeypatch.setenv("SLACK_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", httpserver.url_for("/api"))
    messages = [
        {"type": "message", "user": "U0PDBOT01", "bot_id": "B0PD00001", "app_id": "A1FKYAUUX",
         "text": "", "ts": "1726530000.000100",
         "bot_profile": {"id": "B0PD00001", "app_id": "A1FKYAUUX", "name": "PagerDuty", "deleted": False},
         "attachments": [{"fallback": "Triggered: checkout 5xx", "title": "Triggered: checkout 5xx"}]},
        {"type": "message", "user": "U061F7AUR", "text": "Looking at the checkout dashboards now",
         "ts": "1726530060.000200"},
    ]
    users = [{"id": "U0PDBOT01", "name": "pagerduty", "real_name": "PagerDuty", "is_bot": True,
              "profile": {"real_name": "PagerDuty", "bot_id": "B0PD00001"}},
             {"id": "U061F7AUR", "name": "spengler", "real_name": "Egon Spengler", "is_bot": False,
              "profile": {"real_name": "Egon Spengler"}}]
    SlackStandIn(httpserver, [{"id": "C0123ABCD", "name": "incident"}], users, messages)
    batch = ev.load([], kind="slack-api", channel="incident")
    assert [(e.kind.value, e.text) for e in batch.events] == [
        ("alert", "PagerDuty: Triggered: checkout 5xx"),
        ("communication", "Egon Spengler: Looking at the checkout dashboards now"),
    ]


def test_slack_api_waits_as_retry_after_says(slack, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("pmtui.evidence._http.time.sleep", waits.append)
    slack.rate_limit_once = True
    batch = ev.load([], kind="slack-api", channel="enrique")
    assert batch.events and waits == [2.0]


def test_slack_api_rate_limit_past_the_bound_is_one_line(slack, review, db_path, capsys, monkeypatch):
    monkeypatch.setenv("PMTUI_MAX_RATE_WAIT", "1")
    slack.rate_limit_once = True
    code, _out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api", "--channel", "enrique")
    assert code == 4
    assert "rate limited" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("error", "code", "words"), [
    ("invalid_auth", 3, "the token was refused"),
    ("missing_scope", 3, "the token was refused"),
    ("not_in_channel", 2, "invite the app"),
])
def test_slack_api_errors_are_one_line_and_never_show_the_token(slack, review, db_path, capsys, error, code, words):
    slack.error = error
    got, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api", "--channel", "enrique")
    assert got == code and words in err and TOKEN not in out + err and "Traceback" not in err
    assert "nothing was added" in err


def test_slack_api_bad_token_missing_token_and_unknown_channel(slack, review, db_path, capsys, monkeypatch):
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-wrong")
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api", "--channel", "enrique")
    assert code == 3 and "invalid_auth" in err and "xoxb-wrong" not in err
    monkeypatch.delenv("SLACK_TOKEN")
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api", "--channel", "enrique")
    assert code == 3 and "set SLACK_TOKEN" in err
    monkeypatch.setenv("SLACK_TOKEN", TOKEN)
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api", "--channel", "nope")
    assert code == 2 and "no channel named nope" in err
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api")
    assert code == 2 and "needs --channel" in err
    code, out, _ = run(capsys, "--db", str(db_path), "export", review, "--format", "json")
    assert json.loads(out)["timeline"] == []  # nothing was added by any of them


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_network_failure_is_one_line(review, db_path, capsys, monkeypatch):
    monkeypatch.setenv("SLACK_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{closed_port()}/api")
    code, _out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api", "--channel", "x")
    assert code == 4 and "cannot reach 127.0.0.1" in err and "Traceback" not in err and TOKEN not in err


# ------------------------------------------------------------------- PagerDuty

PD_KEY = "u+pd-Secret-Key-123"


@pytest.fixture
def pagerduty(httpserver: HTTPServer, monkeypatch) -> list[dict]:
    """Two pages: PagerDuty's own GET /log_entries example (``more: true``), then the log
    entries of its published V2 webhooks for incident PRORDTY (``more: false``)."""
    monkeypatch.setenv("PAGERDUTY_TOKEN", PD_KEY)
    monkeypatch.setenv("PAGERDUTY_API_URL", httpserver.url_for("/"))
    first = json.loads(sample("pagerduty/api-schema-log_entries-example.json").read_text())
    second = [json.loads(p.read_text())["messages"][0]["log_entries"][0]
              for p in sorted(sample("pagerduty/webhooks-v2-PRORDTY").glob("*.json"))]
    calls: list[dict] = []

    def answer(request: Request) -> Response:
        calls.append({"args": dict(request.args), "auth": request.headers.get("Authorization"),
                      "accept": request.headers.get("Accept")})
        if request.headers.get("Authorization") != f"Token token={PD_KEY}":
            return Response(json.dumps({"error": {"message": "Unauthorized", "code": 2006}}), status=401,
                            content_type="application/json")
        offset = int(request.args.get("offset", 0))
        if offset == 0:
            body = {**first, "offset": 0, "more": True}
        else:
            body = {"log_entries": second, "limit": 100, "offset": offset, "more": False, "total": None}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/incidents/PRORDTY/log_entries").respond_with_handler(answer)
    httpserver.expect_request("/incidents/PNOPE00/log_entries").respond_with_json(
        {"error": {"message": "Not Found", "code": 2100}}, status=404)
    return calls


def test_pagerduty_api_reads_every_page(pagerduty, review, db_path, capsys):
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "pagerduty-api",
                         "--incident", "PRORDTY", "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["added"] == 5 and summary["sources"] == {"pagerduty": 5}
    assert [c["args"]["offset"] for c in pagerduty] == ["0", "1"]
    assert all(c["auth"] == f"Token token={PD_KEY}" and c["accept"] == "application/vnd.pagerduty+json;version=2"
               for c in pagerduty)
    assert pagerduty[0]["args"]["is_overview"] == "false" and pagerduty[0]["args"]["time_zone"] == "UTC"
    code, out, _ = run(capsys, "--db", str(db_path), "evidence", review, "--from", "pagerduty-api",
                       "--incident", "PRORDTY", "--format", "json")
    assert json.loads(out)["added"] == 0 and json.loads(out)["duplicates"] == 5  # a rerun adds only what is new
    # the same entries from the saved webhook files are the same events
    files = sorted(str(p) for p in sample("pagerduty/webhooks-v2-PRORDTY").glob("*.json"))
    code, out, _ = run(capsys, "--db", str(db_path), "evidence", review, *files, "--format", "json")
    assert code == 0 and json.loads(out)["added"] == 0


def test_pagerduty_api_errors(pagerduty, review, db_path, capsys, monkeypatch):
    code, _, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "pagerduty-api", "--incident", "PNOPE00")
    assert code == 2 and "no incident PNOPE00" in err
    code, _, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "pagerduty-api")
    assert code == 2 and "needs --incident" in err
    code, _, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "pagerduty-api",
                       "--incident", "x; rm")
    assert code == 2 and "not a PagerDuty incident id" in err
    monkeypatch.setenv("PAGERDUTY_TOKEN", "wrong-key")
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "pagerduty-api",
                         "--incident", "PRORDTY")
    assert code == 3 and "refused (HTTP 401)" in err and "wrong-key" not in out + err
    code, _, err = run(capsys, "--db", str(db_path), "evidence", review, "--incident", "PRORDTY", "x.json")
    assert code == 2 and "--incident goes with --from pagerduty-api" in err


def test_pagerduty_dry_run_reads_and_changes_nothing(pagerduty, review, db_path, capsys):
    code, out, _ = run(capsys, "--db", str(db_path), "evidence", review, "--from", "pagerduty-api",
                       "--incident", "PRORDTY", "--dry-run")
    assert code == 0 and "would add 5 events" in out and "dry run: nothing was changed" in out
    code, out, _ = run(capsys, "--db", str(db_path), "export", review, "--format", "json")
    assert json.loads(out)["timeline"] == []


# ---------------------------------------------------------------- status pages


def test_statuspage_url_reads_the_pages_incidents(httpserver, review, db_path, capsys):
    body = sample("statuspage/githubstatus-2024-09-16-incidents.json").read_bytes()
    httpserver.expect_request("/api/v2/incidents.json").respond_with_data(body, content_type="application/json")
    url = httpserver.url_for("/")
    by_url = ev.load([url], kind="statuspage-url")
    by_file = ev.load([sample("statuspage/githubstatus-2024-09-16-incidents.json")])
    assert [(e.at, e.text, e.source_id) for e in by_url.events] == [(e.at, e.text, e.source_id) for e in by_file.events]
    assert by_url.components == by_file.components
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "statuspage-url", url,
                         "--format", "json")
    assert code == 0, err
    assert json.loads(out)["added"] == 12 and json.loads(out)["files"][0]["kind"] == "statuspage-url"


def test_statuspage_url_falls_back_to_instatus(httpserver):
    """An Instatus page has no /api/v2/incidents.json; its public summary.json is read."""
    summary = json.loads((Path(__file__).parent / "fixtures" / "evidence" / "instatus-summary.json").read_text())
    httpserver.expect_request("/api/v2/incidents.json").respond_with_data("Not found", status=404)
    httpserver.expect_request("/summary.json").respond_with_json(summary)
    batch = ev.load([httpserver.url_for("/")], kind="statuspage-url")
    assert batch.events and all(e.source.startswith("instatus") for e in batch.events)


def test_statuspage_url_that_is_not_a_status_page(httpserver, review, db_path, capsys):
    httpserver.expect_request("/api/v2/incidents.json").respond_with_data("no", status=404)
    httpserver.expect_request("/summary.json").respond_with_data("<html>hello</html>", content_type="text/html")
    code, _, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "statuspage-url",
                       httpserver.url_for("/"))
    assert code == 4 and "not JSON" in err and "Traceback" not in err
    code, _, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "statuspage-url", "status.example")
    assert code == 2 and "not a status page's address" in err
    code, _, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "statuspage-url")
    assert code == 2 and "reads one address" in err


# ------------------------------------------- past the cap, and the incident's window


def bad_load(match: str, *args, **kwargs) -> str:
    from pmtui.errors import BadInput

    with pytest.raises(BadInput) as err:
        ev.load(*args, **kwargs)
    assert match in err.value.message, err.value.message
    return err.value.message


def at(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def set_incident(db_path: Path, review: str, started: str, resolved: str) -> None:
    """The review's start, and a marked event (resolved): what --window incident reads."""
    from pmtui.store import Store

    store = Store.open(str(db_path))
    try:
        rid = store.resolve(review)
        store.set_started(rid, at(started), expected_version=store.get_review(rid)["version"])
        event = store.add_event(rid, at=at(resolved), text="Service restored")
        store.set_mark(rid, "resolved", event, expected_holder=None)
    finally:
        store.close()


def test_slack_api_past_the_cap_counts_the_incidents_window(slack):
    window = (at("2016-03-17T09:00:00Z"), at("2016-03-17T22:30:00Z"))
    message = bad_load("Slack #enrique (API): 96 events in all, more than the 20 a review can hold", [],
                       kind="slack-api", channel="enrique", cap=20, window=window)
    assert "12 of them fall inside the incident's window (from 2016-03-17T09:00:00Z to 2016-03-17T22:30:00Z" in message
    assert "add --window incident to import those" in message and "nothing was added" in message
    batch = ev.load([], kind="slack-api", channel="enrique", cap=20, since=window[0], until=window[1], window=window)
    assert len(batch.events) == 12 and batch.in_window == 12


def test_slack_api_window_incident_through_the_command(slack, review, db_path, capsys):
    set_incident(db_path, review, "2016-03-17T09:30:00Z", "2016-03-17T22:00:00Z")
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "slack-api",
                         "--channel", "enrique", "--window", "incident", "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["added"] == 12 and summary["first"] == "2016-03-17T09:48:02Z"
    assert summary["last"] == "2016-03-17T21:54:19Z"
    history = [params for m, params in slack.calls if m == "conversations.history"]
    # the window (30 minutes before the start, 30 after the last mark) is asked of Slack itself
    assert history[0]["oldest"] == f"{at('2016-03-17T09:00:00Z').timestamp():.6f}"
    assert history[0]["latest"] == f"{at('2016-03-17T22:30:00Z').timestamp():.6f}"


def test_slack_api_thread_replies_outside_the_range_are_left_out_as_in_an_export(httpserver, monkeypatch, tmp_path):
    """conversations.replies gives the whole thread, whatever --since/--until say: the
    replies outside the range are left out, as the same range leaves them out of an export."""
    monkeypatch.setenv("SLACK_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", httpserver.url_for("/api"))
    thread = [
        {"type": "message", "user": "U061F7AUR", "text": "island", "thread_ts": "1482960137.003543",
         "ts": "1482960137.003543"},
        {"type": "message", "user": "U061F7AUR", "text": "one island", "thread_ts": "1482960137.003543",
         "ts": "1483037603.017503", "parent_user_id": "U061F7AUR"},
        {"type": "message", "user": "U061F7AUR", "text": "two island", "thread_ts": "1482960137.003543",
         "ts": "1483051909.018632", "parent_user_id": "U061F7AUR"},
    ]
    users = [{"id": "U061F7AUR", "name": "spengler", "real_name": "Egon Spengler", "is_bot": False}]
    SlackStandIn(httpserver, [{"id": "C0123ABCD", "name": "incident"}], users, [dict(m) for m in thread])
    export = tmp_path / "export"
    (export / "incident").mkdir(parents=True)
    (export / "channels.json").write_text(json.dumps([{"id": "C0123ABCD", "name": "incident"}]))
    (export / "users.json").write_text(json.dumps(users))
    (export / "incident" / "2016-12-28.json").write_text(json.dumps(thread))
    until = "2016-12-29T20:00:00Z"  # after "one island", before "two island"
    by_api = ev.load([], kind="slack-api", channel="incident", until=until)
    by_export = ev.load([export], channel="incident", until=until)
    assert [e.text for e in by_api.events] == [e.text for e in by_export.events] == [
        "Egon Spengler: island", "Egon Spengler: one island"]
    assert by_api.skipped == by_export.skipped == {"outside --since/--until": 1}


def test_pagerduty_api_past_the_cap_counts_the_incidents_window(pagerduty):
    window = (at("2017-09-26T15:00:00Z"), at("2017-09-26T15:30:00Z"))
    message = bad_load("PagerDuty incident PRORDTY (API): 5 events in all, more than the 4 a review can hold", [],
                       kind="pagerduty-api", incident="PRORDTY", cap=4, window=window)
    assert "4 of them fall inside the incident's window (from 2017-09-26T15:00:00Z to 2017-09-26T15:30:00Z" in message
    assert "--window incident" in message


def test_pagerduty_api_window_incident_through_the_command(pagerduty, review, db_path, capsys):
    set_incident(db_path, review, "2017-09-26T15:10:00Z", "2017-09-26T15:17:00Z")
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "pagerduty-api",
                         "--incident", "PRORDTY", "--window", "incident", "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    # the stand-in answers every entry, as an API may; the 2015 one is outside the window
    assert summary["added"] == 4 and summary["skipped"] == {"outside --since/--until": 1}
    assert summary["first"] == "2017-09-26T15:14:36Z" and summary["last"] == "2017-09-26T15:18:09Z"
    assert pagerduty[0]["args"]["since"] == "2017-09-26T14:40:00Z"
    assert pagerduty[0]["args"]["until"] == "2017-09-26T15:47:00Z"


@pytest.fixture
def github_status(httpserver) -> str:
    body = sample("statuspage/githubstatus-2024-09-16-incidents.json").read_bytes()
    httpserver.expect_request("/api/v2/incidents.json").respond_with_data(body, content_type="application/json")
    return httpserver.url_for("/")


def test_statuspage_url_past_the_cap_counts_the_incidents_window(github_status):
    window = (at("2024-09-16T13:00:00Z"), at("2024-09-16T14:30:00Z"))
    message = bad_load("12 events in all, more than the 10 a review can hold", [github_status],
                       kind="statuspage-url", cap=10, window=window)
    assert message.startswith(github_status.rstrip("/") + "/api/v2/incidents.json: ")
    assert "6 of them fall inside the incident's window (from 2024-09-16T13:00:00Z to 2024-09-16T14:30:00Z" in message
    assert "--window incident" in message


def test_statuspage_url_window_incident_through_the_command(github_status, review, db_path, capsys):
    set_incident(db_path, review, "2024-09-16T13:20:00Z", "2024-09-16T14:28:00Z")
    code, out, err = run(capsys, "--db", str(db_path), "evidence", review, "--from", "statuspage-url", github_status,
                         "--window", "incident", "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["added"] == 6 and summary["skipped"] == {"outside --since/--until": 6}
    assert summary["first"] == "2024-09-16T13:29:47.204000Z"
    assert summary["last"] == "2024-09-16T14:28:03.812000Z"
