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
import os
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

from pmtui.domain.vocab import EventKind
from pmtui.errors import BadInput

from ._base import EvidenceEvent, J, Options, Parsed, decode, from_epoch, join_or, load_json, type_name
from ._read import Budget, inside, read_json_bytes, regular_file, zip_member

KIND = "slack"
LABEL = "Slack export"
SHAPE = "export"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 60

KEEP = {None, "", "bot_message", "file_share", "file_comment", "file_mention", "thread_broadcast", "me_message"}
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_TS_RE = re.compile(r"^\d{1,12}(?:\.\d{1,9})?$")
_MARKUP = re.compile(r"<([^<>]*)>")
_SERVICE = re.compile(r"/services/(B[A-Z0-9]+)\|([^>]+)>")


class Export:
    """The files of an export, from a folder or a zip, by their path inside it."""

    def __init__(self, path: Path, name: str, budget: Budget | None = None) -> None:
        self.path = path
        self.name = name
        self.budget = budget or Budget()
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        self.infos: dict[str, zipfile.ZipInfo] = {}
        self.files: dict[str, str]  # path inside the export -> the file's path, or its name in the zip
        if path.is_dir():
            self.files = {}
            for folder, dirs, names in os.walk(path):  # links to folders are not followed
                dirs.sort()
                for file_name in sorted(names):
                    if file_name.endswith(".json"):
                        full = Path(folder) / file_name
                        self.files[full.relative_to(path).as_posix()] = str(full)
        else:
            regular_file(path, name)
            try:
                self.zip = zipfile.ZipFile(path)
                infos = [i for i in self.zip.infolist() if i.filename.endswith(".json") and not i.is_dir()]
            except (zipfile.BadZipFile, EOFError, OSError, ValueError):
                raise BadInput(f"{name}: not a readable zip file (is it cut off?)") from None
            names = [i.filename for i in infos]
            roots = sorted((n for n in names if PurePosixPath(n).name == "channels.json"), key=len)
            if roots:
                self.prefix = roots[0][: -len("channels.json")]
            self.files = {n[len(self.prefix):]: n for n in names if n.startswith(self.prefix)}
            self.infos = {i.filename: i for i in infos}

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
        if self.zip is not None:
            data = zip_member(self.zip, self.infos[ref], where, self.budget)
        else:
            inside(self.path, Path(ref), where)
            data = read_json_bytes(Path(ref), where, self.budget)
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
    bot_users: set[str] = field(default_factory=set)
    """Users whose users.json entry says ``is_bot`` (apps such as PagerDuty post as one)."""


# The fields of a message pmtui reads, and the JSON type each must have when present.
_TYPES: dict[str, tuple[type, str]] = {
    "subtype": (str, "text"), "text": (str, "text"), "user": (str, "text"), "bot_id": (str, "text"),
    "username": (str, "text"), "thread_ts": (str, "text"), "attachments": (list, "a list"),
    "files": (list, "a list"), "bot_profile": (dict, "an object"), "user_profile": (dict, "an object"),
    "comment": (dict, "an object"),
}


def _check_types(message: J) -> None:
    for key, (kind, word) in _TYPES.items():
        value = message.value.get(key)
        if value is not None and not isinstance(value, kind):
            raise message[key].fail(f"must be {word} (got {type_name(value)})")


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _user_names(export: Export, bot_users: set[str] | None = None) -> dict[str, str]:
    names: dict[str, str] = {}
    if not export.has("users.json"):
        return names
    doc = J(export.json("users.json"), export.where("users.json"))
    for user in doc.items():
        if not isinstance(user.value, dict) or not isinstance(user.value.get("id"), str):
            continue
        u = user.value
        if bot_users is not None and u.get("is_bot") is True:
            bot_users.add(u["id"])
        profile: dict[str, Any] = u["profile"] if isinstance(u.get("profile"), dict) else {}
        for candidate in (profile.get("real_name"), u.get("real_name"), profile.get("display_name"), u.get("name")):
            if isinstance(candidate, str) and candidate.strip():
                names[u["id"]] = candidate.strip()
                break
    return names


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


def parse_export(path: Path, name: str, opts: Options, budget: Budget | None = None) -> Parsed:
    export = Export(path, name, budget)
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
    bot_users: set[str] = set()
    names = _Names(_user_names(export, bot_users), ids, {}, bot_users)
    source = f"slack:#{wanted}"

    collected: list[tuple[Decimal, int, str, J]] = []
    for day in export.days(wanted):
        where = export.where(day)
        doc = J(export.json(day), where)
        for message in doc.items():
            message.obj()
            _check_types(message)
            ts = message["ts"]
            if not isinstance(ts.value, str) or not _TS_RE.match(ts.value):
                raise ts.fail(f"not a Slack timestamp (got {ts.value!r})")
            try:
                key = Decimal(ts.value)
            except InvalidOperation:
                raise ts.fail(f"not a Slack timestamp (got {ts.value!r})") from None
            collected.append((key, len(collected), ts.value, message))
    collected.sort(key=lambda c: (c[0], c[1]))

    out = Parsed(opts.filter)
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
        # An app's message (a bot_id, often with the app's user and bot_profile, as PagerDuty
        # posts) is an alert, not a person's words; so is one from a user users.json calls a bot.
        is_bot = subtype == "bot_message" or bool(m.get("bot_id")) or m.get("user") in names.bot_users
        body = render(raw, names).strip()
        att = _attachments_text(m)
        if not body and att:
            body = render(att, names).strip()
            raw = raw or att
        if not body and isinstance(m.get("files"), list):
            titles = [_str(f.get("title")) or _str(f.get("name")) for f in m["files"] if isinstance(f, dict)]
            body = "shared " + ", ".join(t for t in titles if t) if any(titles) else ""
        if not body:
            out.skip("slack empty message")
            continue
        if is_bot:
            bot_profile = m.get("bot_profile") if isinstance(m.get("bot_profile"), dict) else {}
            actor = (
                _str(m.get("username")) or _str(bot_profile.get("name")) or names.bots.get(str(m.get("bot_id")))
                or names.users.get(str(m.get("user"))) or "bot"
            )
        else:
            uid = m.get("user")
            if not uid and isinstance(m.get("comment"), dict):
                uid = _str(m["comment"].get("user"))
            profile = m.get("user_profile") if isinstance(m.get("user_profile"), dict) else {}
            actor = (names.users.get(str(uid)) or _str(profile.get("real_name")) or _str(m.get("username"))
                     or str(uid or "someone"))
        self_named = subtype in {"file_share", "file_comment"} and raw.startswith("<@")
        text = body if self_named else f"{actor}: {body}"
        thread_ts = m.get("thread_ts")
        thread = thread_ts if isinstance(thread_ts, str) and thread_ts != stamp else None
        out.add(
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
