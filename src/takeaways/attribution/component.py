"""The spaCy component ``takeaways_quotes``: ``nlp.add_pipe("takeaways_quotes")``.

Nothing is registered at import. Call `register_component()` once; it registers the
factory and the namespaced, opt-in extension ``Doc._.takeaways_quotes`` (a `Quotes`).
The component treats ``doc.text`` as a plain-text article whose paragraphs are separated
by blank lines and whose sentences are the doc's own sentences.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from takeaways.document import Article, Paragraph, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

NAME = "takeaways_quotes"
EXTENSION = "takeaways_quotes"
_lock = threading.Lock()
_registered = False


def register_component() -> str:
    """Register the ``takeaways_quotes`` factory and ``Doc._.takeaways_quotes``."""
    global _registered
    with _lock:
        if _registered:
            return NAME
        from spacy.language import Language
        from spacy.tokens import Doc

        if not Doc.has_extension(EXTENSION):
            Doc.set_extension(EXTENSION, default=None)
        if NAME not in Language.factories:
            Language.factory(
                NAME,
                requires=["token.dep", "token.pos", "doc.ents", "doc.sents"],
                assigns=[f"doc._.{EXTENSION}"],
            )(_make)
        _registered = True
    return NAME


def _make(nlp: Language, name: str) -> QuotesComponent:
    return QuotesComponent()


class QuotesComponent:
    """``Doc -> Doc``: sets ``doc._.takeaways_quotes`` to the doc's `Quotes`."""

    def __call__(self, doc: Doc) -> Doc:
        from takeaways.attribution.build import quotes_from_doc

        doc._.set(EXTENSION, quotes_from_doc(doc, article_of_doc(doc)))
        return doc


def article_of_doc(doc: Doc, *, doc_id: str = "doc") -> Article:
    """A minimal `Article` over ``doc.text``: blank-line paragraphs, the doc's sentences."""
    text = doc.text
    paras = [(m.start(), m.end()) for m in re.finditer(r"\S[^\n]*(?:\n(?!\s*\n)[^\n]*)*", text)]
    sentences: list[Sentence] = []
    para_sids: dict[int, list[int]] = {}
    for sent in doc.sents:
        s, e = sent.start_char, sent.end_char
        while e > s and text[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        pid = next((k for k, (ps, pe) in enumerate(paras) if ps <= s < pe), max(len(paras) - 1, 0))
        para_sids.setdefault(pid, []).append(len(sentences))
        sentences.append(Sentence(len(sentences), s, e, text[s:e], pid))
    paragraphs = [
        Paragraph(k, ps, pe.__int__(), text[ps:pe], 0, tuple(para_sids.get(k, [])))
        for k, (ps, pe) in enumerate(paras)
    ]
    meta: dict[str, Any] = {}
    return Article(doc_id, text, None, None, None, [], [], paragraphs, sentences, **meta)
