"""``pmtui config name`` and ``pmtui serve``: a seat's default name, and seats in a browser.

Only argparse at import time (``pmtui --help`` stays light).

``pmtui serve`` runs the app through textual-serve: every browser tab that opens the
printed URL gets its own pmtui process on the same store, i.e. its own seat, which asks
for its name. textual-serve has no login of its own, so the URL carries a random secret
and every request (the page, its static files and the websocket that drives the app)
must bring it: the first request with ``?key=SECRET`` sets a cookie that the page's
later requests carry; any other request is refused with 403.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from pmtui.vocab import Section

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

COOKIE = "pmtui_seat_key"

SERVE_HELP = """\
Serve the app to web browsers on the same store: each browser tab that opens the URL
printed at start is a seat of its own (it asks for its name). The URL carries a random
secret; a request without it is refused. By default only this machine can connect
(127.0.0.1). With --host 0.0.0.0 others can, but the traffic (every keystroke and
screen) is NOT encrypted: rather keep 127.0.0.1 and let each person tunnel over SSH:
  ssh -N -L 8000:127.0.0.1:8000 you@this-machine   then open the URL on their own machine."""


def add_commands(sub: Any) -> None:
    s = sub.add_parser("config", help="change the config file's settings (the seat's default name)",
                       description="Change a setting in the config file. `pmtui config name \"Amara Okafor\"` sets "
                                   "the name a seat has when it is started without --as.")
    cfg = s.add_subparsers(dest="config_command", metavar="SETTING", parser_class=sub._parser_class)
    c = cfg.add_parser("name", help="the default name of this machine's seats (shown; or set when given)")
    c.add_argument("name", nargs="?", metavar="NAME", help="the new default name (\"\" clears it)")
    c.set_defaults(func=cmd_config_name, needs_store=False)
    s.set_defaults(func=cmd_config_name, needs_store=False, name=None)

    s = sub.add_parser("serve", help="serve the app to web browsers (each tab a seat), on 127.0.0.1 by default",
                       description=SERVE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--review", metavar="REVIEW", help="open every seat on this review (id or slug)")
    s.add_argument("--screen", default="overview", help="the section a seat shows first (with --review)")
    s.set_defaults(func=cmd_serve, needs_store=True)


def cmd_config_name(args: argparse.Namespace, store: None) -> int:
    from pmtui import config
    from pmtui.errors import BadInput
    from pmtui.safetext import visible

    cfg = config.load()
    if args.name is None:
        print(visible(cfg.name) if cfg.name else "(no default name: seats ask for one; set it with "
                                                  "`pmtui config name \"Your Name\"`)")
        return 0
    name = " ".join(args.name.split())
    if len(name) > 200 or any(ord(ch) < 32 for ch in args.name if ch not in " \t"):
        raise BadInput("a name is one line of at most 200 characters")
    if not config.save(cfg, name=name or None):
        raise BadInput(f"{cfg.path} cannot be changed safely (fix or remove it first); nothing was written")
    print(f"Default seat name: {visible(name)}" if name else "Default seat name cleared")
    return 0


# ------------------------------------------------------------------ serve
def secret_middleware(secret: str) -> Any:
    """An aiohttp middleware refusing every request that brings neither ``?key=SECRET``
    nor the cookie set by such a request."""
    import hmac

    from aiohttp import web

    @web.middleware
    async def check(request: web.Request, handler: Any) -> Any:
        given = request.query.get("key", "")
        cookie = request.cookies.get(COOKIE, "")
        if given and hmac.compare_digest(given, secret):
            response = await handler(request)
            if isinstance(response, web.StreamResponse) and not response.prepared:
                response.set_cookie(COOKIE, secret, httponly=True, samesite="Strict", path="/")
            return response
        if cookie and hmac.compare_digest(cookie, secret):
            return await handler(request)
        return web.Response(status=403, text="pmtui serve: this address needs the URL with its key "
                                             "(printed when the server started).\n")

    return check


def make_server(command: str, host: str, port: int, secret: str) -> Any:
    from textual_serve.server import Server

    class SeatServer(Server):
        async def _make_app(self) -> Any:
            app = await super()._make_app()
            app.middlewares.append(secret_middleware(secret))
            return app

        async def on_startup(self, app: Any) -> None:
            """Quiet: pmtui has printed the URL with its key (textual-serve's own banner has none)."""

    return SeatServer(command, host=host, port=port, title="pmtui")


def serve_command(review: int | None, screen: str) -> str:
    """The command each browser tab runs: this pmtui, a seat that asks for its name."""
    import shlex

    parts = [sys.executable, "-m", "pmtui", "--ask-name"]
    if review is not None:
        parts += ["open", str(review), "--screen", screen]
    return " ".join(shlex.quote(p) for p in parts)


def serve(db: str | None, host: str, port: int, review: int | None, screen: str, out: Any = None) -> int:
    import secrets

    out = out or sys.stdout
    secret = secrets.token_urlsafe(24)
    if db:
        os.environ["PMTUI_DB"] = db  # the seats' store, never on a command line (a password stays out of ps)
    server = make_server(serve_command(review, screen), host, port, secret)
    shown_host = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
    print(f"pmtui serve: open http://{shown_host}:{port}/?key={secret}", file=out)
    print("Each browser tab is a seat of its own; anyone with this URL can join. Ctrl+C stops.", file=out)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Warning: listening on {host}: the traffic (every keystroke and screen) is NOT encrypted. "
              f"Safer: serve on 127.0.0.1 and let each person tunnel over SSH:\n"
              f"  ssh -N -L {port}:127.0.0.1:{port} you@this-machine   then open the URL with 127.0.0.1",
              file=out)
    out.flush()
    server.serve()
    return 0


def cmd_serve(args: argparse.Namespace, store: Store) -> int:
    from pmtui.errors import BadInput

    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise BadInput("pmtui serve needs textual-serve (pip install textual-serve)") from None
    review = store.resolve(args.review) if args.review else None
    if args.screen not in tuple(Section):
        raise BadInput(f"--screen: unknown section {args.screen!r}")
    db = args.db or os.environ.get("PMTUI_DB") or (str(store.location.path) if store.location.path else None)
    return serve(db, args.host, args.port, review, args.screen)
