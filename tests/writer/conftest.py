"""Fixtures of the writer tests: settings pointing at a scripted local server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.writer._server import ChatServer, Reply


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


@pytest.fixture
def chat_server() -> Iterator[Callable[[list[Reply]], ChatServer]]:
    """``chat_server([reply, ...])``: a started server with that script (stopped after)."""
    started: list[ChatServer] = []

    def start(script: list[Reply]) -> ChatServer:
        server = ChatServer(script).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)


def llm_settings(server: ChatServer, **writer: Any) -> Any:
    from takeaways.config import Settings

    return Settings.load(None).replace(writer={
        "name": "llm", "base_url": server.base_url, "model": "test-model",
        "timeout_s": 5, "max_retries": 0, **writer})
