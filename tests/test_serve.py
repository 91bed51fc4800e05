"""`pmtui serve`: textual-serve has no login, so every request needs the URL's secret
(the page, its static files and the websocket that drives a seat); the secret never
reaches a log nor stays in the address; only pmtui's own page opens a seat; sizes and
seats are bounded; the page's URLs follow the address the browser used.

Most tests talk to a real server on 127.0.0.1 with a real HTTP and websocket client
(aiohttp's): `pmtui serve` itself in a process of its own, or (for what a seat's
process receives) the same server in this process with a small recorder as the seat."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")
import aiohttp
from aiohttp import web

from pmtui.cli import seats as seat_cli

SECRET = "s3cret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------ in this process
RECORDER = r"""
import json, os, sys
out = open(sys.argv[1], "a")
out.write(json.dumps({"columns": os.environ["COLUMNS"], "rows": os.environ["ROWS"]}) + "\n"); out.flush()
sys.stdout.write("__GANGLION__\n"); sys.stdout.flush()
stdin = sys.stdin.buffer
while True:
    head = stdin.read(5)
    if len(head) < 5:
        break
    payload = stdin.read(int.from_bytes(head[1:], "big"))
    out.write(json.dumps({"packet": head[:1].decode(), "data": payload.decode()}) + "\n"); out.flush()
    if head[:1] == b"M" and json.loads(payload).get("type") == "quit":
        break
"""


class Running:
    def __init__(self, url: str, record: Path) -> None:
        self.url, self.record = url, record

    def seen(self) -> list[dict]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    async def wait_for(self, test, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if test(seen := self.seen()):
                return seen
            await asyncio.sleep(0.05)
        raise AssertionError(f"the seat never received it: {self.seen()}")


@pytest.fixture
async def running(tmp_path):
    """The server, on a real socket of 127.0.0.1, each seat a recorder of what it is sent."""
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    record = tmp_path / "seat.jsonl"
    server = seat_cli.make_server(f"{sys.executable} {script} {record}", "127.0.0.1", 0, SECRET, max_seats=2)
    app = await server._make_app()
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield Running(f"http://127.0.0.1:{port}", record)
    finally:
        for _ in range(200):  # each closed seat's process has ended
            if not server.seats:
                break
            await asyncio.sleep(0.05)
        await runner.cleanup()


def session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # keeps cookies of an IP address


async def test_every_request_without_the_secret_is_refused(running):
    async with session() as s:
        for path in ("/", "/ws", "/static/js/textual.js", "/download/x", "/?key=wrong", "/static/"):
            async with s.get(running.url + path) as r:
                assert r.status == 403, path
                assert "needs the URL with its key" in await r.text()
        async with s.get(running.url + "/", cookies={seat_cli.COOKIE: "guess"}) as r:
            assert r.status == 403


async def test_the_key_sets_a_strict_cookie_and_leaves_the_address(running):
    async with session() as s:
        async with s.get(running.url + f"/?key={SECRET}&fontsize=20") as r:
            assert r.status == 200
            body = await r.text()
            cookie = r.cookies[seat_cli.COOKIE]
            assert cookie.value == SECRET and cookie["httponly"] and cookie["samesite"] == "Strict"
            assert r.headers["Referrer-Policy"] == "no-referrer" and r.headers["Cache-Control"] == "no-store"
        # the browser goes on to the same address without the key (the page's own refresh)
        target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', body).group(1)
        assert target == "/?fontsize=20" and SECRET not in body.replace(f"key={SECRET}", "")
        async with s.get(running.url + target) as r:
            assert r.status == 200
            page = await r.text()
        assert 'data-session-websocket-url="ws://127.0.0.1:' in page and SECRET not in page


async def test_the_page_loads_nothing_from_elsewhere_and_says_so_in_its_policy(running):
    async with session() as s:
        async with s.get(running.url + f"/static/css/xterm.css?key={SECRET}"):
            pass
        async with s.get(running.url + "/") as r:
            page = await r.text()
            csp = r.headers["Content-Security-Policy"]
            assert r.headers["Referrer-Policy"] == "no-referrer" and r.headers["Cache-Control"] == "no-store"
        assert "googleapis" not in page and "onClick" not in page.replace("onclick", "")
        urls = re.findall(r'(?<![\w-])(?:src|href|url)\s*=?\s*\(?"([^"]+)"', page)
        assert urls and all(u.startswith("/static/") for u in urls), urls
        for u in urls:  # everything it names is served here
            async with s.get(running.url + u) as r:
                assert r.status == 200, u
        assert "default-src 'none'" in csp and "script-src 'self' 'nonce-" in csp and "font-src 'self'" in csp
        assert f"connect-src 'self' ws://{running.url.split('//')[1]}" in csp and "http" not in csp
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        scripts = re.findall(r"<script([^>]*)>", page)
        assert all(f'nonce="{nonce}"' in attrs or 'src="/static/' in attrs for attrs in scripts)
        async with s.get(running.url + "/static/") as r:  # no directory listing
            assert r.status in (403, 404) and "Index of" not in await r.text()
        async with s.get(running.url + "/static/js/") as r:
            assert r.status in (403, 404)


async def test_the_websocket_refuses_a_page_of_another_origin(running):
    async with session() as s:
        async with s.get(running.url + f"/?key={SECRET}"):
            pass
        host = running.url.split("//")[1]
        for origin in ("http://localhost:9999", "http://127.0.0.1:1", "null", f"http://{host}.evil.example"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await s.ws_connect(running.url + "/ws", origin=origin)
            assert refused.value.status == 403, origin
        assert running.seen() == []  # no seat was started
        ws = await s.ws_connect(running.url + "/ws", origin=running.url)
        await running.wait_for(lambda seen: seen)
        await ws.close()


async def test_sizes_are_clamped_in_the_url_and_in_a_resize(running):
    async with session() as s:
        async with s.get(running.url + f"/?key={SECRET}"):
            pass
        ws = await s.ws_connect(running.url + "/ws?width=20000&height=20000")
        seen = await running.wait_for(lambda seen: seen)
        assert seen[0] == {"columns": "500", "rows": "200"}
        await ws.send_json(["resize", {"width": 20000, "height": 20000}])
        await ws.send_json(["resize", {"width": -5, "height": "x"}])
        await ws.send_json(["resize", {"width": 1e308 * 10, "height": 40}])
        seen = await running.wait_for(lambda seen: len(seen) >= 4)
        resizes = [json.loads(x["data"]) for x in seen[1:4]]
        assert resizes == [{"type": "resize", "width": 500, "height": 200},
                           {"type": "resize", "width": 1, "height": 24},
                           {"type": "resize", "width": 80, "height": 40}]
        await ws.close()


async def test_seats_are_capped_and_the_page_beyond_says_so(running):
    async with session() as s:
        async with s.get(running.url + f"/?key={SECRET}"):
            pass
        first = await s.ws_connect(running.url + "/ws")
        second = await s.ws_connect(running.url + "/ws")
        await running.wait_for(lambda seen: len([x for x in seen if "columns" in x]) == 2)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await s.ws_connect(running.url + "/ws")
        assert refused.value.status == 503
        async with s.get(running.url + "/") as r:
            assert r.status == 503 and "all 2 seats are taken" in await r.text()
        await first.close()
        for _ in range(100):  # the seat's place is free again once its tab is closed
            async with s.get(running.url + "/") as r:
                if r.status == 200:
                    break
            await asyncio.sleep(0.05)
        assert r.status == 200
        await second.close()


async def test_a_malformed_message_is_ignored_and_the_seat_goes_on(running, caplog):
    async with session() as s:
        async with s.get(running.url + f"/?key={SECRET}"):
            pass
        ws = await s.ws_connect(running.url + "/ws")
        await running.wait_for(lambda seen: seen)
        for bad in ("not json", "[", "{}", "[]", '["resize", 5]', '["stdin", 5]', '["resize", {"width": [1]}]',
                    "[" * 100_000 + "]" * 100_000, '["nothing-known"]'):
            await ws.send_str(bad)
        await ws.send_json(["ping", "still-here"])
        reply = await ws.receive_json(timeout=10)
        assert reply == ["pong", "still-here"]
        await ws.close()
    said = [r for r in caplog.records if r.name == "pmtui.serve"]
    assert len(said) == 1 and "malformed" in said[0].getMessage() and said[0].exc_info is None


def test_clamp():
    assert [seat_cli.clamp(v, 80, 500) for v in (20000, "20000", 0, -1, "x", None, 1e400, True, 120.7, [1])] == \
        [500, 500, 1, 1, 80, 80, 80, 80, 120, 80]


# ------------------------------------------------------------ pmtui serve itself
class Served:
    def __init__(self, proc: subprocess.Popen, url: str, out: Path, err: Path) -> None:
        self.proc, self.url, self.out, self.err = proc, url, out, err
        self.key = url.split("key=")[1]
        self.base = url.split("/?")[0]

    def stop(self) -> tuple[str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.out.read_text(), self.err.read_text()


def start_serve(db_path: Path, tmp_path: Path, *args: str) -> Served:
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    env = {**os.environ, "PMTUI_CONFIG": str(tmp_path / "config.toml"), "PYTHONUNBUFFERED": "1"}
    env.pop("PMTUI_DB", None)
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.Popen([sys.executable, "-m", "pmtui", "--db", str(db_path), "serve", *args],
                                stdout=o, stderr=e, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = out.read_text()
        match = re.search(r"open (http://\S+)", text)
        port = int(args[args.index("--port") + 1])
        if match and proc.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return Served(proc, match.group(1), out, err)
        if proc.poll() is not None:
            raise AssertionError(f"pmtui serve ended: {err.read_text()}")
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise AssertionError("pmtui serve did not start")


async def tunnel(listen: int, to: int) -> asyncio.AbstractServer:
    """A local port forward, as `ssh -L listen:127.0.0.1:to` gives."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        r2, w2 = await asyncio.open_connection("127.0.0.1", to)
        await asyncio.gather(pipe(reader, w2), pipe(r2, writer))

    return await asyncio.start_server(forward, "127.0.0.1", listen)


@pytest.fixture
def served(db_path, store, tmp_path):
    servers: list[Served] = []

    def start(*args: str) -> Served:
        servers.append(start_serve(db_path, tmp_path, *args))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


async def test_pmtui_serve_on_localhost_through_a_tunnel_and_its_log_never_holds_the_key(served):
    port, other = free_port(), free_port()
    s = served("--host", "localhost", "--port", str(port))
    assert s.url.startswith(f"http://localhost:{port}/?key=")  # the host as given: the cookie matches it
    forward = await tunnel(other, port)
    try:
        async with session() as c:
            async with c.get(s.url) as r:  # the key: a cookie, and on to the address without it
                assert r.status == 200 and "refresh" in await r.text()
            async with c.get(f"{s.base}/", headers={"Referer": s.url}) as r:
                page = await r.text()
                assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in page
            async with c.get(f"{s.base}/static/css/xterm.css", headers={"Referer": s.url}) as r:
                assert r.status == 200
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await c.ws_connect(f"{s.base}/ws", origin="http://localhost:9999")
            assert refused.value.status == 403
            ws = await c.ws_connect(f"ws://localhost:{port}/ws?width=90&height=30", origin=s.base)
            await ws.send_str("not json")
            await ws.send_json(["ping", 1])
            assert await ws.receive_json(timeout=60) == ["pong", 1]
            await ws.close()
        # an SSH tunnel on another local port: the page names the port the browser used
        async with session() as c:
            tunnelled = f"http://127.0.0.1:{other}"
            async with c.get(f"{tunnelled}/?key={s.key}") as r:
                assert r.status == 200
            async with c.get(f"{tunnelled}/") as r:
                page = await r.text()
                assert f'data-session-websocket-url="ws://127.0.0.1:{other}/ws"' in page
            ws = await c.ws_connect(f"ws://127.0.0.1:{other}/ws", origin=tunnelled)
            await ws.send_json(["ping", 2])
            assert await ws.receive_json(timeout=60) == ["pong", 2]
            await ws.close()
    finally:
        forward.close()
        await forward.wait_closed()
    out, err = s.stop()
    assert out.count(s.key) == 1  # the printed URL, once; never in the log
    assert s.key not in err
    assert "GET /static/css/xterm.css 200" in err and "GET / 200" in err  # the access log is there
    assert "Traceback" not in err and "Traceback" not in out
    assert err.count("malformed") == 1


def test_serve_prints_a_usable_url_for_each_host(monkeypatch):
    class Quiet:
        def serve(self) -> None:
            pass

    made: list[tuple] = []
    monkeypatch.setattr(seat_cli, "make_server", lambda *a, **k: made.append(a) or Quiet())
    urls = {}
    for host in ("127.0.0.1", "localhost", "0.0.0.0", "::1", "::"):
        out = io.StringIO()
        seat_cli.serve(None, host, 8123, None, "overview", out=out)
        urls[host] = out.getvalue()
    assert [a[1] for a in made] == ["127.0.0.1", "localhost", "0.0.0.0", "::1", "::"]  # listens where asked
    first = {h: t.splitlines()[0].split("?key=")[0] for h, t in urls.items()}
    assert first == {"127.0.0.1": "pmtui serve: open http://127.0.0.1:8123/", "localhost": "pmtui serve: open http://localhost:8123/",
                     "0.0.0.0": "pmtui serve: open http://127.0.0.1:8123/", "::1": "pmtui serve: open http://[::1]:8123/",
                     "::": "pmtui serve: open http://[::1]:8123/"}
    assert "NOT encrypted" not in urls["127.0.0.1"] and "NOT encrypted" not in urls["localhost"]
    assert "Listening on all interfaces" in urls["0.0.0.0"] and "NOT encrypted" in urls["0.0.0.0"]
    assert "ssh -N -L 8123:127.0.0.1:8123" in urls["0.0.0.0"]
    keys = {t.splitlines()[0].split("key=")[1] for t in urls.values()}
    assert len(keys) == 5 and all(len(k) >= 24 for k in keys)  # a new secret every time


def test_serve_help_states_the_bounds(cli):
    r = cli("serve", "--help")
    text = " ".join(r.out.split())
    assert "500 columns by 200 rows" in text and "--max-seats" in text and "never written to the server's log" in text
    assert cli("serve", "--max-seats", "0").code == 2


async def test_pmtui_serve_on_all_interfaces_prints_a_usable_url_and_its_page_follows_the_address(served):
    port = free_port()
    s = served("--host", "0.0.0.0", "--port", str(port), "--max-seats", "1")
    assert s.url.startswith(f"http://127.0.0.1:{port}/?key=")  # not http://0.0.0.0:…
    assert "Listening on all interfaces" in s.out.read_text()
    async with session() as c:
        async with c.get(s.url):
            pass
        async with c.get(f"{s.base}/") as r:
            page = await r.text()
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page and "0.0.0.0" not in page
        ws = await c.ws_connect(f"ws://127.0.0.1:{port}/ws", origin=s.base)
        await ws.send_json(["ping", 1])
        assert await ws.receive_json(timeout=60) == ["pong", 1]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:  # --max-seats 1
            await c.ws_connect(f"ws://127.0.0.1:{port}/ws", origin=s.base)
        assert refused.value.status == 503
        await ws.close()
    _out, err = s.stop()
    assert s.key not in err and "Traceback" not in err
