"""The LLM writer against a real local chat-completions server: bad answers fall back to
extractive points with a warning, and the run never fails because the writer did."""

from __future__ import annotations

import json
import logging

import pytest

from takeaways.errors import ConfigError
from takeaways.pipeline import Pipeline
from tests.conftest import assert_span_in
from tests.writer._server import Reply, completion, points_reply
from tests.writer.conftest import llm_settings

SCOTT = "Federal Chancellor Olaf Scholz rejected Kremlin chief Vladimir Putin's maximal demands"


def _run(server, analysis, n: int = 4, **writer):  # type: ignore[no-untyped-def]
    return Pipeline(llm_settings(server, **writer)).key_points(analysis, n=n)


def _all_extractive(points, n: int = 4) -> None:  # type: ignore[no-untyped-def]
    assert len(points) == n
    assert [p.origin for p in points] == ["extractive"] * n
    text = points.article.text
    for p in points:
        assert p.evidence
        for e in p.evidence:
            assert_span_in(text, e.start, e.end, e.text)
    assert points.strategies["writer"] == "writer.llm.v1"


def test_llm_malformed_json_falls_back_with_a_warning(chat_server, seed_analysis, caplog) -> None:  # type: ignore[no-untyped-def]
    server = chat_server([completion('{"points": [{"text": "Putin said')])
    with caplog.at_level(logging.WARNING, logger="takeaways.writer"):
        points = _run(server, seed_analysis)
    _all_extractive(points)
    assert any("not JSON" in n for n in points.notes)
    assert any("not JSON" in r.getMessage() for r in caplog.records)
    assert len(server.requests) == 1


def test_llm_timeout_falls_back(chat_server, seed_analysis) -> None:  # type: ignore[no-untyped-def]
    server = chat_server([Reply({"choices": []}, delay_s=1.5)])
    points = _run(server, seed_analysis, timeout_s=0.3)
    _all_extractive(points)
    assert any("did not answer within 0.3 s" in n for n in points.notes)


def test_llm_rate_limited_tries_again_then_falls_back(chat_server, seed_analysis) -> None:  # type: ignore[no-untyped-def]
    server = chat_server([Reply({"error": "slow down"}, status=429,
                                headers={"Retry-After": "0"})])
    points = _run(server, seed_analysis, max_retries=2)
    _all_extractive(points)
    assert len(server.requests) == 3  # one try and two more
    assert any("429" in n and "3 tries" in n for n in points.notes)


def test_llm_429_then_an_answer_is_used(chat_server, seed_analysis, seed_article) -> None:  # type: ignore[no-untyped-def]
    sents = seed_article.sentences
    k = next(i for i, s in enumerate(sents, 1) if s.text.startswith(SCOTT))
    server = chat_server([Reply({"error": "busy"}, status=429, headers={"Retry-After": "0"}),
                          points_reply([(sents[k - 1].text, [k])])])
    points = _run(server, seed_analysis, n=1, max_retries=1)
    assert len(server.requests) == 2
    assert not any("429" in n for n in points.notes)
    assert points[0].origin == "llm" and points[0].text == sents[k - 1].text
    assert sents[k - 1].start in {e.start for e in points[0].evidence}


@pytest.mark.parametrize("status", [500, 404])
def test_llm_http_errors_fall_back(chat_server, seed_analysis, status: int) -> None:  # type: ignore[no-untyped-def]
    server = chat_server([Reply({"error": "no"}, status=status)])
    points = _run(server, seed_analysis)
    _all_extractive(points)
    assert any(f"HTTP {status}" in n for n in points.notes)


def test_llm_unreachable_server_falls_back(seed_analysis) -> None:  # type: ignore[no-untyped-def]
    from takeaways.config import Settings

    settings = Settings.load(None).replace(writer={
        "name": "llm", "base_url": "http://127.0.0.1:9/v1", "model": "m", "max_retries": 0})
    points = Pipeline(settings).key_points(seed_analysis, n=3)
    _all_extractive(points, 3)
    assert any("cannot reach" in n for n in points.notes)


def test_llm_fewer_points_are_filled_with_extractive_ones(  # type: ignore[no-untyped-def]
        chat_server, seed_analysis, seed_article) -> None:
    sents = seed_article.sentences
    k = next(i for i, s in enumerate(sents, 1) if s.text.startswith(SCOTT))
    server = chat_server([points_reply([(sents[k - 1].text, [k])])])
    points = _run(server, seed_analysis, n=4)
    assert len(points) == 4
    assert [p.n for p in points] == [1, 2, 3, 4]
    assert points[0].origin == "llm"
    assert [p.origin for p in points[1:]] == ["extractive"] * 3
    assert any("returned 1 point(s), fewer than the 4 asked" in n for n in points.notes)
    cited = [e.sentence_id for p in points for e in p.evidence]
    assert sents[k - 1].id not in cited[len(points[0].evidence):]  # not cited twice


@pytest.mark.parametrize("content", [
    json.dumps({"points": [{"text": "Putin spoke in Astana.", "sentences": [999]}]}),
    json.dumps({"answer": "Putin spoke in Astana."}),
    json.dumps({"points": [{"text": "Putin spoke.", "sentences": "two"}]}),
])
def test_llm_invalid_answers_fall_back(chat_server, seed_analysis, content: str) -> None:  # type: ignore[no-untyped-def]
    points = _run(chat_server([completion(content)]), seed_analysis)
    _all_extractive(points)
    assert points.notes and points.notes[0].startswith("llm writer: ")


def test_llm_prompt_echoed_back_falls_back(chat_server, seed_analysis) -> None:  # type: ignore[no-untyped-def]
    from takeaways.writer.prompt import Numbered, messages

    numbered = Numbered.of(seed_analysis.article, 24_000)
    echo = messages(seed_analysis.article, numbered, 4)[1]["content"]
    points = _run(chat_server([completion(echo)]), seed_analysis)
    _all_extractive(points)
    assert any("echoed the prompt" in n for n in points.notes)


def test_llm_request_goes_to_chat_completions_with_numbered_sentences(  # type: ignore[no-untyped-def]
        chat_server, seed_analysis, monkeypatch, caplog) -> None:
    monkeypatch.setenv("TAKEAWAYS_TEST_KEY", "sk-secret-123")
    server = chat_server([Reply({"error": "no"}, status=401)])
    with caplog.at_level(logging.DEBUG):
        points = _run(server, seed_analysis, api_key_env="TAKEAWAYS_TEST_KEY",
                      temperature=0.2)
    assert server.paths == ["/v1/chat/completions"]
    body = server.requests[0]
    assert body["model"] == "test-model" and body["temperature"] == 0.2
    assert body["response_format"] == {"type": "json_object"}
    user = body["messages"][-1]["content"]
    assert "[1] Putin repeatedly shows readiness" in user and "exactly 4 key points" in user
    assert server.headers[0]["Authorization"] == "Bearer sk-secret-123"
    assert "sk-secret-123" not in json.dumps(points.to_dict()) + caplog.text
    assert any("check the API key in $TAKEAWAYS_TEST_KEY" in n for n in points.notes)


def test_llm_writer_without_url_or_model_is_a_config_error(seed_analysis) -> None:  # type: ignore[no-untyped-def]
    from takeaways.config import Settings

    with pytest.raises(ConfigError, match="--llm-url"):
        Pipeline(Settings.load(None).replace(writer={"name": "llm"})).key_points(seed_analysis)
    with pytest.raises(ConfigError, match="--llm-model"):
        Pipeline(Settings.load(None).replace(writer={
            "name": "llm", "base_url": "http://127.0.0.1:1/v1"})).key_points(seed_analysis)
    with pytest.raises(ConfigError, match="one of extractive, llm"):
        Pipeline(Settings.load(None).replace(writer={"name": "gpt"})).key_points(seed_analysis)


def test_extractive_writer_is_the_default_and_adds_no_fields(seed_analysis) -> None:  # type: ignore[no-untyped-def]
    from takeaways.config import Settings

    points = Pipeline(Settings.load(None)).key_points(seed_analysis, n=2)
    d = points.to_dict()
    assert "writer" not in d["strategies"]
    assert all("origin" not in p for p in d["key_points"])


def test_llm_output_matches_the_schema(chat_server, seed_analysis, seed_article) -> None:  # type: ignore[no-untyped-def]
    from takeaways.schema import validate

    sents = seed_article.sentences
    k = next(i for i, s in enumerate(sents, 1) if s.text.startswith(SCOTT))
    server = chat_server([points_reply([(sents[k - 1].text, [k]),
                                        ("Putin won a landslide election in 2031.", [1])]),
                          completion("not json")])
    points = _run(server, seed_analysis, n=2)
    assert len(server.requests) == 2  # the failing point was asked again
    validate(points.to_dict(), "key_points")
    assert points[1].origin == "extractive"
    assert [f.stage for f in points[1].findings] == ["draft"]
    assert points[1].findings[0].verdict != "supported"
    assert any("asking again" in n for n in points.notes)


def test_llm_writer_in_the_batch_unit_of_work(chat_server) -> None:  # type: ignore[no-untyped-def]
    """Batch runs (and the server) go through `Pipeline`, so `[writer]` applies there too."""
    from tests.conftest import SEED

    server = chat_server([completion("[]")])
    out = list(Pipeline(llm_settings(server)).pipe([SEED.read_text("utf-8")],
                                                    what="read,key-points", n=2))
    assert len(out) == 1 and out[0]["status"] == "ok", out[0].get("reason")
    points = out[0]["key_points"]["key_points"]
    assert [p["origin"] for p in points] == ["extractive", "extractive"]
    assert len(server.requests) == 1


@pytest.mark.parametrize("gate", ["learned.v1", "threshold"])
def test_llm_either_gate_keeps_a_faithful_point_and_replaces_an_invented_one(  # type: ignore[no-untyped-def]
        chat_server, seed_analysis, seed_article, gate: str) -> None:
    sents = seed_article.sentences
    k = next(i for i, s in enumerate(sents, 1) if s.text.startswith(SCOTT))
    server = chat_server([points_reply([(sents[k - 1].text, [k]),
                                        ("Putin won a landslide election in 2031.", [1])]),
                          points_reply([("Putin won a landslide election in 2031.", [1])])])
    points = _run(server, seed_analysis, n=2, gate=gate)
    assert [p.origin for p in points] == ["llm", "extractive"]
    assert [f.stage for f in points[1].findings] == ["draft", "repair"]
    assert all(f.verdict != "supported" for f in points[1].findings)
