"""The article view cuts text at every evidence offset without losing a character."""

from __future__ import annotations

import takeaways
from takeaways.server import view

TEXT = "First sentence here. Second one follows.\n\nA new paragraph starts. It ends here."


def test_view_segments_cover_paragraphs_exactly() -> None:
    article = takeaways.read(TEXT.encode(), kind="plain").to_dict()
    record = {"article": article, "key_points": {"key_points": [
        {"evidence": [{"sentence_id": 1, "start": 28, "end": 35, "text": TEXT[28:35]}]}]},
        "quotes": None, "audit": None}
    blocks = view.article_blocks(record)
    for block, para in zip(blocks, article["paragraphs"], strict=True):
        segs = [g for s in block.sentences for g in s.segments]
        assert "".join(g.text for g in segs) == para["text"]
        for g in segs:
            assert article["text"][g.start:g.end] == g.text
    cut = [g for s in blocks[0].sentences for g in s.segments if g.start == 28]
    assert cut and cut[0].end == 35


def test_view_helpers() -> None:
    assert view.css_token('Supported"><x') == "supported-x"
    assert view.ranges([{"start": 1, "end": 4}, {"x": 1}]) == "1-4"
    assert view.sentence_ids([{"sentence_id": 3}, {"sentence_id": 5}]) == "3 5"
    assert view.speaker({"speaker": {"entity": None, "mention": {"text": "Putin"}}}, []) == "Putin"
    assert view.speaker({"speaker": None}, []) == "unknown"
