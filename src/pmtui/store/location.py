"""Where the store is: a path (SQLite), ``sqlite:///path`` or ``postgresql://…``.

Standard library only. A location never shows its password: ``str()`` and
:attr:`Location.shown` mask it, and only :meth:`Location.sqlalchemy_url` carries it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from pmtui.errors import BadInput

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import URL

ENV_VAR = "PMTUI_DB"
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("pmtui") / "pmtui.db"


@dataclass(frozen=True)
class Location:
    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None
    user: str = ""
    password: str = field(default="", repr=False)
    host: str = ""
    port: int | None = None
    database: str = ""
    query: str = ""
    given: str = field(default="", repr=False, compare=False)  # the URL as the user spelled it

    @property
    def has_password(self) -> bool:
        """The URL carries a password (in its user part or as ``password=`` in its query)."""
        return bool(self.password) or any(p.split("=", 1)[0].lower() == "password" for p in self.query.split("&"))

    def for_another_seat(self) -> str:
        """The store as another seat writes it in ``--db``: the path, or the URL in the user's
        own spelling (scheme, host, port, query) with the password taken out, never masked:
        ``postgresql://sre@db:5432/pmtui`` connects with PGPASSWORD, ~/.pgpass or a service
        file, where ``sre:***@`` would fail."""
        if self.kind == "sqlite":
            return str(self.path)
        if not self.given:
            return self.shown
        scheme, _, rest = self.given.partition("://")
        netloc, slash, tail = rest.partition("/")
        if "@" in netloc:
            creds, _, hostport = netloc.rpartition("@")
            netloc = f"{creds.split(':', 1)[0]}@{hostport}" if creds.split(":", 1)[0] else hostport
        path, qmark, query = tail.partition("?")
        if qmark:
            kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() != "password"]
            tail = path + (f"?{'&'.join(kept)}" if kept else "")
        return f"{scheme}://{netloc}{slash}{tail}"

    @property
    def shown(self) -> str:
        """How messages name the store: the path, or the URL without its password."""
        if self.kind == "sqlite":
            return str(self.path)
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"postgresql://{user}{self.host}{port}/{self.database}"

    def __str__(self) -> str:
        return self.shown

    def url_shown(self) -> str | None:
        """What the store's engine URL renders as with its password hidden
        (``engine.url.render_as_string(hide_password=True)``), without SQLAlchemy, for a
        location spelled in plain characters; None for one SQLAlchemy would escape (the
        caller then asks the engine). The app keys where each review was left by it."""
        plain = re.compile(r"[A-Za-z0-9._/ -]*")
        if self.kind == "sqlite":
            path = str(self.path)
            return f"sqlite:///{path}" if plain.fullmatch(path) else None
        if self.query or not all(plain.fullmatch(p) and "/" not in p for p in (self.user, self.host, self.database)):
            return None
        user = f"{self.user}{':***' if self.password else ''}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"postgresql+psycopg://{user}{self.host}{port}/{self.database}"

    def sqlalchemy_url(self) -> URL:
        """The SQLAlchemy URL (with the password): imports SQLAlchemy."""
        from sqlalchemy.engine import URL

        if self.kind == "sqlite":
            return URL.create("sqlite", database=str(self.path))
        query: dict[str, str] = {}
        for part in self.query.split("&") if self.query else []:
            k, _, v = part.partition("=")
            query[unquote(k)] = unquote(v)
        return URL.create("postgresql+psycopg", username=self.user or None, password=self.password or None,
                          host=self.host or None, port=self.port, database=self.database, query=query)


def parse(value: str | os.PathLike[str]) -> Location:
    """A ``--db`` value as a location; a malformed URL is a BadInput (password masked)."""
    text = os.fspath(value)
    scheme = text.split(":", 1)[0].lower() if "://" in text else ""
    if not scheme:
        return Location("sqlite", path=Path(text).expanduser())
    if scheme == "sqlite":
        rest = text[len("sqlite:"):]
        if not rest.startswith("///") or len(rest) == 3:
            raise BadInput("an SQLite URL names a file: sqlite:///relative/path.db or sqlite:////absolute/path.db")
        return Location("sqlite", path=Path(unquote(rest[3:])).expanduser())
    if scheme in POSTGRES_SCHEMES:
        return _parse_postgres(text)
    raise BadInput(f"{scheme}:// is not a store pmtui can use; give a file path, sqlite:///PATH or "
                   "postgresql://USER:PASSWORD@HOST:PORT/DATABASE")


def _parse_postgres(text: str) -> Location:
    parts = urlsplit(text)
    masked = _mask(text)
    try:
        port = parts.port
    except ValueError:
        raise BadInput(f"{masked}: the port is not a number between 1 and 65535") from None
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise BadInput(f"{masked}: name the database after the host, e.g. postgresql://user@host:5432/pmtui")
    if not parts.hostname and "host=" not in parts.query:
        raise BadInput(f"{masked}: name the server, e.g. postgresql://user@host:5432/{database}")
    return Location("postgresql", user=unquote(parts.username or ""), password=unquote(parts.password or ""),
                    host=parts.hostname or "", port=port, database=database, query=parts.query, given=text)


def _mask(text: str) -> str:
    """A URL with its password replaced by ***."""
    scheme, sep, rest = text.partition("://")
    if "@" not in rest:
        return text
    creds, _, host = rest.rpartition("@")
    if ":" in creds:
        creds = creds.split(":", 1)[0] + ":***"
    return f"{scheme}{sep}{creds}@{host}"


def resolve(cli_value: str | None) -> Location:
    """``--db`` wins, then ``PMTUI_DB``, then the user data folder."""
    if cli_value:
        return parse(cli_value)
    env = os.environ.get(ENV_VAR)
    if env:
        return parse(env)
    return Location("sqlite", path=default_path())


def resolve_path(cli_value: str | None) -> Path:
    """The SQLite file a ``--db`` value names (kept for callers that want a path)."""
    loc = resolve(cli_value)
    if loc.path is None:
        raise BadInput(f"{loc.shown} is a PostgreSQL store, not a file")
    return loc.path
