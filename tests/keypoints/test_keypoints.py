"""Key points: evidence offsets, grounding, standalone rewriting, odd inputs."""

from __future__ import annotations

import gzip
import json
from typing import Any

import numpy as np
import pytest

import takeaways
from takeaways.api import analyze
from takeaways.keypoints.grounding import dangling_points, ungrounded_words
from takeaways.keypoints.result import KeyPoints
from takeaways.keypoints.rewrite import dangling_start, leading_connective, rewrite
from takeaways.schema import validate
from tests.conftest import assert_span_in


def _check_points(kp: KeyPoints) -> None:
    text = kp.article.text
    for p in kp.points:
        assert p.evidence, p
        for ev in p.evidence:
            assert_span_in(text, ev.start, ev.end, ev.text)
            assert kp.article.sentences[ev.sentence_id].text == ev.text
        for edit in p.edits:
            assert_span_in(text, edit.start, edit.end, edit.original)
            if edit.source is not None:
                assert_span_in(text, edit.source.start, edit.source.end, edit.source.text)
        assert ungrounded_words(p, kp.article) == [], p
    assert dangling_points(kp.points) == []


@pytest.fixture(scope="module")
def seed_points(seed_analysis: Any) -> KeyPoints:
    return takeaways.key_points(seed_analysis, n=4)


def test_keypoints_seed_points_are_grounded_and_numbered(seed_points: KeyPoints) -> None:
    assert [p.n for p in seed_points.points] == [1, 2, 3, 4]
    _check_points(seed_points)
    validate(seed_points.to_dict(), "key_points")


def test_keypoints_seed_do_not_repeat_the_embedded_box_errors(seed_points: KeyPoints) -> None:
    for p in seed_points.points:
        assert "stalemate" not in p.text.lower()
        if "peace initiative" in p.text:
            assert "Peskov" in p.text and "Zelensky" not in p.text


def test_keypoints_rewrite_resolves_pronoun_and_role(seed_analysis: Any) -> None:
    art = seed_analysis.article
    by_text = {s.text: s for s in art.sentences}
    added = next(s for t, s in by_text.items() if t.endswith("he added."))
    text, edits = rewrite(seed_analysis, added)
    assert text.endswith("Putin added.")
    assert edits[0].source is not None and "Putin" in edits[0].source.text
    role = next(s for t, s in by_text.items() if t.startswith("The Kremlin spokesman emphasized"))
    text, _ = rewrite(seed_analysis, role)
    assert text.startswith("Kremlin spokesman Dmitry Peskov emphasized")


def test_keypoints_rewrite_drops_dangling_connective(seed_analysis: Any) -> None:
    sent = next(s for s in seed_analysis.article.sentences if s.text.startswith("Therefore,"))
    text, edits = rewrite(seed_analysis, sent)
    assert text.startswith("The Kremlin called on")
    assert edits[0].kind == "delete" and edits[0].original == "Therefore, "


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Therefore, the Kremlin called.", "Therefore"),
        ("In response, he spoke.", "In response"),
        ("But the talks failed.", "But"),
        ("He said so.", "He"),
        ("This is evident.", "This"),
        ("There are three options.", None),
        ("So far, nothing.", None),
        ("Putin said so.", None),
    ],
)
def test_keypoints_dangling_start(text: str, expected: str | None) -> None:
    assert dangling_start(text) == expected


def test_keypoints_leading_connective_needs_comma_except_but_and() -> None:
    assert leading_connective("Simultaneously, he left.") == len("Simultaneously, ")
    assert leading_connective("Then he left.") == 0
    assert leading_connective("And then it rained.") == len("And ")


def test_keypoints_short_article_returns_what_exists() -> None:
    art = takeaways.read("The council approved the new budget on Monday after a long debate.",
                         kind="text")
    kp = takeaways.key_points(art, n=4)
    assert len(kp.points) == 1
    assert kp.notes and "only 1 sentence" in kp.notes[0]
    _check_points(kp)


def test_keypoints_n_must_be_positive(seed_analysis: Any) -> None:
    with pytest.raises(ValueError, match="n must be at least 1"):
        takeaways.key_points(seed_analysis, n=0)


_ODD_PAGES = {
    "bullets": "Budget vote\n\nThe council met on Monday to vote on the budget for next year.\n\n"
    "- The budget rises by four percent to fund new schools.\n"
    "- Parking fees double in the centre.\n"
    "- Two libraries will extend their opening hours.\n\nThe mayor said the plan was fair to all "
    "residents and would be reviewed in the spring.\n",
    "quotes": "\"We will not give up,\" the coach said after the match on Sunday evening.\n\n"
    "\"The players gave everything they had and the fans saw that,\" he added.\n\n"
    "\"Next season will be different, I promise you that much,\" said club owner Maria Lopez.\n",
    "live blog": "Storm live updates\n\n09:14 The storm reached the coast early on Tuesday "
    "morning with strong winds.\n\n09:40 Power was cut to about 20,000 homes in the north of "
    "the region.\n\n10:05 The national weather service extended its warning until Wednesday "
    "night.\n\n10:30 Schools in three districts closed for the day as a precaution.\n",
    "duplicates": "The bridge will close for repairs from June until the end of August "
    "this year.\n\n"
    "The bridge will close for repairs from June until the end of August this year.\n\n"
    "Drivers are advised to use the northern ring road, which adds about ten minutes.\n",
}


@pytest.mark.parametrize("name", sorted(_ODD_PAGES))
def test_keypoints_odd_pages_are_grounded(name: str) -> None:
    kp = takeaways.key_points(takeaways.read(_ODD_PAGES[name], kind="text"), n=3)
    assert kp.points
    _check_points(kp)
    assert len({p.text for p in kp.points}) == len(kp.points)


def test_keypoints_long_article() -> None:
    paras = [f"Officials in district {i} reported that {i * 3} new homes were finished "
             f"this month, and residents in district {i} welcomed the news." for i in range(300)]
    kp = takeaways.key_points(takeaways.read("\n\n".join(paras), kind="text"), n=4)
    assert len(kp.points) == 4
    _check_points(kp)


@pytest.mark.slow
def test_keypoints_every_dev_article_is_grounded(shared_data: Any) -> None:
    """Each word of every point on every dev CNN/DM article comes from its evidence or
    from a recorded substitution; no point opens with a dangling pronoun/connective."""
    path = shared_data / "frank" / "cnndm_articles.jsonl.gz"
    recs = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
    for rec in recs:
        kp = takeaways.key_points(analyze(takeaways.read(rec["article"], kind="plain")), n=4)
        _check_points(kp)


def test_keypoints_rewrite_never_edits_inside_a_quote() -> None:
    art = takeaways.read(
        "Davey spoke to the committee on Tuesday about the future of the station.\n\n"
        "He said: 'If you look back at the Third Programme (the original name for Radio 3), "
        "they were bringing high culture to a mass audience.'\n\n"
        "\"We kept the schedule (and the staff) for a decade,\" the manager said on Friday.\n",
        kind="text",
    )
    an = analyze(art)
    for sent in art.sentences:
        text, edits = rewrite(an, sent)
        assert not any(e.reason == "parenthetical aside" for e in edits), (text, edits)


def test_keypoints_trailing_clause_dropped_unless_negated_or_quoted() -> None:
    art = takeaways.read(
        "The council approved the new housing plan for the north of the town, although "
        "several residents objected to it.\n\n"
        "The council approved the new bridge over the river for the town, although it did "
        "not say when work would start.\n\n"
        "The mayor told reporters that the vote was a great day for the town, after "
        "'months of talks'.\n",
        kind="text",
    )
    an = analyze(art)
    texts = [rewrite(an, s) for s in art.sentences]
    assert texts[0][0] == "The council approved the new housing plan for the north of the town."
    assert [e.reason for e in texts[0][1]] == ["trailing 'although' clause"]
    for edit in texts[0][1]:
        assert_span_in(art.text, edit.start, edit.end, edit.original)
    assert not any("trailing" in e.reason for t in texts[1:] for e in t[1]), texts


def test_keypoints_single_quoted_words_are_protected() -> None:
    from takeaways.keypoints.rewrite import _single_quoted

    text = "A statement read: 'The Body (CEDB) met today and announced it. '"
    span = _single_quoted(text)
    assert span is not None and span[0] == text.index("'The") and span[1] == len(text)
    assert _single_quoted("Putin's aides (pictured) left.") is None


def test_keypoints_strategies_are_registered(seed_points: KeyPoints) -> None:
    from takeaways import registry

    for name in seed_points.strategies.values():
        assert callable(registry.get(name))


def test_keypoints_dangling_sentence_joins_its_antecedent() -> None:
    from takeaways.keypoints.select import group_points, select_mmr

    scores = np.array([1.0, 5.0, 0.5, 0.2])
    sim = np.zeros((4, 4), dtype=np.float32)
    # sentence 1 ("It ...") may only follow sentence 0, and then shares its point
    attach = [False, True, False, False]
    chosen = select_mmr(scores, sim, [0] * 4, [True] * 4, 2, attach=attach)
    assert group_points(chosen, attach) == [[0, 1], [2]]
    kp = _council_points()
    fused = [p for p in kp.points if len(p.evidence) > 1]
    assert [e.sentence_id for e in fused[0].evidence] == [0, 1]
    for p in fused:
        assert [e.sentence_id for e in p.evidence] == list(
            range(p.evidence[0].sentence_id, p.evidence[0].sentence_id + len(p.evidence)))
        assert p.text.endswith(p.evidence[-1].text)


def _council_points(*middle: str) -> KeyPoints:
    """Three points of a short council story; ``middle`` paragraphs go before the last."""
    paras = ["The city council approved a new budget for the schools on Monday evening.",
             "It includes money for forty new teachers and two libraries across the region.",
             *middle,
             "Parking fees in the centre will double from next spring, officials said."]
    kp = takeaways.key_points(takeaways.read("\n\n".join(paras) + "\n", kind="text"), n=3)
    _check_points(kp)
    return kp


def test_keypoints_fuse_at_most_two_sentences() -> None:
    kp = _council_points(
        "It also pays for a new roof on the old town hall, which has leaked for years.")
    assert all(len(p.evidence) <= 2 for p in kp.points)


def test_keypoints_similarity_cap_never_leaves_points_out() -> None:
    from takeaways.keypoints.select import select_mmr

    sim = np.full((4, 4), 0.9, dtype=np.float32)  # four close variants of one sentence
    chosen = select_mmr(np.array([4.0, 3.0, 2.0, 1.0]), sim, [0] * 4, [True] * 4, 3)
    assert chosen == [0, 1, 2]
    # an exact repeat is never a point of its own, even when points run short
    sim[1, 0] = sim[0, 1] = 1.0
    assert 1 not in select_mmr(np.array([4.0, 3.0, 2.0, 1.0]), sim, [0] * 4, [True] * 4, 3)


def test_keypoints_seed_cover_three_sections(seed_points: KeyPoints) -> None:
    # the embedded candidates include every section's best sentence, so the coverage
    # bonus can reach past the lede (the article has a lede section and two headings)
    art = seed_points.article
    sections = {art.paragraphs[art.sentences[p.evidence[0].sentence_id].paragraph].section
                for p in seed_points.points}
    assert len(sections) == 3
