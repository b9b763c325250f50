"""Signals about quoted words: verbatim presence, the passage they come from, and who
said them according to the article's quote graph."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from takeaways.auditing.context import ClaimContext, Mention
from takeaways.auditing.registry import register_signal
from takeaways.auditing.signals.base import Finding, SignalResult, claim_span
from takeaways.auditing.signals.facts import entity_key
from takeaways.auditing.signals.graph import quote_graph
from takeaways.auditing.text import norm
from takeaways.document import Sentence
from takeaways.lexicon import lexicon

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan
    from spacy.tokens import Token

    from takeaways.attribution.result import Quotes
    from takeaways.nlp.analyze import Analysis

VERBATIM = "audit.signal.quote_verbatim.v1"
CONTEXT = "audit.signal.quote_context.v1"
SPEAKER = "audit.signal.quote_speaker.v1"
_QUOTE_PATTERNS = (
    re.compile(r"\"([^\"]{2,}?)\""),
    re.compile(r"\u201c([^\u201d]{2,}?)\u201d"),
    re.compile(r"(?:^|\s)`{1,2}\s?([^`']{2,}?)\s?'{1,2}(?=\s|$|[.,;:])"),
    re.compile(r"(?:^|\s)[\u2018']([^'\u2019]{3,}?)[\u2019'](?=\s|$|[.,;:!?])"),
)
_NP_UP = frozenset({"appos", "compound", "flat", "poss", "nmod", "amod"})
_PERSONISH = frozenset({"PERSON", "ORG", "NORP", "GPE"})


@dataclass(frozen=True, slots=True)
class ClaimQuote:
    """A quoted string of the claim, and the article sentences holding it."""

    start: int
    end: int
    text: str
    key: str
    sids: tuple[int, ...]
    implicit: bool = False  # article quote words the claim reuses without quote marks


def claim_quotes(ctx: ClaimContext) -> list[ClaimQuote]:
    """Quoted strings of the claim (cached on the context)."""
    cached = ctx.extra.get("quotes")
    if isinstance(cached, list):
        return cached
    seen: set[tuple[int, int]] = set()
    marks: list[tuple[int, int]] = []  # each quote with its quote marks
    out = []
    for pattern in _QUOTE_PATTERNS:
        for m in pattern.finditer(ctx.text):
            start, end = m.span(1)
            key = norm(m.group(1))
            # the quote marks of one quote never open or close another: in "` beside
            # himself ' his lawyer said ` blindly '" (CNN/DM highlights), the closing
            # "'" of the first quote does not open "his lawyer said"
            outer = (m.start(0) + len(m.group(0)) - len(m.group(0).lstrip()), m.end(0))
            if not key or any(s < outer[1] and outer[0] < e for s, e in marks):
                continue
            seen.add((start, end))
            marks.append(outer)
            sids = tuple(i for i, s in enumerate(ctx.index.sent_norm) if f" {key} " in f" {s} ")
            out.append(ClaimQuote(start, end, ctx.text[start:end], key, sids))
    out += _implicit_quotes(ctx, seen)
    out.sort(key=lambda q: q.start)
    ctx.extra["quotes"] = out
    return out


_MAX_IMPLICIT = 8  # words: longer reused runs are checked by their first eight


def _implicit_quotes(ctx: ClaimContext, taken: set[tuple[int, int]]) -> list[ClaimQuote]:
    """Runs of two or more claim words, with a common noun, verb or adjective and neither
    starting nor ending on a stop word, that the article has only inside quotation marks
    (its quote graph), when the claim attributes words to someone with a speech verb:
    "Peskov called Zelenskyy's demand a peace initiative" reuses the article's quoted
    "a peace initiative". They are checked like quoted words (passage and speaker), never
    for verbatim presence."""
    said = _said_tokens(ctx)
    if not said:
        return []
    quoted, unquoted = ctx.analysis.product(_quoted_norm)
    if not quoted:
        return []
    toks = [t for t in ctx.doc if t.i in said and not t.is_punct and not t.is_space]
    out: list[ClaimQuote] = []
    i = 0
    while i < len(toks) - 1:
        found = None
        for j in range(min(len(toks), i + _MAX_IMPLICIT), i + 1, -1):
            run = toks[i:j]
            # one stretch of the attributed words (punctuation may sit between them)
            if any(k not in said and not ctx.doc[k].is_punct
                   for k in range(run[0].i, run[-1].i + 1)):
                continue
            if run[0].is_stop or run[-1].is_stop or not any(
                    t.pos_ in ("NOUN", "VERB", "ADJ") and not t.is_stop for t in run):
                continue
            start, end = run[0].idx, run[-1].idx + len(run[-1].text)
            if any(s < end and start < e for s, e in taken):
                continue
            key = norm(ctx.text[start:end])
            if key and f" {key} " in quoted:
                found = (j, start, end, key)
                break
        if found is None:
            i += 1
            continue
        j, start, end, key = found
        sids = tuple(k for k, s in enumerate(ctx.index.sent_norm) if f" {key} " in f" {s} ")
        if sids and f" {key} " not in unquoted:
            out.append(ClaimQuote(start, end, ctx.text[start:end], key, sids, implicit=True))
        i = j
    return out


_SAID_DEPS = frozenset({"dobj", "obj", "ccomp", "xcomp", "oprd", "attr", "acomp", "dative"})


def _said_tokens(ctx: ClaimContext) -> set[int]:
    """The claim's tokens that a speech verb with a subject attributes to it: its objects
    and complements ("called [Zelenskyy's demand] [a peace initiative]", "viewed [this]
    [as a peace initiative]"), not its subject nor its adverbial clauses ("Despite ...")."""
    verbs = lexicon().speech_verbs
    out: set[int] = set()
    for tok in ctx.doc:
        if tok.lemma_.lower() not in verbs or tok.pos_ not in ("VERB", "AUX"):
            continue
        if not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
            continue
        for child in tok.children:
            if child.dep_ in _SAID_DEPS or (child.dep_ == "prep" and child.lower_ == "as"):
                out |= {t.i for t in child.subtree}
    return out


def _quoted_norm(analysis: Analysis) -> tuple[str, str]:
    """The article's quoted words and its words outside quotes, normalised, each padded
    with spaces (built once per analysis)."""
    text = analysis.article.text
    spans = sorted((q.content.start, q.content.end) for q in quote_graph(analysis).quotes)
    inside, outside, pos = [], [], 0
    for s, e in spans:
        inside.append(text[s:e])
        if s >= pos:
            outside.append(text[pos:s])
            pos = e
    outside.append(text[pos:])
    return (f" {' | '.join(norm(t) for t in inside)} " if inside else "",
            f" {' | '.join(norm(t) for t in outside)} ")


def _verbatim(ctx: ClaimContext, q: ClaimQuote) -> bool:
    return bool(q.sids) or f" {q.key} " in ctx.index.text_norm


@register_signal(VERBATIM)
def quote_verbatim_signal(ctx: ClaimContext) -> SignalResult:
    """Every quoted string of the claim must appear word for word in the article."""
    quotes = [q for q in claim_quotes(ctx) if not q.implicit]
    missing = [q for q in quotes if not _verbatim(ctx, q)]
    findings = [
        Finding(VERBATIM, "out-of-article", "unsupported",
                f"The article never uses the quoted words \u201c{q.text}\u201d.",
                claim_span(ctx.text, q.start, q.end), hard=True)
        for q in missing
    ]
    evidence = sorted({s for q in quotes for s in q.sids[:1]})
    debug = {"quotes": [{"text": q.text, "sentences": list(q.sids)} for q in quotes]}
    return SignalResult(VERBATIM, {"missing": float(len(missing))}, findings, evidence, debug)


def display_name(text: str) -> str:
    """A name as written in the claim, without a possessive ending."""
    return text.removesuffix("'s").removesuffix("\u2019s")


def _noun_phrase(tok: Token) -> Token:
    """Climb from a name to the head of its noun phrase ("Putin's spokesman, Dmitry Peskov")."""
    while tok.dep_ in _NP_UP and tok.head is not tok:
        tok = tok.head
    return tok


def _claim_people(ctx: ClaimContext) -> list[SpacySpan]:
    """Mentions of people in the claim: PERSON entities, and names the article uses for people."""
    people = {entity_key(m.text) for m in ctx.index.persons()}
    surnames = {k.split()[-1] for k in people if k}
    out = []
    for ent in ctx.doc.ents:
        key = entity_key(ent.text)
        if _descriptor(ent):
            continue
        if ent.label_ == "PERSON" or (ent.label_ in _PERSONISH and key and
                                      (key in people or key.split()[-1] in surnames)):
            out.append(ent)
    return out


def _named_in(ctx: ClaimContext, ent: SpacySpan, sids: set[int]) -> bool:
    key = entity_key(ent.text)
    if not key:
        return True
    names = {key, key.split()[-1]} | _aliases(ctx, ent.text)
    text = " " + " ".join(ctx.index.sent_norm[s] for s in sorted(sids)) + " "
    return any(f" {n} " in text for n in names if n)


def _aliases(ctx: ClaimContext, name: str) -> set[str]:
    entity = quote_graph(ctx.analysis).entity(name)
    if entity is None:
        return set()
    return {norm(a.text) for a in entity.aliases} | {norm(entity.name)}


def _passage(ctx: ClaimContext, q: ClaimQuote) -> set[int]:
    paras = {ctx.index.paragraph_of.get(s) for s in q.sids}
    return {s for s, p in ctx.index.paragraph_of.items() if p in paras} | set(q.sids)


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _claim_phrase(p: SpacySpan) -> str:
    """What the claim ties the words to: the person's noun phrase head ("Volodymyr
    Zelenskyy's call") when the person is a possessor, else the person."""
    name = display_name(p.text)
    if p.root.dep_ == "poss" and p.root.head.pos_ in ("NOUN", "PROPN"):
        return f"{name}'s {p.root.head.text}"
    return name


def _context_reason(ctx: ClaimContext, q: ClaimQuote, p: SpacySpan) -> str:
    """The fault in words: who says the quoted words in the article, the sentence they
    come from, and what the claim wrongly ties them to."""
    sentences = ctx.analysis.article.sentences
    where = sentences[q.sids[0]].text
    speakers = _article_speakers(quote_graph(ctx.analysis), q, sentences)
    who = f"{speakers[0]} says" if speakers else "the article uses"
    topic = _passage_topic(ctx, _passage(ctx, q), speakers)
    about = f"a passage about {topic} that" if topic else "a passage that"
    return (f"In the article, {who} \u201c{q.text}\u201d of something else, in {about} "
            f"never mentions {display_name(p.text)}: \u201c{_clip(where)}\u201d The claim ties "
            f"the words to {_claim_phrase(p)}.")


def _passage_topic(ctx: ClaimContext, sids: set[int], speakers: list[str]) -> str | None:
    """The name the passage mentions most (people, organisations, places), not counting
    the quote's speaker: what the quoted words are about there ("the Kremlin")."""
    skip: set[str] = set()
    for name in speakers:
        key = entity_key(name)
        skip |= {key, key.split()[-1]} if key else set()
    counts: dict[str, int] = {}
    first: dict[str, Mention] = {}
    for m in ctx.index.mentions:
        key = entity_key(m.text)
        if m.sid in sids and m.label in _PERSONISH and key and key not in skip \
                and key.split()[-1] not in skip:
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, m)
    if not counts:
        return None
    key = max(counts, key=lambda k: (counts[k], -first[k].start))
    m = first[key]
    text = ctx.analysis.article.text
    before = text[max(0, m.start - 4):m.start].lower()
    return ("the " if before.endswith("the ") else "") + display_name(m.text)


@register_signal(CONTEXT)
def quote_context_signal(ctx: ClaimContext) -> SignalResult:
    """People the claim ties to a quote must appear in the passage the quote comes from.

    The speaker's own noun phrase ("Putin's spokesman, Dmitry Peskov") is exempt.
    """
    quotes = [q for q in claim_quotes(ctx) if q.sids]
    people = _claim_people(ctx)
    findings: list[Finding] = []
    debug: dict[str, Any] = {"people": [p.text for p in people], "outside": []}
    for q in quotes:
        passage = _passage(ctx, q)
        inside = [p for p in people if _named_in(ctx, p, passage)]
        exempt = {t.i for p in inside for t in _noun_phrase(p.root).subtree}
        for p in people:
            if p in inside or p.root.i in exempt:
                continue
            debug["outside"].append({"person": p.text, "quote": q.text})
            findings.append(Finding(
                CONTEXT, "discourse-link", "misattributed", _context_reason(ctx, q, p),
                claim_span(ctx.text, p.start_char, p.end_char), hard=True))
    evidence = sorted({q.sids[0] for q in quotes})
    return SignalResult(CONTEXT, {"outside": float(len(findings))}, findings[:1], evidence, debug)


def _article_speakers(graph: Quotes, q: ClaimQuote, sentences: Sequence[Sentence]) -> list[str]:
    """Speakers of the graph quotes holding the quoted words, or spoken in a sentence that
    holds them ("He said ... many disguised it as 'fish fin soup'", where the words fall
    just outside the content span)."""
    names = []
    places = [(sentences[i].start, sentences[i].end) for i in q.sids]
    for quote in graph.quotes:
        content = quote.content
        inside = f" {q.key} " in f" {norm(content.text)} "
        if not inside and not any(s <= content.start < e for s, e in places):
            continue
        speaker = quote.speaker
        name = speaker.entity or (speaker.mention.text if speaker.mention else None)
        if name:
            names.append(name)
    return names


def _attributed(ctx: ClaimContext) -> list[SpacySpan]:
    """People the claim makes the subject of a speech verb (possessors excluded)."""
    verbs = lexicon().speech_verbs
    out = []
    for p in _claim_people(ctx):
        head = _noun_phrase(p.root)
        if p.root.dep_ == "poss":
            continue
        if head.dep_ in ("nsubj", "nsubjpass", "pobj") and head.head.lemma_.lower() in verbs:
            out.append(p)
        elif head.dep_ == "pobj" and head.head.head.lemma_.lower() in verbs:
            out.append(p)
    return out


def _descriptor(p: SpacySpan) -> bool:
    """One word with an article, such as a demonym used as a noun ("the Aussie calls herself
    ...", "a Briton said"; spaCy often tags these PERSON): a description of someone, not a
    name the quote graph could hold, so the speaker check cannot judge it."""
    return len(p) == 1 and p.label_ in ("PERSON", "NORP") and any(
        c.dep_ == "det" and c.lower_ in ("the", "a", "an") for c in p.root.children)


def _sayers(ctx: ClaimContext, sids: Sequence[int]) -> list[str]:
    """Names that are the subject of a speech verb in the article sentences holding the
    quoted words ("John Prescott said Mr Pickles had given a 'car crash' interview"): the
    sentence itself says who used the words, whatever the quote graph made of a short
    quoted phrase inside reported speech."""
    verbs = lexicon().speech_verbs
    names = []
    for sid in sids:
        for tok in ctx.analysis.sentence_span(sid):
            if tok.lemma_.lower() not in verbs or tok.pos_ not in ("VERB", "AUX"):
                continue
            for child in tok.children:
                if child.dep_ in ("nsubj", "nsubjpass") and child.pos_ == "PROPN":
                    names.append(" ".join(t.text for t in child.subtree if t is child or (
                        t.head is child and t.dep_ in ("compound", "flat"))))
    return [n for n in names if n]


def _same_person(ctx: ClaimContext, a: str, b: str) -> bool:
    graph = quote_graph(ctx.analysis)
    ea, eb = graph.entity(a), graph.entity(b)
    if ea is not None and eb is not None:
        return ea is eb  # one entity of the graph, not merely one name
    ka, kb = entity_key(a).split(), entity_key(b).split()
    return bool(ka and kb and ka[-1] == kb[-1])


@register_signal(SPEAKER)
def quote_speaker_signal(ctx: ClaimContext) -> SignalResult:
    """The person the claim says spoke a quote must be its speaker in the quote graph."""
    graph = quote_graph(ctx.analysis)
    findings: list[Finding] = []
    debug: dict[str, Any] = {"checked": []}
    claimed = _attributed(ctx)
    for q in (q for q in claim_quotes(ctx) if q.sids):
        speakers = _article_speakers(graph, q, ctx.analysis.article.sentences)
        debug["checked"].append({"quote": q.text, "article_speakers": speakers,
                                 "claimed": [p.text for p in claimed]})
        if not speakers or not claimed:
            continue
        speakers += _sayers(ctx, q.sids)
        if any(_same_person(ctx, p.text, s) for p in claimed for s in speakers):
            continue
        p = claimed[0]
        findings.append(Finding(
            SPEAKER, "entity", "misattributed",
            f"In the article these words are {speakers[0]}'s, not {display_name(p.text)}'s.",
            claim_span(ctx.text, p.start_char, p.end_char), hard=True))
    return SignalResult(SPEAKER, {"mismatch": float(len(findings))}, findings, debug=debug)
