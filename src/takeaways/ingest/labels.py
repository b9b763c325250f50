"""Keep datelines, caption labels and video prompts out of sentences.

News text opens paragraphs with a dateline ("BHOPAL:", "(CNN) --", "Boston (CNN)") and
scraped pages glue photo captions into the story behind a short label ("Guilty: …",
"Pictured: …") or a prompt ("Scroll down for video"). Those words are not part of the
sentence they open, so a sentence's span starts after them and they are listed in
``article.removed`` with the reason; the article text keeps them (offsets never move).

By structure first:
- a *dateline* opens a paragraph: a news agency in brackets, optionally after a place
  ("(CNN)", "LONDON (Reuters) -"), or a place in capitals before a colon or dash
  ("BHOPAL:", "NEW YORK —");
- a *caption label* is one or two words, the first capitalised and the other lower
  case, then a colon and a capitalised word or quote, where a sentence starts ("Guilty:
  Tsarnaev …") or right after a caption that ended without a full stop ("… last Saturday
  Skilful: The kite …", which also starts a new sentence). A label holding a reporting
  verb, a pronoun or a function word ("He said:", "Mr Wang said:", "Lynn is right:") is
  a clause, not a label; inside a sentence a one-word label must also occur in lower
  case in the paragraph (a common word, "Injured:", not a name: "Smith and York:");
and a word list second: the prompts of ``data/caption_prompts.txt`` ("Scroll down for
video") where a sentence starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from takeaways.document import Removed
from takeaways.lexicon import quote_marks
from takeaways.resources import word_list, word_set

_Q = quote_marks()

# "By Jane Doe and John Roe, Reuters": a byline line (shared by the HTML and text readers)
_NAME = r"[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|de|van|von|der|al|bin))*"
_BYLINE = re.compile(
    rf"^(?:by|written by)\s+(?P<names>{_NAME}(?:(?:, | and | & ){_NAME})*)"
    r"(?:\s*(?:[,|–—-]|\bfor\b)\s*[^.!?]{0,60})?$", re.I)
#: a byline line holds at most this many words
BYLINE_MAX_WORDS = 14
_OPENERS = f"[A-Z0-9{_Q.char_class(_Q.opening)}]"
_SEP = r"(?:--|—|–|-|:)"
# "(CNN) -- …", "(CNN)They …": an agency in brackets opening the paragraph
_AGENCY = re.compile(r"\([A-Z][A-Za-z]{1,15}\)(?:\s*" + _SEP + r")?\s*(?=" + _OPENERS + ")")
# "LONDON (Reuters) - …", "Boston (CNN)Guilty …": a place, the agency, then a dash or no
# space at all ("Tesla (TSLA) CEO …" is a sentence)
_PLACE_AGENCY = re.compile(
    r"[A-Z][\w.'’-]*(?:,? [A-Z][\w.'’-]*){0,3} \([A-Z][A-Za-z]{1,15}\)"
    r"(?:\s*" + _SEP + r"\s*|(?=" + _OPENERS + "))(?=" + _OPENERS + ")")
_CAPS_PLACE = re.compile(
    r"[A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]+){0,3}(?:, [A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+)?)?"
    r"\s*(?::|--|—|–)\s+(?=" + _OPENERS + ")")
_LABEL = re.compile(r"([A-Z][a-z]+(?: [a-z]+)?) ?: (?=" + _OPENERS + ")")
# a label inside a sentence: after a word, no full stop between
_GLUED_LABEL = re.compile(r"(?<=[\w)]) ([A-Z][a-z]+(?: [a-z]+)?): (?=" + _OPENERS + ")")
_MIN_CAPTION_WORDS = 3
_IRREGULAR = {"said": "say", "told": "tell", "wrote": "write", "spoke": "speak",
              "thought": "think", "felt": "feel", "saw": "see"}


@lru_cache(maxsize=1)
def _prompts() -> re.Pattern[str]:
    alts = "|".join(f"(?:{p})" for p in word_list("caption_prompts"))
    return re.compile(f"(?:{alts})[\\s.…]*", re.I)


def _lemma(word: str) -> str:
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("es", ""), ("ed", ""), ("s", ""),
                         ("d", "")):
        if w.endswith(suffix) and w[: -len(suffix)] + repl in word_set("reporting_verbs"):
            return w[: -len(suffix)] + repl
    return w


def _is_speech(label: str) -> bool:
    """A reporting verb or a pronoun ("He said:", "Mr Wang added:"), or a clause ("Lynn
    is right:"): not a label."""
    words = label.split()
    verbs, stop = word_set("reporting_verbs"), word_set("stopwords_en")
    return (any(_lemma(w) in verbs for w in words) or words[0].lower() in word_set("pronouns")
            or any(w.lower() in stop for w in words))


def _common_word(word: str, text: str) -> bool:
    """The paragraph also writes ``word`` in lower case: a common word ("Injured:"), not a
    name ("Smith and York: …")."""
    return re.search(rf"(?<![\w]){re.escape(word.lower())}(?![\w])", text) is not None


def _prefix(text: str, start: int, end: int, first: bool) -> tuple[int, str] | None:
    """Length and reason of a dateline, prompt or label opening ``text[start:end]``."""
    if first:
        for pattern in (_AGENCY, _PLACE_AGENCY, _CAPS_PLACE):
            m = pattern.match(text, start, end)
            if m and m.end() < end:
                return m.end() - start, "dateline"
    m = _prompts().match(text, start, end)
    if m:
        return m.end() - start, "video or photo prompt"
    m = _LABEL.match(text, start, end)
    if m and m.end() < end and not _is_speech(m.group(1)):
        return m.end() - start, "caption label"
    return None


def _skip_space(text: str, i: int, end: int) -> int:
    while i < end and text[i].isspace():
        i += 1
    return i


def _glued(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, reason) of prompts and labels glued inside ``text[start:end]``: a
    prompt anywhere, a label after a lower-case word or a digit (the caption before it
    ended without a full stop)."""
    out = []
    for m in _prompts().finditer(text, start, end):
        if m.start() > start:
            out.append((m.start(), m.end(), "video or photo prompt"))
    for m in _GLUED_LABEL.finditer(text, start, end):
        before = text[start : m.start()].split()
        label = m.group(1)
        if (len(before) >= _MIN_CAPTION_WORDS and not _is_speech(label)
                and (" " in label or _common_word(label, text))
                and not any(a <= m.start(1) < b for a, b, _ in out)):
            out.append((m.start(1), m.end(), "caption label"))
    return sorted(out)


def trim_labels(text: str, spans: list[tuple[int, int]]
                ) -> tuple[list[tuple[int, int]], list[tuple[str, str]]]:
    """Sentence spans of one paragraph with opening datelines, prompts and caption labels
    moved out of them (a glued label also ends the caption before it); and the
    ``(text, reason)`` of each thing moved out."""
    removed: list[tuple[str, str]] = []
    out: list[tuple[int, int]] = []
    for k, (s, e) in enumerate(spans):
        pieces = [s]
        for a, b, reason in _glued(text, s, e):
            if a < pieces[-1]:
                continue
            removed.append((text[a:b].strip(), reason))
            pieces += [a, b]
        pieces.append(e)
        for j in range(0, len(pieces), 2):
            a, b = pieces[j], pieces[j + 1]
            a = _trim_start(text, a, b, k == 0 and j == 0, removed)
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append((a, b))
    return out, removed


def _trim_start(text: str, a: int, b: int, first: bool, removed: list[tuple[str, str]]) -> int:
    for _ in range(3):  # "(CNN) Scroll down for video Guilty: …"
        a = _skip_space(text, a, b)
        found = _prefix(text, a, b, first)
        if found is None:
            break
        n, reason = found
        removed.append((text[a : a + n].strip(), reason))
        a += n
        first = False
    return _skip_space(text, a, b)


T = TypeVar("T")

#: a byline is among the first paragraphs (lines) of the body
BYLINE_WITHIN = 3


def take_bylines(items: list[T], text_of: Callable[[T], str | None],
                 removed: list[Removed]) -> tuple[list[T], str | None]:
    """``items`` without the byline ones among their first `BYLINE_WITHIN` (each goes to
    ``removed`` with reason ``byline``), and the first byline's names (for the metadata).
    ``text_of``: an item's text, or None when it cannot be a byline. The HTML and the
    pasted-text readers share it."""
    author = None
    kept = []
    for i, item in enumerate(items):
        text = text_of(item) if i < BYLINE_WITHIN else None
        names = byline_names(text) if text is not None else None
        if names and text is not None:
            removed.append(Removed(text, "byline"))
            author = author or names
            continue
        kept.append(item)
    return kept, author


def byline_names(text: str) -> str | None:
    """The names of a byline line ("By Jane Doe, Reuters" -> "Jane Doe"), or None when
    the line is not one: "By" or "Written by", capitalised names joined by commas or
    "and", then at most a short credit after a comma, bar or dash (an outlet, a date);
    at most `BYLINE_MAX_WORDS` words in all."""
    m = _BYLINE.match(text)
    if m is None or len(text.split()) > BYLINE_MAX_WORDS or not m.group("names")[0].isupper():
        return None
    return m.group("names")
