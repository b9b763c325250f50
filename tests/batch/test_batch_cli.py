from __future__ import annotations

import json
from pathlib import Path

import pytest

from takeaways.cli import main
from tests.batch._batch_corpus import page, read_jsonl, story, write_warc


def _run(*argv: str) -> int:
    return main(["batch", *argv, "--quiet", "--workers", "1"])


def test_batch_cli_directory_summary_and_exit_code(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    code = _run(str(corpus), "--out", str(out))
    lines = read_jsonl(out)
    assert [r["id"] for r in lines] == [
        "d00/doc0000.txt", "d00/doc0001.txt", "d00/doc0002.txt", "d00/doc0003.txt",
        "d00/doc0004.txt", "empty.txt", "page.html", "zipped.htm.gz",
    ]
    assert [r["status"] for r in lines].count("error") == 1
    err = capsys.readouterr().err
    assert "ok 7 · error 1" in err and "read: EmptyInputError" in err and "peak RSS" in err
    assert code == 1  # 1 error in 8 is over the default 10%
    assert _run(str(corpus), "--out", str(out)) == 2  # existing output needs --resume
    assert _run(str(corpus), "--out", str(out), "--resume") == 0  # nothing left to do
    assert len(read_jsonl(out)) == 8
    assert "already done 8" in capsys.readouterr().err
    out2 = tmp_path / "out2.jsonl"
    assert _run(str(corpus), "--out", str(out2), "--max-error-ratio", "0.2") == 0


def test_batch_cli_jsonl_and_warc_inputs(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"key": f"k{i}", "body": story(i)}) for i in range(3)))
    warc = tmp_path / "cc-news.warc.gz"
    write_warc(warc, [("https://n.test/1", 200, "text/html", page(1).encode()),
                      ("https://n.test/2", 301, "text/html", b"")])
    out = tmp_path / "out.jsonl"
    code = _run(str(src), str(warc), "--out", str(out), "--id-field", "key", "--text-field", "body")
    rows = read_jsonl(out)
    assert [r["id"] for r in rows][:3] == ["k0", "k1", "k2"]
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "ok", "skipped"]
    assert rows[3]["article"]["metadata"]["url"] == "https://n.test/1"
    assert rows[4]["reason"] == "HTTP status 301"
    assert code == 0


def test_batch_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "o.jsonl")
    assert _run(str(tmp_path / "missing"), "--out", out) == 2
    assert _run(str(tmp_path), "--out", out, "--what", "read,nope") == 2
    assert "unknown step" in capsys.readouterr().err
    assert _run(str(tmp_path), "--out", out, "-n", "0") == 2
    assert "-n must be from 1 to 12" in capsys.readouterr().err
    assert _run(str(tmp_path), "--out", out, "-n", "13") == 2


def test_batch_cli_names_failed_ids_and_writes_errors_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(story(1), "utf-8")
    for i in range(7):
        (src / f"bad{i}.txt").write_text("", "utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    assert _run(str(src), "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert err.startswith("takeaways: batch: starting 1 worker(s)…\n")  # before any result
    named = [line for line in err.splitlines() if line.startswith("  failed: ")]
    assert len(named) == 5 and named[0].startswith("  failed: bad0.txt (read: ")
    assert "… and 2 more (--errors FILE lists them all)" in err
    out.unlink()
    assert _run(str(src), "--out", str(out), "--errors", str(errors)) == 1
    rows = read_jsonl(errors)
    assert [r["id"] for r in rows] == [f"bad{i}.txt" for i in range(7)]
    assert all(r["error_code"] and r["reason"].startswith("read: ") for r in rows)
    assert f"all 7 failed ids: {errors}" in capsys.readouterr().err


def test_batch_cli_says_it_loads_the_models_before_the_first_result() -> None:
    from takeaways.batch.cli import _loading_line
    from takeaways.batch.runner import RunOptions
    from takeaways.pipeline.chunk import BatchSettings

    steps = BatchSettings(what=("read", "key_points"))
    assert "loading the models" in _loading_line(RunOptions(settings=steps, workers=2))
    assert "loading" not in _loading_line(RunOptions(settings=BatchSettings(), workers=2))
