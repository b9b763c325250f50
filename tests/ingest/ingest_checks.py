"""Structural checks every `Article` must pass, whatever the input (used by the ingest tests)."""

from __future__ import annotations

from takeaways.document import Article
from tests.conftest import assert_span_in


def assert_article_valid(article: Article) -> None:
    """All offsets index ``article.text``; sentences stay inside their paragraph, in order."""
    text = article.text
    for h in article.headings:
        assert_span_in(text, h.start, h.end, h.text)
    _check_paragraphs(article)
    _check_sentences(article)
    if article.lede is not None:
        assert_span_in(text, article.lede.start, article.lede.end, article.lede.text)
    n_paras = len(article.paragraphs)
    listed = [pid for sec in article.sections for pid in sec.paragraph_ids]
    assert listed == list(range(n_paras)), "sections must list every paragraph once, in order"


def _check_paragraphs(article: Article) -> None:
    prev_end = 0
    for i, p in enumerate(article.paragraphs):
        assert p.id == i
        assert_span_in(article.text, p.start, p.end, p.text)
        assert p.text and p.text == p.text.strip(), repr(p.text[:40])
        assert p.start >= prev_end, "paragraphs overlap or are out of order"
        prev_end = p.end
        for sid in p.sentence_ids:
            s = article.sentences[sid]
            assert s.paragraph == p.id
            assert p.start <= s.start < s.end <= p.end, "sentence crosses its paragraph boundary"


def _check_sentences(article: Article) -> None:
    owned = sorted(sid for p in article.paragraphs for sid in p.sentence_ids)
    assert owned == list(range(len(article.sentences))), "every sentence belongs to one paragraph"
    prev_end = 0
    for i, s in enumerate(article.sentences):
        assert s.id == i
        assert_span_in(article.text, s.start, s.end, s.text)
        assert s.text and s.text == s.text.strip(), repr(s.text[:40])
        assert s.start >= prev_end, "sentences overlap or are out of order"
        prev_end = s.end


# Elements a browser runs on into their neighbours' text; every other element breaks
# the line. Used by the spacing property tests (the same rule as bench/extract.py).
_INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub "
    "sup time u var del ins wbr label".split())
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})


def visible_text(page: str) -> str:
    """The page's visible text, inline elements joined as written, whitespace collapsed."""
    import re

    from lxml import etree
    from lxml import html as lhtml

    root = lhtml.fromstring(page.encode("utf-8"), parser=lhtml.HTMLParser(encoding="utf-8"))
    out: list[str] = []
    hidden = 0
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event in ("comment", "pi"):
            out.append("" if hidden else el.tail or "")
            continue
        if event == "start":
            hidden += tag in _HIDDEN
            out.append("" if tag in _INLINE else "\n")
            out.append("" if hidden else el.text or "")
        else:
            hidden -= tag in _HIDDEN
            out.append("" if tag in _INLINE else "\n")
            out.append("" if hidden else el.tail or "")
    return re.sub(r"\s+", " ", "".join(out))


def inserted_spaces(text: str, visible: str) -> list[str]:
    """Neighbouring words the text writes apart ("statement .") that the page writes
    only together ("statement.")."""
    words = text.split()
    return [f"{x} {y}" for x, y in zip(words, words[1:], strict=False)
            if x + y in visible and f"{x} {y}" not in visible]


def assert_spacing_as_on_page(text: str, page: str) -> None:
    """Every word of ``text`` occurs in the page's visible text, and no two neighbouring
    words are set apart where the page writes them together. (" | " joins the cells of
    a data-table row.)"""
    visible = visible_text(page)
    tokens = set(visible.split())
    text = text.replace(" | ", "\n")
    missing = [w for w in text.split() if w not in tokens and w not in visible]
    assert not missing, f"words not on the page: {missing[:5]}"
    spaced = inserted_spaces(text, visible)
    assert not spaced, f"spaces the page does not have: {spaced[:5]}"
