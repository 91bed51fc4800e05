"""The team's issue trackers: one adapter per tracker behind one interface
(:class:`Adapter`), so a fifth tracker is one new module named in :data:`KINDS`.

``pmtui actions push`` creates an issue per open action item and ``pull`` reads the
issues' state back (``pmtui.trackers.sync``). Pure of the store and of Textual; httpx is
imported only when a request is made (``pmtui --help`` and the app's start never load it).

Credentials come only from environment variables and are never stored, printed or put in
an error message. Errors are one sentence with their own exit status:

=====  ==========================================================================
 2     bad input: an unknown tracker, a field the tracker rejected (named), no token
 3     the tracker refused the credentials (401, 403)
 4     the project, repository, team or issue does not exist (404, 410)
 5     rate limited longer than pmtui waits (429, GitHub's secondary limit)
 6     the tracker could not be reached, or answered with a server error
=====  ==========================================================================
"""

from __future__ import annotations

import importlib
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pmtui.errors import AccessRefused, BadInput, PmtuiError

if TYPE_CHECKING:  # pragma: no cover
    import httpx

# the trackers, each a module of this package with a class ``Tracker`` (an Adapter)
KINDS = ("github", "gitlab", "jira", "linear")
USER_AGENT = "pmtui (postmortem follow-ups)"
TIMEOUT_S = 20.0
# how long pmtui waits, in all, for a rate limit to pass before it gives up (exit 5)
MAX_WAIT_ENV = "PMTUI_TRACKER_MAX_WAIT"
MAX_WAIT_S = 120.0
MAX_RETRIES = 4


class TrackerError(PmtuiError):
    """The tracker could not be reached, or failed (exit 6)."""

    exit_code = 6


class AuthFailed(AccessRefused):
    """The tracker refused the credentials (exit 3, as for the live evidence services)."""

    exit_code = 3


class NotFound(TrackerError):
    exit_code = 4


class RateLimited(TrackerError):
    exit_code = 5


class Rejected(BadInput):
    """The tracker refused a value (400, 422): the message names the field."""


@dataclass(frozen=True)
class Target:
    """Where issues go: ``kind`` (github…), the ``project`` as the tracker names it
    (OWNER/REPO, GROUP/PROJECT, a Jira project key, a Linear team key) and the API's
    or site's base ``url``."""

    kind: str
    project: str
    url: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.project}"


@dataclass
class NewIssue:
    """One issue to create, as pmtui words it (each adapter maps it to its fields)."""

    title: str
    body: str  # Markdown, with the link back to the review; the marker is added by the adapter
    marker: str  # pmtui:action REVIEW-UID/ITEM-ID: finds the issue again after an interrupted push
    labels: list[str]
    priority: str  # pmtui's: high, medium, low
    due: str | None  # YYYY-MM-DD
    assignee: str | None  # the owner's account in this tracker (the config's owner map), or None
    type: str = "other"


@dataclass(frozen=True)
class IssueState:
    """An issue as the tracker shows it: ``state`` in pmtui's terms (open, done,
    wont_do), ``label`` in the tracker's own words."""

    url: str
    state: str
    label: str


@dataclass
class Http:
    """A few requests to one tracker with httpx: TLS verified, a timeout, the auth
    headers; rate limits waited out (bounded), every failure one sentence without the
    token. ``sleep`` and ``clock`` are replaceable (tests)."""

    base: str
    headers: dict[str, str]
    name: str  # the tracker's name, for messages
    auth: tuple[str, str] | None = None
    sleep: Callable[[float], None] = lambda seconds: _sleep(seconds)
    clock: Callable[[], float] = lambda: time.time()
    field_of: Callable[[Any], str | None] = lambda body: None  # the rejected field, from an error body
    limited: Callable[[Any], bool] = lambda response: False  # a rate limit said otherwise than 429 (Linear)
    waited: float = 0.0
    _client: Any = field(default=None, repr=False)

    def _open(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(base_url=self.base.rstrip("/") + "/", timeout=TIMEOUT_S, verify=True,
                                        headers={"User-Agent": USER_AGENT, **self.headers}, auth=self.auth,
                                        follow_redirects=False)
        client: httpx.Client = self._client
        return client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def max_wait(self) -> float:
        try:
            return max(0.0, float(os.environ.get(MAX_WAIT_ENV, MAX_WAIT_S)))
        except ValueError:
            return MAX_WAIT_S

    def request(self, method: str, path: str, *, what: str, keep: tuple[int, ...] = (), **kwargs: Any) -> Any:
        """The JSON the tracker answered (None for an empty body). ``what`` says in a few
        words what was asked (``create the issue``), for the error's sentence. ``keep``:
        statuses whose body the caller reads itself (GraphQL errors)."""
        import httpx

        client = self._open()
        for attempt in range(MAX_RETRIES + 1):
            try:
                response = client.request(method, path.lstrip("/"), **kwargs)
            except httpx.TimeoutException:
                raise TrackerError(f"{self.name} did not answer within {TIMEOUT_S:.0f} s ({what}); "
                                   "nothing more was sent") from None
            except httpx.HTTPError as exc:
                raise TrackerError(f"cannot reach {self.name} at {_host(self.base)} ({what}): "
                                   f"{_reason(exc)}") from None
            wait = self.rate_limit_wait(response)
            if wait is None:
                if response.status_code in keep:
                    try:
                        return response.json() if response.content else None
                    except ValueError:
                        pass  # not JSON: said as any other answer
                return self.answer(response, what)
            if attempt == MAX_RETRIES or self.waited + wait > self.max_wait():
                raise RateLimited(f"{self.name} is rate limiting pmtui ({what}); it asks to wait "
                                  f"{wait:.0f} s more, past pmtui's limit of {self.max_wait():.0f} s "
                                  f"(${MAX_WAIT_ENV}); run the command again later: nothing is sent twice")
            self.waited += wait
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait before trying again, or None when this is no rate limit: 429
        always; 403 when the headers or the message say so (GitHub's primary and
        secondary limits). Retry-After first, then the reset time (epoch seconds)."""
        status = response.status_code
        h = response.headers
        if status not in (403, 429) and not self.limited(response):
            return None
        text = response.text[:2000].lower() if status == 403 else ""
        remaining = h.get("x-ratelimit-remaining") or h.get("ratelimit-remaining")
        limited = status != 403 or remaining == "0" or "rate limit" in text or "retry-after" in h
        if not limited:
            return None
        retry_after = h.get("retry-after")
        if retry_after:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                from email.utils import parsedate_to_datetime

                try:
                    return max(0.0, parsedate_to_datetime(retry_after).timestamp() - self.clock())
                except (TypeError, ValueError):
                    pass
        reset = h.get("x-ratelimit-reset") or h.get("ratelimit-reset") or h.get("x-ratelimit-requests-reset")
        if reset:
            try:
                value = float(reset)
            except ValueError:
                value = -1.0
            if value > 1e12:  # milliseconds since the epoch (Linear)
                value /= 1000
            if value > 1e9:  # seconds since the epoch (GitHub)
                return max(1.0, value - self.clock())
            if value >= 0:  # seconds from now (GitLab's RateLimit-Reset is an epoch too; both read)
                return value
        return 60.0  # GitHub: "otherwise wait for at least one minute"

    def answer(self, response: httpx.Response, what: str) -> Any:
        status = response.status_code
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        if status < 300:
            return body
        if status in (401, 403):
            raise AuthFailed(f"{self.name} refused the credentials ({status}) to {what}: check the token in "
                             "the environment and its access to the project")
        if status in (404, 410):
            raise NotFound(f"{self.name} answered {status} (not found) to {what}: check the project's or "
                           "issue's name, the site's URL and the token's access to it")
        if status in (400, 409, 422):
            name = self.field_of(body)
            detail = _message(body)
            if name:
                raise Rejected(f"{self.name} rejected the field {name!r} ({status}) to {what}"
                               f"{': ' + detail if detail else ''}")
            raise Rejected(f"{self.name} rejected the request ({status}) to {what}{': ' + detail if detail else ''}")
        if status >= 500:
            raise TrackerError(f"{self.name} answered with a server error ({status}) to {what}; try again later")
        raise TrackerError(f"{self.name} answered {status} to {what}")


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _host(url: str) -> str:
    m = re.match(r"^[a-z]+://([^/@]*@)?([^/]+)", url)
    return m.group(2) if m else url


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return re.sub(r"://[^/@\s]*@", "://", text)[:200]  # never a user:password part of a URL


def _message(body: Any) -> str:
    """A short reason from an error body (GitHub's message, GitLab's, Jira's errorMessages)."""
    if isinstance(body, dict):
        for key in ("message", "error", "errorMessages"):
            value = body.get(key)
            if isinstance(value, list) and value and isinstance(value[0], str):
                return value[0][:200]
            if isinstance(value, str) and value:
                return value[:200]
    return ""


class Adapter:
    """One tracker. A subclass sets ``NAME`` and implements the four methods; it is
    made with the target and the environment (credentials), and talks through ``http``."""

    NAME: ClassVar[str] = ""
    # the environment variables that hold credentials (documented in the README)
    ENV: ClassVar[tuple[str, ...]] = ()
    http: Http

    def __init__(self, target: Target, env: Mapping[str, str]) -> None:
        self.target = target
        self.notes: list[str] = []  # what the tracker could not take as given (said after the push)

    @classmethod
    def default_url(cls, env: Mapping[str, str]) -> str:
        """The API's or site's base URL when none is given."""
        raise NotImplementedError

    @classmethod
    def owns(cls, url: str) -> bool:
        """Whether an issue URL (an item's ``tracker`` field) is one of this tracker's."""
        raise NotImplementedError

    @classmethod
    def target_of(cls, url: str, env: Mapping[str, str], given: str | None) -> Target:
        """The target an issue URL belongs to, for pull (``given``: a --url)."""
        raise NotImplementedError

    def find_marked(self, marker: str) -> dict[str, str]:
        """Issues whose body holds a marker starting ``marker`` (this review's): marker -> URL."""
        raise NotImplementedError

    def create(self, issue: NewIssue) -> IssueState:
        raise NotImplementedError

    def read(self, url: str) -> IssueState:
        raise NotImplementedError

    def close(self) -> None:
        self.http.close()


def adapter_class(kind: str) -> type[Adapter]:
    if kind not in KINDS:
        raise BadInput(f"unknown tracker {kind!r}: use one of {', '.join(KINDS)}")
    cls: type[Adapter] = importlib.import_module(f"pmtui.trackers.{kind}").Tracker
    return cls


def parse_target(text: str, url: str | None, env: Mapping[str, str]) -> Target:
    """``--to github:OWNER/REPO`` (gitlab:GROUP/PROJECT, jira:KEY, linear:TEAM) and ``--url``."""
    kind, sep, project = text.strip().partition(":")
    kind = kind.lower()
    if not sep or not project.strip():
        raise BadInput(f"--to {text!r}: say TRACKER:PROJECT, e.g. github:OWNER/REPO, gitlab:GROUP/PROJECT, "
                       "jira:KEY or linear:TEAM")
    cls = adapter_class(kind)
    project = project.strip()
    if kind == "github" and not re.fullmatch(r"[\w.-]+/[\w.-]+", project):
        raise BadInput(f"--to {text!r}: a GitHub repository is OWNER/REPO")
    if kind == "gitlab" and "/" not in project:
        raise BadInput(f"--to {text!r}: a GitLab project is GROUP/PROJECT (its path)")
    if kind == "jira" and not re.fullmatch(r"[A-Z][A-Z0-9_]+", project):
        raise BadInput(f"--to {text!r}: a Jira project key is capital letters and digits, e.g. OPS")
    base = (url or cls.default_url(env)).strip()
    if not base:
        raise BadInput(f"--to {text}: give the site's URL with --url (or ${kind.upper()}_URL)")
    if not re.match(r"^https?://[^/\s]+", base):
        raise BadInput(f"--url {base!r}: not an http(s) URL")
    return Target(kind, project, base.rstrip("/"))


def adapter_for_url(url: str) -> type[Adapter] | None:
    for kind in KINDS:
        cls = adapter_class(kind)
        if cls.owns(url):
            return cls
    return None


def need(env: Mapping[str, str], name: str, tracker: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise BadInput(f"{tracker}: set ${name} in the environment (pmtui reads credentials only from there)")
    return value


MARKER_RE = re.compile(r"pmtui:action ([\w.-]+)/(\d+)")


def marker(review_uid: str, item_id: int) -> str:
    return f"pmtui:action {review_uid}/{item_id}"


def markers_in(text: str) -> list[str]:
    return [f"pmtui:action {m.group(1)}/{m.group(2)}" for m in MARKER_RE.finditer(text or "")]
