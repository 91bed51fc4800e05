"""The command line: parses arguments, opens the store, runs a command or the app.

Imports stay inside the commands so that ``pmtui --help`` and ``pmtui --version``
never load SQLAlchemy, SQLModel, pydantic or Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from pmtui import __version__
from pmtui.errors import BadInput, PmtuiError

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

WIKI_NAMES = ("portable", "github", "gitlab", "mkdocs", "hugo", "jekyll", "obsidian")  # pmtui.report.WIKIS
SCREENS = ("opening", "overview", "timeline", "impact", "analysis", "actions", "report")

DESCRIPTION = """\
Run blameless postmortem reviews from the terminal.

With no command, pmtui opens the app on your list of reviews.
The store is a single SQLite file: --db PATH, else $PMTUI_DB, else your user data folder.
"""

EPILOG = """\
examples:
  pmtui demo                                  try the app on an example review
  pmtui new "Checkout latency after deploy"   start a draft review
  pmtui import review.json                    add a review from a pmtui-review/1 file
  pmtui export 3 --format md -o report.md     write the wiki report
  pmtui list --format json                    every review, for scripts
  pmtui check 3                               what the review needs before it is published
  pmtui --as "Jonas Weber" open 3             take notes under your name (remembered)

exit status: 0 ok, 1 error, 2 bad input (invalid file, wrong value, unknown review)
settings: config.toml in the user config folder ($PMTUI_CONFIG chooses another file)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one plain line, exit 2, like every bad input
        self.exit(2, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pmtui", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--version", action="version", version=f"pmtui {__version__}")
    p.add_argument("--db", metavar="PATH", help="the store file (default: $PMTUI_DB or the user data folder)")
    p.add_argument("--as", dest="author", metavar="NAME",
                   help="your name on the notes you capture (remembered for next time)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("demo", help="open the app on an example review, in a throw-away store",
                       description="Load the example review into a temporary store and open the app on it. "
                                   "Nothing is written to your own store.")
    s.set_defaults(func=cmd_demo, needs_store=False)

    s = sub.add_parser("new", help="create a draft review and print its id and slug",
                       description="Create a draft review with this title; prints its id and slug.")
    s.add_argument("title", metavar="TITLE")
    s.add_argument("--severity", help="the team's severity label, e.g. SEV2")
    s.add_argument("--timezone", help="IANA time zone that times are shown and typed in (default UTC)")
    s.set_defaults(func=cmd_new)

    s = sub.add_parser("list", help="list the reviews in the store",
                       description="List reviews, newest first: id, slug, title, status, severity, "
                                   "first-event date and open action items.")
    s.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("import", help="add reviews from pmtui-review/1 JSON files",
                       description="Add each FILE (one pmtui-review/1 document) as a new review and print its id "
                                   "and slug. Every file is checked first: if any is invalid, every problem is "
                                   "printed with its JSON path and nothing is imported. A title that already "
                                   "exists gets a second review with its own slug; nothing is overwritten.")
    s.add_argument("files", metavar="FILE", nargs="+", help="a JSON file, or - for standard input")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("export", help="write a review as JSON (pmtui-review/1) or a Markdown report",
                       description="Write one review to standard output or a file, or every review as a "
                                   "folder of wiki pages with --all --to DIR.")
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
                   help="report: adapt the pages to one wiki: " + ", ".join(WIKI_NAMES[1:]) +
                        " (default portable: safe on all of them)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("check", help="the readiness check: what a review needs before it is published",
                       description="Check a review against the readiness checklist: summary, impact and "
                                   "timeline; the key marks and their order; contributing factors beyond the "
                                   "technical; owners and due dates of open actions; reasons for won't do; "
                                   "open questions; who took part and the evidence; and blame-laden phrases. "
                                   "Exit status 0 when ready, 1 when findings remain, 2 for bad input.")
    s.add_argument("review", metavar="REVIEW", help="the review's id or slug")
    s.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("open", help="open the app on one review",
                       description="Open the app straight on one review.")
    s.add_argument("review", metavar="REVIEW", help="the review's id or slug")
    s.add_argument("--screen", choices=SCREENS, default="overview", help="the section to show first")
    s.set_defaults(func=cmd_open)

    s = sub.add_parser("schema", help="print the JSON Schema of the review document",
                       description="Print the JSON Schema (draft 2020-12) of the pmtui-review/1 document, for "
                                   "editors that validate while you type: save it and point a document's "
                                   "\"$schema\" key at it.")
    s.set_defaults(func=cmd_schema, needs_store=False)

    s = sub.add_parser("completion", help="print a shell completion script (bash, zsh or fish)",
                       description="Print the completion script for SHELL, made from pmtui's own options. "
                                   "bash: pmtui completion bash > ~/.local/share/bash-completion/completions/pmtui; "
                                   "zsh: pmtui completion zsh > ~/.zfunc/_pmtui (with ~/.zfunc on fpath); "
                                   "fish: pmtui completion fish > ~/.config/fish/completions/pmtui.fish")
    s.add_argument("shell", metavar="SHELL", choices=("bash", "zsh", "fish"), help="bash, zsh or fish")
    s.set_defaults(func=cmd_completion, needs_store=False)
    _global_options_after_command(p)
    return p


def _global_options_after_command(parser: argparse.ArgumentParser) -> None:
    """Accept --db and --as after the command too (`pmtui list --db X`). SUPPRESS keeps
    a value given before the command when the same option is not repeated after it."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for sub in action.choices.values():
            known = {o for a in sub._actions for o in a.option_strings}
            if "--db" not in known:
                sub.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                                 help="the store file (as before the command)")
            if "--as" not in known:
                sub.add_argument("--as", dest="author", metavar="NAME", default=argparse.SUPPRESS,
                                 help="your name on the notes you capture (as before the command)")
            _global_options_after_command(sub)


# ---------------------------------------------------------------------- helpers
def _open_store(args: argparse.Namespace) -> Store:
    from pmtui.store import Store, resolve_path

    return Store.open(resolve_path(args.db))


def _write_output(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from pmtui.wiki import write_text

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


def _config(args: argparse.Namespace):
    """The user's config; ``--as NAME`` is remembered in it for next time."""
    from pmtui import config

    cfg = config.load()
    for problem in cfg.problems:
        print(f"pmtui: warning: {problem}", file=sys.stderr)
    author = getattr(args, "author", None)
    if author is not None and author != cfg.name:
        config.save(cfg, name=author)
        cfg.name = author
    return cfg


def _run_app(store: Store, review_id: int | None = None, screen: str = "overview",
             args: argparse.Namespace | None = None) -> int:
    from pmtui.app import PostmortemApp

    cfg = _config(args) if args is not None else None
    app = PostmortemApp(store, review_id=review_id, screen=screen, config=cfg)
    app.run()
    return app.return_code or 0


# --------------------------------------------------------------------- commands
def cmd_app(args: argparse.Namespace, store: Store) -> int:
    return _run_app(store, args=args)


def cmd_demo(args: argparse.Namespace, store: None) -> int:
    import tempfile
    from importlib.resources import files

    from pmtui.document import loads
    from pmtui.store import Store

    data = files("pmtui").joinpath("data/demo-review.json").read_bytes()
    with tempfile.TemporaryDirectory(prefix="pmtui-demo-") as folder:
        demo = Store.open(Path(folder) / "demo.db")
        review_id, _slug = demo.import_documents([loads(data, "demo review")])[0]
        try:
            return _run_app(demo, review_id=review_id, screen="timeline", args=args)
        finally:
            demo.close()


def cmd_new(args: argparse.Namespace, store: Store) -> int:
    fields = {}
    if args.severity is not None:
        fields["severity"] = args.severity
    if args.timezone is not None:
        fields["timezone"] = args.timezone
    review_id, slug = store.create_review(args.title, **fields)
    print(f"{review_id}\t{slug}")
    return 0


def cmd_list(args: argparse.Namespace, store: Store) -> int:
    reviews = store.list_reviews()
    if args.format == "json":
        import json

        print(json.dumps([r.as_json() for r in reviews], ensure_ascii=False, indent=2))
        return 0
    if not reviews:
        print("No reviews yet. Start one with `pmtui new TITLE`, or try `pmtui demo`.")
        return 0
    header = ("ID", "SLUG", "TITLE", "STATUS", "SEVERITY", "DATE", "OPEN ACTIONS")
    rows = [
        (str(r.id), r.slug, r.title.replace("\n", " "), r.status, r.severity or "", (d := r.first_event_date) and d.isoformat() or "",
         str(r.open_actions) + (f" ({r.overdue_actions} overdue)" if r.overdue_actions else ""))
        for r in reviews
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    widths[2] = min(widths[2], 50)  # long titles are cut; ids and slugs never are
    for row in [header, *rows]:
        cells = [(c if len(c) <= widths[i] else c[: widths[i] - 1] + "…").ljust(widths[i]) for i, c in enumerate(row)]
        print("  ".join(cells).rstrip())
    return 0


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    if not path.exists():
        raise BadInput(f"{name}: no such file")
    if path.is_dir():
        raise BadInput(f"{name}: is a folder, not a review file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{name}: cannot be read ({exc.strerror})") from None


def cmd_import(args: argparse.Namespace, store: Store) -> int:
    from pmtui.document import loads

    docs, problems = [], []
    for name in args.files:
        where = "<stdin>" if name == "-" else name
        try:
            docs.append(loads(_read_input(name), where))
        except BadInput as exc:
            problems.extend(exc.problems or [exc.message])
    if problems:
        suffix = "nothing was imported"
        raise BadInput.many(problems) if len(problems) == 1 else BadInput(
            f"{len(problems)} problems; {suffix}", problems
        )
    for review_id, slug in store.import_documents(docs):
        print(f"{review_id}\t{slug}")
    return 0


def cmd_export(args: argparse.Namespace, store: Store) -> int:
    if args.all:
        return _export_all(args, store)
    if args.to:
        raise BadInput("--to goes with --all; for one review use -o FILE")
    if not args.review:
        raise BadInput("name the review to export (its id or slug), or use --all --to DIR")
    fmt = args.format or "json"
    if fmt == "json" and (args.highlights_only or args.redact_names or args.wiki):
        raise BadInput("--highlights-only, --redact-names and --wiki apply to the Markdown report (--format md)")
    review_id = store.resolve(args.review)
    doc = store.export_document(review_id)
    if fmt == "json":
        from pmtui.document import dumps

        text = dumps(doc)
    else:
        from pmtui.report import render

        text = render(doc, highlights_only=args.highlights_only, redact=args.redact_names, wiki=args.wiki)
    _write_output(text, args.output)
    return 0


def _export_all(args: argparse.Namespace, store: Store) -> int:
    from pmtui.wiki import export_all

    if args.review:
        raise BadInput("--all exports every review; leave out REVIEW")
    if not args.to:
        raise BadInput("--all needs --to DIR, the folder to write the pages into")
    if args.format == "json":
        raise BadInput("--all writes Markdown pages; JSON is exported one review at a time")
    folder = Path(args.to)
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{args.to} is a file, not a folder")

    def progress(ids, total):  # a bar on a terminal, quiet when piped
        if not sys.stderr.isatty():
            return ids
        from rich.console import Console
        from rich.progress import track

        return track(ids, total=total, description="Exporting reviews", console=Console(stderr=True), transient=True)

    try:
        result = export_all(store, folder, highlights_only=args.highlights_only, redact=args.redact_names,
                            wiki=args.wiki, progress=progress)
    except OSError as exc:
        raise PmtuiError(f"cannot write into {args.to}: {exc.strerror}") from None
    n = len(result.pages)
    print(f"Wrote {n} review page{'s' if n != 1 else ''} and {result.index.name} to {folder}")
    if result.removed:
        print(f"Removed {len(result.removed)} page{'s' if len(result.removed) != 1 else ''} of reviews that no longer "
              f"exist: {', '.join(result.removed)}")
    return 0


def cmd_check(args: argparse.Namespace, store: Store) -> int:
    from pmtui import config
    from pmtui.checks import as_json, check, summary
    from pmtui.language import make_checker

    review_id = store.resolve(args.review)
    cfg = config.load()
    for problem in cfg.problems:
        print(f"pmtui: warning: {problem}", file=sys.stderr)
    findings = check(store.export_document(review_id), make_checker(cfg.add_phrases, cfg.remove_phrases))
    if args.format == "json":
        import json

        print(json.dumps(as_json(findings), ensure_ascii=False, indent=2))
    else:
        for f in findings:
            print(f"- {f.line()}")
        print(summary(findings))
    return 1 if findings else 0


def cmd_open(args: argparse.Namespace, store: Store) -> int:
    review_id = store.resolve(args.review)
    return _run_app(store, review_id=review_id, screen=args.screen, args=args)


def cmd_schema(args: argparse.Namespace, store: None) -> int:
    from pmtui.schema import dumps

    sys.stdout.write(dumps())
    return 0


def cmd_completion(args: argparse.Namespace, store: None) -> int:
    from pmtui.completion import script

    sys.stdout.write(script(build_parser(), args.shell))
    return 0


# ------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[..., int] = getattr(args, "func", cmd_app)
    if args.author is not None and func is not cmd_app and func is not cmd_open and func is not cmd_demo:
        _config(args)  # remember the name for the next meeting
    try:
        store = _open_store(args) if getattr(args, "needs_store", True) else None
        try:
            return func(args, store)
        finally:
            if store is not None:
                store.close()
    except PmtuiError as exc:
        lines = exc.lines()
        print(f"pmtui: error: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"  {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 1


if __name__ == "__main__":
    sys.exit(main())
