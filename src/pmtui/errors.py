"""Errors a user can act on. The command line prints them as plain sentences."""

from __future__ import annotations

from typing import Any


class PmtuiError(Exception):
    """An error with a message meant for the user, and the exit status to use."""

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def lines(self) -> list[str]:
        return [self.message, *self.problems] if self.problems else [self.message]


class BadInput(PmtuiError):
    """The user gave something invalid: a malformed file, a wrong value, an unknown name."""

    exit_code = 2

    @classmethod
    def many(cls, problems: list[str]) -> BadInput:
        if len(problems) == 1:
            return cls(problems[0])
        return cls(f"{len(problems)} problems", problems)

    def located(self, where: str) -> BadInput:
        """The same error, with the file it came from in front of every line."""
        if self.message.startswith(where):
            return self
        if self.problems:
            return BadInput(f"{where}: {self.message}", [f"{where}: {p}" for p in self.problems])
        return BadInput(f"{where}: {self.message}")


class FieldErrors(BadInput):
    """One or more fields of a form are invalid: ``fields`` maps each to what is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        problems = [f"{name}: {msg}" for name, msg in fields.items()]
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems", problems if len(problems) > 1 else None)
        self.fields = fields


class AccessRefused(PmtuiError):
    """A service refused pmtui's credentials (or none were given): exit 3. The message
    names the environment variable to set, never the credential."""

    exit_code = 3


class ServiceFailed(PmtuiError):
    """A service could not be reached or answered with an error (network, 5xx, rate
    limits past pmtui's bound): exit 4. Nothing was changed."""

    exit_code = 4


class StoreError(PmtuiError):
    """The store cannot be opened or used: not a pmtui store, newer schema, locked."""

    exit_code = 1


class Conflict(PmtuiError):
    """A row changed (or went) since the caller read it: nothing was written.

    ``current`` holds the stored values (None when the row was deleted), ``attempted``
    the values the caller tried to write, ``changed_by``/``changed_at`` who changed it
    last and when (UTC text), and the versions read and found."""

    exit_code = 1

    def __init__(self, kind: str, row_id: int, *, expected_version: int, current_version: int | None,
                 current: dict[str, Any] | None, attempted: dict[str, Any], changed_by: str = "", changed_at: str = "") -> None:
        if current is None:
            message = f"this {kind} was deleted since you read it; nothing was written"
        else:
            who = changed_by or "someone else"
            when = f" at {changed_at[:16].replace('T', ' ')} UTC" if changed_at else ""
            message = f"this {kind} was changed by {who}{when} since you read it; nothing was written"
        super().__init__(message)
        self.kind = kind
        self.row_id = row_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.current = current
        self.attempted = attempted
        self.changed_by = changed_by
        self.changed_at = changed_at


def unchanged_since(kind: str, row_id: int, now: dict[str, Any] | None, expect: dict[str, Any],
                    attempted: dict[str, Any], version: int | None) -> dict[str, Any]:
    """The check of every undo and redo step: it writes ``attempted`` only while the row
    (``now``, as stored: None when deleted, ``version`` its version) still holds ``expect``,
    what this seat's previous step left there. Another seat's change since is a
    :class:`Conflict`, raised here: reported by the caller, nothing overwritten. Gives ``now``
    back when the step may write."""
    if now is None or any(now.get(k) != v for k, v in expect.items()):
        raise Conflict(kind, row_id, expected_version=-1, current_version=None if now is None else version,
                       current=now, attempted=attempted, changed_by=(now or {}).get("updated_by") or "",
                       changed_at=(now or {}).get("updated_at") or "")
    return now
