"""HTTP API and web page (the ``server`` extra: FastAPI, uvicorn, Jinja2).

    from takeaways.server import ServerSettings, create_app
    app = create_app(ServerSettings(db_path=":memory:"))

or ``takeaways serve --port 8000``. See docs/server.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from takeaways.server.settings import ServerSettings, default_db_path

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["ServerSettings", "create_app", "default_db_path", "serve"]


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The ASGI application for ``settings`` (defaults: per-user database, no fetching)."""
    from takeaways.errors import ModelError

    try:
        from takeaways.server.app import create_app as _create
    except ImportError as exc:
        raise ModelError(
            f"the server needs its extra ({exc.name} is missing); "
            "install it with: pip install 'takeaways[server]'."
        ) from exc
    return _create(settings)


def serve(
    host: str = "127.0.0.1", port: int = 8000, db: str | Path | None = None,
    allow_fetch: bool = False, allowed_hosts: tuple[str, ...] | list[str] = (),
    **options: object,
) -> None:
    """Run the server under uvicorn until interrupted (``takeaways serve``). The ``Host``
    header may name ``host``, the loopback names or one of ``allowed_hosts``; ``options``
    are further `ServerSettings` fields (``token=``, ``request_timeout_s=``…)."""
    from takeaways.server.serving import allowed_hosts as hosts_for
    from takeaways.server.serving import run

    settings = ServerSettings(
        db_path=Path(db).expanduser() if db else default_db_path(), allow_fetch=allow_fetch,
        allowed_hosts=hosts_for(host, tuple(allowed_hosts)),
        **options,  # type: ignore[arg-type]
    )
    run(create_app(settings), settings, host=host, port=port)
