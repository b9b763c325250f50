"""Server settings: one frozen object, defaults suitable for a single local user."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_db_path() -> Path:
    """``$TAKEAWAYS_DB``, else ``$XDG_DATA_HOME/takeaways/analyses.db``
    (``~/.local/share/takeaways/analyses.db``)."""
    env = os.environ.get("TAKEAWAYS_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "takeaways" / "analyses.db"


def _default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Everything `create_app` needs. ``db_path=":memory:"`` keeps nothing on disk."""

    db_path: Path | str = field(default_factory=default_db_path)
    allow_fetch: bool = False
    max_body_bytes: int = 5_000_000
    request_timeout_s: float = 60.0
    max_workers: int = field(default_factory=_default_workers)
    max_queue: int = 64
    cache_size: int = 32
    recent_limit: int = 20
    fetch_timeout_s: float = 10.0
    default_n: int = 4
