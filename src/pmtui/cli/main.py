"""The command line: parses arguments, opens the store, runs a command or the app.

Imports stay inside the commands so that ``pmtui --help`` and ``pmtui --version``
never load SQLAlchemy, SQLModel, pydantic or Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from pmtui import __version__
from pmtui.domain.vocab import Section, Status
from pmtui.errors import BadInput, PmtuiError
from pmtui.safetext import guarded, json_safe, one_line, unguarded, visible

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.config import Config
    from pmtui.domain.document import ReviewDoc
    from pmtui.store import ReviewSummary, Store

WIKI_NAMES = ("portable", "github", "gitlab", "mkdocs", "hugo", "jekyll", "obsidian")  # pmtui.export.markdown.WIKIS
SCREENS = tuple(s.value for s in Section)

DESCRIPTION = """\
Run blameless postmortem reviews from the terminal.

With no command, pmtui opens the app on your list of reviews.
The store is an SQLite file or a shared PostgreSQL database: --db PATH or URL,
else $PMTUI_DB, else a file in your user data folder (see `pmtui db`).
"""

EPILOG = """\
examples:
  pmtui demo                                  try the app on an example review
  pmtui new "Checkout latency after deploy"   start a draft review
  pmtui import review.json                    add a review from a pmtui-review/2 (or /1) file
  pmtui evidence 3 incidents.json slack.zip --channel incident   events from a status page and chat
  pmtui export 3 --format md -o report.md     write the wiki report
  pmtui list --format json                    every review, for scripts
  pmtui check 3                               what the review needs before it is published
  pmtui actions --overdue --format csv        overdue follow-ups of every review, for a tracker
  pmtui actions push 3 --to github:acme/payments   open follow-ups become issues (pull reads them back)
  pmtui patterns --since 2026-01-01           what recurs across reviews
  pmtui search '"load spike" replica*'        every review's text that says so
  pmtui --as "Jonas Weber" open 3             a seat under your name (this process only)
  pmtui config name "Jonas Weber"             the name your seats have without --as
  pmtui serve                                 seats in web browsers (each tab one)
  pmtui db copy --to postgresql://me@db.example:5432/pmtui   move to a shared store

exit status: 0 ok, 1 error, 2 bad input (invalid file, wrong value, unknown review),
             3 a service refused the credentials, 4 a service could not be reached or failed
settings: config.toml in the user config folder ($PMTUI_CONFIG chooses another file)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one plain line, exit 2, like every bad input
        self.exit(2, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")


# every command's name (build_parser adds them): `pmtui COMMAND ...` builds that one's parser only
COMMANDS = ("demo", "new", "list", "import", "evidence", "export", "check", "db", "open", "actions", "patterns",
            "search", "config", "serve", "schema", "keys", "completion")
# commands that read (the whole store, or a 100,000-event review) and end: no cyclic garbage
# collection while they run (it walked every row read, over and over: a third of their time)
_READS_AND_ENDS = frozenset({"list", "export", "check", "actions", "patterns"})


class _CommandParser(_Parser):
    """A sub-command's parser: it takes the global --db and --as after the command too
    (`pmtui list --db X`). SUPPRESS keeps a value given before the command when the same
    option is not repeated after it; a command that has an option of the same name keeps its own."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("conflict_handler", "resolve")
        super().__init__(**kwargs)
        self.add_argument("--db", metavar="PATH|URL", default=argparse.SUPPRESS,
                          help="the store (as before the command)")
        self.add_argument("--as", dest="author", metavar="NAME", default=argparse.SUPPRESS,
                          help="this seat's name, for this process only (as before the command)")


def build_parser(commands: bool = True, only: str | None = None) -> argparse.ArgumentParser:
    """The command line. Without ``commands``: the global options only (``pmtui`` opening
    the app does not build twenty sub-parsers before its first frame). With ``only`` (a
    command's name): that command's sub-parser alone (a command answers sooner; its
    parsing, help and errors are the same)."""

    def want(name: str) -> bool:
        return only is None or only == name

    p = _Parser(
        prog="pmtui", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--version", action="version", version=f"pmtui {__version__}")
    p.add_argument("--db", metavar="PATH|URL",
                   help="the store: a file path, sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB "
                        "(default: $PMTUI_DB or a file in the user data folder)")
    p.add_argument("--as", dest="author", metavar="NAME",
                   help="this seat's name, for this process only (the default: `pmtui config name NAME`)")
    p.add_argument("--ask-name", action="store_true", help=argparse.SUPPRESS)  # a browser seat: no default name
    if not commands:
        return p
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)

    if want('demo'):
        s = sub.add_parser("demo", help="open the app on an example review, in a throw-away store",
                           description="Load the example review into a temporary store and open the app on it. "
                                       "Nothing is written to your own store.")
        s.add_argument("--serve", action="store_true", help="serve the demo to web browsers (a shared meeting to try)")
        s.add_argument("--port", type=int, default=8000, help="with --serve: the port (default 8000)")
        s.set_defaults(func=cmd_demo, needs_store=False)

    if want('new'):
        s = sub.add_parser("new", help="create a draft review and print its id and slug",
                           description="Create a draft review with this title; prints its id and slug.")
        s.add_argument("title", metavar="TITLE")
        s.add_argument("--severity", help="the team's severity label, e.g. SEV2")
        s.add_argument("--timezone", "--zone", dest="timezone",
                       help="IANA time zone that times are shown and typed in (default: this machine's zone)")
        s.add_argument("--started", metavar="TIME",
                       help="when the incident started, e.g. \"2026-03-10 14:00\" (in the review's zone); "
                            "a bare time typed in the meeting lands on this day")
        s.set_defaults(func=cmd_new)

    if want('list'):
        s = sub.add_parser("list", help="list the reviews in the store",
                           description="List reviews, newest first: id, slug, title, status, severity, "
                                       "first-event date and open action items.")
        s.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
        s.set_defaults(func=cmd_list)

    if want('import'):
        s = sub.add_parser("import", help="add reviews from pmtui-review/2 (or /1) JSON files",
                           description="Add each FILE (one pmtui-review/2 or /1 document) as a new review and print its id "
                                       "and slug. Every file is checked first: if any is invalid, every problem is "
                                       "printed with its JSON path and nothing is imported. A title that already "
                                       "exists gets a second review with its own slug; nothing is overwritten.")
        s.add_argument("files", metavar="FILE", nargs="+", help="a JSON file, or - for standard input")
        s.set_defaults(func=cmd_import)

    if want('evidence'):
        from pmtui.cli.evidence import DESCRIPTION as EVIDENCE_DESCRIPTION
        from pmtui.cli.evidence import add_arguments

        s = sub.add_parser("evidence", help="add events from status pages, pagers, chat and logs to a review",
                           description=EVIDENCE_DESCRIPTION)
        add_arguments(s)
        s.set_defaults(func=cmd_evidence)

    if want('export'):
        s = sub.add_parser("export", help="write a review as JSON (pmtui-review/2) or a Markdown report",
                           description="Write one review to standard output or a file, or every review as a "
                                       "folder of wiki pages with --all --to DIR. A review whose stored data this "
                                       "pmtui cannot read (left by an older version or a hand edit) is skipped by "
                                       "--all with a warning naming it, and the exit status is then 1.")
        s.add_argument("review", metavar="REVIEW", nargs="?", help="the review's id or slug")
        s.add_argument("--format", choices=("json", "md"), default=None,
                       help="json (the document, default) or md (the wiki report; the default with --all)")
        s.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
        s.add_argument("--highlights-only", action="store_true",
                       help="report: show only highlighted and marked timeline events")
        s.add_argument("--redact-names", action="store_true",
                       help="report: replace people's names by their role (responder A, incident commander)")
        s.add_argument("--all", action="store_true", help="export every review as Markdown pages")
        s.add_argument("--to", metavar="DIR", help="with --all: the folder to write the pages and index.md into")
        s.add_argument("--wiki", choices=WIKI_NAMES, default=None, metavar="WIKI",
                       help="report: adapt the pages to one wiki: " + ", ".join(WIKI_NAMES[1:]) + ". Front matter "
                            "holds the exact text, except mkdocs, which writes < > & in titles and tags as "
                            "&lt; &gt; &amp; (Material prints them as HTML). The default, portable, is inert "
                            "everywhere and right in a repository, MkDocs, Obsidian and GitHub Pages; use hugo "
                            "for Hugo and jekyll for Jekyll without jekyll-relative-links. With --all and no "
                            "--wiki, the flavour is read from the folder (a hugo.toml, _config.yml or mkdocs.yml "
                            "above it, a .wiki.git clone)")
        s.add_argument("--status", action="append", choices=[v.value for v in Status], metavar="STATUS",
                       help="with --all: only the reviews in STATUS (draft, in_review, published; repeatable)")
        s.set_defaults(func=cmd_export)

    if want('check'):
        s = sub.add_parser("check", help="the readiness check: what a review needs before it is published",
                           description="Check a review against the readiness checklist: summary, impact and "
                                       "timeline; the key marks and their order; contributing factors beyond the "
                                       "technical; owners and due dates of open actions; reasons for won't do; "
                                       "open questions; who took part and the evidence; and blame-laden phrases. "
                                       "Exit status 0 when ready, 1 when findings remain, 2 for bad input.")
        s.add_argument("review", metavar="REVIEW", help="the review's id or slug")
        s.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
        s.add_argument("--waive", action="append", default=[], metavar="KIND", choices=("unconfirmed",),
                       help="leave out findings the team waived: unconfirmed (events not confirmed in a walk-through)")
        s.set_defaults(func=cmd_check)

    if want('db'):
        s = sub.add_parser("db", help="where the store is, its schema version and size; upgrade, copy, back up",
                           description="Show where the store is (its URL without the password), its schema "
                                       "version and how many reviews it holds. `db upgrade` applies pending "
                                       "migrations; `db copy --to URL` copies every review into another store (all "
                                       "or nothing; reviews already copied are skipped); `db backup FILE` writes a "
                                       "consistent copy of an SQLite store.")
        db = s.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_CommandParser)
        s.set_defaults(func=cmd_db, needs_store=False)
        d = db.add_parser("upgrade", help="apply pending schema migrations now",
                          description="Apply pending schema migrations. An SQLite file is copied aside first.")
        d.set_defaults(func=cmd_db_upgrade, needs_store=False)
        d = db.add_parser("copy", help="copy every review into another store (e.g. a shared PostgreSQL)",
                          description="Copy every review of this store into the store at --to, in one "
                                      "transaction. Reviews are matched by a stable id, so running it again "
                                      "adds only reviews that were not copied yet.")
        d.add_argument("--to", metavar="PATH|URL", required=True, help="the store to copy into")
        d.set_defaults(func=cmd_db_copy, needs_store=False)
        d = db.add_parser("backup", help="write a consistent copy of an SQLite store",
                          description="Write a consistent copy of the SQLite store to FILE with SQLite's backup "
                                      "API; safe while pmtui runs (a plain file copy can miss the -wal file). FILE is "
                                      "a regular file (a device or FIFO is refused); the copy is checked with SQLite's "
                                      "integrity check, and a damaged store's copy never replaces an existing file.")
        d.add_argument("file", metavar="FILE")
        d.set_defaults(func=cmd_db_backup, needs_store=False)

    if want('open'):
        s = sub.add_parser("open", help="open the app on one review",
                           description="Open the app straight on one review.")
        s.add_argument("review", metavar="REVIEW", help="the review's id or slug")
        s.add_argument("--screen", choices=SCREENS, default="overview", help="the section to show first")
        s.set_defaults(func=cmd_open)

    if want('actions') or want('patterns'):
        from pmtui.cli.followups import add_commands

        add_commands(sub)  # actions, patterns

    if want('search'):
        from pmtui.cli import search as search_cli

        search_cli.add_commands(sub)  # search

    if want('config') or want('serve'):
        from pmtui.cli import seats as seat_cli

        seat_cli.add_commands(sub)  # config, serve

    if want('schema'):
        s = sub.add_parser("schema", help="print the JSON Schema of the review document",
                           description="Print the JSON Schema (draft 2020-12) of the pmtui-review/2 document "
                                       "(pmtui-review/1 is read too), for editors that validate while you type: "
                                       "save it and point a document's \"$schema\" key at it.")
        s.set_defaults(func=cmd_schema, needs_store=False)

    if want('keys'):
        s = sub.add_parser("keys", help="list every key of the app with its id (for [keys] in config.toml)",
                           description="List every key of the app: its id, its keys (as your config.toml's [keys] "
                                       "table has them) and what it does. Change one in config.toml: "
                                       "[keys] \"meeting.next\" = \"ctrl+b\".")
        s.add_argument("--format", choices=("table", "json"), default="table", help="table (default) or json")
        s.set_defaults(func=cmd_keys, needs_store=False)

    if want('completion'):
        s = sub.add_parser("completion", help="print a shell completion script (bash, zsh or fish)",
                           description="Print the completion script for SHELL, made from pmtui's own options. "
                                       "bash: pmtui completion bash > ~/.local/share/bash-completion/completions/pmtui; "
                                       "zsh: pmtui completion zsh > ~/.zfunc/_pmtui (with ~/.zfunc on fpath); "
                                       "fish: pmtui completion fish > ~/.config/fish/completions/pmtui.fish")
        s.add_argument("shell", metavar="SHELL", nargs="?", choices=("bash", "zsh", "fish"), help="bash, zsh or fish")
        s.add_argument("--reviews", action="store_true", help=argparse.SUPPRESS)  # the scripts ask for slugs as one types
        s.set_defaults(func=cmd_completion, needs_store=False)

    return p


# ---------------------------------------------------------------------- helpers
def _open_store(args: argparse.Namespace) -> Store:
    from pmtui.store import Store, resolve

    store = Store.open(resolve(args.db))
    store.actor = args.author or ""
    if store.upgraded:
        _tell_upgrade(store)
    return store


def _tell_upgrade(store: Store) -> None:
    old, new, aside = store.upgraded  # type: ignore[misc]
    where = f"; the store as it was is kept in {aside}" if aside else ""
    print(f"pmtui: upgraded the store {store.location.shown} from schema {old} to {new}{where}", file=sys.stderr)


def _write_output(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from pmtui.atomic import write_text

    path = Path(output)
    if path.is_dir():
        raise BadInput(f"{output} is a folder; give a file name")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if not target.parent.exists():
        raise BadInput(f"{output}: the folder {target.parent} does not exist")
    try:
        write_text(path, text)
    except OSError as exc:
        raise PmtuiError(f"cannot write {output}: {exc.strerror}") from None


def _config(args: argparse.Namespace) -> Config:
    """The user's config. ``--as NAME`` names this process's seat only (the config's
    default name changes only with `pmtui config name`); ``--ask-name`` (a browser
    seat) leaves the default name out, so that the seat asks for its own."""
    from pmtui import config

    cfg = config.load()
    for problem in cfg.problems:
        print(f"pmtui: warning: {visible(problem, newlines=False)}", file=sys.stderr)
    if getattr(args, "ask_name", False):
        cfg.name = ""
    return cfg


def _run_app(store: Store, review_id: int | None = None, screen: str = Section.overview,
             args: argparse.Namespace | None = None) -> int:
    from pmtui.app import PostmortemApp

    cfg = _config(args) if args is not None else None
    if cfg is not None and cfg.name and not store.actor:
        store.actor = cfg.name  # row versions record who changed a row
    app = PostmortemApp(store, review_id=review_id, screen=screen, config=cfg)
    try:
        with unguarded():  # the app draws with escape sequences of its own (its text is made safe by itself)
            app.run()
    finally:
        app.leave_review()  # the other seats see this one go at once
    return app.return_code or 0


UNREADABLE = (ValueError, TypeError, OverflowError, KeyError, AttributeError)


def _text(value: object) -> str:
    """A stored value as text, whatever type a hand edit left in its column."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _resolve(store: Store, ref: str) -> int:
    """A review's id from its id or slug, read with plain SQL (pmtui.store.plain)."""
    from pmtui.store.plain import resolve

    return resolve(store, ref)


def _read_review(store: Store, review_id: int, plain: bool = False, *, evidence: bool = True) -> ReviewDoc:
    """The review's document; one whose stored data the current rules refuse is a
    plain error naming it (exit 1), never a traceback. With ``plain``, a document
    read without validating it again (pmtui.store.plain: each stored value checked by
    its field's rule; anything else read the full way, which names the problem):
    what the commands that only read (export, check) take, with a ReviewDoc's
    attributes. ``evidence=False``: without its imported evidence
    (pmtui.domain.document.read_stored)."""
    if plain:
        from pmtui.store.plain import read_documents

        docs_plain = read_documents(store, [review_id])
        if docs_plain is not None:
            return docs_plain[review_id]  # type: ignore[return-value]  # a PlainDoc reads as a ReviewDoc
    from pmtui.domain.document import read_stored
    from pmtui.errors import StoreError

    docs, bad = read_stored(store, [review_id], evidence=evidence)
    if review_id in bad:
        raise StoreError(f"review {review_id} cannot be read: its stored data is not valid: {bad[review_id]}")
    return docs[review_id]


class _ReadableReviews:
    """The store as ``export --all`` sees it: a review whose stored data cannot be read
    is left out (and kept in ``skipped`` with what is wrong), the others are exported."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._docs: dict[int, ReviewDoc] = {}
        self.skipped: list[tuple[ReviewSummary, str]] = []

    def list_reviews(self) -> list[ReviewSummary]:
        from pmtui.domain.document import read_stored

        summaries = _summaries(self._store)
        self._docs, bad = read_stored(self._store, [s.id for s in summaries])
        self.skipped = [(s, bad[s.id]) for s in summaries if s.id in bad]
        return [s for s in summaries if s.id in self._docs]

    def export_documents(self, review_ids: list[int]) -> list[ReviewDoc]:
        missing = [i for i in review_ids if i not in self._docs]
        if missing:
            self._docs.update(zip(missing, self._store.export_documents(missing)))
        return [self._docs[i] for i in review_ids]


# --------------------------------------------------------------------- commands
def cmd_app(args: argparse.Namespace, store: Store) -> int:
    return _run_app(store, args=args)


def cmd_demo(args: argparse.Namespace, store: None) -> int:
    import tempfile
    from importlib.resources import files

    from pmtui.domain.document import loads
    from pmtui.store import Store

    data = files("pmtui").joinpath("data/demo-review.json").read_bytes()
    with tempfile.TemporaryDirectory(prefix="pmtui-demo-") as folder:
        demo = Store.open(Path(folder) / "demo.db")
        demo.actor = args.author or ""  # --as names this seat, as for every other command
        review_id, _slug = demo.import_documents([loads(data, "demo review")])[0]
        if getattr(args, "serve", False):  # a shared meeting to try: every browser tab a seat
            from pmtui.cli import seats as seat_cli

            demo.close()
            return seat_cli.serve(str(Path(folder) / "demo.db"), "127.0.0.1", args.port, review_id, Section.opening)
        try:
            return _run_app(demo, review_id=review_id, screen=Section.timeline, args=args)
        finally:
            demo.close()


def cmd_new(args: argparse.Namespace, store: Store) -> int:
    fields: dict[str, Any] = {}
    if args.severity is not None:
        fields["severity"] = args.severity
    from pmtui.domain.localzone import local_zone_name

    fields["timezone"] = args.timezone if args.timezone is not None else local_zone_name()
    if args.started is not None:
        from zoneinfo import ZoneInfo

        from pmtui.domain.entry import parse_when

        try:
            zone = ZoneInfo(fields["timezone"])
        except (ValueError, KeyError, OSError):
            raise BadInput(f"--zone: {fields['timezone']!r} is not an IANA time zone (e.g. Europe/Berlin)") from None
        try:
            fields["started"], _approx = parse_when(args.started, zone, anchor_day=None)
        except BadInput as exc:
            from pmtui.domain.anchor import NO_DAY

            message = "give the day and the time, e.g. 2026-03-10 14:00" if exc.message == NO_DAY else exc.message
            raise BadInput(f"--started: {message}") from None
    review_id, slug = store.create_review(args.title, **fields)
    print(f"{review_id}\t{slug}")
    return 0


def _summaries(store: Store) -> list[ReviewSummary]:
    """Every review's summary; a stored value the store cannot turn into one is a plain
    error (exit 1) naming what is wrong, not a traceback."""
    from pmtui.errors import StoreError

    try:
        return store.list_reviews()
    except UNREADABLE as exc:
        from pmtui.domain.document import explain

        raise StoreError(f"the list of reviews cannot be read: {explain(exc)}") from None


def _status_words(status: str) -> str:
    """A review's status as people read it ("in review"; JSON keeps the format's value)."""
    from pmtui.domain.vocab import REVIEW_STATUS_WORDS

    words: dict[str, str] = {str(k): v for k, v in REVIEW_STATUS_WORDS.items()}
    return words.get(status, status)


def cmd_list(args: argparse.Namespace, store: Store) -> int:
    reviews = _summaries(store)
    if args.format == "json":
        import json

        odd: list[object] = []

        def as_text(value: object) -> str:  # a blob a hand edit left in a text column
            odd.append(value)
            return _text(value)

        print(json_safe(json.dumps([r.as_json() for r in reviews], ensure_ascii=False, indent=2, default=as_text)))
        if odd:
            print(f"pmtui: warning: {len(odd)} stored value{'s are' if len(odd) > 1 else ' is'} not text; "
                  "shown decoded", file=sys.stderr)
        return 1 if odd else 0
    if not reviews:
        print("No reviews yet. Start one with `pmtui new TITLE`, or try `pmtui demo`.")
        return 0
    header = ("ID", "SLUG", "TITLE", "STATUS", "SEVERITY", "DATE", "OPEN ACTIONS")
    rows, unreadable = [], 0
    for r in reviews:
        try:
            rows.append((str(r.id), one_line(r.slug), one_line(r.title), one_line(_status_words(r.status)),
                         one_line(r.severity or ""),
                         ((d := r.first_event_date) and d.isoformat()) or "",
                         str(r.open_actions) + (f" ({r.overdue_actions} overdue)" if r.overdue_actions else "")))
        except UNREADABLE as exc:  # a row an older pmtui or a hand edit left: shown, and named
            unreadable += 1
            rows.append((str(r.id), one_line(_text(r.slug)), one_line(_text(r.title)), one_line(_text(r.status)), "", "", ""))
            print(f"pmtui: warning: review {r.id} ({one_line(_text(r.slug))}) has stored values this pmtui cannot read "
                  f"({type(exc).__name__}); it is listed as far as possible", file=sys.stderr)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    widths[2] = min(widths[2], 50)  # long titles are cut; ids and slugs never are
    for row in [header, *rows]:
        cells = [(c if len(c) <= widths[i] else c[: widths[i] - 1] + "…").ljust(widths[i]) for i, c in enumerate(row)]
        print("  ".join(cells).rstrip())
    return 1 if unreadable else 0


def cmd_import(args: argparse.Namespace, store: Store) -> int:
    from pmtui.domain.docfile import read_file
    from pmtui.domain.document import validate_document

    docs, nul_free, problems = [], [], []
    for name in args.files:
        where = "<stdin>" if name == "-" else name
        try:
            read = read_file(name)  # over-limit files are refused as they are read (issue 23)
            try:
                docs.append(validate_document(read.raw))
            except BadInput as exc:
                raise exc.located(where) from None
            nul_free.append(not read.maybe_nul)
        except BadInput as exc:
            problems.extend(exc.problems or [exc.message])
    if problems:
        suffix = "nothing was imported"
        raise BadInput.many(problems) if len(problems) == 1 else BadInput(
            f"{len(problems)} problems; {suffix}", problems
        )
    for review_id, slug in store.import_documents(docs, nul_free=nul_free):
        print(f"{review_id}\t{slug}")
    return 0


def cmd_export(args: argparse.Namespace, store: Store) -> int:
    if args.all:
        return _export_all(args, store)
    if args.to or args.status:
        raise BadInput(f"{'--to' if args.to else '--status'} goes with --all; for one review use -o FILE")
    if not args.review:
        raise BadInput("name the review to export (its id or slug), or use --all --to DIR")
    fmt = args.format or "json"
    if fmt == "json" and (args.highlights_only or args.redact_names or args.wiki):
        raise BadInput("--highlights-only, --redact-names and --wiki apply to the Markdown report (--format md)")
    review_id = _resolve(store, args.review)
    doc = _read_review(store, review_id, plain=True)
    if fmt == "json":
        from pmtui.domain import plain

        if isinstance(doc, plain.PlainDoc):
            text = plain.dumps(doc)
        else:
            from pmtui.domain.document import dumps

            text = dumps(doc)
    else:
        from pmtui.export.report import render

        text = render(doc, highlights_only=args.highlights_only, redact=args.redact_names, wiki=args.wiki)
    _write_output(text, args.output)
    return 0


def _export_all(args: argparse.Namespace, store: Store) -> int:
    from pmtui.export.wiki import export_all

    if args.review:
        raise BadInput("--all exports every review; leave out REVIEW")
    if not args.to:
        raise BadInput("--all needs --to DIR, the folder to write the pages into")
    if args.format == "json":
        raise BadInput("--all writes Markdown pages; JSON is exported one review at a time")
    folder = Path(args.to)
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{args.to} is a file, not a folder")

    def progress(ids: Iterable[int], total: int) -> Iterable[int]:  # a bar on a terminal, quiet when piped
        if not sys.stderr.isatty():
            return ids
        from rich.console import Console
        from rich.progress import track

        from pmtui.safetext import raw

        return track(ids, total=total, description="Exporting reviews", console=Console(file=raw(sys.stderr)),
                     transient=True)

    wiki = args.wiki
    if wiki is None:
        from pmtui.export.wiki import detect_wiki

        found = detect_wiki(folder)
        wiki = found[0] if found else None
        if found:
            print(f"Writing for {found[0]} (found {found[1]}); --wiki chooses another")
    readable = _ReadableReviews(store)
    try:
        result = export_all(store, folder, reviews=readable, highlights_only=args.highlights_only,
                            redact=args.redact_names, wiki=wiki, progress=progress, statuses=args.status or ())
    except OSError as exc:
        raise PmtuiError(f"cannot write into {args.to}: {exc.strerror}") from None
    n = len(result.pages)
    others = [*(p.name for p in result.across), result.index.name]  # actions.md, patterns.md, the index
    print(f"Wrote {n} review page{'s' if n != 1 else ''}, {', '.join(others[:-1])} and {others[-1]} to {folder}")
    if result.removed:
        print(f"Removed {len(result.removed)} page{'s' if len(result.removed) != 1 else ''} of reviews no longer "
              f"exported: {', '.join(result.removed)}")
    for summary, problem in readable.skipped:
        print(f"pmtui: warning: skipped review {summary.id} ({_text(summary.slug)}): its stored data cannot be "
              f"exported: {problem}", file=sys.stderr)
    if readable.skipped:
        n = len(readable.skipped)
        print(f"pmtui: error: {n} review{'s were' if n != 1 else ' was'} not exported (see above); "
              "the others were (their earlier pages are kept)", file=sys.stderr)
        return 1
    return 0


def cmd_check(args: argparse.Namespace, store: Store) -> int:
    from pmtui import config
    from pmtui.domain.checks import as_json, check, summary
    from pmtui.domain.language import make_checker

    review_id = _resolve(store, args.review)
    cfg = config.load()
    for problem in cfg.problems:
        print(f"pmtui: warning: {visible(problem, newlines=False)}", file=sys.stderr)
    findings = check(_read_review(store, review_id, plain=True), make_checker(cfg.add_phrases, cfg.remove_phrases))
    findings = [f for f in findings if f.kind not in set(args.waive)]
    if args.format == "json":
        import json

        print(json_safe(json.dumps(as_json(findings), ensure_ascii=False, indent=2)))
    else:
        for f in findings:
            print(f"- {visible(f.line(), newlines=False)}")
        print(summary(findings))
    return 1 if findings else 0


def cmd_open(args: argparse.Namespace, store: Store) -> int:
    from pmtui.store.plain import read_documents

    review_id = _resolve(store, args.review)
    # the first frame is read without SQLAlchemy, SQLModel or pydantic; the app loads
    # them in the background right after it (pmtui.store.first_reads)
    store.read_plainly()
    # one the app cannot show is said here, not by a crash; its imported evidence (each line
    # checked when it came in) is not read again first: 100,000 events open as 10 do. Read
    # plainly when it can be (each value checked by its field's rule), else the full way,
    # which names the problem
    if (not store.reads_plainly or store.evidence_suspect(review_id)
            or read_documents(store, [review_id], evidence=False) is None):
        _read_review(store, review_id, evidence=False)
    return _run_app(store, review_id=review_id, screen=args.screen, args=args)


def cmd_db(args: argparse.Namespace, store: None) -> int:
    from pmtui.store import SCHEMA_VERSION, Store, resolve
    from pmtui.store.transfer import describe

    opened = Store.open(resolve(args.db), upgrade=False)
    try:
        info = describe(opened)
    finally:
        opened.close()
    print(f"store:   {info['store']}")
    state = "current" if info["schema"] == SCHEMA_VERSION else f"this pmtui uses {SCHEMA_VERSION}; `pmtui db upgrade` applies it"
    print(f"schema:  {info['schema']} ({state})")
    print(f"reviews: {info['reviews']}")
    if info["schema"] == SCHEMA_VERSION:
        from pmtui.store.search import size_line

        print(size_line(resolve(args.db)))
    return 0


def cmd_db_upgrade(args: argparse.Namespace, store: None) -> int:
    from pmtui.store import Store, resolve

    opened = Store.open(resolve(args.db), upgrade=False)
    try:
        before = opened.schema_version()
        opened.upgrade()
        if opened.upgraded:
            old, new, aside = opened.upgraded
            where = f"; the store as it was is kept in {aside}" if aside else ""
            print(f"Upgraded {opened.location.shown} from schema {old} to {new}{where}")
        elif before == 0:
            print(f"Laid out a new store at {opened.location.shown} (schema {opened.schema_version()})")
        else:
            print(f"{opened.location.shown} is already at schema {opened.schema_version()}")
    finally:
        opened.close()
    return 0


def cmd_db_copy(args: argparse.Namespace, store: None) -> int:
    from pmtui.store import Store, parse
    from pmtui.store.transfer import copy_reviews

    target_loc = parse(args.to)
    source = _open_store(args)
    try:
        target = Store.open(target_loc)
        try:
            copied, skipped = copy_reviews(source, target)
        finally:
            target.close()
    finally:
        source.close()
    again = f"; {skipped} already there" if skipped else ""
    print(f"Copied {copied} review{'s' if copied != 1 else ''} to {target_loc.shown}{again}")
    return 0


def cmd_db_backup(args: argparse.Namespace, store: None) -> int:
    from pmtui.store.transfer import backup

    opened = _open_store(args)
    try:
        damage = backup(opened, Path(args.file))
    finally:
        opened.close()
    if damage:  # a new file only: a damaged store's copy never replaces one
        print(f"pmtui: error: {opened.location.shown} is damaged ({'; '.join(damage)}); {args.file} holds a copy "
              "as damaged as the store: keep your earlier backups, and restore one of them", file=sys.stderr)
        return 1
    print(f"Wrote a copy of {opened.location.shown} to {args.file}")
    return 0


def cmd_schema(args: argparse.Namespace, store: None) -> int:
    from pmtui.domain.jsonschema import dumps

    sys.stdout.write(dumps())
    return 0


def cmd_keys(args: argparse.Namespace, store: None) -> int:
    import json

    from pmtui.keymap import known_binding_ids, user_keymap
    from pmtui.keys import help_text

    cfg = _config(args)
    keymap, unknown = user_keymap(cfg.keys)
    for binding_id in unknown:
        print(f"pmtui: warning: {cfg.path}: keys.{binding_id} is not the id of a pmtui key; ignored", file=sys.stderr)
    rows = [(binding_id, keymap.get(binding_id, b.key), help_text(b))
            for binding_id, b in sorted(known_binding_ids().items()) if not binding_id.startswith("app.go.")]
    if args.format == "json":
        print(json.dumps([{"id": i, "keys": k, "does": t} for i, k, t in rows], ensure_ascii=False, indent=2))
        return 0
    width = max(len(i) for i, _, _ in rows)
    kwidth = max(len(k) for _, k, _ in rows)
    for binding_id, keys, text in rows:
        print(f"{binding_id:<{width}}  {keys:<{kwidth}}  {text}")
    return 0


def cmd_completion(args: argparse.Namespace, store: None) -> int:
    from pmtui.cli.completion import review_words, script

    if args.reviews:
        for word in review_words(args.db):
            print(visible(word, tabs=False).replace("\\t", "\t"))
        return 0
    if args.shell is None:
        raise BadInput("name the shell: bash, zsh or fish")
    sys.stdout.write(script(build_parser(), args.shell))
    return 0


# ------------------------------------------------------------------------- main
def cmd_evidence(args: argparse.Namespace, store: Store) -> int:
    from pmtui.cli.evidence import command

    return command(args, store)


def _opens_app(argv: Sequence[str]) -> bool:
    """Only global options (``--db X``, ``--as NAME``, ``--ask-name``): the app opens."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in ("--db", "--as"):
            i += 2
        elif token.startswith(("--db=", "--as=")) or token == "--ask-name":
            i += 1
        else:
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    with guarded():  # whatever reaches a terminal shows control characters escaped (pmtui.safetext)
        return _main(argv)


def _command_named(argv: Sequence[str]) -> str | None:
    """The command that the arguments name after the global options (None: none, or a
    word that is no command, or help asked for before it: then every sub-parser is built)."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in ("--db", "--as"):
            i += 2
        elif token.startswith(("--db=", "--as=")) or token == "--ask-name":
            i += 1
        else:
            return token if token in COMMANDS else None
    return None


def _main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    command = _command_named(given)
    if command in _READS_AND_ENDS and argv is None:  # (a whole process: not a test calling main())
        import gc

        gc.disable()
    parser = build_parser(commands=not _opens_app(given), only=command)
    args, extra = parser.parse_known_args(argv)
    if extra:
        if getattr(args, "func", None) is cmd_evidence and not any(e.startswith("-") for e in extra):
            args.paths += extra  # `evidence REVIEW --from statuspage-url URL`: a path after the options
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    func: Callable[..., int] = getattr(args, "func", cmd_app)
    try:
        store = _open_store(args) if getattr(args, "needs_store", True) else None
        try:
            return func(args, store)
        finally:
            if store is not None:
                store.close()
    except PmtuiError as exc:
        lines = exc.lines()
        print(f"pmtui: error: {visible(lines[0], newlines=False)}", file=sys.stderr)
        for line in lines[1:]:
            print(f"  {visible(line, newlines=False)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 1


if __name__ == "__main__":
    sys.exit(main())
