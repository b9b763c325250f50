"""The issue-14 defect check: a pure function over point text, and its rate on dev sets."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

import takeaways
from takeaways.keypoints.defects import KINDS, count_kinds, defects, label_prefix, near_repeat


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('"Makes my skin crawl even being here.""', "unbalanced quotes"),
        ("He said “we will go and left.", "unbalanced quotes"),
        ("cooked chicken, ½ cup edamame, 1 tsp.", "bad start"),
        ("- The council voted.", "bad start"),
        ("Munir's repeated attacks on social media", "no end punctuation"),
        ("LOOK WHAT YOU MADE ME DO", "no end punctuation"),
        ("There are four people , the police said.", "space before punctuation"),
        (" ".join(["word"] * 46) + ".", "over 45 words"),
        ("(CNN)ESPN's Britt McHenry was suspended for a week.", "label prefix"),
        ("Guilty: Glenn Mason, 56, has said he is sorry.", "label prefix"),
        ("BHOPAL: Madhya Pradesh continues to lead the country.", "label prefix"),
        ("By John Smith The bank raised its rates.", "label prefix"),
        ("Photo: The minister at the launch.", "label prefix"),
        (": Wichita North's team won the final.", "label prefix"),
        ("I'm certainly seeing the world through more pink-coloured glasses.", "dangling start"),
        ("Also making a very impressive showing are the Reds.", "dangling start"),
        ("But the talks failed on Monday.", "dangling start"),
        ("However, the talks failed on Monday.", "dangling start"),
        ("This is evident from the figures.", "dangling start"),
        ("We will keep fighting for the town.", "dangling start"),
    ],
)
def test_defects_finds_each_kind(text: str, kind: str) -> None:
    assert kind in KINDS
    assert kind in defects(text)


@pytest.mark.parametrize(
    "text",
    [
        "The council approved the new budget on Monday after a long debate.",
        "This week the bank raised its rates for the third time.",
        '"We will not give up," the coach said after the match.',
        "“I am proud of them,” said club owner Maria Lopez.",
        "So far, nothing has changed for the residents (the council said).",
        "UK officials said the talks would resume.",
        "By Tuesday, the bank had raised its rates.",
        "3M said it would cut 2,000 jobs.",
    ],
)
def test_defects_passes_a_publishable_point(text: str) -> None:
    assert defects(text) == []


def test_defects_no_verb_needs_a_tagger() -> None:
    def tags(text: str) -> list[tuple[str, str]]:
        return [(w, "NOUN") for w in text.split()]

    assert "no verb" in defects("Ten things to know.", pos=tags)
    assert "no verb" not in defects("Ten things to know.")


def test_defects_near_repeat_and_counts() -> None:
    a = "The bridge will close for repairs from June until the end of August."
    b = "The bridge will close for repairs from June until August, officials said."
    assert near_repeat(a, b)
    assert not near_repeat(a, "Drivers should use the northern ring road instead.")
    assert "near repeat" in defects(a, others=[b])
    counts, bad, total = count_kinds([[a, b], ["But it rained."]])
    assert (counts["near repeat"], counts["dangling start"], bad, total) == (2, 1, 3, 3)


def test_defects_label_prefix_is_the_prefix() -> None:
    assert label_prefix("BHOPAL: Madhya Pradesh leads.") == "BHOPAL: "
    assert label_prefix("(CNN)ESPN's Britt McHenry") == "(CNN)"
    assert label_prefix("The minister: a profile.") == ""


def _tagger() -> Any:
    from takeaways.nlp.models import get_nlp

    nlp = get_nlp()
    return lambda text: [(t.text, t.pos_) for t in nlp(text)]


#: the issue's bar: at most this share of points has a defect on a dev set
MAX_DEFECT_SHARE = 0.03


@pytest.mark.slow
def test_defects_rare_on_dev_cnndm(shared_data: Any) -> None:
    path = shared_data / "frank" / "cnndm_articles.jsonl.gz"
    recs = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
    points = [[p.text for p in takeaways.key_points(takeaways.read(r["article"], kind="plain"),
                                                    n=4).points] for r in recs]
    counts, bad, total = count_kinds(points, pos=_tagger())
    assert bad / total <= MAX_DEFECT_SHARE, counts
    assert counts["dangling start"] == 0


@pytest.mark.slow
def test_defects_rare_on_dev_news_pages(shared_data: Any) -> None:
    root = shared_data / "article_extraction_benchmark"
    pages = [json.loads(line) for line in (root / "pages.jsonl").open(encoding="utf-8")]
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    points = []
    for rec in pages:
        html = gzip.open(root / rec["html_path"]).read().decode("utf-8", "replace")
        url = rec.get("url") or truth.get(rec["id"], {}).get("url")
        kp = takeaways.key_points(takeaways.read(html, kind="html", url=url), n=4)
        points.append([p.text for p in kp.points])
    counts, bad, total = count_kinds(points, pos=_tagger())
    assert bad / total <= MAX_DEFECT_SHARE, counts
    assert counts["dangling start"] == 0


@pytest.mark.parametrize(("text", "prefix"), [
    ("Guilty: Glenn Mason, 56, has said he regrets it.", "Guilty: "),
    ("Stewart said: ‘When England come calling, you shouldn’t say no.’", ""),
    ("Martinez added: 'The only criticism is we were too comfortable.'", ""),
])
def test_keypoints_label_prefix_is_no_speaker(text: str, prefix: str) -> None:
    assert label_prefix(text) == prefix
