"""The local process pool and the Ray engine give the same output as an in-process run."""

from __future__ import annotations

from pathlib import Path

import pytest

from takeaways.batch.engine import LocalEngine
from takeaways.batch.runner import RunOptions, run_batch
from takeaways.pipeline.chunk import BatchSettings, chunked
from takeaways.pipeline.records import iter_inputs
from tests.batch._batch_corpus import read_jsonl, write_corpus

SETTINGS = BatchSettings(what=("read",), batch_size=4)


def _ids(path: Path) -> list[str]:
    return [str(r["id"]) for r in read_jsonl(path)]


def test_batch_local_engine_two_workers_ordered_and_unordered(tmp_path: Path) -> None:
    ids = write_corpus(tmp_path / "c", 30)
    records = list(iter_inputs([tmp_path / "c"]))
    engine = LocalEngine(SETTINGS, 2)
    try:
        ordered = list(engine.map(chunked(records, 4), ordered=True))
        unordered = list(engine.map(chunked(records, 4), ordered=False))
    finally:
        engine.close()
    assert [r["id"] for c in ordered for r in c.results] == ids
    assert sorted(r["id"] for c in unordered for r in c.results) == ids
    assert all(r["status"] == "ok" for c in ordered for r in c.results)
    peaks = {c.worker: c.peak_rss for c in ordered + unordered}
    assert 1 <= len(peaks) <= 2
    assert all(50 * 2**20 < b < 1536 * 2**20 for b in peaks.values())
    assert sum(c.nbytes for c in ordered) == sum(r.size for r in records)


@pytest.mark.slow
def test_batch_ray_engine_on_a_local_instance(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    ids = write_corpus(tmp_path / "c", 12)
    out = tmp_path / "ray.jsonl"
    options = RunOptions(settings=SETTINGS, engine="ray", workers=1,
                         ray_init={"num_cpus": 1, "include_dashboard": False})
    summary = run_batch([tmp_path / "c"], out, options)
    assert _ids(out) == ids
    assert summary.ok == 12 and summary.engine == "ray"
    assert all(w.startswith("ray pid") for w in summary.peak_rss)
