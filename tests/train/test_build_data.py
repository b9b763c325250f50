"""The entailment recipe's extrinsic insertions (`train/entail/build_data.py --insertions`)."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parents[2] / "train" / "entail"

ARTICLE = [
    "The mayor of Springfield opened the new bridge on Monday.",
    "Hundreds of residents watched the ceremony.",
    "Officials said the project cost more than expected.",
    "Traffic had been diverted for months.",
    "The council approved the budget in a closed session after a long debate.",
    "John Smith, a local engineer who designed the span, praised the builders.",
]


@pytest.fixture(scope="module")
def bd() -> ModuleType:
    pytest.importorskip("spacy")
    sys.path.insert(0, str(HERE))
    try:
        import build_data
    finally:
        sys.path.remove(str(HERE))
    return build_data


@pytest.fixture(scope="module")
def sents(bd: ModuleType) -> list:  # type: ignore[type-arg]
    try:
        nlp = bd.load_nlp()
    except SystemExit:
        pytest.skip("no spaCy English model")
    return [d[:] for d in nlp.pipe(ARTICLE)]


def test_insertion_adds_a_phrase_of_a_far_sentence_the_premise_lacks(bd, sents) -> None:  # type: ignore[no-untyped-def]
    syn = bd.Synth(sents, {}, random.Random(3))
    target = sents[0]
    premise = target.text
    out = syn.insertion(target, premise, range(0, 1))
    assert out is not None
    base = target.text.rstrip(".")
    assert out.startswith(base) and out != target.text
    added = out[len(base):].strip(" .")
    far_text = " ".join(s.text for s in sents[3:])
    assert added and added in far_text, out  # taken from a sentence outside the window
    assert any(w not in bd.words(premise) for w in bd.words(added))


def test_insertion_needs_a_sentence_outside_the_window(bd, sents) -> None:  # type: ignore[no-untyped-def]
    syn = bd.Synth(sents[:3], {}, random.Random(3))
    assert syn.insertion(sents[0], sents[0].text, range(0, 3)) is None


def test_insertion_is_a_neutral_negative(bd) -> None:  # type: ignore[no-untyped-def]
    assert bd.NEG_LABEL["insertion"] == "neutral"
