"""The audit's signals, each registered under a versioned ``audit.signal.*`` name.

Importing this package registers them all.
"""

from __future__ import annotations

from takeaways.auditing.signals import content, entail, facts, nli, quotes
from takeaways.auditing.signals.base import ERROR_TYPES, VERDICTS, Finding, SignalResult

__all__ = [
    "ERROR_TYPES", "VERDICTS", "Finding", "SignalResult", "content", "entail", "facts", "nli",
    "quotes",
]
