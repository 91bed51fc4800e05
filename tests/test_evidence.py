"""Evidence in (issue 13): every real sample in ../shared/evidence/ and the traps its
SOURCES.md names, the vendor-shaped fixtures for kinds without a real sample, and bad
files of each kind (truncated, wrong kind, times without a zone)."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SHARED_ROOT, shared
from pmtui import evidence as ev
from pmtui.domain.vocab import ComponentStatus, EventKind
from pmtui.errors import BadInput
from pmtui.evidence import LogKeys
from pmtui.evidence._base import Options

SHARED = SHARED_ROOT / "evidence"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "evidence"
UTC = UTC


def sample(rel: str) -> Path:
    """A real sample from ../shared/evidence (conftest.shared: skipped where absent, a failure under CI)."""
    return shared(rel, root=SHARED)


def utc(event_or_time) -> str:
    at = event_or_time.at if isinstance(event_or_time, ev.EvidenceEvent) else event_or_time
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def assert_sorted(batch: ev.EvidenceBatch) -> None:
    times = [e.at for e in batch.events]
    assert times == sorted(times)
    assert all(t.tzinfo is not None and t.utcoffset() is not None for t in times)


def bad(match: str, *args, **kwargs) -> str:
    with pytest.raises(BadInput) as err:
        ev.load(*args, **kwargs)
    message = err.value.message
    assert "\n" not in message and "Traceback" not in message
    assert match in message, message
    return message


# ------------------------------------------------------------------ statuspage


def test_githubstatus_updates_become_communications_in_time_order():
    batch = ev.load([sample("statuspage/githubstatus-2024-09-16-incidents.json")])
    assert batch.files == (("githubstatus-2024-09-16-incidents.json", "statuspage"),)
    assert len(batch.events) == 12
    assert batch.sources == {"statuspage:githubstatus": 12}
    # Trap: the API lists newest first; the timeline is oldest first.
    assert_sorted(batch)
    assert utc(batch.first) == "2024-09-16T13:29:47.204000Z"
    assert utc(batch.last) == "2024-09-16T22:08:39.333000Z"
    assert {e.kind for e in batch.events} == {EventKind.communication}
    assert batch.events[0].text == "[Disruption with Git SSH] Investigating: We are currently investigating this issue."
    assert batch.events[-1].step == "resolved"
    assert batch.zone_note is None


def test_githubstatus_html_body_becomes_plain_text_and_original_keeps_it():
    batch = ev.load([sample("statuspage/githubstatus-2024-09-16-incidents.json")])
    (event,) = [e for e in batch.events if e.source_id.endswith("6rswdngzbjfg")]
    assert "<br" not in event.text
    assert "connections failing.\n\nWe have taken suspected problematic hosts" in event.text
    assert event.original.count("<br />") == 2


def test_githubstatus_component_windows():
    batch = ev.load([sample("statuspage/githubstatus-2024-09-16-incidents.json")])
    windows = {w.name: w for w in batch.components}
    # Trap: one incident's affected_components are null (no window from it), and the
    # components[] list (created in 2017/2019) is not a source of times.
    assert set(windows) == {"Actions", "Pages"}
    actions, pages = windows["Actions"], windows["Pages"]
    assert actions.worst_status is ComponentStatus.major_outage
    assert (utc(actions.start), utc(actions.end)) == ("2024-09-16T21:31:02.798000Z", "2024-09-16T22:08:39.333000Z")
    assert pages.worst_status is ComponentStatus.partial_outage
    assert (utc(pages.start), utc(pages.end)) == ("2024-09-16T21:31:02.798000Z", "2024-09-16T21:52:44.092000Z")
    assert actions.incident == "Incident with Pages and Actions"
    assert all(w.start.year == 2024 for w in batch.components)
    # The update that names the components carries them with the status it gave them.
    first = next(e for e in batch.events if e.source_id.endswith("9lpqk4965mzb"))
    assert dict(first.components) == {
        "Pages": ComponentStatus.partial_outage, "Actions": ComponentStatus.partial_outage}


def test_myemma_offsets_display_at_and_older_shape():
    path = sample("statuspage/status-myemma-2019-02-incidents.json")
    batch = ev.load([path])
    assert len(batch.events) == 105
    assert batch.sources == {"statuspage:myemma": 105}
    assert_sorted(batch)
    assert utc(batch.first) == "2017-06-11T11:55:00Z"
    assert utc(batch.last) == "2019-02-20T19:40:58.572000Z"
    # Trap: -05:00 and -06:00 (daylight saving) are both kept as written.
    offsets = {e.at.utcoffset() for e in batch.events}
    assert offsets == {timedelta(hours=-5), timedelta(hours=-6)}
    # Trap: 20 updates were back-filled (display_at weeks before created_at): the event
    # is at display_at, the time the page shows.
    raw = json.loads(path.read_text())
    updates = {u["id"]: u for i in raw["incidents"] for u in i["incident_updates"]}
    backfilled = [
        u for u in updates.values()
        if datetime.fromisoformat(u["display_at"]) < datetime.fromisoformat(u["created_at"])
    ]
    assert len(backfilled) == 20
    by_id = {e.source_id.split("/")[1]: e for e in batch.events}
    for u in backfilled:
        assert by_id[u["id"]].at == datetime.fromisoformat(u["display_at"])
        assert by_id[u["id"]].at.utcoffset() == datetime.fromisoformat(u["display_at"]).utcoffset()
    # Trap: one incident's updates are not newest-first by display_at.
    outage = [e for e in batch.events if e.text.startswith("[Partial App Outage]")]
    assert [e.step for e in outage] == ["identified", "investigating", "resolved"]


def test_myemma_component_windows_skip_no_component_notices():
    batch = ev.load([sample("statuspage/status-myemma-2019-02-incidents.json")])
    names = {w.name for w in batch.components}
    # Trap: 19 entries read "No components were affected by this update." without code or status.
    assert not any("No components" in n for n in names)
    home = [w for w in batch.components if w.name == "Web Application - Home" and w.start.year == 2019]
    assert [(utc(w.start), utc(w.end), w.worst_status) for w in home] == [
        ("2019-01-25T15:36:07.812000Z", "2019-01-25T16:58:48.623000Z", ComponentStatus.degraded_performance),
        ("2019-02-18T13:28:41.403000Z", "2019-02-18T13:47:17.019000Z", ComponentStatus.degraded_performance),
    ]
    down = {w.name: w for w in batch.components if w.start.date().isoformat() == "2018-10-22"}
    assert len(down) == 18
    assert down["API"].worst_status is ComponentStatus.major_outage
    assert down["Email Sending - Email Campaigns"].worst_status is ComponentStatus.degraded_performance
    assert (utc(down["API"].start), utc(down["API"].end)) == ("2018-10-23T04:57:26.918000Z",
                                                            "2018-10-23T06:12:07.623000Z")
    assert all(w.end is not None and w.end > w.start for w in batch.components)
    assert all(w.start.utcoffset() in {timedelta(hours=-5), timedelta(hours=-6)} for w in batch.components)


def test_statuspage_single_incident_and_since_until(tmp_path):
    raw = json.loads(sample("statuspage/githubstatus-2024-09-16-incidents.json").read_text())
    one = tmp_path / "incident.json"
    one.write_text(json.dumps({"page": raw["page"], "incident": raw["incidents"][0]}))
    batch = ev.load([one])
    assert ev.detect(one) == "statuspage"
    assert len(batch.events) == 6 and {w.name for w in batch.components} == {"Actions", "Pages"}
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(raw["incidents"][1]))
    assert len(ev.load([bare], kind="statuspage").events) == 6
    some = ev.load([sample("statuspage/githubstatus-2024-09-16-incidents.json")],
                   since="2024-09-16T21:40:00Z", until="2024-09-16T22:00:00+00:00")
    assert [utc(e) for e in some.events] == ["2024-09-16T21:52:44.092000Z", "2024-09-16T21:53:48.129000Z",
                                             "2024-09-16T21:55:28.472000Z"]
    assert some.skipped == {"outside --since/--until": 9}
    assert {w.name for w in some.components} == {"Actions", "Pages"}


# ------------------------------------------------------------------- pagerduty


def test_pagerduty_log_entries_response():
    batch = ev.load([sample("pagerduty/api-schema-log_entries-example.json")])
    (event,) = batch.events
    assert batch.files[0][1] == "pagerduty"
    assert (event.kind, event.step, event.actor) == (EventKind.alert, "trigger", "My Mail Service")
    assert utc(event) == "2015-11-07T00:14:20Z"
    assert event.source == "pagerduty" and event.source_id == "Q02JTSNZWHSEKV"
    assert event.text == "[#1234] The server is on fire.: Triggered through the API"
    assert json.loads(event.original)["id"] == "Q02JTSNZWHSEKV"


def test_pagerduty_v2_webhooks_make_the_incident_lifecycle():
    folder = sample("pagerduty/webhooks-v2-PRORDTY")
    files = sorted(folder.glob("*.json"), reverse=True)  # given newest first: still in time order
    batch = ev.load(files)
    assert [k for _, k in batch.files] == ["pagerduty"] * 4
    assert_sorted(batch)
    assert [(e.kind, e.step) for e in batch.events] == [
        (EventKind.alert, "trigger"), (EventKind.action, "acknowledge"), (EventKind.event, "assign"),
        (EventKind.action, "resolve"),
    ]
    assert {e.actor for e in batch.events} == {"Laura Haley"}
    assert batch.events[1].text == "[#33] My new incident: Acknowledged by Laura Haley"
    assert utc(batch.first) == "2017-09-26T15:14:36Z" and utc(batch.last) == "2017-09-26T15:18:09Z"
    assert batch.sources == {"pagerduty": 4}


def test_pagerduty_same_entry_twice_is_kept_once():
    trigger = sample("pagerduty/webhooks-v2-PRORDTY/1-trigger.json")
    batch = ev.load([trigger, trigger])
    assert len(batch.events) == 1
    assert batch.skipped == {"the same event in two files": 1}


def test_pagerduty_v3_webhooks():
    ack = ev.load([FIXTURES / "pagerduty-webhook-v3-acknowledged.json"]).events[0]
    assert (ack.kind, ack.step, ack.actor) == (EventKind.action, "acknowledge", "Alice Example")
    assert ack.text == "[#2] Checkout p99 latency above 2s: Acknowledged by Alice Example"
    note = ev.load([FIXTURES / "pagerduty-webhook-v3-annotated.json"]).events[0]
    assert note.kind is EventKind.communication
    assert note.text.endswith("Note added by Alice Example: Cache node replacement started.")


# ----------------------------------------------------------------------- slack


def test_slack_folder_and_zip_give_the_same_events():
    folder = sample("slack/slack-export-viewer-testarchive")
    archive = sample("slack/slack-export-viewer-testarchive.zip")
    for channel, count, bots in (("enrique", 96, 66), ("#traveling-sailor", 51, 28)):
        a = ev.load([folder], channel=channel)
        b = ev.load([archive], channel=channel)
        assert [(e.at, e.text, e.source_id) for e in a.events] == [(e.at, e.text, e.source_id) for e in b.events]
        assert len(a.events) == count
        assert a.sources == {f"slack:#{channel.lstrip('#')}": count}
        # Bot messages (empty text, content in attachments) are alerts.
        assert sum(e.kind is EventKind.alert for e in a.events) == bots
        assert all(e.text.strip() for e in a.events)
        assert_sorted(a)


def test_slack_enrique_names_mentions_links_entities_and_noise():
    batch = ev.load([sample("slack/slack-export-viewer-testarchive")], channel="enrique")
    assert utc(batch.first) == "2016-01-15T05:55:52Z" and utc(batch.last) == "2016-03-29T06:44:34Z"
    texts = [e.text for e in batch.events]
    assert not any("<@U" in t or "<http" in t or "&gt;" in t for t in texts)
    assert texts[0] == (
        "Hamza Faran: @Harry Potter: Created an issue for a setup.py so that it can be installed to a standard place"
    )
    assert any(t.startswith('heroeshannibal: >"Essentially what I\'m getting') for t in texts)
    bot = next(e for e in batch.events if e.kind is EventKind.alert)
    assert bot.actor == "github" and bot.original  # named from the "added an integration" notice
    assert "1 new commit by Anthony Bilinski" in bot.text
    # Joins and integration notices are skipped, and counted.
    assert batch.skipped == {"slack channel_join": 4, "slack bot_add": 2}
    assert not any("has joined the channel" in t for t in texts)


def test_slack_times_are_utc_epoch_not_day_file_names():
    batch = ev.load([sample("slack/slack-export-viewer-testarchive")], channel="enrique")
    # Trap: day files are named by the workspace's local date; ts is UTC.
    first = batch.events[0]
    assert "enrique/2016-01-14.json" in first.where and first.at.date().isoformat() == "2016-01-15"
    other_day = [e for e in batch.events if e.where.split("/")[-1][:10] != e.at.date().isoformat()]
    assert other_day
    # Trap: the ts fraction is a counter, not micro-seconds: times are whole seconds and
    # messages keep ts order.
    assert all(e.at.microsecond == 0 for e in batch.events)
    assert all(e.at == datetime.fromtimestamp(int(e.source_id.split(".")[0]), UTC) for e in batch.events)
    assert [Decimal(e.source_id) for e in batch.events] == sorted(Decimal(e.source_id) for e in batch.events)


def test_slack_file_share_and_comment_use_the_message_time():
    batch = ev.load([sample("slack/slack-export-viewer-testarchive.zip")], channel="traveling-sailor")
    files = [e for e in batch.events if "uploaded a file" in e.text or "commented on" in e.text]
    assert len(files) == 4
    # Trap: file/comment objects carry their own epoch integers; the message ts is used.
    assert all(e.at == datetime.fromtimestamp(int(e.source_id.split(".")[0]), UTC) for e in files)
    assert files[0].text.startswith("@Hermione Granger uploaded a file: 100 cities")


def test_slack_channel_choice():
    folder = sample("slack/slack-export-viewer-testarchive")
    message = bad("choose one with --channel", [folder])
    assert "enrique" in message and "traveling-sailor" in message
    bad("no channel named general", [folder], channel="general")
    assert len(ev.load([folder], channel="C0JGLMMNX").events) == 96  # enrique, by its id


def _export(tmp_path: Path, messages: list[dict]) -> Path:
    root = tmp_path / "export"
    (root / "incident").mkdir(parents=True)
    (root / "channels.json").write_text(json.dumps([{"id": "C1", "name": "incident"}, {"id": "C2", "name": "ops"}]))
    (root / "users.json").write_text(json.dumps([
        {"id": "U1", "name": "sam", "profile": {"real_name": "Sam Rivera", "display_name": "sam"}},
        {"id": "U2", "name": "kim", "real_name": "Kim Lee"},
    ]))
    (root / "incident" / "2026-03-10.json").write_text(json.dumps(messages))
    return root


def test_slack_threads_markup_and_subtypes(tmp_path):
    root = _export(tmp_path, [
        {"type": "message", "user": "U2", "text": "on it", "ts": "1773151700.000300",
         "thread_ts": "1773151600.000100"},
        {"type": "message", "user": "U1", "text": "<!here> checkout is slow, see <#C2> and <#C2|ops-room>",
         "ts": "1773151600.000100", "thread_ts": "1773151600.000100", "reply_count": 2},
        {"type": "message", "user": "U1",
         "text": "dashboard: <https://grafana.example/d/1|latency> &amp; <mailto:a@b.c>",
         "ts": "1773151650.000200", "thread_ts": "1773151600.000100"},
        {"type": "message", "subtype": "channel_leave", "user": "U2", "text": "<@U2> has left the channel",
         "ts": "1773151800.000400"},
        {"type": "message", "subtype": "channel_topic", "user": "U2", "text": "set the topic",
         "ts": "1773151801.000500"},
        {"type": "message", "subtype": "bot_message", "username": "Alertmanager", "text": "",
         "attachments": [{"fallback": "[FIRING:1] CheckoutLatency"}], "ts": "1773151590.000050"},
    ])
    batch = ev.load([root])
    assert batch.files == (("export", "slack"),)
    assert [e.text for e in batch.events] == [
        "Alertmanager: [FIRING:1] CheckoutLatency",
        "Sam Rivera: @here checkout is slow, see #ops and #ops-room",
        "Sam Rivera: dashboard: latency & a@b.c",
        "Kim Lee: on it",
    ]
    assert batch.events[0].kind is EventKind.alert and batch.events[1].kind is EventKind.communication
    assert [e.thread for e in batch.events] == [None, None, "1773151600.000100", "1773151600.000100"]
    assert batch.skipped == {"slack channel_leave": 1, "slack channel_topic": 1}
    assert batch.events[1].original.startswith("<!here>")


# ----------------------------------------------------------------------- logs


def test_ecs_json_lines_levels_and_ties():
    path = sample("jsonl/ecs-logfile_ecs_log.json")
    assert ev.detect(path) == "jsonl"
    batch = ev.load([path])
    assert [e.level for e in batch.events] == ["debug", "info", "warning", "error", "critical"]
    assert utc(batch.first) == "2025-01-13T09:58:13.631000Z" and utc(batch.last) == "2025-01-13T09:58:13.634000Z"
    assert batch.sources == {"log:ecs-logfile_ecs_log.json": 5}
    # Two lines share a time: file order is kept, ids stay distinct.
    assert [e.text for e in batch.events[-2:]] == [
        "this is a error message num=15", "this is a critical message num=52"]
    assert batch.events[0].original == path.read_text().splitlines()[0]
    errors = ev.load([path], min_level="error")
    assert [e.level for e in errors.events] == ["error", "critical"]
    assert errors.skipped == {"below the minimum level": 3}


def test_pino_epoch_milliseconds_and_numeric_level():
    (event,) = ev.load([sample("jsonl/pino-logfile_pino.0.jsonl")]).events
    assert utc(event) == "2025-04-24T22:08:37.537000Z"
    assert (event.level, event.text, event.kind) == ("info", "Charge request received.", EventKind.event)


def test_logfmt_quoted_values_and_microseconds():
    path = sample("logfmt/logfile_logfmt.0")
    assert ev.detect(path) == "logfmt"
    batch = ev.load([path])
    assert len(batch.events) == 5
    assert utc(batch.first) == "2021-09-15T21:17:10.220731Z" and utc(batch.last) == "2021-09-15T21:18:20.335825Z"
    assert [e.level for e in batch.events] == ["error", "warning", "info", "info", "error"]
    assert batch.events[1].text == (
        "Failed to DeletePod in the provider: pod inc-1-domain-c14-ns-6/fe-inc-1-domain-c14-ns-6-5-656d9bb695-4584b"
        " is not found: PodNotFound"
    )
    assert len(ev.load([path], min_level="warn").events) == 3


def test_bunyan_and_zap_epochs_told_apart_by_magnitude():
    bunyan = ev.load([FIXTURES / "bunyan.jsonl"], min_level="info")
    assert [e.text for e in bunyan.events] == ["request served", "upstream timed out: cache read timeout after 2000ms"]
    assert [e.level for e in bunyan.events] == ["info", "error"]
    zap = ev.load([FIXTURES / "zap.jsonl"])
    assert [(utc(e), e.text) for e in zap.events] == [
        ("2026-03-10T13:03:04.500000Z", "cache node unreachable"),  # +01:00, so first
        ("2026-03-10T14:03:00.120421Z", "listening"),  # epoch seconds with a fraction
        ("2026-03-10T14:03:02.981200Z", "cache miss ratio high"),
        ("2026-03-10T14:03:05Z", "epoch in nanoseconds"),
        ("2026-03-10T14:03:06Z", "epoch in microseconds"),
    ]
    assert zap.events[0].at.utcoffset() == timedelta(hours=1)


def test_csv_with_kind_and_source_columns():
    batch = ev.load([FIXTURES / "notes.csv"])
    assert [(utc(e), e.kind, e.source) for e in batch.events] == [
        ("2026-03-10T13:20:00Z", EventKind.action, "#incident"),
        ("2026-03-10T14:05:00Z", EventKind.alert, "pager"),
        ("2026-03-10T14:10:00Z", EventKind.decision, "csv:notes.csv"),
    ]
    assert batch.events[2].text == "Decided to fail over the cache, since replicas were healthy"


# --------------------------------------------------------- oncall, instatus, opsgenie


def test_oncall_sample_is_invalid_json_and_says_where():
    path = sample("oncall/grafana-oncall-alert_groups-list-example.json")
    # Trap: the published example has a trailing comma; a strict parser rejects it.
    bad("grafana-oncall-alert_groups-list-example.json: line 48, column 5: not valid JSON", [path])
    bad("line 48", [path], kind="oncall")


def test_oncall_alert_group_lifecycle(tmp_path):
    text = sample("oncall/grafana-oncall-alert_groups-list-example.json").read_text()
    fixed = tmp_path / "alert_groups.json"
    fixed.write_text(text.replace("}\n      },\n    }", "}\n      }\n    }"))
    assert ev.detect(fixed) == "oncall"
    batch = ev.load([fixed])
    assert [(utc(e), e.kind, e.step) for e in batch.events] == [
        ("2020-05-19T12:37:01.430444Z", EventKind.alert, "trigger"),
        ("2020-05-19T13:37:01.429805Z", EventKind.action, "resolve"),
        ("2020-05-19T13:37:01.429805Z", EventKind.action, "silence"),
    ]
    assert batch.events[0].text == "Memory above 90% threshold: alert group created (3 alerts)"
    assert batch.events[1].actor == "UCGEIXI1MR1NZ"
    # last_alert.created_at (2020-05-11) is the monitoring tool's, not a group time.
    assert batch.first.date().isoformat() == "2020-05-19"


def test_instatus_api_incidents_and_public_summary():
    batch = ev.load([FIXTURES / "instatus-incidents.json"])
    assert batch.sources == {"instatus:exampleshop": 4}
    assert [e.step for e in batch.events] == ["investigating", "identified", "monitoring", "resolved"]
    assert batch.events[1].text == (
        "[Slow checkout] Identified: The cache cluster lost a node & requests fall back to the database.\n"
        "We are adding capacity."
    )
    windows = {w.name: w for w in batch.components}
    assert set(windows) == {"Checkout", "Payments API"}
    assert windows["Checkout"].worst_status is ComponentStatus.partial_outage  # the incident's impact
    assert (utc(windows["Checkout"].start), utc(windows["Checkout"].end)) == (
        "2026-03-10T14:03:00Z", "2026-03-10T15:20:00Z")
    summary = ev.load([FIXTURES / "instatus-summary.json"])
    (event,) = summary.events
    assert event.source == "instatus:exampleshop" and event.step == "investigating"


def test_opsgenie_alert_log_and_alert():
    logs = ev.load([FIXTURES / "opsgenie-alert-logs.json"])
    assert [(e.kind, e.step) for e in logs.events] == [
        (EventKind.alert, "create"), (EventKind.event, "alertRecipient"), (EventKind.action, "acknowledge"),
        (EventKind.communication, "note"), (EventKind.action, "close"),
    ]
    assert logs.events[2].actor == "alice@example.com"
    alert = ev.load([FIXTURES / "opsgenie-alert.json"])
    assert [(utc(e), e.step) for e in alert.events] == [
        ("2026-03-10T14:05:00.902000Z", "create"),
        ("2026-03-10T14:07:45.120000Z", "acknowledge"),  # createdAt + ackTime 164218 ms
        ("2026-03-10T14:58:21.310000Z", "close"),  # createdAt + closeTime 3200408 ms
    ]


# ------------------------------------------------------------- ids and detection

REAL = [
    ("statuspage/githubstatus-2024-09-16-incidents.json", {}),
    ("statuspage/status-myemma-2019-02-incidents.json", {}),
    ("pagerduty/api-schema-log_entries-example.json", {}),
    ("pagerduty/webhooks-v2-PRORDTY/2-acknowledge.json", {}),
    ("slack/slack-export-viewer-testarchive", {"channel": "enrique"}),
    ("slack/slack-export-viewer-testarchive.zip", {"channel": "traveling-sailor"}),
    ("jsonl/ecs-logfile_ecs_log.json", {}),
    ("jsonl/pino-logfile_pino.0.jsonl", {}),
    ("logfmt/logfile_logfmt.0", {}),
]
KIND_OF = {"statuspage": "statuspage", "pagerduty": "pagerduty", "slack": "slack", "jsonl": "jsonl",
           "logfmt": "logfmt"}


@pytest.mark.parametrize(("rel", "kw"), REAL, ids=[r for r, _ in REAL])
def test_real_samples_detected_with_stable_unique_ids(rel, kw):
    path = sample(rel)
    assert ev.detect(path) == KIND_OF[rel.split("/")[0]]
    first = ev.load([path], **kw)
    second = ev.load([path], **kw)
    ids = [e.key for e in first.events]
    assert ids == [e.key for e in second.events]
    assert len(set(ids)) == len(ids)
    assert first.events == second.events


# fixtures whose time is where no log puts it by default: named as a user would
NAMED_KEYS = {"cloudevent-eventarc-pubsub.json": LogKeys(time=("event.time",))}


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.suffix != ".md"))
def test_fixtures_detected_with_stable_unique_ids(name):
    path = FIXTURES / name
    keys = NAMED_KEYS.get(name)
    kind = ev.detect(path, Options(keys=keys))
    assert kind in ev.KINDS
    # syslog (RFC 3164) and Go's log write no zone, RFC 3164 no year
    kw: dict[str, object] = {"zone": "UTC", "year": 2018, "keys": keys}
    ids = [e.key for e in ev.load([path], **kw).events]
    assert ids == [e.key for e in ev.load([path], kind=kind, **kw).events]
    assert ids and len(set(ids)) == len(ids)


def test_detect_ambiguous_unknown_and_slack_day_file(tmp_path):
    both = tmp_path / "both.json"
    both.write_text(json.dumps({"log_entries": [], "incidents": [{"incident_updates": []}], "page": {}}))
    message = bad("could be", [both])
    assert "statuspage" in message and "pagerduty" in message
    prose = tmp_path / "notes.txt"
    prose.write_text("The cache node went away around lunch.\n")
    message = bad("cannot tell what kind of evidence this is", [prose])
    assert all(kind in message for kind in ev.FILE_KINDS)  # live kinds are never guessed: --from names them
    day = sample("slack/slack-export-viewer-testarchive/enrique/2016-02-07.json")
    bad("give the whole export", [day])
    bad("give the whole export", [day], kind="slack")


# ---------------------------------------------------------------- bad files


def _cut(src: Path, dst: Path, fraction: float = 0.5) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


@pytest.mark.parametrize("rel", [
    "statuspage/githubstatus-2024-09-16-incidents.json",
    "statuspage/status-myemma-2019-02-incidents.json",
    "pagerduty/api-schema-log_entries-example.json",
    "pagerduty/webhooks-v2-PRORDTY/4-resolve.json",
])
def test_truncated_json_documents(tmp_path, rel):
    cut = _cut(sample(rel), tmp_path / Path(rel).name)
    kind = rel.split("/")[0]
    message = bad("the JSON ends before it is complete (is the file cut off?)", [cut])
    assert message.startswith(f"{cut.name}: line ")
    bad("is the file cut off?", [cut], kind=kind)


def test_truncated_logs_name_the_line(tmp_path):
    ecs = sample("jsonl/ecs-logfile_ecs_log.json").read_text()
    cut = tmp_path / "ecs.json"
    cut.write_text(ecs[: ecs.index("num=52")])
    bad("ecs.json:5: the last line is cut off", [cut])
    logfmt = sample("logfmt/logfile_logfmt.0").read_text()
    cut2 = tmp_path / "app.logfmt"
    cut2.write_text(logfmt[: logfmt.index("hello-inc-1-enh-domain-c14-ns-2-7-5ddd6bcd69-6rqct is not found")])
    bad("app.logfmt:5: not a logfmt line", [cut2], kind="logfmt")
    notes = (FIXTURES / "notes.csv").read_text()
    cut3 = tmp_path / "notes.csv"
    cut3.write_text(notes[: notes.index(",decision")])
    bad("notes.csv:3: 2 values for 4 columns", [cut3])


def test_truncated_slack_zip(tmp_path):
    cut = _cut(sample("slack/slack-export-viewer-testarchive.zip"), tmp_path / "export.zip", 0.6)
    bad("export.zip: not a readable zip file", [cut], kind="slack", channel="enrique")


def test_wrong_kind_is_one_plain_sentence():
    folder = sample("slack/slack-export-viewer-testarchive")
    message = bad("not a PagerDuty file; it looks like a Slack export (--from slack)", [folder], kind="pagerduty")
    assert message.startswith("slack-export-viewer-testarchive: ")
    bad("not an Atlassian Statuspage file; it looks like a PagerDuty file (--from pagerduty)",
        [sample("pagerduty/api-schema-log_entries-example.json")], kind="statuspage")
    bad("not a Slack export file; it looks like a JSON-lines log file (--from jsonl)",
        [sample("jsonl/pino-logfile_pino.0.jsonl")], kind="slack")
    bad("not a JSON-lines log file; it looks like a logfmt log file (--from logfmt)",
        [sample("logfmt/logfile_logfmt.0")], kind="jsonl")
    bad("not a logfmt log file", [sample("statuspage/githubstatus-2024-09-16-incidents.json")], kind="logfmt")
    bad("not a CSV file", [sample("logfmt/logfile_logfmt.0")], kind="csv")
    bad("not a Grafana OnCall file", [FIXTURES / "opsgenie-alert.json"], kind="oncall")
    bad("--from 'splunk' is not a kind of evidence", [folder], kind="splunk")
    bad("not a JSON-lines log file; it looks like a Slack export (--from slack)",
        [sample("slack/slack-export-viewer-testarchive.zip")], kind="jsonl")


def test_other_zips_and_folders(tmp_path):
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("app.jsonl", '{"time": "2026-03-10T14:03:00Z", "msg": "ok"}\n')
    bad("logs.zip: is a zip file, not a JSON-lines log file (only Slack exports are read from zips)", [archive],
        kind="jsonl")
    bad("logs.zip: a zip file that is not a Slack export", [archive])
    bad("is a folder, not a logfmt log file", [tmp_path], kind="logfmt")
    bad("a folder that is not a Slack export", [tmp_path])


def test_lone_surrogate_is_refused_with_its_line(tmp_path):
    log = tmp_path / "app.jsonl"
    log.write_text('{"time": "2026-03-10T14:03:00Z", "msg": "ok"}\n'
                   '{"time": "2026-03-10T14:03:01Z", "msg": "bad \\ud800"}\n')
    bad("app.jsonl:2: the event's text contains an invalid character (a lone UTF-16 surrogate)", [log])


def test_summary_for_the_command_line_and_preview():
    batch = ev.load(sorted(sample("pagerduty/webhooks-v2-PRORDTY").glob("*.json")))
    existing = {("pagerduty", batch.events[0].source_id)}
    added, duplicates = ev.split_new(batch, existing)
    assert (len(added), duplicates) == (3, 1)
    out = ev.summary(batch, added, duplicates)
    assert {k: out[k] for k in ("added", "duplicates", "first", "last", "sources")} == {
        "added": 3, "duplicates": 1, "first": "2017-09-26T15:15:17Z", "last": "2017-09-26T15:18:09Z",
        "sources": {"pagerduty": 3},
    }
    assert json.loads(json.dumps(out)) == out


def test_bad_value_names_the_json_path(tmp_path):
    raw = json.loads(sample("statuspage/githubstatus-2024-09-16-incidents.json").read_text())
    raw["incidents"][1]["incident_updates"][3]["display_at"] = "yesterday"
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps(raw))
    bad("incidents.json: incidents[1].incident_updates[3].display_at: not a timestamp (got 'yesterday')", [path])


def test_naive_times_need_a_zone(tmp_path):
    raw = json.loads(sample("statuspage/githubstatus-2024-09-16-incidents.json").read_text())
    for incident in raw["incidents"]:
        for key in ("created_at", "updated_at", "resolved_at", "started_at"):
            incident[key] = incident[key][:19]
        for u in incident["incident_updates"]:
            u["display_at"] = u["display_at"][:19]
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps(raw))
    message = bad("has no UTC offset", [path])
    assert message.startswith("incidents.json: incidents[0].incident_updates[")
    assert "--zone" in message
    batch = ev.load([path], zone="America/Chicago")
    assert {e.at.utcoffset() for e in batch.events} == {timedelta(hours=-5)}
    assert utc(batch.first) == "2024-09-16T18:29:47Z"
    assert batch.zone_note == "times written without a UTC offset were read in America/Chicago"

    log = tmp_path / "app.log"
    log.write_text('time=2026-03-10T14:03:00Z level=info msg="ok"\ntime="2026-03-10 14:03:05" level=warn msg=slow\n')
    bad("app.log:2: time: the time '2026-03-10 14:03:05' has no UTC offset", [log])
    (event_local, _event_ok) = ev.load([log], zone="Europe/Berlin").events
    assert utc(event_local) == "2026-03-10T13:03:05Z" and event_local.at.utcoffset() == timedelta(hours=1)

    lines = tmp_path / "app.jsonl"
    lines.write_text('{"ts": "2026-03-10T14:03:00", "msg": "started"}\n')
    bad("app.jsonl:1: ts: the time", [lines])
    table = tmp_path / "notes.csv"
    table.write_text("at,text\n2026-03-10 14:03,cache node restarted\n")
    bad("notes.csv:2: at: the time", [table])


def test_all_or_nothing_across_files(tmp_path):
    good = sample("pagerduty/webhooks-v2-PRORDTY/1-trigger.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"log_entries": [{"id": "X", "type": "trigger_log_entry", "created_at": "soon"}]}')
    with pytest.raises(BadInput) as err:
        ev.load([good, broken])
    assert err.value.message == "broken.json: log_entries[0].created_at: not a timestamp (got 'soon')"


def test_option_errors(tmp_path):
    path = FIXTURES / "notes.csv"
    bad("--zone 'Mars/Olympus' is not a time zone", [path], zone="Mars/Olympus")
    bad("--min-level 'loud' is not a log level", [path], min_level="loud")
    bad("--since: the time '2026-03-10 14:00' has no UTC offset", [path], since="2026-03-10 14:00")
    bad("--until is before --since", [path], since="2026-03-11T00:00:00Z", until="2026-03-10T00:00:00Z")
    bad("missing.json: no such file", [tmp_path / "missing.json"])
    bad("no evidence files given", [])
    assert len(ev.load([path], since="2026-03-10 14:06", zone="UTC").events) == 1


def test_slack_export_copied_elsewhere_is_still_found(tmp_path):
    # A zip whose files sit under a top folder (as "Export" tools often write it).
    src = sample("slack/slack-export-viewer-testarchive")
    archive = tmp_path / "nested.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(src.rglob("*.json")):
            z.write(f, "My Workspace Slack export/" + f.relative_to(src).as_posix())
    assert ev.detect(archive) == "slack"
    assert len(ev.load([archive], channel="enrique").events) == 96
    copy = tmp_path / "folder"
    shutil.copytree(src, copy)
    assert len(ev.load([copy], channel="enrique").events) == 96


def test_csv_semicolons_and_tabs(tmp_path):
    semi = tmp_path / "export.csv"
    semi.write_text('Timestamp;Message;Level\n2026-03-10T14:03:00+01:00;"cache node lost; failover started";warn\n')
    (event,) = ev.load([semi]).events
    assert (event.text, event.level, utc(event)) == ("cache node lost; failover started", "warning",
                                                     "2026-03-10T13:03:00Z")
    assert event.original == '2026-03-10T14:03:00+01:00;"cache node lost; failover started";warn'
    tabs = tmp_path / "export.tsv"
    tabs.write_text("time\ttext\n2026-03-10T14:03:00Z\tfailover done, traffic back\n")
    assert ev.detect(tabs) == "csv"
    assert ev.load([tabs]).events[0].text == "failover done, traffic back"
    no_text = _write(tmp_path / "notes.tsv", "time\tnote\n2026-03-10T14:03:00Z\tx\n")
    bad("notes.tsv:1: the header has no text column (looked for text, message, msg, event, description, summary, what; name it with --message-key)", [no_text], kind="csv")


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", [
    "instatus-incidents.json", "instatus-summary.json", "opsgenie-alert-logs.json", "opsgenie-alert.json",
    "pagerduty-webhook-v3-acknowledged.json",
])
def test_vendor_shaped_fixtures_bad_files(tmp_path, name):
    text = (FIXTURES / name).read_text()
    kind = ev.detect(FIXTURES / name)
    cut = _write(tmp_path / name, text[: len(text) // 2])
    bad(f"{name}: line ", [cut])
    bad("is the file cut off?", [cut], kind=kind)
    naive = _write(tmp_path / name, re.sub(r'("\d{4}-\d{2}-\d{2}T[\d:.]+)(?:Z|[+-]\d{2}:\d{2})"', r'\1"', text))
    message = bad("has no UTC offset", [naive])
    assert message.startswith(f"{name}: ") and ("[" in message or "." in message.split(":")[1])
    assert ev.load([naive], zone="Europe/Paris").zone_note is not None
    other = "oncall" if kind != "oncall" else "opsgenie"
    bad(f"{name}: not ", [FIXTURES / name], kind=other)


def test_slack_bad_ts_names_the_message(tmp_path):
    root = _export(tmp_path, [{"type": "message", "user": "U1", "text": "hi", "ts": "yesterday"}])
    bad("export/incident/2026-03-10.json: [0].ts: not a Slack timestamp", [root])


def test_file_order_does_not_matter(tmp_path):
    lines = sample("jsonl/ecs-logfile_ecs_log.json").read_text().splitlines()
    shuffled = _write(tmp_path / "ecs.json", "\n".join(reversed(lines)) + "\n")
    a = ev.load([sample("jsonl/ecs-logfile_ecs_log.json")])
    b = ev.load([shuffled])
    assert [e.at for e in b.events] == sorted(e.at for e in b.events)
    assert sorted(e.source_id for e in a.events) == sorted(e.source_id for e in b.events)


def test_missing_samples_fail_under_ci(monkeypatch, tmp_path):
    monkeypatch.setitem(globals(), "SHARED", tmp_path / "nowhere")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI needs the shared evidence samples"):
        sample("statuspage/githubstatus-2024-09-16-incidents.json")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="not here"):
        sample("statuspage/githubstatus-2024-09-16-incidents.json")


def test_log_lines_without_a_time_name_the_line(tmp_path):
    lines = _write(tmp_path / "app.jsonl", '{"msg": "started", "level": "info"}\n')
    bad("app.jsonl:1: no time on this line (looked for @timestamp, timestamp, time, ts, t, datetime, date, eventTime, "
        "asctime, __REALTIME_TIMESTAMP, EdgeStartTimestamp, @t, Timestamp, timeMillis, at; name the key with "
        "--time-key)", [lines], kind="jsonl")
    pairs = _write(tmp_path / "app.log", "level=info msg=started\n")
    bad("app.log:1: no time on this line", [pairs], kind="logfmt")
    spaced = _write(tmp_path / "spaced.log", 'time="2026-03-10 14:03:00 +01:00" level=info msg=started\n'
                                              'time="2026-03-10 13:04:00 UTC" level=info msg=running\n')
    assert [utc(e) for e in ev.load([spaced]).events] == ["2026-03-10T13:03:00Z", "2026-03-10T13:04:00Z"]


def test_statuspage_window_already_open_at_the_first_update(tmp_path):
    def update(uid, at, old, new):
        return {"id": uid, "status": "investigating", "body": "b", "display_at": at, "created_at": at,
                "affected_components": [{"code": "c1", "name": "API", "old_status": old, "new_status": new}]}

    doc = {"page": {"id": "p", "name": "Example", "url": "https://status.example.com"}, "incidents": [{
        "id": "i1", "name": "API errors", "started_at": "2026-03-10T14:00:00Z", "created_at": "2026-03-10T14:01:00Z",
        "resolved_at": "2026-03-10T15:00:00Z",
        "incident_updates": [
            update("u3", "2026-03-10T14:40:00Z", "major_outage", "major_outage"),  # inconsistent: reopens
            update("u2", "2026-03-10T14:20:00Z", "partial_outage", "operational"),
            update("u1", "2026-03-10T14:05:00Z", "partial_outage", "partial_outage"),
        ]}]}
    path = _write(tmp_path / "incidents.json", json.dumps(doc))
    batch = ev.load([path])
    assert batch.sources == {"statuspage:example": 3}
    assert [(utc(w.start), utc(w.end) if w.end else None, w.worst_status.value) for w in batch.components] == [
        ("2026-03-10T14:00:00Z", "2026-03-10T14:20:00Z", "partial_outage"),  # from started_at
        ("2026-03-10T14:40:00Z", "2026-03-10T15:00:00Z", "major_outage"),  # closed at resolved_at
    ]
