"""Search across every review (issue 25), side by side with its baselines in one run.

Goals:
  - `pmtui search` (pmtui.store.search.search) on a store of 10,000 reviews with
    1,000,000 timeline events answers in under 100 ms at the median, on SQLite and on
    PostgreSQL, and within 3x of a bare FTS5 query on the same data (the same MATCH,
    `ORDER BY rank LIMIT 50`, rowids only, on a plain sqlite3 connection);
  - keeping the index (the triggers) costs an import, or a quick add of a factor or an
    event, at most 1.3x of the same store without the triggers (today's write path);
  - the index's size on disk, beside the store's.

    python benchmarks/bench_search.py [--reviews 10000] [--events 100] [--repeat 15]
                                      [--no-postgres] [--keep DIR]

The store is generated with direct SQL bulk inserts (realistic incident wording from
templates: services, regions, causes, people), with the index kept by its triggers
(SQLite: the rows they queue go into FTS5 in one statement at the end) or filled by pmtui.store.search.rebuild after a load with triggers off
(PostgreSQL: `session_replication_role = replica`, as a restore would). PostgreSQL is
a throw-away server started as in bench_pg.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SERVICES = ["checkout", "payments", "search-api", "auth", "inventory", "cart", "billing", "notifications", "gateway",
            "recommendations", "orders", "shipping", "profile", "catalog", "pricing", "ledger", "webhooks", "mailer",
            "scheduler", "uploads", "thumbnailer", "analytics", "reporting", "identity", "sessions", "feature-flags",
            "edge-proxy", "cdn", "dns", "load-balancer", "kafka", "rabbitmq", "redis", "memcached", "postgres",
            "mysql", "elasticsearch", "object-storage", "ci-runners", "build-cache"]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1", "ap-northeast-1", "sa-east-1"]
PEOPLE = ["Ana", "Jonas", "Priya", "Mateo", "Chen", "Fatima", "Lukas", "Amara", "Sofia", "Kenji", "Olusegun", "Marta"]
CAUSES = ["a configuration change", "a schema migration", "a certificate rotation", "a load spike from a bot",
          "a dependency upgrade", "a cache eviction storm", "a disk filling up", "a network partition",
          "a runaway cron job", "an expired credential", "a bad feature flag", "a kernel update",
          "a regular expression backtracking", "a hot partition", "a retry storm", "a DNS record change"]
EVENTS = [
    "{svc} p99 latency rose to {n} ms in {region}",
    "Alert fired: {svc} error rate above {p}% for five minutes",
    "{who} acknowledged the page for {svc}",
    "Deploy {ver} of {svc} started rolling out",
    "Rolled back {svc} to {ver}; errors are dropping",
    "{db} replica lag reached {n} seconds",
    "Connection pool on {svc} exhausted; requests are queueing",
    "Cache hit ratio on {cache} dropped to {p}%",
    "Failover of the {db} primary to the standby completed",
    "Disk usage on {db} volume at {p}%",
    "Customer support reports {svc} failures from customers in {region}",
    "Status page updated: investigating elevated errors in {region}",
    "Traffic shifted away from {region} to {region2}",
    "TLS certificate for {svc} expired and clients refused connections",
    "DNS resolution failures for {svc} from {region}",
    "Rate limiter on {svc} started rejecting requests",
    "Queue backlog on {queue} grew to {n} messages",
    "Memory on {svc} hosts exhausted; the OOM killer stopped workers",
    "Feature flag {flag} enabled for all users of {svc}",
    "Incident declared, severity SEV{sev}; {who} is incident commander",
    "Scaled {svc} from {n} to {m} instances",
    "{svc} burned {p}% of its monthly error budget",
    "Backups of {db} verified by a test restore",
    "CPU on edge servers in {region} at {p}% after a WAF rule change",
    "Network partition between {region} and {region2} observed",
    "Load spike from {cause2} hit {svc}",
    "{who} suspects {cause} and checks the dashboards",
    "Health checks on {svc} flapping in {region}",
    "Timeouts between {svc} and {svc2} after {cause}",
    "Retries from {svc} amplified the load on {svc2}",
    "Hotfix {ver} for {svc} deployed to production",
    "Latency back to normal; monitoring {svc} for an hour",
]
FACTORS = [
    "Configuration changes ride along with code deploys and skip the canary stage",
    "The alert on {svc} fired only after customers noticed",
    "{db} replication stopped after a load spike",
    "No runbook covered failing over {db}",
    "Retries without backoff amplified the load on {svc}",
    "The capacity tool allowed removing too many {svc} hosts at once",
    "Certificate expiry for {svc} was not monitored",
    "Dashboards for {svc} lacked per-region breakdowns",
    "A single regular expression could consume all CPU on the edge",
    "Backups of {db} were never restored in a test",
]


def words(rng: random.Random, template: str) -> str:
    svc, svc2 = rng.sample(SERVICES, 2)
    region, region2 = rng.sample(REGIONS, 2)
    return template.format(
        svc=svc, svc2=svc2, region=region, region2=region2, who=rng.choice(PEOPLE), n=rng.randint(2, 9000),
        m=rng.randint(2, 400), p=rng.randint(1, 100), ver=f"2025.{rng.randint(1, 12)}.{rng.randint(1, 30)}-{rng.randint(1, 9)}",
        db=rng.choice(["postgres", "mysql", "redis", "elasticsearch", "kafka"]) + "-" + rng.choice(["main", "orders", "events", "sessions"]),
        cache=rng.choice(["redis", "memcached", "cdn"]) + "-" + rng.choice(SERVICES[:10]), queue=rng.choice(["kafka", "rabbitmq"]) + "/" + svc,
        flag=rng.choice(["new-checkout", "fast-search", "v2-pricing", "async-mail", "bulk-export"]), sev=rng.randint(1, 4),
        cause=rng.choice(CAUSES), cause2=rng.choice(CAUSES))


# --------------------------------------------------------------------- generation
def review_rows(n: int, rng: random.Random) -> list[dict[str, Any]]:
    now = "2026-01-01T00:00:00.000000"
    out = []
    for i in range(1, n + 1):
        svc = rng.choice(SERVICES)
        day = datetime(2021, 1, 1) + timedelta(days=i * 1826 // n)
        out.append({
            "id": i, "slug": f"{day:%Y-%m-%d}-review-{i}", "uid": f"bench-{i:08d}",
            "title": f"{svc.capitalize()} {rng.choice(['errors', 'latency', 'outage', 'degradation'])} after {rng.choice(CAUSES)}",
            "status": rng.choice(["draft", "in_review", "published"]), "severity": f"SEV{rng.randint(1, 4)}",
            "incident_ref": None, "timezone": "UTC", "started_utc": None, "started_offset": None,
            "review_date": day.date().isoformat(), "summary": words(rng, "{svc} was degraded in {region} after {cause}."),
            "trigger": words(rng, "{cause}"), "detection": words(rng, "Alert fired: {svc} error rate above {p}%"),
            "resolution": words(rng, "Rolled back {svc} to {ver}"), "impact_description": words(rng, "Customers in {region} saw errors"),
            "users_affected": None, "data_loss": "", "support_tickets": None, "slo_budget_spent_pct": None,
            "customer_communication": "", "created_at": now, "updated_at": now, "version": 1, "updated_by": "",
        })
    return out


def event_rows(review_id: int, count: int, rng: random.Random, day: str) -> list[tuple[Any, ...]]:
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return [(review_id, (start + timedelta(seconds=30 * k)).strftime("%Y-%m-%dT%H:%M:%S.%f"), 0, 0,
             words(rng, rng.choice(EVENTS)), "event", "", None, "", False, False, False, 1, "", "")
            for k in range(count)]


EVENT_COLUMNS = ("review_id", "at_utc", "offset_min", "seq", "text", "kind", "source", "source_id", "original",
                 "approximate", "highlight", "confirmed", "version", "updated_at", "updated_by")


def fill_sqlite(path: Path, reviews: int, events: int, seed: int = 7) -> float:
    from pmtui.store import Store

    st = Store.open(path)
    st.count_reviews()  # laid out, with the index and its triggers
    st.close()
    rng = random.Random(seed)
    start = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous = OFF")
    rows = review_rows(reviews, rng)
    cols = list(rows[0])
    con.executemany(f"INSERT INTO review ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [tuple(r[c] for c in cols) for r in rows])
    marks = ", ".join("?" * len(EVENT_COLUMNS))
    for r in rows:
        con.executemany(f"INSERT INTO event ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})",
                        event_rows(r["id"], events, rng, r["review_date"]))
        con.executemany("INSERT INTO factor (review_id, position, text, category) VALUES (?, ?, ?, 'technical')",
                        [(r["id"], k, words(rng, rng.choice(FACTORS))) for k in range(3)])
    from pmtui.store.search import _flush_sql

    for sql in _flush_sql():  # what the triggers queued: into the index (a write of the store does it at commit)
        con.execute(sql)
    con.commit()
    con.execute("INSERT INTO search_text(search_text) VALUES ('optimize')")
    con.commit()
    con.close()
    return time.perf_counter() - start


def copy_to_postgres(lite: Path, url: str) -> float:
    """The same rows into a PostgreSQL store, loaded with triggers off, then the index rebuilt."""
    import psycopg

    from pmtui.store import Store

    st = Store.open(url)
    st.count_reviews()
    st.close()
    start = time.perf_counter()
    src = sqlite3.connect(lite)
    with psycopg.connect(url.replace("postgresql://", "postgresql://", 1)) as con:
        con.execute("SET session_replication_role = replica")  # no triggers while loading (superuser)
        for table, columns in (("review", None), ("event", EVENT_COLUMNS),
                               ("factor", ("review_id", "position", "text", "category"))):
            names = columns or [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            booleans = {"approximate", "highlight", "confirmed"}
            with con.cursor().copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {', '.join(names)} FROM {table}"):
                    copy.write_row([bool(v) if n in booleans else v for n, v in zip(names, row, strict=True)])
        con.execute("SELECT setval(pg_get_serial_sequence('review', 'id'), (SELECT MAX(id) FROM review))")
        con.execute("SET session_replication_role = origin")
        con.commit()
    src.close()
    from sqlalchemy import create_engine

    from pmtui.store.search import rebuild

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        rebuild(conn)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        from sqlalchemy import text

        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - start


# --------------------------------------------------------------------- measuring
QUERIES = [
    "checkout", "replica lag", '"connection pool"', "certificate expired", "failov*", "oom killer",
    "dns -resolution", "queue backlog kafka", "regular expression", "rollback", "Réplica", "hotfix payments",
    "thumbnailer timeouts", "tag:none-such checkout", "owner:nobody checkout", "budget burned",
    '"load spike" bot', "incident commander priya", "feature flag v2-pricing", "health checks flapping",
]


def median_ms(fn: Any, repeat: int) -> float:
    times = []
    fn()  # warm
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def search_times(url: str, repeat: int) -> dict[str, float]:
    from pmtui.domain import search as S
    from pmtui.store import Store
    from pmtui.store.search import search

    store = Store.open(url)
    try:
        return {q: median_ms(lambda q=q: search(store, S.parse(q)), repeat) for q in QUERIES}
    finally:
        store.close()


def bare_fts5_times(path: Path, repeat: int) -> dict[str, float]:
    from pmtui.domain import search as S
    from pmtui.store.search import fts5_match

    con = sqlite3.connect(path)
    out = {}
    for q in QUERIES:
        match = fts5_match(S.parse(q))
        out[q] = median_ms(lambda m=match: con.execute(
            "SELECT rowid FROM search_text WHERE search_text MATCH ? ORDER BY rank LIMIT 50", (m,)).fetchall(), repeat)
    con.close()
    return out


def write_costs(url_with: str, url_without: str, repeat: int, docs: int = 20,
                events: int = 100) -> dict[str, tuple[float, float, float]]:
    """Median seconds of an import of ``docs`` reviews (``events`` each), and of a quick add
    of a factor and of an event, with the index's triggers and without (dropped), and the
    median of each round's ratio (the two stores one after the other, which goes first
    alternating: a shared machine's load moves between rounds)."""
    from _common import review as make_review
    from pmtui.domain.document import loads
    from pmtui.store import Store

    batch = [json.dumps(make_review(i, events)) for i in range(docs)]
    stores = {"with": Store.open(url_with), "without": Store.open(url_without)}
    _drop_triggers(stores["without"])
    out: dict[str, dict[str, list[float]]] = {k: {"import": [], "add factor": [], "add event": []} for k in stores}
    try:
        for n in range(repeat):
            for name, st in (list(stores.items()) if n % 2 == 0 else list(stores.items())[::-1]):
                t = time.perf_counter()
                ids = [rid for rid, _s in st.import_documents([loads(d) for d in batch])]
                out[name]["import"].append(time.perf_counter() - t)
                rid = ids[0]
                t = time.perf_counter()
                for k in range(10):
                    st.add_item("factor", rid, text=f"Retries from checkout amplified the load ({k})", category="technical")
                out[name]["add factor"].append((time.perf_counter() - t) / 10)
                t = time.perf_counter()
                for k in range(10):
                    st.add_event(rid, at=f"2026-01-01T10:{k:02d}:00+00:00", text=f"Replica lag reached {k} seconds")
                out[name]["add event"].append((time.perf_counter() - t) / 10)
    finally:
        for st in stores.values():
            st.close()
    return {what: (statistics.median(out["with"][what]), statistics.median(out["without"][what]),
                   statistics.median(w / wo for w, wo in zip(out["with"][what], out["without"][what], strict=True)))
            for what in out["with"]}


def _drop_triggers(store: Any) -> None:
    from sqlalchemy import text

    with store._write() as conn:
        if conn.dialect.name == "sqlite":
            names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                    "AND name LIKE 'search_text%'"))]
            for n in names:
                conn.execute(text(f"DROP TRIGGER {n}"))
        else:
            rows = conn.execute(text("SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                                     "WHERE tgname LIKE 'search_text%'")).all()
            for name, table in rows:
                conn.execute(text(f"DROP TRIGGER {name} ON {table}"))


def mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reviews", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=100, help="timeline events per review (default 100)")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="keep (and reuse) the generated SQLite store in DIR")
    args = ap.parse_args()

    from pmtui.store import Store
    from pmtui.store.search import sizes

    load_before = os.getloadavg()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pmtui-bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    lite = folder / f"search-{args.reviews}x{args.events}.db"
    try:
        if not lite.exists():
            took = fill_sqlite(lite, args.reviews, args.events)
            print(f"generated {args.reviews:,} reviews, {args.reviews * args.events:,} events (SQLite, index by "
                  f"triggers) in {took:.0f} s")
        st = Store.open(lite)
        index, total = sizes(st)
        st.close()
        print(f"SQLite store {mb(total)}, of which the search index {mb(index)} ({index / total:.0%})")
        ours = search_times(str(lite), args.repeat)
        bare = bare_fts5_times(lite, args.repeat)
        pg: dict[str, float] = {}
        costs_pg: dict[str, tuple[float, float, float]] = {}
        if not args.no_postgres:
            from bench_pg import create_db, pg_server

            with pg_server() as server:
                url = create_db(server, "search")
                took = copy_to_postgres(lite, url)
                print(f"copied to PostgreSQL and rebuilt its index in {took:.0f} s")
                pst = Store.open(url)
                index, total = sizes(pst)
                pst.close()
                print(f"PostgreSQL store {mb(total)}, of which the search index {mb(index)} ({index / total:.0%})")
                pg = search_times(url, args.repeat)
                costs_pg = write_costs(create_db(server, "with"), create_db(server, "without"), max(5, args.repeat // 2))
        costs = write_costs(str(folder / "with.db"), str(folder / "without.db"), max(5, args.repeat // 2))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for p in folder.glob("with*.db*"):
                p.unlink()
            for p in folder.glob("without*.db*"):
                p.unlink()

    load = os.getloadavg()
    print(f"\nload average (1, 5, 15 min) at the start {', '.join(f'{x:.2f}' for x in load_before)}, at the end "
          f"{', '.join(f'{x:.2f}' for x in load)} ({os.cpu_count()} cores): the ms goal is sensitive to load, the "
          "ratios to bare FTS5 and to the store without triggers are measured side by side")
    print(f"median of {args.repeat} runs per query (ms): pmtui search on SQLite, bare FTS5 (rowids, ORDER BY rank "
          "LIMIT 50), pmtui search on PostgreSQL; each pmtui column's ratio to bare FTS5")
    width = max(len(q) for q in QUERIES)
    for q in QUERIES:
        line = f"  {q.ljust(width)}  {ours[q]:7.1f}  {bare[q]:7.1f}  ({ours[q] / max(bare[q], 0.01):4.1f}x)"
        if pg:
            line += f"  {pg[q]:7.1f}  ({pg[q] / max(bare[q], 0.01):4.1f}x)"
        print(line)
    m_ours, m_bare = statistics.median(ours.values()), statistics.median(bare.values())
    m_pg = statistics.median(pg.values()) if pg else 0.0
    print(f"  {'MEDIAN over the queries'.ljust(width)}  {m_ours:7.1f}  {m_bare:7.1f}  ({m_ours / m_bare:4.1f}x)"
          + (f"  {m_pg:7.1f}  ({m_pg / m_bare:4.1f}x)" if pg else ""))
    within = m_ours <= 3 * max(m_bare, 1.0) and (not pg or m_pg <= 3 * max(m_bare, 1.0))
    print(f"goal: median < 100 ms on both ({'met' if m_ours < 100 and (not pg or m_pg < 100) else 'NOT met'}); "
          f"within 3x of bare FTS5 ({'met' if within else 'NOT met'}{'' if pg else ', SQLite only'})")
    for name, table in (("SQLite", costs), ("PostgreSQL", costs_pg)):
        if not table:
            continue
        print(f"\nkeeping the index, {name}: median seconds with the triggers vs without, their ratio, and the "
              "median of each round's ratio (goal at most 1.3x)")
        for what, (w, wo, paired) in table.items():
            print(f"  {what:<11} {w * 1000:8.1f} ms  {wo * 1000:8.1f} ms  {w / wo:4.2f}x  (rounds {paired:4.2f}x)"
                  + ("  (20 reviews of 100 events)" if what == "import" else "  (one, in a transaction)"))


if __name__ == "__main__":
    main()
