"""The pasted-text reader's learned line model (`takeaways.ingest.text_model`): features,
the body run, the shipped weights and the choice of body strategy."""

from __future__ import annotations

import pytest

from takeaways.config import Settings
from takeaways.errors import ConfigError
from takeaways.ingest import read_article
from takeaways.ingest.text import (
    BODY_STRATEGIES,
    candidate_lines,
    line_model_columns,
    line_model_features,
    parse_text,
)
from takeaways.ingest.text_model import (
    LineModel,
    _own,
    best_run,
    line_features,
    line_model,
    model_from_dict,
    own_columns,
)

P1 = ("The city council voted on Tuesday to approve a new budget for the coming year, after "
      "months of debate about how to pay for repairs to roads and schools.")
P2 = ("Mayor Ana Ruiz said the plan would raise property taxes by two percent, and that the "
      "money would go first to the bridges that inspectors flagged last spring.")
P3 = "A spokesperson for the mayor declined to comment."
PAGE = "\n".join([
    "News", "Sport", "Weather", "Sign in", "By Jane Smith", "Budget approved after long debate",
    P1, P2, P3, "Related stories", "* Harbour bridge reopens",
    "* Schools get new heating", "About us", "Contact",
])


def test_text_model_features_of_a_line() -> None:
    (f,) = line_features([P1], (0, 0), [True])
    assert f["ends_sentence"] == 1.0 and f["has_comma"] == 1.0
    assert f["rule_in_body"] == 1.0 and f["rule_dist"] == 0.0
    (g,) = line_features(["* Weather 2024 www.example.com"], (1, 1), [False])
    assert g["list_mark"] == 1.0 and g["ends_sentence"] == 0.0
    assert g["digit_share"] > 0 and g["link_share"] > 0 and g["rule_dist"] > 0


def test_text_model_features_see_neighbours_and_repeats() -> None:
    feats = line_features(["Menu", P1, "Menu"], (1, 1), [False, True, False])
    assert feats[0]["next_sentence"] == 1.0 and feats[0]["prev_sentence"] == 0.0
    assert feats[0]["repeated"] == 1.0 and feats[1]["repeated"] == 0.0
    assert feats[0]["prose_after"] == 1.0 and feats[2]["prose_before"] == 1.0


def test_text_model_digit_feature_is_linear_on_a_huge_token() -> None:
    (f,) = line_features(["x" * 200_000], (0, 0), [False])
    assert f["digit_share"] == 0.0


def test_text_model_best_run() -> None:
    assert best_run([0.1, 0.9, 0.2, 0.9, 0.1], [5, 20, 3, 20, 5], 0.5) == (1, 3)
    assert best_run([0.1, 0.2], [5, 5], 0.5) == (0, -1)
    # a break before line 2 splits the run; the longer half wins
    assert best_run([0.9, 0.9, 0.9], [20, 20, 30], 0.5, frozenset({2})) == (0, 1)
    # prose after a section end counts less
    assert best_run([0.9, 0.9], [20, 30], 0.5, frozenset({1}), [1.0, 0.3]) == (0, 0)


def test_text_model_shipped_weights_load() -> None:
    model = line_model()
    assert isinstance(model, LineModel)
    assert 0.0 < model.keep <= model.threshold < 1.0
    names = set(line_model_features(candidate_lines(PAGE))[0])
    assert set(model.weights) == names == set(model.means) == set(model.scales)


def test_text_model_decides_a_made_up_page() -> None:
    cands = candidate_lines(PAGE)
    probs = line_model().decide(line_model_columns(cands))
    by_text = dict(zip((ln.text for ln in cands.lines), probs, strict=True))
    for body in (P1, P2):
        assert by_text[body] > 0.5
    for chrome in ("Weather", "* Harbour bridge reopens", "Contact"):
        assert by_text[chrome] < 0.5
    parts = parse_text(PAGE)
    body = [b.text for b in parts.blocks if b.kind == "paragraph"]
    assert body == [P1, P2, P3]
    assert parts.title == "Budget approved after long debate"
    dropped = {r.text for r in parts.removed}
    assert {"Weather", "Related stories", "Contact"} <= dropped


def test_text_model_every_dropped_line_has_a_reason() -> None:
    parts = parse_text(PAGE)
    kept = {b.text for b in parts.blocks} | {parts.title, parts.kicker}
    for line in PAGE.splitlines():
        assert line in kept or any(r.text == line and r.reason for r in parts.removed)


def test_text_model_strategies() -> None:
    assert BODY_STRATEGIES == ("lines.v1", "rules.v1")
    rules = parse_text(PAGE, body="rules.v1")
    assert [b.text for b in rules.blocks if b.kind == "paragraph"][:2] == [P1, P2]
    with pytest.raises(ConfigError, match=r"unknown text body strategy .*\[read\] text_body"):
        parse_text(PAGE, body="magic")


def test_text_model_strategy_is_a_setting_recorded_in_metadata() -> None:
    assert Settings.load(None).section("read")["text_body"] == "lines.v1"
    assert read_article(PAGE, kind="text").metadata.text_body == "lines.v1"
    rules = Settings.load(None).replace(read={"text_body": "rules.v1"})
    article = read_article(PAGE, kind="text", settings=rules)
    assert article.metadata.text_body == "rules.v1"
    assert article.to_dict()["metadata"]["text_body"] == "rules.v1"
    assert read_article(PAGE, kind="text", url="https://example.com/a",
                        settings=rules).metadata.text_body == "rules.v1"  # url kept beside it
    with pytest.raises(ConfigError, match="text_body"):
        read_article(PAGE, kind="text", settings=rules.replace(read={"text_body": "magic"}))


@pytest.mark.parametrize("lines", [
    ["x"], [""], ["a\nb", "c"], ["x" * 5000], ["Hi. There 3 and 45", "", "www.X.com | @me"],
    ["İstanbul www.x.COM", "“Quote,” said 2 people.", "tab\tinside 7a b8"],
])
def test_text_model_page_pass_equals_line_by_line(lines: list[str]) -> None:
    one_by_one = [v for t in lines for v in _own(t)]
    assert own_columns(lines).ravel().tolist() == pytest.approx(one_by_one)


def test_text_model_an_injected_model_is_used() -> None:
    base = line_model()
    zeros = {n: 0.0 for n in base.weights}
    never = model_from_dict({"weights": zeros, "means": zeros, "scales": dict.fromkeys(zeros, 1.0),
                             "bias": -10.0, "threshold": 0.5, "keep": 0.3})
    # no line reaches the threshold: the rules' run is the body
    parts = parse_text(PAGE, model=never)
    assert [b.text for b in parts.blocks if b.kind == "paragraph"][:2] == [P1, P2]
