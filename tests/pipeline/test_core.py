"""`Pipeline`: one parse per article, settings passed in, steps run on one analysis."""

from __future__ import annotations

from typing import Any

import pytest

import takeaways
from takeaways.config import Settings
from takeaways.errors import StepError, UsageError
from takeaways.nlp.analyze import Analysis
from takeaways.pipeline import Pipeline, normalize_steps

TEXT = (
    "Mayor Anna Berg opened the new bridge in Riverton on Monday after three years of work.\n\n"
    "\"This bridge joins our two halves,\" Berg said at the ceremony attended by hundreds.\n\n"
    "The bridge cost 40 million euros, paid for by the city and the regional government.\n\n"
    "Critics said the money should have gone to schools. Traffic starts on Tuesday."
)


def test_key_points_quotes_and_audit_of_one_article_parse_it_once() -> None:
    article = takeaways.read(TEXT, kind="plain")
    before = Analysis.parses
    takeaways.key_points(article, n=2)
    takeaways.quotes(article)
    takeaways.audit(article, "Anna Berg opened a bridge.")
    assert Analysis.parses - before == 1


def test_a_pipeline_run_parses_once_and_returns_every_step() -> None:
    pipeline = Pipeline()
    before = Analysis.parses
    done = pipeline.run(TEXT.encode(), ["read", "key-points", "quotes", "audit"], n=2,
                        summary="Anna Berg opened a bridge.")
    assert Analysis.parses - before == 1
    assert list(done) == ["read", "key_points", "quotes", "audit"]
    assert done["read"].text.startswith("Mayor Anna Berg")
    assert len(done["key_points"].points) == 2
    assert done["audit"].claims[0].verdict == "supported"


def test_results_hold_no_analysis() -> None:
    from dataclasses import fields

    points = Pipeline().key_points(takeaways.read(TEXT, kind="plain"), n=2)
    assert not any(isinstance(getattr(points, f.name), Analysis) for f in fields(points))


def test_settings_passed_to_a_pipeline_change_its_key_points_only() -> None:
    article = takeaways.read(TEXT, kind="plain")
    strict = Pipeline(Settings.load().replace(keypoints={"min_words": 16}))
    default = Pipeline()
    long_only = strict.key_points(article, n=2)
    assert all(len(p.evidence[0].text.split()) >= 16 for p in long_only.points)
    mixed = default.key_points(article, n=4)
    assert any(len(p.evidence[0].text.split()) < 16 for p in mixed.points)


def test_memoised_products_are_keyed_by_settings() -> None:
    from takeaways.config import use

    analysis = Pipeline().analyze(takeaways.read(TEXT, kind="plain"))
    calls: list[int] = []

    def build(an: Analysis) -> int:
        calls.append(1)
        return len(calls)

    assert analysis.product(build) == analysis.product(build) == 1
    with use(Settings.load().replace(keypoints={"min_words": 3})):
        assert analysis.product(build) == 2


def test_a_failing_step_raises_step_error_with_the_finished_steps() -> None:
    class Broken(Pipeline):
        def quotes(self, item: Any) -> Any:
            raise RuntimeError("no graph")

    with pytest.raises(StepError) as info:
        Broken().run(TEXT.encode(), ["read", "quotes", "audit"])
    assert info.value.step == "quotes" and isinstance(info.value.cause, RuntimeError)
    assert list(info.value.partial) == ["read"]
    assert str(info.value).startswith("quotes: RuntimeError: no graph")


def test_step_names_are_checked() -> None:
    assert normalize_steps("read, key-points,read") == ("read", "key_points")
    with pytest.raises(UsageError, match="unknown step 'summary'"):
        normalize_steps(["summary"])
    with pytest.raises(UsageError):
        Pipeline().key_points(TEXT, n=0)


def test_settings_replace_checks_keys_and_kinds() -> None:
    from takeaways.errors import ConfigError

    base = Settings.load(None)
    assert base.replace(keypoints={"min_words": 8}).section("keypoints")["min_words"] == 8
    assert base.section("keypoints")["min_words"] == 6  # frozen: the original is unchanged
    with pytest.raises(ConfigError, match="unknown key 'min_wrods'"):
        base.replace(keypoints={"min_wrods": 8})
    with pytest.raises(ConfigError, match="keypoints.min_words must be a number"):
        base.replace(keypoints={"min_words": "eight"})
    assert base == Settings.load(None) and hash(base) == hash(Settings.load(None))


def test_the_strategy_named_in_settings_is_the_one_that_runs() -> None:
    from takeaways import registry
    from takeaways.errors import ConfigError

    @registry.register("keypoints.select.first.test")
    def first(scores: Any, similarity: Any, sections: Any, eligible: list[bool], n: int,
              **_: Any) -> list[int]:
        return [i for i, ok in enumerate(eligible) if ok][:n]

    article = takeaways.read(TEXT, kind="plain")
    name = "keypoints.select.first.test"
    custom = Pipeline(Settings.load().replace(keypoints={"strategy": name}))
    points = custom.key_points(article, n=2)
    assert points.strategies["select"] == "keypoints.select.first.test"
    assert points.points[0].evidence[0].sentence_id == 0  # the first eligible sentence
    wrong = Pipeline(Settings.load().replace(keypoints={"strategy": "keypoints.select.nope.v9"}))
    with pytest.raises(ConfigError, match="no strategy named 'keypoints.select.nope.v9'"):
        wrong.key_points(article, n=2)


def test_every_stage_takes_settings_keyword_only() -> None:
    import inspect

    from takeaways.attribution import extract_quotes
    from takeaways.auditing import audit_summary
    from takeaways.ingest import read_article
    from takeaways.keypoints import extract_key_points

    for stage in (read_article, extract_key_points, extract_quotes, audit_summary):
        param = inspect.signature(stage).parameters["settings"]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, stage.__name__
    strict = Settings.load().replace(read={"min_body_chars": 100_000})
    with pytest.raises(takeaways.NoArticleError):
        read_article(TEXT, kind="plain", settings=strict)
    assert read_article(TEXT, kind="plain").text  # the default settings are untouched
