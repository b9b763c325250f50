"""A learned cue model beside the rules: is this verb reporting what its object says?

A logistic model over spaCy features of a verb and one clausal or object child
(``ccomp``, ``xcomp``, ``dobj``): "Sanders **backed** [Clinton]", "Trump **wants** [to
build a wall]", "she **hopes** [that …]". The rules' lexicon only knows verbs with a
content clause; PolNeAR also annotates beliefs, endorsements and intentions whose content
is an object. The model scores each (verb, child) pair; a pair at or over the shipped
threshold is a frame whose cue is the verb, whose speaker is the verb's subject and whose
content is the child's subtree.

Trained on PolNeAR ``train`` only (``train/quotes/train.py``, seeded); the weights are a
small JSON table (``data/quote_cue_model.json``: feature -> weight, bias, threshold),
read on first use, never at import. Features are strings, so the model needs no
library at run time: the score is a dot product and a logistic.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from takeaways.attribution.rules import Frame, speaker_frame, subject_of, trim
from takeaways.lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: the children a content may be: a clause, an infinitive, an object
RELATIONS = ("ccomp", "xcomp", "dobj")
#: the shipped weights (package data)
WEIGHTS = "data/quote_cue_model.json"
_PERSON_PRONOUNS = frozenset({"he", "she", "i", "we", "they", "you"})


@dataclass(frozen=True, slots=True)
class CueModel:
    """Weights by feature, a bias and the decision threshold (a probability)."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, features: list[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def cue_model() -> CueModel:
    """The shipped model (read once)."""
    raw = resources.files("takeaways").joinpath(WEIGHTS).read_text("utf-8")
    data = json.loads(raw)
    return CueModel(dict(data["weights"]), float(data["bias"]), float(data["threshold"]))


def candidates(doc: Doc, inside: set[int]) -> Iterator[tuple[Token, Token]]:
    """Every (verb, child) pair the model scores: a verb outside quoted passages and
    each of its `RELATIONS` children."""
    for tok in doc:
        if tok.pos_ != "VERB" or tok.i in inside:
            continue
        for child in tok.children:
            if child.dep_ in RELATIONS:
                yield tok, child


def _subject_kind(verb: Token) -> str:
    subj = subject_of(verb)
    if subj is None:
        return "none"
    if subj.lower_ in _PERSON_PRONOUNS:
        return "pron-person"
    if subj.pos_ == "PRON":
        return "pron-other"
    if subj.ent_type_:
        return f"ent-{subj.ent_type_}"
    return f"pos-{subj.pos_}"


def _length(child: Token) -> str:
    n = child.right_edge.i - child.left_edge.i + 1
    return "1" if n == 1 else "2-3" if n <= 3 else "4-8" if n <= 8 else "9+"


def features(verb: Token, child: Token, lex: Lexicon) -> list[str]:
    """The features of one (verb, child) pair, as strings."""
    lemma = verb.lemma_.lower()
    rel = child.dep_
    subj = _subject_kind(verb)
    out = [
        f"rel={rel}", f"lemma={lemma}", f"lemma_rel={lemma}|{rel}",
        f"lex={lemma in lex.reporting_verbs}|{rel}",
        f"quote_only={lemma in lex.quote_only_verbs}",
        f"vdep={verb.dep_}", f"tag={verb.tag_}", f"cpos={child.pos_}|{rel}",
        f"subj={subj}", f"subj_rel={subj}|{rel}", f"len={_length(child)}|{rel}",
        f"cent={child.ent_type_ or '-'}",
    ]
    marks = [m.lower_ for m in child.children if m.dep_ in ("mark", "aux")]
    out += [f"mark={m}|{rel}" for m in marks]
    out += [f"prep={c.lower_}" for c in verb.children if c.dep_ == "prep"]
    if any(c.dep_ == "neg" for c in verb.children):
        out.append("neg")
    return out


def model_frame(verb: Token, lex: Lexicon, model: CueModel) -> Frame | None:
    """The model's frame for ``verb``: its best-scored child at or over the threshold is
    the content, the verb's subject the speaker (None when no child reaches it). Verbs the
    lexicon keeps for direct quotes only ('wrote', 'asked': `quote_only_verbs`) get none."""
    if verb.lemma_.lower() in lex.quote_only_verbs:
        return None
    scored = [(model.probability(features(verb, c, lex)), c.i, c)
              for c in verb.children if c.dep_ in RELATIONS]
    scored = [x for x in scored if x[0] >= model.threshold]
    if not scored:
        return None
    frame = speaker_frame(verb)
    if frame is None:
        return None
    child = max(scored, key=lambda x: (x[0], -x[1]))[2]
    lo, hi = trim(verb.doc, child.left_edge.i, child.right_edge.i + 1)
    return Frame(frame.cue, frame.speaker, frame.speaker_head, (lo, hi), learned=True)
