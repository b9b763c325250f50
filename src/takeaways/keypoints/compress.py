"""Shorten a long evidence sentence by deleting non-essential parts of its parse.

Each deletion is a whole dependency subtree (or a dash aside) set off by commas or
dashes, so what remains reads as a sentence and every kept word is the article's own:
- ``lead``: an adverbial opener before the subject ("On Friday, …", "Speaking to
  reporters, …"; prepositional, adverbial or clausal children of the root);
- ``appos``: a comma-delimited apposition ("Klopp, 47, announced" → "Klopp announced");
- ``relcl``: a comma-delimited relative clause (", who …,");
- ``trailing``: a clause or phrase after a comma that ends the sentence (", with …",
  ", saying …", ", after …"), or a trailing dash aside (" - exactly eight weeks …");
- ``mid``: such a phrase of the main verb set off by commas inside the sentence;
- ``dash``: an aside between two dashes (" - which could be used for Samuel - ");
- ``conj``: a second main clause with its own subject after ", and/but" that ends the
  sentence (the first clause keeps its claim).

Deletions run in the configured order (``compress_order``) until the sentence is at most
``compress_target`` words, never touch quoted words, negations or a reporting verb (a
quote keeps its speaker), and always keep at least ``_MIN_KEPT`` words. Each is a recorded
`Edit` with article offsets; a lead deletion also capitalises the new first letter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from takeaways.document import Sentence
from takeaways.keypoints.defects import label_prefix
from takeaways.keypoints.features import caption_cue
from takeaways.keypoints.result import Edit
from takeaways.lexicon import lexicon, quote_marks
from takeaways.nlp.analyze import Analysis

__all__ = ["Deletion", "compress", "deletions"]

KINDS = ("lead", "appos", "relcl", "trailing", "mid", "dash", "conj")
_MIN_KEPT = 10
_LEAD_DEPS = frozenset({"prep", "advmod", "npadvmod", "advcl", "obl", "pcomp"})
_TRAIL_DEPS = frozenset({"advcl", "prep", "acl", "npadvmod", "obl"})
_SUBJ = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})
_Q = quote_marks()
_DASH_ASIDE = re.compile(
    r" [-–—] (?:(?! [-–—] )[^" + _Q.char_class(_Q.double) + r"]){3,120}? [-–—](?= )")
_TRAIL_DASH = re.compile(r" [-–—]{1,2} (?=\S)[^" + _Q.char_class(_Q.double) + r"]{3,}?(?=[.!?]?$)")


@dataclass(frozen=True, slots=True)
class Deletion:
    kind: str
    start: int  # article offsets of the deleted characters
    end: int
    capitalize: int | None = None  # the article offset whose letter becomes upper case


def _words(text: str) -> int:
    return len(text.split())


def _protected(analysis: Analysis, sent: Sentence, start: int, end: int) -> bool:
    """Whether ``[start, end)`` holds a negation, or a reporting verb of a sentence with
    quoted words (a quote keeps its speaker): never deleted."""
    lex = lexicon()
    if lex.negator_pattern.search(analysis.article.text[start:end]):
        return True
    if not any(ch in _Q.double for ch in sent.text):
        return False
    span = analysis.doc.char_span(start, end, alignment_mode="expand")
    return span is not None and any(
        t.pos_ == "VERB" and t.lemma_.lower() in lex.reporting_verbs for t in span)


_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _finite_top(analysis: Analysis, start: int, end: int) -> bool:
    """Whether a word heading the deleted stretch is a finite verb: the parse may have
    taken the sentence's main predicate for a trailing phrase ("The company, which …
    losses, confirmed on Monday …"), and deleting it would leave no sentence."""
    span = analysis.doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return True
    return any(t.tag_ in _FINITE and not (start <= t.head.idx < end) for t in span)


def _lead(span: object, sent: Sentence) -> Deletion | None:
    root = span.root  # type: ignore[attr-defined]
    subj = [c for c in root.children if c.dep_ in _SUBJ]
    if not subj:
        return None
    first = min(t.left_edge.i for t in subj)
    comma = next((t for t in span if t.text == "," and t.i < first), None)  # type: ignore[attr-defined]
    if comma is None or comma.i == span.start:  # type: ignore[attr-defined]
        return None
    kids = [c for c in root.children if c.i < comma.i]
    covered = {t.i for c in kids if c.dep_ in _LEAD_DEPS for t in c.subtree}
    if not all(i in covered or i == comma.i for i in range(span.start, comma.i)):  # type: ignore[attr-defined]
        return None
    nxt = span.doc[comma.i + 1]  # type: ignore[attr-defined]
    return Deletion("lead", sent.start, nxt.idx, capitalize=nxt.idx)


def _comma_set(span: object, tok: object, kind: str) -> Deletion | None:
    """A comma-delimited subtree of ``tok``: ", X," (deleted with both commas, the space
    after stays) or ", X." at the end (the final punctuation stays)."""
    doc = span.doc  # type: ignore[attr-defined]
    left, right = tok.left_edge.i, tok.right_edge.i  # type: ignore[attr-defined]
    if left - 1 < span.start or doc[left - 1].text != ",":  # type: ignore[attr-defined]
        return None
    after = right + 1
    if after < span.end and doc[after].text == ",":  # type: ignore[attr-defined]
        return Deletion(kind, doc[left - 1].idx, doc[after].idx + 1)
    if after == span.end - 1 and doc[after].is_punct or after == span.end:  # type: ignore[attr-defined]
        end = doc[right].idx + len(doc[right].text)
        return Deletion(kind, doc[left - 1].idx, end)
    return None


def _trailing(span: object, sent: Sentence) -> list[Deletion]:
    """Comma-set phrases after the root verb: ``trailing`` when they end the sentence,
    ``mid`` when another comma closes them (", with a count of 785 tigers,")."""
    root = span.root  # type: ignore[attr-defined]
    out = []
    for child in root.children:
        if child.dep_ in _TRAIL_DEPS and child.i > root.i:
            d = _comma_set(span, child, "trailing")
            if d is not None:
                kind = "trailing" if d.end >= sent.end - 2 else "mid"
                out.append(Deletion(kind, d.start, d.end))
    m = _TRAIL_DASH.search(sent.text)
    if m:
        out.append(Deletion("trailing", sent.start + m.start(), sent.start + m.end()))
    out += [Deletion("dash", sent.start + m.start(), sent.start + m.end())
            for m in _DASH_ASIDE.finditer(sent.text)]
    conj = _conj(span, root)
    if conj is not None:
        out.append(conj)
    return out


def _conj(span: object, root: object) -> Deletion | None:
    """", and <subject> <verb> …" closing the sentence: a second clause of the root."""
    doc = span.doc  # type: ignore[attr-defined]
    for child in root.children:  # type: ignore[attr-defined]
        if child.dep_ != "conj" or not any(c.dep_ in _SUBJ for c in child.children):
            continue
        left = child.left_edge.i
        cc = left - 1 if left - 1 >= span.start and doc[left - 1].dep_ == "cc" else left  # type: ignore[attr-defined]
        if doc[cc].dep_ == "cc" and cc - 1 >= span.start and doc[cc - 1].text == ",":  # type: ignore[attr-defined]
            last = span.end - 1 if doc[span.end - 1].is_punct else span.end  # type: ignore[attr-defined]
            if child.right_edge.i >= last - 1:
                end = doc[last - 1].idx + len(doc[last - 1].text)
                return Deletion("conj", doc[cc - 1].idx, end)
    return None


def deletions(analysis: Analysis, sent: Sentence) -> list[Deletion]:
    """Every candidate deletion of ``sent`` (unfiltered), grouped by kind."""
    span = analysis.sentence_span(sent.id)
    out: list[Deletion] = []
    lead = _lead(span, sent)
    if lead is not None:
        out.append(lead)
    for tok in span:
        if tok.dep_ in ("appos", "relcl"):
            d = _comma_set(span, tok, tok.dep_)
            if d is not None:
                out.append(d)
    out += _trailing(span, sent)
    return [d for d in out if sent.start <= d.start < d.end <= sent.end]


def compress(
    analysis: Analysis, sent: Sentence, taken: Sequence[Edit], quoted: Sequence[tuple[int, int]],
    *, target: int, order: Sequence[str], apply_edits: Callable[[Sentence, list[Edit]], str],
) -> list[Edit]:
    """``taken`` plus the deletion edits (with their capitalisations) that bring ``sent``
    down towards ``target`` words, sorted; no deletion overlaps ``taken`` or ``quoted``
    (a capitalisation of ``taken`` inside a new deletion goes). ``apply_edits`` is
    `rewrite.apply_edits` (passed in, so the modules import in one direction)."""
    rank = {k: i for i, k in enumerate(order)}
    cands = sorted((d for d in deletions(analysis, sent) if d.kind in rank),
                   key=lambda d: (rank[d.kind], -(d.end - d.start)))
    edits = sorted(taken, key=lambda e: e.start)
    opening = sent.start
    for e in edits:
        if e.kind == "delete" and e.start == opening:
            opening = e.end
    for d in cands:
        if d.kind == "lead":
            d = Deletion(d.kind, max(d.start, opening), d.end, d.capitalize)
            if d.start >= d.end:
                continue
        if _words(apply_edits(sent, edits)) <= target:
            break
        if any(a < d.end and d.start < b for a, b in quoted):
            continue
        if any(e.start < d.end and d.start < e.end for e in edits if e.kind != "capitalize"):
            continue
        if _protected(analysis, sent, d.start, d.end):
            continue
        if d.kind in ("trailing", "mid", "lead") and _finite_top(analysis, d.start, d.end):
            continue
        after = analysis.article.text[d.end : d.end + 1]
        if d.kind != "lead" and after and not (after.isspace() or after in ",.;:!?)"):
            continue  # the words either side would glue ("Pietersen" + "’d")
        new = [Edit("delete", d.start, d.end, analysis.article.text[d.start : d.end], "",
                    f"compression: {d.kind}")]
        sub = next((e for e in edits if e.kind == "substitute" and e.start == d.capitalize), None)
        base = [e for e in edits if e is not sub and not (e.kind == "capitalize"
                                                          and d.start <= e.start < d.end)]
        if sub is not None:  # a substituted name opens the point: capitalise it
            new.append(Edit(sub.kind, sub.start, sub.end, sub.original,
                            sub.replacement[:1].upper() + sub.replacement[1:], sub.reason,
                            sub.source))
        elif d.capitalize is not None:
            ch = analysis.article.text[d.capitalize]
            if ch.islower():
                new.append(Edit("capitalize", d.capitalize, d.capitalize + 1, ch, ch.upper(),
                                "sentence start"))
        trial = sorted(base + new, key=lambda e: (e.start, e.end))
        if _words(apply_edits(sent, trial)) < _MIN_KEPT:
            continue
        edits = trial
    return edits


# --------------------------------------------------------------------------- run-ons

#: a piece of a run-on shorter than this is no sentence: no cut next to it
_MIN_PIECE = 4
#: the words that may end a sentence before a cut are not function words
_NO_END_POS = frozenset({"ADP", "DET", "CCONJ", "SCONJ", "AUX", "PART"})
#: the nominal dependents walked from a piece's first word up to its head noun
_NP_DEPS = frozenset({"compound", "amod", "det", "poss", "nummod", "nmod", "case", "flat",
                      "punct", "prep", "pobj"})


_MODIFIER_DEPS = frozenset({"amod", "compound", "det", "poss", "nummod", "nmod", "advmod",
                            "quantmod"})


def _opens_clause(tok: object) -> object | None:
    """The verb of the clause ``tok`` opens (None when it opens none): it starts the
    subject of a verb that follows it (its noun phrase is that verb's ``nsubj``), or heads
    a one-or-two-word label before a colon ("Skilful: The kite…"; then ``tok`` itself)."""
    doc = tok.doc  # type: ignore[attr-defined]
    i = tok.i  # type: ignore[attr-defined]
    colon = next((j for j in range(i + 1, min(i + 3, len(doc))) if doc[j].text == ":"), None)
    if colon is not None:
        return tok if all(doc[j].is_alpha for j in range(i, colon)) else None
    np_ = tok
    for _ in range(8):
        if np_.dep_ in _SUBJ:  # type: ignore[attr-defined]
            head = np_.head  # type: ignore[attr-defined]
            return head if head.i > i and head.pos_ in ("VERB", "AUX") else None
        if np_.dep_ not in _NP_DEPS or np_.head.i <= np_.i:  # type: ignore[attr-defined]
            return None
        np_ = np_.head  # type: ignore[attr-defined]
    return None


def _finite_within(doc: object, start: int, end: int) -> bool:
    return any(doc[j].tag_ in _FINITE for j in range(start, end))  # type: ignore[index]


def _clause_end(doc: object, i: int, end: int) -> int:
    """The token index where the clause from ``i`` stops: the next stop-like punctuation
    (or ``end``)."""
    for j in range(i, end):
        if doc[j].text in (".", ";", "!", "?"):  # type: ignore[index]
            return j
    return end


def _cut_before(prev: object, tok: object, left: int, end: int) -> bool:
    """Whether a sentence ends between ``prev`` and ``tok`` with no stop: a caption glued
    to the next ("…at the end of the season Arsenal vice-captain Per Mertesacker says…",
    "…Ronald Reagan The document…"). ``left`` is where the current piece began and
    ``end`` where the sentence ends (token indices): both sides need a finite verb."""
    doc = tok.doc  # type: ignore[attr-defined]
    if not prev.whitespace_ or not tok.text[:1].isupper():  # type: ignore[attr-defined]
        return False
    if prev.is_punct:  # type: ignore[attr-defined]
        return False  # (after a closing quote, the speaker may follow: "…,' Choo said")
    if prev.pos_ in _NO_END_POS:  # type: ignore[attr-defined]
        return False
    # the word before modifies something from ``tok`` on ("her favourite Rebecca Minkoff")
    if prev.head.i >= tok.i and prev.dep_ in _MODIFIER_DEPS:  # type: ignore[attr-defined]
        return False
    i = tok.i  # type: ignore[attr-defined]
    if not (_finite_within(doc, left, i) and _finite_within(doc, i, _clause_end(doc, i, end))):
        return False
    verb = _opens_clause(tok)
    if verb is not None and verb.head.i == prev.i:  # type: ignore[attr-defined]
        return False  # "says Klopp would be": the clause is the word before's object
    lower_end = (prev.text[:1].islower() or prev.like_num  # type: ignore[attr-defined]
                 or prev.ent_type_ in ("DATE", "TIME"))  # type: ignore[attr-defined]
    if not lower_end:
        # after a name only a capitalised function word ("The", "He") starts a sentence;
        # inside a name ("Brisbane Magistrate Courts") never
        return tok.pos_ in ("DET", "PRON") and verb is not None  # type: ignore[attr-defined]
    if verb is not None:
        return True
    if prev.head.i >= tok.i or tok.head.i == prev.i:  # type: ignore[attr-defined]
        return False  # "teenage forward Robbie Muirhead", "his father Peter"
    # a lower-case noun, number or adverb, then a capitalised noun phrase and a finite
    # verb ("…of the season Arsenal vice-captain Per Mertesacker says…"): the parse of a
    # glued run is unreliable, so the word classes decide
    return bool(prev.pos_ in ("NOUN", "NUM", "ADV")  # type: ignore[attr-defined]
                and _subject_then_verb(doc, i, end))


#: the words a subject noun phrase may hold before its verb (by coarse tag)
_NP_POS = frozenset({"PROPN", "NOUN", "ADJ", "DET", "NUM", "PART"})
_MAX_SUBJECT = 6


def _subject_then_verb(doc: object, i: int, end: int) -> bool:
    """Whether the tokens from ``i`` are a short noun phrase (``_MAX_SUBJECT`` words at
    most; capitalised words of any class, "Per Mertesacker") and then a finite verb."""
    for j in range(i, min(i + _MAX_SUBJECT + 1, end)):
        t = doc[j]  # type: ignore[index]
        if t.tag_ in _FINITE:
            return j > i
        if not (t.pos_ in _NP_POS or t.is_title or t.text in ("-", "'s", "’s")):
            return False
    return False


def run_on_pieces(analysis: Analysis, sent: Sentence) -> list[tuple[int, int]]:
    """The article spans of the sentences glued without stops into ``sent`` (a Daily Mail
    caption run, "Scroll down for video" chrome then a caption then the text), in order;
    ``[(sent.start, sent.end)]`` when it is one sentence. Cuts come from the parse: a
    capitalised word after a content word, opening the subject of a verb after it."""
    span = analysis.sentence_span(sent.id)
    doc = span.doc
    cuts = [span.start]
    for tok in span[1:]:
        if tok.i - cuts[-1] >= _MIN_PIECE and span.end - tok.i >= _MIN_PIECE \
                and _cut_before(doc[tok.i - 1], tok, cuts[-1], span.end):
            cuts.append(tok.i)
    if len(cuts) == 1:
        return [(sent.start, sent.end)]
    out = []
    for a, b in zip(cuts, [*cuts[1:], span.end], strict=True):
        last = doc[b - 1]
        out.append((doc[a].idx, last.idx + len(last.text)))
    out[0] = (sent.start, out[0][1])
    out[-1] = (out[-1][0], sent.end)
    return [(a, b) for a, b in out if sent.start <= a < b <= sent.end]


def _piece_ok(analysis: Analysis, start: int, end: int, low: int, high: int) -> bool:
    """A piece that can be a point: ``low``..``high`` words, a finite verb, no caption or
    chrome cue."""
    text = analysis.article.text[start:end]
    if not low <= _words(text) <= high or caption_cue(text):
        return False
    span = analysis.doc.char_span(start, end, alignment_mode="expand")
    return span is not None and any(t.tag_ in _FINITE for t in span)


_CAPTION_LABEL = re.compile(r"^(?:[A-Z][\w'’-]*)(?:[ \u00a0]+[\w'’-]+){0,3}:[\s\u00a0]+")


def _caption_label(analysis: Analysis, start: int, end: int) -> str:
    """The chrome or caption label opening a piece: a `label_prefix` ("Scroll down for
    video", "Flying high:") or up to four words with no verb before a colon ("Always the
    bride:"), as captions glued into a run open; "" when none."""
    text = analysis.article.text[start:end]
    prefix = label_prefix(text)
    if not prefix:
        m = _CAPTION_LABEL.match(text)
        prefix = m.group(0) if m else ""
    if not prefix or prefix.rstrip().endswith(":") is False and not caption_cue(prefix):
        return prefix
    span = analysis.doc.char_span(start, start + len(prefix.rstrip()), alignment_mode="contract")
    if span is not None and any(t.pos_ in ("VERB", "AUX") and t.lemma_.lower() != "scroll"
                                for t in span):
        return ""  # "Martinez added: '…" is a speaker, not a label
    return prefix


def run_on_piece(
    analysis: Analysis, sent: Sentence, *, min_words: int, max_words: int, max_pieces: int = 1
) -> tuple[int, int, tuple[int, ...]] | None:
    """The piece of a run-on sentence (`run_on_pieces`) that stands as the point: the first
    with ``min_words``..``max_words`` words, a finite verb and no caption cue (a chrome or
    label prefix left out), with up to ``max_pieces - 1`` standing pieces after it while the
    whole stays within ``max_words``; and the article offsets where a piece ends on a word
    and needs a stop. None when ``sent`` is one sentence or no piece can stand."""
    pieces = run_on_pieces(analysis, sent)
    if len(pieces) < 2:
        return None
    text = analysis.article.text
    for k, (a, b) in enumerate(pieces):
        prefix = _caption_label(analysis, a, b)  # "Scroll down for video", "Always the bride:"
        while prefix and a + len(prefix) < b:
            a += len(prefix)
            prefix = _caption_label(analysis, a, b)
        if not _piece_ok(analysis, a, b, min_words, max_words):
            continue
        stops: list[int] = []
        for c, d in pieces[k + 1 : k + max_pieces]:
            if (_caption_label(analysis, c, d) or _words(text[a:d]) > max_words
                    or not _piece_ok(analysis, c, d, min_words, max_words)):
                break
            if text[b - 1].isalnum():
                stops.append(b)
            b = d
        return a, b, tuple(stops)
    return None
