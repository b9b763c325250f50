from __future__ import annotations

from pathlib import Path

from takeaways.batch.output import ResultWriter, done_ids, repair_tail


def test_output_writer_appends_lines(tmp_path: Path) -> None:
    out = tmp_path / "o" / "out.jsonl"
    with ResultWriter(out) as w:
        w.write_batch([{"id": "a"}, {"id": "b"}])
        w.write_batch([])
    with ResultWriter(out, fsync=False) as w:
        w.write_batch([{"id": "c"}])
    assert out.read_text().splitlines() == ['{"id":"a"}', '{"id":"b"}', '{"id":"c"}']


def test_output_done_ids_truncates_a_torn_last_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"id":"a"}\n{"id":"b"}\n{"id":"c","res')
    assert done_ids(out) == {"a", "b"}
    assert out.read_bytes() == b'{"id":"a"}\n{"id":"b"}\n'
    assert repair_tail(out) == 0


def test_output_done_ids_edge_cases(tmp_path: Path) -> None:
    assert done_ids(tmp_path / "missing.jsonl") == set()
    torn = tmp_path / "torn.jsonl"
    torn.write_bytes(b'{"id":"a", "x": "' + b"y" * 100_000)
    assert done_ids(torn) == set() and torn.read_bytes() == b""
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(b'oops\n{"id":1}\n')
    assert done_ids(junk) == {"1"}
