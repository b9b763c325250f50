"""Audit a summary against its article: per-claim verdicts, FRANK error types, evidence.

    from takeaways.audit import audit_summary
    report = audit_summary(analysis, "1. A claim.\\n2. Another.")
"""

from __future__ import annotations

from takeaways.audit.core import audit_summary
from takeaways.audit.report import Audit, ClaimAudit
from takeaways.audit.settings import AuditSettings, load_settings

__all__ = ["Audit", "AuditSettings", "ClaimAudit", "audit_summary", "load_settings"]

from takeaways._callable import make_callable  # noqa: E402

make_callable(__name__)  # `takeaways.audit(...)` works even once this package is imported
