"""The LLM writer: an OpenAI-compatible model drafts the points, the audit checks each.

1. The model gets the article's numbered sentences and is asked for ``n`` points in JSON,
   each with the sentence numbers it relies on (`takeaways.writer.prompt`).
2. Every point is audited against the article (`takeaways.writer.check`): a supported
   point is kept (origin ``llm``) with the audit's evidence sentences.
3. The points that fail (unsupported, misattributed, contradicted) go back to the model
   once, with what the audit found; a repaired point that passes is kept
   (``llm-repaired``).
4. A point that still fails is replaced by the best extractive point whose evidence no
   kept point already cites (``extractive``).

No point reaches the output without passing the audit or being extractive. A bad answer
(no answer in time, an HTTP error or 429, not JSON, sentence numbers out of range, the
prompt echoed) gives a warning (logged and in ``notes``) and extractive points: the run
never fails because the writer did. An answer with fewer points than asked keeps the
checked ones and fills the rest with extractive points; one with more keeps the first
``n``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from takeaways.auditing import ClaimAudit
from takeaways.config import Settings, active
from takeaways.keypoints import MAX_KEY_POINTS, check_n, extract_key_points
from takeaways.keypoints.result import KeyPoint, KeyPoints, PointFinding
from takeaways.writer import check as _check
from takeaways.writer.client import WriterFailure, chat
from takeaways.writer.prompt import Draft, Numbered, messages, parse_points, repair_messages
from takeaways.writer.settings import WriterSettings

if TYPE_CHECKING:
    from takeaways.nlp.analyze import Analysis

log = logging.getLogger(__name__)

STRATEGY = "writer.llm.v1"


@dataclass
class _Slot:
    """One point position: what the model wrote, what the audit found, what is kept."""

    draft: Draft
    audit: ClaimAudit
    findings: list[PointFinding] = field(default_factory=list)
    kept: KeyPoint | None = None


def write_key_points(analysis: Analysis, *, n: int = 4, settings: Settings | None = None
                     ) -> KeyPoints:
    """``n`` key points drafted by the model ``[writer]`` names and checked by the audit
    (see the module docstring)."""
    settings = settings or active()
    check_n(n)
    ws = WriterSettings.from_settings(settings)
    ws.check()
    numbered = Numbered.of(analysis.article, ws.max_prompt_chars)
    notes: list[str] = []
    try:
        drafts = parse_points(chat(ws, messages(analysis.article, numbered, n)), numbered)
    except WriterFailure as exc:
        return _fallback(analysis, n, settings, notes, f"{exc}; extractive points instead")
    if len(drafts) != n:
        what = "fewer" if len(drafts) < n else "more"
        _warn(notes, f"the model returned {len(drafts)} point(s), {what} than the {n} asked; "
              + ("the missing ones are extractive" if len(drafts) < n
                 else f"the first {n} are used"))
        drafts = drafts[:n]
    slots = _draft_slots(analysis, drafts, settings)
    _repair(analysis, slots, ws, numbered, settings, notes)
    # extractive points, best first, to fill the gaps (as many as the key-point step gives)
    pool = extract_key_points(analysis, n=min(MAX_KEY_POINTS, max(n * 2, n + 4)),
                              settings=settings)
    points = _fill(slots, sorted(pool.points, key=lambda p: -p.score), n, notes)
    return _result(analysis, points, notes, pool.strategies)


def _warn(notes: list[str], message: str) -> None:
    log.warning("llm writer: %s", message)
    notes.append(f"llm writer: {message}")


def _draft_slots(analysis: Analysis, drafts: list[Draft], settings: Settings) -> list[_Slot]:
    ws = WriterSettings.from_settings(settings)
    audits = _check.check_texts(analysis, [d.text for d in drafts], settings)
    slots = [_Slot(d, a, [_check.finding("draft", a, ws)]) for d, a in zip(drafts, audits,
                                                                           strict=True)]
    for s in slots:
        if _check.passes(s.audit, ws):
            s.kept = _point(analysis, s.draft, s.audit, "llm", s.findings)
    return slots


def _point(analysis: Analysis, draft: Draft, audit: ClaimAudit, origin: str,
           findings: list[PointFinding]) -> KeyPoint:
    evidence = _check.evidence_of(analysis, audit, draft.sentences)
    return KeyPoint(0, draft.text, evidence, (), float(audit.support), origin=origin,
                    findings=tuple(findings))


def _repair(analysis: Analysis, slots: list[_Slot], ws: WriterSettings, numbered: Numbered,
            settings: Settings, notes: list[str]) -> None:
    """Ask once more for every point that failed, with the audit's finding."""
    failed = [s for s in slots if s.kept is None]
    if not failed:
        return
    asked = [(s.draft.text, _check.gate_reason(s.audit, ws)) for s in failed]
    try:
        drafts = parse_points(chat(ws, repair_messages(analysis.article, numbered, asked)),
                              numbered)
    except WriterFailure as exc:
        _warn(notes, f"asking again for {len(failed)} rejected point(s) failed: {exc}; "
              "they are replaced by extractive points")
        return
    if len(drafts) != len(failed):
        _warn(notes, f"asked again for {len(failed)} rejected point(s), the model returned "
              f"{len(drafts)}; the ones missing are replaced by extractive points")
    pairs = list(zip(failed, drafts, strict=False))
    audits = _check.check_texts(analysis, [d.text for _, d in pairs], settings)
    for (slot, draft), audit in zip(pairs, audits, strict=True):
        slot.findings.append(_check.finding("repair", audit, ws))
        if _check.passes(audit, ws):
            slot.kept = _point(analysis, draft, audit, "llm-repaired", slot.findings)


def _fill(slots: list[_Slot], spare: list[KeyPoint], n: int, notes: list[str]
          ) -> list[KeyPoint]:
    """The kept points in the model's order, each gap (a point that still failed, or one
    the model did not write) filled by the best extractive point (``spare``, best first)
    whose evidence no point before it cites."""
    covered = {e.sentence_id for s in slots if s.kept for e in s.kept.evidence}
    out: list[KeyPoint] = []
    for i in range(n):
        slot = slots[i] if i < len(slots) else None
        if slot is not None and slot.kept is not None:
            out.append(slot.kept)
            continue
        pick = _best_uncovered(spare, covered)
        if pick is None:
            if slot is not None:
                _warn(notes, f"point {i + 1} failed the audit and no extractive point is "
                      "left to replace it; it is left out")
            continue
        spare.remove(pick)
        covered |= {e.sentence_id for e in pick.evidence}
        out.append(replace(pick, origin="extractive",
                           findings=tuple(slot.findings) if slot else ()))
    return out


def _best_uncovered(spare: list[KeyPoint], covered: set[int]) -> KeyPoint | None:
    for p in spare:
        if not covered & {e.sentence_id for e in p.evidence}:
            return p
    return None


def _fallback(analysis: Analysis, n: int, settings: Settings, notes: list[str],
              message: str) -> KeyPoints:
    _warn(notes, message)
    points = extract_key_points(analysis, n=n, settings=settings)
    marked = [replace(p, origin="extractive") for p in points.points]
    return _result(analysis, marked, notes + points.notes, points.strategies)


def _result(analysis: Analysis, points: list[KeyPoint], notes: list[str],
            strategies: dict[str, str]) -> KeyPoints:
    numbered = [replace(p, n=k) for k, p in enumerate(points, 1)]
    return KeyPoints(analysis.article, numbered, {**strategies, "writer": STRATEGY}, notes)
