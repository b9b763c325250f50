"""``takeaways summarize --writer llm``: the flags select the writer; a failing writer
never fails the run."""

from __future__ import annotations

import json

from takeaways.cli import main
from tests.conftest import SEED
from tests.writer._server import completion


def test_cli_summarize_writer_llm_falls_back_on_a_bad_answer(chat_server, capsys) -> None:  # type: ignore[no-untyped-def]
    server = chat_server([completion("I cannot help with that.")])
    rc = main(["summarize", str(SEED), "-n", "3", "--writer", "llm", "--llm-url",
               server.base_url, "--llm-model", "llama3.1:8b", "-f", "json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert [p["origin"] for p in out["key_points"]] == ["extractive"] * 3
    assert out["strategies"]["writer"] == "writer.llm.v1"
    assert any("not JSON" in n for n in out["notes"])
    assert server.requests[0]["model"] == "llama3.1:8b"


def test_cli_summarize_writer_llm_needs_a_url(capsys) -> None:  # type: ignore[no-untyped-def]
    rc = main(["summarize", str(SEED), "--writer", "llm", "--llm-model", "m"])
    err = capsys.readouterr().err
    assert rc == 2 and "--llm-url" in err and "Traceback" not in err


def test_cli_batch_writer_llm_flags_reach_the_workers(chat_server, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``batch --writer llm --llm-url --llm-model``: the worker processes ask that server
    (a bad answer: extractive points and a note, the document still ok)."""
    server = chat_server([completion("I cannot help with that.")])
    out = tmp_path / "out.jsonl"
    rc = main(["batch", str(SEED), "--out", str(out), "--what", "key-points", "-n", "3",
               "--writer", "llm", "--llm-url", server.base_url, "--llm-model", "qwen2.5:7b",
               "--workers", "1", "--quiet"])
    assert rc == 0, capsys.readouterr().err
    (line,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["status"] == "ok"
    kp = line["key_points"]
    assert [p["origin"] for p in kp["key_points"]] == ["extractive"] * 3
    assert any("not JSON" in n for n in kp["notes"])
    assert [r["model"] for r in server.requests] == ["qwen2.5:7b"]


def test_cli_batch_writer_llm_needs_a_url_before_any_work(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = main(["batch", str(SEED), "--out", str(tmp_path / "o.jsonl"), "--what",
               "key-points", "--writer", "llm", "--llm-model", "m", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "--llm-url" in err and "Traceback" not in err
    assert not (tmp_path / "o.jsonl").exists()
