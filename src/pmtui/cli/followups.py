"""``pmtui actions`` and ``pmtui patterns``: the tracker and the patterns on the command line.

Only argparse at import time (``pmtui --help`` stays light); the store and the
computations are imported when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import ACTION_STATUS_FILTERS

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

ACTIONS_HELP = """\
List every action item of every review: overdue first, then open ones by due date.
CSV columns (Summary, Description, Assignee, Due date, Priority, Labels, Status, Review)
map onto Jira's, Linear's and most trackers' CSV import; each description ends with
the review's slug and `pmtui open SLUG`. Labels are comma-separated, without spaces.
--for jira|linear|gitlab writes the CSV that tracker's own importer reads as it is (its
headers, priorities, labels and dates; the owner's account from the config's [owners]).
Every cell a spreadsheet would read as a formula starts with ' (=, +, -, @, tab, CR).
`pmtui actions push` creates issues in the team's tracker, `pmtui actions pull` reads
their state back (see `pmtui actions push --help`).
Exit status: 0, or 1 with --overdue when any listed item is overdue (for a scheduled
job that nags), 2 for bad input."""

TRACKER_EXIT = """\
exit status: 0 done; 1 pull met conflicts (reported, nothing written for them); 2 bad
input (unknown review or tracker, a field the tracker rejected, no credentials); 3 the
tracker refused the credentials; 4 no such project, team or issue (pull: reads the other
issues, then says which were not found); 5 rate limited for
longer than pmtui waits ($PMTUI_TRACKER_MAX_WAIT seconds, default 120); 6 the tracker
could not be reached or failed."""

PUSH_HELP = """\
Create one issue in the team's tracker for each open action item without a tracker
link, and store the issue's URL in the item's tracker field: a second push creates
nothing. The issue has the title, the description, the owner, type and priority, the due
date, labels (postmortem, the type) and a link back to the review (`pmtui open SLUG`).

TRACKER is github:OWNER/REPO, gitlab:GROUP/PROJECT, jira:PROJECTKEY or linear:TEAMKEY
(default: `to` in the config's [tracker]). The API or site: $GITHUB_API_URL (GitHub
Enterprise Server), else --url or $GITLAB_URL / $JIRA_URL / $LINEAR_API_URL.
Credentials only from the environment: $GITHUB_TOKEN; $GITLAB_TOKEN; $JIRA_EMAIL and
$JIRA_API_TOKEN (Cloud) or $JIRA_PAT (Data Center); $LINEAR_API_KEY.
Owners: [owners."Payments team"] github = "payments-oncall" (gitlab, jira, linear) in the
config file; an owner without an account there is written into the issue and reported.
Stopped halfway, a push leaves each item linked or not; run it again: an issue created
just before the stop is found by the marker in its body and linked, not created twice."""

PULL_HELP = """\
Read the state of every linked issue (the items' tracker URLs) and bring it into pmtui:
closed -> done (won't do where the tracker says not planned, won't do, canceled), reopened
-> open. A status changed in pmtui since the last pull is a conflict: reported, never
overwritten; a status changed in pmtui only is reported as a difference. Each write
states the row version it read, as a seat's edit does."""

PATTERNS_HELP = """\
What recurs across the reviews whose incident day is in the window: incidents per month
and severity; median and worst time to detect, to mitigate and impact duration per
quarter (from the marks); contributing factors by category and recurring factors
(similar wording in several reviews); components affected most often and repeat
incidents (a component hit again after an action item tied to it was done); the review
meetings' stages against their timeboxes (in how many meetings each stage ran over, by a
minute or more, and by how much); and follow-through by owner.

How it is measured: the incident day is the impact-start mark's day, else the first
event's. The store keeps no per-item history, so an action item's close date is the
day its review was last changed (an upper bound); items of reviews never changed since
they were created or imported have no known close date and are left out of "days to
close" and repeat incidents. An action item is tied to a component when its review
lists the component or its title or description names it."""


def add_commands(sub: Any) -> None:
    """Add ``actions`` and ``patterns`` to the main parser's sub-commands."""
    s = sub.add_parser("actions", help="list action items across all reviews (table, JSON or CSV)",
                       description=ACTIONS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--status", choices=tuple(ACTION_STATUS_FILTERS), default="open",
                   help="which items (default open: open and in progress)")
    s.add_argument("--owner", metavar="NAME", help="only this owner's items (whole name, any case)")
    s.add_argument("--overdue", action="store_true", help="only overdue items; exit status 1 when there are any")
    s.add_argument("--due-before", metavar="DATE", help="only items due before DATE (YYYY-MM-DD)")
    s.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output format (default table)")
    s.add_argument("--for", dest="for_tracker", choices=("jira", "linear", "gitlab"), metavar="TRACKER",
                   help="with csv: the CSV jira, linear or gitlab imports as it is (implies --format csv)")
    s.set_defaults(func=cmd_actions)
    act = s.add_subparsers(dest="actions_command", metavar="ACTION", parser_class=type(s))
    p = act.add_parser("push", help="create issues in the team's tracker for open action items",
                       description=PUSH_HELP, epilog=TRACKER_EXIT, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("review", metavar="REVIEW", nargs="?", help="the review's id or slug")
    p.add_argument("--all", action="store_true", help="every review")
    p.add_argument("--to", metavar="TRACKER", help="github:OWNER/REPO, gitlab:GROUP/PROJECT, jira:KEY or linear:TEAM")
    p.add_argument("--url", metavar="URL", help="the API's or site's base URL (self-managed GitLab, Jira's site)")
    p.add_argument("--dry-run", action="store_true", help="print what would be created; send and change nothing")
    p.set_defaults(func=cmd_push)
    p = act.add_parser("pull", help="read the state of linked issues back into the action items",
                       description=PULL_HELP, epilog=TRACKER_EXIT, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("review", metavar="REVIEW", nargs="?", help="the review's id or slug")
    p.add_argument("--all", action="store_true", help="every review")
    p.add_argument("--url", metavar="URL", help="the API's base URL where the issue's URL does not say it (Linear)")
    p.add_argument("--dry-run", action="store_true", help="print what would change; change nothing")
    p.set_defaults(func=cmd_pull)

    s = sub.add_parser("patterns", help="what recurs across reviews, and whether follow-ups get done",
                       description=PATTERNS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--since", metavar="DATE", help="incidents on or after DATE (YYYY-MM-DD)")
    s.add_argument("--until", metavar="DATE", help="incidents on or before DATE (YYYY-MM-DD)")
    s.add_argument("--tag", metavar="TAG", help="only reviews with this tag")
    s.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    s.add_argument("--merge", nargs=2, metavar=("WORDING", "OTHER"),
                   help="put the groups of these two factors (or lessons) in one group, kept in the store")
    s.add_argument("--split", metavar="WORDING", help="take this factor's (or lesson's) wording out of its group")
    s.set_defaults(func=cmd_patterns)


def cmd_actions(args: argparse.Namespace, store: Store, today: Callable[[], date] = date.today) -> int:
    from pmtui.domain import tracker
    from pmtui.store.followup import action_rows

    due_before = tracker.parse_day(args.due_before, "--due-before") if args.due_before else None
    day = today()
    flt = tracker.Filter(statuses=tracker.STATUS_CHOICES[args.status], owner=args.owner, overdue=args.overdue,
                         due_before=due_before)
    rows = [r for r in action_rows(store, day) if flt.keeps(r, day)]  # in the tracker's order
    from pmtui.safetext import json_safe

    if args.for_tracker:
        from pmtui import config

        if args.format not in ("csv", "table"):
            from pmtui.errors import BadInput

            raise BadInput(f"--for {args.for_tracker} writes CSV; leave out --format {args.format}")
        unmapped: list[str] = []
        text = tracker.to_tracker_csv(rows, args.for_tracker, _config(config).owners, unmapped)
        for owner in unmapped:
            print(f"pmtui: owner {owner!r} has no {args.for_tracker} account in the config's [owners]: written into "
                  "the description, Assignee left empty", file=sys.stderr)
    elif args.format == "json":
        text = json_safe(tracker.to_json(rows, day))
    elif args.format == "csv":
        text = tracker.to_csv(rows)
    else:
        text = tracker.to_table(rows, day)
    sys.stdout.write(text)
    sys.stdout.flush()
    if args.overdue and any(r.overdue(day) for r in rows):
        return 1
    return 0


def _config(config: Any) -> Any:
    cfg = config.load()
    for problem in cfg.problems:
        print(f"pmtui: warning: {problem}", file=sys.stderr)
    return cfg


def _review_ids(args: argparse.Namespace, store: Store) -> list[int]:
    from pmtui.errors import BadInput

    if args.all and args.review:
        raise BadInput("give a review or --all, not both")
    if not args.all and not args.review:
        raise BadInput("say which review (its id or slug), or --all")
    return [r.id for r in store.list_reviews()] if args.all else [store.resolve(args.review)]


def _print(lines: list[str]) -> None:
    from pmtui.safetext import visible

    for line in lines:
        print(visible(line, newlines=False))
    sys.stdout.flush()


def cmd_push(args: argparse.Namespace, store: Store) -> int:
    from pmtui import config
    from pmtui.errors import BadInput
    from pmtui.trackers import parse_target
    from pmtui.trackers.sync import push

    cfg = _config(config)
    to = args.to or cfg.tracker_to
    if not to:
        raise BadInput("say where with --to TRACKER (github:OWNER/REPO, gitlab:GROUP/PROJECT, jira:KEY, linear:TEAM) "
                       "or `to` in the config's [tracker]")
    import os

    target = parse_target(to, args.url or (cfg.tracker_url if not args.to else None), os.environ)
    report = push(store, _review_ids(args, store), target, cfg.owners, dry_run=args.dry_run)
    _print(report.lines)
    return 1 if report.conflicts else 0


def cmd_pull(args: argparse.Namespace, store: Store) -> int:
    from pmtui.trackers.sync import pull

    report = pull(store, _review_ids(args, store), dry_run=args.dry_run, url=args.url)
    _print(report.lines)
    return 4 if report.missing else 1 if report.conflicts else 0


def cmd_patterns(args: argparse.Namespace, store: Store, today: Callable[[], date] = date.today) -> int:
    import json

    from pmtui.domain import patterns, tracker
    from pmtui.store.followup import review_facts

    since = tracker.parse_day(args.since, "--since") if args.since else None
    until = tracker.parse_day(args.until, "--until") if args.until else None
    patterns.check_window(since, until)
    facts = review_facts(store)
    if args.merge or args.split:
        _merge_or_split(store, facts, args.merge, args.split)
    from pmtui.safetext import json_safe, visible
    from pmtui.store.pattern_choices import groups_of

    result = patterns.compute_patterns(facts, today(), patterns.Window(since, until, args.tag), groups_of(store))
    if args.format == "json":
        sys.stdout.write(json_safe(json.dumps(result.as_json(), ensure_ascii=False, indent=2)) + "\n")
    else:
        sys.stdout.write(visible(patterns.to_text(result)))
    sys.stdout.flush()
    return 0


def _merge_or_split(store: Store, facts: list[Any], merge: list[str] | None, split: str | None) -> None:
    """``--merge A B``: every wording of A's group and of B's group in one group;
    ``--split A``: A alone. A wording must be a factor or lesson of some review (any case
    and punctuation)."""
    from pmtui.domain import grouping
    from pmtui.errors import BadInput
    from pmtui.store import pattern_choices

    wordings = [t for f in facts for t, _c in f.factors] + [t for f in facts for t in f.learnings]
    keys = {grouping.key(w) for w in wordings}
    for w in [*(merge or []), *([split] if split else [])]:
        if grouping.key(w) not in keys:
            raise BadInput(f"{w!r} is not the wording of any review's factor or lesson")
    if split:
        pattern_choices.split(store, split)
        print(f"{split!r} now stands alone in the recurring factors and lessons.", file=sys.stderr)
        return
    assert merge is not None
    chosen = pattern_choices.groups_of(store)
    texts = list(dict.fromkeys(wordings))
    members: list[str] = []
    for group in grouping.group(texts, chosen):
        found = {grouping.key(texts[i]) for i in group}
        if any(grouping.key(w) in found for w in merge):
            members.extend(grouping.key(texts[i]) for i in group)
    first = grouping.key(merge[0])
    pattern_choices.merge(store, [first, *[m for m in members if m != first]])
    print(f"merged the groups of {merge[0]!r} and {merge[1]!r} ({len(set(members))} wordings).", file=sys.stderr)
