"""Over-limit documents are refused while they are read (issue 23): a document file
larger than 4 MiB is parsed item by item (pmtui.domain.docfile) and refused at the first
item past a list's limit, with one sentence naming the file and the limit, exit 2 and
nothing imported; its memory follows the limit, not the file. What a streamed file holds,
and every way it can be malformed, reads exactly as a whole-file parse reads it."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import textwrap

import pytest

from pmtui.domain import docfile
from pmtui.domain import document as d
from pmtui.domain.document import FORMAT
from pmtui.errors import BadInput

AT = "2026-03-10T10:00:00Z"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def event(i: int, evidence: bool = False) -> dict:
    e = {"at": f"2026-03-10T10:{i // 60 % 60:02d}:{i % 60:02d}Z", "text": f"Queue depth alert fires ({i})"}
    if evidence:
        e.update(source="log:app.jsonl", source_id=f"line-{i}", original='{"msg": "queue depth 9000"}')
    return e


def document(typed: int = 3, evidence: int = 3, **fields) -> dict:
    return {"format": FORMAT, "title": "Queue backlog after a cache deploy", "timezone": "Europe/Berlin",
            "summary": "Unicode stays: é, ü, 数据库, 😀, and escapes \" \\ / \u00e9.",
            "timeline": [event(i) for i in range(typed)] + [event(typed + i, True) for i in range(evidence)],
            "impact": {"users_affected": 1200, "slo_budget_spent_pct": 38.5,
                       "components": [{"name": "checkout-api", "status": "major_outage"}]},
            "tags": ["cache", "deploy"], "factors": [{"text": "Limits written with unit suffixes", "category": "technical"}],
            "notes": [{"at": AT, "text": "Rollback started", "author": "note-taker",
                       "became": [{"kind": "event", "index": 0}]}], **fields}


def streamed(data: bytes, where: str = "r.json") -> object:
    return docfile._Stream(io.BytesIO(data), where).document()


def whole(data: bytes, where: str = "r.json") -> object:
    return d.parse_json_text(data, where)


def outcome(read, data: bytes) -> tuple[str, object]:
    try:
        return "ok", read(data)
    except BadInput as exc:
        return "error", exc.message


@pytest.mark.parametrize("chunk", [1, 3, 64, 4096])
def test_a_streamed_document_reads_as_the_whole_file_does(monkeypatch, chunk):
    monkeypatch.setattr(docfile, "CHUNK", chunk)
    for text in (json.dumps(document()), json.dumps(document(), indent=2, ensure_ascii=False),
                 "\ufeff" + json.dumps(document(evidence=40), separators=(",", ":")),
                 '{"format": "pmtui-review/2", "title": "x", "impact": {"users_affected": 10, "slo_budget_spent_pct": '
                 '1.5e1}, "timeline": [], "tags": [ ] }\n\n'):
        data = text.encode()
        assert streamed(data) == json.loads(data.decode("utf-8-sig"))


def test_every_malformed_streamed_file_gets_the_whole_file_sentence(monkeypatch):
    """Truncated, a byte changed, a piece inserted: the same sentence with the same line and
    column as a whole-file parse, wherever the chunks are cut (a list of an unknown field
    keeps only its first item when streamed, so such files are compared by their error)."""
    base = json.dumps(document(evidence=20), indent=1, ensure_ascii=False).encode()
    rnd = random.Random(23)
    compared = 0
    for _ in range(600):
        monkeypatch.setattr(docfile, "CHUNK", rnd.choice([1, 2, 7, 64, 1000]))
        data = bytearray(base)
        how = rnd.randrange(3)
        if how == 0:
            data = data[: rnd.randrange(len(data))]
        elif how == 1:
            data[rnd.randrange(len(data))] = rnd.choice(b'x{}[],:"\\ 0\n\xff\xc3')
        else:
            at = rnd.randrange(len(data))
            data[at:at] = rnd.choice([b",", b'"a": 1,', b"NaN", b"\xe2\x82", b"}", b"]", b"1e999999"])
        expected = outcome(whole, bytes(data))
        if expected[0] == "error":
            assert outcome(streamed, bytes(data)) == expected, bytes(data)
            compared += 1
    assert compared > 300
    for data, said in [(b'{"title": "x", "title": "y"}', "r.json: duplicate key 'title'"),
                       (b'{"timeline": [{"at": NaN}]}', "r.json: NaN is not valid JSON"),
                       (b'{"a": 1} {"b": 2}', "r.json, line 1, column 10: extra data"),
                       (b"   \n  ", "r.json: the file is empty"),
                       (b'{"summary": "caf\xe9"}', "r.json: not a text file (byte 16 is not UTF-8); expected a JSON "
                                                   "review document")]:
        assert outcome(streamed, data) == ("error", said)


@pytest.fixture
def small_limits(monkeypatch):
    """Files over 2 KiB are streamed; a review holds 30 evidence events, 20 typed, 10 items."""
    monkeypatch.setattr(d, "FILE_MAX_BYTES", 2048)
    monkeypatch.setattr(d, "FILE_MAX_ALL", 2048 + 30 * d.EVIDENCE_BYTES)
    monkeypatch.setattr(d, "EVIDENCE_MAX", 30)
    monkeypatch.setattr(d, "EVENTS_MAX", 20)
    monkeypatch.setitem(d.LIST_LIMITS, "tags", 10)


def reviews(cli) -> list[dict]:
    return json.loads(cli("list", "--format", "json").out)


def test_an_over_limit_document_is_refused_at_the_first_item_past_the_limit(cli, tmp_path, small_limits):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(document(evidence=25)))
    assert good.stat().st_size > d.FILE_MAX_BYTES  # streamed
    assert cli("import", str(good)).code == 0
    before = reviews(cli)
    # what follows the item past the limit is never read: here it is not even JSON
    text = json.dumps(document(evidence=40))
    cut = text.index("}, {", text.index('"line-33"')) + 3  # after the 31st evidence event
    bad = tmp_path / "bad.json"
    bad.write_text(text[:cut] + "this is where reading stopped")
    r = cli("import", str(bad))
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"pmtui: error: {bad}: timeline: at most 30 imported evidence events (events with a source_id; "
                     "this file has more: reading stopped at timeline[33])\n")
    assert reviews(cli) == before
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps(document(typed=25, evidence=10)))
    r = cli("import", str(good), str(typed))
    assert r.code == 2 and f"{typed}: timeline: at most 20 typed events (events without a source_id; this file has " \
                           "more: reading stopped at timeline[20])" in r.err
    tags = tmp_path / "tags.json"
    tags.write_text(json.dumps(document(evidence=25, tags=[f"t{i}" for i in range(40)])))
    r = cli("import", str(tags))
    assert r.err == f"pmtui: error: {tags}: tags: at most 10 items (this file has more: reading stopped at tags[10])\n"
    r = cli("import", "-", stdin=text)
    assert r.code == 2 and r.err.startswith("pmtui: error: <stdin>: timeline: at most 30 imported evidence events")
    assert reviews(cli) == before


def test_a_file_past_the_largest_document_is_refused_unread(cli, tmp_path, small_limits):
    big = tmp_path / "big.json"
    big.write_bytes(b"\x00" * (d.FILE_MAX_ALL + 1))  # not even JSON: its size says enough
    r = cli("import", str(big))
    assert r.code == 2
    assert r.err == (f"pmtui: error: {big}: the file is {d.FILE_MAX_ALL + 1:,} bytes, larger than {d.FILE_MAX_ALL:,} "
                     "bytes, the most a review document may be (0 MiB plus 2 KiB for each of at most 30 imported "
                     "evidence events); it was not read\n")
    r = cli("import", "-", stdin=" " * (d.FILE_MAX_ALL + 1))
    assert r.code == 2 and r.err.startswith(f"pmtui: error: <stdin>: the file is larger than {d.FILE_MAX_ALL:,} bytes")
    assert reviews(cli) == []


def test_a_streamed_document_imports_as_a_whole_file_does(cli, tmp_path, small_limits, monkeypatch):
    raw = document(typed=5, evidence=28)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(raw, indent=2))
    assert path.stat().st_size > d.FILE_MAX_BYTES
    assert cli("import", str(path)).code == 0
    streamed_export = cli("export", "1").out
    monkeypatch.setattr(d, "FILE_MAX_BYTES", 4 * 1024 * 1024)  # the same file read whole
    assert cli("import", str(path)).code == 0
    assert cli("export", "2").out.replace("-2", "") == streamed_export.replace("-2", "")
    # a U+0000 in a streamed file is found (the store cannot keep it)
    monkeypatch.setattr(d, "FILE_MAX_BYTES", 2048)
    raw["timeline"][40 - 10]["text"] = "queue\u0000depth"
    path.write_text(json.dumps(raw))
    r = cli("import", str(path))
    assert r.code == 2 and "contains the character U+0000 (NUL)" in r.err and len(reviews(cli)) == 2


# the child's own peak: VmHWM is its memory's high-water mark since exec (ru_maxrss would count
# the test process's own memory at the fork too)
PEAK = textwrap.dedent("""
    import re, sys
    from pmtui.domain.docfile import read_file
    from pmtui.errors import BadInput
    try:
        read_file(sys.argv[1])
    except BadInput as exc:
        print(exc.message[:200])
    with open("/proc/self/status") as fh:
        print(re.search(r"VmHWM:\\s*(\\d+) kB", fh.read()).group(1))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak from /proc (Linux)")
def test_refusing_a_huge_document_holds_the_limits_worth_not_the_file(tmp_path):
    """A document of 800,000 evidence events is refused holding what one just past the
    200,000 limit holds (a whole-file parse would hold four times that)."""
    one = b'{"at": "2026-03-10T10:00:00Z", "text": "Queue depth alert fires", "source": "log", "source_id": "1"}'
    peaks = {}
    for n in (d.EVIDENCE_MAX + 1, 4 * d.EVIDENCE_MAX):
        path = tmp_path / f"{n}.json"
        path.write_bytes(b'{"format": "pmtui-review/2", "title": "Queue backlog", "timeline": ['
                         + b", ".join([one] * n) + b"]}")
        r = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=True)
        said, peak = r.stdout.splitlines()
        assert said.startswith(f"{path}: timeline: at most 200,000 imported evidence events")
        peaks[n] = int(peak)
        path.unlink()
    assert peaks[4 * d.EVIDENCE_MAX] < 1.2 * peaks[d.EVIDENCE_MAX + 1], peaks
