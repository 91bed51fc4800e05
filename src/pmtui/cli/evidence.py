"""``pmtui evidence``: its arguments and what it prints (the command line's part of
evidence import, kept beside it so that ``__main__`` only registers it). A progress
bar goes to standard error, only when that is a terminal and the reading has taken
more than a second."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, TextIO

from pmtui.errors import BadInput

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.evidence import LogKeys
    from pmtui.store import Store

UNITS = ("s", "ms", "us", "µs", "ns")  # as pmtui.evidence._logs.UNITS (not imported: --help stays quick)

DESCRIPTION = (
    "Add the events in each evidence file to the review's timeline, marked with their source. The kind is read "
    "from each file's content (statuspage, instatus, pagerduty, opsgenie, oncall, slack, jsonl, logfmt, csv, "
    "text) unless --from says it. Events the review already holds (same source and id) are skipped, so importing "
    "a file again adds nothing. All or nothing: a file that cannot be read adds nothing from any file (exit 2). "
    "Times without a UTC offset are read in --zone, else in the review's zone when it is not UTC (the summary "
    "says so), else they are an error. A log with more events than a review holds is refused with how many fall "
    "inside the incident's window (the review's start and marks); --window incident imports those. Live sources "
    "read a service instead of files, and can be run again during the meeting: --from slack-api --channel NAME "
    "(SLACK_TOKEN), --from pagerduty-api --incident ID (PAGERDUTY_TOKEN), --from statuspage-url URL (no token). "
    "Their API addresses follow SLACK_API_URL and PAGERDUTY_API_URL."
)


def add_arguments(s: argparse.ArgumentParser) -> None:
    s.add_argument("review", metavar="REVIEW", help="the review's id or slug")
    s.add_argument("paths", metavar="PATH", nargs="*",
                   help="an evidence file (a Slack export: its zip or folder); with --from statuspage-url, the page's URL")
    s.add_argument("--from", dest="kind", metavar="KIND", help="the kind of every file (default: read from each)")
    s.add_argument("--zone", metavar="ZONE", help="IANA zone of times written without a UTC offset")
    s.add_argument("--since", metavar="TIME", help="only events at or after TIME (with an offset, or in --zone)")
    s.add_argument("--until", metavar="TIME", help="only events at or before TIME")
    s.add_argument("--window", metavar="incident", choices=("incident",),
                   help="only events inside the incident's window: the review's start and marked events, "
                        "30 minutes more on each side")
    s.add_argument("--channel", metavar="NAME", help="Slack: the channel to read (its name or id)")
    s.add_argument("--incident", metavar="ID", help="--from pagerduty-api: the incident whose log entries to read")
    s.add_argument("--min-level", metavar="LEVEL", help="logs: leave out lines below LEVEL (e.g. warning)")
    s.add_argument("--time-key", metavar="KEY", action="append",
                   help="logs: the key (or dotted path, e.g. event.created) holding the time; repeat for several, "
                        "the first present wins")
    s.add_argument("--message-key", metavar="KEY", action="append",
                   help="logs: the key (or dotted path, e.g. data.message) holding the text; repeatable")
    s.add_argument("--level-key", metavar="KEY", action="append", help="logs: the key holding the level; repeatable")
    s.add_argument("--time-format", metavar="FORMAT",
                   help="logs: how the time is written: s, ms, us or ns since 1970, or a strptime layout "
                        "such as '%%d/%%b/%%Y:%%H:%%M:%%S %%z'")
    s.add_argument("--year", metavar="YEAR", type=int,
                   help="syslog (RFC 3164) times have no year: this one (default: the review's start's)")
    s.add_argument("--dry-run", action="store_true", help="print what would be added; change nothing")
    s.add_argument("--keep-far", action="store_true",
                   help="add events more than 6 hours from the incident (when it started, its marks) without "
                        "asking; without it such events are asked about, or refused when no one can be asked")
    s.add_argument("--remove", metavar="SOURCE",
                   help="instead: remove every event of SOURCE (as the Timeline's source filter names it)")
    s.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")


def keys_of(args: argparse.Namespace) -> LogKeys | None:
    fmt = args.time_format
    if fmt is not None:
        fmt = fmt.strip()
        if fmt not in UNITS and "%" not in fmt:
            raise BadInput(f"--time-format {fmt!r}: use s, ms, us or ns (since 1970) or a strptime layout with "
                           "% codes, e.g. '%Y-%m-%d %H:%M:%S'")
    if not (args.time_key or args.message_key or args.level_key or fmt):
        return None
    from pmtui.evidence import LogKeys

    return LogKeys(tuple(args.time_key or ()), tuple(args.message_key or ()), tuple(args.level_key or ()), fmt)


class TerminalProgress:
    """A one-line progress bar on a terminal, shown once reading takes over a second."""

    def __init__(self, stream: TextIO, delay: float = 1.0) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < self.delay or (self.shown and now - self.last < 0.1):
            return
        self.shown = True
        self.last = now
        share = done / total if total else 0.0
        bar = "#" * int(share * 30)
        self.stream.write(f"\rreading [{bar:<30}] {share:4.0%}  {done / 2**20:,.0f} of {total / 2**20:,.0f} MiB")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()


def command(args: argparse.Namespace, store: Store) -> int:
    from pmtui.evidence import gather
    from pmtui.safetext import json_safe, visible

    review_id = store.resolve(args.review)
    if args.remove is not None:
        return _remove_source(store, review_id, args)
    bar = TerminalProgress(sys.stderr) if sys.stderr.isatty() else None
    try:
        plan = gather.preview(store, review_id, args.paths, kind=args.kind, zone=args.zone, since=args.since,
                              until=args.until, channel=args.channel, min_level=args.min_level, keys=keys_of(args),
                              year=args.year, window=args.window, progress=bar, incident=args.incident)
    finally:
        if bar is not None:
            bar.close()
    far = plan.far_warning(store.get_review(review_id)["timezone"])
    if far and not args.dry_run and not args.keep_far:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise BadInput(f"{far} Nothing was added: leave them out with --since/--until, or add them "
                           "with --keep-far")
        print(f"pmtui: {far}", file=sys.stderr)
        if input("Add them anyway? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing was added (--since/--until leave such events out).", file=sys.stderr)
            return 1
    if not args.dry_run:
        gather.add(store, plan)
    if args.format == "json":
        print(json_safe(json.dumps({**plan.summary(), "dry_run": args.dry_run}, ensure_ascii=False, indent=2)))
    else:
        zone = store.get_review(review_id)["timezone"]
        print("\n".join(visible(line, newlines=False) for line in gather.describe(plan, zone, args.dry_run)))
    return 0


def _remove_source(store: Store, review_id: int, args: argparse.Namespace) -> int:
    """``pmtui evidence REVIEW --remove SOURCE``: every event of that source, in one step,
    each at the version read (another seat's change meanwhile refuses it all)."""
    from pmtui.errors import Conflict, PmtuiError
    from pmtui.safetext import visible

    if args.paths:
        raise BadInput("--remove takes no files: it removes the events of one source")
    seen = store.source_versions(review_id, args.remove)
    if not seen:
        sources = ", ".join(sorted(s for s in store.event_sources(review_id) if s)) or "none"
        raise BadInput(f"no events of source {args.remove!r} in this review (its sources: {sources})")
    if not args.dry_run:
        try:
            store.delete_events_seen(review_id, seen)
        except Conflict:
            raise PmtuiError("another seat changed events of that source meanwhile; nothing was removed: "
                             "run it again") from None
    verb = "would remove" if args.dry_run else "removed"
    if args.format == "json":
        print(json.dumps({"removed": len(seen), "source": args.remove, "dry_run": args.dry_run}))
    else:
        print(visible(f"{verb} {len(seen):,} event{'s' if len(seen) != 1 else ''} of {args.remove}", newlines=False))
    return 0
