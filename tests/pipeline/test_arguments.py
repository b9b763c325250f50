"""Argument checks and per-document limits of `Pipeline` and `takeaways.api` (issue 18,
items 2 and 12): every bad argument is a `UsageError` saying what to pass, before any
reading or parsing; a summary over the limits is a `LimitError` before the audit runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import takeaways
from takeaways.config import Settings
from takeaways.errors import LimitError, StepError, UsageError, code_of
from takeaways.nlp.analyze import Analysis
from takeaways.pipeline import Pipeline

TEXT = ("Chancellor Olaf Scholz met the minister in Berlin on Monday. \"We agreed on the plan,\""
        " Scholz said after the talks.\n\nThe minister said the deal would be signed next "
        "week.")


@pytest.fixture(scope="module")
def article() -> takeaways.Article:
    return takeaways.read(TEXT)


@pytest.mark.parametrize("n", [0, -1, "4", None, 1.5, True])
def test_arguments_bad_n_is_a_usage_error_before_reading(n: Any) -> None:
    with pytest.raises(UsageError, match="n must be at least 1") as err:
        takeaways.key_points("this text is never read", n=n)
    assert isinstance(err.value, ValueError) and err.value.code == "E500"
    with pytest.raises(UsageError):
        Pipeline().run("never read either", ["read", "key_points"], n=n)


@pytest.mark.parametrize("source", [5, None, ["a page"], {"text": "x"}, 1.5, object()])
def test_arguments_read_of_an_unreadable_type_says_what_to_pass(source: Any) -> None:
    with pytest.raises(UsageError, match="pass a file path.*URL.*bytes.*string") as err:
        takeaways.read(source)
    assert type(source).__name__ in str(err.value)


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_arguments_read_takes_any_bytes_like(wrap: Any) -> None:
    assert takeaways.read(wrap(TEXT.encode())).text.startswith("Chancellor Olaf Scholz")


def test_arguments_read_takes_any_path_like(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(TEXT, "utf-8")

    class Where(os.PathLike[str]):
        def __fspath__(self) -> str:
            return str(page)

    assert takeaways.read(Where()).text.startswith("Chancellor")


def test_arguments_a_long_text_ending_in_txt_is_text_not_a_path() -> None:
    """A ~1 KB string ending in '.txt' was opened as a file (OSError ENAMETOOLONG)."""
    text = "The minister spoke at length about the new budget. " * 19 + "See notes.txt"
    assert 900 < len(text) < 1024
    assert takeaways.read(text).text == text


@pytest.mark.parametrize("max_bytes", [0, -1, "100", 1.5])
def test_arguments_bad_max_bytes_is_a_usage_error(max_bytes: Any) -> None:
    with pytest.raises(UsageError, match="max_bytes"):
        takeaways.read(TEXT, max_bytes=max_bytes)


@pytest.mark.parametrize("summary", [[None], ["ok", 3], 42, {"a": "b"}, b"bytes"])
def test_arguments_bad_summary_is_a_usage_error_before_parsing(
    summary: Any, article: takeaways.Article,
) -> None:
    before = Analysis.parses
    with pytest.raises(UsageError, match="string"):
        Pipeline().audit(article, summary)
    assert Analysis.parses == before


def test_arguments_bad_summary_in_a_run_fails_the_audit_step(article: takeaways.Article) -> None:
    """Per document (batch): the audit step fails with the cause, the other steps stand."""
    with pytest.raises(StepError) as err:
        Pipeline().run(article, ["read", "audit"], summary=[None])  # type: ignore[list-item]
    assert err.value.step == "audit" and isinstance(err.value.cause, UsageError)
    assert "read" in err.value.partial


def test_arguments_summary_tuple_is_a_list(article: takeaways.Article) -> None:
    audit = takeaways.audit(article, ("Scholz met the minister in Berlin.",))  # type: ignore[arg-type]
    assert len(audit.claims) == 1


def _limited(**limits: int) -> Pipeline:
    return Pipeline(Settings.load(None).replace(limits=limits))


def test_arguments_summary_over_max_chars_is_a_limit_error_before_parsing(
    article: takeaways.Article,
) -> None:
    """`audit(article, 'Putin ' * 170000)` passed 3 GB RSS."""
    before = Analysis.parses
    with pytest.raises(LimitError, match="1,020,000 characters.*max_summary_chars") as err:
        Pipeline().audit(article, "Putin " * 170000)
    assert err.value.code == "E200" and Analysis.parses == before
    with pytest.raises(LimitError, match="max_summary_chars"):
        _limited(max_summary_chars=10).audit(article, ["Scholz met", " the minister."])


@pytest.mark.parametrize("summary", [
    [f"The minister said {i} things." for i in range(1000)],  # 22 s with no cap
    "\n".join(f"- Claim number {i}." for i in range(1000)),
    " ".join(f"Claim number {i} holds." for i in range(1000)),
])
def test_arguments_summary_over_max_claims_is_a_limit_error(
    summary: Any, article: takeaways.Article,
) -> None:
    with pytest.raises(LimitError, match="1,000 claims.*max_summary_claims"):
        Pipeline().audit(article, summary)


def test_arguments_claim_limit_follows_settings(article: takeaways.Article) -> None:
    claims = ["Scholz met the minister.", "The deal is next week.", "They agreed."]
    with pytest.raises(LimitError, match="3 claims, over the limit of 2"):
        _limited(max_summary_claims=2).audit(article, claims)
    assert len(_limited(max_summary_claims=3).audit(article, claims).claims) == 3
    assert len(_limited(max_summary_claims=0).audit(article, claims).claims) == 3  # 0: none


def test_arguments_summary_limit_in_a_run_is_the_audit_step_s_error(
    article: takeaways.Article,
) -> None:
    with pytest.raises(StepError) as err:
        _limited(max_summary_claims=1).run(article, ["audit"], summary=["A.", "B."])
    assert code_of(err.value) == "E200"


def test_arguments_summary_with_lone_surrogates_is_audited(article: takeaways.Article) -> None:
    audit = takeaways.audit(article, ["Scholz met the minister \ud800 in Berlin."])
    assert "\ufffd" in audit.claims[0].text


def test_arguments_article_over_max_chars_is_a_limit_error_before_parsing() -> None:
    """`key_points('The minister spoke. ' * 50000)` (1 MB) took 55-80 s: over ``[limits]
    max_article_chars`` it is a clean LimitError before any parse, in every step."""
    article = takeaways.read("The minister spoke. " * 50000)
    before = Analysis.parses
    for step in ("key_points", "quotes"):
        with pytest.raises(LimitError, match="999,999 characters.*max_article_chars") as err:
            getattr(Pipeline(), step)(article)
        assert err.value.code == "E200"
    with pytest.raises(LimitError, match="max_article_chars"):
        Pipeline().audit(article, "The minister spoke.")
    assert Analysis.parses == before
    small = takeaways.read("The minister spoke at length about the budget today. " * 3)
    with pytest.raises(LimitError, match="max_article_chars"):
        _limited(max_article_chars=50).key_points(small)
    assert len(_limited(max_article_chars=0).key_points(small).points) >= 1  # 0: no limit


def test_arguments_article_over_max_tokens_is_a_limit_error_before_parsing() -> None:
    """A text far denser in tokens than prose ('[' * 50,000: every character a token) is
    within the character limit but would cost spaCy as much as 250,000 characters of prose:
    ``[limits] max_article_tokens`` stops it before any parse; prose never meets it first."""
    dense = takeaways.read("The minister spoke. " + "[ " * 600)
    before = Analysis.parses
    with pytest.raises(LimitError, match="tokens.*max_article_tokens") as err:
        _limited(max_article_tokens=500).key_points(dense)
    assert err.value.code == "E200" and Analysis.parses == before
    assert _limited(max_article_tokens=0).key_points(dense) is not None  # 0: no limit
    defaults = Pipeline().settings.section("limits")
    # the densest prose here is under 0.24 tokens a character
    assert defaults["max_article_tokens"] >= 0.24 * defaults["max_article_chars"]


def test_arguments_pipe_records_an_article_over_max_chars_and_goes_on() -> None:
    """In a batch the long article is an error record (never parsed); the next one is done."""
    records = [{"id": "long", "text": "The minister spoke. " * 30},
               {"id": "ok", "text": "The minister spoke at length about the budget today. " * 3}]
    out = list(_limited(max_article_chars=500).pipe(records, what=("key_points",)))
    assert [r["id"] for r in out] == ["long", "ok"]
    assert out[0]["status"] == "error" and out[0]["error_code"] == "E200"
    assert "max_article_chars" in out[0]["reason"]
    assert out[1]["status"] == "ok"
