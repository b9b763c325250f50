"""Who writes the key points: the extractive key-point step (the default) or an LLM whose
points the audit checks and repairs before anyone sees them (docs/writer.md).

    from takeaways.writer import write_key_points
    points = write_key_points(analysis, n=4, settings=settings)   # [writer] name = "llm"
"""

from __future__ import annotations

from takeaways.writer.llm import STRATEGY, write_key_points
from takeaways.writer.settings import WRITERS, WriterSettings, writer_name

__all__ = ["STRATEGY", "WRITERS", "WriterSettings", "write_key_points", "writer_name"]
