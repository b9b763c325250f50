"""Make an evidence sentence stand alone with deletions and substitutions only.

Edits, each recorded with article offsets:
- drop a dangling leading connective ("Therefore,", "In response,") and capitalise;
- replace a pronoun subject whose antecedent is outside the sentence with the
  person's name ("he added" → "Putin added"), and a role-only description with
  the article's own title-plus-name mention ("The Kremlin spokesman" → "Kremlin
  spokesman Dmitry Peskov");
- trim short parenthetical asides ("(pictured)", "(SCO)");
- drop a trailing concessive or temporal clause (", although …", ", after …") that ends
  the sentence, when it holds no negation and no quoted words (``trailing_clauses``);
- drop a dateline, byline, label or chrome prefix ("BHOPAL:", "(CNN)", "Guilty:";
  ``data/keypoint_prefixes.txt``) and whitespace before punctuation ("word ,");
- shorten a sentence of more than ``compress_target`` words by deleting parse subtrees
  (`compress`: adverbial openers, appositions, relative clauses, trailing phrases).
Substituted text always comes from a span of the article (``Edit.source``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from takeaways.attribution import Entity, Mention, Quotes, extract_quotes
from takeaways.document import Sentence, Span
from takeaways.keypoints.compress import compress, run_on_piece
from takeaways.keypoints.defects import label_prefix
from takeaways.keypoints.features import caption_cue
from takeaways.keypoints.result import Edit
from takeaways.lexicon import lexicon, quote_marks
from takeaways.nlp.analyze import Analysis
from takeaways.registry import register
from takeaways.resources import word_list, word_set

_PAREN = re.compile(r" ?\((?P<inner>[^()]{1,80})\)")
_Q = quote_marks()
_DOUBLE = _Q.char_class(_Q.double)  # an aside or clause holding a double mark is kept
# Non-restrictive asides that can go without changing the claim: a dash-delimited
# insert, a comma-delimited "who/which" clause, and an age apposition (", 47,").
_ASIDES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dash aside", re.compile(r" [-–—] (?P<inner>(?:(?! [-–—] )[^" + _DOUBLE + r"]){3,120}?)"
                              r" [-–—](?= )")),
    ("relative clause", re.compile(r", (?P<inner>(?:who|which|whose) [^,;:()" + _DOUBLE
                                   + r"]{3,120}?),(?= )")),
    ("age apposition", re.compile(r", (?P<inner>\d{1,3}),(?= )")),
)
_NO_COMMA_CONNECTIVES = frozenset({"but", "and"})
_MIN_KEPT_WORDS = 8
_MAX_TRAILING_WORDS = 30
_SUBJECT_PRONOUNS = frozenset({"he", "she"})
_MAX_ASIDE_WORDS = 12


@lru_cache(maxsize=1)
def _connectives() -> tuple[str, ...]:
    return tuple(sorted(word_list("connectives"), key=len, reverse=True))


def leading_connective(text: str) -> int:
    """Length of a dangling connective (with comma and space) opening ``text``, else 0."""
    low = text.lower()
    for phrase in _connectives():
        if not low.startswith(phrase):
            continue
        rest = text[len(phrase) :]
        m = re.match(r",\s+", rest)
        if m:
            return len(phrase) + m.end()
        if phrase in _NO_COMMA_CONNECTIVES and re.match(r"\s+\S", rest):
            return len(phrase) + len(rest) - len(rest.lstrip())
    return 0


def dangling_start(text: str) -> str | None:
    """The word(s) that make ``text`` start without an antecedent, or None: a leading
    connective, a word of ``dangling_starts.txt`` (also just inside an opening quote), or,
    outside a quotation, a word of ``keypoint_dangling.txt`` ("We", "I", "Also", "So"…)."""
    n = leading_connective(text)
    if n:
        return text[:n].strip(" ,")
    first = re.match(f"[{_Q.char_class(_Q.opening)}]?([A-Za-z]+)", text)
    if first and first.group(1).lower() in word_set("dangling_starts"):
        return first.group(1)
    if first and first.start(1) == 0 and first.group(1).lower() in word_set("keypoint_dangling"):
        return first.group(1)
    return None


def _best_alias(entity: Entity, *, role: bool) -> Span | None:
    """The article span to substitute: a title-plus-name mention for roles, else the surname."""
    aliases, name = entity.aliases, entity.name
    if not aliases or not name:
        return None
    surname = name.split()[-1]
    if role:
        full = [a for a in aliases if a.text.endswith(name) and len(a.text) > len(name)]
        named = full or [a for a in aliases if a.text == name]
        return max(named, key=lambda a: len(a.text)) if named else None
    exact = [a for a in aliases if a.text == surname] or [a for a in aliases if a.text == name]
    return exact[0] if exact else None


def _mention_edits(analysis: Analysis, sent: Sentence, opening: int) -> list[Edit]:
    """Resolve the first person pronoun or role-only mention whose referent is not
    named earlier in the sentence (mentions come from the quote graph)."""
    graph = extract_quotes(analysis)
    mentions, starts = analysis.product(_mentions_by_start)
    first = bisect_left(starts, opening)
    for m in mentions[first:]:
        if m.start >= sent.end:
            break
        if m.end > sent.end:
            continue
        low = m.text.lower()
        if low in _SUBJECT_PRONOUNS:
            edit = _pronoun_edit(graph, sent, m.start, m.end)
        elif m.how == "role:apposition" and low.startswith("the "):
            # only roles the article itself attaches to a name; proximity guesses
            # ("the head" → a nearby person) are too weak to write into a point
            edit = _role_edit(graph, sent, m)
        else:
            continue
        return [edit] if edit is not None else []
    return []


def _mentions_by_start(analysis: Analysis) -> tuple[list[Mention], list[int]]:
    """The quote graph's mentions in article order, and their start offsets (bisected)."""
    ordered = sorted(extract_quotes(analysis).mentions, key=lambda m: (m.start, m.end))
    return ordered, [m.start for m in ordered]


def _pronoun_edit(graph: Quotes, sent: Sentence, start: int, end: int) -> Edit | None:
    """Replace a subject pronoun (he/she) by the person's surname from the article."""
    if sent.text[end - sent.start : end - sent.start + 1] in ("'", "’"):
        return None  # "he'd" would become "Pietersen'd"
    mention = graph.resolve(start, end)
    if mention is None or not mention.entity:
        return None
    entity = graph.entity(mention.entity)
    if entity is None or entity.type != "PERSON":
        return None
    if len(str(entity.name).split()) < 2:
        return None  # a bare one-word "person" is often a mistyped club, brand or place
    before = sent.text[: start - sent.start]
    if any(a.text in before for a in entity.aliases):
        return None  # antecedent already in the sentence
    alias = _best_alias(entity, role=False)
    if alias is None:
        return None
    return Edit("substitute", start, end, sent.text[start - sent.start : end - sent.start],
                alias.text, f"pronoun resolved to {entity.name} ({mention.how})", alias)


def _role_edit(graph: Quotes, sent: Sentence, mention: Mention) -> Edit | None:
    """Replace a role-only NP ("The Kremlin spokesman") by the article's named mention."""
    entity = graph.entity(mention.entity)
    if entity is None:
        return None
    before = sent.text[: mention.start - sent.start]
    if any(a.text in before for a in entity.aliases if not a.text.lower().startswith("the ")):
        return None
    alias = _titled_alias(graph.article.text, entity, mention.text)
    alias = alias or _best_alias(entity, role=True)
    if alias is None:
        return None
    return Edit("substitute", mention.start, mention.end, mention.text, alias.text,
                f"role description resolved to {entity.name} ({mention.how})", alias)


def _titled_alias(text: str, entity: Entity, role_text: str) -> Span | None:
    """The article's "<role> <Name>" span for a role-only mention ("the Kremlin spokesman"
    → "Kremlin spokesman Dmitry Peskov"), when the article writes one."""
    role = re.sub(r"^the\s+", "", role_text, flags=re.I).strip()
    surname = str(entity.name).split()[-1]
    for alias in entity.aliases:
        if surname not in alias.text:
            continue
        if alias.text.lower().startswith(role.lower() + " "):
            return Span(alias.start, alias.end, alias.text)
        start = alias.start - len(role) - 1
        if start >= 0 and text[start : alias.start].lower() == role.lower() + " ":
            return Span(start, alias.end, text[start : alias.end])
    return None


def _connective_edits(sent: Sentence) -> list[Edit]:
    """Delete a leading label/dateline prefix and then a dangling connective, and
    capitalise what then opens the sentence."""
    edits: list[Edit] = []
    pos = 0
    prefix = label_prefix(sent.text)
    if prefix and len(prefix) < len(sent.text):
        edits.append(Edit("delete", sent.start, sent.start + len(prefix), prefix, "",
                          "dateline or label prefix"))
        pos = len(prefix)
    n = leading_connective(sent.text[pos:])
    if n and pos + n < len(sent.text):
        edits.append(Edit("delete", sent.start + pos, sent.start + pos + n,
                          sent.text[pos : pos + n], "", "dangling connective"))
        pos += n
    if not edits:
        return []
    first = sent.text[pos]
    if first.islower():
        edits.append(Edit("capitalize", sent.start + pos, sent.start + pos + 1, first,
                          first.upper(), "sentence start"))
    return edits


_SPACE_BEFORE = re.compile(r"\s+(?=[,.;:!?](?!\.))")


def _space_edits(sent: Sentence, edits: list[Edit]) -> list[Edit]:
    """Delete whitespace before punctuation ("word , word"), outside other edits."""
    out = []
    for m in _SPACE_BEFORE.finditer(sent.text):
        start, end = sent.start + m.start(), sent.start + m.end()
        if m.start() > 0 and not any(e.start < end and start < e.end for e in edits):
            out.append(Edit("delete", start, end, m.group(0), "", "space before punctuation"))
    return out


def _quoted_regions(analysis: Analysis, sent: Sentence) -> list[tuple[int, int]]:
    """Article spans of quoted words in ``sent``: never edited, or the quote would change."""
    regions: list[tuple[int, int]] = []
    for q in extract_quotes(analysis).quotes:
        if q.kind in ("direct", "mixed"):
            for part in q.parts or (q.content,):
                if part.start < sent.end and part.end > sent.start:
                    regions.append((part.start, part.end))
    marks = [sent.start + i for i, ch in enumerate(sent.text) if ch in _Q.double]
    regions += list(zip(marks[::2], marks[1::2], strict=False))
    single = _single_quoted(sent.text)
    if single is not None:
        regions.append((sent.start + single[0], sent.start + single[1]))
    return regions


def _single_quoted(text: str) -> tuple[int, int] | None:
    """The span from the first opening single quote to its close (or the sentence end,
    when the quote runs on); apostrophes inside words ("Putin's") open nothing."""
    opener = next((i for i, ch in enumerate(text) if ch in _Q.single_openers
                   and i + 1 < len(text) and text[i + 1].isalnum()
                   and (i == 0 or text[i - 1] in " (:" or text[i - 1] in _Q.double)), None)
    if opener is None:
        return None
    closers = [i for i in range(opener + 1, len(text)) if text[i] in _Q.single_closers
               and not text[i - 1].isspace() and (i + 1 == len(text) or not text[i + 1].isalnum())]
    return opener, (closers[-1] + 1 if closers else len(text))


def _aside_edits(sent: Sentence, quoted: list[tuple[int, int]]) -> list[Edit]:
    edits = []
    patterns = (("parenthetical aside", _PAREN), *(_ASIDES if _trim_clauses() else ()))
    for reason, pattern in patterns:
        for m in pattern.finditer(sent.text):
            start, end = sent.start + m.start(), sent.start + m.end()
            if any(a < end and start < b for a, b in quoted):
                continue
            if len(m.group("inner").split()) <= _MAX_ASIDE_WORDS and m.start() > 0:
                edits.append(Edit("delete", sent.start + m.start(), sent.start + m.end(),
                                  m.group(0), "", reason))
    return edits


def _trailing_edits(sent: Sentence, quoted: list[tuple[int, int]]) -> list[Edit]:
    """Delete a clause that ends the sentence after a comma and opens with one of the
    ``trailing_clauses`` words ("…, although the club denied it."): the main clause
    keeps its claim. Never when the clause holds a negation or quoted words, or when
    fewer than ``_MIN_KEPT_WORDS`` words would remain; the final punctuation stays."""
    openers = _trailing_openers()
    if not openers:
        return []
    m = openers.search(sent.text)
    if m is None or len(sent.text[: m.start()].split()) < _MIN_KEPT_WORDS:
        return []
    clause = m.group("clause")
    if lexicon().negator_pattern.search(clause) or len(clause.split()) > _MAX_TRAILING_WORDS:
        return []
    start, end = sent.start + m.start(), sent.start + m.end("clause")
    if any(a < end and start < b for a, b in quoted):
        return []
    return [Edit("delete", start, end, sent.text[m.start() : m.end("clause")], "",
                 f"trailing '{m.group('word').lower()}' clause")]


def _trailing_openers() -> re.Pattern[str] | None:
    from takeaways.keypoints.select import settings

    words = [str(w) for w in settings().get("trailing_clauses", [])]
    return _trailing_pattern(tuple(words)) if words else None


@lru_cache(maxsize=8)
def _trailing_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    body = r" [^;:()" + _DOUBLE + r"]{3,}?)(?=[.!?]?\s*$)"
    return re.compile(r", (?P<clause>(?P<word>" + alts + ")" + body, re.I)


def _trim_clauses() -> bool:
    from takeaways.keypoints.select import settings

    return bool(settings().get("trim_clauses", True))


def _non_overlapping(edits: list[Edit]) -> list[Edit]:
    out: list[Edit] = []
    for e in sorted(edits, key=lambda e: (e.start, -e.end)):
        if out and e.start < out[-1].end:
            continue
        out.append(e)
    return out


def apply_edits(sent: Sentence, edits: list[Edit]) -> str:
    """The sentence text with ``edits`` applied (edits index the article)."""
    text, pos = [], sent.start
    for e in edits:
        text.append(sent.text[pos - sent.start : e.start - sent.start])
        text.append(e.replacement)
        pos = e.end
    text.append(sent.text[pos - sent.start :])
    out = "".join(text).strip()
    return re.sub(r"\s{2,}", " ", out)


def run_on_kept(analysis: Analysis) -> dict[int, tuple[int, int, tuple[int, ...]]]:
    """For each sentence that is a run of sentences glued without stops (`compress.
    run_on_piece`) and could not be a point whole (over ``max_point_words`` words, or a
    caption cue), the article span of the piece that stands as its point (memoised)."""
    return analysis.product(_build_run_on_kept)


def _build_run_on_kept(analysis: Analysis) -> dict[int, tuple[int, int, tuple[int, ...]]]:
    cfg = _settings()
    if not cfg.get("split_run_ons", True):
        return {}
    high = int(str(cfg.get("max_point_words", 45)))
    low = int(str(cfg.get("min_words", 6)))
    most = int(str(cfg.get("run_on_max_pieces", 1)))
    out = {}
    for sent in analysis.article.sentences:
        if len(sent.text.split()) > high or caption_cue(sent.text):
            piece = run_on_piece(analysis, sent, min_words=low, max_words=high,
                                 max_pieces=most)
            if piece is not None:
                out[sent.id] = piece
    return out


@register("keypoints.rewrite.v1")
def rewrite(analysis: Analysis, sent: Sentence) -> tuple[str, list[Edit]]:
    """A standalone version of ``sent`` and the edits that made it. A run-on sentence
    (`run_on_kept`) keeps only its standing piece: the rest is deleted (recorded edits,
    reason ``compression: run-on``) and the piece is rewritten as a sentence of its own."""
    piece = run_on_kept(analysis).get(sent.id)
    if piece is None:
        return _rewrite(analysis, sent)
    a, b, stops = piece
    text = analysis.article.text
    _, edits = _rewrite(analysis, Sentence(sent.id, a, b, text[a:b], sent.paragraph))
    cut = [Edit("delete", x, y, text[x:y], "", "compression: run-on")
           for x, y in ((sent.start, a), (b, sent.end)) if x < y]
    for stop in stops:  # a piece that ends on a word takes a stop: "…the season."
        m = _LAST_WORD.search(text, a, stop)
        if m is not None and m.end(1) == stop and not any(
                e.start < stop and m.start(1) < e.end for e in edits):
            word = m.group(1)
            cut.append(Edit("substitute", m.start(1), stop, word, word + ".",
                            "end punctuation", Span(m.start(1), stop, word)))
    edits = sorted(cut + edits, key=lambda e: (e.start, e.end))
    return apply_edits(sent, edits), edits


def _rewrite(analysis: Analysis, sent: Sentence) -> tuple[str, list[Edit]]:
    edits = _connective_edits(sent)
    opening = edits[0].end if edits else sent.start
    mention = _mention_edits(analysis, sent, opening)
    if mention and edits and edits[-1].kind == "capitalize" and mention[0].start == edits[-1].start:
        edits = edits[:-1]  # the substituted name is already capitalised
        if mention[0].replacement[:1].islower():
            m = mention[0]
            cap = m.replacement[:1].upper() + m.replacement[1:]
            mention = [Edit(m.kind, m.start, m.end, m.original, cap, m.reason, m.source)]
    quoted = _quoted_regions(analysis, sent)  # deletions never touch quoted words
    edits = _non_overlapping(edits + mention + _aside_edits(sent, quoted)
                             + _trailing_edits(sent, quoted))
    target = int(_settings().get("compress_target", 0))
    if target and len(apply_edits(sent, edits).split()) > target:
        order = [str(k) for k in _settings().get("compress_order", [])]
        edits = compress(analysis, sent, edits, quoted, target=target, order=order,
                         apply_edits=apply_edits)
    edits = sorted(edits + _space_edits(sent, edits), key=lambda e: (e.start, e.end))
    edits = sorted(edits + _start_edits(sent, edits) + _end_edits(sent, edits),
                   key=lambda e: (e.start, e.end))
    return apply_edits(sent, edits), edits


_LAST_WORD = re.compile(r"(\w[\w'’%-]*)\s*$")


def _start_edits(sent: Sentence, edits: list[Edit]) -> list[Edit]:
    """Capitalise a sentence that opens with a lower-case letter (a split after a
    headline or caption: "former prime minister Gordon Brown said …")."""
    opening = sent.start
    for e in edits:
        if e.kind == "delete" and e.start == opening:
            opening = e.end
    if any(e.start == opening for e in edits):
        return []
    ch = sent.text[opening - sent.start : opening - sent.start + 1]
    if not ch.islower():
        return []
    return [Edit("capitalize", opening, opening + 1, ch, ch.upper(), "sentence start")]


def _end_edits(sent: Sentence, edits: list[Edit]) -> list[Edit]:
    """End a sentence that stops on a word (a headline glued to the article: "… could
    sell for less") with a full stop: its last word becomes the word and a stop."""
    m = _LAST_WORD.search(sent.text)
    if m is None:
        return []
    start, end = sent.start + m.start(1), sent.start + m.end(1)
    if any(e.start < end and start < e.end for e in edits):
        return []
    word = m.group(1)
    return [Edit("substitute", start, end, word, word + ".", "end punctuation",
                 Span(start, end, word))]


def _settings() -> dict[str, object]:
    from takeaways.keypoints.select import settings

    return settings()
