"""Logs in the shapes teams have (issue 27), on real files (tests/fixtures/evidence,
SOURCES.md there, and ../shared/evidence): journald, Cloudflare, syslog RFC 3164 and
5424, Heroku router lines, Go's log and slog, bunyan, zerolog, logrus and zap JSON, CloudEvents; keys named with --time-key,
--message-key, --level-key and --time-format; messages that say what was guessed and
every key tried; Slack app messages as alerts; and a big log's incident window."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pmtui import evidence as ev
from pmtui.errors import BadInput
from pmtui.evidence import LogKeys

F = Path(__file__).resolve().parent / "fixtures" / "evidence"


def utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def bad(match: str, *args, **kwargs) -> str:
    with pytest.raises(BadInput) as err:
        ev.load(*args, **kwargs)
    assert match in err.value.message, err.value.message
    return err.value.message


# ------------------------------------------------------------------- real shapes


def test_journald_json_two_lines_read_without_options():
    batch = ev.load([F / "journald-lnav.json"])
    assert batch.files == (("journald-lnav.json", "jsonl"),)
    assert [e.text for e in batch.events] == ["python: GPS Reference longitude: 7.358143333",
                                              "python: GPS Reference latitude: 46.908706667"]
    assert utc(batch.events[0].at) == "2018-08-21T14:04:21.221373+00:00"  # __REALTIME_TIMESTAMP in µs
    assert [e.level for e in batch.events] == ["critical", "info"]  # PRIORITY 1 (alert) and 6 (info)


def test_cloudflare_logpush_lines_read_their_nanosecond_time_and_the_request():
    batch = ev.load([F / "cloudflare-logpull.jsonl"])
    first = batch.events[0]
    assert utc(first.at) == "2018-12-17T17:27:07.948000+00:00"
    assert first.text == "GET test.logpull.load.com/assets/docs.css -> 200 (ray 48ab1942af8ac7a7)"
    assert "{" not in first.text  # not the whole JSON line


def test_syslog_rfc3164_needs_a_year_and_a_zone_and_says_so():
    bad("syslog-lnav.log:1: a syslog time without a year", [F / "syslog-lnav.log"], zone="UTC")
    bad("has no UTC offset", [F / "syslog-lnav.log"], year=2007)
    batch = ev.load([F / "syslog-lnav.log"], zone="America/Los_Angeles", year=2007)
    assert batch.files == (("syslog-lnav.log", "text"),)
    assert len(batch.events) == 4
    assert utc(batch.events[-1].at) == "2007-11-03T16:47:02+00:00"
    assert batch.events[0].text == "automount[7998]: lookup(file): lookup for foobar failed"


def test_syslog_rfc5424_reads_its_time_app_and_severity():
    (event,) = ev.load([F / "syslog-rfc5424.log"]).events
    assert utc(event.at) == "2003-10-11T22:14:15.003000+00:00"
    assert event.text.startswith("su: ")
    assert event.level == "critical"  # <34>: auth.crit


def test_heroku_router_lines_import_and_at_is_the_level_not_a_time():
    batch = ev.load([F / "heroku-router.log"])
    assert batch.files == (("heroku-router.log", "text"),)
    router, app = batch.events
    assert utc(router.at) == "2012-12-26T18:12:38+00:00"
    assert router.text.startswith("heroku[router]: at=info method=GET path=/api/v1/dependencies")
    assert router.level == "info"
    assert app.text.startswith("app[web.4]: 72.4.120.81")
    paper = ev.load([F / "heroku-papertrail.log"], zone="UTC", year=2018)
    assert [e.level for e in paper.events] == ["error", "info", None]  # H12 timeout first (in time order)
    assert "code=H12" in paper.events[0].text


def test_heroku_logfmt_body_alone_reads_at_as_the_level(tmp_path):
    # the router line's own pairs: at=info never read as a time
    line = tmp_path / "router.logfmt"
    line.write_text('time=2012-12-26T18:12:38Z at=info method=GET path=/ status=200 msg="GET /"\n')
    (event,) = ev.load([line]).events
    assert event.level == "info" and utc(event.at) == "2012-12-26T18:12:38+00:00"


def test_go_log_and_slog_from_the_go_documentation():
    bad("has no UTC offset", [F / "golog-slog-default.log"])
    (event,) = ev.load([F / "golog-slog-default.log"], zone="America/New_York").events
    assert utc(event.at) == "2022-11-08T20:28:26+00:00" and event.text == "hello count=3" and event.level == "info"
    for name in ("slog-text.logfmt", "slog-json.jsonl"):
        (event,) = ev.load([F / name]).events
        assert utc(event.at) == "2022-11-08T20:28:26+00:00" and event.text == "hello" and event.level == "info"


def test_zerolog_from_its_readme_epoch_seconds_and_an_error_without_a_message():
    batch = ev.load([F / "zerolog-readme.jsonl"])
    assert batch.files == (("zerolog-readme.jsonl", "jsonl"),)
    by_text = {e.text: e for e in batch.events}
    assert len(batch.events) == 6 and all(e.kind.value == "event" for e in batch.events)
    debug = by_text["some debug message"]
    assert utc(debug.at) == "2018-01-19T18:46:13+00:00" and debug.level == "debug"  # "time":1516387573
    assert "foo" not in debug.text  # a context field, not the message
    fatal = by_text["Cannot start myservice: A repo man spends his life getting into tense situations"]
    assert utc(fatal.at) == "2018-01-16T20:07:43+00:00" and fatal.level == "critical"
    # log.Error().Err(err).Msg(""): no message, so the error's words are the text (not "error=...")
    plain, stacked = sorted((e for e in batch.events if e.level == "error"), key=lambda e: e.at)
    assert plain.text == stacked.text == "seems we have an error here"
    assert utc(plain.at) == "2020-12-27T16:07:36+00:00" and utc(stacked.at) == "2020-12-27T16:31:23+00:00"
    assert "stack" in stacked.original and "errors.go" not in stacked.text


def test_logrus_json_from_gitlab_pages_puts_the_error_in_the_text():
    batch = ev.load([F / "logrus-gitlab-pages.jsonl"])
    assert batch.files == (("logrus-gitlab-pages.jsonl", "jsonl"),)
    fatal, vfs, api = batch.events  # in time order
    assert (utc(fatal.at), fatal.level, fatal.kind.value) == ("2021-02-02T21:54:34+00:00", "critical", "event")
    assert fatal.text == "could not create pages daemon: fork/exec /gitlab-pages: permission denied"
    assert (utc(vfs.at), vfs.level) == ("2021-06-10T08:45:19+00:00", "error")
    assert vfs.text == 'vfs.Root: httprange: new resource 403: "403 Forbidden"'
    assert (utc(api.at), api.level) == ("2021-06-23T20:03:30+00:00", "warning")  # logrus writes "warning"
    assert api.text == ('attempted to connect to the API: failed to connect to internal Pages API: '
                        'Get "/api/v4/internal/pages/status": unsupported protocol scheme ""')


def test_zap_production_json_from_authorino_reads_ts_as_epoch_seconds():
    batch = ev.load([F / "zap-authorino.jsonl"])
    assert batch.files == (("zap-authorino.jsonl", "jsonl"),)
    assert len(batch.events) == 15 and {e.level for e in batch.events} == {"info"}
    first, last = batch.events[0], batch.events[-1]
    assert utc(first.at) == "2021-10-19T20:22:19.756388+00:00"  # "ts":1634674939.7563884
    assert first.text == "setting instance base logger" and first.kind.value == "event"
    assert utc(last.at) == "2021-10-19T20:22:39.428617+00:00"
    assert last.text == "successfully acquired lease authorino/cb88a58a.authorino.3scale.net"  # its "\n" dropped
    # two lines with the same words from two controllers stay two events (ids are per line)
    assert [e.text for e in batch.events].count("Starting EventSource") == 2


def test_cloudevent_pubsub_from_google_reads_time_and_the_decoded_message():
    # a structured-mode CloudEvent (Google's Functions Framework conformance data), printed
    # over several lines: its time attribute, and the Pub/Sub message's own words
    # (data.message.data is base64), not the envelope's fields
    batch = ev.load([F / "cloudevent-pubsub-conformance.json"])
    assert batch.files == (("cloudevent-pubsub-conformance.json", "jsonl"),)
    (event,) = batch.events
    assert utc(event.at) == "2020-09-29T11:32:00+00:00"
    assert event.text == "test message 3" and event.kind.value == "event" and event.level is None
    # named keys are dotted paths into the event and win over the guess
    (raw,) = ev.load([F / "cloudevent-pubsub-conformance.json"], keys=LogKeys(message=("data.message.data",))).events
    assert raw.text == "dGVzdCBtZXNzYWdlIDM=" and raw.source_id == event.source_id  # the same record


def test_cloudevent_logged_by_cloud_run_needs_its_nested_time_named():
    # Cloud Run's hello service logging the CloudEvent it received (Eventarc sample
    # output): the record's time is the CloudEvent's, at event.time
    name = "cloudevent-eventarc-pubsub.json"
    message = bad("and not log records with a time", [F / name])
    assert "--time-key event.time" in message and "EdgeStartTimestamp" in message  # every key tried
    batch = ev.load([F / name], keys=LogKeys(time=("event.time",)))
    assert batch.files == ((name, "jsonl"),)
    (event,) = batch.events
    assert utc(event.at) == "2022-10-19T14:13:07.990000+00:00"
    assert event.text == ("Received event of type google.cloud.pubsub.topic.v1.messagePublished. "
                          "Event data: Hello World")
    assert event.level == "info" and event.kind.value == "event"  # severity INFO
    assert "SGVsbG8gV29ybGQ=" in event.original  # the whole record is kept


def test_a_json_array_of_records_reads_each_and_names_the_bad_one(tmp_path):
    log = tmp_path / "entries.json"
    log.write_text(json.dumps([{"timestamp": "2024-05-01T10:00:00Z", "severity": "ERROR", "textPayload": "oom"},
                               {"timestamp": "2024-05-01T10:00:01Z", "jsonPayload": {"message": "restarted"}}],
                              indent=2))
    first, second = ev.load([log]).events
    assert (first.text, first.level, second.text) == ("oom", "error", "restarted")
    log.write_text(json.dumps([{"timestamp": "2024-05-01T10:00:00Z", "message": "a"},
                               {"timestamp": "yesterday", "message": "b"}]))
    bad("entries.json: record 2: timestamp", [log])


def test_bunyan_numeric_levels():
    batch = ev.load([F / "bunyan-lnav-renovate.jsonl"])
    assert [e.level for e in batch.events] == ["debug", "debug", "debug", "info"]
    assert batch.events[-1].text == "Dependency extraction complete"


# --------------------------------------------------------- keys, nested paths, units


def test_nested_message_error_groups_and_named_keys(tmp_path):
    log = tmp_path / "svc.jsonl"
    log.write_text(
        json.dumps({"time": "2024-05-01T10:00:00Z", "level": "ERROR", "msg": "create account failed",
                    "syncsvc": {"CreateAccount": {"err": "pq: connection refused"}}}) + "\n"
        + json.dumps({"specversion": "1.0", "type": "io.k8s.sigs.minikube.error", "time": "2024-05-01T10:00:01Z",
                      "data": {"message": "my error", "name": "BUG"}}) + "\n"
        + json.dumps({"ts": 1714557602.5, "level": "error", "msg": "upload failed",
                      "err": {"type": "TimeoutError", "message": "read timed out"}}) + "\n"
        + json.dumps({"ts": 1714557603, "level": "error", "error": "disk full", "service": "uploads"}) + "\n")
    one, two, three, four = ev.load([log]).events
    assert one.text == "create account failed (syncsvc.CreateAccount.err: pq: connection refused)"
    assert two.text == "my error"  # CloudEvents: data.message
    assert three.text == "upload failed: TimeoutError: read timed out"
    assert four.text == "disk full (service=uploads)"  # no message: the error first, then the other fields
    other = tmp_path / "custom.jsonl"
    other.write_text(json.dumps({"event": {"created": "1714557600123"}, "payload": {"summary": "disk full"},
                                 "sev": {"name": "warn"}}) + "\n")
    bad("no time on this line (looked for @timestamp", [other], kind="jsonl")
    keys = LogKeys(time=("event.created",), message=("payload.summary",), level=("sev.name",), time_format="ms")
    (event,) = ev.load([other], keys=keys).events
    assert utc(event.at) == "2024-05-01T10:00:00.123000+00:00"
    assert event.text == "disk full" and event.level == "warning"
    layout = tmp_path / "access.jsonl"
    layout.write_text(json.dumps({"when": "10/Oct/2000:13:55:36 -0700", "request": "GET /"}) + "\n")
    keys = LogKeys(time=("when",), message=("request",), time_format="%d/%b/%Y:%H:%M:%S %z")
    (event,) = ev.load([layout], keys=keys).events
    assert utc(event.at) == "2000-10-10T20:55:36+00:00"
    for unit, value in (("s", 1714557600), ("us", 1714557600000000), ("ns", "1714557600000000000")):
        f = tmp_path / f"{unit}.jsonl"
        f.write_text(json.dumps({"t0": value, "msg": "x"}) + "\n")
        (event,) = ev.load([f], keys=LogKeys(time=("t0",), time_format=unit)).events
        assert utc(event.at) == "2024-05-01T10:00:00+00:00"


# ----------------------------------------------------------------------- messages


def test_a_file_that_fits_no_kind_says_why_and_every_key_tried(tmp_path):
    f = tmp_path / "events.jsonl"
    f.write_text('{"when": "2024-05-01T10:00:00Z", "msg": "a"}\n{"when": "2024-05-01T10:00:01Z", "msg": "b"}\n')
    message = bad("cannot tell what kind of evidence this is: its lines are JSON objects, but line 1 has no time", [f])
    for key in ("@timestamp", "__REALTIME_TIMESTAMP", "EdgeStartTimestamp", "timeMillis", "--time-key"):
        assert key in message
    assert "Extra data" not in message
    text = tmp_path / "notes.txt"
    text.write_text("the deploy went out\nthen errors\n")
    bad("does not start with a time pmtui knows (RFC 5424 syslog, RFC 3164 syslog", [text])


def test_an_error_in_a_guessed_kind_says_what_was_guessed(tmp_path):
    f = tmp_path / "app.jsonl"
    f.write_text('{"time": "2024-05-01T10:00:00Z", "msg": "a"}\n{"msg": "b"}\n')
    bad("app.jsonl:2: no time on this line", [f])
    bad("(read as a JSON-lines log, the kind its first lines suggest; --from chooses another)", [f])


# ------------------------------------------------------------------- Slack app posts


def test_slack_app_messages_are_alerts(tmp_path):
    export = tmp_path / "export"
    (export / "incident").mkdir(parents=True)
    (export / "channels.json").write_text(json.dumps([{"id": "C1", "name": "incident"}]))
    (export / "users.json").write_text(json.dumps([
        {"id": "U1", "name": "dana", "real_name": "Dana Ruiz"},
        {"id": "UPD", "name": "pagerduty", "is_bot": True, "real_name": "PagerDuty"}]))
    (export / "incident" / "2026-03-10.json").write_text(json.dumps([
        {"type": "message", "ts": "1773151200.000100", "user": "UPD", "bot_id": "B01", "app_id": "A01",
         "bot_profile": {"id": "B01", "name": "PagerDuty", "app_id": "A01"}, "text": "Triggered: checkout 5xx"},
        {"type": "message", "ts": "1773151260.000100", "user": "UPD", "text": "Acknowledged by Dana"},
        {"type": "message", "ts": "1773151320.000100", "user": "U1", "text": "Looking at the deploy now"},
    ]))
    a, b, c = ev.load([export]).events
    assert (a.kind.value, a.text) == ("alert", "PagerDuty: Triggered: checkout 5xx")
    assert b.kind.value == "alert"  # the user is a bot in users.json
    assert (c.kind.value, c.text) == ("communication", "Dana Ruiz: Looking at the deploy now")


# ------------------------------------------------------------ big files and the window


def test_past_the_cap_the_call_says_how_many_fall_in_the_incidents_window(tmp_path):
    log = tmp_path / "big.jsonl"
    with log.open("w") as f:
        for i in range(600):
            f.write(json.dumps({"time": f"2026-03-10T{10 + i // 60:02d}:{i % 60:02d}:00Z", "msg": f"line {i}"}) + "\n")
    window = (datetime(2026, 3, 10, 13, 0, tzinfo=UTC), datetime(2026, 3, 10, 13, 30, tzinfo=UTC))
    message = bad("big.jsonl: 600 events in all, more than the 500 a review can hold", [log], cap=500, window=window)
    assert "31 of them fall inside the incident's window (from 2026-03-10T13:00:00Z to 2026-03-10T13:30:00Z" in message
    assert "--window incident" in message
    batch = ev.load([log], cap=500, since=window[0], until=window[1])
    assert len(batch.events) == 31 and batch.skipped["outside --since/--until"] == 569


def test_window_incident_through_the_command(cli, tmp_path, db_url):
    from pmtui.store import Store

    r = cli("new", "Checkout errors", "--timezone", "UTC")
    rid = r.out.split("\t")[0]
    log = tmp_path / "app.jsonl"
    log.write_text("".join(json.dumps({"time": f"2026-03-10T{h:02d}:00:00Z", "msg": f"at {h}"}) + "\n"
                           for h in range(24)))
    r = cli("evidence", rid, str(log), "--window", "incident")
    assert r.code == 2 and "has no start and no marked events yet" in r.err
    store = Store.open(db_url)
    try:
        review_id = store.resolve(rid)
        store.set_started(review_id, datetime(2026, 3, 10, 12, 10, tzinfo=UTC),
                          expected_version=store.get_review(review_id)["version"])
        event = store.add_event(review_id, at=datetime(2026, 3, 10, 14, 20, tzinfo=UTC), text="Checkout recovered")
        store.set_mark(review_id, "resolved", event, expected_holder=None)
    finally:
        store.close()
    # from 11:40 (the start, 30 minutes before) to 14:50 (the last mark, 30 minutes after)
    r = cli("evidence", rid, str(log), "--window", "incident", "--format", "json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["added"] == 3 and out["first"] == "2026-03-10T12:00:00Z" and out["last"] == "2026-03-10T14:00:00Z"
    r = cli("evidence", rid, str(log), "--window", "incident", "--since", "2026-03-10T11:00:00Z")
    assert r.code == 2 and "give one of them" in r.err


def test_cloudevent_log_through_the_command_with_a_dotted_time_key(cli):
    rid = cli("new", "Checkout errors", "--timezone", "UTC").out.split("\t")[0]
    path = str(F / "cloudevent-eventarc-pubsub.json")
    r = cli("evidence", rid, path)
    assert r.code == 2 and "--time-key event.time" in r.err and "Traceback" not in r.err
    r = cli("evidence", rid, path, "--time-key", "event.time", "--format", "json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["added"] == 1 and out["first"] == out["last"] == "2022-10-19T14:13:07.990000Z"
    r = cli("evidence", rid, path, "--time-key", "event.time", "--format", "json")
    assert r.code == 0 and json.loads(r.out)["added"] == 0  # a rerun adds nothing new


def test_progress_is_reported_while_reading(tmp_path):
    log = tmp_path / "app.jsonl"
    log.write_text("".join(json.dumps({"time": "2026-03-10T10:00:00Z", "msg": "x" * 1000, "n": i}) + "\n"
                           for i in range(3000)))
    seen: list[tuple[int, int]] = []
    ev.load([log], progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == log.stat().st_size
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
