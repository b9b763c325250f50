"""Server settings: one frozen object, defaults suitable for a single local user."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: Host names a local server answers to whatever its bind address (DNS rebinding guard).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


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


def default_token() -> str | None:
    """``$TAKEAWAYS_TOKEN`` when set and not empty."""
    return os.environ.get("TAKEAWAYS_TOKEN") or None


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Everything `create_app` needs. ``db_path=":memory:"`` keeps nothing on disk.

    ``isolation="process"`` runs each analysis in a worker process that is killed and
    replaced when it runs past ``request_timeout_s``; ``"thread"`` runs it in this process
    (an app given a ``library`` object always does; its timed-out work runs on).
    ``allowed_hosts`` are the names the ``Host`` header may carry (``"*"``: any);
    ``token``, when set, is required (``Authorization: Bearer``) for writes and deletes."""

    db_path: Path | str = field(default_factory=default_db_path)
    allow_fetch: bool = False
    max_body_bytes: int = 5_000_000
    request_timeout_s: float = 60.0
    max_workers: int = field(default_factory=_default_workers)
    max_queue: int = 64
    cache_size: int = 32
    cache_max_chars: int = 4_000_000
    recent_limit: int = 20
    fetch_timeout_s: float = 10.0
    default_n: int = 4
    isolation: Literal["process", "thread"] = "process"
    worker_max_jobs: int = 200
    worker_start_timeout_s: float = 300.0
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    token: str | None = field(default_factory=default_token)
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keep_alive_s: int = 5
    #: a quote store (``batch --store``) for the speaker pages (``/speakers``); None: off
    quote_store: str | None = None
