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
import re
import sys
from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import Section

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

COOKIE = "pmtui_seat_key"
MAX_WIDTH, MAX_HEIGHT = 500, 200  # a seat's terminal, in cells: larger sizes are clamped
MAX_SEATS = 12  # browser seats at once (each one is a pmtui process, about 90 MB)
TEMPLATES = "data/serve"  # the page (pmtui's own: no third-party font, no inline handlers)
_HOST_HEADER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")

SERVE_HELP = """\
Serve the app to web browsers on the same store: each browser tab that opens the URL
printed at start is a seat of its own (it asks for its name). The URL carries a random
secret; a request without it is refused. By default only this machine can connect
(127.0.0.1). With --host 0.0.0.0 others can, but the traffic (every keystroke and
screen) is NOT encrypted: rather keep 127.0.0.1 and let each person tunnel over SSH:
  ssh -N -L 8000:127.0.0.1:8000 you@this-machine   then open the URL on their own machine
(with another local port, e.g. -L 9000:127.0.0.1:8000, open it with :9000).

The key is only in the first address: the page sets a cookie and drops the key from
the address bar; the key is never written to the server's log. Only pmtui's own page
can open a seat. A seat's terminal is at most 500 columns by 200 rows (a larger
browser window is clamped), and at most --max-seats seats run at once."""


def add_commands(sub: Any) -> None:
    s = sub.add_parser("config", help="change the config file's settings (the seat's default name)",
                       description="Change a setting in the config file. `pmtui config name \"Amara Okafor\"` sets "
                                   "the name a seat has when it is started without --as.")
    cfg = s.add_subparsers(dest="config_command", metavar="SETTING", parser_class=type(s))
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
    s.add_argument("--max-seats", type=int, default=MAX_SEATS, metavar="N",
                   help=f"browser seats at once (default {MAX_SEATS}); a tab beyond them is told the seats are taken")
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


def _refused(status: int, text: str) -> Any:
    from aiohttp import web

    return web.Response(status=status, text=f"pmtui serve: {text}\n")


def secret_middleware(secret: str) -> Any:
    """An aiohttp middleware refusing every request that brings neither ``?key=SECRET``
    nor the cookie set by such a request.

    The page's address with the key (``/?key=…``) sets the cookie (HttpOnly,
    SameSite=Strict) and sends the browser on to the same address without the key, so
    the key stays out of the address bar, the history and every Referer. The page is
    reached again by a refresh from this server's own page (not an HTTP redirect) so
    that the Strict cookie goes with it even when the URL was opened from a link on
    another site (a chat message)."""
    import hmac

    from aiohttp import web

    @web.middleware
    async def check(request: web.Request, handler: Any) -> Any:
        given = request.query.get("key", "")
        cookie = request.cookies.get(COOKIE, "")
        if given and hmac.compare_digest(given.encode(), secret.encode()):
            if request.path == "/" and request.method == "GET":
                clean = request.rel_url.with_query([(k, v) for k, v in request.query.items() if k != "key"])
                response = web.Response(
                    content_type="text/html",
                    text=f'<!DOCTYPE html><meta charset="utf-8"><meta name="referrer" content="no-referrer">'
                         f'<meta http-equiv="refresh" content="0; url={_html(str(clean))}">'
                         f'<title>pmtui</title><a href="{_html(str(clean))}">Open pmtui</a>',
                    headers={"Cache-Control": "no-store"})
            else:
                response = await handler(request)
            if isinstance(response, web.StreamResponse) and not response.prepared:
                response.set_cookie(COOKIE, secret, httponly=True, samesite="Strict", path="/")
            return response
        if cookie and hmac.compare_digest(cookie.encode(), secret.encode()):
            return await handler(request)
        return _refused(403, "this address needs the URL with its key (printed when the server started).")

    return check


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def headers_middleware() -> Any:
    """Every response: no Referer leaves the page, nothing sniffed, never framed; the
    page's own Content-Security-Policy allows only this server (its script by nonce)."""
    from aiohttp import web

    @web.middleware
    async def headers(request: web.Request, handler: Any) -> Any:
        if not _HOST_HEADER.match(request.host or ""):
            return _refused(400, "the request's Host header is not an address.")
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        if isinstance(response, web.StreamResponse) and not response.prepared:
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        if isinstance(response, web.HTTPException):
            raise response
        return response

    return headers


def clamp(value: object, default: int, top: int) -> int:
    """A terminal size from a browser: an integer from 1 to ``top`` (else ``default``)."""
    try:
        n = int(value) if isinstance(value, int | float) and not isinstance(value, bool) else int(str(value))
    except (ValueError, OverflowError):
        return default
    return max(1, min(n, top))


def make_server(command: str, host: str, port: int, secret: str, max_seats: int = MAX_SEATS) -> Any:
    """textual-serve's server, locked down: the key (see :func:`secret_middleware`), the
    page's URLs built from the address the browser used, the websocket's Origin
    checked, sizes and seats bounded, logs without the key and without tracebacks."""
    import asyncio
    import logging
    import secrets as secrets_mod
    import signal
    from importlib.resources import files

    import aiohttp_jinja2
    import jinja2
    from aiohttp import WSMsgType, web
    from aiohttp.abc import AbstractAccessLogger
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    log = logging.getLogger("pmtui.serve")

    class AccessLog(AbstractAccessLogger):
        """One line a request: who, method, path (never its query: the key), status."""

        def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
            self.logger.info("%s %s %s %s", request.remote, request.method, request.path, response.status)

    class SeatServer(Server):
        seats = 0

        def initialize_logging(self) -> None:
            """Plain lines on stderr (textual-serve's Rich handler prints tracebacks with
            their locals), with the key taken out of anything that would name it."""
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s", "%H:%M:%S"))
            handler.addFilter(_redact(secret))
            root = logging.getLogger()
            root.handlers[:] = [handler]
            root.setLevel(logging.INFO)

        async def _make_app(self) -> web.Application:
            app = web.Application(middlewares=[headers_middleware(), secret_middleware(secret)])
            templates = files("pmtui").joinpath(TEMPLATES)
            aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(templates)))
            app.add_routes([
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ])
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        async def on_startup(self, app: Any) -> None:
            """Quiet: pmtui has printed the URL with its key (textual-serve's own banner has none)."""

        def serve(self, debug: bool = False) -> None:
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(sig, self.request_exit)
                except NotImplementedError:  # pragma: no cover (Windows)
                    pass
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        print=lambda *args: None, access_log_class=AccessLog,
                        access_log=logging.getLogger("pmtui.serve.access"))

        async def handle_index(self, request: web.Request) -> Any:  # the page, or a refusal
            if self.seats >= max_seats:
                return _refused(503, f"all {max_seats} seats are taken: close a tab that is not used, or "
                                     "restart the server with a higher --max-seats.")
            nonce = secrets_mod.token_urlsafe(16)
            scheme = "wss" if request.secure else "ws"
            host = request.host  # the address the browser used (checked by headers_middleware)
            context = {
                "font_size": clamp(request.query.get("fontsize", "16"), 16, 64),
                "app_websocket_url": f"{scheme}://{host}/ws",
                "application": {"name": self.title},
                "nonce": nonce,
            }
            response = aiohttp_jinja2.render_template("app_index.html", request, context)
            response.headers["Content-Security-Policy"] = (
                f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
                f"font-src 'self'; img-src 'self' data: blob:; connect-src 'self' {scheme}://{host}; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
            response.headers["Cache-Control"] = "no-store"
            return response

        async def handle_websocket(self, request: web.Request) -> Any:  # a refusal is no websocket
            origin = request.headers.get("Origin")
            if origin is not None and origin not in (f"http://{request.host}", f"https://{request.host}"):
                log.warning("refused a websocket from the page of another site (%s)", _one_line(origin, 80))
                return _refused(403, "this seat can only be opened from pmtui's own page.")
            if self.seats >= max_seats:
                return _refused(503, f"all {max_seats} seats are taken.")
            width = clamp(request.query.get("width", "80"), 80, MAX_WIDTH)
            height = clamp(request.query.get("height", "24"), 24, MAX_HEIGHT)
            websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1 << 20)
            self.seats += 1
            service: AppService | None = None
            try:
                await websocket.prepare(request)
                service = AppService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                     close=lambda: _close(websocket), download_manager=self.download_manager,
                                     debug=self.debug)
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as exc:  # one line, never a traceback with its locals
                log.error("a seat ended on an error: %s", _one_line(f"{type(exc).__name__}: {exc}", 200))
            finally:
                try:
                    if service is not None:
                        await service.stop()
                        await _ended(service._process)
                finally:
                    self.seats -= 1
            return websocket

        async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
            """The browser's messages; one that is not what textual.js sends is ignored
            (and said once per seat, in one line)."""
            import json

            said = False
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    envelope = json.loads(message.data)
                    kind, data = [*envelope, None][:2] if isinstance(envelope, list) and envelope else (None, None)
                    if kind == "stdin" and isinstance(data, str):
                        await app_service.send_bytes(data.encode("utf-8", "replace"))
                    elif kind == "resize" and isinstance(data, dict):
                        await app_service.set_terminal_size(clamp(data.get("width"), 80, MAX_WIDTH),
                                                            clamp(data.get("height"), 24, MAX_HEIGHT))
                    elif kind == "ping":
                        await websocket.send_json(["pong", data])
                    elif kind == "blur":
                        await app_service.blur()
                    elif kind == "focus":
                        await app_service.focus()
                    else:
                        raise ValueError("not a message of textual-serve's page")
                except (ValueError, TypeError, RecursionError):
                    if not said:
                        said = True
                        log.warning("ignored a malformed message from a browser seat (and any more from it)")

    return SeatServer(command, host=host, port=port, title="pmtui")


async def _ended(process: Any) -> None:
    """Wait for a seat's process to end (it was told to quit); kill it after 10 s."""
    import asyncio

    if process is None or process.returncode is not None:
        return
    try:
        await asyncio.wait_for(process.wait(), 10)
    except TimeoutError:
        process.kill()
        await process.wait()


async def _close(websocket: Any) -> None:
    await websocket.close()


def _one_line(text: str, limit: int) -> str:
    from pmtui.safetext import one_line

    shown = one_line(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _redact(secret: str) -> Any:
    """A logging filter: the key never reaches a log line (in its message or its arguments)."""
    import logging

    class Redact(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            text = record.getMessage()
            if secret in text:
                record.msg, record.args = text.replace(secret, "***"), None
            if record.exc_info:  # a traceback is one line here
                exc = record.exc_info[1]
                record.msg = f"{record.getMessage()} ({type(exc).__name__})".replace(secret, "***")
                record.args, record.exc_info, record.exc_text = None, None, None
            return True

    return Redact()


def serve_command(review: int | None, screen: str) -> str:
    """The command each browser tab runs: this pmtui, a seat that asks for its name."""
    import shlex

    parts = [sys.executable, "-m", "pmtui", "--ask-name"]
    if review is not None:
        parts += ["open", str(review), "--screen", screen]
    return " ".join(shlex.quote(p) for p in parts)


def url_host(host: str) -> tuple[str, bool]:
    """The host to print in the URL for ``--host`` (as given; a wildcard address is
    this machine's loopback, in brackets for IPv6), and whether it listens on all
    interfaces."""
    everywhere = host in ("0.0.0.0", "::", "")
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return (f"[{shown}]" if ":" in shown else shown), everywhere


def serve(db: str | None, host: str, port: int, review: int | None, screen: str, out: Any = None,
          max_seats: int = MAX_SEATS) -> int:
    import secrets

    from pmtui.errors import PmtuiError

    out = out or sys.stdout
    secret = secrets.token_urlsafe(24)
    if db:
        os.environ["PMTUI_DB"] = db  # the seats' store, never on a command line (a password stays out of ps)
    server = make_server(serve_command(review, screen), host, port, secret, max_seats=max_seats)
    shown, everywhere = url_host(host)
    print(f"pmtui serve: open http://{shown}:{port}/?key={secret}", file=out)
    print(f"Each browser tab is a seat of its own (at most {max_seats}); anyone with this URL can join. "
          "Ctrl+C stops.", file=out)
    if everywhere:
        print(f"Listening on all interfaces ({host or '0.0.0.0'}): from another machine, open the same URL with "
              "this machine's name or address in place of 127.0.0.1.", file=out)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Warning: listening on {host}: the traffic (every keystroke and screen) is NOT encrypted. "
              f"Safer: serve on 127.0.0.1 and let each person tunnel over SSH:\n"
              f"  ssh -N -L {port}:127.0.0.1:{port} you@this-machine   then open the URL with 127.0.0.1",
              file=out)
    out.flush()
    try:
        server.serve()
    except OSError as exc:
        raise PmtuiError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
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
    if args.max_seats < 1:
        raise BadInput("--max-seats: give a number of at least 1")
    return serve(db, args.host, args.port, review, args.screen, max_seats=args.max_seats)
