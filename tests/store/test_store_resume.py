"""kill -9 a ``--store`` run, then ``--resume``: every quote in the store exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from takeaways.store import open_store

pytest.importorskip("duckdb")

STORY = ('"We will not raise taxes in district {i}," said Mayor Jane Doe on Monday. '
         "John Smith, a council member, said the plan was too expensive for residents.\n\n"
         'Doe later added: "The vote is final."')


def _start(corpus: Path, out: Path, store: Path, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "takeaways", "batch", str(corpus), "--out", str(out),
           "--what", "quotes", "--store", str(store), "--quiet", "--workers", "1",
           "--batch-size", "4", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.slow
def test_store_kill9_then_resume_holds_every_quote_once(tmp_path: Path) -> None:
    corpus, out, store = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "q.duckdb"
    n = 240
    corpus.write_text("".join(json.dumps({"id": f"doc{i:04d}", "text": STORY.format(i=i),
                                          "date": f"2016-01-{i % 28 + 1:02d}"}) + "\n"
                              for i in range(n)), "utf-8")
    proc = _start(corpus, out, store)
    deadline = time.monotonic() + 180
    while _lines(out) < 40 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 40 <= _lines(out) < n
    resumed = _start(corpus, out, store, "--resume")
    _, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert sorted(r["id"] for r in lines) == [f"doc{i:04d}" for i in range(n)]
    want = sorted((r["id"], q["content"]["start"]) for r in lines for q in r["quotes"]["quotes"])
    with open_store(store) as s:
        got = s.con.execute("SELECT doc_id, start FROM quotes ORDER BY ALL").fetchall()
        n_articles = s.con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert len(want) >= 2 * n
    assert got == want  # every quote of every line, exactly once
    assert n_articles == n
