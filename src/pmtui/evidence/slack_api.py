"""Slack through its Web API (``--from slack-api --channel NAME|ID``): for teams that
cannot get an export (only workspace admins can).

Reads the channel's history (``conversations.history``), every thread in it
(``conversations.replies``) and the people who wrote or were named (``users.info``),
with cursor pagination and Slack's rate limits (HTTP 429 with ``Retry-After``). The token
is ``SLACK_TOKEN`` (a bot or user token with ``channels:history``, ``channels:read`` and
``users:read``; ``groups:*`` for private channels); the API's address is
``SLACK_API_URL`` (default ``https://slack.com/api``).

What comes back is mapped exactly as an export is (:mod:`pmtui.evidence.slack`): the
same source (``slack:#channel``) and ids (the message ``ts``), so messages already
imported from an export, or by an earlier run, are skipped; people's messages are
communications, apps' are alerts, joins are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from pmtui.errors import AccessRefused, BadInput, ServiceFailed

from . import slack
from ._base import Options, Parsed, from_epoch
from ._http import Client, env_token, env_url

KIND = "slack-api"
LABEL = "Slack (Web API)"
LIVE = True

DEFAULT_URL = "https://slack.com/api"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission",
            "ekm_access_denied", "not_allowed_token_type", "missing_scope"}
PAGE = 200


class _Api:
    """Slack's calls: every answer is HTTP 200 with ``ok``; an error is ``{"ok": false, "error": ...}``."""

    def __init__(self, client: Client, base: str) -> None:
        self.client, self.base = client, base

    def call(self, method: str, params: dict[str, Any], *, channel: str = "") -> dict[str, Any]:
        _, doc = self.client.get(f"{self.base}/{method}", params, where=method,
                                 not_found=f"Slack: {self.base}/{method} does not exist (is SLACK_API_URL right?)")
        if not isinstance(doc, dict):
            raise ServiceFailed(f"Slack: {method} answered with something other than an object")
        if doc.get("ok") is True:
            return doc
        error = str(doc.get("error") or "unknown_error")
        if error in _REFUSED:
            needed = f" (needs the {doc['needed']} scope)" if isinstance(doc.get("needed"), str) else ""
            raise AccessRefused(f"Slack: the token was refused for {method}: {error}{needed}; nothing was added")
        if error in {"channel_not_found", "not_in_channel"}:
            what = "is not in that channel (invite the app to it)" if error == "not_in_channel" else \
                "cannot see that channel"
            raise BadInput(f"Slack: the token {what}: {channel}; nothing was added")
        raise ServiceFailed(f"Slack: {method} failed: {error}; nothing was added")

    def pages(self, method: str, params: dict[str, Any], key: str, *, channel: str = "") -> Iterator[Any]:
        cursor = ""
        while True:
            doc = self.call(method, {**params, "limit": PAGE, **({"cursor": cursor} if cursor else {})},
                            channel=channel)
            items = doc.get(key)
            yield from items if isinstance(items, list) else []
            meta = doc.get("response_metadata")
            cursor = meta.get("next_cursor", "") if isinstance(meta, dict) else ""
            if not cursor:
                return


def _find_channel(api: _Api, given: str) -> tuple[str, str]:
    """(id, name) of the channel given by name (``#incident``, ``incident``) or id."""
    wanted = given.lstrip("#")
    if _CHANNEL_ID.match(wanted):
        try:
            info = api.call("conversations.info", {"channel": wanted}, channel=given)
        except AccessRefused:  # no channels:read: the id still reads history; name it by its id
            return wanted, wanted
        ch = info.get("channel")
        name = ch.get("name") if isinstance(ch, dict) else None
        return wanted, name if isinstance(name, str) and name else wanted
    for ch in api.pages("conversations.list", {"types": "public_channel,private_channel",
                                               "exclude_archived": "false"}, "channels", channel=given):
        if isinstance(ch, dict) and ch.get("name") == wanted and isinstance(ch.get("id"), str):
            return ch["id"], wanted
    raise BadInput(f"Slack: no channel named {wanted} that this token can see (give its id, e.g. C0123ABCD, "
                   "or invite the app to it); nothing was added")


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else f"{value.timestamp():.6f}"


class _Memory(slack.Export):
    """An export held in memory: what the API gave, laid out as an export's files, so the
    one mapping in :mod:`pmtui.evidence.slack` reads both."""

    def __init__(self, name: str, files: dict[str, Any]) -> None:
        self.path = PurePosixPath(name)  # type: ignore[assignment]
        self.name = name
        self.zip = None
        self.prefix = ""
        self.docs = files
        self.files = {inner: inner for inner in files}

    def close(self) -> None:
        pass

    def where(self, inner: str) -> str:
        return f"{self.name} {inner}"

    def json(self, inner: str) -> Any:
        return self.docs[inner]


def fetch(sources: list[str], opts: Options, since: datetime | None, until: datetime | None) -> tuple[str, Parsed]:
    """The channel ``opts.channel`` between ``since`` and ``until``: (a name for messages, what it holds)."""
    if sources:
        raise BadInput("--from slack-api reads no files: give the channel with --channel (and --since/--until)")
    if not opts.channel:
        raise BadInput("--from slack-api needs --channel NAME or ID")
    token = env_token("SLACK_TOKEN", "Slack", "a bot or user token with channels:history and users:read")
    base = env_url("SLACK_API_URL", DEFAULT_URL)
    with Client("Slack", {"Authorization": f"Bearer {token}"}) as client:
        api = _Api(client, base)
        channel_id, name = _find_channel(api, opts.channel)
        bounds = {k: v for k, v in (("oldest", _stamp(since)), ("latest", _stamp(until))) if v}
        if bounds:
            bounds["inclusive"] = "true"
        messages: dict[str, dict[str, Any]] = {}
        threads: list[str] = []
        for m in api.pages("conversations.history", {"channel": channel_id, **bounds}, "messages", channel=name):
            if not isinstance(m, dict) or not isinstance(m.get("ts"), str):
                continue
            messages[m["ts"]] = m
            if isinstance(m.get("reply_count"), int) and m["reply_count"] > 0:
                threads.append(m["ts"])
        for ts in threads:
            for m in api.pages("conversations.replies", {"channel": channel_id, "ts": ts}, "messages", channel=name):
                if isinstance(m, dict) and isinstance(m.get("ts"), str) and m["ts"] not in messages:
                    messages[m["ts"]] = m
        users: list[dict[str, Any]] = []
        for uid in sorted(_people(messages.values())):
            try:
                doc = api.call("users.info", {"user": uid})
            except ServiceFailed:  # user_not_found and the like: the message keeps the id
                continue
            if isinstance(doc.get("user"), dict):
                users.append(doc["user"])
    files: dict[str, Any] = {"channels.json": [{"id": channel_id, "name": name}], "users.json": users}
    for m in messages.values():
        try:
            day = from_epoch(m["ts"].split(".")[0]).astimezone(UTC).strftime("%Y-%m-%d")
        except BadInput:
            day = "0000-00-00"  # the mapping names the bad ts
        files.setdefault(f"{name}/{day}.json", []).append(m)
    label = f"Slack #{name} (API)"
    if not messages:
        return label, Parsed(opts.filter)
    # The call's own options, as every file kind gets them: its filter keeps --since/--until
    # (thread replies outside it are left out, as from an export), stops at the review's
    # cap and counts the incident's window for the message past it. The one channel held
    # is found by the name or id given (channels.json maps the id).
    return label, slack._parse(_Memory(label, files), opts)


def _people(messages: Any) -> set[str]:
    found: set[str] = set()
    for m in messages:
        if isinstance(m.get("user"), str) and m["user"]:
            found.add(m["user"])
        if isinstance(m.get("text"), str):
            found.update(_MENTION.findall(m["text"]))
    return found
