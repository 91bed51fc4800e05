"""Slack: a workspace export, as the zip Slack gives or its unpacked folder
(``channels.json``, ``users.json``, and one folder per channel of ``YYYY-MM-DD.json`` day
files), one channel at a time (``channel``; optional when the export holds one).

Each message becomes an event "Name: text" at its ``ts``. ``ts`` is UTC epoch seconds;
its fraction is a sequence number, not a time, so it only orders messages of the same
second. The day files are named by the workspace's local date, so the file name is
never used as a date. Names come from users.json; ``<@U…>``, ``<#C…|name>``,
``<url|label>``, ``<!here>`` and ``&gt;``-style entities are turned into readable text.
Bot messages (their text is often empty, the content in ``attachments``) are alerts;
people's messages are communications; joins, leaves, integrations added and other
housekeeping are skipped (and counted). A reply in a thread keeps the id of the
message that started it (``thread``).
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

from pmtui.document import EventKind
from pmtui.errors import BadInput

from ._base import EvidenceEvent, J, Options, Parsed, decode, from_epoch, join_or, load_json

KIND = "slack"
LABEL = "Slack export"

KEEP = {None, "", "bot_message", "file_share", "file_comment", "file_mention", "thread_broadcast", "me_message"}
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_TS_RE = re.compile(r"^\d{1,12}(?:\.\d{1,9})?$")
_MARKUP = re.compile(r"<([^<>]*)>")
_SERVICE = re.compile(r"/services/(B[A-Z0-9]+)\|([^>]+)>")


class Export:
    """The files of an export, from a folder or a zip, by their path inside it."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        self.files: dict[str, str]  # path inside the export -> the file's path, or its name in the zip
        if path.is_dir():
            self.files = {
                p.relative_to(path).as_posix(): str(p) for p in path.rglob("*.json") if p.is_file()
            }
        else:
            try:
                self.zip = zipfile.ZipFile(path)
                names = [n for n in self.zip.namelist() if n.endswith(".json")]
            except (zipfile.BadZipFile, EOFError, OSError):
                raise BadInput(f"{name}: not a readable zip file (is it cut off?)") from None
            roots = sorted((n for n in names if PurePosixPath(n).name == "channels.json"), key=len)
            if roots:
                self.prefix = roots[0][: -len("channels.json")]
            self.files = {n[len(self.prefix):]: n for n in names if n.startswith(self.prefix)}

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def has(self, inner: str) -> bool:
        return inner in self.files

    def where(self, inner: str) -> str:
        return f"{self.name}:{inner}" if self.zip is not None else f"{self.name}/{inner}"

    def json(self, inner: str) -> Any:
        where = self.where(inner)
        ref = self.files[inner]
        try:
            data = self.zip.read(ref) if self.zip is not None else Path(ref).read_bytes()
        except (zipfile.BadZipFile, EOFError, OSError, KeyError):
            raise BadInput(f"{where}: cannot be read from the export (is it cut off?)") from None
        return load_json(decode(data, where), where)

    def channels(self) -> list[str]:
        found = {
            PurePosixPath(inner).parent.as_posix()
            for inner in self.files
            if "/" in inner and _DAY_RE.match(PurePosixPath(inner).name)
        }
        return sorted(found)

    def days(self, channel: str) -> list[str]:
        return sorted(
            inner for inner in self.files
            if PurePosixPath(inner).parent.as_posix() == channel and _DAY_RE.match(PurePosixPath(inner).name)
        )


def is_zip_magic(path: Path) -> bool:
    """Starts like a zip (a cut-off zip has no directory at its end, but still this)."""
    try:
        with path.open("rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def looks_like_export(path: Path) -> bool:
    try:
        if path.is_dir():
            return (path / "channels.json").is_file() or (path / "users.json").is_file()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                return any(PurePosixPath(n).name in {"channels.json", "users.json"} for n in z.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
    return False


def looks_like_day_file(doc: object) -> bool:
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(m, dict) and m.get("type") == "message" and "ts" in m for m in doc[:20])
    )


@dataclass
class _Names:
    users: dict[str, str]
    channels: dict[str, str]
    bots: dict[str, str]


def _user_names(export: Export) -> dict[str, str]:
    names: dict[str, str] = {}
    if not export.has("users.json"):
        return names
    doc = J(export.json("users.json"), export.where("users.json"))
    for user in doc.items():
        if not isinstance(user.value, dict) or not isinstance(user.value.get("id"), str):
            continue
        u = user.value
        profile: dict[str, Any] = u["profile"] if isinstance(u.get("profile"), dict) else {}
        for candidate in (profile.get("real_name"), u.get("real_name"), profile.get("display_name"), u.get("name")):
            if isinstance(candidate, str) and candidate.strip():
                names[u["id"]] = candidate.strip()
                break
    return names


def _bot_users(export: Export) -> set[str]:
    """Users that are apps (``is_bot``): an app posting as its bot user (PagerDuty, Datadog)
    writes ``user`` and ``bot_id`` both; its message is an alert, not a person's words."""
    if not export.has("users.json"):
        return set()
    doc = export.json("users.json")
    return {u["id"] for u in doc if isinstance(u, dict) and isinstance(u.get("id"), str) and u.get("is_bot") is True} \
        if isinstance(doc, list) else set()


def _channel_ids(export: Export) -> dict[str, str]:
    ids: dict[str, str] = {}
    for listing in ("channels.json", "groups.json", "mpims.json"):
        if export.has(listing):
            doc = export.json(listing)
            for ch in doc if isinstance(doc, list) else []:
                if isinstance(ch, dict) and isinstance(ch.get("id"), str) and isinstance(ch.get("name"), str):
                    ids[ch["id"]] = ch["name"]
    return ids


def render(text: str, names: _Names) -> str:
    """Slack's markup as readable text."""

    def one(m: re.Match[str]) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            uid = target[1:]
            return "@" + (names.users.get(uid) or label or uid)
        if target.startswith("#"):
            cid = target[1:]
            return "#" + (label or names.channels.get(cid) or cid)
        if target.startswith("!"):
            word = target[1:]
            if word in {"here", "channel", "everyone"}:
                return "@" + word
            if label:
                return label
            return "@" + word.split("^", 1)[0]
        if label:
            return label
        return target.removeprefix("mailto:")

    return html.unescape(_MARKUP.sub(one, text))


def _attachments_text(message: dict[str, Any]) -> str:
    parts: list[str] = []
    for att in message.get("attachments") or []:
        if not isinstance(att, dict):
            continue
        own = [att[k].strip() for k in ("pretext", "title", "text") if isinstance(att.get(k), str) and att[k].strip()]
        if not own and isinstance(att.get("fallback"), str) and att["fallback"].strip():
            own = [att["fallback"].strip()]
        parts.append(" ".join(own))
    return "\n".join(p for p in parts if p)


def parse_export(path: Path, name: str, opts: Options) -> Parsed:
    export = Export(path, name)
    try:
        return _parse(export, opts)
    finally:
        export.close()


def _parse(export: Export, opts: Options) -> Parsed:
    channels = export.channels()
    if not channels:
        raise BadInput(f"{export.name}: a Slack export without any channel folder of day files")
    ids = _channel_ids(export)
    wanted = opts.channel.lstrip("#") if opts.channel else None
    if wanted is not None and wanted not in channels and ids.get(wanted) in channels:
        wanted = ids[wanted]  # given by its id (C0JGLMMNX)
    if wanted is None:
        if len(channels) > 1:
            raise BadInput(
                f"{export.name}: the export holds {len(channels)} channels ({', '.join(channels)}); "
                "choose one with --channel"
            )
        wanted = channels[0]
    elif wanted not in channels:
        raise BadInput(f"{export.name}: no channel named {wanted} in the export (it has {join_or(channels)})")
    names = _Names(_user_names(export), ids, {})
    bot_users = _bot_users(export)
    source = f"slack:#{wanted}"

    collected: list[tuple[Decimal, int, str, J]] = []
    for day in export.days(wanted):
        where = export.where(day)
        doc = J(export.json(day), where)
        for message in doc.items():
            message.obj()
            ts = message["ts"]
            if not isinstance(ts.value, str) or not _TS_RE.match(ts.value):
                raise ts.fail(f"not a Slack timestamp (got {ts.value!r})")
            try:
                key = Decimal(ts.value)
            except InvalidOperation:
                raise ts.fail(f"not a Slack timestamp (got {ts.value!r})") from None
            collected.append((key, len(collected), ts.value, message))
    collected.sort(key=lambda c: (c[0], c[1]))

    out = Parsed()
    # Bot names come from the "added an integration" notices, which are otherwise skipped.
    for _, _, _, message in collected:
        m = message.value
        if m.get("subtype") == "bot_add" and isinstance(m.get("text"), str):
            for bot_id, label in _SERVICE.findall(m["text"]):
                names.bots[bot_id] = label
    for _, _, stamp, message in collected:
        m = message.value
        subtype = m.get("subtype")
        if subtype not in KEEP:
            out.skip(f"slack {subtype}")
            continue
        raw = m.get("text") if isinstance(m.get("text"), str) else ""
        is_bot = subtype == "bot_message" or (bool(m.get("bot_id")) and (not m.get("user") or m.get("user") in bot_users))
        body = render(raw, names).strip()
        att = _attachments_text(m)
        if not body and att:
            body = render(att, names).strip()
            raw = raw or att
        if not body and isinstance(m.get("files"), list):
            titles = [f.get("title") or f.get("name") for f in m["files"] if isinstance(f, dict)]
            body = "shared " + ", ".join(t for t in titles if t) if any(titles) else ""
        if not body:
            out.skip("slack empty message")
            continue
        if is_bot:
            bot_profile = m.get("bot_profile") if isinstance(m.get("bot_profile"), dict) else {}
            actor = (
                m.get("username") or bot_profile.get("name") or names.bots.get(str(m.get("bot_id"))) or "bot"
            )
        else:
            uid = m.get("user")
            if not uid and isinstance(m.get("comment"), dict):
                uid = m["comment"].get("user")
            profile = m.get("user_profile") if isinstance(m.get("user_profile"), dict) else {}
            actor = names.users.get(str(uid)) or profile.get("real_name") or m.get("username") or str(uid or "someone")
        self_named = subtype in {"file_share", "file_comment"} and raw.startswith("<@")
        text = body if self_named else f"{actor}: {body}"
        thread_ts = m.get("thread_ts")
        thread = thread_ts if isinstance(thread_ts, str) and thread_ts != stamp else None
        out.events.append(
            EvidenceEvent(
                at=from_epoch(stamp.split(".")[0]),
                text=text,
                kind=EventKind.alert if is_bot else EventKind.communication,
                source=source,
                source_id=stamp,
                original=raw,
                actor=str(actor),
                thread=thread,
                where=message.where,
            )
        )
    return out
