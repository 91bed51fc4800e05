"""The action tracker: every action item of every review, filtered and sorted (pure).

Rows come from ``pmtui.store.followup.action_rows``; this module only decides which
rows a filter keeps, in which order they are shown, which are overdue, and how they
are written out (table, JSON, CSV for importing into a ticket tracker).

No Textual, no database.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from pmtui.domain import vocab
from pmtui.domain.vocab import ActionStatus, ActionType, Priority
from pmtui.errors import BadInput
from pmtui.safetext import one_line

# The vocabulary's statuses and priorities as the plain strings rows and SQL parameters hold.
OPEN: tuple[str, ...] = tuple(s.value for s in vocab.OPEN_STATUSES)
ACTION_WORDS: dict[str, str] = {s.value: w for s, w in vocab.ACTION_STATUS_WORDS.items()}
PRIORITY_ORDER: dict[str, int] = {p.value: n for p, n in vocab.PRIORITY_ORDER.items()}
# the command line's --status words -> stored statuses
STATUS_CHOICES: dict[str, tuple[str, ...]] = {
    word: tuple(s.value for s in statuses) for word, statuses in vocab.ACTION_STATUS_FILTERS.items()
}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ActionRow(NamedTuple):
    """One action item with what the tracker shows of its review (a named tuple:
    50,000 of them are built in a blink)."""

    id: int
    review_id: int
    review_slug: str
    review_title: str
    title: str
    description: str = ""
    type: str = ActionType.other.value
    owner: str = ""
    priority: str = Priority.medium.value
    due: str | None = None  # YYYY-MM-DD
    status: str = ActionStatus.open.value
    status_note: str = ""
    tracker: str = ""
    review_tags: tuple[str, ...] = ()
    # the action item's other fields (pmtui.domain.document.ActionItem's fields this row does not
    # name above), as (field name, value): shown in JSON and the CSV's description
    more: tuple[tuple[str, Any], ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue(self, today: date) -> bool:
        """Open (or in progress) with a due date before today."""
        return self.is_open and bool(self.due) and self.due < today.isoformat()  # type: ignore[operator]

    def haystack(self) -> str:
        """What the text filter searches: the item, its owner and its review."""
        return " ".join((self.title, self.description, self.owner, self.review_title, self.review_slug,
                         self.tracker, self.status_note, *(str(v) for _, v in self.more if v))).lower()


def parse_day(text: str, what: str) -> date:
    """A YYYY-MM-DD date from the command line; anything else is one sentence of BadInput."""
    value = text.strip()
    if not _DATE_RE.match(value):
        raise BadInput(f"{what}: {value!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{what}: {value} is not a real date") from None


@dataclass
class Filter:
    """What the tracker keeps. Unknown owners, tags or priorities simply match nothing."""

    statuses: tuple[str, ...] = STATUS_CHOICES["all"]
    owner: str | None = None  # whole owner name, case-insensitive
    priority: str | None = None
    tag: str | None = None  # a tag of the item's review, case-insensitive
    text: str = ""  # every word must appear (title, description, owner, review)
    overdue: bool = False
    due_before: date | None = None
    words: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.words = self.text.lower().split()

    def keeps(self, row: ActionRow, today: date, hay: str | None = None) -> bool:
        if row.status not in self.statuses:
            return False
        if self.owner is not None and row.owner.strip().casefold() != self.owner.strip().casefold():
            return False
        if self.priority is not None and row.priority != self.priority.strip().lower():
            return False
        if self.tag is not None and self.tag.strip().casefold() not in {t.casefold() for t in row.review_tags}:
            return False
        if self.overdue and not row.overdue(today):
            return False
        if self.due_before is not None and not (row.due and row.due < self.due_before.isoformat()):
            return False
        if self.words:
            hay = hay if hay is not None else row.haystack()
            if not all(w in hay for w in self.words):
                return False
        return True


# filter words typed in the Follow-ups view: ``owner:ana status:open priority:high tag:db words``
_TOKEN = re.compile(r"(?P<key>owner|status|priority|prio|tag|due):(?P<value>\"[^\"]*\"?|\S*)", re.IGNORECASE)
_STATUS_TYPED: dict[str, tuple[str, ...]] = {
    **{s.value: (s.value,) for s in ActionStatus}, **STATUS_CHOICES,
    "progress": (ActionStatus.in_progress.value,), "wont": (ActionStatus.wont_do.value,),
}


def parse_query(query: str) -> Filter:
    """The Follow-ups view's filter line: ``key:value`` words plus free text.

    ``status:`` takes open, progress, done, wont or all; ``due:overdue`` keeps overdue
    items. A word with an unknown value keeps nothing (never an error while typing)."""
    values: dict[str, Any] = {}
    for m in _TOKEN.finditer(query):
        key, value = m.group("key").lower(), m.group("value").strip('"')
        if not value:
            continue  # still being typed
        if key == "status":
            values["statuses"] = _STATUS_TYPED.get(value.lower().replace(" ", "_"), ())
        elif key in ("priority", "prio"):
            values["priority"] = value
        elif key == "due":
            values["overdue"] = value.lower() == "overdue"
            if not values["overdue"]:
                values["statuses"] = ()
        else:
            values[key] = value
    text = _TOKEN.sub(" ", query)
    return Filter(text=text, **values)


def sort_key(row: ActionRow, today: date) -> tuple[Any, ...]:
    """Overdue first (oldest due first), then other open items by due date (none last),
    then done and won't do; priority, then review and position break ties."""
    if row.overdue(today):
        group = 0
    elif row.is_open:
        group = 1
    else:
        group = 2
    return (group, row.due or "9999-99-99", PRIORITY_ORDER.get(row.priority, 3), row.review_slug, row.id)


def select(rows: Iterable[ActionRow], flt: Filter, today: date) -> list[ActionRow]:
    return sorted((r for r in rows if flt.keeps(r, today)), key=lambda r: sort_key(r, today))


# ------------------------------------------------------------------ output
def as_json(rows: list[ActionRow], today: date) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id, "review": r.review_slug, "review_title": r.review_title, "title": r.title,
            "description": r.description, "type": r.type, "owner": r.owner, "priority": r.priority, "due": r.due,
            "status": r.status, "status_note": r.status_note, "tracker": r.tracker,
            **dict(r.more), "overdue": r.overdue(today),
            "review_tags": list(r.review_tags),
        }
        for r in rows
    ]


def to_json(rows: list[ActionRow], today: date) -> str:
    return json.dumps(as_json(rows, today), ensure_ascii=False, indent=2) + "\n"


# Column names that Jira's, Linear's and GitHub-importer CSV mappings recognise.
CSV_COLUMNS = ["Summary", "Description", "Assignee", "Due date", "Priority", "Labels", "Status", "Review"]


def csv_labels(row: ActionRow) -> str:
    """Labels without spaces (Jira's rule), comma-separated: postmortem, the type, the review's tags."""
    labels = ["postmortem", row.type, *row.review_tags]
    seen: list[str] = []
    for label in labels:
        clean = re.sub(r"[\s,]+", "-", label.strip())
        if clean and clean not in seen:
            seen.append(clean)
    return ",".join(seen)


# what pmtui read from the team's tracker: in JSON, not in a CSV's description
TRACKER_FIELDS = ("tracker_state", "tracker_label", "tracker_pulled")


def csv_description(row: ActionRow) -> str:
    back = (f"From the postmortem review \u201c{row.review_title}\u201d ({row.review_slug}); "
            f"open it with: pmtui open {row.review_slug}")
    from pmtui.domain.document import ActionItem, field_label

    more = [f"{field_label(ActionItem, name)}: {value}" for name, value in row.more
            if value not in ("", None) and name not in TRACKER_FIELDS]
    parts = [p for p in (row.description.strip(), f"Status note: {row.status_note}" if row.status_note else "", *more,
                         back) if p]
    return "\n\n".join(parts)


# A cell a spreadsheet would read as a formula starts with one of these (OWASP's "CSV
# injection"): it gets a leading ' (shown, not evaluated; Linear's importer strips it again).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell that no spreadsheet evaluates: a leading ``'`` before =, +, -, @, tab or CR."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _writer(out: io.StringIO) -> Any:
    # RFC 4180's CRLF: every field holding a carriage return or a newline is quoted (with
    # "\n" alone as the line end, Python's csv module writes a bare "\r" unquoted)
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def _write(header: list[str], body: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = _writer(out)
    writer.writerow(header)
    for cells in body:
        writer.writerow([neutralise(c) for c in cells])
    return out.getvalue()


def to_csv(rows: list[ActionRow]) -> str:
    return _write(CSV_COLUMNS, ([r.title, csv_description(r), r.owner, r.due or "", r.priority.capitalize(),
                                 csv_labels(r), ACTION_WORDS.get(r.status, r.status), r.review_slug] for r in rows))


# ------------------------------------------------------------------ tracker CSVs
TRACKER_CSVS = ("jira", "linear", "gitlab")
# Linear's own CSV (its importer's LinearCsvImporter): priorities by name, labels split on ", "
LINEAR_PRIORITY = {"high": "High", "medium": "Medium", "low": "Low"}
# the default workflow of a Linear team
LINEAR_STATUS = {"open": "Todo", "in_progress": "In Progress", "done": "Done", "wont_do": "Canceled"}
JIRA_PRIORITY = {"high": "High", "medium": "Medium", "low": "Low"}


def _account(owners: dict[str, dict[str, str]], owner: str, kind: str) -> str:
    want = owner.strip().casefold()
    return next((a.get(kind, "") for name, a in owners.items() if name.strip().casefold() == want), "")


def _owner_line(r: ActionRow, account: str, kind: str) -> str:
    if not r.owner.strip():
        return ""
    return f"Owner: {r.owner.strip()}" + ("" if account else f" (no {kind} account for this owner in pmtui's owner map)")


def to_tracker_csv(rows: list[ActionRow], kind: str, owners: dict[str, dict[str, str]] | None = None,
                   unmapped: list[str] | None = None) -> str:
    """The CSV a tracker's own importer reads as it is (``kind``: jira, linear, gitlab):
    its headers and value forms; the owner's account from the config's owner map
    (``owners``: owner name -> {tracker: account}); an owner without one is written into
    the description and added to ``unmapped``, never guessed."""
    owners = owners or {}
    missing: list[str] = []

    def account(r: ActionRow) -> str:
        found = _account(owners, r.owner, kind) if r.owner.strip() else ""
        if r.owner.strip() and not found and r.owner.strip() not in missing:
            missing.append(r.owner.strip())
        return found

    def described(r: ActionRow, who: str, *extra: str) -> str:
        return "\n\n".join(p for p in (csv_description(r), _owner_line(r, who, kind), *extra) if p)

    if kind == "jira":  # Jira's CSV importer: one Labels column per label, labels without spaces
        labels = {r.id: csv_labels(r).split(",") for r in rows}
        width = max((len(v) for v in labels.values()), default=1)
        header = ["Summary", "Issue Type", "Description", "Assignee", "Due date", "Priority",
                  *["Labels"] * width]
        body = []
        for r in rows:
            who = account(r)
            body.append([r.title, "Task", described(r, who), who, r.due or "", JIRA_PRIORITY.get(r.priority, "Medium"),
                         *labels[r.id], *[""] * (width - len(labels[r.id]))])
        text = _write(header, body)
    elif kind == "linear":  # Linear's CSV: Title, labels joined by ", ", priorities by name
        header = ["Title", "Description", "Priority", "Status", "Assignee", "Labels", "Due Date"]
        body = []
        for r in rows:
            who = account(r)
            body.append([r.title, described(r, who), LINEAR_PRIORITY.get(r.priority, "Medium"),
                         LINEAR_STATUS.get(r.status, "Todo"), who, ", ".join(csv_labels(r).split(",")), r.due or ""])
        text = _write(header, body)
    elif kind == "gitlab":  # GitLab's CSV import: title, description, due_date; the rest as quick actions
        header = ["title", "description", "due_date"]
        body = []
        for r in rows:
            who = account(r)
            actions = [" ".join("~" + (f'"{label}"' if " " in label else label) for label in csv_labels(r).split(","))]
            actions[0] = "/label " + actions[0]
            if who:
                actions.append(f"/assign @{who.lstrip('@')}")
            text = re.sub(r"(?m)^(\s*)/", r"\1\\/", described(r, who))  # the item's own words run no quick action
            body.append([r.title, "\n\n".join((text, "\n".join(actions))), r.due or ""])
        text = _write(header, body)
    else:
        raise BadInput(f"--for {kind!r}: use one of {', '.join(TRACKER_CSVS)}")
    if unmapped is not None:
        unmapped.extend(missing)
    return text


def to_table(rows: list[ActionRow], today: date) -> str:
    if not rows:
        return "No action items match.\n"
    header = ("DUE", "STATUS", "PRIORITY", "OWNER", "ACTION", "REVIEW")
    body = []
    for r in rows:
        due = (r.due or "") + (" OVERDUE" if r.overdue(today) else "")
        body.append((due, one_line(ACTION_WORDS.get(r.status, r.status)), one_line(r.priority), one_line(r.owner or "-"),
                     one_line(r.title), one_line(r.review_slug)))  # stored text, shown escaped (pmtui.safetext)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    widths[4] = min(widths[4], 60)
    lines = []
    for row in [header, *body]:
        cells = [(c if len(c) <= widths[i] else c[: widths[i] - 1] + "…").ljust(widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def counts(rows: Iterable[ActionRow], today: date) -> tuple[int, int]:
    """(open, overdue) among these rows."""
    open_n = late = 0
    day = today.isoformat()
    for r in rows:
        if r.status in OPEN:
            open_n += 1
            if r.due and r.due < day:  # overdue(), inlined: 50,000 rows
                late += 1
    return open_n, late
