"""Issue 18: no corpus line or file can abort a batch, inflate past the limit, or be
truncated silently; a document past the time limit is stopped and the batch goes on."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from takeaways.batch.engine import LocalEngine
from takeaways.batch.runner import RunOptions, run_batch
from takeaways.cli import main
from takeaways.pipeline.chunk import BatchSettings, chunked
from takeaways.pipeline.records import Record, iter_inputs
from tests.batch._batch_corpus import (
    gzip_bomb,
    hanging_embedder,
    page,
    read_jsonl,
    story,
    write_bomb_warc,
    write_warc,
)

REPO = Path(__file__).resolve().parents[2]


def _run(*argv: str) -> int:
    return main(["batch", *argv, "--quiet", "--workers", "1"])


def _lines(path: Path) -> list[dict[str, object]]:
    raw = path.read_bytes()
    raw.decode("utf-8")  # strict: every line is valid UTF-8
    return [json.loads(line) for line in raw.splitlines()]


# item 3: one JSONL line aborts the whole batch ------------------------------------------

def test_batch_bad_jsonl_lines_are_error_records_and_the_good_ones_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "good1", "text": story(1)}),
        '{"id":"a","text":"x \\ud800 y"}',  # the line: a lone surrogate
        "[" * 100_000,  # the line: RecursionError in json.loads
        json.dumps({"id": "sur\ud800", "text": story(2) + " \udfff"}),
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        json.dumps({"id": "good2", "text": story(3)}),
    ]
    src.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    assert _run(str(src), "--out", str(out), "--max-error-ratio", "1") == 0
    rows = _lines(out)
    ids = [r["id"] for r in rows]
    assert ids == ["good1", "a", f"{src}:3", "sur\ufffd", f"{src}:5", "good2"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["good1"]["status"] == by_id["good2"]["status"] == "ok"
    for bad in (f"{src}:3", f"{src}:5"):
        assert by_id[bad]["status"] == "error"
        assert "nested too deeply" in str(by_id[bad]["reason"])
        assert by_id[bad]["error_code"] == "E100"
    assert by_id["a"]["status"] in ("ok", "error") and by_id["a"]["error_code"] != "E000"
    scrubbed = by_id["sur\ufffd"]
    assert scrubbed["status"] == "ok"
    article = scrubbed["article"]
    assert isinstance(article, dict) and "\ufffd" in str(article["text"])
    assert any("surrogates" in w for w in article["warnings"])
    # --resume goes past the bad lines: nothing is left to do
    assert _run(str(src), "--out", str(out), "--resume", "--max-error-ratio", "1") == 0
    assert len(_lines(out)) == 6
    assert "already done 6" in capsys.readouterr().err


def test_batch_summary_of_the_wrong_kind_is_an_error_record(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "s", "text": story(1), "summary": [None]}) + "\n", "utf-8")
    (rec,) = iter_inputs([src])
    assert rec.meta["exc"].code == "E100" and "list of strings" in rec.meta["error"]


def test_batch_writer_scrubs_surrogates_and_survives_unwritable_results(tmp_path: Path) -> None:
    from takeaways.batch.output import ResultWriter

    out = tmp_path / "o.jsonl"
    deep: list[object] = []
    cur = deep
    for _ in range(100_000):
        nxt: list[object] = []
        cur.append(nxt)
        cur = nxt
    with ResultWriter(out, fsync=False) as writer:
        writer.write_batch([
            {"id": "before", "status": "ok", "reason": None, "article": None},
            {"id": "x\ud800", "status": "ok", "reason": None,
             "article": {"text": "a \udc00 b", "warnings": []}},
            {"id": "deep", "status": "ok", "reason": None, "article": None, "quotes": deep},
            {"id": "after", "status": "ok", "reason": None, "article": None},
        ])
    rows = _lines(out)
    assert [r["id"] for r in rows] == ["before", "x\ufffd", "deep", "after"]
    assert rows[1]["article"] == {"text": "a \ufffd b", "warnings": [
        "lone UTF-16 surrogates in this result were replaced by U+FFFD"]}
    assert rows[2]["status"] == "error" and "RecursionError" in str(rows[2]["reason"])


# item 4: decompression bombs -------------------------------------------------------------

_GUARDED = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    from takeaways.pipeline.records import iter_inputs
    out = []
    for r in iter_inputs([Path(sys.argv[1])], max_bytes=int(sys.argv[2])):
        exc = r.meta.get("exc")
        out.append([r.id, type(exc).__name__ if exc else None, len(r.data or b"")])
    # VmHWM: this process's peak RSS (ru_maxrss would carry the parent's over exec)
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")]
    peak = int(hwm[0].split()[1]) * 1024 if hwm else 0
    print(json.dumps({"records": out, "peak": peak}))
""")


def _guarded_records(path: Path, max_bytes: int) -> dict[str, Any]:
    """The records of ``path`` read in a child process capped at 2 GiB of address space."""
    proc = subprocess.run(
        [sys.executable, "-c", _GUARDED, str(path), str(max_bytes)], cwd=REPO,
        capture_output=True, text=True, timeout=300, check=False,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert isinstance(result, dict)
    return result


def test_batch_warc_content_encoding_bomb_is_a_limit_error(tmp_path: Path) -> None:
    warc = tmp_path / "bomb.warc.gz"
    write_bomb_warc(warc, 3_000_000_000, page(1).encode())  # 3 GB inflated
    assert warc.stat().st_size < 200_000
    got = _guarded_records(warc, 5_000_000)
    records = got["records"]
    assert isinstance(records, list) and len(records) == 2
    assert records[0][1] == "LimitError" and records[0][2] == 0
    assert records[1][1] is None and records[1][2] == len(page(1).encode())
    assert int(got["peak"]) < 1 << 30


def _bomb_jsonl(path: Path, line_bytes: int) -> None:
    good = [json.dumps({"id": f"g{i}", "text": story(i)}).encode() + b"\n" for i in range(2)]
    bomb = gzip_bomb(line_bytes, prefix=b'{"id": "bomb", "text": "', fill=b"a",
                     suffix=b'"}\n', exact=True)
    path.write_bytes(gzip.compress(good[0]) + bomb + gzip.compress(good[1]))


def test_batch_jsonl_gz_line_over_the_limit_is_a_limit_error_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    _bomb_jsonl(path, 64_000_000)  # a 64 MB line, limit 1 MB (the 4 GB one is slow_extra)
    got = _guarded_records(path, 1_000_000)
    assert [r[:2] for r in got["records"]] == [
        ["g0", None], [f"{path}:2", "LimitError"], ["g1", None]]
    assert int(got["peak"]) < 512 << 20


@pytest.mark.slow_extra
def test_batch_jsonl_gz_with_a_4_gb_line_stays_flat(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    _bomb_jsonl(path, 4_000_000_000)  # the 4 MB .jsonl.gz with one 4 GB line
    got = _guarded_records(path, 5_000_000)
    assert [r[:2] for r in got["records"]] == [
        ["g0", None], [f"{path}:2", "LimitError"], ["g1", None]]
    assert int(got["peak"]) < 1 << 30


def test_batch_bomb_is_an_error_record_and_the_batch_goes_on(tmp_path: Path) -> None:
    warc = tmp_path / "bomb.warc.gz"
    write_bomb_warc(warc, 50_000_000, page(1).encode())
    out = tmp_path / "out.jsonl"
    code = _run(str(warc), "--out", str(out), "--max-bytes", "1000000",
                "--max-error-ratio", "1")
    rows = _lines(out)
    assert [r["status"] for r in rows] == ["error", "ok"]
    assert rows[0]["error_code"] == "E200" and "LimitError" in str(rows[0]["reason"])
    assert code == 0


# item 8: truncated inputs ----------------------------------------------------------------

def _warc40(path: Path) -> None:
    write_warc(path, [(f"https://n.test/{i}", 200, "text/html", (page(i) * 8).encode())
                      for i in range(40)])


@pytest.mark.parametrize("cut", [0.6, 0.65, 0.999])
def test_batch_truncated_warc_gz_is_an_error_record_and_fails_the_run(
    tmp_path: Path, cut: float, capsys: pytest.CaptureFixture[str]
) -> None:
    full = tmp_path / "full.warc.gz"
    _warc40(full)
    data = full.read_bytes()
    whole = {r.id: r.data for r in iter_inputs([full])}
    warc = tmp_path / "cut.warc.gz"
    warc.write_bytes(data[: int(len(data) * cut)])
    out = tmp_path / "out.jsonl"
    code = _run(str(warc), "--out", str(out), "--max-error-ratio", "1")
    rows = _lines(out)
    assert code == 1
    assert rows[-1]["status"] == "error" and "truncated" in str(rows[-1]["reason"])
    assert str(rows[-1]["id"]).endswith(":truncated")
    for row in rows[:-1]:  # a cut record is never written ok with partial text
        assert row["status"] == "ok"
        assert whole[str(row["id"])] is not None
    assert 0 < len(rows) - 1 < 40
    assert "truncated or corrupt inputs: 1" in capsys.readouterr().err


def test_batch_warc_cut_in_the_gzip_trailer_is_reported(tmp_path: Path) -> None:
    full = tmp_path / "full.warc.gz"
    _warc40(full)
    warc = tmp_path / "cut.warc.gz"
    warc.write_bytes(full.read_bytes()[:-4])  # every record is whole, the stream is not
    recs = list(iter_inputs([warc]))
    assert len(recs) == 41 and recs[-1].meta.get("truncated")


def _member_ends(data: bytes) -> set[int]:
    import zlib

    ends, pos = set(), 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        pos = len(data) - len(d.unused_data)
        ends.add(pos)
    return ends


def test_batch_warc_cut_anywhere_is_reported(tmp_path: Path) -> None:
    """Every cut of a WARC.gz that is not at a gzip member's end (a whole, shorter file)
    ends with a truncated record: a cut inside a record's WARC or HTTP headers, or inside
    a member's gzip header, used to end warcio's iteration silently, losing every record
    after it (the issue's cut at 65%)."""
    full = tmp_path / "full.warc.gz"
    write_warc(full, [(f"https://n.test/{i}", 200, "text/html", page(i).encode())
                      for i in range(6)])
    data = full.read_bytes()
    ends = _member_ends(data)
    warc = tmp_path / "cut.warc.gz"
    silent = []
    for cut in range(1, len(data), 5):
        warc.write_bytes(data[:cut])
        recs = list(iter_inputs([warc]))
        if cut not in ends and not (recs and recs[-1].meta.get("truncated")):
            silent.append(cut)
    assert silent == []


def test_batch_truncated_jsonl_gz_keeps_the_lines_before_and_fails(tmp_path: Path) -> None:
    lines = b"".join(json.dumps({"id": f"k{i}", "text": story(i)}).encode() + b"\n"
                     for i in range(40))
    data = gzip.compress(lines)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    recs = list(iter_inputs([path]))
    assert recs[-1].meta.get("truncated") and "truncated" in recs[-1].meta["error"]
    assert all(r.meta.get("exc") is None for r in recs[:-1])
    out = tmp_path / "out.jsonl"
    assert _run(str(path), "--out", str(out), "--max-error-ratio", "1") == 1


# item 13: multi-member gzip --------------------------------------------------------------

def test_batch_multi_member_gzip_inputs_are_read_whole(tmp_path: Path) -> None:
    a = json.dumps({"id": "a", "text": story(1)}).encode() + b"\n"
    b = json.dumps({"id": "b", "text": story(2)}).encode() + b"\n"
    (tmp_path / "two.jsonl.gz").write_bytes(gzip.compress(a) + gzip.compress(b))
    docs = tmp_path / "docs"
    docs.mkdir()
    text = page(1).encode()
    (docs / "p.html.gz").write_bytes(gzip.compress(text[:200]) + gzip.compress(text[200:]))
    out = tmp_path / "out.jsonl"
    assert _run(str(tmp_path / "two.jsonl.gz"), str(docs), "--out", str(out)) == 0
    rows = _lines(out)
    assert [r["id"] for r in rows] == ["a", "b", "p.html.gz"]
    assert all(r["status"] == "ok" for r in rows)
    assert "passes" in str(rows[2]["article"]["title"])  # type: ignore[index]


# item 12: limits -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-1", "0", "3000000000", str(10**12)])
def test_batch_max_bytes_is_validated(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(story(1), "utf-8")
    assert _run(str(tmp_path), "--out", str(tmp_path / "o.jsonl"), "--max-bytes", value) == 2
    err = capsys.readouterr().err
    assert "--max-bytes must be between 1 and 100,000,000" in err
    assert "-1-byte" not in err and not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("value", ["-1", "nan", "inf"])
def test_batch_doc_timeout_is_validated(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(story(1), "utf-8")
    assert _run(str(tmp_path), "--out", str(tmp_path / "o.jsonl"), "--doc-timeout", value) == 2
    assert "time limit must be 0 (none) or a positive" in capsys.readouterr().err


# bounded work: the per-document time limit -------------------------------------------------

def _hang_records() -> list[Record]:
    texts = [story(1), story(2) + " HANG HANG said the mayor.", story(3), story(4)]
    return [Record(id=f"r{i}", source=f"s{i}", data=t.encode(), kind="text")
            for i, t in enumerate(texts)]


def _check_hang_results(results: list[dict[str, object]]) -> None:
    assert [r["id"] for r in results] == ["r0", "r1", "r2", "r3"]
    assert [r["status"] for r in results] == ["ok", "error", "ok", "ok"]
    late = results[1]
    assert late["error_code"] == "E201"
    assert str(late["reason"]).startswith("TimeoutError: ")


def test_batch_local_engine_kills_a_late_worker_and_goes_on() -> None:
    settings = BatchSettings(what=("key_points",), batch_size=2, doc_timeout=4.0,
                             embedder=hanging_embedder)
    engine = LocalEngine(settings, 1)
    try:
        pids = {w.proc.pid for w in engine._pool}
        results = [r for c in engine.map(chunked(_hang_records(), 2), ordered=True)
                   for r in c.results]
        assert pids - {w.proc.pid for w in engine._pool}  # the late worker was replaced
        assert all(w.proc.is_alive() for w in engine._pool)
    finally:
        engine.close()
    _check_hang_results(results)


def test_batch_in_process_run_stops_a_late_document(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"id": r.id, "text": (r.data or b"").decode()})
                             for r in _hang_records()) + "\n", "utf-8")
    settings = BatchSettings(what=("key_points",), batch_size=2, doc_timeout=4.0,
                             embedder=hanging_embedder)
    summary = run_batch([src], tmp_path / "out.jsonl", RunOptions(settings=settings))
    _check_hang_results(read_jsonl(tmp_path / "out.jsonl"))
    assert summary.errors_by_reason == {"TimeoutError": 1} and summary.ok == 3


def test_batch_local_engine_reruns_a_crashed_chunk_one_by_one() -> None:
    texts = [story(1), story(2) + " CRASH CRASH said the mayor.", story(3)]
    records = [Record(id=f"c{i}", source=f"s{i}", data=t.encode(), kind="text")
               for i, t in enumerate(texts)]
    settings = BatchSettings(what=("key_points",), batch_size=2, doc_timeout=0,
                             embedder=hanging_embedder)
    engine = LocalEngine(settings, 1, max_tasks_per_worker=50)
    try:
        chunks = list(engine.map(chunked(records, 2), ordered=True))
    finally:
        engine.close()
    results = [r for c in chunks for r in c.results]
    assert [r["status"] for r in results] == ["ok", "error", "ok"]
    assert "WorkerCrashed" in str(results[1]["reason"])


def test_batch_local_engine_recycles_a_worker_after_max_tasks() -> None:
    records = [Record(id=f"m{i}", source=f"s{i}", data=story(i).encode(), kind="text")
               for i in range(2)]
    engine = LocalEngine(BatchSettings(what=("read",), batch_size=1), 1, max_tasks_per_worker=1)
    try:
        chunks = list(engine.map(chunked(records, 1), ordered=True))
    finally:
        engine.close()
    assert [c.results[0]["status"] for c in chunks] == ["ok", "ok"]
    assert len({c.worker for c in chunks}) == 2  # a fresh process for the second chunk


@pytest.mark.slow
def test_batch_ray_engine_kills_a_late_actor_and_goes_on() -> None:
    """The Ray engine keeps the per-document limit too: the late actor is killed (it
    restarts), the chunk is re-run one by one, the late document is a TimeoutError."""
    pytest.importorskip("ray")
    from takeaways.batch.ray_engine import RayEngine

    settings = BatchSettings(what=("key_points",), batch_size=2, doc_timeout=4.0,
                             embedder=hanging_embedder)
    engine = RayEngine(settings, 1, init_kwargs={"num_cpus": 1, "runtime_env": {
        "env_vars": {"PYTHONPATH": os.pathsep.join(sys.path)}}})
    try:
        results = [r for c in engine.map(chunked(_hang_records(), 2), ordered=True)
                   for r in c.results]
    finally:
        engine.close()
    _check_hang_results(results)


def test_batch_warc_header_line_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """warcio reads a header line to its newline: one gzip member inflating to a 200 MB
    header line used to be read whole. It is now refused at 64 KB; the good record before
    it is kept and the file ends with a truncated error record."""
    good = tmp_path / "good.warc.gz"
    write_warc(good, [("https://good.test/", 200, "text/html", page(1).encode())])
    bomb = gzip_bomb(200_000_000, prefix=b"WARC/1.0\r\nWARC-Type: response\r\nX-Pad: ",
                     fill=b"a")
    warc = tmp_path / "header-bomb.warc.gz"
    warc.write_bytes(good.read_bytes() + bomb)
    got = _guarded_records(warc, 5_000_000)
    records = got["records"]
    assert isinstance(records, list) and len(records) == 2, records
    assert records[0][1] is None
    assert str(records[1][0]).endswith(":truncated") and records[1][1] is not None
    assert int(got["peak"]) < 512 << 20
