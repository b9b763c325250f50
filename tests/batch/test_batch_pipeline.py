from __future__ import annotations

from typing import Any

import pytest

import takeaways
from takeaways.batch.engine import ChunkResult, schedule
from takeaways.errors import UsageError
from takeaways.pipeline import Pipeline
from takeaways.pipeline.chunk import BatchSettings, normalize_what, process_chunk
from takeaways.pipeline.records import Record
from takeaways.schema import validate
from tests.batch._batch_corpus import page, story


def test_pipeline_normalize_what() -> None:
    assert normalize_what("read, key-points,quotes,read") == ("read", "key_points", "quotes")
    assert normalize_what(["audit"]) == ("audit",)
    with pytest.raises(UsageError, match="unknown step 'summaries'.*key-points"):
        normalize_what("read,summaries")
    with pytest.raises(UsageError):
        normalize_what("")


def test_pipeline_pipe_keeps_order_and_isolates_errors() -> None:
    records: list[Any] = [
        {"id": "a", "text": story(1)}, {"id": "b", "text": ""}, 42,
        {"id": "c", "html": page(3)}, b"",
    ]
    out = list(takeaways.pipe(records, what=("read",), batch_size=2))
    assert [r["id"] for r in out] == ["a", "b", "2", "c", "4"]
    assert [r["status"] for r in out] == ["ok", "error", "error", "ok", "error"]
    assert out[1]["reason"].startswith("read: EmptyInputError: ")
    assert "cannot process a int record" in out[2]["reason"]
    keys = ["schema_version", "type", "id", "source", "status", "reason", "error_code",
            "article"]
    assert [list(r) for r in out] == [keys] * 5  # one envelope shape for every status
    assert out[3]["article"]["title"] and out[1]["article"] is None
    assert out[1]["error_code"] == "E101" and out[0]["error_code"] is None  # EmptyInputError
    for row in out:
        validate(row, "analysis")


def test_pipeline_skipped_and_failing_step() -> None:
    class Broken(Pipeline):
        def quotes(self, item: Any) -> Any:
            raise RuntimeError("the quote graph broke")

    recs = [Record(id="s", source="w", skip_reason="HTTP status 404"),
            Record(id="t", source="t", data=story(5).encode(), kind="text")]
    skipped, failed = process_chunk(recs, BatchSettings(what=("read", "quotes")), Broken())
    assert (skipped["status"], skipped["reason"]) == ("skipped", "HTTP status 404")
    assert failed["status"] == "error"
    assert failed["reason"] == "quotes: RuntimeError: the quote graph broke"
    assert failed["article"]["text"]  # what succeeded is kept
    validate(failed, "analysis")


def test_pipeline_schedule_orders_out_of_order_completions() -> None:
    chunks = [[Record(id=str(i), source="")] for i in range(7)]
    finish_order = iter([2, 0, 1, 3, 6, 5, 4])
    handles: list[int] = []

    def submit(chunk: list[Record]) -> int:
        handles.append(int(chunk[0].id))
        return handles[-1]

    def wait_one(hs: list[int]) -> int:
        nxt = next(finish_order)
        while nxt not in hs:  # only in-flight handles can finish
            nxt = next(finish_order)
        return nxt

    def collect(h: int, chunk: list[Record]) -> ChunkResult:
        return ChunkResult([{"id": chunk[0].id}], "w", 0)

    got = schedule(chunks, ordered=True, limit=3, submit=submit, wait_one=wait_one,
                   collect=collect)
    assert [c.results[0]["id"] for c in got] == [str(i) for i in range(7)]
    got = schedule(chunks, ordered=False, limit=7, submit=submit,
                   wait_one=lambda hs: hs[-1], collect=collect)
    assert sorted(c.results[0]["id"] for c in got) == [str(i) for i in range(7)]


def test_pipeline_full_path_key_points_and_quotes() -> None:
    recs = [Record(id=str(i), source="t", data=page(i).encode(), kind="html") for i in range(3)]
    out = process_chunk(recs, BatchSettings(what=("key_points", "quotes"), batch_size=2),
                        Pipeline())
    assert [r["status"] for r in out] == ["ok"] * 3, [r["reason"] for r in out]
    assert {"article", "key_points", "quotes"} <= set(out[0])
    for row in out:
        validate(row, "analysis")
        assert row["key_points"]["article_id"] == row["article"]["id"]  # the article once
        assert "article" not in row["key_points"] and "article" not in row["quotes"]


def test_pipeline_chunk_embedder_serves_hits_and_falls_back() -> None:
    from takeaways.nlp.models import HashingEmbedder
    from takeaways.pipeline.chunk import ChunkEmbedder

    base = HashingEmbedder()
    emb = ChunkEmbedder(base, ["a b", "c d", "a b"])
    assert (emb.encode(["c d", "a b"]) == base.encode(["c d", "a b"])).all()
    assert emb.encode(["new text"]).shape == (1, base.dim)
    assert emb.encode([]).shape[0] == 0
