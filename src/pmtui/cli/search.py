"""``pmtui search``: every match across every review, on the command line.

Only argparse at import time; the store and the engine are imported when it runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

SEARCH_HELP = """\
Search what every review says: titles, summary, trigger, detection, resolution,
impact, timeline, factors, observations, learnings, action items and notes.

  replica lag          rows with both words, in any form (replicas, Réplica)
  "load spike"         the words next to each other
  deploy*              words starting so (deploys, deployment)
  -staging             leave out rows with the word
  owner:NAME status:open prio:high tag:TAG   the Follow-ups view's filters (the first
                       three keep action items only)

Matches come most relevant first, then the newest review first; the matched words are
between « and » (JSON: "marks", offsets into "text"). Common English words (the, after,
was) are left out of bare words. A query matching more than 5,000 rows ranks its 5,000
most recently written matches. Exit status 0 (also with no match), 2 for bad input."""


def add_commands(sub: Any) -> None:
    from pmtui.domain.search import LIMIT, SECTIONS

    s = sub.add_parser("search", help="search every review's text (timeline, factors, notes, actions…)",
                       description=SEARCH_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("query", metavar="QUERY", nargs="+", help="words, \"phrases\", prefix*, -word, key:value filters")
    s.add_argument("--in", dest="sections", metavar="PARTS",
                   help=f"only these parts, comma-separated: {','.join(SECTIONS)}")
    s.add_argument("--since", metavar="DATE", help="reviews dated on or after DATE (YYYY-MM-DD)")
    s.add_argument("--until", metavar="DATE", help="reviews dated on or before DATE (YYYY-MM-DD)")
    s.add_argument("--tag", action="append", default=[], metavar="TAG", help="only reviews with this tag (repeatable)")
    s.add_argument("--severity", metavar="SEV", help="only reviews of this severity")
    s.add_argument("--status", metavar="STATUS", help="only reviews in this status (draft, in_review, final…)")
    s.add_argument("--limit", type=int, default=LIMIT, metavar="N", help=f"at most N matches (default {LIMIT})")
    s.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    s.set_defaults(func=cmd_search)


def cmd_search(args: argparse.Namespace, store: Store) -> int:
    from pmtui.domain import search, tracker
    from pmtui.domain.patterns import check_window
    from pmtui.domain.vocab import Status
    from pmtui.errors import BadInput
    from pmtui.store.search import search as run

    since = tracker.parse_day(args.since, "--since") if args.since else None
    until = tracker.parse_day(args.until, "--until") if args.until else None
    check_window(since, until)
    if args.limit < 1:
        raise BadInput(f"--limit {args.limit}: give a number of matches of at least 1")
    status = None
    if args.status is not None:
        wanted = args.status.strip().lower().replace(" ", "_").replace("-", "_")
        known = {s.value for s in Status}
        if wanted not in known:
            raise BadInput(f"--status {args.status}: a review's status is one of {', '.join(sorted(known))}")
        status = wanted
    query = search.parse(" ".join(args.query), sections=search.parse_sections(args.sections or ""),
                         since=since, until=until, tags=tuple(args.tag), severity=args.severity, status=status,
                         limit=args.limit)
    if query.empty():
        raise BadInput(f"{' '.join(args.query)!r} has no word to search for (common words such as "
                       "\"the\" are left out; -word only leaves rows out)")
    hits = run(store, query)
    if args.format == "json":
        sys.stdout.write(json.dumps([h.as_json() for h in hits], ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(search.to_table(hits))
    return 0
