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


class _Counted(dict):  # type: ignore[type-arg]
    """A sentence dict that counts its key look-ups (the view's unit of work)."""

    reads = 0

    def __getitem__(self, key: str) -> object:
        _Counted.reads += 1
        return super().__getitem__(key)


def test_view_work_is_linear_in_sentences() -> None:
    """Issue 18: ``"Rain fell again today. " * 30000`` is one paragraph of 30,000 sentences;
    the view scanned the paragraph's sentences once per segment (quadratic, 74 s)."""
    unit = "Rain fell again today. "
    n = 3000  # quadratic work here would be ~10^7 look-ups; linear is ~10^4
    text = unit * n
    sentences = [_Counted(id=i, start=i * len(unit), end=i * len(unit) + len(unit) - 1,
                          text=unit[:-1]) for i in range(n)]
    article = {"text": text, "sentences": sentences, "headings": [],
               "paragraphs": [{"start": 0, "end": len(text), "text": text}]}
    record = {"article": article, "key_points": {"key_points": [
        {"evidence": [{"start": 23 * k, "end": 23 * k + 22} for k in range(0, n, 7)]}]},
        "quotes": None, "audit": None}
    _Counted.reads = 0
    blocks = view.article_blocks(record)
    assert _Counted.reads <= 20 * n
    segs = [g for s in blocks[0].sentences for g in s.segments]
    assert "".join(g.text for g in segs) == text
    owners = [s.id for s in blocks[0].sentences if s.id is not None]
    assert owners == list(range(n))  # every sentence keeps its id, in order
