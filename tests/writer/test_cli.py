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
