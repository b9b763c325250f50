"""The article view cuts text at every evidence offset without losing a character."""

from __future__ import annotations

import takeaways
from takeaways.schema import load_schema
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


def test_view_evidence_and_attribution_helpers() -> None:
    point = {"n": 1, "text": "Kremlin chief Vladimir Putin spoke.",
             "evidence": [{"sentence_id": 4, "start": 0, "end": 5,
                           "text": "The Kremlin chief spoke."}],
             "edits": [{"kind": "substitute", "original": "the Kremlin chief",
                        "replacement": "Kremlin chief Vladimir Putin"},
                       {"kind": "delete", "original": "However, ", "replacement": ""}]}
    assert view.cites(point) == [5]  # 1-based sentence numbers
    assert view.rewrites(point) == [("the Kremlin chief", "Kremlin chief Vladimir Putin")]
    quotes = {"entities": [], "quotes": [
        {"kind": "direct", "content": {"text": "We want peace"}, "speaker": {"entity": "Putin"}},
        {"kind": "indirect", "content": {"text": "talks may resume"},
         "speaker": {"entity": "Scholz"}},
        {"kind": "direct", "content": {"text": "Not now"}, "speaker": {"entity": "Putin"}}]}
    groups = view.quote_groups(quotes)
    assert [(g.speaker, len(g.quotes)) for g in groups] == [("Putin", 2), ("Scholz", 1)]
    meta = {"metadata": {"url": "https://news.example.org/a", "site": None,
                         "author": "A. Writer", "date": "2024-07-04"}}
    assert view.source_line(meta) == ["news.example.org", "by A. Writer", "2024-07-04"]
    assert view.source_line({"metadata": {}}) == []
    record = {"title": "T", "article": meta, "key_points": {"key_points": [point]},
              "quotes": quotes, "audit": {"claims": [{"verdict": "supported", "text": "C."}]}}
    md = view.markdown(record)
    assert md.startswith("# T\n\nnews.example.org · by A. Writer · 2024-07-04\n")
    assert "1. Kremlin chief Vladimir Putin spoke.[^1-5]" in md
    assert "[^1-5]: “The Kremlin chief spoke.”" in md
    assert "**Putin**\n- “We want peace”\n- “Not now”" in md
    assert "- talks may resume (reported)" in md and "- **supported**: C." in md


def test_view_words_for_people() -> None:
    assert view.percent(0.0797) == "8%" and view.percent(None) == ""
    assert view.error_words(["discourse-link", "entity"]) == (
        "it links facts (cause, contrast, time) the article does not link; "
        "a name, number or place differs from the article")
    assert view.error_words(["new-kind"]) == "new-kind"
    assert set(view.ERROR_WORDS) == set(
        load_schema("audit")["$defs"]["claim"]["properties"]["error_types"]
        ["items"]["enum"])
    one = view.recent_label({"id": "abcdef123", "source_kind": "html"})
    two = view.recent_label({"id": "zyxwvu987", "source_kind": "html"})
    assert one == "HTML page · #abcdef" and one != two
