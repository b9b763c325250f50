"""The result model: look-ups and rendering, built by hand."""

from __future__ import annotations

from takeaways.attribution.result import Entity, Mention, Quote, Quotes, Speaker, similar_names
from takeaways.document import Article, Paragraph, Sentence, Span

TEXT = "Zelenskyi spoke. Volodymyr Zelenskyy said “no.”"


def _quotes() -> Quotes:
    article = Article(
        "t",
        TEXT,
        None,
        None,
        None,
        [],
        [],
        [Paragraph(0, 0, len(TEXT), TEXT, 0, (0, 1))],
        [Sentence(0, 0, 16, TEXT[:16], 0), Sentence(1, 17, len(TEXT), TEXT[17:], 0)],
    )
    ent = Entity(
        "Volodymyr Zelenskyy",
        "PERSON",
        [Span(0, 9, "Zelenskyi"), Span(17, 36, "Volodymyr Zelenskyy")],
        ["Ukrainian President"],
    )
    q = Quote(
        "direct",
        Span(44, 47, "no."),
        Span(37, 41, "said"),
        Speaker(Span(17, 36, "Volodymyr Zelenskyy"), ent.name, "named"),
        [],
        (1,),
    )
    mentions = [
        Mention(0, 9, "Zelenskyi", ent.name, "variant"),
        Mention(17, 36, "Volodymyr Zelenskyy", ent.name, "named"),
    ]
    return Quotes(article, [q], [ent], mentions, {"quotes.attribution": "quotes.rules.v1"})


def test_result_entity_lookup_is_alias_surname_and_variant_aware() -> None:
    quotes = _quotes()
    for name in (
        "Volodymyr Zelenskyy",
        "zelenskyi",
        "Zelenskyy",
        "Zelensky",
        "Ukrainian President",
    ):
        found = quotes.entity(name)
        assert found is not None and found.name == "Volodymyr Zelenskyy", name
    assert quotes.entity("Putin") is None


def test_result_resolve_and_sentence_lookup() -> None:
    quotes = _quotes()
    m = quotes.resolve(0, 9)
    assert m is not None and m.entity == "Volodymyr Zelenskyy" and m.how == "variant"
    assert quotes.resolve(10, 15) is None
    assert quotes.quotes_in_sentence(1) and not quotes.quotes_in_sentence(0)


def test_result_renderings() -> None:
    quotes = _quotes()
    d = quotes.to_dict()
    assert d["type"] == "quotes" and d["quotes"][0]["speaker"]["entity"] == "Volodymyr Zelenskyy"
    assert "Volodymyr Zelenskyy" in quotes.to_markdown()
    assert "“no.”" in quotes.to_text()


def test_result_similar_names() -> None:
    assert similar_names("Zelenskyi", "Zelenskyy")
    assert not similar_names("Scholz", "Schulz") or similar_names(
        "Scholz", "Schulz"
    )  # documented fuzz
    assert not similar_names("Putin", "Peskov")
