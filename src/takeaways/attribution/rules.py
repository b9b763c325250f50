"""Cues and speakers: which verb (or phrase) reports a passage, and who its subject is.

Everything here works on one parsed spaCy ``Doc`` whose character offsets are article
offsets. Functions return `Frame` records (token indices), never spaCy objects, so the
builder can turn them into result spans.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from takeaways.attribution.index import token_indices
from takeaways.lexicon import Lexicon, quote_marks

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
RELATIVE = {"who", "that", "which", "whom"}
EXPLETIVE = {"it", "this", "that", "there", "which", "what", "these", "those"}
CLAUSAL_UP = {"advcl", "xcomp", "conj", "pcomp", "acl", "ccomp"}
WEAK_DEPS = {"relcl", "amod", "acl", "csubj", "pcomp", "pobj", "dobj", "nsubj"}
MAX_DISTANCE = 12
#: tokens `nearest_frame` walks on each side of a quote at most, punctuation and quoted
#: words included (they do not count towards `MAX_DISTANCE`): bounded work per quote
MAX_WALK = 400
#: quoted passages (runs of ``inside`` tokens) `nearest_frame` jumps over on each side at
#: most, when the caller gives the runs ('said: "A" "B" "C"' has two between)
MAX_RUNS = 8
#: punctuation tokens `by_agent` skips after a quote, at most ('"X," by Scholz')
MAX_AGENT_PUNCT = 4


@dataclass(frozen=True, slots=True)
class Frame:
    """A reporting frame: cue token range, speaker noun phrase (token range and head)."""

    cue: tuple[int, int]
    speaker: tuple[int, int] | None
    speaker_head: int | None
    content: tuple[int, int] | None = None  # token range of indirect content, if any
    learned: bool = False  # proposed by the learned cue model, not by a rule


# -- speakers ---------------------------------------------------------------------


def subject_of(verb: Token, depth: int = 0, controlled: bool = False) -> Token | None:
    """The subject (or passive agent) of ``verb``, climbing to the governing clause if needed.

    Of several subjects the parse gives one verb ('LONDON (Reuters) - Donald Trump said',
    'Tuesday at …, OH, …, Gov. John Kasich (R-OH) said') the one nearest the verb is it;
    a date or time as the subject ('Saturday at the convention Sen. Elizabeth Warren
    said') gives way to the last name between it and the verb. A participle that is the
    ``xcomp`` of a passive ('a reporter can be heard asking') has the passive's subject as
    its own (``controlled``); an infinitive there ('was not asked to speak', 'has been
    updated to note') does not: it is rarely the report of a speaker."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
    if subjects:
        child = max(subjects, key=lambda c: (c.i < verb.i, c.i if c.i < verb.i else -c.i))
        after = min((c for c in subjects if c.i > verb.i), key=lambda c: c.i, default=None)
        if child.i < verb.i and after is not None and _inverted(verb, after):
            child = after  # '…, said Geert Wilders': the clause before is the content
        if child.lower_ in RELATIVE and verb.dep_ == "relcl":
            return verb.head
        if child.ent_type_ in ("DATE", "TIME") and child.i < verb.i:
            return _name_between(child, verb) or child
        return child
    for child in verb.children:
        if child.dep_ == "agent":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    for child in verb.children:
        if child.dep_ == "nsubjpass":
            return child if controlled else None
    if depth < 2 and verb.dep_ in CLAUSAL_UP and verb.head is not verb:
        return subject_of(verb.head, depth + 1,
                          controlled=verb.dep_ == "xcomp" and verb.tag_ == "VBG")
    return None


def _inverted(verb: Token, subj: Token) -> bool:
    """Whether ``verb`` and its subject ``subj`` after it are an inverted cue: the verb
    right after a comma or quote mark, the subject a name or pronoun at most three words
    after it ('…, said Geert Wilders', '…," said Sen. Ann Lee')."""
    doc = verb.doc
    j = verb.i - 1
    while j >= 0 and doc[j].is_space:
        j -= 1
    if j < 0 or not (doc[j].text == "," or doc[j].is_quote):
        return False
    return subj.i - verb.i <= 4 and subj.pos_ in ("PROPN", "PRON")


def _name_between(subj: Token, verb: Token) -> Token | None:
    """The head of the last person or organisation name between ``subj`` and ``verb``."""
    for j in range(verb.i - 1, subj.i, -1):
        tok = verb.doc[j]
        if tok.pos_ == "PROPN" and tok.ent_type_ in ("PERSON", "ORG"):
            while tok.dep_ in ("compound", "flat") and subj.i < tok.head.i < verb.i:
                tok = tok.head
            return tok
    return None


def _right_edge(head: Token) -> int:
    """End of the noun phrase: the head's right dependents up to the first tail.

    Sources are written noun phrases ("Sen. John Cornyn (R-Texas)", "Christie, New
    Jersey's sitting governor", "a longtime adviser to Trump"), not the clauses and
    asides after them: a participle after a comma ("Bernie Sanders, celebrating a
    victory"), a time or place after a name ("Trump in Kentucky", "Trump at the time")
    ends it; a home town right after an age stays ("Mona Lamberson, 59, of Dayton": PolNeAR
    keeps it). Relative clauses stay: PolNeAR keeps them about as often as it drops them.
    """
    hi = head.i + 1
    comma = age = False
    for c in head.rights:
        if c.dep_ == "punct":
            comma = comma or c.text in (",", "—", "–", "--")
            if c.text in (")", "]"):
                hi = max(hi, c.i + 1)
            continue
        if c.dep_ in ("advcl", "npadvmod", "advmod"):
            break
        if c.dep_ == "acl" and (comma or c.tag_ == "VBG"):
            break
        if c.dep_ == "prep" and head.pos_ == "PROPN" and (comma or c.lower_ != "of") \
                and not (age and c.lower_ in ("of", "from")):
            break
        age = c.dep_ == "appos" and c.like_num and c.n_lefts == 0
        hi = max(hi, c.right_edge.i + 1)
    return hi


def noun_phrase(head: Token, avoid: tuple[int, int] | None = None) -> tuple[int, int]:
    """Token range of the noun phrase headed by ``head``, kept off ``avoid``."""
    lo, hi = head.left_edge.i, _right_edge(head)
    if avoid is not None and lo < avoid[1] and avoid[0] < hi:
        lo, hi = head.i, head.i + 1
        while (
            lo > 0
            and head.doc[lo - 1].dep_ in ("compound", "flat", "amod", "det", "poss")
            and head.doc[lo - 1].head.i >= lo
        ):
            lo -= 1
    doc = head.doc
    for j in range(head.i - 1, lo - 1, -1):  # a dateline or line break before the head ends it
        if doc[j].text in ("—", "–", "--") or "\n" in doc[j].text_with_ws:
            lo = j + 1
            break
    while hi > lo + 1 and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
        if doc[hi - 1].text in (")", "]") and any(t.text in ("(", "[") for t in doc[lo : hi - 1]):
            break
        hi -= 1
    while lo < hi - 1 and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    return lo, hi


def cue_range(verb: Token) -> tuple[int, int]:
    """The cue: the verb with its adjacent auxiliaries, negation and particle."""
    lo = hi = verb.i
    for child in sorted(verb.children, key=lambda c: -c.i):
        if child.i == lo - 1 and child.dep_ in ("aux", "auxpass", "neg"):
            lo = child.i
    for child in verb.children:
        if child.i == hi + 1 and child.dep_ == "prt":
            hi = child.i
    return lo, hi + 1


def is_reporting(tok: Token, lex: Lexicon, *, quote_only: bool) -> bool:
    if tok.pos_ not in ("VERB", "AUX") and not (tok.pos_ == "NOUN" and tok.tag_ in ("VBZ", "VBD")):
        return False
    lemma = tok.lemma_.lower()
    if lemma not in lex.reporting_verbs:
        return False
    return quote_only or lemma not in lex.quote_only_verbs


def _outside_subject(verb: Token, avoid: tuple[int, int]) -> Token | None:
    """'"... Or Ferguson," Trump said': the parse took a word inside the quote as the
    subject; the speaker is the noun between the quote and the verb, or right after it."""
    doc = verb.doc
    if verb.i >= avoid[1]:
        between = [t for t in doc[avoid[1] : verb.i] if t.pos_ in ("PROPN", "NOUN", "PRON")]
        if between:
            head = between[-1]
            while head.dep_ in ("compound", "flat") and avoid[1] <= head.head.i < verb.i:
                head = head.head
            return head
        j = verb.i + 1
        while j < len(doc) and (  # 'said 81-year-old Parker Eaton'
            doc[j].dep_ in ("det", "compound", "amod", "flat", "nummod", "npadvmod")
            or doc[j].pos_ == "DET" or doc[j].text == "-"
        ):
            j += 1
        if j < len(doc) and (doc[j].pos_ in ("PROPN", "NOUN") or _name_like(doc[j])):
            head = doc[j]
            while head.head.i > head.i and head.dep_ in ("compound", "flat"):
                head = head.head
            return head
    return None


#: the words a noun phrase may hold between a quote and its finite cue ('"…," Trump said')
_NP_POS = frozenset({"PROPN", "NOUN", "DET", "ADJ", "NUM", "PRON"})


def _cue_after(verb: Token, avoid: tuple[int, int]) -> bool:
    """Whether ``verb`` is a finite verb right after the quote ``avoid``, with at most a
    short noun phrase between ('"…," Trump barked', '"…," said Skelly')."""
    finite = verb.tag_ in ("VBD", "VBZ", "VBP") or verb.tag_ == "VBN" and verb.dep_ == "ROOT"
    if not finite or verb.i < avoid[1]:
        return False
    gap = [t for t in verb.doc[avoid[1] : verb.i] if not (t.is_punct or t.is_space)]
    return len(gap) <= 4 and all(t.pos_ in _NP_POS for t in gap)


def _name_like(tok: Token) -> bool:
    """A capitalised word that is not a stop word, mid-sentence: 'said Skelly,' where the
    parse tagged the name as an adverb."""
    return (tok.is_title and not tok.is_stop and not tok.is_sent_start
            and tok.pos_ not in ("VERB", "AUX", "PUNCT", "ADP", "DET", "CCONJ", "SCONJ"))


def speaker_frame(verb: Token, avoid: tuple[int, int] | None = None) -> Frame | None:
    if verb.tag_ == "VBG":
        shown = _shown_speaker(verb)
        if shown is not None:
            return Frame(cue_range(verb), shown, shown[1] - 1)
    subj = subject_of(verb)
    if subj is not None and avoid is not None and avoid[0] <= subj.i < avoid[1]:
        subj = _outside_subject(verb, avoid)
    elif subj is None and avoid is not None and _cue_after(verb, avoid):
        # no subject at all: '"Go back," Trump barked' parsed with 'Trump' as a compound
        # of the verb, '"…," said Skelly' with the name as an adverb
        subj = _outside_subject(verb, avoid)
    if subj is None or subj.lower_ in EXPLETIVE and not verb.lemma_ == "say":
        return None
    if subj.pos_ in ("VERB", "AUX"):
        return None
    if verb.dep_ == "relcl" and subj.i == verb.head.i:  # 'Sanders, who says': the mention is 'who'
        rel = next((c for c in verb.children if c.dep_ in ("nsubj", "csubj")), None)
        if rel is not None and rel.lower_ in RELATIVE:
            return Frame(cue_range(verb), (rel.i, rel.i + 1), subj.i)
    lo, hi = noun_phrase(subj, avoid)
    if lo <= verb.i < subj.i:  # 'tweeted Rubio spokesman Alex Conant': the cue is no part
        lo = verb.i + 1
    return Frame(cue_range(verb), (lo, hi), subj.i)


# -- direct quotes ----------------------------------------------------------------


def nearest_frame(
    doc: Doc,
    q: tuple[int, int],
    region: tuple[int, int],
    inside: set[int],
    lex: Lexicon,
    *,
    punct: Sequence[bool] | None = None,
    run_of: Callable[[int], tuple[int, int]] | None = None,
) -> tuple[Frame, int] | None:
    """The reporting verb nearest to quote tokens ``q`` within ``region``, with its distance.

    The distance counts the words between (not punctuation, not quoted words) and the
    score adds a penalty of at least 0, so only the tokens within `MAX_DISTANCE` words of
    the quote can win: the search walks out from the quote on each side (at most
    `MAX_WALK` tokens) instead of scoring the whole region. ``punct``: each token's
    ``is_punct``, when the caller has them (saves making a spaCy token per step);
    ``run_of(i)``: the token range of the quoted passage in ``inside`` that holds token
    ``i``, so a passage is passed in one step (`MAX_RUNS` of them at most)."""
    best: tuple[int, int, Frame] | None = None  # (score, token, frame): the first best wins
    flags = punct if punct is not None else _Punct(doc)
    for i, distance in _walk_out(flags, q, region, inside, run_of):
        tok = doc[i]
        frame = _according_frame(tok, lex) if tok.lower_ == "according" else None
        if frame is None and is_reporting(tok, lex, quote_only=True):
            frame = speaker_frame(tok, q)
        if frame is None:
            continue
        score = distance + _penalty(tok, q)
        if score <= MAX_DISTANCE and (best is None or (score, i) < best[:2]):
            best = (score, i, frame)
    return (best[2], best[0]) if best else None


class _Punct:
    """``is_punct`` by token index, read from the doc on demand."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc

    def __getitem__(self, i: int) -> bool:
        return bool(self.doc[i].is_punct)


def _walk_out(
    punct: Sequence[bool] | _Punct, q: tuple[int, int], region: tuple[int, int],
    inside: set[int], run_of: Callable[[int], tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """``(token, distance)`` for the words of ``region`` outside ``inside`` within
    `MAX_DISTANCE` counted words of quote ``q``, on both sides (punctuation is never a
    cue: it is passed over, uncounted)."""
    out: list[tuple[int, int]] = []
    for step, start, stop in ((-1, q[0] - 1, region[0] - 1), (1, max(q[1], region[0]),
                                                               region[1])):
        distance = walked = runs = 0
        i = start
        while (i > stop if step < 0 else i < stop) and walked < MAX_WALK \
                and distance <= MAX_DISTANCE:
            if i in inside and run_of is not None:
                lo, hi = run_of(i)
                runs += 1
                if runs > MAX_RUNS or not lo <= i < hi:
                    break
                i = lo - 1 if step < 0 else hi
                continue
            walked += 1
            if not (i in inside or punct[i]):
                out.append((i, distance))
                distance += 1  # the words strictly between the next token and the quote
            i += step
    return out


def _penalty(tok: Token, q: tuple[int, int]) -> int:
    penalty = 0
    if tok.dep_ in WEAK_DEPS:
        penalty += 6
    if tok.i < q[0]:
        penalty += 1  # '"...," X said' beats 'X said "..."' at equal distance
    subtree = range(tok.left_edge.i, tok.right_edge.i + 1)
    if q[0] in subtree or q[1] - 1 in subtree:
        penalty -= 2
    return max(penalty, 0)


def _according_frame(tok: Token, lex: Lexicon) -> Frame | None:
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    if nxt is None or nxt.lower_ != "to":
        return None
    objs = [c for c in nxt.children if c.dep_ == "pobj"]
    if not objs:
        return None
    head = objs[0]
    lo = head.left_edge.i
    hi = head.i + 1
    for c in head.children:  # keep appositions and compounds, drop "at the summit ..."
        if c.i > head.i and c.dep_ in ("appos", "flat", "compound"):
            hi = max(hi, c.right_edge.i + 1)
    return Frame((tok.i, nxt.i + 1), (lo, hi), head.i)


def by_colon(doc: Doc, q: tuple[int, int]) -> Frame | None:
    """'Cecile Richards: "..."' and 'More from Jones: "..."': a name, a colon, the quote."""
    i = q[0] - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 1 or doc[i].text != ":":
        return None
    j = i - 1
    if doc[j].pos_ != "PROPN" or doc[j].ent_type_ not in ("PERSON", "ORG", ""):
        return None
    head = doc[j]
    while head.dep_ in ("compound", "flat", "conj", "appos") and head.head.i < i:
        if head.head is head:
            break
        head = head.head
    lo = head.left_edge.i
    for k in range(j - 1, lo - 1, -1):  # a dash, line break, verb or preposition ends it
        t = doc[k]
        if (
            t.text in ("-", "—", "–", "--")
            or t.pos_ in ("VERB", "AUX", "ADP")
            or "\n" in t.text_with_ws
        ):
            lo = k + 1
            break
    while lo < j and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    return Frame((i, i + 1), (lo, j + 1), j)


def by_agent(doc: Doc, q: tuple[int, int]) -> Frame | None:
    """'... described as "X" by Scholz': a passive agent right after the quote."""
    i = q[1]
    while i < len(doc) and i < q[1] + MAX_AGENT_PUNCT and doc[i].is_punct:
        i += 1
    if i + 1 < len(doc) and doc[i].lower_ == "by" and doc[i + 1].pos_ == "PROPN":
        head = doc[i + 1]
        while (
            head.head.i > head.i and head.head.pos_ == "PROPN" and head.dep_ in ("compound", "flat")
        ):
            head = head.head
        verb = next((t for t in reversed(doc[max(0, q[0] - 6) : q[0]]) if t.pos_ == "VERB"), None)
        cue = (verb.i, verb.i + 1) if verb is not None else (i, i + 1)
        return Frame(cue, (i + 1, head.i + 1), head.i)
    return None


#: dashes that credit a quote to the name after it ('"..." ― Sonya Herridge')
ATTRIBUTION_DASHES = "―—–"
#: words a dash credit may name at most ('― Julie A. Diaz Martinez')
MAX_CREDIT_WORDS = 6
#: characters of blank the credit may leave around its dash, at most (bounded work)
MAX_CREDIT_GAP = 8
_GAP = " \t\xa0"
_CLOSING = "\"”’'»"


def by_dash(doc: Doc, end: int, text: str | None = None) -> Frame | None:
    """'"We will win." ― Sonya Herridge': a dash right after the closing mark (``end``:
    the character after the quoted words) credits the quote to the name after it. The
    name must be a person or an organisation by NER and end its line (or be followed by
    ',', '.' or ';'), so a dash that goes on with prose ('" – and then he left') credits
    nobody. ``text``: ``doc.text`` when the caller has it (spaCy rebuilds that string
    from every token on each access)."""
    text = doc.text if text is None else text
    i = end
    for _ in range(2):  # the closing mark itself ('”', or "''" written as two)
        if i < len(text) and text[i] in _CLOSING:
            i += 1
    while i < len(text) and i < end + MAX_CREDIT_GAP and text[i] in _GAP:
        i += 1
    if i >= len(text):
        return None
    if text[i] in ATTRIBUTION_DASHES:
        i += 1
    elif text.startswith("--", i) or (text[i] == "-" and text[i + 1 : i + 2] in _GAP):
        i += 2 if text.startswith("--", i) else 1
    else:
        return None
    dash = i - 1
    while i < len(text) and i < dash + MAX_CREDIT_GAP and text[i] in _GAP:
        i += 1
    cue_span = doc.char_span(dash, dash + 1, alignment_mode="expand")
    name_span = doc.char_span(i, i + 1, alignment_mode="expand") if i < len(text) else None
    if cue_span is None or name_span is None or doc[name_span.start].idx != i:
        return None
    cue, first = cue_span.start, name_span.start
    j = first
    while j < len(doc) and j - first < MAX_CREDIT_WORDS:
        t = doc[j]
        if t.is_space or not (t.text[:1].isupper() and (t.is_alpha or t.text.endswith("."))):
            break
        j += 1
    if j == first or not any(doc[k].ent_type_ in ("PERSON", "ORG") for k in range(first, j)):
        return None
    if j < len(doc):
        nxt = doc[j]
        if not ("\n" in nxt.text_with_ws or nxt.text in (",", ".", ";")
                or "\n" in doc[j - 1].text_with_ws):
            return None
    return Frame((cue, cue + 1), (first, j), j - 1)


_NP_POS = frozenset({"DET", "NOUN", "PROPN", "PRON", "ADJ", "NUM", "PUNCT", "SPACE"})


def by_participle(doc: Doc, q: tuple[int, int], lex: Lexicon) -> Frame | None:
    """'Flea shared the news, writing "..."', 'Obama ended by saying "..."', 'Clinton
    seemed ready, telling the crowd, "..."': a reporting participle just before the quote
    (past at most a short object), spoken by the subject of the clause it hangs on."""
    verb = None
    for j in range(q[0] - 1, max(-1, q[0] - 8), -1):
        tok = doc[j]
        if tok.tag_ == "VBG" and tok.lemma_.lower() in lex.reporting_verbs:
            verb = tok
            break
        if tok.pos_ not in _NP_POS or tok.is_sent_start:
            return None
    if verb is None:
        return None
    shown = _shown_speaker(verb)
    if shown is not None:
        return Frame(cue_range(verb), shown, shown[1] - 1)
    for tok in doc[verb.sent.start : verb.i]:  # the main clause's subject, before the verb
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.i < verb.i:
            if tok.lower_ in EXPLETIVE or tok.pos_ in ("VERB", "AUX"):
                return None
            return Frame(cue_range(verb), noun_phrase(tok, q), tok.i)
    return None


#: what ends the words of a quote that its sentence goes on after ('"…," he surmised')
_CONTINUING = frozenset({",", "?", "!"})
#: the most words a speaker noun phrase holds in the cue slot right after a quote
MAX_SLOT_WORDS = 4


def by_position(doc: Doc, q: tuple[int, int], inside: Container[int]) -> Frame | None:
    """'"…," he surmised', '"…!" beamed Donald Hartley': a quote whose words end in ',',
    '?' or '!' and whose sentence goes on with a finite verb and its subject, in either
    order, right after the closing mark. The slot is the news layout of a cue, so the verb
    is one whatever it is (the reporting-verb list need not know 'surmise' or 'beam'). The
    verb may have no clause of its own outside the quote ('"…," he said he would …' is the
    verb rules' case); its subject is the speaker, within `MAX_SLOT_WORDS` words of it."""
    last = q[1] - 1
    while last > q[0] and (doc[last].is_space or doc[last].is_quote):
        last -= 1
    if doc[last].text not in _CONTINUING or last >= q[1] - 1:
        return None
    j = q[1]
    if j >= len(doc) or "\n" in doc[j - 1].text_with_ws or doc[j].is_space:
        return None  # the quote ends its line: what follows is another block
    verb = None
    for k in range(j, min(len(doc), j + MAX_SLOT_WORDS + 1)):
        tok = doc[k]
        if k in inside:
            return None
        if tok.pos_ == "VERB" and tok.tag_ in ("VBD", "VBZ", "VBP"):
            verb = tok
            break
        if tok.pos_ not in _NP_POS or tok.is_punct or tok.is_space:
            return None
    if verb is None:
        return None
    if any(c.dep_ in ("ccomp", "xcomp") and c.i not in inside for c in verb.children):
        return None
    frame = speaker_frame(verb, q)
    if frame is None or frame.speaker_head is None:
        return None
    head = frame.speaker_head
    if not (j <= head < verb.i or verb.i < head <= verb.i + MAX_SLOT_WORDS + 1):
        return None
    return frame


def _shown_speaker(verb: Token) -> tuple[int, int] | None:
    """'footage of Hillary Clinton asking', 'shows Obama telling the crowd': a person
    named right before the participle, after 'of' or a verb, speaks it (not the clause's
    subject, 'The ad'). The person's whole entity span, or None."""
    doc = verb.doc
    if verb.i == 0:
        return None
    last = doc[verb.i - 1]
    if last.ent_type_ != "PERSON" or last.ent_iob_ == "O":
        return None
    ent = next((e for e in doc.ents if e.start <= last.i < e.end), None)
    if ent is None or ent.end != verb.i or ent.start == 0:
        return None
    before = doc[ent.start - 1]
    if before.lower_ == "of" or before.pos_ == "VERB":
        return ent.start, ent.end
    return None


# -- indirect speech --------------------------------------------------------------


def indirect_frames(
    doc: Doc, inside: set[int], lex: Lexicon, *,
    propose: Callable[[Token], Frame | None] | None = None, verb_rules: bool = True,
) -> list[Frame]:
    """Reporting frames with a content clause: verbs, nouns, 'according to', 'call for'.

    ``propose``: another source of verb frames (the learned cue model,
    `takeaways.attribution.model.model_frame`), asked where the verb rules give none;
    ``verb_rules=False`` leaves verbs to it alone (the ablation)."""
    out: list[Frame] = []
    for i in token_indices(doc, pos=("NOUN", "VERB"), or_lower=("according",)):
        if i in inside:
            continue
        tok = doc[i]
        frame = None
        if tok.lower_ == "according":
            frame = _according_content(tok, lex)
        elif tok.pos_ == "NOUN" and tok.lemma_.lower() in lex.reporting_nouns:
            frame = _noun_content(tok)
        elif tok.pos_ == "VERB":
            if verb_rules:
                frame = _phrase_content(tok, lex)
                if frame is None and is_reporting(tok, lex, quote_only=False):
                    frame = _verb_content(tok)
            if frame is None and propose is not None:
                frame = propose(tok)
        if frame is not None and frame.content is not None and _long_enough(doc, frame.content):
            out.append(frame)
    ruled = {f.cue[0] for f in out if not f.learned}  # 'expressed confidence that': the rule
    return [f for f in out if not f.learned or f.cue[0] not in ruled]


def _long_enough(doc: Doc, r: tuple[int, int]) -> bool:
    return sum(1 for t in doc[r[0] : r[1]] if not t.is_punct) >= 2


#: quote marks a span keeps at its ends; a straight ' there is an apostrophe ("leaders'")
_KEEP_LAST = frozenset(quote_marks().closing) - {"'"}
_KEEP_FIRST = frozenset(quote_marks().opening) - {"'"}


def trim(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    """Tokens ``lo:hi`` without edge punctuation (quote marks stay), spaces and a
    trailing 'and'/'but'."""
    return _trim(doc, lo, hi)


def _trim(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    while hi > lo and (
        doc[hi - 1].is_punct
        and doc[hi - 1].text not in _KEEP_LAST
        or doc[hi - 1].is_space
        or doc[hi - 1].lower_ in ("and", "but")
    ):
        hi -= 1
    while lo < hi and (
        doc[lo].is_punct and doc[lo].text not in _KEEP_FIRST or doc[lo].is_space
    ):
        lo += 1
    return lo, hi


def _verb_content(verb: Token) -> Frame | None:
    frame = speaker_frame(verb)
    if frame is None:
        return None
    clauses = [c for c in verb.children if c.dep_ == "ccomp"]
    if clauses:
        c = clauses[0]
        lo, hi = _trim(verb.doc, c.left_edge.i, c.right_edge.i + 1)
        return Frame(frame.cue, frame.speaker, frame.speaker_head, (lo, hi))
    head = verb.head
    if (
        verb.dep_ in ("parataxis", "ccomp", "advcl")
        and head.i < verb.i
        and head.pos_ in ("VERB", "AUX")
    ):
        lo = head.left_edge.i
        hi = min(verb.left_edge.i, frame.speaker[0] if frame.speaker else verb.i)
        lo, hi = _trim(verb.doc, lo, hi)
        if hi > lo:
            return Frame(frame.cue, frame.speaker, frame.speaker_head, (lo, hi))
    return None


def _noun_content(noun: Token) -> Frame | None:
    clauses = [
        c
        for c in noun.children
        if c.dep_ in ("acl", "ccomp")
        and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
    ]
    verb = noun.head
    if not clauses or verb.pos_ != "VERB":
        return None
    frame = speaker_frame(verb)
    if frame is None:
        return None
    c = clauses[0]
    lo, hi = _trim(noun.doc, c.left_edge.i, c.right_edge.i + 1)
    cue = (min(verb.i, noun.left_edge.i), noun.i + 1)
    return Frame(cue, frame.speaker, frame.speaker_head, (lo, hi))


def _according_content(tok: Token, lex: Lexicon) -> Frame | None:
    frame = _according_frame(tok, lex)
    if frame is None:
        return None
    doc = tok.doc
    sent = tok.sent
    phrase = (tok.i, tok.right_edge.i + 1)
    sides = [r for r in (_trim(doc, sent.start, phrase[0]), _trim(doc, phrase[1], sent.end))
             if _is_clause(doc, r)]
    if not sides:
        return None
    content = max(sides, key=lambda r: r[1] - r[0])
    return Frame(frame.cue, frame.speaker, frame.speaker_head, content)


def _is_clause(doc: Doc, r: tuple[int, int]) -> bool:
    """Whether tokens ``r`` read as a reported clause: they hold a verb and do not open
    with one. 'Putin's proposals, according to X, were described as …' splits a clause
    in two: neither 'Putin's proposals' nor 'were described as …' is what X said."""
    toks = [t for t in doc[r[0] : r[1]] if not (t.is_punct or t.is_space)]
    if not toks or toks[0].pos_ in ("VERB", "AUX"):
        return False
    return any(t.pos_ in ("VERB", "AUX") for t in toks)


def _phrase_content(verb: Token, lex: Lexicon) -> Frame | None:
    lemma = verb.lemma_.lower()
    for phrase in lex.content_object:
        if phrase[0] != lemma or len(phrase) != 2:
            continue
        # 'accused Reyes of …': the parser often hangs the preposition on the object
        near = [*verb.children, *(g for c in verb.children if c.dep_ == "dobj" for g in c.children)]
        preps = [c for c in near if c.dep_ == "prep" and c.lower_ == phrase[1]]
        if not preps:
            continue
        objs = [c for c in preps[0].children if c.dep_ in ("pobj", "pcomp")]
        frame = speaker_frame(verb)
        if not objs or frame is None:
            continue
        lo, hi = _trim(verb.doc, objs[0].left_edge.i, objs[0].right_edge.i + 1)
        return Frame((verb.i, preps[0].i + 1), frame.speaker, frame.speaker_head, (lo, hi))
    return None
