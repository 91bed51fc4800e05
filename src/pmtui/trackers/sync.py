"""``pmtui actions push`` and ``pull``: action items to issues in the team's tracker and
the issues' state back, through the store's row versions (as a seat writes).

Push creates one issue per open action item without a tracker link and stores the
issue's URL in the item's ``tracker`` field at once (one item, one write), so a push
stopped halfway leaves every item linked to an issue that exists or unlinked. Before
creating, it asks the tracker for issues carrying this review's marker
(``pmtui:action REVIEW-UID/ITEM-ID`` in the body): an issue created just before an
interruption, whose link was never stored, is linked, not created again.

Pull reads every linked issue. The tracker's state in pmtui's terms (open, done,
won't do) is compared with what the tracker said at the last push or pull
(``tracker_state``) and with the item's status:

- the tracker changed and pmtui did not (its status still matches the last state read):
  the item takes the tracker's status (closed: done; "not planned"/"won't do": won't do;
  reopened: open);
- the tracker changed and so did pmtui's status since: a conflict, reported, nothing written;
- the tracker did not change but pmtui's status differs: the change was made in pmtui;
  reported as a difference, left as it is.

Each write states the row version it read (``expected_version``): a seat's edit during
the pull is a conflict, never overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import OPEN_STATUSES, ActionStatus, ItemKind
from pmtui.errors import BadInput, Conflict
from pmtui.trackers import (
    Adapter,
    IssueState,
    NewIssue,
    NotFound,
    Target,
    adapter_class,
    adapter_for_url,
    marker,
)

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

OPEN = {s.value for s in OPEN_STATUSES}
WORDS = {"open": "open", "in_progress": "in progress", "done": "done", "wont_do": "won't do"}


def ours(status: str) -> str:
    """An item's status as a tracker can say it: open (open, in progress), done, wont_do."""
    return "open" if status in OPEN else status


@dataclass
class Report:
    """What a push or pull did (or, with --dry-run, would do), line by line."""

    lines: list[str] = field(default_factory=list)
    created: int = 0
    linked: int = 0
    changed: int = 0
    conflicts: int = 0
    differ: int = 0
    missing: int = 0  # linked issues the tracker no longer has (pull)
    unmapped: dict[str, str] = field(default_factory=dict)  # owner -> tracker
    urls: dict[int, str] = field(default_factory=dict)  # item id -> issue URL (push)

    def say(self, line: str) -> None:
        self.lines.append(line)


def owner_account(owners: Mapping[str, Mapping[str, str]], owner: str, kind: str) -> str | None:
    """The owner's account in this tracker from the config's owner map (names compared
    without case and surrounding spaces), or None: never guessed."""
    want = owner.strip().casefold()
    for name, accounts in owners.items():
        if name.strip().casefold() == want and accounts.get(kind, "").strip():
            return accounts[kind].strip()
    return None


def _body(item: dict[str, Any], review: dict[str, Any], kind: str, account: str | None) -> str:
    parts = [item["description"].strip()] if item["description"].strip() else []
    owner = item["owner"].strip()
    facts = [f"**Type:** {item['type']}", f"**Priority:** {item['priority']}"]
    if owner:
        facts.insert(0, f"**Owner:** {owner}" + ("" if account else f" (no {kind} account for this owner in "
                                                                      "pmtui's owner map: assign it by hand)"))
    if item["due"]:
        facts.append(f"**Due:** {item['due']}")
    if item.get("effort"):
        facts.append(f"**Effort:** {item['effort']}")
    parts.append("\n".join(facts))
    parts.append(f"From the postmortem review \u201c{review['title']}\u201d ({review['slug']}); open it with: "
                 f"`pmtui open {review['slug']}`")
    return "\n\n".join(parts)


def new_issue(item: dict[str, Any], review: dict[str, Any], target: Target,
              owners: Mapping[str, Mapping[str, str]]) -> NewIssue:
    account = owner_account(owners, item["owner"], target.kind) if item["owner"].strip() else None
    labels = ["postmortem", item["type"]]
    body = _body(item, review, target.kind, account)
    if target.kind == "github" and item["due"]:
        body = body.replace(f"\n**Due:** {item['due']}", "")  # the adapter writes it (GitHub has no due date)
    return NewIssue(title=item["title"], body=body, marker=marker(review_uid(review), item["id"]), labels=labels,
                    priority=item["priority"], due=item["due"], assignee=account, type=item["type"])


def review_uid(review: dict[str, Any]) -> str:
    return str(review.get("uid") or review["slug"])


def _now() -> datetime:
    return datetime.now(UTC)


def review_ids(store: Store, refs: Iterable[str], every: bool) -> list[int]:
    if every:
        return [r.id for r in store.list_reviews()]
    ids = [store.resolve(ref) for ref in refs]
    if not ids:
        raise BadInput("say which review (its id or slug), or --all")
    return ids


# ---------------------------------------------------------------------- push
def push(store: Store, ids: list[int], target: Target, owners: Mapping[str, Mapping[str, str]], *,
         dry_run: bool = False, env: Mapping[str, str] | None = None, only: set[int] | None = None,
         make: Callable[[Target, Mapping[str, str]], Adapter] | None = None) -> Report:
    """Create an issue for each open, unlinked action item of these reviews (``only``:
    these item ids). With ``dry_run`` nothing is sent or written (no credentials needed)."""
    env = os.environ if env is None else env
    report = Report()
    work: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for rid in ids:
        review = store.get_review(rid)
        items = [i for i in store.list_items(ItemKind.action, rid)
                 if i["status"] in OPEN and not (i["tracker"] or "").strip() and (only is None or i["id"] in only)]
        if items:
            work.append((review, items))
    total = sum(len(items) for _, items in work)
    if not total:
        report.say(f"Nothing to push to {target}: every open action item is linked already.")
        return report
    cls = adapter_class(target.kind)
    adapter = None if dry_run else (make or cls)(target, env)
    try:
        for review, items in work:
            found = adapter.find_marked(f"pmtui:action {review_uid(review)}") if adapter else {}
            for item in items:
                issue = new_issue(item, review, target, owners)
                where = f"{review['slug']}: {item['title']}"
                if item["owner"].strip() and issue.assignee is None:
                    report.unmapped[item["owner"].strip()] = target.kind
                assignee = f", assigned to {issue.assignee}" if issue.assignee else (
                    f", owner {item['owner'].strip()} unmapped (in the body)" if item["owner"].strip() else "")
                if adapter is None:
                    due = f", due {issue.due}" if issue.due else ""
                    report.say(f"would create in {target}: {where} (labels {', '.join(issue.labels)}, priority "
                               f"{issue.priority}{due}{assignee})")
                    report.created += 1
                    continue
                url = found.get(issue.marker)
                if url:
                    state: IssueState | None = None
                    report.linked += 1
                else:
                    state = adapter.create(issue)
                    url = state.url
                    report.created += 1
                _link(store, item, url, state, report, where)
                report.urls[item["id"]] = url
                report.say(f"{'created' if state else 'linked (found from an earlier push)'}: {where} -> {url}"
                           f"{assignee if state else ''}")
        if adapter is not None:
            report.lines.extend(adapter.notes)
    finally:
        if adapter is not None:
            adapter.close()
    for owner, kind in report.unmapped.items():
        report.say(f"owner {owner!r} has no {kind} account in the config's [owners] map: written into the "
                   f"issue's body, not assigned (add [owners.\"{owner}\"] {kind} = \"...\")")
    verb = "would create" if dry_run else "created"
    report.say(f"{verb} {report.created} issue{'s' * (report.created != 1)} in {target}"
               + (f", linked {report.linked} found from an earlier push" if report.linked else "")
               + (" (dry run: nothing was sent or changed)" if dry_run else ""))
    return report


def _link(store: Store, item: dict[str, Any], url: str, state: IssueState | None, report: Report, where: str) -> None:
    """Store the issue's URL on the item, with the version read; when another seat changed
    the item meanwhile, once more with its new version as long as it is still unlinked."""
    values: dict[str, Any] = {"tracker": url}
    if state is not None:
        values.update(tracker_state=state.state, tracker_label=state.label, tracker_pulled=_now())
    version: int = item["version"]  # every stored item has its row version
    for _ in range(3):
        try:
            store.update_item(ItemKind.action, item["id"], expected_version=version, **values)
            return
        except Conflict as c:
            if c.current is None:
                report.say(f"the item {where} was deleted while the issue was created: {url} stays in the tracker")
                report.conflicts += 1
                return
            if (c.current.get("tracker") or "").strip():
                report.say(f"conflict: {where} was linked to {c.current['tracker']} by {c.changed_by or 'another seat'}"
                           f" meanwhile; {url} was not stored (close one of the two issues)")
                report.conflicts += 1
                return
            version = c.current_version if c.current_version is not None else c.current["version"]
    report.conflicts += 1
    report.say(f"conflict: {where} kept changing in another seat; {url} was not stored: run the push again "
               "(it finds the issue and links it)")


# ---------------------------------------------------------------------- pull
def pull(store: Store, ids: list[int], *, dry_run: bool = False, env: Mapping[str, str] | None = None,
         url: str | None = None, only: set[int] | None = None,
         make: Callable[[type[Adapter], Target, Mapping[str, str]], Adapter] | None = None) -> Report:
    """Read the state of every linked issue of these reviews and bring it into pmtui (see
    the module's doc). ``url``: the API's base URL where the issue URL does not say it."""
    env = os.environ if env is None else env
    report = Report()
    adapters: dict[Target, Adapter] = {}
    try:
        for rid in ids:
            review = store.get_review(rid)
            for item in store.list_items(ItemKind.action, rid):
                link = (item["tracker"] or "").strip()
                if not link or (only is not None and item["id"] not in only):
                    continue
                where = f"{review['slug']}: {item['title']}"
                cls = adapter_for_url(link)
                if cls is None:
                    report.say(f"skipped {where}: {link!r} is not an issue URL of a tracker pmtui reads")
                    continue
                target = cls.target_of(link, env, url)
                if target not in adapters:
                    adapters[target] = make(cls, target, env) if make else cls(target, env)
                try:
                    state = adapters[target].read(link)
                except NotFound as exc:  # this issue only (deleted or moved): the others are read
                    report.missing += 1
                    report.say(f"not found: {where}: {link} ({exc.message})")
                    continue
                _apply(store, item, state, cls.NAME, where, report, dry_run)
    finally:
        for adapter in adapters.values():
            adapter.close()
    n = report.changed
    report.say(("would change" if dry_run else "changed") + f" {n} item{'s' * (n != 1)}"
               + (f", {report.conflicts} conflict{'s' * (report.conflicts != 1)} (nothing written for them)"
                  if report.conflicts else "")
               + (f", {report.differ} changed in pmtui only" if report.differ else "")
               + (f", {report.missing} issue{'s' * (report.missing != 1)} not found" if report.missing else "")
               + (" (dry run: nothing was changed)" if dry_run else ""))
    return report


def decide(status: str, last: str, now: str) -> str:
    """What pull does with an item: ``same`` (nothing to change), ``take`` (the tracker's
    state becomes the item's status), ``conflict`` or ``differ``. ``last``: the tracker's
    state at the last push or pull ("" never read: an issue starts open)."""
    mine, before = ours(status), last or "open"
    if mine == now:
        return "same"
    if now != before:
        return "take" if mine == before else "conflict"
    return "differ"


def _apply(store: Store, item: dict[str, Any], state: IssueState, name: str, where: str, report: Report,
           dry_run: bool) -> None:
    what = decide(item["status"], item.get("tracker_state") or "", state.state)
    seen = {"tracker_state": state.state, "tracker_label": state.label}
    values: dict[str, Any] = {}
    if what == "take":
        status = state.state if state.state != "open" or item["status"] not in OPEN else item["status"]
        values = {"status": status, **seen}
        if status == ActionStatus.wont_do and not (item["status_note"] or "").strip():
            values["status_note"] = f"Closed in {name} as {state.label}: {state.url}"
        line = f"{where}: {WORDS[item['status']]} -> {WORDS[status]} ({name} says {state.label})"
    elif what == "conflict":
        report.conflicts += 1
        report.say(f"conflict: {where}: pmtui says {WORDS[item['status']]} (changed in pmtui since the last pull), "
                   f"{name} now says {state.label}; nothing written: set the status in pmtui or in {name}")
        return
    else:
        if what == "differ":
            report.differ += 1
            report.say(f"differs: {where}: pmtui says {WORDS[item['status']]}, {name} says {state.label} "
                       "(changed in pmtui; left as it is)")
        if item.get("tracker_state") == state.state and item.get("tracker_label") == state.label:
            return
        values, line = dict(seen), ""
    if dry_run:
        if line:
            report.changed += 1
            report.say("would change " + line)
        return
    values["tracker_pulled"] = _now()
    try:
        store.update_item(ItemKind.action, item["id"], expected_version=item["version"], **values)
    except Conflict as c:
        report.conflicts += 1
        report.say(f"conflict: {where}: changed by {c.changed_by or 'another seat'} during the pull; "
                   "nothing written (pull again)")
        return
    if line:
        report.changed += 1
        report.say("changed " + line)
