"""`pmtui serve`: textual-serve has no login, so every request needs the URL's secret
(the page, its static files and the websocket that drives a seat)."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("textual_serve")
from aiohttp.test_utils import TestClient, TestServer

from pmtui import seat_cli


@pytest.fixture
async def client():
    server = seat_cli.make_server("true", "127.0.0.1", 0, "s3cret-key")
    app = await server._make_app()
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_every_request_without_the_secret_is_refused(client):
    for path in ("/", "/ws", "/static/js/textual.js", "/download/x", "/?key=wrong"):
        r = await client.get(path)
        assert r.status == 403, path
        assert "needs the URL with its key" in await r.text()
    r = await client.get("/", cookies={seat_cli.COOKIE: "guess"})
    assert r.status == 403


async def test_the_url_with_its_secret_opens_the_page_and_lets_its_websocket_in(client):
    r = await client.get("/?key=s3cret-key")
    assert r.status == 200 and "ws://" in await r.text()
    assert r.cookies[seat_cli.COOKIE].value == "s3cret-key"
    assert r.cookies[seat_cli.COOKIE]["httponly"]
    # the page's later requests carry the cookie (the client keeps it), the websocket too
    r = await client.get("/static/css/xterm.css")
    assert r.status in (200, 404)  # allowed through (the file may be named otherwise)
    ws = await client.ws_connect("/ws?width=80&height=24")
    await ws.close()


def test_serve_prints_the_url_with_a_secret_and_warns_off_localhost(monkeypatch):
    from textual_serve.server import Server

    monkeypatch.setattr(Server, "serve", lambda self, debug=False: None)
    out = io.StringIO()
    seat_cli.serve(None, "127.0.0.1", 8123, None, "overview", out=out)
    first = out.getvalue().splitlines()[0]
    assert first.startswith("pmtui serve: open http://127.0.0.1:8123/?key=") and len(first.split("key=")[1]) >= 24
    assert "NOT encrypted" not in out.getvalue()
    out = io.StringIO()
    seat_cli.serve(None, "0.0.0.0", 8123, None, "overview", out=out)
    text = out.getvalue()
    assert "NOT encrypted" in text and "ssh -N -L 8123:127.0.0.1:8123" in text
    other = io.StringIO()
    seat_cli.serve(None, "127.0.0.1", 8123, None, "overview", out=other)
    assert other.getvalue().splitlines()[0] != first  # a new secret every time
