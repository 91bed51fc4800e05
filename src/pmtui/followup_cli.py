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

from pmtui.vocab import ACTION_STATUS_FILTERS

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

ACTIONS_HELP = """\
List every action item of every review: overdue first, then open ones by due date.
CSV columns (Summary, Description, Assignee, Due date, Priority, Labels, Status, Review)
map onto Jira's, Linear's and most trackers' CSV import; each description ends with
the review's slug and `pmtui open SLUG`. Labels are comma-separated, without spaces.
Exit status: 0, or 1 with --overdue when any listed item is overdue (for a scheduled
job that nags), 2 for bad input."""

PATTERNS_HELP = """\
What recurs across the reviews whose incident day is in the window: incidents per month
and severity; median and worst time to detect, to mitigate and impact duration per
quarter (from the marks); contributing factors by category and recurring factors
(similar wording in several reviews); components affected most often and repeat
incidents (a component hit again after an action item tied to it was done); and
follow-through by owner.

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
    s.set_defaults(func=cmd_actions)

    s = sub.add_parser("patterns", help="what recurs across reviews, and whether follow-ups get done",
                       description=PATTERNS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--since", metavar="DATE", help="incidents on or after DATE (YYYY-MM-DD)")
    s.add_argument("--until", metavar="DATE", help="incidents on or before DATE (YYYY-MM-DD)")
    s.add_argument("--tag", metavar="TAG", help="only reviews with this tag")
    s.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    s.set_defaults(func=cmd_patterns)


def cmd_actions(args: argparse.Namespace, store: Store, today: Callable[[], date] = date.today) -> int:
    from pmtui import tracker
    from pmtui.store.followup import action_rows

    due_before = tracker.parse_day(args.due_before, "--due-before") if args.due_before else None
    day = today()
    flt = tracker.Filter(statuses=tracker.STATUS_CHOICES[args.status], owner=args.owner, overdue=args.overdue,
                         due_before=due_before)
    rows = [r for r in action_rows(store, day) if flt.keeps(r, day)]  # in the tracker's order
    from pmtui.safetext import json_safe

    if args.format == "json":
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


def cmd_patterns(args: argparse.Namespace, store: Store, today: Callable[[], date] = date.today) -> int:
    import json

    from pmtui import patterns, tracker
    from pmtui.store.followup import review_facts

    since = tracker.parse_day(args.since, "--since") if args.since else None
    until = tracker.parse_day(args.until, "--until") if args.until else None
    patterns.check_window(since, until)
    result = patterns.compute_patterns(review_facts(store), today(), patterns.Window(since, until, args.tag))
    from pmtui.safetext import json_safe, visible

    if args.format == "json":
        sys.stdout.write(json_safe(json.dumps(result.as_json(), ensure_ascii=False, indent=2)) + "\n")
    else:
        sys.stdout.write(visible(patterns.to_text(result)))
    sys.stdout.flush()
    return 0
