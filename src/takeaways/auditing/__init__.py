"""Audit a summary against its article: per-claim verdicts, FRANK error types, evidence.

    from takeaways.auditing import audit_summary
    report = audit_summary(analysis, "1. A claim.\\n2. Another.")
"""

from __future__ import annotations

from takeaways.auditing.core import audit_summary
from takeaways.auditing.report import Audit, ClaimAudit
from takeaways.auditing.settings import AuditSettings, load_settings

__all__ = ["Audit", "AuditSettings", "ClaimAudit", "audit_summary", "load_settings"]
