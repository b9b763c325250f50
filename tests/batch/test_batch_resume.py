"""kill -9 a run in the middle of 1,000 documents, resume it: every id exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.batch._batch_corpus import read_jsonl, write_corpus


def _start(corpus: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "takeaways", "batch", str(corpus), "--out", str(out),
           "--what", "read", "--quiet", "--workers", "1", "--batch-size", "8", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_batch_kill9_mid_run_then_resume_writes_each_id_once(tmp_path: Path) -> None:
    ids = write_corpus(tmp_path / "corpus", 1000)
    out = tmp_path / "out.jsonl"
    proc = _start(tmp_path / "corpus", out)
    deadline = time.monotonic() + 120
    while _lines(out) < 150 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = _lines(out)
    assert 150 <= killed_at < 1000
    with out.open("ab") as fh:  # a torn line, as if killed inside a write
        fh.write(b'{"schema_version":"1.0","id":"d09/doc0999.txt","sta')
    resumed = _start(tmp_path / "corpus", out, "--resume")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()
    rows = read_jsonl(out)
    got = [r["id"] for r in rows]
    assert len(got) == len(set(got)) == 1000
    assert sorted(got) == ids
    assert all(r["status"] == "ok" for r in rows)
    assert f"already done {killed_at}" in err.decode()
    assert f"ok {1000 - killed_at}" in err.decode()
