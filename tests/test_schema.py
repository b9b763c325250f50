"""Real `Article.to_dict()` output validates against the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import takeaways
from takeaways.document import SCHEMA_VERSION, Article
from takeaways.schema import load_schema, validate

HTML_PAGE = Path(__file__).resolve().parent / "golden" / "html" / "courier_budget.html"


@pytest.fixture(scope="module")
def html_article() -> Article:
    return takeaways.read(HTML_PAGE)


def test_schema_article_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema("article"))
    assert load_schema("article")["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_schema_seed_article_validates(seed_article: Article) -> None:
    validate(seed_article.to_dict(), "article")


def test_schema_html_article_validates(html_article: Article) -> None:
    validate(html_article.to_dict(), "article")


def test_schema_plain_article_validates(seed_text: str) -> None:
    validate(takeaways.read(seed_text, kind="plain").to_dict(), "article")


def test_schema_output_survives_json(seed_article: Article) -> None:
    d = json.loads(json.dumps(seed_article.to_dict(), ensure_ascii=False))
    validate(d, "article")
    assert d["schema_version"] == SCHEMA_VERSION and d["type"] == "article"


def test_schema_rejects_missing_and_extra_fields(seed_article: Article) -> None:
    d = seed_article.to_dict()
    with pytest.raises(jsonschema.ValidationError):
        validate({k: v for k, v in d.items() if k != "text"}, "article")
    with pytest.raises(jsonschema.ValidationError):
        validate({**d, "surprise": 1}, "article")
    with pytest.raises(jsonschema.ValidationError):
        validate({**d, "schema_version": "0.0"}, "article")


@pytest.mark.parametrize("which", ["seed", "html"])
def test_schema_from_dict_round_trip(which: str, seed_article: Article,
                                     html_article: Article) -> None:
    article = seed_article if which == "seed" else html_article
    again = Article.from_dict(article.to_dict())
    assert again == article
    assert again.to_dict() == article.to_dict()
    assert Article.from_dict(json.loads(json.dumps(article.to_dict()))) == article
