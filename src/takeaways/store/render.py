"""Text, JSON, Markdown and CSV for speaker lists and timelines (the CLI's output)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from takeaways.store.merge import SpeakerGroup
from takeaways.store.query import Statement

__all__ = ["render_said", "render_speakers"]


def render_speakers(groups: Sequence[SpeakerGroup], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps([g.to_dict() for g in groups], ensure_ascii=False, indent=1)
    lines = [f"{g.count:>6}  {g.first or '?':10} {g.last or '?':10}  {g.name}  [{g.id}]"
             + (f"  aka {', '.join(g.aliases[:6])}" if g.aliases else "")
             for g in groups]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_said(rows: Sequence[Statement], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["date", "speaker", "article_id", "doc_id", "url", "start", "end", "kind",
                    "text"])
        for r in rows:
            w.writerow([r.date or "", r.speaker, r.article_id or "", r.doc_id, r.url or "",
                        r.start, r.end, r.kind or "", _one_line(r.text)])
        return buf.getvalue().rstrip("\n")
    if fmt == "markdown":
        head = f"## {rows[0].speaker}\n" if rows else ""
        items = []
        for r in rows:
            where = f"[{r.title or r.doc_id}]({r.url})" if r.url else (r.title or r.doc_id)
            items.append(f"- **{r.date or 'undated'}** · {where}: “{_one_line(r.text)}”")
        return head + "\n".join(items)
    return "\n".join(f"{r.date or 'undated':10}  {r.doc_id}  “{_one_line(r.text)}”"
                     for r in rows)
